"""Two sites are two clusters: the same object names on each are written side by side."""

from __future__ import annotations

import copy
from pathlib import Path

from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY
from gpudc.preview.output import write_plan
from gpudc.preview.run import plan_program, stack_config


def test_two_sites_plan_and_write_without_clashes(project: Project, tmp_path: Path) -> None:
    environment = copy.deepcopy(project.stack_config("lab")[CONFIG_KEY])
    second = copy.deepcopy(environment["sites"][0])
    second.update(name="lab2", kubernetes={"type": "context", "context": "gpudc-lab2"})
    environment["sites"].append(second)
    plan = plan_program(project.main, "gpudc", "lab", stack_config({CONFIG_KEY: environment}))
    written = {path.relative_to(tmp_path).as_posix() for path in write_plan(plan, tmp_path)}
    for cluster in ("lab-kubernetes", "lab2-kubernetes"):
        assert f"manifests/{cluster}/namespace-cluster-gpu-operator.yaml" in written
        assert f"helm/{cluster}/gpu-operator-gpu-operator.values.yaml" in written
    providers = sorted(r.urn for r in plan.resources if r.type == "pulumi:providers:kubernetes")
    assert providers == [
        "urn:pulumi:lab::gpudc::pulumi:providers:kubernetes::lab-kubernetes",
        "urn:pulumi:lab::gpudc::pulumi:providers:kubernetes::lab2-kubernetes",
    ]
