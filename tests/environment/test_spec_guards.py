"""Mistakes the API server, kubelet or the Pulumi engine would only reject halfway through an
`up` are refused by the spec, before anything registers."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pulumi
import pytest

from gpudc import SpecError, parse_environment, plan_environment
from gpudc.core.project import Project
from gpudc.preview.run import plan_callable
from tests.labstack import lab_without_inventory

# Where the stacks' inventories are (a pool's `inventory` path starts there).
STACKS = Path(__file__).resolve().parents[2] / "stacks"


def _lab(project: Project) -> dict[str, Any]:
    return lab_without_inventory(project)


def _issues(environment: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_environment(environment)
    return [str(issue) for issue in caught.value.issues]


@pytest.mark.parametrize("namespace", ["gpudc-system", "default", "kube-system"])
def test_operator_namespace_is_its_own(project: Project, namespace: str) -> None:
    environment = _lab(project)
    environment["sites"][0]["gpu_operator"]["namespace"] = namespace
    assert _issues(environment) == [
        f"sites[0].gpu_operator.namespace: {namespace!r} is owned by Kubernetes or gpudc and would be deleted "
        f"with the operator; use a namespace of its own, such as gpu-operator, got {namespace!r}"
    ]


def _clusters(site: dict[str, Any], *names: str) -> None:
    """Turn a short-form site into one listing `names` as its clusters."""
    access, operator = site.pop("kubernetes"), site.pop("gpu_operator")
    site["clusters"] = [
        {"name": name, "kubernetes": {**access, "context": f"ctx-{name}"}, "gpu_operator": operator}
        for name in names
    ]


def test_site_cluster_and_pool_names_cannot_combine_into_one_urn(project: Project) -> None:
    environment = _lab(project)
    other = copy.deepcopy(environment["sites"][0])
    _clusters(environment["sites"][0], "b")
    environment["sites"][0]["pools"][0]["name"] = "c-d"  # lab + b + c-d
    other.update(name="lab-b")
    _clusters(other, "c")
    other["pools"][0]["name"] = "d"  # lab-b + c + d
    environment["sites"].append(other)
    with pytest.raises(SpecError) as caught:
        plan_environment(parse_environment(environment), inventory_dir=STACKS)
    assert [str(issue) for issue in caught.value.issues] == [
        "sites[1].pools[0].name: combines with its site's and cluster's names into 'lab-b-c-d', the name of "
        "another pool (also at sites[0].pools[0].name); rename a site, a cluster or a pool so the combined "
        "names differ"
    ]


def test_pools_of_different_clusters_never_clash_by_name(project: Project) -> None:
    # Found in review: names were formed for every pool with every cluster of its site. Site `a`,
    # clusters `x` and `x-p`, pools `p-q` and `q` both in `x-p`: a-x-p-p-q and a-x-p-q differ.
    environment = _lab(project)
    site = environment["sites"][0]
    site["name"] = "a"
    site["gpu_operator"]["mig_strategy"] = "none"  # cluster x has no pools, so no MIG GPUs
    _clusters(site, "x", "x-p")
    pool = site["pools"][0]
    site["pools"] = [
        {**pool, "name": "p-q", "nodes": 2, "cluster": "x-p"},
        {**pool, "name": "q", "nodes": 2, "cluster": "x-p"},
    ]
    site["halls"][0]["rows"] = [{"name": "a", "racks": 2}]
    site["halls"][0]["power_kw"] = 100
    site["utility_power_mw"] = 0.2
    plan = plan_environment(parse_environment(environment), inventory_dir=STACKS)
    assert [pool.name for pool in plan.sites["a"].pools] == ["p-q", "q"]


def test_labels_kubelet_refuses(project: Project) -> None:
    environment = _lab(project)
    environment["sites"][0]["pools"][0]["labels"] = {
        "node-role.kubernetes.io/gpu": "",
        "node.kubernetes.io/instance-type": "dgx-h100",  # allowed to kubelet
        "example.com/team": "ml",
    }
    assert _issues(environment) == [
        "sites[0].pools[0].labels: labels ['node-role.kubernetes.io/gpu'] are in the kubernetes.io / k8s.io "
        "namespaces, which kubelet refuses in --node-labels (except node.kubernetes.io/ and "
        "kubelet.kubernetes.io/); use a prefix of your own"
    ]


def test_taints_are_unique_by_key_and_effect(project: Project) -> None:
    environment = _lab(project)
    environment["sites"][0]["pools"][0]["taints"] = [
        {"key": "a", "effect": "NoSchedule"},
        {"key": "a", "value": "x", "effect": "NoSchedule"},
        {"key": "a", "effect": "NoExecute"},
    ]
    assert _issues(environment) == [
        "sites[0].pools[0].taints: taints must be unique by key and effect; [('a', 'NoSchedule')] repeat, "
        "got a list of 3"
    ]


def test_the_preview_refuses_duplicate_urns_as_the_engine_does() -> None:
    def program() -> None:
        pulumi.ComponentResource("x:y:Z", "same")
        pulumi.ComponentResource("x:y:Z", "same")

    with pytest.raises(ValueError, match="Duplicate resource URN 'urn:pulumi:stack::project::x:y:Z::same'"):
        plan_callable(program)
