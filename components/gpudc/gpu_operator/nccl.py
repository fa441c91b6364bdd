"""The NCCL all-reduce of a pool's post-deploy validation, as a plain JobSet object: pure, so
tests check it against the upstream CRD schema (tests/crds) and run its scripts, and
`GpuOperator` registers it.

One JobSet per pool (`jobset.x-k8s.io/v1alpha2`, kubernetes-sigs/jobset v0.12.0), three replicated
jobs run in order (`dependsOn`, one item each, the first without):
- `keys`: one pod makes a fresh SSH key pair and applies it as a Secret (the nccl-tests image
  makes the key, Kubernetes' kubectl image applies it), so no key ever passes through the stack;
- `worker`: one pod per node of the pool (anti-affinity on the hostname), holding all of the
  node's GPUs and the RDMA shared device, attached to the pool's rail NetworkAttachmentDefinitions,
  tolerating the pool's registration taints (the burn-in gate's included); each serves SSH with
  the key until the launcher is done. It starts once `keys` is Complete;
- `launcher`: once every worker is Ready (sshd listening), `mpirun` runs nccl-tests'
  `all_reduce_perf` with one rank per GPU over the workers' DNS names (JobSet's
  `<jobset>-<job>-<index>-<pod>.<subdomain>`), then a check (`nccl-check.sh.j2`) fails the run when
  NCCL reported a wrong value or the average bus bandwidth is below the pool's floor.

Every pod runs on the pool's nodes, which pull the large nccl-tests image once for the run. Each
job fails when still active after the run's timeout (`activeDeadlineSeconds`), so a hung fabric,
an unschedulable worker or an image that never pulls ends in a failed JobSet, not a hung one.

The JobSet succeeds when the launcher does (`successPolicy`) and fails on the first failure
(`failurePolicy.maxRestarts: 0`); its `status.terminalState` (Completed or Failed) is the outcome.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gpudc.catalog.jobset import JOBSET_API_VERSION, NCCL_TESTS_IMAGE
from gpudc.core.labels import POOL_LABEL, SITE_LABEL, gpudc_labels
from gpudc.core.naming import MAX_NAME_LENGTH, k8s_name
from gpudc.core.text import render_template
from gpudc.gpu_operator.versions import NcclRun, OperatorPlan, PoolGpuPlan

__all__ = [
    "NCCL_JOBSET_MAX_NAME",
    "NCCL_KEYS_ACCOUNT",
    "NETWORKS_ANNOTATION",
    "RDMA_SHARED_DEVICE",
    "check_script",
    "nccl_jobset",
    "nccl_jobset_name",
    "nccl_outcome",
    "one_pod_per_node",
    "pool_tolerations",
    "ssh_secret_name",
]

NCCL_KEYS_ACCOUNT = "gpudc-nccl-keys"
"""The only account of the run with an API token: it may write the run's SSH key Secrets."""
NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks"
"""Multus attaches the networks a pod lists here, `<namespace>/<name>` comma-separated
(k8snetworkplumbingwg/multus-cni docs/how-to-use.md, "NetworkAttachmentDefinition in different
namespace"). The rails live in `default` and the run in the operator's namespace, which Multus
allows unless it runs with `--namespace-isolation=true` (off by default; `default` would then have
to be among its `--global-namespaces`)."""
RDMA_SHARED_DEVICE = "rdma/rdma_shared_device_a"
"""The Network Operator's RDMA shared device plugin resource (`gpudc.network.manifests.RDMA_RESOURCE`)."""
# Where things live inside the pods.
_KEYS_DIR = "/keys"
_KEY_MOUNT = "/etc/gpudc-nccl"
_LOG = "/tmp/all_reduce_perf.log"
_DONE = "/tmp/gpudc-nccl-done"
_SSH_PORT = 22
# gpudc's margin, past both phases' deadlines, for the Job and JobSet controllers to write the
# terminal state before `pulumi up` stops waiting.
_STATUS_SLACK_SECONDS = 600
# The container runtime's default seccomp profile: sshd, mpirun and RDMA verbs need nothing more.
_RUNTIME_DEFAULT = {"seccompProfile": {"type": "RuntimeDefault"}}
# The key-making containers need no privilege at all.
_NO_ESCALATION = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


# JobSet names each pod `<jobset>-<replicatedJob>-<jobIndex>-<podIndex>-<5 random characters>`
# and its webhook refuses a JobSet whose longest pod name would not be a DNS-1035 label (63
# characters at most, starting with a letter): kubernetes-sigs/jobset v0.12.0
# pkg/util/placement/placement.go (GenPodName) and pkg/webhooks/jobset_webhook.go
# ("JobSet name is too long, pod names generated for this JobSet will exceed 63 characters").
# The longest of this run's pod names is a worker's of a pool at its largest (nodes <= 100,000).
_LONGEST_POD_SUFFIX = len("-worker-0-99999-abcde")
NCCL_JOBSET_MAX_NAME = MAX_NAME_LENGTH - _LONGEST_POD_SUFFIX
"""42: the longest JobSet name whose pods' names stay DNS-1035 labels."""


def nccl_jobset_name(plan: OperatorPlan, pool: PoolGpuPlan) -> str:
    """`nccl-<site>-<pool>`: starts with a letter whatever the site and pool names (a DNS-1035
    label, as JobSet's generated Job, pod and Service names must be) and is cut (with a hash) so
    the longest pod name fits in 63 characters."""
    return k8s_name("nccl", plan.site, pool.name, max_length=NCCL_JOBSET_MAX_NAME)


def ssh_secret_name(plan: OperatorPlan, pool: PoolGpuPlan) -> str:
    return k8s_name(plan.site, pool.name, "nccl-ssh")


def check_script(floor_gbps: float, log: str = _LOG) -> str:
    """The bash that passes or fails a finished run from its nccl-tests output in `log`."""
    return render_template("gpudc.gpu_operator", "nccl-check.sh.j2", floor=f"{floor_gbps:g}", log=log)


def nccl_outcome(status: Any) -> str:
    """`passed` when the JobSet completed, `failed` when it failed, `pending` before either.

    `status` is the JobSet's status as the provider returns it (a mapping), or None."""
    if not isinstance(status, Mapping):
        return "pending"
    terminal = status.get("terminalState")
    conditions = {
        c.get("type"): c.get("status") for c in status.get("conditions") or () if isinstance(c, Mapping)
    }
    if terminal == "Failed" or conditions.get("Failed") == "True":
        return "failed"
    if terminal == "Completed" or conditions.get("Completed") == "True":
        return "passed"
    return "pending"


def nccl_jobset(
    plan: OperatorPlan, pool: PoolGpuPlan, *, namespace: str, kubectl_image: str
) -> dict[str, Any]:
    """The pool's JobSet (its whole body). `kubectl_image` is the cluster's kubectl image."""
    run = pool.nccl
    if run is None:
        raise ValueError(f"pool {pool.name} asks for no NCCL run")
    name = nccl_jobset_name(plan, pool)
    secret = ssh_secret_name(plan, pool)
    labels = gpudc_labels(site=plan.site or None, pool=pool.name)
    worker_label = {"gpudc.io/nccl": name}

    def job(pod: dict[str, Any], *, deadline: int, pods: int = 1, **metadata: Any) -> dict[str, Any]:
        template: dict[str, Any] = {"metadata": metadata, "spec": pod} if metadata else {"spec": pod}
        spec: dict[str, Any] = {
            "completionMode": "Indexed",
            "completions": pods,
            "parallelism": pods,
            "backoffLimit": 0,
            "template": template,
            # Counted from the Job's start, its pods' scheduling and image pulls included.
            "activeDeadlineSeconds": deadline,
        }
        return {"spec": spec}

    return {
        "apiVersion": JOBSET_API_VERSION,
        "kind": "JobSet",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels,
            "annotations": {
                # pulumi-kubernetes (v4.18+, pulumi/pulumi-kubernetes#3134) waits until the JobSet
                # has finished, either way, so `pulumi up` reports the outcome it read. Each of the
                # run's two phases (the key, then workers and launcher) fails by its own deadline;
                # the wait outlasts both, so the JobSet's own Failed state is what it reads.
                "pulumi.com/waitFor": "jsonpath={.status.terminalState}",
                "pulumi.com/timeoutSeconds": str(2 * run.timeout_seconds + _STATUS_SLACK_SECONDS),
            },
        },
        "spec": {
            "network": {"enableDNSHostnames": True, "subdomain": name, "publishNotReadyAddresses": True},
            "successPolicy": {"operator": "All", "targetReplicatedJobs": ["launcher"]},
            "failurePolicy": {"maxRestarts": 0},
            "replicatedJobs": [
                {
                    "name": "keys",
                    "replicas": 1,
                    "template": job(
                        _keys_pod(plan, pool, namespace, secret, kubectl_image), deadline=run.timeout_seconds
                    ),
                },
                {
                    "name": "worker",
                    "replicas": 1,
                    "dependsOn": [{"name": "keys", "status": "Complete"}],
                    "template": job(
                        _worker_pod(plan, pool, secret, worker_label),
                        pods=pool.nodes,
                        deadline=run.timeout_seconds,
                        labels=worker_label,
                        # Multus attaches the pool's rails (`namespace/name`, comma-separated).
                        annotations={NETWORKS_ANNOTATION: ",".join(run.networks)},
                    ),
                },
                {
                    "name": "launcher",
                    "replicas": 1,
                    "dependsOn": [{"name": "worker", "status": "Ready"}],
                    "template": job(
                        _launcher_pod(plan, pool, run, name, secret), deadline=run.timeout_seconds
                    ),
                },
            ],
        },
    }


def _bash(script: str) -> list[str]:
    return ["/bin/bash", "-c", script]


def _key_volume(secret: str) -> dict[str, Any]:
    # Owner-read only: ssh refuses a private key others can read.
    return {"name": "ssh-key", "secret": {"secretName": secret, "defaultMode": 0o400}}


def _keys_pod(
    plan: OperatorPlan, pool: PoolGpuPlan, namespace: str, secret: str, kubectl_image: str
) -> dict[str, Any]:
    metadata = {
        "name": secret,
        "namespace": namespace,
        "labels": gpudc_labels(site=plan.site or None, pool=pool.name),
    }
    make = render_template(
        "gpudc.gpu_operator",
        "nccl-keys.sh.j2",
        key_dir=_KEYS_DIR,
        metadata=json.dumps(metadata, sort_keys=True),
    )
    mount = [{"name": "keys", "mountPath": _KEYS_DIR}]
    small = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}
    return {
        "restartPolicy": "Never",
        "serviceAccountName": NCCL_KEYS_ACCOUNT,
        "securityContext": _RUNTIME_DEFAULT,
        # On one of the pool's nodes: the nccl-tests image is large (CUDA devel, HPC-X), and there
        # its pull serves that node's worker too, not a node that runs nothing else of the run.
        **_on_the_pool(plan, pool),
        "initContainers": [
            {
                "name": "make-key",
                "image": NCCL_TESTS_IMAGE,
                "command": _bash(make),
                "volumeMounts": mount,
                "resources": small,
                "securityContext": _NO_ESCALATION,
            }
        ],
        "containers": [
            {
                "name": "apply-key",
                "image": kubectl_image,
                "args": ["apply", "-f", f"{_KEYS_DIR}/secret.yaml"],
                "volumeMounts": mount,
                "resources": small,
                "securityContext": _NO_ESCALATION,
            }
        ],
        # In memory: the private key never touches the node's disk.
        "volumes": [{"name": "keys", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}}],
    }


def pool_tolerations(pool: PoolGpuPlan) -> list[dict[str, str]]:
    """Tolerations of every taint the pool's nodes register with (the burn-in gate's included)."""
    return [
        {"key": taint.key, "operator": "Exists", "effect": taint.effect.value}
        for taint in pool.registration_taints
    ]


def _on_the_pool(plan: OperatorPlan, pool: PoolGpuPlan) -> dict[str, Any]:
    """Pod spec fields that put a pod on one of the pool's nodes, through its registration taints."""
    selector = {POOL_LABEL: pool.name, **({SITE_LABEL: plan.site} if plan.site else {})}
    return {"nodeSelector": dict(sorted(selector.items())), "tolerations": pool_tolerations(pool)}


def one_pod_per_node(plan: OperatorPlan, pool: PoolGpuPlan, label: Mapping[str, str]) -> dict[str, Any]:
    """Pod spec fields that put a job's pods (those carrying `label`) on the pool's nodes, at most
    one per node, through its registration taints: the DCGM diagnostic's and the NCCL workers'."""
    return {
        **_on_the_pool(plan, pool),
        "affinity": {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": dict(label)}, "topologyKey": "kubernetes.io/hostname"}
                ]
            }
        },
    }


def _worker_pod(
    plan: OperatorPlan, pool: PoolGpuPlan, secret: str, worker_label: Mapping[str, str]
) -> dict[str, Any]:
    serve = render_template("gpudc.gpu_operator", "nccl-worker.sh.j2", key_dir=_KEY_MOUNT, done_file=_DONE)
    return {
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,
        "securityContext": _RUNTIME_DEFAULT,
        **one_pod_per_node(plan, pool, worker_label),
        "containers": [
            {
                "name": "worker",
                "image": NCCL_TESTS_IMAGE,
                "command": _bash(serve),
                "ports": [{"name": "ssh", "containerPort": _SSH_PORT}],
                # The launcher starts once every worker's sshd answers.
                "readinessProbe": {"tcpSocket": {"port": _SSH_PORT}, "periodSeconds": 5},
                # gpudc's sizing: the ranks drive the GPUs and HCAs; CPU and memory for the 8 rank
                # processes and NCCL's host buffers, bounded so a stuck run cannot starve the node.
                "resources": {
                    "requests": {"cpu": "8", "memory": "32Gi"},
                    "limits": {
                        "nvidia.com/gpu": pool.gpus_per_node,
                        RDMA_SHARED_DEVICE: 1,
                        "cpu": "32",
                        "memory": "128Gi",
                    },
                },
                # RDMA pins (registers) memory: IPC_LOCK lifts the locked-memory limit for it.
                "securityContext": {"capabilities": {"add": ["IPC_LOCK"]}},
                "volumeMounts": [
                    {"name": "ssh-key", "mountPath": _KEY_MOUNT, "readOnly": True},
                    {"name": "shm", "mountPath": "/dev/shm"},
                ],
            }
        ],
        "volumes": [
            _key_volume(secret),
            # NCCL's intra-node transport uses shared memory; the default 64 MiB /dev/shm is too small.
            {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "16Gi"}},
        ],
    }


def _launcher_pod(
    plan: OperatorPlan, pool: PoolGpuPlan, run: NcclRun, jobset: str, secret: str
) -> dict[str, Any]:
    script = render_template(
        "gpudc.gpu_operator",
        "nccl-launcher.sh.j2",
        key_dir=_KEY_MOUNT,
        nodes=pool.nodes,
        gpus=pool.gpus_per_node,
        jobset=jobset,
        subdomain=jobset,
        min_mib=run.min_message_mib,
        max_mib=run.max_message_mib,
        iterations=run.iterations,
        log=_LOG,
        floor=f"{run.min_bus_bandwidth_gbps:g}",
        done_file=_DONE,
    )
    return {
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,
        "securityContext": _RUNTIME_DEFAULT,
        # Beside the workers, whose nodes have pulled the image already.
        **_on_the_pool(plan, pool),
        "containers": [
            {
                "name": "launcher",
                "image": NCCL_TESTS_IMAGE,
                "command": _bash(script),
                # Open MPI as the Kubeflow MPI Operator runs it (kubeflow/mpi-operator
                # pkg/controller/mpi_job_controller.go, `ompiEnvVars`): keep the workers' DNS names
                # whole (Open MPI 4 cuts a host file's names at the first dot otherwise, and the
                # bare pod name resolves nowhere: only `<pod>.<subdomain>` does), retry SSH while
                # DNS catches up, and let mpirun run as root (the image's user).
                "env": [
                    {"name": "OMPI_MCA_orte_keep_fqdn_hostnames", "value": "true"},
                    {"name": "OMPI_MCA_plm_rsh_args", "value": "-o ConnectionAttempts=10"},
                    {"name": "OMPI_ALLOW_RUN_AS_ROOT", "value": "1"},
                    {"name": "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "value": "1"},
                ],
                "resources": {
                    "requests": {"cpu": "1", "memory": "1Gi"},
                    "limits": {"cpu": "2", "memory": "4Gi"},
                },
                "volumeMounts": [{"name": "ssh-key", "mountPath": _KEY_MOUNT, "readOnly": True}],
            }
        ],
        "volumes": [_key_volume(secret)],
    }
