"""Environment and DatacenterSite: children, providers per site, secrets never in the plan."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc import (
    ClusterProviders,
    DatacenterSite,
    Environment,
    SpecError,
    parse_environment,
    plan_environment,
)
from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY
from gpudc.preview.plan import Plan
from gpudc.preview.run import plan_callable, plan_program, stack_config

# Where the stacks' inventories are (a pool's `inventory` path starts there).
STACKS = Path(__file__).resolve().parents[2] / "stacks"


def test_plano_tree(planned: Callable[[str], Plan]) -> None:
    plan = planned("plano")
    by_type = plan.by_type()
    assert by_type["gpudc:index:GpuNodePool"] == 4
    assert by_type["kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor"] == 4
    assert by_type["pulumi:providers:kubernetes"] == 2  # the workload and the CAPI management cluster
    site = next(r for r in plan.resources if r.type == "gpudc:index:DatacenterSite")
    assert site.name == "gpudc-plano"
    cluster = next(r for r in plan.resources if r.type == "gpudc:index:Cluster")
    assert (cluster.name, cluster.parent) == ("gpudc-plano-plano", site.urn)
    pools = sorted(r.name for r in plan.resources if r.type == "gpudc:index:GpuNodePool")
    assert pools == [
        "gpudc-plano-plano-gb200-a",
        "gpudc-plano-plano-h100-a",
        "gpudc-plano-plano-h200-a",
        "gpudc-plano-plano-l40s-inference",
    ]
    namespace = next(r for r in plan.resources if r.name == "gpudc-plano-plano-system")
    assert namespace.parent == cluster.urn
    providers = {r.name: r for r in plan.resources if r.type == "pulumi:providers:kubernetes"}
    assert {name: p.inputs["context"] for name, p in providers.items()} == {
        "plano-kubernetes": "plano-prod",
        "plano-management": "plano-capi-mgmt",
    }
    # Cluster API and Metal3 objects live on the management cluster; everything else on plano's own.
    capi_groups = ("cluster.x-k8s.io", "metal3.io", "core/v1:Secret")
    for resource in plan.resources:
        if resource.type == "gpudc:index:GpuNodePool":
            assert resource.parent == cluster.urn
            # Nothing of a pool lives in the cluster's gpudc-system namespace: no wait on it.
            assert resource.depends_on == ()
        if resource.custom and resource.type.startswith("kubernetes:"):
            on = (
                "plano-management"
                if any(group in resource.type for group in capi_groups)
                else "plano-kubernetes"
            )
            assert resource.provider == providers[on].urn, resource.urn


def test_operator_tolerates_the_inference_pool_taint(planned: Callable[[str], Plan]) -> None:
    release = next(r for r in planned("plano").resources if r.type == "kubernetes:helm.sh/v3:Release")
    assert {
        "key": "workload.gpudc.io/inference",
        "operator": "Exists",
        "effect": "NoSchedule",
    } in release.inputs["values"]["daemonsets"]["tolerations"]


def test_kubeconfig_secret_never_reaches_the_plan(project: Project) -> None:
    environment = copy.deepcopy(project.stack_config("lab")[CONFIG_KEY])
    environment["sites"][0]["kubernetes"] = {"type": "kubeconfig-secret", "config_key": "lab-kubeconfig"}
    config = stack_config(
        {CONFIG_KEY: environment, "gpudc:lab-kubeconfig": {"secure": "v1:c2VjcmV0LWtleQ=="}}
    )
    plan = plan_program(project.main, "gpudc", "lab", config)
    provider = next(r for r in plan.resources if r.type == "pulumi:providers:kubernetes")
    assert provider.inputs["kubeconfig"] == "[secret]"
    assert "c2VjcmV0LWtleQ" not in plan.to_json()


def test_a_site_without_a_provider_registers_nothing(project: Project) -> None:
    spec = parse_environment(project.stack_config("lab")[CONFIG_KEY])
    caught: list[SpecError] = []

    def program() -> None:
        try:
            Environment("gpudc", spec, providers={}, plan=plan_environment(spec, inventory_dir=STACKS))
        except SpecError as exc:
            caught.append(exc)

    plan = plan_callable(program, "gpudc", "lab")
    assert plan.resources == ()
    assert [str(issue) for exc in caught for issue in exc.issues] == [
        "sites[0].name: cluster lab has no providers; pass providers={'lab': ClusterProviders(workload=...)}"
    ]


def test_outputs_carry_the_derived_block(planned: Callable[[str], Plan]) -> None:
    derived = planned("plano").derived
    assert derived is not None
    site = derived.sites[0]
    assert (site.nodes, site.gpus) == (672, 4800)
    assert [hall.cooling for hall in site.halls if hall.name == "h4"] == ["direct-liquid"]
    assert [cluster.name for cluster in site.clusters] == ["plano"]


def test_a_missing_kubeconfig_secret_stops_before_any_provider(project: Project, program_errors: Any) -> None:
    environment = copy.deepcopy(project.stack_config("lab")[CONFIG_KEY])
    environment["sites"][0]["kubernetes"] = {"type": "kubeconfig-secret", "config_key": "lab-kubeconfig"}
    plan, caught = program_errors({CONFIG_KEY: environment}, "lab")
    assert plan.resources == ()
    assert [str(issue) for exc in caught for issue in exc.issues] == [
        "sites[0].kubernetes.config_key: names gpudc:lab-kubeconfig, which this stack's config does not set, "
        "got 'lab-kubeconfig'; run `pulumi config set --secret gpudc:lab-kubeconfig < kubeconfig` (the stack "
        "file then holds it encrypted, and `gpudc plan` reads it without the passphrase)"
    ]


def test_a_sites_depends_on_reaches_every_kubernetes_object(project: Project) -> None:
    """Pulumi does not pass a component's depends_on to its children; gpudc does (DESIGN section 3)."""
    spec = parse_environment(project.stack_config("lab")[CONFIG_KEY])
    site_plan = plan_environment(spec, inventory_dir=STACKS).sites["lab"]

    def program() -> None:
        provider = k8s.Provider("lab", context="lab")
        # A custom resource: Pulumi expands a component in depends_on to its children.
        kueue = k8s.core.v1.Namespace(
            "kueue", metadata={"name": "kueue-system"}, opts=pulumi.ResourceOptions(provider=provider)
        )
        DatacenterSite(
            "lab",
            spec.sites[0],
            plan=site_plan,
            providers={"lab": ClusterProviders(workload=provider)},
            opts=pulumi.ResourceOptions(depends_on=[kueue]),
        )

    plan = plan_callable(program, "gpudc", "lab")
    kueue_urn = next(r.urn for r in plan.resources if r.name == "kueue")
    objects = [r for r in plan.resources if r.type.startswith("kubernetes:") and r.urn != kueue_urn]
    # 3 namespaces, 2 Helm releases, a ResourceFlavor, Kueue's Topology, ClusterQueue, LocalQueue
    # and 3 WorkloadPriorityClasses, a NodePatch per node (4)
    assert len(objects) == 16
    for resource in objects:
        assert kueue_urn in resource.depends_on, resource.urn
