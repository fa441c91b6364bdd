"""Property: any site either fails with a SpecError, or its placement respects every rack and its
budgets add up (nodes, reserved racks and managed pools each counted where they belong).

Hall and utility power are mostly generous so the examples exercise placement itself, but a
share of halls are small (and cooling is random) so failing plans are generated too.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gpudc.catalog import NODE_MODELS
from gpudc.catalog.cooling import RACK_COOLING_LIMIT_KW
from gpudc.catalog.lookup import Hardware
from gpudc.core.errors import SpecError
from gpudc.core.findings import CHECKS, Severity
from gpudc.site.capacity import HOURS_PER_YEAR, plan_capacity, rack_ids
from gpudc.site.spec import SiteSpec

HARDWARE = Hardware.with_overrides({}, {})
# every catalog model, the single-node ones twice: a GB200 NVL72 fits few generated halls
MODEL_KEYS = sorted(NODE_MODELS) + sorted(k for k, m in NODE_MODELS.items() if m.nodes_per_system == 1)
ROW_NAMES = ("a", "b", "c", "d")
HALL_NAMES = ("hall0", "hall1")  # neither is a prefix of the other plus '-', so rack ids cannot clash


@st.composite
def halls(draw: st.DrawFn, name: str) -> dict[str, Any]:
    racks = [
        draw(st.one_of(st.integers(8, 12), st.integers(1, 12)))
        for _ in range(draw(st.sampled_from([4, 3, 2, 1])))
    ]
    rows = [{"name": ROW_NAMES[i], "racks": count} for i, count in enumerate(racks)]
    total = sum(racks)
    # reserved racks anywhere within bounds, but mostly few, so that racks are left for pools
    network = draw(st.one_of(st.integers(0, min(2, total)), st.integers(0, total)))
    storage = draw(st.one_of(st.integers(0, min(1, total - network)), st.integers(0, total - network)))
    rack_power_kw = draw(
        st.one_of(
            st.floats(5, 150, allow_nan=False, allow_infinity=False),
            st.sampled_from([5.0, 40.0, 42.9, 45.0, 75.0, 132.0, 150.0]),
        )
    )
    # reserved racks draw a share of a rack position's power, or leave it unstated (a warning)
    reserved_kw = st.one_of(st.none(), st.just(0.0), st.floats(0, 1).map(lambda share: share * rack_power_kw))
    return {
        "name": name,
        "power_kw": draw(st.sampled_from([100_000.0, 100_000.0, 100_000.0, 500.0, 50.0])),
        # weighted towards liquid cooling and common rack sizes, so that many plans succeed
        "cooling": draw(st.sampled_from(["air", "rear-door", "direct-liquid", "direct-liquid"])),
        "rack_power_kw": rack_power_kw,
        "rack_units": draw(st.one_of(st.integers(10, 52), st.sampled_from([42, 48, 52]))),
        "rows": rows,
        "network_racks": network,
        "network_rack_kw": draw(reserved_kw),
        "storage_racks": storage,
        "storage_rack_kw": draw(reserved_kw),
    }


@st.composite
def pools(draw: st.DrawFn, hall_names: list[str]) -> list[dict[str, Any]]:
    out = []
    for index in range(draw(st.sampled_from([1, 2, 3, 4, 1, 2, 0]))):
        key = draw(st.sampled_from(MODEL_KEYS))
        per_system = NODE_MODELS[key].nodes_per_system
        # mostly a few systems (so they fit 1-48 racks), sometimes up to 200 nodes
        nodes = per_system * draw(st.one_of(st.integers(1, 6), st.integers(1, 200 // per_system)))
        # one pool in five is managed: no hall, counted in the footprint only
        placement = draw(st.sampled_from(["racked", "racked", "racked", "racked", "managed"]))
        pool: dict[str, Any] = {
            "name": f"pool{index}",
            "placement": placement,
            "node_model": key,
            "nodes": nodes,
            "provisioner": {"type": "existing"},
        }
        if placement == "racked":
            pool["hall"] = draw(st.sampled_from(hall_names))
        out.append(pool)
    return out


@st.composite
def sites(draw: st.DrawFn) -> SiteSpec:
    hall_list = [draw(halls(name)) for name in HALL_NAMES[: draw(st.integers(1, 2))]]
    return SiteSpec.model_validate(
        {
            "name": "prop",
            "location": {"city": "Plano", "country": "US"},
            "region": "r",
            "zone": "z",
            "utility_power_mw": draw(st.sampled_from([1000.0, 1000.0, 1000.0, 0.5])),
            "pue": 1.3,
            "design_pue": draw(st.sampled_from([None, 1.3, 1.5])),
            "wue_l_per_kwh": 0.5,
            "grid_carbon_g_per_kwh": 300.0,
            "utilisation": 0.7,
            "kubernetes": {"type": "context", "context": "c"},
            "halls": hall_list,
            "pools": draw(pools([hall["name"] for hall in hall_list])),
            "gpu_operator": {"chart_version": "v26.7.0", "driver": {"mode": "operator"}},
        }
    )


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(site=sites())
def test_placement_respects_racks_or_fails_with_spec_error(site: SiteSpec) -> None:
    try:
        capacity = plan_capacity(site, HARDWARE, "sites[0]")
    except SpecError as exc:
        event("rejected: " + ", ".join(sorted({issue.code for issue in exc.issues if issue.is_error})))
        assert exc.errors, "a SpecError from planning carries at least one error"
        assert all(issue.path.startswith("sites[0].") for issue in exc.issues)
        assert all(CHECKS[issue.code].severity is issue.severity for issue in exc.issues)
        return
    event(f"accepted with {len(site.pools)} pools")
    assert all(finding.severity is Severity.WARNING for finding in capacity.findings)
    assert all(finding.path.startswith("sites[0].") for finding in capacity.findings)

    halls_by_name = {hall.name: hall for hall in site.halls}
    used: Counter[str] = Counter()
    hall_kw: defaultdict[str, float] = defaultdict(float)
    managed_kw = 0.0
    for pool_spec, pool in zip(site.pools, capacity.pools, strict=True):
        assert pool.name == pool_spec.name  # stack-file order
        model = NODE_MODELS[pool_spec.node_model]
        assert pool.nodes == pool_spec.nodes
        assert pool.gpus == pool_spec.nodes * model.gpus_per_node
        assert pool.footprint.it_power_kw == pytest.approx(pool.systems * model.max_power_kw, rel=1e-12)
        if pool.managed:
            assert pool.racks == ()
            assert pool.hall is None
            managed_kw += pool.footprint.it_power_kw
            continue
        assert pool_spec.hall is not None
        hall = halls_by_name[pool_spec.hall]
        hall_kw[hall.name] += pool.footprint.it_power_kw
        ids = [f"{hall.name}/{rack}" for rack in rack_ids(hall)]
        reserved = set(ids[len(ids) - hall.network_racks - hall.storage_racks :])
        usable = set(ids) - reserved

        assert sum(rack.nodes for rack in pool.racks) == pool_spec.nodes
        for rack in pool.racks:
            used[rack.rack] += 1
            assert rack.rack in usable, (rack.rack, sorted(reserved))
            assert rack.systems >= 1
            assert rack.nodes == rack.systems * model.nodes_per_system
            assert rack.power_kw <= hall.rack_power_kw + 1e-9
            assert rack.units <= hall.rack_units
            assert rack.power_kw <= RACK_COOLING_LIMIT_KW[hall.cooling] + 1e-9
        # racks are filled as far as kW and U allow: every rack but the last has no room for one more
        for rack in pool.racks[:-1]:
            no_more_power = (rack.systems + 1) * model.max_power_kw > hall.rack_power_kw + 1e-9
            no_more_units = (rack.systems + 1) * model.rack_units > hall.rack_units
            assert no_more_power or no_more_units
        assert len(pool.racks) == math.ceil(pool.systems / pool.racks[0].systems)

    assert [rack for rack, count in used.items() if count > 1] == []
    reserved_total = 0.0
    for hall_spec, hall_plan in zip(site.halls, capacity.halls, strict=True):
        reserved_kw = hall_spec.network_racks * (
            hall_spec.network_rack_kw or 0.0
        ) + hall_spec.storage_racks * (hall_spec.storage_rack_kw or 0.0)
        reserved_total += reserved_kw
        assert hall_plan.reserved_kw == pytest.approx(reserved_kw, rel=1e-9, abs=1e-9)
        assert hall_plan.planned_kw == pytest.approx(
            hall_kw[hall_spec.name] + reserved_kw, rel=1e-9, abs=1e-9
        )
        assert hall_plan.planned_kw <= hall_plan.available_kw + 1e-9
        assert hall_plan.racks_free >= 0
    assert capacity.racked_it_power_kw == pytest.approx(
        sum(hall_kw.values()) + reserved_total, rel=1e-9, abs=1e-9
    )
    assert capacity.it_power_kw == pytest.approx(capacity.racked_it_power_kw + managed_kw, rel=1e-9, abs=1e-9)
    # nodes at the site's utilisation, reserved racks all year
    expected_mwh = (sum(hall_kw.values()) + managed_kw) * site.utilisation * HOURS_PER_YEAR / 1000
    expected_mwh += reserved_total * HOURS_PER_YEAR / 1000
    assert capacity.footprint.it_energy_mwh == pytest.approx(expected_mwh, rel=1e-9, abs=1e-9)
    assert capacity.facility_power_kw == pytest.approx(capacity.racked_it_power_kw * site.peak_pue, rel=1e-12)
    assert capacity.available_facility_kw is not None
    assert capacity.facility_power_kw <= capacity.available_facility_kw + 1e-9
