"""The network's custom resources for plano use only fields of their upstream CRDs (tests/crds,
Network Operator v26.4.1, nv-ipam as it deploys, Multus, MetalLB v0.16.1), and carry the address
plan's ranges."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gpudc.network.manifests import (
    metallb_objects,
    nic_cluster_policy,
    nic_node_policies,
    rail_objects,
    section_conflicts,
    selector_overlaps,
)
from gpudc.network.plan import ClusterNetwork
from tests.crds.schemas import check_custom_resource
from tests.network.test_site_network import plan, plano


@pytest.fixture(scope="module")
def network() -> ClusterNetwork:
    cluster = plan(plano()).sites["plano"].clusters[0]
    assert cluster.network is not None
    return cluster.network


def every_object(network: ClusterNetwork) -> list[dict[str, Any]]:
    return [
        nic_cluster_policy(network, site="plano"),
        *nic_node_policies(network, site="plano"),
        *(obj for pool in network.pools for obj in rail_objects(pool, site="plano")),
        *metallb_objects(network, site="plano"),
    ]


def test_every_object_validates_against_its_upstream_crd(network: ClusterNetwork) -> None:
    objects = every_object(network)
    assert {(o["kind"], check_custom_resource(o) == []) for o in objects} == {
        ("NicClusterPolicy", True),
        ("NicNodePolicy", True),
        ("IPPool", True),
        ("NetworkAttachmentDefinition", True),
        ("IPAddressPool", True),
        ("BGPPeer", True),
        ("BGPAdvertisement", True),
    }
    # 8 rails of h100-a and h200-a, 4 of l40s-inference and gb200-a: 24 rails, a pool and a NAD each.
    kinds = [o["kind"] for o in objects]
    assert (kinds.count("IPPool"), kinds.count("NetworkAttachmentDefinition")) == (24, 24)


def test_the_cluster_policy_has_the_one_reconciled_name_and_no_whereabouts(network: ClusterNetwork) -> None:
    policy = nic_cluster_policy(network, site="plano")
    assert policy["metadata"]["name"] == "nic-cluster-policy"
    # plano's pools differ, so the driver and device plugin go to the NicNodePolicies: the
    # operator's webhook refuses a section both kinds set.
    assert sorted(policy["spec"]) == ["nvIpam", "secondaryNetwork"]
    assert "ipamPlugin" not in policy["spec"]["secondaryNetwork"]  # Whereabouts, dropped in v25.10


def test_node_policies_where_pools_differ_never_conflict(network: ClusterNetwork) -> None:
    # plano's pools differ: 8 ConnectX-7 rails (H100, H200) and 4 (L40S, GB200).
    policies = nic_node_policies(network, site="plano")
    assert [p["spec"]["nodeSelector"] for p in policies] == [
        {"gpudc.io/pool": "h100-a"},
        {"gpudc.io/pool": "h200-a"},
        {"gpudc.io/pool": "l40s-inference"},
        {"gpudc.io/pool": "gb200-a"},
    ]
    assert policies[0]["spec"]["ofedDriver"]["version"] == "doca3.4.1-26.04-1.1.0.0-1"
    assert section_conflicts(nic_cluster_policy(network, site="plano"), policies) == []
    assert selector_overlaps(policies) == []
    assert all(len(p["metadata"]["name"]) <= 30 for p in policies)  # the webhook's limit


def test_the_overlap_checks_find_what_the_webhook_refuses(network: ClusterNetwork) -> None:
    policies = nic_node_policies(network, site="plano")
    twin = {**policies[0], "metadata": {"name": "twin"}}
    assert selector_overlaps([policies[0], twin]) == ["h100-a-nic / twin"]
    full = {**nic_cluster_policy(network, site="plano")}
    full["spec"] = {**full["spec"], "ofedDriver": {"image": "doca-driver"}}
    assert section_conflicts(full, policies[:1]) == ["h100-a-nic: ofedDriver"]


def test_alike_pools_get_the_whole_cluster_policy() -> None:
    cluster = plan(plano_alike()).sites["plano"].clusters[0]
    assert cluster.network is not None
    assert nic_node_policies(cluster.network, site="plano") == []
    spec = nic_cluster_policy(cluster.network, site="plano")["spec"]
    assert sorted(spec) == ["nvIpam", "ofedDriver", "rdmaSharedDevicePlugin", "secondaryNetwork"]
    assert spec["ofedDriver"]["version"] == "doca3.4.1-26.04-1.1.0.0-1"


def plano_alike() -> dict[str, Any]:
    """plano with only its two 8-rail ConnectX-7 pools (H100, H200)."""
    environment = plano()
    site = environment["sites"][0]
    site["pools"] = site["pools"][:2]
    site["network"]["allocation_order"] = ["cluster/plano", "pool/h100-a", "pool/h200-a"]
    site["network"]["fabrics"] = site["network"]["fabrics"][:2]
    site["clusters"][0].pop("tenants", None)  # they name the pools dropped here
    environment["waivers"] = environment["waivers"][:1]  # h3's waiver has no warning left to waive
    return environment


def test_rails_take_their_ranges_from_the_address_plan(network: ClusterNetwork) -> None:
    [h100] = [pool for pool in network.pools if pool.pool == "h100-a"]
    ippool, nad = rail_objects(h100, site="plano")[:2]
    assert ippool["metadata"]["name"] == "h100-a-rail0"
    assert ippool["spec"]["subnet"] == str(h100.rails[0].network)
    assert ippool["spec"]["perNodeBlockSize"] == 8  # one address per GPU
    assert ippool["spec"]["gateway"] == str(next(h100.rails[0].network.hosts()))
    assert json.loads(nad["spec"]["config"])["ipam"] == {"type": "nv-ipam", "poolName": "h100-a-rail0"}


def test_metallb_announces_the_load_balancer_subnet_to_each_pools_leaf(network: ClusterNetwork) -> None:
    objects = metallb_objects(network, site="plano")
    assert objects[0]["spec"]["addresses"] == [str(network.load_balancer.network)]
    peers = [o for o in objects if o["kind"] == "BGPPeer"]
    assert [p["spec"]["peerAddress"] for p in peers] == [
        str(next(pool.inband.network.hosts())) for pool in network.pools
    ]
    assert {(p["spec"]["myASN"], p["spec"]["peerASN"]) for p in peers} == {(4_201_000_001, 4_201_000_000)}
