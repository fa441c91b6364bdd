"""The label policy every gpudc object and node carries.

One place defines the keys so that a Kueue ResourceFlavor's node selector, a node's bootstrap
labels and a NetworkPolicy selector cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "GPU_TAINT_KEY",
    "HALL_LABEL",
    "MANAGED_BY_LABEL",
    "MANAGED_BY_VALUE",
    "NODE_MODEL_LABEL",
    "POOL_LABEL",
    "RACK_LABEL",
    "REGION_LABEL",
    "ROW_LABEL",
    "SITE_LABEL",
    "SYSTEM_NAMESPACE",
    "TENANT_LABEL",
    "TOPOLOGY_LABEL_PREFIX",
    "ZONE_LABEL",
    "gpudc_labels",
]

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "gpudc"
SITE_LABEL = "gpudc.io/site"
HALL_LABEL = "gpudc.io/hall"
POOL_LABEL = "gpudc.io/pool"
NODE_MODEL_LABEL = "gpudc.io/node-model"
# A tenant's namespace and objects; policies hold namespaces with it to Pod Security `restricted`.
TENANT_LABEL = "gpudc.io/tenant"
# Where a node stands, one label per level of the floor plan. The values are unique in a cluster
# (`h1-a` is row a of hall h1, `h1-a-01` its first rack), so each is a Kueue Topology level on
# its own. They share one prefix of their own because Metal3 copies a BareMetalHost's labels to
# its Node only under the prefixes its Metal3Cluster lists (metal3.io/metal3-label-sync-prefixes:
# metal3-io/metal3-docs, cluster-api-provider-metal3 "label sync"); node-wide gpudc.io/ labels
# are set through kubelet instead.
TOPOLOGY_LABEL_PREFIX = "topology.gpudc.io"
ROW_LABEL = f"{TOPOLOGY_LABEL_PREFIX}/row"
RACK_LABEL = f"{TOPOLOGY_LABEL_PREFIX}/rack"
# Well-known topology labels: https://kubernetes.io/docs/reference/labels-annotations-taints/
REGION_LABEL = "topology.kubernetes.io/region"
ZONE_LABEL = "topology.kubernetes.io/zone"
# The GPU Operator's daemonsets tolerate this key by default (values.yaml daemonsets.tolerations),
# so GPU nodes tainted with it keep their NVIDIA software while ordinary pods stay off.
GPU_TAINT_KEY = "nvidia.com/gpu"


def gpudc_labels(
    *, site: str | None = None, pool: str | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Labels for an object gpudc manages: managed-by, then site and pool when given, then extra."""
    labels = {MANAGED_BY_LABEL: MANAGED_BY_VALUE}
    if site is not None:
        labels[SITE_LABEL] = site
    if pool is not None:
        labels[POOL_LABEL] = pool
    if extra:
        labels.update(extra)
    return labels


# Namespace of gpudc's own per-site objects (node registration configs, reports).
SYSTEM_NAMESPACE = "gpudc-system"
