"""`report.md` and the console summary, from the plan's resources and its stack outputs.

Domain figures reach the preview only as the program's `capacity` stack output, the same data
`pulumi up` prints, so the preview stays ignorant of any one domain's types.
"""

from __future__ import annotations

from typing import Any

from gpudc.core.text import render_template
from gpudc.preview.plan import Plan

__all__ = ["capacity", "cooling_load", "render_report", "totals"]


def capacity(plan: Plan) -> dict[str, Any]:
    """The `capacity` stack output: site name -> figures (empty for programs that export none)."""
    value = plan.outputs.get("capacity", {})
    return value if isinstance(value, dict) else {}


def totals(plan: Plan) -> dict[str, float]:
    """Sums across sites of the figures a reviewer scans first."""
    keys = (
        "nodes",
        "gpus",
        "it_power_kw",
        "facility_power_kw",
        "facility_energy_mwh_per_year",
        "co2_tonnes_per_year",
        "water_m3_per_year",
    )
    sites = capacity(plan).values()
    return {key: sum(site.get(key, 0) for site in sites) for key in keys}


def cooling_load(plan: Plan) -> dict[str, tuple[int, float]]:
    """Cooling type -> (halls, planned IT kW), across sites: the heat each technology must remove."""
    load: dict[str, tuple[int, float]] = {}
    for site in capacity(plan).values():
        for hall in site.get("halls", {}).values():
            halls, kw = load.get(hall["cooling"], (0, 0.0))
            load[hall["cooling"]] = (halls + 1, kw + hall["planned_kw"])
    return dict(sorted(load.items()))


def render_report(plan: Plan) -> str:
    return render_template(
        "gpudc.preview",
        "report.md.j2",
        project=plan.project,
        stack=plan.stack,
        resources=plan.resources,
        by_type=plan.by_type(),
        capacity=capacity(plan),
    )
