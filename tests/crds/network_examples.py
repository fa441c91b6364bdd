"""Minimal valid objects of the network domain's custom resources (issue 13), written from the
pinned versions' own examples: Mellanox/network-operator v26.4.1 example/crs/ and README,
nvidia-k8s-ipam's README (IPPool, CIDRPool), MetalLB v0.16.1's configuration docs."""

from __future__ import annotations

from typing import Any

NETWORK_EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("mellanox.com/v1alpha1", "NicClusterPolicy"): {
        "apiVersion": "mellanox.com/v1alpha1",
        "kind": "NicClusterPolicy",
        "metadata": {"name": "nic-cluster-policy"},
        "spec": {
            "ofedDriver": {"image": "doca-driver", "repository": "nvcr.io/nvidia/mellanox", "version": "v"},
            "nvIpam": {"image": "nvidia-k8s-ipam", "repository": "nvcr.io/nvidia/mellanox", "version": "v"},
        },
    },
    ("mellanox.com/v1alpha1", "NicNodePolicy"): {
        "apiVersion": "mellanox.com/v1alpha1",
        "kind": "NicNodePolicy",
        "metadata": {"name": "h100"},
        "spec": {
            "nodeSelector": {"gpudc.io/pool": "h100"},
            "ofedDriver": {"image": "doca-driver", "repository": "nvcr.io/nvidia/mellanox", "version": "v"},
        },
    },
    ("nv-ipam.nvidia.com/v1alpha1", "IPPool"): {
        "apiVersion": "nv-ipam.nvidia.com/v1alpha1",
        "kind": "IPPool",
        "metadata": {"name": "pool1", "namespace": "nvidia-network-operator"},
        "spec": {"subnet": "192.168.0.0/16", "perNodeBlockSize": 100, "gateway": "192.168.0.1"},
    },
    ("nv-ipam.nvidia.com/v1alpha1", "CIDRPool"): {
        "apiVersion": "nv-ipam.nvidia.com/v1alpha1",
        "kind": "CIDRPool",
        "metadata": {"name": "pool1", "namespace": "nvidia-network-operator"},
        "spec": {"cidr": "192.168.0.0/16", "perNodeNetworkPrefix": 24, "gatewayIndex": 1},
    },
    ("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition"): {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {"name": "rail0", "namespace": "default"},
        "spec": {"config": '{"cniVersion": "0.4.0", "type": "macvlan", "ipam": {"type": "nv-ipam"}}'},
    },
    ("metallb.io/v1beta1", "IPAddressPool"): {
        "apiVersion": "metallb.io/v1beta1",
        "kind": "IPAddressPool",
        "metadata": {"name": "first-pool", "namespace": "metallb-system"},
        "spec": {"addresses": ["192.168.10.0/24"]},
    },
    ("metallb.io/v1beta2", "BGPPeer"): {
        "apiVersion": "metallb.io/v1beta2",
        "kind": "BGPPeer",
        "metadata": {"name": "sample", "namespace": "metallb-system"},
        "spec": {"myASN": 64500, "peerASN": 64501, "peerAddress": "10.0.0.1"},
    },
    ("metallb.io/v1beta1", "BGPAdvertisement"): {
        "apiVersion": "metallb.io/v1beta1",
        "kind": "BGPAdvertisement",
        "metadata": {"name": "example", "namespace": "metallb-system"},
        "spec": {"ipAddressPools": ["first-pool"]},
    },
}
