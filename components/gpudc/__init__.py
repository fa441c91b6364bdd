"""gpudc: GPU datacenters as typed Pulumi components.

The public API. Specs describe (pure pydantic), the derived model plans (pure), components build.
Names load on first use (PEP 562): `gpudc --help` and `gpudc validate` never import Pulumi, and a
program pays only for what it touches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpudc.core.lazy import lazy_names

if TYPE_CHECKING:
    from gpudc.catalog import GPU_MODELS, NODE_MODELS, CoolingType, GpuModel, NodeModel
    from gpudc.catalog.lookup import Hardware
    from gpudc.cluster.component import Cluster
    from gpudc.cluster.providers import ClusterProviders
    from gpudc.cluster.spec import ClusterSpec, ContextAccess, KubeconfigSecretAccess
    from gpudc.core.errors import SpecError
    from gpudc.core.findings import Finding, Severity
    from gpudc.environment.component import Environment
    from gpudc.environment.figures import derived_block
    from gpudc.environment.load import load_environment, parse_environment
    from gpudc.environment.plan import (
        ClusterPlan,
        EnvironmentPlan,
        PoolPlan,
        SitePlan,
        plan_environment,
        plan_site,
        standalone_pool_plan,
    )
    from gpudc.environment.providers import cluster_providers, kubernetes_provider
    from gpudc.environment.spec import EnvironmentSpec, Waiver
    from gpudc.gpu_operator.component import GpuOperator
    from gpudc.gpu_operator.spec import DriverMode, DriverSpec, GpuOperatorSpec, MigStrategy
    from gpudc.gpu_operator.versions import OperatorPlan, OperatorPool, plan_operator
    from gpudc.network.component import SiteNetwork
    from gpudc.network.fabric import FabricDemand, size_fabric
    from gpudc.network.ipam import fleet_overlaps
    from gpudc.network.spec import FabricSpec, NetworkSpec
    from gpudc.nodepool.component import GpuNodePool
    from gpudc.nodepool.spec import ExistingNodes, NodePoolSpec, PoolPlacement, Taint, TaintEffect
    from gpudc.site.component import DatacenterSite
    from gpudc.site.spec import HallSpec, LocationSpec, RowSpec, SiteSpec

_EXPORTS: dict[str, str] = {
    "Cluster": "gpudc.cluster.component",
    "ClusterPlan": "gpudc.environment.plan",
    "ClusterProviders": "gpudc.cluster.providers",
    "ClusterSpec": "gpudc.cluster.spec",
    "ContextAccess": "gpudc.cluster.spec",
    "CoolingType": "gpudc.catalog",
    "DatacenterSite": "gpudc.site.component",
    "DriverMode": "gpudc.gpu_operator.spec",
    "DriverSpec": "gpudc.gpu_operator.spec",
    "Environment": "gpudc.environment.component",
    "EnvironmentPlan": "gpudc.environment.plan",
    "EnvironmentSpec": "gpudc.environment.spec",
    "ExistingNodes": "gpudc.nodepool.spec",
    "FabricDemand": "gpudc.network.fabric",
    "FabricSpec": "gpudc.network.spec",
    "Finding": "gpudc.core.findings",
    "GPU_MODELS": "gpudc.catalog",
    "GpuModel": "gpudc.catalog",
    "GpuNodePool": "gpudc.nodepool.component",
    "GpuOperator": "gpudc.gpu_operator.component",
    "GpuOperatorSpec": "gpudc.gpu_operator.spec",
    "HallSpec": "gpudc.site.spec",
    "Hardware": "gpudc.catalog.lookup",
    "KubeconfigSecretAccess": "gpudc.cluster.spec",
    "LocationSpec": "gpudc.site.spec",
    "MigStrategy": "gpudc.gpu_operator.spec",
    "NODE_MODELS": "gpudc.catalog",
    "NetworkSpec": "gpudc.network.spec",
    "NodeModel": "gpudc.catalog",
    "NodePoolSpec": "gpudc.nodepool.spec",
    "OperatorPlan": "gpudc.gpu_operator.versions",
    "OperatorPool": "gpudc.gpu_operator.versions",
    "PoolPlacement": "gpudc.nodepool.spec",
    "PoolPlan": "gpudc.environment.plan",
    "RowSpec": "gpudc.site.spec",
    "Severity": "gpudc.core.findings",
    "SiteNetwork": "gpudc.network.component",
    "SitePlan": "gpudc.environment.plan",
    "SiteSpec": "gpudc.site.spec",
    "SpecError": "gpudc.core.errors",
    "Taint": "gpudc.nodepool.spec",
    "TaintEffect": "gpudc.nodepool.spec",
    "Waiver": "gpudc.environment.spec",
    "cluster_providers": "gpudc.environment.providers",
    "derived_block": "gpudc.environment.figures",
    "fleet_overlaps": "gpudc.network.ipam",
    "kubernetes_provider": "gpudc.environment.providers",
    "load_environment": "gpudc.environment.load",
    "parse_environment": "gpudc.environment.load",
    "plan_environment": "gpudc.environment.plan",
    "plan_operator": "gpudc.gpu_operator.versions",
    "plan_site": "gpudc.environment.plan",
    "size_fabric": "gpudc.network.fabric",
    "standalone_pool_plan": "gpudc.environment.plan",
}

__all__ = [
    "GPU_MODELS",
    "NODE_MODELS",
    "Cluster",
    "ClusterPlan",
    "ClusterProviders",
    "ClusterSpec",
    "ContextAccess",
    "CoolingType",
    "DatacenterSite",
    "DriverMode",
    "DriverSpec",
    "Environment",
    "EnvironmentPlan",
    "EnvironmentSpec",
    "ExistingNodes",
    "FabricDemand",
    "FabricSpec",
    "Finding",
    "GpuModel",
    "GpuNodePool",
    "GpuOperator",
    "GpuOperatorSpec",
    "HallSpec",
    "Hardware",
    "KubeconfigSecretAccess",
    "LocationSpec",
    "MigStrategy",
    "NetworkSpec",
    "NodeModel",
    "NodePoolSpec",
    "OperatorPlan",
    "OperatorPool",
    "PoolPlacement",
    "PoolPlan",
    "RowSpec",
    "Severity",
    "SiteNetwork",
    "SitePlan",
    "SiteSpec",
    "SpecError",
    "Taint",
    "TaintEffect",
    "Waiver",
    "cluster_providers",
    "derived_block",
    "fleet_overlaps",
    "kubernetes_provider",
    "load_environment",
    "parse_environment",
    "plan_environment",
    "plan_operator",
    "plan_site",
    "size_fabric",
    "standalone_pool_plan",
]


__getattr__ = lazy_names(globals(), _EXPORTS)
