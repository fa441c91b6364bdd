"""How much heat each cooling technology removes from one rack.

These are the defaults the capacity check holds each rack's planned kW to. They are practical
upper limits quoted by vendors, not guarantees: a hall engineered for more states so by choosing
a stronger cooling type, and gpudc never plans a rack past its hall's `rack_power_kw` either.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gpudc.catalog.models import CoolingType

__all__ = ["RACK_COOLING_LIMIT_KW"]

RACK_COOLING_LIMIT_KW: Mapping[CoolingType, float] = MappingProxyType(
    {
        # Schneider Electric / NVIDIA AI reference designs: about 40 kW per rack with advanced air
        # cooling (containment, high-capacity CRAHs), about 73 kW and beyond only with liquid.
        # https://www.se.com/ww/en/work/solutions/for-business/data-centers-and-networks/ai/ (summarised at
        # https://www.sipoch.com/en/articles/300330022033606)
        CoolingType.AIR: 40.0,
        # Active rear-door heat exchangers are rated in bands up to 55-75 kW per rack
        # (HPE / Motivair ChilledDoor ratings): https://www.coolnetpower.com/blog/how-much-heat-can-a-rear-door-heat-exchanger-remove/
        CoolingType.REAR_DOOR: 75.0,
        # NVIDIA DGX SuperPOD with GB200: a scalable unit of 8 NVL72 racks is 1.2 MW, about 150 kW per
        # rack with its share of overhead.
        # https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-gb200/latest/dgx-superpod-architecture.html
        CoolingType.DIRECT_LIQUID: 150.0,
    }
)
