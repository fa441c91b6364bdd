"""`GpuOperator`: NVIDIA's GPU Operator, pinned, in its own privileged namespace."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc.catalog.software import (
    DRA_DRIVER_CHART,
    DRA_DRIVER_VERSION,
    GPU_OPERATOR_CHART,
    GPU_OPERATOR_REPOSITORY,
)
from gpudc.core.labels import POOL_LABEL, SITE_LABEL, gpudc_labels
from gpudc.core.naming import k8s_name
from gpudc.gpu_operator.spec import DriverMode, GpuOperatorSpec, Switch
from gpudc.gpu_operator.values import (
    DEVICE_PLUGIN_CONFIG_MAP,
    MIG_PARTED_CONFIG_MAP,
    chart_values,
    device_plugin_config,
    dra_driver_values,
    mig_parted_config,
)
from gpudc.gpu_operator.versions import OperatorPlan, PoolGpuPlan
from gpudc.options import child_opts, spec_inputs

__all__ = ["COMPUTE_DOMAIN_API_VERSION", "NVIDIA_DRIVER_API_VERSION", "GpuOperator", "chart_values"]

# NVIDIA/gpu-operator v26.7.0 deployments/gpu-operator/crds/nvidia.com_nvidiadrivers.yaml
# (cluster-scoped, served and stored as v1alpha1; required: default, driverType, image).
NVIDIA_DRIVER_API_VERSION = "nvidia.com/v1alpha1"
# kubernetes-sigs/dra-driver-nvidia-gpu v25.12.0 deployments/helm/nvidia-dra-driver-gpu/crds/
# resource.nvidia.com_computedomains.yaml (namespaced; spec: numNodes, channel.resourceClaimTemplate).
COMPUTE_DOMAIN_API_VERSION = "resource.nvidia.com/v1beta1"
# The driver image the chart's default NVIDIADriver uses (values.yaml driver.repository/image).
_DRIVER_REPOSITORY = "nvcr.io/nvidia"
_DRIVER_IMAGE = "driver"

# The operator's daemonsets load kernel modules and mount host paths; NVIDIA's install guide asks
# for the namespace to enforce the `privileged` Pod Security level:
# https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/getting-started.html
_POD_SECURITY = {"pod-security.kubernetes.io/enforce": "privileged"}


class GpuOperator(pulumi.ComponentResource):
    """NVIDIA GPU Operator: a namespace and a Helm release of the pinned chart, once per cluster.

    `plan` is the cluster's operator slice (`plan_operator`): the driver already checked against
    every pool's GPU, and the taints to tolerate.
    """

    TYPE = "gpudc:index:GpuOperator"

    namespace: str
    chart_version: str
    driver_version: str
    pool_drivers: dict[str, str]

    def __init__(
        self,
        name: str,
        spec: GpuOperatorSpec,
        *,
        plan: OperatorPlan,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if plan.chart_version != spec.chart_version:
            raise ValueError(
                f"GpuOperator {name}: `plan` was made for chart {plan.chart_version}, not {spec.chart_version}"
            )
        super().__init__(self.TYPE, name, spec_inputs(spec), opts)
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={
                "name": spec.namespace,
                "labels": {**gpudc_labels(site=plan.site or None), **_POD_SECURITY},
            },
            opts=child_opts(self, opts),
        )
        configs: list[pulumi.Resource] = []
        meta = {"namespace": spec.namespace, "labels": gpudc_labels(site=plan.site or None)}
        if any(pool.mig_devices for pool in plan.pools):
            configs.append(
                k8s.core.v1.ConfigMap(
                    f"{name}-mig-parted-config",
                    metadata={"name": MIG_PARTED_CONFIG_MAP, **meta},
                    data={"config.yaml": mig_parted_config(plan)},
                    opts=child_opts(self, opts, depends_on=[namespace]),
                )
            )
        if any(pool.time_slicing_replicas for pool in plan.pools):
            configs.append(
                k8s.core.v1.ConfigMap(
                    f"{name}-device-plugin-config",
                    metadata={"name": DEVICE_PLUGIN_CONFIG_MAP, **meta},
                    data=device_plugin_config(spec, plan),
                    opts=child_opts(self, opts, depends_on=[namespace]),
                )
            )
        release = k8s.helm.v3.Release(
            f"{name}-release",
            name=GPU_OPERATOR_CHART,
            chart=GPU_OPERATOR_CHART,
            version=spec.chart_version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=GPU_OPERATOR_REPOSITORY),
            namespace=spec.namespace,
            values=chart_values(spec, plan),
            # The driver container compiles and loads a kernel module on every GPU node; a
            # half-installed operator is worse than none, so a failed install rolls back.
            atomic=True,
            cleanup_on_fail=True,
            timeout=1800,
            opts=child_opts(self, opts, depends_on=[namespace, *configs]),
        )
        # A driver per pool: one NVIDIADriver each, selecting the pool's nodes by their labels. A
        # version change is an update of the object (the operator then rolls it out within the
        # upgrade policy), never a replacement.
        self.pool_drivers: dict[str, str] = {}
        if spec.driver.mode is DriverMode.OPERATOR and plan.per_pool_drivers:
            for pool in plan.pools:
                k8s.apiextensions.CustomResource(
                    f"{name}-driver-{pool.name}",
                    api_version=NVIDIA_DRIVER_API_VERSION,
                    kind="NVIDIADriver",
                    metadata={
                        "name": k8s_name(plan.site, pool.name),
                        "labels": gpudc_labels(site=plan.site or None, pool=pool.name),
                    },
                    spec=_nvidia_driver_spec(spec, plan, pool),
                    opts=child_opts(self, opts, depends_on=[release]),
                )
                self.pool_drivers[pool.name] = pool.driver_version
        if plan.nvlink_domains and spec.nvlink_domains is not None:
            self._nvlink_domains(name, spec, plan, release, opts)
        self.namespace = spec.namespace
        self.chart_version = spec.chart_version
        self.driver_version = plan.driver_version
        self.register_outputs(
            {
                "namespace": self.namespace,
                "chart_version": self.chart_version,
                "driver_version": self.driver_version,
                "pool_drivers": self.pool_drivers,
            }
        )

    def _nvlink_domains(
        self,
        name: str,
        spec: GpuOperatorSpec,
        plan: OperatorPlan,
        release: pulumi.Resource,
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        """NVIDIA's DRA driver (ComputeDomains only) and one ComputeDomain per NVL72 rack.

        The operator's own DRA support (v26.7.0 `gpuCluster.deployCR`) replaces the whole
        ClusterPolicy stack and is experimental (release notes 26.7.0), so the DRA driver is
        installed beside the operator from its own pinned chart instead.
        """
        assert spec.nvlink_domains is not None
        dra = k8s.helm.v3.Release(
            f"{name}-dra-driver",
            name=DRA_DRIVER_CHART,
            chart=DRA_DRIVER_CHART,
            version=DRA_DRIVER_VERSION,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=GPU_OPERATOR_REPOSITORY),
            namespace=spec.namespace,
            values=dra_driver_values(spec, plan),
            atomic=True,
            cleanup_on_fail=True,
            timeout=900,
            opts=child_opts(self, opts, depends_on=[release]),
        )
        domains_namespace = spec.nvlink_domains.namespace
        namespace = k8s.core.v1.Namespace(
            f"{name}-nvlink-namespace",
            metadata={"name": domains_namespace, "labels": gpudc_labels(site=plan.site or None)},
            opts=child_opts(self, opts),
        )
        for pool in plan.pools:
            for rack in range(pool.nvlink_domains):
                domain = k8s_name(pool.name, "rack", str(rack))
                k8s.apiextensions.CustomResource(
                    f"{name}-{pool.name}-domain-{rack}",
                    api_version=COMPUTE_DOMAIN_API_VERSION,
                    kind="ComputeDomain",
                    metadata={
                        "name": domain,
                        "namespace": domains_namespace,
                        "labels": gpudc_labels(site=plan.site or None, pool=pool.name),
                    },
                    spec={
                        # Used for the domain's Ready status only (IMEX daemons start at once);
                        # the spec is immutable, so a rack resize replaces the domain.
                        "numNodes": pool.nodes_per_domain,
                        "channel": {"resourceClaimTemplate": {"name": k8s_name(domain, "channel")}},
                    },
                    opts=child_opts(self, opts, depends_on=[dra, namespace]),
                )


def _nvidia_driver_spec(spec: GpuOperatorSpec, plan: OperatorPlan, pool: PoolGpuPlan) -> dict[str, Any]:
    """An NVIDIADriver for one pool: its version, on its nodes, with the cluster's upgrade policy
    (fields of the v26.7.0 CRD; `upgradePolicy` per NVIDIADriver is new in v26.7.0)."""
    policy = spec.upgrade_policy
    selector = {POOL_LABEL: pool.name, **({SITE_LABEL: plan.site} if plan.site else {})}
    empty_dir = policy.delete_empty_dir is Switch.ENABLED
    return {
        "default": False,
        "driverType": "gpu",
        "repository": _DRIVER_REPOSITORY,
        "image": _DRIVER_IMAGE,
        "version": pool.driver_version,
        "kernelModuleType": pool.kernel_module_type,
        "nodeSelector": dict(sorted(selector.items())),
        "rdma": {"enabled": spec.rdma is Switch.ENABLED},
        "upgradePolicy": {
            "autoUpgrade": policy.auto_upgrade is Switch.ENABLED,
            "maxParallelUpgrades": policy.max_parallel_upgrades,
            "maxUnavailable": policy.max_unavailable,
            "podDeletion": {
                "timeoutSeconds": policy.pod_deletion_timeout_seconds,
                "deleteEmptyDir": empty_dir,
            },
            "drain": {
                "enable": policy.drain is Switch.ENABLED,
                "timeoutSeconds": policy.drain_timeout_seconds,
                "deleteEmptyDir": empty_dir,
            },
        },
    }
