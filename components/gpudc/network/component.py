"""`SiteNetwork`: a cluster's secondary networks and load balancer, once per cluster.

Children: the NVIDIA Network Operator (namespace and pinned Helm release, NFD left to the GPU
Operator), MetalLB (namespace and pinned release), and the custom resources of
`gpudc.network.manifests` built from the cluster's slice of the address plan. Custom resources
wait for their operator's release, which installs their CRDs.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc.catalog.charts import ChartPin
from gpudc.catalog.network_software import METALLB, NETWORK_OPERATOR
from gpudc.core.labels import gpudc_labels
from gpudc.network.manifests import metallb_objects, nic_cluster_policy, nic_node_policies, rail_objects
from gpudc.network.plan import ClusterNetwork
from gpudc.network.spec import NetworkSpec
from gpudc.options import child_opts, spec_inputs
from gpudc.releases import pinned_release

__all__ = ["SiteNetwork", "network_operator_values"]

# Both operators' daemonsets need host networking and privileged pods (driver containers, speakers).
_POD_SECURITY = {"pod-security.kubernetes.io/enforce": "privileged"}


def network_operator_values() -> dict[str, Any]:
    """Values for the network-operator chart (keys of deployment/network-operator/values.yaml at
    v26.4.1): NFD off, as the chart's README asks where NFD already runs (the GPU Operator's)."""
    return {"nfd": {"enabled": False}, "sriovNetworkOperator": {"enabled": False}}


class SiteNetwork(pulumi.ComponentResource):
    """Network Operator with its NicClusterPolicy, per-pool NicNodePolicies, nv-ipam pools and
    NetworkAttachmentDefinitions per rail, and MetalLB with its address pool and BGP peers."""

    TYPE = "gpudc:index:SiteNetwork"

    custom_resources: list[str]

    def __init__(
        self,
        name: str,
        spec: NetworkSpec,
        *,
        plan: ClusterNetwork,
        site: str = "",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(self.TYPE, name, spec_inputs(spec), opts)
        labels = {**gpudc_labels(site=site or None), **_POD_SECURITY}

        def install(suffix: str, pin: ChartPin, values: dict[str, Any]) -> k8s.helm.v3.Release:
            return pinned_release(
                self, name, suffix, pin, namespace_labels=labels, values=values, timeout=1800, opts=opts
            )

        operator = install("network-operator", NETWORK_OPERATOR.chart, network_operator_values())
        metallb = install("metallb", METALLB, {})
        objects = [
            (operator, nic_cluster_policy(plan, site=site)),
            *((operator, body) for body in nic_node_policies(plan, site=site)),
            *((operator, body) for pool in plan.pools for body in rail_objects(pool, site=site)),
            *((metallb, body) for body in metallb_objects(plan, site=site)),
        ]
        self.custom_resources = []
        for release, body in objects:
            logical = f"{name}-{body['kind'].lower()}-{body['metadata']['name']}"
            extra = {
                key: value for key, value in body.items() if key not in ("apiVersion", "kind", "metadata")
            }
            k8s.apiextensions.CustomResource(
                logical,
                api_version=body["apiVersion"],
                kind=body["kind"],
                metadata=body["metadata"],
                opts=child_opts(self, opts, depends_on=[release]),
                **extra,
            )
            self.custom_resources.append(f"{body['kind']}/{body['metadata']['name']}")
        self.register_outputs({"custom_resources": self.custom_resources})
