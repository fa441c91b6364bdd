"""The gpudc Pulumi program's steps, shared by infra/__main__.py and any program shaped like it.

Under a real `pulumi preview` or `up`, a bad stack file must end with the same findings
`gpudc validate` prints and no Python traceback: `pulumi.RunError` is the exception the engine
reports as a plain message. Warnings go to the engine's log, where `pulumi` shows them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pulumi

from gpudc.core.errors import SpecError
from gpudc.environment.plan import EnvironmentPlan, SecretLookup, SecretState

__all__ = ["config_secrets", "findings_as_run_error", "log_warnings"]


def config_secrets(config: pulumi.Config) -> SecretLookup:
    """How each key of `config`'s namespace is set, as `plan_environment(secrets=...)` asks."""

    def state(key: str) -> SecretState:
        if config.get_secret(key) is None:
            return SecretState.UNSET
        secret = pulumi.runtime.is_config_secret(f"{config.name}:{key}")
        return SecretState.SECRET if secret else SecretState.PLAINTEXT

    return state


@contextmanager
def findings_as_run_error() -> Iterator[None]:
    """Turn a `SpecError` raised inside into `pulumi.RunError` carrying every finding."""
    try:
        yield
    except SpecError as exc:
        lines = [f"{finding.severity.value} {finding.code} {finding}" for finding in exc.issues]
        raise pulumi.RunError(
            f"{len(exc.errors)} error(s) found before anything was registered:\n" + "\n".join(lines)
        ) from exc


def log_warnings(plan: EnvironmentPlan) -> None:
    for finding in plan.findings:
        pulumi.log.warn(f"{finding.code} {finding}")
