"""Recording-mock tests of the GPU Operator's children in the gpu-sharing stack and on its own."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import kubernetes_validate
import pytest
import yaml

from gpudc import GPU_MODELS, GpuOperator, GpuOperatorSpec, parse_environment, plan_environment
from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY
from gpudc.gpu_operator.component import _outcome
from gpudc.gpu_operator.spec import PoolGpuSpec
from gpudc.gpu_operator.versions import OperatorPool, plan_operator
from gpudc.nodepool.registration import kubelet_registration
from gpudc.nodepool.spec import GPU_TAINT
from gpudc.preview.plan import Plan
from gpudc.preview.render import manifests
from gpudc.preview.report import render_report
from gpudc.preview.run import plan_callable


def _by_type(plan: Plan, kind: str) -> dict[str, Any]:
    return {r.name: r for r in plan.resources if r.type == kind}


def test_namespaces_and_pinned_releases(planned: Callable[[str], Plan]) -> None:
    plan = planned("gpu-sharing")
    namespaces = _by_type(plan, "kubernetes:core/v1:Namespace")
    assert {"gpu-operator", "training"} <= {ns.inputs["metadata"]["name"] for ns in namespaces.values()}
    releases = {
        name: r
        for name, r in _by_type(plan, "kubernetes:helm.sh/v3:Release").items()
        if name.startswith("gpudc-share-share-gpu-operator")
    }
    got = {
        name: (
            r.inputs["chart"],
            r.inputs["version"],
            r.inputs.get("repositoryOpts", {}).get("repo"),
            r.inputs["namespace"],
        )
        for name, r in releases.items()
    }
    assert got == {
        "gpudc-share-share-gpu-operator-release": (
            "gpu-operator",
            "v26.7.0",
            "https://helm.ngc.nvidia.com/nvidia",
            "gpu-operator",
        ),
        "gpudc-share-share-gpu-operator-dra-driver": (
            "nvidia-dra-driver-gpu",
            "25.12.0",
            "https://helm.ngc.nvidia.com/nvidia",
            "gpu-operator",
        ),
        # The NCCL validation's launcher (tests/gpu_operator/test_nccl.py): an OCI chart.
        "gpudc-share-share-gpu-operator-jobset": (
            "oci://registry.k8s.io/jobset/charts/jobset",
            "0.12.0",
            None,
            "jobset-system",
        ),
    }
    operator_release = releases["gpudc-share-share-gpu-operator-release"]
    config_maps = _by_type(plan, "kubernetes:core/v1:ConfigMap")
    # The sharing configs exist before the chart that reads them.
    assert {
        config_maps["gpudc-share-share-gpu-operator-mig-parted-config"].urn,
        config_maps["gpudc-share-share-gpu-operator-device-plugin-config"].urn,
    } <= set(operator_release.depends_on)
    assert operator_release.urn in releases["gpudc-share-share-gpu-operator-dra-driver"].depends_on


def test_one_nvidia_driver_per_pool_selected_by_its_labels(planned: Callable[[str], Plan]) -> None:
    plan = planned("gpu-sharing")
    drivers = _by_type(plan, "kubernetes:nvidia.com/v1alpha1:NVIDIADriver")
    operator = _by_type(plan, "gpudc:index:GpuOperator")["gpudc-share-share-gpu-operator"]
    release = _by_type(plan, "kubernetes:helm.sh/v3:Release")["gpudc-share-share-gpu-operator-release"]
    got = {
        r.inputs["metadata"]["name"]: (
            r.inputs["spec"]["version"],
            r.inputs["spec"]["nodeSelector"],
            r.inputs["spec"]["kernelModuleType"],
            r.inputs["spec"]["default"],
        )
        for r in drivers.values()
    }
    assert got == {
        "share-b300": ("580.95.05", {"gpudc.io/pool": "b300", "gpudc.io/site": "share"}, "open", False),
        "share-gb300": ("595.91.07", {"gpudc.io/pool": "gb300", "gpudc.io/site": "share"}, "auto", False),
        "share-h100-mig": (
            "595.91.07",
            {"gpudc.io/pool": "h100-mig", "gpudc.io/site": "share"},
            "auto",
            False,
        ),
        "share-l40s-shared": (
            "595.91.07",
            {"gpudc.io/pool": "l40s-shared", "gpudc.io/site": "share"},
            "auto",
            False,
        ),
    }
    for driver in drivers.values():
        assert driver.parent == operator.urn and release.urn in driver.depends_on
        assert driver.inputs["spec"]["upgradePolicy"]["maxUnavailable"] == "10%"


def test_compute_domain_per_nvl72_rack(planned: Callable[[str], Plan]) -> None:
    plan = planned("gpu-sharing")
    (domain,) = _by_type(plan, "kubernetes:resource.nvidia.com/v1beta1:ComputeDomain").values()
    assert domain.inputs["metadata"]["name"] == "gb300-rack-0"
    assert domain.inputs["metadata"]["namespace"] == "training"
    assert domain.inputs["spec"] == {
        "numNodes": 18,
        "channel": {"resourceClaimTemplate": {"name": "gb300-rack-0-channel"}},
    }
    dra = _by_type(plan, "kubernetes:helm.sh/v3:Release")["gpudc-share-share-gpu-operator-dra-driver"]
    assert dra.urn in domain.depends_on


def test_sharing_config_maps(planned: Callable[[str], Plan]) -> None:
    config_maps = _by_type(planned("gpu-sharing"), "kubernetes:core/v1:ConfigMap")
    mig = config_maps["gpudc-share-share-gpu-operator-mig-parted-config"].inputs
    assert mig["metadata"]["namespace"] == "gpu-operator"
    assert yaml.safe_load(mig["data"]["config.yaml"]) == {
        "version": "v1",
        "mig-configs": {
            "all-disabled": [{"devices": "all", "mig-enabled": False}],
            "gpudc-h100-mig": [
                {"devices": "all", "mig-enabled": True, "mig-devices": {"1g.10gb": 3, "2g.20gb": 2}}
            ],
        },
    }
    plugin = config_maps["gpudc-share-share-gpu-operator-device-plugin-config"].inputs["data"]
    assert sorted(plugin) == ["default", "gpudc-l40s-shared"]
    assert yaml.safe_load(plugin["gpudc-l40s-shared"]) == {
        "version": "v1",
        "flags": {"migStrategy": "mixed"},
        "sharing": {"timeSlicing": {"resources": [{"name": "nvidia.com/gpu", "replicas": 4}]}},
    }


def test_labels_and_taints_land_on_the_right_pools(planned: Callable[[str], Plan]) -> None:
    plan = planned("gpu-sharing")
    nodes = _by_type(plan, "kubernetes:core/v1:NodePatch")
    gpu_labels = {
        r.inputs["metadata"]["name"]: {
            key: value
            for key, value in r.inputs["metadata"]["labels"].items()
            if key.startswith("nvidia.com/")
        }
        for r in nodes.values()
    }
    assert gpu_labels == {
        "h100-mig-a-01-1": {"nvidia.com/mig.config": "gpudc-h100-mig"},
        "h100-mig-a-01-2": {"nvidia.com/mig.config": "gpudc-h100-mig"},
        "l40s-shared-a-02-1": {"nvidia.com/device-plugin.config": "gpudc-l40s-shared"},
        "l40s-shared-a-02-2": {"nvidia.com/device-plugin.config": "gpudc-l40s-shared"},
        "b300-a-03-1": {},
        "b300-a-03-2": {},
    }
    # A NodePatch is applied on every update, so it never carries the burn-in taint: re-applying
    # it would undo the gate. New nodes get it at registration (kubelet flags, kubeadm).
    for node in nodes.values():
        assert all(taint["key"] != "gpudc.io/burn-in" for taint in node.inputs["spec"]["taints"])
    # Kueue's flavor keeps the pool's own taints: burn-in is a gate, not a scheduling class.
    flavors = _by_type(plan, "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor")
    (b300,) = [f for f in flavors.values() if f.inputs["metadata"]["name"] == "share-b300"]
    assert b300.inputs["spec"]["nodeTaints"] == [
        {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
    ]


def test_new_nodes_register_with_the_burn_in_taint(project: Project) -> None:
    site = next(
        iter(
            plan_environment(
                parse_environment(project.stack_config("gpu-sharing")[CONFIG_KEY])
            ).sites.values()
        )
    )
    b300 = site.pool("b300")
    registration = kubelet_registration(b300.spec, site.name, b300.node_labels, b300.registration_taints)
    assert "--register-with-taints=nvidia.com/gpu=present:NoSchedule,gpudc.io/burn-in=pending:NoSchedule" in (
        registration
    )
    h100 = site.pool("h100-mig")
    assert "gpudc.io/burn-in" not in kubelet_registration(
        h100.spec, site.name, h100.node_labels, h100.registration_taints
    )


def _operator_plan(driver: str) -> Plan:
    operator = GpuOperatorSpec.model_validate({"chart_version": "v26.7.0", "driver": {"mode": "operator"}})
    pools = [
        OperatorPool("h100", GPU_MODELS["h100-sxm"], (GPU_TAINT,)),
        OperatorPool(
            "b300",
            GPU_MODELS["b300"],
            (GPU_TAINT,),
            PoolGpuSpec.model_validate({"driver": {"version": driver}}),
        ),
    ]
    return plan_callable(lambda: GpuOperator("op", operator, plan=plan_operator(operator, pools, site="lab")))


def test_a_driver_change_is_an_update_of_the_pools_nvidia_driver_only() -> None:
    before, after = _operator_plan("580.95.05"), _operator_plan("580.105.08")
    assert [r.urn for r in before.resources] == [r.urn for r in after.resources]
    changed = {b.name for b, a in zip(before.resources, after.resources, strict=True) if b.inputs != a.inputs}
    # The component's own spec is unchanged (the pool's driver is the pool's); only the CR moves.
    assert changed == {"op-driver-b300"}
    (cr,) = [r for r in after.resources if r.name == "op-driver-b300"]
    assert cr.inputs["spec"]["version"] == "580.105.08"
    # Nothing forces a replacement: the operator rolls the new driver within its upgrade policy.
    assert not cr.options.get("replaceOnChanges") and not cr.options.get("deleteBeforeReplace")


def test_validation_job_and_burn_in_gate(planned: Callable[[str], Plan]) -> None:
    plan = planned("gpu-sharing")
    (job,) = _by_type(plan, "kubernetes:batch/v1:Job").values()
    spec = job.inputs["spec"]
    pod = spec["template"]["spec"]
    assert (job.inputs["metadata"]["name"], spec["completions"], spec["parallelism"]) == (
        "share-b300-gpu-validation",
        2,
        2,
    )
    # The diagnostic gates the taint removal: it is the init container, kubectl the main one.
    assert [c["name"] for c in pod["initContainers"]] == ["dcgm-diag"]
    assert pod["initContainers"][0]["command"][-1] == "nv-hostengine && dcgmi diag -r 3"
    assert pod["initContainers"][0]["resources"] == {
        "requests": {"cpu": "1", "memory": "1Gi"},
        "limits": {"nvidia.com/gpu": 8, "cpu": "4", "memory": "8Gi"},
    }
    (lift,) = pod["containers"]
    assert lift["image"] == "registry.k8s.io/kubectl:v1.34.0"
    assert lift["args"] == ["taint", "node", "$(NODE_NAME)", "gpudc.io/burn-in=pending:NoSchedule-"]
    assert {"key": "gpudc.io/burn-in", "operator": "Exists", "effect": "NoSchedule"} in pod["tolerations"]
    assert pod["nodeSelector"] == {"gpudc.io/pool": "b300", "gpudc.io/site": "share"}
    # After the operator and the pool's driver; with the account allowed to patch nodes only.
    by_name = {r.name: r for r in plan.resources}
    prefix = "gpudc-share-share-gpu-operator"
    assert {by_name[f"{prefix}-release"].urn, by_name[f"{prefix}-driver-b300"].urn} <= set(job.depends_on)
    role = by_name[f"{prefix}-burn-in-role"]
    assert role.inputs["rules"] == [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "patch"]}]
    assert role.urn in job.depends_on


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, "pending"),
        ({"succeeded": 1}, "pending"),
        ({"succeeded": 2}, "passed"),
        ({"failed": 1}, "failed"),
    ],
)
def test_validation_outcome(status: dict[str, int] | None, expected: str) -> None:
    assert _outcome(SimpleNamespace(**status) if status else None, 2) == expected


@pytest.mark.parametrize("version", ["1.32", kubernetes_validate.latest_version()])
def test_core_objects_validate_strictly(version: str, planned: Callable[[str], Plan]) -> None:
    # The GPU Operator's core objects (the pools' NodePatches and Kueue's are tested by their owners).
    kinds = {"Job", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "Namespace"}
    core = [
        m.body
        for m in manifests(planned("gpu-sharing"))
        if m.body["kind"] in kinds
        and "gpudc.io/validation" not in m.body["metadata"].get("labels", {})
        and m.body["metadata"].get("namespace") in (None, "gpu-operator")
    ]
    assert {body["kind"] for body in core} == {
        "ClusterRole",
        "ClusterRoleBinding",
        "ConfigMap",
        "Job",
        "Namespace",
        "ServiceAccount",
    }
    for body in core:
        kubernetes_validate.validate(body, version, strict=True)


def test_the_derived_block_and_report_record_the_driver_of_each_pool(planned: Callable[[str], Plan]) -> None:
    plan = planned("gpu-sharing")
    assert plan.derived is not None
    (cluster,) = plan.derived.sites[0].clusters
    assert cluster.pool_drivers == {
        "b300": "580.95.05",
        "gb300": "595.91.07",
        "h100-mig": "595.91.07",
        "l40s-shared": "595.91.07",
    }
    assert (
        "| v26.7.0 | per pool: b300 580.95.05, gb300 595.91.07, h100-mig 595.91.07, l40s-shared 595.91.07 |"
        in (render_report(plan))
    )
    lab = planned("lab").derived
    assert lab is not None and lab.sites[0].clusters[0].pool_drivers == {}
