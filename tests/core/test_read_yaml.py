"""Stack files are read with bounds: size, depth and no aliases."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gpudc.core.errors import SpecError
from gpudc.core.project import MAX_YAML_DEPTH, read_yaml


def test_aliases_are_refused_quickly(tmp_path: Path) -> None:
    # 9 levels of 10 aliases each: 10^9 nodes if expanded.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = tmp_path / "Pulumi.bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    with pytest.raises(SpecError, match="uses a YAML alias"):
        read_yaml(path)
    assert time.monotonic() - started < 5  # refused before expanding, not after


def test_depth_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.deep.yaml"
    path.write_text("a: " + "[" * (MAX_YAML_DEPTH + 1) + "]" * (MAX_YAML_DEPTH + 1) + "\n")
    with pytest.raises(SpecError, match=f"nests deeper than {MAX_YAML_DEPTH} levels"):
        read_yaml(path)


def test_invalid_yaml_is_a_spec_error(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text("config: [unclosed\n")
    with pytest.raises(SpecError, match="is not valid YAML"):
        read_yaml(path)


def test_plain_yaml_loads(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.ok.yaml"
    path.write_text("config:\n  gpudc:environment: {sites: []}\n")
    assert read_yaml(path) == {"config": {"gpudc:environment": {"sites": []}}}
