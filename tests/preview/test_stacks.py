"""Every stack plans offline; the lab plan is golden; plans are deterministic; URNs are pinned.

Stacks are discovered from stacks/, so adding a valid stack file adds its tests and never
breaks the suite.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from gpudc.core.project import Project, find_project
from gpudc.environment.load import check_stack, read_stack
from gpudc.preview.plan import Plan
from gpudc.preview.render import helm_values, manifests
from gpudc.preview.run import plan_project

STACKS = find_project(Path(__file__)).stacks()


def test_the_flagship_and_the_golden_stack_are_among_the_discovered() -> None:
    assert {"lab", "plano"} <= set(STACKS)


@pytest.mark.parametrize("stack", STACKS)
def test_stack_plans_offline(stack: str, project: Project, planned: Callable[[str], Plan]) -> None:
    checked = check_stack(read_stack(project, stack))  # what `gpudc validate` does
    plan = planned(stack)
    assert plan.stack == stack
    assert plan.by_type()["gpudc:index:Environment"] == 1
    assert plan.derived is not None
    assert [site.name for site in plan.derived.sites] == list(checked.sites)
    assert sum(site.gpus for site in plan.derived.sites) == sum(
        s.capacity.gpus for s in checked.sites.values()
    )
    assert manifests(plan)


def test_lab_plan_is_golden(planned: Callable[[str], Plan], snapshot: object) -> None:
    plan = planned("lab")
    # Targeted assertions first, so a snapshot update cannot hide a wrong plan.
    assert plan.by_type() == {
        "gpudc:index:Cluster": 1,
        "gpudc:index:DatacenterSite": 1,
        "gpudc:index:Environment": 1,
        "gpudc:index:GpuNodePool": 1,
        "gpudc:index:GpuOperator": 1,
        "gpudc:index:Scheduling": 1,
        "kubernetes:core/v1:Namespace": 3,
        "kubernetes:core/v1:NodePatch": 4,
        "kubernetes:helm.sh/v3:Release": 2,
        "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue": 1,
        "kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue": 1,
        "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor": 1,
        "kubernetes:kueue.x-k8s.io/v1beta2:Topology": 1,
        "kubernetes:kueue.x-k8s.io/v1beta2:WorkloadPriorityClass": 3,
        "pulumi:providers:kubernetes": 1,
    }
    assert plan.derived is not None
    site = plan.derived.sites[0]
    assert (site.nodes, site.gpus, site.it_power_kw) == (4, 32, 40.8)
    pool = next(r for r in plan.resources if r.type == "gpudc:index:GpuNodePool")
    assert pool.inputs["spec"]["node_model"] == "hgx-h100-8gpu" and pool.inputs["spec"]["nodes"] == 4
    assert json.loads(plan.to_json()) == snapshot.use_extension(JSONSnapshotExtension)  # type: ignore[attr-defined]


def test_lab_manifests_are_golden(planned: Callable[[str], Plan], snapshot: object) -> None:
    files = {manifest.filename: manifest.to_yaml() for manifest in manifests(planned("lab"))}
    assert sorted(files) == [
        "lab-kubernetes/clusterqueue-cluster-lab.yaml",
        "lab-kubernetes/localqueue-default-default.yaml",
        "lab-kubernetes/namespace-cluster-gpu-operator.yaml",
        "lab-kubernetes/namespace-cluster-gpudc-system.yaml",
        "lab-kubernetes/namespace-cluster-kueue-system.yaml",
        *(f"lab-kubernetes/node-cluster-lab-h100-0{n}.yaml" for n in range(1, 5)),
        "lab-kubernetes/resourceflavor-cluster-lab-h100.yaml",
        "lab-kubernetes/topology-cluster-lab-racks.yaml",
        "lab-kubernetes/workloadpriorityclass-cluster-inference.yaml",
        "lab-kubernetes/workloadpriorityclass-cluster-preemptible.yaml",
        "lab-kubernetes/workloadpriorityclass-cluster-training.yaml",
    ]
    # The inventory's rack becomes each node's rack label; the flavor points at the rack topology.
    assert "topology.gpudc.io/rack: lab.a-01" in files["lab-kubernetes/node-cluster-lab-h100-01.yaml"]
    assert "topologyName: lab-racks" in files["lab-kubernetes/resourceflavor-cluster-lab-h100.yaml"]
    assert (
        "- nodeLabel: topology.gpudc.io/rack\n  - nodeLabel: kubernetes.io/hostname"
        in (files["lab-kubernetes/topology-cluster-lab-racks.yaml"])
    )
    assert files == snapshot


def test_plano_urns_are_pinned(planned: Callable[[str], Plan], snapshot: object) -> None:
    """URNs are public API: a rename must come with an alias, and shows up here first."""
    urns = [resource.urn for resource in planned("plano").resources]
    # 20 before 0.2, less 4 registration ConfigMaps, plus Kueue (a component, a namespace, a
    # release, 6 objects), a BareMetalHost and a BMC Secret per inventory row (682), 5 Cluster API
    # objects per pool and the Metal3Cluster's label-sync patch; 3 tenants: 3 components, 28 objects;
    # plano's SiteNetwork (1) and its 63 children (issue 13).
    assert len(urns) == 20 - 4 + 9 + 2 * 682 + 4 * 5 + 1 + 1 + 31 + 64  # and the management provider
    # The engine's form: the parent's whole type chain, no root stack type.
    assert (
        "urn:pulumi:plano::gpudc::gpudc:index:Environment$gpudc:index:DatacenterSite$gpudc:index:Cluster"
        "$gpudc:index:GpuNodePool::gpudc-plano-plano-h100-a"
    ) in urns
    assert "urn:pulumi:plano::gpudc::pulumi:providers:kubernetes::plano-kubernetes" in urns
    assert urns == snapshot


def test_plans_are_byte_identical_across_runs(project: Project, planned: Callable[[str], Plan]) -> None:
    first, second = planned("plano"), plan_project(project, "plano")
    assert first.to_json() == second.to_json()
    assert [m.to_yaml() for m in manifests(first)] == [m.to_yaml() for m in manifests(second)]
    assert helm_values(first) == helm_values(second)
