"""The plan: every resource a program registers, sorted, redacted, serialisable byte-for-byte."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, fields
from typing import Any

from gpudc.preview.recorder import Registration

__all__ = ["Plan"]


@dataclass(frozen=True, slots=True)
class Plan:
    """A program's registrations and its stack outputs, in a stable order."""

    project: str
    stack: str
    resources: tuple[Registration, ...]
    outputs: dict[str, Any]

    @classmethod
    def of(cls, project: str, stack: str, registrations: list[Registration], outputs: dict[str, Any]) -> Plan:
        # Registration order depends on how Pulumi's event loop interleaves outputs; URNs do not.
        return cls(project, stack, tuple(sorted(registrations, key=lambda r: r.urn)), outputs)

    def by_type(self) -> dict[str, int]:
        return dict(sorted(Counter(resource.type for resource in self.resources).items()))

    def to_json(self) -> str:
        document = {
            "project": self.project,
            "stack": self.stack,
            # Shallow, not dataclasses.asdict, which deep-copies every input tree first.
            "resources": [
                {field.name: getattr(resource, field.name) for field in fields(resource)}
                for resource in self.resources
            ],
            "outputs": self.outputs,
        }
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
