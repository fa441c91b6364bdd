"""What a GPU node pool is: which machines, how many, where, and how workloads reach them."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from gpudc.core.errors import explain_pattern
from gpudc.core.spec import DnsLabel, PositiveInt, SpecModel, raise_field_problems, repeated
from gpudc.gpu_operator.spec import PoolGpuSpec
from gpudc.nodepool.provisioning import (
    CapiMetal3Provisioner,
    CksProvisioner,
    ExistingNodes,
    Provisioner,
)

__all__ = [
    "ExistingNodes",
    "InventoryPath",
    "LabelKey",
    "LabelValue",
    "NodePoolSpec",
    "PoolPlacement",
    "Provisioner",
    "Taint",
    "TaintEffect",
]

# Label syntax: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
LabelKey = Annotated[
    str,
    StringConstraints(
        max_length=317,
        pattern=explain_pattern(
            r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
            r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
            "must be a label key: an optional DNS-subdomain prefix and '/', then up to 63 letters, "
            "digits, '-', '_' or '.', starting and ending with a letter or digit",
        ),
    ),
    Field(
        description="A Kubernetes label key: optional DNS-subdomain prefix and '/', then a name of up to 63 chars."
    ),
]
LabelValue = Annotated[
    str,
    StringConstraints(
        max_length=63,
        pattern=explain_pattern(
            r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$",
            "must be a label value: letters, digits, '-', '_' or '.', starting and ending with a "
            "letter or digit",
        ),
    ),
    Field(
        description="A Kubernetes label value: up to 63 alphanumerics, '-', '_' or '.', alphanumeric at both ends."
    ),
]


# Kubelet may set its own labels only outside these namespaces, bar two sub-namespaces:
# https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction
_KUBELET_ALLOWED_DOMAINS = ("node.kubernetes.io", "kubelet.kubernetes.io")


def _kubelet_refuses(key: str) -> bool:
    domain = key.split("/", 1)[0] if "/" in key else ""
    if domain in _KUBELET_ALLOWED_DOMAINS or domain.endswith(
        tuple(f".{d}" for d in _KUBELET_ALLOWED_DOMAINS)
    ):
        return False
    return domain in ("kubernetes.io", "k8s.io") or domain.endswith((".kubernetes.io", ".k8s.io"))


class TaintEffect(StrEnum):
    """Taint effects the kubelet and scheduler understand (core/v1 Taint.effect)."""

    NO_SCHEDULE = "NoSchedule"
    PREFER_NO_SCHEDULE = "PreferNoSchedule"
    NO_EXECUTE = "NoExecute"


class Taint(SpecModel):
    """A node taint the pool's nodes register with, mirrored in the pool's Kueue ResourceFlavor."""

    key: Annotated[LabelKey, Field(description="Taint key, label-key syntax.")]
    value: Annotated[LabelValue, Field(description="Taint value, label-value syntax; may be empty.")] = ""
    effect: Annotated[
        TaintEffect, Field(description="What the scheduler does with pods that do not tolerate it.")
    ]

    def as_kubernetes(self) -> dict[str, str]:
        """The core/v1 Taint object (also Kueue's nodeTaints item); an empty value is left out."""
        taint = {"key": self.key, "value": self.value, "effect": self.effect.value}
        return taint if self.value else {"key": self.key, "effect": self.effect.value}

    def as_flag(self) -> str:
        """kubelet `--register-with-taints` form: `key=value:Effect`, or `key:Effect`."""
        return (
            f"{self.key}={self.value}:{self.effect.value}"
            if self.value
            else f"{self.key}:{self.effect.value}"
        )


class PoolPlacement(StrEnum):
    """Who racks the pool's machines, and so what gpudc checks about them."""

    RACKED = "racked"
    """In one of the site's halls: placed in racks, held to the hall's power and cooling."""
    MANAGED = "managed"
    """Capacity someone else racks and powers (e.g. CoreWeave CKS): no hall; its IT power is
    estimated from the catalog for the site's energy, carbon and water figures."""


InventoryPath = Annotated[
    str,
    StringConstraints(
        max_length=255,
        pattern=explain_pattern(
            r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\.csv$",
            "must be a relative path to a .csv file under the stack file's folder: folder names of "
            "letters, digits, '_', '-' or '.', never starting with '.' (so no '..')",
        ),
    ),
]


GPU_TAINT = Taint(key="nvidia.com/gpu", value="present", effect=TaintEffect.NO_SCHEDULE)


class NodePoolSpec(SpecModel):
    """One homogeneous group of GPU nodes in one data hall."""

    name: Annotated[DnsLabel, Field(description="Pool name, unique in its site; part of every child's name.")]
    placement: Annotated[
        PoolPlacement,
        Field(description="`racked` in one of the site's halls (the default), or `managed` by a provider."),
    ] = PoolPlacement.RACKED
    hall: Annotated[
        DnsLabel | None,
        Field(
            description="Name of the data hall (in the site's `halls`) whose racks hold the pool; "
            "required for a racked pool, absent for a managed one."
        ),
    ] = None
    cluster: Annotated[
        DnsLabel | None,
        Field(
            description="Name of the site's cluster the pool's nodes join; may be omitted when the "
            "site has one cluster."
        ),
    ] = None
    node_model: Annotated[
        DnsLabel,
        Field(description="Node model key: one of the environment's `node_models`, else the gpudc catalog."),
    ]
    nodes: Annotated[
        PositiveInt,
        Field(
            le=100_000,
            description="Number of Kubernetes nodes; a multiple of the model's nodes per system: "
            "a GB200 NVL72 rack is one system of 18 nodes (compute trays), so 144 nodes = 8 racks.",
        ),
    ]
    provisioner: Annotated[Provisioner, Field(description="How the pool's machines come to exist and join.")]
    inventory: Annotated[
        InventoryPath | None,
        Field(
            description="CSV of the pool's machines (node, rack, bmc_address, boot_mac, serial), relative "
            "to the stack file's folder, e.g. inventory/plano/h100-a.csv. Required for `capi-metal3` "
            "(each row becomes a BareMetalHost); for `existing` it names the nodes to label."
        ),
    ] = None
    labels: Annotated[
        dict[LabelKey, LabelValue],
        Field(max_length=32, description="Extra node labels, on top of gpudc's site/hall/pool labels."),
    ] = {}
    taints: Annotated[
        tuple[Taint, ...],
        Field(
            max_length=8,
            description="Node taints (at most 8, Kueue's ResourceFlavor nodeTaints limit); the default keeps non-GPU pods off GPU nodes "
            "(nvidia.com/gpu=present:NoSchedule). An empty list removes it.",
        ),
    ] = (GPU_TAINT,)
    gpu: Annotated[
        PoolGpuSpec,
        Field(description="GPU settings of this pool: its own driver, MIG layout, time-slicing, validation."),
    ] = PoolGpuSpec()

    @model_validator(mode="after")
    def _provisioner_fits(self) -> NodePoolSpec:
        provisioner = self.provisioner
        problems: list[tuple[str | tuple[str, ...], str | None]] = []
        if isinstance(provisioner, CapiMetal3Provisioner):
            if self.placement is not PoolPlacement.RACKED:
                problems.append(
                    ("placement", "a capi-metal3 pool is our own bare metal: set `placement: racked`")
                )
            if self.inventory is None:
                problems.append(
                    (
                        "inventory",
                        "is required for capi-metal3: every host's BMC address and boot MAC come from it "
                        "(one row per machine; see README, Inventory)",
                    )
                )
        if isinstance(provisioner, CksProvisioner):
            if self.placement is not PoolPlacement.MANAGED:
                problems.append(("placement", "a cks pool is CoreWeave's capacity: set `placement: managed`"))
            if self.inventory is not None:
                problems.append(("inventory", "CoreWeave names and racks CKS nodes; remove the inventory"))
        scaling = getattr(provisioner, "autoscaling", None)
        if scaling is not None and not scaling.min_nodes <= self.nodes <= scaling.max_nodes:
            problems.append(
                (
                    "nodes",
                    f"{self.nodes} is outside the autoscaling bounds {scaling.min_nodes}..{scaling.max_nodes}; "
                    "the pool starts at `nodes`, so set it within them",
                )
            )
        if problems:
            raise_field_problems("NodePoolSpec", problems)
        return self

    @model_validator(mode="after")
    def _hall_matches_placement(self) -> NodePoolSpec:
        if self.placement is PoolPlacement.RACKED and self.hall is None:
            raise_field_problems(
                "NodePoolSpec",
                [
                    (
                        "hall",
                        "is required for a racked pool: name the hall whose racks hold it, "
                        "or set `placement: managed` for capacity a provider racks",
                    )
                ],
            )
        if self.placement is PoolPlacement.MANAGED and self.hall is not None:
            raise_field_problems(
                "NodePoolSpec",
                [
                    (
                        "hall",
                        f"a managed pool has no hall of ours; remove `hall: {self.hall}` or set `placement: racked`",
                    )
                ],
            )
        return self

    @field_validator("labels")
    @classmethod
    def _no_reserved_labels(cls, labels: dict[str, str]) -> dict[str, str]:
        reserved = sorted(
            key
            for key in labels
            if key.startswith(("gpudc.io/", "topology.gpudc.io/", "topology.kubernetes.io/"))
        )
        if reserved:
            raise ValueError(f"labels {reserved} are set by gpudc from the site, hall and pool; remove them")
        refused = sorted(key for key in labels if _kubelet_refuses(key))
        if refused:
            raise ValueError(
                f"labels {refused} are in the kubernetes.io / k8s.io namespaces, which kubelet refuses in "
                "--node-labels (except node.kubernetes.io/ and kubelet.kubernetes.io/); use a prefix of your own"
            )
        return labels

    @field_validator("taints")
    @classmethod
    def _taints_unique(cls, taints: tuple[Taint, ...]) -> tuple[Taint, ...]:
        # Node validation: "taints must be unique by key and effect pair".
        pairs = [(taint.key, taint.effect.value) for taint in taints]
        twice = repeated(pairs)
        if twice:
            raise ValueError(f"taints must be unique by key and effect; {twice} repeat")
        return taints
