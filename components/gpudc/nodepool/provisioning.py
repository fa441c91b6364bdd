"""How a pool's machines come to exist and join their cluster: the provisioner specs.

`provisioner.type` picks one (a discriminated union):
- `capi-metal3`: our own bare metal, racked in our halls, provisioned by Cluster API and Metal3
  on the cluster's management cluster (one BareMetalHost per inventory row);
- `cks`: CoreWeave Kubernetes Service capacity, a `NodePool` custom resource in the cluster;
- `existing`: nodes some other process joins; gpudc labels and taints them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from gpudc.core.errors import explain_pattern
from gpudc.core.spec import ConfigKey, SpecModel, raise_field_problems

__all__ = [
    "Autoscaling",
    "BmcCredentials",
    "BmcTls",
    "CapiMetal3Provisioner",
    "ChecksumType",
    "CksProvisioner",
    "ConfigKey",
    "ExistingNodes",
    "HealthCheck",
    "ImageFormat",
    "MachineImage",
    "Provisioner",
    "Rollout",
]


class Autoscaling(SpecModel):
    """Bounds the cluster autoscaler keeps the pool within; the pool's `nodes` is its starting size."""

    min_nodes: Annotated[int, Field(ge=0, le=100_000, description="Fewest nodes the autoscaler leaves.")]
    max_nodes: Annotated[int, Field(ge=1, le=100_000, description="Most nodes the autoscaler adds.")]

    @model_validator(mode="after")
    def _ordered(self) -> Autoscaling:
        if self.min_nodes > self.max_nodes:
            raise_field_problems(
                "Autoscaling",
                [("min_nodes", f"{self.min_nodes} is above max_nodes ({self.max_nodes}); swap or fix them")],
            )
        return self


class Rollout(SpecModel):
    """How a change to the pool's machines (image, Kubernetes version, kubelet flags) rolls out."""

    max_unavailable: Annotated[
        int,
        Field(
            ge=0, le=10_000, description="Nodes that may be down at once during a rollout (drained first)."
        ),
    ] = 1
    max_surge: Annotated[
        int,
        Field(
            ge=0,
            le=10_000,
            description="Extra nodes a rollout may bring up before removing old ones; bare metal can only "
            "surge onto spare hosts, so at most the inventory's rows beyond `nodes`.",
        ),
    ] = 0
    drain_timeout_seconds: Annotated[
        int,
        Field(
            ge=0,
            le=86_400,
            description="Seconds to wait for a node to drain before it is deleted anyway; 0 waits forever "
            "(Cluster API's own default), which a stuck training pod can turn into a stuck rollout.",
        ),
    ] = 1_800

    @model_validator(mode="after")
    def _can_progress(self) -> Rollout:
        if self.max_unavailable == 0 and self.max_surge == 0:
            raise_field_problems(
                "Rollout",
                [
                    (
                        "max_unavailable",
                        "and max_surge are both 0, so no machine could ever be replaced; "
                        "allow at least one node down (max_unavailable: 1) or a spare to surge onto",
                    )
                ],
            )
        return self


class HealthCheck(SpecModel):
    """When Cluster API replaces a machine whose node went bad (a `MachineHealthCheck`)."""

    node_startup_timeout_seconds: Annotated[
        int,
        Field(
            ge=60,
            le=86_400,
            description="Seconds a new machine has to become a node. GPU servers spend many minutes in "
            "firmware and provisioning before the kubelet starts, so give them time.",
        ),
    ] = 3_600
    unhealthy_timeout_seconds: Annotated[
        int,
        Field(
            ge=30,
            le=86_400,
            description="Seconds a node may report Ready=False or Unknown before its machine is remediated.",
        ),
    ] = 600
    max_unhealthy: Annotated[
        int,
        Field(
            ge=1,
            le=10_000,
            description="Remediate only while at most this many of the pool's machines are unhealthy; more "
            "than that points at a shared cause (power, network) that replacing machines cannot fix.",
        ),
    ] = 2


class ChecksumType(StrEnum):
    """How the image's checksum was made (Metal3 `image.checksumType`)."""

    SHA256 = "sha256"
    SHA512 = "sha512"


class ImageFormat(StrEnum):
    """The disk image's format (Metal3 `image.format`)."""

    RAW = "raw"
    QCOW2 = "qcow2"


_HTTP_URL = explain_pattern(r"^https?://[!-~]+$", "must be an http:// or https:// URL without spaces")


class MachineImage(SpecModel):
    """The OS image Metal3 writes to each host's disk before it joins the cluster."""

    url: Annotated[
        str,
        StringConstraints(max_length=2048, pattern=_HTTP_URL),
        Field(description="Where Metal3's Ironic downloads the image from."),
    ]
    checksum: Annotated[
        str,
        StringConstraints(
            max_length=2048,
            pattern=explain_pattern(
                r"^(https?://[!-~]+|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})$",
                "must be the URL of a checksum file or a sha256/sha512 hex digest",
            ),
        ),
        Field(description="The image's checksum, or the URL of a file holding it."),
    ]
    checksum_type: Annotated[ChecksumType, Field(description="Hash of `checksum`.")] = ChecksumType.SHA256
    format: Annotated[ImageFormat, Field(description="Disk image format.")] = ImageFormat.RAW


class BmcTls(StrEnum):
    """Whether Ironic checks the BMC's TLS certificate."""

    VERIFY = "verify"
    """The BMC presents a certificate the management cluster trusts."""
    SKIP = "skip"
    """Self-signed BMC certificates (common out of the factory); sets disableCertificateVerification."""


class BmcCredentials(SpecModel):
    """The BMC login of the pool's hosts, kept only in Pulumi secret config."""

    username_key: Annotated[ConfigKey, Field(description="Secret config key holding the BMC user name.")]
    password_key: Annotated[ConfigKey, Field(description="Secret config key holding the BMC password.")]
    tls: Annotated[BmcTls, Field(description="Check the BMC's TLS certificate, or skip the check.")] = (
        BmcTls.VERIFY
    )


class CapiMetal3Provisioner(SpecModel):
    """Bare metal of our own: Cluster API + Metal3 on the cluster's management cluster.

    Every inventory row becomes a BareMetalHost; a MachineDeployment claims `nodes` of them
    through the pool's host selector, and the rest stay spares for surges and repairs.
    """

    type: Annotated[Literal["capi-metal3"], Field(description="Provisioner kind: Cluster API + Metal3.")]
    kubernetes_version: Annotated[
        str,
        StringConstraints(
            pattern=explain_pattern(
                r"^v1\.[0-9]{1,3}\.[0-9]{1,3}$", "must be a Kubernetes version like v1.34.2"
            )
        ),
        Field(description="Kubernetes version the machines run (the MachineDeployment's `version`)."),
    ]
    image: Annotated[MachineImage, Field(description="OS image written to each host.")]
    bmc: Annotated[BmcCredentials, Field(description="BMC credentials, from secret config.")]
    rollout: Annotated[Rollout, Field(description="How machine changes roll out.")] = Rollout()
    autoscaling: Annotated[
        Autoscaling | None,
        Field(description="Cluster autoscaler bounds; omit for a fixed size of `nodes`."),
    ] = None
    health_check: Annotated[HealthCheck, Field(description="When a bad machine is replaced.")] = HealthCheck()


CksInstanceType = Annotated[
    str,
    StringConstraints(
        max_length=63,
        pattern=explain_pattern(
            r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "must be a CKS instance type id like gd-8xh100ib-i128"
        ),
    ),
]


class CksProvisioner(SpecModel):
    """Capacity on CoreWeave Kubernetes Service: a CKS `NodePool` in the cluster."""

    type: Annotated[Literal["cks"], Field(description="Provisioner kind: CoreWeave CKS node pool.")]
    instance_type: Annotated[
        CksInstanceType | None,
        Field(
            description="CKS instance type; omit to use the one gpudc's catalog maps the pool's node model "
            "to. Changing it replaces the whole node pool."
        ),
    ] = None
    compute_class: Annotated[
        Literal["default", "Spot"] | None,
        Field(
            description="CKS compute class: `default` (reserved and on-demand) or `Spot` (preemptible); "
            "omit for CoreWeave's default."
        ),
    ] = None
    autoscaling: Annotated[
        Autoscaling | None,
        Field(description="Node count bounds for CKS autoscaling; not for rack-scale (GB200/GB300) types."),
    ] = None


class ExistingNodes(SpecModel):
    """Nodes that are provisioned outside gpudc and join the cluster themselves.

    gpudc labels and taints them by name (from the pool's inventory, or names derived from the
    placement) and publishes the kubelet flags they should register with.
    """

    type: Annotated[
        Literal["existing"], Field(description="Provisioner kind: nodes joined by an external process.")
    ]


Provisioner = Annotated[CapiMetal3Provisioner | CksProvisioner | ExistingNodes, Field(discriminator="type")]
