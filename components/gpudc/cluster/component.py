"""`Cluster`: one Kubernetes cluster of a site, and the things made exactly once per cluster.

Its children are the cluster's `gpudc-system` namespace, its `Scheduling` (Kueue), a
`GpuNodePool` per pool that joins it and its `GpuOperator`, all through the cluster's own
workload provider; Cluster API pools put their machines on the management cluster, and the
cluster's Metal3Cluster is annotated there so Metal3 copies the hosts' rack labels to the nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from gpudc.cluster.providers import ClusterProviders
from gpudc.cluster.spec import CapiClusterRef, ClusterSpec
from gpudc.core.labels import SYSTEM_NAMESPACE, TOPOLOGY_LABEL_PREFIX, gpudc_labels
from gpudc.core.spec import Protection
from gpudc.environment.plan import ClusterPlan, PoolPlan
from gpudc.gpu_operator.component import GpuOperator
from gpudc.network.component import SiteNetwork
from gpudc.network.topology import ACCELERATOR_DOMAIN_KEY, fabric_tier_key
from gpudc.nodepool.component import BmcLogin, GpuNodePool
from gpudc.nodepool.provisioning import CapiMetal3Provisioner
from gpudc.options import child_opts, spec_inputs
from gpudc.scheduling.component import Scheduling
from gpudc.tenancy.component import Tenant

# CAPM3 copies a BareMetalHost's labels to its Node under the prefixes this annotation of the
# Metal3Cluster lists (cluster-api-provider-metal3 v1.13.2, baremetal/metal3labelsync:
# PrefixAnnotationKey; docs/labelsync.md).
LABEL_SYNC_ANNOTATION = "metal3.io/metal3-label-sync-prefixes"
# The prefixes of topograph's label keys, which hosts on a fabric carry too.
FABRIC_LABEL_PREFIXES = tuple(key.split("/", 1)[0] for key in (fabric_tier_key(0), ACCELERATOR_DOMAIN_KEY))

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
        secrets: Mapping[str, pulumi.Input[str]] | None = None,
        moved_from: MovedFrom | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        capi_pools = [pool for pool in plan.pools if isinstance(pool.spec.provisioner, CapiMetal3Provisioner)]
        if capi_pools and (providers.management is None or spec.capi is None):
            raise ValueError(f"Cluster {name}: capi-metal3 pools need a management provider and `capi`")
        logins = {pool.name: _bmc_login(pool, secrets or {}, name) for pool in capi_pools}
        # The operator and Kueue are children with their own inputs; the cluster carries its access.
        # Tenants are children with their own inputs; a cluster without tenants carries no tenancy keys.
        tenancy = {"tenants"} if spec.tenants else {"tenants", "tenant_gpu_overcommit"}
        super().__init__(
            self.TYPE, name, spec_inputs(spec, exclude={"gpu_operator", "scheduling", *tenancy}), opts
        )

        def aliases(child: str) -> list[pulumi.Alias] | None:
            if moved_from is None:
                return None
            return [pulumi.Alias(name=f"{moved_from.name_prefix}-{child}", parent=moved_from.parent)]

        def child(suffix: str, depends_on: list[pulumi.Resource] | None = None) -> pulumi.ResourceOptions:
            return child_opts(
                self,
                opts,
                depends_on=depends_on or [],
                provider=providers.workload,
                aliases=aliases(suffix),
                protection=plan.protection if suffix == "system" else Protection.NONE,  # the namespace
            )

        # Nothing of a pool lives in it (its machines are on the management cluster or are Nodes),
        # so pools do not wait for it: a dependency there would hold every machine's registration.
        k8s.core.v1.Namespace(
            f"{name}-system",
            metadata={"name": SYSTEM_NAMESPACE, "labels": gpudc_labels(site=plan.site)},
            opts=child("system"),
        )
        self._scheduling = Scheduling(
            f"{name}-scheduling",
            plan.scheduling,
            site=plan.site,
            opts=child_opts(self, opts, provider=providers.workload),
        )
        on_topology = {quota.pool: quota.on_topology for quota in plan.scheduling.quotas}
        self._pools = {
            pool.name: GpuNodePool(
                f"{name}-{pool.name}",
                pool.spec,
                plan=pool,
                management=providers.management,
                bmc=logins.get(pool.name),
                topology=plan.scheduling.topology if on_topology[pool.name] else None,
                kueue=self._scheduling.kueue,
                opts=child(pool.name),
            )
            for pool in plan.pools
        }
        if capi_pools:
            assert spec.capi is not None and providers.management is not None
            _sync_rack_labels(self, name, spec.capi, providers.management, opts)
        # The cluster's secondary networks and load balancer (issue 13), where the site plans a
        # network; the GPU Operator's NCCL validation runs over its rails, so it comes first.
        network: SiteNetwork | None = None
        if plan.network is not None:
            network = SiteNetwork(
                f"{name}-network",
                plan.network.spec,
                plan=plan.network,
                site=plan.site,
                opts=child_opts(self, opts, provider=providers.workload),
            )
        self._gpu_operator = GpuOperator(
            f"{name}-gpu-operator",
            spec.gpu_operator,
            plan=plan.operator,
            network=network,
            opts=child("gpu-operator"),
        )
        # Tenants' queues wait for the cluster's Kueue release (its CRDs).
        self._tenants = {
            tenant.name: Tenant(
                f"{name}-{tenant.name}",
                tenant.spec,
                plan=tenant,
                depends_on=[self._scheduling.kueue],
                registry_passwords={
                    r.password_key: (secrets or {})[r.password_key] for r in tenant.spec.registries
                },
                opts=child(tenant.name),
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

    @property
    def scheduling(self) -> Scheduling:
        return self._scheduling


def _bmc_login(pool: PoolPlan, secrets: Mapping[str, pulumi.Input[str]], name: str) -> BmcLogin:
    provisioner = pool.spec.provisioner
    assert isinstance(provisioner, CapiMetal3Provisioner)
    keys = (provisioner.bmc.username_key, provisioner.bmc.password_key)
    missing = [key for key in keys if key not in secrets]
    if missing:
        raise ValueError(
            f"Cluster {name}: pool {pool.name}'s BMC secrets {missing} were not passed in `secrets` "
            "(the program reads them from config: gpudc.environment.program.config_secret_values)"
        )
    return BmcLogin(username=secrets[keys[0]], password=secrets[keys[1]])


def _sync_rack_labels(
    parent: pulumi.Resource,
    name: str,
    capi: CapiClusterRef,
    management: pulumi.ProviderResource,
    opts: pulumi.ResourceOptions | None,
) -> None:
    """Annotate the cluster's Metal3Cluster (server-side apply, field manager gpudc) so Metal3
    copies the hosts' `topology.gpudc.io/` rack labels to their nodes."""
    k8s.apiextensions.CustomResourcePatch(
        f"{name}-rack-label-sync",
        api_version="infrastructure.cluster.x-k8s.io/v1beta2",
        kind="Metal3Cluster",
        metadata={
            "name": capi.metal3_cluster or capi.name,
            "namespace": capi.namespace,
            "annotations": {
                LABEL_SYNC_ANNOTATION: ",".join((TOPOLOGY_LABEL_PREFIX, *FABRIC_LABEL_PREFIXES)),
                "pulumi.com/patchFieldManager": "gpudc",
            },
        },
        opts=child_opts(parent, opts, provider=management),
    )
