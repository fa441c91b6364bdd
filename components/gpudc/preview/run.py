"""Run a Pulumi program offline, under the recording monitor, and return its plan.

The program is the real one (`infra/__main__.py` or a user's own), run exactly as `pulumi` would
run it, with the stack file's config. Each run gets a fresh context and event loop: Pulumi keeps
its settings, root stack and config in context variables and its config dict outlives
`set_mocks`, so reusing either would leak one plan into the next.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import json
import logging
import runpy
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import MockEngine, MockSettings
from pulumi.runtime.stack import run_in_stack

from gpudc.core.errors import SpecError
from gpudc.core.findings import Severity, register
from gpudc.core.project import Project
from gpudc.preview.collector import few_collections
from gpudc.preview.plan import Plan
from gpudc.preview.recorder import SECRET, RecordingMonitor

__all__ = ["StackConfig", "plan_callable", "plan_program", "plan_project", "stack_config"]

PROGRAM_FAILED = register("GPUDC-PROGRAM-001", Severity.ERROR, "The Pulumi program stopped")
CONFIG_MISSING = register(
    "GPUDC-PROGRAM-002", Severity.ERROR, "The program needs a config key the stack lacks"
)
# Pulumi's mock engine logs through the root logger by default, which prints every warning the
# program logs a second time; the CLI prints findings itself.
_ENGINE_LOG = logging.getLogger("gpudc.preview.engine")
_ENGINE_LOG.addHandler(logging.NullHandler())
_ENGINE_LOG.propagate = False


@dataclass(frozen=True, slots=True)
class StackConfig:
    """A stack's config as the Pulumi engine hands it to a program: strings, plus the secret keys."""

    values: dict[str, str]
    secret_keys: tuple[str, ...]


def stack_config(raw: dict[str, Any]) -> StackConfig:
    """Turn a stack file's `config:` mapping into engine form.

    Structured values become JSON (as `pulumi config` stores them); `secure:` values cannot be
    decrypted offline, so they become `[secret]` and stay marked secret all the way to the plan.
    """
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in raw.items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[key] = SECRET
            secret_keys.append(key)
        elif isinstance(value, str):
            values[key] = value
        else:
            values[key] = json.dumps(value)
    return StackConfig(values, tuple(sorted(secret_keys)))


def plan_program(program_dir: Path, project: str, stack: str, config: StackConfig) -> Plan:
    """Run the program in `program_dir` (its `__main__.py`) offline and return what it registered."""

    def program() -> None:
        sys.path.insert(0, str(program_dir))
        try:
            runpy.run_path(str(program_dir / "__main__.py"), run_name="__main__")
        finally:
            sys.path.remove(str(program_dir))

    return plan_callable(program, project, stack, config)


def plan_callable(
    program: Callable[[], object],
    project: str = "project",
    stack: str = "stack",
    config: StackConfig | None = None,
) -> Plan:
    """Run `program` (any function that builds resources) offline and return what it registered.

    This is how tests and benchmarks exercise components without a program directory.
    """
    context = contextvars.copy_context()
    with few_collections(), _no_source_positions():
        return context.run(_plan_in_context, program, project, stack, config or StackConfig({}, ()))


@contextlib.contextmanager
def _no_source_positions() -> Iterator[None]:
    """Skip the source position Pulumi computes for every registration.

    Before each `RegisterResource` the SDK walks and formats the whole Python stack
    (`pulumi.runtime.resource._get_stack_trace`: `traceback.extract_stack`, source lines read,
    each file turned into a URI) so that the engine can point its diagnostics at the line that
    made the resource. The offline plan records no source positions, and the walk costs more the
    deeper components nest: about 15% of a plan's CPU time at 1,200 resources (bench/). Under a
    real `pulumi preview`/`up` nothing changes. Where a Pulumi release renames the function, the
    plan just computes positions again.
    """
    from pulumi.runtime import resource as sdk_resource
    from pulumi.runtime.proto import source_pb2

    original = getattr(sdk_resource, "_get_stack_trace", None)
    if original is None:
        yield
        return
    sdk_resource._get_stack_trace = source_pb2.StackTrace  # an empty trace, as where none is found
    try:
        yield
    finally:
        sdk_resource._get_stack_trace = original


def plan_project(project: Project, stack: str) -> Plan:
    """Plan a Pulumi project directory's program for one of its stacks."""
    return plan_program(project.main, project.name, stack, stack_config(project.stack_config(stack)))


def _plan_in_context(program: Callable[[], object], project: str, stack: str, config: StackConfig) -> Plan:
    monitor = RecordingMonitor()
    set_all_config(dict(config.values), list(config.secret_keys))
    pulumi_settings.ROOT.set(None)
    pulumi_settings.configure(
        MockSettings(  # type: ignore[no-untyped-call]
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),  # type: ignore[no-untyped-call]
            engine=MockEngine(_ENGINE_LOG),
            project=project,
            stack=stack,
            dry_run=False,
            organization="organization",
            callbacks=None,
        )
    )
    loop = asyncio.new_event_loop()
    loop.set_default_executor(_InlineExecutor())
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(run_in_stack(lambda: _discard(program())))
    except pulumi.ConfigMissingError as exc:
        raise SpecError.single(
            "config",
            f"the program needs {exc.key}, which the stack file does not set",
            check=CONFIG_MISSING,
            fix=f"add {exc.key} under config: in the stack file",
        ) from None
    except pulumi.RunError as exc:
        # The program reports bad input as RunError (as `pulumi up` shows it); when it carries
        # gpudc's findings, they are the plan's answer, the same as `gpudc validate` gives.
        if isinstance(exc.__cause__, SpecError):
            raise exc.__cause__ from None
        raise SpecError.single("program", str(exc), check=PROGRAM_FAILED) from None
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    stack_outputs = monitor.outputs.get(monitor.stack_urn, {})
    return Plan.of(project, stack, monitor.registrations, stack_outputs)


class _InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs what the SDK hands its executor at once, on the event loop's own thread.

    The SDK sends every registration to the monitor through `loop.run_in_executor` because a
    real monitor is a gRPC server in another process. The recording monitor answers from
    memory, so the hand-off to a thread pool and back is pure overhead; worse, answers then
    arrive whenever the threads are scheduled, and the SDK's wait for outstanding outputs
    (one pass over all of them each time one completes) costs a different amount every run.
    Inline, a plan does the same work in the same order every time. (A ThreadPoolExecutor
    only because asyncio accepts no other default executor; it never starts a thread.)
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def _discard(_: object) -> None:
    """`run_in_stack` awaits whatever the program returns; a program's result is not ours to await."""
