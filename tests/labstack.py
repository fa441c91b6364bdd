"""The lab stack as tests reshape it."""

from __future__ import annotations

import copy
from typing import Any

from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY


def lab_without_inventory(project: Project) -> dict[str, Any]:
    """A copy of the lab environment whose pools name no inventory: for tests that resize,
    split or copy the lab's pool (its inventory lists exactly 4 machines in one rack)."""
    environment: dict[str, Any] = copy.deepcopy(project.stack_config("lab")[CONFIG_KEY])
    for site in environment["sites"]:
        for pool in site["pools"]:
            pool.pop("inventory", None)
    return environment
