"""Placement and budgets of small sites whose every figure is computed by hand in the comments.

Catalog figures used (components/gpudc/catalog/nodes.py):
- hgx-h100-8gpu: 10.2 kW, 8U, 8 GPUs, 1 node per system, air cooled;
- gb200-nvl72:   120 kW, 48U, 72 GPUs, 18 nodes per system, direct-liquid cooled;
- hgx-b200-8gpu: 14.3 kW, 10U; l40s-pcie-8gpu: 5.0 kW, 5U; hgx-a100-8gpu: 6.5 kW, 6U.
The tests below first pin those figures, so a catalog edit explains a failure here.
"""

from __future__ import annotations

from typing import Any

import pytest

from gpudc.catalog import NODE_MODELS, CoolingType
from gpudc.catalog.lookup import Hardware
from gpudc.core.errors import SpecError
from gpudc.environment.plan import plan_site
from gpudc.site.capacity import (
    HOURS_PER_YEAR,
    CapacityPlan,
    HallPlan,
    PoolCapacity,
    footprint,
    plan_capacity,
    rack_ids,
)
from gpudc.site.spec import HallSpec

REL = 1e-12
HARDWARE = Hardware.with_overrides({}, {})


def plan(site: Any, *, warnings: tuple[str, ...] = ()) -> CapacityPlan:
    """Plan `site`, insisting that exactly the `warnings` codes fire (none unless told)."""
    capacity = plan_capacity(site, HARDWARE, "sites[0]")
    assert [finding.code for finding in capacity.findings] == list(warnings), [
        str(finding) for finding in capacity.findings
    ]
    return capacity


def issues_of(site: Any) -> list[str]:
    with pytest.raises(SpecError) as caught:
        plan(site)
    return [str(issue) for issue in caught.value.issues]


def pool_of(capacity: CapacityPlan, name: str) -> PoolCapacity:
    (pool,) = [pool for pool in capacity.pools if pool.name == name]
    return pool


def hall_of(capacity: CapacityPlan, name: str) -> HallPlan:
    (hall,) = [hall for hall in capacity.halls if hall.name == name]
    return hall


def rack_names(capacity: CapacityPlan, pool: str) -> list[str]:
    return [rack.rack for rack in pool_of(capacity, pool).racks]


@pytest.mark.parametrize(
    ("key", "kw", "units", "gpus", "nodes_per_system", "cooling"),
    [
        ("hgx-h100-8gpu", 10.2, 8, 8, 1, CoolingType.AIR),
        ("gb200-nvl72", 120.0, 48, 72, 18, CoolingType.DIRECT_LIQUID),
        ("hgx-b200-8gpu", 14.3, 10, 8, 1, CoolingType.AIR),
        ("l40s-pcie-8gpu", 5.0, 5, 8, 1, CoolingType.AIR),
        ("hgx-a100-8gpu", 6.5, 6, 8, 1, CoolingType.AIR),
    ],
)
def test_catalog_figures_these_tests_rely_on(
    key: str, kw: float, units: int, gpus: int, nodes_per_system: int, cooling: CoolingType
) -> None:
    model = NODE_MODELS[key]
    assert (model.max_power_kw, model.rack_units, model.gpus_per_system) == (kw, units, gpus)
    assert (model.nodes_per_system, model.cooling) == (nodes_per_system, cooling)


# --- the default site: 10 H100 servers in a rear-door hall of 2 x 3 racks -----------------------


def test_systems_per_rack_is_limited_by_power(build: Any) -> None:
    # per rack = min(floor(45 / 10.2) = floor(4.41) = 4, floor(42 / 8) = 5) = 4 systems;
    # 10 systems -> 4 + 4 + 2 -> 3 racks, filled row a first.
    site_plan = plan(build.site())
    pool = pool_of(site_plan, "h100")
    assert rack_names(site_plan, "h100") == ["h1/a-01", "h1/a-02", "h1/a-03"]
    assert [rack.systems for rack in pool.racks] == [4, 4, 2]
    assert [rack.nodes for rack in pool.racks] == [4, 4, 2]
    # 4 x 10.2 = 40.8 kW, 2 x 10.2 = 20.4 kW; 4 x 8U = 32U, 2 x 8U = 16U.
    assert [rack.power_kw for rack in pool.racks] == pytest.approx([40.8, 40.8, 20.4], rel=REL)
    assert [rack.units for rack in pool.racks] == [32, 32, 16]


def test_pool_totals(build: Any) -> None:
    pool = pool_of(plan(build.site()), "h100")
    assert (pool.nodes, pool.systems, pool.gpus) == (10, 10, 80)  # 10 systems x 8 GPUs
    assert pool.hall == "h1"
    assert pool.node_model.name == "hgx-h100-8gpu"
    assert pool.gpu_model.name == "h100-sxm"
    assert pool.footprint.it_power_kw == pytest.approx(102.0, rel=REL)  # 10 x 10.2


def test_hall_budget(build: Any) -> None:
    hall = hall_of(plan(build.site()), "h1")
    assert hall.cooling is CoolingType.REAR_DOOR
    assert hall.power_kw == 200.0
    assert hall.available_kw == pytest.approx(180.0, rel=REL)  # 200 x (1 - 0.1)
    assert hall.planned_kw == pytest.approx(102.0, rel=REL)
    assert hall.power_left_kw == pytest.approx(78.0, rel=REL)  # 180 - 102
    assert hall.peak_rack_kw == pytest.approx(40.8, rel=REL)
    # 6 racks, 1 network rack reserved, 3 used -> 2 free.
    assert (hall.racks_total, hall.racks_reserved, hall.racks_used, hall.racks_free) == (6, 1, 3, 2)


def test_site_totals(build: Any) -> None:
    site_plan = plan(build.site())
    assert (site_plan.name, site_plan.region, site_plan.zone) == ("lab", "us-central", "lab-a")
    assert (site_plan.nodes, site_plan.gpus) == (10, 80)
    assert site_plan.utility_kw == pytest.approx(1000.0, rel=REL)  # 1.0 MW
    assert site_plan.available_facility_kw == pytest.approx(900.0, rel=REL)  # 1000 x 0.9
    assert site_plan.it_power_kw == pytest.approx(102.0, rel=REL)
    assert site_plan.facility_power_kw == pytest.approx(142.8, rel=REL)  # 102 x PUE 1.4


def test_footprint_figures(build: Any) -> None:
    site_plan = plan(build.site())
    # IT energy   = 102 kW x 0.7 x 8760 h / 1000 = 71.4 x 8.76 = 625.464 MWh/yr
    # facility    = 625.464 x PUE 1.4             = 875.6496 MWh/yr
    # CO2         = 875.6496 MWh x 334.1 g/kWh / 1000 = 292.55453136 t
    # water       = 625.464 MWh x 0.5 L/kWh       = 312.732 m3
    expected = (102.0, 625.464, 875.6496, 292.55453136, 312.732)
    for fp in (site_plan.footprint, hall_of(site_plan, "h1").footprint, pool_of(site_plan, "h100").footprint):
        got = (fp.it_power_kw, fp.it_energy_mwh, fp.facility_energy_mwh, fp.co2_tonnes, fp.water_m3)
        assert got == pytest.approx(expected, rel=1e-9)


def test_footprint_function_uses_each_site_figure(build: Any) -> None:
    # 1000 kW x 0.5 x 8760 / 1000 = 4380 MWh; x PUE 1.2 = 5256 MWh; x 100 g/kWh / 1000 = 525.6 t;
    # water 4380 x 2.0 = 8760 m3.
    site = build.site(utilisation=0.5, pue=1.2, grid_carbon_g_per_kwh=100.0, wue_l_per_kwh=2.0)
    fp = footprint(1000.0, site)
    assert HOURS_PER_YEAR == 8760
    assert (fp.it_energy_mwh, fp.facility_energy_mwh, fp.co2_tonnes, fp.water_m3) == pytest.approx(
        (4380.0, 5256.0, 525.6, 8760.0), rel=1e-12
    )


def test_systems_per_rack_is_limited_by_units(build: Any) -> None:
    # direct-liquid racks of 100 kW, 42U: min(floor(100 / 10.2) = 9, floor(42 / 8) = 5) = 5;
    # 10 systems -> 5 + 5 in 2 racks of 51 kW / 40U each. That leaves 3 free racks but only
    # 180 - 102 = 78 kW, less than one 100 kW rack: stranded racks (GPUDC-POWER-005).
    hall = build.hall(cooling="direct-liquid", rack_power_kw=100)
    site_plan = plan(build.site(halls=[hall]), warnings=("GPUDC-POWER-005",))
    pool = pool_of(site_plan, "h100")
    assert [rack.systems for rack in pool.racks] == [5, 5]
    assert [rack.units for rack in pool.racks] == [40, 40]
    assert [rack.power_kw for rack in pool.racks] == pytest.approx([51.0, 51.0], rel=REL)


def test_rack_power_exactly_n_systems_fits_n(build: Any) -> None:
    # hgx-b200-8gpu: 14.3 kW, 10U. Racks of 42.9 kW = exactly 3 x 14.3, where the float division
    # 42.9 / 14.3 gives 2.9999999999999996: still 3 per rack (42U allows 4). 7 systems -> 3 + 3 + 1.
    hall = build.hall(rack_power_kw=42.9)
    pool = pool_of(
        plan(build.site(halls=[hall], pools=[build.pool(node_model="hgx-b200-8gpu", nodes=7)])), "h100"
    )
    assert [rack.systems for rack in pool.racks] == [3, 3, 1]
    assert [rack.power_kw for rack in pool.racks] == pytest.approx([42.9, 42.9, 14.3], rel=1e-9)


def test_hall_exactly_at_its_budget_is_accepted(build: Any) -> None:
    # no headroom, 102 kW hall, 102 kW planned: exactly full is fine; one more node is not.
    # (Full with 2 racks free is stranded racks, GPUDC-POWER-005, and a 1 MW feed is more than
    # 4 x the hall's 102 x 1.4 = 142.8 kW, GPUDC-UNITS-002: both warnings, not errors.)
    hall = build.hall(power_kw=102)
    site_plan = plan(
        build.site(halls=[hall], power_headroom=0.0), warnings=("GPUDC-POWER-005", "GPUDC-UNITS-002")
    )
    assert hall_of(site_plan, "h1").power_left_kw == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(SpecError):
        plan(build.site(halls=[hall], power_headroom=0.0, pools=[build.pool(nodes=11)]))


def test_air_rack_exactly_at_cooling_limit_is_accepted(build: Any) -> None:
    # l40s 5 kW / 5U in 40 kW / 42U air racks: min(8, 8) = 8 per rack = 40.0 kW = the air limit.
    hall = build.hall(cooling="air", rack_power_kw=40)
    site_plan = plan(build.site(halls=[hall], pools=[build.pool(node_model="l40s-pcie-8gpu", nodes=8)]))
    assert hall_of(site_plan, "h1").peak_rack_kw == pytest.approx(40.0, rel=REL)
    assert rack_names(site_plan, "h100") == ["h1/a-01"]


# --- GB200 NVL72: a rack-scale system of 18 nodes ----------------------------------------------


def _nvl72_hall(build: Any) -> dict[str, Any]:
    hall: dict[str, Any] = build.hall(
        name="liquid",
        power_kw=400,
        cooling="direct-liquid",
        rack_power_kw=132,
        rack_units=48,
        rows=[{"name": "a", "racks": 4}],
        network_racks=0,
    )
    return hall


def test_gb200_nvl72_one_system_per_rack(build: Any) -> None:
    # 36 nodes / 18 = 2 systems; per rack min(floor(132 / 120) = 1, floor(48 / 48) = 1) = 1 -> 2 racks.
    # The 2 free racks have 360 - 240 = 120 kW left, less than one 132 kW rack: GPUDC-POWER-005.
    pool = build.pool(name="nvl72", hall="liquid", node_model="gb200-nvl72", nodes=36)
    site_plan = plan(build.site(halls=[_nvl72_hall(build)], pools=[pool]), warnings=("GPUDC-POWER-005",))
    nvl = pool_of(site_plan, "nvl72")
    assert (nvl.nodes, nvl.systems, nvl.gpus) == (36, 2, 144)  # 2 x 72 GPUs
    assert rack_names(site_plan, "nvl72") == ["liquid/a-01", "liquid/a-02"]
    assert [(r.systems, r.nodes, r.units) for r in nvl.racks] == [(1, 18, 48), (1, 18, 48)]
    assert [r.power_kw for r in nvl.racks] == pytest.approx([120.0, 120.0], rel=REL)
    hall = hall_of(site_plan, "liquid")
    # 2 x 120 = 240 kW of 400 x 0.9 = 360 kW; 4 racks, none reserved, 2 used -> 2 free.
    assert hall.planned_kw == pytest.approx(240.0, rel=REL)
    assert hall.available_kw == pytest.approx(360.0, rel=REL)
    assert (hall.racks_used, hall.racks_free) == (2, 2)


def test_gb200_nodes_must_be_a_multiple_of_18(build: Any) -> None:
    pool = build.pool(name="nvl72", hall="liquid", node_model="gb200-nvl72", nodes=20)
    with pytest.raises(SpecError) as caught:
        plan(build.site(halls=[_nvl72_hall(build)], pools=[pool]))
    (issue,) = caught.value.issues
    assert issue.path == "sites[0].pools[0].nodes"
    assert issue.value == 20
    assert issue.code == "GPUDC-POOL-001"
    assert "must be a multiple of 18" in issue.message
    assert issue.fix == "use 36 (2 systems)"  # 20 rounded up to the next multiple of 18
    # the suggestion works:
    fixed = build.pool(name="nvl72", hall="liquid", node_model="gb200-nvl72", nodes=36)
    fixed_plan = plan(build.site(halls=[_nvl72_hall(build)], pools=[fixed]), warnings=("GPUDC-POWER-005",))
    assert fixed_plan.nodes == 36


# --- reserved racks ----------------------------------------------------------------------------


def test_rack_ids_are_numbered_row_by_row(build: Any) -> None:
    hall = HallSpec.model_validate(build.hall(rows=[{"name": "a", "racks": 2}, {"name": "zz", "racks": 11}]))
    ids = rack_ids(hall)
    assert ids[:4] == ["a-01", "a-02", "zz-01", "zz-02"]
    assert ids[-1] == "zz-11"
    assert len(ids) == 13


def test_reserved_racks_are_the_last_of_the_hall(build: Any) -> None:
    # rows a (3) + b (3); 1 network + 1 storage -> b-02 and b-03 reserved, 4 usable.
    # 16 nodes at 4 per rack fill exactly the 4 usable racks: a-01..a-03, b-01.
    hall = build.hall(network_racks=1, storage_racks=1, storage_rack_kw=0)
    site_plan = plan(build.site(halls=[hall], pools=[build.pool(nodes=16)]))
    assert rack_names(site_plan, "h100") == ["h1/a-01", "h1/a-02", "h1/a-03", "h1/b-01"]
    hall_plan = hall_of(site_plan, "h1")
    assert (hall_plan.racks_reserved, hall_plan.racks_used, hall_plan.racks_free) == (2, 4, 0)


def test_reserved_racks_never_receive_nodes(build: Any) -> None:
    # one more node would need a 5th rack: only the reserved b-02 / b-03 are left.
    hall = build.hall(network_racks=1, storage_racks=1, storage_rack_kw=0)
    (issue,) = issues_of(build.site(halls=[hall], pools=[build.pool(nodes=17)]))
    assert issue.startswith("sites[0].halls[0].rows: hall h1 has too few racks: 4 usable of 6 (2 reserved)")


def test_a_second_pool_does_not_spill_into_reserved_racks(build: Any) -> None:
    hall = build.hall(network_racks=2)  # b-02, b-03 reserved; usable a-01..a-03, b-01
    pools = [build.pool(name="p1", nodes=12), build.pool(name="p2", nodes=4)]
    site_plan = plan(build.site(halls=[hall], pools=pools))
    assert rack_names(site_plan, "p1") == ["h1/a-01", "h1/a-02", "h1/a-03"]
    assert rack_names(site_plan, "p2") == ["h1/b-01"]


# --- pools: own racks, stack-file order --------------------------------------------------------


def test_pools_never_share_a_rack(build: Any) -> None:
    # p1's 2 nodes leave 2 systems of room in a-01, yet p2 starts a fresh rack.
    pools = [build.pool(name="p1", nodes=2), build.pool(name="p2", nodes=2)]
    site_plan = plan(build.site(pools=pools))
    assert rack_names(site_plan, "p1") == ["h1/a-01"]
    assert rack_names(site_plan, "p2") == ["h1/a-02"]
    assert hall_of(site_plan, "h1").racks_used == 2


def test_pools_are_placed_in_stack_file_order(build: Any) -> None:
    forward = [build.pool(name="p1", nodes=5), build.pool(name="p2", nodes=1)]
    site_plan = plan(build.site(pools=forward))
    assert rack_names(site_plan, "p1") == ["h1/a-01", "h1/a-02"]
    assert rack_names(site_plan, "p2") == ["h1/a-03"]
    reverse = plan(build.site(pools=list(reversed(forward))))
    assert rack_names(reverse, "p2") == ["h1/a-01"]
    assert rack_names(reverse, "p1") == ["h1/a-02", "h1/a-03"]
    assert [pool.name for pool in reverse.pools] == ["p2", "p1"]


def test_plan_keeps_stack_file_order_across_halls(build: Any) -> None:
    second = build.hall(name="h2", rows=[{"name": "x", "racks": 2}], network_racks=0)
    pools = [
        build.pool(name="in-h2", hall="h2", nodes=1),
        build.pool(name="in-h1", hall="h1", nodes=1),
        build.pool(name="also-h2", hall="h2", nodes=1),
    ]
    # h2 keeps the builder's 200 kW for 2 racks of 45 kW = 90 kW: a units warning, not an error.
    site_plan = plan(build.site(halls=[build.hall(), second], pools=pools), warnings=("GPUDC-UNITS-001",))
    assert [pool.name for pool in site_plan.pools] == ["in-h2", "in-h1", "also-h2"]
    assert rack_names(site_plan, "in-h2") == ["h2/x-01"]
    assert rack_names(site_plan, "also-h2") == ["h2/x-02"]
    assert rack_names(site_plan, "in-h1") == ["h1/a-01"]
    assert [hall.name for hall in site_plan.halls] == ["h1", "h2"]
    assert [hall.racks_used for hall in site_plan.halls] == [1, 2]
    # site IT power is the sum over halls: 3 x 10.2 = 30.6 kW
    assert site_plan.it_power_kw == pytest.approx(30.6, rel=REL)


def test_site_without_pools_plans_empty_halls(build: Any) -> None:
    site_plan = plan(build.site(pools=[]))
    hall = hall_of(site_plan, "h1")
    assert (site_plan.nodes, site_plan.gpus, site_plan.it_power_kw) == (0, 0, 0)
    assert (hall.planned_kw, hall.peak_rack_kw, hall.racks_used, hall.racks_free) == (0, 0.0, 0, 5)


def test_empty_path_gives_unprefixed_issue_paths(build: Any) -> None:
    with pytest.raises(SpecError) as caught:
        plan_capacity(build.site(pools=[build.pool(hall="nope")]), HARDWARE)
    assert [issue.path for issue in caught.value.issues] == ["pools[0].hall"]


# --- reserved racks draw power -----------------------------------------------------------------


def _reserved_hall(build: Any, **overrides: Any) -> dict[str, Any]:
    # the default hall with its network rack at 20 kW and one storage rack at 10 kW: 30 kW reserved
    hall: dict[str, Any] = build.hall(network_rack_kw=20, storage_racks=1, storage_rack_kw=10, **overrides)
    return hall


def test_reserved_rack_kw_counts_in_the_halls_planned_kw(build: Any) -> None:
    # 10 x 10.2 = 102 kW of nodes + 1 x 20 + 1 x 10 = 30 kW reserved = 132 kW planned;
    # 180 - 132 = 48 kW left for the one free rack (6 - 2 reserved - 3 used), >= 45: no warning.
    site_plan = plan(build.site(halls=[_reserved_hall(build)]))
    hall = hall_of(site_plan, "h1")
    assert hall.reserved_kw == pytest.approx(30.0, rel=REL)
    assert hall.planned_kw == pytest.approx(132.0, rel=REL)
    assert hall.power_left_kw == pytest.approx(48.0, rel=REL)
    assert (hall.racks_reserved, hall.racks_used, hall.racks_free) == (2, 3, 1)
    # the pool itself still draws only its nodes
    assert pool_of(site_plan, "h100").footprint.it_power_kw == pytest.approx(102.0, rel=REL)


def test_reserved_rack_kw_counts_in_the_sites_power_and_energy(build: Any) -> None:
    site_plan = plan(build.site(halls=[_reserved_hall(build)]))
    assert site_plan.it_power_kw == pytest.approx(132.0, rel=REL)
    assert site_plan.racked_it_power_kw == pytest.approx(132.0, rel=REL)
    assert site_plan.facility_power_kw == pytest.approx(184.8, rel=REL)  # 132 x 1.4
    # Nodes draw at the site's utilisation, reserved racks all year (load factor 1.0):
    # IT energy = 102 x 0.7 x 8.76 + 30 x 1.0 x 8.76 = 625.464 + 262.8 = 888.264 MWh
    #   (at utilisation for all 132 kW it would be 809.424 MWh);
    # facility  = 888.264 x 1.4 = 1243.5696 MWh; CO2 = 1243.5696 x 334.1 / 1000 = 415.47660336 t;
    # water     = 888.264 x 0.5 = 444.132 m3.
    expected = (132.0, 888.264, 1243.5696, 415.47660336, 444.132)
    for fp in (site_plan.footprint, hall_of(site_plan, "h1").footprint):
        got = (fp.it_power_kw, fp.it_energy_mwh, fp.facility_energy_mwh, fp.co2_tonnes, fp.water_m3)
        assert got == pytest.approx(expected, rel=1e-9)


def test_reserved_racks_alone_draw_power_in_a_hall_without_pools(build: Any) -> None:
    # no pools: 30 kW planned, all of it reserved; 30 x 8.76 = 262.8 MWh a year at load factor 1.0.
    site_plan = plan(build.site(halls=[_reserved_hall(build)], pools=[]))
    hall = hall_of(site_plan, "h1")
    assert (hall.planned_kw, hall.reserved_kw) == pytest.approx((30.0, 30.0), rel=REL)
    assert site_plan.footprint.it_energy_mwh == pytest.approx(262.8, rel=1e-9)
    assert (site_plan.nodes, site_plan.gpus) == (0, 0)


# --- design PUE: peak power at the design PUE, energy at the annual PUE -------------------------


def test_design_pue_sets_peak_facility_power_and_annual_pue_sets_energy(build: Any) -> None:
    site_plan = plan(build.site(pue=1.2, design_pue=1.5))
    assert (site_plan.pue, site_plan.design_pue) == (1.2, 1.5)
    # peak facility power = 102 kW x design PUE 1.5 = 153 kW (x 1.2 would be 122.4 kW)
    assert site_plan.facility_power_kw == pytest.approx(153.0, rel=REL)
    # IT energy = 102 x 0.7 x 8.76 = 625.464 MWh; facility = 625.464 x annual PUE 1.2 = 750.5568 MWh
    # (x 1.5 would be 938.196); CO2 = 750.5568 x 334.1 / 1000 = 250.76102688 t; water 312.732 m3.
    fp = site_plan.footprint
    got = (fp.it_energy_mwh, fp.facility_energy_mwh, fp.co2_tonnes, fp.water_m3)
    assert got == pytest.approx((625.464, 750.5568, 250.76102688, 312.732), rel=1e-9)


def test_design_pue_defaults_to_the_annual_pue(build: Any) -> None:
    # (a 0.5 MW feed: 1 MW would be more than 4 x the hall's 200 x 1.2 = 240 kW, GPUDC-UNITS-002)
    site_plan = plan(build.site(pue=1.2, utility_power_mw=0.5))
    assert site_plan.design_pue == 1.2
    assert site_plan.facility_power_kw == pytest.approx(122.4, rel=REL)  # 102 x 1.2


# --- managed pools: no hall, sized from the catalog ---------------------------------------------


def _managed_pool(build: Any, **overrides: Any) -> dict[str, Any]:
    pool: dict[str, Any] = build.pool(
        name="cks", hall=None, placement="managed", node_model="gb200-nvl72", nodes=36, **overrides
    )
    return pool


def test_managed_pool_is_sized_from_the_catalog_and_racked_nowhere(build: Any) -> None:
    # 36 nodes of gb200-nvl72 = 2 systems x 120 kW = 240 kW, 2 x 72 = 144 GPUs, no racks.
    site_plan = plan(build.site(pools=[_managed_pool(build), build.pool()]))
    cks = pool_of(site_plan, "cks")
    assert cks.managed
    assert cks.hall is None
    assert (cks.nodes, cks.systems, cks.gpus, cks.racks) == (36, 2, 144, ())
    assert cks.node_model.name == "gb200-nvl72"
    assert cks.gpu_model.name == "gb200"
    # 240 x 0.7 x 8.76 = 1471.68 MWh; x 1.4 = 2060.352 MWh; x 334.1 / 1000 = 688.3636032 t; 735.84 m3
    fp = cks.footprint
    got = (fp.it_power_kw, fp.it_energy_mwh, fp.facility_energy_mwh, fp.co2_tonnes, fp.water_m3)
    assert got == pytest.approx((240.0, 1471.68, 2060.352, 688.3636032, 735.84), rel=1e-9)
    # stack-file order is kept, managed pools included
    assert [pool.name for pool in site_plan.pools] == ["cks", "h100"]
    assert not pool_of(site_plan, "h100").managed


def test_managed_pool_counts_in_the_footprint_but_not_in_any_hall_or_the_feed(build: Any) -> None:
    # Hall: 1 row of 4 racks (1 reserved at 0 kW, 3 used by the 10 H100s), 120 kW -> 108 available,
    # 102 planned. Feed: 0.2 MW -> 180 kW available; racked 102 x 1.4 = 142.8 kW fits, and the
    # halls' 120 x 1.4 = 168 kW <= 200 kW. Were the managed 240 kW counted, the feed would see
    # (102 + 240) x 1.4 = 478.8 kW and the hall 342 kW: both errors.
    hall = build.hall(power_kw=120, rows=[{"name": "a", "racks": 4}])
    site_plan = plan(
        build.site(halls=[hall], pools=[build.pool(), _managed_pool(build)], utility_power_mw=0.2)
    )
    hall_plan = hall_of(site_plan, "h1")
    assert hall_plan.planned_kw == pytest.approx(102.0, rel=REL)
    assert hall_plan.footprint.it_power_kw == pytest.approx(102.0, rel=REL)
    assert hall_plan.racks_used == 3
    assert all(rack.rack.startswith("h1/") for rack in pool_of(site_plan, "h100").racks)
    assert site_plan.racked_it_power_kw == pytest.approx(102.0, rel=REL)
    assert site_plan.facility_power_kw == pytest.approx(142.8, rel=REL)
    # the footprint counts both: 342 kW; 342 x 0.7 x 8.76 = 2097.144 MWh; x 1.4 = 2936.0016 MWh;
    # x 334.1 / 1000 = 980.91813456 t; water 2097.144 x 0.5 = 1048.572 m3
    fp = site_plan.footprint
    got = (fp.it_power_kw, fp.it_energy_mwh, fp.facility_energy_mwh, fp.co2_tonnes, fp.water_m3)
    assert got == pytest.approx((342.0, 2097.144, 2936.0016, 980.91813456, 1048.572), rel=1e-9)
    assert (site_plan.nodes, site_plan.gpus) == (46, 224)  # 10 + 36 nodes; 80 + 144 GPUs


def test_site_of_managed_pools_only_plans_without_halls_or_feed(build: Any) -> None:
    site = build.site(halls=[], utility_power_mw=None, pools=[_managed_pool(build)])
    site_plan = plan(site)
    assert site_plan.halls == ()
    assert (site_plan.utility_kw, site_plan.available_facility_kw) == (None, None)
    assert (site_plan.racked_it_power_kw, site_plan.facility_power_kw) == (0, 0)
    assert site_plan.it_power_kw == pytest.approx(240.0, rel=REL)
    assert site_plan.footprint.it_energy_mwh == pytest.approx(1471.68, rel=1e-9)  # 240 x 0.7 x 8.76
    assert (site_plan.nodes, site_plan.gpus) == (36, 144)


def test_site_of_managed_pools_only_plans_as_a_whole_site(build: Any) -> None:
    # the derived model: capacity once, the site's one (short-form) cluster holding the pool
    site = build.site(halls=[], utility_power_mw=None, pools=[_managed_pool(build)])
    site_plan = plan_site(site, HARDWARE, "sites[0]")
    assert site_plan.capacity.halls == ()
    assert site_plan.capacity.it_power_kw == pytest.approx(240.0, rel=REL)
    assert [cluster.name for cluster in site_plan.clusters] == ["lab"]  # named after the site
    (pool,) = site_plan.pools
    assert (pool.name, pool.cluster, pool.site, pool.nodes, pool.gpus) == ("cks", "lab", "lab", 36, 144)
    assert pool.capacity.managed
    assert site_plan.findings == ()
