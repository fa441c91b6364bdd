"""Findings: every check gpudc makes, registered once with a stable code, and what each one found.

A platform engineer reads `GPUDC-POWER-001` in a CI log, greps the docs and the stack file's
waivers for it, and knows the rule; reviewers see the same code in the report and the diff. So a
check is declared once (code, severity, title) where its domain lives, and every finding carries
the check's code and severity, the field path, the value found, what is wrong and the fix.
Errors fail validation; warnings are printed and fail only under `--strict`, unless a stack file
waives them by code and path with a written reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

__all__ = [
    "CHECKS",
    "MISSING",
    "Check",
    "Finding",
    "Severity",
    "printable",
    "register",
    "show_value",
]

CODE_PATTERN = r"^GPUDC-[A-Z]+-[0-9]{3}$"
_CODE = re.compile(CODE_PATTERN)


class _Missing:
    """The type of `MISSING`: one instance, which pickles as a reference to it, because the fleet
    sends findings from a stack's process back to the command's."""

    def __repr__(self) -> str:
        return "<missing>"

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""Marks a finding that has no value to show (a missing field, a whole-site figure)."""

_SHOWN_CHARS = 60


class Severity(StrEnum):
    """Errors stop a plan; warnings are printed and fail only under `--strict`."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Check:
    """One rule: a stable code, how serious breaking it is, and a title for docs and reports."""

    code: str
    severity: Severity
    title: str

    def finding(self, path: str, message: str, *, fix: str = "", value: Any = MISSING) -> Finding:
        return Finding(self.code, self.severity, path, message, fix, value)


_REGISTRY: dict[str, Check] = {}
CHECKS: Mapping[str, Check] = MappingProxyType(_REGISTRY)
"""Every check by code; domains register theirs when their module is imported."""


def register(code: str, severity: Severity, title: str) -> Check:
    """Declare a check; a code is registered exactly once, so two rules can never share one."""
    if not _CODE.match(code):
        raise ValueError(f"check code {code!r} must look like GPUDC-AREA-001")
    if code in _REGISTRY:
        raise ValueError(f"check code {code} is registered twice")
    check = Check(code, severity, title)
    _REGISTRY[code] = check
    return check


@dataclass(frozen=True, slots=True)
class Finding:
    """What one check found at one place: `sites[0].halls[1].power_kw`, the value, what, the fix."""

    code: str
    severity: Severity
    path: str
    message: str
    fix: str = ""
    value: Any = field(default=MISSING, compare=True)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def with_prefix(self, prefix: str) -> Finding:
        """The same finding for a spec checked on its own and then placed at `prefix`."""
        return Finding(
            self.code, self.severity, join_path(prefix, self.path), self.message, self.fix, self.value
        )

    def __str__(self) -> str:
        text = f"{printable(self.path) or '<root>'}: {printable(self.message, limit=None)}"
        if self.value is not MISSING:
            text += f", got {show_value(self.value)}"
        if self.fix:
            text += f"; {printable(self.fix, limit=None)}"
        return text

    def as_json(self) -> dict[str, Any]:
        """The finding for `--format json` and plan.json (value shown as text, never raw)."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.path,
            "message": self.message,
            "fix": self.fix,
            "value": None if self.value is MISSING else show_value(self.value),
        }


def join_path(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


def printable(text: str, *, limit: int | None = _SHOWN_CHARS * 4) -> str:
    """Text safe for a terminal or a CI log: control characters (ANSI escapes, bidi overrides)
    shown as `\\x1b` escapes, so a hostile stack file cannot fake a green line, and long text cut."""
    safe = "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
    if limit is not None and len(safe) > limit:
        return f"{safe[:limit]}... ({len(text):,} characters)"
    return safe


def show_value(value: Any) -> str:
    """A value as a finding shows it: strings quoted, collections summarised, all of it short."""
    if isinstance(value, str):
        # A long or multi-line value is described, not shown: it is most often something pasted
        # into the wrong field (a kubeconfig, a certificate) that must not land in a CI log.
        if len(value) > _SHOWN_CHARS or "\n" in value:
            lines = value.count("\n") + 1
            return f"a text of {len(value):,} characters" + (f" on {lines:,} lines" if lines > 1 else "")
        return printable(repr(value))
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]  # as the stack file spells them
    if isinstance(value, dict):
        return "a mapping" if value else "{}"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"a whole number of about {value.bit_length() * 30103 // 100000 + 1} digits"
    return printable(repr(value), limit=_SHOWN_CHARS)
