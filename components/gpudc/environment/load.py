"""From a stack file to a validated `EnvironmentSpec`, and from that to its plans.

`load_environment` (CLI, tests) and `parse_environment` (the Pulumi program, which gets the same
value from `pulumi.Config`) share one path, so `gpudc validate` and `pulumi up` fail the same way.
`plan_environment` runs every pure derivation and reports all their problems together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gpudc.catalog.lookup import Hardware
from gpudc.core.errors import SpecError, SpecIssue, issues_from_validation_error
from gpudc.core.project import find_project
from gpudc.environment.spec import EnvironmentSpec
from gpudc.gpu_operator.versions import OperatorPlan, plan_operator
from gpudc.site.capacity import SitePlan, plan_site

__all__ = [
    "CONFIG_KEY",
    "EnvironmentPlan",
    "load_environment",
    "parse_environment",
    "plan_environment",
]

CONFIG_KEY = "gpudc:environment"


def parse_environment(raw: Any) -> EnvironmentSpec:
    """Validate the value of `gpudc:environment`; every problem is raised at once as a SpecError."""
    if not isinstance(raw, dict):
        raise SpecError.single(CONFIG_KEY, "must be a mapping with a `sites` list", raw)
    try:
        return EnvironmentSpec.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(issues_from_validation_error(exc, raw)) from None


def load_environment(stack: str, project_dir: Path | None = None) -> EnvironmentSpec:
    """Read `stacks/Pulumi.<stack>.yaml` of the project at (or above) `project_dir`."""
    project = find_project(project_dir)
    config = project.stack_config(stack)
    if CONFIG_KEY not in config:
        raise SpecError.single(
            str(project.stack_file(stack)),
            f"has no `{CONFIG_KEY}` key under `config:`; add the environment there",
        )
    return parse_environment(config[CONFIG_KEY])


@dataclass(frozen=True, slots=True)
class EnvironmentPlan:
    """A validated environment and everything derived from it, per site."""

    spec: EnvironmentSpec
    hardware: Hardware
    sites: Mapping[str, SitePlan]
    operators: Mapping[str, OperatorPlan]


def plan_environment(spec: EnvironmentSpec) -> EnvironmentPlan:
    """Place, budget and version-check every site; raise one SpecError with every problem."""
    hardware = Hardware.with_overrides(spec.gpu_models, spec.node_models)
    issues: list[SpecIssue] = []
    sites: dict[str, SitePlan] = {}
    operators: dict[str, OperatorPlan] = {}
    for index, site in enumerate(spec.sites):
        path = f"sites[{index}]"
        try:
            plan = plan_site(site, hardware, path)
        except SpecError as exc:
            issues.extend(exc.issues)
            continue
        sites[site.name] = plan
        try:
            gpus = [(pool.name, pool.gpu_model) for pool in plan.pools]
            operators[site.name] = plan_operator(site.gpu_operator, gpus, f"{path}.gpu_operator")
        except SpecError as exc:
            issues.extend(exc.issues)
    if issues:
        raise SpecError(issues)
    return EnvironmentPlan(spec, hardware, sites, operators)
