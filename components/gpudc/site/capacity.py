"""Placement of pools into racks, and the power, cooling, rack and sustainability checks.

Pure: a `SiteSpec` and the hardware catalog in, a `CapacityPlan` out, with every physical
mistake as a finding (path, value, fix): errors raise `SpecError`, warnings ride on the plan.
Nothing here knows about Pulumi, so the same figures serve `pulumi up`, the offline plan and the
report.

Placement rules, chosen so a reviewer can predict the layout from the stack file:
- a hall's racks are numbered row by row (`<row>-01`, `<row>-02`, ...); the last
  `network_racks + storage_racks` of them are reserved and never hold nodes, and they draw
  `network_rack_kw` / `storage_rack_kw` each from the hall's budget; where the site's network
  declares a fabric whose switches stand in the hall, the switches' power (from the fabric plan,
  `network_kw`) replaces `network_racks x network_rack_kw`;
- racked pools are placed in stack-file order, each into fresh racks (pools never share a rack,
  so a rack is one failure and maintenance domain), as many systems per rack as both the rack's
  kW and its U allow; a rack-scale system (GB200 NVL72) is one indivisible unit;
- managed pools (a provider's racks) are in no hall: their IT power is the catalog's maximum,
  counted in the site's energy, carbon and water, not in its halls or utility feed.
- peak power uses the design PUE; yearly energy uses the annual PUE.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gpudc.catalog.cooling import RACK_COOLING_LIMIT_KW
from gpudc.catalog.lookup import Hardware
from gpudc.catalog.models import CoolingType, GpuModel, NodeModel, cooling_satisfies
from gpudc.core.errors import SpecError
from gpudc.core.findings import Finding, Severity, register
from gpudc.nodepool.spec import NodePoolSpec, PoolPlacement
from gpudc.site.spec import HallSpec, SiteSpec

__all__ = [
    "HOURS_PER_YEAR",
    "CapacityPlan",
    "Footprint",
    "HallPlan",
    "PoolCapacity",
    "RackPlacement",
    "footprint",
    "plan_capacity",
    "plan_pool_capacity",
]

HOURS_PER_YEAR = 8760
_EPSILON = 1e-9
# A feed more than this many times the halls' peak facility load is far more likely a unit slip
# (kW typed in the MW field) than a campus built for 4x growth; a real one can be waived.
_UTILITY_SLIP_FACTOR = 4
# HallSpec.power_kw's upper bound: a fix never suggests more.
_MAX_HALL_KW = 1_000_000

UNKNOWN_HALL = register("GPUDC-SITE-001", Severity.ERROR, "A racked pool names a hall the site does not have")
UNKNOWN_NODE_MODEL = register("GPUDC-HW-001", Severity.ERROR, "Unknown node model")
UNKNOWN_GPU_MODEL = register("GPUDC-HW-002", Severity.ERROR, "A node model names an unknown GPU model")
WHOLE_SYSTEMS = register("GPUDC-POOL-001", Severity.ERROR, "Pool size is not a whole number of systems")
COOLING_MISMATCH = register(
    "GPUDC-COOLING-001", Severity.ERROR, "Node model needs stronger cooling than its hall"
)
HOT_RACK = register("GPUDC-COOLING-002", Severity.ERROR, "Rack power above what the hall's cooling removes")
SYSTEM_TOO_BIG = register("GPUDC-RACK-001", Severity.ERROR, "One system does not fit a rack of its hall")
TOO_FEW_RACKS = register("GPUDC-RACK-002", Severity.ERROR, "Hall has too few racks for its pools")
HALL_POWER = register("GPUDC-POWER-001", Severity.ERROR, "Hall load above its power budget")
SITE_POWER = register("GPUDC-POWER-002", Severity.ERROR, "Site facility load above its utility feed")
HALLS_OVER_FEED = register(
    "GPUDC-POWER-003", Severity.ERROR, "Halls' rated power x design PUE above the feed"
)
STRANDED_POWER = register("GPUDC-POWER-004", Severity.WARNING, "Stranded power: no free racks, power left")
STRANDED_RACKS = register("GPUDC-POWER-005", Severity.WARNING, "Stranded racks: free racks, no power left")
UNSTATED_RACK_POWER = register("GPUDC-POWER-006", Severity.WARNING, "Reserved racks with no stated power")
HALL_UNITS = register("GPUDC-UNITS-001", Severity.WARNING, "Hall power above what its racks can draw")
FEED_UNITS = register("GPUDC-UNITS-002", Severity.WARNING, "Utility feed several times the halls' total")
CARBON_UNITS = register("GPUDC-UNITS-003", Severity.WARNING, "Grid carbon intensity below any grid's")
RACK_KW_UNITS = register("GPUDC-UNITS-004", Severity.WARNING, "Reserved rack power below any rack's")
# The cleanest grids run at about 10-30 gCO2e/kWh (hydro and nuclear, e.g. Iceland, Sweden, per
# Ember's yearly review); below 1 g/kWh the figure was most likely typed in kg/kWh.
_LEAST_GRID_CARBON_G_PER_KWH = 1.0
# A rack of network or storage gear draws at least a few hundred watts; below 0.1 kW the figure
# was most likely typed in MW.
_LEAST_RACK_KW = 0.1


@dataclass(frozen=True, slots=True)
class Footprint:
    """Yearly energy, carbon and water of an IT load, at the site's utilisation, PUE, WUE and grid."""

    it_power_kw: float
    it_energy_mwh: float
    facility_energy_mwh: float
    co2_tonnes: float
    water_m3: float

    def __add__(self, other: Footprint) -> Footprint:
        return Footprint(
            self.it_power_kw + other.it_power_kw,
            self.it_energy_mwh + other.it_energy_mwh,
            self.facility_energy_mwh + other.facility_energy_mwh,
            self.co2_tonnes + other.co2_tonnes,
            self.water_m3 + other.water_m3,
        )


def footprint(it_power_kw: float, site: SiteSpec, *, load_factor: float | None = None) -> Footprint:
    """IT energy = kW x load factor (the site's utilisation for GPU nodes) x 8,760 h; facility
    energy = IT x annual PUE; CO2 = facility kWh x grid g/kWh; water = IT kWh x WUE (The Green
    Grid defines WUE per IT kWh)."""
    factor = site.utilisation if load_factor is None else load_factor
    it_mwh = it_power_kw * factor * HOURS_PER_YEAR / 1000
    facility_mwh = it_mwh * site.pue
    return Footprint(
        it_power_kw=it_power_kw,
        it_energy_mwh=it_mwh,
        facility_energy_mwh=facility_mwh,
        co2_tonnes=facility_mwh * site.grid_carbon_g_per_kwh / 1000,
        water_m3=it_mwh * site.wue_l_per_kwh,
    )


def _reserved_footprint(kw: float, site: SiteSpec) -> Footprint:
    """Network and storage racks draw their stated power all year, whatever the GPUs do."""
    return footprint(kw, site, load_factor=1.0)


@dataclass(frozen=True, slots=True)
class RackPlacement:
    """The systems of one pool in one rack."""

    rack: str
    systems: int
    nodes: int
    power_kw: float
    units: int


@dataclass(frozen=True, slots=True)
class PoolCapacity:
    """Where a pool's nodes are (racks, for a racked pool) and what they draw."""

    spec: NodePoolSpec
    node_model: NodeModel
    gpu_model: GpuModel
    nodes: int
    systems: int
    gpus: int
    racks: tuple[RackPlacement, ...]
    footprint: Footprint

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def hall(self) -> str | None:
        return self.spec.hall

    @property
    def managed(self) -> bool:
        return self.spec.placement is PoolPlacement.MANAGED


@dataclass(frozen=True, slots=True)
class HallPlan:
    """A hall's budget and how much of it the plan uses."""

    name: str
    cooling: CoolingType
    power_kw: float
    available_kw: float
    planned_kw: float
    reserved_kw: float
    racks_total: int
    racks_reserved: int
    racks_used: int
    peak_rack_kw: float
    footprint: Footprint

    @property
    def racks_free(self) -> int:
        return self.racks_total - self.racks_reserved - self.racks_used

    @property
    def power_left_kw(self) -> float:
        return self.available_kw - self.planned_kw


@dataclass(frozen=True, slots=True)
class CapacityPlan:
    """Everything physical derived from one site: placement, budgets, footprint, warnings."""

    name: str
    region: str
    zone: str
    pue: float
    design_pue: float
    utility_kw: float | None
    available_facility_kw: float | None
    pools: tuple[PoolCapacity, ...]
    halls: tuple[HallPlan, ...]
    footprint: Footprint
    findings: tuple[Finding, ...]

    @property
    def nodes(self) -> int:
        return sum(pool.nodes for pool in self.pools)

    @property
    def gpus(self) -> int:
        return sum(pool.gpus for pool in self.pools)

    @property
    def it_power_kw(self) -> float:
        return self.footprint.it_power_kw

    @property
    def racked_it_power_kw(self) -> float:
        """IT load the site's own feed carries: racked pools and reserved racks, not managed pools."""
        return sum(hall.planned_kw for hall in self.halls)

    @property
    def facility_power_kw(self) -> float:
        """Peak facility power of the site's own halls: their IT load x the design PUE."""
        return self.racked_it_power_kw * self.design_pue


def rack_ids(hall: HallSpec) -> list[str]:
    """Every rack of the hall in placement order: `<row>-01` ... row by row (ids in a plan are
    `<hall>/<row>-01`, which cannot collide across halls)."""
    return [f"{row.name}-{index:02d}" for row in hall.rows for index in range(1, row.racks + 1)]


@dataclass(frozen=True, slots=True)
class _Demand:
    """What a pool asks of its hall's power, whether or not it could be placed."""

    index: int
    spec: NodePoolSpec
    model: NodeModel
    gpu: GpuModel

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def systems(self) -> int:
        return self.spec.nodes // self.model.nodes_per_system

    @property
    def power_kw(self) -> float:
        return self.systems * self.model.max_power_kw

    def densest_rack_kw(self, hall: HallSpec) -> float:
        """kW of the fullest rack this pool would fill in `hall` (0 when a system fits no rack)."""
        return min(_systems_per_rack(hall, self.model), self.systems) * self.model.max_power_kw


class _Checker:
    """Collects one site's findings while its capacity is planned."""

    def __init__(self, site: SiteSpec, path: str, network_kw: Mapping[str, float]) -> None:
        self.site = site
        self.network_kw = network_kw
        self.prefix = f"{path}." if path else ""
        self.findings: list[Finding] = []

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)


def plan_capacity(
    site: SiteSpec, hardware: Hardware, path: str = "", *, network_kw: Mapping[str, float] | None = None
) -> CapacityPlan:
    """Place every racked pool, estimate every managed one, check the site's physical budgets.

    `network_kw` is the power of the fabric switches standing in each hall (hall name -> kW),
    from the network plan; it replaces the hall's stated network rack power.
    Raises `SpecError` with every finding when any is an error; warnings ride on the plan.
    """
    check = _Checker(site, path, network_kw or {})
    _check_site_units(site, check)
    demands = _resolve_models(site, hardware, check)
    pools: list[PoolCapacity] = []
    halls: list[HallPlan] = []
    for hall_index, hall in enumerate(site.halls):
        hall_path = f"{check.prefix}halls[{hall_index}]"
        members = [
            d
            for d in demands
            if d.spec.hall == hall.name and cooling_satisfies(hall.cooling, d.model.cooling)
        ]
        before = len(check.findings)
        hall_pools = _place_hall(hall, hall_path, members, check)
        pools.extend(hall_pools)
        # A pool of this hall that was not placed (unknown model, cooling, rack shortage) makes
        # its free racks and spare power knock-ons of that finding, not stranded capacity.
        placed_all = len(hall_pools) == sum(pool.hall == hall.name for pool in site.pools)
        halls.append(
            _check_hall(hall, hall_path, hall_pools, members, check, since=before, placed_all=placed_all)
        )
    pools.extend(_managed(d, site) for d in demands if d.spec.placement is PoolPlacement.MANAGED)
    order = {pool.name: index for index, pool in enumerate(site.pools)}
    pools.sort(key=lambda pool: order[pool.name])
    # Power is checked on what the stack file asks for, placed or not, so a rack shortage never
    # hides a power problem that following its advice would reveal.
    racked = [d for d in demands if d.spec.placement is PoolPlacement.RACKED]
    reserved_kw = sum(_reserved_kw(hall, check.network_kw) for hall in site.halls)
    racked_kw = sum(d.power_kw for d in racked) + reserved_kw
    managed_kw = sum(d.power_kw for d in demands if d.spec.placement is PoolPlacement.MANAGED)
    utility_kw = site.utility_power_mw * 1000 if site.utility_power_mw is not None else None
    available_kw = utility_kw * (1 - site.power_headroom) if utility_kw is not None else None
    if utility_kw is not None and available_kw is not None:
        # A feed "many times the halls" beside a hall error is most often that hall's own slip.
        halls_clean = not any(finding.is_error for finding in check.findings)
        _check_feed(racked_kw, utility_kw, available_kw, check, judge_units=halls_clean)
    plan = CapacityPlan(
        name=site.name,
        region=site.region,
        zone=site.zone,
        pue=site.pue,
        design_pue=site.peak_pue,
        utility_kw=utility_kw,
        available_facility_kw=available_kw,
        pools=tuple(pools),
        halls=tuple(halls),
        footprint=footprint(racked_kw - reserved_kw + managed_kw, site)
        + _reserved_footprint(reserved_kw, site),
        findings=tuple(check.findings),
    )
    if any(finding.is_error for finding in check.findings):
        raise SpecError(check.findings)
    return plan


def plan_pool_capacity(spec: NodePoolSpec, hardware: Hardware, site: SiteSpec | None = None) -> PoolCapacity:
    """A pool's size and draw on its own, from `hardware` (a standalone pool, no hall placement)."""
    node_model = hardware.node_models.get(spec.node_model)
    if node_model is None:
        raise SpecError([_unknown_node_model(spec, "", hardware)])
    gpu_model = hardware.gpu_models.get(node_model.gpu_model)
    if gpu_model is None:
        raise SpecError([_unknown_gpu_model(node_model, "", hardware, spec)])
    if spec.nodes % node_model.nodes_per_system:
        raise SpecError([_not_whole_systems(spec, "", node_model)])
    systems = spec.nodes // node_model.nodes_per_system
    it_kw = systems * node_model.max_power_kw
    return PoolCapacity(
        spec=spec,
        node_model=node_model,
        gpu_model=gpu_model,
        nodes=spec.nodes,
        systems=systems,
        gpus=systems * node_model.gpus_per_system,
        racks=(),
        footprint=footprint(it_kw, site) if site is not None else Footprint(it_kw, 0.0, 0.0, 0.0, 0.0),
    )


def _managed(demand: _Demand, site: SiteSpec) -> PoolCapacity:
    return PoolCapacity(
        spec=demand.spec,
        node_model=demand.model,
        gpu_model=demand.gpu,
        nodes=demand.spec.nodes,
        systems=demand.systems,
        gpus=demand.systems * demand.model.gpus_per_system,
        racks=(),
        footprint=footprint(demand.power_kw, site),
    )


def _unknown_node_model(pool: NodePoolSpec, pool_path: str, hardware: Hardware) -> Finding:
    return UNKNOWN_NODE_MODEL.finding(
        f"{pool_path}.node_model".lstrip("."),
        "is not a node model of the catalog or of this stack file",
        fix=f"use one of {sorted(hardware.node_models)} or define it under node_models",
        value=pool.node_model,
    )


def _unknown_gpu_model(model: NodeModel, pool_path: str, hardware: Hardware, pool: NodePoolSpec) -> Finding:
    return UNKNOWN_GPU_MODEL.finding(
        f"{pool_path}.node_model".lstrip("."),
        f"node model {model.name} names GPU model {model.gpu_model!r}, which is unknown",
        fix=f"use one of {sorted(hardware.gpu_models)} or define it under gpu_models",
        value=pool.node_model,
    )


def _not_whole_systems(pool: NodePoolSpec, pool_path: str, model: NodeModel) -> Finding:
    return WHOLE_SYSTEMS.finding(
        f"{pool_path}.nodes".lstrip("."),
        f"must be a multiple of {model.nodes_per_system}: one {model.product_name} system is "
        f"{model.nodes_per_system} Kubernetes nodes",
        fix=f"use {_round_up(pool.nodes, model.nodes_per_system)} "
        f"({_count(_round_up(pool.nodes, model.nodes_per_system) // model.nodes_per_system, 'system')})",
        value=pool.nodes,
    )


def _resolve_models(site: SiteSpec, hardware: Hardware, check: _Checker) -> list[_Demand]:
    """Node and GPU model of each pool whose models and node count are valid.

    A pool in an unknown hall still counts against the site's power; a pool whose hall has too
    little cooling is reported once and then left out of that hall's checks, because it must
    move, and advice about the hall's other pools would be a knock-on of the same cause.
    """
    halls = {hall.name: (index, hall) for index, hall in enumerate(site.halls)}
    resolved: list[_Demand] = []
    for index, pool in enumerate(site.pools):
        pool_path = f"{check.prefix}pools[{index}]"
        found = halls.get(pool.hall) if pool.hall is not None else None
        if pool.placement is PoolPlacement.RACKED and found is None:
            known = sorted(halls)
            check.add(
                UNKNOWN_HALL.finding(
                    f"{pool_path}.hall",
                    f"is not a hall of site {site.name}",
                    fix=f"use one of {known}"
                    if known
                    else "add the hall under halls, or set placement: managed",
                    value=pool.hall,
                )
            )
        node_model = hardware.node_models.get(pool.node_model)
        if node_model is None:
            check.add(_unknown_node_model(pool, pool_path, hardware))
            continue
        gpu_model = hardware.gpu_models.get(node_model.gpu_model)
        if gpu_model is None:
            check.add(_unknown_gpu_model(node_model, pool_path, hardware, pool))
            continue
        if pool.nodes % node_model.nodes_per_system:
            check.add(_not_whole_systems(pool, pool_path, node_model))
            continue
        if found is not None and not cooling_satisfies(found[1].cooling, node_model.cooling):
            hall_index, hall = found
            check.add(
                COOLING_MISMATCH.finding(
                    f"{pool_path}.hall",
                    f"{node_model.name} needs {node_model.cooling.value} cooling but hall {hall.name} has "
                    f"{hall.cooling.value}",
                    fix=f"move the pool to a hall with {node_model.cooling.value} cooling or change "
                    f"{check.prefix}halls[{hall_index}].cooling",
                    value=pool.hall,
                )
            )
        resolved.append(_Demand(index, pool, node_model, gpu_model))
    return resolved


def _place_hall(
    hall: HallSpec, hall_path: str, members: Sequence[_Demand], check: _Checker
) -> list[PoolCapacity]:
    racks = rack_ids(hall)
    usable = racks[: len(racks) - hall.network_racks - hall.storage_racks]
    cursor = 0
    plans: list[PoolCapacity] = []
    shortfall: list[str] = []
    for demand in members:
        model = demand.model
        per_rack = _systems_per_rack(hall, model)
        if per_rack == 0:
            check.add(
                SYSTEM_TOO_BIG.finding(
                    f"{check.prefix}pools[{demand.index}].hall",
                    f"one {model.name} system needs {model.max_power_kw:g} kW and {model.rack_units}U but a "
                    f"rack of hall {hall.name} gives {hall.rack_power_kw:g} kW and {hall.rack_units}U",
                    fix=f"raise {hall_path}.rack_power_kw / rack_units or use another hall",
                    value=demand.spec.hall,
                )
            )
            continue
        needed = math.ceil(demand.systems / per_rack)
        free = len(usable) - cursor
        if needed > free:
            placeable = max(free, 0) * per_rack * model.nodes_per_system
            shortfall.append(
                f"pool {demand.name} needs {_count(needed, 'rack')}, {max(free, 0)} left "
                f"(move {demand.spec.nodes - placeable} of its nodes)"
            )
            cursor = len(usable)
            continue
        placements = []
        for offset in range(needed):
            count = min(per_rack, demand.systems - offset * per_rack)
            placements.append(
                RackPlacement(
                    rack=f"{hall.name}/{usable[cursor + offset]}",
                    systems=count,
                    nodes=count * model.nodes_per_system,
                    power_kw=count * model.max_power_kw,
                    units=count * model.rack_units,
                )
            )
        cursor += needed
        plans.append(
            PoolCapacity(
                spec=demand.spec,
                node_model=model,
                gpu_model=demand.gpu,
                nodes=demand.spec.nodes,
                systems=demand.systems,
                gpus=demand.systems * model.gpus_per_system,
                racks=tuple(placements),
                footprint=footprint(demand.power_kw, check.site),
            )
        )
    if shortfall:
        check.add(
            TOO_FEW_RACKS.finding(
                f"{hall_path}.rows",
                f"hall {hall.name} has too few racks: {len(usable)} usable of {len(racks)} "
                f"({hall.network_racks + hall.storage_racks} reserved); " + "; ".join(shortfall),
                fix=f"add racks to {hall_path}.rows or move those nodes to another hall",
            )
        )
    return plans


def _reserved_kw(hall: HallSpec, network_kw: Mapping[str, float]) -> float:
    network = network_kw.get(hall.name)
    if network is None:
        network = hall.network_racks * (hall.network_rack_kw or 0.0)
    return network + hall.storage_racks * (hall.storage_rack_kw or 0.0)


def _nodes_to_move(demand: Sequence[_Demand], excess_kw: float) -> str:
    """Which nodes to move out of a hall to shed `excess_kw`, taken from the last pools first."""
    moves = []
    for pool in reversed(demand):
        if excess_kw <= _EPSILON:
            break
        per_system = pool.model.max_power_kw
        systems = min(math.ceil(excess_kw / per_system - _EPSILON), pool.systems)
        if systems:
            moves.append(f"{_count(systems * pool.model.nodes_per_system, 'node')} of pool {pool.name}")
            excess_kw -= systems * per_system
    return " and ".join(moves)


def _check_hall(
    hall: HallSpec,
    hall_path: str,
    pools: Sequence[PoolCapacity],
    demand: Sequence[_Demand],
    check: _Checker,
    *,
    since: int,
    placed_all: bool,
) -> HallPlan:
    site = check.site
    reserved_kw = _reserved_kw(hall, check.network_kw)
    planned_kw = sum(pool.power_kw for pool in demand) + reserved_kw
    available_kw = hall.power_kw * (1 - site.power_headroom)
    if planned_kw > available_kw + _EPSILON:
        reserved = f", {reserved_kw:,.0f} kW of it reserved racks" if reserved_kw else ""
        moves = _nodes_to_move(demand, planned_kw - available_kw)
        # A hall a hundred times short of its own pools is MW typed in the kW field.
        needed_kw = math.ceil(planned_kw / (1 - site.power_headroom) - _EPSILON)
        slip = (
            planned_kw > 100 * available_kw and hall.power_kw * 1000 * (1 - site.power_headroom) >= planned_kw
        )
        if slip:  # MW typed in the kW field: the one fix that is meant
            fix = f"power_kw is in kW: did you mean {hall.power_kw * 1000:,.0f}?"
        else:
            raise_it = (
                f"raise {hall_path}.power_kw to at least {needed_kw:,} kW"
                if needed_kw <= _MAX_HALL_KW
                else ""
            )
            fix = " or ".join(part for part in (f"move {moves}" if moves else "", raise_it) if part)
            fix = fix or "split the hall's pools over more halls"
        check.add(
            HALL_POWER.finding(
                f"{hall_path}.power_kw",
                f"hall {hall.name}: {_kw(planned_kw)} kW planned{reserved}, {_kw(available_kw)} kW available "
                f"({_kw(hall.power_kw)} kW less {site.power_headroom:.0%} headroom)",
                fix=fix,
            )
        )
    _check_reserved_power(hall, hall_path, check)
    # From what each pool asks for, placed or not: a rack shortage must not hide a hot rack.
    rack_kw = {pool.name: pool.densest_rack_kw(hall) for pool in demand}
    peak_rack_kw = max(rack_kw.values(), default=0.0)
    _check_rack_cooling(hall, hall_path, demand, rack_kw, peak_rack_kw, check)
    plan = HallPlan(
        name=hall.name,
        cooling=hall.cooling,
        power_kw=hall.power_kw,
        available_kw=available_kw,
        planned_kw=planned_kw,
        reserved_kw=reserved_kw,
        racks_total=hall.total_racks,
        racks_reserved=hall.network_racks + hall.storage_racks,
        racks_used=sum(len(pool.racks) for pool in pools),
        peak_rack_kw=peak_rack_kw,
        footprint=footprint(planned_kw - reserved_kw, site) + _reserved_footprint(reserved_kw, site),
    )
    # Stranded capacity is judged on a hall that works: with a pool unplaced or the power over,
    # "free racks" and "power left" are knock-ons of that error, not findings of their own.
    hall_errors = any(finding.is_error for finding in check.findings[since:])
    _check_units_and_stranding(hall, hall_path, plan, check, stranding=placed_all and not hall_errors)
    return plan


def _check_site_units(site: SiteSpec, check: _Checker) -> None:
    carbon = site.grid_carbon_g_per_kwh
    if 0 < carbon < _LEAST_GRID_CARBON_G_PER_KWH:
        check.add(
            CARBON_UNITS.finding(
                f"{check.prefix}grid_carbon_g_per_kwh",
                f"site {site.name}: {carbon:g} g/kWh is below the cleanest grids' 10-30 g/kWh; "
                "grid_carbon_g_per_kwh is in grams per kWh",
                fix=f"check the unit (did you mean {carbon * 1000:g}, from kg/kWh?) or waive GPUDC-UNITS-003 "
                "with the source of the figure",
                value=carbon,
            )
        )


def _check_reserved_power(hall: HallSpec, hall_path: str, check: _Checker) -> None:
    for kind in ("network", "storage"):
        if kind == "network" and hall.name in check.network_kw:
            continue  # the fabric plan states what the network racks draw
        kw = getattr(hall, f"{kind}_rack_kw")
        if kw is not None and 0 < kw < _LEAST_RACK_KW:
            check.add(
                RACK_KW_UNITS.finding(
                    f"{hall_path}.{kind}_rack_kw",
                    f"hall {hall.name}: a {kind} rack drawing {kw * 1000:g} W; {kind}_rack_kw is in kW",
                    fix=f"check the unit (did you mean {kw * 1000:g} kW, from MW?)",
                    value=kw,
                )
            )
        count = getattr(hall, f"{kind}_racks")
        if count and getattr(hall, f"{kind}_rack_kw") is None:
            check.add(
                UNSTATED_RACK_POWER.finding(
                    f"{hall_path}.{kind}_rack_kw",
                    f"hall {hall.name} reserves {_count(count, f'{kind} rack')} whose power is not stated, "
                    f"so {'it counts' if count == 1 else 'they count'} as 0 kW in the hall's and the site's budgets",
                    fix=f"set {hall_path}.{kind}_rack_kw to what each {kind} rack draws (0 if nothing)",
                )
            )


def _check_rack_cooling(
    hall: HallSpec,
    hall_path: str,
    demand: Sequence[_Demand],
    rack_kw: dict[str, float],
    peak_rack_kw: float,
    check: _Checker,
) -> None:
    cooling_limit = RACK_COOLING_LIMIT_KW[hall.cooling]
    if peak_rack_kw <= cooling_limit + _EPSILON:
        return
    densest = next(pool for pool in demand if rack_kw[pool.name] == peak_rack_kw)
    fixes = []
    stronger = [c.value for c in CoolingType if RACK_COOLING_LIMIT_KW[c] >= peak_rack_kw]
    if stronger:
        fixes.append(f"set {hall_path}.cooling to {' or '.join(stronger)}")
    if densest.model.max_power_kw <= cooling_limit + _EPSILON:
        fixes.append(f"lower {hall_path}.rack_power_kw to {cooling_limit:g} so fewer systems share a rack")
    check.add(
        HOT_RACK.finding(
            f"{hall_path}.cooling",
            f"hall {hall.name}: racks of pool {densest.name} draw {peak_rack_kw:g} kW, above the "
            f"{cooling_limit:g} kW {hall.cooling.value} cooling removes from a rack",
            fix=" or ".join(fixes)
            or "no cooling type gpudc knows removes the heat of one such system; use another node model",
            value=hall.cooling.value,
        )
    )


def _check_units_and_stranding(
    hall: HallSpec, hall_path: str, plan: HallPlan, check: _Checker, *, stranding: bool
) -> None:
    rack_draw_kw = hall.total_racks * hall.rack_power_kw
    # What the hall may use (its power less the headroom) against what its racks can draw: a
    # fully loaded hall needs power_kw a headroom above its racks, and that is no slip.
    usable_kw = hall.power_kw * (1 - check.site.power_headroom)
    # Judged on whole kW, as the fixes are printed: the power that, less the headroom, covers
    # every rack at full draw is enough; more is the slip. Every fix that raises power_kw (hall
    # power, stranded racks) stays within it.
    enough_kw = math.ceil(rack_draw_kw / (1 - check.site.power_headroom) - _EPSILON)
    if hall.power_kw > enough_kw + _EPSILON:
        check.add(
            HALL_UNITS.finding(
                f"{hall_path}.power_kw",
                f"hall {hall.name}: {usable_kw:,.0f} kW usable ({hall.power_kw:,.0f} kW less "
                f"{check.site.power_headroom:.0%} headroom) is more than its {_count(hall.total_racks, 'rack')} "
                f"could ever draw ({hall.total_racks} x {hall.rack_power_kw:g} kW = {rack_draw_kw:,.0f} kW); "
                "power_kw is in kW and rack_power_kw in kW per rack",
                fix=f"check the units, add racks, or lower {hall_path}.power_kw to {enough_kw:,} kW",
                value=hall.power_kw,
            )
        )
    elif stranding and plan.racks_free == 0 and plan.power_left_kw >= hall.rack_power_kw:
        check.add(
            STRANDED_POWER.finding(
                f"{hall_path}.rows",
                f"hall {hall.name}: {plan.power_left_kw:,.0f} kW left but no free rack to use it in",
                fix=f"add {_count(math.floor(plan.power_left_kw / hall.rack_power_kw), 'rack')} to {hall_path}.rows "
                "or plan the power elsewhere",
            )
        )
    if stranding and plan.racks_free > 0 and plan.power_left_kw < hall.rack_power_kw - _EPSILON:
        # Enough rated power that, less the headroom, every free rack gets its full kW.
        short_kw = plan.racks_free * hall.rack_power_kw - max(plan.power_left_kw, 0.0)
        raise_kw = math.ceil(short_kw / (1 - check.site.power_headroom) - _EPSILON)
        check.add(
            STRANDED_RACKS.finding(
                f"{hall_path}.power_kw",
                f"hall {hall.name}: {_count(plan.racks_free, 'free rack')} but only "
                f"{max(plan.power_left_kw, 0):,.0f} kW left, less than one rack's {hall.rack_power_kw:g} kW",
                fix=f"raise {hall_path}.power_kw by {raise_kw:,} kW to fill "
                f"{'it' if plan.racks_free == 1 else 'them'}, or remove {'it' if plan.racks_free == 1 else 'them'} "
                "from the rows",
            )
        )


def _check_feed(
    racked_kw: float, utility_kw: float, available_kw: float, check: _Checker, *, judge_units: bool
) -> None:
    site, prefix = check.site, check.prefix
    facility_kw = racked_kw * site.peak_pue
    pue = f"design PUE {site.peak_pue:g}" if site.design_pue is not None else f"PUE {site.pue:g}"
    halls_kw = sum(hall.power_kw for hall in site.halls)
    rated_kw = halls_kw * site.peak_pue
    # The feed must carry the planned load (less headroom) and the halls' rating; one figure,
    # rounded up to the 0.01 MW it is printed with, satisfies both checks.
    needed_kw = max(facility_kw / (1 - site.power_headroom), rated_kw)
    needed_mw = math.ceil(needed_kw / 10 - _EPSILON) / 100
    if facility_kw > available_kw + _EPSILON:
        check.add(
            SITE_POWER.finding(
                f"{prefix}utility_power_mw",
                f"site {site.name}: {facility_kw:,.0f} kW peak facility load planned (IT {racked_kw:,.0f} kW x "
                f"{pue}), {available_kw:,.0f} kW available after {site.power_headroom:.0%} headroom",
                fix=f"raise utility_power_mw to at least {needed_mw:,.2f} or plan fewer nodes",
            )
        )
    if rated_kw > utility_kw + _EPSILON:
        check.add(
            HALLS_OVER_FEED.finding(
                f"{prefix}utility_power_mw",
                f"site {site.name}: its halls are rated {halls_kw:,.0f} kW of IT power, {rated_kw:,.0f} kW "
                f"at {pue}, more than the {utility_kw:,.0f} kW utility feed",
                fix=f"raise utility_power_mw to at least {needed_mw:,.2f} or lower the halls' power_kw",
                value=site.utility_power_mw,
            )
        )
    elif judge_units and needed_kw and utility_kw > _UTILITY_SLIP_FACTOR * max(rated_kw, facility_kw):
        # kW typed in the MW field reads 1,000x too large; suggest the thousandth only when it
        # would still carry the halls and the planned load, so following the hint breaks nothing.
        guess = utility_kw / 1e6
        baseline = max(rated_kw, facility_kw)
        fits = needed_kw - _EPSILON <= guess * 1000 <= _UTILITY_SLIP_FACTOR * baseline + _EPSILON
        hint = f"did you mean {guess:,.4g} MW? " if fits else ""
        check.add(
            FEED_UNITS.finding(
                f"{prefix}utility_power_mw",
                f"site {site.name}: a {utility_kw / 1000:,.4g} MW feed is {utility_kw / baseline:,.1f}x its "
                f"halls' {baseline / 1000:,.4g} MW at {pue}; utility_power_mw is in MW",
                fix=f"check the unit ({hint}more than {_UTILITY_SLIP_FACTOR}x is rarely built) or waive "
                "GPUDC-UNITS-002 with the reason the feed is that large",
                value=site.utility_power_mw,
            )
        )


def _systems_per_rack(hall: HallSpec, model: NodeModel) -> int:
    """How many systems one rack of the hall takes: the tighter of its kW and its U."""
    return min(
        math.floor(hall.rack_power_kw / model.max_power_kw + _EPSILON), hall.rack_units // model.rack_units
    )


def _kw(value: float) -> str:
    """kW as a finding prints it: whole kW, but small figures (a MW typed in kW) kept visible."""
    return f"{value:,.0f}" if value >= 10 or value == 0 else f"{value:.3g}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple
