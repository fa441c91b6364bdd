"""Compute-fabric sizing: rail-optimized fat trees as NVIDIA's DGX SuperPOD builds them.

Pure: node counts, rails and a catalog switch in, a bill of materials out.

The model, checked against the reference architectures' own tables (tests/network/test_fabric.py):
- A switch of radix k (ports at the NICs' line rate) is a non-blocking leaf with k/2 ports down
  and k/2 up. A scalable unit (SU) is k/2 node slots; each of a node's r compute ports (rails)
  goes to that rail's leaf, so an SU has r leaves. DGX SuperPOD H100, Table 4: 1 SU = 31 nodes
  (32 slots, one kept for UFM), 8 leaves, 4 spines, 252 node-leaf and 256 leaf-spine cables, on
  64-port QM9700s. https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-h100/latest/network-fabrics.html
- InfiniBand fabrics keep one node slot for the UFM appliance, which cables 4 ports (Table 4's
  "Compute and UFM" column: 31 x 8 + 4 = 252). RoCE fabrics keep none.
- Two tiers: every leaf spreads its k/2 uplinks evenly over the spines, so the spine count is the
  smallest divisor of k/2 that gives enough spine ports (Table 4: 3 SU = 24 leaves need 12 spines'
  ports, and 16 is the divisor of 32 at or above 12). Two tiers fit while leaves <= k.
- Three tiers (beyond two tiers, when allowed): spines have k/2 down and k/2 up, cores all k down.
  DGX SuperPOD B200, Table 3: 16 SU = 128 leaves, 128 spines, 64 cores, 4,096 cables per layer.
  https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-b200/latest/dgx-superpod-architecture.html
- Largest fabric: two tiers k x k/2 ports, three tiers k^3/4 ports (a folded Clos of radix k),
  divided by the rails per node.
- Optics: every switch-to-switch cable has a module at each end; node-leaf cables one at the
  switch. Switch cages take twin-port 2x400G OSFP modules (two cable ends each); ConnectX-7 takes a
  single-port 400G OSFP module per port.
  https://docs.nvidia.com/networking/display/mms4x00ns400/overview
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from gpudc.catalog.switches import FabricKind, SwitchModel

__all__ = [
    "UFM_PORTS",
    "FabricDemand",
    "FabricPlan",
    "FabricTooSmallError",
    "size_fabric",
]

UFM_PORTS = 4
"""Leaf ports the UFM appliance cables in an InfiniBand fabric (SuperPOD H100, Table 4)."""


class FabricTooSmallError(ValueError):
    """The pools need more node slots than the fabric can have at its allowed tier count."""

    def __init__(self, needed: int, largest: int, tiers: int) -> None:
        super().__init__(f"{needed} node slots needed, {largest} at most with {tiers} tiers")
        self.needed = needed
        self.largest = largest
        self.tiers = tiers


@dataclass(frozen=True, slots=True)
class FabricDemand:
    """What the pools ask of one fabric: nodes, compute rails per node and the rails' line rate."""

    nodes: int
    rails: int
    speed_gbps: int


@dataclass(frozen=True, slots=True)
class FabricPlan:
    """A sized fabric: its switches, cables, optics and what they draw."""

    switch: SwitchModel
    radix: int
    rails: int
    speed_gbps: int
    nodes: int
    reserved_slots: int
    tiers: int
    su_nodes: int
    sus: int
    leaves: int
    spines: int
    cores: int
    node_leaf_cables: int
    leaf_spine_cables: int
    spine_core_cables: int
    max_nodes: int

    @property
    def switches(self) -> int:
        return self.leaves + self.spines + self.cores

    @property
    def oversubscription(self) -> float:
        """Leaf downlinks per uplink (1.0 is non-blocking)."""
        down = self.radix // 2
        return down / (self.radix - down)

    @property
    def switch_transceivers(self) -> int:
        """Twin-port OSFP modules in switch cages: two cable ends each."""
        ends = self.node_leaf_cables + 2 * (self.leaf_spine_cables + self.spine_core_cables)
        return math.ceil(ends / 2)

    @property
    def node_transceivers(self) -> int:
        """Single-port modules at the nodes' (and UFM's) compute ports."""
        return self.node_leaf_cables

    @property
    def power_kw(self) -> float:
        return self.switches * self.switch.max_power_w / 1000

    @property
    def rack_units(self) -> int:
        return self.switches * self.switch.rack_units

    def su_of(self, slot: int) -> int:
        """The scalable unit (0-based) of node slot `slot`."""
        return slot // self.su_nodes

    def spine_group_of(self, slot: int) -> int:
        """Three tiers: the spine group (pod) of a slot; a group's spines serve k/2 leaves."""
        return self.su_of(slot) // max(1, (self.radix // 2) // self.rails)


def _two_tier_spines(leaves: int, up: int, radix: int) -> int:
    least = math.ceil(leaves * up / radix)
    return next(s for s in range(least, up + 1) if up % s == 0)


def size_fabric(demand: FabricDemand, switch: SwitchModel, *, max_tiers: int = 3) -> FabricPlan:
    """Size a rail-optimized fat tree for `demand` on `switch`, two tiers while they fit.

    Raises `FabricTooSmallError` when even `max_tiers` tiers cannot connect the nodes, and ValueError
    when the switch has no ports at the demand's line rate or fewer ports than rails.
    """
    radix = switch.radix(demand.speed_gbps)
    if radix is None:
        raise ValueError(f"{switch.name} has no {demand.speed_gbps} Gb/s ports ({sorted(switch.ports)} only)")
    down = radix // 2
    up = radix - down
    if demand.rails > radix or radix % 2:
        raise ValueError(
            f"{switch.name} has {radix} ports; a rail-optimized fabric of {demand.rails} rails needs more"
        )
    reserved = 1 if switch.kind is FabricKind.INFINIBAND else 0
    slots = demand.nodes + reserved
    sus = math.ceil(slots / down)
    leaves = sus * demand.rails
    two_tier_sus = radix // demand.rails
    three_tier_sus = (radix**3 // 4) // demand.rails // down
    tiers = 2 if sus <= two_tier_sus else 3
    largest_sus = two_tier_sus if max_tiers == 2 else three_tier_sus
    if sus > largest_sus:
        raise FabricTooSmallError(slots, largest_sus * down, max_tiers)
    if tiers == 2:
        spines = _two_tier_spines(leaves, up, radix)
        cores = 0
    else:
        spines = math.ceil(leaves * up / down)
        cores = math.ceil(spines * up / radix)
    return FabricPlan(
        switch=switch,
        radix=radix,
        rails=demand.rails,
        speed_gbps=demand.speed_gbps,
        nodes=demand.nodes,
        reserved_slots=reserved,
        tiers=tiers,
        su_nodes=down,
        sus=sus,
        leaves=leaves,
        spines=spines,
        cores=cores,
        node_leaf_cables=demand.nodes * demand.rails + (UFM_PORTS if reserved else 0),
        leaf_spine_cables=leaves * up,
        spine_core_cables=spines * up if tiers == 3 else 0,
        max_nodes=(two_tier_sus if tiers == 2 else three_tier_sus) * down - reserved,
    )


def pool_slots(sizes: Sequence[int]) -> list[range]:
    """Node slots of each pool, packed in order from slot 0."""
    ranges = []
    start = 0
    for size in sizes:
        ranges.append(range(start, start + size))
        start += size
    return ranges
