"""`gpudc plan`: writes plan.json, manifests/, helm/ and report.md and prints the totals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpudc.core.project import Project


def test_plan_writes_outputs_and_prints_totals(project: Project, tmp_path: Path, gpudc_cli: Any) -> None:
    out = tmp_path / "plano"
    result = gpudc_cli("plan", "plano", "-C", str(project.root), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "nodes 672 · GPUs 4,800 · IT power 5,929.6 kW · facility power 7,708.5 kW" in result.stdout
    assert "per year: facility energy 47,268.4 MWh · CO2 15,792.4 t · water 54,540.5 m3" in result.stdout
    assert (
        "cooling: air 1 hall(s), 400.0 kW · direct-liquid 1 hall(s), 960.0 kW · rear-door 2 hall(s)"
        in result.stdout
    )
    assert (out / "plan.json").is_file()
    assert (
        len(list((out / "manifests" / "plano-kubernetes").glob("*.yaml"))) == 10
    )  # 2 namespaces, 4 ConfigMaps, 4 flavors
    assert (out / "helm" / "plano-kubernetes" / "gpu-operator-gpu-operator.values.yaml").is_file()
    report = (out / "report.md").read_text()
    for hall_row in ("| h1 | rear-door |", "| h2 | rear-door |", "| h3 | air |", "| h4 | direct-liquid |"):
        assert hall_row in report
    # h1: 2,611.2 kW x 0.7 x 8,760 h = 16,011.9 MWh; x PUE 1.3 = 20,815.4 MWh; x 334.1 g/kWh =
    # 6,954.4 t CO2; IT MWh x 1.5 L/kWh = 24,017.8 m3 of water.
    assert (
        "| h1 | rear-door | 2,611.2 | 2,880.0 | 268.8 | 40.8 | 64 / 6 / 10 / 80 | 16,011.9 | 20,815.4 "
        "| 6,954.4 | 24,017.8 |"
    ) in report


def test_plan_of_a_bad_stack_exits_2_and_writes_nothing(
    project: Project, tmp_path: Path, gpudc_cli: Any
) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((project.root / "Pulumi.yaml").read_text())
    (tmp_path / "infra").symlink_to(project.main)
    bad = project.stack_file("lab").read_text().replace("nodes: 4", "nodes: -4")
    (tmp_path / "stacks" / "Pulumi.lab.yaml").write_text(bad)
    result = gpudc_cli("plan", "lab", "-C", str(tmp_path))
    assert result.returncode == 2
    assert "sites[0].pools[0].nodes: must be > 0, got -4" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
