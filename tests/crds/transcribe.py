"""Transcribe one version of an upstream CRD's `openAPIV3Schema` into the JSON Schema files here.

Not a test: the tool that wrote the `*.schema.json` files, kept so they can be regenerated when a
pin moves. Usage (from a checkout or `git show` of the pinned tag):

    git -C <repo> show <tag>:<path> | python tests/crds/transcribe.py - <version> "<citation>" > out

Rules, so a file reads the same as the CRD it came from:
- descriptions and defaults are dropped (they do not validate); `status` is dropped;
- every object the CRD declares with `properties` (or with neither `properties` nor
  `additionalProperties`) gets `additionalProperties: false`, unless the CRD marks it
  `x-kubernetes-preserve-unknown-fields` (none of the pinned CRDs do);
- `nullable: true` allows `null`; `x-kubernetes-int-or-string` keeps the CRD's integer|string
  `anyOf`; `required`, `enum`, min/max, length, item and property bounds and patterns stay as they
  are;
- CEL rules (`x-kubernetes-validations`) do not run here. Those with a JSON Schema equivalent
  (enums of list items, `matches`, "not one of", "exactly one of", "X needs a non-empty Y") are written
  as JSON Schema; every rule is also kept as a `$comment` at the node that carries it, so a reader
  sees what the API server checks on top of this schema.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import yaml

_DROP = {
    "description",
    "default",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-int-or-string",
    "x-kubernetes-validations",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "nullable",
}
_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"


_ITEM_IN = re.compile(r"^self\.all\(x, (?:!has\(x\.(\w+)\) \|\| )?x\.(\w+) in \[([^\]]*)\]\)$")
_MATCHES = re.compile(r"^self\.matches\('(.*)'\)$")
_NOT_IN = re.compile(r"^!\(self in \[([^\]]*)\]\)$")
_NEEDS_NON_EMPTY = re.compile(r"^!has\(self\.(\w+)\) \|\| self\.(\w+)\.size\(\) >= 1$")
_ONE_OF = re.compile(r"^\[((?:has\(self\.\w+\),?)+)\]\.filter\(x,x==true\)\.size\(\) == 1$")


def _strings(cel_list: str) -> list[str]:
    return [item.strip().strip("'") for item in cel_list.split(",")]


def _cel_as_schema(rule: str, out: dict[str, Any]) -> None:
    """Write the JSON Schema equivalent of one CEL rule into `out`, where there is one."""
    if match := _ITEM_IN.match(rule):
        _guard, field, values = match.groups()
        out["items"]["properties"][field]["enum"] = _strings(values)
    elif match := _MATCHES.match(rule):
        out["pattern"] = match.group(1).replace("\\\\", "\\")
    elif match := _NOT_IN.match(rule):
        out["not"] = {"enum": _strings(match.group(1))}
    elif match := _NEEDS_NON_EMPTY.match(rule):
        present, needed = match.groups()
        non_empty = {"minProperties": 1, "minItems": 1}
        out.setdefault("allOf", []).append(
            {"if": {"required": [present]}, "then": {"required": [needed], "properties": {needed: non_empty}}}
        )
    elif match := _ONE_OF.match(rule):
        fields = re.findall(r"has\(self\.(\w+)\)", match.group(1))
        out["oneOf"] = [{"required": [field]} for field in fields]


def convert(node: dict[str, Any]) -> dict[str, Any]:
    """One openAPIV3Schema node -> the equivalent strict JSON Schema node."""
    out: dict[str, Any] = {}
    rules = [rule["rule"] for rule in node.get("x-kubernetes-validations", [])]
    if rules:
        out["$comment"] = "CEL rules of the CRD (JSON Schema above where one exists): " + " | ".join(rules)
    for key, value in node.items():
        if key in _DROP:
            continue
        if key == "properties":
            out[key] = {name: convert(child) for name, child in value.items()}
        elif key == "items" or (key == "additionalProperties" and isinstance(value, dict)):
            out[key] = convert(value)
        elif key in ("anyOf", "oneOf", "allOf"):
            out[key] = [convert(child) for child in value]
        elif key == "not":
            out[key] = convert(value)
        else:
            out[key] = value
    for rule in rules:
        _cel_as_schema(rule, out)
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    preserve = node.get("x-kubernetes-preserve-unknown-fields", False)
    if node.get("type") == "object" and "additionalProperties" not in node and not preserve:
        out["additionalProperties"] = False
    return out


def transcribe(crd: dict[str, Any], version: str, citation: str) -> dict[str, Any]:
    """The JSON Schema of `version` of `crd`: apiVersion/kind pinned, metadata loose, the rest strict."""
    names = crd["spec"]["names"]
    served = [entry for entry in crd["spec"]["versions"] if entry["name"] == version]
    if not served:
        raise SystemExit(f"{names['kind']} serves no version {version!r}")
    root = served[0]["schema"]["openAPIV3Schema"]
    metadata: dict[str, Any] = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "maxLength": 253, "pattern": _NAME},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    if crd["spec"]["scope"] == "Cluster":
        metadata["not"] = {"required": ["namespace"]}
    else:
        metadata["properties"]["namespace"] = {"type": "string", "maxLength": 63}
    properties: dict[str, Any] = {
        "apiVersion": {"const": f"{crd['spec']['group']}/{version}"},
        "kind": {"const": names["kind"]},
        "metadata": metadata,
    }
    for name, child in root["properties"].items():
        if name not in properties and name != "status":
            properties[name] = convert(child)
    # `spec` is required here though the API server accepts an object without one: gpudc always
    # writes it, so a missing spec is a bug worth catching.
    required = ["apiVersion", "kind", "metadata", *root.get("required", [])]
    if "spec" in properties and "spec" not in required:
        required.append("spec")
    return {
        "$comment": citation,
        "type": "object",
        "required": required,
        "additionalProperties": False,
        "properties": properties,
    }


def main(argv: list[str]) -> None:
    source, version, citation = argv
    text = sys.stdin.read() if source == "-" else open(source).read()  # noqa: SIM115
    json.dump(transcribe(yaml.safe_load(text), version, citation), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
