"""The catalog as rows: what `gpudc catalog` prints and the README's table of models is made of."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gpudc.catalog.gpus import GPU_MODELS
from gpudc.catalog.models import GpuModel, NodeModel
from gpudc.catalog.nodes import NODE_MODELS

__all__ = [
    "COLUMNS",
    "GPU_COLUMNS",
    "UNVERIFIED_COLUMNS",
    "catalog_rows",
    "gpu_rows",
    "markdown_table",
    "unverified_rows",
]

COLUMNS = (
    "key",
    "product",
    "gpu",
    "gpus_per_system",
    "nodes_per_system",
    "max_power_kw",
    "rack_units",
    "cooling",
    "min_driver_branch",
    "mig_profiles",
)


def catalog_rows(
    node_models: Mapping[str, NodeModel] = NODE_MODELS, gpu_models: Mapping[str, GpuModel] = GPU_MODELS
) -> list[dict[str, Any]]:
    """One row per node model, with its GPU's driver floor and MIG profiles, sorted by key."""
    rows = []
    for key, node in sorted(node_models.items()):
        gpu = gpu_models.get(node.gpu_model)
        rows.append(
            {
                "key": key,
                "product": node.product_name,
                "gpu": node.gpu_model,
                "gpus_per_system": node.gpus_per_system,
                "nodes_per_system": node.nodes_per_system,
                "max_power_kw": node.max_power_kw,
                "rack_units": node.rack_units,
                "cooling": node.cooling.value,
                "min_driver_branch": gpu.min_driver_branch if gpu else None,
                "mig_profiles": list(gpu.mig_profiles) if gpu else [],
            }
        )
    return rows


GPU_COLUMNS = (
    "key",
    "product",
    "architecture",
    "memory_gib",
    "max_power_w",
    "min_driver_branch",
    "min_driver_version",
    "mig_profiles",
)


def gpu_rows(gpu_models: Mapping[str, GpuModel] = GPU_MODELS) -> list[dict[str, Any]]:
    """One row per GPU model, sorted by key: what a driver and a MIG layout are checked against."""
    return [
        {
            "key": key,
            "product": gpu.product_name,
            "architecture": gpu.architecture.value,
            "memory_gib": gpu.memory_gib,
            "max_power_w": gpu.max_power_w,
            "min_driver_branch": gpu.min_driver_branch,
            "min_driver_version": gpu.min_driver_version or "",
            "mig_profiles": list(gpu.mig_profiles),
        }
        for key, gpu in sorted(gpu_models.items())
    ]


UNVERIFIED_COLUMNS = ("catalog", "key", "field", "note")


def unverified_rows(
    node_models: Mapping[str, NodeModel] = NODE_MODELS, gpu_models: Mapping[str, GpuModel] = GPU_MODELS
) -> list[dict[str, str]]:
    """Every catalog figure no public document confirmed, in one list: GPU records, then systems."""
    notes = [("gpu", key, gpu.unverified) for key, gpu in sorted(gpu_models.items())]
    notes += [("node", key, node.unverified) for key, node in sorted(node_models.items())]
    rows = []
    for catalog, key, unverified in notes:
        for note in unverified:
            field, why = note.split(": ", 1)
            rows.append({"catalog": catalog, "key": key, "field": field, "note": why})
    return rows


def markdown_table(rows: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> str:
    """The rows as a GitHub markdown table (the README's copy is checked against this)."""
    header = "| " + " | ".join(columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = [
        "| "
        + " | ".join(", ".join(v) if isinstance(v, list) else str(v) for v in (row[c] for c in columns))
        + " |"
        for row in rows
    ]
    return "\n".join([header, rule, *body]) + "\n"
