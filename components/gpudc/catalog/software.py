"""NVIDIA GPU Operator releases gpudc knows: the driver each installs by default, and the
driver branches NVIDIA supports with it.

A new release is added here with a CHANGELOG entry; stacks pin one by `chart_version`.

Sources, per release:
- default driver: `driver.version` in deployments/gpu-operator/values.yaml at the release tag of
  https://github.com/NVIDIA/gpu-operator (v26.7.0 is tag commit 10ee5b3638b89e11e949412aafa5ba99279c3721);
- supported branches: the GPU Operator life-cycle policy / component matrix,
  https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/life-cycle-policy.html
  (source: NVIDIA/cloud-native-docs gpu-operator/life-cycle-policy.rst).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "GPU_OPERATOR_CHART",
    "GPU_OPERATOR_RELEASES",
    "GPU_OPERATOR_REPOSITORY",
    "GpuOperatorRelease",
    "driver_branch",
]

GPU_OPERATOR_REPOSITORY = "https://helm.ngc.nvidia.com/nvidia"
GPU_OPERATOR_CHART = "gpu-operator"


@dataclass(frozen=True, slots=True)
class GpuOperatorRelease:
    """One chart release: its default driver and the driver branches it supports."""

    chart_version: str
    default_driver: str
    supported_branches: frozenset[int]


def driver_branch(driver_version: str) -> int:
    """The branch of a driver version: its major number (`580.95.05` -> 580)."""
    return int(driver_version.split(".", 1)[0])


def _release(chart_version: str, default_driver: str, branches: set[int]) -> GpuOperatorRelease:
    return GpuOperatorRelease(chart_version, default_driver, frozenset(branches))


_V26_3_BRANCHES = {595, 590, 580, 570, 535}
_V25_10_BRANCHES = {580, 575, 570, 550, 535}

GPU_OPERATOR_RELEASES: Mapping[str, GpuOperatorRelease] = MappingProxyType(
    {
        release.chart_version: release
        for release in (
            _release("v26.7.0", "595.91.07", {610, 595, 580, 535}),
            _release("v26.3.0", "580.126.20", _V26_3_BRANCHES),
            _release("v26.3.1", "580.126.20", _V26_3_BRANCHES),
            _release("v26.3.2", "580.126.20", _V26_3_BRANCHES),
            _release("v26.3.3", "580.126.20", _V26_3_BRANCHES),
            _release("v25.10.0", "580.95.05", _V25_10_BRANCHES),
            _release("v25.10.1", "580.105.08", _V25_10_BRANCHES),
        )
    }
)
