"""Fabric sizing against the DGX SuperPOD reference architectures' own tables, and by hand.

Sources of the expected figures:
- H100: https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-h100/latest/network-fabrics.html
  (Table 4: SU, nodes, leaf, spine, compute+UFM cables, spine-leaf cables; InfiniBand, a UFM slot kept).
- B200: https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-b200/latest/dgx-superpod-architecture.html
  (Table 3: SU, nodes, leaf, spine, core, node-leaf, leaf-spine, spine-core cables; 32 nodes an SU).
"""

from __future__ import annotations

import pytest

from gpudc.catalog.switches import SWITCH_MODELS, FabricKind
from gpudc.network.fabric import FabricDemand, FabricTooSmallError, size_fabric

QM9700 = SWITCH_MODELS["qm9700"]
# The B200 table counts 32 nodes a SU with no UFM slot: the same switch, no slot kept.
QM9700_NO_UFM = QM9700.model_copy(update={"kind": FabricKind.ROCE})

# (nodes, tiers, SUs, leaves, spines, cores, node-leaf, leaf-spine, spine-core, largest)
H100_TABLE_4 = [
    (31, 2, 1, 8, 4, 0, 252, 256, 0, 255),
    (63, 2, 2, 16, 8, 0, 508, 512, 0, 255),
    (95, 2, 3, 24, 16, 0, 764, 768, 0, 255),
    (127, 2, 4, 32, 16, 0, 1020, 1024, 0, 255),
]
B200_TABLE_3 = [
    (64, 2, 2, 16, 8, 0, 512, 512, 0, 256),
    (128, 2, 4, 32, 16, 0, 1024, 1024, 0, 256),
    (256, 2, 8, 64, 32, 0, 2048, 2048, 0, 256),
    (512, 3, 16, 128, 128, 64, 4096, 4096, 4096, 8192),
    (1024, 3, 32, 256, 256, 128, 8192, 8192, 8192, 8192),
    (2048, 3, 64, 512, 512, 256, 16384, 16384, 16384, 8192),
]
# By hand, InfiniBand with the UFM slot (so one node past a full SU opens another):
# 128 nodes + UFM = 129 slots = 5 SU = 40 leaves; 40 x 32 uplinks need 20 spines' ports, and 32
#   is the first divisor of 32 at or above 20; cables 128 x 8 + 4 and 40 x 32.
# 256 + 1 = 257 slots = 9 SU > the 8 two tiers hold: 72 leaves, 72 x 32 / 32 = 72 spines,
#   72 x 32 / 64 = 36 cores.
# 1024 + 1 = 33 SU: 264 leaves, 264 spines, 132 cores; 2048 + 1 = 65 SU: 520 / 520 / 260.
BY_HAND = [
    (31, 2, 1, 8, 4, 0, 252, 256, 0, 255),
    (127, 2, 4, 32, 16, 0, 1020, 1024, 0, 255),
    (128, 2, 5, 40, 32, 0, 1028, 1280, 0, 255),
    (256, 3, 9, 72, 72, 36, 2052, 2304, 2304, 8191),
    (1024, 3, 33, 264, 264, 132, 8196, 8448, 8448, 8191),
    (2048, 3, 65, 520, 520, 260, 16388, 16640, 16640, 8191),
]


def _figures(nodes: int, switch: object) -> tuple[int, ...]:
    plan = size_fabric(FabricDemand(nodes=nodes, rails=8, speed_gbps=400), switch)  # type: ignore[arg-type]
    return (
        plan.nodes,
        plan.tiers,
        plan.sus,
        plan.leaves,
        plan.spines,
        plan.cores,
        plan.node_leaf_cables,
        plan.leaf_spine_cables,
        plan.spine_core_cables,
        plan.max_nodes,
    )


@pytest.mark.parametrize("row", H100_TABLE_4, ids=lambda row: f"{row[0]}-nodes")
def test_superpod_h100_table_4(row: tuple[int, ...]) -> None:
    assert _figures(row[0], QM9700) == row


@pytest.mark.parametrize("row", B200_TABLE_3, ids=lambda row: f"{row[0]}-nodes")
def test_superpod_b200_table_3(row: tuple[int, ...]) -> None:
    assert _figures(row[0], QM9700_NO_UFM) == row


@pytest.mark.parametrize("row", BY_HAND, ids=lambda row: f"{row[0]}-nodes")
def test_hand_computed(row: tuple[int, ...]) -> None:
    assert _figures(row[0], QM9700) == row


def test_bill_of_materials_of_one_su() -> None:
    plan = size_fabric(FabricDemand(nodes=31, rails=8, speed_gbps=400), QM9700)
    assert plan.switches == 12
    assert plan.oversubscription == 1.0
    # 252 node-leaf ends + 2 x 256 leaf-spine ends in twin-port cages; 252 single-port at the nodes.
    assert (plan.switch_transceivers, plan.node_transceivers) == (382, 252)
    assert plan.power_kw == pytest.approx(12 * 1.72)
    assert plan.rack_units == 12


def test_two_tiers_refuse_what_only_three_connect() -> None:
    with pytest.raises(FabricTooSmallError) as raised:
        size_fabric(FabricDemand(nodes=256, rails=8, speed_gbps=400), QM9700, max_tiers=2)
    assert (raised.value.needed, raised.value.largest, raised.value.tiers) == (257, 256, 2)


def test_nvl72_counts_one_nic_per_gpu() -> None:
    # 144 GB200 nodes (8 NVL72 racks), 4 compute ports a node (72 a rack): 4 rails, so an SU of
    # 32 slots has 4 leaves; 145 slots = 5 SU = 20 leaves, 20 x 32 / 64 = 10 -> 16 spines.
    plan = size_fabric(FabricDemand(nodes=144, rails=4, speed_gbps=400), QM9700)
    assert (plan.tiers, plan.sus, plan.leaves, plan.spines, plan.node_leaf_cables) == (2, 5, 20, 16, 580)


def test_switch_without_the_line_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="qm9700 has no 800 Gb/s ports"):
        size_fabric(FabricDemand(nodes=8, rails=8, speed_gbps=800), QM9700)
