"""Every input is documented: each field of each spec (and catalog) model has a description,
and the stack file's JSON Schema carries them (editor completion, docs)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

import gpudc  # noqa: F401 - imports every spec module
from gpudc.core.spec import SpecModel
from gpudc.environment.spec import EnvironmentSpec


def _all_models(base: type[BaseModel]) -> list[type[BaseModel]]:
    found = []
    for sub in base.__subclasses__():
        found.append(sub)
        found.extend(_all_models(sub))
    return sorted(set(found), key=lambda model: model.__qualname__)


MODELS = [model for model in _all_models(SpecModel) if model.__module__.startswith("gpudc.")]


def test_the_spec_models_are_all_found() -> None:
    names = {model.__name__ for model in MODELS}
    assert {
        "EnvironmentSpec",
        "SiteSpec",
        "HallSpec",
        "NodePoolSpec",
        "GpuOperatorSpec",
        "NodeModel",
    } <= names


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_field_has_a_description(model: type[SpecModel]) -> None:
    undocumented = [name for name, field in model.model_fields.items() if not field.description]
    assert undocumented == []


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_specs_forbid_unknown_keys_and_are_frozen(model: type[SpecModel]) -> None:
    assert model.model_config.get("extra") == "forbid"
    assert model.model_config.get("frozen") is True


def test_json_schema_of_the_stack_file_documents_fields() -> None:
    schema = EnvironmentSpec.model_json_schema()
    hall = schema["$defs"]["HallSpec"]["properties"]
    assert hall["power_kw"]["description"] == "Critical IT power available to the hall (kW)."
    assert schema["$defs"]["HallSpec"]["additionalProperties"] is False
