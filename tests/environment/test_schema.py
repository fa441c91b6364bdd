"""The committed stack-file schema is current, and every stack file satisfies it."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from gpudc.catalog import NODE_MODELS
from gpudc.core.project import Project, find_project, read_yaml
from gpudc.environment.schema import stack_file_schema, stack_file_schema_json


def test_committed_schema_is_current(project: Project) -> None:
    committed = (project.root / "schema" / "stack-file.schema.json").read_text()
    assert committed == stack_file_schema_json(), "run `make schema` and commit the result"


@pytest.mark.parametrize("stack", find_project(Path(__file__)).stacks())
def test_stack_files_satisfy_the_schema(project: Project, stack: str) -> None:
    document = read_yaml(project.stack_file(stack))
    jsonschema.validate(document, stack_file_schema())


def test_schema_rejects_a_typo(project: Project) -> None:
    document = yaml.safe_load(project.stack_file("lab").read_text())
    document["config"]["gpudc:environment"]["sites"][0]["halls"][0]["colling"] = "air"
    with pytest.raises(jsonschema.ValidationError, match="colling"):
        jsonschema.validate(document, stack_file_schema())


@pytest.mark.parametrize(
    ("change", "rejected"),
    [
        # Defect: the schema had no top-level shape, so an editor checked nothing under `confg:`.
        (lambda d: d.update(confg=d.pop("config")), "'confg' was unexpected|'config' is a required property"),
        (
            lambda d: d["config"].update({"gpudc:enviroment": d["config"].pop("gpudc:environment")}),
            "environment",
        ),
        (lambda d: d.update({"gpudc:environment": d.pop("config")["gpudc:environment"]}), "config"),
    ],
)
def test_schema_describes_the_whole_file(project: Project, change: object, rejected: str) -> None:
    document = yaml.safe_load(project.stack_file("lab").read_text())
    change(document)  # type: ignore[operator]
    with pytest.raises(jsonschema.ValidationError, match=rejected):
        jsonschema.validate(document, stack_file_schema())


def test_schema_offers_the_catalogs_model_keys() -> None:
    pool = stack_file_schema()["$defs"]["NodePoolSpec"]["properties"]["node_model"]
    assert pool["examples"] == sorted(NODE_MODELS)
