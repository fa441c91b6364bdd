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
from gpudc.network.plan import RAIL_ATTACHMENT_NAMESPACE, ClusterNetwork, PoolNetwork

__all__ = [
    "IPAM_NAMESPACE",
    "NODE_SECTIONS",
    "RDMA_RESOURCE",
    "metallb_objects",
    "nic_cluster_policy",
    "nic_node_policies",
    "rail_objects",
    "section_conflicts",
    "selector_overlaps",
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


# Sections a NicClusterPolicy and a NicNodePolicy may not both set: the operator's admission webhook
# refuses the second (network-operator v26.4.1 pkg/policyoverlap/overlap.go DetectSectionConflict).
NODE_SECTIONS = ("ofedDriver", "rdmaSharedDevicePlugin", "sriovDevicePlugin")
# api/v1alpha1/validator/nicpolicy_webhook.go, maxNicNodePolicyNameLength (DaemonSet names get it as suffix).
_NODE_POLICY_NAME_LENGTH = 30


def section_conflicts(cluster_policy: dict[str, Any], node_policies: list[dict[str, Any]]) -> list[str]:
    """Sections set by both the cluster policy and a node policy (`<policy>: <section>`), as the
    operator's webhook would refuse them; [] for what gpudc renders."""
    return [
        f"{policy['metadata']['name']}: {section}"
        for policy in node_policies
        for section in NODE_SECTIONS
        if section in cluster_policy["spec"] and section in policy["spec"]
    ]


def selector_overlaps(node_policies: list[dict[str, Any]]) -> list[str]:
    """Pairs of node policies whose selectors could pick one node: both select by `gpudc.io/pool`
    with the same pool, or either selects by anything else (gpudc cannot tell those apart)."""
    found = []
    for index, first in enumerate(node_policies):
        for second in node_policies[index + 1 :]:
            a, b = first["spec"]["nodeSelector"], second["spec"]["nodeSelector"]
            if set(a) != {POOL_LABEL} or set(b) != {POOL_LABEL} or a == b:
                found.append(f"{first['metadata']['name']} / {second['metadata']['name']}")
    return found


def nic_cluster_policy(network: ClusterNetwork, *, site: str) -> dict[str, Any]:
    """The cluster's one NicClusterPolicy. Where pools differ, the driver and device plugin
    sections go to their NicNodePolicies instead (the operator refuses a section set in both)."""
    spec: dict[str, Any] = {
        "secondaryNetwork": {"cniPlugins": _image("cniPlugins"), "multus": _image("multus")},
        "nvIpam": {**_image("nvIpam"), "enableWebhook": False},
    }
    if not nic_node_policies(network, site=site):
        spec.update(_node_sections())
    return {
        "apiVersion": "mellanox.com/v1alpha1",
        "kind": "NicClusterPolicy",
        "metadata": {"name": NIC_CLUSTER_POLICY_NAME, "labels": gpudc_labels(site=site or None)},
        "spec": dict(sorted(spec.items())),
    }


def _node_sections() -> dict[str, Any]:
    return {
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
                "name": k8s_name(pool.pool, "nic", max_length=_NODE_POLICY_NAME_LENGTH),
                "labels": gpudc_labels(site=site or None, pool=pool.pool),
            },
            "spec": {"nodeSelector": {POOL_LABEL: pool.pool}, **_node_sections()},
        }
        for pool in pools
    ]


def rail_objects(pool: PoolNetwork, *, site: str) -> list[dict[str, Any]]:
    """The pool's IPPool and NetworkAttachmentDefinition per rail."""
    objects: list[dict[str, Any]] = []
    for subnet, name in zip(pool.rails, pool.rail_attachments, strict=True):
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
                    "namespace": RAIL_ATTACHMENT_NAMESPACE,
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
