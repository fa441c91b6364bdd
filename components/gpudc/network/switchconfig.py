"""Leaf switch configurations of RoCE fabrics, rendered with jinja2 (NVUE CLI, Cumulus Linux 5.x).

Pure: a site's network plan in, one text file per leaf out (`network/<site>/<fabric>/<leaf>.nvue`,
written under out/<stack>/ by the offline preview). InfiniBand fabrics have no per-leaf config:
their subnet manager (UFM) programs them.

Per leaf (one rail of one scalable unit): its 800G cages split 2x400G where the NICs run at 400G;
RoCE lossless QoS; an eBGP ASN of its own (`leaf_asn_base` + leaf number) and a router id equal
to that 32-bit ASN read as an address (unique per leaf, never routed); a VRF for its rail; per pool
on the leaf a VLAN whose SVI is the first address of that pool's rail subnet; node ports as
access ports of their pool's VLAN; uplinks as BGP unnumbered neighbours of the spines.
Commands as NVIDIA documents them: https://docs.nvidia.com/networking-ethernet-software/knowledge-base/Setup-and-Getting-Started/NVUE-Cheat-Sheet/
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from gpudc.catalog.switches import FabricKind
from gpudc.core.text import render_template
from gpudc.network.ipam import AddressPlan, SubnetRole
from gpudc.network.plan import NetworkPlan, SiteFabric

__all__ = ["Port", "RoceLeaf", "Vlan", "leaf_configs", "roce_leaves"]

_VLAN_BASE = 100


@dataclass(frozen=True, slots=True)
class Port:
    name: str
    description: str
    vlan: int | None = None


@dataclass(frozen=True, slots=True)
class Vlan:
    id: int
    pool: str
    subnet: str
    gateway: str


@dataclass(frozen=True, slots=True)
class RoceLeaf:
    fabric: str
    name: str
    su: int
    rail: int
    switch: str
    radix: int
    speed_gbps: int
    down: int
    up: int
    asn: int
    router_id: str
    vrf: str
    cages: int
    """Cages split into `split` ports each (0 when the switch runs unsplit)."""
    split: int
    vlans: tuple[Vlan, ...]
    downlinks: tuple[Port, ...]
    uplinks: tuple[Port, ...]


def _port_names(radix: int, split: int) -> list[str]:
    """Logical port names: `swpN` unsplit, `swpNsM` for each of a cage's `split` ports."""
    if split == 1:
        return [f"swp{port + 1}" for port in range(radix)]
    return [f"swp{port // split + 1}s{port % split}" for port in range(radix)]


def roce_leaves(fabric: SiteFabric, addresses: AddressPlan) -> list[RoceLeaf]:
    """Every leaf of a RoCE fabric with its ports, VLANs and BGP identity."""
    plan = fabric.plan
    switch = plan.switch
    split = max(switch.ports) // plan.speed_gbps if plan.speed_gbps in switch.ports else 1
    names = _port_names(plan.radix, split)
    down = plan.su_nodes
    spines_per_leaf = plan.spines if plan.tiers == 2 else plan.radix - down
    slots: list[tuple[int, str, int]] = []  # (pool index, pool, node)
    for index, (pool, nodes) in enumerate(zip(fabric.pools, fabric.pool_nodes, strict=True)):
        slots += [(index, pool, node) for node in range(nodes)]
    leaves = []
    for su in range(plan.sus):
        for rail in range(plan.rails):
            number = su * plan.rails + rail
            asn = fabric.spec.leaf_asn_base + number
            members = slots[su * down : (su + 1) * down]
            vlans = {}
            for index, pool, _ in members:
                subnet = addresses.get(f"pool/{pool}", SubnetRole.RAIL, rail).network
                vlans[index] = Vlan(
                    _VLAN_BASE + index, pool, str(subnet), f"{next(subnet.hosts())}/{subnet.prefixlen}"
                )
            downlinks = []
            for port in range(down):
                if port < len(members):
                    index, pool, node = members[port]
                    downlinks.append(Port(names[port], f"{pool} node {node} rail {rail}", _VLAN_BASE + index))
                else:
                    downlinks.append(Port(names[port], "unused node slot (kept for the full SU)"))
            uplinks = [
                Port(names[down + link], f"spine {link % spines_per_leaf + 1}")
                for link in range(plan.radix - down)
            ]
            leaves.append(
                RoceLeaf(
                    fabric=fabric.name,
                    name=f"{fabric.name}-su{su + 1:02d}-r{rail}",
                    su=su + 1,
                    rail=rail,
                    switch=switch.product_name,
                    radix=plan.radix,
                    speed_gbps=plan.speed_gbps,
                    down=down,
                    up=plan.radix - down,
                    asn=asn,
                    router_id=str(ipaddress.IPv4Address(asn)),
                    vrf=f"rail{rail}",
                    cages=plan.radix // split if split > 1 else 0,
                    split=split,
                    vlans=tuple(vlans[key] for key in sorted(vlans)),
                    downlinks=tuple(downlinks),
                    uplinks=tuple(uplinks),
                )
            )
    return leaves


def leaf_configs(network: NetworkPlan, *, site: str) -> dict[str, str]:
    """Relative path -> NVUE text for every leaf of the site's RoCE fabrics."""
    configs = {}
    for fabric in network.fabrics:
        if fabric.kind is not FabricKind.ROCE:
            continue
        for leaf in roce_leaves(fabric, network.addresses):
            text = render_template("gpudc.network", "roce-leaf.nvue.j2", leaf=leaf, site=site)
            configs[f"network/{site}/{fabric.name}/{leaf.name}.nvue"] = text
    return configs
