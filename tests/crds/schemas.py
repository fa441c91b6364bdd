"""The upstream CRD schemas in this folder, by apiVersion and kind, and a validator over them.

Each `<group>/<Kind>.<version>.schema.json` pins `apiVersion` and `kind` as constants; the index is
built from those constants, so a file's name and its content cannot disagree silently.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

HERE = Path(__file__).resolve().parent


@cache
def _index() -> dict[tuple[str, str], dict[str, Any]]:
    index: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(HERE.glob("*/*.schema.json")):
        schema = json.loads(path.read_text())
        api_version = schema["properties"]["apiVersion"]["const"]
        kind = schema["properties"]["kind"]["const"]
        group, version = api_version.split("/")
        if path.relative_to(HERE).as_posix() != f"{group}/{kind}.{version}.schema.json":
            raise ValueError(f"{path} holds {api_version} {kind}: rename it or fix the schema")
        Draft202012Validator.check_schema(schema)
        index[(api_version, kind)] = schema
    return index


def known() -> list[tuple[str, str]]:
    """Every (apiVersion, kind) with a schema here, sorted."""
    return sorted(_index())


def crd_schema(api_version: str, kind: str) -> dict[str, Any]:
    """The JSON Schema of one custom resource; KeyError naming the known ones otherwise."""
    try:
        return _index()[(api_version, kind)]
    except KeyError:
        listing = ", ".join(f"{a} {k}" for a, k in known())
        raise KeyError(f"no CRD schema for {api_version} {kind}; known: {listing}") from None


def check_custom_resource(body: dict[str, Any]) -> list[str]:
    """Draft 2020-12 validation errors of `body` against its CRD schema, as strings; [] = valid.

    Each string is `<json path>: <message>`. KeyError if no schema is known for the body's
    apiVersion and kind.
    """
    schema = crd_schema(str(body.get("apiVersion")), str(body.get("kind")))
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda e: e.json_path)
    return [f"{error.json_path}: {error.message}" for error in errors]
