"""How NVIDIA's GPU Operator is installed on a site's cluster."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, JsonValue, StringConstraints, field_validator, model_validator

from gpudc.catalog.models import MigProfileName
from gpudc.core.errors import explain_pattern
from gpudc.core.labels import SYSTEM_NAMESPACE
from gpudc.core.spec import DnsLabel, NonNegativeInt, SpecModel, raise_field_problems

__all__ = [
    "ChartVersion",
    "DcgmDiagLevel",
    "DriverMode",
    "DriverSpec",
    "GpuOperatorSpec",
    "KernelModuleType",
    "KubernetesVersion",
    "MigStrategy",
    "MonitoringSpec",
    "NcclValidationSpec",
    "NvlinkDomainsSpec",
    "PoolDriverSpec",
    "PoolGpuSpec",
    "PoolMigSpec",
    "PoolTimeSlicingSpec",
    "PoolValidationSpec",
    "PrometheusOperator",
    "Switch",
    "UpgradePolicySpec",
]

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


KubernetesVersion = Annotated[
    str,
    StringConstraints(
        pattern=explain_pattern(
            r"^1\.[0-9]{1,3}(\.[0-9]{1,3})?$",
            "must be a Kubernetes version such as 1.34 or 1.34.2 (no leading 'v')",
        )
    ),
    Field(description="Kubernetes version the cluster runs, minor or patch, e.g. 1.34 or 1.34.2."),
]
Percent = Annotated[
    str,
    StringConstraints(pattern=explain_pattern(r"^(100|[1-9]?[0-9])%$", "must be a percentage such as 25%")),
]


class Switch(StrEnum):
    """A feature turned on or off (an enum, so a third state can come without a breaking change)."""

    ENABLED = "enabled"
    DISABLED = "disabled"


class KernelModuleType(StrEnum):
    """Which kernel module flavour the driver container loads (chart `driver.kernelModuleType`)."""

    AUTO = "auto"
    OPEN = "open"
    PROPRIETARY = "proprietary"


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


class UpgradePolicySpec(SpecModel):
    """How the operator rolls a new driver over the nodes (chart `driver.upgradePolicy`).

    A driver change reloads the kernel module, so every GPU pod on a node is evicted; these
    bounds decide how much of the cluster that can take down at once.
    """

    auto_upgrade: Annotated[
        Switch, Field(description="`enabled`: the operator's upgrade controller rolls driver changes.")
    ] = Switch.ENABLED
    max_parallel_upgrades: Annotated[
        NonNegativeInt,
        Field(le=1000, description="Nodes upgraded at once; 0 means all at once (nodes)."),
    ] = 1
    max_unavailable: Annotated[
        Percent,
        Field(description="Share of GPU nodes that may be unavailable during the upgrade (percent)."),
    ] = "25%"
    drain: Annotated[
        Switch,
        Field(description="`enabled`: drain the node (kubectl drain) before the driver reloads."),
    ] = Switch.DISABLED
    drain_timeout_seconds: Annotated[
        NonNegativeInt, Field(le=86_400, description="Drain timeout; 0 waits forever (seconds).")
    ] = 300
    pod_deletion_timeout_seconds: Annotated[
        NonNegativeInt,
        Field(le=86_400, description="How long to wait for GPU pods to be deleted (seconds)."),
    ] = 300
    delete_empty_dir: Annotated[
        Switch, Field(description="`enabled`: evict pods that use emptyDir volumes (their data is lost).")
    ] = Switch.DISABLED


class PrometheusOperator(StrEnum):
    """Whether the cluster runs the Prometheus Operator (its ServiceMonitor CRD exists)."""

    PRESENT = "present"
    ABSENT = "absent"


class MonitoringSpec(SpecModel):
    """DCGM exporter metrics and how Prometheus finds them."""

    prometheus_operator: Annotated[
        PrometheusOperator,
        Field(description="`present`: the chart creates a ServiceMonitor for the DCGM exporter."),
    ] = PrometheusOperator.ABSENT
    scrape_interval_seconds: Annotated[
        int, Field(ge=1, le=3600, strict=True, description="ServiceMonitor scrape interval (seconds).")
    ] = 15


class DcgmDiagLevel(StrEnum):
    """`dcgmi diag -r <level>`: 1 quick (seconds), 2 medium (about 2 min), 3 long (about 15 min),
    4 extended (about an hour; the burn-in level)."""

    QUICK = "1"
    MEDIUM = "2"
    LONG = "3"
    EXTENDED = "4"


class NcclValidationSpec(SpecModel):
    """An NCCL all-reduce (nccl-tests `all_reduce_perf`) across every node of the pool over its RDMA
    rails, after the DCGM diagnostic: it fails when NCCL reports a wrong result or when the average
    bus bandwidth over the message sizes is below the floor.

    Bus bandwidth is nccl-tests' `busbw` (GB/s, 10^9 bytes per second): the algorithm bandwidth
    scaled by 2(n-1)/n for all-reduce, so it is comparable with the hardware's link speed whatever
    the number of GPUs (NVIDIA/nccl-tests doc/PERFORMANCE.md).

    On a rack-scale pool (GB200/GB300 NVL72) the workers claim no ComputeDomain, the IMEX channel
    a pod needs for multi-node NVLink, so NCCL crosses compute trays over the rails: the floor is
    the rails', not the rack's NVLink.
    """

    min_bus_bandwidth_gbps: Annotated[
        float,
        Field(
            gt=0,
            le=10_000,
            strict=True,
            allow_inf_nan=False,
            description="Floor of the average bus bandwidth over the run's message sizes, below which "
            "the run fails (GB/s, 10^9 bytes per second: nccl-tests' `Avg bus bandwidth`; a number, "
            "0 < floor <= 10000).",
        ),
    ]
    min_message_mib: Annotated[
        int,
        Field(
            ge=1,
            le=65_536,
            strict=True,
            description="Smallest message of the sweep (MiB, 2^20 bytes; `-b`; 1 to 65536).",
        ),
    ] = 512
    max_message_mib: Annotated[
        int,
        Field(
            ge=1,
            le=65_536,
            strict=True,
            description="Largest message of the sweep, doubling from the smallest (MiB, 2^20 bytes; "
            "`-e`, `-f 2`; 1 to 65536, and within what the pool's GPU memory holds: a third of it, less "
            "nccl-tests' reserve).",
        ),
    ] = 8192
    iterations: Annotated[
        int,
        Field(ge=1, le=1000, strict=True, description="Timed iterations per message size (`-n`; 1 to 1000)."),
    ] = 20
    timeout_minutes: Annotated[
        int,
        Field(
            ge=5,
            le=720,
            strict=True,
            description="Deadline of each of the run's two steps, counted from the step's start, image "
            "pulls included: making its SSH key, then the workers and the all-reduce; a step still "
            "going fails the run, so a hung fabric cannot hang the deployment (minutes; 5 to 720).",
        ),
    ] = 60

    @model_validator(mode="after")
    def _sweep(self) -> NcclValidationSpec:
        if self.min_message_mib > self.max_message_mib:
            raise_field_problems(
                "NcclValidationSpec",
                [
                    (
                        "max_message_mib",
                        f"is below min_message_mib ({self.min_message_mib}); the sweep runs from the "
                        "smallest message up to the largest",
                    )
                ],
            )
        return self


class PoolValidationSpec(SpecModel):
    """Post-deploy validation of a pool's GPUs, and the burn-in gate new nodes pass before use."""

    dcgm_diag_level: Annotated[
        DcgmDiagLevel, Field(description="DCGM diagnostic level run on every node of the pool (1-4).")
    ] = DcgmDiagLevel.LONG
    burn_in: Annotated[
        Switch,
        Field(
            description="`enabled`: nodes register with the taint gpudc.io/burn-in=pending:NoSchedule and "
            "only a passing diagnostic run removes it."
        ),
    ] = Switch.DISABLED
    nccl: Annotated[
        NcclValidationSpec | None,
        Field(
            description="An NCCL all-reduce across the pool's nodes over its RDMA rails (needs 2 or more "
            "nodes and the site's `network`); omit for none."
        ),
    ] = None


class PoolDriverSpec(SpecModel):
    """This pool's own driver, when it differs from the cluster's (one NVIDIADriver per pool)."""

    version: Annotated[
        DriverVersion,
        Field(description="Driver version for this pool's nodes; checked against the pool's GPU."),
    ]
    kernel_module_type: Annotated[
        KernelModuleType, Field(description="Kernel module flavour (NVIDIADriver `kernelModuleType`).")
    ] = KernelModuleType.AUTO


class PoolMigSpec(SpecModel):
    """A MIG layout applied to every GPU of the pool (a mig-parted config of its own)."""

    devices: Annotated[
        dict[MigProfileName, Annotated[int, Field(ge=1, le=7, strict=True)]],
        Field(
            min_length=1,
            max_length=7,
            description="GPU-instance profile -> instances per GPU, e.g. {'1g.10gb': 7}; profiles must "
            "be ones the pool's GPU offers (`gpudc catalog`).",
        ),
    ]


class PoolTimeSlicingSpec(SpecModel):
    """Time-slicing: each GPU (or MIG device) advertised as several schedulable replicas."""

    replicas: Annotated[
        int, Field(ge=2, le=64, strict=True, description="Replicas advertised per GPU (count).")
    ]


class PoolGpuSpec(SpecModel):
    """A pool's GPU settings: its own driver, MIG layout, time-slicing, validation and burn-in."""

    driver: Annotated[
        PoolDriverSpec | None,
        Field(description="This pool's own driver; omit to use the cluster's `gpu_operator.driver`."),
    ] = None
    mig: Annotated[PoolMigSpec | None, Field(description="MIG layout for every GPU of the pool.")] = None
    time_slicing: Annotated[
        PoolTimeSlicingSpec | None, Field(description="Time-slicing of the pool's GPUs.")
    ] = None
    validation: Annotated[
        PoolValidationSpec | None,
        Field(description="Post-deploy DCGM diagnostics (and the burn-in gate) for this pool; opt-in."),
    ] = None

    @property
    def burn_in(self) -> bool:
        return self.validation is not None and self.validation.burn_in is Switch.ENABLED


class NvlinkDomainsSpec(SpecModel):
    """DRA ComputeDomains for rack-scale NVLink pools (GB200/GB300 NVL72): one per rack."""

    namespace: Annotated[
        DnsLabel,
        Field(
            description="Namespace of the ComputeDomains and their ResourceClaimTemplates (workloads "
            "that join a domain run there)."
        ),
    ]


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
    upgrade_policy: Annotated[
        UpgradePolicySpec, Field(description="How driver changes roll over the nodes.")
    ] = UpgradePolicySpec()
    rdma: Annotated[
        Switch, Field(description="GPUDirect RDMA in the driver container (chart `driver.rdma.enabled`).")
    ] = Switch.DISABLED
    gpudirect_storage: Annotated[
        Switch, Field(description="GPUDirect Storage (nvidia-fs) driver (chart `gds.enabled`).")
    ] = Switch.DISABLED
    gdrcopy: Annotated[Switch, Field(description="GDRCopy driver (chart `gdrcopy.enabled`).")] = (
        Switch.DISABLED
    )
    monitoring: Annotated[MonitoringSpec, Field(description="DCGM exporter metrics.")] = MonitoringSpec()
    nvlink_domains: Annotated[
        NvlinkDomainsSpec | None,
        Field(
            description="Install NVIDIA's DRA driver and one ComputeDomain per rack of every rack-scale "
            "NVLink pool (GB200/GB300 NVL72); needs the cluster's `kubernetes_version`."
        ),
    ] = None
    extra_values: Annotated[
        dict[str, JsonValue],
        Field(
            max_length=64,
            description="Extra chart values merged last, over everything gpudc sets (an escape hatch: "
            "not checked against the chart).",
        ),
    ] = {}

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
