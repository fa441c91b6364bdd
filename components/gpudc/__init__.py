"""gpudc: GPU datacenters as typed Pulumi components.

The public API. Specs describe (pure pydantic), derivations plan (pure), components build.
"""

from gpudc.catalog import GPU_MODELS, NODE_MODELS, CoolingType, GpuModel, NodeModel
from gpudc.catalog.lookup import Hardware
from gpudc.core.errors import SpecError, SpecIssue
from gpudc.environment.component import Environment
from gpudc.environment.load import EnvironmentPlan, load_environment, parse_environment, plan_environment
from gpudc.environment.providers import site_provider, site_providers
from gpudc.environment.spec import EnvironmentSpec
from gpudc.gpu_operator.component import GpuOperator
from gpudc.gpu_operator.spec import DriverMode, DriverSpec, GpuOperatorSpec, MigStrategy
from gpudc.nodepool.component import GpuNodePool
from gpudc.nodepool.spec import ExistingNodes, NodePoolSpec, Taint, TaintEffect
from gpudc.site.capacity import SitePlan, plan_site
from gpudc.site.component import DatacenterSite
from gpudc.site.spec import ContextAccess, HallSpec, KubeconfigSecretAccess, LocationSpec, RowSpec, SiteSpec

__all__ = [
    "GPU_MODELS",
    "NODE_MODELS",
    "ContextAccess",
    "CoolingType",
    "DatacenterSite",
    "DriverMode",
    "DriverSpec",
    "Environment",
    "EnvironmentPlan",
    "EnvironmentSpec",
    "ExistingNodes",
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
    "RowSpec",
    "SitePlan",
    "SiteSpec",
    "SpecError",
    "SpecIssue",
    "Taint",
    "TaintEffect",
    "load_environment",
    "parse_environment",
    "plan_environment",
    "plan_site",
    "site_provider",
    "site_providers",
]
