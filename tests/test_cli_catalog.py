"""`gpudc catalog`: the node models with the figures a planner checks first."""

from __future__ import annotations

import json
from typing import Any

from gpudc.catalog import GPU_MODELS, NODE_MODELS


def test_catalog_json_lists_every_node_model_with_its_gpu_facts(gpudc_cli: Any) -> None:
    result = gpudc_cli("catalog", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    rows = {row["key"]: row for row in document["node_models"]}
    gpus = {row["key"]: row for row in document["gpu_models"]}
    # GPUs without a node model of their own (the H100 NVL) are listed too.
    assert {"h100-nvl", "h100-sxm", "gb200"} <= set(gpus)
    assert gpus["h100-sxm"]["architecture"] == "hopper" and "1g.10gb" in gpus["h100-sxm"]["mig_profiles"]
    assert set(rows) == {
        "gb200-nvl72",
        "gb300-nvl72",
        "hgx-a100-8gpu",
        "hgx-b200-8gpu",
        "hgx-b300-8gpu",
        "hgx-h100-8gpu",
        "hgx-h200-8gpu",
        "l40s-pcie-8gpu",
    }
    assert rows["gb200-nvl72"] | {"mig_profiles": None} == {
        "key": "gb200-nvl72",
        "product": "NVIDIA DGX GB200 NVL72",
        "gpu": "gb200",
        "gpus_per_system": 72,
        "nodes_per_system": 18,
        "max_power_kw": 120.0,
        "rack_units": 48,
        "cooling": "direct-liquid",
        "min_driver_branch": 570,
        "mig_profiles": None,
    }
    assert "1g.10gb" in rows["hgx-h100-8gpu"]["mig_profiles"]
    assert rows["l40s-pcie-8gpu"]["mig_profiles"] == []


def test_catalog_unverified_lists_every_open_figure_in_one_place(gpudc_cli: Any) -> None:
    result = gpudc_cli("catalog", "--unverified", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {"catalog": "gpu", "key": "b300", "field": "min_driver_version"} in [
        {k: row[k] for k in ("catalog", "key", "field")} for row in rows
    ]
    assert len(rows) == sum(len(m.unverified) for m in (*GPU_MODELS.values(), *NODE_MODELS.values()))
    text = gpudc_cli("catalog", "--unverified")
    assert "node/gb200-nvl72.max_power_kw: 120 kW is NVIDIA's GTC 2024 figure" in text.stdout


def test_catalog_text_is_a_table(gpudc_cli: Any) -> None:
    result = gpudc_cli("catalog")
    assert result.returncode == 0
    assert "gb200-nvl72" in result.stdout and "direct-liquid" in result.stdout
    assert "GPU models" in result.stdout and "h100-nvl" in result.stdout


def test_checks_lists_every_registered_check(gpudc_cli: Any) -> None:
    result = gpudc_cli("checks", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {row["code"]: row for row in json.loads(result.stdout)}
    # Every domain's checks are registered when `checks` runs, not only those already imported.
    assert {
        "GPUDC-SPEC-001",
        "GPUDC-POWER-005",
        "GPUDC-CLUSTER-003",
        "GPUDC-DRIVER-004",
        "GPUDC-PLAN-001",
    } <= set(rows)
    assert rows["GPUDC-POWER-005"] == {
        "code": "GPUDC-POWER-005",
        "severity": "warning",
        "title": "Stranded racks: free racks, no power left",
    }


def test_help_and_validate_start_without_pulumi() -> None:
    """`gpudc --help` and `gpudc validate` never import Pulumi (start-up is most of their time)."""
    import subprocess
    import sys

    code = (
        "import sys; from typer.testing import CliRunner; from gpudc.cli import app; "
        "CliRunner().invoke(app, ['--help']); import gpudc; gpudc.parse_environment; "
        "print('pulumi' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_every_public_name_resolves() -> None:
    import gpudc

    assert [name for name in gpudc.__all__ if getattr(gpudc, name, None) is None] == []
