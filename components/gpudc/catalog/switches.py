"""The switch catalog: fabric switches a compute fabric is sized with, each figure with its source.

A fabric plan needs three things of a switch: how many ports it has at the NICs' line rate (its
radix), how much power it draws (the load of the hall's network racks) and how many rack units
it takes. Ports are counted at one line rate: a Quantum-2 QM9700 has 32 twin-port OSFP cages, 64
NDR 400 Gb/s ports; a Spectrum-4 SN5600 has 64 800GbE ports, 128 at 400GbE when split.

Power figures are maxima with optics fitted (what a rack must be fed for), marked "unverified"
where no vendor document retrieved for gpudc states them; such a figure is the best bound the
cited documents give, never a guess presented as a datasheet value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated

from pydantic import Field, StringConstraints

from gpudc.catalog.models import SourceUrls
from gpudc.core.spec import DnsLabel, PositiveInt, SpecModel

__all__ = ["SWITCH_MODELS", "FabricKind", "SwitchModel"]


class FabricKind(StrEnum):
    """The protocol a compute fabric runs; a switch serves one."""

    INFINIBAND = "infiniband"
    """InfiniBand (NDR, XDR): a subnet manager (UFM) runs on the fabric itself."""
    ROCE = "roce"
    """RDMA over Converged Ethernet (Spectrum-X class): BGP-routed leaves and spines."""


class SwitchModel(SpecModel):
    """A fixed-configuration fabric switch."""

    name: Annotated[DnsLabel, Field(description="Catalog key, e.g. 'qm9700'.")]
    product_name: Annotated[
        str, StringConstraints(min_length=1, max_length=100), Field(description="Vendor product name.")
    ]
    kind: Annotated[FabricKind, Field(description="The fabric protocol the switch runs.")]
    ports: Annotated[
        dict[int, PositiveInt],
        Field(description="Ports the switch offers at each line rate it can split to (Gb/s -> ports)."),
    ]
    max_power_w: Annotated[
        float, Field(gt=0, le=20_000, allow_inf_nan=False, description="Maximum draw with optics fitted (W).")
    ]
    rack_units: Annotated[PositiveInt, Field(le=16, description="Height (U).")]
    power_verified: Annotated[
        bool, Field(description="Whether a retrieved vendor document states max_power_w itself.")
    ]
    source: SourceUrls

    def radix(self, speed_gbps: int) -> int | None:
        """Ports at `speed_gbps`, or None when the switch cannot run ports at that rate."""
        return self.ports.get(speed_gbps)


def _index(models: Iterable[SwitchModel]) -> Mapping[str, SwitchModel]:
    table: dict[str, SwitchModel] = {}
    for model in models:
        if model.name in table:
            raise ValueError(f"duplicate switch catalog key {model.name!r}")
        table[model.name] = model
    return MappingProxyType(table)


SWITCH_MODELS: Mapping[str, SwitchModel] = _index(
    [
        # NVIDIA Quantum-2 QM9700: 1U, 32 OSFP cages of 2 logical NDR ports each = 64 x 400 Gb/s
        # (128 x 200 Gb/s split); optics up to Class 8, 17 W per cage (QM97X0 user manual,
        # Interfaces). The DGX SuperPOD H100 reference architecture builds every leaf and spine of
        # its compute fabric from it (Table 4). Maximum power: 1,720 W is the figure the plano stack
        # file's authors sized their network racks with; no NVIDIA page retrieved for gpudc states
        # it, so it is marked unverified (32 cages x 17 W = 544 W of it is optics alone).
        SwitchModel(
            name="qm9700",
            product_name="NVIDIA Quantum-2 QM9700",
            kind=FabricKind.INFINIBAND,
            ports={400: 64, 200: 128},
            max_power_w=1720,
            rack_units=1,
            power_verified=False,
            source="https://docs.nvidia.com/networking/display/QM97X0PUB/Interfaces "
            "https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-h100/"
            "latest/network-fabrics.html",
        ),
        # NVIDIA Spectrum-4 SN5600: 2U, 64 x 800GbE, 128 x 400GbE, 256 x 200GbE (SN5000 user manual,
        # Data Interfaces). It ships with two 3 kW power supplies ("SN5600 with Dual 3KW PSU", ibid.);
        # with 1+1 redundancy one supply carries the whole switch, so 3,000 W bounds its draw. The
        # exact maximum is not stated in a retrieved document: unverified, an upper bound.
        SwitchModel(
            name="sn5600",
            product_name="NVIDIA Spectrum-4 SN5600",
            kind=FabricKind.ROCE,
            ports={800: 64, 400: 128, 200: 256},
            max_power_w=3000,
            rack_units=2,
            power_verified=False,
            source="https://docs.nvidia.com/networking/display/sn5000/data+interfaces",
        ),
    ]
)
