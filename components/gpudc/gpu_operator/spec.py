"""How NVIDIA's GPU Operator is installed on a site's cluster."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from gpudc.core.errors import explain_pattern
from gpudc.core.labels import SYSTEM_NAMESPACE
from gpudc.core.spec import DnsLabel, SpecModel

__all__ = ["ChartVersion", "DriverMode", "DriverSpec", "GpuOperatorSpec", "MigStrategy"]

RESERVED_NAMESPACES = frozenset({"default", SYSTEM_NAMESPACE})

ChartVersion = Annotated[
    str,
    StringConstraints(
        pattern=explain_pattern(
            r"^v[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}$",
            "must be a chart version as NVIDIA tags it, such as v26.7.0",
        )
    ),
    Field(description="GPU Operator chart version as NVIDIA tags it, e.g. v25.3.4 (note the leading 'v')."),
]
DriverVersion = Annotated[
    str,
    StringConstraints(
        pattern=explain_pattern(
            r"^[0-9]{3}\.[0-9]{1,4}(\.[0-9]{1,4})?$",
            "must be a driver version such as 580.95.05 (ASCII digits)",
        )
    ),
    Field(description="NVIDIA data-center driver version, e.g. 570.172.08; its major number is the branch."),
]


class DriverMode(StrEnum):
    """Who installs the kernel driver: the operator's driver container, or the host image."""

    OPERATOR = "operator"
    HOST = "host"


class MigStrategy(StrEnum):
    """How MIG devices are exposed (chart value `mig.strategy`)."""

    NONE = "none"
    SINGLE = "single"
    MIXED = "mixed"


class DriverSpec(SpecModel):
    """The NVIDIA kernel driver on the pool's nodes."""

    mode: Annotated[
        DriverMode,
        Field(description="`operator` runs NVIDIA's driver container; `host` uses a preinstalled driver."),
    ]
    version: Annotated[
        DriverVersion | None,
        Field(
            description="Driver version. With mode `operator`, omit it to take the chart release's "
            "default (from the gpudc catalog). With mode `host`, give the installed version so gpudc "
            "can check it against every GPU in the site."
        ),
    ] = None


class GpuOperatorSpec(SpecModel):
    """A pinned GPU Operator release in its own namespace."""

    chart_version: Annotated[ChartVersion, Field(description="Pinned chart version; never floating.")]
    namespace: Annotated[
        DnsLabel,
        Field(description="Namespace the operator is installed into; its own, never a shared one."),
    ] = "gpu-operator"
    driver: Annotated[DriverSpec, Field(description="Kernel driver installation.")]
    mig_strategy: Annotated[MigStrategy, Field(description="MIG device exposure strategy.")] = (
        MigStrategy.NONE
    )

    @field_validator("namespace")
    @classmethod
    def _own_namespace(cls, namespace: str) -> str:
        # gpudc creates (and on removal deletes) this namespace, so it must not be one that
        # Kubernetes or gpudc itself owns.
        if namespace in RESERVED_NAMESPACES or namespace.startswith("kube-"):
            raise ValueError(
                f"{namespace!r} is owned by Kubernetes or gpudc and would be deleted with the operator; "
                "use a namespace of its own, such as gpu-operator"
            )
        return namespace
