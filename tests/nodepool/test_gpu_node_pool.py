"""GpuNodePool under recording mocks: exact children, names, parents and the inputs that matter."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest

from gpudc import GpuNodePool, NodePoolSpec, SpecError, parse_environment, plan_environment
from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY
from gpudc.preview.plan import Plan
from gpudc.preview.recorder import Registration
from gpudc.preview.run import plan_callable

POOL = NodePoolSpec.model_validate(
    {
        "name": "h100",
        "hall": "lab",
        "node_model": "hgx-h100-8gpu",
        "nodes": 4,
        "provisioner": {"type": "existing"},
    }
)


def _one(plan: Plan, type_: str) -> Registration:
    found = [r for r in plan.resources if r.type == type_]
    assert len(found) == 1, [r.urn for r in plan.resources]
    return found[0]


def _build_pool(**kwargs: object) -> None:
    provider = k8s.Provider("k8s", context="lab")
    GpuNodePool("pool", POOL, opts=pulumi.ResourceOptions(providers={"kubernetes": provider}), **kwargs)  # type: ignore[arg-type]


def test_standalone_pool_children() -> None:
    plan = plan_callable(_build_pool)
    assert sorted((r.type, r.name) for r in plan.resources) == [
        ("gpudc:index:GpuNodePool", "pool"),
        ("kubernetes:core/v1:ConfigMap", "pool-registration"),
        ("kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor", "pool-flavor"),
        ("pulumi:providers:kubernetes", "k8s"),
    ]
    pool = _one(plan, "gpudc:index:GpuNodePool")
    for child in ("kubernetes:core/v1:ConfigMap", "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor"):
        registration = _one(plan, child)
        assert registration.parent == pool.urn
        assert registration.provider == _one(plan, "pulumi:providers:kubernetes").urn
    flavor = _one(plan, "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor").inputs
    assert flavor["metadata"]["name"] == "h100"
    assert flavor["spec"] == {
        "nodeLabels": {"gpudc.io/pool": "h100"},
        "nodeTaints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}],
    }


def test_pool_in_a_site_carries_topology(project: Project) -> None:
    spec = parse_environment(project.stack_config("lab")[CONFIG_KEY])
    site_plan = plan_environment(spec).sites["lab"]
    plan = plan_callable(lambda: _build_pool(site=site_plan))
    flavor = _one(plan, "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor").inputs
    assert flavor["metadata"]["name"] == "lab-h100"
    assert flavor["spec"]["nodeLabels"] == {"gpudc.io/pool": "h100", "gpudc.io/site": "lab"}
    env_file = _one(plan, "kubernetes:core/v1:ConfigMap").inputs["data"]["kubelet.env"]
    assert (
        "--node-labels=gpudc.io/hall=lab,gpudc.io/node-model=hgx-h100-8gpu,gpudc.io/pool=h100,"
        "gpudc.io/site=lab,topology.kubernetes.io/region=us-central,topology.kubernetes.io/zone=lab-a "
        "--register-with-taints=nvidia.com/gpu=present:NoSchedule"
    ) in env_file


def test_pool_without_taints_has_no_node_taints() -> None:
    untainted = POOL.model_copy(update={"taints": ()})
    plan = plan_callable(lambda: GpuNodePool("pool", untainted))
    flavor = _one(plan, "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor").inputs
    assert "nodeTaints" not in flavor["spec"]
    assert (
        "--register-with-taints"
        not in _one(plan, "kubernetes:core/v1:ConfigMap").inputs["data"]["kubelet.env"]
    )


def test_unknown_node_model_registers_nothing() -> None:
    bad = POOL.model_copy(update={"node_model": "hgx-h300"})
    caught: list[SpecError] = []

    def program() -> None:
        try:
            GpuNodePool("pool", bad)
        except SpecError as exc:
            caught.append(exc)

    plan = plan_callable(program)
    assert plan.resources == ()
    assert [issue.path for exc in caught for issue in exc.issues] == ["node_model"]


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
