"""`gpudc diff BASE HEAD --stack S` on git refs: in a fresh clone, each ref planned by its own code
in a temporary worktree, and no worktree or temporary directory left behind, failures included."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gpudc.core.project import Project

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git on PATH")


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=gpudc", "-c", "user.email=gpudc@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory, project: Project) -> Path:
    """A repository of this project, cloned afresh, with commits `base` (the lab at 4 nodes),
    `scaled` (at 2), `docs` (a README only), `broken` (a pool of -4), `extra` (a new stack)."""
    origin = tmp_path_factory.mktemp("origin")
    for name in ("Pulumi.yaml", "infra", "stacks", "components/gpudc"):
        source = project.root / name
        target = origin / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target)
    lab = origin / "stacks" / "Pulumi.lab.yaml"
    # Without its inventory file, the lab's pool can change size in a one-line commit.
    lab.write_text("".join(line for line in lab.read_text().splitlines(True) if "inventory:" not in line))
    _git(origin, "init", "--quiet", "--initial-branch=main")
    _git(origin, "add", ".")
    _git(origin, "commit", "--quiet", "-m", "base")
    _git(origin, "tag", "base")
    lab.write_text(lab.read_text().replace("nodes: 4\n", "nodes: 2\n"))
    _git(origin, "commit", "--quiet", "-am", "scale")
    _git(origin, "tag", "scaled")
    (origin / "README.md").write_text("docs only\n")
    _git(origin, "add", "README.md")
    _git(origin, "commit", "--quiet", "-m", "docs")
    _git(origin, "tag", "docs")
    lab.write_text(lab.read_text().replace("nodes: 2\n", "nodes: -4\n"))
    _git(origin, "commit", "--quiet", "-am", "broken")
    _git(origin, "tag", "broken")
    (origin / "stacks" / "Pulumi.extra.yaml").write_text(
        (project.root / "stacks" / "Pulumi.lab.yaml")
        .read_text()
        .replace("context: gpudc-lab", "context: extra")
    )
    _git(origin, "add", "stacks/Pulumi.extra.yaml")
    _git(origin, "commit", "--quiet", "-m", "extra")
    _git(origin, "tag", "extra")
    target = tmp_path_factory.mktemp("clone") / "repo"
    _git(origin.parent, "clone", "--quiet", str(origin), str(target))
    return target


def _diff(clone: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # TMPDIR of its own, so a test can see that nothing is left in it.
    return subprocess.run(
        [sys.executable, "-c", "from gpudc.cli import main; main()", "diff", *args, "-C", str(clone)],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
        timeout=300,
        check=False,
    )


def _worktrees(clone: Path) -> list[str]:
    return [
        line
        for line in _git(clone, "worktree", "list", "--porcelain").splitlines()
        if line.startswith("worktree ")
    ]


def test_two_refs_diff_in_a_fresh_clone_and_leave_no_worktree(clone: Path, tmp_path: Path) -> None:
    result = _diff(clone, tmp_path, "base", "scaled", "--stack", "lab")
    assert result.returncode == 0, result.stderr
    assert "  - `spec.nodes`: `4` -> `2`" in result.stdout
    assert "| lab | GPUs | 32 | 16 | -16 |" in result.stdout
    assert _worktrees(clone) == [f"worktree {clone}"]
    assert list(tmp_path.iterdir()) == []


def test_all_finds_the_stacks_a_change_touches(clone: Path, tmp_path: Path) -> None:
    out = tmp_path / "comments"
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    result = _diff(clone, temporary, "base", "scaled", "--all", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["lab.json", "lab.md"]  # plano did not change
    docs = _diff(clone, temporary, "scaled", "docs", "--all")
    assert (docs.returncode, docs.stdout) == (0, "")
    assert "no stack changed" in docs.stderr
    assert list(temporary.iterdir()) == []


def test_a_ref_that_does_not_plan_fails_with_its_findings_and_leaves_nothing(
    clone: Path, tmp_path: Path
) -> None:
    result = _diff(clone, tmp_path, "scaled", "broken", "--stack", "lab")
    assert result.returncode == 2
    assert "GPUDC-DIFF-002" in result.stderr and "must be > 0, got -4" in result.stderr
    assert "Traceback" not in result.stderr
    assert _worktrees(clone) == [f"worktree {clone}"]
    assert list(tmp_path.iterdir()) == []


def test_a_stack_new_at_head_is_all_creates_and_one_at_neither_is_a_finding(
    clone: Path, tmp_path: Path
) -> None:
    result = _diff(clone, tmp_path, "broken", "extra", "--stack", "extra", "--format", "json")
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)["counts"]
    assert (counts["create"], counts["unchanged"], counts["delete"]) == (23, 0, 0)
    missing = _diff(clone, tmp_path, "base", "scaled", "--stack", "nosuch")
    assert missing.returncode == 2 and "GPUDC-DIFF-002" in missing.stderr and "nosuch" in missing.stderr
