"""RoCE leaf configurations for a small stack: golden, with targeted assertions beside it."""

from __future__ import annotations

from typing import Any

from gpudc.environment.load import parse_environment
from gpudc.environment.plan import plan_environment
from gpudc.network.switchconfig import leaf_configs

SMALL: dict[str, Any] = {
    "sites": [
        {
            "name": "lab",
            "location": {"city": "Plano", "country": "US", "subdivision": "TX"},
            "region": "us-central",
            "zone": "lab-a",
            "utility_power_mw": 0.3,
            "pue": 1.4,
            "wue_l_per_kwh": 0.5,
            "grid_carbon_g_per_kwh": 334.1,
            "utilisation": 0.7,
            "kubernetes": {"type": "context", "context": "gpudc-lab"},
            "gpu_operator": {
                "chart_version": "v26.7.0",
                "driver": {"mode": "operator"},
                "mig_strategy": "single",
            },
            "halls": [
                {
                    "name": "lab",
                    "power_kw": 100,
                    "cooling": "rear-door",
                    "rack_power_kw": 50,
                    "rack_units": 42,
                    "rows": [{"name": "a", "racks": 2}],
                    "network_racks": 1,
                }
            ],
            "pools": [
                {
                    "name": "h100",
                    "hall": "lab",
                    "node_model": "hgx-h100-8gpu",
                    "nodes": 4,
                    "provisioner": {"type": "existing"},
                }
            ],
            "network": {
                "supernets": ["10.200.0.0/16"],
                "pod_prefix": 20,
                "allocation_order": ["cluster/lab", "pool/h100"],
                "fabrics": [
                    {"name": "roce", "switch": "sn5600", "pools": ["h100"], "leaf_asn_base": 4200000100}
                ],
            },
        }
    ]
}


def configs() -> dict[str, str]:
    plan = plan_environment(parse_environment(SMALL))
    network = plan.sites["lab"].network
    assert network is not None
    return leaf_configs(network, site="lab")


def test_one_config_per_leaf(snapshot: Any) -> None:
    files = configs()
    # 4 nodes fill one SU of 64 slots: 8 leaves (one per rail), each its own file.
    assert sorted(files) == [f"network/lab/roce/roce-su01-r{rail}.nvue" for rail in range(8)]
    assert files["network/lab/roce/roce-su01-r3.nvue"] == snapshot


def test_leaf_identity_ports_and_rail_gateway() -> None:
    text = configs()["network/lab/roce/roce-su01-r3.nvue"]
    lines = text.splitlines()
    assert "nv set router bgp autonomous-system 4200000103" in lines  # base + leaf number 3
    assert "nv set interface swp1-64 link breakout 2x" in lines  # 64 x 800G cages as 128 x 400G
    assert "nv set vrf rail3" in lines
    access = [line for line in lines if "bridge domain br_default access 100" in line]
    assert [line.split()[3] for line in access] == ["swp1s0", "swp1s1", "swp2s0", "swp2s1"]
    assert sum('"unused node slot' in line for line in lines) == 60
    neighbours = [line for line in lines if line.endswith("remote-as external")]
    assert len(neighbours) == 64  # every uplink, spread over 4 spines
    assert lines[-1] == "nv config apply"


def test_artifact_paths_stay_under_network() -> None:
    import pydantic
    import pytest

    from gpudc.environment.derived import Artifact

    assert Artifact(path="network/lab/roce/roce-su01-r0.nvue", text="").path.endswith(".nvue")
    for bad in ("../etc/passwd.nvue", "network/../x.nvue", "/network/a.nvue", "network/a/b.txt"):
        with pytest.raises(pydantic.ValidationError):
            Artifact(path=bad, text="")
