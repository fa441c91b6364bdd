"""Stack files are read with bounds (size, depth, no aliases, one document) and keep their shape."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import pytest

from gpudc.core.errors import SpecError
from gpudc.core.project import MAX_YAML_BYTES, MAX_YAML_DEPTH, read_yaml


def _write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "Pulumi.test.yaml"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _refusal(path: Path) -> str:
    """The one message `read_yaml` gives for `path`, checked to name the file."""
    with pytest.raises(SpecError) as caught:
        read_yaml(path)
    [issue] = caught.value.issues
    assert issue.path == str(path)
    return issue.message


def test_aliases_are_refused_quickly(tmp_path: Path) -> None:
    # 9 levels of 10 aliases each: 10^9 nodes if expanded.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    started = time.monotonic()
    assert _refusal(path) == "line 2, column 10: uses a YAML alias (*a0); write the value out instead"
    assert time.monotonic() - started < 5  # refused before expanding, not after


def test_depth_is_bounded(tmp_path: Path) -> None:
    path = _write(tmp_path, "a: " + "[" * (MAX_YAML_DEPTH + 1) + "]" * (MAX_YAML_DEPTH + 1) + "\n")
    assert _refusal(path) == f"line 1, column {MAX_YAML_DEPTH + 3}: nests deeper than {MAX_YAML_DEPTH} levels"


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    # Not UTF-8 either: the size refusal must come first, without decoding 4 MiB.
    path = _write(tmp_path, b"\xff" * (MAX_YAML_BYTES + 1))
    assert _refusal(path) == "is 4,194,305 bytes; stack files are limited to 4,194,304"


def test_a_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "a: " + "x" * (MAX_YAML_BYTES - 4) + "\n")
    assert len(read_yaml(path)["a"]) == MAX_YAML_BYTES - 4


def test_an_unreadable_path_is_a_spec_error(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dir.yaml"
    path.mkdir()
    assert _refusal(path).startswith("cannot be read (")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a: 1\n---\nb: 2\n", "line 2, column 1: starts a second YAML document"),
        ("---\na: 1\n---\n", "line 3, column 1: starts a second YAML document"),
        ("a: 1\n...\n---\nb: 2\n", "line 3, column 1: starts a second YAML document"),
    ],
)
def test_one_document_per_file(tmp_path: Path, content: str, message: str) -> None:
    assert (
        _refusal(_write(tmp_path, content)) == f"{message}; a stack file holds one, so remove the extra ---"
    )


def test_invalid_yaml_is_a_spec_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "config: [unclosed\n")
    assert _refusal(path) == (
        "is not valid YAML: line 2, column 1: did not find expected ',' or ']'"
        " (while parsing a flow sequence at line 1, column 9)"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("config:\n  gpudc:environment: {sites: []}\n", {"config": {"gpudc:environment": {"sites": []}}}),
        ("", None),
        ("# only a comment\n\n# and another\n", None),
        ("---\n", None),
        ("---\na: 1\n...\n", {"a": 1}),
        ("just text\n", "just text"),
        ("42\n", 42),
        ("- a\n- 1\n- {b: null}\n", ["a", 1, {"b": None}]),
        ("\ufeffa: 1\n", {"a": 1}),  # a UTF-8 BOM is dropped
        ("a: =\n", {"a": "="}),  # not a YAML 1.1 "value key"
        ("a: .inf\nb: -.inf\n", {"a": float("inf"), "b": float("-inf")}),  # refused later, by the specs
        ("'1': x\n'2024-01-01': y\n", {"1": "x", "2024-01-01": "y"}),
        ("a: '2024-01-01'\nb: '12:30'\n", {"a": "2024-01-01", "b": "12:30"}),
        (
            "a: 0x1f\nb: 1_000\nc: 1.5e+3\nd: 1.5e3\ne: yes\n",
            {"a": 31, "b": 1000, "c": 1500.0, "d": "1.5e3", "e": True},
        ),
        ("a: !!str 1\nb: !!int '2'\nc: !!float 3\n", {"a": "1", "b": 2, "c": 3.0}),
        ("city: Montréal\nemoji: 🚀\n", {"city": "Montréal", "emoji": "🚀"}),
    ],
)
def test_plain_yaml_loads_as_written(tmp_path: Path, content: str, expected: Any) -> None:
    assert read_yaml(_write(tmp_path, content)) == expected


def test_nan_is_passed_through(tmp_path: Path) -> None:
    assert math.isnan(read_yaml(_write(tmp_path, "a: .nan\n"))["a"])
