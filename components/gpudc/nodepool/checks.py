"""Checks of a pool's machines against its provisioner, its inventory and its hall's racks.

Pure: the derived model calls these before anything is registered. Every finding is at the
pool's field path; inventory problems also name the file, the row and the column.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from gpudc.catalog.coreweave import CKS_INSTANCE_TYPES, cks_instance_type, is_rack_scale, nodes_per_rack
from gpudc.catalog.models import NodeModel
from gpudc.core.findings import Finding, Severity, register
from gpudc.nodepool.inventory import Inventory
from gpudc.nodepool.provisioning import CapiMetal3Provisioner, CksProvisioner, ExistingNodes
from gpudc.nodepool.spec import NodePoolSpec
from gpudc.site.capacity import rack_ids
from gpudc.site.spec import HallSpec

__all__ = ["RackedPool", "check_cks", "check_hall_racks", "check_machine_counts", "cks_type_for"]

INVENTORY_SHORT = register(
    "GPUDC-INVENTORY-004", Severity.ERROR, "An inventory does not hold the machines its pool needs"
)
INVENTORY_RACK = register(
    "GPUDC-INVENTORY-005", Severity.ERROR, "An inventory names a rack its pool cannot use"
)
INVENTORY_RACK_FULL = register(
    "GPUDC-INVENTORY-006", Severity.ERROR, "An inventory puts more in a rack than the rack takes"
)
SURGE_SPARES = register(
    "GPUDC-PROVISION-003", Severity.ERROR, "A rollout surges onto more spare hosts than the inventory has"
)
CKS_NO_TYPE = register("GPUDC-CKS-001", Severity.ERROR, "No CKS instance type for the pool's node model")
CKS_RACK_SCALE = register(
    "GPUDC-CKS-002", Severity.ERROR, "A rack-scale CKS pool comes in whole racks, without autoscaling"
)
CKS_UNLISTED = register(
    "GPUDC-CKS-003", Severity.WARNING, "A CKS instance type gpudc's catalog does not list"
)


@dataclass(frozen=True, slots=True)
class RackedPool:
    """A racked pool of one hall, as the rack check needs it: the inventory's machines, or the
    computed placement (`placed`: rack id -> systems) for a pool without one."""

    path: str
    spec: NodePoolSpec
    model: NodeModel
    inventory: Inventory | None
    placed: dict[str, int]


def check_machine_counts(spec: NodePoolSpec, path: str, inventory: Inventory) -> list[Finding]:
    """Enough rows for the pool (all of it, its autoscaling maximum, its rollout surge)."""
    rows = len(inventory.hosts)
    provisioner = spec.provisioner
    at = f"{path}.inventory"
    if isinstance(provisioner, ExistingNodes):
        if rows == spec.nodes:
            return []
        return [
            INVENTORY_SHORT.finding(
                at,
                f"{inventory.file} lists {rows} nodes but the pool has {spec.nodes}; existing nodes are "
                "labelled by name, so the file lists exactly the pool's nodes",
                fix=f"list {spec.nodes} nodes in {inventory.file}, or set nodes: {rows}",
                value=inventory.file,
            )
        ]
    if not isinstance(provisioner, CapiMetal3Provisioner):
        return []
    needed = provisioner.autoscaling.max_nodes if provisioner.autoscaling else spec.nodes
    what = f"the autoscaling maximum of {needed}" if provisioner.autoscaling else f"its {needed} nodes"
    if rows < needed:
        return [
            INVENTORY_SHORT.finding(
                at,
                f"{inventory.file} has {rows} machines, fewer than {what}: every node is a BareMetalHost "
                "of the inventory",
                fix=f"add {needed - rows} machines to {inventory.file}, or lower the pool to {rows} nodes",
                value=inventory.file,
            )
        ]
    spares = rows - needed
    if provisioner.rollout.max_surge > spares:
        return [
            SURGE_SPARES.finding(
                f"{path}.provisioner.rollout.max_surge",
                f"surges by {provisioner.rollout.max_surge} machines but {inventory.file} holds {spares} "
                f"spare hosts beyond {what}; bare metal can only surge onto spares",
                fix=f"set max_surge: {spares}, or add spare machines to the inventory",
                value=provisioner.rollout.max_surge,
            )
        ]
    return []


def check_hall_racks(hall: HallSpec, hall_path: str, pools: Sequence[RackedPool]) -> list[Finding]:
    """Each inventory row in a rack of the pool's hall that takes nodes, and no rack over its kW
    or rack units with every pool's machines in it (spares included: they stand there powered)."""
    racks = rack_ids(hall)
    reserved = set(racks[len(racks) - hall.network_racks - hall.storage_racks :])
    known = set(racks)
    findings: list[Finding] = []
    systems: dict[str, list[tuple[RackedPool, int]]] = defaultdict(list)
    with_inventory: dict[str, list[tuple[RackedPool, list[int]]]] = defaultdict(list)
    for pool in pools:
        if pool.inventory is None:
            for rack, count in pool.placed.items():
                systems[rack].append((pool, count))
            continue
        by_rack: dict[str, list[int]] = defaultdict(list)
        for host in pool.inventory.hosts:
            problem = _rack_problem(host.rack, hall, known, reserved, racks)
            if problem:
                findings.append(
                    INVENTORY_RACK.finding(
                        f"{pool.path}.inventory",
                        f"{pool.inventory.file}, row {host.line}, column rack: {problem}",
                        fix=f"use a rack of hall {hall.name} that takes nodes ({_span(racks, reserved)})",
                        value=host.rack,
                    )
                )
            else:
                by_rack[host.rack].append(host.line)
        for rack, lines in by_rack.items():
            systems[rack].append((pool, math.ceil(len(lines) / pool.model.nodes_per_system)))
            with_inventory[rack].append((pool, lines))
    for rack, members in with_inventory.items():
        power = sum(count * pool.model.max_power_kw for pool, count in systems[rack])
        units = sum(count * pool.model.rack_units for pool, count in systems[rack])
        if power <= hall.rack_power_kw + 1e-9 and units <= hall.rack_units:
            continue
        pool, lines = members[0]
        assert pool.inventory is not None
        over = []
        if power > hall.rack_power_kw + 1e-9:
            over.append(f"{power:g} kW of the {hall.rack_power_kw:g} kW a rack takes")
        if units > hall.rack_units:
            over.append(f"{units}U of its {hall.rack_units}U")
        findings.append(
            INVENTORY_RACK_FULL.finding(
                f"{pool.path}.inventory",
                f"{pool.inventory.file}, rows {_lines(lines)}, column rack: rack {rack} of hall {hall.name} "
                f"would hold {' and '.join(over)} ({_occupants(systems[rack])})",
                fix=f"move machines to another rack, or raise {hall_path}.rack_power_kw / rack_units",
                value=rack,
            )
        )
    return findings


def cks_type_for(spec: NodePoolSpec) -> str | None:
    """The CKS instance type a cks pool runs on: the one it names, else the catalog's mapping."""
    provisioner = spec.provisioner
    if not isinstance(provisioner, CksProvisioner):
        return None
    return provisioner.instance_type or cks_instance_type(spec.node_model)


def check_cks(spec: NodePoolSpec, path: str) -> list[Finding]:
    """A cks pool has an instance type; rack-scale types come in whole racks and never autoscale."""
    provisioner = spec.provisioner
    if not isinstance(provisioner, CksProvisioner):
        return []
    at = f"{path}.provisioner"
    instance_type = cks_type_for(spec)
    if instance_type is None:
        return [
            CKS_NO_TYPE.finding(
                f"{at}.instance_type",
                f"gpudc's catalog maps no CKS instance type to node model {spec.node_model}",
                fix=f"set instance_type to the CKS type of these machines (gpudc knows: {_known()})",
            )
        ]
    findings = []
    if instance_type not in CKS_INSTANCE_TYPES:
        findings.append(
            CKS_UNLISTED.finding(
                f"{at}.instance_type",
                f"{instance_type} is not in gpudc's catalog, so its power and rack size are not checked",
                fix=f"check the name against CoreWeave's instance list (gpudc knows: {_known()})",
                value=instance_type,
            )
        )
    if is_rack_scale(instance_type):
        per_rack = nodes_per_rack(instance_type) or 1
        if provisioner.autoscaling is not None:
            findings.append(
                CKS_RACK_SCALE.finding(
                    f"{at}.autoscaling",
                    f"{instance_type} is a rack-scale type: CKS does not autoscale it (an NVLink rack is "
                    "added or removed whole)",
                    fix="remove autoscaling and size the pool in whole racks with `nodes`",
                )
            )
        if spec.nodes % per_rack:
            findings.append(
                CKS_RACK_SCALE.finding(
                    f"{path}.nodes",
                    f"{spec.nodes} is not whole racks of {instance_type} ({per_rack} nodes a rack)",
                    fix=f"set nodes to a multiple of {per_rack}, e.g. {max(1, round(spec.nodes / per_rack)) * per_rack}",
                    value=spec.nodes,
                )
            )
    return findings


def _known() -> str:
    return ", ".join(CKS_INSTANCE_TYPES)


def _rack_problem(rack: str, hall: HallSpec, known: set[str], reserved: set[str], racks: list[str]) -> str:
    if rack not in known:
        return f"{rack} is not a rack of hall {hall.name} (its racks: {_span(racks, set())})"
    if rack in reserved:
        return f"{rack} is one of hall {hall.name}'s network/storage racks, which hold no nodes"
    return ""


def _span(racks: list[str], reserved: set[str]) -> str:
    usable = [rack for rack in racks if rack not in reserved]
    return f"{usable[0]} to {usable[-1]}" if usable else "none"


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:6])
    return shown + (f" and {len(lines) - 6} more" if len(lines) > 6 else "")


def _occupants(members: list[tuple[RackedPool, int]]) -> str:
    return ", ".join(
        f"{count} x {pool.model.name} of pool {pool.spec.name} ({pool.model.max_power_kw:g} kW, "
        f"{pool.model.rack_units}U each)"
        for pool, count in members
    )
