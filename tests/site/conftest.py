"""Builders for small, hand-checkable sites: plain dicts with per-test overrides.

The defaults are the site the capacity tests compute by hand: one rear-door hall `h1` of
2 rows x 3 racks (45 kW, 42U) with 1 network rack drawing 0 kW (stated, so no GPUDC-POWER-006
warning fires by default), and one pool of 10 HGX H100 servers.
"""

from __future__ import annotations

from typing import Any

import pytest

from gpudc.site.spec import SiteSpec


class SiteBuilder:
    """`build.site(halls=[build.hall(power_kw=100)], pools=[build.pool(nodes=4)])`."""

    @staticmethod
    def hall(**overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": "h1",
            "power_kw": 200,
            "cooling": "rear-door",
            "rack_power_kw": 45,
            "rack_units": 42,
            "rows": [{"name": "a", "racks": 3}, {"name": "b", "racks": 3}],
            "network_racks": 1,
            "network_rack_kw": 0,
        }
        data.update(overrides)
        return data

    @staticmethod
    def pool(**overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": "h100",
            "hall": "h1",
            "node_model": "hgx-h100-8gpu",
            "nodes": 10,
            "provisioner": {"type": "existing"},
        }
        data.update(overrides)
        return data

    @classmethod
    def data(cls, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": "lab",
            "location": {"city": "Plano", "country": "US", "subdivision": "TX"},
            "region": "us-central",
            "zone": "lab-a",
            "utility_power_mw": 1.0,
            "pue": 1.4,
            "wue_l_per_kwh": 0.5,
            "grid_carbon_g_per_kwh": 334.1,
            "utilisation": 0.7,
            "power_headroom": 0.1,
            "kubernetes": {"type": "context", "context": "gpudc-lab"},
            "halls": [cls.hall()],
            "pools": [cls.pool()],
            "gpu_operator": {"chart_version": "v26.7.0", "driver": {"mode": "operator"}},
        }
        data.update(overrides)
        return data

    @classmethod
    def site(cls, **overrides: Any) -> SiteSpec:
        return SiteSpec.model_validate(cls.data(**overrides))


@pytest.fixture(scope="session")
def build() -> type[SiteBuilder]:
    return SiteBuilder
