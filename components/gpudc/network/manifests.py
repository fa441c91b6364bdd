"""The custom resources of a cluster's network, as plain objects: pure, so tests check them
against the upstream CRD schemas (tests/crds) without Pulumi, and `SiteNetwork` registers them.

Per cluster:
- one `NicClusterPolicy` named `nic-cluster-policy` (the only name the Network Operator
  reconciles): DOCA driver, RDMA shared device plugin, secondary network (Multus, CNI plugins)
  and nv-ipam. Whereabouts is not used: the operator dropped it in v25.10; nv-ipam replaces it;
- a `NicNodePolicy` per pool where the cluster's pools differ in compute NIC or rails (v26.4 added
  the kind; its node selectors must not overlap, so each selects one pool by `gpudc.io/pool`);
- per pool and rail, an nv-ipam `IPPool` (`nv-ipam.nvidia.com/v1alpha1`) over the rail's subnet,
  one block of `rail_block` addresses per node, and a Multus `NetworkAttachmentDefinition`
  naming it. nv-ipam's `poolName` takes one pool per IP family, so a pool's pods use their own
  pool's attachments (`<pool>-rail<N>`);
- MetalLB: an `IPAddressPool` over the load-balancer subnet, a `BGPPeer` (v1beta2) per pool to its
  in-band leaf (the in-band subnet's first address) and a `BGPAdvertisement` of the pool.
"""

from __future__ import annotations

import json
from typing import Any

from gpudc.catalog.network_software import METALLB, NETWORK_OPERATOR, NIC_CLUSTER_POLICY_NAME
from gpudc.core.labels import POOL_LABEL, gpudc_labels
from gpudc.core.naming import k8s_name
from gpudc.network.plan import ClusterNetwork, PoolNetwork

__all__ = [
    "IPAM_NAMESPACE",
    "RDMA_RESOURCE",
    "metallb_objects",
    "nic_cluster_policy",
    "nic_node_policies",
    "rail_objects",
]

IPAM_NAMESPACE = NETWORK_OPERATOR.chart.namespace
"""nv-ipam watches its pools in the operator's namespace."""
RDMA_RESOURCE = "rdma_shared_device_a"
"""Resource name the RDMA shared device plugin advertises (`rdma/rdma_shared_device_a`)."""
# Mellanox PCI vendor id; the shared device plugin's selectors in the v26.4.1 example.
_MELLANOX_VENDOR = "15b3"


def _image(key: str) -> dict[str, str]:
    image, version = NETWORK_OPERATOR.images[key]
    return {"image": image, "repository": NETWORK_OPERATOR.image_repository, "version": version}


def _rdma_plugin() -> dict[str, Any]:
    config = {
        "configList": [
            {"resourceName": RDMA_RESOURCE, "rdmaHcaMax": 63, "selectors": {"vendors": [_MELLANOX_VENDOR]}}
        ]
    }
    return {**_image("rdmaSharedDevicePlugin"), "config": json.dumps(config, sort_keys=True)}


def nic_cluster_policy(network: ClusterNetwork, *, site: str) -> dict[str, Any]:
    """The cluster's one NicClusterPolicy."""
    return {
        "apiVersion": "mellanox.com/v1alpha1",
        "kind": "NicClusterPolicy",
        "metadata": {"name": NIC_CLUSTER_POLICY_NAME, "labels": gpudc_labels(site=site or None)},
        "spec": {
            "ofedDriver": {
                **_image("ofedDriver"),
                # Drain a node before its driver is replaced, one node at a time.
                "upgradePolicy": {
                    "autoUpgrade": True,
                    "maxParallelUpgrades": 1,
                    "drain": {"enable": True, "force": True, "deleteEmptyDir": True, "timeoutSeconds": 300},
                },
            },
            "rdmaSharedDevicePlugin": _rdma_plugin(),
            "secondaryNetwork": {"cniPlugins": _image("cniPlugins"), "multus": _image("multus")},
            "nvIpam": {**_image("nvIpam"), "enableWebhook": False},
        },
    }


def nic_node_policies(network: ClusterNetwork, *, site: str) -> list[dict[str, Any]]:
    """One NicNodePolicy per pool with compute NICs when those pools differ in NIC model or rails;
    none when they are alike (the NicClusterPolicy covers them). Selectors are disjoint by
    construction: each selects exactly one pool."""
    pools = [pool for pool in network.pools if pool.rails]
    if len({(pool.compute_nic, len(pool.rails)) for pool in pools}) <= 1:
        return []
    return [
        {
            "apiVersion": "mellanox.com/v1alpha1",
            "kind": "NicNodePolicy",
            "metadata": {
                "name": k8s_name(pool.pool, "nic"),
                "labels": gpudc_labels(site=site or None, pool=pool.pool),
            },
            "spec": {
                "nodeSelector": {POOL_LABEL: pool.pool},
                "ofedDriver": _image("ofedDriver"),
                "rdmaSharedDevicePlugin": _rdma_plugin(),
            },
        }
        for pool in pools
    ]


def rail_objects(pool: PoolNetwork, *, site: str) -> list[dict[str, Any]]:
    """The pool's IPPool and NetworkAttachmentDefinition per rail."""
    objects: list[dict[str, Any]] = []
    for subnet in pool.rails:
        name = k8s_name(pool.pool, f"rail{subnet.index}")
        labels = gpudc_labels(site=site or None, pool=pool.pool)
        objects.append(
            {
                "apiVersion": "nv-ipam.nvidia.com/v1alpha1",
                "kind": "IPPool",
                "metadata": {"name": name, "namespace": IPAM_NAMESPACE, "labels": labels},
                "spec": {
                    "subnet": str(subnet.network),
                    "perNodeBlockSize": pool.rail_block,
                    # The rail leaf's SVI (gpudc.network.switchconfig): the subnet's first address.
                    "gateway": str(next(subnet.network.hosts())),
                    "nodeSelector": {
                        "nodeSelectorTerms": [
                            {
                                "matchExpressions": [
                                    {"key": POOL_LABEL, "operator": "In", "values": [pool.pool]}
                                ]
                            }
                        ]
                    },
                },
            }
        )
        cni = {
            "cniVersion": "0.4.0",
            "name": name,
            "type": "macvlan",
            "master": f"rail{subnet.index}",
            "mode": "bridge",
            "ipam": {"type": "nv-ipam", "poolName": name},
        }
        objects.append(
            {
                "apiVersion": "k8s.cni.cncf.io/v1",
                "kind": "NetworkAttachmentDefinition",
                "metadata": {
                    "name": name,
                    "namespace": "default",
                    "labels": labels,
                    "annotations": {"k8s.v1.cni.cncf.io/resourceName": f"rdma/{RDMA_RESOURCE}"},
                },
                "spec": {"config": json.dumps(cni, sort_keys=True)},
            }
        )
    return objects


def metallb_objects(network: ClusterNetwork, *, site: str) -> list[dict[str, Any]]:
    """MetalLB's pool over the load-balancer subnet, a BGP peer per pool and the advertisement."""
    labels = gpudc_labels(site=site or None)
    pool_name = k8s_name(network.cluster, "lb")
    objects: list[dict[str, Any]] = [
        {
            "apiVersion": "metallb.io/v1beta1",
            "kind": "IPAddressPool",
            "metadata": {"name": pool_name, "namespace": METALLB.namespace, "labels": labels},
            "spec": {"addresses": [str(network.load_balancer.network)], "autoAssign": True},
        }
    ]
    for pool in network.pools:
        gateway = next(pool.inband.network.hosts())
        objects.append(
            {
                "apiVersion": "metallb.io/v1beta2",
                "kind": "BGPPeer",
                "metadata": {
                    "name": k8s_name(pool.pool, "leaf"),
                    "namespace": METALLB.namespace,
                    "labels": labels,
                },
                "spec": {
                    "myASN": network.cluster_asn,
                    "peerASN": network.inband_leaf_asn,
                    "peerAddress": str(gateway),
                    "nodeSelectors": [{"matchLabels": {POOL_LABEL: pool.pool}}],
                },
            }
        )
    objects.append(
        {
            "apiVersion": "metallb.io/v1beta1",
            "kind": "BGPAdvertisement",
            "metadata": {"name": pool_name, "namespace": METALLB.namespace, "labels": labels},
            "spec": {"ipAddressPools": [pool_name]},
        }
    )
    return objects
