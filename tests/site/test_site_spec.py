"""Validation of a site in a stack file, through the same entry point as `pulumi up`.

Each case breaks one field of the conftest's valid site and pins the exact line a stack-file
author reads (`path: message, got value`). Model-level checks (unique names, reserved racks,
the cluster forms) print no value: echoing the whole mapping back would tell the author nothing.
Every number is bounded and finite: `.inf`, `.nan` and huge numbers are refused with a path,
never an OverflowError or an infinite budget that switches a check off.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from gpudc.catalog import NODE_MODELS
from gpudc.core.errors import SpecError
from gpudc.core.findings import Finding
from gpudc.core.project import read_yaml
from gpudc.environment.load import parse_environment
from gpudc.environment.plan import plan_environment
from gpudc.site.spec import HallSpec, SiteSpec

STACKS = Path(__file__).resolve().parents[2] / "stacks"


def parse_site(site: dict[str, Any]) -> Any:
    return parse_environment({"sites": [site]})


def issues_of(site: dict[str, Any]) -> tuple[Finding, ...]:
    with pytest.raises(SpecError) as caught:
        parse_site(site)
    assert {issue.code for issue in caught.value.issues} == {"GPUDC-SPEC-001"}
    return caught.value.issues


def without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


def test_builder_site_is_valid(build: Any) -> None:
    env = parse_site(build.data())
    (site,) = env.sites
    assert isinstance(site, SiteSpec)
    assert site.halls[0].total_racks == 6
    assert site.power_headroom == 0.1


def test_lab_stack_site_is_valid_and_plans() -> None:
    raw = yaml.safe_load((STACKS / "Pulumi.lab.yaml").read_text())["config"]["gpudc:environment"]
    env = parse_environment(raw)
    environment = plan_environment(env, inventory_dir=STACKS)
    assert environment.findings == ()
    capacity = environment.sites["lab"].capacity
    # 4 x hgx-h100-8gpu at 10.2 kW, 4 per 50 kW rack -> one rack of 40.8 kW, 32 GPUs.
    assert (capacity.nodes, capacity.gpus) == (4, 32)
    (hall,) = capacity.halls
    assert (hall.name, hall.racks_used) == ("lab", 1)
    assert capacity.it_power_kw == pytest.approx(40.8, rel=1e-12)


# (id, change to the builder's site, exact str(issue))
SITE = "sites[0]"
HALL = "sites[0].halls[0]"
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("negative-hall-power", {"hall": {"power_kw": -5}}, f"{HALL}.power_kw: must be >= 0.01, got -5"),
    ("zero-hall-power", {"hall": {"power_kw": 0}}, f"{HALL}.power_kw: must be >= 0.01, got 0"),
    (
        "negative-utility-power",
        {"site": {"utility_power_mw": -1}},
        f"{SITE}.utility_power_mw: must be >= 0.001, got -1",
    ),
    ("pue-below-1", {"site": {"pue": 0.9}}, f"{SITE}.pue: must be >= 1.0, got 0.9"),
    ("pue-above-3", {"site": {"pue": 3.5}}, f"{SITE}.pue: must be <= 3.0, got 3.5"),
    ("negative-wue", {"site": {"wue_l_per_kwh": -0.1}}, f"{SITE}.wue_l_per_kwh: must be >= 0.0, got -0.1"),
    (
        "grid-carbon-too-high",
        {"site": {"grid_carbon_g_per_kwh": 2001}},
        f"{SITE}.grid_carbon_g_per_kwh: must be <= 2000.0, got 2001",
    ),
    ("utilisation-above-1", {"site": {"utilisation": 1.5}}, f"{SITE}.utilisation: must be <= 1.0, got 1.5"),
    ("headroom-half", {"site": {"power_headroom": 0.5}}, f"{SITE}.power_headroom: must be < 0.5, got 0.5"),
    (
        "unknown-cooling",
        {"hall": {"cooling": "immersion"}},
        f"{HALL}.cooling: must be one of 'air', 'rear-door' or 'direct-liquid', got 'immersion'",
    ),
    ("rack-units-61", {"hall": {"rack_units": 61}}, f"{HALL}.rack_units: must be <= 60, got 61"),
    (
        "rack-units-fraction",
        {"hall": {"rack_units": 42.5}},
        f"{HALL}.rack_units: must be a whole number, got 42.5",
    ),
    (
        "rack-units-string",
        {"hall": {"rack_units": "42"}},
        f"{HALL}.rack_units: must be a whole number, got '42'",
    ),
    (
        "rack-power-above-500",
        {"hall": {"rack_power_kw": 501}},
        f"{HALL}.rack_power_kw: must be <= 500.0, got 501",
    ),
    (
        "negative-network-racks",
        {"hall": {"network_racks": -1}},
        f"{HALL}.network_racks: must be >= 0, got -1",
    ),
    (
        "row-of-0-racks",
        {"hall": {"rows": [{"name": "a", "racks": 0}]}},
        f"{HALL}.rows[0].racks: must be > 0, got 0",
    ),
    (
        "row-of-201-racks",
        {"hall": {"rows": [{"name": "a", "racks": 201}]}},
        f"{HALL}.rows[0].racks: must be <= 200, got 201",
    ),
    ("zero-nodes", {"pool": {"nodes": 0}}, "sites[0].pools[0].nodes: must be > 0, got 0"),
    (
        "misspelt-hall-field",
        {"hall": {"rack_power": 45}},
        f"{HALL}.rack_power: is not a known field; remove it or check its spelling, got 45",
    ),
    (
        "unknown-site-field",
        {"site": {"power_mw": 1}},
        f"{SITE}.power_mw: is not a known field; remove it or check its spelling, got 1",
    ),
    (
        "unknown-row-field",
        {"hall": {"rows": [{"name": "a", "racks": 2, "power_kw": 40}]}},
        f"{HALL}.rows[0].power_kw: is not a known field; remove it or check its spelling, got 40",
    ),
    ("missing-pue", {"site_without": "pue"}, f"{SITE}.pue: is required; add it"),
    (
        "missing-utility-power",
        {"site_without": "utility_power_mw"},
        f"{SITE}.utility_power_mw: is required for a site with halls; give the contracted feed in MW",
    ),
    (
        "utility-power-above-5000",
        {"site": {"utility_power_mw": 5001}},
        f"{SITE}.utility_power_mw: must be <= 5000.0, got 5001",
    ),
    ("design-pue-above-3", {"site": {"design_pue": 3.5}}, f"{SITE}.design_pue: must be <= 3.0, got 3.5"),
    (
        "design-pue-below-pue",
        {"site": {"design_pue": 1.3}},
        f"{SITE}.design_pue: 1.3 is below the annual pue (1.4); peak PUE is at least the annual one, "
        "so raise design_pue or omit it",
    ),
    (
        "hall-power-above-1-gw",
        {"hall": {"power_kw": 1_000_001}},
        f"{HALL}.power_kw: must be <= 1000000.0, got 1000001",
    ),
    (
        "negative-network-rack-kw",
        {"hall": {"network_rack_kw": -1}},
        f"{HALL}.network_rack_kw: must be >= 0.0, got -1",
    ),
    (
        "storage-rack-kw-above-500",
        {"hall": {"storage_racks": 1, "storage_rack_kw": 501}},
        f"{HALL}.storage_rack_kw: must be <= 500.0, got 501",
    ),
    (
        "network-rack-kw-above-rack-power",
        {"hall": {"network_rack_kw": 50}},
        f"{HALL}.network_rack_kw: 50 kW is more than a rack position of this hall takes "
        "(rack_power_kw 45 kW); lower it or raise rack_power_kw",
    ),
    (
        "unknown-placement",
        {"pool": {"placement": "cloud"}},
        "sites[0].pools[0].placement: must be one of 'racked' or 'managed', got 'cloud'",
    ),
    (
        "managed-pool-with-a-hall",
        {"pool": {"placement": "managed"}},
        "sites[0].pools[0].hall: a managed pool has no hall of ours; remove `hall: h1` or set `placement: racked`",
    ),
    (
        "racked-pool-without-a-hall",
        {"pool": {"hall": None}},
        "sites[0].pools[0].hall: is required for a racked pool: name the hall whose racks hold it, or set "
        "`placement: managed` for capacity a provider racks",
    ),
    ("missing-rack-units", {"hall_without": "rack_units"}, f"{HALL}.rack_units: is required; add it"),
    ("missing-row-racks", {"hall": {"rows": [{"name": "a"}]}}, f"{HALL}.rows[0].racks: is required; add it"),
]


def _apply(build: Any, change: dict[str, Any]) -> dict[str, Any]:
    hall = build.hall(**change.get("hall", {}))
    if "hall_without" in change:
        hall = without(hall, change["hall_without"])
    site: dict[str, Any] = build.data(
        halls=[hall], pools=[build.pool(**change.get("pool", {}))], **change.get("site", {})
    )
    if "site_without" in change:
        site = without(site, change["site_without"])
    return site


@pytest.mark.parametrize(
    ("change", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_single_field_problem(build: Any, change: dict[str, Any], expected: str) -> None:
    issues = issues_of(_apply(build, change))
    assert [str(issue) for issue in issues] == [expected]


# --- model-level checks: path and message (the value shown is the whole hall or site) ----------


def test_duplicate_hall_names(build: Any) -> None:
    (issue,) = issues_of(build.data(halls=[build.hall(), build.hall(power_kw=10)]))
    assert issue.path == "sites[0].halls"
    assert str(issue) == "sites[0].halls: names in halls must be unique; rename ['h1']"


def test_duplicate_pool_names(build: Any) -> None:
    (issue,) = issues_of(build.data(pools=[build.pool(), build.pool(nodes=1)]))
    assert issue.path == "sites[0].pools"
    assert issue.message == "names in pools must be unique; rename ['h100']"


def test_duplicate_halls_and_pools_each_at_their_path(build: Any) -> None:
    issues = issues_of(build.data(halls=[build.hall(), build.hall()], pools=[build.pool(), build.pool()]))
    assert [str(issue) for issue in issues] == [
        "sites[0].halls: names in halls must be unique; rename ['h1']",
        "sites[0].pools: names in pools must be unique; rename ['h100']",
    ]


def test_duplicate_row_names(build: Any) -> None:
    rows = [{"name": "a", "racks": 2}, {"name": "a", "racks": 3}]
    (issue,) = issues_of(build.data(halls=[build.hall(rows=rows)]))
    assert issue.path == "sites[0].halls[0].rows"
    assert issue.message == "names in rows must be unique; rename ['a']"


def test_reserved_racks_above_total_racks(build: Any) -> None:
    # 6 racks; 4 network + 3 storage = 7 reserved.
    (issue,) = issues_of(build.data(halls=[build.hall(network_racks=4, storage_racks=3)]))
    assert issue.path == "sites[0].halls[0].network_racks"
    assert issue.message == (
        "network_racks + storage_racks = 7 but the hall has only 6 racks; add rows or reserve fewer racks"
    )


def test_reserving_every_rack_is_allowed(build: Any) -> None:
    hall = HallSpec.model_validate(build.hall(network_racks=3, storage_racks=3))
    assert hall.total_racks == 6
    parse_site(build.data(halls=[build.hall(network_racks=3, storage_racks=3)], pools=[]))


@pytest.mark.parametrize(("field", "where"), [("power_kw", "hall"), ("utility_power_mw", "site")])
@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_power_budgets_must_be_finite(build: Any, field: str, where: str, value: float) -> None:
    # an infinite budget would switch the hall or site power check off.
    if where == "hall":
        site, path = build.data(halls=[build.hall(**{field: value})]), f"sites[0].halls[0].{field}"
    else:
        site, path = build.data(**{field: value}), f"sites[0].{field}"
    (issue,) = issues_of(site)
    assert issue.path == path
    assert "finite number" in issue.message


def test_every_field_problem_is_reported_at_once(build: Any) -> None:
    site = build.data(halls=[build.hall(power_kw=-5, rack_units=61, cooling="x")], pue=0.5, bogus=1)
    issues = issues_of(site)
    assert sorted(issue.path for issue in issues) == [
        "sites[0].bogus",
        "sites[0].halls[0].cooling",
        "sites[0].halls[0].power_kw",
        "sites[0].halls[0].rack_units",
        "sites[0].pue",
    ]


# --- the site's clusters: short form or a list ---------------------------------------------------


def _cluster(name: str, context: str) -> dict[str, Any]:
    return {
        "name": name,
        "kubernetes": {"type": "context", "context": context},
        "gpu_operator": {"chart_version": "v26.7.0", "driver": {"mode": "operator"}},
    }


def _long_form(build: Any, clusters: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    site = without(without(build.data(**overrides), "kubernetes"), "gpu_operator")
    site["clusters"] = clusters
    return site


def test_short_form_is_one_cluster_named_after_the_site(build: Any) -> None:
    (site,) = parse_site(build.data()).sites
    ((path, cluster),) = site.cluster_specs
    assert (path, cluster.name, cluster.kubernetes.context) == ("", "lab", "gpudc-lab")
    assert cluster.gpu_operator.chart_version == "v26.7.0"


def test_clusters_list_gives_each_cluster_its_path(build: Any) -> None:
    clusters = [_cluster("prod", "ctx-prod"), _cluster("staging", "ctx-staging")]
    pools = [build.pool(cluster="prod"), build.pool(name="h100-staging", cluster="staging", nodes=1)]
    (site,) = parse_site(_long_form(build, clusters, pools=pools)).sites
    assert [(path, cluster.name) for path, cluster in site.cluster_specs] == [
        ("clusters[0]", "prod"),
        ("clusters[1]", "staging"),
    ]
    assert [pool.cluster for pool in site.pools] == ["prod", "staging"]


def test_short_form_beside_a_clusters_list_is_refused(build: Any) -> None:
    issues = issues_of(build.data(clusters=[_cluster("prod", "ctx-prod")]))
    assert [str(issue) for issue in issues] == [
        f"sites[0].{key}: goes inside each of `clusters` when the site lists clusters"
        for key in ("kubernetes", "gpu_operator")
    ]


@pytest.mark.parametrize("missing", [("kubernetes",), ("gpu_operator",), ("kubernetes", "gpu_operator")])
def test_a_site_needs_a_cluster(build: Any, missing: tuple[str, ...]) -> None:
    site = build.data()
    for key in missing:
        site = without(site, key)
    assert [str(issue) for issue in issues_of(site)] == [
        f"sites[0].{key}: is required: a site needs a cluster (set `kubernetes` and `gpu_operator`, or list "
        "`clusters`)"
        for key in missing
    ]


def test_duplicate_cluster_names(build: Any) -> None:
    (issue,) = issues_of(_long_form(build, [_cluster("prod", "a"), _cluster("prod", "b")]))
    assert str(issue) == "sites[0].clusters: names in clusters must be unique; rename ['prod']"


# --- halls are optional: a site of managed pools -----------------------------------------------


def test_site_of_managed_pools_needs_no_halls_and_no_feed(build: Any) -> None:
    managed = build.pool(name="cks", hall=None, placement="managed", node_model="gb200-nvl72", nodes=18)
    (site,) = parse_site(without(build.data(halls=[], pools=[managed]), "utility_power_mw")).sites
    assert (site.halls, site.utility_power_mw) == ((), None)
    assert site.pools[0].placement.value == "managed"
    # and without the key at all
    (bare,) = parse_site(without(without(build.data(pools=[managed]), "halls"), "utility_power_mw")).sites
    assert bare.halls == ()


def test_design_pue_defaults_to_pue_and_may_equal_it(build: Any) -> None:
    (site,) = parse_site(build.data()).sites
    assert (site.design_pue, site.peak_pue) == (None, 1.4)
    (equal,) = parse_site(build.data(design_pue=1.4)).sites
    assert equal.peak_pue == 1.4
    (higher,) = parse_site(build.data(design_pue=1.6)).sites
    assert higher.peak_pue == 1.6


# --- every number is finite and bounded ----------------------------------------------------------

INTEGER_FIELDS = {"rack_units", "racks", "network_racks", "storage_racks", "nodes"}


def _full_site(build: Any) -> dict[str, Any]:
    """The builder's site with every optional number set, so each one is exercised."""
    site: dict[str, Any] = build.data(design_pue=1.5, halls=[build.hall(storage_racks=1, storage_rack_kw=0)])
    return site


def _numeric_leaves(data: Any, path: str = "") -> list[str]:
    if isinstance(data, dict):
        return [
            leaf
            for key, value in data.items()
            for leaf in _numeric_leaves(value, f"{path}.{key}".lstrip("."))
        ]
    if isinstance(data, list):
        return [
            leaf for index, value in enumerate(data) for leaf in _numeric_leaves(value, f"{path}[{index}]")
        ]
    if isinstance(data, int | float) and not isinstance(data, bool):
        return [path]
    return []


def _set_leaf(data: Any, path: str, value: Any) -> None:
    parts = [int(part) if part.isdigit() else part for part in re.findall(r"[A-Za-z_]+|\d+", path)]
    for part in parts[:-1]:
        data = data[part]
    data[parts[-1]] = value


# Every number of `_full_site`, pinned so that a new number in the builder must be added here.
LEAVES = [
    "utility_power_mw",
    "pue",
    "wue_l_per_kwh",
    "grid_carbon_g_per_kwh",
    "utilisation",
    "power_headroom",
    "halls[0].power_kw",
    "halls[0].rack_power_kw",
    "halls[0].rack_units",
    "halls[0].rows[0].racks",
    "halls[0].rows[1].racks",
    "halls[0].network_racks",
    "halls[0].network_rack_kw",
    "halls[0].storage_racks",
    "halls[0].storage_rack_kw",
    "pools[0].nodes",
    "design_pue",
]


def test_the_full_site_is_valid_and_every_number_is_covered(build: Any) -> None:
    parse_site(_full_site(build))
    assert sorted(_numeric_leaves(_full_site(build))) == sorted(LEAVES)


def _stack_file(tmp_path: Path, site: dict[str, Any]) -> Any:
    """The site written as a stack file's YAML and read back the way `gpudc` reads one."""
    path = tmp_path / "Pulumi.test.yaml"
    path.write_text(yaml.safe_dump({"sites": [site]}, sort_keys=False))
    return read_yaml(path)


@pytest.mark.parametrize("leaf", LEAVES)
@pytest.mark.parametrize("text", [".inf", "-.inf", ".nan"])
def test_infinity_and_nan_are_refused_anywhere_in_a_site(
    build: Any, tmp_path: Path, leaf: str, text: str
) -> None:
    # YAML reads `.inf`, `-.inf` and `.nan` as floats: each is one issue at its path.
    site = _full_site(build)
    _set_leaf(site, leaf, float(text.replace(".", "")))
    raw = _stack_file(tmp_path, site)
    assert text in (tmp_path / "Pulumi.test.yaml").read_text()
    with pytest.raises(SpecError) as caught:
        parse_environment(raw)
    (issue,) = caught.value.issues
    whole = leaf.rsplit(".", 1)[-1] in INTEGER_FIELDS
    assert issue.path == f"sites[0].{leaf}"
    assert issue.message == ("must be a whole number" if whole else "must be a finite number")
    assert str(issue).endswith(f", got {float(text.replace('.', ''))!r}")


@pytest.mark.parametrize("leaf", LEAVES)
def test_huge_numbers_are_refused_anywhere_in_a_site(build: Any, tmp_path: Path, leaf: str) -> None:
    # a 401-digit whole number: refused at its path and shown by its size, never an OverflowError
    site = _full_site(build)
    _set_leaf(site, leaf, 10**400)
    with pytest.raises(SpecError) as caught:
        parse_environment(_stack_file(tmp_path, site))
    (issue,) = caught.value.issues
    assert issue.path == f"sites[0].{leaf}"
    assert str(issue).endswith(", got a whole number of about 401 digits")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_power_kw", 5e-324, "must be >= 0.01, got 5e-324"),
        ("max_power_kw", 1e308, "must be <= 2000.0, got 1e+308"),
        ("max_power_kw", float("inf"), "must be a finite number, got inf"),
        ("max_power_kw", float("nan"), "must be a finite number, got nan"),
        ("gpus_per_system", 10**400, "must be <= 1024, got a whole number of about 401 digits"),
        ("gpus_per_system", 2**63, "must be <= 1024, got 9223372036854775808"),
        ("nodes_per_system", 10**30, "must be <= 1024, got 1000000000000000000000000000000"),
    ],
    ids=["subnormal-kw", "1e308-kw", "inf-kw", "nan-kw", "huge-gpus", "2-63-gpus", "huge-nodes-per-system"],
)
def test_extreme_numbers_in_a_users_node_model_are_refused(
    build: Any, field: str, value: float, message: str
) -> None:
    model = {**NODE_MODELS["hgx-h100-8gpu"].model_dump(mode="json"), "name": "my-box", field: value}
    raw = {"node_models": {"my-box": model}, "sites": [build.data(pools=[build.pool(node_model="my-box")])]}
    with pytest.raises(SpecError) as caught:
        parse_environment(raw)
    assert [str(issue) for issue in caught.value.issues] == [f"node_models['my-box'].{field}: {message}"]


def test_a_node_model_at_every_upper_bound_plans_with_findings_not_overflow(build: Any) -> None:
    # 2,000 kW systems of 1,024 GPUs and 1,024 nodes, 48 of them (49,152 nodes, the most whole
    # systems a stack's 50,000-node bound allows): every product is finite; the system fits no
    # 500 kW rack, which is an error with its path.
    model = {
        **NODE_MODELS["hgx-h100-8gpu"].model_dump(mode="json"),
        "name": "max-box",
        "max_power_kw": 2000.0,
        "gpus_per_system": 1024,
        "nodes_per_system": 1024,
        "rack_units": 60,
        "cooling": "direct-liquid",
    }
    hall = build.hall(
        power_kw=1_000_000,
        cooling="direct-liquid",
        rack_power_kw=500,
        rack_units=60,
        rows=[{"name": f"r{i}", "racks": 200} for i in range(100)],
    )
    site = build.data(
        halls=[hall], utility_power_mw=5000, pools=[build.pool(node_model="max-box", nodes=48 * 1024)]
    )
    env = parse_environment({"node_models": {"max-box": model}, "sites": [site]})
    with pytest.raises(SpecError) as caught:
        plan_environment(env)
    assert [(issue.code, issue.path) for issue in caught.value.errors] == [
        ("GPUDC-RACK-001", "sites[0].pools[0].hall"),
        # 48 x 2,000 = 96,000 kW x 1.4 = 134,400 kW of the 5 GW feed: fits; the hall's 900,000 kW too
    ]
    assert "one max-box system needs 2000 kW and 60U" in caught.value.errors[0].message
    assert not any(re.search(r"\b(inf|nan)\b", str(issue)) for issue in caught.value.issues)


def test_a_subnormal_hall_is_refused_or_reported_in_finite_numbers(build: Any) -> None:
    hall = build.hall(power_kw=5e-324, rack_power_kw=5e-324, network_rack_kw=0)
    try:
        env = parse_site(build.data(halls=[hall], pools=[], utility_power_mw=5000))
    except SpecError as exc:
        assert all(issue.path.startswith("sites[0].halls[0].") for issue in exc.issues)
        return
    findings = plan_environment(env).findings
    texts = [str(finding) for finding in findings]
    assert not any(re.search(r"\binfx?\b", text) for text in texts), texts
    assert not any(" by 0 kW" in text for text in texts), texts
