"""The manifest dumper's fast path writes exactly what PyYAML's own SafeDumper writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gpudc.preview import render
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


# Strings a manifest holds (names, labels, images, addresses, commands) and the ones YAML reads
# as something else or cannot write plain: every one must come out as PyYAML writes it.
_SCALAR_TEXT = st.one_of(
    st.text(alphabet="abcz019-._/:@=+, #'\"!&*?%[]{}|>`~", max_size=12),
    st.sampled_from(
        ["", "yes", "No", "null", "~", "1.0", "0777", "0x1F", "2026-12-03", "12:30", "-", "--- x"]
    ),
    st.sampled_from(["a: b", "a #b", " lead", "trail ", "- x", "x:", "héllo", "tab\tin", "x" * 130]),
)
_SCALARS = st.one_of(_SCALAR_TEXT, st.integers(), st.booleans(), st.none())
_NODES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(_SCALAR_TEXT, children, max_size=4)
    ),
    max_leaves=25,
)
# A document is an object or a list (manifests, Helm values); a bare scalar never is.
_DOCUMENTS = st.one_of(st.lists(_NODES, max_size=4), st.dictionaries(_SCALAR_TEXT, _NODES, max_size=5))


def _through_pyyaml(document: Any) -> str:
    """The dumper's own PyYAML path (libyaml's emitter where PyYAML has it), which the direct
    writer stands in for: on an empty key the two emitters differ, and gpudc keeps libyaml's."""
    return yaml.dump(
        document, Dumper=render._BlockStyleDumper, sort_keys=True, default_flow_style=False, width=4096
    )


@settings(max_examples=1000, deadline=None)
@given(document=_DOCUMENTS)
def test_any_document_of_manifest_types_is_written_as_before(document: Any) -> None:
    assert dump_yaml(document) == _through_pyyaml(document)


def test_the_direct_writer_takes_nearly_every_manifest(planned: Callable[[str], Plan]) -> None:
    """PyYAML's full path stays for the rare document (a multi-line script); if the direct writer
    stopped applying, the equality tests above would still pass, and plans would be slow again."""
    bodies = [manifest.body for manifest in manifests(planned("plano"))]
    direct = sum(1 for body in bodies if render._direct(body) is not None)
    assert direct >= 0.99 * len(bodies)
