"""One test per physical failure of `plan_site`: the path, the value and the fix, and that the fix works.

Default site (conftest): hall h1, rear-door, 200 kW, racks of 45 kW / 42U, rows a (3) + b (3),
1 network rack -> 5 usable racks; PUE 1.4, 10% headroom, utility 1.0 MW; pool h100 of 10 x
hgx-h100-8gpu (10.2 kW, 8U, 4 per 45 kW rack).
"""

from __future__ import annotations

from typing import Any

import pytest

from gpudc.catalog import NODE_MODELS
from gpudc.catalog.lookup import Hardware
from gpudc.core.errors import SpecError, SpecIssue
from gpudc.site.capacity import SitePlan, plan_site

HARDWARE = Hardware.with_overrides({}, {})
KNOWN_MODELS = (
    "['gb200-nvl72', 'hgx-a100-8gpu', 'hgx-b200-8gpu', 'hgx-h100-8gpu', 'hgx-h200-8gpu', 'l40s-pcie-8gpu']"
)


def plan(site: Any, hardware: Hardware = HARDWARE) -> SitePlan:
    return plan_site(site, hardware, "sites[0]")


def issues_of(site: Any, hardware: Hardware = HARDWARE) -> tuple[SpecIssue, ...]:
    with pytest.raises(SpecError) as caught:
        plan(site, hardware)
    return caught.value.issues


def only_issue(site: Any, hardware: Hardware = HARDWARE) -> SpecIssue:
    issues = issues_of(site, hardware)
    assert len(issues) == 1, [str(issue) for issue in issues]
    return issues[0]


# --- hall power --------------------------------------------------------------------------------


def test_over_hall_power(build: Any) -> None:
    # available 100 x 0.9 = 90 kW; planned 10 x 10.2 = 102 kW; excess 12 kW / 10.2 = 1.18 -> 2 nodes;
    # raise to ceil(102 / 0.9 = 113.3) = 114 kW.
    issue = only_issue(build.site(halls=[build.hall(power_kw=100)]))
    assert str(issue) == (
        "sites[0].halls[0].power_kw: hall h1: 102 kW planned, 90 kW available "
        "(100 kW less 10% headroom); move 2 nodes of pool h100 or raise "
        "sites[0].halls[0].power_kw to at least 114 kW"
    )


def test_over_hall_power_fixes_are_enough_and_minimal(build: Any) -> None:
    hall = build.hall(power_kw=100)
    assert plan(build.site(halls=[hall], pools=[build.pool(nodes=8)])).nodes == 8  # moved 2
    with pytest.raises(SpecError):
        plan(build.site(halls=[hall], pools=[build.pool(nodes=9)]))  # moved only 1
    assert plan(build.site(halls=[build.hall(power_kw=114)])).nodes == 10  # 114 x 0.9 = 102.6
    with pytest.raises(SpecError):
        plan(build.site(halls=[build.hall(power_kw=113)]))  # 113 x 0.9 = 101.7 < 102


def test_over_hall_power_names_the_last_pool_of_the_hall(build: Any) -> None:
    # p1 8 + p2 4 nodes = 122.4 kW vs 90 kW: excess 32.4 / 10.2 = 3.18 -> 4 nodes of p2;
    # raise to ceil(122.4 / 0.9) = 136 kW.
    pools = [build.pool(name="p1", nodes=8), build.pool(name="p2", nodes=4)]
    issue = only_issue(build.site(halls=[build.hall(power_kw=100)], pools=pools))
    assert issue.path == "sites[0].halls[0].power_kw"
    assert issue.message == (
        "hall h1: 122 kW planned, 90 kW available (100 kW less 10% headroom); move 4 nodes of "
        "pool p2 or raise sites[0].halls[0].power_kw to at least 136 kW"
    )


def test_over_hall_power_moves_whole_rack_scale_systems(build: Any) -> None:
    # 36 x GB200 = 2 x 120 = 240 kW vs 250 x 0.9 = 225 kW: excess 15 kW / (120 / 18 kW per node)
    # = 2.25 -> 3 nodes, rounded up to one whole 18-node system; raise to ceil(240 / 0.9) = 267.
    hall = build.hall(name="liquid", power_kw=250, cooling="direct-liquid", rack_power_kw=132, rack_units=48)
    pool = build.pool(name="nvl72", hall="liquid", node_model="gb200-nvl72", nodes=36)
    issue = only_issue(build.site(halls=[hall], pools=[pool]))
    assert str(issue) == (
        "sites[0].halls[0].power_kw: hall liquid: 240 kW planned, 225 kW available "
        "(250 kW less 10% headroom); move 18 nodes of pool nvl72 or raise "
        "sites[0].halls[0].power_kw to at least 267 kW"
    )


# --- site utility power ------------------------------------------------------------------------


def test_over_site_utility_power(build: Any) -> None:
    # facility 102 x 1.4 = 142.8 kW vs 0.1 MW x 0.9 = 90 kW; need 142.8 / 0.9 = 158.7 kW -> 0.16 MW.
    issue = only_issue(build.site(utility_power_mw=0.1))
    assert str(issue) == (
        "sites[0].utility_power_mw: site lab: 143 kW facility load planned (IT 102 kW x PUE 1.4), "
        "90 kW available after 10% headroom; raise utility_power_mw to at least 0.16 "
        "or plan fewer nodes"
    )


def test_utility_power_suggestion_is_rounded_up_so_it_suffices(build: Any) -> None:
    # 9 nodes: facility 91.8 x 1.4 = 128.52 kW; need 128.52 / 0.9 = 142.8 kW = 0.1428 MW.
    # Rounded to 0.14 MW it would give only 126 kW; the suggestion must be 0.15 (135 kW).
    pools = [build.pool(nodes=9)]
    issue = only_issue(build.site(utility_power_mw=0.1, pools=pools))
    assert issue.path == "sites[0].utility_power_mw"
    assert "(IT 92 kW x PUE 1.4)" in issue.message
    assert "raise utility_power_mw to at least 0.15 or plan fewer nodes" in issue.message
    assert plan(build.site(utility_power_mw=0.15, pools=pools)).nodes == 9
    with pytest.raises(SpecError):
        plan(build.site(utility_power_mw=0.14, pools=pools))


def test_utility_power_counts_every_hall(build: Any) -> None:
    # each hall alone is fine; together 2 x 10 x 10.2 x 1.4 = 285.6 kW > 0.3 MW x 0.9 = 270 kW.
    halls = [build.hall(), build.hall(name="h2")]
    pools = [build.pool(name="p1"), build.pool(name="p2", hall="h2")]
    assert plan(build.site(halls=halls, pools=pools[:1], utility_power_mw=0.3)).nodes == 10
    issue = only_issue(build.site(halls=halls, pools=pools, utility_power_mw=0.3))
    assert issue.path == "sites[0].utility_power_mw"
    assert "286 kW facility load planned (IT 204 kW x PUE 1.4), 270 kW available" in issue.message


# --- density and cooling -----------------------------------------------------------------------


def test_rack_above_air_cooling_limit(build: Any) -> None:
    # air removes 40 kW per rack (RACK_COOLING_LIMIT_KW); 4 x 10.2 = 40.8 kW racks are too hot.
    issue = only_issue(build.site(halls=[build.hall(cooling="air")]))
    assert str(issue) == (
        "sites[0].halls[0].cooling: hall h1: racks of pool h100 draw 40.8 kW, above the 40 kW air "
        "cooling removes from a rack; set sites[0].halls[0].cooling to rear-door or direct-liquid "
        "or lower sites[0].halls[0].rack_power_kw to 40 so fewer systems share a rack, got 'air'"
    )


def test_air_cooling_fixes_work(build: Any) -> None:
    # rack_power_kw 40 -> floor(40 / 10.2) = 3 per rack = 30.6 kW; 10 nodes -> 4 racks (3+3+3+1).
    lowered = plan(build.site(halls=[build.hall(cooling="air", rack_power_kw=40)]))
    assert [rack.systems for rack in lowered.pool("h100").racks] == [3, 3, 3, 1]
    assert plan(build.site(halls=[build.hall(cooling="rear-door")])).nodes == 10


def test_rack_above_rear_door_limit_suggests_only_direct_liquid(build: Any) -> None:
    # b200 14.3 kW / 10U in 100 kW / 60U racks: min(floor(6.99) = 6, 6) = 6 -> 85.8 kW > 75 kW.
    hall = build.hall(rack_power_kw=100, rack_units=60, power_kw=1000)
    pools = [build.pool(name="b200", node_model="hgx-b200-8gpu", nodes=12)]
    issue = only_issue(build.site(halls=[hall], pools=pools))
    assert issue.path == "sites[0].halls[0].cooling"
    assert issue.value == "rear-door"
    assert issue.message == (
        "hall h1: racks of pool b200 draw 85.8 kW, above the 75 kW rear-door cooling removes from a "
        "rack; set sites[0].halls[0].cooling to direct-liquid or lower "
        "sites[0].halls[0].rack_power_kw to 75 so fewer systems share a rack"
    )


def test_rack_beyond_every_cooling_type(build: Any) -> None:
    # a stack-defined 160 kW, 10U system: one per rack is already past direct-liquid's 150 kW.
    hot = NODE_MODELS["hgx-b200-8gpu"].model_copy(
        update={"name": "hot-box", "max_power_kw": 160.0, "cooling": NODE_MODELS["gb200-nvl72"].cooling}
    )
    hardware = Hardware.with_overrides({}, {"hot-box": hot})
    hall = build.hall(cooling="direct-liquid", rack_power_kw=200, power_kw=1000)
    issue = only_issue(build.site(halls=[hall], pools=[build.pool(node_model="hot-box", nodes=1)]), hardware)
    assert issue.path == "sites[0].halls[0].cooling"
    assert "racks of pool h100 draw 160 kW, above the 150 kW direct-liquid cooling" in issue.message
    assert (
        "no cooling type gpudc knows removes the heat of one such system; use another node model"
        in issue.message
    )


def test_liquid_cooled_model_in_an_air_hall(build: Any) -> None:
    pools = [build.pool(name="nvl72", node_model="gb200-nvl72", nodes=36)]
    issue, *rest = issues_of(build.site(halls=[build.hall(cooling="air")], pools=pools))
    # The pool still counts: its 120 kW systems fit no 45 kW rack and its 240 kW overrun the hall,
    # and both are said now rather than after the cooling is fixed.
    assert [other.path for other in rest] == ["sites[0].pools[0].hall", "sites[0].halls[0].power_kw"]
    assert str(issue) == (
        "sites[0].pools[0].hall: gb200-nvl72 needs direct-liquid cooling but hall h1 has air; move "
        "the pool to a hall with direct-liquid cooling or change sites[0].halls[0].cooling, got 'h1'"
    )


def test_cooling_mismatch_path_names_the_pools_hall(build: Any) -> None:
    # the pool is the second one and sits in the second hall: both indexes must follow.
    halls = [build.hall(cooling="direct-liquid"), build.hall(name="h2", cooling="rear-door")]
    pools = [build.pool(nodes=1), build.pool(name="nvl72", hall="h2", node_model="gb200-nvl72", nodes=18)]
    issue = issues_of(build.site(halls=halls, pools=pools))[0]
    assert issue.path == "sites[0].pools[1].hall"
    assert issue.message.endswith("or change sites[0].halls[1].cooling")


# --- a system that fits no rack ----------------------------------------------------------------


def test_system_above_rack_power(build: Any) -> None:
    issue = only_issue(build.site(halls=[build.hall(rack_power_kw=8)]))
    assert str(issue) == (
        "sites[0].pools[0].hall: one hgx-h100-8gpu system needs 10.2 kW and 8U but a rack of hall h1 "
        "gives 8 kW and 42U; raise sites[0].halls[0].rack_power_kw / rack_units or use another hall, "
        "got 'h1'"
    )


def test_system_taller_than_rack(build: Any) -> None:
    issue = only_issue(build.site(halls=[build.hall(rack_units=6)]))
    assert issue.path == "sites[0].pools[0].hall"
    assert "needs 10.2 kW and 8U but a rack of hall h1 gives 45 kW and 6U" in issue.message


def test_unfit_pool_does_not_stop_the_others(build: Any) -> None:
    # l40s (5 kW, 5U) fits a 9 kW rack; the H100 (10.2 kW) does not: one issue, for pools[0] only.
    hall = build.hall(rack_power_kw=9)
    pools = [build.pool(nodes=1), build.pool(name="l40s", node_model="l40s-pcie-8gpu", nodes=1)]
    issue = only_issue(build.site(halls=[hall], pools=pools))
    assert issue.path == "sites[0].pools[0].hall"


# --- too few racks -----------------------------------------------------------------------------


def test_too_few_racks(build: Any) -> None:
    # 30 nodes at 4 per rack need ceil(30 / 4) = 8 racks; 6 - 1 reserved = 5 usable;
    # 5 racks hold 20 nodes -> move 30 - 20 = 10.
    # (a 1 MW hall, so that the 20 nodes the fix leaves also fit the hall's power budget)
    big = [build.hall(power_kw=1000)]
    issue = only_issue(build.site(halls=big, pools=[build.pool(nodes=30)]))
    assert str(issue) == (
        "sites[0].halls[0].rows: hall h1 has too few racks: 5 usable of 6 (1 reserved); pool h100 "
        "needs 8 racks, 5 left (move 10 of its nodes); add racks to sites[0].halls[0].rows or move "
        "those nodes to another hall"
    )
    assert plan(build.site(halls=big, pools=[build.pool(nodes=20)])).hall("h1").racks_free == 0


def test_too_few_racks_for_later_pools(build: Any) -> None:
    # p1: 12 nodes -> 3 racks; p2: 12 nodes -> 3 racks, 2 left -> keeps 8, move 4;
    # p3: 1 node -> 1 rack, 0 left -> move 1. One issue for the hall, listing both pools.
    pools = [build.pool(name="p1", nodes=12), build.pool(name="p2", nodes=12), build.pool(name="p3", nodes=1)]
    big = [build.hall(power_kw=1000)]
    issue = only_issue(build.site(halls=big, pools=pools))
    assert issue.path == "sites[0].halls[0].rows"
    assert issue.message == (
        "hall h1 has too few racks: 5 usable of 6 (1 reserved); pool p2 needs 3 racks, 2 left "
        "(move 4 of its nodes); pool p3 needs 1 rack, 0 left (move 1 of its nodes); add racks to "
        "sites[0].halls[0].rows or move those nodes to another hall"
    )
    fixed = [build.pool(name="p1", nodes=12), build.pool(name="p2", nodes=8)]
    assert plan(build.site(halls=big, pools=fixed)).hall("h1").racks_used == 5


def test_too_few_racks_counts_whole_rack_scale_systems(build: Any) -> None:
    # 3 GB200 systems (54 nodes), one per rack, 2 racks -> move 54 - 2 x 18 = 18 nodes.
    hall = build.hall(
        name="liquid",
        power_kw=1000,
        cooling="direct-liquid",
        rack_power_kw=132,
        rack_units=48,
        rows=[{"name": "a", "racks": 2}],
        network_racks=0,
    )
    pool = build.pool(name="nvl72", hall="liquid", node_model="gb200-nvl72", nodes=54)
    issue = only_issue(build.site(halls=[hall], pools=[pool]))
    assert issue.path == "sites[0].halls[0].rows"
    assert (
        "2 usable of 2 (0 reserved); pool nvl72 needs 3 racks, 2 left (move 18 of its nodes)" in issue.message
    )


# --- unknown names -----------------------------------------------------------------------------


def test_unknown_node_model(build: Any) -> None:
    issue = only_issue(build.site(pools=[build.pool(node_model="hgx-h999")]))
    assert str(issue) == (
        f"sites[0].pools[0].node_model: unknown node model; use one of {KNOWN_MODELS} "
        "or define it under node_models, got 'hgx-h999'"
    )


def test_stack_defined_node_model_is_known(build: Any) -> None:
    custom = NODE_MODELS["hgx-h100-8gpu"].model_copy(update={"name": "my-h100"})
    hardware = Hardware.with_overrides({}, {"my-h100": custom})
    assert plan(build.site(pools=[build.pool(node_model="my-h100")]), hardware).gpus == 80


def test_node_model_with_unknown_gpu(build: Any) -> None:
    custom = NODE_MODELS["hgx-h100-8gpu"].model_copy(update={"name": "my-box", "gpu_model": "h999"})
    hardware = Hardware.with_overrides({}, {"my-box": custom})
    issue = only_issue(build.site(pools=[build.pool(node_model="my-box")]), hardware)
    assert issue.path == "sites[0].pools[0].node_model"
    assert issue.value == "my-box"
    assert "names GPU model 'h999', which is unknown" in issue.message
    assert issue.message.endswith("or define it under gpu_models")


def test_unknown_hall(build: Any) -> None:
    issue = only_issue(build.site(pools=[build.pool(hall="nope")]))
    assert str(issue) == "sites[0].pools[0].hall: is not a hall of site lab; use one of ['h1'], got 'nope'"


def test_unknown_hall_and_unknown_model_of_one_pool_are_both_reported(build: Any) -> None:
    issues = issues_of(build.site(pools=[build.pool(hall="nope", node_model="hgx-h999")]))
    assert [issue.path for issue in issues] == ["sites[0].pools[0].hall", "sites[0].pools[0].node_model"]


# --- everything at once ------------------------------------------------------------------------


def test_every_problem_is_reported_in_one_error(build: Any) -> None:
    pools = [
        build.pool(name="ok", nodes=10),  # 102 kW in a 100 kW hall (90 available)
        build.pool(name="bad-model", node_model="hgx-h999", nodes=1),
        build.pool(name="bad-hall", hall="nope", nodes=1),
        build.pool(name="bad-count", hall="h1", node_model="gb200-nvl72", nodes=20),
    ]
    site = build.site(halls=[build.hall(power_kw=100)], pools=pools, utility_power_mw=0.1)
    with pytest.raises(SpecError) as caught:
        plan(site)
    error = caught.value
    assert [issue.path for issue in error.issues] == [
        "sites[0].pools[1].node_model",
        "sites[0].pools[2].hall",
        "sites[0].pools[3].nodes",
        "sites[0].halls[0].power_kw",
        "sites[0].utility_power_mw",  # 102 x 1.4 = 142.8 kW > 90 kW
    ]
    assert str(error).startswith(
        "5 problems in the spec:\n  sites[0].pools[1].node_model: unknown node model"
    )
    assert len(str(error).splitlines()) == 6


# --- one problem never hides another ------------------------------------------------------------


def test_a_rack_shortage_does_not_hide_hot_racks(build: Any) -> None:
    # Air hall, 45 kW racks, 1 rack usable of 2: 12 H100 systems need 3 racks of 4 (40.8 kW each),
    # which is both too few racks and above air's 40 kW.
    hall = build.hall(cooling="air", power_kw=1000, rows=[{"name": "a", "racks": 2}])
    paths = [issue.path for issue in issues_of(build.site(halls=[hall], pools=[build.pool(nodes=12)]))]
    assert paths == ["sites[0].halls[0].rows", "sites[0].halls[0].cooling"]


def test_a_pool_in_an_unknown_hall_still_counts_against_site_power(build: Any) -> None:
    # 10 x 10.2 kW = 102 kW IT, x 1.4 PUE = 142.8 kW facility > 90 kW (0.1 MW less 10%).
    site = build.site(utility_power_mw=0.1, pools=[build.pool(hall="nowhere")])
    assert [issue.path for issue in issues_of(site)] == [
        "sites[0].pools[0].hall",
        "sites[0].utility_power_mw",
    ]
