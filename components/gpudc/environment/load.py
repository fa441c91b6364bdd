"""From a stack file (or the program's config) to a validated `EnvironmentSpec`.

`gpudc validate`, `gpudc plan` and the Pulumi program all read a stack through this module, so
a stack file fails the same way everywhere: `read_stack` for the file on disk (CLI), and
`parse_environment` for the value itself, whether it comes from the file or from
`pulumi.Config` (which hands structured values over as JSON text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gpudc.core.errors import SCHEMA, SpecError, issues_from_validation_error
from gpudc.core.findings import MISSING, Severity, register
from gpudc.core.project import Project, find_project
from gpudc.environment.plan import EnvironmentPlan, SecretState, plan_environment
from gpudc.environment.spec import EnvironmentSpec

__all__ = [
    "CONFIG_KEY",
    "StackFile",
    "check_stack",
    "load_environment",
    "parse_environment",
    "read_stack",
]

CONFIG_KEY = "gpudc:environment"
CONFIG_NAMESPACE = "gpudc"
NO_ENVIRONMENT = register("GPUDC-FILE-002", Severity.ERROR, "The stack file has no gpudc:environment")


@dataclass(frozen=True, slots=True)
class StackFile:
    """A stack file's `config:` mapping, read and shape-checked, and where it came from."""

    path: Path
    config: Mapping[str, Any]

    @property
    def is_gpudc_stack(self) -> bool:
        """Whether the stack configures gpudc at all (any `gpudc:` key, misspelt ones included);
        a library program's stack that does not is planned without an environment."""
        return any(key.startswith(f"{CONFIG_NAMESPACE}:") for key in self.config)

    def secret_state(self, key: str) -> SecretState:
        """How `gpudc:<key>` is set: as an encrypted `secure:` value, in plain text, or not at all."""
        value = self.config.get(f"{CONFIG_NAMESPACE}:{key}")
        if value is None:
            return SecretState.UNSET
        if isinstance(value, dict) and set(value) == {"secure"} and isinstance(value["secure"], str):
            return SecretState.SECRET if value["secure"] else SecretState.UNSET
        return SecretState.PLAINTEXT

    def environment(self) -> EnvironmentSpec:
        if CONFIG_KEY not in self.config:
            raise SpecError([_no_environment("config", self.config)])
        if self.config[CONFIG_KEY] is None:
            raise SpecError.single(
                CONFIG_KEY, "is empty", check=SCHEMA, fix="write the environment (sites: ...) under the key"
            )
        return parse_environment(self.config[CONFIG_KEY])


def _no_environment(where: str, config: Mapping[str, Any]) -> Any:
    near = [key for key in config if key.lower().replace("_", "").startswith("gpudc:env")]
    hint = f" (found {near[0]!r}: check its spelling)" if near else ""
    return NO_ENVIRONMENT.finding(
        where,
        f"has no `{CONFIG_KEY}` key under `config:`{hint}",
        fix=f"put the environment under config: {CONFIG_KEY}: (see `gpudc schema`)",
    )


def read_stack(project: Project, stack: str) -> StackFile:
    return StackFile(project.stack_file(stack), project.stack_config(stack))


def check_stack(stack: StackFile) -> EnvironmentPlan:
    """What `gpudc validate` does and `gpudc plan` does first: parse, then plan, every finding at once."""
    return plan_environment(stack.environment(), secrets=stack.secret_state, inventory_dir=stack.path.parent)


def load_environment(stack: str, project_dir: Path | None = None) -> EnvironmentSpec:
    """Read `stacks/Pulumi.<stack>.yaml` of the project at (or above) `project_dir`."""
    return read_stack(find_project(project_dir), stack).environment()


def parse_environment(raw: Any) -> EnvironmentSpec:
    """Validate the value of `gpudc:environment`; every problem is raised at once as a SpecError.

    `raw` is the mapping from the stack file, or the JSON text `pulumi.Config.get` returns for it
    (None when the key is not set).
    """
    if raw is None:
        raise SpecError([_no_environment("config", {})])
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            raw = MISSING  # a plain string (or JSON too deep to be a stack's): not a mapping
    if not isinstance(raw, dict):
        raise SpecError.single(
            CONFIG_KEY,
            "must be a mapping with a `sites` list",
            check=SCHEMA,
            fix="write the environment as a YAML mapping (sites:, ...) under the key",
        )
    try:
        return EnvironmentSpec.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(issues_from_validation_error(exc, raw)) from None
    except RecursionError:
        raise SpecError.single(CONFIG_KEY, "nests too deeply", check=SCHEMA) from None
