"""From the derived model to the `derived` block a program publishes (see `derived.py`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby
from typing import Any

from gpudc.catalog.gpus import GPU_MODELS
from gpudc.catalog.models import GpuModel, NodeModel
from gpudc.catalog.nodes import NODE_MODELS
from gpudc.cluster.spec import access_identity
from gpudc.core.findings import Finding
from gpudc.environment.derived import (
    Artifact,
    ClusterFigures,
    Derived,
    FabricFigures,
    FindingRecord,
    HallFigures,
    ModelOverride,
    PoolFigures,
    RackRun,
    RowFigures,
    SiteFigures,
    SubnetRecord,
    TenantFigures,
    TenantQuotaRecord,
    WaivedRecord,
)
from gpudc.environment.plan import EnvironmentPlan, SitePlan, Waived
from gpudc.network.switchconfig import leaf_configs
from gpudc.scheduling.quotas import FlavorQuota
from gpudc.site.capacity import Footprint, rack_ids
from gpudc.site.spec import HallSpec

__all__ = ["derived_block", "environment_derived", "site_figures"]


def _r(value: float) -> float:
    return round(value, 1)


def _energy(fp: Footprint) -> dict[str, float]:
    return {
        "it_energy_mwh_per_year": _r(fp.it_energy_mwh),
        "facility_energy_mwh_per_year": _r(fp.facility_energy_mwh),
        "co2_tonnes_per_year": _r(fp.co2_tonnes),
        "water_m3_per_year": _r(fp.water_m3),
    }


def _floor_plan(hall: HallSpec, site: SitePlan) -> list[RowFigures]:
    """Every rack of the hall, row by row, as runs of alike racks: the pool placed in them, or
    their reservation, or free. Placement keeps the last `network_racks + storage_racks` racks of
    a hall (site.capacity); of those, the network racks come first."""
    placed = {rack.rack: (pool.name, rack.power_kw) for pool in site.pools for rack in pool.capacity.racks}
    ids = rack_ids(hall)
    network_from = len(ids) - hall.network_racks - hall.storage_racks
    storage_from = len(ids) - hall.storage_racks
    uses: list[tuple[str, str | None, float]] = []
    for index, local in enumerate(ids):
        rack = f"{hall.name}/{local}"
        if rack in placed:
            pool, kw = placed[rack]
            uses.append(("pool", pool, _r(kw)))
        elif index >= storage_from:
            uses.append(("storage", None, _r(hall.storage_rack_kw or 0.0)))
        elif index >= network_from:
            uses.append(("network", None, _r(hall.network_rack_kw or 0.0)))
        else:
            uses.append(("free", None, 0.0))
    rows, start = [], 0
    for row in hall.rows:
        runs = [
            RackRun(count=len(list(group)), use=use, pool=pool, kw=kw)
            for (use, pool, kw), group in groupby(uses[start : start + row.racks])
        ]
        rows.append(RowFigures(name=row.name, runs=runs))
        start += row.racks
    return rows


def _quota(quota: FlavorQuota | None) -> dict[str, object]:
    if quota is None:
        return {}
    return {
        "flavor": quota.flavor,
        "quota_gpus": quota.gpus,
        "quota_cpu_cores": quota.cpu_cores,
        "quota_memory_gib": quota.memory_gib,
    }


def site_figures(site: SitePlan) -> SiteFigures:
    """One site's figures, rounded to the 0.1 kW / MWh / t / m3 a report shows."""
    capacity = site.capacity
    quotas = {quota.pool: quota for cluster in site.clusters for quota in cluster.scheduling.quotas}
    return SiteFigures(
        name=site.name,
        region=capacity.region,
        zone=capacity.zone,
        pue=capacity.pue,
        design_pue=capacity.design_pue,
        nodes=capacity.nodes,
        gpus=capacity.gpus,
        it_power_kw=_r(capacity.it_power_kw),
        racked_it_power_kw=_r(capacity.racked_it_power_kw),
        facility_power_kw=_r(capacity.facility_power_kw),
        utility_kw=None if capacity.utility_kw is None else _r(capacity.utility_kw),
        utility_available_kw=None
        if capacity.available_facility_kw is None
        else _r(capacity.available_facility_kw),
        halls=[
            HallFigures(
                name=hall.name,
                cooling=hall.cooling.value,
                power_kw=_r(hall.power_kw),
                available_kw=_r(hall.available_kw),
                planned_kw=_r(hall.planned_kw),
                reserved_kw=_r(hall.reserved_kw),
                power_left_kw=_r(hall.power_left_kw),
                peak_rack_kw=_r(hall.peak_rack_kw),
                racks_total=hall.racks_total,
                racks_reserved=hall.racks_reserved,
                racks_used=hall.racks_used,
                racks_free=hall.racks_free,
                rack_power_kw=spec.rack_power_kw,
                rows=_floor_plan(spec, site),
                **_energy(hall.footprint),
            )
            for hall, spec in zip(capacity.halls, site.spec.halls, strict=True)
        ],
        pools=[
            PoolFigures(
                name=pool.name,
                cluster=pool.cluster,
                placement=pool.spec.placement.value,
                hall=pool.spec.hall,
                node_model=pool.node_model.name,
                node_product=pool.node_model.product_name,
                gpu_model=pool.gpu_model.name,
                nodes=pool.nodes,
                nodes_per_system=pool.node_model.nodes_per_system,
                systems=pool.capacity.systems,
                gpus=pool.gpus,
                racks=len(pool.capacity.racks),
                it_power_kw=_r(pool.capacity.footprint.it_power_kw),
                provisioner=pool.spec.provisioner.type,
                spares=len(pool.spares),
                instance_type=pool.cks_instance_type,
                **_quota(quotas.get(pool.name)),
                **_energy(pool.capacity.footprint),
            )
            for pool in site.pools
        ],
        clusters=[
            ClusterFigures(
                name=cluster.name,
                kubernetes=access_identity(cluster.spec.kubernetes),
                management=access_identity(cluster.spec.management) if cluster.spec.management else None,
                pools=[pool.name for pool in cluster.pools],
                gpu_operator_chart=cluster.operator.chart_version,
                driver_version=cluster.operator.driver_version,
                cluster_queue=cluster.scheduling.cluster_queue,
                cohort=cluster.scheduling.cohort,
                pool_drivers={pool.name: pool.driver_version for pool in cluster.operator.pools}
                if cluster.operator.per_pool_drivers
                else {},
                tenants=[
                    TenantFigures(
                        name=tenant.name,
                        namespace=tenant.namespace,
                        group=tenant.spec.group,
                        quotas=[
                            TenantQuotaRecord(
                                pool=flavor.pool,
                                gpus=flavor.gpus.nominal,
                                borrowing_limit=flavor.gpus.borrowing_limit,
                                lending_limit=flavor.gpus.lending_limit,
                            )
                            for flavor in tenant.flavors
                        ],
                    )
                    for tenant in cluster.tenants
                ],
            )
            for cluster in site.clusters
        ],
        **_energy(capacity.footprint),
        **_network(site),
    )


def _network(site: SitePlan) -> dict[str, Any]:
    network = site.network
    if network is None:
        return {}
    return {
        "supernets": [str(net) for net in network.addresses.supernets],
        "subnets": [
            SubnetRecord(
                owner=subnet.owner,
                role=subnet.role.value,
                index=subnet.index,
                cidr=str(subnet.network),
                addresses=subnet.network.num_addresses,
                hosts=subnet.hosts,
            )
            for subnet in network.addresses.subnets
        ],
        "fabrics": [
            FabricFigures(
                name=fabric.name,
                kind=fabric.kind.value,
                switch=fabric.plan.switch.name,
                switch_product=fabric.plan.switch.product_name,
                hall=fabric.hall,
                pools=list(fabric.pools),
                nodes=fabric.plan.nodes,
                rails=fabric.plan.rails,
                speed_gbps=fabric.plan.speed_gbps,
                tiers=fabric.plan.tiers,
                scalable_units=fabric.plan.sus,
                su_nodes=fabric.plan.su_nodes,
                leaves=fabric.plan.leaves,
                spines=fabric.plan.spines,
                cores=fabric.plan.cores,
                node_leaf_cables=fabric.plan.node_leaf_cables,
                leaf_spine_cables=fabric.plan.leaf_spine_cables,
                spine_core_cables=fabric.plan.spine_core_cables,
                switch_transceivers=fabric.plan.switch_transceivers,
                node_transceivers=fabric.plan.node_transceivers,
                oversubscription=fabric.plan.oversubscription,
                max_nodes=fabric.plan.max_nodes,
                power_kw=_r(fabric.plan.power_kw),
                rack_units=fabric.plan.rack_units,
                power_verified=fabric.plan.switch.power_verified,
            )
            for fabric in network.fabrics
        ],
    }


def _record(finding: Finding) -> FindingRecord:
    return FindingRecord.model_validate(finding.as_json())


def _overrides(
    gpu_models: Mapping[str, GpuModel], node_models: Mapping[str, NodeModel]
) -> list[ModelOverride]:
    return [
        *(
            ModelOverride(kind="gpu", key=k, product_name=m.product_name, replaces_catalog=k in GPU_MODELS)
            for k, m in sorted(gpu_models.items())
        ),
        *(
            ModelOverride(kind="node", key=k, product_name=m.product_name, replaces_catalog=k in NODE_MODELS)
            for k, m in sorted(node_models.items())
        ),
    ]


def derived_block(
    sites: Iterable[SitePlan],
    *,
    findings: Sequence[Finding] = (),
    waived: Sequence[Waived] = (),
    gpu_models: Mapping[str, GpuModel] | None = None,
    node_models: Mapping[str, NodeModel] | None = None,
) -> Derived:
    """The block for any set of site plans, e.g. a library program's one site."""
    sites = list(sites)
    return Derived(
        sites=[site_figures(site) for site in sites],
        artifacts=[
            Artifact(path=path, text=text)
            for site in sites
            if site.network is not None
            for path, text in leaf_configs(site.network, site=site.name).items()
        ],
        findings=[_record(finding) for finding in findings],
        waived=[WaivedRecord(**_record(item.finding).model_dump(), reason=item.reason) for item in waived],
        model_overrides=_overrides(gpu_models or {}, node_models or {}),
    )


def environment_derived(plan: EnvironmentPlan) -> Derived:
    return derived_block(
        plan.sites.values(),
        findings=plan.findings,
        waived=plan.waived,
        gpu_models=plan.spec.gpu_models,
        node_models=plan.spec.node_models,
    )
