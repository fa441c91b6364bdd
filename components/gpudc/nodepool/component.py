"""`GpuNodePool`: a pool's scheduling identity in the cluster.

It publishes how the pool's nodes register (labels and taints, as a kubelet env file in a
ConfigMap) and the Kueue ResourceFlavor that lets queued workloads land on exactly those nodes.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc.catalog.nodes import NODE_MODELS
from gpudc.core.errors import SpecError
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
from gpudc.nodepool.spec import NodePoolSpec
from gpudc.options import child_opts
from gpudc.site.capacity import SitePlan

__all__ = ["KUEUE_API_VERSION", "GpuNodePool", "node_labels"]

# Kueue v0.19.2: v1beta2 is the storage version since v0.16.0; v1beta1 is deprecated.
# kubernetes-sigs/kueue config/components/crd/bases/kueue.x-k8s.io_resourceflavors.yaml
KUEUE_API_VERSION = "kueue.x-k8s.io/v1beta2"


def node_labels(spec: NodePoolSpec, site: SitePlan | None) -> dict[str, str]:
    """Labels every node of the pool registers with: topology, site, hall, pool, model, extras."""
    labels = {POOL_LABEL: spec.name, NODE_MODEL_LABEL: spec.node_model, HALL_LABEL: spec.hall}
    if site is not None:
        labels.update({SITE_LABEL: site.name, REGION_LABEL: site.region, ZONE_LABEL: site.zone})
    labels.update(spec.labels)
    return dict(sorted(labels.items()))


def _pool_size(spec: NodePoolSpec, site: SitePlan | None) -> tuple[int, int]:
    """(nodes, gpus) of the pool, from the site plan or, standalone, from the catalog."""
    if site is not None:
        plan = site.pool(spec.name)
        return plan.nodes, plan.gpus
    model = NODE_MODELS.get(spec.node_model)
    if model is None:
        raise SpecError.single(
            "node_model", f"unknown node model; use one of {sorted(NODE_MODELS)}", spec.node_model
        )
    return spec.nodes, spec.nodes * model.gpus_per_node


class GpuNodePool(pulumi.ComponentResource):
    """A GPU node pool: node registration config and its Kueue ResourceFlavor."""

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
        site: SitePlan | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        nodes, gpus = _pool_size(spec, site)
        super().__init__(self.TYPE, name, None, opts)
        labels = node_labels(spec, site)
        object_name = k8s_name(site.name if site else "", spec.name)
        meta_labels = gpudc_labels(site=site.name if site else None, pool=spec.name)
        taints = [taint.as_kubernetes() for taint in spec.taints]
        registration_name = k8s_name(object_name, "registration")
        k8s.core.v1.ConfigMap(
            f"{name}-registration",
            metadata={
                "name": registration_name,
                "namespace": SYSTEM_NAMESPACE,
                "labels": meta_labels,
            },
            data={"kubelet.env": _kubelet_env(spec, site, labels)},
            opts=child_opts(self, opts),
        )
        flavor_spec: dict[str, Any] = {"nodeLabels": {k: labels[k] for k in _selector_keys(site)}}
        if taints:
            flavor_spec["nodeTaints"] = taints
        k8s.apiextensions.CustomResource(
            f"{name}-flavor",
            api_version=KUEUE_API_VERSION,
            kind="ResourceFlavor",
            metadata={"name": object_name, "labels": meta_labels},
            spec=flavor_spec,
            opts=child_opts(self, opts),
        )
        # Plain values, known now: outputs that wait on a child only lengthen the engine's chain.
        self.flavor_name = object_name
        self.node_labels = labels
        self.nodes = nodes
        self.gpus = gpus
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


def _selector_keys(site: SitePlan | None) -> list[str]:
    # Kueue allows at most 8 nodeLabels; site + pool identify a pool's nodes uniquely.
    return [SITE_LABEL, POOL_LABEL] if site is not None else [POOL_LABEL]


def _kubelet_env(spec: NodePoolSpec, site: SitePlan | None, labels: dict[str, str]) -> str:
    return render_template(
        "gpudc.nodepool",
        "kubelet-registration.env.j2",
        pool=spec.name,
        site=site.name if site else "",
        labels=",".join(f"{key}={value}" for key, value in labels.items()),
        taints=",".join(taint.as_flag() for taint in spec.taints),
    )
