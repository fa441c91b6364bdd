"""Plans of a stack as it is at a git ref, for `gpudc diff BASE HEAD --stack S`.

Each ref is checked out into a temporary `git worktree` and planned there by a fresh `gpudc plan`
process whose imports come from that checkout (`components/` first on PYTHONPATH), so BASE is
planned by BASE's own code and stack file. The worktree is removed on every way out, failures
and interrupts included. Nothing here knows a domain: it runs git and the CLI, and reads plan.json.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from gpudc.core.errors import SpecError
from gpudc.core.findings import Severity, register
from gpudc.core.project import find_project
from gpudc.preview.plan import Plan

__all__ = ["GIT_REF", "REF_PLAN", "GitRefs", "plan_at_ref"]

GIT_REF = register("GPUDC-DIFF-001", Severity.ERROR, "A diff's BASE or HEAD is neither a plan nor a git ref")
REF_PLAN = register("GPUDC-DIFF-002", Severity.ERROR, "A stack does not plan at a git ref")

# A change to any of these can change every stack's plan (relative to the repository's root).
_PROGRAM_PATHS = ("components/", "pyproject.toml")


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=False, timeout=300
    )
    if result.returncode != 0:
        raise SpecError.single(
            "git", f"`git {' '.join(args)}` failed: {result.stderr.strip()[:500]}", check=GIT_REF
        )
    return result.stdout


class GitRefs:
    """The repository holding a Pulumi project, and where the project sits inside it."""

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir.resolve()
        self.root = Path(_git(self.project_dir, "rev-parse", "--show-toplevel").strip()).resolve()
        self.project_path = self.project_dir.relative_to(self.root)

    @staticmethod
    def is_repository(path: Path) -> bool:
        return (
            subprocess.run(
                ["git", "-C", str(path), "rev-parse", "--git-dir"], capture_output=True, check=False
            ).returncode
            == 0
        )

    def commit(self, ref: str) -> str:
        """The commit `ref` names; a finding naming the ref when it names none."""
        result = subprocess.run(
            ["git", "-C", str(self.root), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or ref.startswith("-"):
            raise SpecError.single(
                "BASE/HEAD",
                "is neither a plan directory, a plan.json file nor a commit of this repository",
                value=ref,
                fix="give a directory `gpudc plan` wrote, or a branch, tag or commit "
                "(in a shallow CI clone, fetch the base first: actions/checkout with fetch-depth: 0)",
                check=GIT_REF,
            )
        return result.stdout.strip()

    @contextlib.contextmanager
    def worktree(self, commit: str) -> Iterator[Path]:
        """`commit` checked out in a temporary worktree, removed again whatever happens."""
        holder = Path(tempfile.mkdtemp(prefix="gpudc-diff-"))
        tree = holder / "tree"
        try:
            _git(self.root, "worktree", "add", "--detach", "--quiet", str(tree), commit)
            yield tree
        finally:
            subprocess.run(
                ["git", "-C", str(self.root), "worktree", "remove", "--force", str(tree)],
                capture_output=True,
                check=False,
            )
            shutil.rmtree(holder, ignore_errors=True)
            subprocess.run(
                ["git", "-C", str(self.root), "worktree", "prune"], capture_output=True, check=False
            )

    def changed_stacks(self, base: str, head: str) -> list[str]:
        """Stacks a change touches: those whose stack file changed, or every stack of either side
        when the program or gpudc's own code changed."""
        changed = _git(self.root, "diff", "--name-only", base, head).splitlines()
        project = find_project(self.project_dir)
        stacks_dir = PurePosixPath(project.stacks_dir.resolve().relative_to(self.root).as_posix())
        main_dir = PurePosixPath(project.main.resolve().relative_to(self.root).as_posix())
        project_file = PurePosixPath(self.project_path.as_posix()) / "Pulumi.yaml"
        names = set()
        program_changed = False
        for name in changed:
            path = PurePosixPath(name)
            if (
                path.parent == stacks_dir
                and path.name.startswith("Pulumi.")
                and path.suffix in (".yaml", ".yml")
            ):
                names.add(path.name.removeprefix("Pulumi.").rsplit(".", 1)[0])
            elif path == project_file or main_dir in path.parents or name.startswith(_PROGRAM_PATHS):
                program_changed = True
        if program_changed:
            for ref in (base, head):
                names.update(self._stacks_at(ref, stacks_dir))
        return sorted(names)

    def _stacks_at(self, ref: str, stacks_dir: PurePosixPath) -> list[str]:
        listing = _git(self.root, "ls-tree", "--name-only", f"{ref}:{stacks_dir.as_posix()}")
        return [
            name.removeprefix("Pulumi.").rsplit(".", 1)[0]
            for name in listing.splitlines()
            if name.startswith("Pulumi.") and name.endswith((".yaml", ".yml"))
        ]


def plan_at_ref(refs: GitRefs, commit: str, stack: str) -> Plan | None:
    """The stack planned as it is at `commit`; None when the stack does not exist there."""
    with refs.worktree(commit) as tree:
        project_dir = tree / refs.project_path
        project = find_project(project_dir)
        if stack not in project.stacks():
            return None
        out = tree.parent / "plan"
        environment = dict(os.environ)
        code = tree / "components"
        if (code / "gpudc").is_dir():  # this repository's own gpudc, as it is at the ref
            environment["PYTHONPATH"] = os.pathsep.join(
                [str(code), *filter(None, [environment.get("PYTHONPATH")])]
            )
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from gpudc.cli import main; main()",
                "plan",
                stack,
                "-C",
                str(project_dir),
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
            timeout=1800,
        )
        if result.returncode != 0:
            raise SpecError.single(
                f"{stack}@{commit[:12]}",
                "does not plan: " + (result.stderr.strip() or result.stdout.strip())[-2000:],
                fix="run `gpudc plan` on that commit and fix what it reports",
                check=REF_PLAN,
            )
        return Plan.from_json((out / "plan.json").read_text(encoding="utf-8"))
