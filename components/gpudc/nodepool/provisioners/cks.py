"""`cks`: a managed pool on CoreWeave Kubernetes Service, as CKS's `NodePool` custom resource.

Only the `spec` fields CoreWeave documents on its node pool reference page are written
(https://docs.coreweave.com/products/cks/reference/node-pool; gpudc.catalog.coreweave lists them
with their sources). `instanceType` is immutable, so a change is recorded as a replacement.
CoreWeave's own Terraform and Pulumi providers have no node pool resource; this is one.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc.catalog.coreweave import CKS_NODEPOOL_API_VERSION, CKS_NODEPOOL_KIND, is_rack_scale, nodes_per_rack
from gpudc.core.labels import gpudc_labels
from gpudc.core.naming import k8s_name
from gpudc.environment.plan import PoolPlan
from gpudc.nodepool.provisioning import CksProvisioner
from gpudc.options import child_opts

__all__ = ["cks_node_pool_spec", "provision_cks"]


def cks_node_pool_spec(plan: PoolPlan, node_labels: dict[str, str]) -> dict[str, Any]:
    """The NodePool's spec: instance type, size (whole racks for NVL72 types), labels, taints."""
    spec = plan.spec
    provisioner = spec.provisioner
    assert isinstance(provisioner, CksProvisioner) and plan.cks_instance_type is not None
    instance_type = plan.cks_instance_type
    body: dict[str, Any] = {"instanceType": instance_type}
    if is_rack_scale(instance_type):
        # "Exactly one of targetNodes and targetRacks ... targetRacks is only available for
        # NVL72-powered instance types"; validation made `nodes` whole racks.
        body["targetRacks"] = spec.nodes // (nodes_per_rack(instance_type) or 1)
    else:
        body["targetNodes"] = spec.nodes
    if provisioner.autoscaling is not None:
        body.update(
            autoscaling=True,
            minNodes=provisioner.autoscaling.min_nodes,
            maxNodes=provisioner.autoscaling.max_nodes,
        )
    if provisioner.compute_class is not None:
        body["computeClass"] = provisioner.compute_class
    body["nodeLabels"] = node_labels
    if spec.taints:
        body["nodeTaints"] = [taint.as_kubernetes() for taint in spec.taints]
    return body


def provision_cks(
    parent: pulumi.ComponentResource,
    name: str,
    plan: PoolPlan,
    *,
    node_labels: dict[str, str],
    opts: pulumi.ResourceOptions | None,
) -> None:
    """Register the pool's CKS NodePool (cluster-scoped) through the cluster's own provider."""
    k8s.apiextensions.CustomResource(
        f"{name}-nodepool",
        api_version=CKS_NODEPOOL_API_VERSION,
        kind=CKS_NODEPOOL_KIND,
        metadata={
            "name": k8s_name(plan.site, plan.spec.name),
            "labels": gpudc_labels(site=plan.site or None, pool=plan.spec.name),
        },
        spec=cks_node_pool_spec(plan, node_labels),
        opts=child_opts(parent, opts, replace_on_changes=["spec.instanceType"], protection=plan.protection),
    )
