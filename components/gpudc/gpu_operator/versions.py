"""The GPU Operator compatibility matrix for one cluster, and what each of its pools gets.

Chart release x driver version x GPU x Kubernetes version, from the sourced facts in
`gpudc.catalog.software` and the GPU catalog: a driver branch older than a GPU's first supported
branch (or a full version below the minimum NVIDIA states) leaves the GPU invisible to Kubernetes,
a Kubernetes version outside the release's validated range or a GPU newer than the release is an
unsupported install, and a MIG layout the GPU cannot take leaves the MIG manager failing on every
node. Each is caught here, before `pulumi up`, with the allowed values in the message.

Per pool it also works out the NVIDIA objects and node labels sharing needs: the driver the
pool's `NVIDIADriver` installs, the mig-parted config and device-plugin config the pool's nodes
select by label, the burn-in taint, and the rack-scale NVLink domains (DRA ComputeDomains).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from gpudc.catalog.models import Fabric, GpuModel, driver_version_key
from gpudc.catalog.nodes import NODE_MODELS
from gpudc.catalog.software import (
    DRA_DRIVER_KUBERNETES_MIN,
    GPU_FIRST_OPERATOR_RELEASE,
    GPU_OPERATOR_RELEASES,
    GpuOperatorRelease,
    chart_key,
    driver_branch,
    kubernetes_minor,
)
from gpudc.core.errors import SpecError
from gpudc.core.findings import Finding, Severity, register
from gpudc.core.naming import k8s_name
from gpudc.core.spec import Protection
from gpudc.gpu_operator.spec import DriverMode, GpuOperatorSpec, MigStrategy, NcclValidationSpec, PoolGpuSpec
from gpudc.nodepool.spec import Taint, TaintEffect

__all__ = [
    "BURN_IN_TAINT",
    "DEVICE_PLUGIN_CONFIG_LABEL",
    "MIG_CONFIG_LABEL",
    "NcclRun",
    "OperatorPlan",
    "OperatorPool",
    "PoolGpuPlan",
    "nccl_message_limit_mib",
    "nccl_minutes_at_floor",
    "plan_operator",
]

HOST_DRIVER_VERSION = register("GPUDC-DRIVER-001", Severity.ERROR, "Host-installed driver needs its version")
UNKNOWN_RELEASE = register("GPUDC-DRIVER-002", Severity.ERROR, "GPU Operator release unknown to gpudc")
UNSUPPORTED_BRANCH = register(
    "GPUDC-DRIVER-003", Severity.ERROR, "Driver branch not supported by the release"
)
DRIVER_TOO_OLD = register("GPUDC-DRIVER-004", Severity.ERROR, "Driver older than a pool's GPU supports")
DRIVER_BELOW_MINIMUM = register(
    "GPUDC-DRIVER-005", Severity.ERROR, "Driver below the minimum version NVIDIA states for a pool's GPU"
)
MIG_WITHOUT_GPU = register("GPUDC-MIG-001", Severity.ERROR, "MIG strategy set but no pool's GPU has MIG")
MIG_PROFILE = register("GPUDC-MIG-002", Severity.ERROR, "MIG profile the pool's GPU does not offer")
MIG_SLICES = register("GPUDC-MIG-003", Severity.ERROR, "MIG layout needs more than a GPU's 7 slices")
MIG_STRATEGY_NONE = register(
    "GPUDC-MIG-004", Severity.ERROR, "MIG layout on a pool while the cluster's MIG strategy is none"
)
MIG_SINGLE_MIXED = register(
    "GPUDC-MIG-005", Severity.ERROR, "More than one MIG profile on a pool under the single strategy"
)
KUBERNETES_RANGE = register(
    "GPUDC-OPERATOR-001", Severity.ERROR, "Kubernetes version outside the GPU Operator release's range"
)
GPU_TOO_NEW = register("GPUDC-OPERATOR-002", Severity.ERROR, "GPU newer than the GPU Operator release")
DRA_KUBERNETES = register(
    "GPUDC-DRA-001", Severity.ERROR, "NVLink domains need a Kubernetes version the DRA driver supports"
)
BURN_IN_VERSION = register(
    "GPUDC-VALIDATION-001", Severity.ERROR, "A burn-in gate needs the cluster's Kubernetes version"
)
NCCL_NODES = register(
    "GPUDC-VALIDATION-002", Severity.ERROR, "An NCCL all-reduce across nodes asked of a pool of one node"
)
NCCL_RAILS = register(
    "GPUDC-VALIDATION-003", Severity.ERROR, "An NCCL all-reduce asked of a pool with no RDMA rails"
)
NCCL_VERSION = register(
    "GPUDC-VALIDATION-004", Severity.ERROR, "An NCCL all-reduce needs the cluster's Kubernetes version"
)
NCCL_SHARED = register(
    "GPUDC-VALIDATION-005", Severity.ERROR, "An NCCL all-reduce asked of a pool that shares its GPUs"
)
NCCL_MEMORY = register(
    "GPUDC-VALIDATION-006", Severity.ERROR, "An NCCL sweep's largest message does not fit the GPU's memory"
)
NCCL_SLOW = register(
    "GPUDC-VALIDATION-007", Severity.WARNING, "An NCCL sweep at its floor bandwidth outlasts its timeout"
)
DRA_NO_POOL = register(
    "GPUDC-DRA-002", Severity.WARNING, "NVLink domains asked for, but no pool is rack-scale"
)

MIG_CONFIG_LABEL = "nvidia.com/mig.config"
"""The MIG manager applies the mig-parted config this node label names (k8s-mig-manager)."""
DEVICE_PLUGIN_CONFIG_LABEL = "nvidia.com/device-plugin.config"
"""The device plugin and GFD read the named entry of their config map (k8s-device-plugin)."""
BURN_IN_TAINT = Taint(key="gpudc.io/burn-in", value="pending", effect=TaintEffect.NO_SCHEDULE)
"""New nodes of a pool with a burn-in gate register with it; a passing DCGM run removes it."""
_NO_GPU_SETTINGS = PoolGpuSpec()
MIG_SLICES_PER_GPU = 7  # compute slices of every MIG-capable GPU in the catalog (A100 to GB300)


@dataclass(frozen=True, slots=True)
class OperatorPool:
    """What the operator needs to know of one pool of its cluster; `path` is the pool in the
    stack file (findings about its GPU settings name it)."""

    name: str
    gpu: GpuModel
    taints: tuple[Taint, ...]
    gpu_spec: PoolGpuSpec = _NO_GPU_SETTINGS
    nodes: int = 1
    nodes_per_system: int = 1
    path: str = ""
    gpu_key: str = ""
    gpus_per_node: int = 8
    rail_networks: tuple[str, ...] | None = None
    """The pool's rail NetworkAttachmentDefinitions as `<namespace>/<name>`, in rail order; () when
    it has none, None when the site's network could not be planned (its own findings say why)."""
    site_network: bool = False
    """Whether the pool's site declares a `network` (for the finding's message and fix)."""


@dataclass(frozen=True, slots=True)
class NcclRun:
    """One pool's NCCL all-reduce: the rails it runs over and what makes it fail."""

    networks: tuple[str, ...]
    min_bus_bandwidth_gbps: float
    min_message_mib: int
    max_message_mib: int
    iterations: int
    timeout_seconds: int


@dataclass(frozen=True, slots=True)
class PoolGpuPlan:
    """One pool's GPU software: its driver, sharing configs, node labels and NVLink domains."""

    name: str
    driver_version: str
    own_driver: bool
    mig_config: str
    mig_devices: tuple[tuple[str, int], ...]
    time_slicing_replicas: int
    labels: Mapping[str, str]
    registration_taints: tuple[Taint, ...]
    dcgm_diag_level: str
    nvlink_domains: int
    nodes_per_domain: int
    kernel_module_type: str = "auto"
    nodes: int = 0
    gpus_per_node: int = 0
    burn_in: bool = False
    nccl: NcclRun | None = None

    @property
    def device_plugin_config(self) -> str:
        return self.labels.get(DEVICE_PLUGIN_CONFIG_LABEL, "")


@dataclass(frozen=True, slots=True)
class OperatorPlan:
    """The release and driver a cluster's GPU Operator installs (or, in host mode, expects), the
    node taints its daemonsets must tolerate to reach every pool, and each pool's GPU plan."""

    site: str
    chart_version: str
    driver_version: str
    driver_branch: int
    tolerated_taints: tuple[tuple[str, str], ...]
    pools: tuple[PoolGpuPlan, ...] = ()
    kubernetes_version: str = ""
    nvlink_domains: bool = False
    cluster: str = ""
    findings: tuple[Finding, ...] = ()
    protection: Protection = Protection.NONE
    """How the operator's namespace and release are guarded against loss (the environment's)."""

    @property
    def per_pool_drivers(self) -> bool:
        """One NVIDIADriver per pool when any pool has a driver of its own (operator mode only)."""
        return any(pool.own_driver for pool in self.pools)

    def pool(self, name: str) -> PoolGpuPlan:
        for pool in self.pools:
            if pool.name == name:
                return pool
        raise KeyError(f"no pool {name!r} in this operator plan")


def plan_operator(
    spec: GpuOperatorSpec,
    pools: Sequence[OperatorPool],
    *,
    site: str = "",
    path: str = "gpu_operator",
    kubernetes_version: str | None = None,
    kubernetes_path: str = "kubernetes_version",
    cluster: str = "",
) -> OperatorPlan:
    """Resolve the driver (pool > stack file > catalog default), check the compatibility matrix
    for every pool, and work out each pool's sharing configs and labels."""
    release = GPU_OPERATOR_RELEASES.get(spec.chart_version)
    if release is None:
        known = ", ".join(GPU_OPERATOR_RELEASES)
        raise SpecError(
            [
                UNKNOWN_RELEASE.finding(
                    f"{path}.chart_version",
                    f"is not a release gpudc knows ({known})",
                    fix=f"use one of {known} (a newer release is added to gpudc's catalog with its sources)",
                    value=spec.chart_version,
                )
            ]
        )
    version = spec.driver.version
    if version is None and spec.driver.mode is DriverMode.HOST:
        raise SpecError(
            [
                HOST_DRIVER_VERSION.finding(
                    f"{path}.driver.version",
                    "is required with driver mode 'host'",
                    fix="give the driver version installed on the nodes "
                    "(nvidia-smi --query-gpu=driver_version --format=csv)",
                )
            ]
        )
    version = version or release.default_driver
    issues: list[Finding] = []
    issues.extend(_kubernetes(spec, release, kubernetes_version, kubernetes_path, path))
    # The cluster's driver is checked against the pools that use it; a pool with its own driver
    # against that one (its findings at the pool's path).
    cluster_pools = [pool for pool in pools if pool.gpu_spec.driver is None]
    issues.extend(_driver(release, version, cluster_pools, f"{path}.driver.version"))
    for pool in pools:
        if pool.gpu_spec.driver is not None:
            issues.extend(
                _driver(release, pool.gpu_spec.driver.version, [pool], f"{pool.path}.gpu.driver.version")
            )
        issues.extend(_gpu_release(release, pool, path))
        issues.extend(_mig(spec, pool))
        issues.extend(_nccl(pool, kubernetes_version, kubernetes_path))
        if pool.gpu_spec.burn_in and kubernetes_version is None:
            issues.append(
                BURN_IN_VERSION.finding(
                    f"{pool.path}.gpu.validation.burn_in",
                    "the burn-in gate lifts the taint with the kubectl image of the cluster's Kubernetes "
                    "version, and the cluster does not state it",
                    fix=f'set {kubernetes_path} to the version the cluster runs (e.g. "1.34")',
                    value="enabled",
                )
            )
    if spec.mig_strategy is not MigStrategy.NONE and not any(pool.gpu.supports_mig for pool in pools):
        issues.append(
            MIG_WITHOUT_GPU.finding(
                f"{path}.mig_strategy",
                "no pool of this cluster has a MIG-capable GPU",
                fix="set it to 'none'",
                value=spec.mig_strategy.value,
            )
        )
    issues.extend(_nvlink(spec, pools, kubernetes_version, kubernetes_path, path))
    errors = [issue for issue in issues if issue.is_error]
    if errors:
        raise SpecError(errors)
    taints = sorted(
        {(taint.key, taint.effect.value) for pool in pools for taint in _registration_taints(pool)}
    )
    pool_plans = tuple(_pool_plan(spec, pool, version) for pool in pools)
    return OperatorPlan(
        site,
        spec.chart_version,
        version,
        driver_branch(version),
        tuple(taints),
        pool_plans,
        kubernetes_version or "",
        spec.nvlink_domains is not None and any(p.nvlink_domains for p in pool_plans),
        cluster,
        tuple(issue for issue in issues if not issue.is_error),
    )


def _kubernetes(
    spec: GpuOperatorSpec, release: GpuOperatorRelease, version: str | None, at: str, path: str
) -> list[Finding]:
    if version is None or release.supports_kubernetes(kubernetes_minor(version)):
        return []
    fitting = [
        r.chart_version
        for r in GPU_OPERATOR_RELEASES.values()
        if r.supports_kubernetes(kubernetes_minor(version))
    ]
    fix = f"run Kubernetes {release.kubernetes_range}" + (
        f", or use GPU Operator {', '.join(fitting)}" if fitting else ""
    )
    return [
        KUBERNETES_RANGE.finding(
            at,
            f"Kubernetes {version} is outside GPU Operator {spec.chart_version}'s supported range "
            f"({release.kubernetes_range})",
            fix=fix,
            value=version,
        )
    ]


def _driver(
    release: GpuOperatorRelease, version: str, pools: Sequence[OperatorPool], at: str
) -> list[Finding]:
    """Branch supported by the release, branch and full version new enough for every pool's GPU."""
    issues = []
    branch = driver_branch(version)
    floor = max((pool.gpu.min_driver_branch for pool in pools), default=0)
    fix = _branch_fix(release, floor)
    if branch not in release.supported_branches:
        supported = ", ".join(str(b) for b in sorted(release.supported_branches, reverse=True))
        issues.append(
            UNSUPPORTED_BRANCH.finding(
                at,
                f"driver branch {branch} is not supported by GPU Operator {release.chart_version} "
                f"(supports {supported})",
                fix=fix,
                value=version,
            )
        )
    for pool in pools:
        gpu = pool.gpu
        if branch < gpu.min_driver_branch:
            issues.append(
                DRIVER_TOO_OLD.finding(
                    at,
                    f"driver {version} (branch {branch}) is older than branch {gpu.min_driver_branch}, "
                    f"the first that supports {gpu.product_name} (pool {pool.name})",
                    fix=fix,
                    value=version,
                )
            )
        elif gpu.min_driver_version is not None and driver_version_key(version) < driver_version_key(
            gpu.min_driver_version
        ):
            default_ok = driver_version_key(release.default_driver) >= driver_version_key(
                gpu.min_driver_version
            )
            issues.append(
                DRIVER_BELOW_MINIMUM.finding(
                    at,
                    f"driver {version} is older than {gpu.min_driver_version}, the minimum for "
                    f"{gpu.product_name} (pool {pool.name})",
                    fix=f"use driver {gpu.min_driver_version} or newer"
                    + (
                        f", such as GPU Operator {release.chart_version}'s default {release.default_driver}"
                        if default_ok
                        else ""
                    ),
                    value=version,
                )
            )
    return issues


def _gpu_release(release: GpuOperatorRelease, pool: OperatorPool, path: str) -> list[Finding]:
    first = GPU_FIRST_OPERATOR_RELEASE.get(pool.gpu_key or pool.gpu.name)
    if first is None or chart_key(release.chart_version) >= chart_key(first):
        return []
    newer = [r for r in GPU_OPERATOR_RELEASES if chart_key(r) >= chart_key(first)]
    return [
        GPU_TOO_NEW.finding(
            f"{path}.chart_version",
            f"GPU Operator {release.chart_version} predates {pool.gpu.product_name} (pool {pool.name}), "
            f"first supported in {first}",
            fix=f"use GPU Operator {', '.join(newer)}",
            value=release.chart_version,
        )
    ]


def _mig(spec: GpuOperatorSpec, pool: OperatorPool) -> list[Finding]:
    mig = pool.gpu_spec.mig
    if mig is None:
        return []
    at = f"{pool.path}.gpu.mig.devices"
    offered = ", ".join(pool.gpu.mig_profiles) or "none (the GPU has no MIG)"
    issues = [
        MIG_PROFILE.finding(
            at,
            f"profile {profile} is not one {pool.gpu.product_name} offers ({offered})",
            fix="use profiles the pool's GPU offers; `gpudc catalog` lists them"
            if pool.gpu.supports_mig
            else "remove `gpu.mig`: this pool's GPU cannot be partitioned",
            value=profile,
        )
        for profile in mig.devices
        if profile not in pool.gpu.mig_profiles
    ]
    slices = sum(int(profile.split("g.", 1)[0]) * count for profile, count in mig.devices.items())
    if slices > MIG_SLICES_PER_GPU:
        issues.append(
            MIG_SLICES.finding(
                at,
                f"the layout takes {slices} compute slices; a GPU has {MIG_SLICES_PER_GPU}",
                fix="lower the counts so (slices of each profile x count) adds up to 7 or less",
            )
        )
    if spec.mig_strategy is MigStrategy.NONE:
        issues.append(
            MIG_STRATEGY_NONE.finding(
                at,
                "the cluster's gpu_operator.mig_strategy is 'none', so the MIG devices would not be advertised",
                fix="set gpu_operator.mig_strategy to 'single' (one profile per node) or 'mixed'",
            )
        )
    elif spec.mig_strategy is MigStrategy.SINGLE and len(mig.devices) > 1:
        issues.append(
            MIG_SINGLE_MIXED.finding(
                at,
                f"the 'single' strategy advertises one profile per node, and the layout has {len(mig.devices)}",
                fix="use one profile, or set gpu_operator.mig_strategy to 'mixed'",
            )
        )
    return issues


def nccl_message_limit_mib(memory_gib: int) -> int:
    """The largest message (MiB) nccl-tests' all_reduce_perf keeps on a GPU of `memory_gib` when it
    checks results (`-c 1`): it holds back 1 GiB per 16 GiB of device memory (4 GiB at most) and
    1 GiB more, and splits the rest in three (send, receive and expected buffers); a larger `-e` is
    cut down to that ("Reducing maxBytes to ... due to memory limitation"), so the sweep would not
    be the one asked for. NVIDIA/nccl-tests v2.19.6 src/common.cu (the same at 9a5c154, the
    image's). The device reports a little less than the datasheet figure the catalog holds, so
    this is an upper bound."""
    reserve_gib = min(-(-memory_gib // 16), 4)
    return (memory_gib - reserve_gib - 1) * 1024 // 3


_NCCL_TIMEOUT_MAX = 720  # NcclValidationSpec.timeout_minutes' bound


def nccl_minutes_at_floor(nccl: NcclValidationSpec, *, ranks: int) -> float:
    """About how long `all_reduce_perf` sweeps when its bus bandwidth is exactly the floor: per
    message size, out-of-place then in-place, the timed iterations plus the checked one, each moving
    size x 2(n-1)/n bytes at the bus bandwidth (NVIDIA/nccl-tests doc/PERFORMANCE.md: busbw =
    algbw x 2(n-1)/n), and the warm-up at the largest size. Start-up and image pulls not included."""
    sizes, size = [], nccl.min_message_mib
    while size <= nccl.max_message_mib:
        sizes.append(size)
        size *= 2
    factor = 2 * (ranks - 1) / max(ranks, 1)
    seconds_per_mib = (1 << 20) * factor / (nccl.min_bus_bandwidth_gbps * 1e9)
    moved_mib = 2 * (nccl.iterations + 1) * sum(sizes) + 2 * sizes[-1]
    return moved_mib * seconds_per_mib / 60


def _nccl(pool: OperatorPool, kubernetes_version: str | None, kubernetes_path: str) -> list[Finding]:
    """An NCCL all-reduce needs two nodes or more, RDMA rails to run over, whole GPUs with room for
    the sweep's largest message, and the cluster's Kubernetes version (its SSH keys are published
    with the kubectl image of that version)."""
    validation = pool.gpu_spec.validation
    if validation is None or validation.nccl is None:
        return []
    at = f"{pool.path}.gpu.validation.nccl"
    # The site holding the pool (`sites[i]` of `sites[i].pools[j]` or `sites[i].clusters[k].pools[j]`).
    site = pool.path.split(".", 1)[0] if pool.path.startswith("sites[") else "the site"
    issues = []
    if pool.nodes < 2:
        issues.append(
            NCCL_NODES.finding(
                at,
                f"pool {pool.name} has {pool.nodes} node; an all-reduce across nodes needs 2 or more "
                "(one node's GPUs talk over NVLink, which the DCGM diagnostic already exercises)",
                fix=f"set {pool.path}.nodes to 2 or more, or remove {at}",
                value=pool.nodes,
            )
        )
    if pool.rail_networks == ():
        if pool.site_network:
            reason = (
                f"the node model of pool {pool.name} has no compute NICs, so the site's network gives it "
                "no rails"
            )
            railed = sorted(
                name
                for name, model in NODE_MODELS.items()
                if model.gpu_model == pool.gpu_key and model.nic_ports(Fabric.COMPUTE) > 0
            )
            fix = f"remove {at}, or use a node model with compute NICs (RDMA rails)" + (
                f" such as {', '.join(railed)}" if railed else ""
            )
        else:
            reason = "the site declares no `network`, so no RDMA rail (NetworkAttachmentDefinition) exists"
            fix = (
                f"declare {site}.network, the address plan each compute NIC's rail is carved from "
                f"(e.g. network: {{supernets: [10.96.0.0/15]}}), or remove {at}"
            )
        issues.append(NCCL_RAILS.finding(at, f"{reason}; the all-reduce runs over the pool's rails", fix=fix))
    gpu = pool.gpu_spec
    if gpu.mig is not None or gpu.time_slicing is not None:
        # Each worker takes the node's whole GPUs as `nvidia.com/gpu`. MIG devices are advertised
        # under their own names (k8s-device-plugin README, MIG strategies), and time-sliced
        # replicas may be the same GPU ("A request for more than one time-sliced GPU does not
        # guarantee that the pod receives access to a proportional amount of GPU compute power",
        # https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/gpu-sharing.html).
        shared = "gpu.mig" if gpu.mig is not None else "gpu.time_slicing"
        issues.append(
            NCCL_SHARED.finding(
                at,
                f"pool {pool.name} shares its GPUs ({shared}); the all-reduce needs every node's whole GPUs",
                fix=f"remove {at}, or remove {pool.path}.{shared} so the pool's GPUs are whole",
            )
        )
    limit = nccl_message_limit_mib(pool.gpu.memory_gib)
    nccl = validation.nccl
    if nccl.max_message_mib > limit:
        fits = 1 << (limit.bit_length() - 1)  # the largest power of two that fits
        fix = (
            f"set {at}.max_message_mib to {fits} or less"
            if nccl.min_message_mib <= fits
            else f"set {at}.min_message_mib and {at}.max_message_mib to {fits} or less"
        )
        issues.append(
            NCCL_MEMORY.finding(
                f"{at}.max_message_mib",
                f"pool {pool.name}'s GPU ({pool.gpu.product_name}, {pool.gpu.memory_gib} GB) holds messages "
                f"of at most {limit} MiB in nccl-tests' checked all-reduce (send, receive and expected "
                "buffers, less its reserve); it would cut the sweep short",
                fix=fix,
                value=nccl.max_message_mib,
            )
        )
    minutes = nccl_minutes_at_floor(nccl, ranks=pool.nodes * pool.gpus_per_node)
    if minutes > nccl.timeout_minutes:
        issues.append(
            NCCL_SLOW.finding(
                f"{at}.timeout_minutes",
                f"at its floor of {nccl.min_bus_bandwidth_gbps:g} GB/s the sweep alone takes about "
                f"{minutes:.0f} minutes, so a fabric that just meets the floor fails by timeout",
                fix=(
                    f"set {at}.timeout_minutes to {math.ceil(minutes * 2)} or more, or lower {at}.iterations "
                    f"or {at}.max_message_mib"
                    if math.ceil(minutes * 2) <= _NCCL_TIMEOUT_MAX
                    else f"lower {at}.iterations or {at}.max_message_mib (timeout_minutes is "
                    f"{_NCCL_TIMEOUT_MAX} at most)"
                ),
                value=nccl.timeout_minutes,
            )
        )
    if kubernetes_version is None:
        issues.append(
            NCCL_VERSION.finding(
                at,
                "the run publishes its SSH keys with the kubectl image of the cluster's Kubernetes version, "
                "and the cluster does not state it",
                fix=f'set {kubernetes_path} to the version the cluster runs (e.g. "1.34")',
            )
        )
    return issues


def _is_rack_scale(pool: OperatorPool) -> bool:
    """A system of several nodes sharing one NVLink domain (GB200/GB300 NVL72)."""
    return pool.nodes_per_system > 1 and pool.gpu.nvlink_generation is not None


def _nvlink(
    spec: GpuOperatorSpec, pools: Sequence[OperatorPool], version: str | None, at: str, path: str
) -> list[Finding]:
    if spec.nvlink_domains is None:
        return []
    floor = ".".join(str(n) for n in DRA_DRIVER_KUBERNETES_MIN)
    issues = []
    if version is None or kubernetes_minor(version) < DRA_DRIVER_KUBERNETES_MIN:
        issues.append(
            DRA_KUBERNETES.finding(
                at,
                f"NVIDIA's DRA driver (ComputeDomains) needs Kubernetes {floor} or newer"
                + ("; the cluster does not state its version" if version is None else ""),
                fix=f"set the cluster's kubernetes_version to the version it runs ({floor} or newer)"
                if version is None
                else f"upgrade the cluster to Kubernetes {floor} or newer, or remove {path}.nvlink_domains",
                **({"value": version} if version is not None else {}),
            )
        )
    if not any(_is_rack_scale(pool) for pool in pools):
        issues.append(
            DRA_NO_POOL.finding(
                f"{path}.nvlink_domains",
                "no pool of this cluster is a rack-scale NVLink system (such as gb200-nvl72)",
                fix=f"remove {path}.nvlink_domains",
            )
        )
    return issues


def _registration_taints(pool: OperatorPool) -> tuple[Taint, ...]:
    return (*pool.taints, BURN_IN_TAINT) if pool.gpu_spec.burn_in else pool.taints


def _pool_plan(spec: GpuOperatorSpec, pool: OperatorPool, cluster_driver: str) -> PoolGpuPlan:
    gpu = pool.gpu_spec
    labels: dict[str, str] = {}
    config = k8s_name("gpudc", pool.name)  # a label value: at most 63 characters
    if gpu.mig is not None:
        labels[MIG_CONFIG_LABEL] = config
    if gpu.time_slicing is not None:
        labels[DEVICE_PLUGIN_CONFIG_LABEL] = config
    rack_scale = spec.nvlink_domains is not None and _is_rack_scale(pool)
    return PoolGpuPlan(
        name=pool.name,
        driver_version=gpu.driver.version if gpu.driver is not None else cluster_driver,
        own_driver=gpu.driver is not None,
        mig_config=config if gpu.mig is not None else "",
        mig_devices=tuple(sorted(gpu.mig.devices.items())) if gpu.mig is not None else (),
        time_slicing_replicas=gpu.time_slicing.replicas if gpu.time_slicing is not None else 0,
        labels=MappingProxyType(labels),
        registration_taints=_registration_taints(pool),
        dcgm_diag_level=gpu.validation.dcgm_diag_level.value if gpu.validation is not None else "",
        nvlink_domains=pool.nodes // pool.nodes_per_system if rack_scale else 0,
        nodes_per_domain=pool.nodes_per_system if rack_scale else 0,
        kernel_module_type=gpu.driver.kernel_module_type.value if gpu.driver is not None else "auto",
        nodes=pool.nodes,
        gpus_per_node=pool.gpus_per_node,
        burn_in=gpu.burn_in,
        nccl=_nccl_run(pool),
    )


def _nccl_run(pool: OperatorPool) -> NcclRun | None:
    validation = pool.gpu_spec.validation
    if validation is None or validation.nccl is None:
        return None
    nccl = validation.nccl
    return NcclRun(
        networks=pool.rail_networks or (),
        min_bus_bandwidth_gbps=nccl.min_bus_bandwidth_gbps,
        min_message_mib=nccl.min_message_mib,
        max_message_mib=nccl.max_message_mib,
        iterations=nccl.iterations,
        timeout_seconds=nccl.timeout_minutes * 60,
    )


def _branch_fix(release: GpuOperatorRelease, floor: int) -> str:
    """Which driver branches satisfy both the release and the pools' GPUs, said as a fix."""
    good = sorted((b for b in release.supported_branches if b >= floor), reverse=True)
    if not good:
        return (
            f"GPU Operator {release.chart_version} supports no branch new enough for these GPUs "
            f"(branch {floor} or newer); use a newer chart_version"
        )
    return (
        f"use a driver of branch {', '.join(str(b) for b in good)} (supported by GPU Operator "
        f"{release.chart_version} and new enough for every pool's GPU)"
    )
