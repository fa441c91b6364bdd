"""`gpudc plan`: writes plan.json, manifests/, helm/ and report.md and prints the totals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpudc.core.project import Project


def test_plan_writes_outputs_and_prints_totals(project: Project, tmp_path: Path, gpudc_cli: Any) -> None:
    out = tmp_path / "plano"
    result = gpudc_cli("plan", "plano", "-C", str(project.root), "--out", str(out))
    assert result.returncode == 0, result.stderr
    # IT: nodes 256 x 10.2 + 192 x 10.2 + 80 x 5 + 8 x 120 = 5,929.6 kW, plus reserved racks
    # h1 6 x 15 + 4 x 12 = 138, h2 5 x 15 + 3 x 12 = 111, h3 2 x 15 = 30, h4 2 x 15 = 30: 309 kW;
    # 6,238.6 kW in all, peak facility power x design PUE 1.35 = 8,422.1 kW.
    assert (
        "nodes 672 · GPUs 4,800 · IT power 6,238.6 kW · peak facility power of our halls 8,422.1 kW"
        in result.stdout
    )
    # Energy: nodes at utilisation 5,929.6 x 0.7 x 8,760 h = 36,360.3 MWh, reserved racks all year
    # 309 x 8,760 h = 2,706.8 MWh: 39,067.1 MWh IT; x annual PUE 1.3 = 50,787.3 MWh; x 334.1 g/kWh
    # = 16,968.0 t CO2; IT MWh x 1.5 L/kWh = 58,600.7 m3.
    assert "per year: facility energy 50,787.3 MWh · CO2 16,968.0 t · water 58,600.7 m3" in result.stdout
    assert (
        "cooling: air 1 hall(s), 430.0 kW · direct-liquid 1 hall(s), 990.0 kW · rear-door 2 hall(s), 4,818.6 kW"
        in result.stdout
    )
    assert (out / "plan.json").is_file()
    # The workload cluster: 3 namespaces, 4 flavors, Kueue's Topology, ClusterQueue, LocalQueue and
    # 3 WorkloadPriorityClasses; 3 tenants' 28 objects (tests/tenancy). The management cluster: a
    # BareMetalHost and a BMC Secret per inventory row (672 nodes + 10 spares), and per pool 5
    # Cluster API / Metal3 objects.
    assert len(list((out / "manifests" / "plano-kubernetes").glob("*.yaml"))) == 3 + 4 + 3 + 3 + 28
    assert len(list((out / "manifests" / "plano-management").glob("*.yaml"))) == 2 * 682 + 4 * 5 + 1
    assert (out / "helm" / "plano-kubernetes" / "gpu-operator-gpu-operator.values.yaml").is_file()
    report = (out / "report.md").read_text()
    for hall_row in ("| h1 | rear-door |", "| h2 | rear-door |", "| h3 | air |", "| h4 | direct-liquid |"):
        assert hall_row in report
    # h1: 2,611.2 kW of nodes + 138 kW of reserved racks = 2,749.2 kW of 2,880 kW (3,200 less 10%);
    # energy 2,611.2 x 0.7 x 8,760 h + 138 x 8,760 h = 17,220.8 MWh; x PUE 1.3 = 22,387.0 MWh;
    # x 334.1 g/kWh = 7,479.5 t CO2; IT MWh x 1.5 L/kWh = 25,831.1 m3 of water.
    assert (
        "| h1 | rear-door | 2,749.2 (138.0) | 2,880.0 | 130.8 | 40.8 | 64 / 6 / 10 / 80 | 17,220.8 | 22,387.0 "
        "| 7,479.5 | 25,831.1 |"
    ) in report
    # The pool's own row keeps the GPU figures: 2,611.2 x 0.7 x 8,760 h = 16,011.9 MWh.
    assert (
        "| h100-a | plano | h1 | hgx-h100-8gpu | h100-sxm | 256 | 2,048 | 64 | 2,611.2 | 16,011.9 |" in report
    )
    assert "- gb200-a: 144 nodes = 8 x NVIDIA DGX GB200 NVL72 (18 nodes each)." in report
    # The waiver in plano's stack file shows with its reason.
    assert "| GPUDC-POWER-005 | `sites[0].halls[2].power_kw` |" in report


def test_plan_of_a_bad_stack_exits_2_and_writes_nothing(
    project: Project, scratch: Path, gpudc_cli: Any
) -> None:
    bad = project.stack_file("lab").read_text().replace("nodes: 4", "nodes: -4")
    (scratch / "stacks" / "Pulumi.lab.yaml").write_text(bad)
    result = gpudc_cli("plan", "lab", "-C", str(scratch))
    assert result.returncode == 2
    assert "error GPUDC-SPEC-001 sites[0].pools[0].nodes: must be > 0, got -4" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (scratch / "out").exists()
