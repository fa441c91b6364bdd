"""`GpuOperator`: NVIDIA's GPU Operator, pinned, in its own privileged namespace."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc.catalog.software import GPU_OPERATOR_CHART, GPU_OPERATOR_REPOSITORY
from gpudc.core.labels import GPU_TAINT_KEY, gpudc_labels
from gpudc.gpu_operator.spec import DriverMode, GpuOperatorSpec
from gpudc.gpu_operator.versions import OperatorPlan
from gpudc.options import child_opts, spec_inputs

__all__ = ["GpuOperator", "chart_values"]

# The operator's daemonsets load kernel modules and mount host paths; NVIDIA's install guide asks
# for the namespace to enforce the `privileged` Pod Security level:
# https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/getting-started.html
_POD_SECURITY = {"pod-security.kubernetes.io/enforce": "privileged"}

# The chart's own defaults (deployments/gpu-operator/values.yaml, v25.3 to v26.7): a values list
# replaces the default list, so each is repeated here before the pools' taints are added.
_DEFAULT_TOLERATION = {"key": GPU_TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"}
# node-feature-discovery.worker.tolerations also lets NFD label GPU nodes that are control planes.
_NFD_CONTROL_PLANE_TOLERATION = {
    "key": "node-role.kubernetes.io/control-plane",
    "operator": "Equal",
    "value": "",
    "effect": "NoSchedule",
}


def chart_values(spec: GpuOperatorSpec, plan: OperatorPlan) -> dict[str, Any]:
    """Helm values for the gpu-operator chart (keys from deployments/gpu-operator/values.yaml).

    The operator's daemonsets and the NFD worker must tolerate the (key, effect) of every taint
    on the cluster's pools, or a node tainted with anything but the default GPU taint never gets
    a driver and never advertises `nvidia.com/gpu`.
    """
    tolerations = [_DEFAULT_TOLERATION]
    for key, effect in plan.tolerated_taints:
        toleration = {"key": key, "operator": "Exists", "effect": effect}
        if toleration not in tolerations:
            tolerations.append(toleration)
    driver_values: dict[str, Any] = {"enabled": spec.driver.mode is DriverMode.OPERATOR}
    if spec.driver.mode is DriverMode.OPERATOR:
        driver_values["version"] = plan.driver_version
    return {
        "driver": driver_values,
        "mig": {"strategy": spec.mig_strategy.value},
        "daemonsets": {"tolerations": tolerations},
        "node-feature-discovery": {"worker": {"tolerations": [_NFD_CONTROL_PLANE_TOLERATION, *tolerations]}},
    }


class GpuOperator(pulumi.ComponentResource):
    """NVIDIA GPU Operator: a namespace and a Helm release of the pinned chart, once per cluster.

    `plan` is the cluster's operator slice (`plan_operator`): the driver already checked against
    every pool's GPU, and the taints to tolerate.
    """

    TYPE = "gpudc:index:GpuOperator"

    namespace: str
    chart_version: str
    driver_version: str

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
            opts=child_opts(self, opts, protection=plan.protection),
        )
        k8s.helm.v3.Release(
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
            opts=child_opts(self, opts, depends_on=[namespace], protection=plan.protection),
        )
        self.namespace = spec.namespace
        self.chart_version = spec.chart_version
        self.driver_version = plan.driver_version
        self.register_outputs(
            {
                "namespace": self.namespace,
                "chart_version": self.chart_version,
                "driver_version": self.driver_version,
            }
        )
