"""The `derived` block a gpudc program publishes: each site's figures and findings, typed.

The offline preview, the report and the diff know no domain; they read this block from the
program's `derived` stack output and validate it against these models, so a figure keeps its
type (a float `2.0` stays `2.0` although protobuf carried it as a double) and a program that
publishes something else gets a clear error, not a half-rendered report. Plain data only: this
module imports nothing of gpudc's domains.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DERIVED_FORMAT",
    "DERIVED_OUTPUT",
    "Artifact",
    "ClusterFigures",
    "Derived",
    "FabricFigures",
    "FindingRecord",
    "HallFigures",
    "ModelOverride",
    "PoolFigures",
    "RackRun",
    "RowFigures",
    "SiteFigures",
    "SubnetRecord",
    "TenantFigures",
    "TenantQuotaRecord",
    "WaivedRecord",
]

DERIVED_FORMAT: Literal["gpudc.derived/v1"] = "gpudc.derived/v1"
DERIVED_OUTPUT = "derived"
"""Name of the stack output that carries the block."""


class _Record(BaseModel):
    # Optional fields default to None: protobuf drops null values on the way to the engine.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FindingRecord(_Record):
    code: str
    severity: Literal["error", "warning"]
    path: str
    message: str
    fix: str
    value: str | None = None


class WaivedRecord(FindingRecord):
    reason: Annotated[str, Field(description="Why the stack file accepts this warning.")]


class Energy(_Record):
    """Yearly figures of an IT load at the site's utilisation, annual PUE, WUE and grid carbon."""

    it_energy_mwh_per_year: float
    facility_energy_mwh_per_year: float
    co2_tonnes_per_year: float
    water_m3_per_year: float


class RackRun(_Record):
    """Consecutive racks of a row that are alike (same use, pool and planned kW): a floor plan
    of 25,000 racks is a few hundred runs, not 25,000 records in every plan.json."""

    count: Annotated[int, Field(ge=1)]
    use: Literal["pool", "network", "storage", "free"]
    pool: str | None = None
    kw: Annotated[
        float, Field(description="Planned draw of each rack (kW): its pool's systems, or its reservation.")
    ] = 0.0


class RowFigures(_Record):
    name: str
    runs: list[RackRun]

    def racks(self, hall: str) -> list[tuple[str, RackRun]]:
        """Each rack's id (`<hall>/<row>-<nn>`, numbered from 01 as placement numbers them) and its run."""
        numbered = [run for run in self.runs for _ in range(run.count)]
        return [(f"{hall}/{self.name}-{index:02d}", run) for index, run in enumerate(numbered, start=1)]


class HallFigures(Energy):
    name: str
    cooling: str
    power_kw: float
    available_kw: float
    planned_kw: float
    reserved_kw: float
    power_left_kw: float
    peak_rack_kw: float
    racks_total: int
    racks_reserved: int
    racks_used: int
    racks_free: int
    rack_power_kw: Annotated[float | None, Field(description="What each rack position takes (kW).")] = None
    rows: Annotated[list[RowFigures], Field(description="The floor plan: rows of racks, in order.")] = []


class PoolFigures(Energy):
    name: str
    cluster: str
    placement: Literal["racked", "managed"]
    hall: str | None = None
    node_model: str
    node_product: str
    gpu_model: str
    nodes: int
    nodes_per_system: int
    systems: int
    gpus: int
    racks: int
    it_power_kw: float
    provisioner: Annotated[str | None, Field(description="capi-metal3, cks or existing.")] = None
    spares: Annotated[int, Field(description="Inventory machines beyond the pool's nodes.")] = 0
    instance_type: Annotated[str | None, Field(description="The CKS instance type of a cks pool.")] = None
    flavor: Annotated[str | None, Field(description="The pool's Kueue ResourceFlavor.")] = None
    quota_gpus: Annotated[int, Field(description="nvidia.com/gpu nominal quota of the flavor.")] = 0
    quota_cpu_cores: Annotated[int, Field(description="CPU nominal quota (node cores less the reserve).")] = 0
    quota_memory_gib: Annotated[int, Field(description="Memory nominal quota, GiB (less the reserve).")] = 0

    @property
    def size_note(self) -> str:
        """`144 nodes = 8 racks of ...`: what a rack-scale system's node count means."""
        if self.nodes_per_system == 1:
            return ""
        return (
            f"{self.nodes} nodes = {self.systems} x {self.node_product} ({self.nodes_per_system} nodes each)"
        )


class TenantQuotaRecord(_Record):
    """A tenant's GPUs in one pool: its ClusterQueue's nominal quota and limits."""

    pool: str
    gpus: int
    borrowing_limit: int
    lending_limit: int


class TenantFigures(_Record):
    name: str
    namespace: str
    group: str
    quotas: list[TenantQuotaRecord]


class ClusterFigures(_Record):
    name: str
    kubernetes: str
    management: str | None = None
    pools: list[str]
    gpu_operator_chart: str
    driver_version: str
    cluster_queue: str | None = None
    cohort: str | None = None
    pool_drivers: dict[str, str] = {}
    """Pool -> the driver its NVIDIADriver installs, when the cluster runs a driver per pool."""
    tenants: list[TenantFigures] = []


class SubnetRecord(_Record):
    """One carved subnet of a site's address plan, in allocation order."""

    owner: Annotated[str, Field(description="`cluster/<name>` or `pool/<name>`.")]
    role: str
    index: int | None = None
    cidr: str
    addresses: int
    hosts: Annotated[
        int, Field(description="Addresses asked for (nodes with growth headroom); 0 for fixed prefixes.")
    ]


class FabricFigures(_Record):
    """A compute fabric's bill of materials."""

    name: str
    kind: Literal["infiniband", "roce"]
    switch: str
    switch_product: str
    hall: str | None = None
    pools: list[str]
    nodes: int
    rails: int
    speed_gbps: int
    tiers: int
    scalable_units: int
    su_nodes: int
    leaves: int
    spines: int
    cores: int
    node_leaf_cables: int
    leaf_spine_cables: int
    spine_core_cables: int
    switch_transceivers: int
    node_transceivers: int
    oversubscription: float
    max_nodes: Annotated[int, Field(description="Largest node count the fabric's tier count connects.")]
    power_kw: float
    rack_units: int
    power_verified: bool


class SiteFigures(Energy):
    name: str
    region: str
    zone: str
    pue: float
    design_pue: float
    nodes: int
    gpus: int
    it_power_kw: float
    racked_it_power_kw: float
    facility_power_kw: Annotated[float, Field(description="Peak: racked IT load x design PUE.")]
    utility_kw: float | None = None
    utility_available_kw: float | None = None
    halls: list[HallFigures]
    pools: list[PoolFigures]
    clusters: list[ClusterFigures]
    supernets: list[str] = []
    subnets: list[SubnetRecord] = []
    fabrics: list[FabricFigures] = []


class ModelOverride(_Record):
    kind: Literal["gpu", "node"]
    key: str
    product_name: str
    replaces_catalog: bool


class Artifact(_Record):
    """A text file the program derives for people or devices (a RoCE leaf's configuration),
    written by the offline preview under out/<stack>/<path>."""

    path: Annotated[
        str,
        Field(
            pattern=r"^network(/[a-z0-9][a-z0-9-]*)+\.nvue$",
            description="Relative path: `network/<site>/<fabric>/<leaf>.nvue`; no `..`, no absolute paths.",
        ),
    ]
    text: str


class Derived(_Record):
    format: Literal["gpudc.derived/v1"] = DERIVED_FORMAT
    sites: list[SiteFigures]
    findings: list[FindingRecord] = []
    waived: list[WaivedRecord] = []
    model_overrides: list[ModelOverride] = []
    artifacts: list[Artifact] = []

    def total(self, figure: str) -> float:
        """A site figure summed over sites (`nodes`, `it_power_kw`, ...)."""
        return sum(float(getattr(site, figure)) for site in self.sites)
