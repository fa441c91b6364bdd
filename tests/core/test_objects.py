"""`gpudc.objects.kube_object`: the generic registration reaches the engine as the typed class's does."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from gpudc.objects import SECRET_OUTPUTS, kube_object, type_token
from gpudc.preview.recorder import RecordingMonitor
from gpudc.preview.run import plan_callable


@pytest.mark.parametrize(
    ("api_version", "kind", "patch", "token"),
    [
        ("v1", "Secret", False, "kubernetes:core/v1:Secret"),
        ("v1", "Node", True, "kubernetes:core/v1:NodePatch"),
        ("metal3.io/v1alpha1", "BareMetalHost", False, "kubernetes:metal3.io/v1alpha1:BareMetalHost"),
        ("apps/v1", "Deployment", True, "kubernetes:apps/v1:DeploymentPatch"),
    ],
)
def test_type_tokens_are_pulumi_kubernetes_own(api_version: str, kind: str, patch: bool, token: str) -> None:
    assert type_token(api_version, kind, patch=patch) == token


def _requests(monkeypatch: pytest.MonkeyPatch, program: Any) -> dict[str, Any]:
    """Every RegisterResource request of `program`, by resource name."""
    seen: dict[str, Any] = {}
    original = RecordingMonitor.RegisterResource

    def record(self: RecordingMonitor, request: Any) -> Any:
        seen[request.name] = request
        return original(self, request)

    monkeypatch.setattr(RecordingMonitor, "RegisterResource", record)
    plan_callable(program)
    return seen


def test_a_generic_secret_is_registered_as_the_typed_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same type token, same body, same secret outputs; the value stays secret in the plan."""
    metadata = {"name": "bmc", "namespace": "ns"}

    def program() -> None:
        login = pulumi.Output.secret({"username": "admin", "password": "hunter2"})
        k8s.core.v1.Secret("typed", metadata=metadata, type="Opaque", string_data=login)
        kube_object(
            "generic",
            api_version="v1",
            kind="Secret",
            metadata=metadata,
            fields={"type": "Opaque", "stringData": login},
            opts=pulumi.ResourceOptions(),
            secret_outputs=SECRET_OUTPUTS,
        )

    requests = _requests(monkeypatch, program)
    typed, generic = requests["typed"], requests["generic"]
    assert generic.type == typed.type == "kubernetes:core/v1:Secret"
    assert generic.object == typed.object
    assert (
        sorted(generic.additionalSecretOutputs)
        == sorted(typed.additionalSecretOutputs)
        == ["data", "stringData"]
    )


def test_a_generic_node_patch_is_registered_as_the_typed_one(monkeypatch: pytest.MonkeyPatch) -> None:
    metadata = {"name": "node-1", "labels": {"gpudc.io/pool": "h100"}}
    taints = [{"key": "gpudc.io/burn-in", "value": "pending", "effect": "NoSchedule"}]

    def program() -> None:
        k8s.core.v1.NodePatch("typed", metadata=metadata, spec={"taints": taints})
        kube_object(
            "generic",
            api_version="v1",
            kind="Node",
            patch=True,
            metadata=metadata,
            fields={"spec": {"taints": taints}},
            opts=pulumi.ResourceOptions(),
        )

    requests = _requests(monkeypatch, program)
    assert requests["generic"].type == requests["typed"].type == "kubernetes:core/v1:NodePatch"
    assert requests["generic"].object == requests["typed"].object
