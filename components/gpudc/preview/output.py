"""Write a plan to `out/<stack>/`: plan.json, manifests/, helm/ and report.md."""

from __future__ import annotations

import shutil
from pathlib import Path

from gpudc.preview.plan import Plan
from gpudc.preview.render import helm_values, manifests
from gpudc.preview.report import render_report

__all__ = ["write_plan"]


def write_plan(plan: Plan, directory: Path) -> list[Path]:
    """Replace `directory` with the plan's files; return what was written, sorted."""
    if directory.exists():
        shutil.rmtree(directory)
    files: dict[Path, str] = {
        directory / "plan.json": plan.to_json(),
        directory / "report.md": render_report(plan),
    }
    for manifest in manifests(plan):
        files[directory / "manifests" / manifest.filename] = manifest.to_yaml()
    for filename, values in helm_values(plan).items():
        files[directory / "helm" / filename] = values
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(files)
