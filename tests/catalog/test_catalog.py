"""Catalog tests: pin the cited figures, the cross-references and the read-only guarantees.

The expected values here are copied from the documents cited in the catalog, so a figure edited
without its source fails a test rather than silently reaching a plan.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from gpudc.catalog import (
    GPU_MODELS,
    NODE_MODELS,
    CoolingType,
    Fabric,
    GpuArchitecture,
    GpuModel,
    NicGroup,
    NodeModel,
    cooling_rank,
    cooling_satisfies,
)

REQUIRED_GPUS = (
    "a100-sxm-80gb",
    "h100-sxm",
    "h100-nvl",
    "h200-sxm",
    "b200",
    "gb200",
    "l40s",
)
REQUIRED_NODES = (
    "hgx-a100-8gpu",
    "hgx-h100-8gpu",
    "hgx-h200-8gpu",
    "hgx-b200-8gpu",
    "gb200-nvl72",
    "l40s-pcie-8gpu",
)


# --- coverage and cross-references -------------------------------------------------------------


@pytest.mark.parametrize("key", REQUIRED_GPUS)
def test_required_gpu_is_catalogued(key: str) -> None:
    assert key in GPU_MODELS


@pytest.mark.parametrize("key", REQUIRED_NODES)
def test_required_node_is_catalogued(key: str) -> None:
    assert key in NODE_MODELS


@pytest.mark.parametrize("key", sorted(GPU_MODELS))
def test_gpu_key_matches_record_name(key: str) -> None:
    assert GPU_MODELS[key].name == key


@pytest.mark.parametrize("key", sorted(NODE_MODELS))
def test_node_key_matches_record_name(key: str) -> None:
    assert NODE_MODELS[key].name == key


@pytest.mark.parametrize("node", list(NODE_MODELS.values()), ids=lambda n: n.name)
def test_node_gpu_model_exists(node: NodeModel) -> None:
    assert node.gpu_model in GPU_MODELS


@pytest.mark.parametrize("node", list(NODE_MODELS.values()), ids=lambda n: n.name)
def test_node_gpus_divide_evenly_over_nodes(node: NodeModel) -> None:
    assert node.gpus_per_system % node.nodes_per_system == 0
    assert node.gpus_per_node * node.nodes_per_system == node.gpus_per_system


@pytest.mark.parametrize("node", list(NODE_MODELS.values()), ids=lambda n: n.name)
def test_node_has_management_network(node: NodeModel) -> None:
    assert node.nic_ports(Fabric.MANAGEMENT) >= node.nodes_per_system


# --- every record cites its source -------------------------------------------------------------


ALL_RECORDS: list[GpuModel | NodeModel] = [*GPU_MODELS.values(), *NODE_MODELS.values()]


@pytest.mark.parametrize("record", ALL_RECORDS, ids=lambda r: r.name)
def test_record_source_is_https(record: GpuModel | NodeModel) -> None:
    assert record.source.strip()
    assert record.source.startswith("https://")
    assert all(url.startswith("https://") for url in record.source.split())


# --- pinned figures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "field", "expected"),
    [
        # NVIDIA H100 SXM: up to 700 W, 80 GB, NVLink 4 at 900 GB/s.
        ("h100-sxm", "max_power_w", 700),
        ("h100-sxm", "memory_gib", 80),
        ("h100-sxm", "nvlink_generation", 4),
        ("h100-sxm", "nvlink_bandwidth_gbs", 900),
        ("h100-sxm", "architecture", GpuArchitecture.HOPPER),
        ("h100-nvl", "memory_gib", 94),
        ("h100-nvl", "max_power_w", 400),
        ("h200-sxm", "memory_gib", 141),
        ("h200-sxm", "max_power_w", 700),
        ("a100-sxm-80gb", "max_power_w", 400),
        ("a100-sxm-80gb", "min_driver_branch", 450),
        ("b200", "memory_gib", 180),
        ("b200", "max_power_w", 1000),
        ("b200", "min_driver_branch", 570),
        ("gb200", "memory_gib", 186),
        ("gb200", "max_power_w", 1200),
        ("gb200", "architecture", GpuArchitecture.BLACKWELL),
        ("l40s", "memory_gib", 48),
        ("l40s", "max_power_w", 350),
        ("l40s", "nvlink_generation", None),
        ("l40s", "architecture", GpuArchitecture.ADA_LOVELACE),
    ],
)
def test_gpu_figure(key: str, field: str, expected: object) -> None:
    assert getattr(GPU_MODELS[key], field) == expected


H100_80GB_MIG = ("1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb")


@pytest.mark.parametrize(
    ("key", "profiles"),
    [
        ("h100-sxm", H100_80GB_MIG),
        ("a100-sxm-80gb", H100_80GB_MIG),
        (
            "h100-nvl",
            ("1g.12gb", "1g.24gb", "2g.24gb", "3g.47gb", "4g.47gb", "7g.94gb"),
        ),
        (
            "h200-sxm",
            ("1g.18gb", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb"),
        ),
        ("b200", ("1g.23gb", "1g.45gb", "2g.45gb", "3g.90gb", "4g.90gb", "7g.180gb")),
        ("gb200", ("1g.23gb", "1g.47gb", "2g.47gb", "3g.93gb", "4g.93gb", "7g.186gb")),
    ],
)
def test_mig_profiles_exact(key: str, profiles: tuple[str, ...]) -> None:
    gpu = GPU_MODELS[key]
    assert gpu.mig_profiles == profiles
    assert gpu.supports_mig


@pytest.mark.parametrize("gpu", list(GPU_MODELS.values()), ids=lambda g: g.name)
def test_full_gpu_mig_profile_matches_memory(gpu: GpuModel) -> None:
    if gpu.supports_mig:
        assert gpu.mig_profiles[-1] == f"7g.{gpu.memory_gib}gb"


def test_l40s_has_no_mig() -> None:
    assert GPU_MODELS["l40s"].mig_profiles == ()
    assert not GPU_MODELS["l40s"].supports_mig


@pytest.mark.parametrize(
    ("key", "max_power_kw", "rack_units", "gpus", "cooling"),
    [
        ("hgx-a100-8gpu", 6.5, 6, 8, CoolingType.AIR),
        ("hgx-h100-8gpu", 10.2, 8, 8, CoolingType.AIR),
        ("hgx-h200-8gpu", 10.2, 8, 8, CoolingType.AIR),
        ("hgx-b200-8gpu", 14.3, 10, 8, CoolingType.AIR),
        ("gb200-nvl72", 120.0, 48, 72, CoolingType.DIRECT_LIQUID),
    ],
)
def test_node_figures(
    key: str, max_power_kw: float, rack_units: int, gpus: int, cooling: CoolingType
) -> None:
    node = NODE_MODELS[key]
    assert node.max_power_kw == pytest.approx(max_power_kw)
    assert node.rack_units == rack_units
    assert node.gpus_per_system == gpus
    assert node.cooling is cooling


def test_dgx_h100_matches_user_guide() -> None:
    node = NODE_MODELS["hgx-h100-8gpu"]
    assert node.max_power_kw == pytest.approx(10.2)
    assert (node.cpu_sockets, node.cpu_cores, node.memory_gib) == (2, 112, 2048)
    assert node.nic_ports(Fabric.COMPUTE) == 8
    compute = [g for g in node.nics if g.fabric is Fabric.COMPUTE]
    assert [(g.speed_gbps, g.model) for g in compute] == [(400, "ConnectX-7")]


def test_gb200_nvl72_is_rack_scale_and_liquid_cooled() -> None:
    node = NODE_MODELS["gb200-nvl72"]
    assert node.cooling is CoolingType.DIRECT_LIQUID
    assert node.gpus_per_system == 72
    assert node.nodes_per_system == 18
    assert node.gpus_per_node == 4
    assert node.cpu_sockets == 36
    assert node.nic_ports(Fabric.COMPUTE) == 72
    assert not cooling_satisfies(CoolingType.AIR, node.cooling)
    assert not cooling_satisfies(CoolingType.REAR_DOOR, node.cooling)


@pytest.mark.parametrize("node", list(NODE_MODELS.values()), ids=lambda n: n.name)
def test_node_power_covers_its_gpus(node: NodeModel) -> None:
    gpu_kw = GPU_MODELS[node.gpu_model].max_power_w * node.gpus_per_system / 1000
    assert node.max_power_kw > gpu_kw


# --- cooling order -----------------------------------------------------------------------------


def test_cooling_rank_is_weakest_to_strongest() -> None:
    ranks = [cooling_rank(c) for c in (CoolingType.AIR, CoolingType.REAR_DOOR, CoolingType.DIRECT_LIQUID)]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 3


@pytest.mark.parametrize(
    ("provided", "required", "ok"),
    [
        (CoolingType.AIR, CoolingType.AIR, True),
        (CoolingType.DIRECT_LIQUID, CoolingType.AIR, True),
        (CoolingType.REAR_DOOR, CoolingType.AIR, True),
        (CoolingType.AIR, CoolingType.REAR_DOOR, False),
        (CoolingType.REAR_DOOR, CoolingType.DIRECT_LIQUID, False),
        (CoolingType.DIRECT_LIQUID, CoolingType.DIRECT_LIQUID, True),
    ],
)
def test_cooling_satisfies(provided: CoolingType, required: CoolingType, ok: bool) -> None:
    assert cooling_satisfies(provided, required) is ok


# --- immutability ------------------------------------------------------------------------------


@pytest.mark.parametrize("mapping", [GPU_MODELS, NODE_MODELS], ids=["gpus", "nodes"])
def test_mappings_are_read_only(mapping: Any) -> None:
    key = next(iter(mapping))
    with pytest.raises(TypeError):
        mapping[key] = mapping[key]
    with pytest.raises(TypeError):
        mapping["new-key"] = mapping[key]
    with pytest.raises(TypeError):
        del mapping[key]


@pytest.mark.parametrize(
    ("record", "field", "value"),
    [
        (GPU_MODELS["h100-sxm"], "max_power_w", 1),
        (GPU_MODELS["l40s"], "mig_profiles", ("1g.10gb",)),
        (NODE_MODELS["gb200-nvl72"], "cooling", CoolingType.AIR),
        (NODE_MODELS["hgx-h100-8gpu"].nics[0], "count", 1),
    ],
    ids=["gpu-power", "gpu-mig", "node-cooling", "nic-count"],
)
def test_models_are_frozen(record: Any, field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        setattr(record, field, value)


# --- validation --------------------------------------------------------------------------------


def _node_fields(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = NODE_MODELS["hgx-h100-8gpu"].model_dump()
    fields.update(overrides)
    return fields


def _gpu_fields(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = GPU_MODELS["h100-sxm"].model_dump()
    fields.update(overrides)
    return fields


def test_node_rejects_gpus_not_divisible_by_nodes() -> None:
    with pytest.raises(ValidationError, match="not divisible by nodes_per_system"):
        NodeModel.model_validate(_node_fields(gpus_per_system=8, nodes_per_system=3))


def test_node_round_trips_through_dump() -> None:
    node = NODE_MODELS["gb200-nvl72"]
    assert NodeModel.model_validate(node.model_dump()) == node


def test_node_rejects_unknown_field() -> None:
    with pytest.raises(ValidationError):
        NodeModel.model_validate(_node_fields(colour="green"))


@pytest.mark.parametrize(
    "overrides",
    [
        {"nvlink_generation": None},
        {"nvlink_bandwidth_gbs": None},
        {"nvlink_generation": 6},
        {"mig_profiles": ("1g.10GB",)},
        {"source": "http://example.com/datasheet.pdf"},
        {"source": ""},
        {"name": "H100_SXM"},
        {"max_power_w": 0},
        {"max_power_w": "700"},
    ],
    ids=[
        "nvlink-gen-without-bandwidth",
        "nvlink-bandwidth-without-gen",
        "nvlink-gen-out-of-range",
        "mig-name-shape",
        "source-not-https",
        "source-empty",
        "name-not-dns-label",
        "power-zero",
        "power-not-int",
    ],
)
def test_gpu_rejects_bad_records(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        GpuModel.model_validate(_gpu_fields(**overrides))


def test_nic_group_rejects_zero_ports() -> None:
    with pytest.raises(ValidationError):
        NicGroup(fabric=Fabric.COMPUTE, count=0, speed_gbps=400, model="ConnectX-7")
