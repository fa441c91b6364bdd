"""examples/own-program, a team's own Pulumi program using gpudc as a library, plans offline."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from gpudc.catalog.kueue import KUEUE_CHART
from gpudc.preview.plan import Plan
from gpudc.preview.recorder import Registration
from gpudc.preview.run import StackConfig, plan_program

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "own-program"
PROVIDER_TYPE = "pulumi:providers:kubernetes"


@cache
def _plan(context: str | None = None) -> Plan:
    values = {} if context is None else {"own-program:context": context}
    return plan_program(EXAMPLE, "own-program", "dev", StackConfig(values, ()))


def _one(plan: Plan, type_: str) -> Registration:
    found = [resource for resource in plan.resources if resource.type == type_]
    assert len(found) == 1, f"expected exactly one {type_}, got {[r.urn for r in found]}"
    return found[0]


def test_registers_exactly_one_site_with_one_pool() -> None:
    assert _plan().by_type() == {
        "gpudc:index:Cluster": 1,
        "gpudc:index:DatacenterSite": 1,
        "gpudc:index:GpuNodePool": 1,
        "gpudc:index:GpuOperator": 1,
        "gpudc:index:Scheduling": 1,
        # 8 existing nodes without an inventory: named from their placement, 4 a rack in 2 racks.
        "kubernetes:core/v1:NodePatch": 8,
        "kubernetes:core/v1:Namespace": 3,
        "kubernetes:helm.sh/v3:Release": 2,
        "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue": 1,
        "kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue": 1,
        "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor": 1,
        "kubernetes:kueue.x-k8s.io/v1beta2:Topology": 1,
        "kubernetes:kueue.x-k8s.io/v1beta2:WorkloadPriorityClass": 3,
        PROVIDER_TYPE: 1,
    }


def test_components_nest_under_the_sites_cluster() -> None:
    plan = _plan()
    site = _one(plan, "gpudc:index:DatacenterSite")
    cluster = _one(plan, "gpudc:index:Cluster")
    assert (site.name, cluster.name, cluster.parent) == ("research", "research-research", site.urn)
    assert _one(plan, "gpudc:index:GpuNodePool").parent == cluster.urn
    assert _one(plan, "gpudc:index:GpuOperator").parent == cluster.urn


def test_resource_flavor_selects_the_pools_nodes() -> None:
    flavor = _one(_plan(), "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor")
    assert flavor.inputs["metadata"]["name"] == "research-h200"
    assert flavor.inputs["spec"]["nodeLabels"] == {"gpudc.io/pool": "h200", "gpudc.io/site": "research"}
    assert flavor.inputs["spec"]["nodeTaints"] == [
        {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
    ]


def test_gpu_operator_release_is_pinned_with_the_driver_container() -> None:
    (release,) = [
        r
        for r in _plan().resources
        if r.type == "kubernetes:helm.sh/v3:Release" and r.inputs["chart"] != KUEUE_CHART
    ]
    assert release.inputs["chart"] == "gpu-operator"
    assert release.inputs["version"] == "v26.7.0"
    assert release.inputs["repositoryOpts"] == {"repo": "https://helm.ngc.nvidia.com/nvidia"}
    assert release.inputs["values"]["driver"]["enabled"] is True


def test_every_kubernetes_resource_uses_the_programs_provider() -> None:
    plan = _plan()
    provider = _one(plan, PROVIDER_TYPE)
    assert provider.name == "gpu-cluster"
    kubernetes = [resource for resource in plan.resources if resource.type.startswith("kubernetes:")]
    assert len(kubernetes) == 20
    assert {resource.urn: resource.provider for resource in kubernetes} == {
        resource.urn: provider.urn for resource in kubernetes
    }


@pytest.mark.parametrize(("context", "expected"), [(None, "kind-gpu"), ("lab-a100", "lab-a100")])
def test_provider_context_comes_from_config(context: str | None, expected: str) -> None:
    assert _one(_plan(context), PROVIDER_TYPE).inputs["context"] == expected


def test_the_derived_block_is_exported() -> None:
    derived = _plan().derived
    assert derived is not None
    site = derived.sites[0]
    # 8 x 10.2 kW of servers + one 5 kW network rack.
    assert (site.nodes, site.gpus, site.it_power_kw) == (8, 64, 86.6)
    assert [(pool.name, pool.racks) for pool in site.pools] == [("h200", 2)]
    assert [hall.cooling for hall in site.halls] == ["rear-door"]
