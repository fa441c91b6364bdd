"""Which NVIDIA driver a cluster gets, and whether every GPU of its pools can run that driver.

A driver branch older than a GPU's first supported branch leaves the GPU invisible to
Kubernetes (the driver container fails and no `nvidia.com/gpu` is advertised): exactly the kind of
outage gpudc catches before `pulumi up`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gpudc.catalog.models import GpuModel
from gpudc.catalog.software import GPU_OPERATOR_RELEASES, driver_branch
from gpudc.core.errors import SpecError
from gpudc.core.findings import Finding, Severity, register
from gpudc.core.spec import Protection
from gpudc.gpu_operator.spec import DriverMode, GpuOperatorSpec, MigStrategy
from gpudc.nodepool.spec import Taint

__all__ = ["OperatorPlan", "OperatorPool", "plan_operator"]

HOST_DRIVER_VERSION = register("GPUDC-DRIVER-001", Severity.ERROR, "Host-installed driver needs its version")
UNKNOWN_RELEASE = register("GPUDC-DRIVER-002", Severity.ERROR, "GPU Operator release unknown to gpudc")
UNSUPPORTED_BRANCH = register(
    "GPUDC-DRIVER-003", Severity.ERROR, "Driver branch not supported by the release"
)
DRIVER_TOO_OLD = register("GPUDC-DRIVER-004", Severity.ERROR, "Driver older than a pool's GPU supports")
MIG_WITHOUT_GPU = register("GPUDC-MIG-001", Severity.ERROR, "MIG strategy set but no pool's GPU has MIG")


@dataclass(frozen=True, slots=True)
class OperatorPool:
    """What the operator needs to know of one pool of its cluster."""

    name: str
    gpu: GpuModel
    taints: tuple[Taint, ...]


@dataclass(frozen=True, slots=True)
class OperatorPlan:
    """The release and driver a cluster's GPU Operator installs (or, in host mode, expects), and
    the node taints its daemonsets must tolerate to reach every pool."""

    site: str
    chart_version: str
    driver_version: str
    driver_branch: int
    tolerated_taints: tuple[tuple[str, str], ...]
    protection: Protection = Protection.NONE
    """How the operator's namespace and release are guarded against loss (the environment's)."""


def plan_operator(
    spec: GpuOperatorSpec, pools: Sequence[OperatorPool], *, site: str = "", path: str = "gpu_operator"
) -> OperatorPlan:
    """Resolve the driver (stack file > catalog default) and check it against each pool's GPU."""
    issues: list[Finding] = []
    release = GPU_OPERATOR_RELEASES.get(spec.chart_version)
    version = spec.driver.version
    if version is None and spec.driver.mode is DriverMode.HOST:
        raise SpecError(
            [
                HOST_DRIVER_VERSION.finding(
                    f"{path}.driver.version",
                    "is required with driver mode 'host'",
                    fix="give the driver version installed on the nodes "
                    "(nvidia-smi --query-gpu=driver_version --format=csv)",
                )
            ]
        )
    if version is None:
        if release is None:
            raise SpecError(
                [
                    UNKNOWN_RELEASE.finding(
                        f"{path}.chart_version",
                        f"is not a release gpudc knows ({', '.join(GPU_OPERATOR_RELEASES)})",
                        fix=f"pin {path}.driver.version explicitly or use a known release",
                        value=spec.chart_version,
                    )
                ]
            )
        version = release.default_driver
    branch = driver_branch(version)
    # One answer for both checks: the branches the release supports that every pool's GPU can run.
    floor = max((pool.gpu.min_driver_branch for pool in pools), default=0)
    fix = _branch_fix(
        release.chart_version if release else None, release.supported_branches if release else None, floor
    )
    if release is not None and branch not in release.supported_branches:
        supported = ", ".join(str(b) for b in sorted(release.supported_branches, reverse=True))
        issues.append(
            UNSUPPORTED_BRANCH.finding(
                f"{path}.driver.version",
                f"driver branch {branch} is not supported by GPU Operator {release.chart_version} "
                f"(supports {supported})",
                fix=fix,
                value=version,
            )
        )
    for pool in pools:
        if branch < pool.gpu.min_driver_branch:
            issues.append(
                DRIVER_TOO_OLD.finding(
                    f"{path}.driver.version",
                    f"driver {version} (branch {branch}) is older than branch {pool.gpu.min_driver_branch}, "
                    f"the first that supports {pool.gpu.product_name} (pool {pool.name})",
                    fix=fix,
                    value=version,
                )
            )
    if spec.mig_strategy is not MigStrategy.NONE and not any(pool.gpu.supports_mig for pool in pools):
        issues.append(
            MIG_WITHOUT_GPU.finding(
                f"{path}.mig_strategy",
                "no pool of this cluster has a MIG-capable GPU",
                fix="set it to 'none'",
                value=spec.mig_strategy.value,
            )
        )
    if issues:
        raise SpecError(issues)
    taints = sorted({(taint.key, taint.effect.value) for pool in pools for taint in pool.taints})
    return OperatorPlan(site, spec.chart_version, version, branch, tuple(taints))


def _branch_fix(chart: str | None, supported: frozenset[int] | None, floor: int) -> str:
    """Which driver branches satisfy both the release and the pools' GPUs, said as a fix."""
    if supported is None:
        return f"use a driver of branch {floor} or newer" if floor else "use a driver the release supports"
    good = sorted((b for b in supported if b >= floor), reverse=True)
    if not good:
        return (
            f"GPU Operator {chart} supports no branch new enough for these GPUs (branch {floor} or newer); "
            "use a newer chart_version"
        )
    return f"use a driver of branch {', '.join(str(b) for b in good)} (supported by GPU Operator {chart} and new enough for every pool's GPU)"
