"""The kubelet flags a node of a pool registers with, as text a node provisioner can drop in.

For `existing` pools this is the published artifact (out/<stack>/nodes/); Cluster API pools get
the same labels and taints through their KubeadmConfigTemplate instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from gpudc.core.text import render_template
from gpudc.nodepool.spec import NodePoolSpec

__all__ = ["kubelet_registration"]


def kubelet_registration(spec: NodePoolSpec, site: str, node_labels: Mapping[str, str]) -> str:
    """`/etc/default/kubelet` for a node of the pool: its labels and its taints."""
    return render_template(
        "gpudc.nodepool",
        "kubelet-registration.env.j2",
        pool=spec.name,
        site=site,
        labels=",".join(f"{key}={value}" for key, value in node_labels.items()),
        taints=",".join(taint.as_flag() for taint in spec.taints),
    )
