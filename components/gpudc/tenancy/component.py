"""`Tenant`: a tenant's namespace, quota, Kueue queues, network isolation and RBAC on its cluster.

Facts it relies on:
- Pod Security Admission labels and levels:
  https://kubernetes.io/docs/concepts/security/pod-security-admission/
- ResourceQuota on extended resources takes only the `requests.` prefix:
  https://kubernetes.io/docs/concepts/policy/resource-quotas/#resource-quota-for-extended-resources
- `kubernetes.io/metadata.name`, the immutable namespace-name label every namespace carries:
  https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name
- Kueue v0.19.2, v1beta2 (kubernetes-sigs/kueue config/components/crd/bases/
  kueue.x-k8s.io_clusterqueues.yaml and kueue.x-k8s.io_localqueues.yaml): a ClusterQueue joins a
  cohort by `spec.cohortName`; every flavor of a resource group lists every covered resource, in
  order; `borrowingLimit`/`lendingLimit` need a cohort; `lendingLimit` <= `nominalQuota`.
- CoreDNS pods carry `k8s-app: kube-dns` in `kube-system` (kubeadm and most distributions).
- Image pull Secrets: type `kubernetes.io/dockerconfigjson`, key `.dockerconfigjson` holding
  `{"auths": {server: {username, password, auth: base64(username:password)}}}`:
  https://kubernetes.io/docs/concepts/configuration/secret/#docker-config-secrets
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc.core.labels import GPU_TAINT_KEY, TENANT_LABEL, gpudc_labels
from gpudc.core.naming import k8s_name
from gpudc.options import child_opts, spec_inputs
from gpudc.tenancy.quotas import FlavorQuota, Quota, TenantPlan
from gpudc.tenancy.spec import RegistryCredential, TenantSpec

__all__ = [
    "KUEUE_API_VERSION",
    "TENANT_ROLE_RULES",
    "Tenant",
    "cluster_queue_spec",
    "docker_config",
    "network_policies",
    "registry_secret_name",
]

KUEUE_API_VERSION = "kueue.x-k8s.io/v1beta2"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
POD_SECURITY = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
# The order of a ClusterQueue's covered resources; every flavor lists its quotas in this order.
COVERED = (("cpu", "cpu_cores"), ("memory", "memory_gib"), (GPU_TAINT_KEY, "gpus"))

TENANT_ROLE_RULES: list[dict[str, Any]] = [
    {
        "apiGroups": [""],
        "resources": ["pods", "pods/log", "services", "configmaps", "persistentvolumeclaims", "events"],
        "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
    },
    {"apiGroups": [""], "resources": ["pods/exec", "pods/portforward"], "verbs": ["create"]},
    {
        "apiGroups": ["batch"],
        "resources": ["jobs", "cronjobs"],
        "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
    },
    {
        "apiGroups": ["jobset.x-k8s.io"],
        "resources": ["jobsets"],
        "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
    },
    {
        "apiGroups": ["kueue.x-k8s.io"],
        "resources": ["localqueues", "workloads"],
        "verbs": ["get", "list", "watch"],
    },
]
"""What a tenant's group may do in its namespace: run and inspect workloads, never touch its
quota, its network policies, its role or Secrets (registry credentials come from the platform)."""


def _quantity(quota: Quota, unit: str = "") -> dict[str, str | int]:
    def fmt(value: int) -> str | int:
        return f"{value}{unit}" if unit else value

    return {
        "nominalQuota": fmt(quota.nominal),
        "borrowingLimit": fmt(quota.borrowing_limit),
        "lendingLimit": fmt(quota.lending_limit),
    }


def _flavor(flavor: FlavorQuota) -> dict[str, Any]:
    resources = []
    for name, field in COVERED:
        unit = "Gi" if field == "memory_gib" else ""
        resources.append({"name": name, **_quantity(getattr(flavor, field), unit)})
    return {"name": flavor.flavor, "resources": resources}


def cluster_queue_spec(plan: TenantPlan) -> dict[str, Any]:
    """The tenant's ClusterQueue: in the cluster's cohort, usable from its namespace only, a quota
    per pool flavor with explicit borrowing and lending limits."""
    return {
        "cohortName": plan.cohort,
        "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: plan.namespace}},
        "queueingStrategy": "BestEffortFIFO",
        # Lent GPUs come back: a tenant's pending work may preempt borrowers to reclaim its quota.
        "preemption": {"reclaimWithinCohort": "Any", "withinClusterQueue": "LowerPriority"},
        "resourceGroups": [
            {
                "coveredResources": [name for name, _ in COVERED],
                "flavors": [_flavor(flavor) for flavor in plan.flavors],
            }
        ],
    }


def network_policies(spec: TenantSpec, namespace: str) -> dict[str, dict[str, Any]]:
    """NetworkPolicy specs by name: deny all, then DNS, the namespace itself, each named service."""
    policies: dict[str, dict[str, Any]] = {
        "default-deny": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        "allow-dns": {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "kube-system"}},
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                        }
                    ],
                    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                }
            ],
        },
        "allow-same-namespace": {
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {}}]}],
            "egress": [{"to": [{"podSelector": {}}]}],
        },
    }
    for allowance in spec.allow:
        policies[k8s_name("allow", allowance.name)] = {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: allowance.namespace}},
                            "podSelector": {"matchLabels": dict(sorted(allowance.pod_labels.items()))},
                        }
                    ],
                    "ports": [
                        {"port": port.port, "protocol": port.protocol.value} for port in allowance.ports
                    ],
                }
            ],
        }
    return policies


def registry_secret_name(registry: RegistryCredential) -> str:
    return k8s_name("registry", registry.server)


def docker_config(registry: RegistryCredential, password: str) -> str:
    """The `.dockerconfigjson` of one registry login."""
    auth = base64.b64encode(f"{registry.username}:{password}".encode()).decode()
    login = {"username": registry.username, "password": password, "auth": auth}
    return json.dumps({"auths": {registry.server: login}}, sort_keys=True)


class Tenant(pulumi.ComponentResource):
    """A tenant of a cluster: namespace, ResourceQuota, ClusterQueue, LocalQueue, NetworkPolicies, RBAC.

    `plan` is the tenant's slice (`ClusterPlan.tenants`). `depends_on` is what the Kueue objects
    wait for (the cluster's Kueue release, whose CRDs they need); Pulumi does not pass a
    component's own `depends_on` to its children, so it is given here. `registry_passwords`
    maps each registry's `password_key` to its password, a Pulumi secret.
    """

    TYPE = "gpudc:index:Tenant"

    namespace: str
    cluster_queue: str
    local_queue: str
    gpus: int

    def __init__(
        self,
        name: str,
        spec: TenantSpec,
        *,
        plan: TenantPlan,
        depends_on: Sequence[pulumi.Resource] = (),
        registry_passwords: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if plan.spec != spec:
            raise ValueError(
                f"Tenant {name}: `plan` is the slice of tenant {plan.spec.name!r}, not of this spec"
            )
        passwords = registry_passwords or {}
        missing = sorted({r.password_key for r in spec.registries} - set(passwords))
        if missing:
            raise ValueError(
                f"Tenant {name}: registry passwords {missing} were not passed in `registry_passwords` "
                "(the program reads them from config: gpudc.environment.program.config_secret_values)"
            )
        super().__init__(self.TYPE, name, spec_inputs(spec), opts)
        labels = gpudc_labels(site=plan.site or None, extra={TENANT_LABEL: spec.name})
        namespace = plan.namespace

        def meta(object_name: str, *, namespaced: bool = True) -> dict[str, Any]:
            metadata: dict[str, Any] = {"name": object_name, "labels": labels}
            if namespaced:
                metadata["namespace"] = namespace
            return metadata

        ns = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={"name": namespace, "labels": {**labels, **POD_SECURITY}},
            opts=child_opts(self, opts),
        )
        in_namespace = child_opts(self, opts, depends_on=[ns])
        k8s.core.v1.ResourceQuota(
            f"{name}-quota",
            metadata=meta("tenant-quota"),
            spec={
                "hard": {
                    f"requests.{GPU_TAINT_KEY}": str(plan.hard("gpus")),
                    "requests.cpu": str(plan.hard("cpu_cores")),
                    "limits.cpu": str(plan.hard("cpu_cores")),
                    "requests.memory": f"{plan.hard('memory_gib')}Gi",
                    "limits.memory": f"{plan.hard('memory_gib')}Gi",
                }
            },
            opts=in_namespace,
        )
        queue = k8s.apiextensions.CustomResource(
            f"{name}-cluster-queue",
            api_version=KUEUE_API_VERSION,
            kind="ClusterQueue",
            metadata=meta(plan.cluster_queue, namespaced=False),
            spec=cluster_queue_spec(plan),
            opts=child_opts(self, opts, depends_on=list(depends_on)),
        )
        k8s.apiextensions.CustomResource(
            f"{name}-local-queue",
            api_version=KUEUE_API_VERSION,
            kind="LocalQueue",
            metadata=meta(plan.local_queue),
            spec={"clusterQueue": plan.cluster_queue},
            opts=child_opts(self, opts, depends_on=[*depends_on, ns, queue]),
        )
        for policy, policy_spec in network_policies(spec, namespace).items():
            k8s.networking.v1.NetworkPolicy(
                f"{name}-{policy}", metadata=meta(policy), spec=policy_spec, opts=in_namespace
            )
        role = k8s.rbac.v1.Role(
            f"{name}-role", metadata=meta("tenant"), rules=TENANT_ROLE_RULES, opts=in_namespace
        )
        k8s.rbac.v1.RoleBinding(
            f"{name}-role-binding",
            metadata=meta("tenant"),
            role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "tenant"},
            subjects=[{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": spec.group}],
            opts=child_opts(self, opts, depends_on=[ns, role]),
        )
        # Registry logins: the password comes as a Pulumi secret (the program reads it from secret
        # config), so the Secret's data stays secret in the engine's state and reads `[secret]` in
        # an offline plan; `Output.secret` keeps it so even when a caller passes a plain value.
        for registry in spec.registries:
            password: pulumi.Output[str] = pulumi.Output.secret(passwords[registry.password_key])
            login: pulumi.Output[str] = password.apply(partial(docker_config, registry))
            k8s.core.v1.Secret(
                f"{name}-{registry_secret_name(registry)}",
                metadata=meta(registry_secret_name(registry)),
                type="kubernetes.io/dockerconfigjson",
                string_data={".dockerconfigjson": login},
                opts=in_namespace,
            )
        self.namespace = namespace
        self.cluster_queue = plan.cluster_queue
        self.local_queue = plan.local_queue
        self.gpus = sum(flavor.gpus.nominal for flavor in plan.flavors)
        self.register_outputs(
            {
                "namespace": self.namespace,
                "cluster_queue": self.cluster_queue,
                "local_queue": self.local_queue,
                "gpus": self.gpus,
            }
        )
