"""The catalog as rows: what `gpudc catalog` prints and the README's table of models is made of."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gpudc.catalog.gpus import GPU_MODELS
from gpudc.catalog.models import GpuModel, NodeModel
from gpudc.catalog.nodes import NODE_MODELS

__all__ = ["COLUMNS", "catalog_rows", "markdown_table"]

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


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The rows as a GitHub markdown table (the README's copy is checked against this)."""
    header = "| " + " | ".join(COLUMNS) + " |"
    rule = "|" + "|".join("---" for _ in COLUMNS) + "|"
    body = [
        "| "
        + " | ".join(", ".join(v) if isinstance(v, list) else str(v) for v in (row[c] for c in COLUMNS))
        + " |"
        for row in rows
    ]
    return "\n".join([header, rule, *body]) + "\n"
