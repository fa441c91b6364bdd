"""The NCCL all-reduce of the post-deploy validation (issue 14 point 7): its checks, the JobSet
release and the JobSet per pool, the scripts that pass or fail a run, and the outcome output."""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic import ValidationError

from gpudc import GPU_MODELS, GpuOperatorSpec, SpecError
from gpudc.catalog.jobset import JOBSET_CHART, JOBSET_VERSION, NCCL_TESTS_IMAGE
from gpudc.gpu_operator.nccl import check_script, nccl_jobset, nccl_outcome
from gpudc.gpu_operator.spec import NcclValidationSpec, PoolGpuSpec
from gpudc.gpu_operator.versions import OperatorPool, plan_operator
from gpudc.nodepool.spec import GPU_TAINT
from gpudc.preview.plan import Plan
from gpudc.preview.render import manifests
from tests.crds.schemas import check_custom_resource

STACKS = ["lab", "gpu-sharing", "plano", "coreweave"]
RAILS = tuple(f"default/b300-rail{index}" for index in range(8))
NCCL = {"min_bus_bandwidth_gbps": 300}


def _jobsets(plan: Plan) -> dict[str, Any]:
    return {r.name: r for r in plan.resources if r.type == "kubernetes:jobset.x-k8s.io/v1alpha2:JobSet"}


def _worker(body: dict[str, Any]) -> dict[str, Any]:
    jobs = {job["name"]: job for job in body["spec"]["replicatedJobs"]}
    return jobs["worker"]


# --- checks ---------------------------------------------------------------------------------


def _pool(
    nodes: int = 2,
    rails: tuple[str, ...] | None = RAILS,
    site_network: bool = True,
    **sharing: Any,
) -> OperatorPool:
    return OperatorPool(
        "b300",
        GPU_MODELS["b300"],
        (GPU_TAINT,),
        PoolGpuSpec.model_validate({"validation": {"nccl": NCCL}, **sharing}),
        nodes,
        path="sites[0].pools[2]",
        gpu_key="b300",
        rail_networks=rails,
        site_network=site_network,
    )


def _issues(pool: OperatorPool, kubernetes_version: str | None = "1.34") -> list[tuple[str, str]]:
    spec = GpuOperatorSpec.model_validate({"chart_version": "v26.7.0", "driver": {"mode": "operator"}})
    with pytest.raises(SpecError) as caught:
        plan_operator(spec, [pool], kubernetes_version=kubernetes_version)
    return [(issue.code, str(issue)) for issue in caught.value.issues]


AT = "sites[0].pools[2].gpu.validation.nccl"


@pytest.mark.parametrize(
    ("pool", "version", "expected"),
    [
        pytest.param(
            _pool(nodes=1),
            "1.34",
            [
                (
                    "GPUDC-VALIDATION-002",
                    f"{AT}: pool b300 has 1 node; an all-reduce across nodes needs 2 or more (one node's GPUs "
                    "talk over NVLink, which the DCGM diagnostic already exercises), got 1; set "
                    f"sites[0].pools[2].nodes to 2 or more, or remove {AT}",
                )
            ],
            id="one-node",
        ),
        pytest.param(
            _pool(rails=(), site_network=False),
            "1.34",
            [
                (
                    "GPUDC-VALIDATION-003",
                    f"{AT}: the site declares no `network`, so no RDMA rail (NetworkAttachmentDefinition) "
                    "exists; the all-reduce runs over the pool's rails; declare the site's `network` (each "
                    f"compute NIC of the node model becomes a rail), or remove {AT}",
                )
            ],
            id="no-network",
        ),
        pytest.param(
            _pool(rails=()),
            "1.34",
            [
                (
                    "GPUDC-VALIDATION-003",
                    f"{AT}: the node model of pool b300 has no compute NICs, so the site's network gives it no "
                    f"rails; the all-reduce runs over the pool's rails; remove {AT}, or use a node model with "
                    "compute NICs",
                )
            ],
            id="no-compute-nics",
        ),
        pytest.param(
            _pool(time_slicing={"replicas": 4}),
            "1.34",
            [
                (
                    "GPUDC-VALIDATION-005",
                    f"{AT}: pool b300 shares its GPUs (gpu.time_slicing); the all-reduce needs every node's "
                    f"whole GPUs; remove {AT}, or sites[0].pools[2].gpu.time_slicing",
                )
            ],
            id="time-sliced",
        ),
        pytest.param(
            _pool(),
            None,
            [
                (
                    "GPUDC-VALIDATION-004",
                    f"{AT}: the run publishes its SSH keys with the kubectl image of the cluster's Kubernetes "
                    "version, and the cluster does not state it; set the cluster's kubernetes_version to the "
                    "version it runs",
                )
            ],
            id="no-kubernetes-version",
        ),
    ],
)
def test_nccl_checks(pool: OperatorPool, version: str | None, expected: list[tuple[str, str]]) -> None:
    assert _issues(pool, version) == expected


def test_a_pool_with_two_nodes_and_rails_plans_its_run() -> None:
    spec = GpuOperatorSpec.model_validate({"chart_version": "v26.7.0", "driver": {"mode": "operator"}})
    (plan,) = plan_operator(spec, [_pool()], kubernetes_version="1.34").pools
    assert plan.nccl is not None
    assert (plan.nccl.networks, plan.nccl.min_bus_bandwidth_gbps, plan.nccl.timeout_seconds) == (
        RAILS,
        300,
        3600,
    )
    assert (plan.nccl.min_message_mib, plan.nccl.max_message_mib, plan.nccl.iterations) == (512, 8192, 20)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"min_bus_bandwidth_gbps": 0}, "min_bus_bandwidth_gbps\n  Input should be greater than 0"),
        (
            {**NCCL, "min_message_mib": 1024, "max_message_mib": 512},
            "max_message_mib\n  is below min_message_mib (1024); the sweep runs from the smallest message up "
            "to the largest",
        ),
        ({**NCCL, "timeout_minutes": 1}, "timeout_minutes\n  Input should be greater than or equal to 5"),
    ],
)
def test_nccl_spec_bounds(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        NcclValidationSpec.model_validate(fields)
    assert message in str(caught.value)


def _stack_without_network(project: Any, tmp: Path) -> Path:
    config = yaml.safe_load((project.root / "stacks" / "Pulumi.gpu-sharing.yaml").read_text())
    del config["config"]["gpudc:environment"]["sites"][0]["network"]
    (tmp / "stacks" / "Pulumi.nonet.yaml").write_text(yaml.safe_dump(config))
    return tmp


def test_validate_and_plan_agree_on_nccl_without_rails(scratch: Path, project: Any, gpudc_cli: Any) -> None:
    root = _stack_without_network(project, scratch)
    validate = gpudc_cli("validate", "nonet", "-C", str(root))
    plan = gpudc_cli("plan", "nonet", "-C", str(root))
    assert validate.returncode == plan.returncode == 2, (validate.stderr, plan.stderr)
    line = validate.stderr.splitlines()[0]
    assert line.startswith(
        "error GPUDC-VALIDATION-003 sites[0].pools[2].gpu.validation.nccl: the site declares no `network`"
    )
    assert line in plan.stderr.splitlines()


# --- the objects ------------------------------------------------------------------------------


def test_jobset_release_and_keys_account(planned: Callable[[str], Plan]) -> None:
    plan = planned("gpu-sharing")
    by_name = {r.name: r for r in plan.resources}
    prefix = "gpudc-share-share-gpu-operator"
    release = by_name[f"{prefix}-jobset"]
    assert release.type == "kubernetes:helm.sh/v3:Release"
    assert {k: release.inputs.get(k) for k in ("name", "chart", "version", "namespace")} == {
        "name": "jobset",
        "chart": "oci://registry.k8s.io/jobset/charts/jobset",
        "version": "0.12.0",
        "namespace": "jobset-system",
    }
    assert (release.inputs["chart"], release.inputs["version"]) == (JOBSET_CHART, JOBSET_VERSION)
    assert "repositoryOpts" not in release.inputs  # an OCI chart: no repository
    assert by_name[f"{prefix}-jobset-namespace"].urn in release.depends_on
    role = by_name[f"{prefix}-nccl-keys-role"]
    assert role.inputs["metadata"]["namespace"] == "gpu-operator"
    assert role.inputs["rules"] == [
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
        {
            "apiGroups": [""],
            "resources": ["secrets"],
            "resourceNames": ["share-b300-nccl-ssh"],
            "verbs": ["get", "patch"],
        },
    ]
    binding = by_name[f"{prefix}-nccl-keys-binding"]
    assert binding.inputs["subjects"] == [
        {"kind": "ServiceAccount", "name": "gpudc-nccl-keys", "namespace": "gpu-operator"}
    ]


def test_one_jobset_per_pool_with_a_worker_per_node(planned: Callable[[str], Plan]) -> None:
    plan = planned("gpu-sharing")
    (run,) = _jobsets(plan).values()
    body = run.inputs
    assert (body["metadata"]["name"], body["metadata"]["namespace"]) == ("share-b300-nccl", "gpu-operator")
    assert body["metadata"]["annotations"]["pulumi.com/waitFor"] == "jsonpath={.status.terminalState}"
    assert [(j["name"], j.get("dependsOn")) for j in body["spec"]["replicatedJobs"]] == [
        ("keys", None),
        ("worker", [{"name": "keys", "status": "Complete"}]),
        ("launcher", [{"name": "worker", "status": "Ready"}]),
    ]
    assert body["spec"]["successPolicy"] == {"operator": "All", "targetReplicatedJobs": ["launcher"]}
    assert body["spec"]["failurePolicy"] == {"maxRestarts": 0}
    # Its replicated jobs are immutable upstream: any change replaces (and so reruns) it.
    assert run.options["replaceOnChanges"] == ["spec"]
    worker = _worker(body)["template"]["spec"]
    # Two b300 nodes: two pods, one per node, each with all eight GPUs and the RDMA device.
    assert (worker["completions"], worker["parallelism"]) == (2, 2)
    template = worker["template"]
    assert template["metadata"]["annotations"] == {"k8s.v1.cni.cncf.io/networks": ",".join(RAILS)}
    pod = template["spec"]
    (container,) = pod["containers"]
    assert container["image"] == NCCL_TESTS_IMAGE
    assert container["resources"]["limits"] == {
        "nvidia.com/gpu": 8,
        "rdma/rdma_shared_device_a": 1,
        "cpu": "32",
        "memory": "128Gi",
    }
    assert pod["nodeSelector"] == {"gpudc.io/pool": "b300", "gpudc.io/site": "share"}
    assert {"key": "gpudc.io/burn-in", "operator": "Exists", "effect": "NoSchedule"} in pod["tolerations"]
    (anti,) = pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert anti == {
        "labelSelector": {"matchLabels": {"gpudc.io/nccl": "share-b300-nccl"}},
        "topologyKey": "kubernetes.io/hostname",
    }
    assert template["metadata"]["labels"] == {"gpudc.io/nccl": "share-b300-nccl"}
    launcher = next(j for j in body["spec"]["replicatedJobs"] if j["name"] == "launcher")
    script = launcher["template"]["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    assert "mpirun --allow-run-as-root -np 16 -N 8" in script
    assert "all_reduce_perf -b 512M -e 8192M -f 2 -g 1 -c 1 -n 20" in script
    assert 'awk -v floor="300"' in script


def test_the_run_waits_for_the_operator_the_rails_and_the_dcgm_diagnostic(
    planned: Callable[[str], Plan],
) -> None:
    plan = planned("gpu-sharing")
    (run,) = _jobsets(plan).values()
    by_name = {r.name: r for r in plan.resources}
    prefix = "gpudc-share-share-gpu-operator"
    wanted = [
        f"{prefix}-release",
        f"{prefix}-driver-b300",
        f"{prefix}-jobset",
        f"{prefix}-nccl-keys-role",
        f"{prefix}-nccl-keys-binding",
        f"{prefix}-validate-b300",
    ]
    assert {by_name[name].urn for name in wanted} <= set(run.depends_on)
    nads = [
        r.urn
        for r in plan.resources
        if r.type == "kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition"
        and r.inputs["metadata"]["name"].startswith("b300-rail")
    ]
    assert len(nads) == 8
    assert set(nads) <= set(run.depends_on)


@pytest.mark.parametrize("stack", STACKS)
def test_every_jobset_matches_the_upstream_crd(stack: str, planned: Callable[[str], Plan]) -> None:
    for run in _jobsets(planned(stack)).values():
        assert check_custom_resource(run.inputs) == [], run.name


@pytest.mark.parametrize("version", ["1.32", kubernetes_validate.latest_version()])
def test_the_runs_core_objects_validate_strictly(version: str, planned: Callable[[str], Plan]) -> None:
    bodies = [
        m.body
        for m in manifests(planned("gpu-sharing"))
        if m.body["metadata"].get("name") in ("gpudc-nccl-keys", "jobset-system")
    ]
    assert sorted(b["kind"] for b in bodies) == ["Namespace", "Role", "RoleBinding", "ServiceAccount"]
    for body in bodies:
        kubernetes_validate.validate(body, version, strict=True)
    # The pod templates inside the JobSet, as the Jobs JobSet makes of them.
    (run,) = _jobsets(planned("gpu-sharing")).values()
    for replicated in run.inputs["spec"]["replicatedJobs"]:
        job = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": replicated["name"], "namespace": "gpu-operator"},
            "spec": copy.deepcopy(replicated["template"]["spec"]),
        }
        kubernetes_validate.validate(job, version, strict=True)


def test_stacks_without_nccl_install_no_jobset(planned: Callable[[str], Plan]) -> None:
    for stack in ("lab", "plano", "coreweave"):
        assert not _jobsets(planned(stack)), stack
        assert not [r for r in planned(stack).resources if r.inputs.get("chart") == JOBSET_CHART], stack


# --- the scripts --------------------------------------------------------------------------------

FOOTER = "#  Out of bounds values : {errors} {word}\n#  Avg bus bandwidth    : {bandwidth} \n#\n"
HEADER = (
    "#       size         count      type   redop    root     time   algbw   busbw #wrong\n"
    "   536870912     134217728     float     sum      -1   2400.0  223.7  419.4      0\n"
)


def _check(tmp_path: Path, output: str, floor: float = 300) -> subprocess.CompletedProcess[str]:
    log = tmp_path / "all_reduce_perf.log"
    log.write_text(output)
    return subprocess.run(
        ["bash", "-c", check_script(floor, str(log))], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("output", "code", "said"),
    [
        (
            HEADER + FOOTER.format(errors=0, word="OK", bandwidth="419.4"),
            0,
            "419.4 GB/s, floor 300 GB/s: passed",
        ),
        (
            HEADER + FOOTER.format(errors=0, word="OK", bandwidth="212.5"),
            1,
            "average bus bandwidth 212.5 GB/s is below the floor of 300 GB/s: failed",
        ),
        (
            HEADER + FOOTER.format(errors=3, word="FAILED", bandwidth="419.4"),
            1,
            "found 3 wrong values: failed",
        ),
        (HEADER, 1, "nccl-tests printed no result footer: failed"),
        ("", 1, "nccl-tests printed no result footer: failed"),
        (HEADER + FOOTER.format(errors=0, word="OK", bandwidth="300"), 0, "passed"),
    ],
    ids=["passes", "below-the-floor", "wrong-values", "no-footer", "no-output", "at-the-floor"],
)
def test_the_check_passes_or_fails_a_run(tmp_path: Path, output: str, code: int, said: str) -> None:
    result = _check(tmp_path, output)
    assert result.returncode == code, result.stdout + result.stderr
    assert said in result.stdout


def test_the_rendered_scripts_parse(planned: Callable[[str], Plan], tmp_path: Path) -> None:
    (run,) = _jobsets(planned("gpu-sharing")).values()
    for replicated in run.inputs["spec"]["replicatedJobs"]:
        pod = replicated["template"]["spec"]["template"]["spec"]
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            if container.get("command", [None])[0] != "/bin/bash":
                continue
            script = tmp_path / f"{container['name']}.sh"
            script.write_text(container["command"][-1])
            parsed = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
            assert parsed.returncode == 0, (container["name"], parsed.stderr)


def test_a_jobset_is_refused_for_a_pool_without_a_run() -> None:
    spec = GpuOperatorSpec.model_validate({"chart_version": "v26.7.0", "driver": {"mode": "operator"}})
    pool = OperatorPool("h100", GPU_MODELS["h100-sxm"], (GPU_TAINT,), path="sites[0].pools[0]")
    plan = plan_operator(spec, [pool], kubernetes_version="1.34")
    with pytest.raises(ValueError, match="pool h100 asks for no NCCL run"):
        nccl_jobset(
            plan, plan.pools[0], namespace="gpu-operator", kubectl_image="registry.k8s.io/kubectl:v1.34.0"
        )


# --- the outcome --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, "pending"),
        ({}, "pending"),
        ({"terminalState": "Completed"}, "passed"),
        ({"terminalState": "Failed"}, "failed"),
        ({"conditions": [{"type": "Completed", "status": "True"}]}, "passed"),
        ({"conditions": [{"type": "Failed", "status": "True"}]}, "failed"),
        ({"conditions": [{"type": "Completed", "status": "False"}]}, "pending"),
    ],
)
def test_nccl_outcome(status: dict[str, Any] | None, expected: str) -> None:
    assert nccl_outcome(status) == expected


def test_a_mig_pool_cannot_run_the_all_reduce() -> None:
    found = _issues(_pool(mig={"devices": {"1g.34gb": 7}}))
    assert (
        "GPUDC-VALIDATION-005",
        f"{AT}: pool b300 shares its GPUs (gpu.mig); the all-reduce needs every node's whole GPUs; remove {AT}, "
        "or sites[0].pools[2].gpu.mig",
    ) in found


# --- the outcome through the program, from the statuses the provider would return ---------------

JOB = "kubernetes:batch/v1:Job"
JOBSET = "kubernetes:jobset.x-k8s.io/v1alpha2:JobSet"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ({}, {"dcgm": "pending", "nccl": "pending"}),
        ({JOB: {"succeeded": 2}}, {"dcgm": "passed", "nccl": "pending"}),
        (
            {JOB: {"succeeded": 2}, JOBSET: {"terminalState": "Completed"}},
            {"dcgm": "passed", "nccl": "passed"},
        ),
        ({JOB: {"succeeded": 2}, JOBSET: {"terminalState": "Failed"}}, {"dcgm": "passed", "nccl": "failed"}),
        ({JOB: {"failed": 1}}, {"dcgm": "failed", "nccl": "pending"}),
    ],
    ids=["nothing-yet", "dcgm-passed", "both-passed", "nccl-failed", "dcgm-failed"],
)
def test_the_validation_output_reads_each_objects_status(
    monkeypatch: pytest.MonkeyPatch, statuses: dict[str, dict[str, Any]], expected: dict[str, str]
) -> None:
    import pulumi
    from google.protobuf import struct_pb2
    from pulumi.runtime.proto import resource_pb2

    from gpudc import GpuOperator
    from gpudc.preview import recorder
    from gpudc.preview.run import plan_callable

    register = recorder.RecordingMonitor.RegisterResource

    def with_status(monitor: Any, request: Any) -> Any:
        # The recorder answers with the inputs; a live object also has the status its controller wrote.
        response = register(monitor, request)
        status = statuses.get(request.type)
        if status is None:
            return response
        live = struct_pb2.Struct()
        live.CopyFrom(response.object)
        live.update({"status": status})
        return resource_pb2.RegisterResourceResponse(urn=response.urn, id=response.id, object=live)

    monkeypatch.setattr(recorder.RecordingMonitor, "RegisterResource", with_status)
    spec = GpuOperatorSpec.model_validate({"chart_version": "v26.7.0", "driver": {"mode": "operator"}})
    plan = plan_operator(spec, [_pool()], kubernetes_version="1.34", site="share")

    def program() -> None:
        operator = GpuOperator("op", spec, plan=plan)
        pulumi.export("validation", operator.validation)

    assert plan_callable(program).outputs["validation"] == {"b300": expected}
