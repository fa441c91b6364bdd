"""One test per physical check of `plan_capacity`: its code, the path, the value and the fix, and
that the fix works when applied.

Default site (conftest): hall h1, rear-door, 200 kW, racks of 45 kW / 42U, rows a (3) + b (3),
1 network rack at 0 kW -> 5 usable racks; PUE 1.4, 10% headroom, utility 1.0 MW; pool h100 of
10 x hgx-h100-8gpu (10.2 kW, 8U, 4 per 45 kW rack).

A finding prints as `path: message, got value; fix`. Errors raise `SpecError` (whose issues
include the warnings found alongside); warnings ride on `CapacityPlan.findings`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from gpudc.catalog import NODE_MODELS
from gpudc.catalog.lookup import Hardware
from gpudc.core.errors import SpecError
from gpudc.core.findings import Finding, Severity
from gpudc.site.capacity import CapacityPlan, plan_capacity

HARDWARE = Hardware.with_overrides({}, {})
KNOWN_MODELS = "['gb200-nvl72', 'gb300-nvl72', 'hgx-a100-8gpu', 'hgx-b200-8gpu', 'hgx-b300-8gpu', 'hgx-h100-8gpu', 'hgx-h200-8gpu', 'l40s-pcie-8gpu']"


def plan(site: Any, hardware: Hardware = HARDWARE) -> CapacityPlan:
    return plan_capacity(site, hardware, "sites[0]")


def issues_of(site: Any, hardware: Hardware = HARDWARE) -> tuple[Finding, ...]:
    """Every finding of a site that must fail: its errors and the warnings found alongside."""
    with pytest.raises(SpecError) as caught:
        plan(site, hardware)
    return caught.value.issues


def errors_of(site: Any, hardware: Hardware = HARDWARE) -> list[Finding]:
    return [issue for issue in issues_of(site, hardware) if issue.is_error]


def only_issue(site: Any, hardware: Hardware = HARDWARE) -> Finding:
    """The one finding of a failing site: no other error and no warning beside it."""
    issues = issues_of(site, hardware)
    assert len(issues) == 1, [str(issue) for issue in issues]
    assert issues[0].severity is Severity.ERROR
    return issues[0]


def only_error(site: Any, hardware: Hardware = HARDWARE) -> Finding:
    """The one error of a failing site (warnings beside it are left to other tests)."""
    errors = errors_of(site, hardware)
    assert len(errors) == 1, [str(error) for error in errors]
    return errors[0]


def codes(findings: tuple[Finding, ...] | list[Finding]) -> list[str]:
    return [finding.code for finding in findings]


def warnings_of(site: Any) -> tuple[Finding, ...]:
    """The findings of a site that plans: warnings only."""
    findings = plan(site).findings
    assert all(finding.severity is Severity.WARNING for finding in findings)
    return findings


def only_warning(site: Any) -> Finding:
    (finding,) = warnings_of(site)
    return finding


def number_in(text: str, pattern: str) -> float:
    """The number a fix text suggests, read from the text itself so the test applies what it says."""
    match = re.search(pattern, text)
    assert match, (pattern, text)
    return float(match.group(1).replace(",", ""))


# --- hall power: GPUDC-POWER-001 ---------------------------------------------------------------


def test_over_hall_power(build: Any) -> None:
    # available 100 x 0.9 = 90 kW; planned 10 x 10.2 = 102 kW; excess 12 kW / 10.2 = 1.18 -> 2 nodes;
    # raise to ceil(102 / 0.9 = 113.3) = 114 kW. (The 2 free racks with no power left are a
    # knock-on of the overrun, not reported as stranded racks; a 0.5 MW feed is no unit slip.)
    issue = only_issue(build.site(halls=[build.hall(power_kw=100)], utility_power_mw=0.5))
    assert issue.code == "GPUDC-POWER-001"
    assert str(issue) == (
        "sites[0].halls[0].power_kw: hall h1: 102 kW planned, 90 kW available "
        "(100 kW less 10% headroom); move 2 nodes of pool h100 or raise "
        "sites[0].halls[0].power_kw to at least 114 kW"
    )


def test_over_hall_power_fixes_are_enough_and_minimal(build: Any) -> None:
    hall = build.hall(power_kw=100)
    issue = only_error(build.site(halls=[hall]))
    moved = int(number_in(issue.fix, r"move (\d+) nodes of pool h100"))
    raised = number_in(issue.fix, r"to at least ([\d,]+) kW")
    assert (moved, raised) == (2, 114)
    assert plan(build.site(halls=[hall], pools=[build.pool(nodes=10 - moved)])).nodes == 8
    with pytest.raises(SpecError):
        plan(build.site(halls=[hall], pools=[build.pool(nodes=10 - moved + 1)]))  # moved only 1
    fixed = plan(build.site(halls=[build.hall(power_kw=raised)]))  # 114 x 0.9 = 102.6
    assert "GPUDC-POWER-001" not in codes(fixed.findings)
    with pytest.raises(SpecError) as caught:
        plan(build.site(halls=[build.hall(power_kw=raised - 1)]))  # 113 x 0.9 = 101.7 < 102
    assert "GPUDC-POWER-001" in codes(caught.value.issues)


def test_over_hall_power_names_the_last_pool_of_the_hall(build: Any) -> None:
    # p1 8 + p2 4 nodes = 122.4 kW vs 90 kW: excess 32.4 / 10.2 = 3.18 -> 4 nodes of p2;
    # raise to ceil(122.4 / 0.9) = 136 kW.
    pools = [build.pool(name="p1", nodes=8), build.pool(name="p2", nodes=4)]
    issue = only_error(build.site(halls=[build.hall(power_kw=100)], pools=pools))
    assert (issue.code, issue.path) == ("GPUDC-POWER-001", "sites[0].halls[0].power_kw")
    assert issue.message == ("hall h1: 122 kW planned, 90 kW available (100 kW less 10% headroom)")
    assert issue.fix == "move 4 nodes of pool p2 or raise sites[0].halls[0].power_kw to at least 136 kW"


def test_over_hall_power_moves_whole_rack_scale_systems(build: Any) -> None:
    # 36 x GB200 = 2 x 120 = 240 kW vs 250 x 0.9 = 225 kW: excess 15 kW / (120 / 18 kW per node)
    # = 2.25 -> 3 nodes, rounded up to one whole 18-node system; raise to ceil(240 / 0.9) = 267.
    hall = build.hall(name="liquid", power_kw=250, cooling="direct-liquid", rack_power_kw=132, rack_units=48)
    pool = build.pool(name="nvl72", hall="liquid", node_model="gb200-nvl72", nodes=36)
    issue = only_error(build.site(halls=[hall], pools=[pool]))
    assert issue.code == "GPUDC-POWER-001"
    assert str(issue) == (
        "sites[0].halls[0].power_kw: hall liquid: 240 kW planned, 225 kW available "
        "(250 kW less 10% headroom); move 18 nodes of pool nvl72 or raise "
        "sites[0].halls[0].power_kw to at least 267 kW"
    )


def test_reserved_rack_kw_counts_against_hall_power(build: Any) -> None:
    # 102 kW of nodes + 20 kW network + 10 kW storage = 132 kW vs 140 x 0.9 = 126 kW: excess 6 kW
    # -> ceil(6 / 10.2) = 1 node; raise to ceil(132 / 0.9 = 146.7) = 147 kW. Without the reserved
    # 30 kW the hall would fit (102 <= 126).
    hall = build.hall(power_kw=140, network_rack_kw=20, storage_racks=1, storage_rack_kw=10)
    issue = only_error(build.site(halls=[hall], utility_power_mw=0.5))
    assert issue.code == "GPUDC-POWER-001"
    assert str(issue) == (
        "sites[0].halls[0].power_kw: hall h1: 132 kW planned, 30 kW of it reserved racks, 126 kW "
        "available (140 kW less 10% headroom); move 1 node of pool h100 or raise "
        "sites[0].halls[0].power_kw to at least 147 kW"
    )
    raised = number_in(issue.fix, r"to at least ([\d,]+) kW")
    assert "GPUDC-POWER-001" not in codes(plan(build.site(halls=[{**hall, "power_kw": raised}])).findings)
    assert plan(build.site(halls=[hall], pools=[build.pool(nodes=9)], utility_power_mw=0.5)).nodes == 9
    unreserved = {**hall, "network_rack_kw": 0, "storage_rack_kw": 0}
    assert plan(build.site(halls=[unreserved], utility_power_mw=0.5)).nodes == 10


# --- site utility power: GPUDC-POWER-002 --------------------------------------------------------


def test_over_site_utility_power(build: Any) -> None:
    # facility 102 x 1.4 = 142.8 kW vs 0.1 MW x 0.9 = 90 kW; the load needs 142.8 / 0.9 = 158.7 kW,
    # but the hall's 200 kW x 1.4 = 280 kW rating is over the feed too (GPUDC-POWER-003), so the one
    # figure that clears both is 0.28 MW.
    issues = issues_of(build.site(utility_power_mw=0.1))
    assert codes(issues) == ["GPUDC-POWER-002", "GPUDC-POWER-003"]
    assert str(issues[0]) == (
        "sites[0].utility_power_mw: site lab: 143 kW peak facility load planned (IT 102 kW x PUE 1.4), "
        "90 kW available after 10% headroom; raise utility_power_mw to at least 0.28 "
        "or plan fewer nodes"
    )


def test_utility_power_suggestion_is_rounded_up_so_it_suffices(build: Any) -> None:
    # 9 nodes in a 102 kW hall (rated 102 x 1.4 = 142.8 kW): facility 91.8 x 1.4 = 128.52 kW;
    # need 128.52 / 0.9 = 142.8 kW = 0.1428 MW. Rounded to 0.14 MW it would give only 126 kW;
    # the suggestion must be 0.15 (135 kW), which also covers the hall's 142.8 kW rating.
    hall = [build.hall(power_kw=102)]
    pools = [build.pool(nodes=9)]
    issue = errors_of(build.site(halls=hall, utility_power_mw=0.1, pools=pools))[0]
    assert (issue.code, issue.path) == ("GPUDC-POWER-002", "sites[0].utility_power_mw")
    assert "(IT 92 kW x PUE 1.4)" in issue.message
    assert issue.fix == "raise utility_power_mw to at least 0.15 or plan fewer nodes"
    suggested = number_in(issue.fix, r"at least ([\d.]+)")
    fixed = plan(build.site(halls=hall, utility_power_mw=suggested, pools=pools))
    assert fixed.nodes == 9
    assert "GPUDC-POWER-002" not in codes(fixed.findings)
    with pytest.raises(SpecError) as caught:
        plan(build.site(halls=hall, utility_power_mw=0.14, pools=pools))
    assert "GPUDC-POWER-002" in codes(caught.value.issues)


def test_utility_power_counts_every_hall(build: Any) -> None:
    # Each hall alone is within the feed's 0.3 MW x 0.9 = 270 kW (102 x 1.4 = 142.8 kW); together
    # 2 x 10 x 10.2 x 1.4 = 285.6 kW > 270 kW. (Two halls of 200 kW x 1.4 = 560 kW are rated over
    # the 300 kW feed either way: GPUDC-POWER-003 in both plans.)
    halls = [build.hall(), build.hall(name="h2")]
    pools = [build.pool(name="p1"), build.pool(name="p2", hall="h2")]
    assert codes(errors_of(build.site(halls=halls, pools=pools[:1], utility_power_mw=0.3))) == [
        "GPUDC-POWER-003"
    ]
    issue, rated = errors_of(build.site(halls=halls, pools=pools, utility_power_mw=0.3))
    assert (issue.code, rated.code) == ("GPUDC-POWER-002", "GPUDC-POWER-003")
    assert issue.path == "sites[0].utility_power_mw"
    assert "286 kW peak facility load planned (IT 204 kW x PUE 1.4), 270 kW available" in issue.message


def test_reserved_rack_kw_counts_against_the_feed(build: Any) -> None:
    # IT 102 kW of nodes + 30 kW reserved = 132 kW x 1.4 = 184.8 kW > 0.2 MW x 0.9 = 180 kW;
    # the load needs 184.8 / 0.9 = 205.3 kW, the hall's rating 200 x 1.4 = 280 kW: 0.28 MW.
    # (Without the 30 kW: 142.8 kW, within 180.)
    hall = build.hall(network_rack_kw=20, storage_racks=1, storage_rack_kw=10)
    issue = errors_of(build.site(halls=[hall], utility_power_mw=0.2))[0]
    assert issue.code == "GPUDC-POWER-002"
    assert issue.message == (
        "site lab: 185 kW peak facility load planned (IT 132 kW x PUE 1.4), 180 kW available after "
        "10% headroom"
    )
    assert issue.fix == "raise utility_power_mw to at least 0.28 or plan fewer nodes"
    unreserved = {**hall, "network_rack_kw": 0, "storage_rack_kw": 0}
    assert "GPUDC-POWER-002" not in codes(errors_of(build.site(halls=[unreserved], utility_power_mw=0.2)))


def test_a_pool_in_an_unknown_hall_still_counts_against_site_power(build: Any) -> None:
    # 10 x 10.2 kW = 102 kW IT, x 1.4 PUE = 142.8 kW facility > 90 kW (0.1 MW less 10%); the
    # 70 kW hall (rated 98 kW <= 100 kW) and its empty racks are fine.
    site = build.site(
        halls=[build.hall(power_kw=70)], utility_power_mw=0.1, pools=[build.pool(hall="nowhere")]
    )
    issues = issues_of(site)
    assert [(issue.code, issue.path) for issue in issues] == [
        ("GPUDC-SITE-001", "sites[0].pools[0].hall"),
        ("GPUDC-POWER-002", "sites[0].utility_power_mw"),
    ]
    assert "(IT 102 kW x PUE 1.4)" in issues[1].message


# --- halls rated over the feed: GPUDC-POWER-003 ------------------------------------------------


def test_halls_rated_above_the_feed(build: Any) -> None:
    # the hall's 200 kW x PUE 1.4 = 280 kW > the 250 kW feed (the plan's own 142.8 kW would fit
    # 225 kW); raise to ceil(280 / 10) / 100 = 0.28 MW.
    issue = only_issue(build.site(utility_power_mw=0.25))
    assert (issue.code, issue.severity, issue.value) == ("GPUDC-POWER-003", Severity.ERROR, 0.25)
    assert str(issue) == (
        "sites[0].utility_power_mw: site lab: its halls are rated 200 kW of IT power, 280 kW at PUE 1.4, "
        "more than the 250 kW utility feed, got 0.25; raise utility_power_mw to at least 0.28 or lower "
        "the halls' power_kw"
    )


def test_halls_rated_above_the_feed_fixes_work(build: Any) -> None:
    issue = only_issue(build.site(utility_power_mw=0.25))
    suggested = number_in(issue.fix, r"at least ([\d.]+)")
    assert suggested == 0.28
    assert warnings_of(build.site(utility_power_mw=suggested)) == ()
    with pytest.raises(SpecError):
        plan(build.site(utility_power_mw=0.27))  # 270 kW < 280 kW
    # or lower the hall: 178 x 1.4 = 249.2 kW <= 250 kW; 179 x 1.4 = 250.6 kW > 250 kW
    assert warnings_of(build.site(halls=[build.hall(power_kw=178)], utility_power_mw=0.25)) == ()
    assert only_issue(build.site(halls=[build.hall(power_kw=179)], utility_power_mw=0.25)).code == (
        "GPUDC-POWER-003"
    )


def test_halls_rated_above_the_feed_counts_every_hall(build: Any) -> None:
    # 200 + 100 = 300 kW x 1.4 = 420 kW > 400 kW; an empty hall counts: its power is contracted.
    halls = [build.hall(), build.hall(name="h2", power_kw=100)]
    issue = only_issue(build.site(halls=halls, utility_power_mw=0.4))
    assert issue.code == "GPUDC-POWER-003"
    assert issue.message == (
        "site lab: its halls are rated 300 kW of IT power, 420 kW at PUE 1.4, more than the 400 kW utility feed"
    )
    assert issue.fix == "raise utility_power_mw to at least 0.42 or lower the halls' power_kw"


# --- design PUE in the feed checks ---------------------------------------------------------------


def test_feed_is_checked_at_the_design_pue(build: Any) -> None:
    # annual PUE 1.2, design PUE 1.5: the hall's 200 kW is 240 kW at 1.2 (fits 290 kW) but
    # 300 kW at 1.5 (does not); raise to ceil(300 / 10) / 100 = 0.30 MW.
    assert warnings_of(build.site(pue=1.2, utility_power_mw=0.29)) == ()
    issue = only_issue(build.site(pue=1.2, design_pue=1.5, utility_power_mw=0.29))
    assert str(issue) == (
        "sites[0].utility_power_mw: site lab: its halls are rated 200 kW of IT power, 300 kW at design "
        "PUE 1.5, more than the 290 kW utility feed, got 0.29; raise utility_power_mw to at least 0.30 "
        "or lower the halls' power_kw"
    )
    suggested = number_in(issue.fix, r"at least ([\d.]+)")
    assert warnings_of(build.site(pue=1.2, design_pue=1.5, utility_power_mw=suggested)) == ()


def test_peak_facility_load_is_checked_at_the_design_pue(build: Any) -> None:
    # 114 kW hall (102.6 available), 10 nodes: peak 102 x 1.5 = 153 kW > 0.16 MW x 0.9 = 144 kW;
    # the load needs 153 / 0.9 = 170 kW (at the annual 1.2: 122.4 kW, which fits). The rating
    # 114 x 1.5 = 171 kW is over the 160 kW feed too (at 1.2: 136.8 kW, which fits). Both findings
    # give the one figure that clears both: 171 kW -> 0.18 MW.
    hall = [build.hall(power_kw=114)]
    issues = errors_of(build.site(halls=hall, pue=1.2, design_pue=1.5, utility_power_mw=0.16))
    assert [str(issue) for issue in issues] == [
        "sites[0].utility_power_mw: site lab: 153 kW peak facility load planned (IT 102 kW x design PUE "
        "1.5), 144 kW available after 10% headroom; raise utility_power_mw to at least 0.18 or plan fewer "
        "nodes",
        "sites[0].utility_power_mw: site lab: its halls are rated 114 kW of IT power, 171 kW at design PUE "
        "1.5, more than the 160 kW utility feed, got 0.16; raise utility_power_mw to at least 0.18 or "
        "lower the halls' power_kw",
    ]
    # (the hall, full to 0.6 kW with 2 racks free, has stranded racks whatever the PUE)
    assert codes(warnings_of(build.site(halls=hall, pue=1.2, utility_power_mw=0.16))) == ["GPUDC-POWER-005"]
    # following either suggestion clears both findings
    peak_fix, rated_fix = (number_in(issue.fix, r"at least ([\d.]+)") for issue in issues)
    assert peak_fix == rated_fix == 0.18
    fixed = warnings_of(build.site(halls=hall, pue=1.2, design_pue=1.5, utility_power_mw=rated_fix))
    assert codes(fixed) == ["GPUDC-POWER-005"]


# --- stranded capacity: GPUDC-POWER-004 and -005 -----------------------------------------------


def test_stranded_power(build: Any) -> None:
    # hgx-a100-8gpu: 6.5 kW, 6U -> min(floor(45 / 6.5) = 6, floor(42 / 6) = 7) = 6 per rack (39 kW).
    # 30 systems fill all 5 usable racks: 195 kW of 270 x 0.9 = 243 kW -> 48 kW left, no free rack;
    # floor(48 / 45) = 1 more rack would use it.
    site = build.site(
        halls=[build.hall(power_kw=270)], pools=[build.pool(node_model="hgx-a100-8gpu", nodes=30)]
    )
    finding = only_warning(site)
    assert (finding.code, finding.severity) == ("GPUDC-POWER-004", Severity.WARNING)
    assert str(finding) == (
        "sites[0].halls[0].rows: hall h1: 48 kW left but no free rack to use it in; add 1 rack to "
        "sites[0].halls[0].rows or plan the power elsewhere"
    )
    hall_plan = plan(site).halls[0]
    assert hall_plan.racks_free == 0
    assert hall_plan.power_left_kw == pytest.approx(48.0, rel=1e-12)


def test_stranded_power_fix_works(build: Any) -> None:
    pools = [build.pool(node_model="hgx-a100-8gpu", nodes=30)]
    finding = only_warning(build.site(halls=[build.hall(power_kw=270)], pools=pools))
    added = int(number_in(finding.fix, r"add (\d+) racks? to"))
    rows = [{"name": "a", "racks": 3}, {"name": "b", "racks": 3 + added}]
    assert warnings_of(build.site(halls=[build.hall(power_kw=270, rows=rows)], pools=pools)) == ()


def test_stranded_racks(build: Any) -> None:
    # 150 x 0.9 = 135 kW available, 102 planned -> 33 kW left, less than one 45 kW rack, with
    # 6 - 1 reserved - 3 used = 2 racks free; they need 2 x 45 = 90 kW, 57 kW more than is left,
    # which is 57 / 0.9 = 63.3 -> 64 kW more rated power once the 10% headroom is kept.
    site = build.site(halls=[build.hall(power_kw=150)], utility_power_mw=0.5)
    finding = only_warning(site)
    assert (finding.code, finding.severity) == ("GPUDC-POWER-005", Severity.WARNING)
    assert str(finding) == (
        "sites[0].halls[0].power_kw: hall h1: 2 free racks but only 33 kW left, less than one rack's "
        "45 kW; raise sites[0].halls[0].power_kw by 64 kW to fill them, or remove them from the rows"
    )


def test_stranded_racks_fixes_work(build: Any) -> None:
    finding = only_warning(build.site(halls=[build.hall(power_kw=150)], utility_power_mw=0.5))
    raised = 150 + number_in(finding.fix, r"by ([\d,]+) kW")  # 214 kW -> 192.6 available, 90.6 left
    assert warnings_of(build.site(halls=[build.hall(power_kw=raised)], utility_power_mw=0.5)) == ()
    # or remove the 2 free racks: rows a (3) + b (1), 1 reserved, 3 used, none free
    fewer = build.hall(power_kw=150, rows=[{"name": "a", "racks": 3}, {"name": "b", "racks": 1}])
    assert warnings_of(build.site(halls=[fewer], utility_power_mw=0.5)) == ()


def test_stranded_racks_fix_accounts_for_headroom(build: Any) -> None:
    # rows a (3) + b (2): 1 reserved, 3 used, 1 free. 114 x 0.9 = 102.6 kW, 102 planned, 0.6 left.
    # The fix says "raise by 45 kW": 159 x 0.9 = 143.1 kW, 41.1 left, still less than one rack.
    rows = [{"name": "a", "racks": 3}, {"name": "b", "racks": 2}]
    site = build.site(halls=[build.hall(power_kw=114, rows=rows)], utility_power_mw=0.5)
    finding = only_warning(site)
    assert finding.code == "GPUDC-POWER-005"
    raised = 114 + number_in(finding.fix, r"by ([\d,]+) kW")
    fixed = warnings_of(build.site(halls=[build.hall(power_kw=raised, rows=rows)], utility_power_mw=0.5))
    assert "GPUDC-POWER-005" not in codes(fixed)


def test_no_stranding_warning_beside_a_hall_error(build: Any) -> None:
    # over its power (102 > 90 kW) with 2 racks free: only the power error, no "0 kW left" warning.
    issues = issues_of(build.site(halls=[build.hall(power_kw=100)], utility_power_mw=0.5))
    assert codes(issues) == ["GPUDC-POWER-001"]


# --- reserved racks whose power is not stated: GPUDC-POWER-006 ----------------------------------


def test_reserved_racks_with_unstated_power(build: Any) -> None:
    hall = build.hall(network_rack_kw=None)
    finding = only_warning(build.site(halls=[hall]))
    assert (finding.code, finding.severity) == ("GPUDC-POWER-006", Severity.WARNING)
    assert str(finding) == (
        "sites[0].halls[0].network_rack_kw: hall h1 reserves 1 network rack whose power is not stated, "
        "so it counts as 0 kW in the hall's and the site's budgets; set "
        "sites[0].halls[0].network_rack_kw to what each network rack draws (0 if nothing)"
    )
    # counted as 0 kW, as it says
    assert plan(build.site(halls=[hall])).halls[0].planned_kw == pytest.approx(102.0, rel=1e-12)


def test_unstated_power_is_reported_per_kind_of_reserved_rack(build: Any) -> None:
    # (8 nodes in 2 racks, so 1 of the 3 usable racks stays free)
    hall = build.hall(network_rack_kw=None, storage_racks=2)
    findings = warnings_of(build.site(halls=[hall], pools=[build.pool(nodes=8)]))
    assert [(f.code, f.path) for f in findings] == [
        ("GPUDC-POWER-006", "sites[0].halls[0].network_rack_kw"),
        ("GPUDC-POWER-006", "sites[0].halls[0].storage_rack_kw"),
    ]
    assert "hall h1 reserves 2 storage racks whose power is not stated" in findings[1].message


def test_unstated_power_fix_works_and_no_reserve_needs_no_power(build: Any) -> None:
    stated = build.hall(network_rack_kw=5, storage_racks=2, storage_rack_kw=0)
    assert warnings_of(build.site(halls=[stated], pools=[build.pool(nodes=8)])) == ()
    # no reserved racks: nothing to state
    assert warnings_of(build.site(halls=[build.hall(network_racks=0, network_rack_kw=None)])) == ()


# --- unit slips: GPUDC-UNITS-001 and -002 ------------------------------------------------------


def test_hall_power_above_what_its_racks_can_draw(build: Any) -> None:
    # 6 racks x 45 kW = 270 kW at most; power_kw 2,700 less 10% headroom is 2,430 kW usable, 9x
    # that. A warning, so the plan goes on (a 4 MW feed covers 2,700 x 1.4 = 3,780 kW). Enough
    # is 270 / 0.9 = 300 kW: a full hall needs its headroom above its racks' draw.
    site = build.site(halls=[build.hall(power_kw=2700)], utility_power_mw=4)
    finding = only_warning(site)
    assert (finding.code, finding.severity, finding.value) == ("GPUDC-UNITS-001", Severity.WARNING, 2700.0)
    assert str(finding) == (
        "sites[0].halls[0].power_kw: hall h1: 2,430 kW usable (2,700 kW less 10% headroom) is more than "
        "its 6 racks could ever draw (6 x 45 kW = 270 kW); power_kw is in kW and rack_power_kw in kW per "
        "rack, got 2700.0; check the units, add racks, or lower sites[0].halls[0].power_kw to 300 kW"
    )
    assert "in kW" in finding.message


def test_hall_units_fix_works(build: Any) -> None:
    finding = only_warning(build.site(halls=[build.hall(power_kw=2700)], utility_power_mw=4))
    lowered = number_in(finding.fix, r"to ([\d,]+) kW")
    assert lowered == 300
    # a feed sized to the hall's real 300 x 1.4 = 420 kW: clean at exactly the racks' draw
    assert warnings_of(build.site(halls=[build.hall(power_kw=lowered)], utility_power_mw=0.42)) == ()
    assert codes(warnings_of(build.site(halls=[build.hall(power_kw=301)], utility_power_mw=0.43))) == [
        "GPUDC-UNITS-001"
    ]
    # the 4 MW feed sized for the slip then reads as a slip of its own (4,000 > 4 x 420 kW)
    assert codes(warnings_of(build.site(halls=[build.hall(power_kw=lowered)], utility_power_mw=4))) == [
        "GPUDC-UNITS-002"
    ]


def _campus_halls(build: Any) -> list[dict[str, Any]]:
    # two halls of 1 MW, each 24 racks x 45 kW = 1,080 kW (so not a hall unit slip)
    rows = [{"name": "a", "racks": 12}, {"name": "b", "racks": 12}]
    return [build.hall(power_kw=1000, rows=rows), build.hall(name="h2", power_kw=1000, rows=rows)]


def test_feed_many_times_the_halls(build: Any) -> None:
    # halls 2 x 1,000 kW x PUE 1.2 = 2,400 kW = 2.4 MW; utility_power_mw 2,500 is 2,500,000 kW,
    # 2,500,000 / 2,400 = 1,041.7x, more than 4x: kW typed in the MW field. A warning.
    site = build.site(halls=_campus_halls(build), pue=1.2, utility_power_mw=2500)
    finding = only_warning(site)
    assert (finding.code, finding.severity, finding.value) == ("GPUDC-UNITS-002", Severity.WARNING, 2500.0)
    assert str(finding) == (
        "sites[0].utility_power_mw: site lab: a 2,500 MW feed is 1,041.7x its halls' 2.4 MW at PUE 1.2; "
        "utility_power_mw is in MW, got 2500.0; check the unit (did you mean 2.5 MW? more than 4x is "
        "rarely built) or waive GPUDC-UNITS-002 with the reason the feed is that large"
    )
    assert "in MW" in finding.message


def test_feed_units_fix_works(build: Any) -> None:
    finding = only_warning(build.site(halls=_campus_halls(build), pue=1.2, utility_power_mw=2500))
    meant = number_in(finding.fix, r"did you mean ([\d.,]+) MW")
    assert meant == 2.5
    assert warnings_of(build.site(halls=_campus_halls(build), pue=1.2, utility_power_mw=meant)) == ()


def test_feed_at_four_times_the_halls_is_not_a_slip(build: Any) -> None:
    # 200 kW x 1.25 = 250 kW; 4 x 250 = 1,000 kW = the 1.0 MW feed exactly: no warning; 1.01 MW is.
    assert warnings_of(build.site(pue=1.25)) == ()
    assert codes(warnings_of(build.site(pue=1.25, utility_power_mw=1.01))) == ["GPUDC-UNITS-002"]


def test_feed_units_suggestion_never_breaks_the_feed(build: Any) -> None:
    # hall 150 kW x 1.4 = 210 kW; a 1 MW feed is 4.8x that: a warning, but 0.001 MW (1 kW) would
    # not carry the hall, so no "did you mean" is offered.
    site = build.site(halls=[build.hall(power_kw=150, rows=[{"name": "a", "racks": 4}])])
    finding = only_warning(site)
    assert finding.code == "GPUDC-UNITS-002"
    assert "did you mean" not in finding.fix
    assert "is 4.8x its halls' 0.21 MW" in finding.message


# --- density and cooling: GPUDC-COOLING-001 and -002 -------------------------------------------


def test_rack_above_air_cooling_limit(build: Any) -> None:
    # air removes 40 kW per rack (RACK_COOLING_LIMIT_KW); 4 x 10.2 = 40.8 kW racks are too hot.
    issue = only_issue(build.site(halls=[build.hall(cooling="air")]))
    assert issue.code == "GPUDC-COOLING-002"
    assert str(issue) == (
        "sites[0].halls[0].cooling: hall h1: racks of pool h100 draw 40.8 kW, above the 40 kW air "
        "cooling removes from a rack, got 'air'; set sites[0].halls[0].cooling to rear-door or "
        "direct-liquid or lower sites[0].halls[0].rack_power_kw to 40 so fewer systems share a rack"
    )


def test_air_cooling_fixes_work(build: Any) -> None:
    # rack_power_kw 40 -> floor(40 / 10.2) = 3 per rack = 30.6 kW; 10 nodes -> 4 racks (3+3+3+1).
    lowered = plan(build.site(halls=[build.hall(cooling="air", rack_power_kw=40)]))
    (pool,) = lowered.pools
    assert [rack.systems for rack in pool.racks] == [3, 3, 3, 1]
    assert plan(build.site(halls=[build.hall(cooling="rear-door")])).nodes == 10
    assert plan(build.site(halls=[build.hall(cooling="direct-liquid")])).nodes == 10


def test_rack_above_rear_door_limit_suggests_only_direct_liquid(build: Any) -> None:
    # b200 14.3 kW / 10U in 100 kW / 60U racks: min(floor(6.99) = 6, 6) = 6 -> 85.8 kW > 75 kW.
    # (600 kW = 6 racks x 100 kW, so the hall is no unit slip; 600 x 1.4 = 840 kW fits the feed.)
    hall = build.hall(rack_power_kw=100, rack_units=60, power_kw=600)
    pools = [build.pool(name="b200", node_model="hgx-b200-8gpu", nodes=12)]
    issue = only_issue(build.site(halls=[hall], pools=pools))
    assert (issue.code, issue.path, issue.value) == (
        "GPUDC-COOLING-002",
        "sites[0].halls[0].cooling",
        "rear-door",
    )
    assert issue.message == (
        "hall h1: racks of pool b200 draw 85.8 kW, above the 75 kW rear-door cooling removes from a rack"
    )
    assert issue.fix == (
        "set sites[0].halls[0].cooling to direct-liquid or lower sites[0].halls[0].rack_power_kw to 75 so "
        "fewer systems share a rack"
    )


def test_rack_beyond_every_cooling_type(build: Any) -> None:
    # a stack-defined 160 kW, 10U system: one per rack is already past direct-liquid's 150 kW.
    hot = NODE_MODELS["hgx-b200-8gpu"].model_copy(
        update={"name": "hot-box", "max_power_kw": 160.0, "cooling": NODE_MODELS["gb200-nvl72"].cooling}
    )
    hardware = Hardware.with_overrides({}, {"hot-box": hot})
    hall = build.hall(cooling="direct-liquid", rack_power_kw=200, power_kw=700)
    issue = only_issue(build.site(halls=[hall], pools=[build.pool(node_model="hot-box", nodes=1)]), hardware)
    assert (issue.code, issue.path) == ("GPUDC-COOLING-002", "sites[0].halls[0].cooling")
    assert "racks of pool h100 draw 160 kW, above the 150 kW direct-liquid cooling" in issue.message
    assert (
        issue.fix == "no cooling type gpudc knows removes the heat of one such system; use another node model"
    )


def test_liquid_cooled_model_in_an_air_hall(build: Any) -> None:
    # The pool is reported once and then left out of the hall's checks: its 120 kW systems that fit
    # no 45 kW rack and its 240 kW over the hall's 180 kW are knock-ons of where it was put.
    pools = [build.pool(name="nvl72", node_model="gb200-nvl72", nodes=36)]
    issue = only_issue(build.site(halls=[build.hall(cooling="air")], pools=pools))
    assert (issue.code, issue.value) == ("GPUDC-COOLING-001", "h1")
    assert str(issue) == (
        "sites[0].pools[0].hall: gb200-nvl72 needs direct-liquid cooling but hall h1 has air, got 'h1'; "
        "move the pool to a hall with direct-liquid cooling or change sites[0].halls[0].cooling"
    )


def test_cooling_mismatch_is_not_blamed_on_a_correctly_placed_pool(build: Any) -> None:
    # One GB200 system (120 kW) and 3 H100s (30.6 kW) in an air hall of 100 kW (90 available):
    # together 150.6 kW would overrun the hall and the planner would ask to move H100 nodes. The
    # GB200 must move anyway, so the one finding is its cooling; the H100 pool is not mentioned.
    pools = [build.pool(name="nvl72", node_model="gb200-nvl72", nodes=18), build.pool(name="h100", nodes=3)]
    air = build.hall(cooling="air", power_kw=100)
    issue = only_issue(build.site(halls=[air], pools=pools, utility_power_mw=0.5))
    assert (issue.code, issue.path) == ("GPUDC-COOLING-001", "sites[0].pools[0].hall")
    assert "h100" not in str(issue)
    # following the fix (the GB200 pool to a direct-liquid hall of one 150 kW rack) plans clean
    liquid = build.hall(
        name="liquid",
        power_kw=150,
        cooling="direct-liquid",
        rack_power_kw=150,
        rack_units=48,
        rows=[{"name": "a", "racks": 1}],
        network_racks=0,
    )
    moved = [{**pools[0], "hall": "liquid"}, pools[1]]
    fixed = plan(build.site(halls=[air, liquid], pools=moved, utility_power_mw=0.5))
    assert fixed.findings == ()
    assert [hall.planned_kw for hall in fixed.halls] == pytest.approx([30.6, 120.0], rel=1e-12)


def test_cooling_mismatched_pool_still_counts_against_the_feed(build: Any) -> None:
    # the GB200 pool (240 kW) is out of the hall's checks but not out of the site's power:
    # (240 + 0) x 1.4 = 336 kW > 0.3 MW x 0.9 = 270 kW. The air hall's 150 kW x 1.4 = 210 kW fits.
    pools = [build.pool(name="nvl72", node_model="gb200-nvl72", nodes=36)]
    issues = issues_of(
        build.site(halls=[build.hall(cooling="air", power_kw=150)], pools=pools, utility_power_mw=0.3)
    )
    assert codes(issues) == ["GPUDC-COOLING-001", "GPUDC-POWER-002"]
    assert "(IT 240 kW x PUE 1.4)" in issues[1].message


def test_cooling_mismatch_path_names_the_pools_hall(build: Any) -> None:
    # the pool is the second one and sits in the second hall: both indexes must follow.
    halls = [build.hall(cooling="direct-liquid"), build.hall(name="h2", cooling="rear-door")]
    pools = [build.pool(nodes=1), build.pool(name="nvl72", hall="h2", node_model="gb200-nvl72", nodes=18)]
    issue = only_error(build.site(halls=halls, pools=pools))
    assert (issue.code, issue.path) == ("GPUDC-COOLING-001", "sites[0].pools[1].hall")
    assert issue.fix.endswith("or change sites[0].halls[1].cooling")


# --- a system that fits no rack: GPUDC-RACK-001 ------------------------------------------------


def test_system_above_rack_power(build: Any) -> None:
    # (200 kW for 6 racks of 8 kW = 48 kW is also a units warning, GPUDC-UNITS-001)
    issue = only_error(build.site(halls=[build.hall(rack_power_kw=8)]))
    assert issue.code == "GPUDC-RACK-001"
    assert str(issue) == (
        "sites[0].pools[0].hall: one hgx-h100-8gpu system needs 10.2 kW and 8U but a rack of hall h1 "
        "gives 8 kW and 42U, got 'h1'; raise sites[0].halls[0].rack_power_kw / rack_units or use another "
        "hall"
    )


def test_system_taller_than_rack(build: Any) -> None:
    issue = only_issue(build.site(halls=[build.hall(rack_units=6)]))
    assert (issue.code, issue.path) == ("GPUDC-RACK-001", "sites[0].pools[0].hall")
    assert "needs 10.2 kW and 8U but a rack of hall h1 gives 45 kW and 6U" in issue.message


def test_unfit_pool_does_not_stop_the_others(build: Any) -> None:
    # l40s (5 kW, 5U) fits a 9 kW rack; the H100 (10.2 kW) does not: one error, for pools[0] only.
    hall = build.hall(rack_power_kw=9, power_kw=54)  # 6 racks x 9 kW
    pools = [build.pool(nodes=1), build.pool(name="l40s", node_model="l40s-pcie-8gpu", nodes=1)]
    issue = only_error(build.site(halls=[hall], pools=pools, utility_power_mw=0.1))
    assert (issue.code, issue.path) == ("GPUDC-RACK-001", "sites[0].pools[0].hall")


# --- too few racks: GPUDC-RACK-002 -------------------------------------------------------------


def _big_hall(build: Any, **overrides: Any) -> dict[str, Any]:
    # 1 MW, so that the nodes the fix leaves fit the hall's power budget (a units warning: 6 racks
    # draw at most 270 kW); a 2 MW feed covers its 1,000 x 1.4 = 1,400 kW rating.
    hall: dict[str, Any] = build.hall(power_kw=1000, **overrides)
    return hall


def test_too_few_racks(build: Any) -> None:
    # 30 nodes at 4 per rack need ceil(30 / 4) = 8 racks; 6 - 1 reserved = 5 usable;
    # 5 racks hold 20 nodes -> move 30 - 20 = 10.
    big = [_big_hall(build)]
    issue = only_error(build.site(halls=big, pools=[build.pool(nodes=30)], utility_power_mw=2))
    assert issue.code == "GPUDC-RACK-002"
    assert str(issue) == (
        "sites[0].halls[0].rows: hall h1 has too few racks: 5 usable of 6 (1 reserved); pool h100 "
        "needs 8 racks, 5 left (move 10 of its nodes); add racks to sites[0].halls[0].rows or move "
        "those nodes to another hall"
    )
    fixed = plan(build.site(halls=big, pools=[build.pool(nodes=20)], utility_power_mw=2))
    assert fixed.halls[0].racks_free == 0
    assert "GPUDC-RACK-002" not in codes(fixed.findings)


def test_too_few_racks_for_later_pools(build: Any) -> None:
    # p1: 12 nodes -> 3 racks; p2: 12 nodes -> 3 racks, 2 left -> keeps 8, move 4;
    # p3: 1 node -> 1 rack, 0 left -> move 1. One error for the hall, listing both pools.
    pools = [build.pool(name="p1", nodes=12), build.pool(name="p2", nodes=12), build.pool(name="p3", nodes=1)]
    big = [_big_hall(build)]
    issue = only_error(build.site(halls=big, pools=pools, utility_power_mw=2))
    assert (issue.code, issue.path) == ("GPUDC-RACK-002", "sites[0].halls[0].rows")
    assert issue.message == (
        "hall h1 has too few racks: 5 usable of 6 (1 reserved); pool p2 needs 3 racks, 2 left "
        "(move 4 of its nodes); pool p3 needs 1 rack, 0 left (move 1 of its nodes)"
    )
    assert issue.fix == "add racks to sites[0].halls[0].rows or move those nodes to another hall"
    fixed = [build.pool(name="p1", nodes=12), build.pool(name="p2", nodes=8)]
    assert plan(build.site(halls=big, pools=fixed, utility_power_mw=2)).halls[0].racks_used == 5


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
    issue = only_error(build.site(halls=[hall], pools=[pool], utility_power_mw=2))
    assert (issue.code, issue.path) == ("GPUDC-RACK-002", "sites[0].halls[0].rows")
    assert (
        "2 usable of 2 (0 reserved); pool nvl72 needs 3 racks, 2 left (move 18 of its nodes)" in issue.message
    )


# --- unknown names: GPUDC-HW-001, GPUDC-HW-002, GPUDC-SITE-001 -----------------------------------


def test_unknown_node_model(build: Any) -> None:
    issue = only_issue(build.site(pools=[build.pool(node_model="hgx-h999")]))
    assert issue.code == "GPUDC-HW-001"
    assert str(issue) == (
        "sites[0].pools[0].node_model: is not a node model of the catalog or of this stack file, got "
        f"'hgx-h999'; use one of {KNOWN_MODELS} or define it under node_models"
    )


def test_stack_defined_node_model_is_known(build: Any) -> None:
    custom = NODE_MODELS["hgx-h100-8gpu"].model_copy(update={"name": "my-h100"})
    hardware = Hardware.with_overrides({}, {"my-h100": custom})
    assert plan(build.site(pools=[build.pool(node_model="my-h100")]), hardware).gpus == 80


def test_node_model_with_unknown_gpu(build: Any) -> None:
    custom = NODE_MODELS["hgx-h100-8gpu"].model_copy(update={"name": "my-box", "gpu_model": "h999"})
    hardware = Hardware.with_overrides({}, {"my-box": custom})
    issue = only_issue(build.site(pools=[build.pool(node_model="my-box")]), hardware)
    assert (issue.code, issue.path, issue.value) == ("GPUDC-HW-002", "sites[0].pools[0].node_model", "my-box")
    assert issue.message == "node model my-box names GPU model 'h999', which is unknown"
    assert issue.fix.endswith("or define it under gpu_models")


def test_unknown_hall(build: Any) -> None:
    issue = only_issue(build.site(pools=[build.pool(hall="nope")]))
    assert issue.code == "GPUDC-SITE-001"
    assert str(issue) == "sites[0].pools[0].hall: is not a hall of site lab, got 'nope'; use one of ['h1']"


def test_unknown_hall_in_a_site_without_halls(build: Any) -> None:
    # a racked pool in a site with no halls: the fix names both ways out
    issue = only_issue(build.site(halls=[], utility_power_mw=None))
    assert str(issue) == (
        "sites[0].pools[0].hall: is not a hall of site lab, got 'h1'; add the hall under halls, or set "
        "placement: managed"
    )


def test_unknown_hall_and_unknown_model_of_one_pool_are_both_reported(build: Any) -> None:
    issues = issues_of(build.site(pools=[build.pool(hall="nope", node_model="hgx-h999")]))
    assert [(issue.code, issue.path) for issue in issues] == [
        ("GPUDC-SITE-001", "sites[0].pools[0].hall"),
        ("GPUDC-HW-001", "sites[0].pools[0].node_model"),
    ]


def test_nodes_not_a_whole_number_of_systems(build: Any) -> None:
    liquid = build.hall(cooling="direct-liquid", rack_power_kw=132, rack_units=48, power_kw=1000)
    issue = only_error(
        build.site(halls=[liquid], pools=[build.pool(node_model="gb200-nvl72", nodes=20)], utility_power_mw=2)
    )
    assert issue.code == "GPUDC-POOL-001"
    assert str(issue) == (
        "sites[0].pools[0].nodes: must be a multiple of 18: one NVIDIA DGX GB200 NVL72 system is 18 "
        "Kubernetes nodes, got 20; use 36 (2 systems)"
    )


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
    assert [(issue.code, issue.path) for issue in error.issues] == [
        ("GPUDC-HW-001", "sites[0].pools[1].node_model"),
        ("GPUDC-SITE-001", "sites[0].pools[2].hall"),
        ("GPUDC-POOL-001", "sites[0].pools[3].nodes"),
        ("GPUDC-POWER-001", "sites[0].halls[0].power_kw"),
        # (102 + 10.2 of the pool in no hall) x 1.4 = 157 kW > 90 kW
        ("GPUDC-POWER-002", "sites[0].utility_power_mw"),
        ("GPUDC-POWER-003", "sites[0].utility_power_mw"),  # 100 x 1.4 = 140 kW > 100 kW
    ]
    assert error.errors == error.issues
    assert str(error).startswith(
        "6 problems in the spec:\n  sites[0].pools[1].node_model: is not a node model of the catalog"
    )
    assert len(str(error).splitlines()) == 7


def test_warnings_are_printed_beside_the_errors(build: Any) -> None:
    # an error (unknown model) and a warning (unstated network rack power) in one SpecError
    site = build.site(halls=[build.hall(network_rack_kw=None)], pools=[build.pool(node_model="hgx-h999")])
    with pytest.raises(SpecError) as caught:
        plan(site)
    assert [(issue.code, issue.severity) for issue in caught.value.issues] == [
        ("GPUDC-HW-001", Severity.ERROR),
        ("GPUDC-POWER-006", Severity.WARNING),
    ]
    assert codes(caught.value.errors) == ["GPUDC-HW-001"]


# --- one problem never hides another ------------------------------------------------------------


def test_a_rack_shortage_does_not_hide_hot_racks(build: Any) -> None:
    # Air hall, 45 kW racks, 1 rack usable of 2: 12 H100 systems need 3 racks of 4 (40.8 kW each),
    # which is both too few racks and above air's 40 kW.
    hall = build.hall(cooling="air", power_kw=1000, rows=[{"name": "a", "racks": 2}])
    errors = errors_of(build.site(halls=[hall], pools=[build.pool(nodes=12)], utility_power_mw=2))
    assert [(error.code, error.path) for error in errors] == [
        ("GPUDC-RACK-002", "sites[0].halls[0].rows"),
        ("GPUDC-COOLING-002", "sites[0].halls[0].cooling"),
    ]


def test_a_fully_loaded_hall_can_validate_clean(build: Any) -> None:
    # Found trying gpudc: 4 x DGX H100 (40.8 kW) in every 45 kW rack of a 10-rack hall. At 450 kW
    # the load (408 kW) is over 450 x 0.9 = 405 kW; the fix says 454 kW (408 / 0.9 = 453.3), and
    # 454 kW must not then read as "more than the racks could draw" (454 x 0.9 = 408.6 <= 450).
    rows = [{"name": "a", "racks": 10}]
    pools = [build.pool(nodes=40)]
    full = build.hall(power_kw=450, rows=rows, network_racks=0)
    issue = only_issue(build.site(halls=[full], pools=pools))
    raised = number_in(issue.fix, r"at least ([\d,]+) kW")
    assert (issue.code, raised) == ("GPUDC-POWER-001", 454)
    fixed = plan(build.site(halls=[build.hall(power_kw=raised, rows=rows, network_racks=0)], pools=pools))
    assert fixed.findings == ()


def test_mw_typed_in_a_halls_kw_field_is_named_in_the_fix(build: Any) -> None:
    # 0.2 "kW" for a 200 kW hall: 102 kW of nodes against 0.18 kW usable.
    issue = only_issue(build.site(halls=[build.hall(power_kw=0.2)]))
    assert issue.code == "GPUDC-POWER-001"
    # The slip is the one fix meant; "move all nodes" or "raise to 114" would not be.
    assert issue.fix == "power_kw is in kW: did you mean 200?"
    assert "0.2 kW less 10% headroom" in issue.message
    assert plan(build.site(halls=[build.hall(power_kw=200)])).findings == ()


def test_grid_carbon_typed_in_kg_is_a_unit_warning(build: Any) -> None:
    finding = only_warning(build.site(grid_carbon_g_per_kwh=0.3341))
    assert finding.code == "GPUDC-UNITS-003"
    assert "did you mean 334.1, from kg/kWh?" in finding.fix
    assert warnings_of(build.site(grid_carbon_g_per_kwh=334.1)) == ()
    assert warnings_of(build.site(grid_carbon_g_per_kwh=0)) == ()  # a site on its own renewables


def test_rack_power_typed_in_mw_is_a_unit_warning(build: Any) -> None:
    finding = only_warning(build.site(halls=[build.hall(network_rack_kw=0.015)]))
    assert (finding.code, finding.path) == ("GPUDC-UNITS-004", "sites[0].halls[0].network_rack_kw")
    assert finding.message == "hall h1: a network rack drawing 15 W; network_rack_kw is in kW"
    assert "did you mean 15 kW" in finding.fix


def test_unit_and_stranding_fixes_never_contradict(build: Any) -> None:
    # Found in review. One 50 kW rack behind a 56 kW hall: 56 x 0.9 = 50.4 kW usable is within
    # the whole kW it takes to cover the rack (50 / 0.9 = 55.6 -> 56), so no unit slip.
    one = build.hall(power_kw=56, rack_power_kw=50, rows=[{"name": "a", "racks": 1}], network_racks=0)
    assert warnings_of(build.site(halls=[one], pools=[build.pool(nodes=4)], utility_power_mw=0.1)) == ()
    # An empty hall of 2 x 50 kW racks at 50 kW: the stranded-racks fix raises it to 112 kW
    # (100 / 0.9 = 111.1 -> 112), which the unit check must then accept.
    empty = build.hall(power_kw=50, rack_power_kw=50, rows=[{"name": "a", "racks": 2}], network_racks=0)
    finding = only_warning(build.site(halls=[empty], pools=[], utility_power_mw=0.1))
    assert (finding.code, number_in(finding.fix, r"by ([\d,]+) kW")) == ("GPUDC-POWER-005", 62)
    raised = build.hall(power_kw=112, rack_power_kw=50, rows=[{"name": "a", "racks": 2}], network_racks=0)
    assert warnings_of(build.site(halls=[raised], pools=[], utility_power_mw=0.2)) == ()


def test_an_unplaced_pool_leaves_no_stranding_warning_behind(build: Any) -> None:
    # Found in review: a GB200 pool in an air hall was reported, and its empty racks then showed
    # as stranded racks, a second finding for one cause.
    site = build.site(
        halls=[build.hall(cooling="air")], pools=[build.pool(node_model="gb200-nvl72", nodes=18)]
    )
    assert codes(issues_of(site)) == ["GPUDC-COOLING-001"]
    unknown = build.site(pools=[build.pool(node_model="hgx-h999")])
    assert codes(issues_of(unknown)) == ["GPUDC-HW-001"]


def test_a_fix_never_suggests_a_value_the_spec_refuses(build: Any) -> None:
    # Found trying gpudc: a 1 GW hall (the bound) full of B200s was told to go to 1,588,889 kW.
    rows = [{"name": f"r{i}", "racks": 200} for i in range(10)]
    hall = build.hall(
        power_kw=1_000_000, rack_power_kw=500, rack_units=60, cooling="direct-liquid", rows=rows
    )
    pools = [build.pool(node_model="hgx-b200-8gpu", nodes=100_000)]
    power = next(
        i
        for i in errors_of(build.site(halls=[hall], pools=pools, utility_power_mw=5000))
        if i.code == "GPUDC-POWER-001"
    )
    assert "raise" not in power.fix and power.fix.startswith("move ")


def test_the_feed_unit_hint_is_offered_only_when_it_ends_the_warning(build: Any) -> None:
    # Found trying gpudc: 5,000 MW for a 0.56 MW site suggested 5 MW, itself 8.9x the site. Here
    # the hall is 200 x 1.4 = 280 kW: 5 MW is 17.9x, so no hint; 1,000 MW reads as 1 MW (3.6x).
    assert "did you mean" not in only_warning(build.site(utility_power_mw=5000)).fix
    meant = number_in(only_warning(build.site(utility_power_mw=1000)).fix, r"did you mean ([\d.]+) MW")
    assert warnings_of(build.site(utility_power_mw=meant)) == ()
