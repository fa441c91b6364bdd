"""Hardware catalog: GPU and system models whose every figure names its public source.

Planners read sizes, power, cooling and NIC counts from here instead of from stack files, so a
wrong figure is fixed once, in one reviewed, cited place. The mappings and models are read-only.
"""

from gpudc.catalog.gpus import GPU_MODELS
from gpudc.catalog.models import (
    CoolingType,
    Fabric,
    GpuArchitecture,
    GpuModel,
    NicGroup,
    NodeModel,
    cooling_rank,
    cooling_satisfies,
)
from gpudc.catalog.nodes import NODE_MODELS

__all__ = [
    "GPU_MODELS",
    "NODE_MODELS",
    "CoolingType",
    "Fabric",
    "GpuArchitecture",
    "GpuModel",
    "NicGroup",
    "NodeModel",
    "cooling_rank",
    "cooling_satisfies",
]
