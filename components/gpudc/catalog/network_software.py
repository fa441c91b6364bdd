"""Network software gpudc installs per cluster: NVIDIA Network Operator and MetalLB, pinned.

A new release is added here with a CHANGELOG entry. Sources, per pin:
- Network Operator v26.4.1, the newest stable v26 tag of https://github.com/Mellanox/network-operator
  (tag commit 85afd6d9c6978eb871a3292b9897f49746cc43cd; v26.7.0 was at rc.2): chart version from
  deployment/network-operator/Chart.yaml (`version: 26.4.1`); the component images of its
  NicClusterPolicy from example/crs/mellanox.com_v1alpha1_nicclusterpolicy_cr-nvidia-ipam.yaml
  (DOCA driver `doca3.4.1-26.04-1.1.0.0-1`, the rest `network-operator-v26.4.1`, all under
  nvcr.io/nvidia/mellanox); the NicClusterPolicy must be named `nic-cluster-policy`
  (pkg/consts/consts.go, NicClusterPolicyResourceName). The chart's README asks for
  `nfd.enabled=false` where NFD already runs (the GPU Operator deploys it).
- MetalLB v0.16.1, the newest release of https://github.com/metallb/metallb (tag commit
  791dfcc63ced7a6b3e869131eae75e645150fff0): charts/metallb/Chart.yaml `version: 0.16.1`; repository
  https://metallb.github.io/metallb (website/content/installation/_index.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gpudc.catalog.charts import ChartPin

__all__ = [
    "METALLB",
    "NETWORK_OPERATOR",
    "NIC_CLUSTER_POLICY_NAME",
    "NetworkOperatorRelease",
]

NIC_CLUSTER_POLICY_NAME = "nic-cluster-policy"
"""The only NicClusterPolicy the operator reconciles."""


@dataclass(frozen=True, slots=True)
class NetworkOperatorRelease:
    """The operator's chart and the images its NicClusterPolicy deploys (name -> version)."""

    chart: ChartPin
    image_repository: str
    images: Mapping[str, tuple[str, str]]
    """Component key of NicClusterPolicy.spec -> (image, version)."""


NETWORK_OPERATOR = NetworkOperatorRelease(
    chart=ChartPin(
        repository="https://helm.ngc.nvidia.com/nvidia",
        chart="network-operator",
        version="26.4.1",
        namespace="nvidia-network-operator",
    ),
    image_repository="nvcr.io/nvidia/mellanox",
    images=MappingProxyType(
        {
            "ofedDriver": ("doca-driver", "doca3.4.1-26.04-1.1.0.0-1"),
            "rdmaSharedDevicePlugin": ("k8s-rdma-shared-dev-plugin", "network-operator-v26.4.1"),
            "cniPlugins": ("plugins", "network-operator-v26.4.1"),
            "multus": ("multus-cni", "network-operator-v26.4.1"),
            "nvIpam": ("nvidia-k8s-ipam", "network-operator-v26.4.1"),
        }
    ),
)

METALLB = ChartPin(
    repository="https://metallb.github.io/metallb",
    chart="metallb",
    version="0.16.1",
    namespace="metallb-system",
)
