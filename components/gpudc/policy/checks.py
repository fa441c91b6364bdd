"""The policies, as pure functions from a program's resources to violations.

Each policy sees every resource of the stack at once (some rules need another resource: a pod is
judged by its namespace's labels), by type token and inputs alone. A Kubernetes object reaches a
policy as pulumi-kubernetes sends it (`kubernetes:<group/version>:<Kind>`, its whole body as
inputs), a Helm release as `kubernetes:helm.sh/v3:Release` or `kubernetes:helm.sh/v4:Chart`, and
a gpudc component with its spec under `spec`. Nothing here imports Pulumi: the pack (`policy/`)
and the offline runner (`gpudc plan --policies`) both call `evaluate`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from gpudc.core.findings import Check, Severity, register
from gpudc.core.labels import GPU_TAINT_KEY, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL

__all__ = [
    "OPERATOR_NAMESPACES",
    "POLICIES",
    "SECRET_MARKER",
    "Enforcement",
    "Policy",
    "ResourceLike",
    "Subject",
    "Violation",
    "evaluate",
]

SECRET_MARKER = "[secret]"
"""How a secret value reads in a recorded plan (gpudc.preview.recorder.SECRET)."""

# Pod Security Admission levels: https://kubernetes.io/docs/concepts/security/pod-security-admission/
PSA_ENFORCE = "pod-security.kubernetes.io/enforce"
OPERATOR_NAMESPACES = frozenset({"kube-system"})
"""Namespaces where privileged pods are expected without a label; any namespace the program
creates with `pod-security.kubernetes.io/enforce: privileged` (the GPU Operator's) joins them."""

_HELM = ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart")
_NOT_OBJECTS = ("kubernetes:helm.sh/", "kubernetes:yaml/", "kubernetes:kustomize/", "pulumi:providers:")
_GPU_NODE_POOL = "gpudc:index:GpuNodePool"
# An exact version: MAJOR.MINOR.PATCH (semver.org), optional leading v, pre-release and build.
_EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
# A tag names a release when it holds a dotted version: 1.2.3, v0.19.2, NGC's 24.08-py3.
_IMAGE_VERSION = re.compile(r"\d+\.\d+")
_GPU_RESOURCE = re.compile(r"^nvidia\.com/(gpu|mig-.+)$")


class Enforcement(StrEnum):
    """pulumi-policy's levels: a mandatory violation fails the command, an advisory one is printed."""

    MANDATORY = "mandatory"
    ADVISORY = "advisory"


class ResourceLike(Protocol):
    """What a policy reads of a resource; a plan's `Registration` is one."""

    @property
    def urn(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def inputs(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Subject:
    """A resource handed to the policies by the pack (which has no `Registration`)."""

    urn: str
    type: str
    inputs: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Violation:
    """One resource breaking one policy: where, what, and the fix that resolves it."""

    policy: str
    enforcement: Enforcement
    urn: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.policy} {self.urn}: {self.message}; fix: {self.fix}"


Found = tuple[str, str, str]
"""(urn, message, fix)"""


@dataclass(frozen=True, slots=True)
class Policy:
    """A policy: its pack name, enforcement level, description, its check code and its function."""

    name: str
    enforcement: Enforcement
    description: str
    check: Check
    run: Callable[[Sequence[ResourceLike]], Iterator[Found]]

    def __call__(self, resources: Sequence[ResourceLike]) -> list[Violation]:
        return [Violation(self.name, self.enforcement, *found) for found in self.run(resources)]


def evaluate(resources: Sequence[ResourceLike], policies: Sequence[Policy] | None = None) -> list[Violation]:
    """Every violation of every policy, mandatory first, then by policy and URN."""
    found = [violation for policy in policies or POLICIES for violation in policy(resources)]
    return sorted(
        found, key=lambda v: (v.enforcement is not Enforcement.MANDATORY, v.policy, v.urn, v.message)
    )


# --- reading Kubernetes objects -------------------------------------------------------------


def _is_object(resource: ResourceLike) -> bool:
    return resource.type.startswith("kubernetes:") and not resource.type.startswith(_NOT_OBJECTS)


def _metadata(resource: ResourceLike) -> Mapping[str, Any]:
    metadata = resource.inputs.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def _labels(resource: ResourceLike) -> Mapping[str, Any]:
    labels = _metadata(resource).get("labels")
    return labels if isinstance(labels, Mapping) else {}


def _kind(resource: ResourceLike) -> str:
    return str(resource.inputs.get("kind") or resource.type.rsplit(":", 1)[-1])


def _namespace(resource: ResourceLike) -> str:
    return str(_metadata(resource).get("namespace") or "default")


def _pod_specs(value: Any, where: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every pod spec inside an object (a Pod's spec, a Deployment's template, a JobSet's
    replicated jobs, any custom resource): a mapping holding a `containers` list."""
    if isinstance(value, Mapping):
        if isinstance(value.get("containers"), list):
            yield where or "spec", value
            return
        for key, item in value.items():
            if key != "metadata":
                yield from _pod_specs(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _pod_specs(item, f"{where}[{index}]")


def _containers(pod: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for container in pod.get(field) or ():
            if isinstance(container, Mapping):
                yield container


def _workloads(resources: Sequence[ResourceLike]) -> Iterator[tuple[ResourceLike, str, Mapping[str, Any]]]:
    for resource in resources:
        if _is_object(resource):
            for where, pod in _pod_specs(resource.inputs.get("spec"), "spec"):
                yield resource, where, pod


def _resource_map(container: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    resources = container.get("resources")
    found = resources.get(key) if isinstance(resources, Mapping) else None
    return found if isinstance(found, Mapping) else {}


# --- the policies ---------------------------------------------------------------------------


def _pinned_versions(resources: Sequence[ResourceLike]) -> Iterator[Found]:
    for resource in resources:
        if resource.type in _HELM:
            version = resource.inputs.get("version")
            chart = resource.inputs.get("chart", "?")
            if not isinstance(version, str) or not _EXACT_VERSION.match(version):
                yield (
                    resource.urn,
                    f"chart {chart} has version {version!r}, not an exact version",
                    "set `version` to an exact chart version such as 1.2.3 (no range, no empty value)",
                )
    for resource, where, pod in _workloads(resources):
        for container in _containers(pod):
            image = container.get("image")
            if not isinstance(image, str) or not _image_pinned(image):
                yield (
                    resource.urn,
                    f"{where}: container {container.get('name', '?')} runs image {image!r}, not pinned",
                    "give the image an exact version tag (e.g. :1.2.3) or a digest (@sha256:...), never :latest",
                )


def _image_pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return False
    tag = last.rsplit(":", 1)[1]
    return tag != "latest" and bool(_IMAGE_VERSION.search(tag))


def _operator_namespaces(resources: Sequence[ResourceLike]) -> set[str]:
    found = set(OPERATOR_NAMESPACES)
    for resource in resources:
        if (
            _is_object(resource)
            and _kind(resource) == "Namespace"
            and _labels(resource).get(PSA_ENFORCE) == "privileged"
        ):
            found.add(str(_metadata(resource).get("name")))
    return found


def _privileged_only_in_operator_namespaces(resources: Sequence[ResourceLike]) -> Iterator[Found]:
    allowed = _operator_namespaces(resources)
    fix = (
        "drop the privilege, or run the workload in an operator namespace (one labelled "
        f"{PSA_ENFORCE}: privileged, such as the GPU Operator's)"
    )
    for resource, where, pod in _workloads(resources):
        namespace = _namespace(resource)
        if namespace in allowed:
            continue
        reasons = [
            f"{field}: true" for field in ("hostNetwork", "hostPID", "hostIPC") if pod.get(field) is True
        ]
        reasons += [
            f"volume {volume.get('name', '?')} is a hostPath"
            for volume in pod.get("volumes") or ()
            if isinstance(volume, Mapping) and "hostPath" in volume
        ]
        for container in _containers(pod):
            context = container.get("securityContext")
            if isinstance(context, Mapping) and context.get("privileged") is True:
                reasons.append(f"container {container.get('name', '?')} is privileged")
        for reason in reasons:
            yield resource.urn, f"{where} in namespace {namespace}: {reason}", fix


def _tolerates_gpu(pod: Mapping[str, Any]) -> bool:
    for toleration in pod.get("tolerations") or ():
        if not isinstance(toleration, Mapping):
            continue
        key, operator = toleration.get("key"), toleration.get("operator", "Equal")
        if key == GPU_TAINT_KEY or (not key and operator == "Exists"):
            return True
    return False


def _gpu_workloads_tolerate_and_limit(resources: Sequence[ResourceLike]) -> Iterator[Found]:
    for resource, where, pod in _workloads(resources):
        gpu_containers = []
        for container in _containers(pod):
            asked = {*_resource_map(container, "requests"), *_resource_map(container, "limits")}
            gpus = sorted(name for name in asked if _GPU_RESOURCE.match(str(name)))
            if gpus:
                gpu_containers.append(container.get("name", "?"))
                missing = [name for name in gpus if name not in _resource_map(container, "limits")]
                if missing:
                    yield (
                        resource.urn,
                        f"{where}: container {container.get('name', '?')} requests {', '.join(missing)} without a limit",
                        f"set resources.limits[{missing[0]}] (extended resources are allocated by their limit)",
                    )
        if gpu_containers and not _tolerates_gpu(pod):
            yield (
                resource.urn,
                f"{where}: requests GPUs ({', '.join(gpu_containers)}) but does not tolerate the {GPU_TAINT_KEY} taint",
                f"add tolerations: [{{key: {GPU_TAINT_KEY}, operator: Exists, effect: NoSchedule}}]",
            )


def _gpu_pools_tainted(resources: Sequence[ResourceLike]) -> Iterator[Found]:
    for resource in resources:
        if resource.type != _GPU_NODE_POOL:
            continue
        spec = resource.inputs.get("spec")
        taints = spec.get("taints") if isinstance(spec, Mapping) else None
        keys = {
            taint.get("key")
            for taint in taints or ()
            if isinstance(taint, Mapping) and taint.get("effect") in ("NoSchedule", "NoExecute")
        }
        if GPU_TAINT_KEY not in keys:
            yield (
                resource.urn,
                f"the pool's nodes do not carry the {GPU_TAINT_KEY} taint, so any pod can land on them",
                f"keep the default taint or add {{key: {GPU_TAINT_KEY}, value: present, effect: NoSchedule}} to its taints",
            )


def _is_secret(value: Any) -> bool:
    return value == SECRET_MARKER or type(value).__name__ == "Secret"


def _secrets_from_pulumi_secrets(resources: Sequence[ResourceLike]) -> Iterator[Found]:
    fix = (
        "read the value with `pulumi.Config().require_secret(...)` (set it with `pulumi config set --secret`) "
        "or wrap it in `pulumi.Output.secret(...)`"
    )
    for resource in resources:
        if _is_object(resource) and _kind(resource) == "Secret":
            for field in ("data", "stringData"):
                value = resource.inputs.get(field)
                if value is None or _is_secret(value):
                    continue
                plain = sorted(value) if isinstance(value, Mapping) else [field]
                plain = [key for key in plain if not (isinstance(value, Mapping) and _is_secret(value[key]))]
                if plain:
                    yield resource.urn, f"{field} holds {', '.join(map(str, plain))} in plain text", fix
        elif resource.type == "pulumi:providers:kubernetes":
            kubeconfig = resource.inputs.get("kubeconfig")
            if kubeconfig is not None and not _is_secret(kubeconfig):
                yield resource.urn, "the provider's kubeconfig is not a secret", fix


def _gpudc_labels(resources: Sequence[ResourceLike]) -> Iterator[Found]:
    for resource in resources:
        # A `...Patch` resource (server-side apply) edits an object someone else owns, such as a
        # node that joined on its own: claiming it with managed-by=gpudc would be false.
        if resource.type.endswith("Patch"):
            continue
        if _is_object(resource) and _labels(resource).get(MANAGED_BY_LABEL) != MANAGED_BY_VALUE:
            yield (
                resource.urn,
                f"{_kind(resource)} {_metadata(resource).get('name', '?')} lacks the label {MANAGED_BY_LABEL}={MANAGED_BY_VALUE}",
                "add gpudc's labels to metadata.labels (gpudc.core.labels.gpudc_labels())",
            )


def _tenant_namespaces_restricted(resources: Sequence[ResourceLike]) -> Iterator[Found]:
    for resource in resources:
        if not (
            _is_object(resource) and _kind(resource) == "Namespace" and TENANT_LABEL in _labels(resource)
        ):
            continue
        level = _labels(resource).get(PSA_ENFORCE)
        if level != "restricted":
            yield (
                resource.urn,
                f"tenant namespace {_metadata(resource).get('name', '?')} enforces Pod Security {level or 'nothing'}",
                f"label it {PSA_ENFORCE}: restricted",
            )


def _container_limits(resources: Sequence[ResourceLike]) -> Iterator[Found]:
    for resource, where, pod in _workloads(resources):
        for container in _containers(pod):
            missing = [name for name in ("cpu", "memory") if name not in _resource_map(container, "limits")]
            if missing:
                yield (
                    resource.urn,
                    f"{where}: container {container.get('name', '?')} has no {' or '.join(missing)} limit",
                    f"set resources.limits.{missing[0]}",
                )


def _policy(
    code: str,
    name: str,
    enforcement: Enforcement,
    description: str,
    run: Callable[[Sequence[ResourceLike]], Iterator[Found]],
) -> Policy:
    severity = Severity.ERROR if enforcement is Enforcement.MANDATORY else Severity.WARNING
    return Policy(name, enforcement, description, register(code, severity, description), run)


_M, _A = Enforcement.MANDATORY, Enforcement.ADVISORY
POLICIES: tuple[Policy, ...] = (
    _policy(
        "GPUDC-POLICY-001",
        "pinned-versions",
        _M,
        "Charts and container images are pinned to exact versions",
        _pinned_versions,
    ),
    _policy(
        "GPUDC-POLICY-002",
        "privileged-only-in-operator-namespaces",
        _M,
        "Privileged containers, hostPath volumes and host networking only in operator namespaces",
        _privileged_only_in_operator_namespaces,
    ),
    _policy(
        "GPUDC-POLICY-003",
        "gpu-workloads-tolerate-taint",
        _M,
        "Workloads requesting nvidia.com/gpu tolerate the GPU taint and set GPU limits",
        _gpu_workloads_tolerate_and_limit,
    ),
    _policy(
        "GPUDC-POLICY-004",
        "gpu-pools-tainted",
        _M,
        "GPU node pools carry the nvidia.com/gpu taint",
        _gpu_pools_tainted,
    ),
    _policy(
        "GPUDC-POLICY-005",
        "secrets-from-pulumi-secrets",
        _M,
        "Secret objects and kubeconfigs hold only Pulumi secrets",
        _secrets_from_pulumi_secrets,
    ),
    _policy(
        "GPUDC-POLICY-006",
        "gpudc-labels",
        _M,
        "Every Kubernetes object carries gpudc's labels",
        _gpudc_labels,
    ),
    _policy(
        "GPUDC-POLICY-007",
        "tenant-namespaces-restricted",
        _M,
        "Tenant namespaces enforce the Pod Security restricted level",
        _tenant_namespaces_restricted,
    ),
    _policy(
        "GPUDC-POLICY-008",
        "container-resource-limits",
        _A,
        "Every container sets CPU and memory limits",
        _container_limits,
    ),
)
