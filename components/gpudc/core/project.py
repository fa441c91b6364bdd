"""The Pulumi project on disk: `Pulumi.yaml`, its program directory and its stack files.

Read with bounds (size, nesting depth) because stack files arrive in pull requests from anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gpudc.core.errors import SpecError

__all__ = ["MAX_YAML_BYTES", "MAX_YAML_DEPTH", "Project", "find_project", "read_yaml"]

# libyaml's safe loader when PyYAML was built with it (about 6x faster), else the pure-Python one.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_YAML_BYTES = 4 * 1024 * 1024
MAX_YAML_DEPTH = 32


def read_yaml(path: Path) -> Any:
    """Safe-load `path`, refusing files over 4 MiB, nested deeper than 32 levels, or with aliases.

    Aliases (`&a` / `*a`) are refused outright: a few hundred bytes of nested aliases expand into
    billions of nodes ("billion laughs"), and stack files need none.
    """
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise SpecError.single(str(path), f"is {size:,} bytes; stack files are limited to {MAX_YAML_BYTES:,}")
    text = path.read_text(encoding="utf-8")
    try:
        _check_events(path, text)
        return yaml.load(text, Loader=SAFE_LOADER)  # a safe loader: plain data only
    except yaml.YAMLError as exc:
        raise SpecError.single(str(path), f"is not valid YAML: {exc}") from None


def _check_events(path: Path, text: str) -> None:
    """Walk the YAML event stream (no document is built) for aliases and nesting depth."""
    depth = 0
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise SpecError.single(str(path), "uses a YAML alias (*name); write the value out instead")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise SpecError.single(str(path), f"nests deeper than {MAX_YAML_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


@dataclass(frozen=True, slots=True)
class Project:
    """A Pulumi project directory: name, program directory and stack config directory."""

    root: Path
    name: str
    main: Path
    stacks_dir: Path

    def stack_file(self, stack: str) -> Path:
        return self.stacks_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        """Every stack that has a file, sorted."""
        return sorted(
            path.name[len("Pulumi.") : -len(".yaml")] for path in self.stacks_dir.glob("Pulumi.*.yaml")
        )

    def stack_config(self, stack: str) -> dict[str, Any]:
        """The `config:` mapping of a stack file (empty when the file has none)."""
        path = self.stack_file(stack)
        if not path.is_file():
            known = ", ".join(self.stacks()) or "none"
            raise SpecError.single(str(path), f"no such stack file; stacks with files: {known}")
        document = read_yaml(path) or {}
        if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
            raise SpecError.single(str(path), "must be a mapping with a `config:` mapping")
        config: dict[str, Any] = document.get("config") or {}
        return config


def find_project(start: Path | None = None) -> Project:
    """The Pulumi project containing `start` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        manifest = directory / "Pulumi.yaml"
        if manifest.is_file():
            data = read_yaml(manifest)
            if not isinstance(data, dict) or "name" not in data:
                raise SpecError.single(str(manifest), "must be a mapping with a `name`")
            return Project(
                root=directory,
                name=str(data["name"]),
                main=directory / str(data.get("main", ".")),
                stacks_dir=directory / str(data.get("stackConfigDir", ".")),
            )
    raise SpecError.single(str(here), "is not inside a Pulumi project (no Pulumi.yaml here or above)")
