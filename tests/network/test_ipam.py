"""Address plan: properties of carving, the recorded order, and the fleet overlap check."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from gpudc.network.ipam import (
    OwnerDemand,
    Request,
    SubnetRole,
    carve,
    fleet_overlaps,
    hosts_prefix,
    plan_addresses,
)
from gpudc.network.spec import NetworkSpec

SUPERNETS = st.lists(
    st.sampled_from(["10.0.0.0/16", "10.1.0.0/18", "172.16.0.0/20", "192.168.0.0/22"]),
    min_size=1,
    max_size=3,
    unique=True,
).map(lambda nets: [ipaddress.IPv4Network(net) for net in nets])
REQUESTS = st.lists(
    st.builds(
        Request,
        owner=st.sampled_from(["pool/a", "pool/b", "cluster/c"]),
        role=st.sampled_from(list(SubnetRole)),
        hosts=st.integers(min_value=1, max_value=5000),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(SUPERNETS, REQUESTS)
def test_carved_subnets_are_disjoint_inside_and_big_enough(
    supernets: list[ipaddress.IPv4Network], requests: list[Request]
) -> None:
    placed, missing = carve(supernets, requests)
    assert len(placed) + len(missing) == len(requests)
    for number, subnet in enumerate(placed):
        assert any(subnet.network.subnet_of(net) for net in supernets)
        assert subnet.network.num_addresses >= subnet.hosts + 3
        for other in placed[number + 1 :]:
            assert not subnet.network.overlaps(other.network)


@settings(max_examples=200, deadline=None)
@given(SUPERNETS, REQUESTS, REQUESTS)
def test_appending_requests_never_moves_earlier_subnets(
    supernets: list[ipaddress.IPv4Network], first: list[Request], more: list[Request]
) -> None:
    before, missing = carve(supernets, first)
    after, _ = carve(supernets, first + more)
    if not missing:
        assert after[: len(before)] == before


def test_hosts_prefix_counts_network_broadcast_and_gateway() -> None:
    assert [hosts_prefix(h) for h in (1, 5, 6, 253, 254, 512)] == [30, 29, 28, 24, 23, 22]


def _plan(order: tuple[str, ...], pools: list[OwnerDemand]) -> dict[str, str]:
    network = NetworkSpec(supernets=("10.64.0.0/12",), allocation_order=order)
    plan, findings = plan_addresses(
        network, [OwnerDemand("cluster/lab", nodes=4)], pools, site="lab", path="sites[0].network"
    )
    assert plan is not None, findings
    return {subnet.name: str(subnet.network) for subnet in plan.subnets}


def test_site_plan_in_recorded_order_and_adding_a_pool_moves_nothing() -> None:
    a = OwnerDemand("pool/a", nodes=4, storage_ports=4, rails=8)
    b = OwnerDemand("pool/b", nodes=32, storage_ports=4, rails=8)
    one = _plan(("cluster/lab", "pool/a"), [a])
    assert one == {
        "cluster/lab/pods": "10.64.0.0/16",
        "cluster/lab/services": "10.65.0.0/20",
        "cluster/lab/load-balancer": "10.65.16.0/27",
        "pool/a/oob": "10.65.16.32/28",
        "pool/a/inband": "10.65.16.48/28",
        "pool/a/storage": "10.65.16.64/26",
        **{f"pool/a/rail-{rail}": f"10.65.16.{128 + 16 * rail}/28" for rail in range(8)},
    }
    two = _plan(("cluster/lab", "pool/a", "pool/b"), [b, a])  # stack file reordered, pool added
    assert {key: two[key] for key in one} == one
    assert two["pool/b/oob"] == "10.65.17.0/25"


def test_unrecorded_pool_warns_with_the_order_to_record() -> None:
    network = NetworkSpec(supernets=("10.64.0.0/12",), allocation_order=("cluster/lab",))
    _, findings = plan_addresses(
        network,
        [OwnerDemand("cluster/lab", nodes=4)],
        [OwnerDemand("pool/a", nodes=4)],
        site="lab",
        path="sites[0].network",
    )
    assert [(f.code, f.path, f.fix) for f in findings] == [
        (
            "GPUDC-NET-002",
            "sites[0].network.allocation_order",
            "set sites[0].network.allocation_order to [cluster/lab, pool/a]",
        )
    ]


def test_stale_entry_warns_small_supernet_and_pod_cidr_are_errors() -> None:
    network = NetworkSpec(
        supernets=("10.64.0.0/24",),
        allocation_order=("cluster/lab", "pool/gone"),
        pod_prefix=24,
        node_pod_prefix=26,
    )
    plan, findings = plan_addresses(
        network, [OwnerDemand("cluster/lab", nodes=4)], [], site="lab", path="sites[0].network"
    )
    assert plan is None
    assert [(f.code, f.path) for f in findings] == [
        ("GPUDC-NET-003", "sites[0].network.allocation_order[1]"),
        ("GPUDC-NET-004", "sites[0].network.pod_prefix"),
        ("GPUDC-NET-001", "sites[0].network.supernets"),
    ]
    assert findings[1].message == (
        "cluster/lab: a /24 pod CIDR holds 4 node ranges of /26, but 4 nodes with 100% growth need 8"
    )
    assert findings[1].fix == (
        "lower sites[0].network.pod_prefix to 23 or raise sites[0].network.node_pod_prefix to 27"
    )


def test_fleet_overlap_names_both_files_and_ranges() -> None:
    network = NetworkSpec(supernets=("10.64.0.0/12",), allocation_order=("cluster/lab",))
    plan, _ = plan_addresses(network, [OwnerDemand("cluster/lab", nodes=4)], [], site="lab", path="n")
    other = NetworkSpec(supernets=("10.96.0.0/12",), allocation_order=("cluster/lab",))
    apart, _ = plan_addresses(other, [OwnerDemand("cluster/lab", nodes=4)], [], site="lab", path="n")
    assert plan is not None and apart is not None
    assert (
        fleet_overlaps(
            [("a.yaml", "lab", "sites[0].network", plan), ("c.yaml", "lab", "sites[0].network", apart)]
        )
        == []
    )
    [finding] = fleet_overlaps(
        [("a.yaml", "lab", "sites[0].network", plan), ("b.yaml", "lab", "sites[0].network", plan)]
    )
    assert finding.code == "GPUDC-NET-005"
    assert finding.path == "sites[0].network.supernets"
    assert finding.message == (
        "b.yaml site lab cluster/lab/pods 10.64.0.0/16 overlaps a.yaml site lab cluster/lab/pods "
        "10.64.0.0/16 (3 overlapping subnet pairs)"
    )


def test_rails_hold_a_block_per_node() -> None:
    network = NetworkSpec(supernets=("10.64.0.0/12",), allocation_order=("cluster/lab", "pool/a"))
    plan, _ = plan_addresses(
        network,
        [OwnerDemand("cluster/lab", nodes=4)],
        [OwnerDemand("pool/a", nodes=4, rails=2, rail_block=8)],
        site="lab",
        path="n",
    )
    assert plan is not None
    # 4 nodes x 2 (growth) x 8 addresses = 64, plus network, broadcast and gateway: a /25.
    assert [(s.hosts, s.network.prefixlen) for s in plan.rails("pool/a")] == [(64, 25), (64, 25)]
