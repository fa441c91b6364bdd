"""The committed stack-file schema is current, and every stack file satisfies it."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from gpudc.core.project import Project
from gpudc.environment.schema import stack_file_schema, stack_file_schema_json


def test_committed_schema_is_current(project: Project) -> None:
    committed = (project.root / "schema" / "stack-file.schema.json").read_text()
    assert committed == stack_file_schema_json(), "run `make schema` and commit the result"


@pytest.mark.parametrize("stack", ["lab", "plano"])
def test_stack_files_satisfy_the_schema(project: Project, stack: str) -> None:
    document = yaml.safe_load(project.stack_file(stack).read_text())
    jsonschema.validate(document, stack_file_schema())


def test_schema_rejects_a_typo(project: Project) -> None:
    document = yaml.safe_load(project.stack_file("lab").read_text())
    document["config"]["gpudc:environment"]["sites"][0]["halls"][0]["colling"] = "air"
    with pytest.raises(jsonschema.ValidationError, match="colling"):
        jsonschema.validate(document, stack_file_schema())
