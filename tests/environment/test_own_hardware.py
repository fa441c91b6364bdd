"""Hardware of the stack file's own: a node model defined there is placed like a catalog one,
and a key defined there wins over the catalog's (precedence: stack file > catalog)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gpudc import NODE_MODELS, SpecError, parse_environment, plan_environment
from gpudc.core.project import Project
from tests.labstack import lab_without_inventory

# Where the stacks' inventories are (a pool's `inventory` path starts there).
STACKS = Path(__file__).resolve().parents[2] / "stacks"

ACME = {
    "name": "acme-h100-4gpu",
    "product_name": "ACME 4U H100 server",
    "gpu_model": "h100-sxm",
    "gpus_per_system": 4,
    "nodes_per_system": 1,
    "cpu_sockets": 2,
    "cpu_cores": 64,
    "memory_gib": 1024,
    "max_power_kw": 5.0,
    "rack_units": 4,
    "cooling": "air",
    "nics": [{"fabric": "compute", "count": 4, "speed_gbps": 400, "model": "ConnectX-7"}],
    "source": "https://example.com/acme-h100-4gpu-datasheet",
}


def _lab(project: Project) -> dict[str, Any]:
    return lab_without_inventory(project)


def test_own_node_model_is_placed(project: Project) -> None:
    environment = _lab(project)
    environment["node_models"] = {"acme-h100-4gpu": ACME}
    environment["sites"][0]["pools"][0].update(node_model="acme-h100-4gpu", nodes=8)
    site = plan_environment(parse_environment(environment), inventory_dir=STACKS).sites["lab"]
    pool = site.pool("h100")
    # 50 kW / 5 kW = 10 systems by power, 42U / 4U = 10 by space: 8 systems fit one rack.
    racks = pool.capacity.racks
    assert (pool.gpus, len(racks), racks[0].power_kw) == (32, 1, 40.0)


def test_own_model_wins_over_the_catalog(project: Project) -> None:
    environment = _lab(project)
    lighter = {**NODE_MODELS["hgx-h100-8gpu"].model_dump(mode="json"), "max_power_kw": 5.0}
    environment["node_models"] = {"hgx-h100-8gpu": lighter}
    environment["sites"][0]["pools"][0]["nodes"] = 5  # 5 x 8U = 40U, 25 kW: fits only with the override
    pool = plan_environment(parse_environment(environment), inventory_dir=STACKS).sites["lab"].pool("h100")
    assert pool.capacity.footprint.it_power_kw == pytest.approx(25.0)
    assert pool.node_model.max_power_kw == 5.0


def test_a_model_whose_name_differs_from_its_key_is_refused(project: Project) -> None:
    # Defect: nodes were labelled with the key and the report showed the name.
    environment = _lab(project)
    environment["node_models"] = {"acme-h100-4gpu": {**ACME, "name": "acme-other"}}
    with pytest.raises(SpecError) as caught:
        parse_environment(environment)
    assert [str(issue) for issue in caught.value.issues] == [
        "node_models: each model's `name` must equal its key; set name to the key for ['acme-h100-4gpu']"
    ]


def test_own_models_are_listed_as_overrides_in_the_derived_block(project: Project) -> None:
    from gpudc.environment.figures import environment_derived

    environment = _lab(project)
    lighter = {**NODE_MODELS["hgx-h100-8gpu"].model_dump(mode="json"), "max_power_kw": 5.0}
    environment["node_models"] = {"hgx-h100-8gpu": lighter, "acme-h100-4gpu": ACME}
    derived = environment_derived(plan_environment(parse_environment(environment), inventory_dir=STACKS))
    assert [(m.key, m.replaces_catalog) for m in derived.model_overrides] == [
        ("acme-h100-4gpu", False),
        ("hgx-h100-8gpu", True),
    ]


def test_own_model_with_an_unknown_gpu_is_reported_at_the_pool(project: Project) -> None:
    environment = _lab(project)
    environment["node_models"] = {"acme-h100-4gpu": {**ACME, "gpu_model": "h300"}}
    environment["sites"][0]["pools"][0]["node_model"] = "acme-h100-4gpu"
    with pytest.raises(SpecError) as caught:
        plan_environment(parse_environment(environment), inventory_dir=STACKS)
    # Said once, at the model's own field, used by a pool or not (it used to be at the pool).
    assert [issue.path for issue in caught.value.issues] == ["node_models['acme-h100-4gpu'].gpu_model"]
    assert "names GPU model 'h300', which is neither in the catalog" in caught.value.issues[0].message
