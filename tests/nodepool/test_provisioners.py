"""The three provisioners under recording mocks, and the inventory checks before them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gpudc import SpecError, parse_environment, plan_environment
from gpudc.core.project import Project
from gpudc.environment.plan import SecretState
from gpudc.preview.plan import Plan
from gpudc.preview.run import plan_program, stack_config
from tests.crds.schemas import check_custom_resource
from tests.labstack import lab_without_inventory

HEADER = "node,rack,bmc_address,boot_mac,serial\n"


def _row(n: int, rack: str = "a-01", mac: str | None = None) -> str:
    return f"n{n},{rack},redfish+https://10.9.0.{n}/redfish/v1/Systems/1,{mac or f'02:00:00:00:00:{n:02x}'},SN{n}\n"


def _capi_lab(project: Project, inventory: str) -> dict[str, Any]:
    environment = lab_without_inventory(project)
    site = environment["sites"][0]
    access, operator = site.pop("kubernetes"), site.pop("gpu_operator")
    site["clusters"] = [
        {
            "name": "lab",
            "kubernetes": access,
            "management": {"type": "context", "context": "lab-mgmt"},
            "capi": {"name": "lab-cluster", "namespace": "lab"},
            "gpu_operator": operator,
        }
    ]
    site["pools"][0].update(
        inventory=inventory,
        provisioner={
            "type": "capi-metal3",
            "kubernetes_version": "v1.34.2",
            "image": {"url": "https://images.example/node.raw", "checksum": "a" * 64},
            "bmc": {"username_key": "bmc-user", "password_key": "bmc-pass"},
        },
    )
    return environment


def _secrets(key: str) -> SecretState:
    return SecretState.SECRET


def _write(tmp_path: Path, rows: str) -> Path:
    (tmp_path / "inv.csv").write_text(HEADER + rows)
    return tmp_path


def test_capi_metal3_registers_a_host_and_a_secret_per_inventory_row(project: Project, scratch: Path) -> None:
    environment = _capi_lab(project, "inventory/lab/h100.csv")  # 4 machines
    config = stack_config(
        {
            "gpudc:environment": environment,
            "gpudc:bmc-user": {"secure": "v1:x:admin"},
            "gpudc:bmc-pass": {"secure": "v1:x:hunter2"},
        }
    )
    plan = plan_program(scratch / "infra", "gpudc", "lab", config)
    kinds = Counter(r.type.rsplit(":", 1)[-1] for r in plan.resources if r.custom)
    assert (kinds["BareMetalHost"], kinds["Secret"]) == (4, 4)
    assert (kinds["MachineDeployment"], kinds["MachineHealthCheck"]) == (1, 1)
    assert (kinds["Metal3MachineTemplate"], kinds["KubeadmConfigTemplate"], kinds["Metal3DataTemplate"]) == (
        1,
        1,
        1,
    )
    assert kinds["Metal3ClusterPatch"] == 1
    providers = {r.urn: r.name for r in plan.resources if r.type == "pulumi:providers:kubernetes"}
    capi_kinds = {
        "BareMetalHost",
        "Secret",
        "MachineDeployment",
        "MachineHealthCheck",
        "Metal3MachineTemplate",
    }
    for resource in plan.resources:
        kind = resource.type.rsplit(":", 1)[-1]
        if kind in capi_kinds:
            assert providers[resource.provider] == "lab-management", resource.urn
            assert resource.inputs["metadata"]["namespace"] == "lab"
        if kind in ("ResourceFlavor", "ClusterQueue"):
            assert providers[resource.provider] == "lab-kubernetes", resource.urn
        if kind == "Secret":
            assert resource.inputs["stringData"] == "[secret]"
        if kind == "BareMetalHost":
            assert resource.options["replaceOnChanges"] == ["spec.bootMACAddress"]
            assert resource.inputs["metadata"]["labels"]["topology.gpudc.io/rack"] == "lab.a-01"
    bodies = {r.type.rsplit(":", 1)[-1]: r.inputs for r in plan.resources if r.custom}
    deployment = bodies["MachineDeployment"]["spec"]
    assert deployment["replicas"] == 4
    assert deployment["rollout"] == {
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}
    }
    assert deployment["template"]["spec"]["deletion"] == {"nodeDrainTimeoutSeconds": 1800}
    registration = bodies["KubeadmConfigTemplate"]["spec"]["template"]["spec"]["joinConfiguration"][
        "nodeRegistration"
    ]
    assert registration["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    assert registration["kubeletExtraArgs"][0]["value"].startswith(
        "metal3.io/uuid={{ ds.meta_data.uuid }},gpudc.io/hall=lab"
    )
    for kind in (
        "BareMetalHost",
        "MachineDeployment",
        "MachineHealthCheck",
        "Metal3MachineTemplate",
        "KubeadmConfigTemplate",
    ):
        resource = next(r for r in plan.resources if r.type.endswith(f":{kind}"))
        body = {"apiVersion": resource.type.split(":")[1], "kind": kind, **resource.inputs}
        assert check_custom_resource(body) == [], kind


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            _row(1) + _row(2, mac="02:00:00:00:00:01") + _row(3) + _row(4),
            "inv.csv, row 3, column boot_mac: 02:00:00:00:00:01 is also on row 2",
        ),
        (
            _row(1) + _row(2) + _row(3) + _row(4, rack="z-09"),
            "inv.csv, row 5, column rack: z-09 is not a rack of hall lab",
        ),
        (_row(1) + _row(2) + _row(3), "inv.csv has 3 machines, fewer than its 4 nodes"),
        (
            _row(1) + _row(2) + _row(3) + _row(4) + _row(5),
            "inv.csv, rows 2, 3, 4, 5, 6, column rack: rack a-01 of hall lab would hold 51 kW of the 50 kW",
        ),
        (
            _row(1).replace("redfish+https", "ipmi") + _row(2) + _row(3) + _row(4),
            "inv.csv, row 2, column bmc_address: uses ipmi scheme",
        ),
        (
            _row(1).replace("/Systems/1", "/Sys tems/1") + _row(2) + _row(3) + _row(4),
            "inv.csv, row 2, column bmc_address: is not a URL",
        ),
        (
            _row(1) + _row(2).replace("/Systems/1", "/Systems/1\x07") + _row(3) + _row(4),
            "inv.csv, row 3, column bmc_address: is not a URL",
        ),
    ],
)
def test_bad_inventories_name_file_row_and_column(
    project: Project, tmp_path: Path, rows: str, message: str
) -> None:
    spec = parse_environment(_capi_lab(project, "inv.csv"))
    with pytest.raises(SpecError) as caught:
        plan_environment(spec, secrets=_secrets, inventory_dir=_write(tmp_path, rows))
    assert any(message in str(issue) for issue in caught.value.issues), [str(i) for i in caught.value.issues]


def _cks_environment(pool: dict[str, Any]) -> dict[str, Any]:
    return {
        "sites": [
            {
                "name": "cw",
                "location": {"city": "Plano", "country": "US"},
                "region": "us-central",
                "zone": "cw-a",
                "pue": 1.3,
                "wue_l_per_kwh": 0.5,
                "grid_carbon_g_per_kwh": 334.1,
                "utilisation": 0.7,
                "kubernetes": {"type": "context", "context": "cks"},
                "gpu_operator": {"chart_version": "v26.7.0", "driver": {"mode": "operator"}},
                "pools": [{"placement": "managed", "provisioner": {"type": "cks"}, **pool}],
            }
        ]
    }


def test_gb200_autoscaling_on_cks_is_refused() -> None:
    pool = {
        "name": "gb200",
        "node_model": "gb200-nvl72",
        "nodes": 36,
        "provisioner": {"type": "cks", "autoscaling": {"min_nodes": 18, "max_nodes": 54}},
    }
    with pytest.raises(SpecError) as caught:
        plan_environment(parse_environment(_cks_environment(pool)))
    (issue,) = caught.value.issues
    assert issue.code == "GPUDC-CKS-002"
    assert issue.path == "sites[0].pools[0].provisioner.autoscaling"
    assert "CKS does not autoscale it" in str(issue)


def test_cks_node_pool_is_a_replace_on_instance_type(project: Project, scratch: Path) -> None:
    pool = {"name": "h100", "node_model": "hgx-h100-8gpu", "nodes": 8}
    environment = _cks_environment(pool)
    plan = plan_program(scratch / "infra", "gpudc", "cw", stack_config({"gpudc:environment": environment}))
    (nodepool,) = [
        r for r in plan.resources if r.type == "kubernetes:compute.coreweave.com/v1alpha1:NodePool"
    ]
    assert nodepool.options["replaceOnChanges"] == ["spec.instanceType"]
    assert nodepool.inputs["spec"]["instanceType"] == "gd-8xh100ib-i128"
    assert nodepool.inputs["spec"]["targetNodes"] == 8
    body = {"apiVersion": "compute.coreweave.com/v1alpha1", "kind": "NodePool", **nodepool.inputs}
    assert check_custom_resource(body) == []


def test_plano_machines_are_bare_metal_hosts(planned: Callable[[str], Plan]) -> None:
    plan = planned("plano")
    hosts = [r for r in plan.resources if r.type.endswith(":BareMetalHost")]
    # 672 nodes and the spares the inventories hold (4 + 4 + 2).
    assert len(hosts) == 682
    racks = {r.inputs["metadata"]["labels"]["topology.gpudc.io/rack"] for r in hosts if "gb200" in r.name}
    assert len(racks) == 8  # an NVL72 rack is one NVLink domain: 18 nodes share its label


def test_plano_topology_has_the_fabric_above_the_rack(planned: Callable[[str], Plan]) -> None:
    plan = planned("plano")
    (topology,) = [r for r in plan.resources if r.type.endswith(":Topology")]
    assert [level["nodeLabel"] for level in topology.inputs["spec"]["levels"]] == [
        "fabric.topograph.run/tier-1",
        "fabric.topograph.run/tier-0",
        "topology.gpudc.io/rack",
        "kubernetes.io/hostname",
    ]
    flavors = {
        r.inputs["metadata"]["name"]: r.inputs["spec"]
        for r in plan.resources
        if r.type.endswith(":ResourceFlavor")
    }
    # l40s-inference is on no fabric: its nodes lack the fabric labels, so its flavor names no topology.
    assert {name: "topologyName" in spec for name, spec in flavors.items()} == {
        "plano-h100-a": True,
        "plano-h200-a": True,
        "plano-gb200-a": True,
        "plano-l40s-inference": False,
    }
    host = next(r for r in plan.resources if r.type.endswith(":BareMetalHost") and "h100-a-a-01-01" in r.name)
    assert host.inputs["metadata"]["labels"]["fabric.topograph.run/tier-0"] == "h100-roce-su01"
    (sync,) = [r for r in plan.resources if r.type.endswith(":Metal3ClusterPatch")]
    assert sync.inputs["metadata"]["annotations"]["metal3.io/metal3-label-sync-prefixes"] == (
        "topology.gpudc.io,fabric.topograph.run,accelerator.topograph.run"
    )
