"""The compatibility matrix (pure): every invalid combination fails at its path, naming the allowed values."""

from __future__ import annotations

from typing import Any

import pytest

from gpudc import GPU_MODELS, GpuOperatorSpec, SpecError
from gpudc.core.findings import Severity
from gpudc.gpu_operator import versions
from gpudc.gpu_operator.spec import PoolGpuSpec
from gpudc.gpu_operator.versions import (
    BURN_IN_TAINT,
    DEVICE_PLUGIN_CONFIG_LABEL,
    MIG_CONFIG_LABEL,
    OperatorPool,
    plan_operator,
)
from gpudc.nodepool.spec import GPU_TAINT


def spec(**fields: Any) -> GpuOperatorSpec:
    return GpuOperatorSpec.model_validate(
        {"chart_version": "v26.7.0", "driver": {"mode": "operator"}, **fields}
    )


def pool(name: str, gpu: str, gpu_spec: dict[str, Any] | None = None, **fields: Any) -> OperatorPool:
    return OperatorPool(
        name,
        GPU_MODELS[gpu],
        (GPU_TAINT,),
        PoolGpuSpec.model_validate(gpu_spec or {}),
        path="sites[0].pools[0]",
        gpu_key=gpu,
        **fields,
    )


def issues(operator: GpuOperatorSpec, pools: list[OperatorPool], **kwargs: Any) -> list[tuple[str, str]]:
    with pytest.raises(SpecError) as caught:
        plan_operator(operator, pools, **kwargs)
    return [(issue.code, str(issue)) for issue in caught.value.issues]


@pytest.mark.parametrize(
    ("operator", "pools", "kwargs", "expected"),
    [
        pytest.param(
            spec(driver={"mode": "operator", "version": "580.65.06"}),
            [pool("b300", "b300")],
            {},
            [
                (
                    "GPUDC-DRIVER-005",
                    "gpu_operator.driver.version: driver 580.65.06 is older than 580.82.07, the minimum for "
                    "NVIDIA B300 (HGX B300) 288GB HBM3e, 269GB exposed (pool b300), got '580.65.06'; use driver "
                    "580.82.07 or newer, such as GPU Operator v26.7.0's default 595.91.07",
                )
            ],
            id="full-version-minimum-b300",
        ),
        pytest.param(
            spec(chart_version="v26.3.3", driver={"mode": "host", "version": "570.124.06"}),
            [pool("b200", "b200")],
            {},
            [
                (
                    "GPUDC-DRIVER-005",
                    "gpu_operator.driver.version: driver 570.124.06 is older than 570.133.20, the minimum for "
                    "NVIDIA B200 (HGX B200) 180GB (pool b200), got '570.124.06'; use driver 570.133.20 or newer, "
                    "such as GPU Operator v26.3.3's default 580.126.20",
                )
            ],
            id="full-version-minimum-b200",
        ),
        pytest.param(
            spec(),
            [pool("b300", "b300", {"driver": {"version": "570.195.03"}})],
            {},
            [
                (
                    "GPUDC-DRIVER-003",
                    "sites[0].pools[0].gpu.driver.version: driver branch 570 is not supported by GPU Operator "
                    "v26.7.0 (supports 610, 595, 580, 535), got '570.195.03'; use a driver of branch 610, 595, "
                    "580 (supported by GPU Operator v26.7.0 and new enough for every pool's GPU)",
                ),
                (
                    "GPUDC-DRIVER-004",
                    "sites[0].pools[0].gpu.driver.version: driver 570.195.03 (branch 570) is older than branch "
                    "580, the first that supports NVIDIA B300 (HGX B300) 288GB HBM3e, 269GB exposed (pool b300), "
                    "got '570.195.03'; use a driver of branch 610, 595, 580 (supported by GPU Operator v26.7.0 "
                    "and new enough for every pool's GPU)",
                ),
            ],
            id="pool-driver-vs-its-own-gpu",
        ),
        pytest.param(
            spec(),
            [pool("h200", "h200-sxm", {"mig": {"devices": {"1g.10gb": 7}}})],
            {},
            [
                (
                    "GPUDC-MIG-002",
                    "sites[0].pools[0].gpu.mig.devices: profile 1g.10gb is not one NVIDIA H200 SXM5 141GB offers "
                    "(1g.18gb, 1g.35gb, 2g.35gb, 3g.71gb, 4g.71gb, 7g.141gb), got '1g.10gb'; use profiles the "
                    "pool's GPU offers; `gpudc catalog` lists them",
                ),
                (
                    "GPUDC-MIG-004",
                    "sites[0].pools[0].gpu.mig.devices: the cluster's gpu_operator.mig_strategy is 'none', so the "
                    "MIG devices would not be advertised; set gpu_operator.mig_strategy to 'single' (one profile "
                    "per node) or 'mixed'",
                ),
            ],
            id="mig-profile-vs-gpu",
        ),
        pytest.param(
            spec(mig_strategy="single"),
            [pool("h100", "h100-sxm", {"mig": {"devices": {"3g.40gb": 2, "2g.20gb": 1}}})],
            {},
            [
                (
                    "GPUDC-MIG-003",
                    "sites[0].pools[0].gpu.mig.devices: the layout takes 8 compute slices; a GPU has 7; lower "
                    "the counts so (slices of each profile x count) adds up to 7 or less",
                ),
                (
                    "GPUDC-MIG-005",
                    "sites[0].pools[0].gpu.mig.devices: the 'single' strategy advertises one profile per node, "
                    "and the layout has 2; use one profile, or set gpu_operator.mig_strategy to 'mixed'",
                ),
            ],
            id="mig-slices-and-single-strategy",
        ),
        pytest.param(
            spec(mig_strategy="mixed"),
            [pool("l40s", "l40s", {"mig": {"devices": {"1g.10gb": 1}}})],
            {},
            [
                (
                    "GPUDC-MIG-002",
                    "sites[0].pools[0].gpu.mig.devices: profile 1g.10gb is not one NVIDIA L40S 48GB offers "
                    "(none (the GPU has no MIG)), got '1g.10gb'; remove `gpu.mig`: this pool's GPU cannot be "
                    "partitioned",
                ),
                (
                    "GPUDC-MIG-001",
                    "gpu_operator.mig_strategy: no pool of this cluster has a MIG-capable GPU, got 'mixed'; "
                    "set it to 'none'",
                ),
            ],
            id="mig-on-a-gpu-without-mig",
        ),
        pytest.param(
            spec(),
            [pool("h100", "h100-sxm")],
            {"kubernetes_version": "1.29", "kubernetes_path": "sites[0].kubernetes_version"},
            [
                (
                    "GPUDC-OPERATOR-001",
                    "sites[0].kubernetes_version: Kubernetes 1.29 is outside GPU Operator v26.7.0's supported "
                    "range (1.32 to 1.36), got '1.29'; run Kubernetes 1.32 to 1.36",
                )
            ],
            id="chart-vs-kubernetes-none-fits",
        ),
        pytest.param(
            spec(chart_version="v26.3.1"),
            [pool("h100", "h100-sxm")],
            {"kubernetes_version": "1.36.1"},
            [
                (
                    "GPUDC-OPERATOR-001",
                    "kubernetes_version: Kubernetes 1.36.1 is outside GPU Operator v26.3.1's supported range "
                    "(1.32 to 1.35), got '1.36.1'; run Kubernetes 1.32 to 1.35, or use GPU Operator v26.7.0, "
                    "v26.3.2, v26.3.3",
                )
            ],
            id="chart-vs-kubernetes-newer-release-fits",
        ),
        pytest.param(
            spec(chart_version="v26.1.0", driver={"mode": "operator", "version": "580.95.05"}),
            [pool("h100", "h100-sxm")],
            {},
            [
                (
                    "GPUDC-DRIVER-002",
                    "gpu_operator.chart_version: is not a release gpudc knows (v26.7.0, v26.3.0, v26.3.1, "
                    "v26.3.2, v26.3.3, v25.10.0, v25.10.1), got 'v26.1.0'; use one of v26.7.0, v26.3.0, v26.3.1, "
                    "v26.3.2, v26.3.3, v25.10.0, v25.10.1 (a newer release is added to gpudc's catalog with its "
                    "sources)",
                )
            ],
            id="unknown-chart-even-with-a-pinned-driver",
        ),
        pytest.param(
            spec(nvlink_domains={"namespace": "training"}),
            [pool("gb300", "gb300", nodes=18, nodes_per_system=18)],
            {"kubernetes_version": "1.31"},
            [
                (
                    "GPUDC-OPERATOR-001",
                    "kubernetes_version: Kubernetes 1.31 is outside GPU Operator v26.7.0's supported range (1.32 "
                    "to 1.36), got '1.31'; run Kubernetes 1.32 to 1.36, or use GPU Operator v25.10.0, v25.10.1",
                ),
                (
                    "GPUDC-DRA-001",
                    "kubernetes_version: NVIDIA's DRA driver (ComputeDomains) needs Kubernetes 1.32 or newer, "
                    "got '1.31'; upgrade the cluster to Kubernetes 1.32 or newer, or remove "
                    "gpu_operator.nvlink_domains",
                ),
            ],
            id="dra-kubernetes-floor",
        ),
        pytest.param(
            spec(),
            [pool("b300", "b300", {"validation": {"burn_in": "enabled"}})],
            {},
            [
                (
                    "GPUDC-VALIDATION-001",
                    "sites[0].pools[0].gpu.validation.burn_in: the burn-in gate lifts the taint with the kubectl "
                    "image of the cluster's Kubernetes version, and the cluster does not state it, got 'enabled'; "
                    'set kubernetes_version to the version the cluster runs (e.g. "1.34")',
                )
            ],
            id="burn-in-needs-a-stated-version",
        ),
        pytest.param(
            spec(nvlink_domains={"namespace": "training"}),
            [pool("gb300", "gb300", nodes=18, nodes_per_system=18)],
            {},
            [
                (
                    "GPUDC-DRA-001",
                    "kubernetes_version: NVIDIA's DRA driver (ComputeDomains) needs Kubernetes 1.32 or newer; "
                    "the cluster does not state its version; set the cluster's kubernetes_version to the "
                    "version it runs (1.32 or newer)",
                ),
            ],
            id="dra-needs-a-stated-version",
        ),
    ],
)
def test_invalid_combinations(
    operator: GpuOperatorSpec,
    pools: list[OperatorPool],
    kwargs: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    assert issues(operator, pools, **kwargs) == expected


def test_a_gpu_newer_than_the_release_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every release gpudc knows supports every catalog GPU today; the check guards the next GPU.
    monkeypatch.setattr(versions, "GPU_FIRST_OPERATOR_RELEASE", {"b300": "v26.3.0"})
    assert issues(spec(chart_version="v25.10.1"), [pool("b300", "b300")]) == [
        (
            "GPUDC-OPERATOR-002",
            "gpu_operator.chart_version: GPU Operator v25.10.1 predates NVIDIA B300 (HGX B300) 288GB HBM3e, "
            "269GB exposed (pool b300), first supported in v26.3.0, got 'v25.10.1'; use GPU Operator v26.7.0, "
            "v26.3.0, v26.3.1, v26.3.2, v26.3.3",
        )
    ]


def test_the_b300_minimum_is_met_at_580_82_07_exactly() -> None:
    plan = plan_operator(spec(driver={"mode": "host", "version": "580.82.07"}), [pool("b300", "b300")])
    assert plan.driver_version == "580.82.07"


def test_nvlink_domains_without_a_rack_scale_pool_warn() -> None:
    plan = plan_operator(
        spec(nvlink_domains={"namespace": "training"}), [pool("h100", "h100-sxm")], kubernetes_version="1.34"
    )
    assert [(f.code, f.severity, f.path) for f in plan.findings] == [
        ("GPUDC-DRA-002", Severity.WARNING, "gpu_operator.nvlink_domains")
    ]
    assert not plan.nvlink_domains


def test_each_pool_gets_its_own_driver_labels_and_taints() -> None:
    pools = [
        pool("h100", "h100-sxm", {"mig": {"devices": {"1g.10gb": 3, "2g.20gb": 2}}}),
        pool("l40s", "l40s", {"time_slicing": {"replicas": 4}}),
        pool("b300", "b300", {"driver": {"version": "580.95.05"}, "validation": {"burn_in": "enabled"}}),
        pool("gb300", "gb300", nodes=36, nodes_per_system=18),
    ]
    plan = plan_operator(
        spec(mig_strategy="mixed", nvlink_domains={"namespace": "training"}), pools, kubernetes_version="1.34"
    )
    got = {
        p.name: (p.driver_version, p.own_driver, dict(p.labels), p.registration_taints, p.nvlink_domains)
        for p in plan.pools
    }
    assert got == {
        "h100": ("595.91.07", False, {MIG_CONFIG_LABEL: "gpudc-h100"}, (GPU_TAINT,), 0),
        "l40s": ("595.91.07", False, {DEVICE_PLUGIN_CONFIG_LABEL: "gpudc-l40s"}, (GPU_TAINT,), 0),
        "b300": ("580.95.05", True, {}, (GPU_TAINT, BURN_IN_TAINT), 0),
        "gb300": ("595.91.07", False, {}, (GPU_TAINT,), 2),
    }
    assert plan.per_pool_drivers and plan.nvlink_domains
    # The operator's daemonsets must reach nodes still in burn-in (to install their driver).
    assert ("gpudc.io/burn-in", "NoSchedule") in plan.tolerated_taints
    assert plan.pool("h100").mig_devices == (("1g.10gb", 3), ("2g.20gb", 2))
