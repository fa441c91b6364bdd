"""Property: any site either fails with a SpecError, or its placement respects every rack.

Hall and utility power are mostly generous so the examples exercise placement itself, but a
share of halls are small (and cooling is random) so failing plans are generated too.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gpudc.catalog import NODE_MODELS
from gpudc.catalog.cooling import RACK_COOLING_LIMIT_KW
from gpudc.catalog.lookup import Hardware
from gpudc.core.errors import SpecError
from gpudc.site.capacity import plan_site, rack_ids
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
    return {
        "name": name,
        "power_kw": draw(st.sampled_from([100_000.0, 100_000.0, 100_000.0, 500.0, 50.0])),
        # weighted towards liquid cooling and common rack sizes, so that many plans succeed
        "cooling": draw(st.sampled_from(["air", "rear-door", "direct-liquid", "direct-liquid"])),
        "rack_power_kw": draw(
            st.one_of(
                st.floats(5, 150, allow_nan=False, allow_infinity=False),
                st.sampled_from([5.0, 40.0, 42.9, 45.0, 75.0, 132.0, 150.0]),
            )
        ),
        "rack_units": draw(st.one_of(st.integers(10, 52), st.sampled_from([42, 48, 52]))),
        "rows": rows,
        "network_racks": network,
        "storage_racks": storage,
    }


@st.composite
def pools(draw: st.DrawFn, hall_names: list[str]) -> list[dict[str, Any]]:
    out = []
    for index in range(draw(st.sampled_from([1, 2, 3, 4, 1, 2, 0]))):
        key = draw(st.sampled_from(MODEL_KEYS))
        per_system = NODE_MODELS[key].nodes_per_system
        # mostly a few systems (so they fit 1-48 racks), sometimes up to 200 nodes
        nodes = per_system * draw(st.one_of(st.integers(1, 6), st.integers(1, 200 // per_system)))
        out.append(
            {
                "name": f"pool{index}",
                "hall": draw(st.sampled_from(hall_names)),
                "node_model": key,
                "nodes": nodes,
                "provisioner": {"type": "existing"},
            }
        )
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
        site_plan = plan_site(site, HARDWARE, "sites[0]")
    except SpecError as exc:
        event("rejected: " + ", ".join(sorted({issue.path.rsplit(".", 1)[-1] for issue in exc.issues})))
        assert all(issue.path.startswith("sites[0].") for issue in exc.issues)
        return
    event(f"accepted with {len(site.pools)} pools")

    halls_by_name = {hall.name: hall for hall in site.halls}
    used: Counter[str] = Counter()
    for pool_spec, pool in zip(site.pools, site_plan.pools, strict=True):
        assert pool.name == pool_spec.name  # stack-file order
        hall = halls_by_name[pool_spec.hall]
        model = NODE_MODELS[pool_spec.node_model]
        ids = [f"{hall.name}/{rack}" for rack in rack_ids(hall)]
        reserved = set(ids[len(ids) - hall.network_racks - hall.storage_racks :])
        usable = set(ids) - reserved

        assert sum(rack.nodes for rack in pool.racks) == pool_spec.nodes
        assert pool.nodes == pool_spec.nodes
        assert pool.gpus == pool_spec.nodes * model.gpus_per_node
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
    for hall_plan in site_plan.halls:
        assert hall_plan.planned_kw <= hall_plan.available_kw + 1e-9
        assert hall_plan.racks_free >= 0
    assert site_plan.facility_power_kw <= site_plan.available_facility_kw + 1e-9
