"""`gpudc validate --all` / `plan --all` / `--stacks`: each stack in its own process, the fleet
checks across them, a summary, and exit 2 naming every stack that failed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY


def _write(scratch: Path, stack: str, environment: dict[str, Any]) -> None:
    text = yaml.safe_dump({"config": {CONFIG_KEY: environment}}, sort_keys=False)
    (scratch / "stacks" / f"Pulumi.{stack}.yaml").write_text(text)


def _lab(project: Project, site: str) -> dict[str, Any]:
    environment = copy.deepcopy(project.stack_config("lab")[CONFIG_KEY])
    environment["sites"][0]["name"] = site
    environment["sites"][0]["kubernetes"]["context"] = f"{site}-context"
    for pool in environment["sites"][0]["pools"]:
        pool.pop("inventory", None)  # the scratch project has no inventory folder
    return environment


def test_validate_all_checks_every_stack_and_sums_the_fleet(gpudc_cli: Any, project: Project) -> None:
    result = gpudc_cli("validate", "--all", "-C", str(project.root))
    assert result.returncode == 0, result.stderr
    # Not a terminal (a CI log): one line per stack as it ends, no live display. Stacks run in
    # parallel, so the order they end in is the machine's (a busy machine reorders them).
    stacks = project.stacks()
    assert sorted(result.stderr.splitlines()) == sorted(f"{stack}: ok" for stack in stacks)
    rows = {
        line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[3:7]]
        for line in result.stdout.splitlines()
        if line.startswith("│")
    }
    assert list(rows) == [*stacks, "total"]
    # sites, clusters, nodes and GPUs of the fleet: each the sum of the stacks'
    numbers = {stack: [int(cell.replace(",", "")) for cell in cells] for stack, cells in rows.items()}
    assert numbers["total"] == [sum(numbers[stack][column] for stack in stacks) for column in range(4)]
    assert numbers["plano"] == [1, 1, 672, 4800]


def test_a_failing_stack_and_a_fleet_clash_fail_the_run_by_name(
    gpudc_cli: Any, project: Project, scratch: Path
) -> None:
    _write(scratch, "east", _lab(project, "east"))
    _write(scratch, "west", _lab(project, "east"))  # the same site and context as east
    broken = _lab(project, "north")
    broken["sites"][0]["pue"] = 0.5
    _write(scratch, "north", broken)
    result = gpudc_cli("validate", "--all", "-C", str(scratch))
    assert result.returncode == 2
    err = result.stderr
    assert "north: failed (1 error(s))" in err
    assert "error GPUDC-SPEC-001 sites[0].pue: must be >= 1.0, got 0.5" in err
    assert (
        "error GPUDC-FLEET-001 stacks/Pulumi.west.yaml:sites[0].name: site east is also a site of "
        "stacks/Pulumi.east.yaml (sites[0].name)"
    ) in err
    assert err.splitlines()[-1] == "failed: north (1 error(s)), the fleet (3 cross-stack error(s))"


def test_validate_stacks_as_json_for_ci(gpudc_cli: Any, project: Project) -> None:
    result = gpudc_cli("validate", "--stacks", "lab", "--format", "json", "-C", str(project.root))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document == {
        "ok": True,
        "stacks": [{"stack": "lab", "file": "stacks/Pulumi.lab.yaml", "ok": True, "findings": []}],
        "fleet": [],
    }


def test_unknown_stacks_are_named(gpudc_cli: Any, project: Project) -> None:
    result = gpudc_cli("validate", "--stacks", "lab,nope", "-C", str(project.root))
    assert result.returncode == 2
    assert result.stderr.strip() == f"error --stacks: nope; stacks with files: {', '.join(project.stacks())}"


def test_plan_stacks_writes_each_plan_and_the_fleet_page(
    gpudc_cli: Any, project: Project, tmp_path: Path
) -> None:
    result = gpudc_cli("plan", "--stacks", "lab", "-C", str(project.root), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "lab").iterdir()) == [
        "helm",
        "manifests",
        "plan.json",
        "report.html",
        "report.md",
    ]
    assert '<a href="lab/report.html">lab</a>' in (tmp_path / "fleet.html").read_text()
    resources = next(line for line in result.stdout.splitlines() if line.startswith("│ lab"))
    planned = json.loads((tmp_path / "lab" / "plan.json").read_text())
    assert resources.split("│")[-2].strip() == str(len(planned["resources"]))


def test_a_terminal_gets_a_live_line_per_stack(monkeypatch: Any) -> None:
    import io

    from rich.console import Console

    from gpudc import cli
    from gpudc.fleet import WORKER_FAILED, Phase, StackOutcome

    screen = io.StringIO()
    monkeypatch.setattr(cli, "errors", Console(file=screen, force_terminal=True, width=100))
    with cli._FleetProgress(["lab", "plano"], "validate", quiet=False) as progress:
        assert progress.live
        progress.update("lab", Phase.RUNNING, None)
        progress.update("lab", Phase.OK, StackOutcome("lab", "stacks/Pulumi.lab.yaml", ok=True))
        progress.update("plano", Phase.RUNNING, None)
        broken = WORKER_FAILED.finding("stacks/Pulumi.plano.yaml", "stopped")
        progress.update(
            "plano", Phase.FAILED, StackOutcome("plano", "stacks/Pulumi.plano.yaml", False, (broken,))
        )
    text = screen.getvalue()
    assert "validate 2 stack(s)" in text
    last = text.rsplit("validate 2 stack(s)", 1)[1]  # the final frame of the live display
    assert "lab" in last and "ok" in last
    assert "plano" in last and "failed (1 error(s))" in last


def test_plan_stacks_into_a_folder_under_a_file_fails_with_findings(
    gpudc_cli: Any, project: Project, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("a file")
    out = tmp_path / "notes.txt" / "plans"
    result = gpudc_cli("plan", "--stacks", "lab", "-C", str(project.root), "--out", str(out))
    assert result.returncode == 2
    assert f"error GPUDC-PLAN-001 {out / 'lab'}: cannot be written (Not a directory)" in result.stderr
    assert f"error GPUDC-PLAN-001 {out}: cannot be written (Not a directory)" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.rstrip().endswith("failed: lab (1 error(s)), the fleet page (not written)")
