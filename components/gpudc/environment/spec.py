"""The whole environment one stack file describes: its sites, any hardware of its own, and the
warnings it has chosen to accept."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator

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

__all__ = ["MAX_HALLS", "MAX_NODES", "MAX_POOLS", "MAX_RACKS", "MAX_SITES", "EnvironmentSpec", "Waiver"]

# What one stack should hold: a campus, planned and deployed as one unit. Beyond it the answer is
# the fleet (several stacks, checked together by `gpudc validate --all`), not a bigger file:
# every stack-wide figure below keeps `validate` of the biggest file allowed under a few seconds
# and `plan` under a minute (bench/plan_bench.py). A 64-site x 256-pool file took 106 s and
# 2.8 GB to plan before these bounds.
MAX_SITES = 16
MAX_HALLS = 128
MAX_POOLS = 1024
MAX_RACKS = 25_000
# Pools register resources per node (a NodePatch or a BareMetalHost each), so plan time grows
# with nodes: 50,000 nodes (400,000 GPUs at eight a node) plan in minutes, not hours.
MAX_NODES = 50_000
_ROW_RACKS = 200  # RowSpec.racks' bound
_POOL_NODES = 100_000  # NodePoolSpec.nodes' bound
_SPLIT = (
    "split the fleet into several stacks (one per campus) and check them together with `gpudc validate --all`"
)


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
        tuple[SiteSpec, ...],
        Field(
            min_length=1,
            max_length=MAX_SITES,
            description=f"Datacenter sites. One stack holds at most {MAX_SITES} sites, {MAX_HALLS} halls, "
            f"{MAX_POOLS:,} pools, {MAX_RACKS:,} racks and {MAX_NODES:,} nodes in all; a bigger fleet is "
            "several stacks.",
        ),
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

    @model_validator(mode="before")
    @classmethod
    def _fits_one_stack(cls, data: Any) -> Any:
        """Refuse a file bigger than one stack before parsing it: the counts come from the raw
        data, so a 64-site file is answered at once, not after seconds of validation."""
        sites = data.get("sites") if isinstance(data, dict) else None
        if not isinstance(sites, list | tuple):
            return data
        site_items = [site for site in sites if isinstance(site, dict)]
        halls = [h for site in site_items for h in _items(site, "halls") if isinstance(h, dict)]
        counts = {
            "sites": (len(sites), MAX_SITES),
            "halls": (len(halls), MAX_HALLS),
            "pools": (sum(len(_items(site, "pools")) for site in site_items), MAX_POOLS),
            "racks": (sum(_racks(hall) for hall in halls), MAX_RACKS),
            "nodes": (sum(_nodes(pool) for site in site_items for pool in _items(site, "pools")), MAX_NODES),
        }
        raise_field_problems(
            "EnvironmentSpec",
            [
                (
                    "sites",
                    f"this stack has {count:,} {what} in all; one stack holds at most {limit:,}: {_SPLIT}",
                )
                for what, (count, limit) in counts.items()
                if count > limit
            ],
        )
        return data

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


def _items(data: dict[str, Any], key: str) -> list[Any] | tuple[Any, ...]:
    value = data.get(key)
    return value if isinstance(value, list | tuple) else ()


def _nodes(pool: Any) -> int:
    """A pool's nodes, where they are a count the pool's own bound allows (else that field's error)."""
    nodes = pool.get("nodes") if isinstance(pool, dict) else None
    return nodes if type(nodes) is int and 0 < nodes <= _POOL_NODES else 0


def _racks(hall: dict[str, Any]) -> int:
    """Racks a hall's rows give, counting only counts the row's own bound allows (a row of
    10**400 racks is that field's error, reported at its path, not a stack too big)."""
    return sum(
        row["racks"]
        for row in _items(hall, "rows")
        if isinstance(row, dict) and type(row.get("racks")) is int and 0 < row["racks"] <= _ROW_RACKS
    )
