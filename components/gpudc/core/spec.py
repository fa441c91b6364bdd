"""The one base class for every spec model, and the constrained types every domain reuses.

Specs are the stack file's shape: pure pydantic, no Pulumi. `extra="forbid"` turns a typo in a
stack file into an error naming the field, and `frozen=True` lets a validated spec be shared by
every component without anyone mutating it behind the validator's back.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from gpudc.core.errors import FIELD_PROBLEM, explain_pattern

T = TypeVar("T", bound=str | tuple[str, str])

__all__ = [
    "Cidr",
    "ConfigKey",
    "DnsLabel",
    "Fraction",
    "Kilowatts",
    "NonNegativeInt",
    "PositiveInt",
    "Protection",
    "SpecModel",
    "repeated",
]


ConfigKey = Annotated[
    str,
    StringConstraints(
        pattern=explain_pattern(
            r"^[a-zA-Z][a-zA-Z0-9_-]{0,62}$",
            "must be the name of a config key (a letter, then up to 62 letters, digits, '_' or '-'), "
            "not the secret itself",
        )
    ),
    Field(
        description="A key of the stack's `gpudc` config namespace holding a secret, set with "
        "`pulumi config set --secret gpudc:<key>` (the key's name, never the value)."
    ),
]
"""Where a secret lives: kubeconfigs, BMC credentials and registry passwords are never written in
a stack file, only the config key that holds them encrypted."""


class SpecModel(BaseModel):
    """Base of every spec: unknown keys are errors, instances are immutable, docs come from fields."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        # YAML reads `.inf` and `.nan` as floats; no figure in a datacenter is infinite.
        allow_inf_nan=False,
        str_strip_whitespace=False,
        validate_default=True,
        use_attribute_docstrings=False,
    )


class Protection(StrEnum):
    """How Pulumi guards the resources whose loss hurts (node pools, operator releases,
    namespaces; bare-metal hosts and their BMC secrets), chosen once per environment."""

    PROTECT = "protect"
    """`protect`: `pulumi up` and `pulumi destroy` refuse to delete or replace them until someone
    runs `pulumi state unprotect <urn>`; a production environment's choice."""
    RETAIN = "retain"
    """`retainOnDelete`: deleting or replacing them in Pulumi leaves the old object in the
    cluster, unmanaged, instead of deleting it."""
    NONE = "none"
    """No guard: a delete in the stack file deletes in the cluster (labs and test stacks)."""


DNS_LABEL_PATTERN = explain_pattern(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
    "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit",
)

DnsLabel = Annotated[
    str,
    StringConstraints(min_length=1, max_length=63, pattern=DNS_LABEL_PATTERN),
    Field(
        description="A DNS-1123 label: lower-case letters, digits and '-', 1-63 chars, "
        "starting and ending with a letter or digit."
    ),
]
"""A DNS-1123 label (RFC 1123), the shape of Kubernetes object names and of gpudc identifiers."""


def _canonical_cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(
            f"must be a network in CIDR form with no host bits set, such as 10.0.0.0/16 ({exc})"
        ) from None
    return str(network)


Cidr = Annotated[
    str,
    AfterValidator(_canonical_cidr),
    Field(description="An IPv4 or IPv6 network in CIDR notation with no host bits set."),
]

PositiveInt = Annotated[int, Field(gt=0, strict=True)]
NonNegativeInt = Annotated[int, Field(ge=0, strict=True)]
Kilowatts = Annotated[
    float,
    # 10 W to 2 MW: below a fan, above any rack-scale system announced (a Kyber NVL576 rack is
    # about 600 kW); the bounds keep placement arithmetic finite for any input.
    Field(ge=0.01, le=2000.0, allow_inf_nan=False, description="Electrical power in kilowatts (kW)."),
]
Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False, description="A share, 0 to 1.")]


def raise_field_problems(
    model: str, problems: Iterable[tuple[str | tuple[str | int, ...], str | None]]
) -> None:
    """Raise every `(field, message)` problem a cross-field check found, each at its own field.

    A model validator's plain `ValueError` lands on the model's path (`sites[0]`); a stack-file
    author needs the field's (`sites[0].utility_power_mw`). pydantic merges a `ValidationError`
    raised here into the outer one with the outer path in front. `None` messages are skipped.
    """
    details = [
        InitErrorDetails(
            type=PydanticCustomError(FIELD_PROBLEM, "{problem}", {"problem": message}),
            loc=field if isinstance(field, tuple) else (field,),
            input=None,
        )
        for field, message in problems
        if message
    ]
    if details:
        raise ValidationError.from_exception_data(model, details)


def repeated(items: Iterable[T]) -> list[T]:
    """The items that occur more than once, sorted (each listed once)."""
    return sorted(item for item, count in Counter(items).items() if count > 1)


def unique_names_problem(field: str, names: list[str]) -> str | None:
    """The message for repeated names in a list of named specs, or None when all are unique."""
    twice = repeated(names)
    return f"names in {field} must be unique; rename {twice}" if twice else None
