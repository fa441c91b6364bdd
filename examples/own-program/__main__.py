"""A team's own Pulumi program with gpudc as a library: no stack file, no YAML, plain Python.

One site with one rear-door-cooled hall holding 8 NVIDIA HGX H200 nodes (from the gpudc
catalog), and the GPU Operator pinned to chart v26.7.0 with its driver container. The program
makes its own Kubernetes provider and hands it to `DatacenterSite` as the workload provider of
the site's one cluster (components never create providers), so every object below lands on it.
It plans the site first, so a mistake stops the program before anything is registered, and
publishes the `derived` block that `gpudc plan` turns into a report.
"""

import pulumi
import pulumi_kubernetes as k8s

from gpudc import (
    ClusterProviders,
    ContextAccess,
    CoolingType,
    DatacenterSite,
    DriverMode,
    DriverSpec,
    ExistingNodes,
    GpuOperatorSpec,
    HallSpec,
    LocationSpec,
    NodePoolSpec,
    RowSpec,
    SiteSpec,
    derived_block,
    plan_site,
)
from gpudc.catalog.lookup import Hardware
from gpudc.environment.program import findings_as_run_error

config = pulumi.Config()
context = config.get("context") or "kind-gpu"

spec = SiteSpec(
    name="research",
    location=LocationSpec(city="Austin", country="US", subdivision="TX"),
    region="us-central",
    zone="research-a",
    # 8 nodes x 10.2 kW = 81.6 kW of IT load, 106 kW of facility load at PUE 1.3.
    utility_power_mw=0.2,
    pue=1.3,
    wue_l_per_kwh=0.5,
    grid_carbon_g_per_kwh=334.1,
    utilisation=0.7,
    # Not used by this program (it makes its own provider below), but part of the site's record.
    kubernetes=ContextAccess(type="context", context=context),
    halls=(
        HallSpec(
            name="h1",
            power_kw=120,
            cooling=CoolingType.REAR_DOOR,
            # 4 systems (40.8 kW, 32U) per 45 kW, 42U rack: the 8 nodes take 2 racks.
            rack_power_kw=45,
            rack_units=42,
            rows=(RowSpec(name="a", racks=4),),
            network_racks=1,
            network_rack_kw=5,
        ),
    ),
    pools=(
        NodePoolSpec(
            name="h200",
            hall="h1",
            node_model="hgx-h200-8gpu",
            nodes=8,
            provisioner=ExistingNodes(type="existing"),
        ),
    ),
    gpu_operator=GpuOperatorSpec(chart_version="v26.7.0", driver=DriverSpec(mode=DriverMode.OPERATOR)),
)

with findings_as_run_error():
    plan = plan_site(spec, Hardware.with_overrides({}, {}))

provider = k8s.Provider("gpu-cluster", context=context, enable_server_side_apply=True)

site = DatacenterSite(
    "research", spec, plan=plan, providers={"research": ClusterProviders(workload=provider)}
)

pulumi.export("derived", derived_block([plan]).model_dump(mode="json"))
