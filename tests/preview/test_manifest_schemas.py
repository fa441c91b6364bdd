"""Every rendered Kubernetes object validates: core kinds against the strict OpenAPI schema of
Kubernetes 1.32 and of the newest version kubernetes-validate ships; custom resources against the
fields of their upstream CRD."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from gpudc.preview.plan import Plan
from gpudc.preview.render import manifests
from tests.crds.schemas import check_custom_resource

KUBERNETES_VERSIONS = ["1.32", kubernetes_validate.latest_version()]
CRD_SCHEMAS = {
    ("kueue.x-k8s.io/v1beta2", "ResourceFlavor"): json.loads(
        (Path(__file__).parent / "kueue_resourceflavor_v1beta2.schema.json").read_text()
    ),
}


def _objects(planned: Callable[[str], Plan]) -> list[dict[str, Any]]:
    return [manifest.body for stack in ("lab", "plano") for manifest in manifests(planned(stack))]


def _is_custom(body: dict[str, Any]) -> bool:
    group = body["apiVersion"].split("/")[0]
    # Built-in groups are `*.k8s.io` (networking.k8s.io, rbac.authorization.k8s.io); `*.x-k8s.io` are CRDs.
    return "." in group and "/" in body["apiVersion"] and not group.endswith(".k8s.io")


def test_newest_kubernetes_is_at_least_1_37() -> None:
    major, minor = (int(part) for part in kubernetes_validate.latest_version().split(".")[:2])
    assert (major, minor) >= (1, 37)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_core_objects_validate_strictly(version: str, planned: Callable[[str], Plan]) -> None:
    core = [body for body in _objects(planned) if not _is_custom(body)]
    # Node: the body of an existing pool's NodePatch (labels, an annotation, taints).
    # Secret: plano's BMC credentials. Their values are redacted in the plan (`[secret]` in place
    # of `stringData`), so only their metadata is checked strictly. NetworkPolicy, ResourceQuota,
    # Role, RoleBinding: plano's tenants (tests/tenancy).
    assert {body["kind"] for body in core} == {
        "Namespace",
        "Node",
        "Secret",
        "NetworkPolicy",
        "ResourceQuota",
        "Role",
        "RoleBinding",
    }
    for body in core:
        if body["kind"] == "Secret":
            assert body["stringData"] == "[secret]"
            body = {key: value for key, value in body.items() if key != "stringData"}
        kubernetes_validate.validate(body, version, strict=True)


def test_custom_resources_match_their_crd(planned: Callable[[str], Plan]) -> None:
    custom = [body for body in _objects(planned) if _is_custom(body)]
    # Per cluster a Topology, a ClusterQueue, a LocalQueue and 3 WorkloadPriorityClasses; a
    # ResourceFlavor per pool (lab 1, plano 4); plano's 3 tenants a ClusterQueue and LocalQueue each.
    # plano's 4 Cluster API pools: a BareMetalHost per inventory row, 5 templates and objects a
    # pool, and one label-sync annotation patch of its Metal3Cluster.
    assert Counter(body["kind"] for body in custom) == {
        "ResourceFlavor": 5,
        "Topology": 2,
        "ClusterQueue": 2 + 3,
        "LocalQueue": 2 + 3,
        "WorkloadPriorityClass": 6,
        "BareMetalHost": 682,
        "Metal3DataTemplate": 4,
        "Metal3MachineTemplate": 4,
        "KubeadmConfigTemplate": 4,
        "MachineDeployment": 4,
        "MachineHealthCheck": 4,
        "Metal3Cluster": 1,
        # plano's network (tests/network).
        "NicClusterPolicy": 1,
        "NicNodePolicy": 4,
        "IPPool": 24,
        "NetworkAttachmentDefinition": 24,
        "IPAddressPool": 1,
        "BGPPeer": 4,
        "BGPAdvertisement": 1,
    }
    for body in custom:
        if body["kind"] == "Metal3Cluster":
            # A server-side-apply patch of one annotation: its body is checked as the metadata of
            # a Metal3Cluster, without the `spec` the object itself has and gpudc never touches.
            assert check_custom_resource({**body, "spec": {}}) == [], body["metadata"]["name"]
            assert set(body) == {"apiVersion", "kind", "metadata"}
            continue
        assert check_custom_resource(body) == [], body["metadata"]["name"]
        if body["kind"] == "ResourceFlavor":
            jsonschema.validate(body, CRD_SCHEMAS[(body["apiVersion"], body["kind"])])


def test_crd_schema_rejects_what_kueue_rejects() -> None:
    schema = CRD_SCHEMAS[("kueue.x-k8s.io/v1beta2", "ResourceFlavor")]
    flavor = {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "ResourceFlavor",
        "metadata": {"name": "x"},
        "spec": {"nodeTaints": [{"key": "k", "effect": "Sometimes"}]},
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(flavor, schema)


def test_strict_validation_rejects_unknown_fields() -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "bogus": 1}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(namespace, "1.32", strict=True)
