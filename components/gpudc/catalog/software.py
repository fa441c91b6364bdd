"""NVIDIA GPU Operator releases gpudc knows: the driver each installs by default, and the
driver branches NVIDIA supports with it.

A new release is added here with a CHANGELOG entry; stacks pin one by `chart_version`.

Sources, per release:
- default driver: `driver.version` in deployments/gpu-operator/values.yaml at the release tag of
  https://github.com/NVIDIA/gpu-operator (v26.7.0 is tag commit 10ee5b3638b89e11e949412aafa5ba99279c3721);
- supported branches: the GPU Operator life-cycle policy / component matrix,
  https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/life-cycle-policy.html
  (source: NVIDIA/cloud-native-docs gpu-operator/life-cycle-policy.rst);
- Kubernetes range: the widest "Kubernetes" column of the bare-metal table in
  NVIDIA/cloud-native-docs gpu-operator/platform-support.rst as it stood for the release
  (commits c248ec5b v25.10.0: 1.30-1.34; 3bc0befe v25.10.1: 1.30-1.35; 510bcb29 v26.3.0 and
  caddb1ad v26.3.1: 1.32-1.35; 88108df0 v26.3.2, 9e88c6ce v26.3.3: 1.32-1.36; e8832910 v26.7.0:
  1.32-1.36, Ubuntu 24.04; 1.33-1.36 on the other operating systems);
- first release per GPU: release-notes.rst at 52dcb7b8 ("Added support for NVIDIA HGX B300 and
  NVIDIA HGX GB300 NVL72" in v25.10.0; HGX B200 and GB200 NVL in v25.3.0, before every release here).

The NVIDIA DRA driver for GPUs (ComputeDomains for multi-node NVLink) is pinned beside it:
kubernetes-sigs/dra-driver-nvidia-gpu tag v25.12.0 (commit 0882da8720c28763137e0987778ec476ec4cf8df),
deployments/helm/nvidia-dra-driver-gpu/Chart.yaml: chart `nvidia-dra-driver-gpu` version 25.12.0,
`kubeVersion: ">=1.32.0-0"`; published in NVIDIA's Helm repository (the GPU Operator's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "DRA_DRIVER_CHART",
    "DRA_DRIVER_KUBERNETES_MIN",
    "DRA_DRIVER_VERSION",
    "GPU_FIRST_OPERATOR_RELEASE",
    "GPU_OPERATOR_CHART",
    "GPU_OPERATOR_RELEASES",
    "GPU_OPERATOR_REPOSITORY",
    "GpuOperatorRelease",
    "chart_key",
    "driver_branch",
    "kubernetes_minor",
]

GPU_OPERATOR_REPOSITORY = "https://helm.ngc.nvidia.com/nvidia"
GPU_OPERATOR_CHART = "gpu-operator"
DRA_DRIVER_CHART = "nvidia-dra-driver-gpu"
DRA_DRIVER_VERSION = "25.12.0"
DRA_DRIVER_KUBERNETES_MIN = (1, 32)

# The first GPU Operator release that supports a catalog GPU, where it is newer than v25.10.0's
# predecessors (GPUs not listed are supported by every release below).
GPU_FIRST_OPERATOR_RELEASE: Mapping[str, str] = MappingProxyType({"b300": "v25.10.0", "gb300": "v25.10.0"})


@dataclass(frozen=True, slots=True)
class GpuOperatorRelease:
    """One chart release: its default driver and the driver branches it supports."""

    chart_version: str
    default_driver: str
    supported_branches: frozenset[int]
    kubernetes_min: tuple[int, int]
    kubernetes_max: tuple[int, int]

    def supports_kubernetes(self, minor: tuple[int, int]) -> bool:
        return self.kubernetes_min <= minor <= self.kubernetes_max

    @property
    def kubernetes_range(self) -> str:
        return f"{self.kubernetes_min[0]}.{self.kubernetes_min[1]} to {self.kubernetes_max[0]}.{self.kubernetes_max[1]}"


def driver_branch(driver_version: str) -> int:
    """The branch of a driver version: its major number (`580.95.05` -> 580)."""
    return int(driver_version.split(".", 1)[0])


def chart_key(chart_version: str) -> tuple[int, ...]:
    """A chart version as numbers, for ordering: `v26.3.1` -> (26, 3, 1)."""
    return tuple(int(part) for part in chart_version.lstrip("v").split("."))


def kubernetes_minor(version: str) -> tuple[int, int]:
    """`1.34` or `1.34.2` -> (1, 34)."""
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def _release(
    chart_version: str, default_driver: str, branches: set[int], kubernetes: tuple[str, str]
) -> GpuOperatorRelease:
    return GpuOperatorRelease(
        chart_version,
        default_driver,
        frozenset(branches),
        kubernetes_minor(kubernetes[0]),
        kubernetes_minor(kubernetes[1]),
    )


_V26_3_BRANCHES = {595, 590, 580, 570, 535}
_V25_10_BRANCHES = {580, 575, 570, 550, 535}

GPU_OPERATOR_RELEASES: Mapping[str, GpuOperatorRelease] = MappingProxyType(
    {
        release.chart_version: release
        for release in (
            _release("v26.7.0", "595.91.07", {610, 595, 580, 535}, ("1.32", "1.36")),
            _release("v26.3.0", "580.126.20", _V26_3_BRANCHES, ("1.32", "1.35")),
            _release("v26.3.1", "580.126.20", _V26_3_BRANCHES, ("1.32", "1.35")),
            _release("v26.3.2", "580.126.20", _V26_3_BRANCHES, ("1.32", "1.36")),
            _release("v26.3.3", "580.126.20", _V26_3_BRANCHES, ("1.32", "1.36")),
            _release("v25.10.0", "580.95.05", _V25_10_BRANCHES, ("1.30", "1.34")),
            _release("v25.10.1", "580.105.08", _V25_10_BRANCHES, ("1.30", "1.35")),
        )
    }
)
