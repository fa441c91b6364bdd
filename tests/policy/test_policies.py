"""The policy pack: each policy passes a good fixture and fails a bad one; the offline runner
(`gpudc plan --policies`) and the pulumi-policy pack run the same functions; every stack passes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gpudc.core.findings import CHECKS
from gpudc.core.project import find_project
from gpudc.policy.checks import POLICIES, Enforcement, Subject, Violation, evaluate
from gpudc.policy.pack import SEEN_ONLY_OFFLINE, stack_policies
from gpudc.preview.plan import Plan
from gpudc.preview.run import plan_program, stack_config

FIXTURE = Path(__file__).parent / "fixture"
STACKS = find_project(Path(__file__)).stacks()
LABELS = {"app.kubernetes.io/managed-by": "gpudc"}
TOLERATE = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
LIMITS = {"cpu": "1", "memory": "1Gi"}


def obj(kind: str, name: str, namespace: str | None = None, labels: Any = LABELS, **body: Any) -> Subject:
    """A Kubernetes object as pulumi-kubernetes registers it."""
    metadata: dict[str, Any] = {"name": name, "labels": labels}
    if namespace:
        metadata["namespace"] = namespace
    group = "apps/v1" if kind in ("Deployment", "DaemonSet") else "core/v1"
    return Subject(
        f"urn:{kind}::{name}", f"kubernetes:{group}:{kind}", {"kind": kind, "metadata": metadata, **body}
    )


def pod(namespace: str, container: dict[str, Any], name: str = "p", **spec: Any) -> Subject:
    base = {"name": "c", "image": "busybox:1.36.1", "resources": {"limits": LIMITS}}
    return obj("Pod", name, namespace, spec={"containers": [{**base, **container}], **spec})


def release(version: Any) -> Subject:
    return Subject("urn:rel", "kubernetes:helm.sh/v3:Release", {"chart": "gpu-operator", "version": version})


def gpu_pool(taints: list[dict[str, str]]) -> Subject:
    return Subject("urn:pool", "gpudc:index:GpuNodePool", {"spec": {"name": "h100", "taints": taints}})


PRIVILEGED_NS = obj(
    "Namespace", "gpu-operator", labels={**LABELS, "pod-security.kubernetes.io/enforce": "privileged"}
)
GPU = {"resources": {"limits": {**LIMITS, "nvidia.com/gpu": 8}}}

# policy -> (resources that keep it, resources that break it, the message of the break)
CASES: dict[str, tuple[list[Subject], list[Subject], str]] = {
    "pinned-versions": (
        [release("v26.7.0"), pod("apps", {"image": "nvcr.io/nvidia/pytorch@sha256:abc"})],
        [release("^26.7"), pod("apps", {"image": "busybox:latest"})],
        "chart gpu-operator has version '^26.7', not an exact version",
    ),
    "privileged-only-in-operator-namespaces": (
        [PRIVILEGED_NS, pod("gpu-operator", {"securityContext": {"privileged": True}}, hostNetwork=True)],
        [pod("apps", {"securityContext": {"privileged": True}})],
        "spec in namespace apps: container c is privileged",
    ),
    "gpu-workloads-tolerate-taint": (
        [pod("apps", GPU, tolerations=TOLERATE)],
        [pod("apps", GPU)],
        "spec: requests GPUs (c) but does not tolerate the nvidia.com/gpu taint",
    ),
    "gpu-pools-tainted": (
        [gpu_pool([{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}])],
        [gpu_pool([{"key": "workload", "effect": "NoSchedule"}])],
        "the pool's nodes do not carry the nvidia.com/gpu taint, so any pod can land on them",
    ),
    "secrets-from-pulumi-secrets": (
        [obj("Secret", "s", "apps", stringData="[secret]")],
        [obj("Secret", "s", "apps", stringData={"token": "hunter2"})],
        "stringData holds token in plain text",
    ),
    "gpudc-labels": (
        [obj("ConfigMap", "c", "apps")],
        [obj("ConfigMap", "c", "apps", labels={})],
        "ConfigMap c lacks the label app.kubernetes.io/managed-by=gpudc",
    ),
    "tenant-namespaces-restricted": (
        [
            obj(
                "Namespace",
                "t",
                labels={**LABELS, "gpudc.io/tenant": "t", "pod-security.kubernetes.io/enforce": "restricted"},
            )
        ],
        [obj("Namespace", "t", labels={**LABELS, "gpudc.io/tenant": "t"})],
        "tenant namespace t enforces Pod Security nothing",
    ),
    "container-resource-limits": (
        [pod("apps", {})],
        [pod("apps", {"resources": {"limits": {"cpu": "1"}}})],
        "spec: container c has no memory limit",
    ),
}


def test_every_policy_has_cases_and_a_registered_check() -> None:
    assert [policy.name for policy in POLICIES] == list(CASES)
    for policy in POLICIES:
        assert CHECKS[policy.check.code] is policy.check
    assert [p.name for p in POLICIES if p.enforcement is Enforcement.ADVISORY] == [
        "container-resource-limits"
    ]


@pytest.mark.parametrize("name", CASES)
def test_policy_passes_good_and_fails_bad(name: str) -> None:
    policy = next(policy for policy in POLICIES if policy.name == name)
    good, bad, message = CASES[name]
    assert policy(good) == []
    found = policy(bad)
    assert found, name
    assert found[0].message == message
    assert found[0].urn == bad[0].urn
    assert found[0].fix
    # The good fixture keeps every other policy as well: a case tests one rule at a time.
    assert evaluate(good) == []


@pytest.mark.parametrize(
    "toleration",
    [{"key": "nvidia.com/gpu", "operator": "Equal", "value": "present"}, {"operator": "Exists"}],
)
def test_a_gpu_pod_tolerates_the_taint_by_key_or_by_tolerating_everything(toleration: dict[str, str]) -> None:
    assert evaluate([pod("apps", GPU, tolerations=[toleration])]) == []


def test_a_gpu_request_without_a_limit_is_refused() -> None:
    [violation] = evaluate(
        [
            pod(
                "apps",
                {"resources": {"requests": {"nvidia.com/gpu": 1}, "limits": LIMITS}},
                tolerations=TOLERATE,
            )
        ]
    )
    assert violation.message == "spec: container c requests nvidia.com/gpu without a limit"


def test_pod_specs_are_found_in_any_workload_kind() -> None:
    job = obj(
        "JobSet",
        "j",
        "apps",
        spec={
            "replicatedJobs": [
                {
                    "template": {
                        "spec": {
                            "template": {
                                "spec": {
                                    "containers": [
                                        {"name": "w", "image": "x", "resources": {"limits": LIMITS}}
                                    ]
                                }
                            }
                        }
                    }
                }
            ]
        },
    )
    [violation] = evaluate([job])
    assert violation.message == (
        "spec.replicatedJobs[0].template.spec.template.spec: container w runs image 'x', not pinned"
    )


def _fixture_plan(stack: str) -> Plan:
    raw = __import__("yaml").safe_load((FIXTURE / f"Pulumi.{stack}.yaml").read_text())["config"]
    return plan_program(FIXTURE, "fixture", stack, stack_config(raw))


def test_the_bad_fixture_plan_breaks_exactly_the_three_rules(tmp_path: Path) -> None:
    # Offline on a recorded plan: written, read back, judged.
    recorded = tmp_path / "plan.json"
    recorded.write_text(_fixture_plan("bad").to_json())
    violations = evaluate(Plan.from_json(recorded.read_text()).resources)
    deployment = "urn:pulumi:bad::fixture::kubernetes:apps/v1:Deployment::trainer"
    assert [(v.policy, v.urn) for v in violations] == [
        ("gpu-workloads-tolerate-taint", deployment),
        ("pinned-versions", "urn:pulumi:bad::fixture::kubernetes:helm.sh/v3:Release::ingress"),
        ("privileged-only-in-operator-namespaces", deployment),
    ]
    assert evaluate(_fixture_plan("good").resources) == []


def test_cli_fails_a_mandatory_violation_naming_policy_urn_and_fix(tmp_path: Path, gpudc_cli: Any) -> None:
    result = gpudc_cli("plan", "-C", str(FIXTURE), "bad", "--policies", "--out", str(tmp_path / "bad"))
    assert result.returncode == 2, result.stderr
    err = " ".join(result.stderr.split())
    assert (
        "mandatory pinned-versions urn:pulumi:bad::fixture::kubernetes:helm.sh/v3:Release::ingress: "
        "chart ingress-nginx has version '^4.11', not an exact version; fix: set `version` to an exact "
        "chart version such as 1.2.3" in err
    )
    assert "policies: 8 checked, 3 mandatory and 0 advisory violation(s)" in err
    good = gpudc_cli("plan", "-C", str(FIXTURE), "good", "--policies", "--out", str(tmp_path / "good"))
    assert good.returncode == 0, good.stderr
    assert "policies: 8 checked, 0 mandatory and 0 advisory violation(s)" in " ".join(good.stdout.split())


def test_advisory_violations_are_printed_and_do_not_fail(tmp_path: Path) -> None:
    [violation] = evaluate([pod("apps", {"resources": {}})])
    assert violation.enforcement is Enforcement.ADVISORY
    assert str(violation) == (
        "container-resource-limits urn:Pod::p: spec: container c has no cpu or memory limit; "
        "fix: set resources.limits.cpu"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_keeps_every_policy(stack: str, planned: Callable[[str], Plan]) -> None:
    assert evaluate(planned(stack).resources) == []


class _Resource:
    def __init__(self, subject: Subject) -> None:
        self.urn, self.resource_type, self.props = subject.urn, subject.type, subject.inputs


class _Args:
    def __init__(self, subjects: list[Subject]) -> None:
        self.resources = [_Resource(subject) for subject in subjects]


def test_the_pack_runs_the_same_functions_with_the_same_names() -> None:
    policies = {policy.name: policy for policy in stack_policies()}
    assert set(policies) == {policy.name for policy in POLICIES} - SEEN_ONLY_OFFLINE
    for name, policy in policies.items():
        good, bad, message = CASES[name]
        reported: list[tuple[str, str | None]] = []
        report = reported.append
        policy.validate(_Args(good), lambda text, urn, report=report: report((text, urn)))  # type: ignore[arg-type, misc]
        assert reported == []
        policy.validate(_Args(bad), lambda text, urn, report=report: report((text, urn)))  # type: ignore[arg-type, misc]
        expected: list[Violation] = next(p for p in POLICIES if p.name == name)(bad)
        assert reported == [(f"{v.message}; fix: {v.fix}", v.urn) for v in expected]
        assert reported[0][0].startswith(message)


def test_gpudc_checks_lists_the_policies(gpudc_cli: Any) -> None:
    result = gpudc_cli("checks", "--format", "json")
    rows = {row["code"]: row for row in __import__("json").loads(result.stdout)}
    assert rows["GPUDC-POLICY-003"] == {
        "code": "GPUDC-POLICY-003",
        "severity": "error",
        "title": "Workloads requesting nvidia.com/gpu tolerate the GPU taint and set GPU limits",
    }
    assert rows["GPUDC-POLICY-008"]["severity"] == "warning"


def test_the_pack_directory_runs_these_policies() -> None:
    pack = FIXTURE.parent.parent.parent / "policy"
    manifest = __import__("yaml").safe_load((pack / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"] == {"name": "python", "options": {"virtualenv": "../.venv"}}
    assert "from gpudc.policy.pack import policy_pack" in (pack / "__main__.py").read_text()


def test_a_patch_of_an_object_gpudc_does_not_own_needs_no_gpudc_label() -> None:
    patch = Subject("urn:patch", "kubernetes:core/v1:NodePatch", {"kind": "Node", "metadata": {"name": "n1"}})
    created = Subject("urn:node", "kubernetes:core/v1:Node", {"kind": "Node", "metadata": {"name": "n1"}})
    assert [v.urn for v in evaluate([patch, created])] == ["urn:node"]


def test_the_pack_starts_and_serves_its_port_as_the_pulumi_cli_expects() -> None:
    import subprocess
    import sys

    pack = FIXTURE.parent.parent.parent / "policy"
    process = subprocess.Popen(
        [sys.executable, "__main__.py"], cwd=pack, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert port.isdigit(), port
