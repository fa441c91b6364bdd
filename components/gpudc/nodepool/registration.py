"""The kubelet flags a node of a pool registers with, as text a node provisioner can drop in.

For `existing` pools this is the published artifact (out/<stack>/nodes/); Cluster API pools get
the same labels and taints through their KubeadmConfigTemplate instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gpudc.core.text import render_template
from gpudc.nodepool.spec import NodePoolSpec, Taint

__all__ = ["kubelet_registration"]


def kubelet_registration(
    spec: NodePoolSpec, site: str, node_labels: Mapping[str, str], taints: Sequence[Taint] | None = None
) -> str:
    """`/etc/default/kubelet` for a node of the pool: its labels and the taints it registers with
    (`PoolPlan.registration_taints`: the pool's taints, plus the burn-in taint where it has a gate;
    the spec's taints when not given)."""
    return render_template(
        "gpudc.nodepool",
        "kubelet-registration.env.j2",
        pool=spec.name,
        site=site,
        labels=",".join(f"{key}={value}" for key, value in node_labels.items()),
        taints=",".join(taint.as_flag() for taint in (spec.taints if taints is None else taints)),
    )
