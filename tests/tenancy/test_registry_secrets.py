"""Registry credentials reach a tenant only as Pulumi secrets: the offline plan reads a stack with a
`secure:` password without the passphrase, shows `[secret]`, and never the ciphertext; a password
in plain text or not set fails validation with its path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY
from gpudc.tenancy.component import docker_config
from gpudc.tenancy.spec import RegistryCredential

CIPHERTEXT = "v1:CANARY-NGC-CIPHERTEXT-41d2"


def _stack(project: Project, scratch: Path, password: Any) -> None:
    environment = copy.deepcopy(project.stack_config("lab")[CONFIG_KEY])
    environment["sites"][0]["tenants"] = [
        {
            "name": "team-a",
            "group": "lab:team-a",
            "gpus": [{"pool": "h100", "gpus": 16, "borrowing_limit": 16, "lending_limit": 8}],
            "registries": [{"server": "nvcr.io", "username": "$oauthtoken", "password_key": "ngc-api-key"}],
        }
    ]
    config: dict[str, Any] = {CONFIG_KEY: environment}
    if password is not None:
        config["gpudc:ngc-api-key"] = password
    (scratch / "stacks" / "Pulumi.lab.yaml").write_text(yaml.safe_dump({"config": config}))


def test_a_secure_registry_password_is_planned_without_the_passphrase(
    tmp_path: Path, scratch: Path, project: Project, gpudc_cli: Any
) -> None:
    _stack(project, scratch, {"secure": CIPHERTEXT})
    out = tmp_path / "out"
    result = gpudc_cli("plan", "lab", "-C", str(scratch), "--out", str(out), "--policies")
    assert result.returncode == 0, result.stderr
    secret = yaml.safe_load(
        (out / "manifests/lab-kubernetes/secret-team-a-registry-nvcr-io.yaml").read_text()
    )
    assert secret["type"] == "kubernetes.io/dockerconfigjson"
    assert secret["stringData"] == "[secret]"  # the whole login, not only the password
    assert secret["metadata"]["namespace"] == "team-a"
    for path in out.rglob("*"):
        if path.is_file():
            assert "CANARY-NGC" not in path.read_text(), path
    assert "CANARY-NGC" not in result.stdout + result.stderr
    assert "0 mandatory" in result.stdout  # secrets-from-pulumi-secrets keeps it


def test_a_plaintext_or_missing_registry_password_fails_with_its_path(
    tmp_path: Path, scratch: Path, project: Project, gpudc_cli: Any
) -> None:
    for password, how in (("hunter2", "holds in plain text"), (None, "does not set")):
        _stack(project, scratch, password)
        for command in ("validate", "plan"):
            extra = ["--out", str(tmp_path / "o")] if command == "plan" else []
            result = gpudc_cli(command, "lab", "-C", str(scratch), *extra)
            assert result.returncode == 2, result.stderr
            assert (
                "error GPUDC-TENANT-004 sites[0].tenants[0].registries[0].password_key: names "
                f"gpudc:ngc-api-key, which this stack's config {how}"
            ) in " ".join(result.stderr.split())
            assert "hunter2" not in result.stderr


def test_docker_config_is_the_kubernetes_dockerconfigjson_shape() -> None:
    registry = RegistryCredential(server="nvcr.io", username="$oauthtoken", password_key="k")
    assert docker_config(registry, "key") == (
        '{"auths": {"nvcr.io": {"auth": "JG9hdXRodG9rZW46a2V5", "password": "key", "username": "$oauthtoken"}}}'
    )


def test_the_component_keeps_a_password_secret_and_refuses_a_missing_one() -> None:
    import pytest

    from gpudc.preview.run import plan_callable
    from gpudc.tenancy.component import Tenant
    from gpudc.tenancy.quotas import PoolShare, plan_tenants
    from gpudc.tenancy.spec import TenantSpec

    spec = TenantSpec.model_validate(
        {
            "name": "t",
            "group": "g",
            "gpus": [{"pool": "p", "gpus": 8, "borrowing_limit": 0, "lending_limit": 0}],
            "registries": [{"server": "nvcr.io", "username": "$oauthtoken", "password_key": "k"}],
        }
    )
    [plan], _ = plan_tenants(
        [spec],
        [PoolShare("p", "p", 8, 112, 2048)],
        site="",
        cluster="c",
        cohort="c",
        overcommit=1.0,
        path="tenants",
    )
    # A plain value handed in by a careless caller is made secret all the same.
    recorded = plan_callable(
        lambda: Tenant("t", spec, plan=plan, registry_passwords={"k": "PLAIN-CANARY-77"})
    )
    assert "PLAIN-CANARY-77" not in recorded.to_json()
    [secret] = [r for r in recorded.resources if r.type == "kubernetes:core/v1:Secret"]
    assert secret.inputs["stringData"] == "[secret]"
    with pytest.raises(Exception, match=r"registry passwords \['k'\] were not passed"):
        plan_callable(lambda: Tenant("t", spec, plan=plan))
