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
from gpudc.catalog.listing import COLUMNS, catalog_rows, markdown_table

REQUIRED_GPUS = (
    "a100-sxm-80gb",
    "h100-sxm",
    "h100-nvl",
    "h200-sxm",
    "b200",
    "gb200",
    "h200-nvl",
    "b300",
    "gb300",
    "l40s",
)
REQUIRED_NODES = (
    "hgx-a100-8gpu",
    "hgx-h100-8gpu",
    "hgx-h200-8gpu",
    "hgx-b200-8gpu",
    "gb200-nvl72",
    "hgx-b300-8gpu",
    "gb300-nvl72",
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
        # GPU Operator v25.10.0 release notes (NVIDIA/cloud-native-docs release-notes.rst)
        ("b300", ("1g.34gb", "1g.67gb", "2g.67gb", "3g.135gb", "4g.135gb", "7g.269gb")),
        ("gb300", ("1g.35gb", "1g.70gb", "2g.70gb", "3g.139gb", "4g.139gb", "7g.278gb")),
        ("h200-nvl", ("1g.18gb", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb")),
    ],
)
def test_mig_profiles_exact(key: str, profiles: tuple[str, ...]) -> None:
    gpu = GPU_MODELS[key]
    assert gpu.mig_profiles == profiles
    assert gpu.supports_mig


@pytest.mark.parametrize(
    ("key", "branch", "version"),
    [
        # NVIDIA: "HGX B200 requires a driver container version of 570.133.20 or later"
        ("b200", 570, "570.133.20"),
        ("gb200", 570, "570.133.20"),
        ("b300", 580, "580.82.07"),
        ("gb300", 580, "580.82.07"),
        ("h100-sxm", 525, None),
    ],
)
def test_driver_minimums(key: str, branch: int, version: str | None) -> None:
    assert (GPU_MODELS[key].min_driver_branch, GPU_MODELS[key].min_driver_version) == (branch, version)


@pytest.mark.parametrize("model", [*GPU_MODELS.values(), *NODE_MODELS.values()], ids=lambda m: m.name)
def test_unverified_notes_name_fields_of_their_record(model: GpuModel | NodeModel) -> None:
    fields = {note.split(": ", 1)[0] for note in model.unverified}
    assert fields <= set(type(model).model_fields) - {"unverified", "source", "name"}


def test_a_full_minimum_below_its_branch_is_refused() -> None:
    fields: dict[str, object] = {**GPU_MODELS["b300"].model_dump(), "min_driver_version": "570.133.20"}
    with pytest.raises(
        ValidationError, match=r"min_driver_version 570\.133\.20 is older than min_driver_branch 580"
    ):
        GpuModel.model_validate(fields)


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


# --- every number is bounded and finite --------------------------------------------------------
# The bounds are far above any system built (reasons beside each field in catalog/models.py);
# they keep a stack file's own model from overflowing placement arithmetic.


def _rejected_fields(model: type[GpuModel | NodeModel | NicGroup], fields: dict[str, object]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(fields)
    return {".".join(str(part) for part in error["loc"]) for error in caught.value.errors()}


@pytest.mark.parametrize(
    ("field", "highest", "too_high"),
    [
        ("gpus_per_system", 1024, 1025),
        ("cpu_sockets", 1024, 1025),
        ("cpu_cores", 262_144, 262_145),
        ("memory_gib", 1_048_576, 1_048_577),
        ("rack_units", 60, 61),
        ("max_power_kw", 2000.0, 2000.001),
    ],
)
def test_node_number_upper_bound(field: str, highest: float, too_high: float) -> None:
    assert getattr(NodeModel.model_validate(_node_fields(**{field: highest})), field) == highest
    assert _rejected_fields(NodeModel, _node_fields(**{field: too_high})) == {field}


def test_nodes_per_system_upper_bound() -> None:
    # gpus_per_system must divide evenly, so 1,024 GPUs over 1,024 nodes is the largest system
    node = NodeModel.model_validate(_node_fields(gpus_per_system=1024, nodes_per_system=1024))
    assert node.gpus_per_node == 1
    assert _rejected_fields(NodeModel, _node_fields(gpus_per_system=1024, nodes_per_system=1025)) == {
        "nodes_per_system"
    }


@pytest.mark.parametrize(
    "value",
    [5e-324, 0.0, 0.009, -1.0, 1e308, 2000.01, float("inf"), float("-inf"), float("nan"), 10**400],
    ids=[
        "subnormal",
        "zero",
        "below-10-w",
        "negative",
        "1e308",
        "above-2-mw",
        "inf",
        "-inf",
        "nan",
        "huge-int",
    ],
)
def test_node_power_must_be_finite_and_between_10_w_and_2_mw(value: float) -> None:
    assert _rejected_fields(NodeModel, _node_fields(max_power_kw=value)) == {"max_power_kw"}


def test_node_power_at_its_lowest_bound_is_accepted() -> None:
    assert NodeModel.model_validate(_node_fields(max_power_kw=0.01)).max_power_kw == 0.01


@pytest.mark.parametrize("value", [10**400, 2**63, 1025], ids=["huge", "2-63", "1025"])
def test_gpus_per_system_huge_is_refused(value: int) -> None:
    assert _rejected_fields(NodeModel, _node_fields(gpus_per_system=value)) == {"gpus_per_system"}


@pytest.mark.parametrize(
    ("field", "lowest", "highest", "too_low", "too_high"),
    [
        ("memory_gib", 1, 4096, 0, 4097),
        ("max_power_w", 10, 10_000, 9, 10_001),
        ("nvlink_bandwidth_gbs", 1, 100_000, 0, 100_001),
        ("min_driver_branch", 100, 999, 99, 1000),
    ],
)
def test_gpu_number_bounds(field: str, lowest: int, highest: int, too_low: int, too_high: int) -> None:
    for ok in (lowest, highest):
        assert getattr(GpuModel.model_validate(_gpu_fields(**{field: ok})), field) == ok
    for bad in (too_low, too_high, 10**400):
        assert _rejected_fields(GpuModel, _gpu_fields(**{field: bad})) == {field}


def test_gpu_mig_profiles_are_at_most_32() -> None:
    assert len(GpuModel.model_validate(_gpu_fields(mig_profiles=("1g.10gb",) * 32)).mig_profiles) == 32
    assert _rejected_fields(GpuModel, _gpu_fields(mig_profiles=("1g.10gb",) * 33)) == {"mig_profiles"}


@pytest.mark.parametrize(
    ("field", "highest", "too_high"),
    [("count", 1024, 1025), ("speed_gbps", 3200, 3201)],
)
def test_nic_number_upper_bound(field: str, highest: int, too_high: int) -> None:
    fields: dict[str, object] = {"fabric": "compute", "count": 8, "speed_gbps": 400, "model": "ConnectX-7"}
    assert getattr(NicGroup.model_validate({**fields, field: highest}), field) == highest
    assert _rejected_fields(NicGroup, {**fields, field: too_high}) == {field}


@pytest.mark.parametrize(
    ("model", "fields", "field", "longest"),
    [
        (GpuModel, _gpu_fields, "product_name", 200),
        (NodeModel, _node_fields, "product_name", 200),
        (GpuModel, _gpu_fields, "source", 4000),
    ],
    ids=["gpu-product", "node-product", "gpu-source"],
)
def test_text_fields_are_bounded(model: Any, fields: Any, field: str, longest: int) -> None:
    def text(length: int) -> str:
        return "https://example.com/" + "a" * (length - 20) if field == "source" else "x" * length

    assert len(getattr(model.model_validate(fields(**{field: text(longest)})), field)) == longest
    assert _rejected_fields(model, fields(**{field: text(longest + 1)})) == {field}


@pytest.mark.parametrize("record", ALL_RECORDS, ids=lambda r: r.name)
def test_catalog_records_round_trip_within_the_bounds(record: GpuModel | NodeModel) -> None:
    # every catalogued figure satisfies the bounds a stack file's own model is held to
    assert type(record).model_validate(record.model_dump()) == record


# --- the catalog as rows (`gpudc catalog`) -----------------------------------------------------


def test_catalog_rows_are_every_node_model_sorted_with_the_columns_in_order() -> None:
    rows = catalog_rows()
    assert [row["key"] for row in rows] == sorted(NODE_MODELS)
    assert all(tuple(row) == COLUMNS for row in rows)


def test_catalog_row_of_the_h100() -> None:
    (row,) = [row for row in catalog_rows() if row["key"] == "hgx-h100-8gpu"]
    assert row == {
        "key": "hgx-h100-8gpu",
        "product": "NVIDIA DGX H100",
        "gpu": "h100-sxm",
        "gpus_per_system": 8,
        "nodes_per_system": 1,
        "max_power_kw": 10.2,
        "rack_units": 8,
        "cooling": "air",
        "min_driver_branch": 525,
        "mig_profiles": list(H100_80GB_MIG),
    }


def test_catalog_row_of_a_model_whose_gpu_is_unknown() -> None:
    custom = NODE_MODELS["hgx-h100-8gpu"].model_copy(update={"name": "my-box", "gpu_model": "h999"})
    (row,) = catalog_rows({"my-box": custom}, GPU_MODELS)
    assert (row["key"], row["gpu"], row["min_driver_branch"], row["mig_profiles"]) == (
        "my-box",
        "h999",
        None,
        [],
    )


def test_markdown_table() -> None:
    rows = [row for row in catalog_rows() if row["key"] in ("gb200-nvl72", "l40s-pcie-8gpu")]
    assert markdown_table(rows) == (
        "| key | product | gpu | gpus_per_system | nodes_per_system | max_power_kw | rack_units | cooling "
        "| min_driver_branch | mig_profiles |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        "| gb200-nvl72 | NVIDIA DGX GB200 NVL72 | gb200 | 72 | 18 | 120.0 | 48 | direct-liquid | 570 "
        "| 1g.23gb, 1g.47gb, 2g.47gb, 3g.93gb, 4g.93gb, 7g.186gb |\n"
        "| l40s-pcie-8gpu | Supermicro SYS-521GE-TNRT with 8x NVIDIA L40S | l40s | 8 | 1 | 5.0 | 5 | air "
        "| 535 |  |\n"
    )
