"""Kubernetes objects out of a plan: one YAML document per object, named for humans.

pulumi-kubernetes sends each object's full body (apiVersion, kind, metadata, spec/data) as its
inputs, so a custom resource of type `kubernetes:<group/version>:<Kind>` *is* the manifest. Helm
releases are not objects: their values are written beside the manifests instead, because no
chart is rendered offline.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import yaml

from gpudc.core.errors import SpecError
from gpudc.preview.plan import PLAN_OUTPUT, Plan
from gpudc.preview.recorder import Registration

__all__ = ["Manifest", "dump_yaml", "helm_values", "manifest_files", "manifests"]

_HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
_NOT_OBJECTS = ("kubernetes:helm.sh/", "kubernetes:yaml/", "kubernetes:kustomize/")
CLUSTER_SCOPE = "cluster"
DEFAULT_CLUSTER = "default"  # objects created through Pulumi's default Kubernetes provider


@dataclass(frozen=True, slots=True)
class Manifest:
    """A Kubernetes object and the file name it is written under."""

    filename: str
    body: dict[str, Any]

    def to_yaml(self) -> str:
        return dump_yaml(self.body)


class _BlockStyleDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe YAML with multi-line strings as literal blocks, as a human would write a ConfigMap.

    The path for the documents the direct writer below leaves (a multi-line script, a float).
    Strings, dicts and lists are represented without the generic representer's alias
    bookkeeping and type dispatch (a plan's objects share no containers: the recorder rebuilds
    every input), and a scalar's implicit tag is resolved once per value; the output is the
    same, byte for byte (tests/preview/test_render_yaml.py).
    """

    def represent_data(self, data: Any) -> yaml.Node:
        kind = type(data)
        if kind is str:
            return yaml.ScalarNode(_STR, data, style="|" if "\n" in data else None)
        if kind is dict:
            try:
                items = sorted(data.items())
            except TypeError:  # keys of mixed types: as the generic representer, unsorted
                items = list(data.items())
            pairs = [(self.represent_data(key), self.represent_data(value)) for key, value in items]
            return yaml.MappingNode(_MAP, pairs, flow_style=False)
        if kind is list:
            return yaml.SequenceNode(_SEQ, [self.represent_data(item) for item in data], flow_style=False)
        return super().represent_data(data)  # type: ignore[no-any-return]

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            key = (value, implicit)
            tag = _RESOLVED.get(key)
            if tag is None:
                if len(_RESOLVED) > _RESOLVED_MAX:
                    _RESOLVED.clear()
                tag = _RESOLVED[key] = super().resolve(kind, value, implicit)
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_RESOLVED: dict[tuple[Any, Any], str] = {}
"""Scalar -> implicit tag. Safe to share: SafeDumper resolves by value alone (no path resolvers)."""
_RESOLVED_MAX = 200_000


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """The same literal block style for a string the generic path reaches (inside a tuple, say)."""
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(_STR, value, style=style)


_BlockStyleDumper.add_representer(str, _represent_str)


def dump_yaml(document: Any) -> str:
    """Deterministic YAML: sorted keys, block style, no line folding."""
    direct = _direct(document)
    if direct is not None:
        return direct
    return yaml.dump(document, Dumper=_BlockStyleDumper, sort_keys=True, default_flow_style=False, width=4096)


# --- A direct writer for the documents manifests are made of ----------------------------------
#
# Nearly every manifest is dicts, lists, short one-line strings, ints, bools and nulls. For
# those the block layout PyYAML writes (with this module's options) is fixed, and only a
# string's style needs deciding: plain, or single-quoted where plain would be read back as
# something else or cannot be written plain. That decision is PyYAML's own: its resolver and
# `Emitter.analyze_scalar`, remembered per string. Anything else (multi-line strings, floats,
# tuples, long strings, mixed key types) makes the whole document go through PyYAML; either
# way the bytes are the same (tests/preview/test_render_yaml.py).

_ANALYZER = yaml.emitter.Emitter(io.StringIO())  # analyze_scalar reads only allow_unicode (False)
_RESOLVER = yaml.resolver.Resolver()  # SafeDumper's resolver: bool, float, int, null, timestamp, ...
_STYLED: dict[str, str | None] = {}
"""A one-line string -> how it is written in block context (None: not by the direct writer)."""
_LONGEST_SCALAR = 1_000  # far below `width`, so PyYAML never folds one; longer ones go to PyYAML
_LONGEST_KEY = 127  # PyYAML's longest simple key (`Emitter.check_simple_key`)


class _NotDirectError(Exception):
    """The document holds something only PyYAML's full path writes."""


def _styled(value: str) -> str:
    try:
        text = _STYLED[value]
    except KeyError:
        if len(_STYLED) > _RESOLVED_MAX:
            _STYLED.clear()
        text = _STYLED[value] = _style(value)
    if text is None:
        raise _NotDirectError
    return text


def _style(value: str) -> str | None:
    if len(value) > _LONGEST_SCALAR:
        return None
    analysis = _ANALYZER.analyze_scalar(value)
    if analysis.multiline:
        return None
    implicit = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR  # type: ignore[no-untyped-call]
    if implicit and not analysis.empty and analysis.allow_block_plain:
        return value
    if analysis.allow_single_quoted:
        return "'" + value.replace("'", "''") + "'"
    return None


def _scalar(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _styled(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    raise _NotDirectError


def _key(value: Any) -> str:
    text = _scalar(value)
    if len(text) > _LONGEST_KEY or value == "":  # PyYAML writes both as explicit `? key` entries
        raise _NotDirectError
    return text


def _mapping(data: dict[Any, Any], pad: str, first: str, out: list[str]) -> None:
    try:
        items = sorted(data.items())
    except TypeError:
        raise _NotDirectError from None
    lead = first
    for key, value in items:
        head = f"{lead}{_key(key)}:"
        lead = pad
        kind = type(value)
        if kind is dict and value:
            out.append(head + "\n")
            _mapping(value, pad + "  ", pad + "  ", out)
        elif kind is list and value:
            out.append(head + "\n")
            _sequence(value, pad, pad, out)  # PyYAML's default: a list in a mapping is not indented
        else:
            out.append(f"{head} {_value(value, kind)}\n")


def _sequence(data: list[Any], pad: str, first: str, out: list[str]) -> None:
    lead = first
    for item in data:
        kind = type(item)
        if kind is dict and item:
            _mapping(item, pad + "  ", lead + "- ", out)
        elif kind is list and item:
            _sequence(item, pad + "  ", lead + "- ", out)
        else:
            out.append(f"{lead}- {_value(item, kind)}\n")
        lead = pad


def _value(value: Any, kind: type) -> str:
    if kind is dict:
        return "{}"  # an empty one: non-empty ones are blocks
    if kind is list:
        return "[]"
    return _scalar(value)


def _direct(document: Any) -> str | None:
    """`document` as PyYAML writes it, or None where the direct writer does not apply."""
    kind = type(document)
    out: list[str] = []
    try:
        if kind is dict and document:
            _mapping(document, "", "", out)
        elif kind is list and document:
            _sequence(document, "", "", out)
        else:
            return None
    except _NotDirectError:
        return None
    return "".join(out)


def _cluster(resource: Registration) -> str:
    """The name of the Kubernetes provider a resource goes through: one provider, one cluster."""
    return _segment(resource.provider.rsplit("::", 1)[-1]) if resource.provider else DEFAULT_CLUSTER


def _segment(text: str) -> str:
    """A file name part that stays inside its folder whatever a program named its objects."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text).lstrip(".") or "_"


def manifests(plan: Plan) -> list[Manifest]:
    """Every Kubernetes object in the plan, as `<cluster>/<kind>-<namespace>-<name>.yaml`, sorted.

    `<cluster>` is the name of the Kubernetes provider the object is created through: two sites
    are two clusters, and each has its own `gpu-operator` namespace.
    """
    found = []
    for resource in plan.resources:
        if not resource.custom or not resource.type.startswith("kubernetes:"):
            continue
        if resource.type.startswith(_NOT_OBJECTS):
            continue
        body = {key: value for key, value in resource.inputs.items() if not key.startswith("__")}
        given = body.get("metadata")
        metadata: dict[str, Any] = given if isinstance(given, dict) else {}
        namespace = metadata.get("namespace") or CLUSTER_SCOPE
        kind = str(body.get("kind") or resource.type.rsplit(":", 1)[-1]).lower()
        # No metadata.name: pulumi-kubernetes names the object at `up` from the resource's own
        # name and a random suffix, which no preview can know; the file says so in its name.
        name = metadata.get("name") or f"{resource.name}-AUTONAMED"
        filename = f"{_cluster(resource)}/{_segment(f'{kind}-{namespace}-{name}')}.yaml"
        found.append(Manifest(filename, body))
    found.sort(key=lambda manifest: manifest.filename)
    clashes = sorted(name for name, count in Counter(m.filename for m in found).items() if count > 1)
    if clashes:
        raise SpecError.single(
            "manifests",
            f"two objects on one cluster share a kind, namespace and name ({', '.join(clashes)})",
            fix="rename one of them in the stack file or the program",
            check=PLAN_OUTPUT,
        )
    return found


def manifest_files(plan: Plan) -> dict[str, str]:
    """`<cluster>/<kind>-<namespace>-<name>.yaml` -> that object's YAML, for every object."""
    return {manifest.filename: manifest.to_yaml() for manifest in manifests(plan)}


def helm_values(plan: Plan) -> dict[str, str]:
    """`<cluster>/<namespace>-<release>.values.yaml` -> the values each Helm release is installed with."""
    files = {}
    for resource in plan.resources:
        if resource.type != _HELM_RELEASE:
            continue
        inputs = resource.inputs
        release = _segment(f"{inputs.get('namespace', 'default')}-{inputs.get('name', resource.name)}")
        filename = f"{_cluster(resource)}/{release}.values.yaml"
        files[filename] = dump_yaml(inputs.get("values", {}))
    return dict(sorted(files.items()))
