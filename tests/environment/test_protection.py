"""Protection: the environment's `protection` reaches exactly the resources whose loss hurts (pool
flavors, CKS NodePools, BareMetalHosts and their BMC Secrets, GPU Operator namespaces and
releases, gpudc-system namespaces), as `protect` or `retainOnDelete`, and nothing else."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY
from gpudc.preview.plan import Plan
from gpudc.preview.run import plan_program, stack_config


def _guarded(plan: Plan, option: str) -> list[tuple[str, str]]:
    return sorted((r.type.rsplit(":", 1)[-1], r.name) for r in plan.resources if r.options.get(option))


def _lab(project: Project, protection: str | None) -> dict[str, Any]:
    environment = copy.deepcopy(project.stack_config("lab")[CONFIG_KEY])
    if protection is not None:
        environment["protection"] = protection
    return environment


def _plan(project: Project, environment: dict[str, Any], **config: Any) -> Plan:
    return plan_program(project.main, "gpudc", "lab", stack_config({CONFIG_KEY: environment, **config}))


LAB_GUARDED = [
    ("Namespace", "gpudc-lab-lab-gpu-operator-namespace"),
    ("Namespace", "gpudc-lab-lab-system"),
    ("Release", "gpudc-lab-lab-gpu-operator-release"),
    ("ResourceFlavor", "gpudc-lab-lab-h100-flavor"),
]


def test_plano_protects_what_hurts_to_lose(planned: Callable[[str], Plan]) -> None:
    plan = planned("plano")
    guarded = _guarded(plan, "protect")
    # Every inventory row (672 nodes and 10 spares) is a BareMetalHost with its BMC Secret.
    assert Counter(kind for kind, _ in guarded) == {
        "BareMetalHost": 682,
        "Secret": 682,
        "ResourceFlavor": 4,
        "Namespace": 2,
        "Release": 1,
    }
    assert [item for item in guarded if item[0] in ("Namespace", "Release")] == [
        ("Namespace", "gpudc-plano-plano-gpu-operator-namespace"),
        ("Namespace", "gpudc-plano-plano-system"),
        ("Release", "gpudc-plano-plano-gpu-operator-release"),
    ]
    assert ("BareMetalHost", "gpudc-plano-plano-h100-a-host-h100-a-a-01-01") in guarded
    assert _guarded(plan, "retainOnDelete") == []


def test_the_lab_protects_nothing(planned: Callable[[str], Plan]) -> None:
    plan = planned("lab")
    assert _guarded(plan, "protect") == _guarded(plan, "retainOnDelete") == []


@pytest.mark.parametrize(("protection", "option"), [("protect", "protect"), ("retain", "retainOnDelete")])
def test_the_same_resources_under_either_guard(project: Project, protection: str, option: str) -> None:
    plan = _plan(project, _lab(project, protection))
    assert _guarded(plan, option) == LAB_GUARDED
    other = "retainOnDelete" if option == "protect" else "protect"
    assert _guarded(plan, other) == []


def test_cks_node_pools_bare_metal_hosts_and_bmc_secrets_are_guarded(project: Project) -> None:
    environment = _lab(project, "retain")
    site = environment["sites"][0]
    access, operator = site.pop("kubernetes"), site.pop("gpu_operator")
    site["clusters"] = [
        {
            "name": "metal",
            "kubernetes": access,
            "management": {"type": "context", "context": "capi-mgmt"},
            "capi": {"name": "metal", "namespace": "metal"},
            "gpu_operator": operator,
        },
        {"name": "cks", "kubernetes": {"type": "context", "context": "cks"}, "gpu_operator": operator},
    ]
    site["pools"][0].update(
        cluster="metal",
        provisioner={
            "type": "capi-metal3",
            "kubernetes_version": "v1.34.2",
            "image": {"url": "https://images.example.com/ubuntu.raw", "checksum": "a" * 64},
            "bmc": {"username_key": "bmc-user", "password_key": "bmc-password"},
        },
    )
    site["pools"].append(
        {
            "name": "cks-h200",
            "cluster": "cks",
            "placement": "managed",
            "node_model": "hgx-h200-8gpu",
            "nodes": 8,
            "provisioner": {"type": "cks"},
        }
    )
    secret = {"secure": "v1:AAAA"}
    plan = _plan(project, environment, **{"gpudc:bmc-user": secret, "gpudc:bmc-password": secret})
    guarded = _guarded(plan, "retainOnDelete")
    kinds = [kind for kind, _ in guarded]
    assert kinds.count("BareMetalHost") == kinds.count("Secret") == 4  # a host and its BMC login per row
    assert ("NodePool", "gpudc-lab-cks-cks-h200-nodepool") in guarded
    # Templates and the MachineDeployment roll over by replacement: never guarded.
    assert not {"Metal3MachineTemplate", "MachineDeployment", "KubeadmConfigTemplate"} & set(kinds)
