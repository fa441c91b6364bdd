"""A Kubernetes cluster of a site: how Pulumi reaches it, and the software gpudc runs on it.

A site is physical (halls, racks, power); a cluster is logical. One building can hold several
clusters (production and staging, or one per tenant class), and each cluster gets its own
singletons (GPU Operator now, Kueue and the Network Operator later) exactly once.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from gpudc.core.errors import explain_pattern
from gpudc.core.spec import ConfigKey, DnsLabel, SpecModel
from gpudc.gpu_operator.spec import GpuOperatorSpec, KubernetesVersion
from gpudc.scheduling.spec import SchedulingSpec
from gpudc.tenancy.spec import GpuOvercommit, Tenants

__all__ = [
    "CapiClusterRef",
    "ClusterSpec",
    "ContextAccess",
    "KubeconfigSecretAccess",
    "KubernetesAccess",
    "access_identity",
]


class ContextAccess(SpecModel):
    """Reach the cluster through a named context of the operator's kubeconfig."""

    type: Annotated[Literal["context"], Field(description="Use a kubeconfig context.")]
    context: Annotated[
        str,
        StringConstraints(min_length=1, max_length=253, pattern=r"^[!-~]([ -~]*[!-~])?$"),
        Field(description="Context name (printable ASCII)."),
    ]


class KubeconfigSecretAccess(SpecModel):
    """Reach the cluster through a kubeconfig held as a Pulumi secret in stack config."""

    type: Annotated[Literal["kubeconfig-secret"], Field(description="Use a kubeconfig stored as a secret.")]
    config_key: Annotated[
        ConfigKey,
        Field(
            description="Key in the `gpudc` config namespace that holds the kubeconfig, set with "
            "`pulumi config set --secret gpudc:<key> < kubeconfig` (the key's name, never the kubeconfig)."
        ),
    ]

    @field_validator("config_key", mode="before")
    @classmethod
    def _a_key_of_its_own(cls, key: object) -> object:
        if isinstance(key, str) and key.startswith("gpudc:"):
            raise ValueError(
                f"is looked up in the gpudc namespace already; drop the prefix: config_key: {key[6:60]}"
            )
        if key == "environment":
            raise ValueError(
                "names gpudc:environment, the stack's own environment, not a kubeconfig; "
                "set the kubeconfig under a key of its own, e.g. config_key: <cluster>-kubeconfig"
            )
        return key


KubernetesAccess = Annotated[ContextAccess | KubeconfigSecretAccess, Field(discriminator="type")]


def access_identity(access: ContextAccess | KubeconfigSecretAccess) -> str:
    """What an access resolves to, for telling two clusters apart: the context, or the secret key."""
    if isinstance(access, ContextAccess):
        return f"kube context {access.context!r}"
    return f"kubeconfig secret gpudc:{access.config_key}"


# DNS-1123 subdomain: Cluster API objects are named like any Kubernetes object.
_OBJECT_NAME = explain_pattern(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
    "must be a Kubernetes object name: lowercase letters, digits, '-' and '.', starting and ending "
    "with a letter or digit",
)


class CapiClusterRef(SpecModel):
    """The Cluster API `Cluster` on the management cluster that already runs this cluster's control
    plane. gpudc adds worker machines to it; creating the control plane is not gpudc's job."""

    name: Annotated[
        str,
        StringConstraints(max_length=63, pattern=_OBJECT_NAME),
        Field(description="Name of the CAPI Cluster object (the MachineDeployments' clusterName)."),
    ]
    namespace: Annotated[
        DnsLabel, Field(description="Namespace of the CAPI Cluster on the management cluster.")
    ]
    metal3_cluster: Annotated[
        str | None,
        StringConstraints(max_length=253, pattern=_OBJECT_NAME),
        Field(
            description="Name of the cluster's Metal3Cluster, annotated by gpudc so Metal3 copies the "
            "hosts' rack labels to their nodes; defaults to the CAPI Cluster's name."
        ),
    ] = None


class ClusterSpec(SpecModel):
    """A Kubernetes cluster: its access, an optional Cluster API management cluster, its software."""

    name: Annotated[
        DnsLabel,
        Field(
            description="Cluster name, unique in the environment; names its Kubernetes provider "
            "(`<name>-kubernetes`) and its folder under out/<stack>/manifests/."
        ),
    ]
    kubernetes: Annotated[KubernetesAccess, Field(description="How Pulumi reaches this cluster.")]
    management: Annotated[
        KubernetesAccess | None,
        Field(
            description="The Cluster API management cluster that provisions this cluster's machines "
            "(Cluster API and Metal3 run there); omit when the cluster's nodes are not CAPI-managed."
        ),
    ] = None
    capi: Annotated[
        CapiClusterRef | None,
        Field(
            description="The Cluster API Cluster (on `management`) this cluster is; required when a pool "
            "of the cluster uses the capi-metal3 provisioner."
        ),
    ] = None
    gpu_operator: Annotated[
        GpuOperatorSpec, Field(description="NVIDIA GPU Operator release for this cluster.")
    ]
    scheduling: Annotated[
        SchedulingSpec, Field(description="Kueue: queues, cohort and per-node reserve for this cluster.")
    ] = SchedulingSpec()
    kubernetes_version: Annotated[
        KubernetesVersion | None,
        Field(
            description="Kubernetes version the cluster runs (e.g. 1.34); checked against the GPU "
            "Operator release's supported range and the DRA driver's floor. Required for `nvlink_domains`."
        ),
    ] = None
    # Tenancy (gpudc.tenancy): the cluster's tenants and how far their GPU quotas may overcommit.
    tenants: Annotated[Tenants, Field(description="Tenants of this cluster (see TenantSpec).")] = ()
    tenant_gpu_overcommit: GpuOvercommit = 1.0
