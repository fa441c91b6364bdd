# ruff: noqa: UP031 - the sample nccl-tests output is printed with its own C printf format strings
"""The NCCL all-reduce of the post-deploy validation (issue 14 point 7): its checks, the JobSet
release and the JobSet per pool, the scripts that pass or fail a run, and the outcome output."""

from __future__ import annotations

import base64
import copy
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic import ValidationError

from gpudc import GPU_MODELS, GpuOperatorSpec, SpecError
from gpudc.catalog.jobset import JOBSET as JOBSET_PIN
from gpudc.catalog.jobset import NCCL_TESTS_IMAGE
from gpudc.gpu_operator.nccl import (
    NCCL_JOBSET_MAX_NAME,
    RDMA_SHARED_DEVICE,
    check_script,
    nccl_jobset,
    nccl_outcome,
)
from gpudc.gpu_operator.spec import NcclValidationSpec, PoolGpuSpec
from gpudc.gpu_operator.versions import (
    OperatorPool,
    nccl_message_limit_mib,
    nccl_minutes_at_floor,
    plan_operator,
)
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
                    "exists; the all-reduce runs over the pool's rails; declare sites[0].network, the address "
                    "plan each compute NIC's rail is carved from (e.g. network: {supernets: [10.96.0.0/15]}), "
                    f"or remove {AT}",
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
                    "compute NICs (RDMA rails) such as hgx-b300-8gpu",
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
                    f"whole GPUs; remove {AT}, or remove sites[0].pools[2].gpu.time_slicing so the pool's GPUs "
                    "are whole",
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
                    "version, and the cluster does not state it; set kubernetes_version to the version the "
                    'cluster runs (e.g. "1.34")',
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
    assert (body["metadata"]["name"], body["metadata"]["namespace"]) == ("nccl-share-b300", "gpu-operator")
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
    # Same name: the old JobSet goes before the new one is made, or the delete would take the new one.
    assert run.options["deleteBeforeReplace"] is True
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
        "labelSelector": {"matchLabels": {"gpudc.io/nccl": "nccl-share-b300"}},
        "topologyKey": "kubernetes.io/hostname",
    }
    assert template["metadata"]["labels"] == {"gpudc.io/nccl": "nccl-share-b300"}
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
        assert not [r for r in planned(stack).resources if r.inputs.get("chart") == JOBSET_PIN.chart], stack


# --- the scripts --------------------------------------------------------------------------------

GIB = 1 << 30


def _all_reduce_perf(
    busbw: list[float], *, wrong: int = 0, reduced_to: int | None = None, footer: bool = True
) -> str:
    """What rank 0 of `all_reduce_perf -b 512M -e 8192M -f 2 -g 1 -c 1 -n 20` prints on 16 ranks,
    written with the image's nccl-tests format strings (NVIDIA/nccl-tests 9a5c154 src/common.cu:
    the preamble, the header, a row per size out-of-place then in-place, and the footer, whose
    average is over every printed busbw). `busbw` is one figure per size; `wrong` values land on
    the first size; `reduced_to` is the message limit nccl-tests prints when the GPU memory cuts
    `-e` down."""
    lines = [
        "# Collective test starting: all_reduce_perf",
        "# nThread %d nGpus %d minBytes %ld maxBytes %ld step: %ld(%s) warmup iters: %d iters: %d agg iters: %d "
        "validation: %d graph: %d" % (1, 1, GIB // 2, 8 * GIB, 2, "factor", 1, 20, 1, 1, 0),
        "#",
        "# Using devices",
    ]
    for rank in range(16):
        host = f"nccl-share-b300-worker-0-{rank // 8}"
        lines.append(
            "#  Rank %2d Group %2d Pid %6d on %10s device %2d [%04x:%02x:%02x] %s"
            % (rank, 0, 40 + rank, host, rank % 8, 0, 0x1B + rank % 8, 0, "NVIDIA B300 SXM6 AC")
        )
    if reduced_to is not None:
        lines += ["#", "# Reducing maxBytes to %ld due to memory limitation" % reduced_to]
    lines += [
        "#",
        "# %10s  %12s  %8s  %6s  %6s           out-of-place                       in-place          "
        % ("", "", "", "", ""),
        "# %10s  %12s  %8s  %6s  %6s  %7s  %6s  %6s %6s  %7s  %6s  %6s %6s"
        % (
            "size",
            "count",
            "type",
            "redop",
            "root",
            "time",
            "algbw",
            "busbw",
            "#wrong",
            "time",
            "algbw",
            "busbw",
            "#wrong",
        ),
        "# %10s  %12s  %8s  %6s  %6s  %7s  %6s  %6s  %5s  %7s  %6s  %6s  %5s"
        % ("(B)", "(elements)", "", "", "", "(us)", "(GB/s)", "(GB/s)", "", "(us)", "(GB/s)", "(GB/s)", ""),
    ]
    size, printed, errors = GIB // 2, [], 0
    for index, bandwidth in enumerate(busbw):
        algbw = bandwidth / (2 * 15 / 16)  # all-reduce on 16 ranks: busbw = algbw * 2(n-1)/n
        seconds = size / (algbw * 1e9)
        row = "%12li  %12li  %8s  %6s  %6s" % (size, size // 4, "float", "sum", "%6i" % -1)
        for _ in ("out-of-place", "in-place"):
            wrong_here = wrong if index == 0 else 0
            row += "  %7s  %6.2f  %6.2f  %5g" % ("%7.0f" % (seconds * 1e6), algbw, bandwidth, wrong_here)
            printed.append(bandwidth)
            errors += wrong_here
        lines.append(row)
        size *= 2
    if footer:
        lines += [
            "# Out of bounds values : %d %s" % (errors, "FAILED" if errors else "OK"),
            "# Avg bus bandwidth    : %g %s" % (sum(printed) / len(printed), ""),
            "#",
            "# Collective test concluded: all_reduce_perf",
        ]
    return "\n".join(lines) + "\n"


def _check(tmp_path: Path, output: str, floor: float = 300) -> subprocess.CompletedProcess[str]:
    log = tmp_path / "all_reduce_perf.log"
    log.write_text(output)
    return subprocess.run(
        ["bash", "-c", check_script(floor, str(log))], capture_output=True, text=True, check=False
    )


def test_the_sample_output_has_the_upstream_footer() -> None:
    # `%-20s` of nccl-tests v2.19.6 src/util.cu and the literal spacing of 9a5c154 agree.
    footer = _all_reduce_perf([350.0, 400.0]).splitlines()[-4:]
    assert footer == [
        "# Out of bounds values : 0 OK",
        "# Avg bus bandwidth    : 375 ",
        "#",
        "# Collective test concluded: all_reduce_perf",
    ]
    assert footer[1] == "# %-20s : %g %s" % ("Avg bus bandwidth", 375.0, "")


FIVE_SIZES = [318.52, 371.4, 402.77, 418.06, 425.9]  # 512 MiB .. 8 GiB, as on a healthy 2-node B300


@pytest.mark.parametrize(
    ("output", "code", "said"),
    [
        (_all_reduce_perf(FIVE_SIZES), 0, "average bus bandwidth 387.33 GB/s, floor 300 GB/s: passed"),
        (
            _all_reduce_perf([180.1, 201.5, 214.2, 220.0, 221.3]),
            1,
            "average bus bandwidth 207.42 GB/s is below the floor of 300 GB/s: failed",
        ),
        (_all_reduce_perf(FIVE_SIZES, wrong=3), 1, "nccl-tests found 6 wrong values: failed"),
        # A rank died mid-sweep (NCCL error, mpirun abort): the table stops, no footer.
        (_all_reduce_perf(FIVE_SIZES[:2], footer=False), 1, "nccl-tests printed no result footer: failed"),
        ("", 1, "nccl-tests printed no result footer: failed"),
        (_all_reduce_perf([300.0]), 0, "average bus bandwidth 300 GB/s, floor 300 GB/s: passed"),
        (
            _all_reduce_perf([299.99]),
            1,
            "average bus bandwidth 299.99 GB/s is below the floor of 300 GB/s: failed",
        ),
        # GPU memory cut the sweep short: judged on what ran (the spec check refuses such sweeps).
        (
            _all_reduce_perf(FIVE_SIZES[:3], reduced_to=3 * GIB),
            0,
            "average bus bandwidth 364.23 GB/s, floor 300 GB/s: passed",
        ),
    ],
    ids=[
        "passes",
        "below-the-floor",
        "wrong-values",
        "no-footer",
        "no-output",
        "at-the-floor",
        "just-below",
        "memory-cut",
    ],
)
def test_the_check_passes_or_fails_a_run(tmp_path: Path, output: str, code: int, said: str) -> None:
    result = _check(tmp_path, output)
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stdout == f"gpudc: {said}\n"


def _launcher_script(plan: Plan) -> str:
    (run,) = _jobsets(plan).values()
    launcher = next(j for j in run.inputs["spec"]["replicatedJobs"] if j["name"] == "launcher")
    command: list[str] = launcher["template"]["spec"]["template"]["spec"]["containers"][0]["command"]
    return command[-1]


def _run_launcher(
    tmp_path: Path, script: str, output: str, mpirun_exit: int
) -> tuple[subprocess.CompletedProcess[str], list[str], list[str]]:
    """Run the launcher as rendered, with `mpirun` and `ssh` replaced by stubs that record their
    arguments (mpirun prints `output` and exits with `mpirun_exit`), and the pod's paths moved
    under `tmp_path`."""
    keys, home, bin_dir = tmp_path / "keys", tmp_path / "home", tmp_path / "bin"
    for folder in (keys, home, bin_dir):
        folder.mkdir()
    (keys / "id_ed25519").write_text("a private key\n")
    (tmp_path / "output").write_text(output)
    (bin_dir / "mpirun").write_text(
        f'#!/bin/bash\nprintf "%s\\n" "$*" > {tmp_path}/mpirun.args\ncat {tmp_path}/output\nexit {mpirun_exit}\n'
    )
    (bin_dir / "ssh").write_text(f'#!/bin/bash\nprintf "%s\\n" "$*" >> {tmp_path}/ssh.log\n')
    for stub in ("mpirun", "ssh"):
        (bin_dir / stub).chmod(0o755)
    for pod_path, here in (
        ("/tmp/", f"{tmp_path}/"),  # first: tmp_path is under /tmp itself
        ("/etc/gpudc-nccl", keys),
        ("/root/.ssh", home / ".ssh"),
    ):
        script = script.replace(pod_path, str(here))
    assert "/root" not in script and "/etc/gpudc-nccl" not in script
    result = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
    )
    ssh_log = tmp_path / "ssh.log"
    ssh = ssh_log.read_text().splitlines() if ssh_log.exists() else []
    return result, (tmp_path / "mpirun.args").read_text().split(), ssh


@pytest.mark.parametrize(
    ("output", "mpirun_exit", "code"),
    [
        (_all_reduce_perf(FIVE_SIZES), 0, 0),
        (_all_reduce_perf([180.0, 200.0]), 0, 1),  # below the floor
        (_all_reduce_perf(FIVE_SIZES, wrong=1), 1, 1),  # nccl-tests exits non-zero on wrong values
        (_all_reduce_perf(FIVE_SIZES), 1, 1),  # a rank failed at teardown: the footer alone is not enough
        (_all_reduce_perf(FIVE_SIZES[:1], footer=False), 137, 1),  # killed mid-run
    ],
    ids=["passes", "below-the-floor", "wrong-values", "mpirun-failed", "killed"],
)
def test_the_launcher_fails_the_pod_and_always_releases_the_workers(
    planned: Callable[[str], Plan], tmp_path: Path, output: str, mpirun_exit: int, code: int
) -> None:
    result, mpirun, ssh = _run_launcher(
        tmp_path, _launcher_script(planned("gpu-sharing")), output, mpirun_exit
    )
    assert result.returncode == code, result.stdout + result.stderr
    hosts = [f"nccl-share-b300-worker-0-{index}.nccl-share-b300" for index in range(2)]
    assert (tmp_path / "hostfile").read_text() == "".join(f"{host} slots=8\n" for host in hosts)
    assert mpirun[mpirun.index("-np") + 1 : mpirun.index("-np") + 4] == ["16", "-N", "8"]
    assert mpirun[mpirun.index("--hostfile") + 1] == str(tmp_path / "hostfile")
    binary = mpirun.index("/opt/nccl_tests/build/all_reduce_perf")
    assert mpirun[binary + 1 :] == ["-b", "512M", "-e", "8192M", "-f", "2", "-g", "1", "-c", "1", "-n", "20"]
    exported = {mpirun[i + 1] for i, arg in enumerate(mpirun[:binary]) if arg == "-x"}
    assert {
        "NCCL_SOCKET_IFNAME==eth0",
        "NCCL_IB_HCA=mlx5",
        "NCCL_NET_PLUGIN=none",
        "UCX_NET_DEVICES=eth0",
        "UCX_TLS=tcp",
        "LD_LIBRARY_PATH",
        "NCCL_DEBUG=WARN",
    } == exported
    mca = {mpirun[i + 1]: mpirun[i + 2] for i, arg in enumerate(mpirun[:binary]) if arg == "-mca"}
    assert mca == {"oob_tcp_if_include": "eth0", "coll_hcoll_enable": "0"}
    # Whatever the outcome, each worker is told the run is over (it then exits 0).
    assert ssh == [f"-n -o ConnectTimeout=10 {host} touch {tmp_path}/gpudc-nccl-done" for host in hosts]
    assert (tmp_path / "home" / ".ssh" / "id_ed25519").stat().st_mode & 0o777 == 0o600


def test_the_keys_step_writes_a_secret_the_api_accepts(
    planned: Callable[[str], Plan], tmp_path: Path
) -> None:
    (run,) = _jobsets(planned("gpu-sharing")).values()
    keys = next(j for j in run.inputs["spec"]["replicatedJobs"] if j["name"] == "keys")
    pod = keys["template"]["spec"]["template"]["spec"]
    (make,) = pod["initContainers"]
    script = make["command"][-1].replace("/keys", str(tmp_path))
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    secret = yaml.safe_load((tmp_path / "secret.yaml").read_text())
    kubernetes_validate.validate(secret, kubernetes_validate.latest_version(), strict=True)
    assert secret["metadata"]["name"] == "share-b300-nccl-ssh"
    assert secret["metadata"]["namespace"] == "gpu-operator"
    assert base64.b64decode(secret["data"]["id_ed25519.pub"]) == (tmp_path / "id_ed25519.pub").read_bytes()
    assert base64.b64decode(secret["data"]["id_ed25519"]).startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")
    # What the next container applies is that file.
    assert pod["containers"][0]["args"] == ["apply", "-f", "/keys/secret.yaml"]


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
        "or remove sites[0].pools[2].gpu.mig so the pool's GPUs are whole",
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


# --- review hardening: names, placement, deadlines, memory, strict types -------------------------

DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def _longest_pod_names(body: dict[str, Any]) -> list[str]:
    """The webhook's check (kubernetes-sigs/jobset v0.12.0 pkg/webhooks/jobset_webhook.go): per
    replicated job, `<jobset>-<job>-<last job index>-<last pod index>` plus a 5-character suffix."""
    name = body["metadata"]["name"]
    return [
        f"{name}-{job['name']}-{job['replicas'] - 1}-{job['template']['spec']['completions'] - 1}-abcde"
        for job in body["spec"]["replicatedJobs"]
    ]


@pytest.mark.parametrize(
    ("site", "pool", "nodes", "expected"),
    [
        ("share", "b300", 2, "nccl-share-b300"),
        # A leading digit is a DNS-1123 label but not a DNS-1035 one, which JobSet's names must be.
        ("9dc", "8xb300", 2, "nccl-9dc-8xb300"),
        ("", "8xb300", 2, "nccl-8xb300"),
        # Cut with a hash so the longest worker pod name fits in 63 characters.
        (
            "share",
            "b300-training-pool-for-the-large-language-model-team",
            99_999,
            "nccl-share-b300-training-pool-for-t-59624e",
        ),
    ],
)
def test_the_jobset_name_makes_valid_pod_names(site: str, pool: str, nodes: int, expected: str) -> None:
    spec = GpuOperatorSpec.model_validate({"chart_version": "v26.7.0", "driver": {"mode": "operator"}})
    operator_pool = OperatorPool(
        pool,
        GPU_MODELS["b300"],
        (GPU_TAINT,),
        PoolGpuSpec.model_validate({"validation": {"nccl": NCCL}}),
        nodes,
        path="sites[0].pools[0]",
        rail_networks=RAILS,
        site_network=True,
    )
    plan = plan_operator(spec, [operator_pool], kubernetes_version="1.34", site=site)
    body = nccl_jobset(
        plan, plan.pools[0], namespace="gpu-operator", kubectl_image="registry.k8s.io/kubectl:v1.34.0"
    )
    assert body["metadata"]["name"] == expected
    assert body["spec"]["network"]["subdomain"] == expected
    assert len(expected) <= NCCL_JOBSET_MAX_NAME == 42
    for name in _longest_pod_names(body):
        assert DNS_1035.match(name) and len(name) <= 63, name


def test_every_step_runs_on_the_pool_within_its_deadline(planned: Callable[[str], Plan]) -> None:
    (run,) = _jobsets(planned("gpu-sharing")).values()
    body = run.inputs
    selector = {"gpudc.io/pool": "b300", "gpudc.io/site": "share"}
    for job in body["spec"]["replicatedJobs"]:
        spec = job["template"]["spec"]
        # 60 minutes each: the key (image pull included), then workers and launcher.
        assert spec["activeDeadlineSeconds"] == 3600, job["name"]
        pod = spec["template"]["spec"]
        # The key and the launcher too: the large nccl-tests image is pulled on the pool's nodes only.
        assert pod["nodeSelector"] == selector, job["name"]
        assert {"key": "gpudc.io/burn-in", "operator": "Exists", "effect": "NoSchedule"} in pod["tolerations"]
    # `pulumi up` outlasts both steps' deadlines, so it reads the JobSet's own terminal state.
    assert body["metadata"]["annotations"]["pulumi.com/timeoutSeconds"] == str(2 * 3600 + 600)


def test_the_rdma_resource_is_the_network_operators() -> None:
    from gpudc.network.manifests import RDMA_RESOURCE

    assert (RDMA_SHARED_DEVICE, RDMA_RESOURCE) == ("rdma/rdma_shared_device_a", "rdma_shared_device_a")


@pytest.mark.parametrize(("memory_gib", "limit"), [(48, 15_018), (80, 25_600), (141, 46_421), (269, 90_112)])
def test_the_message_limit_follows_nccl_tests(memory_gib: int, limit: int) -> None:
    # (memory - min(ceil(memory / 16 GiB), 4 GiB) - 1 GiB) / 3, in MiB.
    assert nccl_message_limit_mib(memory_gib) == limit


def _h100_pool(**nccl: Any) -> OperatorPool:
    return OperatorPool(
        "h100",
        GPU_MODELS["h100-sxm"],
        (GPU_TAINT,),
        PoolGpuSpec.model_validate({"validation": {"nccl": {**NCCL, **nccl}}}),
        2,
        path="sites[0].pools[0]",
        rail_networks=RAILS,
        site_network=True,
    )


H100_AT = "sites[0].pools[0].gpu.validation.nccl"


@pytest.mark.parametrize(
    ("nccl", "expected"),
    [
        (
            {"max_message_mib": 32_768},
            f"{H100_AT}.max_message_mib: pool h100's GPU (NVIDIA H100 SXM5 80GB, 80 GB) holds messages of at most "
            "25600 MiB in nccl-tests' checked all-reduce (send, receive and expected buffers, less its reserve); "
            f"it would cut the sweep short, got 32768; set {H100_AT}.max_message_mib to 16384 or less",
        ),
        (
            {"min_message_mib": 30_000, "max_message_mib": 30_000},
            f"{H100_AT}.max_message_mib: pool h100's GPU (NVIDIA H100 SXM5 80GB, 80 GB) holds messages of at most "
            "25600 MiB in nccl-tests' checked all-reduce (send, receive and expected buffers, less its reserve); "
            f"it would cut the sweep short, got 30000; set {H100_AT}.min_message_mib and "
            f"{H100_AT}.max_message_mib to 16384 or less",
        ),
    ],
    ids=["max-too-large", "both-too-large"],
)
def test_a_sweep_the_gpu_cannot_hold_is_refused(nccl: dict[str, Any], expected: str) -> None:
    assert _issues(_h100_pool(**nccl)) == [("GPUDC-VALIDATION-006", expected)]


def test_a_sweep_at_the_limit_plans() -> None:
    spec = GpuOperatorSpec.model_validate({"chart_version": "v26.7.0", "driver": {"mode": "operator"}})
    (pool,) = plan_operator(spec, [_h100_pool(max_message_mib=25_600)], kubernetes_version="1.34").pools
    assert pool.nccl is not None and pool.nccl.max_message_mib == 25_600


@pytest.mark.parametrize("floor", ["300", True, "300GB/s"])
def test_the_floor_is_a_number_not_text(floor: Any) -> None:
    with pytest.raises(ValidationError, match="min_bus_bandwidth_gbps"):
        NcclValidationSpec.model_validate({"min_bus_bandwidth_gbps": floor})
    assert NcclValidationSpec.model_validate({"min_bus_bandwidth_gbps": 300}).min_bus_bandwidth_gbps == 300.0


def _variant(project: Any, root: Path, name: str, change: Callable[[dict[str, Any]], None]) -> str:
    config = yaml.safe_load((project.root / "stacks" / "Pulumi.gpu-sharing.yaml").read_text())
    change(config["config"]["gpudc:environment"]["sites"][0])
    (root / "stacks" / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(config))
    return name


def _b300_nccl(site: dict[str, Any]) -> dict[str, Any]:
    pool = next(p for p in site["pools"] if p["name"] == "b300")
    nccl: dict[str, Any] = pool["gpu"]["validation"]["nccl"]
    return nccl


def test_each_fix_the_findings_give_validates(scratch: Path, project: Any, gpudc_cli: Any) -> None:
    """A user applies the fix a finding names, as its text gives it, and the stack validates."""

    def no_network(site: dict[str, Any]) -> None:
        del site["network"]

    def h100_sweep(site: dict[str, Any]) -> None:
        pool = next(p for p in site["pools"] if p["name"] == "b300")
        pool["node_model"] = "hgx-h100-8gpu"
        pool["gpu"]["validation"]["nccl"]["max_message_mib"] = 32_768

    bad = gpudc_cli("validate", _variant(project, scratch, "bad-net", no_network), "-C", str(scratch))
    assert bad.returncode == 2, bad.stderr
    (fix,) = re.findall(r"error GPUDC-VALIDATION-003 .*\(e\.g\. network: (\{.*\})\)", bad.stderr)
    network = yaml.safe_load(fix)
    assert network == {"supernets": ["10.96.0.0/15"]}

    def with_the_network(site: dict[str, Any]) -> None:
        site["network"] = network

    good = gpudc_cli("validate", _variant(project, scratch, "good-net", with_the_network), "-C", str(scratch))
    assert good.returncode == 0, good.stderr

    bad = gpudc_cli("validate", _variant(project, scratch, "bad-sweep", h100_sweep), "-C", str(scratch))
    assert bad.returncode == 2, bad.stderr
    (largest,) = re.findall(
        r"error GPUDC-VALIDATION-006 .*; set \S+\.max_message_mib to (\d+) or less", bad.stderr
    )

    def with_the_sweep(site: dict[str, Any]) -> None:
        h100_sweep(site)
        _b300_nccl(site)["max_message_mib"] = int(largest)

    good = gpudc_cli("validate", _variant(project, scratch, "good-sweep", with_the_sweep), "-C", str(scratch))
    assert good.returncode == 0, good.stderr
    plan = gpudc_cli("plan", "bad-sweep", "-C", str(scratch), "--out", str(scratch / "out"))
    assert plan.returncode == 2 and bad.stderr.splitlines()[0] in plan.stderr.splitlines()


@pytest.mark.parametrize(
    ("floor", "message"),
    [
        (True, "min_bus_bandwidth_gbps: must be a number, got true"),
        ("300", "min_bus_bandwidth_gbps: must be a number, got '300'"),
        (10**400, "min_bus_bandwidth_gbps: is too large a number"),
    ],
    ids=["yaml-true", "text", "huge-int"],
)
def test_the_floors_finding_says_what_is_wrong(floor: Any, message: str) -> None:
    from gpudc.core.errors import issues_from_validation_error

    with pytest.raises(ValidationError) as caught:
        NcclValidationSpec.model_validate({"min_bus_bandwidth_gbps": floor})
    (issue,) = issues_from_validation_error(caught.value)
    assert str(issue).startswith(message)


def test_open_mpi_reaches_the_workers_by_their_dns_names(planned: Callable[[str], Plan]) -> None:
    (run,) = _jobsets(planned("gpu-sharing")).values()
    jobs = {
        job["name"]: job["template"]["spec"]["template"]["spec"]
        for job in run.inputs["spec"]["replicatedJobs"]
    }
    (launcher,) = jobs["launcher"]["containers"]
    # Open MPI 4 would cut `<pod>.<subdomain>` to `<pod>`, which no DNS record answers.
    assert {e["name"]: e["value"] for e in launcher["env"]} == {
        "OMPI_MCA_orte_keep_fqdn_hostnames": "true",
        "OMPI_MCA_plm_rsh_args": "-o ConnectionAttempts=10",
        "OMPI_ALLOW_RUN_AS_ROOT": "1",
        "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    }
    # Tree spawn: a worker's daemon starts others over SSH, so workers hold the private key too.
    (worker,) = jobs["worker"]["containers"]
    assert "install -m 600 /etc/gpudc-nccl/id_ed25519 /root/.ssh/id_ed25519\n" in worker["command"][-1]
    assert (
        "install -m 600 /etc/gpudc-nccl/id_ed25519.pub /root/.ssh/authorized_keys\n" in worker["command"][-1]
    )


def test_the_sweep_time_at_the_floor() -> None:
    # 16 ranks, 512 MiB .. 8 GiB (15.5 GiB in all), 20 timed iterations and the checked one, out-of-place
    # and in-place, plus an 8 GiB warm-up: (2 * 21 * 15872 + 2 * 8192) MiB * 2 * 15/16 at 300 GB/s.
    expected = (2 * 21 * 15_872 + 2 * 8_192) * (1 << 20) * 1.875 / 300e9 / 60
    spec = NcclValidationSpec.model_validate(NCCL)
    assert nccl_minutes_at_floor(spec, ranks=16) == pytest.approx(expected, rel=1e-12)
    assert round(expected, 3) == 0.075


@pytest.mark.parametrize(
    ("nccl", "fix"),
    [
        (
            {"min_bus_bandwidth_gbps": 10, "iterations": 200, "timeout_minutes": 15},  # about 21 minutes
            f"set {AT}.timeout_minutes to 42 or more, or lower {AT}.iterations or {AT}.max_message_mib",
        ),
        (
            {"min_bus_bandwidth_gbps": 1, "max_message_mib": 65_536, "iterations": 1000},
            f"lower {AT}.iterations or {AT}.max_message_mib (timeout_minutes is 720 at most)",
        ),
    ],
    ids=["longer-timeout", "smaller-sweep"],
)
def test_a_sweep_that_outlasts_its_timeout_at_the_floor_is_a_warning(nccl: dict[str, Any], fix: str) -> None:
    spec = GpuOperatorSpec.model_validate({"chart_version": "v26.7.0", "driver": {"mode": "operator"}})

    def b300_pool(run: dict[str, Any]) -> OperatorPool:
        gpu = PoolGpuSpec.model_validate({"validation": {"nccl": run}})
        return OperatorPool(
            "b300",
            GPU_MODELS["b300"],
            (GPU_TAINT,),
            gpu,
            2,
            path="sites[0].pools[2]",
            rail_networks=RAILS,
            site_network=True,
        )

    plan = plan_operator(spec, [b300_pool(nccl)], kubernetes_version="1.34")
    (warning,) = plan.findings
    assert (warning.code, warning.path) == ("GPUDC-VALIDATION-007", f"{AT}.timeout_minutes")
    assert str(warning).endswith(fix)
    minutes = nccl_minutes_at_floor(NcclValidationSpec.model_validate(nccl), ranks=16)
    assert f"takes about {minutes:.0f} minutes" in str(warning)
    # The fix, applied, leaves no warning.
    if "timeout_minutes to" in fix:
        fixed = {**nccl, "timeout_minutes": 42}
        assert plan_operator(spec, [b300_pool(fixed)], kubernetes_version="1.34").findings == ()


def test_an_own_node_model_without_compute_nics_is_refused_and_the_named_model_fixes_it(
    scratch: Path, project: Any, gpudc_cli: Any
) -> None:
    from gpudc.catalog import NODE_MODELS
    from gpudc.catalog.models import Fabric

    b300 = NODE_MODELS["hgx-b300-8gpu"].model_dump(mode="json")
    no_rails = {
        **b300,
        "name": "acme-b300-norails",
        "nics": [nic for nic in b300["nics"] if nic["fabric"] != Fabric.COMPUTE.value],
    }

    def own_model(site: dict[str, Any]) -> None:
        next(p for p in site["pools"] if p["name"] == "b300")["node_model"] = "acme-b300-norails"

    config = yaml.safe_load((project.root / "stacks" / "Pulumi.gpu-sharing.yaml").read_text())
    environment = config["config"]["gpudc:environment"]
    environment["node_models"] = {"acme-b300-norails": no_rails}
    own_model(environment["sites"][0])
    (scratch / "stacks" / "Pulumi.norails.yaml").write_text(yaml.safe_dump(config))
    bad = gpudc_cli("validate", "norails", "-C", str(scratch))
    assert bad.returncode == 2, bad.stderr
    (line,) = [line for line in bad.stderr.splitlines() if line.startswith("error ")]
    assert line.startswith(
        f"error GPUDC-VALIDATION-003 {AT}: the node model of pool b300 has no compute NICs"
    )
    (suggested,) = re.findall(r"such as (\S+)$", line)
    assert suggested == "hgx-b300-8gpu"
    next(p for p in environment["sites"][0]["pools"] if p["name"] == "b300")["node_model"] = suggested
    (scratch / "stacks" / "Pulumi.norails.yaml").write_text(yaml.safe_dump(config))
    good = gpudc_cli("validate", "norails", "-C", str(scratch))
    assert good.returncode == 0, good.stderr
