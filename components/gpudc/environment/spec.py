"""The whole environment one stack file describes: its sites and any hardware of its own."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from gpudc.catalog.models import GpuModel, NodeModel
from gpudc.core.spec import DnsLabel, SpecModel, unique_names_problem
from gpudc.site.spec import SiteSpec

__all__ = ["EnvironmentSpec"]


class EnvironmentSpec(SpecModel):
    """Value of the `gpudc:environment` key of a stack file."""

    description: Annotated[
        str, StringConstraints(max_length=500), Field(description="What this environment is, for reviewers.")
    ] = ""
    gpu_models: Annotated[
        dict[DnsLabel, GpuModel],
        Field(
            max_length=64,
            description="GPU models of this environment's own; a key here wins over the catalog.",
        ),
    ] = {}
    node_models: Annotated[
        dict[DnsLabel, NodeModel],
        Field(
            max_length=64,
            description="Node models of this environment's own; a key here wins over the catalog.",
        ),
    ] = {}
    sites: Annotated[
        tuple[SiteSpec, ...], Field(min_length=1, max_length=64, description="Datacenter sites.")
    ]

    @model_validator(mode="after")
    def _site_names_unique(self) -> EnvironmentSpec:
        problem = unique_names_problem("sites", [site.name for site in self.sites])
        if problem:
            raise ValueError(problem)
        return self
