"""Cross-stack checks (`gpudc.environment.fleet`) and the bounds of one stack."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from gpudc.core.errors import SpecError
from gpudc.core.project import Project
from gpudc.environment import fleet
from gpudc.environment.load import CONFIG_KEY, parse_environment
from gpudc.environment.plan import plan_environment
from gpudc.environment.spec import MAX_NODES, MAX_POOLS, MAX_RACKS, MAX_SITES, EnvironmentSpec

STACKS = Path(__file__).resolve().parents[2] / "stacks"


def _lab(project: Project) -> dict[str, Any]:
    return copy.deepcopy(project.stack_config("lab")[CONFIG_KEY])


def _plan(environment: dict[str, Any]) -> EnvironmentSpec:
    spec = parse_environment(environment)
    plan_environment(spec, inventory_dir=STACKS)  # the fleet's stacks are validated ones
    return spec


def _renamed(environment: dict[str, Any], site: str, context: str) -> dict[str, Any]:
    environment["sites"][0]["name"] = site
    environment["sites"][0]["kubernetes"]["context"] = context
    return environment


def test_a_fleet_of_distinct_stacks_has_no_findings(project: Project) -> None:
    stacks = {
        "stacks/Pulumi.a.yaml": _plan(_renamed(_lab(project), "lab-a", "ctx-a")),
        "stacks/Pulumi.b.yaml": _plan(_renamed(_lab(project), "lab-b", "ctx-b")),
    }
    assert fleet.check_fleet(stacks) == []


def test_the_same_site_and_context_in_two_stacks_is_named_in_both(project: Project) -> None:
    stacks = {
        "stacks/Pulumi.b.yaml": _plan(_lab(project)),
        "stacks/Pulumi.a.yaml": _plan(_lab(project)),
    }
    assert [(f.code, str(f)) for f in fleet.check_fleet(stacks)] == [
        (
            "GPUDC-FLEET-001",
            "stacks/Pulumi.b.yaml:sites[0].name: site lab is also a site of stacks/Pulumi.a.yaml "
            "(sites[0].name), got 'lab'; rename the site in one of the two stack files, or keep it in "
            "stacks/Pulumi.a.yaml only",
        ),
        (
            "GPUDC-FLEET-002",
            "stacks/Pulumi.b.yaml:sites[0].name: cluster lab is also a cluster of stacks/Pulumi.a.yaml "
            "(sites[0].name), got 'lab'; rename the cluster (or, for a site in short form, the site) "
            "in one of the two stack files",
        ),
        (
            "GPUDC-FLEET-003",
            "stacks/Pulumi.b.yaml:sites[0].kubernetes.context: kube context gpudc-lab is also used by "
            "stacks/Pulumi.a.yaml (sites[0].kubernetes.context); two stacks deploying to one cluster "
            "delete each other's objects, got 'gpudc-lab'; give each stack its own cluster, or move "
            "the cluster's pools into one stack",
        ),
    ]


def test_clusters_listed_on_a_site_are_checked_at_their_own_path(project: Project) -> None:
    listed = _renamed(_lab(project), "lab-b", "ctx-b")
    site = listed["sites"][0]
    site["clusters"] = [
        {"name": "lab", "kubernetes": site.pop("kubernetes"), "gpu_operator": site.pop("gpu_operator")}
    ]
    findings = fleet.check_fleet(
        {"stacks/Pulumi.a.yaml": _plan(_lab(project)), "stacks/Pulumi.b.yaml": _plan(listed)}
    )
    assert [(f.code, f.path) for f in findings] == [
        ("GPUDC-FLEET-002", "stacks/Pulumi.b.yaml:sites[0].clusters[0].name")
    ]


def test_adding_a_fleet_check_is_one_line(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    def every_stack(stacks: fleet.Fleet) -> list[Any]:
        return [fleet.SITE_TWICE.finding(fleet.fleet_path(name, ""), "seen") for name in stacks]

    monkeypatch.setattr(fleet, "FLEET_CHECKS", [*fleet.FLEET_CHECKS])
    fleet.FLEET_CHECKS.append(every_stack)
    findings = fleet.check_fleet({"stacks/Pulumi.a.yaml": _plan(_lab(project))})
    assert [f.path for f in findings] == ["stacks/Pulumi.a.yaml:"]


def _bigger_than_a_stack(project: Project) -> dict[str, Any]:
    environment = _lab(project)
    site = environment["sites"][0]
    site["pools"] = [dict(site["pools"][0], name=f"p{index}") for index in range(MAX_POOLS // 16 + 1)]
    site["halls"][0]["rows"] = [{"name": f"r{index}", "racks": 200} for index in range(MAX_RACKS // 200 + 1)]
    environment["sites"] = [dict(copy.deepcopy(site), name=f"lab-{index}") for index in range(MAX_SITES + 1)]
    return environment


def test_a_file_bigger_than_one_stack_is_refused_with_the_fleet_as_the_answer(project: Project) -> None:
    with pytest.raises(SpecError) as raised:
        parse_environment(_bigger_than_a_stack(project))
    split = (
        "split the fleet into several stacks (one per campus) and check them together with "
        "`gpudc validate --all`"
    )
    assert [str(issue) for issue in raised.value.issues] == [
        f"sites: this stack has 17 sites in all; one stack holds at most 16: {split}",
        f"sites: this stack has 1,105 pools in all; one stack holds at most 1,024: {split}",
        f"sites: this stack has 428,400 racks in all; one stack holds at most 25,000: {split}",
    ]


def test_nodes_are_bounded_per_stack(project: Project) -> None:
    environment = _lab(project)
    site = environment["sites"][0]
    site["pools"] = [dict(site["pools"][0], name=f"p{index}", nodes=100_000) for index in range(2)]
    with pytest.raises(SpecError) as raised:
        parse_environment(environment)
    assert [str(issue) for issue in raised.value.issues] == [
        f"sites: this stack has 200,000 nodes in all; one stack holds at most {MAX_NODES:,}: split the fleet "
        "into several stacks (one per campus) and check them together with `gpudc validate --all`"
    ]
