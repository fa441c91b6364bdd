"""`report.md` and the console summary, rendered from a plan alone.

Domain figures reach the preview only as the typed `derived` block the program published (see
`gpudc.environment.derived`), so the preview stays ignorant of any one domain's types, and a
report can be rendered again from a plan.json file without running anything.
"""

from __future__ import annotations

from gpudc.core.text import render_template
from gpudc.environment.derived import Derived
from gpudc.preview.plan import Plan

__all__ = ["TOTALS", "cooling_load", "render_report"]

TOTALS = (
    "nodes",
    "gpus",
    "it_power_kw",
    "facility_power_kw",
    "facility_energy_mwh_per_year",
    "co2_tonnes_per_year",
    "water_m3_per_year",
)
"""The site figures a reviewer scans first, summed across sites."""


def cooling_load(derived: Derived) -> dict[str, tuple[int, float]]:
    """Cooling type -> (halls, planned IT kW), across sites: the heat each technology must remove."""
    load: dict[str, tuple[int, float]] = {}
    for site in derived.sites:
        for hall in site.halls:
            halls, kw = load.get(hall.cooling, (0, 0.0))
            load[hall.cooling] = (halls + 1, kw + hall.planned_kw)
    return dict(sorted(load.items()))


def render_report(plan: Plan) -> str:
    return render_template(
        "gpudc.preview",
        "report.md.j2",
        project=plan.project,
        stack=plan.stack,
        resources=plan.resources,
        by_type=plan.by_type(),
        derived=plan.derived,
    )
