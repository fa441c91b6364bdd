"""`SpecError`: every problem in a stack file at once, each with its path, value and fix.

A platform engineer fixing a stack file wants the whole list in one go, not one error per
`pulumi up`. Validation (pydantic) and the pure derivations (placement, capacity, versions) all
report through this one type, so the CLI and the Pulumi program print the same lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

__all__ = ["SpecError", "SpecIssue", "explain_pattern", "format_path", "issues_from_validation_error"]

_MISSING = object()


@dataclass(frozen=True, slots=True)
class SpecIssue:
    """One problem: where it is (`sites[0].pools[1].nodes`), what was there, and what to do."""

    path: str
    message: str
    value: Any = _MISSING

    def __str__(self) -> str:
        where = self.path or "<root>"
        if self.value is _MISSING:
            return f"{where}: {self.message}"
        return f"{where}: {self.message}, got {_show(self.value)}"


class SpecError(ValueError):
    """Raised before any resource is registered when a spec or a derivation from it is wrong."""

    def __init__(self, issues: Iterable[SpecIssue]) -> None:
        self.issues: tuple[SpecIssue, ...] = tuple(issues)
        if not self.issues:
            raise ValueError("SpecError needs at least one issue")
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in the spec:"
        return "\n".join([head, *(f"  {issue}" for issue in self.issues)])

    @classmethod
    def single(cls, path: str, message: str, value: Any = _MISSING) -> SpecError:
        return cls([SpecIssue(path, message, value)])

    def prefixed(self, prefix: str) -> SpecError:
        """The same issues with `prefix` before each path (a nested spec checked on its own)."""
        return SpecError(
            SpecIssue(_join(prefix, issue.path), issue.message, issue.value) for issue in self.issues
        )


def format_path(location: Sequence[int | str]) -> str:
    """`("sites", 0, "pools", 1, "nodes")` -> `sites[0].pools[1].nodes`."""
    out = ""
    for part in location:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out = f"{out}.{part}" if out else part
    return out


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


# pydantic's messages are written for Python developers; stack-file authors read these instead.
_MESSAGES: dict[str, str] = {
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "missing": "is required; add it",
    "extra_forbidden": "is not a known field; remove it or check its spelling",
    "string_too_long": "must be at most {max_length} characters",
    "string_too_short": "must be at least {min_length} characters",
    "too_long": "must have at most {max_length} item(s)",
    "too_short": "must have at least {min_length} item(s)",
    "finite_number": "must be a finite number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be a mapping of fields",
    "dict_type": "must be a mapping",
}


_PATTERN_HINTS: dict[str, str] = {}


def explain_pattern(pattern: str, hint: str) -> str:
    """Register what a regex means in words (`must be a DNS-1123 label ...`); returns `pattern`.

    Constrained types call this where they are defined, so an author who breaks a pattern reads
    the rule, not the regex.
    """
    _PATTERN_HINTS[pattern] = hint
    return pattern


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        return _PATTERN_HINTS.get(pattern, f"must match the pattern {pattern}")
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected')}"
    if kind == "union_tag_invalid":
        return f"{ctx.get('discriminator')} must be one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return f"needs a '{ctx.get('discriminator')}' key"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    template = _MESSAGES.get(kind)
    if template is not None:
        try:
            return template.format(**ctx)
        except KeyError:
            pass
    msg: str = error["msg"]
    return msg[:1].lower() + msg[1:]


def issues_from_validation_error(exc: ValidationError, data: Any = None, prefix: str = "") -> list[SpecIssue]:
    """Translate pydantic's errors into `SpecIssue`s with stack-file paths.

    `data` is the raw input that was validated: walking it alongside each error's location drops
    the parts a stack-file author never wrote (discriminated-union tags, validator names).
    """
    issues = []
    for error in exc.errors(include_url=False):
        if _is_echo_of_item_error(error):
            continue
        path = _join(prefix, format_path(_written_location(error["loc"], data)))
        # A whole mapping echoed back ("got a mapping") tells the author nothing: model-level
        # checks name the offending fields in their message instead.
        if error["type"] in ("missing", "union_tag_not_found") or isinstance(error.get("input"), dict):
            issues.append(SpecIssue(path, _message(error)))
        else:
            issues.append(SpecIssue(path, _message(error), error.get("input")))
    return issues


def _is_echo_of_item_error(error: Any) -> bool:
    """pydantic adds a `too_short` to a tuple whose items failed (it counts only valid items);
    the author's list was long enough, the item errors already say what is wrong."""
    if error["type"] != "too_short":
        return False
    given = error.get("input")
    return isinstance(given, list | tuple) and len(given) >= error.get("ctx", {}).get("min_length", 0)


def _written_location(location: Sequence[int | str], data: Any) -> list[int | str]:
    if data is None:
        return list(location)
    kept: list[int | str] = []
    current = data
    last = len(location) - 1
    for index, part in enumerate(location):
        written = _child(current, part)
        if written is _MISSING and index != last and isinstance(part, str):
            continue  # a union tag or validator name: not a key in the stack file
        current = None if written is _MISSING else written
        kept.append(part)
    return kept


def _child(container: Any, part: int | str) -> Any:
    """`container[part]` when the author wrote it there, else the `_MISSING` marker."""
    if isinstance(container, dict) and part in container:
        return container[part]
    if isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container):
        return container[part]
    return _MISSING


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping" if value else "{}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return repr(value)
