"""The manifest dumper's fast path writes exactly what PyYAML's own SafeDumper writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from gpudc.preview.plan import Plan
from gpudc.preview.render import dump_yaml, helm_values, manifests


class _Reference(yaml.SafeDumper):
    """PyYAML's generic path, with the same literal blocks for multi-line strings."""


_Reference.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    ),
)


def _reference(document: Any) -> str:
    return yaml.dump(document, Dumper=_Reference, sort_keys=True, default_flow_style=False, width=4096)


TRICKY: list[Any] = [
    {},
    [],
    {"empty": {}, "none": [], "null": None, "zero": 0, "float": 1.5, "big": 1e16, "neg": -3},
    {"yes": "yes", "no": "No", "on": "on", "true": "true", "null": "null", "tilde": "~", "num": "1.0"},
    {"octal": "0777", "hex": "0x1F", "date": "2026-12-03", "time": "12:30", "sci": "1e3", "inf": ".inf"},
    {
        "colon": "a: b",
        "hash": "a #b",
        "lead": " x",
        "trail": "x ",
        "dash": "- x",
        "quote": "'q'",
        "dq": '"q"',
    },
    {
        "block": "line one\nline two\n",
        "no-final-newline": "a\nb",
        "indented": "  a\n b\n",
        "unicode": "héllo ✓",
    },
    {
        "labels": {"gpudc.io/pool": "h100", "topology.gpudc.io/rack": "h1.a-01"},
        "list": [{"a": 1}, {"b": [1, "2"]}],
    },
    {"nested": [[1, 2], [], [{}]], "bools": [True, False], "keys with spaces": {"k: v": "x"}},
    {"long": "x" * 5000, "star": "*alias", "amp": "&anchor", "percent": "%YAML", "at": "@at", "bang": "!tag"},
    {"tuple": ("a\nb", "c")},
    {1: "int key", "1": "str key"},
]


@pytest.mark.parametrize("document", TRICKY)
def test_tricky_documents_are_written_as_pyyaml_writes_them(document: Any) -> None:
    assert dump_yaml(document) == _reference(document)
    if not isinstance(document, dict) or "tuple" not in document:
        assert yaml.safe_load(dump_yaml(document)) == document


@pytest.mark.parametrize("stack", ["lab", "plano", "coreweave", "gpu-sharing"])
def test_every_manifest_and_values_file_is_written_as_pyyaml_writes_it(
    planned: Callable[[str], Plan], stack: str
) -> None:
    plan = planned(stack)
    for manifest in manifests(plan):
        assert manifest.to_yaml() == _reference(manifest.body), manifest.filename
    for resource in plan.resources:
        if resource.type == "kubernetes:helm.sh/v3:Release":
            values = resource.inputs.get("values", {})
            assert dump_yaml(values) == _reference(values)
    assert helm_values(plan)
