"""Tenants of a cluster: who they are, how many GPUs of which pool they are owed, whom they may reach.

A GPU cloud sells a tenant a share of its pools. A tenant gets its own namespace (Pod Security
`restricted`), a quota, a Kueue ClusterQueue in the cluster's cohort with a nominal quota per
pool and explicit borrowing and lending limits, network isolation with named exceptions, and
RBAC that binds its group to a role inside its namespace only. CPU and memory quotas follow from
the GPUs: a tenant owed 8 GPUs of an 8-GPU server is owed that server's cores and memory.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from gpudc.core.labels import SYSTEM_NAMESPACE
from gpudc.core.spec import (
    ConfigKey,
    DnsLabel,
    NonNegativeInt,
    SpecModel,
    raise_field_problems,
    unique_names_problem,
)
from gpudc.nodepool.spec import LabelKey, LabelValue

__all__ = [
    "MAX_OVERCOMMIT",
    "RESERVED_NAMESPACES",
    "GpuOvercommit",
    "NetworkAllowance",
    "PortSpec",
    "Protocol",
    "RegistryCredential",
    "TenantPoolQuota",
    "TenantSpec",
    "Tenants",
]

RESERVED_NAMESPACES = frozenset({"default", SYSTEM_NAMESPACE})
"""Namespaces a tenant may never be given (every `kube-*` namespace too)."""

GpuCount = Annotated[NonNegativeInt, Field(le=1_000_000)]
MAX_OVERCOMMIT = 10.0
GpuOvercommit = Annotated[
    float,
    Field(
        ge=1.0,
        le=MAX_OVERCOMMIT,
        allow_inf_nan=False,
        description="How far tenants' nominal GPU quotas together may exceed a pool's GPUs (ratio; "
        "1: never). Above 1, tenants are promised more than exists and rely on each other's idle time.",
    ),
]


class TenantPoolQuota(SpecModel):
    """A tenant's share of one pool: the Kueue ClusterQueue's quota for that pool's flavor."""

    pool: Annotated[DnsLabel, Field(description="A pool of the tenant's cluster.")]
    gpus: Annotated[
        GpuCount,
        Field(
            description="Nominal quota: GPUs of this pool the tenant is owed (count). Across tenants "
            "at most the pool's GPUs, times the cluster's tenant_gpu_overcommit."
        ),
    ]
    borrowing_limit: Annotated[
        GpuCount,
        Field(
            description="GPUs the tenant may borrow from the cohort above its nominal quota while "
            "others leave them idle (count; 0: never borrows)."
        ),
    ]
    lending_limit: Annotated[
        GpuCount,
        Field(
            description="GPUs of its nominal quota others in the cohort may borrow while the tenant "
            "leaves them idle (count, at most `gpus`; 0: never lends)."
        ),
    ]

    @model_validator(mode="after")
    def _lends_only_what_it_has(self) -> TenantPoolQuota:
        if self.lending_limit > self.gpus:
            raise_field_problems(
                "TenantPoolQuota",
                [
                    (
                        "lending_limit",
                        f"{self.lending_limit} is above the nominal quota ({self.gpus}); Kueue lends at "
                        f"most the nominal quota, so set lending_limit to {self.gpus} or less",
                    )
                ],
            )
        return self


class Protocol(StrEnum):
    """Transport protocols a NetworkPolicy port names (networking/v1 NetworkPolicyPort.protocol)."""

    TCP = "TCP"
    UDP = "UDP"
    SCTP = "SCTP"


class PortSpec(SpecModel):
    """A port a tenant's pods may connect to."""

    port: Annotated[int, Field(ge=1, le=65535, strict=True, description="Port number (1-65535).")]
    protocol: Annotated[Protocol, Field(description="TCP, UDP or SCTP.")] = Protocol.TCP


class NetworkAllowance(SpecModel):
    """A named service outside the tenant's namespace that its pods may reach (egress)."""

    name: Annotated[
        DnsLabel, Field(description="What the service is, e.g. object-store; names the NetworkPolicy.")
    ]
    namespace: Annotated[DnsLabel, Field(description="The service's namespace.")]
    pod_labels: Annotated[
        dict[LabelKey, LabelValue],
        Field(
            min_length=1,
            max_length=8,
            description="Labels that select the service's pods (the Service's selector).",
        ),
    ]
    ports: Annotated[
        tuple[PortSpec, ...], Field(min_length=1, max_length=16, description="Ports the pods may reach.")
    ]


class RegistryCredential(SpecModel):
    """A container registry the tenant pulls from with a password (an image pull Secret in its
    namespace). The password is never in the stack file: it is a Pulumi secret in stack config."""

    server: Annotated[
        str,
        StringConstraints(
            max_length=253,
            pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?$",
        ),
        Field(description="Registry host, optionally with a port, e.g. nvcr.io."),
    ]
    username: Annotated[
        str,
        StringConstraints(min_length=1, max_length=253, pattern=r"^[!-~]+$"),
        Field(description="Registry user name; for NVIDIA NGC the literal `$oauthtoken`."),
    ]
    password_key: Annotated[
        ConfigKey,
        Field(
            description="Key in the `gpudc` config namespace holding the password or API key, set with "
            "`pulumi config set --secret gpudc:<key>` (the key's name, never the password)."
        ),
    ]


class TenantSpec(SpecModel):
    """A tenant of a cluster: its namespace, its group, its GPUs per pool and its network exceptions."""

    name: Annotated[
        DnsLabel,
        Field(
            description="Tenant name, unique in the environment; its namespace and LocalQueue are named "
            "so, its ClusterQueue tenant-<name>."
        ),
    ]
    group: Annotated[
        str,
        StringConstraints(min_length=1, max_length=253, pattern=r"^[!-~]([ -~]*[!-~])?$"),
        Field(
            description="The identity provider's group whose members work in the tenant's namespace "
            "(an RBAC Group subject, printable ASCII)."
        ),
    ]
    gpus: Annotated[
        tuple[TenantPoolQuota, ...],
        Field(min_length=1, max_length=16, description="The tenant's quota in each pool it uses."),
    ]
    allow: Annotated[
        tuple[NetworkAllowance, ...],
        Field(
            max_length=32,
            description="Services outside its namespace the tenant may reach; DNS and its own "
            "namespace are always allowed, everything else is denied.",
        ),
    ] = ()
    registries: Annotated[
        tuple[RegistryCredential, ...],
        Field(
            max_length=8,
            description="Registries the tenant pulls private images from; each becomes an image pull "
            "Secret named registry-<server> in its namespace, built from a Pulumi secret.",
        ),
    ] = ()

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, name: str) -> str:
        if name in RESERVED_NAMESPACES or name.startswith("kube-"):
            raise ValueError(
                f"names the namespace {name!r}, which belongs to the cluster; choose another name"
            )
        return name

    @model_validator(mode="after")
    def _unique(self) -> TenantSpec:
        raise_field_problems(
            "TenantSpec",
            [
                ("gpus", unique_names_problem("gpus", [quota.pool for quota in self.gpus])),
                ("allow", unique_names_problem("allow", [allowance.name for allowance in self.allow])),
                ("registries", unique_names_problem("registries", [r.server for r in self.registries])),
            ],
        )
        return self


Tenants = Annotated[
    tuple[TenantSpec, ...],
    Field(
        max_length=256,
        description="The cluster's tenants: namespace, quota, Kueue queues, network policy and RBAC each.",
    ),
]
