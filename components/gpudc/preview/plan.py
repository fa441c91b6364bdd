"""The plan: every resource a program registers, sorted, redacted, serialisable byte-for-byte.

`plan.json` (format `gpudc.plan/v1`) is the one artifact everything downstream reads: the report,
the diff and the policy checks are rendered from it alone, so a plan recorded in CI can be
reviewed anywhere later without running the program again.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, fields
from typing import Any

from pydantic import ValidationError

from gpudc.core.errors import SpecError, issues_from_validation_error
from gpudc.core.findings import Severity, register
from gpudc.environment.derived import DERIVED_OUTPUT, Derived
from gpudc.preview.recorder import Registration

__all__ = ["PLAN_FORMAT", "PLAN_OUTPUT", "Plan"]

PLAN_FORMAT = "gpudc.plan/v1"
PLAN_OUTPUT = register("GPUDC-PLAN-001", Severity.ERROR, "The plan cannot be written or read")
DERIVED_BLOCK = register("GPUDC-PLAN-002", Severity.ERROR, "The program's derived block is malformed")


@dataclass(frozen=True, slots=True)
class Plan:
    """A program's registrations, its stack outputs, and the typed `derived` block it published
    (None for a program that publishes none)."""

    project: str
    stack: str
    resources: tuple[Registration, ...]
    outputs: dict[str, Any]
    derived: Derived | None

    @classmethod
    def of(cls, project: str, stack: str, registrations: list[Registration], outputs: dict[str, Any]) -> Plan:
        # Registration order depends on how Pulumi's event loop interleaves outputs; URNs do not.
        others = {key: value for key, value in outputs.items() if key != DERIVED_OUTPUT}
        derived = _derived(outputs[DERIVED_OUTPUT]) if DERIVED_OUTPUT in outputs else None
        return cls(project, stack, tuple(sorted(registrations, key=lambda r: r.urn)), others, derived)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """A plan read back from its plan.json, exactly as it was written."""
        document = json.loads(text)
        if not isinstance(document, dict) or document.get("format") != PLAN_FORMAT:
            raise SpecError.single(
                "plan.json", f"is not a {PLAN_FORMAT} plan", fix="re-run `gpudc plan`", check=PLAN_OUTPUT
            )
        resources = tuple(
            Registration(**{**item, "depends_on": tuple(item["depends_on"])})
            for item in document["resources"]
        )
        derived = document.get("derived")
        return cls(
            document["project"],
            document["stack"],
            resources,
            document["outputs"],
            None if derived is None else _derived(derived),
        )

    def by_type(self) -> dict[str, int]:
        return dict(sorted(Counter(resource.type for resource in self.resources).items()))

    def to_json(self) -> str:
        """plan.json: sorted keys, two-space indents, and each resource on a line of its own.

        A resource a line keeps a diff of two plans to the resources that changed, and lets the
        standard library's C encoder write the bulk: with an indent, `json` falls back to its
        pure-Python encoder, which took a third of writing a large plan (bench/plan_bench.py).
        """
        try:
            resources = ",\n".join(
                "    " + json.dumps(_resource_document(resource), **_JSON) for resource in self.resources
            )
            head = {
                "derived": None if self.derived is None else self.derived.model_dump(mode="json"),
                "format": PLAN_FORMAT,
                "outputs": self.outputs,
                "project": self.project,
            }
            pretty = {key: json.dumps(value, indent=2, **_JSON) for key, value in head.items()}
        except ValueError:  # JSON has no Infinity or NaN; a plan holding one could not be read back
            raise SpecError.single(
                "plan.json",
                "the program registered a number that is not finite (inf or nan); JSON cannot hold it",
            ) from None
        fields_ = [f'  "{key}": {text.replace(chr(10), chr(10) + "  ")}' for key, text in pretty.items()]
        body = f"[\n{resources}\n  ]" if resources else "[]"
        fields_.append(f'  "resources": {body}')
        fields_.append(f'  "stack": {json.dumps(self.stack, **_JSON)}')
        return "{\n" + ",\n".join(fields_) + "\n}\n"


_JSON: dict[str, Any] = {"sort_keys": True, "ensure_ascii": False, "allow_nan": False}


def _resource_document(resource: Registration) -> dict[str, Any]:
    # Shallow, not dataclasses.asdict, which deep-copies every input tree first.
    return {field.name: getattr(resource, field.name) for field in fields(resource)}


def _derived(value: Any) -> Derived:
    try:
        return Derived.model_validate(value)
    except ValidationError as exc:
        raise SpecError(
            issues_from_validation_error(exc, value, prefix=f"outputs.{DERIVED_OUTPUT}")
        ) from None
