"""`report.html`: one self-contained page per stack, from plan.json alone, and a fleet page.

Per site: a floor plan of every hall (rows of racks as inline SVG, each rack coloured by its pool
and filled to its planned kW against the rack's limit, reserved network and storage racks
hatched), power and cooling budget bars per hall, the site's yearly energy, CO2 and water, and
the findings with their codes. No script, no font, no request: the page opens from a CI
artifact or an air-gapped laptop alike.

The drawing follows netbox's rack SVGs (netbox-community/netbox `netbox/dcim/svg/racks.py`): the
canvas is sized from the data, one function maps a rack's position to pixels, CSS lives in the
page, and every rack carries its own tooltip (`<title>`) and its id (`data-rack`), which the
tests use to count racks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from gpudc.core.text import render_template
from gpudc.environment.derived import HallFigures, RackRun, SiteFigures
from gpudc.preview.plan import Plan

__all__ = ["PALETTE", "HallDrawing", "draw_hall", "render_fleet_page", "render_html"]

# Okabe & Ito's colour-blind-safe set (black left out: it is the text colour), then Paul Tol's
# "muted" scheme for pools beyond seven; both are designed to stay distinct under the common
# colour-vision deficiencies. https://jfly.uni-koeln.de/color/ · https://personal.sron.nl/~pault/
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)

RACK_W, RACK_H, GAP = 14, 22, 3
LABEL_W = 34  # room for a row's name left of its racks
PER_LINE = 40  # a longer row wraps, so a hall stays readable on a phone
PAD = 6


@dataclass(frozen=True, slots=True)
class RowLabel:
    name: str
    x: int
    y: int


@dataclass(frozen=True, slots=True)
class HallDrawing:
    hall: HallFigures
    width: int
    height: int
    racks: Markup
    """Every rack's `<g data-rack=...>` element, escaped: built here, not in a template loop,
    because a hall can hold 20,000 racks and a template pays per value it escapes."""
    count: int
    labels: tuple[RowLabel, ...]


def _position(line: int, column: int) -> tuple[int, int]:
    """Pixels of the rack at `column` of drawing line `line`: the one place positions are computed."""
    return LABEL_W + column * (RACK_W + GAP), PAD + line * (RACK_H + 2 * GAP)


def _title(rack: str, run: RackRun, limit: float | None) -> str:
    of = f" of {limit:g} kW" if limit else " kW"
    if run.use == "pool":
        return f"{rack} · pool {run.pool} · {run.kw:g}{of}"
    if run.use == "free":
        return f"{rack} · free · 0{of}"
    return f"{rack} · {run.use} (reserved) · {run.kw:g}{of}"


def draw_hall(hall: HallFigures, colours: dict[str, str]) -> HallDrawing:
    """Lay out a hall's rows: one line per row (longer rows wrap), racks left to right."""
    racks: list[str] = []
    labels: list[RowLabel] = []
    line = 0
    widest = 1
    limit = hall.rack_power_kw
    for row in hall.rows:
        labels.append(RowLabel(row.name, LABEL_W - 6, _position(line, 0)[1] + RACK_H - 6))
        for index, (rack, run) in enumerate(row.racks(hall.name)):
            column = index % PER_LINE
            if index and not column:
                line += 1
            widest = max(widest, column + 1)
            x, y = _position(line, column)
            share = min(run.kw / limit, 1.0) if limit else (1.0 if run.kw else 0.0)
            fill = ""
            if run.use == "pool":
                height = round((RACK_H - 2) * share, 1)
                fill = (
                    f'<rect x="{x + 1}" y="{y + RACK_H - 1 - height:g}" width="{RACK_W - 2}" height="{height:g}" '
                    f'fill="{escape(colours.get(run.pool or "", "#ffffff"))}"/>'
                )
            racks.append(
                f'<g class="rack {escape(run.use)}" data-rack="{escape(rack)}" tabindex="0">'
                f"<title>{escape(_title(rack, run, limit))}</title>"
                f'<rect class="frame" x="{x}" y="{y}" width="{RACK_W}" height="{RACK_H}"/>{fill}</g>'
            )
        line += 1
    width = _position(0, widest)[0] + PAD
    height = _position(line, 0)[1] + PAD
    return HallDrawing(hall, width, height, Markup("\n".join(racks)), len(racks), tuple(labels))


def _pool_colours(site: SiteFigures) -> dict[str, str]:
    return {pool.name: PALETTE[index % len(PALETTE)] for index, pool in enumerate(site.pools)}


def _percent(part: float, whole: float) -> float:
    return round(100 * max(part, 0.0) / whole, 2) if whole > 0 else 0.0


def _site_view(site: SiteFigures) -> dict[str, Any]:
    colours = _pool_colours(site)
    halls = []
    for hall in site.halls:
        pools_kw = hall.planned_kw - hall.reserved_kw
        headroom_kw = hall.power_kw - hall.available_kw
        halls.append(
            {
                "figures": hall,
                "drawing": draw_hall(hall, colours),
                "power": [
                    ("pools", pools_kw, _percent(pools_kw, hall.power_kw)),
                    ("reserved racks", hall.reserved_kw, _percent(hall.reserved_kw, hall.power_kw)),
                    ("free", hall.power_left_kw, _percent(hall.power_left_kw, hall.power_kw)),
                    ("headroom", headroom_kw, _percent(headroom_kw, hall.power_kw)),
                ],
                "cooling": _percent(hall.peak_rack_kw, hall.rack_power_kw or hall.peak_rack_kw or 1.0),
            }
        )
    return {"figures": site, "colours": colours, "halls": halls}


def render_html(plan: Plan) -> str:
    """The stack's page, from the plan alone (its `derived` block for every figure)."""
    derived = plan.derived
    return render_template(
        "gpudc.preview",
        "report.html.j2",
        project=plan.project,
        stack=plan.stack,
        resources=len(plan.resources),
        by_type=plan.by_type(),
        derived=derived,
        sites=[_site_view(site) for site in derived.sites] if derived is not None else [],
    )


FleetRow = tuple[str, bool, dict[str, float], Sequence[dict[str, Any]]]


def render_fleet_page(
    project: str, rows: Sequence[FleetRow], fleet_findings: Sequence[dict[str, Any]]
) -> str:
    """`out/fleet.html`: a row per stack (figures, status, link to its page) and the fleet checks."""
    totals: dict[str, float] = {}
    for _, _, figures, _ in rows:
        for key, value in figures.items():
            totals[key] = totals.get(key, 0.0) + value
    return render_template(
        "gpudc.preview",
        "fleet.html.j2",
        project=project,
        rows=rows,
        totals=totals,
        fleet_findings=fleet_findings,
        stack_findings=sum(len(findings) for _, _, _, findings in rows),
    )
