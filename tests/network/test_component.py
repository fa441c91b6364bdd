"""`SiteNetwork` in plano's offline plan: one per cluster, its children, and every custom resource
it registers checked against its upstream CRD (tests/crds)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from gpudc.preview.plan import Plan
from tests.crds.schemas import check_custom_resource


def test_one_site_network_per_cluster_with_its_children(planned: Callable[[str], Plan]) -> None:
    plan = planned("plano")
    [network] = [r for r in plan.resources if r.type == "gpudc:index:SiteNetwork"]
    [cluster] = [r for r in plan.resources if r.type == "gpudc:index:Cluster"]
    assert network.parent == cluster.urn
    children = [r for r in plan.resources if r.parent == network.urn]
    assert Counter(r.type for r in children) == {
        "kubernetes:core/v1:Namespace": 2,
        "kubernetes:helm.sh/v3:Release": 2,
        "kubernetes:mellanox.com/v1alpha1:NicClusterPolicy": 1,
        "kubernetes:mellanox.com/v1alpha1:NicNodePolicy": 4,
        "kubernetes:nv-ipam.nvidia.com/v1alpha1:IPPool": 24,
        "kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition": 24,
        "kubernetes:metallb.io/v1beta1:IPAddressPool": 1,
        "kubernetes:metallb.io/v1beta2:BGPPeer": 4,
        "kubernetes:metallb.io/v1beta1:BGPAdvertisement": 1,
    }
    releases = {r.inputs["chart"]: r.inputs["version"] for r in children if r.type.endswith("Release")}
    assert releases == {"network-operator": "26.4.1", "metallb": "0.16.1"}
    assert not any(r.type == "gpudc:index:SiteNetwork" for r in planned("lab").resources)


def test_every_custom_resource_uses_only_upstream_crd_fields(planned: Callable[[str], Plan]) -> None:
    plan = planned("plano")
    [network] = [r for r in plan.resources if r.type == "gpudc:index:SiteNetwork"]
    bodies = [
        {key: value for key, value in r.inputs.items() if key in ("apiVersion", "kind", "metadata", "spec")}
        for r in plan.resources
        if r.parent == network.urn and r.type.count(".") and "helm.sh" not in r.type
    ]
    assert len(bodies) == 59
    assert {(body["kind"], tuple(check_custom_resource(body))) for body in bodies} == {
        (kind, ())
        for kind in (
            "NicClusterPolicy",
            "NicNodePolicy",
            "IPPool",
            "NetworkAttachmentDefinition",
            "IPAddressPool",
            "BGPPeer",
            "BGPAdvertisement",
        )
    }
