"""`SpecError`: every problem in a stack file at once, each with its path, value and fix.

A platform engineer fixing a stack file wants the whole list in one go, not one error per
`pulumi up`. Validation (pydantic) and the pure derivations (placement, capacity, versions) all
report through this one type, so the CLI and the Pulumi program print the same lines.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from gpudc.core.findings import MISSING, Check, Finding, Severity, join_path, register, show_value

__all__ = [
    "FILE_UNREADABLE",
    "SCHEMA",
    "SpecError",
    "explain_pattern",
    "format_path",
    "issues_from_validation_error",
]

FIELD_PROBLEM = "gpudc_field_problem"
"""pydantic error type of a cross-field check reported at its field (`core.spec.raise_field_problems`)."""

SCHEMA = register("GPUDC-SPEC-001", Severity.ERROR, "The stack file does not match the spec")
FILE_UNREADABLE = register("GPUDC-FILE-001", Severity.ERROR, "The stack file cannot be read")


class SpecError(ValueError):
    """Raised before any resource is registered when a spec or a derivation from it is wrong.

    It carries every finding at once (warnings too, so they are printed beside the errors).
    """

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.issues: tuple[Finding, ...] = tuple(findings)
        if not self.issues:
            raise ValueError("SpecError needs at least one finding")
        super().__init__(str(self))

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.issues if finding.is_error)

    def __str__(self) -> str:
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in the spec:"
        return "\n".join([head, *(f"  {issue}" for issue in self.issues)])

    @classmethod
    def single(
        cls, path: str, message: str, value: Any = MISSING, *, fix: str = "", check: Check = FILE_UNREADABLE
    ) -> SpecError:
        return cls([check.finding(path, message, fix=fix, value=value)])

    def prefixed(self, prefix: str) -> SpecError:
        """The same findings with `prefix` before each path (a nested spec checked on its own)."""
        return SpecError(issue.with_prefix(prefix) for issue in self.issues)


def format_path(location: Sequence[int | str], data: Any = None) -> str:
    """`("sites", 0, "pools", 1, "nodes")` -> `sites[0].pools[1].nodes`.

    With `data` (the document the location points into), a mapping key is always written as a
    key, never as a list index (`labels.1`, not `labels[1]`), and a key that is not a plain name
    is quoted (`labels['gpudc.io/x']`), so the path says exactly where to look.
    """
    out = ""
    current = data
    for part in location:
        in_list = isinstance(current, list) if data is not None else isinstance(part, int)
        if in_list and isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.match(part):
            out = f"{out}.{part}" if out else part
        else:
            out += f"[{str(part)!r}]"
        current = _child(current, part) if data is not None else None
        if current is MISSING:
            current = None
    return out


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
    "tuple_type": "must be a list",
    "bool_parsing": "must be true or false",
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
        return f"{ctx.get('discriminator')} must be one of {ctx.get('expected_tags')}, got {show_value(ctx.get('tag'))}"
    if kind == "union_tag_not_found":
        return f"needs a '{ctx.get('discriminator')}' key"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    value = error.get("input")
    # An int a float cannot hold; a YAML true/false is no number at all (bool is an int in Python).
    if (
        kind in ("float_type", "float_parsing", "finite_number")
        and isinstance(value, int)
        and not isinstance(value, bool)
    ):
        return "is too large a number"
    template = _MESSAGES.get(kind)
    if template is not None:
        try:
            return template.format(**ctx)
        except KeyError:
            pass
    msg: str = error["msg"]
    return msg[:1].lower() + msg[1:]


def issues_from_validation_error(exc: ValidationError, data: Any = None, prefix: str = "") -> list[Finding]:
    """Translate pydantic's errors into findings with stack-file paths.

    `data` is the raw input that was validated: walking it alongside each error's location drops
    the parts a stack-file author never wrote (discriminated-union tags, validator names).
    """
    errors = [error for error in exc.errors(include_url=False) if not _is_echo_of_item_error(error)]
    misspelt = _misspellings(errors)
    issues = []
    for error in errors:
        location = tuple(error["loc"])
        if location in misspelt.values():
            continue  # said with the misspelt key it belongs to
        key_error = location[-1:] == ("[key]",)  # pydantic's marker for a mapping key, not a value
        path = join_path(
            prefix, format_path(*_written_location(location[:-1] if key_error else location, data))
        )
        message = ("the key " if key_error else "") + _message(error)
        if location in misspelt:
            issues.append(
                SCHEMA.finding(path, f"is not a known field; did you mean {misspelt[location][-1]}?")
            )
        # A whole mapping echoed back ("got a mapping") tells the author nothing: model-level
        # checks name the offending fields in their message instead.
        elif error["type"] in (
            "missing",
            "union_tag_not_found",
            "union_tag_invalid",
            FIELD_PROBLEM,
        ) or isinstance(error.get("input"), dict):
            issues.append(SCHEMA.finding(path, message))
        else:
            issues.append(SCHEMA.finding(path, message, value=error.get("input")))
    return issues


def _misspellings(errors: list[Any]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Unknown keys that are a near miss of a required key missing beside them (`rack_power_kW`
    for `rack_power_kw`): location of the unknown key -> location of the missing one."""
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    found: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for error in errors:
        location = tuple(error["loc"])
        if error["type"] != "extra_forbidden" or not isinstance(location[-1], str):
            continue
        siblings = [loc[-1] for loc in missing if loc[:-1] == location[:-1] and isinstance(loc[-1], str)]
        close = difflib.get_close_matches(location[-1].lower(), siblings, n=1, cutoff=0.75)
        meant = (*location[:-1], close[0]) if close else None
        if meant is not None and meant not in found.values():
            found[location] = meant
    return found


def _is_echo_of_item_error(error: Any) -> bool:
    """pydantic adds a `too_short` to a tuple whose items failed (it counts only valid items);
    the author's list was long enough, the item errors already say what is wrong."""
    if error["type"] != "too_short":
        return False
    given = error.get("input")
    return isinstance(given, list | tuple) and len(given) >= error.get("ctx", {}).get("min_length", 0)


def _written_location(location: Sequence[int | str], data: Any) -> tuple[list[int | str], Any]:
    """The parts of pydantic's location the author wrote, and the document they point into."""
    if data is None:
        return list(location), None
    kept: list[int | str] = []
    current = data
    last = len(location) - 1
    for index, part in enumerate(location):
        if isinstance(current, dict) and current.get("type") == part and index != last:
            continue  # a discriminated union's tag (`type: context`), not a key
        written = _child(current, part)
        if written is MISSING and index != last and isinstance(part, str):
            continue  # a union tag or validator name: not a key in the stack file
        current = None if written is MISSING else written
        kept.append(part)
    return kept, data


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _child(container: Any, part: int | str) -> Any:
    """`container[part]` when the author wrote it there, else the `MISSING` marker."""
    if isinstance(container, dict) and part in container:
        return container[part]
    if isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container):
        return container[part]
    return MISSING
