"""The whole environment one stack file describes: its sites and any hardware of its own."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from gpudc.catalog.models import GpuModel, NodeModel
from gpudc.core.spec import DnsLabel, SpecModel, repeated, unique_names_problem
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

    @field_validator("sites")
    @classmethod
    def _names_unique(cls, sites: tuple[SiteSpec, ...]) -> tuple[SiteSpec, ...]:
        problem = unique_names_problem("sites", [site.name for site in sites])
        if problem:
            raise ValueError(problem)
        # Pools are named `<site>-<pool>` under the environment: site `a` with pool `b-c` and site
        # `a-b` with pool `c` would be one URN, which the engine refuses halfway through `up`.
        pool_names = [f"{site.name}-{pool.name}" for site in sites for pool in site.pools]
        clashes = repeated(pool_names)
        if clashes:
            raise ValueError(
                f"site and pool names combine into the same resource name {clashes}; rename a site or a pool"
            )
        return sites
