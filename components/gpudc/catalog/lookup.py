"""The hardware an environment can name: its own models first, then the gpudc catalog."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gpudc.catalog.gpus import GPU_MODELS
from gpudc.catalog.models import GpuModel, NodeModel
from gpudc.catalog.nodes import NODE_MODELS

__all__ = ["Hardware"]


@dataclass(frozen=True, slots=True)
class Hardware:
    """GPU and node models by key; precedence is the stack file's own models, then the catalog."""

    gpu_models: Mapping[str, GpuModel]
    node_models: Mapping[str, NodeModel]

    @classmethod
    def with_overrides(
        cls, gpu_models: Mapping[str, GpuModel], node_models: Mapping[str, NodeModel]
    ) -> Hardware:
        return cls(
            gpu_models=MappingProxyType({**GPU_MODELS, **gpu_models}),
            node_models=MappingProxyType({**NODE_MODELS, **node_models}),
        )
