"""`DatacenterSite`: one site's cluster objects, built from a placement that already passed."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc.catalog.lookup import Hardware
from gpudc.core.labels import SYSTEM_NAMESPACE, gpudc_labels
from gpudc.gpu_operator.component import GpuOperator
from gpudc.gpu_operator.versions import plan_operator
from gpudc.nodepool.component import GpuNodePool
from gpudc.options import child_opts
from gpudc.site.capacity import SitePlan, plan_site
from gpudc.site.spec import SiteSpec

__all__ = ["DatacenterSite", "capacity_outputs"]


def capacity_outputs(plan: SitePlan) -> dict[str, Any]:
    """The site's figures as plain data: stack outputs and the report's input."""
    fp = plan.footprint
    return {
        "region": plan.region,
        "zone": plan.zone,
        "nodes": plan.nodes,
        "gpus": plan.gpus,
        "it_power_kw": round(fp.it_power_kw, 1),
        "facility_power_kw": round(plan.facility_power_kw, 1),
        "utility_available_kw": round(plan.available_facility_kw, 1),
        "it_energy_mwh_per_year": round(fp.it_energy_mwh, 1),
        "facility_energy_mwh_per_year": round(fp.facility_energy_mwh, 1),
        "co2_tonnes_per_year": round(fp.co2_tonnes, 1),
        "water_m3_per_year": round(fp.water_m3, 1),
        "halls": {
            hall.name: {
                "cooling": hall.cooling.value,
                "power_kw": round(hall.power_kw, 1),
                "available_kw": round(hall.available_kw, 1),
                "planned_kw": round(hall.planned_kw, 1),
                "power_left_kw": round(hall.power_left_kw, 1),
                "peak_rack_kw": round(hall.peak_rack_kw, 1),
                "racks_total": hall.racks_total,
                "racks_reserved": hall.racks_reserved,
                "racks_used": hall.racks_used,
                "racks_free": hall.racks_free,
                "it_energy_mwh_per_year": round(hall.footprint.it_energy_mwh, 1),
                "facility_energy_mwh_per_year": round(hall.footprint.facility_energy_mwh, 1),
                "co2_tonnes_per_year": round(hall.footprint.co2_tonnes, 1),
                "water_m3_per_year": round(hall.footprint.water_m3, 1),
            }
            for hall in plan.halls
        },
        "pools": {
            pool.name: {
                "hall": pool.hall,
                "node_model": pool.node_model.name,
                "gpu_model": pool.gpu_model.name,
                "nodes": pool.nodes,
                "gpus": pool.gpus,
                "racks": len(pool.racks),
                "it_power_kw": round(pool.footprint.it_power_kw, 1),
                "it_energy_mwh_per_year": round(pool.footprint.it_energy_mwh, 1),
                "facility_energy_mwh_per_year": round(pool.footprint.facility_energy_mwh, 1),
                "co2_tonnes_per_year": round(pool.footprint.co2_tonnes, 1),
                "water_m3_per_year": round(pool.footprint.water_m3, 1),
            }
            for pool in plan.pools
        },
    }


class DatacenterSite(pulumi.ComponentResource):
    """A site: its gpudc namespace, its GPU node pools and its GPU Operator."""

    TYPE = "gpudc:index:DatacenterSite"

    capacity: dict[str, Any]

    def __init__(
        self,
        name: str,
        spec: SiteSpec,
        *,
        plan: SitePlan | None = None,
        hardware: Hardware | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # Everything is checked before the first registration: a bad site registers nothing.
        if plan is None:
            plan = plan_site(spec, hardware or Hardware.with_overrides({}, {}))
        plan_operator(spec.gpu_operator, [(pool.name, pool.gpu_model) for pool in plan.pools])
        super().__init__(self.TYPE, name, None, opts)
        namespace = k8s.core.v1.Namespace(
            f"{name}-system",
            metadata={"name": SYSTEM_NAMESPACE, "labels": gpudc_labels(site=spec.name)},
            opts=child_opts(self, opts),
        )
        self._pools = {
            pool.name: GpuNodePool(
                f"{name}-{pool.name}",
                pool,
                site=plan,
                opts=child_opts(self, opts, depends_on=[namespace]),
            )
            for pool in spec.pools
        }
        self._gpu_operator = GpuOperator(
            f"{name}-gpu-operator", spec.gpu_operator, site=plan, opts=child_opts(self, opts)
        )
        self.capacity = capacity_outputs(plan)
        self.register_outputs({"capacity": self.capacity})

    # Child components, for programs that build on a site; references, not stack outputs.
    @property
    def pools(self) -> dict[str, GpuNodePool]:
        return dict(self._pools)

    @property
    def gpu_operator(self) -> GpuOperator:
        return self._gpu_operator
