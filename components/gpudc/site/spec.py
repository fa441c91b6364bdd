"""The physical site: where it is, what the grid gives it, and its data halls of racks."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from gpudc.catalog.models import CoolingType
from gpudc.cluster.spec import ClusterSpec, KubernetesAccess
from gpudc.core.errors import explain_pattern
from gpudc.core.spec import (
    DnsLabel,
    Fraction,
    NonNegativeInt,
    PositiveInt,
    SpecModel,
    raise_field_problems,
    unique_names_problem,
)
from gpudc.gpu_operator.spec import GpuOperatorSpec, KubernetesVersion
from gpudc.network.spec import NetworkSpec
from gpudc.nodepool.spec import LabelValue, NodePoolSpec
from gpudc.tenancy.spec import GpuOvercommit, Tenants

__all__ = ["HallSpec", "LocationSpec", "RowSpec", "SiteSpec"]

Pue = Annotated[float, Field(ge=1.0, le=3.0, allow_inf_nan=False)]
RackKilowatts = Annotated[
    float,
    # 500 kW: above the densest racks built or announced (NVL144 Kyber at ~600 kW is a rack of
    # its own class; raise this bound with a CHANGELOG entry when halls reach it).
    Field(ge=0, le=500, allow_inf_nan=False),
]


class LocationSpec(SpecModel):
    """Where the site is, for people reading reports."""

    city: Annotated[
        str,
        StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$"),
        Field(description="City name."),
    ]
    country: Annotated[
        str,
        StringConstraints(
            pattern=explain_pattern(
                r"^[A-Z]{2}$", "must be an ISO 3166-1 alpha-2 country code, such as US or DE"
            )
        ),
        Field(description="ISO 3166-1 alpha-2 country code, e.g. US."),
    ]
    subdivision: Annotated[
        str | None,
        StringConstraints(max_length=10, pattern=r"^[A-Z0-9]{1,10}$"),
        Field(description="ISO 3166-2 subdivision code without the country, e.g. TX."),
    ] = None


class RowSpec(SpecModel):
    """A row of identical racks in a hall."""

    name: Annotated[
        DnsLabel, Field(description="Row name, unique in its hall; prefixes its rack ids (`a-01`).")
    ]
    racks: Annotated[PositiveInt, Field(le=200, description="Number of racks in the row.")]


class HallSpec(SpecModel):
    """A data hall: an IT power budget, one cooling technology and rows of racks."""

    name: Annotated[
        DnsLabel, Field(description="Hall name, unique in its site; becomes the gpudc.io/hall label.")
    ]
    power_kw: Annotated[
        float,
        # 1 GW: a whole hyperscale campus; a single hall above it is a unit slip (MW typed as kW).
        Field(
            ge=0.01,
            le=1_000_000,
            allow_inf_nan=False,
            description="Critical IT power available to the hall (kW).",
        ),
    ]
    cooling: Annotated[
        CoolingType,
        Field(description="Cooling available at the racks: air, rear-door heat exchangers or direct liquid."),
    ]
    rack_power_kw: Annotated[
        RackKilowatts,
        Field(ge=0.01, description="Power (and cooling) each rack position can take (kW)."),
    ]
    rack_units: Annotated[
        PositiveInt, Field(le=60, description="Usable rack units (U) per rack, e.g. 42 or 48.")
    ]
    rows: Annotated[tuple[RowSpec, ...], Field(min_length=1, max_length=100, description="Rows of racks.")]
    network_racks: Annotated[
        NonNegativeInt,
        Field(le=20_000, description="Racks kept for network gear (spine/leaf switches), not for nodes."),
    ] = 0
    network_rack_kw: Annotated[
        RackKilowatts | None,
        Field(
            description="Power each network rack draws (kW), counted in the hall's and the site's "
            "budgets; required in effect whenever network_racks > 0 (a warning says so)."
        ),
    ] = None
    storage_racks: Annotated[
        NonNegativeInt, Field(le=20_000, description="Racks kept for storage, not for nodes.")
    ] = 0
    storage_rack_kw: Annotated[
        RackKilowatts | None,
        Field(description="Power each storage rack draws (kW), counted like network_rack_kw."),
    ] = None

    @property
    def total_racks(self) -> int:
        return sum(row.racks for row in self.rows)

    @model_validator(mode="after")
    def _rows_unique_and_reserve_fits(self) -> HallSpec:
        problems: list[tuple[str, str | None]] = [
            ("rows", unique_names_problem("rows", [row.name for row in self.rows]))
        ]
        for kind in ("network", "storage"):
            kw = getattr(self, f"{kind}_rack_kw")
            if kw is not None and kw > self.rack_power_kw:
                problems.append(
                    (
                        f"{kind}_rack_kw",
                        f"{kw:g} kW is more than a rack position of this hall takes "
                        f"(rack_power_kw {self.rack_power_kw:g} kW); lower it or raise rack_power_kw",
                    )
                )
        reserved = self.network_racks + self.storage_racks
        if reserved > self.total_racks:
            problems.append(
                (
                    "network_racks",
                    f"network_racks + storage_racks = {reserved} but the hall has only "
                    f"{self.total_racks} racks; add rows or reserve fewer racks",
                )
            )
        raise_field_problems("HallSpec", problems)
        return self


class SiteSpec(SpecModel):
    """A datacenter site: its grid, its halls, its GPU pools and the Kubernetes clusters they join.

    A site with one cluster may say so in short, with `kubernetes` and `gpu_operator` on the site
    itself (the cluster takes the site's name); a site with several lists them under `clusters`.
    """

    name: Annotated[
        DnsLabel, Field(description="Site name, unique in the environment; the gpudc.io/site label.")
    ]
    location: Annotated[LocationSpec, Field(description="Where the site is.")]
    region: Annotated[
        LabelValue, Field(min_length=1, description="topology.kubernetes.io/region of every node.")
    ]
    zone: Annotated[LabelValue, Field(min_length=1, description="topology.kubernetes.io/zone of every node.")]
    utility_power_mw: Annotated[
        float | None,
        Field(
            ge=0.001,  # 1 kW: the smallest feed a rack of anything needs
            # 5 GW: the largest campuses announced; anything above is a unit slip (kW typed as MW).
            le=5000,
            allow_inf_nan=False,
            description="Utility power contracted for the whole facility, IT plus overhead (MW); "
            "required when the site has halls.",
        ),
    ] = None
    pue: Annotated[
        Pue,
        Field(
            description="Annual power usage effectiveness: facility energy / IT energy, for energy figures."
        ),
    ]
    design_pue: Annotated[
        Pue | None,
        Field(
            description="PUE at peak IT load, for peak facility power against the utility feed; "
            "defaults to `pue`. At least `pue` (cooling works hardest at peak)."
        ),
    ] = None
    wue_l_per_kwh: Annotated[
        float,
        Field(
            ge=0.0,
            le=20.0,
            allow_inf_nan=False,
            description="Water usage effectiveness: site water (L) per IT kWh.",
        ),
    ]
    grid_carbon_g_per_kwh: Annotated[
        float,
        Field(
            ge=0.0, le=2000.0, allow_inf_nan=False, description="Grid carbon intensity (gCO2e per kWh drawn)."
        ),
    ]
    utilisation: Annotated[
        Fraction,
        Field(
            description="Average share of maximum power the GPU nodes draw over a year (0-1), for energy figures."
        ),
    ]
    power_headroom: Annotated[
        float,
        Field(
            ge=0.0,
            lt=0.5,
            allow_inf_nan=False,
            description="Share of each power budget (site and hall) kept unplanned, e.g. 0.1.",
        ),
    ] = 0.1
    kubernetes: Annotated[
        KubernetesAccess | None,
        Field(
            description="Short form for a site with one cluster: how Pulumi reaches it (else use `clusters`)."
        ),
    ] = None
    gpu_operator: Annotated[
        GpuOperatorSpec | None,
        Field(description="Short form for a site with one cluster: its GPU Operator (else use `clusters`)."),
    ] = None
    kubernetes_version: Annotated[
        KubernetesVersion | None,
        Field(description="Short form for a site with one cluster: the Kubernetes version it runs."),
    ] = None
    tenants: Annotated[
        Tenants | None,
        Field(description="Short form for a site with one cluster: its tenants (else use `clusters`)."),
    ] = None
    tenant_gpu_overcommit: Annotated[
        GpuOvercommit | None,
        Field(description="Short form for a site with one cluster: its tenants' GPU overcommit ratio."),
    ] = None
    clusters: Annotated[
        tuple[ClusterSpec, ...],
        Field(max_length=16, description="The site's Kubernetes clusters, when not given in short form."),
    ] = ()
    halls: Annotated[
        tuple[HallSpec, ...],
        Field(max_length=32, description="Data halls; a site whose pools are all managed needs none."),
    ] = ()
    pools: Annotated[tuple[NodePoolSpec, ...], Field(max_length=256, description="GPU node pools.")] = ()
    network: Annotated[
        NetworkSpec | None,
        Field(
            description="The site's address plan and compute fabrics; a hall holding a fabric's "
            "switches draws their power in place of network_rack_kw."
        ),
    ] = None

    @property
    def peak_pue(self) -> float:
        return self.design_pue if self.design_pue is not None else self.pue

    @property
    def cluster_specs(self) -> tuple[tuple[str, ClusterSpec], ...]:
        """Each cluster with the stack-file path of its fields (relative to the site)."""
        if self.clusters:
            return tuple((f"clusters[{index}]", cluster) for index, cluster in enumerate(self.clusters))
        assert self.kubernetes is not None and self.gpu_operator is not None  # the validator's promise
        return (
            (
                "",
                ClusterSpec(
                    name=self.name,
                    kubernetes=self.kubernetes,
                    gpu_operator=self.gpu_operator,
                    kubernetes_version=self.kubernetes_version,
                    tenants=self.tenants or (),
                    tenant_gpu_overcommit=self.tenant_gpu_overcommit or 1.0,
                ),
            ),
        )

    @model_validator(mode="after")
    def _consistent(self) -> SiteSpec:
        problems: list[tuple[str | tuple[str | int, ...], str | None]] = [
            (field, unique_names_problem(field, [item.name for item in getattr(self, field)]))
            for field in ("halls", "pools", "clusters")
        ]
        short = [
            key
            for key in ("kubernetes", "gpu_operator", "tenants", "tenant_gpu_overcommit")
            if getattr(self, key) is not None
        ]
        if self.clusters and self.kubernetes_version is not None:
            short.append("kubernetes_version")
        if self.clusters and short:
            problems += [
                (key, "goes inside each of `clusters` when the site lists clusters") for key in short
            ]
        elif not self.clusters:
            problems += [
                (
                    key,
                    "is required: a site needs a cluster (set `kubernetes` and `gpu_operator`, or list `clusters`)",
                )
                for key in ("kubernetes", "gpu_operator")
                if key not in short
            ]
        if self.halls and self.utility_power_mw is None:
            problems.append(
                ("utility_power_mw", "is required for a site with halls; give the contracted feed in MW")
            )
        if self.design_pue is not None and self.design_pue < self.pue:
            problems.append(
                (
                    "design_pue",
                    f"{self.design_pue:g} is below the annual pue ({self.pue:g}); peak PUE is at least the "
                    "annual one, so raise design_pue or omit it",
                )
            )
        problems += self._network_problems()
        raise_field_problems("SiteSpec", problems)
        return self

    def _network_problems(self) -> list[tuple[str | tuple[str | int, ...], str | None]]:
        """A fabric's pools and hall must be the site's own (the network block is self-contained)."""
        if self.network is None:
            return []
        pools = [pool.name for pool in self.pools]
        halls = [hall.name for hall in self.halls]
        problems: list[tuple[str | tuple[str | int, ...], str | None]] = []
        for index, fabric in enumerate(self.network.fabrics):
            at: tuple[str | int, ...] = ("network", "fabrics", index)
            for number, name in enumerate(fabric.pools):
                if name not in pools:
                    problems.append(
                        (
                            (*at, "pools", number),
                            f"names pool {name!r}, which the site does not have; use one of {pools}",
                        )
                    )
            if fabric.hall is not None and fabric.hall not in halls:
                problems.append(
                    (
                        (*at, "hall"),
                        f"names hall {fabric.hall!r}, which the site does not have; use one of {halls}",
                    )
                )
        return problems
