"""Write a plan to `out/<stack>/`: plan.json, manifests/, helm/, report.md, report.html and network/."""

from __future__ import annotations

import shutil
from pathlib import Path

from gpudc.core.errors import SpecError
from gpudc.preview.collector import few_collections
from gpudc.preview.html import render_html
from gpudc.preview.plan import PLAN_OUTPUT, Plan
from gpudc.preview.render import helm_values, manifest_files
from gpudc.preview.report import render_report

__all__ = ["OUTPUTS", "write_plan"]

OUTPUTS = ("plan.json", "report.md", "report.html", "report.png", "manifests", "helm", "network")
"""Everything `write_plan` (and `gpudc report --png`) writes, and so everything it may remove
from an earlier plan: a stale screenshot goes with the plan it showed."""


def write_plan(plan: Plan, directory: Path) -> list[Path]:
    """Write the plan's files into `directory`, replacing an earlier plan's; return them, sorted.

    Every file is rendered before anything on disk changes, and only an earlier plan's own
    outputs are removed: a directory holding anything else is refused, never emptied.
    """
    with few_collections():
        return _write_plan(plan, directory)


def _write_plan(plan: Plan, directory: Path) -> list[Path]:
    files: dict[Path, str] = {
        directory / "plan.json": plan.to_json(),
        directory / "report.md": render_report(plan),
        directory / "report.html": render_html(plan),
    }
    for filename, text in manifest_files(plan).items():
        files[directory / "manifests" / filename] = text
    for filename, values in helm_values(plan).items():
        files[directory / "helm" / filename] = values
    # Artifacts the program derived (RoCE leaf configurations); their paths are checked relative.
    for artifact in plan.derived.artifacts if plan.derived is not None else ():
        files[directory / artifact.path] = artifact.text
    if directory.exists():
        foreign = sorted(path.name for path in directory.iterdir() if path.name not in OUTPUTS)
        if foreign:
            raise SpecError.single(
                str(directory),
                f"holds files gpudc did not write ({', '.join(foreign[:5])})",
                fix="choose an empty or new --out directory",
                check=PLAN_OUTPUT,
            )
        for name in OUTPUTS:
            stale = directory / name
            if stale.is_dir():
                shutil.rmtree(stale)
            elif stale.exists():
                stale.unlink()
    folders: set[Path] = set()
    for path, text in files.items():
        if path.parent not in folders:  # a plano site writes 1,300 manifests into one folder
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        path.write_text(text, encoding="utf-8")
    return sorted(files)
