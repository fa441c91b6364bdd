"""`GpuNodePool`: a pool's machines, brought to exist by its provisioner, and its Kueue flavor.

The provisioner decides what is registered (each in its own module under `provisioners/`):
`capi-metal3` puts Cluster API and Metal3 objects on the cluster's management cluster,
`cks` a CoreWeave `NodePool` in the cluster, `existing` a `NodePatch` per node. Every pool gets
the Kueue `ResourceFlavor` that lets queued workloads land on exactly its nodes.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc.catalog.kueue import KUEUE_API_VERSION
from gpudc.core.labels import POOL_LABEL, SITE_LABEL, gpudc_labels
from gpudc.environment.plan import PoolPlan
from gpudc.nodepool.provisioners.capi_metal3 import BmcLogin, provision_capi_metal3
from gpudc.nodepool.provisioners.cks import provision_cks
from gpudc.nodepool.provisioners.existing import provision_existing
from gpudc.nodepool.provisioning import CapiMetal3Provisioner, CksProvisioner, ExistingNodes
from gpudc.nodepool.registration import kubelet_registration
from gpudc.nodepool.spec import NodePoolSpec
from gpudc.options import child_opts, spec_inputs
from gpudc.scheduling.quotas import flavor_name

__all__ = ["KUEUE_API_VERSION", "BmcLogin", "GpuNodePool", "node_labels"]


def node_labels(plan: PoolPlan) -> dict[str, str]:
    """Labels every node of the pool registers with: topology, site, hall, pool, model, extras."""
    return plan.node_labels


class GpuNodePool(pulumi.ComponentResource):
    """A GPU node pool: its machines (per its provisioner) and its Kueue ResourceFlavor.

    `plan` is the pool's slice of the derived model (`EnvironmentPlan`), or, for a pool built on
    its own, `standalone_pool_plan(spec, hardware)`. A `capi-metal3` pool also needs the
    `management` provider (its cluster's Cluster API management cluster) and its `bmc` login;
    `topology` names the cluster's Kueue Topology its flavor points at, and `kueue` is the Kueue
    release the flavor waits for.
    """

    TYPE = "gpudc:index:GpuNodePool"

    flavor_name: str
    node_labels: dict[str, str]
    nodes: int
    gpus: int
    kubelet_registration: str

    def __init__(
        self,
        name: str,
        spec: NodePoolSpec,
        *,
        plan: PoolPlan,
        management: pulumi.ProviderResource | None = None,
        bmc: BmcLogin | None = None,
        topology: str | None = None,
        kueue: pulumi.Resource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if plan.spec != spec:
            raise ValueError(
                f"GpuNodePool {name}: `plan` is the slice of pool {plan.spec.name!r}, not of this spec"
            )
        provisioner = spec.provisioner
        if isinstance(provisioner, CapiMetal3Provisioner) and (
            management is None or bmc is None or plan.capi is None
        ):
            raise ValueError(
                f"GpuNodePool {name}: a capi-metal3 pool needs `management`, `bmc` and a plan whose cluster "
                "names its Cluster API Cluster (`capi`)"
            )
        super().__init__(self.TYPE, name, spec_inputs(spec), opts)
        labels = plan.node_labels
        object_name = flavor_name(plan.site, spec.name)
        self._flavor(name, plan, object_name, labels, topology, kueue, opts)
        if isinstance(provisioner, CapiMetal3Provisioner):
            assert management is not None and bmc is not None and plan.capi is not None
            provision_capi_metal3(
                self,
                name,
                plan,
                capi=plan.capi,
                management=management,
                bmc=bmc,
                node_labels=labels,
                opts=opts,
            )
        elif isinstance(provisioner, CksProvisioner):
            provision_cks(self, name, plan, node_labels=labels, opts=opts)
        elif isinstance(provisioner, ExistingNodes):
            provision_existing(self, name, plan, node_labels=labels, opts=opts)
        # Plain values, known now: outputs that wait on a child only lengthen the engine's chain.
        self.flavor_name = object_name
        self.node_labels = labels
        self.nodes = plan.nodes
        self.gpus = plan.gpus
        self.kubelet_registration = kubelet_registration(spec, plan.site, labels, plan.registration_taints)
        self.register_outputs(
            {
                "flavor_name": self.flavor_name,
                "node_labels": self.node_labels,
                "nodes": self.nodes,
                "gpus": self.gpus,
                "kubelet_registration": self.kubelet_registration,
            }
        )

    def _flavor(
        self,
        name: str,
        plan: PoolPlan,
        object_name: str,
        labels: dict[str, str],
        topology: str | None,
        kueue: pulumi.Resource | None,
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        spec = plan.spec
        # Kueue allows at most 8 nodeLabels; site + pool identify a pool's nodes uniquely.
        selector = [SITE_LABEL, POOL_LABEL] if plan.site else [POOL_LABEL]
        flavor_spec: dict[str, Any] = {"nodeLabels": {key: labels[key] for key in selector}}
        if spec.taints:
            flavor_spec["nodeTaints"] = [taint.as_kubernetes() for taint in spec.taints]
        if topology is not None and plan.placed:
            # Only nodes that carry the rack labels can be placed by topology.
            flavor_spec["topologyName"] = topology
        k8s.apiextensions.CustomResource(
            f"{name}-flavor",
            api_version=KUEUE_API_VERSION,
            kind="ResourceFlavor",
            metadata={"name": object_name, "labels": gpudc_labels(site=plan.site or None, pool=spec.name)},
            spec=flavor_spec,
            opts=child_opts(
                self, opts, depends_on=[kueue] if kueue is not None else (), protection=plan.protection
            ),
        )
