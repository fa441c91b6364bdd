"""Typed shapes of the hardware catalog: GPU models, server/rack systems and their NICs.

The catalog is data, not configuration: every record is a frozen pydantic model so a planner can
share one instance everywhere, and every record names the public document its figures came from
(`source`), because a power or MIG figure nobody can trace is a figure nobody can trust.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from gpudc.core.spec import DnsLabel, Kilowatts, PositiveInt, SpecModel

__all__ = [
    "CoolingType",
    "Fabric",
    "GpuArchitecture",
    "GpuModel",
    "NicGroup",
    "NodeModel",
    "cooling_rank",
    "cooling_satisfies",
    "driver_version_key",
]


class GpuArchitecture(StrEnum):
    """NVIDIA GPU generation; decides driver floors and which features a GPU can have."""

    AMPERE = "ampere"
    ADA_LOVELACE = "ada-lovelace"
    HOPPER = "hopper"
    BLACKWELL = "blackwell"


class CoolingType(StrEnum):
    """How heat leaves a rack, declared weakest to strongest.

    The order matters: a rack with direct liquid cooling can host an air-cooled server, never the
    reverse. Compare with `cooling_satisfies` (or `cooling_rank`), not with string comparison.
    """

    AIR = "air"
    REAR_DOOR = "rear-door"
    DIRECT_LIQUID = "direct-liquid"


_COOLING_ORDER: tuple[CoolingType, ...] = tuple(CoolingType)


def cooling_rank(cooling: CoolingType) -> int:
    """Position of `cooling` from weakest (0, air) to strongest, so capacities can be compared."""
    return _COOLING_ORDER.index(cooling)


def cooling_satisfies(provided: CoolingType, required: CoolingType) -> bool:
    """True when a rack offering `provided` cooling can host a system that needs `required`."""
    return cooling_rank(provided) >= cooling_rank(required)


class Fabric(StrEnum):
    """Which network a NIC port is cabled to; each fabric is planned and switched separately."""

    COMPUTE = "compute"
    """East-west GPU fabric (InfiniBand or RoCE) carrying collective traffic between GPUs."""
    STORAGE = "storage"
    """North-south / converged Ethernet: storage, in-band management and user traffic."""
    MANAGEMENT = "management"
    """Out-of-band BMC network (and dedicated in-band management ports where a system has them)."""


MIG_PROFILE_PATTERN = r"^[1-7]g\.[0-9]+gb$"
HTTPS_SOURCES_PATTERN = r"^https://[!-~]+(\s+https://[!-~]+)*$"

MigProfileName = Annotated[
    str,
    StringConstraints(pattern=MIG_PROFILE_PATTERN),
    Field(description="A MIG GPU-instance profile name as nvidia-smi prints it, e.g. '1g.10gb'."),
]

FullDriverVersion = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{3}\.[0-9]{1,4}(\.[0-9]{1,4})?$"),
    Field(description="An NVIDIA driver version such as 580.82.07: branch, minor, optional patch."),
]

UnverifiedNote = Annotated[
    str,
    StringConstraints(min_length=3, max_length=300, pattern=r"^[a-z_]+: [ -~]+$"),
    Field(description="'<field>: <why it is unverified>' (printable ASCII)."),
]


UnverifiedNotes = Annotated[
    tuple[UnverifiedNote, ...],
    Field(
        max_length=16,
        description="Figures of the record no public document confirmed, each as "
        "'<field>: <why>'; `gpudc catalog --unverified` lists them (notes).",
    ),
]


def driver_version_key(version: str) -> tuple[int, ...]:
    """A driver version as numbers, for ordering: `580.82.07` -> (580, 82, 7)."""
    return tuple(int(part) for part in version.split("."))


SourceUrls = Annotated[
    str,
    StringConstraints(max_length=4000, pattern=HTTPS_SOURCES_PATTERN),
    Field(
        description="Whitespace-separated https:// URLs of the public documents the record's "
        "figures come from (vendor datasheet, user guide, reference architecture)."
    ),
]


class GpuModel(SpecModel):
    """One GPU product, with the figures a planner needs: memory, power, NVLink, MIG, driver."""

    name: Annotated[
        DnsLabel,
        Field(description="Catalog key of the GPU, e.g. 'h100-sxm' (DNS label)."),
    ]
    product_name: Annotated[
        str,
        StringConstraints(min_length=1, max_length=200),
        Field(description="Vendor product name, e.g. 'NVIDIA H100 SXM5 80GB' (free text)."),
    ]
    architecture: Annotated[GpuArchitecture, Field(description="NVIDIA GPU architecture generation (enum).")]
    memory_gib: Annotated[
        PositiveInt,
        Field(
            le=4096,  # 4 TiB per GPU: ten times the largest HBM stack announced (B300: 288 GB)
            description="GPU memory (HBM or GDDR) per GPU, the figure the datasheet states "
            "(GB as NVIDIA quotes it).",
        ),
    ]
    max_power_w: Annotated[
        PositiveInt,
        # 10 W to 10 kW: an edge accelerator to several times the largest GPU board (B300: 1.4 kW).
        Field(
            ge=10, le=10_000, description="Maximum board power per GPU: max TDP/TGP as the vendor states (W)."
        ),
    ]
    nvlink_generation: Annotated[
        Annotated[int, Field(ge=1, le=5, strict=True)] | None,
        Field(description="NVLink generation (1-5); None when the GPU has no NVLink (count)."),
    ]
    nvlink_bandwidth_gbs: Annotated[
        PositiveInt | None,
        Field(
            le=100_000,  # NVLink 5 is 1,800 GB/s per GPU
            description="NVLink bandwidth per GPU, bidirectional as NVIDIA quotes it; None "
            "without NVLink (GB/s).",
        ),
    ]
    mig_profiles: Annotated[
        tuple[MigProfileName, ...],
        Field(
            max_length=32,
            description="MIG GPU-instance profiles the GPU offers, as NVIDIA's MIG user guide "
            "names them, without the '+me' media-extension variants; empty = no MIG (names).",
        ),
    ]
    min_driver_branch: Annotated[
        PositiveInt,
        Field(
            ge=100,
            le=999,  # NVIDIA driver branches are three digits (R450 ... R610)
            description="Lowest NVIDIA data-center driver major branch that supports the GPU, "
            "e.g. 525 (branch number).",
        ),
    ]
    min_driver_version: Annotated[
        FullDriverVersion | None,
        Field(
            description="Lowest full NVIDIA driver version that supports the GPU, where NVIDIA states "
            "one (e.g. 570.133.20 for HGX B200); its branch must be at least `min_driver_branch`. "
            "None when NVIDIA states only a branch (version)."
        ),
    ] = None
    unverified: UnverifiedNotes = ()
    source: SourceUrls

    @model_validator(mode="after")
    def _driver_minimum_in_branch(self) -> Self:
        """A full minimum below the branch minimum would be a typo in one of them."""
        if self.min_driver_version is not None and driver_version_key(self.min_driver_version)[0] < (
            self.min_driver_branch
        ):
            raise ValueError(
                f"GPU {self.name!r}: min_driver_version {self.min_driver_version} is older than "
                f"min_driver_branch {self.min_driver_branch}"
            )
        return self

    @model_validator(mode="after")
    def _nvlink_fields_agree(self) -> Self:
        """A GPU either has NVLink (generation and bandwidth) or has neither."""
        if (self.nvlink_generation is None) != (self.nvlink_bandwidth_gbs is None):
            raise ValueError(
                f"GPU {self.name!r}: nvlink_generation and nvlink_bandwidth_gbs must both be "
                "set (GPU has NVLink) or both be null (no NVLink)"
            )
        return self

    @property
    def supports_mig(self) -> bool:
        """Whether the GPU can be partitioned with Multi-Instance GPU."""
        return bool(self.mig_profiles)


class NicGroup(SpecModel):
    """Identical NIC ports of one system cabled to one fabric; the unit a switch plan counts."""

    fabric: Annotated[Fabric, Field(description="Network the ports are cabled to (enum).")]
    count: Annotated[
        PositiveInt,
        # An NVL72 rack cables 72 compute ports; 1,024 leaves room for any rack-scale system.
        Field(le=1024, description="Number of network ports in the group, per system (ports)."),
    ]
    speed_gbps: Annotated[
        PositiveInt,
        Field(le=3200, description="Line rate of each port (Gb/s); 1.6T ports are the fastest shipping."),
    ]
    model: Annotated[
        str,
        StringConstraints(min_length=1, max_length=100),
        Field(description="Adapter model, e.g. 'ConnectX-7' (free text)."),
    ]


class NodeModel(SpecModel):
    """A purchasable system (server or rack-scale system) and the Kubernetes nodes it becomes.

    Power, rack units and NICs are per *system*; `nodes_per_system` says how many Kubernetes
    nodes (operating-system instances) one system is, so rack-scale systems such as GB200 NVL72
    (18 compute trays) fit the same shape as an 8-GPU HGX server (one node).
    """

    name: Annotated[
        DnsLabel,
        Field(description="Catalog key of the system, e.g. 'hgx-h100-8gpu' (DNS label)."),
    ]
    product_name: Annotated[
        str,
        StringConstraints(min_length=1, max_length=200),
        Field(description="Vendor product the figures describe, e.g. 'NVIDIA DGX H100' (text)."),
    ]
    gpu_model: Annotated[
        DnsLabel,
        Field(description="Key of the system's GPU in GPU_MODELS (DNS label)."),
    ]
    gpus_per_system: Annotated[
        PositiveInt,
        # NVIDIA's largest announced NVLink domain is 576 GPUs (Vera Rubin NVL576); 1,024 bounds it.
        Field(le=1024, description="GPUs in one system (count)."),
    ]
    nodes_per_system: Annotated[
        PositiveInt,
        Field(
            le=1024,
            description="Kubernetes nodes one system is made of: 1 for an HGX server, 18 compute "
            "trays for a GB200 NVL72 rack (count).",
        ),
    ]
    cpu_sockets: Annotated[
        PositiveInt,
        Field(le=1024, description="CPU sockets in one system, 72 Grace CPUs in an NVL144 rack (count)."),
    ]
    cpu_cores: Annotated[
        PositiveInt,
        Field(le=262_144, description="Total physical CPU cores in one system (cores)."),
    ]
    memory_gib: Annotated[
        PositiveInt,
        Field(
            le=1_048_576,  # 1 PiB: far beyond any rack-scale system (an NVL72 holds ~17 TB of LPDDR)
            description="System RAM of one system; the vendor's TB/GB figure taken as binary, "
            "so '2 TB' is 2048 (GiB).",
        ),
    ]
    max_power_kw: Annotated[
        Kilowatts,
        Field(description="Maximum power draw of one system as the vendor states it (kW)."),
    ]
    rack_units: Annotated[
        PositiveInt,
        Field(
            le=60, description="Rack space one system takes; a rack-scale system takes its whole rack (U)."
        ),
    ]
    cooling: Annotated[
        CoolingType,
        Field(description="Minimum cooling the system requires from its rack (enum)."),
    ]
    nics: Annotated[
        tuple[NicGroup, ...],
        Field(max_length=16, description="NIC port groups of one system, by fabric (list of groups)."),
    ]
    unverified: UnverifiedNotes = ()
    source: SourceUrls

    @model_validator(mode="after")
    def _gpus_split_evenly_over_nodes(self) -> Self:
        """Every node of a system must carry the same number of GPUs, or scheduling lies."""
        if self.gpus_per_system % self.nodes_per_system:
            raise ValueError(
                f"system {self.name!r}: gpus_per_system ({self.gpus_per_system}) is not "
                f"divisible by nodes_per_system ({self.nodes_per_system}); every Kubernetes node "
                "of a system must hold the same number of GPUs"
            )
        return self

    @property
    def gpus_per_node(self) -> int:
        """GPUs each Kubernetes node of the system exposes."""
        return self.gpus_per_system // self.nodes_per_system

    def nic_ports(self, fabric: Fabric) -> int:
        """Ports one system cables to `fabric`, summed over its NIC groups."""
        return sum(group.count for group in self.nics if group.fabric is fabric)
