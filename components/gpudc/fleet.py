"""The fleet runner: every stack validated or planned in a process of its own, in parallel.

Planning mutates process state (Pulumi's settings, config and root stack live in globals and
context variables), so each stack runs in a fresh process (`spawn`, one task per process), at
most `jobs` at a time. A worker never raises: it returns a `StackOutcome` (ok or not, its
findings, its `derived` figures, and the validated spec for the fleet checks), so one broken
stack is reported by name while the others finish.

This module sits above the preview (it runs it) and below the CLI (which draws the progress and
the summary); `environment.fleet` holds the cross-stack checks themselves.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from gpudc.core.errors import SpecError
from gpudc.core.findings import Finding, Severity, register
from gpudc.core.project import find_project
from gpudc.environment.derived import Derived
from gpudc.environment.figures import environment_derived
from gpudc.environment.load import check_stack, read_stack
from gpudc.environment.spec import EnvironmentSpec

__all__ = ["Phase", "StackOutcome", "default_jobs", "plan_stack", "run_fleet", "validate_stack"]

WORKER_FAILED = register("GPUDC-FLEET-010", Severity.ERROR, "A stack's process stopped unexpectedly")


class Phase(StrEnum):
    """Where a stack is in a fleet run, as the progress display shows it."""

    QUEUED = "queued"
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class StackOutcome:
    """What one stack's process found: picklable, so it crosses back to the parent."""

    stack: str
    stack_file: str
    ok: bool
    findings: tuple[Finding, ...] = ()
    derived: Derived | None = None
    spec: EnvironmentSpec | None = None
    resources: int | None = None
    files: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(finding.is_error for finding in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors


def default_jobs() -> int:
    """As many processes as this process may use CPUs."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def validate_stack(root: Path, stack: str) -> StackOutcome:
    """`gpudc validate STACK` in this process: never raises."""
    project = find_project(root)
    stack_file = _relative(project.stack_file(stack), project.root)
    try:
        stack_data = read_stack(project, stack)
        plan = check_stack(stack_data)
    except SpecError as exc:
        return StackOutcome(stack, stack_file, ok=False, findings=tuple(exc.issues))
    except Exception:
        return _crashed(stack, stack_file)
    return StackOutcome(
        stack,
        stack_file,
        ok=True,
        findings=tuple(plan.findings),
        derived=environment_derived(plan),
        spec=plan.spec,
    )


def plan_stack(root: Path, stack: str, out: Path | None = None) -> StackOutcome:
    """`gpudc plan STACK` in this process (which it changes: run it in a fresh one): never raises.

    A gpudc stack is checked exactly as `validate` checks it first; a library program's stack
    (no `gpudc:` keys) is the program's own to check, as in `gpudc plan STACK`.
    """
    project = find_project(root)
    try:
        own_program = not read_stack(project, stack).is_gpudc_stack
    except SpecError as exc:
        return StackOutcome(
            stack, _relative(project.stack_file(stack), project.root), ok=False, findings=tuple(exc.issues)
        )
    checked = (
        StackOutcome(stack, _relative(project.stack_file(stack), project.root), ok=True)
        if own_program
        else validate_stack(root, stack)
    )
    if not checked.ok:
        return checked
    try:
        # Pulumi is imported only in the worker that plans.
        from gpudc.preview.output import write_plan
        from gpudc.preview.run import plan_project

        result = plan_project(project, stack)
        written = write_plan(result, out / stack if out is not None else project.root / "out" / stack)
    except SpecError as exc:
        return StackOutcome(stack, checked.stack_file, ok=False, findings=(*checked.findings, *exc.issues))
    except Exception:
        return _crashed(stack, checked.stack_file)
    return StackOutcome(
        stack,
        checked.stack_file,
        ok=True,
        findings=checked.findings,
        derived=result.derived or checked.derived,
        spec=checked.spec,
        resources=len(result.resources),
        files=len(written),
    )


def _crashed(stack: str, stack_file: str) -> StackOutcome:
    last = traceback.format_exc().strip().splitlines()[-1]
    return StackOutcome(
        stack,
        stack_file,
        ok=False,
        findings=(
            WORKER_FAILED.finding(
                stack_file,
                f"gpudc stopped with an internal error ({last})",
                fix=f"run `gpudc validate {stack}` on its own and report the error with its traceback",
            ),
        ),
    )


Work = Callable[..., StackOutcome]
Progress = Callable[[str, Phase, StackOutcome | None], None]


def run_fleet(
    work: Work,
    stacks: Sequence[str],
    *args: object,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> list[StackOutcome]:
    """Run `work(*args[:1], stack, *args[1:])` for every stack, each in its own process; outcomes in
    the order of `stacks`.

    `work` is `validate_stack` or `plan_stack` (module-level, so a spawned process can import
    it); `args` are the project root and, for planning, the output directory. `progress` is
    called in this process as each stack starts and ends (queued stacks start in order, as the
    pool takes them).
    """
    report = progress or (lambda stack, phase, outcome: None)
    jobs = max(1, min(jobs or default_jobs(), len(stacks) or 1))
    root, *rest = args
    outcomes: dict[str, StackOutcome] = {}
    context = _context()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, max_tasks_per_child=1) as pool:
        pending = list(stacks)
        running: dict[Future[StackOutcome], str] = {}
        for stack in pending:
            report(stack, Phase.QUEUED, None)

        def start() -> None:
            while pending and len(running) < jobs:
                stack = pending.pop(0)
                running[pool.submit(work, root, stack, *rest)] = stack
                report(stack, Phase.RUNNING, None)

        start()
        while running:
            done = next(_as_completed(running))
            stack = running.pop(done)
            try:
                outcome = done.result()
            except Exception:
                outcome = _crashed(stack, stack)
            outcomes[stack] = outcome
            report(stack, Phase.OK if outcome.ok else Phase.FAILED, outcome)
            start()
    return [outcomes[stack] for stack in stacks]


def _context() -> multiprocessing.context.BaseContext:
    """Fresh processes, started cheaply: where the platform has it, a fork server that has
    imported gpudc once forks each stack's process from that clean state (never from this
    process, which may hold a terminal display's thread); elsewhere each process is spawned."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["gpudc.fleet"])
        return context
    return multiprocessing.get_context("spawn")


def _as_completed(running: dict[Future[StackOutcome], str]) -> Iterator[Future[StackOutcome]]:
    done, _ = wait(running, return_when=FIRST_COMPLETED)
    # Report in the stacks' order when several end together, so output is stable.
    yield from sorted(done, key=lambda future: running[future])
