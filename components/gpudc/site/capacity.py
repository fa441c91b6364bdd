"""Placement of pools into racks, and the power, cooling, rack and sustainability checks.

Pure: a `SiteSpec` and the hardware catalog in, a `SitePlan` out, or a `SpecError` listing every
physical mistake with its path and fix. Nothing here knows about Pulumi, so the same figures
serve `pulumi up`, the offline plan and the report.

Placement rules, chosen so a reviewer can predict the layout from the stack file:
- a hall's racks are numbered row by row (`<row>-01`, `<row>-02`, ...); the last
  `network_racks + storage_racks` of them are reserved and never hold nodes;
- pools are placed in stack-file order, each into fresh racks (pools never share a rack, so a
  rack is one failure and maintenance domain), as many systems per rack as both the rack's kW
  and its U allow; a rack-scale system (GB200 NVL72) is one indivisible unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gpudc.catalog.cooling import RACK_COOLING_LIMIT_KW
from gpudc.catalog.lookup import Hardware
from gpudc.catalog.models import CoolingType, GpuModel, NodeModel, cooling_satisfies
from gpudc.core.errors import SpecError, SpecIssue
from gpudc.nodepool.spec import NodePoolSpec
from gpudc.site.spec import HallSpec, SiteSpec

__all__ = [
    "HOURS_PER_YEAR",
    "Footprint",
    "HallPlan",
    "PoolPlan",
    "RackPlacement",
    "SitePlan",
    "footprint",
    "plan_site",
]

HOURS_PER_YEAR = 8760
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Footprint:
    """Yearly energy, carbon and water of an IT load, at the site's utilisation, PUE, WUE and grid."""

    it_power_kw: float
    it_energy_mwh: float
    facility_energy_mwh: float
    co2_tonnes: float
    water_m3: float


def footprint(it_power_kw: float, site: SiteSpec) -> Footprint:
    """IT energy = kW x utilisation x 8,760 h; facility energy = IT x PUE; CO2 = facility kWh x
    grid g/kWh; water = IT kWh x WUE (The Green Grid defines WUE per IT kWh)."""
    it_mwh = it_power_kw * site.utilisation * HOURS_PER_YEAR / 1000
    facility_mwh = it_mwh * site.pue
    return Footprint(
        it_power_kw=it_power_kw,
        it_energy_mwh=it_mwh,
        facility_energy_mwh=facility_mwh,
        co2_tonnes=facility_mwh * site.grid_carbon_g_per_kwh / 1000,
        water_m3=it_mwh * site.wue_l_per_kwh,
    )


@dataclass(frozen=True, slots=True)
class RackPlacement:
    """The systems of one pool in one rack."""

    rack: str
    systems: int
    nodes: int
    power_kw: float
    units: int


@dataclass(frozen=True, slots=True)
class PoolPlan:
    """Where a pool's nodes are and what they draw."""

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
    def hall(self) -> str:
        return self.spec.hall


@dataclass(frozen=True, slots=True)
class HallPlan:
    """A hall's budget and how much of it the plan uses."""

    name: str
    cooling: CoolingType
    power_kw: float
    available_kw: float
    planned_kw: float
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
class SitePlan:
    """Everything derived from one site: placement, budgets and footprint."""

    name: str
    region: str
    zone: str
    pue: float
    utility_kw: float
    available_facility_kw: float
    pools: tuple[PoolPlan, ...]
    halls: tuple[HallPlan, ...]
    footprint: Footprint

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
    def facility_power_kw(self) -> float:
        return self.footprint.it_power_kw * self.pue

    def pool(self, name: str) -> PoolPlan:
        return next(pool for pool in self.pools if pool.name == name)

    def hall(self, name: str) -> HallPlan:
        return next(hall for hall in self.halls if hall.name == name)


def rack_ids(hall: HallSpec) -> list[str]:
    """Every rack of the hall in placement order: `<row>-01` ... row by row (ids in a plan are
    `<hall>/<row>-01`, which cannot collide across halls)."""
    return [f"{row.name}-{index:02d}" for row in hall.rows for index in range(1, row.racks + 1)]


def plan_site(site: SiteSpec, hardware: Hardware, path: str = "") -> SitePlan:
    """Place every pool and check the site's physical budgets; raise every problem at once."""
    issues: list[SpecIssue] = []
    prefix = f"{path}." if path else ""
    models = _resolve_models(site, hardware, prefix, issues)
    pools: list[PoolPlan] = []
    halls: list[HallPlan] = []
    for hall_index, hall in enumerate(site.halls):
        hall_path = f"{prefix}halls[{hall_index}]"
        members = [(i, p) for i, p in enumerate(site.pools) if p.hall == hall.name and i in models]
        hall_pools = _place_hall(site, hall, hall_path, members, models, prefix, issues)
        pools.extend(hall_pools)
        demand = [_Demand(pool.name, pool.nodes, models[index][0]) for index, pool in members]
        halls.append(_check_hall(site, hall, hall_path, hall_pools, demand, issues))
    order = {pool.name: index for index, pool in enumerate(site.pools)}
    pools.sort(key=lambda pool: order[pool.name])
    # Power is checked on what the stack file asks for, placed or not, so a rack shortage never
    # hides a power problem that following its advice would reveal.
    it_kw = sum(
        _Demand(pool.name, pool.nodes, models[index][0]).power_kw
        for index, pool in enumerate(site.pools)
        if index in models
    )
    utility_kw = site.utility_power_mw * 1000
    available_kw = utility_kw * (1 - site.power_headroom)
    facility_kw = it_kw * site.pue
    if facility_kw > available_kw + _EPSILON:
        # Round the suggestion up to the 0.01 MW it is printed with, so following it fixes the issue.
        needed_mw = math.ceil(facility_kw / (1 - site.power_headroom) / 10 - _EPSILON) / 100
        issues.append(
            SpecIssue(
                f"{prefix}utility_power_mw",
                f"site {site.name}: {facility_kw:,.0f} kW facility load planned (IT {it_kw:,.0f} kW x PUE "
                f"{site.pue}), {available_kw:,.0f} kW available after {site.power_headroom:.0%} headroom; "
                f"raise utility_power_mw to at least {needed_mw:,.2f} "
                "or plan fewer nodes",
            )
        )
    if issues:
        raise SpecError(issues)
    return SitePlan(
        name=site.name,
        region=site.region,
        zone=site.zone,
        pue=site.pue,
        utility_kw=utility_kw,
        available_facility_kw=available_kw,
        pools=tuple(pools),
        halls=tuple(halls),
        footprint=footprint(it_kw, site),
    )


def _resolve_models(
    site: SiteSpec, hardware: Hardware, prefix: str, issues: list[SpecIssue]
) -> dict[int, tuple[NodeModel, GpuModel]]:
    """Node and GPU model of each pool whose models and node count are valid, keyed by pool index
    (a pool in an unknown hall or a hall with too little cooling is reported and still counted)."""
    halls = {hall.name: hall for hall in site.halls}
    resolved: dict[int, tuple[NodeModel, GpuModel]] = {}
    for index, pool in enumerate(site.pools):
        pool_path = f"{prefix}pools[{index}]"
        hall = halls.get(pool.hall)
        if hall is None:
            issues.append(
                SpecIssue(
                    f"{pool_path}.hall",
                    f"is not a hall of site {site.name}; use one of {sorted(halls)}",
                    pool.hall,
                )
            )
        node_model = hardware.node_models.get(pool.node_model)
        if node_model is None:
            issues.append(
                SpecIssue(
                    f"{pool_path}.node_model",
                    f"unknown node model; use one of {sorted(hardware.node_models)} "
                    "or define it under node_models",
                    pool.node_model,
                )
            )
            continue
        gpu_model = hardware.gpu_models.get(node_model.gpu_model)
        if gpu_model is None:
            issues.append(
                SpecIssue(
                    f"{pool_path}.node_model",
                    f"node model {node_model.name} names GPU model {node_model.gpu_model!r}, which is "
                    f"unknown; use one of {sorted(hardware.gpu_models)} or define it under gpu_models",
                    pool.node_model,
                )
            )
            continue
        if pool.nodes % node_model.nodes_per_system:
            issues.append(
                SpecIssue(
                    f"{pool_path}.nodes",
                    f"must be a multiple of {node_model.nodes_per_system} (one {node_model.name} system is "
                    f"{node_model.nodes_per_system} nodes); use "
                    f"{_round_up(pool.nodes, node_model.nodes_per_system)}",
                    pool.nodes,
                )
            )
            continue
        if hall is not None and not cooling_satisfies(hall.cooling, node_model.cooling):
            hall_index = site.halls.index(hall)
            issues.append(
                SpecIssue(
                    f"{pool_path}.hall",
                    f"{node_model.name} needs {node_model.cooling.value} cooling but hall {hall.name} has "
                    f"{hall.cooling.value}; move the pool to a hall with {node_model.cooling.value} "
                    f"cooling or change {prefix}halls[{hall_index}].cooling",
                    pool.hall,
                )
            )
        # Still resolved: its power and racks count, so one problem never hides the next.
        resolved[index] = (node_model, gpu_model)
    return resolved


def _place_hall(
    site: SiteSpec,
    hall: HallSpec,
    hall_path: str,
    members: list[tuple[int, NodePoolSpec]],
    models: dict[int, tuple[NodeModel, GpuModel]],
    prefix: str,
    issues: list[SpecIssue],
) -> list[PoolPlan]:
    racks = rack_ids(hall)
    usable = racks[: len(racks) - hall.network_racks - hall.storage_racks]
    cursor = 0
    plans: list[PoolPlan] = []
    shortfall: list[str] = []
    for index, pool in members:
        node_model, gpu_model = models[index]
        systems = pool.nodes // node_model.nodes_per_system
        per_rack = _systems_per_rack(hall, node_model)
        if per_rack == 0:
            issues.append(
                SpecIssue(
                    f"{prefix}pools[{index}].hall",
                    f"one {node_model.name} system needs {node_model.max_power_kw:g} kW and "
                    f"{node_model.rack_units}U but a rack of hall {hall.name} gives "
                    f"{hall.rack_power_kw:g} kW and {hall.rack_units}U; raise "
                    f"{hall_path}.rack_power_kw / rack_units or use another hall",
                    pool.hall,
                )
            )
            continue
        needed = math.ceil(systems / per_rack)
        free = len(usable) - cursor
        if needed > free:
            placeable = free * per_rack * node_model.nodes_per_system
            shortfall.append(
                f"pool {pool.name} needs {_count(needed, 'rack')}, {max(free, 0)} left "
                f"(move {pool.nodes - placeable} of its nodes)"
            )
            cursor = len(usable)
            continue
        placements = []
        for offset in range(needed):
            count = min(per_rack, systems - offset * per_rack)
            placements.append(
                RackPlacement(
                    rack=f"{hall.name}/{usable[cursor + offset]}",
                    systems=count,
                    nodes=count * node_model.nodes_per_system,
                    power_kw=count * node_model.max_power_kw,
                    units=count * node_model.rack_units,
                )
            )
        cursor += needed
        it_kw = systems * node_model.max_power_kw
        plans.append(
            PoolPlan(
                spec=pool,
                node_model=node_model,
                gpu_model=gpu_model,
                nodes=pool.nodes,
                systems=systems,
                gpus=systems * node_model.gpus_per_system,
                racks=tuple(placements),
                footprint=footprint(it_kw, site),
            )
        )
    if shortfall:
        issues.append(
            SpecIssue(
                f"{hall_path}.rows",
                f"hall {hall.name} has too few racks: {len(usable)} usable of {len(racks)} "
                f"({hall.network_racks + hall.storage_racks} reserved); "
                + "; ".join(shortfall)
                + f"; add racks to {hall_path}.rows or move those nodes to another hall",
            )
        )
    return plans


@dataclass(frozen=True, slots=True)
class _Demand:
    """What a pool asks of its hall's power, whether or not it could be placed."""

    name: str
    nodes: int
    model: NodeModel

    @property
    def systems(self) -> int:
        return self.nodes // self.model.nodes_per_system

    @property
    def power_kw(self) -> float:
        return self.systems * self.model.max_power_kw

    def densest_rack_kw(self, hall: HallSpec) -> float:
        """kW of the fullest rack this pool would fill in `hall` (0 when a system fits no rack)."""
        return min(_systems_per_rack(hall, self.model), self.systems) * self.model.max_power_kw


def _nodes_to_move(demand: list[_Demand], excess_kw: float) -> str:
    """Which nodes to move out of a hall to shed `excess_kw`, taken from the last pools first."""
    moves = []
    for pool in reversed(demand):
        if excess_kw <= _EPSILON:
            break
        per_system = pool.model.max_power_kw
        systems = min(math.ceil(excess_kw / per_system - _EPSILON), pool.nodes // pool.model.nodes_per_system)
        if systems:
            moves.append(f"{systems * pool.model.nodes_per_system} nodes of pool {pool.name}")
            excess_kw -= systems * per_system
    return " and ".join(moves)


def _check_hall(
    site: SiteSpec,
    hall: HallSpec,
    hall_path: str,
    pools: list[PoolPlan],
    demand: list[_Demand],
    issues: list[SpecIssue],
) -> HallPlan:
    planned_kw = sum(pool.power_kw for pool in demand)
    available_kw = hall.power_kw * (1 - site.power_headroom)
    if planned_kw > available_kw + _EPSILON:
        issues.append(
            SpecIssue(
                f"{hall_path}.power_kw",
                f"hall {hall.name}: {planned_kw:,.0f} kW planned, {available_kw:,.0f} kW available "
                f"({hall.power_kw:,.0f} kW less {site.power_headroom:.0%} headroom); move "
                f"{_nodes_to_move(demand, planned_kw - available_kw)} or raise {hall_path}.power_kw to "
                f"at least {math.ceil(planned_kw / (1 - site.power_headroom) - _EPSILON):,} kW",
            )
        )
    # From what each pool asks for, placed or not: a rack shortage must not hide a hot rack.
    rack_kw = {pool.name: pool.densest_rack_kw(hall) for pool in demand}
    peak_rack_kw = max(rack_kw.values(), default=0.0)
    cooling_limit = RACK_COOLING_LIMIT_KW[hall.cooling]
    if peak_rack_kw > cooling_limit + _EPSILON:
        densest = next(pool for pool in demand if rack_kw[pool.name] == peak_rack_kw)
        fixes = []
        stronger = [c.value for c in CoolingType if RACK_COOLING_LIMIT_KW[c] >= peak_rack_kw]
        if stronger:
            fixes.append(f"set {hall_path}.cooling to {' or '.join(stronger)}")
        if densest.model.max_power_kw <= cooling_limit + _EPSILON:
            fixes.append(
                f"lower {hall_path}.rack_power_kw to {cooling_limit:g} so fewer systems share a rack"
            )
        fix = (
            " or ".join(fixes)
            or "no cooling type gpudc knows removes the heat of one such system; use another node model"
        )
        issues.append(
            SpecIssue(
                f"{hall_path}.cooling",
                f"hall {hall.name}: racks of pool {densest.name} draw {peak_rack_kw:g} kW, above the "
                f"{cooling_limit:g} kW {hall.cooling.value} cooling removes from a rack; {fix}",
                hall.cooling.value,
            )
        )
    return HallPlan(
        name=hall.name,
        cooling=hall.cooling,
        power_kw=hall.power_kw,
        available_kw=available_kw,
        planned_kw=planned_kw,
        racks_total=hall.total_racks,
        racks_reserved=hall.network_racks + hall.storage_racks,
        racks_used=sum(len(pool.racks) for pool in pools),
        peak_rack_kw=peak_rack_kw,
        footprint=footprint(planned_kw, site),
    )


def _systems_per_rack(hall: HallSpec, model: NodeModel) -> int:
    """How many systems one rack of the hall takes: the tighter of its kW and its U."""
    return min(
        math.floor(hall.rack_power_kw / model.max_power_kw + _EPSILON), hall.rack_units // model.rack_units
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple
