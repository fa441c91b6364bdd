"""The gpudc Pulumi program's steps, shared by infra/__main__.py and any program shaped like it.

Under a real `pulumi preview` or `up`, a bad stack file must end with the same findings
`gpudc validate` prints and no Python traceback: `pulumi.RunError` is the exception the engine
reports as a plain message. Warnings go to the engine's log, where `pulumi` shows them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pulumi

from gpudc.core.errors import SpecError
from gpudc.core.project import find_project
from gpudc.environment.plan import EnvironmentPlan, SecretLookup, SecretState
from gpudc.environment.spec import EnvironmentSpec
from gpudc.nodepool.provisioning import CapiMetal3Provisioner

__all__ = ["config_secret_values", "config_secrets", "findings_as_run_error", "log_warnings", "stack_folder"]


def config_secrets(config: pulumi.Config) -> SecretLookup:
    """How each key of `config`'s namespace is set, as `plan_environment(secrets=...)` asks."""

    def state(key: str) -> SecretState:
        if config.get_secret(key) is None:
            return SecretState.UNSET
        secret = pulumi.runtime.is_config_secret(f"{config.name}:{key}")
        return SecretState.SECRET if secret else SecretState.PLAINTEXT

    return state


def config_secret_values(spec: EnvironmentSpec, config: pulumi.Config) -> dict[str, pulumi.Output[str]]:
    """Every secret config key the environment's pools and tenants name (BMC credentials,
    registry passwords), as Pulumi secrets.

    Call after `plan_environment`, which has checked that each is set, and set encrypted.
    """
    keys = sorted(
        {
            key
            for site in spec.sites
            for pool in site.pools
            if isinstance(pool.provisioner, CapiMetal3Provisioner)
            for key in (pool.provisioner.bmc.username_key, pool.provisioner.bmc.password_key)
        }
        | {
            registry.password_key
            for site in spec.sites
            for _, cluster in site.cluster_specs
            for tenant in cluster.tenants
            for registry in tenant.registries
        }
    )
    return {key: config.require_secret(key) for key in keys}


def stack_folder(program_dir: Path) -> Path:
    """The folder of the project's stack files, where inventories are found: `program_dir`'s
    Pulumi project's `stackConfigDir`."""
    return find_project(program_dir).stacks_dir


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
