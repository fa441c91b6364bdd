"""Shared fixtures: the repository's project, and each stack planned once per session."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from gpudc.core.project import Project, find_project
from gpudc.preview.plan import Plan
from gpudc.preview.run import plan_project

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
