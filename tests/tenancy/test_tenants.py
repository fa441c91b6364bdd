"""Tenants: exact namespace, quota, queue, NetworkPolicy and RBAC objects; quotas held to the
pools' GPUs; names unique across the environment; a tenant names only pools of its cluster."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pulumi
import pytest

from gpudc import SpecError, parse_environment, plan_environment
from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY
from gpudc.preview.plan import Plan
from gpudc.preview.recorder import Registration
from gpudc.preview.render import manifests
from gpudc.preview.run import plan_callable
from gpudc.tenancy.component import Tenant
from gpudc.tenancy.quotas import PoolShare, plan_tenants
from gpudc.tenancy.spec import TenantSpec
from tests.crds.schemas import check_custom_resource

LABELS = {"app.kubernetes.io/managed-by": "gpudc", "gpudc.io/site": "plano", "gpudc.io/tenant": "research"}


def _objects(plan: Plan, tenant: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(kind, name) -> body of every Kubernetes object a tenant's component made."""
    return {
        (m.body["kind"], m.body["metadata"]["name"]): m.body
        for m in manifests(plan)
        if m.body["metadata"].get("labels", {}).get("gpudc.io/tenant") == tenant
    }


def test_plano_has_three_tenants_with_every_object(planned: Callable[[str], Plan]) -> None:
    plan = planned("plano")
    tenants = {r.name for r in plan.resources if r.type == "gpudc:index:Tenant"}
    assert tenants == {
        "gpudc-plano-plano-research",
        "gpudc-plano-plano-inference",
        "gpudc-plano-plano-acme-labs",
    }
    assert sorted(_objects(plan, "research")) == [
        ("ClusterQueue", "tenant-research"),
        ("LocalQueue", "research"),
        ("Namespace", "research"),
        ("NetworkPolicy", "allow-dns"),
        ("NetworkPolicy", "allow-object-store"),
        ("NetworkPolicy", "allow-same-namespace"),
        ("NetworkPolicy", "default-deny"),
        ("ResourceQuota", "tenant-quota"),
        ("Role", "tenant"),
        ("RoleBinding", "tenant"),
    ]


def test_namespace_enforces_restricted_pod_security(planned: Callable[[str], Plan]) -> None:
    namespace = _objects(planned("plano"), "research")[("Namespace", "research")]
    assert namespace["metadata"] == {
        "name": "research",
        "labels": {
            **LABELS,
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
        },
    }


def test_network_policies_deny_all_then_allow_dns_own_namespace_and_named_services(
    planned: Callable[[str], Plan],
) -> None:
    objects = _objects(planned("plano"), "research")
    specs = {name: body["spec"] for (kind, name), body in objects.items() if kind == "NetworkPolicy"}
    assert all(objects[("NetworkPolicy", name)]["metadata"]["namespace"] == "research" for name in specs)
    assert specs == {
        "default-deny": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        "allow-dns": {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                            },
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
        "allow-object-store": {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "storage"}},
                            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "minio"}},
                        }
                    ],
                    "ports": [{"port": 9000, "protocol": "TCP"}],
                }
            ],
        },
    }
    # The inference tenant names no service: it gets exactly the three base policies.
    inference = _objects(planned("plano"), "inference")
    assert sorted(name for kind, name in inference if kind == "NetworkPolicy") == [
        "allow-dns",
        "allow-same-namespace",
        "default-deny",
    ]


def test_rbac_binds_the_group_to_a_namespaced_role_only(planned: Callable[[str], Plan]) -> None:
    plan = planned("plano")
    kinds = {r.type.rsplit(":", 1)[-1] for r in plan.resources if r.type.startswith("kubernetes:rbac")}
    assert kinds == {"Role", "RoleBinding"}  # never a ClusterRole or ClusterRoleBinding
    objects = _objects(plan, "research")
    binding = objects[("RoleBinding", "tenant")]
    assert binding["metadata"]["namespace"] == "research"
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "tenant"}
    assert binding["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "plano:research"}
    ]
    role = objects[("Role", "tenant")]
    assert role["metadata"]["namespace"] == "research"
    granted = {
        (group, resource)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }
    assert ("", "secrets") not in granted
    assert not any("*" in rule["verbs"] or "*" in rule["resources"] for rule in role["rules"])
    assert ("kueue.x-k8s.io", "localqueues") in granted and ("", "pods") in granted


def test_quota_and_queues_are_exact(planned: Callable[[str], Plan]) -> None:
    objects = _objects(planned("plano"), "research")
    # research: h100-a 1024 (+512 borrowable), gb200-a 288 (+144). What Kueue may admit per node
    # is a system's cores and GiB per node less plano's reserve of 8 cores and 64 GiB: an HGX H100
    # node 112 - 8 = 104 cores, 2048 - 64 = 1984 GiB for 8 GPUs (13 cores, 248 GiB a GPU); a GB200
    # NVL72 compute tray 2592/18 - 8 = 136 cores, 17280/18 - 64 = 896 GiB for 4 GPUs (34, 224).
    assert objects[("ResourceQuota", "tenant-quota")]["spec"] == {
        "hard": {
            "requests.nvidia.com/gpu": str(1024 + 512 + 288 + 144),
            "requests.cpu": str(13 * 1536 + 34 * 432),
            "limits.cpu": str(13 * 1536 + 34 * 432),
            "requests.memory": f"{248 * 1536 + 224 * 432}Gi",
            "limits.memory": f"{248 * 1536 + 224 * 432}Gi",
        }
    }
    queue = objects[("ClusterQueue", "tenant-research")]
    assert queue["apiVersion"] == "kueue.x-k8s.io/v1beta2"
    assert "namespace" not in queue["metadata"]
    spec = queue["spec"]
    assert spec["cohortName"] == "plano"
    assert spec["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "research"}}
    [group] = spec["resourceGroups"]
    assert group["coveredResources"] == ["cpu", "memory", "nvidia.com/gpu"]
    assert [flavor["name"] for flavor in group["flavors"]] == ["plano-h100-a", "plano-gb200-a"]
    assert group["flavors"][0]["resources"] == [
        {"name": "cpu", "nominalQuota": 13 * 1024, "borrowingLimit": 13 * 512, "lendingLimit": 13 * 512},
        {
            "name": "memory",
            "nominalQuota": f"{248 * 1024}Gi",
            "borrowingLimit": f"{248 * 512}Gi",
            "lendingLimit": f"{248 * 512}Gi",
        },
        {"name": "nvidia.com/gpu", "nominalQuota": 1024, "borrowingLimit": 512, "lendingLimit": 512},
    ]
    # The cluster's own queue keeps what the tenants' queues do not hold, so the cohort never
    # counts a GPU twice: h100-a 2048 - 1024 (research) - 768 (acme-labs).
    [shared] = [
        m.body
        for m in manifests(planned("plano"))
        if m.body["kind"] == "ClusterQueue" and m.body["metadata"]["name"] == "plano"
    ]
    assert shared["spec"]["cohortName"] == "plano"
    h100 = next(f for f in shared["spec"]["resourceGroups"][0]["flavors"] if f["name"] == "plano-h100-a")
    assert h100["resources"] == [
        {"name": "cpu", "nominalQuota": 13 * 256},
        {"name": "memory", "nominalQuota": f"{248 * 256}Gi"},
        {"name": "nvidia.com/gpu", "nominalQuota": 256},
    ]
    local = objects[("LocalQueue", "research")]
    assert local["metadata"]["namespace"] == "research"
    assert local["spec"] == {"clusterQueue": "tenant-research"}


def test_tenant_objects_validate(planned: Callable[[str], Plan]) -> None:
    bodies = [
        body
        for tenant in ("research", "inference", "acme-labs")
        for body in _objects(planned("plano"), tenant).values()
    ]
    assert len(bodies) == 10 + 9 + 9
    for body in bodies:
        if body["apiVersion"].startswith("kueue.x-k8s.io/"):
            assert check_custom_resource(body) == [], body["metadata"]
        else:
            for version in ("1.32", kubernetes_validate.latest_version()):
                kubernetes_validate.validate(body, version, strict=True)


# --- validation -------------------------------------------------------------------------------


def _plano(project: Project) -> dict[str, Any]:
    return copy.deepcopy(project.stack_config("plano")[CONFIG_KEY])


def _tenants(environment: dict[str, Any]) -> list[dict[str, Any]]:
    """Plano's one cluster's tenants."""
    tenants: list[dict[str, Any]] = environment["sites"][0]["clusters"][0]["tenants"]
    return tenants


INVENTORIES = Path(__file__).resolve().parents[2] / "stacks"  # plano's inventory/ CSVs


def _plan(environment: dict[str, Any]) -> Any:
    return plan_environment(parse_environment(environment), inventory_dir=INVENTORIES)


def _errors(environment: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(SpecError) as caught:
        _plan(environment)
    return [(f.code, f.path, f.message) for f in caught.value.errors]


def test_quotas_above_a_pools_gpus_fail_at_the_quota_that_crosses(project: Project) -> None:
    environment = _plano(project)
    _tenants(environment)[1]["gpus"][1]["gpus"] = (
        768  # inference: h200-a 256 -> 768; acme-labs holds 1024 of 1536
    )
    [error] = _errors(environment)
    assert error == (
        "GPUDC-TENANT-001",
        "sites[0].clusters[0].tenants[2].gpus[1].gpus",
        "tenants' nominal quotas in pool h200-a add up to 1792 GPUs, above its 1536 GPUs",
    )
    with pytest.raises(SpecError) as caught:
        _plan(environment)
    assert caught.value.errors[0].fix == (
        "lower the tenants' quotas in h200-a by 256 GPUs, or state tenant_gpu_overcommit: 1.17 on the cluster"
    )


def test_a_stated_overcommit_allows_it_and_the_fix_works(project: Project) -> None:
    environment = _plano(project)
    _tenants(environment)[1]["gpus"][1]["gpus"] = 768
    environment["sites"][0]["clusters"][0]["tenant_gpu_overcommit"] = 1.17  # what the fix says
    [cluster] = _plan(environment).clusters
    assert [tenant.name for tenant in cluster.tenants] == ["research", "inference", "acme-labs"]


def test_tenant_names_are_unique_across_the_environment(project: Project) -> None:
    environment = _plano(project)
    lab = copy.deepcopy(project.stack_config("lab")[CONFIG_KEY]["sites"][0])  # short form
    lab["tenants"] = [
        {
            "name": "research",
            "group": "lab",
            "gpus": [{"pool": "h100", "gpus": 8, "borrowing_limit": 0, "lending_limit": 0}],
        }
    ]
    environment["sites"].append(lab)
    assert _errors(environment) == [
        (
            "GPUDC-TENANT-002",
            "sites[1].tenants[0].name",
            "tenant 'research' is already a tenant at sites[0].clusters[0].tenants[0].name; a tenant's "
            "name is its namespace and queue, and reports count it once",
        )
    ]


def test_a_tenant_names_only_pools_of_its_cluster(project: Project) -> None:
    environment = _plano(project)
    _tenants(environment)[0]["gpus"][0]["pool"] = "h100-b"
    [error] = _errors(environment)
    assert error == (
        "GPUDC-TENANT-003",
        "sites[0].clusters[0].tenants[0].gpus[0].pool",
        "is not a pool of cluster plano",
    )


def test_validate_cli_reports_the_path(
    tmp_path: Path, scratch: Path, project: Project, gpudc_cli: Any
) -> None:
    import yaml

    environment = _plano(project)
    _tenants(environment)[0]["gpus"][0]["pool"] = "h100-b"
    config = {**project.stack_config("plano"), CONFIG_KEY: environment}  # with its BMC secrets
    (scratch / "stacks" / "Pulumi.bad.yaml").write_text(yaml.safe_dump({"config": config}))
    for command in ("validate", "plan"):
        result = gpudc_cli(
            command, "bad", "-C", str(scratch), *(["--out", str(tmp_path / "o")] if command == "plan" else [])
        )
        assert result.returncode == 2, result.stderr
        assert (
            "error GPUDC-TENANT-003 sites[0].clusters[0].tenants[0].gpus[0].pool: is not a pool of cluster plano"
            in " ".join(result.stderr.split())
        )


@pytest.mark.parametrize(
    ("tenant", "message"),
    [
        (
            {"gpus": [{"pool": "p", "gpus": 4, "borrowing_limit": 0, "lending_limit": 8}]},
            "gpus.0.lending_limit\n  8 is above the nominal quota (4); Kueue lends at most the nominal quota, "
            "so set lending_limit to 4 or less",
        ),
        ({"name": "kube-public"}, "names the namespace 'kube-public', which belongs to the cluster"),
        ({"name": "gpudc-system"}, "names the namespace 'gpudc-system', which belongs to the cluster"),
        (
            {"gpus": [{"pool": "p", "gpus": 1, "borrowing_limit": 0, "lending_limit": 0}] * 2},
            "names in gpus must be unique; rename ['p']",
        ),
    ],
)
def test_tenant_spec_refuses(tenant: dict[str, Any], message: str) -> None:
    base = {
        "name": "t",
        "group": "g",
        "gpus": [{"pool": "p", "gpus": 1, "borrowing_limit": 0, "lending_limit": 0}],
    }
    with pytest.raises(
        ValueError,
        match=re.escape(message),
    ):
        TenantSpec.model_validate({**base, **tenant})


def test_a_site_with_clusters_takes_tenants_inside_each_cluster(project: Project) -> None:
    environment = _plano(project)
    site = environment["sites"][0]
    site["tenants"] = site["clusters"][0].pop("tenants")
    with pytest.raises(SpecError) as caught:
        parse_environment(environment)
    assert [(f.path, f.message) for f in caught.value.errors] == [
        ("sites[0].tenants", "goes inside each of `clusters` when the site lists clusters")
    ]


def test_a_site_in_short_form_takes_its_tenants_itself(project: Project) -> None:
    environment = copy.deepcopy(project.stack_config("lab")[CONFIG_KEY])
    environment["sites"][0]["tenants"] = [
        {
            "name": "t",
            "group": "g",
            "gpus": [{"pool": "h100", "gpus": 40, "borrowing_limit": 0, "lending_limit": 0}],
        }
    ]
    assert _errors(environment) == [
        (
            "GPUDC-TENANT-001",
            "sites[0].tenants[0].gpus[0].gpus",
            "tenants' nominal quotas in pool h100 add up to 40 GPUs, above its 32 GPUs",
        )
    ]
    environment["sites"][0]["tenant_gpu_overcommit"] = 1.25
    [cluster] = _plan(environment).clusters
    assert [tenant.path for tenant in cluster.tenants] == ["sites[0].tenants[0]"]


# --- the component on its own -----------------------------------------------------------------


def test_tenant_queues_wait_for_what_it_is_given() -> None:
    spec = TenantSpec.model_validate(
        {
            "name": "t",
            "group": "g",
            "gpus": [{"pool": "p", "gpus": 8, "borrowing_limit": 0, "lending_limit": 0}],
        }
    )
    pool = PoolShare("p", "lab-p", 32, 4 * 112, 4 * 2048)
    [plan], findings = plan_tenants(
        [spec], [pool], site="lab", cluster="lab", cohort="lab", overcommit=1.0, path="tenants"
    )
    assert findings == []

    def program() -> None:
        kueue = pulumi.CustomResource("test:index:Kueue", "kueue", {})
        Tenant("lab-t", spec, plan=plan, depends_on=[kueue])

    recorded = plan_callable(program)
    kueue_urn = next(r.urn for r in recorded.resources if r.name == "kueue")
    by_name: dict[str, Registration] = {r.name: r for r in recorded.resources}
    assert kueue_urn in by_name["lab-t-cluster-queue"].depends_on
    assert kueue_urn in by_name["lab-t-local-queue"].depends_on
    assert by_name["lab-t-namespace"].depends_on == ()
    assert by_name["lab-t-quota"].inputs["spec"] == {
        "hard": {
            "requests.nvidia.com/gpu": "8",
            "requests.cpu": "112",
            "limits.cpu": "112",
            "requests.memory": "2048Gi",
            "limits.memory": "2048Gi",
        }
    }


def test_the_readme_tenant_example_is_a_valid_cluster_tenancy() -> None:
    import yaml

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("a cluster (or on a site in short form):\n\n```yaml\n", 1)[1].split("```", 1)[0]
    example = yaml.safe_load(block)
    assert example["tenant_gpu_overcommit"] == 1.0
    [tenant] = [TenantSpec.model_validate(item) for item in example["tenants"]]
    assert (tenant.name, tenant.registries[0].username) == ("research", "$oauthtoken")


def test_the_report_lists_each_tenants_gpus_per_pool(planned: Callable[[str], Plan]) -> None:
    from gpudc.preview.report import render_report

    plan = Plan.from_json(planned("plano").to_json())  # from plan.json alone
    assert plan.derived is not None
    [cluster] = plan.derived.sites[0].clusters
    assert [(t.name, t.namespace, [q.pool for q in t.quotas]) for t in cluster.tenants] == [
        ("research", "research", ["h100-a", "gb200-a"]),
        ("inference", "inference", ["l40s-inference", "h200-a"]),
        ("acme-labs", "acme-labs", ["h100-a", "h200-a", "gb200-a"]),
    ]
    report = render_report(plan)
    assert "| plano | research | plano:research | h100-a | 1,024 | 512 | 512 |" in report
    assert "| plano | acme-labs | acme:ml-platform | h200-a | 1,024 | 0 | 512 |" in report
    assert "### Tenants" not in render_report(planned("lab"))
