"""GpuNodePool under recording mocks: exact children, names, parents and the inputs that matter."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s
import pytest

from gpudc import (
    NODE_MODELS,
    GpuNodePool,
    Hardware,
    NodeModel,
    NodePoolSpec,
    PoolPlan,
    SpecError,
    parse_environment,
    plan_environment,
    standalone_pool_plan,
)
from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY
from gpudc.nodepool.component import node_labels
from gpudc.preview.plan import Plan
from gpudc.preview.recorder import Registration
from gpudc.preview.run import plan_callable

# Where the stacks' inventories are (a pool's `inventory` path starts there).
STACKS = Path(__file__).resolve().parents[2] / "stacks"

POOL = NodePoolSpec.model_validate(
    {
        "name": "h100",
        "hall": "lab",
        "node_model": "hgx-h100-8gpu",
        "nodes": 4,
        "provisioner": {"type": "existing"},
    }
)
FLAVOR = "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor"
NODE_PATCH = "kubernetes:core/v1:NodePatch"

# A user's own system, not in the catalog: two Kubernetes nodes of 4 GPUs per system, so a pool of
# 4 nodes is 2 systems and 16 GPUs (the catalog's hgx-h100-8gpu would give 32).
MY_NODE = NodeModel.model_validate(
    {
        **NODE_MODELS["hgx-h100-8gpu"].model_dump(mode="json"),
        "name": "my-node",
        "product_name": "Example two-node H100 chassis",
        "nodes_per_system": 2,
        "gpus_per_system": 8,
    }
)


def _one(plan: Plan, type_: str) -> Registration:
    found = [r for r in plan.resources if r.type == type_]
    assert len(found) == 1, [r.urn for r in plan.resources]
    return found[0]


def _build_pool(spec: NodePoolSpec, plan: PoolPlan, built: list[GpuNodePool] | None = None) -> None:
    provider = k8s.Provider("k8s", context="lab")
    pool = GpuNodePool(
        "pool", spec, plan=plan, opts=pulumi.ResourceOptions(providers={"kubernetes": provider})
    )
    if built is not None:
        built.append(pool)


def _site_pool_plan(project: Project) -> PoolPlan:
    spec = parse_environment(project.stack_config("lab")[CONFIG_KEY])
    (pool_plan,) = plan_environment(spec, inventory_dir=STACKS).sites["lab"].pools
    return pool_plan


def test_standalone_pool_children() -> None:
    built: list[GpuNodePool] = []
    plan = plan_callable(lambda: _build_pool(POOL, standalone_pool_plan(POOL), built))
    assert sorted((r.type, r.name) for r in plan.resources) == [
        ("gpudc:index:GpuNodePool", "pool"),
        (FLAVOR, "pool-flavor"),
        ("pulumi:providers:kubernetes", "k8s"),
    ]
    pool = _one(plan, "gpudc:index:GpuNodePool")
    # The spec's JSON is the component's `spec` input; Pulumi leaves out null fields (`cluster`).
    assert pool.inputs == {"spec": POOL.model_dump(mode="json", exclude_none=True)}
    assert NodePoolSpec.model_validate(pool.inputs["spec"]) == POOL
    flavor_registration = _one(plan, FLAVOR)
    assert flavor_registration.parent == pool.urn
    assert flavor_registration.provider == _one(plan, "pulumi:providers:kubernetes").urn
    flavor = _one(plan, FLAVOR).inputs
    assert flavor["metadata"]["name"] == "h100"
    assert flavor["spec"] == {
        "nodeLabels": {"gpudc.io/pool": "h100"},
        "nodeTaints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}],
    }
    # 4 HGX H100 servers: one node and 8 GPUs each. A pool on its own has no placement, so its
    # existing nodes are not patched by name: they register with the published kubelet flags.
    (component,) = built
    assert (component.nodes, component.gpus) == (4, 32)
    assert component.kubelet_registration.endswith(
        'KUBELET_EXTRA_ARGS="--node-labels=gpudc.io/hall=lab,gpudc.io/node-model=hgx-h100-8gpu,gpudc.io/pool=h100 '
        '--register-with-taints=nvidia.com/gpu=present:NoSchedule"\n'
    )


def test_pool_in_a_site_carries_topology(project: Project) -> None:
    pool_plan = _site_pool_plan(project)
    plan = plan_callable(lambda: _build_pool(pool_plan.spec, pool_plan))
    flavor = _one(plan, FLAVOR).inputs
    assert flavor["metadata"]["name"] == "lab-h100"
    assert flavor["spec"]["nodeLabels"] == {"gpudc.io/pool": "h100", "gpudc.io/site": "lab"}
    # Built without the cluster's Topology, the flavor names none.
    assert "topologyName" not in flavor["spec"]
    patches = {r.inputs["metadata"]["name"]: r.inputs for r in plan.resources if r.type == NODE_PATCH}
    assert sorted(patches) == ["lab-h100-01", "lab-h100-02", "lab-h100-03", "lab-h100-04"]
    first = patches["lab-h100-01"]
    assert first["metadata"]["labels"] == {
        "gpudc.io/hall": "lab",
        "gpudc.io/node-model": "hgx-h100-8gpu",
        "gpudc.io/pool": "h100",
        "gpudc.io/site": "lab",
        "topology.gpudc.io/rack": "lab.a-01",
        "topology.gpudc.io/row": "lab.a",
        "topology.kubernetes.io/region": "us-central",
        "topology.kubernetes.io/zone": "lab-a",
    }
    assert first["metadata"]["annotations"] == {"pulumi.com/patchFieldManager": "gpudc"}
    assert first["spec"] == {
        "taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    }


def test_standalone_pool_with_a_site_labels_like_the_environment(project: Project) -> None:
    site = parse_environment(project.stack_config("lab")[CONFIG_KEY]).sites[0]
    from_environment = _site_pool_plan(project)
    standalone = standalone_pool_plan(POOL, site=site, cluster=from_environment.cluster)
    assert node_labels(standalone) == node_labels(from_environment)
    assert (standalone.nodes, standalone.gpus) == (from_environment.nodes, from_environment.gpus)


def test_managed_pool_carries_no_hall_label(project: Project) -> None:
    site = parse_environment(project.stack_config("lab")[CONFIG_KEY]).sites[0]
    managed = NodePoolSpec.model_validate(
        {**POOL.model_dump(mode="json", exclude={"hall"}), "placement": "managed"}
    )
    assert node_labels(standalone_pool_plan(managed, site=site)) == {
        "gpudc.io/node-model": "hgx-h100-8gpu",
        "gpudc.io/pool": "h100",
        "gpudc.io/site": "lab",
        "topology.kubernetes.io/region": "us-central",
        "topology.kubernetes.io/zone": "lab-a",
    }
    assert node_labels(standalone_pool_plan(managed)) == {
        "gpudc.io/node-model": "hgx-h100-8gpu",
        "gpudc.io/pool": "h100",
    }


def test_pool_without_taints_has_no_node_taints() -> None:
    untainted = POOL.model_copy(update={"taints": ()})
    built: list[GpuNodePool] = []
    plan = plan_callable(
        lambda: built.append(GpuNodePool("pool", untainted, plan=standalone_pool_plan(untainted)))
    )  # type: ignore[func-returns-value]
    assert "--register-with-taints" not in built[0].kubelet_registration
    flavor = _one(plan, FLAVOR).inputs
    assert "nodeTaints" not in flavor["spec"]
    assert _one(plan, "gpudc:index:GpuNodePool").inputs == {
        "spec": untainted.model_dump(mode="json", exclude_none=True)
    }


def test_standalone_pool_uses_the_users_own_hardware() -> None:
    mine = POOL.model_copy(update={"node_model": "my-node"})
    hardware = Hardware.with_overrides({}, {"my-node": MY_NODE})
    pool_plan = standalone_pool_plan(mine, hardware)
    assert (pool_plan.nodes, pool_plan.gpus) == (4, 16)
    assert pool_plan.node_model == MY_NODE
    built: list[GpuNodePool] = []
    plan = plan_callable(lambda: _build_pool(mine, pool_plan, built))
    (component,) = built
    assert (component.nodes, component.gpus) == (4, 16)
    assert component.node_labels["gpudc.io/node-model"] == "my-node"
    assert "gpudc.io/node-model=my-node" in component.kubelet_registration
    assert plan.by_type()[FLAVOR] == 1
    # Without the user's hardware, the catalog alone does not know the model.
    with pytest.raises(SpecError) as caught:
        standalone_pool_plan(mine)
    assert [(issue.code, issue.path) for issue in caught.value.issues] == [("GPUDC-HW-001", "node_model")]


def test_unknown_node_model_registers_nothing() -> None:
    bad = POOL.model_copy(update={"node_model": "hgx-h300"})
    caught: list[SpecError] = []

    def program() -> None:
        try:
            GpuNodePool("pool", bad, plan=standalone_pool_plan(bad))
        except SpecError as exc:
            caught.append(exc)

    plan = plan_callable(program)
    assert plan.resources == ()
    assert [(issue.code, issue.path) for exc in caught for issue in exc.issues] == [
        ("GPUDC-HW-001", "node_model")
    ]
    assert str(caught[0].issues[0]).startswith(
        "node_model: is not a node model of the catalog or of this stack file, got 'hgx-h300'; use one of ["
    )


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({"gpudc.io/pool": "x"}, "are set by gpudc from the site, hall and pool; remove them"),
        ({"bad key!": "x"}, "must be a label key: an optional DNS-subdomain prefix"),
        ({"ok": "-bad-"}, "must be a label value: letters, digits"),
    ],
)
def test_pool_labels_are_checked(labels: dict[str, str], message: str) -> None:
    pool = {**POOL.model_dump(mode="json"), "labels": labels}
    with pytest.raises(SpecError) as caught:
        parse_environment({"sites": [{"pools": [pool]}]})
    assert any(message in issue.message and ".labels" in issue.path for issue in caught.value.issues)
