"""Shared fixtures: the repository's project, and each stack planned once per session."""

from __future__ import annotations

import runpy
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import pytest

from gpudc.core.errors import SpecError
from gpudc.core.project import Project, find_project
from gpudc.preview.plan import Plan
from gpudc.preview.run import plan_callable, plan_project, stack_config

ROOT = Path(__file__).resolve().parent.parent


@cache
def _project() -> Project:
    return find_project(ROOT)


@cache
def _planned(stack: str) -> Plan:
    return plan_project(_project(), stack)


@pytest.fixture(scope="session")
def project() -> Project:
    return _project()


@pytest.fixture(scope="session")
def planned() -> Callable[[str], Plan]:
    """`planned("lab")`: the stack's offline plan, computed once per test session."""
    return _planned


@pytest.fixture(scope="session")
def gpudc_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`gpudc_cli("validate", "lab", "-C", root)`: the CLI in a fresh process, as a user runs it."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from gpudc.cli import main; main()", *args],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    return run


@pytest.fixture(scope="session")
def program_errors(project: Project) -> Callable[[dict[str, Any], str], tuple[Plan, list[SpecError]]]:
    """Run infra/__main__.py offline with a stack config; return the plan and the SpecErrors its
    `pulumi.RunError` carried, so a test can show that a bad stack registers nothing."""

    def run(config: dict[str, Any], stack: str) -> tuple[Plan, list[SpecError]]:
        caught: list[SpecError] = []

        def program() -> None:
            try:
                runpy.run_path(str(project.main / "__main__.py"), run_name="__main__")
            except pulumi.RunError as exc:  # how the program ends `pulumi up` on a bad stack file
                assert isinstance(exc.__cause__, SpecError), exc
                caught.append(exc.__cause__)

        return plan_callable(program, project.name, stack, stack_config(config)), caught

    return run


@pytest.fixture
def scratch(tmp_path: Path, project: Project) -> Path:
    """A copy of this project with an empty stacks/ (the same program, linked): write a stack
    file into `scratch / "stacks"` and run the CLI with `-C scratch`."""
    (tmp_path / "Pulumi.yaml").write_text((project.root / "Pulumi.yaml").read_text())
    (tmp_path / "infra").symlink_to(project.main)
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "inventory").symlink_to(project.stacks_dir / "inventory")
    return tmp_path


@pytest.fixture(scope="session")
def pool_named() -> Callable[..., Plan]:
    """`pool_named("h100-pool", alias="train-pool")`: the plan of a library program that builds
    one pool on its own, its component named as given (and aliased to `alias`): renames, as
    the diff and the URN lists see them."""

    def plan(name: str, alias: str | None = None) -> Plan:
        from gpudc import GpuNodePool, NodePoolSpec, standalone_pool_plan

        def program() -> None:
            spec = NodePoolSpec(
                name="h100",
                placement="managed",
                node_model="hgx-h100-8gpu",
                nodes=4,
                provisioner={"type": "existing"},
            )
            opts = pulumi.ResourceOptions(aliases=[pulumi.Alias(name=alias)]) if alias else None
            GpuNodePool(name, spec, plan=standalone_pool_plan(spec), opts=opts)

        return plan_callable(program)

    return plan
