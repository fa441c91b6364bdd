"""Typed Helm values of the pinned GPU Operator chart: the keys gpudc controls, named as upstream.

Every model here mirrors a block of NVIDIA/gpu-operator `deployments/gpu-operator/values.yaml` at
tag v26.7.0 (commit 10ee5b3638b89e11e949412aafa5ba99279c3721); field aliases are the chart's key
names, so `model_dump(by_alias=True)` is the values document. A misspelt key cannot be written
(extra="forbid"), and tests check every rendered key path against that values.yaml.

`chart_values` builds them from the cluster's spec and its operator plan; the stack file's
`gpu_operator.extra_values` are merged over the result last (the escape hatch, unchecked).
The same module holds the values of NVIDIA's DRA driver chart (`dra_driver_values`).
"""

from __future__ import annotations

from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from gpudc.core.labels import GPU_TAINT_KEY
from gpudc.gpu_operator.spec import DriverMode, GpuOperatorSpec, MigStrategy, PrometheusOperator, Switch
from gpudc.gpu_operator.versions import OperatorPlan

__all__ = [
    "DEVICE_PLUGIN_CONFIG_MAP",
    "MIG_PARTED_CONFIG_MAP",
    "ChartValues",
    "chart_values",
    "deep_merge",
    "device_plugin_config",
    "dra_driver_values",
    "mig_parted_config",
]

MIG_PARTED_CONFIG_MAP = "gpudc-mig-parted-config"
"""The mig-parted config gpudc writes (key `config.yaml`) when a pool has a MIG layout."""
DEVICE_PLUGIN_CONFIG_MAP = "gpudc-device-plugin-config"
"""The device-plugin config gpudc writes (one entry per time-sliced pool, plus `default`)."""
MIG_DEFAULT_CONFIG = "all-disabled"  # chart default of migManager.config.default; nodes without a label


class _Values(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Toleration(_Values):
    key: str
    operator: Literal["Exists", "Equal"]
    value: str | None = None
    effect: str


class Daemonsets(_Values):
    tolerations: list[Toleration]


class NvidiaDriverCrd(_Values):
    enabled: bool
    deploy_default_cr: bool = Field(alias="deployDefaultCR")


class Rdma(_Values):
    enabled: bool


class GpuPodDeletion(_Values):
    timeout_seconds: int = Field(alias="timeoutSeconds")
    delete_empty_dir: bool = Field(alias="deleteEmptyDir")


class Drain(_Values):
    enable: bool
    timeout_seconds: int = Field(alias="timeoutSeconds")
    delete_empty_dir: bool = Field(alias="deleteEmptyDir")


class UpgradePolicy(_Values):
    auto_upgrade: bool = Field(alias="autoUpgrade")
    max_parallel_upgrades: int = Field(alias="maxParallelUpgrades")
    max_unavailable: str = Field(alias="maxUnavailable")
    gpu_pod_deletion: GpuPodDeletion = Field(alias="gpuPodDeletion")
    drain: Drain


class Driver(_Values):
    enabled: bool
    version: str | None = None
    nvidia_driver_crd: NvidiaDriverCrd | None = Field(default=None, alias="nvidiaDriverCRD")
    rdma: Rdma | None = None
    upgrade_policy: UpgradePolicy | None = Field(default=None, alias="upgradePolicy")


class Enabled(_Values):
    enabled: bool


class Mig(_Values):
    strategy: str


class PluginConfig(_Values):
    create: bool
    name: str
    default: str


class DevicePlugin(_Values):
    enabled: bool
    config: PluginConfig | None = None


class MigManagerConfig(_Values):
    create: bool
    name: str
    default: str


class MigManager(_Values):
    enabled: bool
    config: MigManagerConfig | None = None


class ServiceMonitor(_Values):
    enabled: bool
    interval: str


class DcgmExporter(_Values):
    enabled: bool
    service_monitor: ServiceMonitor = Field(alias="serviceMonitor")


class NfdWorker(_Values):
    tolerations: list[Toleration]


class NodeFeatureDiscovery(_Values):
    worker: NfdWorker


class Cdi(_Values):
    enabled: bool


class ChartValues(_Values):
    """The gpu-operator chart values gpudc sets (v26.7.0 key names)."""

    daemonsets: Daemonsets
    driver: Driver
    toolkit: Enabled
    device_plugin: DevicePlugin = Field(alias="devicePlugin")
    mig: Mig
    mig_manager: MigManager = Field(alias="migManager")
    gfd: Enabled
    nfd: Enabled
    dcgm_exporter: DcgmExporter = Field(alias="dcgmExporter")
    gds: Enabled
    gdrcopy: Enabled
    cdi: Cdi
    node_feature_discovery: NodeFeatureDiscovery = Field(alias="node-feature-discovery")


# The chart's own defaults (values.yaml): a values list replaces the default list, so each is
# repeated here before the pools' taints are added.
_DEFAULT_TOLERATION = Toleration(key=GPU_TAINT_KEY, operator="Exists", effect="NoSchedule")
# node-feature-discovery.worker.tolerations also lets NFD label GPU nodes that are control planes.
_NFD_CONTROL_PLANE_TOLERATION = Toleration(
    key="node-role.kubernetes.io/control-plane", operator="Equal", value="", effect="NoSchedule"
)


def _on(switch: Switch) -> bool:
    return switch is Switch.ENABLED


def typed_values(spec: GpuOperatorSpec, plan: OperatorPlan) -> ChartValues:
    """The typed values for a cluster: drivers, sharing configs, monitoring, tolerations."""
    tolerations = [_DEFAULT_TOLERATION]
    for key, effect in plan.tolerated_taints:
        toleration = Toleration(key=key, operator="Exists", effect=effect)
        if toleration not in tolerations:
            tolerations.append(toleration)
    operator_driver = spec.driver.mode is DriverMode.OPERATOR
    policy = spec.upgrade_policy
    driver = Driver(
        enabled=operator_driver,
        version=plan.driver_version if operator_driver else None,
        # A driver per pool: one NVIDIADriver each (the component makes them), no default CR.
        nvidia_driver_crd=NvidiaDriverCrd(enabled=True, deploy_default_cr=False)
        if operator_driver and plan.per_pool_drivers
        else None,
        rdma=Rdma(enabled=_on(spec.rdma)) if operator_driver else None,
        upgrade_policy=UpgradePolicy(
            auto_upgrade=_on(policy.auto_upgrade),
            max_parallel_upgrades=policy.max_parallel_upgrades,
            max_unavailable=policy.max_unavailable,
            gpu_pod_deletion=GpuPodDeletion(
                timeout_seconds=policy.pod_deletion_timeout_seconds,
                delete_empty_dir=_on(policy.delete_empty_dir),
            ),
            drain=Drain(
                enable=_on(policy.drain),
                timeout_seconds=policy.drain_timeout_seconds,
                delete_empty_dir=_on(policy.delete_empty_dir),
            ),
        )
        if operator_driver
        else None,
    )
    sliced = any(pool.time_slicing_replicas for pool in plan.pools)
    partitioned = any(pool.mig_devices for pool in plan.pools)
    return ChartValues(
        daemonsets=Daemonsets(tolerations=tolerations),
        driver=driver,
        toolkit=Enabled(enabled=True),
        device_plugin=DevicePlugin(
            enabled=True,
            config=PluginConfig(create=False, name=DEVICE_PLUGIN_CONFIG_MAP, default="default")
            if sliced
            else None,
        ),
        mig=Mig(strategy=spec.mig_strategy.value),
        mig_manager=MigManager(
            enabled=True,
            config=MigManagerConfig(create=False, name=MIG_PARTED_CONFIG_MAP, default=MIG_DEFAULT_CONFIG)
            if partitioned
            else None,
        ),
        gfd=Enabled(enabled=True),
        nfd=Enabled(enabled=True),
        dcgm_exporter=DcgmExporter(
            enabled=True,
            service_monitor=ServiceMonitor(
                enabled=spec.monitoring.prometheus_operator is PrometheusOperator.PRESENT,
                interval=f"{spec.monitoring.scrape_interval_seconds}s",
            ),
        ),
        gds=Enabled(enabled=_on(spec.gpudirect_storage)),
        gdrcopy=Enabled(enabled=_on(spec.gdrcopy)),
        cdi=Cdi(enabled=True),
        node_feature_discovery=NodeFeatureDiscovery(
            worker=NfdWorker(tolerations=[_NFD_CONTROL_PLANE_TOLERATION, *tolerations])
        ),
    )


def chart_values(spec: GpuOperatorSpec, plan: OperatorPlan) -> dict[str, Any]:
    """Helm values for the gpu-operator chart: the typed values, then `extra_values` merged last."""
    values = typed_values(spec, plan).model_dump(mode="json", by_alias=True, exclude_none=True)
    return deep_merge(values, dict(spec.extra_values))


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`extra` over `base`, mappings merged key by key, anything else (lists too) replaced."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def dra_driver_values(spec: GpuOperatorSpec, plan: OperatorPlan) -> dict[str, Any]:
    """Values of NVIDIA's DRA driver chart (kubernetes-sigs/dra-driver-nvidia-gpu v25.12.0
    deployments/helm/nvidia-dra-driver-gpu/values.yaml): ComputeDomains only, GPUs stay with the
    operator's device plugin; the kubelet plugin tolerates the pools' taints. `nvidiaDriverRoot`
    is where the driver lives: the operator's driver container installs it under
    /run/nvidia/driver (gpu-operator values.yaml `hostPaths.driverInstallDir`), a host driver at /."""
    tolerations = [
        {"key": key, "operator": "Exists", "effect": effect} for key, effect in plan.tolerated_taints
    ]
    return {
        "nvidiaDriverRoot": "/run/nvidia/driver" if spec.driver.mode is DriverMode.OPERATOR else "/",
        "resources": {"gpus": {"enabled": False}, "computeDomains": {"enabled": True}},
        "kubeletPlugin": {"tolerations": tolerations},
    }


def mig_parted_config(plan: OperatorPlan) -> str:
    """mig-parted's config file (`config.yaml` of the MIG manager's ConfigMap): the chart's
    default `all-disabled` for nodes without a label, and one named layout per MIG pool applied
    to all of a node's GPUs (format: NVIDIA/mig-parted deployments/systemd/config-default.yaml)."""
    configs: dict[str, Any] = {MIG_DEFAULT_CONFIG: [{"devices": "all", "mig-enabled": False}]}
    for pool in plan.pools:
        if pool.mig_devices:
            configs[pool.mig_config] = [
                {"devices": "all", "mig-enabled": True, "mig-devices": dict(pool.mig_devices)}
            ]
    return yaml.safe_dump({"version": "v1", "mig-configs": configs}, sort_keys=True)


def device_plugin_config(spec: GpuOperatorSpec, plan: OperatorPlan) -> dict[str, str]:
    """The device plugin's named configs (k8s-device-plugin config file, `version: v1`): `default`
    for nodes without a label, and one per time-sliced pool advertising each GPU - or, under the
    mixed strategy, each MIG device - as `replicas` schedulable ones."""
    flags = {"migStrategy": spec.mig_strategy.value}
    configs = {"default": yaml.safe_dump({"version": "v1", "flags": flags}, sort_keys=True)}
    for pool in plan.pools:
        if not pool.time_slicing_replicas:
            continue
        names = (
            [f"nvidia.com/mig-{profile}" for profile, _ in pool.mig_devices]
            if pool.mig_devices and spec.mig_strategy is MigStrategy.MIXED
            else ["nvidia.com/gpu"]
        )
        sharing = {
            "timeSlicing": {
                "resources": [{"name": name, "replicas": pool.time_slicing_replicas} for name in names]
            }
        }
        configs[pool.device_plugin_config] = yaml.safe_dump(
            {"version": "v1", "flags": flags, "sharing": sharing}, sort_keys=True
        )
    return configs
