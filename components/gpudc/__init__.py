"""gpudc: GPU datacenters as typed Pulumi components.

The public API. Specs describe (pure pydantic), the derived model plans (pure), components build.
"""

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
from gpudc.nodepool.component import GpuNodePool
from gpudc.nodepool.spec import ExistingNodes, NodePoolSpec, PoolPlacement, Taint, TaintEffect
from gpudc.site.component import DatacenterSite
from gpudc.site.spec import HallSpec, LocationSpec, RowSpec, SiteSpec

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
    "NodeModel",
    "NodePoolSpec",
    "OperatorPlan",
    "OperatorPool",
    "PoolPlacement",
    "PoolPlan",
    "RowSpec",
    "Severity",
    "SitePlan",
    "SiteSpec",
    "SpecError",
    "Taint",
    "TaintEffect",
    "Waiver",
    "cluster_providers",
    "derived_block",
    "kubernetes_provider",
    "load_environment",
    "parse_environment",
    "plan_environment",
    "plan_operator",
    "plan_site",
    "standalone_pool_plan",
]
