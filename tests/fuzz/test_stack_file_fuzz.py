"""Hostile stack files never crash gpudc.

For every generated `stacks/Pulumi.fuzz.yaml`, `gpudc validate` and `gpudc plan` each end in
success (exit 0) or in findings (exit 2) printed one per line, never in a traceback or a hang; when
`validate` finds errors, `plan` exits 2 with the same finding codes and writes no out/ directory.

The commands run in-process (typer's CliRunner isolation on `gpudc.cli.app`) against a copy of the
repository's Pulumi project (Pulumi.yaml and infra/), so a passing `plan` runs the real program.

Generators, mixed:
- near-valid: the repository's stacks (and variants of the lab using own hardware, clusters,
  a host driver, managed pools) with keys deleted or misspelt, values of the wrong type, huge and
  tiny numbers, hostile unicode, raw YAML spliced in (tags, aliases, merge keys, base-60, escapes),
  the `config:` wrapper gone, lines repeated or cut, other encodings and stray bytes;
- plannable: the same stacks with shape-keeping changes (numbers scaled, names swapped for other
  real names, items duplicated, optional fields added or dropped, waivers), so the placement,
  power, cooling, cluster and driver checks run and many examples plan;
- JSON environment: the environment as JSON text (how `pulumi.Config` hands it over), where none
  of the YAML reader's limits apply;
- random bytes, random text, random YAML-ish text.

Profiles (Hypothesis settings profiles, applied to this test only):
  gpudc-fuzz-ci    2,000 examples, derandomized (reproducible in CI); the default
  gpudc-fuzz-long  GPUDC_FUZZ_EXAMPLES=50000 pytest tests/fuzz -p no:randomly
                   (random seed, example database on; add --hypothesis-seed=N to repeat a run)
A failure prints the stack file's bytes and both commands' output; write the bytes to
stacks/Pulumi.x.yaml and run `gpudc validate x` to reproduce.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import os
import re
import shutil
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gpudc.cli import app

ROOT = Path(__file__).resolve().parents[2]
STACK = "fuzz"
FILE_SEEDS = {
    name: yaml.safe_load((ROOT / "stacks" / f"Pulumi.{name}.yaml").read_text()) for name in ("lab", "plano")
}


def _derived_seeds(lab: dict[str, Any]) -> dict[str, Any]:
    """The lab stack reshaped to use what the repository's stacks do not: hardware of the file's own,
    several clusters with kubeconfig secrets and a management cluster, a host-installed driver, and a
    site of managed pools. Only a starting point: the fuzzer does not need them to stay valid."""

    def environment(doc: dict[str, Any]) -> dict[str, Any]:
        env: dict[str, Any] = doc["config"]["gpudc:environment"]
        return env

    own = copy.deepcopy(lab)
    env = environment(own)
    env["gpu_models"] = {
        "acme-x1": {
            "name": "acme-x1",
            "product_name": "ACME X1 80GB",
            "architecture": "hopper",
            "memory_gib": 80,
            "max_power_w": 700,
            "nvlink_generation": 4,
            "nvlink_bandwidth_gbs": 900,
            "mig_profiles": ["1g.10gb", "7g.80gb"],
            "min_driver_branch": 535,
            "source": "https://example.com/acme-x1",
        }
    }
    env["node_models"] = {
        "acme-x1-4gpu": {
            "name": "acme-x1-4gpu",
            "product_name": "ACME 4U X1 server",
            "gpu_model": "acme-x1",
            "gpus_per_system": 4,
            "nodes_per_system": 1,
            "cpu_sockets": 2,
            "cpu_cores": 64,
            "memory_gib": 1024,
            "max_power_kw": 5.0,
            "rack_units": 4,
            "cooling": "air",
            "nics": [{"fabric": "compute", "count": 4, "speed_gbps": 400, "model": "ConnectX-7"}],
            "source": "https://example.com/acme-x1-4gpu",
        }
    }
    env["sites"][0]["pools"][0].update(node_model="acme-x1-4gpu", nodes=8)

    clusters = copy.deepcopy(lab)
    site = environment(clusters)["sites"][0]
    access, operator = site.pop("kubernetes"), site.pop("gpu_operator")
    site["clusters"] = [
        {"name": "prod", "kubernetes": {**access, "context": "lab-prod"}, "gpu_operator": operator},
        {
            "name": "staging",
            "kubernetes": {"type": "kubeconfig-secret", "config_key": "staging-kubeconfig"},
            "management": {"type": "context", "context": "capi-mgmt"},
            "gpu_operator": {**operator, "namespace": "gpu-ops", "mig_strategy": "none"},
        },
    ]
    pool = site["pools"][0]
    site["pools"] = [
        {**pool, "name": "h100-prod", "nodes": 2, "cluster": "prod"},
        {
            **pool,
            "name": "h100-staging",
            "nodes": 2,
            "cluster": "staging",
            "taints": [{"key": "a.b/c", "effect": "NoExecute"}],
        },
    ]
    site["halls"][0]["rows"] = [{"name": "a", "racks": 2}]
    site["halls"][0]["power_kw"] = 100
    site["utility_power_mw"] = 0.2
    clusters["config"]["gpudc:staging-kubeconfig"] = {"secure": "v1:AAAAAAAAAAAAAAAA"}
    clusters["encryptionsalt"] = "v1:AAAAAAAAAAA=:v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

    host = copy.deepcopy(lab)
    environment(host)["sites"][0]["gpu_operator"]["driver"] = {"mode": "host", "version": "580.95.05"}

    managed = copy.deepcopy(lab)
    site = environment(managed)["sites"][0]
    for key in ("halls", "utility_power_mw", "power_headroom"):
        site.pop(key)
    site["pools"] = [
        {
            "name": "h200",
            "placement": "managed",
            "node_model": "hgx-h200-8gpu",
            "nodes": 16,
            "provisioner": {"type": "existing"},
            "labels": {"gpudc.example/tier": "gold"},
        }
    ]
    return {"own-hardware": own, "clusters": clusters, "host-driver": host, "managed": managed}


def _plano_in_small(plano: dict[str, Any]) -> dict[str, Any]:
    """Plano's shape (four halls, four pools, its waiver, tenants) at a size a fuzz example can
    plan in a fraction of a second: one system a pool, nodes joined outside gpudc. The real plano
    (a BareMetalHost and a BMC Secret per machine, ~1,400 resources) is planned once by
    `test_the_seed_stacks_plan_cleanly`; thousands of examples of it would take the suite's budget."""
    small = copy.deepcopy(plano)
    env = small["config"]["gpudc:environment"]
    for site in env["sites"]:
        for pool in site["pools"]:
            pool["nodes"] = 18 if "gb200" in pool["node_model"] else 4
            pool.pop("inventory", None)
            pool["provisioner"] = {"type": "existing"}
        for cluster in site.get("clusters", ()):
            for tenant in cluster.get("tenants", ()):
                for quota in tenant["gpus"]:  # three tenants' 8 GPUs fit in 4 nodes of 8
                    quota.update(
                        {key: min(quota[key], 8) for key in ("gpus", "borrowing_limit", "lending_limit")}
                    )
    return small


SEEDS = {
    **FILE_SEEDS,
    "plano": _plano_in_small(FILE_SEEDS["plano"]),
    **_derived_seeds(FILE_SEEDS["lab"]),
}


def _schema_words() -> tuple[list[str], list[str]]:
    """Every property name and enum value of the stack file's JSON Schema: keys and values the
    seeds leave out (driver.version, placement, management, ...) that mutations can add."""
    keys: set[str] = set()
    values: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            keys.update(node.get("properties", {}))
            values.update(str(v) for v in node.get("enum", []))
            if "const" in node:
                values.add(str(node["const"]))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    with contextlib.suppress(OSError, ValueError):
        walk(json.loads((ROOT / "schema" / "stack-file.schema.json").read_text()))
    return sorted(keys), sorted(values)


SCHEMA_KEYS, SCHEMA_VALUES = _schema_words()
_SEED_JSON = {name: json.dumps(doc) for name, doc in SEEDS.items()}  # json.loads copies faster than deepcopy
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _strings(node: Any) -> list[str]:
    return sorted({leaf for leaf in _leaves(node) if isinstance(leaf, str) and len(leaf) < 40})


def _leaves(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value)
    else:
        yield node


_SEED_STRINGS = {name: _strings(doc) for name, doc in SEEDS.items()}
TIMEOUT_SECONDS = 30  # per command; a hang fails the example instead of the CI job's timeout

# -- profiles -----------------------------------------------------------------------------------

_COMMON = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("gpudc-fuzz-ci", _COMMON, max_examples=2_000, derandomize=True, database=None)
settings.register_profile(
    "gpudc-fuzz-long", _COMMON, max_examples=int(os.environ.get("GPUDC_FUZZ_EXAMPLES") or 50_000)
)
PROFILE = settings.get_profile(
    "gpudc-fuzz-long" if os.environ.get("GPUDC_FUZZ_EXAMPLES") else "gpudc-fuzz-ci"
)

# -- hostile values -----------------------------------------------------------------------------

FULLWIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}  # "5" -> "\uff15" (fullwidth five)
FULLWIDTH_DIGITS = {ord(digit): ord(digit) + 0xFEE0 for digit in "0123456789"}
HOSTILE_TEXT = [
    "",
    " ",
    "580.95.05".translate(FULLWIDTH_DIGITS),
    "v26.7.0".translate(FULLWIDTH_DIGITS),
    "\u202eevil\u202c",
    "\u2066isolate\u2069",
    "\x1b[32mOK\x1b[0m",
    "\x1b]0;title\x07",
    "a\u200bb",
    "\ufeffbom",
    "\u00a0",
    "🚀🔥",
    "👩\u200d👩\u200d👧",
    "line\nbreak",
    "tab\there",
    "cr\rreturn",
    "\u2028\u2029",
    "\x85nel",
    "null",
    "~",
    "yes",
    "No",
    "on",
    "0x1F",
    "0o17",
    "1_000",
    "08",
    "1e3",
    ".inf",
    "-.nan",
    "12:30:45",
    "2024-02-30",
    "<<",
    "=",
    "*a",
    "&a",
    "!!int 3",
    "{{ jinja }}",
    "{% raw %}",
    "${PULUMI}",
    "$(rm -rf /)",
    "../../etc/passwd",
    "C:\\Windows",
    "a" * 4_000,
    "é" * 4_000,
    "x\n" * 2_000,
    "I" * 63 + "J",
    "-leading-dash",
    "UPPER",
    "with space",
    "Ǆ",
    "ﬃ",
    "İ",
]
SPECIAL_NUMBERS: list[Any] = [
    0,
    -0.0,
    -1,
    1,
    0.5,
    1e308,
    -1e308,
    5e-324,
    2.2250738585072014e-308,
    float("inf"),
    float("-inf"),
    float("nan"),
    2**31,
    2**53 + 1,
    2**63,
    2**64,
    -(2**63) - 1,
    10**300,
    10**4_000,
    True,
    False,
]
scalar_values = st.one_of(
    st.sampled_from(SPECIAL_NUMBERS),
    st.sampled_from(HOSTILE_TEXT),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
)
hostile_values = st.one_of(
    scalar_values,
    st.lists(scalar_values, max_size=4),
    st.dictionaries(st.text(max_size=6), scalar_values, max_size=3),
    st.builds(list),  # fresh each time: a mutation must never change a strategy's own value
    st.builds(dict),
)

# Raw YAML, spliced into the dumped text where a placeholder string stands: things `yaml.safe_dump`
# cannot write (tags, aliases, huge literals, escapes that make lone surrogates).
RAW_VALUES = [
    "1" + "0" * 5_000,
    "-" + "9" * 4_301,
    "0x" + "f" * 4_000,
    "0b" + "1" * 20_000,
    "1" + ":59" * 2_000,
    "1e400",
    "-1e400",
    ".NaN",
    "0o777",
    "0777",
    "+12_345",
    "12:30",
    "2024-02-30",
    "2024-01-01 12:00:00",
    "!!int abc",
    "!!int 0x",
    "!!int ''",
    "!!float x",
    "!!float ''",
    "!!bool maybe",
    "!!null x",
    "!!timestamp 2024-02-30",
    "!!timestamp 2024-01-01",
    "!!binary aGVsbG8=",
    "!!binary '%%%'",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!pairs [a: 1, a: 2]",
    "!!seq text",
    "!!map text",
    "!!str [a]",
    "!!str {a: 1}",
    "!!python/object:os.system",
    "!!python/object/apply:os.system ['true']",
    "!!python/name:builtins.eval",
    "!custom thing",
    "!<tag:example.com,2000:x> y",
    "!!value x",
    "!!merge x",
    "&a 5",
    "*a",
    "*undefined",
    "&a [*a]",
    "{<<: {a: 1}}",
    "{a: 1, a: 2}",
    "{? [a]: 1}",
    "{[a]: 1}",
    "[" * 40 + "]" * 40,
    "{a: " * 40 + "1" + "}" * 40,
    "[" * 2_000 + "]" * 2_000,
    '"\\uD800"',
    '"\\udfff"',
    '"a\\U0010FFFFb"',
    '"\\e[31mRED"',
    '"\\0"',
    '"\\x85"',
    '"\\u202e"',
    '"\\L\\P"',
    '"\\_"',
    "'it''s'",
    '"\\N"',
    '"' + "\\x41" * 2_000 + '"',
    "|-\n  literal",  # only valid in block context; otherwise a syntax error, which is fine too
    "> folded",
    '"' + "[" * 200_000 + '"',  # a JSON environment 200,000 levels deep, as a string
    "'" + '{"sites": ' * 3_000 + "1" + "}" * 3_000 + "'",
    "'{\"sites\": NaN}'",
    '\'{"sites": [], "sites": 1}\'',
    "'" + '{"a": ' + "1" * 5_000 + "}'",
    "'[1e999]'",
]
RAW_KEYS = [
    "[a, b]",
    "{a: 1}",
    "? [x]\n",
    "1",
    "1.5",
    "null",
    "~",
    "true",
    "2024-01-01",
    "!!binary aGk=",
    "!!int 7",
    "!!str 7",
    "&k key",
    "*k",
    "<<",
    "!!merge x",
    '"\\uD800"',
    '"\\x1b[31m"',
    "''",
    '"gpudc:environment"',
]
RAW_FRAGMENTS = [
    "x: !!int abc\n",
    "x: !!float x\n",
    "x: !!bool maybe\n",
    "x: !!timestamp 2024-02-30\n",
    "x: !!binary aGVsbG8=\n",
    "x: !!set {a, b}\n",
    "x: !!python/object:os.system\n",
    "x: !!python/object/apply:os.system [echo pwned]\n",
    "a: &a [1, 2]\nb: *a\n",
    "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n",
    "<<: {a: 1}\n",
    "config: {}\n",  # a duplicate top-level key
    "config:\n  gpudc:environment: 1\n",
    "---\nconfig: {}\n",
    "...\n---\n",
    "--- !!str\n",
    "%YAML 1.1\n---\n",
    "%TAG ! tag:example.com,2000:\n---\n",
    "deep: " + "[" * 40 + "]" * 40 + "\n",
    "deep: " + "{a: " * 40 + "1" + "}" * 40 + "\n",
    "deep:\n" + "".join("  " * (i + 1) + f"l{i}:\n" for i in range(40)) + "  " * 41 + "x: 1\n",
    "? [a, b]\n: c\n",
    "? |\n  block key\n: 1\n",
    "x: 'unterminated\n",
    'x: "bad \\q escape"\n',
    "x: [1, 2\n",
    "x:\n\t- tab\n",
    "  - stray\n",
    "- top\n",
    "secret: {secure: v1:AAAA}\n",
    "# comment only\n",
    "x: \x1b[32mOK\n",
    "x: \u202eevil\n",
    "x: \ufeff\n",
    "x: \x07bell\n",
    "x: \ud7ff\ue000\n",
    "x: \ufffe\n",
]
KEY_TYPOS = [
    "gpudc:enviroment",
    "gpudc:Environment",
    "gpudc:environment ",
    " gpudc:environment",
    "gpudc:environments",
    "gpudc:env",
    "gpudc_environment",
    "gpudc\uff1aenvironment",
    "gpudc".translate(FULLWIDTH) + ":environment",
    "gpudc:environ\u200bment",
    "GPUDC:environment",
    "gpudc::environment",
    "gpudc:",
    ":environment",
    "gpudc:environment:extra",
    "gpudc:kubeconfig",
    "gpudc:lab-kubeconfig",
    "pulumi:disable-default-providers",
    "kubernetes:context",
    "aws:region",
    "environment",
    "confg",
    "Config",
    "config ",
    "sites",
    "waivers",
    "description",
    "halls",
    "pools",
    "nodes",
    "name",
]

# -- mutating the real stacks -------------------------------------------------------------------

Path_ = tuple[Any, ...]


def _paths(node: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _get(doc: Any, path: Path_) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _set(doc: Any, path: Path_, value: Any) -> Any:
    """Set the value at `path` (the whole document when the path is empty); return the document."""
    if not path:
        return value
    _get(doc, path[:-1])[path[-1]] = value
    return doc


def _rename(container: dict[Any, Any], old: Any, new: Any) -> None:
    """Rename a key in place, keeping the key order (so the YAML reads like the original)."""
    items = [(new if key == old else key, value) for key, value in container.items()]
    container.clear()
    container.update(items)


def _misspell(draw: st.DrawFn, word: str) -> str:
    if not word:
        return "x"
    kind = draw(st.integers(0, 7))
    i = draw(st.integers(0, len(word) - 1))
    if kind == 0:
        return word[:i] + word[i + 1 :]  # a letter dropped
    if kind == 1:
        return word[:i] + word[i] + word[i:]  # a letter doubled
    if kind == 2 and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped
    if kind == 3:
        return word.upper()
    if kind == 4:
        return word.replace("_", "-") if "_" in word else word + "_"
    if kind == 5:
        return (
            word[:i]
            + draw(st.sampled_from(["\u200b", "\u00a0", "\u202e", "\x1b", "\u00e9", "\u0131"]))
            + word[i:]
        )
    if kind == 6:
        return word.translate(FULLWIDTH_DIGITS) if any(c.isdigit() for c in word) else word.title()
    return word + " "


def _tweak_number(draw: st.DrawFn, value: float) -> Any:
    factor = draw(st.sampled_from([0, -1, 0.5, 1.5, 2, 10, 1_000, 1e6, 1e-6]))
    try:
        result = value * factor
    except OverflowError:  # a whole number too large for a float
        return value
    if (
        isinstance(result, float)
        and math.isfinite(result)
        and result == int(result)
        and abs(result) < 1e15
        and draw(st.booleans())
    ):
        return int(result)
    if draw(st.booleans()):
        return str(value)  # a number written as text
    return result


def _tweak_text(draw: st.DrawFn, value: str, strings: list[str]) -> Any:
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(st.sampled_from(strings))  # another real name: a dangling or repeated reference
    if kind == 1:
        return value.translate(FULLWIDTH)
    if kind == 2:
        return value + draw(st.sampled_from(HOSTILE_TEXT))
    if kind == 3:
        return (value or "x") * (4_000 // max(len(value), 1) + 1)
    if kind == 4:
        return _misspell(draw, value)
    if kind == 5:
        return value.upper()
    if kind == 6:
        return f" {value} "
    return draw(st.sampled_from(HOSTILE_TEXT))


def _nested(depth: int, leaf: Any, as_list: bool) -> Any:
    for _ in range(depth):
        leaf = [leaf] if as_list else {"a": leaf}
    return leaf


@dataclass
class _Raw:
    """Placeholders in the document for raw YAML that is spliced in after dumping."""

    values: dict[str, str] = field(default_factory=dict)

    def add(self, raw: str) -> str:
        token = f"fuzzraw{len(self.values):04d}z"
        self.values[token] = raw
        return token

    def splice(self, text: str) -> str:
        for token, raw in self.values.items():
            text = text.replace(token, raw)
        return text


def _mutate(draw: st.DrawFn, doc: Any, raw: _Raw, strings: list[str]) -> Any:
    paths = list(_paths(doc))
    path = paths[draw(st.integers(0, len(paths) - 1))]
    target = _get(doc, path)
    parent = _get(doc, path[:-1]) if path else None
    op = draw(st.integers(0, 9))
    if op == 0 and path and isinstance(parent, dict | list):  # delete a key or an item
        del parent[path[-1]]
    elif op == 1:  # a value of the wrong type, or a hostile one
        doc = _set(doc, path, draw(hostile_values))
    elif op == 2 and isinstance(target, int | float) and not isinstance(target, bool):
        doc = _set(doc, path, _tweak_number(draw, target))
    elif op == 2 and isinstance(target, str):
        doc = _set(doc, path, _tweak_text(draw, target, strings))
    elif op == 3 and path and isinstance(parent, dict):  # a misspelt or hostile key
        old = path[-1]
        if draw(st.booleans()):
            new: Any = _misspell(draw, str(old))
        elif draw(st.booleans()):
            new = draw(st.sampled_from(KEY_TYPOS + HOSTILE_TEXT[:30]))
        else:
            new = raw.add(draw(st.sampled_from(RAW_KEYS)))
        if new not in parent:
            _rename(parent, old, new)
    elif op == 4 and isinstance(target, dict):  # an extra, unknown key
        key = draw(
            st.sampled_from(SCHEMA_KEYS or KEY_TYPOS) | st.sampled_from(KEY_TYPOS) | st.text(max_size=8)
        )
        target.setdefault(
            key, draw(st.sampled_from(SCHEMA_VALUES or ["x"]) | st.sampled_from(strings) | hostile_values)
        )
    elif op == 5 and isinstance(target, list) and target:  # a duplicated site, hall, pool, row ...
        item = target[draw(st.integers(0, len(target) - 1))]
        target.insert(draw(st.integers(0, len(target))), copy.deepcopy(item))
    elif op == 6:  # raw YAML: a tag, an alias, a huge literal, an escape
        doc = _set(doc, path, raw.add(draw(st.sampled_from(RAW_VALUES))))
    elif op == 7:  # wrapped, or nested 40 levels deep
        depth = draw(st.sampled_from([1, 2, 40]))
        doc = _set(doc, path, _nested(depth, target, draw(st.booleans())))
    elif op == 8 and isinstance(target, list):  # emptied or cut short
        del target[draw(st.integers(0, len(target))) :]
    else:  # a numeric or text leaf pushed somewhere nearby
        doc = _set(doc, path, draw(hostile_values) if path else doc)
    return doc


def _reshape(draw: st.DrawFn, doc: dict[str, Any]) -> Any:
    """Whole-document changes: the `config:` wrapper gone, the environment as text, and so on."""
    config = doc["config"]
    env = config.get("gpudc:environment")
    kind = draw(st.integers(0, 10))
    if kind == 0:
        return config  # no `config:` wrapper
    if kind == 1:
        config["gpudc:environment"] = json.dumps(env)  # as a JSON string (how pulumi.Config stores it)
    elif kind == 2:
        config["gpudc:environment"] = yaml.safe_dump(env)  # as a YAML string
    elif kind == 3:
        config["gpudc:environment"] = draw(
            st.sampled_from(["sites", "", "{}", "[]", "null", "1", "NaN", '"x"'])
        )
    elif kind == 4:
        config["gpudc:environment"] = env.get("sites") if isinstance(env, dict) else env  # a bare list
    elif kind == 5:
        _rename(config, "gpudc:environment", draw(st.sampled_from(KEY_TYPOS)))
    elif kind == 6:
        return {draw(st.sampled_from(["confg", "Config", "configuration", "config:"])): config}
    elif kind == 7:
        config[draw(st.sampled_from(KEY_TYPOS))] = draw(
            hostile_values | st.just({"secure": "v1:AAAA"}) | st.just({"secure": 5})
        )
    elif kind == 8:
        doc["config"] = draw(hostile_values)
    elif kind == 9:  # as JSON text nested deeper than any parser's recursion limit
        depth = draw(st.sampled_from([2_000, 40, 500, 50_000]))
        opener, closer = draw(st.sampled_from([('{"sites": ', "}"), ("[", "]")]))
        config["gpudc:environment"] = opener * depth + "1" + closer * depth
    else:
        doc[draw(st.text(max_size=6))] = draw(hostile_values)  # a top-level key beside config:
    return doc


def _text_edit(draw: st.DrawFn, text: str) -> str:
    """Edits on the YAML text: raw fragments appended or inserted, a line repeated."""
    lines = text.splitlines(keepends=True) or [""]
    kind = draw(st.integers(0, 3))
    at = draw(st.integers(0, len(lines)))
    if kind == 0:
        return text + draw(st.sampled_from(RAW_FRAGMENTS))
    if kind == 1 and at < len(lines):  # a repeated line: usually a duplicate key
        return "".join([*lines[: at + 1], lines[at], *lines[at + 1 :]])
    if kind == 2:  # a fragment at the indentation of the line it lands on
        indent = re.match(r"[ -]*", lines[min(at, len(lines) - 1)]).group().replace("-", " ")  # type: ignore[union-attr]
        fragment = "".join(
            indent + line for line in draw(st.sampled_from(RAW_FRAGMENTS)).splitlines(keepends=True)
        )
        return "".join([*lines[:at], fragment, *lines[at:]])
    if kind == 3 and at < len(lines):  # a line cut off, or lost
        line = lines[at]
        cut = draw(st.integers(0, len(line)))
        return "".join([*lines[:at], line[:cut] + ("\n" if draw(st.booleans()) else ""), *lines[at + 1 :]])
    return text


def _encode(draw: st.DrawFn, text: str) -> bytes:
    kind = draw(st.integers(0, 11))
    data = text.encode("utf-8", "surrogatepass")
    if kind == 0:
        data = text.encode("utf-16", "surrogatepass")
    elif kind == 1:
        data = text.encode("utf-16-le", "surrogatepass")
    elif kind == 2:
        data = text.encode("latin-1", "replace")
    elif kind == 3:
        data = b"\xef\xbb\xbf" + data  # a UTF-8 BOM: allowed
    elif kind == 4:
        data = text.encode("utf-32", "surrogatepass")
    elif kind == 5:
        data = data.replace(b"\n", b"\r\n")
    elif kind == 6 and data:  # a stray byte or two
        stray = draw(
            st.sampled_from([b"\xff\xfe", b"\x00", b"\xc3", b"\xed\xa0\x80", b"\x80", b"\r", b"\x1b[2J"])
        )
        at = draw(st.integers(0, len(data)))
        data = data[:at] + stray + data[at:]
    elif kind == 7 and data:  # truncated mid-character, mid-line
        data = data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def near_valid_stack_files(draw: st.DrawFn) -> bytes:
    """A real stack, mutated a few times, dumped, sometimes edited as text and re-encoded."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    doc: Any = json.loads(_SEED_JSON[name])
    strings = _SEED_STRINGS[name]
    raw = _Raw()
    for _ in range(draw(st.integers(0, 3))):
        doc = _mutate(draw, doc, raw, strings)
    if isinstance(doc, dict) and isinstance(doc.get("config"), dict) and draw(st.integers(0, 4)) == 0:
        doc = _reshape(draw, doc)
    text = yaml.dump(
        doc,
        Dumper=_Dumper,
        allow_unicode=draw(st.sampled_from([True, True, False])),
        sort_keys=False,
        default_flow_style=draw(st.sampled_from([False, False, None, True])),
        width=draw(st.sampled_from([80, 10_000, 20])),
    )
    text = raw.splice(text)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        text = _text_edit(draw, text)
    data = _encode(draw, text) if draw(st.integers(0, 3)) == 0 else text.encode("utf-8", "surrogatepass")
    event(f"seed {name}")
    return data


FREE_TEXT_KEYS = {"description", "reason", "city", "subdivision", "region", "zone", "context", "product_name"}


def _catalog_words() -> list[str]:
    """Names a stack file may refer to: catalog node and GPU models, GPU Operator releases, check
    codes (for waivers). Read from gpudc when it has them; the fuzzer works without."""
    words: list[str] = []
    with contextlib.suppress(ImportError, AttributeError):
        from gpudc.catalog import GPU_MODELS, NODE_MODELS

        words += [*NODE_MODELS, *GPU_MODELS]
    with contextlib.suppress(ImportError, AttributeError):
        from gpudc.catalog.software import GPU_OPERATOR_RELEASES

        words += list(GPU_OPERATOR_RELEASES)
    with contextlib.suppress(ImportError, AttributeError):
        from gpudc.core.findings import CHECKS

        words += list(CHECKS)
    return sorted(set(words))


CATALOG_WORDS = _catalog_words()
DRIVER_VERSIONS = ["580.95.05", "535.0", "470.57.02", "999.9999.9999", "610.1", "525.85.12", "000.0"]
PLAUSIBLE_NUMBERS = [0, 1, 2, 3, 8, 10, 42, 48, 100, 1_000, 100_000, 0.01, 0.1, 0.5, 1.0, 1.5, 3.0, 20.0]


def _written_path(path: Path_) -> str:
    """`("sites", 0, "halls", 1, "power_kw")` -> `sites[0].halls[1].power_kw`, as waivers write it."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _semantic_edit(draw: st.DrawFn, doc: Any, strings: list[str]) -> None:
    """One change that keeps the document's shape and types but may break what it means: more
    nodes than fit, another hall or node model, a cooling type too weak, a pool duplicated under a
    new name, a waiver for a real finding code, free text made hostile."""
    paths = [path for path in _paths(doc) if path]
    if not paths:  # everything deleted already
        return
    path = paths[draw(st.integers(0, len(paths) - 1))]
    value, parent = _get(doc, path), _get(doc, path[:-1])
    kind = draw(st.integers(0, 5))
    if isinstance(value, bool):
        _set(doc, path, not value)
    elif kind <= 1 and isinstance(value, int | float):
        if draw(st.booleans()):
            scaled = value * draw(st.sampled_from([0.1, 0.5, 0.9, 0.99, 1.01, 1.1, 2, 10, 100]))
            _set(doc, path, round(scaled) if isinstance(value, int) else scaled)
        else:
            _set(doc, path, draw(st.sampled_from(PLAUSIBLE_NUMBERS)))
    elif kind <= 1 and isinstance(value, str):
        if path[-1] in FREE_TEXT_KEYS or "labels" in path:
            _set(doc, path, draw(st.sampled_from(HOSTILE_TEXT) | st.text(max_size=30)))
        else:  # another name of the right kind: a hall, a node model, a release, a cooling type
            pool = strings + CATALOG_WORDS + SCHEMA_VALUES + DRIVER_VERSIONS
            _set(doc, path, draw(st.sampled_from(pool)))
    elif kind == 2 and isinstance(value, list) and value:  # one more site, hall, pool, row, taint
        item = copy.deepcopy(value[draw(st.integers(0, len(value) - 1))])
        if isinstance(item, dict) and isinstance(item.get("name"), str) and draw(st.booleans()):
            item["name"] += draw(st.sampled_from(["-b", "2", "-copy"]))
        value.append(item)
    elif kind == 3 and isinstance(parent, dict):  # an optional (or required) field left out
        del parent[path[-1]]
    elif kind == 4 and isinstance(value, dict):  # a field the seeds leave out
        key = draw(st.sampled_from(SCHEMA_KEYS or ["version"]))
        if key == "waivers":
            leaf = _written_path(
                path[path.index("gpudc:environment") + 1 :] if "gpudc:environment" in path else path
            )
            codes = [word for word in CATALOG_WORDS if word.startswith("GPUDC-")] or ["GPUDC-POWER-005"]
            value[key] = [
                {
                    "code": draw(st.sampled_from(codes)),
                    "path": leaf or "sites",
                    "reason": "accepted for the fuzz test",
                }
            ]
        else:
            pool = strings + CATALOG_WORDS + SCHEMA_VALUES + DRIVER_VERSIONS
            value.setdefault(key, draw(st.sampled_from(pool) | st.sampled_from(PLAUSIBLE_NUMBERS)))
    elif kind == 5 and isinstance(value, list | dict) and len(value) > 1:  # the order changed
        items = list(value.items()) if isinstance(value, dict) else list(value)
        order = draw(st.permutations(range(len(items))))
        reordered = [items[i] for i in order]
        _set(doc, path, dict(reordered) if isinstance(value, dict) else reordered)


@st.composite
def plannable_stack_files(draw: st.DrawFn) -> bytes:
    """A real stack with changes that keep its shape (so most reach the placement, power, cooling,
    cluster and driver checks, and many still plan: the Pulumi program, the derived figures and
    the plan writer run), written in varied YAML styles."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    doc: Any = json.loads(_SEED_JSON[name])
    for _ in range(draw(st.integers(0, 5))):
        _semantic_edit(draw, doc, _SEED_STRINGS[name])
    text = yaml.dump(
        doc,
        Dumper=_Dumper,
        allow_unicode=draw(st.booleans()),
        sort_keys=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, None, True])),
        width=draw(st.sampled_from([80, 10_000, 20])),
        indent=draw(st.sampled_from([2, 4])),
    )
    prefix = draw(st.sampled_from(["", "\ufeff", "# yaml-language-server: x\n", "---\n", "%YAML 1.1\n---\n"]))
    data = (prefix + text + draw(st.sampled_from(["", "...\n", "\n\n# end\n"]))).encode()
    if draw(st.booleans()):
        data = data.replace(b"\n", b"\r\n")
    event(f"plannable {name}")
    return data


# JSON that the environment may arrive as (`pulumi.Config` hands structured values over as JSON
# text, so a string value is parsed as JSON): none of the YAML reader's limits apply to it.
JSON_RAW = [
    "NaN",
    "-Infinity",
    "1e999",
    "1" + "0" * 5_000,
    "-" + "9" * 400,
    '"\\ud800"',
    '"\\u0000"',
    '"\\u001b[31mRED"',
    '"\\u202e"',
    "[" * 40 + "]" * 40,
    "[" * 900 + "]" * 900,
    "[" * 2_000 + "]" * 2_000,
    '{"a": ' * 2_000 + "1" + "}" * 2_000,
    '{"a": 1, "a": 2}',
    "[1, 2,]",
    "'single'",
]


@st.composite
def json_environment_stack_files(draw: st.DrawFn) -> bytes:
    """A real stack whose environment is written as a JSON string, changed inside the JSON."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    doc: Any = json.loads(_SEED_JSON[name])
    env = doc["config"]["gpudc:environment"]
    for _ in range(draw(st.integers(0, 2))):
        _semantic_edit(draw, env, _SEED_STRINGS[name])
    raw: dict[str, str] = {}
    for _ in range(draw(st.integers(0, 2))):
        paths = list(_paths(env))
        path = paths[draw(st.integers(0, len(paths) - 1))]
        if draw(st.booleans()):
            token = f"fuzzjson{len(raw):04d}z"
            raw[f'"{token}"'] = draw(st.sampled_from(JSON_RAW))
            env = _set(env, path, token)
        else:
            env = _set(env, path, draw(hostile_values))
    text = json.dumps(env, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2])))
    for token, value in raw.items():
        text = text.replace(token, value)
    if draw(st.booleans()) and text.startswith("{"):  # a duplicate key: JSON keeps the last
        text = '{"sites": [], ' + text[1:]
    doc["config"]["gpudc:environment"] = text
    event(f"json environment {name}")
    return yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000).encode(
        "utf-8", "surrogatepass"
    )


YAML_ALPHABET = st.sampled_from(
    [*":-?,[]{}#&*!|>'\"%@` \n\t\\.0123456789eE+_~", "config", "gpudc:environment", "sites", "  ", "\n  "]
)
yamlish_text = st.lists(YAML_ALPHABET | st.characters(), max_size=80).map("".join)

stack_files = st.one_of(
    near_valid_stack_files(),
    near_valid_stack_files(),
    near_valid_stack_files(),
    plannable_stack_files(),
    plannable_stack_files(),
    plannable_stack_files(),
    json_environment_stack_files(),
    st.binary(max_size=512),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
    yamlish_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
    yamlish_text.map(lambda text: f"config:\n  gpudc:environment: {text}\n".encode("utf-8", "surrogatepass")),
)

# -- running the CLI in-process -----------------------------------------------------------------

FINDING_LINE = re.compile(r"^(error|warning) GPUDC-[A-Z]+-[0-9]{3} \S")
SUMMARY_LINE = re.compile(r"^\d+ error\(s\), \d+ warning\(s\)$")


class CommandHung(BaseException):  # a BaseException, so `except Exception` cannot swallow it
    """A command ran past TIMEOUT_SECONDS."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise CommandHung(f"a command ran past {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Outcome:
    command: str
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def crashed(self) -> bool:
        return self.exception is not None and not isinstance(self.exception, SystemExit)

    def describe(self) -> str:
        text = f"`gpudc {self.command}` exited {self.exit_code}"
        if self.crashed:
            assert self.exception is not None
            text += ":\n" + "".join(traceback.format_exception(self.exception))
        return text + f"\n--- stdout ---\n{self.stdout[-3000:]}\n--- stderr ---\n{self.stderr[-3000:]}"

    def finding_codes(self) -> list[str]:
        return sorted(
            " ".join(line.split(" ", 2)[:2]) for line in self.stderr.splitlines() if FINDING_LINE.match(line)
        )


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def stack_file(self) -> Path:
        return self.root / "stacks" / f"Pulumi.{STACK}.yaml"

    @property
    def out(self) -> Path:
        return self.root / "out"


def make_project(root: Path) -> Project:
    """A copy of the repository's Pulumi project with no stack files, but the stacks' inventories
    (the seed stacks name them)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copytree(ROOT / "infra", root / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "stacks").mkdir()
    shutil.copytree(
        ROOT / "stacks" / "inventory", root / "stacks" / "inventory", ignore=shutil.ignore_patterns("*.py")
    )
    return Project(root)


_RUNNER = CliRunner()
_COMMAND = typer.main.get_command(app)  # built once: `CliRunner.invoke` rebuilds it on every call


def _invoke(project: Project, command: str, *extra: str) -> Outcome:
    """`CliRunner.invoke(app, ...)` with `catch_exceptions=True`, minus rebuilding the command."""
    exception: BaseException | None = None
    exit_code = 0
    with _RUNNER.isolation(color=False) as (stdout, stderr, _):
        try:
            with _time_limit(TIMEOUT_SECONDS):
                _COMMAND.main([command, STACK, "-C", str(project.root), *extra], prog_name="gpudc")
        except SystemExit as exc:
            exit_code = exc.code if isinstance(exc.code, int) else 1
            exception = exc if exit_code else None
        except Exception as exc:
            exception, exit_code = exc, 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        out, err = stdout.getvalue(), stderr.getvalue()
    return Outcome(
        command, exit_code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), exception
    )


def run_both(project: Project, data: bytes) -> tuple[Outcome, Outcome]:
    """Write `data` as the stack file; run `gpudc validate` then `gpudc plan` on it."""
    if project.out.exists():
        shutil.rmtree(project.out)
    project.stack_file.write_bytes(data)
    validate = _invoke(project, "validate")
    plan = _invoke(project, "plan", "--out", str(project.out / STACK))
    return validate, plan


def problems(project: Project, validate: Outcome, plan: Outcome) -> list[str]:
    """Every way the two runs break the contract (empty: they kept it)."""
    found: list[str] = []
    for outcome in (validate, plan):
        if outcome.crashed:
            found.append(f"crash in {outcome.command}: {outcome.describe()}")
            continue
        if outcome.exit_code not in (0, 2):
            found.append(f"{outcome.command} exit code {outcome.exit_code}: {outcome.describe()}")
            continue
        if "Traceback (most recent call last)" in outcome.stdout + outcome.stderr:
            found.append(f"traceback printed by {outcome.command}: {outcome.describe()}")
        if outcome.exit_code == 2:
            lines = [line for line in outcome.stderr.splitlines() if line.strip()]
            stray = [line for line in lines if not (FINDING_LINE.match(line) or SUMMARY_LINE.match(line))]
            if not any(FINDING_LINE.match(line) for line in lines) or stray:
                found.append(
                    f"{outcome.command} exit 2 without findings printed as lines: {outcome.describe()}"
                )
    if found:
        return found
    if validate.exit_code == 2:
        if plan.exit_code != 2:
            found.append(
                f"validate exit 2 but plan exit {plan.exit_code}:\n{validate.describe()}\n{plan.describe()}"
            )
        elif validate.finding_codes() != plan.finding_codes():
            found.append(f"validate and plan disagree on findings:\n{validate.describe()}\n{plan.describe()}")
        if project.out.exists():
            found.append(
                f"plan wrote {sorted(map(str, project.out.rglob('*')))[:5]} for a stack validate refused"
            )
    elif plan.exit_code == 0 and not (project.out / STACK / "plan.json").is_file():
        found.append(f"plan exit 0 but no plan.json:\n{plan.describe()}")
    return found


# -- the test -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("gpudc-fuzz") / "project")


def _check(project: Project, data: bytes) -> None:
    validate, plan = run_both(project, data)
    event(f"validate exit {validate.exit_code}, plan exit {plan.exit_code}")
    found = problems(project, validate, plan)
    if found:
        for outcome in (validate, plan):
            if outcome.crashed and outcome.exception is not None:
                # Re-raise the command's own exception so Hypothesis tells crash sites apart
                # (and shrinks each), with the file and both outputs attached.
                outcome.exception.add_note(f"stack file: {data!r}\n\n" + "\n\n".join(found))
                raise outcome.exception
        raise AssertionError(f"stack file: {data!r}\n\n" + "\n\n".join(found))


@settings(PROFILE)
@given(data=stack_files)
def test_hostile_stack_files_end_in_findings(fuzz_project: Project, data: bytes) -> None:
    _check(fuzz_project, data)


def test_the_seed_stacks_plan_cleanly(fuzz_project: Project) -> None:
    """The generators start from these; if they stopped planning, the fuzzer would test little."""
    for name in FILE_SEEDS:
        validate, plan = run_both(fuzz_project, (ROOT / "stacks" / f"Pulumi.{name}.yaml").read_bytes())
        assert problems(fuzz_project, validate, plan) == []
        assert (validate.exit_code, plan.exit_code) == (0, 0), validate.describe() + plan.describe()
