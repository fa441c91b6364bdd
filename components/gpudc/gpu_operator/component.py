"""`GpuOperator`: NVIDIA's GPU Operator, pinned, in its own privileged namespace."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc.catalog.jobset import JOBSET
from gpudc.catalog.software import (
    DRA_DRIVER_CHART,
    DRA_DRIVER_VERSION,
    GPU_OPERATOR_CHART,
    GPU_OPERATOR_REPOSITORY,
)
from gpudc.core.labels import POOL_LABEL, SITE_LABEL, gpudc_labels
from gpudc.core.naming import k8s_name
from gpudc.gpu_operator.nccl import (
    NCCL_KEYS_ACCOUNT,
    nccl_jobset,
    nccl_outcome,
    one_pod_per_node,
    ssh_secret_name,
)
from gpudc.gpu_operator.spec import DriverMode, GpuOperatorSpec, Switch
from gpudc.gpu_operator.values import (
    DEVICE_PLUGIN_CONFIG_MAP,
    MIG_PARTED_CONFIG_MAP,
    chart_values,
    device_plugin_config,
    dra_driver_values,
    mig_parted_config,
)
from gpudc.gpu_operator.versions import BURN_IN_TAINT, OperatorPlan, PoolGpuPlan
from gpudc.objects import kube_object
from gpudc.options import child_opts, spec_inputs
from gpudc.releases import pinned_release

__all__ = [
    "COMPUTE_DOMAIN_API_VERSION",
    "DCGM_IMAGE",
    "NVIDIA_DRIVER_API_VERSION",
    "VALIDATION_ACCOUNT",
    "GpuOperator",
    "chart_values",
]

# NVIDIA/gpu-operator v26.7.0 deployments/gpu-operator/crds/nvidia.com_nvidiadrivers.yaml
# (cluster-scoped, served and stored as v1alpha1; required: default, driverType, image).
NVIDIA_DRIVER_API_VERSION = "nvidia.com/v1alpha1"
# kubernetes-sigs/dra-driver-nvidia-gpu v25.12.0 deployments/helm/nvidia-dra-driver-gpu/crds/
# resource.nvidia.com_computedomains.yaml (namespaced; spec: numNodes, channel.resourceClaimTemplate).
COMPUTE_DOMAIN_API_VERSION = "resource.nvidia.com/v1beta1"
# DCGM for post-deploy diagnostics: the image the v26.7.0 chart pins for its standalone hostengine
# (values.yaml dcgm.repository/image/version).
DCGM_IMAGE = "nvcr.io/nvidia/cloud-native/dcgm:4.6.0-1-ubuntu24.04"
# The burn-in gate lifts its taint with Kubernetes' own kubectl image, of the cluster's minor
# version (kubectl supports one minor of skew). The image has no shell: the node name reaches the
# command as $(NODE_NAME), which the kubelet expands from the container's environment.
# Published per release: kubernetes/kubernetes CHANGELOG/CHANGELOG-1.<minor>.md, "Container Images".
_KUBECTL_IMAGE = "registry.k8s.io/kubectl:v{minor}.0"
VALIDATION_ACCOUNT = "gpudc-gpu-validation"
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
        network: pulumi.Resource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`network` is what an NCCL validation run waits for besides the operator: the cluster's
        secondary networks (its rails' NetworkAttachmentDefinitions), when pools ask for one."""
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
        # The driver container compiles and loads a kernel module on every GPU node; a
        # half-installed operator is worse than none, so a failed install rolls back.
        release = _pinned_release(
            f"{name}-release",
            GPU_OPERATOR_CHART,
            spec.chart_version,
            spec.namespace,
            chart_values(spec, plan),
            1800,
            child_opts(self, opts, depends_on=[namespace, *configs], protection=plan.protection),
        )
        # A driver per pool: one NVIDIADriver each, selecting the pool's nodes by their labels. A
        # version change is an update of the object (the operator then rolls it out within the
        # upgrade policy), never a replacement.
        self.pool_drivers: dict[str, str] = {}
        self._drivers: list[pulumi.Resource] = []
        if spec.driver.mode is DriverMode.OPERATOR and plan.per_pool_drivers:
            for pool in plan.pools:
                driver_cr = k8s.apiextensions.CustomResource(
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
                self._drivers.append(driver_cr)
                self.pool_drivers[pool.name] = pool.driver_version
        if plan.nvlink_domains and spec.nvlink_domains is not None:
            self._nvlink_domains(name, spec, plan, release, opts)
        self.validation: dict[str, dict[str, pulumi.Output[str]]] = {}
        self._dcgm_jobs: dict[str, pulumi.Resource] = {}
        validated = [pool for pool in plan.pools if pool.dcgm_diag_level]
        if validated:
            self._validation(name, spec, plan, validated, [release, *self._drivers], opts)
        if any(pool.nccl for pool in validated):
            self._nccl(name, spec, plan, validated, [release, *self._drivers], network, opts)
        self.namespace = spec.namespace
        self.chart_version = spec.chart_version
        self.driver_version = plan.driver_version
        self.register_outputs(
            {
                "namespace": self.namespace,
                "chart_version": self.chart_version,
                "driver_version": self.driver_version,
                "pool_drivers": self.pool_drivers,
                "validation": self.validation,
            }
        )

    def _validation(
        self,
        name: str,
        spec: GpuOperatorSpec,
        plan: OperatorPlan,
        pools: list[PoolGpuPlan],
        after: list[pulumi.Resource],
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        """Post-deploy DCGM diagnostics, one Job per validated pool, once the operator is up.

        Each Job runs one pod per node of the pool (anti-affinity on the hostname) holding all of
        the node's GPUs. With a burn-in gate, a node's pod lifts `gpudc.io/burn-in` from its own
        node only after the diagnostic passed (the diagnostic is the init container); a failure
        leaves the taint, so the node never takes workloads. The Job's outcome is an output.
        """
        labels = gpudc_labels(site=plan.site or None)
        account = k8s.core.v1.ServiceAccount(
            f"{name}-validation-account",
            metadata={"name": VALIDATION_ACCOUNT, "namespace": spec.namespace, "labels": labels},
            opts=child_opts(self, opts),
        )
        gated = [pool for pool in pools if pool.burn_in]
        rbac: list[pulumi.Resource] = [account]
        if gated:
            role = k8s.rbac.v1.ClusterRole(
                f"{name}-burn-in-role",
                metadata={"name": k8s_name(VALIDATION_ACCOUNT, spec.namespace), "labels": labels},
                # Lifting a taint is a patch of the node; nothing else is granted.
                rules=[{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "patch"]}],
                opts=child_opts(self, opts),
            )
            binding = k8s.rbac.v1.ClusterRoleBinding(
                f"{name}-burn-in-binding",
                metadata={"name": k8s_name(VALIDATION_ACCOUNT, spec.namespace), "labels": labels},
                role_ref={
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "ClusterRole",
                    "name": role.metadata.name,
                },
                subjects=[
                    {"kind": "ServiceAccount", "name": VALIDATION_ACCOUNT, "namespace": spec.namespace}
                ],
                opts=child_opts(self, opts),
            )
            rbac += [role, binding]
        for pool in pools:
            job = k8s.batch.v1.Job(
                f"{name}-validate-{pool.name}",
                metadata={
                    "name": k8s_name(plan.site, pool.name, "gpu-validation"),
                    "namespace": spec.namespace,
                    "labels": gpudc_labels(site=plan.site or None, pool=pool.name),
                },
                spec=_validation_job_spec(plan, pool),
                opts=child_opts(self, opts, depends_on=[*after, *rbac]),
            )
            completions = pool.nodes
            self._dcgm_jobs[pool.name] = job
            self.validation[pool.name] = {
                "dcgm": job.status.apply(lambda status, n=completions: _outcome(status, n))
            }

    def _nccl(
        self,
        name: str,
        spec: GpuOperatorSpec,
        plan: OperatorPlan,
        pools: list[PoolGpuPlan],
        after: list[pulumi.Resource],
        network: pulumi.Resource | None,
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        """The NCCL all-reduce of each pool that asks for one (`gpudc.gpu_operator.nccl`): JobSet
        from its pinned chart, the account that writes the runs' SSH key Secrets, and a JobSet per
        pool that starts after the pool's DCGM diagnostic passed and its rails exist."""
        labels = gpudc_labels(site=plan.site or None)
        runs = [pool for pool in pools if pool.nccl is not None]
        # The launcher's CRD and webhook must answer before any JobSet: wait for the rollout.
        jobset = pinned_release(self, name, "jobset", JOBSET, namespace_labels=labels, timeout=600, opts=opts)
        account = k8s.core.v1.ServiceAccount(
            f"{name}-nccl-keys-account",
            metadata={"name": NCCL_KEYS_ACCOUNT, "namespace": spec.namespace, "labels": labels},
            opts=child_opts(self, opts),
        )
        secrets = sorted(ssh_secret_name(plan, pool) for pool in runs)
        role = k8s.rbac.v1.Role(
            f"{name}-nccl-keys-role",
            metadata={"name": NCCL_KEYS_ACCOUNT, "namespace": spec.namespace, "labels": labels},
            # `kubectl apply` of the runs' key Secrets: create (which cannot be narrowed by name),
            # then read and patch those Secrets only.
            rules=[
                {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
                {
                    "apiGroups": [""],
                    "resources": ["secrets"],
                    "resourceNames": secrets,
                    "verbs": ["get", "patch"],
                },
            ],
            opts=child_opts(self, opts),
        )
        binding = k8s.rbac.v1.RoleBinding(
            f"{name}-nccl-keys-binding",
            metadata={"name": NCCL_KEYS_ACCOUNT, "namespace": spec.namespace, "labels": labels},
            role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role.metadata.name},
            subjects=[{"kind": "ServiceAccount", "name": NCCL_KEYS_ACCOUNT, "namespace": spec.namespace}],
            opts=child_opts(self, opts),
        )
        ready = [*after, jobset, account, role, binding, *([network] if network is not None else [])]
        for pool in runs:
            body = nccl_jobset(plan, pool, namespace=spec.namespace, kubectl_image=_kubectl_image(plan))
            run = kube_object(
                f"{name}-nccl-{pool.name}",
                api_version=body["apiVersion"],
                kind=body["kind"],
                metadata=body["metadata"],
                # `status` is no input: naming it makes the provider's live status an output.
                fields={"spec": body["spec"], "status": None},
                # A JobSet's network, policies and dependsOn are immutable (CEL "Value is immutable"
                # in the v0.12.0 CRD) and the provider knows no immutable fields of a custom
                # resource: a changed run (a floor, a pool grown by a node) is a new JobSet, which
                # runs again. Old one first: the new one has the same name, and a replacement made
                # before the old one's delete is that object, which the delete then removes
                # (pulumi/pulumi-kubernetes#4522; the provider deletes first by itself only for the
                # replacements it decides, not for the engine's replaceOnChanges).
                opts=child_opts(
                    self,
                    opts,
                    depends_on=[*ready, self._dcgm_jobs[pool.name]],
                    replace_on_changes=["spec"],
                    delete_before_replace=True,
                ),
            )
            self.validation[pool.name]["nccl"] = run.status.apply(nccl_outcome)  # type: ignore[attr-defined]

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
        dra = _pinned_release(
            f"{name}-dra-driver",
            DRA_DRIVER_CHART,
            DRA_DRIVER_VERSION,
            spec.namespace,
            dra_driver_values(spec, plan),
            900,
            child_opts(self, opts, depends_on=[release]),
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


def _pinned_release(
    name: str,
    chart: str,
    version: str,
    namespace: str,
    values: dict[str, Any],
    timeout: int,
    opts: pulumi.ResourceOptions,
) -> k8s.helm.v3.Release:
    """A Helm release of a pinned chart from NVIDIA's repository, rolled back if it fails."""
    return k8s.helm.v3.Release(
        name,
        name=chart,
        chart=chart,
        version=version,
        repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=GPU_OPERATOR_REPOSITORY),
        namespace=namespace,
        values=values,
        atomic=True,
        cleanup_on_fail=True,
        timeout=timeout,
        opts=opts,
    )


def _kubectl_image(plan: OperatorPlan) -> str:
    """Kubernetes' kubectl image of the cluster's minor version (the plan checked it is stated)."""
    major, minor = plan.kubernetes_version.split(".")[:2]
    return _KUBECTL_IMAGE.format(minor=f"{major}.{minor}")


def _outcome(status: Any, completions: int) -> str:
    """`passed` when every node's pod succeeded, `failed` when any failed, else `pending`."""
    succeeded = getattr(status, "succeeded", None) or 0
    failed = getattr(status, "failed", None) or 0
    if failed:
        return "failed"
    return "passed" if succeeded >= completions else "pending"


def _validation_job_spec(plan: OperatorPlan, pool: PoolGpuPlan) -> dict[str, Any]:
    job_label = {"gpudc.io/validation": pool.name}
    diag: dict[str, Any] = {
        "name": "dcgm-diag",
        "image": DCGM_IMAGE,
        # nv-hostengine daemonises by default; dcgmi then talks to it on localhost.
        "command": ["/bin/bash", "-c", f"nv-hostengine && dcgmi diag -r {pool.dcgm_diag_level}"],
        # gpudc's sizing: dcgmi drives the GPUs; the CPU and memory it needs stay small, and a
        # bound keeps a stuck diagnostic from starving the node's own daemons.
        "resources": {
            "requests": {"cpu": "1", "memory": "1Gi"},
            "limits": {"nvidia.com/gpu": pool.gpus_per_node, "cpu": "4", "memory": "8Gi"},
        },
        "securityContext": {"privileged": True},
    }
    containers: list[dict[str, Any]] = [diag]
    init: list[dict[str, Any]] = []
    if pool.burn_in:
        init, containers = (
            [diag],
            [
                {
                    "name": "lift-burn-in",
                    "image": _kubectl_image(plan),
                    "args": ["taint", "node", "$(NODE_NAME)", f"{BURN_IN_TAINT.as_flag()}-"],
                    "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
                    "resources": {
                        "requests": {"cpu": "50m", "memory": "64Mi"},
                        "limits": {"cpu": "200m", "memory": "128Mi"},
                    },
                }
            ],
        )
    pod: dict[str, Any] = {
        "restartPolicy": "Never",
        "serviceAccountName": VALIDATION_ACCOUNT,
        **one_pod_per_node(plan, pool, job_label),
        "containers": containers,
    }
    if init:
        pod["initContainers"] = init
    return {
        "completions": pool.nodes,
        "parallelism": pool.nodes,
        "backoffLimit": 0,
        "template": {"metadata": {"labels": job_label}, "spec": pod},
    }


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
