"""The whole environment one stack file describes: its sites, any hardware of its own, and the
warnings it has chosen to accept."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from gpudc.catalog.gpus import GPU_MODELS
from gpudc.catalog.models import GpuModel, NodeModel
from gpudc.catalog.nodes import NODE_MODELS
from gpudc.core.findings import CODE_PATTERN
from gpudc.core.spec import (
    DnsLabel,
    Protection,
    SpecModel,
    raise_field_problems,
    repeated,
    unique_names_problem,
)
from gpudc.site.spec import SiteSpec

__all__ = ["EnvironmentSpec", "Waiver"]


class Waiver(SpecModel):
    """A warning this environment accepts, at one path, and why; shown in every report."""

    code: Annotated[
        str,
        StringConstraints(pattern=CODE_PATTERN),
        Field(description="Code of the warning waived, e.g. GPUDC-POWER-004."),
    ]
    path: Annotated[
        str,
        StringConstraints(min_length=1, max_length=300, pattern=r"^[ -~]+$"),
        Field(description="Exact path the warning is reported at, e.g. sites[0].halls[2].power_kw."),
    ]
    reason: Annotated[
        str,
        StringConstraints(min_length=10, max_length=500, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]+$"),
        Field(description="Why the warning is accepted, for reviewers (at least 10 characters)."),
    ]


def _keys_name_their_models(models: dict[str, GpuModel] | dict[str, NodeModel]) -> None:
    # A key and a `name` that differ would label nodes with one and report the other.
    wrong = sorted(key for key, model in models.items() if model.name != key)
    if wrong:
        raise ValueError(f"each model's `name` must equal its key; set name to the key for {wrong}")


class EnvironmentSpec(SpecModel):
    """Value of the `gpudc:environment` key of a stack file."""

    description: Annotated[
        str, StringConstraints(max_length=500), Field(description="What this environment is, for reviewers.")
    ] = ""
    gpu_models: Annotated[
        dict[DnsLabel, GpuModel],
        Field(
            max_length=64,
            description="GPU models of this environment's own; a key here wins over the catalog "
            "(whose keys are " + ", ".join(sorted(GPU_MODELS)) + ").",
        ),
    ] = {}
    node_models: Annotated[
        dict[DnsLabel, NodeModel],
        Field(
            max_length=64,
            description="Node models of this environment's own; a key here wins over the catalog "
            "(whose keys are " + ", ".join(sorted(NODE_MODELS)) + ").",
        ),
    ] = {}
    sites: Annotated[
        tuple[SiteSpec, ...], Field(min_length=1, max_length=64, description="Datacenter sites.")
    ]
    waivers: Annotated[
        tuple[Waiver, ...],
        Field(max_length=256, description="Warnings accepted by code and path, each with its reason."),
    ] = ()
    protection: Annotated[
        Protection,
        Field(
            description="How the resources whose loss hurts (node pools' objects, GPU Operator releases, "
            "namespaces) are guarded: 'protect' (pulumi up refuses to delete or replace them until they "
            "are unprotected), 'retain' (deleting them in Pulumi leaves them in the cluster) or 'none'."
        ),
    ] = Protection.NONE

    @field_validator("waivers")
    @classmethod
    def _waivers_unique(cls, waivers: tuple[Waiver, ...]) -> tuple[Waiver, ...]:
        twice = repeated([(waiver.code, waiver.path) for waiver in waivers])
        if twice:
            raise ValueError(f"each warning is waived once; {twice} are waived more than once, keep one")
        return waivers

    @field_validator("gpu_models", "node_models")
    @classmethod
    def _names_match_keys(cls, models: dict[str, GpuModel] | dict[str, NodeModel]) -> object:
        _keys_name_their_models(models)
        return models

    @field_validator("node_models")
    @classmethod
    def _gpus_known(cls, models: dict[str, NodeModel], info: ValidationInfo) -> dict[str, NodeModel]:
        # Said at the model, once, whether or not a pool uses it yet.
        gpus = {*GPU_MODELS, *(info.data.get("gpu_models") or {})}
        raise_field_problems(
            "EnvironmentSpec",
            (
                (
                    (key, "gpu_model"),
                    f"names GPU model {model.gpu_model!r}, which is neither in the catalog nor under gpu_models; "
                    f"use one of {sorted(gpus)} or define it under gpu_models",
                )
                for key, model in models.items()
                if model.gpu_model not in gpus
            ),
        )
        return models

    @field_validator("sites")
    @classmethod
    def _names_unique(cls, sites: tuple[SiteSpec, ...]) -> tuple[SiteSpec, ...]:
        problem = unique_names_problem("sites", [site.name for site in sites])
        if problem:
            raise ValueError(problem)
        return sites
