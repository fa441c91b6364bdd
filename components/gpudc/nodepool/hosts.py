"""Where each node of a racked pool stands, and the topology labels that say so.

Nodes come from the pool's inventory when it has one (each row names its rack), else from the
computed placement, named `<pool>-<row>-<NN>-<slot>` in rack order. The labels are derived here,
never typed by hand: hall, row and rack, with values unique in a cluster (`h1`, `h1.a`,
`h1.a-01`; hall and row names are DNS labels, so the dot cannot be ambiguous). Nodes of one
GB200/GB300 NVL72 rack share its rack value: the rack is the NVLink domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gpudc.core.labels import HALL_LABEL, RACK_LABEL, ROW_LABEL
from gpudc.core.naming import k8s_name
from gpudc.nodepool.inventory import Host, Inventory

__all__ = ["PlacedNode", "inventory_nodes", "placed_nodes", "rack_label_value"]


def rack_label_value(hall: str, rack: str) -> str:
    """`h1`, `a-01` -> `h1.a-01`: a rack's label value, unique in its site."""
    return f"{hall}.{rack}"


@dataclass(frozen=True, slots=True)
class PlacedNode:
    """A node and its rack (`rack` is the hall's rack id, `<row>-<NN>`); `host` when an inventory
    row describes the machine."""

    name: str
    hall: str
    rack: str
    host: Host | None = None

    @property
    def row(self) -> str:
        return self.rack.rsplit("-", 1)[0]

    @property
    def labels(self) -> dict[str, str]:
        return {
            HALL_LABEL: self.hall,
            ROW_LABEL: f"{self.hall}.{self.row}",
            RACK_LABEL: rack_label_value(self.hall, self.rack),
        }


def placed_nodes(pool: str, hall: str, racks: Sequence[tuple[str, int]]) -> tuple[PlacedNode, ...]:
    """Nodes of a pool without an inventory, from its placement: `racks` is (rack id, nodes)."""
    return tuple(
        PlacedNode(k8s_name(pool, rack, str(slot)), hall, rack)
        for rack, count in racks
        for slot in range(1, count + 1)
    )


def inventory_nodes(inventory: Inventory, hall: str) -> tuple[PlacedNode, ...]:
    """Every machine of an inventory, spares included, as the node it becomes."""
    return tuple(PlacedNode(host.name, hall, host.rack, host) for host in inventory.hosts)
