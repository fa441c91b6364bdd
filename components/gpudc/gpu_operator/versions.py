"""Which NVIDIA driver a site gets, and whether every GPU in it can run that driver.

A driver branch older than a GPU's first supported branch leaves the GPU invisible to
Kubernetes (the driver container fails and no `nvidia.com/gpu` is advertised): exactly the kind of
outage gpudc catches before `pulumi up`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gpudc.catalog.models import GpuModel
from gpudc.catalog.software import GPU_OPERATOR_RELEASES, driver_branch
from gpudc.core.errors import SpecError, SpecIssue
from gpudc.gpu_operator.spec import DriverMode, GpuOperatorSpec, MigStrategy

__all__ = ["OperatorPlan", "plan_operator"]


@dataclass(frozen=True, slots=True)
class OperatorPlan:
    """The release and driver a site's GPU Operator installs (or, in host mode, expects)."""

    chart_version: str
    driver_version: str
    driver_branch: int


def plan_operator(
    spec: GpuOperatorSpec, gpus: Iterable[tuple[str, GpuModel]], path: str = "gpu_operator"
) -> OperatorPlan:
    """Resolve the driver (stack file > catalog default) and check it against `(pool, GPU)` pairs."""
    issues: list[SpecIssue] = []
    release = GPU_OPERATOR_RELEASES.get(spec.chart_version)
    version = spec.driver.version
    if version is None and spec.driver.mode is DriverMode.HOST:
        raise SpecError.single(
            f"{path}.driver.version",
            "is required with driver mode 'host'; give the driver version installed on the nodes "
            "(nvidia-smi --query-gpu=driver_version --format=csv)",
        )
    if version is None:
        if release is None:
            raise SpecError.single(
                f"{path}.chart_version",
                f"is not a release gpudc knows ({', '.join(GPU_OPERATOR_RELEASES)}); pin "
                f"{path}.driver.version explicitly or use a known release",
                spec.chart_version,
            )
        version = release.default_driver
    branch = driver_branch(version)
    if release is not None and branch not in release.supported_branches:
        supported = ", ".join(str(b) for b in sorted(release.supported_branches, reverse=True))
        issues.append(
            SpecIssue(
                f"{path}.driver.version",
                f"driver branch {branch} is not supported by GPU Operator {release.chart_version} "
                f"(supports {supported}); pick a driver from one of those branches",
                version,
            )
        )
    pairs = list(gpus)
    for pool, gpu in pairs:
        if branch < gpu.min_driver_branch:
            issues.append(
                SpecIssue(
                    f"{path}.driver.version",
                    f"driver {version} (branch {branch}) is older than branch {gpu.min_driver_branch}, "
                    f"the first that supports {gpu.product_name} (pool {pool}); use a driver of "
                    f"branch {gpu.min_driver_branch} or newer",
                    version,
                )
            )
    if spec.mig_strategy is not MigStrategy.NONE and not any(gpu.supports_mig for _, gpu in pairs):
        issues.append(
            SpecIssue(
                f"{path}.mig_strategy",
                "no pool of this site has a MIG-capable GPU; set it to 'none'",
                spec.mig_strategy.value,
            )
        )
    if issues:
        raise SpecError(issues)
    return OperatorPlan(spec.chart_version, version, branch)
