"""report.html: parses, draws every rack of the plan exactly once, stays offline, and renders in
headless Chromium without a console message."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gpudc.core.project import Project
from gpudc.environment.derived import Derived, FindingRecord
from gpudc.environment.load import check_stack, read_stack
from gpudc.preview.browser import find_chromium, render_png
from gpudc.preview.html import render_fleet_page, render_html
from gpudc.preview.plan import Plan
from gpudc.preview.report import TOTALS
from gpudc.site.capacity import rack_ids

_VOID = {"meta", "link", "br", "img", "input", "hr", "area", "base", "col", "embed", "source", "track", "wbr"}
_SVG_LEAVES = {"rect", "circle", "path", "line", "polyline", "polygon", "use", "stop"}


class _Page(HTMLParser):
    """Collects `data-rack` values and checks every element is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.racks: Counter[str] = Counter()
        self.open: list[str] = []
        self.problems: list[str] = []
        self.urls: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "data-rack" in values:
            self.racks[values["data-rack"] or ""] += 1
        for key in ("src", "href"):
            if values.get(key):
                self.urls.append(values[key] or "")
        self.scripts += tag == "script"
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "data-rack" in values:
            self.racks[values["data-rack"] or ""] += 1

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
            return
        self.open.pop()


def _parsed(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _plan_racks(derived: Derived | None) -> list[str]:
    assert derived is not None
    return [
        rack
        for site in derived.sites
        for hall in site.halls
        for row in hall.rows
        for rack, _ in row.racks(hall.name)
    ]


@pytest.mark.parametrize("stack", ["plano", "lab"])
def test_every_rack_of_the_plan_is_drawn_once(planned: Callable[[str], Plan], stack: str) -> None:
    plan = planned(stack)
    page = _parsed(render_html(plan))
    assert page.problems == []
    assert page.open == []
    racks = _plan_racks(plan.derived)
    assert plan.derived is not None
    assert len(racks) == sum(hall.racks_total for site in plan.derived.sites for hall in site.halls)
    assert page.racks == Counter(racks)
    assert set(page.racks.values()) == {1}


def test_plano_floor_plan_marks_pools_reserved_and_free_racks(planned: Callable[[str], Plan]) -> None:
    plan = planned("plano")
    html = render_html(plan)
    assert len(_plan_racks(plan.derived)) == 170
    assert (
        '<g class="rack pool" data-rack="h1/a-01" tabindex="0"><title>h1/a-01 · pool h100-a · 40.8 of 45 kW</title>'
        in html
    )
    assert (
        '<g class="rack network" data-rack="h1/h-01" tabindex="0"><title>h1/h-01 · network (reserved) · 15 of 45 kW'
        in html
    )
    assert (
        '<g class="rack storage" data-rack="h1/h-10" tabindex="0"><title>h1/h-10 · storage (reserved) · 12 of 45 kW'
        in html
    )
    assert '<g class="rack free" data-rack="h1/g-05" tabindex="0"><title>h1/g-05 · free · 0 of 45 kW' in html
    assert plan.derived is not None
    runs = [
        run for site in plan.derived.sites for hall in site.halls for row in hall.rows for run in row.runs
    ]
    assert Counter(run.use for run in runs for _ in range(run.count)) == {
        "pool": 136,
        "network": 15,
        "storage": 7,
        "free": 12,
    }
    assert len(runs) == 25  # alike racks of a row travel as one run


def test_the_drawing_agrees_with_placement(planned: Callable[[str], Plan], project: Project) -> None:
    """Rack ids and pools as the derived model placed them, not as the report re-derives them."""
    environment = check_stack(read_stack(project, "plano"))
    html = render_html(planned("plano"))
    page = _parsed(html)
    site = environment.sites["plano"]
    expected = [f"{hall.name}/{rack}" for hall in site.spec.halls for rack in rack_ids(hall)]
    assert list(page.racks) == expected
    for pool in site.pools:
        for rack in pool.capacity.racks:
            assert f'data-rack="{rack.rack}" tabindex="0"><title>{rack.rack} · pool {pool.name} · ' in html


def test_the_page_is_self_contained(planned: Callable[[str], Plan]) -> None:
    page = _parsed(render_html(planned("plano")))
    assert page.scripts == 0
    assert page.urls == []  # no stylesheet, font, image or link to fetch


def test_text_from_the_plan_is_escaped(planned: Callable[[str], Plan]) -> None:
    plan = planned("lab")
    assert plan.derived is not None
    finding = FindingRecord(
        code="GPUDC-X-001", severity="warning", path="p", message="<script>x</script>", fix=""
    )
    hostile = plan.derived.model_copy(update={"findings": [finding]})
    html = render_html(Plan(plan.project, plan.stack, plan.resources, plan.outputs, hostile))
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_the_fleet_page_links_each_stack_that_planned() -> None:
    figures = dict.fromkeys(("sites", "clusters", *TOTALS), 1.0)
    html = render_fleet_page("gpudc", [("lab", True, figures, []), ("bad", False, figures, [])], [])
    page = _parsed(html)
    assert page.problems == []
    assert page.urls == ["lab/report.html"]
    assert '<tfoot><tr><th>total</th><th></th><td class="n">2</td>' in html


# --- headless Chromium ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium; installed here when absent and this user may install packages."""
    found = find_chromium()
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
            capture_output=True,
            timeout=600,
            check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        found = find_chromium()
    if found is None:
        pytest.skip("no Chromium on PATH and `apt-get install chromium` was not possible here")
    return found


def test_chromium_reports_a_console_error_when_there_is_one(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><body><script>console.error("boom")</script></body></html>')
    rendered = render_png(page, tmp_path / "bad.png", width=200, height=200, chromium=chromium)
    assert [message.split(",")[0] for message in rendered.console] == ['"boom"']


def test_plano_report_renders_in_chromium_without_console_messages(
    chromium: str, planned: Callable[[str], Plan], tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(planned("plano")), encoding="utf-8")
    rendered = render_png(page, tmp_path / "report.png", chromium=chromium)
    assert rendered.console == ()
    assert rendered.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert rendered.png.stat().st_size > 10_000  # a drawn page, not a blank one
