"""The Pulumi project on disk: `Pulumi.yaml`, its program directory and its stack files.

Stack files arrive in pull requests from anyone, so they are read with bounds (size, nesting depth,
no aliases) and every way a file can be wrong ends in a `SpecError` that names the line, never in
a traceback or a value JSON cannot carry.
"""

from __future__ import annotations

import codecs
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import yaml
from yaml.constructor import ConstructorError

from gpudc.core.errors import SpecError, format_path
from gpudc.core.findings import printable

__all__ = ["MAX_YAML_BYTES", "MAX_YAML_DEPTH", "Project", "find_project", "read_yaml"]

if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:  # libyaml's parser when PyYAML was built with it (about 6x faster), else the pure-Python one.
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_YAML_BYTES = 4 * 1024 * 1024
MAX_YAML_DEPTH = 32
# The keys of a stack file Pulumi reads (pulumi/sdk/go/common/workspace/project.go, ProjectStack).
STACK_FILE_KEYS = frozenset({"config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"})
_MAX_ECHO = 60
_INT_LIMIT = 10**4300  # Python's own bound on int <-> str; hex and octal get it too, or str() fails later
_Y = "tag:yaml.org,2002:"
_STRING_TAGS = (f"{_Y}str", f"{_Y}value")
_SCALAR_KINDS = {
    f"{_Y}int": "a whole number of at most 4,300 digits",
    f"{_Y}float": "a number",
    f"{_Y}bool": "true or false",
}
_NOT_JSON = {
    f"{_Y}binary": "remove it to keep the base64 text as a string",
    f"{_Y}set": "write a list instead",
    f"{_Y}omap": "write a plain mapping instead",
    f"{_Y}pairs": "write a plain mapping instead",
}


def read_yaml(path: Path) -> Any:
    """Safe-load `path` into plain JSON data (None for an empty file), or raise `SpecError`.

    Aliases (`&a` / `*a`) are refused before anything is built: a few hundred bytes of nested
    aliases expand into billions of nodes ("billion laughs"), and stack files need none.
    """
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise SpecError.single(name, f"is {size:,} bytes; stack files are limited to {MAX_YAML_BYTES:,}")
        with path.open("rb") as file:
            data = file.read(MAX_YAML_BYTES + 1)  # st_size is 0 for pipes and devices
    except OSError as exc:
        raise SpecError.single(name, f"cannot be read ({_safe(exc.strerror or str(exc))})") from None
    if len(data) > MAX_YAML_BYTES:
        raise SpecError.single(name, f"is over {MAX_YAML_BYTES:,} bytes; stack files are limited to that")
    text = _decode(name, data)
    try:
        _check_events(name, text)
        return yaml.load(text, Loader=_StrictLoader)
    except _RefusalError as refusal:
        raise SpecError.single(name, str(refusal)) from None
    except yaml.reader.ReaderError as exc:
        offset = text.find(chr(exc.character))  # the reader stops at the first bad character
        line, column = text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
        bad = _safe(chr(exc.character))
        raise SpecError.single(
            name,
            f"line {line}, column {column}: holds the character {bad}, which YAML does not allow; remove it",
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError.single(name, f"is not valid YAML: {_syntax(exc)}") from None


def _decode(name: str, data: bytes) -> str:
    """Strict UTF-8: a latin-1 or UTF-16 file would otherwise load as mojibake or raise mid-parse."""
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = start + exc.start
    else:
        offset = data.find(b"\x00")  # UTF-16 without a BOM decodes "fine", every other byte a NUL
        if offset < 0:
            return text
    line = data.count(b"\n", 0, offset) + 1
    raise SpecError.single(
        name,
        f"is not UTF-8 text (byte 0x{data[offset]:02x} at offset {offset}, line {line}); save the file as UTF-8",
    )


def _check_events(name: str, text: str) -> None:
    """Walk the YAML event stream (no document is built) for aliases, depth and extra documents."""
    depth = 0
    documents = 0
    for event in yaml.parse(text, Loader=_StrictLoader):
        if isinstance(event, yaml.AliasEvent):
            anchor = _safe(event.anchor or "")
            raise SpecError.single(
                name,
                f"{_where(event.start_mark)}: uses a YAML alias (*{anchor}); write the value out instead",
            )
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise SpecError.single(
                    name,
                    f"{_where(event.start_mark)}: starts a second YAML document; a stack file holds one, so remove the extra ---",
                )
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise SpecError.single(
                    name, f"{_where(event.start_mark)}: nests deeper than {MAX_YAML_DEPTH} levels"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _RefusalError(Exception):
    """A construction-time refusal with its line already in the message; `read_yaml` adds the file."""


class _StrictLoader(_SafeLoader):
    """PyYAML's safe loader, narrowed to what JSON can hold and made to fail only with `_RefusalError`.

    The stock constructors raise bare ValueError/KeyError on bad scalars, keep the last of two
    duplicate keys, and build dates, bytes, sets and tuples that Pulumi config cannot carry. Each is
    refused here, where the node (and so its line and column) is still in hand.
    """

    _root: yaml.Node | None = None

    def construct_document(self, node: yaml.Node) -> Any:
        self._root = node
        return super().construct_document(node)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # Always deep: each collection is then filled inside its own call, so a failure anywhere
        # below is caught here with the right node instead of in PyYAML's deferred generators.
        try:
            return super().construct_object(node, deep=True)
        except ConstructorError:  # only explicit tags reach this: `!!seq text`, `!!str [a]`
            raise self._misfit(node) from None
        except (ValueError, TypeError, LookupError, OverflowError):  # int(), float(), bool_values[...]
            raise self._bad_scalar(node) from None

    def _mapping(self, node: yaml.Node) -> dict[Hashable, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise self._misfit(node)
        mapping: dict[Hashable, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_Y}merge":
                raise self._refuse(key_node, "merge keys (<<) are not allowed; write the keys out")
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _STRING_TAGS:
                raise self._refuse(
                    key_node,
                    f"key {_show_node(key_node)} is not a string ({_tag(key_node)}); mapping keys must be strings; quote the key",
                )
            key = self.construct_object(key_node)
            if key in first_line:
                raise self._refuse(
                    key_node, f"key {_show(key)} is repeated (first at line {first_line[key]}); keep one"
                )
            first_line[key] = key_node.start_mark.line + 1
            mapping[key] = self.construct_object(value_node)
        return mapping

    def _int(self, node: yaml.Node) -> int:
        number = self.construct_yaml_int(self._number(node))
        if abs(number) >= _INT_LIMIT:
            raise self._bad_scalar(node)
        return number

    def _float(self, node: yaml.Node) -> float:
        return self.construct_yaml_float(self._number(node))

    def _number(self, node: yaml.Node) -> yaml.ScalarNode:
        """Refuse base 60: YAML 1.1 reads `22:30` as 1350, never what was meant, and a long run of
        `:59` takes quadratic time to build as an int."""
        if not isinstance(node, yaml.ScalarNode):
            raise self._misfit(node)
        if ":" in node.value:
            raise self._refuse(node, f"{_show(node.value)} is a YAML 1.1 base-60 number; {self._fix(node)}")
        return node

    def _timestamp(self, node: yaml.Node) -> NoReturn:
        if not isinstance(node, yaml.ScalarNode):
            raise self._misfit(node)
        kind = "date and time" if ":" in node.value else "date"
        raise self._refuse(node, f"{_show(node.value)} is a YAML {kind}; {self._fix(node)}")

    def _not_json(self, node: yaml.Node) -> NoReturn:
        raise self._refuse(
            node, f"the tag {_tag(node)} builds a value JSON cannot hold; {_NOT_JSON[node.tag]}"
        )

    def _unknown(self, node: yaml.Node) -> NoReturn:
        raise self._refuse(node, f"the tag {_tag(node)} is not allowed in stack files; remove it")

    def _bad_scalar(self, node: yaml.Node) -> _RefusalError:
        kind = _SCALAR_KINDS.get(node.tag, f"a valid {_tag(node)}")
        return self._refuse(node, f"{_show_node(node)} is not {kind}; {self._fix(node)}")

    def _misfit(self, node: yaml.Node) -> _RefusalError:
        return self._refuse(node, f"the tag {_tag(node)} does not fit a {_kind(node)}; remove the tag")

    def _fix(self, node: yaml.Node) -> str:
        """Quoting only helps a plain scalar the resolver guessed; an explicit tag has to go."""
        if isinstance(node, yaml.ScalarNode):
            guessed = self.resolve(yaml.ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]
            if node.tag == guessed:
                return "quote it to make it a string"
        return f"remove the {_tag(node)} tag"

    def _refuse(self, node: yaml.Node, problem: str) -> _RefusalError:
        where = _safe(format_path(_path_to(self._root, node)), 4000) if self._root is not None else ""
        return _RefusalError(f"{_where(node.start_mark)}{f' ({where})' if where else ''}: {problem}")

    yaml_constructors = {
        **_SafeLoader.yaml_constructors,
        None: _unknown,
        f"{_Y}map": _mapping,
        f"{_Y}int": _int,
        f"{_Y}float": _float,
        f"{_Y}timestamp": _timestamp,
        f"{_Y}value": _SafeLoader.construct_yaml_str,  # a plain `=` is text, not a YAML 1.1 "value key"
        **dict.fromkeys(_NOT_JSON, _not_json),
    }


def _path_to(root: yaml.Node, target: yaml.Node) -> list[int | str]:
    """Where `target` sits in the document (a key node: the mapping holding it), for the message."""
    stack: list[tuple[yaml.Node, list[int | str]]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, [*path, index]) for index, child in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node is target:
                    return path
                key = _clip(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                stack.append((value_node, [*path, key]))
    return []


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "somewhere"


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    return "list" if isinstance(node, yaml.SequenceNode) else "scalar"


def _syntax(exc: yaml.YAMLError) -> str:
    """PyYAML's own text names "<unicode string>" and spans lines; keep the parts an author needs."""
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return _safe(str(exc), 200)
    message = f"{_where(exc.problem_mark)}: {_safe(exc.problem or 'syntax error', 200)}"
    if exc.context and exc.context_mark is not None:
        message += f" ({_safe(exc.context, 200)} at {_where(exc.context_mark)})"
    return message


def _show_node(node: yaml.Node) -> str:
    return _show(node.value) if isinstance(node, yaml.ScalarNode) else f"a {_kind(node)}"


def _tag(node: yaml.Node) -> str:
    tag = f"!!{node.tag[len(_Y) :]}" if node.tag.startswith(_Y) else node.tag
    return _safe(tag)


def _show(text: str) -> str:
    return f"'{_safe(text)}'"


def _safe(text: str, limit: int = _MAX_ECHO) -> str:
    """Echoed text lands in terminals and CI logs: clip it, and spell out control characters (ANSI
    escapes, bidi overrides, newlines) rather than let a stack file drive the reader's terminal."""
    return printable(_clip(text, limit), limit=None)


def _clip(text: str, limit: int = _MAX_ECHO) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        if not isinstance(document, dict) or not isinstance(document.get("config") or {}, dict):
            raise SpecError.single(str(path), "must be a mapping with a `config:` mapping")
        unknown = sorted(key for key in document if key not in STACK_FILE_KEYS)
        if unknown:
            raise SpecError.single(
                str(path),
                f"has top-level keys Pulumi does not read ({', '.join(_safe(key) for key in unknown[:5])})",
                fix="indent them under `config:` (stack settings live there), or remove them",
            )
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
