"""`GpuNodePool`: a pool's scheduling identity in the cluster.

It publishes how the pool's nodes register (labels and taints, as a kubelet env file in a
ConfigMap) and the Kueue ResourceFlavor that lets queued workloads land on exactly those nodes.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc.core.labels import (
    HALL_LABEL,
    NODE_MODEL_LABEL,
    POOL_LABEL,
    REGION_LABEL,
    SITE_LABEL,
    SYSTEM_NAMESPACE,
    ZONE_LABEL,
    gpudc_labels,
)
from gpudc.core.naming import k8s_name
from gpudc.core.text import render_template
from gpudc.environment.plan import PoolPlan
from gpudc.nodepool.spec import NodePoolSpec
from gpudc.options import child_opts, spec_inputs

__all__ = ["KUEUE_API_VERSION", "GpuNodePool", "node_labels"]

# Kueue v0.19.2: v1beta2 is the storage version since v0.16.0; v1beta1 is deprecated.
# kubernetes-sigs/kueue config/components/crd/bases/kueue.x-k8s.io_resourceflavors.yaml
KUEUE_API_VERSION = "kueue.x-k8s.io/v1beta2"


def node_labels(plan: PoolPlan) -> dict[str, str]:
    """Labels every node of the pool registers with: topology, site, hall, pool, model, extras."""
    spec = plan.spec
    labels = {POOL_LABEL: spec.name, NODE_MODEL_LABEL: spec.node_model}
    if spec.hall is not None:
        labels[HALL_LABEL] = spec.hall
    if plan.site:
        labels.update({SITE_LABEL: plan.site, REGION_LABEL: plan.region, ZONE_LABEL: plan.zone})
    labels.update(spec.labels)
    return dict(sorted(labels.items()))


class GpuNodePool(pulumi.ComponentResource):
    """A GPU node pool: node registration config and its Kueue ResourceFlavor.

    `plan` is the pool's slice of the derived model (`EnvironmentPlan`), or, for a pool built on
    its own, `standalone_pool_plan(spec, hardware)`.
    """

    TYPE = "gpudc:index:GpuNodePool"

    flavor_name: str
    node_labels: dict[str, str]
    nodes: int
    gpus: int
    registration_config: str

    def __init__(
        self,
        name: str,
        spec: NodePoolSpec,
        *,
        plan: PoolPlan,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if plan.spec != spec:
            raise ValueError(
                f"GpuNodePool {name}: `plan` is the slice of pool {plan.spec.name!r}, not of this spec"
            )
        super().__init__(self.TYPE, name, spec_inputs(spec), opts)
        labels = node_labels(plan)
        object_name = k8s_name(plan.site, spec.name)
        meta_labels = gpudc_labels(site=plan.site or None, pool=spec.name)
        registration_name = k8s_name(object_name, "registration")
        k8s.core.v1.ConfigMap(
            f"{name}-registration",
            metadata={"name": registration_name, "namespace": SYSTEM_NAMESPACE, "labels": meta_labels},
            data={"kubelet.env": _kubelet_env(spec, plan.site, labels)},
            opts=child_opts(self, opts, protection=plan.protection),
        )
        # Kueue allows at most 8 nodeLabels; site + pool identify a pool's nodes uniquely.
        selector = [SITE_LABEL, POOL_LABEL] if plan.site else [POOL_LABEL]
        flavor_spec: dict[str, Any] = {"nodeLabels": {key: labels[key] for key in selector}}
        if spec.taints:
            flavor_spec["nodeTaints"] = [taint.as_kubernetes() for taint in spec.taints]
        k8s.apiextensions.CustomResource(
            f"{name}-flavor",
            api_version=KUEUE_API_VERSION,
            kind="ResourceFlavor",
            metadata={"name": object_name, "labels": meta_labels},
            spec=flavor_spec,
            opts=child_opts(self, opts, protection=plan.protection),
        )
        # Plain values, known now: outputs that wait on a child only lengthen the engine's chain.
        self.flavor_name = object_name
        self.node_labels = labels
        self.nodes = plan.nodes
        self.gpus = plan.gpus
        self.registration_config = registration_name
        self.register_outputs(
            {
                "flavor_name": self.flavor_name,
                "node_labels": self.node_labels,
                "nodes": self.nodes,
                "gpus": self.gpus,
                "registration_config": self.registration_config,
            }
        )


def _kubelet_env(spec: NodePoolSpec, site: str, labels: dict[str, str]) -> str:
    return render_template(
        "gpudc.nodepool",
        "kubelet-registration.env.j2",
        pool=spec.name,
        site=site,
        labels=",".join(f"{key}={value}" for key, value in labels.items()),
        taints=",".join(taint.as_flag() for taint in spec.taints),
    )
