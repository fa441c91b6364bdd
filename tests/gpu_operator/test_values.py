"""Rendered chart values and custom resources use only upstream keys and fields; golden values.

Fixtures, each unmodified below a header naming its source:
- gpu-operator-v26.7.0-values.yaml: NVIDIA/gpu-operator tag v26.7.0, deployments/gpu-operator/values.yaml
- nvidia-dra-driver-gpu-v25.12.0-values.yaml: kubernetes-sigs/dra-driver-nvidia-gpu tag v25.12.0,
  deployments/helm/nvidia-dra-driver-gpu/values.yaml
Custom resources are validated against tests/crds (NVIDIADriver v1alpha1 from NVIDIA/gpu-operator
v26.7.0, ComputeDomain v1beta1 from kubernetes-sigs/dra-driver-nvidia-gpu v25.12.0; see its README).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gpudc.preview.plan import Plan
from gpudc.preview.render import helm_values
from tests.crds.schemas import check_custom_resource

HERE = Path(__file__).parent


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def key_paths(values: Any, prefix: str = "") -> Iterator[str]:
    """Every mapping key path (`driver.upgradePolicy.drain.enable`); lists and scalars are leaves."""
    if isinstance(values, dict):
        for key, value in values.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            yield from key_paths(value, path)


OPERATOR_KEYS = set(key_paths(_load(HERE / "gpu-operator-v26.7.0-values.yaml")))
DRA_KEYS = set(key_paths(_load(HERE / "nvidia-dra-driver-gpu-v25.12.0-values.yaml")))


def _release_values(plan: Plan, chart: str) -> list[dict[str, Any]]:
    return [
        r.inputs["values"]
        for r in plan.resources
        if r.type == "kubernetes:helm.sh/v3:Release" and r.inputs["chart"] == chart
    ]


def test_the_key_lists_are_the_upstream_files() -> None:
    # A truncated fixture would let any key through; these are keys the test relies on.
    assert {"driver.nvidiaDriverCRD.deployDefaultCR", "dcgmExporter.serviceMonitor.interval"} <= OPERATOR_KEYS
    assert "driver.useNvidiaDriverCRD" not in OPERATOR_KEYS  # the v26.7.0 key is nvidiaDriverCRD.enabled
    assert {"resources.computeDomains.enabled", "kubeletPlugin.tolerations", "nvidiaDriverRoot"} <= DRA_KEYS


@pytest.mark.parametrize("stack", ["lab", "gpu-sharing", "plano"])
def test_rendered_values_use_only_keys_of_the_pinned_charts(
    stack: str, planned: Callable[[str], Plan]
) -> None:
    plan = planned(stack)
    for values in _release_values(plan, "gpu-operator"):
        assert set(key_paths(values)) - OPERATOR_KEYS == set()
    for values in _release_values(plan, "nvidia-dra-driver-gpu"):
        assert set(key_paths(values)) - DRA_KEYS == set()


def _objects(plan: Plan, kind_type: str) -> list[dict[str, Any]]:
    return [
        {key: value for key, value in r.inputs.items() if key in ("apiVersion", "kind", "metadata", "spec")}
        for r in plan.resources
        if r.type == kind_type
    ]


def test_custom_resources_use_only_fields_of_their_upstream_crds(planned: Callable[[str], Plan]) -> None:
    plan = planned("gpu-sharing")
    drivers = _objects(plan, "kubernetes:nvidia.com/v1alpha1:NVIDIADriver")
    domains = _objects(plan, "kubernetes:resource.nvidia.com/v1beta1:ComputeDomain")
    assert len(drivers) == 4 and len(domains) == 1
    for body in [*drivers, *domains]:
        assert check_custom_resource(body) == []


def test_lab_helm_values_are_golden(planned: Callable[[str], Plan], snapshot: object) -> None:
    files = {path: text for path, text in helm_values(planned("lab")).items() if "gpu-operator" in path}
    (values,) = _release_values(planned("lab"), "gpu-operator")
    # One driver for the whole cluster in the chart values; no per-pool CRs, no sharing configs.
    assert values["driver"]["version"] == "595.91.07" and "nvidiaDriverCRD" not in values["driver"]
    assert values["mig"] == {"strategy": "single"} and "config" not in values["migManager"]
    assert values["dcgmExporter"]["serviceMonitor"]["enabled"] is False  # no Prometheus Operator stated
    assert files == snapshot


def test_gpu_sharing_helm_values_are_golden(planned: Callable[[str], Plan], snapshot: object) -> None:
    plan = planned("gpu-sharing")
    (values,) = _release_values(plan, "gpu-operator")
    assert values["driver"]["nvidiaDriverCRD"] == {"enabled": True, "deployDefaultCR": False}
    assert values["driver"]["upgradePolicy"]["maxUnavailable"] == "10%"
    assert values["driver"]["upgradePolicy"]["drain"]["enable"] is True
    assert values["migManager"]["config"] == {
        "create": False,
        "name": "gpudc-mig-parted-config",
        "default": "all-disabled",
    }
    assert values["devicePlugin"]["config"] == {
        "create": False,
        "name": "gpudc-device-plugin-config",
        "default": "default",
    }
    assert values["mig"] == {"strategy": "mixed"}
    assert values["dcgmExporter"] == {"enabled": True, "serviceMonitor": {"enabled": True, "interval": "15s"}}
    assert {"key": "gpudc.io/burn-in", "operator": "Exists", "effect": "NoSchedule"} in values["daemonsets"][
        "tolerations"
    ]
    (dra,) = _release_values(plan, "nvidia-dra-driver-gpu")
    assert dra["resources"] == {"gpus": {"enabled": False}, "computeDomains": {"enabled": True}}
    assert dra["nvidiaDriverRoot"] == "/run/nvidia/driver"
    assert {path: text for path, text in helm_values(plan).items() if "gpu-operator" in path} == snapshot
