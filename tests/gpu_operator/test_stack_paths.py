"""The matrix through a whole stack file: findings name the stack-file path of the pool or cluster."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gpudc import SpecError, parse_environment, plan_environment
from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY


def _sharing(project: Project) -> dict[str, Any]:
    environment: dict[str, Any] = copy.deepcopy(project.stack_config("gpu-sharing")[CONFIG_KEY])
    return environment


def _codes_and_paths(environment: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(SpecError) as caught:
        plan_environment(parse_environment(environment))
    return [(issue.code, issue.path) for issue in caught.value.issues]


def test_a_b300_pool_on_580_65_06_fails_at_its_own_driver(project: Project) -> None:
    environment = _sharing(project)
    environment["sites"][0]["pools"][2]["gpu"]["driver"]["version"] = "580.65.06"
    assert _codes_and_paths(environment) == [("GPUDC-DRIVER-005", "sites[0].pools[2].gpu.driver.version")]


def test_a_mig_profile_of_another_gpu_fails_at_the_pool(project: Project) -> None:
    environment = _sharing(project)
    environment["sites"][0]["pools"][0]["gpu"]["mig"]["devices"] = {"1g.18gb": 7}
    assert _codes_and_paths(environment) == [("GPUDC-MIG-002", "sites[0].pools[0].gpu.mig.devices")]


def test_kubernetes_outside_the_range_fails_at_the_sites_short_form(project: Project) -> None:
    environment = _sharing(project)
    environment["sites"][0]["kubernetes_version"] = "1.37"
    assert _codes_and_paths(environment) == [("GPUDC-OPERATOR-001", "sites[0].kubernetes_version")]


def test_the_version_goes_inside_each_cluster_when_clusters_are_listed(project: Project) -> None:
    environment = _sharing(project)
    site = environment["sites"][0]
    site["clusters"] = [
        {"name": "share", "kubernetes": site.pop("kubernetes"), "gpu_operator": site.pop("gpu_operator")}
    ]
    with pytest.raises(SpecError) as caught:
        parse_environment(environment)
    assert [(issue.path, issue.message) for issue in caught.value.issues] == [
        ("sites[0].kubernetes_version", "goes inside each of `clusters` when the site lists clusters")
    ]
    site["clusters"][0]["kubernetes_version"] = site.pop("kubernetes_version")
    plan = plan_environment(parse_environment(environment))
    assert plan.clusters[0].operator.kubernetes_version == "1.34"


def test_pool_plans_carry_the_labels_and_taints_provisioners_put_on_nodes(project: Project) -> None:
    site = next(iter(plan_environment(parse_environment(_sharing(project))).sites.values()))
    got = {
        pool.name: (dict(pool.gpu_labels), [taint.as_flag() for taint in pool.registration_taints])
        for pool in site.pools
    }
    assert got == {
        "h100-mig": ({"nvidia.com/mig.config": "gpudc-h100-mig"}, ["nvidia.com/gpu=present:NoSchedule"]),
        "l40s-shared": (
            {"nvidia.com/device-plugin.config": "gpudc-l40s-shared"},
            ["nvidia.com/gpu=present:NoSchedule"],
        ),
        "b300": ({}, ["nvidia.com/gpu=present:NoSchedule", "gpudc.io/burn-in=pending:NoSchedule"]),
        "gb300": ({}, ["nvidia.com/gpu=present:NoSchedule"]),
    }
