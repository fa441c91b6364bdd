"""The physical site: where it is, what the grid gives it, and its data halls of racks."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from gpudc.catalog.models import CoolingType
from gpudc.core.spec import DnsLabel, NonNegativeInt, PositiveInt, SpecModel, unique_names_problem
from gpudc.gpu_operator.spec import GpuOperatorSpec
from gpudc.nodepool.spec import LabelValue, NodePoolSpec

__all__ = [
    "ContextAccess",
    "HallSpec",
    "KubeconfigSecretAccess",
    "KubernetesAccess",
    "LocationSpec",
    "RowSpec",
    "SiteSpec",
]

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class LocationSpec(SpecModel):
    """Where the site is, for people reading reports."""

    city: Annotated[str, StringConstraints(min_length=1, max_length=100), Field(description="City name.")]
    country: Annotated[
        str,
        StringConstraints(pattern=r"^[A-Z]{2}$"),
        Field(description="ISO 3166-1 alpha-2 country code, e.g. US."),
    ]
    subdivision: Annotated[
        str | None,
        StringConstraints(max_length=10),
        Field(description="State or province code, e.g. TX."),
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
        float, Field(gt=0, allow_inf_nan=False, description="Critical IT power available to the hall (kW).")
    ]
    cooling: Annotated[
        CoolingType,
        Field(description="Cooling available at the racks: air, rear-door heat exchangers or direct liquid."),
    ]
    rack_power_kw: Annotated[
        float,
        Field(gt=0, le=500, description="Power (and cooling) each rack position can take (kW)."),
    ]
    rack_units: Annotated[
        PositiveInt, Field(le=60, description="Usable rack units (U) per rack, e.g. 42 or 48.")
    ]
    rows: Annotated[tuple[RowSpec, ...], Field(min_length=1, max_length=100, description="Rows of racks.")]
    network_racks: Annotated[
        NonNegativeInt, Field(description="Racks kept for network gear (spine/leaf switches), not for nodes.")
    ] = 0
    storage_racks: Annotated[NonNegativeInt, Field(description="Racks kept for storage, not for nodes.")] = 0

    @property
    def total_racks(self) -> int:
        return sum(row.racks for row in self.rows)

    @model_validator(mode="after")
    def _rows_unique_and_reserve_fits(self) -> HallSpec:
        problem = unique_names_problem("rows", [row.name for row in self.rows])
        if problem:
            raise ValueError(problem)
        reserved = self.network_racks + self.storage_racks
        if reserved > self.total_racks:
            raise ValueError(
                f"network_racks + storage_racks = {reserved} but the hall has only "
                f"{self.total_racks} racks; add rows or reserve fewer racks"
            )
        return self


class ContextAccess(SpecModel):
    """Reach the cluster through a named context of the operator's kubeconfig."""

    type: Annotated[Literal["context"], Field(description="Use a kubeconfig context.")]
    context: Annotated[
        str, StringConstraints(min_length=1, max_length=253), Field(description="Context name.")
    ]


class KubeconfigSecretAccess(SpecModel):
    """Reach the cluster through a kubeconfig held as a Pulumi secret in stack config."""

    type: Annotated[Literal["kubeconfig-secret"], Field(description="Use a kubeconfig stored as a secret.")]
    config_key: Annotated[
        str,
        StringConstraints(pattern=r"^[a-zA-Z][a-zA-Z0-9_-]{0,62}$"),
        Field(
            description="Key in the `gpudc` config namespace that holds the kubeconfig, set with "
            "`pulumi config set --secret gpudc:<key> ...`."
        ),
    ]


KubernetesAccess = Annotated[ContextAccess | KubeconfigSecretAccess, Field(discriminator="type")]


class SiteSpec(SpecModel):
    """A datacenter site: its grid, halls, GPU pools and the NVIDIA software on its cluster."""

    name: Annotated[
        DnsLabel, Field(description="Site name, unique in the environment; the gpudc.io/site label.")
    ]
    location: Annotated[LocationSpec, Field(description="Where the site is.")]
    region: Annotated[
        LabelValue, Field(min_length=1, description="topology.kubernetes.io/region of every node.")
    ]
    zone: Annotated[LabelValue, Field(min_length=1, description="topology.kubernetes.io/zone of every node.")]
    utility_power_mw: Annotated[
        float,
        Field(
            gt=0,
            allow_inf_nan=False,
            description="Utility power contracted for the whole facility, IT plus overhead (MW).",
        ),
    ]
    pue: Annotated[
        float, Field(ge=1.0, le=3.0, description="Power usage effectiveness: facility energy / IT energy.")
    ]
    wue_l_per_kwh: Annotated[
        float, Field(ge=0.0, le=20.0, description="Water usage effectiveness: site water (L) per IT kWh.")
    ]
    grid_carbon_g_per_kwh: Annotated[
        float, Field(ge=0.0, le=2000.0, description="Grid carbon intensity (gCO2e per kWh drawn).")
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
            ge=0.0, lt=0.5, description="Share of each power budget (site and hall) kept unplanned, e.g. 0.1."
        ),
    ] = 0.1
    kubernetes: Annotated[KubernetesAccess, Field(description="How Pulumi reaches this site's cluster.")]
    halls: Annotated[tuple[HallSpec, ...], Field(min_length=1, max_length=64, description="Data halls.")]
    pools: Annotated[tuple[NodePoolSpec, ...], Field(max_length=256, description="GPU node pools.")] = ()
    gpu_operator: Annotated[
        GpuOperatorSpec, Field(description="NVIDIA GPU Operator release for the cluster.")
    ]

    @model_validator(mode="after")
    def _names_unique(self) -> SiteSpec:
        problems = [
            unique_names_problem("halls", [hall.name for hall in self.halls]),
            unique_names_problem("pools", [pool.name for pool in self.pools]),
        ]
        if any(problems):
            raise ValueError("; ".join(problem for problem in problems if problem))
        return self
