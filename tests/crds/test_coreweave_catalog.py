"""The CKS catalog: documented NodePool fields, instance types, and their link to gpudc's catalog."""

from __future__ import annotations

import pytest

from gpudc.catalog.coreweave import (
    CKS_INSTANCE_TYPES,
    CKS_NODEPOOL_API_VERSION,
    CKS_NODEPOOL_KIND,
    CKS_NODEPOOL_SPEC_FIELDS,
    NODE_MODEL_CKS_INSTANCE_TYPES,
    cks_instance_type,
    is_rack_scale,
    nodes_per_rack,
)
from gpudc.catalog.nodes import NODE_MODELS
from tests.crds.schemas import crd_schema


def test_api_version_and_kind() -> None:
    assert (CKS_NODEPOOL_API_VERSION, CKS_NODEPOOL_KIND) == ("compute.coreweave.com/v1alpha1", "NodePool")


def test_documented_spec_fields() -> None:
    assert sorted(CKS_NODEPOOL_SPEC_FIELDS) == [
        "autoscaling",
        "computeClass",
        "instanceType",
        "lifecycle.scaleDownStrategy",
        "maxNodes",
        "minNodes",
        "nodeAnnotations",
        "nodeLabels",
        "nodeTaints",
        "targetNodes",
        "targetRacks",
    ]
    assert [path for path, field in CKS_NODEPOOL_SPEC_FIELDS.items() if field.immutable] == ["instanceType"]
    assert [path for path, field in CKS_NODEPOOL_SPEC_FIELDS.items() if field.required] == ["instanceType"]
    assert CKS_NODEPOOL_SPEC_FIELDS["autoscaling"].default is False
    assert CKS_NODEPOOL_SPEC_FIELDS["computeClass"].enum == ("default", "Spot")
    assert all(
        field.source.startswith("https://docs.coreweave.com/") for field in CKS_NODEPOOL_SPEC_FIELDS.values()
    )


def test_field_table_and_schema_agree() -> None:
    """The JSON Schema has exactly the documented top-level spec fields, and the same enums."""
    spec = crd_schema(CKS_NODEPOOL_API_VERSION, CKS_NODEPOOL_KIND)["properties"]["spec"]
    top_level = {path.split(".")[0] for path in CKS_NODEPOOL_SPEC_FIELDS}
    assert set(spec["properties"]) == top_level
    assert tuple(spec["properties"]["computeClass"]["enum"]) == CKS_NODEPOOL_SPEC_FIELDS["computeClass"].enum
    scale_down = spec["properties"]["lifecycle"]["properties"]["scaleDownStrategy"]["enum"]
    assert tuple(scale_down) == CKS_NODEPOOL_SPEC_FIELDS["lifecycle.scaleDownStrategy"].enum


@pytest.mark.parametrize(
    ("node_model", "instance_type"),
    [
        ("hgx-h100-8gpu", "gd-8xh100ib-i128"),
        ("hgx-h200-8gpu", "gd-8xh200ib-i128"),
        ("l40s-pcie-8gpu", "gd-8xl40s-i128"),
        ("hgx-b200-8gpu", "b200-8x"),
        ("gb200-nvl72", "gb200-4x"),
    ],
)
def test_node_model_maps_to_instance_type(node_model: str, instance_type: str) -> None:
    assert cks_instance_type(node_model) == instance_type


def test_undocumented_models_map_to_nothing() -> None:
    assert cks_instance_type("hgx-a100-8gpu") is None
    assert cks_instance_type("no-such-model") is None


def test_every_mapping_is_consistent_with_the_node_catalog() -> None:
    """Keys are real catalog models; GPUs per CKS node equal GPUs per gpudc node; a rack-scale
    system is one CKS rack."""
    assert set(NODE_MODEL_CKS_INSTANCE_TYPES) <= set(NODE_MODELS)
    assert set(NODE_MODEL_CKS_INSTANCE_TYPES.values()) == set(CKS_INSTANCE_TYPES)
    for node_model, instance_type in NODE_MODEL_CKS_INSTANCE_TYPES.items():
        model = NODE_MODELS[node_model]
        record = CKS_INSTANCE_TYPES[instance_type]
        assert record.gpus_per_node * model.nodes_per_system == model.gpus_per_system
        assert (record.nodes_per_rack or 1) == model.nodes_per_system


def test_rack_scale() -> None:
    assert is_rack_scale("gb200-4x") is True
    assert nodes_per_rack("gb200-4x") == 18
    for name in ("gd-8xh100ib-i128", "gd-8xh200ib-i128", "gd-8xl40s-i128", "b200-8x", "unknown"):
        assert is_rack_scale(name) is False
        assert nodes_per_rack(name) is None


def test_every_instance_type_has_a_source() -> None:
    for record in CKS_INSTANCE_TYPES.values():
        assert record.source.split()[0].startswith("https://")
