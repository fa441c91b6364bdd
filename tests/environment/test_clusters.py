"""Site is physical, cluster is logical: several clusters per site, each with its own providers
and singletons; managed pools without halls; two clusters on one kube context are refused."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gpudc import SpecError, parse_environment, plan_environment
from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY
from gpudc.preview.plan import Plan
from gpudc.preview.run import plan_program, stack_config
from tests.labstack import lab_without_inventory


def _lab(project: Project) -> dict[str, Any]:
    """The lab environment without its inventory (these tests split and copy its pool)."""
    return lab_without_inventory(project)


def _two_clusters(project: Project) -> dict[str, Any]:
    """The lab site split into clusters `prod` and `staging`, each with a pool of 2 servers."""
    environment = _lab(project)
    site = environment["sites"][0]
    access, operator = site.pop("kubernetes"), site.pop("gpu_operator")
    site["clusters"] = [
        {"name": "prod", "kubernetes": {**access, "context": "lab-prod"}, "gpu_operator": operator},
        {
            "name": "staging",
            "kubernetes": {**access, "context": "lab-staging"},
            "management": {"type": "context", "context": "capi-mgmt"},
            "gpu_operator": operator,
        },
    ]
    pool = site["pools"][0]
    site["pools"] = [
        {**pool, "name": "h100-prod", "nodes": 2, "cluster": "prod"},
        {**pool, "name": "h100-staging", "nodes": 2, "cluster": "staging"},
    ]
    site["halls"][0]["rows"] = [{"name": "a", "racks": 2}]
    site["halls"][0]["power_kw"] = 100
    site["utility_power_mw"] = 0.2
    return environment


def _plan(project: Project, environment: dict[str, Any]) -> Plan:
    return plan_program(project.main, "gpudc", "lab", stack_config({CONFIG_KEY: environment}))


def test_two_clusters_in_one_site_each_get_their_own_singletons(project: Project) -> None:
    plan = _plan(project, _two_clusters(project))
    by_type = plan.by_type()
    assert by_type["gpudc:index:Cluster"] == 2
    assert by_type["gpudc:index:GpuOperator"] == 2
    assert by_type["gpudc:index:Scheduling"] == 2
    assert by_type["kubernetes:helm.sh/v3:Release"] == 4  # a GPU Operator and a Kueue each
    providers = {r.name: r for r in plan.resources if r.type == "pulumi:providers:kubernetes"}
    assert {name: p.inputs["context"] for name, p in providers.items()} == {
        "prod-kubernetes": "lab-prod",
        "staging-kubernetes": "lab-staging",
        "staging-management": "capi-mgmt",
    }
    clusters = {r.name: r.urn for r in plan.resources if r.type == "gpudc:index:Cluster"}
    for resource in plan.resources:
        if resource.type == "gpudc:index:GpuNodePool":
            cluster = resource.name.removeprefix("gpudc-lab-").split("-h100")[0]
            assert resource.parent == clusters[f"gpudc-lab-{cluster}"]
        if resource.custom and resource.type.startswith("kubernetes:"):
            owner = "prod" if "-prod-" in resource.name else "staging"
            assert resource.provider.endswith(f"::{owner}-kubernetes"), resource.urn
    # Nothing of the management cluster is used yet; nothing may go through it by accident.
    assert not any(r.provider.endswith("::staging-management") for r in plan.resources)
    # Moving a site's children under a Cluster keeps their identity only for a sole cluster.
    assert not any(r.options.get("aliases") for r in plan.resources)


def test_a_pool_must_name_its_cluster_when_a_site_has_several(project: Project) -> None:
    environment = _two_clusters(project)
    del environment["sites"][0]["pools"][1]["cluster"]
    environment["sites"][0]["pools"][0]["cluster"] = "dev"
    with pytest.raises(SpecError) as caught:
        plan_environment(parse_environment(environment))
    assert [str(issue) for issue in caught.value.issues] == [
        "sites[0].pools[0].cluster: is not a cluster of site lab, got 'dev'; set it to one of ['prod', 'staging']",
        "sites[0].pools[1].cluster: site lab has 2 clusters, so the pool must say which it joins; set it to "
        "one of ['prod', 'staging']",
    ]


def test_two_clusters_on_one_context_are_refused_with_both_paths(project: Project) -> None:
    environment = _two_clusters(project)
    environment["sites"][0]["clusters"][1]["kubernetes"]["context"] = "lab-prod"
    with pytest.raises(SpecError) as caught:
        plan_environment(parse_environment(environment))
    assert [(issue.code, str(issue)) for issue in caught.value.issues] == [
        (
            "GPUDC-CLUSTER-003",
            "sites[0].clusters[1].kubernetes: two clusters resolve to the same kube context 'lab-prod', so both "
            "would install their per-cluster software (GPU Operator namespace and release) into one cluster "
            "(also at sites[0].clusters[0].kubernetes); give each cluster its own context or kubeconfig secret, "
            "or make them one cluster",
        )
    ]


def test_two_sites_on_one_context_are_refused(project: Project) -> None:
    # Defect: two sites on one kube context planned two gpu-operator releases into one cluster.
    environment = _lab(project)
    other = copy.deepcopy(environment["sites"][0])
    other["name"] = "lab2"
    environment["sites"].append(other)
    with pytest.raises(SpecError) as caught:
        plan_environment(parse_environment(environment))
    assert [issue.path for issue in caught.value.issues] == ["sites[1].kubernetes"]
    assert "(also at sites[0].kubernetes)" in str(caught.value)


def test_same_kubeconfig_secret_is_the_same_cluster(project: Project) -> None:
    environment = _two_clusters(project)
    for cluster in environment["sites"][0]["clusters"]:
        cluster["kubernetes"] = {"type": "kubeconfig-secret", "config_key": "kubeconfig"}
    with pytest.raises(SpecError) as caught:
        plan_environment(parse_environment(environment))
    assert "the same kubeconfig secret gpudc:kubeconfig" in str(caught.value)


def test_cluster_names_are_unique_across_the_environment(project: Project) -> None:
    environment = _two_clusters(project)
    other = copy.deepcopy(environment["sites"][0])
    other["name"] = "lab2"
    for cluster in other["clusters"]:
        cluster["kubernetes"]["context"] += "-2"
    environment["sites"].append(other)
    with pytest.raises(SpecError) as caught:
        plan_environment(parse_environment(environment))
    assert [issue.path for issue in caught.value.issues] == [
        "sites[1].clusters[0].name",
        "sites[1].clusters[1].name",
    ]


MANAGED_SITE = {
    "name": "cw",
    "location": {"city": "Plano", "country": "US", "subdivision": "TX"},
    "region": "us-central",
    "zone": "cw-a",
    "pue": 1.25,
    "wue_l_per_kwh": 1.0,
    "grid_carbon_g_per_kwh": 334.1,
    "utilisation": 0.8,
    "kubernetes": {"type": "context", "context": "cks-prod"},
    "gpu_operator": {"chart_version": "v26.7.0", "driver": {"mode": "operator"}},
    "pools": [
        {
            "name": "h200",
            "placement": "managed",
            "node_model": "hgx-h200-8gpu",
            "nodes": 16,
            "provisioner": {"type": "existing"},
        }
    ],
}


def test_a_site_of_managed_pools_needs_no_halls_and_plans_offline(project: Project) -> None:
    plan = _plan(project, {"sites": [MANAGED_SITE]})
    assert plan.by_type()["gpudc:index:GpuNodePool"] == 1
    assert plan.derived is not None
    site = plan.derived.sites[0]
    # 16 x 10.2 kW = 163.2 kW estimated from the catalog; x 0.8 x 8,760 h = 1,143.7 MWh;
    # x PUE 1.25 = 1,429.6 MWh; x 334.1 g/kWh = 477.6 t; water 1,143.7 MWh x 1.0 L/kWh = 1,143.7 m3.
    assert (site.halls, site.utility_kw, site.racked_it_power_kw) == ([], None, 0.0)
    assert (site.it_power_kw, site.it_energy_mwh_per_year) == (163.2, 1143.7)
    assert (site.facility_energy_mwh_per_year, site.co2_tonnes_per_year, site.water_m3_per_year) == (
        1429.6,
        477.6,
        1143.7,
    )
    assert site.pools[0].placement == "managed" and site.pools[0].hall is None
    flavor = next(r for r in plan.resources if r.type.endswith(":ResourceFlavor"))
    assert flavor.inputs["metadata"]["name"] == "cw-h200"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hall": "h1"}, "a managed pool has no hall of ours; remove `hall: h1` or set `placement: racked`"),
        ({"placement": "racked"}, "sites[0].pools[0].hall: is required for a racked pool"),
    ],
)
def test_hall_and_placement_agree(change: dict[str, str], message: str) -> None:
    site = copy.deepcopy(MANAGED_SITE)
    site["pools"][0].update(change)
    with pytest.raises(SpecError) as caught:
        parse_environment({"sites": [site]})
    assert message in str(caught.value)


def test_plano_keeps_every_urn_through_aliases(
    planned: Callable[[str], Plan], snapshot_urns: list[str]
) -> None:
    """Every URN of the plano plan before clusters existed is a URN or an alias of this plan."""
    plan = planned("plano")
    answered = {resource.urn for resource in plan.resources}
    for resource in plan.resources:
        answered.update(resource.options.get("aliases", ()))
    assert len(snapshot_urns) == 19
    # gpudc 0.2 retired the pools' kubelet registration ConfigMaps on purpose (a node that has not
    # joined cannot read them; the flags are published in the plan instead): deleted, not moved.
    retired = [urn for urn in snapshot_urns if ":ConfigMap::" in urn and urn.endswith("-registration")]
    assert len(retired) == 4
    assert [urn for urn in snapshot_urns if urn not in answered and urn not in retired] == []


@pytest.fixture
def snapshot_urns() -> list[str]:
    """The plano URNs of gpudc 0.1.0, before the Cluster component (its pinned URN snapshot)."""
    return (Path(__file__).parent / "plano-urns-0.1.0.txt").read_text().split()
