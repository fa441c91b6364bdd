"""`existing`: nodes another process joins; gpudc labels and taints each one by name.

A `NodePatch` per node (server-side apply under the field manager `gpudc`, so gpudc owns only
the labels and taints it sets and leaves the kubelet's own alone). The kubelet flags such nodes
should register with are published in the plan (gpudc.nodepool.registration), not put in the cluster:
a node that has not joined yet cannot read a ConfigMap of the cluster it is joining.
"""

from __future__ import annotations

import pulumi

from gpudc.environment.plan import PoolPlan
from gpudc.objects import kube_object
from gpudc.options import child_opts

__all__ = ["FIELD_MANAGER", "provision_existing"]

# pulumi-kubernetes Patch resources: the annotation names the server-side apply field manager
# (https://www.pulumi.com/registry/packages/kubernetes/how-to-guides/managing-resources-with-server-side-apply/).
FIELD_MANAGER = "gpudc"
_FIELD_MANAGER_ANNOTATION = "pulumi.com/patchFieldManager"


def provision_existing(
    parent: pulumi.ComponentResource,
    name: str,
    plan: PoolPlan,
    *,
    node_labels: dict[str, str],
    opts: pulumi.ResourceOptions | None,
) -> None:
    """A NodePatch per node of the pool: the pool's labels, its rack's labels, its taints."""
    taints = [taint.as_kubernetes() for taint in plan.spec.taints]
    for node, where in zip(plan.placed, plan.placed_labels, strict=True):
        kube_object(
            f"{name}-node-{node.name}",
            api_version="v1",
            kind="Node",
            patch=True,
            metadata={
                "name": node.name,
                "labels": {**node_labels, **where},
                "annotations": {_FIELD_MANAGER_ANNOTATION: FIELD_MANAGER},
            },
            fields={"spec": {"taints": taints}} if taints else {},
            opts=child_opts(parent, opts),
        )
