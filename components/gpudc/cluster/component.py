"""`Cluster`: one Kubernetes cluster of a site, and the things made exactly once per cluster.

Its children are the cluster's `gpudc-system` namespace, a `GpuNodePool` per pool that joins it
and its `GpuOperator`; all of them go through the cluster's own workload provider.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from gpudc.cluster.providers import ClusterProviders
from gpudc.cluster.spec import ClusterSpec
from gpudc.core.labels import SYSTEM_NAMESPACE, gpudc_labels
from gpudc.environment.plan import ClusterPlan
from gpudc.gpu_operator.component import GpuOperator
from gpudc.nodepool.component import GpuNodePool
from gpudc.options import child_opts, spec_inputs
from gpudc.tenancy.component import Tenant

__all__ = ["Cluster", "MovedFrom"]


@dataclass(frozen=True, slots=True)
class MovedFrom:
    """Where this cluster's children were registered before clusters existed: directly under the
    site (`parent`), named `<name_prefix>-<child>`. Each child gets an alias to that old URN, so
    `pulumi up` moves it instead of replacing it. Give it only for a site's sole cluster."""

    parent: pulumi.Resource
    name_prefix: str


class Cluster(pulumi.ComponentResource):
    """A Kubernetes cluster: its gpudc namespace, its GPU node pools and its GPU Operator."""

    TYPE = "gpudc:index:Cluster"

    pool_names: list[str]

    def __init__(
        self,
        name: str,
        spec: ClusterSpec,
        *,
        plan: ClusterPlan,
        providers: ClusterProviders,
        moved_from: MovedFrom | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # The operator is a child with its own inputs; the cluster carries its access.
        # Tenants are children with their own inputs; a cluster without tenants carries no tenancy keys.
        tenancy = {"tenants"} if spec.tenants else {"tenants", "tenant_gpu_overcommit"}
        super().__init__(self.TYPE, name, spec_inputs(spec, exclude={"gpu_operator", *tenancy}), opts)

        def aliases(child: str) -> list[pulumi.Alias] | None:
            if moved_from is None:
                return None
            return [pulumi.Alias(name=f"{moved_from.name_prefix}-{child}", parent=moved_from.parent)]

        def child(suffix: str, depends_on: list[pulumi.Resource] | None = None) -> pulumi.ResourceOptions:
            return child_opts(
                self, opts, depends_on=depends_on or [], provider=providers.workload, aliases=aliases(suffix)
            )

        namespace = k8s.core.v1.Namespace(
            f"{name}-system",
            metadata={"name": SYSTEM_NAMESPACE, "labels": gpudc_labels(site=plan.site)},
            opts=child("system"),
        )
        self._pools = {
            pool.name: GpuNodePool(
                f"{name}-{pool.name}", pool.spec, plan=pool, opts=child(pool.name, depends_on=[namespace])
            )
            for pool in plan.pools
        }
        self._gpu_operator = GpuOperator(
            f"{name}-gpu-operator", spec.gpu_operator, plan=plan.operator, opts=child("gpu-operator")
        )
        # Tenants: depends_on is where the cluster's Kueue release goes, so their queues wait for its CRDs.
        self._tenants = {
            tenant.name: Tenant(
                f"{name}-{tenant.name}", tenant.spec, plan=tenant, depends_on=[], opts=child(tenant.name)
            )
            for tenant in plan.tenants
        }
        self.pool_names = list(self._pools)
        self.register_outputs({"pool_names": self.pool_names})

    # Child components, for programs that build on a cluster; references, not stack outputs.
    @property
    def pools(self) -> dict[str, GpuNodePool]:
        return dict(self._pools)

    @property
    def gpu_operator(self) -> GpuOperator:
        return self._gpu_operator
