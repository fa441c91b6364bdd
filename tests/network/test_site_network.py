"""The site's `network` block through the whole plan: fabrics sized, halls loaded, labels, and
the findings a stack author meets (each with its numbers and a fix that works)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from gpudc.core.errors import SpecError
from gpudc.environment.load import parse_environment
from gpudc.environment.plan import EnvironmentPlan, plan_environment
from gpudc.network.ipam import fleet_overlaps

ROOT = Path(__file__).resolve().parents[2]


def plano() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "stacks" / "Pulumi.plano.yaml").read_text())
    return copy.deepcopy(data["config"]["gpudc:environment"])


def plan(environment: dict[str, Any]) -> EnvironmentPlan:
    return plan_environment(parse_environment(environment), inventory_dir=ROOT / "stacks")


def errors(environment: dict[str, Any]) -> list[Any]:
    with pytest.raises(SpecError) as caught:
        plan(environment)
    return [issue for issue in caught.value.issues if issue.is_error]


def test_plano_fabrics_and_their_halls() -> None:
    site = plan(plano()).sites["plano"]
    assert site.network is not None
    figures = {
        f.name: (f.hall, f.plan.tiers, f.plan.sus, f.plan.leaves, f.plan.spines, f.plan.cores)
        for f in site.network.fabrics
    }
    assert figures == {
        # 256 nodes, SN5600 at 400GbE = 128 ports: 64-node SUs, 4 SU, 32 leaves, 16 spines.
        "h100-roce": ("h1", 2, 4, 32, 16, 0),
        # 192 nodes + UFM = 193 slots = 7 SU of 32: 56 leaves; 28 spines' ports -> 32 (divides 32).
        "h200-ib": ("h2", 2, 7, 56, 32, 0),
        # 144 GB200 nodes of 4 rails: 145 slots = 5 SU, 20 leaves, 16 spines.
        "gb200-ib": ("h4", 2, 5, 20, 16, 0),
    }
    halls = {hall.name: hall.reserved_kw for hall in site.capacity.halls}
    # The switches replace network_racks x network_rack_kw; storage racks stay as stated.
    assert halls["h1"] == pytest.approx(48 * 3.0 + 4 * 12)
    assert halls["h2"] == pytest.approx(88 * 1.72 + 3 * 12)
    assert halls["h3"] == pytest.approx(2 * 15)  # no fabric: the stated figure
    assert halls["h4"] == pytest.approx(36 * 1.72)


def test_fabric_labels_and_nvlink_domains_per_node() -> None:
    site = plan(plano()).sites["plano"]
    gb200 = site.pool("gb200-a").network
    assert gb200 is not None and gb200.fabric == "gb200-ib"
    assert dict(gb200.node_labels[0]) == {
        "fabric.topograph.run/tier-0": "gb200-ib-su01",
        "fabric.topograph.run/tier-1": "gb200-ib-spine",
        "accelerator.topograph.run/domain": "gb200-a-nvl01",
    }
    assert dict(gb200.node_labels[143])["fabric.topograph.run/tier-0"] == "gb200-ib-su05"
    assert dict(gb200.node_labels[18])["accelerator.topograph.run/domain"] == "gb200-a-nvl02"
    inference = site.pool("l40s-inference").network
    assert inference is not None and inference.fabric is None and inference.node_labels == ()
    assert len(site.pool("h100-a").network.rails) == 8  # type: ignore[union-attr]


def test_pool_larger_than_its_fabric_fails_with_the_numbers_and_the_fix() -> None:
    environment = plano()
    fabric = environment["sites"][0]["network"]["fabrics"][1]
    fabric["max_tiers"] = 2
    environment["sites"][0]["pools"][1]["nodes"] = 256  # h200-a: one more slot than two tiers hold
    found = [e for e in errors(environment) if e.code == "GPUDC-NET-007"]
    assert [(e.path, e.message, e.fix) for e in found] == [
        (
            "sites[0].network.fabrics[1].pools",
            "fabric h200-ib: pools h200-a have 256 nodes of 8 x 400 Gb/s ports (2,048 ports), but 2 tiers "
            "of qm9700 (64 ports each) connect at most 255 nodes (2,040 ports, one node slot kept for UFM)",
            "set sites[0].network.fabrics[1].max_tiers to 3 or split the pools over fabrics of at most 255 nodes",
        )
    ]
    fabric["max_tiers"] = 3  # the fix
    with pytest.raises(SpecError) as caught:
        plan(environment)
    assert "GPUDC-NET-007" not in {issue.code for issue in caught.value.issues}


def test_too_few_network_racks_for_the_switches() -> None:
    environment = plano()
    environment["sites"][0]["halls"][1]["network_racks"] = 3
    [found] = [e for e in errors(environment) if e.code == "GPUDC-NET-009"]
    assert found.path == "sites[0].halls[1].network_racks"
    assert found.message == (
        "hall h2: fabric h200-ib has 88 switches taking 88U and 151.4 kW; 3 network racks of 42U "
        "and 45 kW hold 126U and 135.0 kW"
    )
    assert found.fix == "set sites[0].halls[1].network_racks to at least 4"


def test_fabric_names_a_pool_the_site_lacks() -> None:
    environment = plano()
    environment["sites"][0]["network"]["fabrics"][0]["pools"] = ["h100-b"]
    [found] = errors(environment)
    assert found.path == "sites[0].network.fabrics[0].pools[0]"
    assert "names pool 'h100-b', which the site does not have" in found.message


def test_a_copy_of_plano_overlaps_naming_both_files_and_ranges() -> None:
    plans = [("stacks/Pulumi.plano.yaml", plan(plano())), ("stacks/Pulumi.plano-copy.yaml", plan(plano()))]
    [found] = fleet_overlaps([entry for file, each in plans for entry in each.address_plans(file)])
    assert found.code == "GPUDC-NET-005"
    assert found.message.startswith(
        "stacks/Pulumi.plano-copy.yaml site plano cluster/plano/pods 10.72.0.0/13 overlaps "
        "stacks/Pulumi.plano.yaml site plano cluster/plano/pods 10.72.0.0/13 ("
    )


def test_two_sites_of_one_file_must_not_overlap() -> None:
    environment = plano()
    twin = copy.deepcopy(environment["sites"][0])
    twin["name"] = "plano-b"
    twin["clusters"][0]["name"] = "plano-b"
    twin["clusters"][0]["kubernetes"] = {"type": "context", "context": "plano-b"}
    twin["network"]["allocation_order"][0] = "cluster/plano-b"
    environment["sites"].append(twin)
    found = [e for e in errors(environment) if e.code == "GPUDC-NET-005"]
    assert [e.path for e in found] == ["sites[1].network.supernets"]
    assert found[0].message.startswith("this stack file site plano-b cluster/plano-b/pods")


def test_validate_cli_reports_the_fabric_finding(scratch: Path, gpudc_cli: Callable[..., Any]) -> None:
    text = (ROOT / "stacks" / "Pulumi.plano.yaml").read_text()
    text = text.replace(
        "{name: h200-ib, switch: qm9700, pools: [h200-a]}", "{name: h200-ib, switch: qm9800, pools: [h200-a]}"
    )
    (scratch / "stacks" / "Pulumi.plano.yaml").write_text(text)
    result = gpudc_cli("validate", "plano", "-C", str(scratch))
    assert result.returncode == 2
    assert (
        "GPUDC-NET-006 sites[0].network.fabrics[1].switch: switch model 'qm9800' is not in the catalog, "
        "got 'qm9800'; use one of ['qm9700', 'sn5600']"
    ) in result.stdout + result.stderr


def lab_with_network(network: dict[str, Any]) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "stacks" / "Pulumi.lab.yaml").read_text())
    environment = copy.deepcopy(data["config"]["gpudc:environment"])
    environment["sites"][0]["network"] = network
    return environment


def test_inventory_bmcs_must_lie_in_the_pools_oob_subnet() -> None:
    # The lab's inventory gives BMCs 10.90.0.11-14; a network elsewhere puts its OOB subnet elsewhere.
    network = {
        "supernets": ["10.200.0.0/16"],
        "pod_prefix": 20,
        "allocation_order": ["cluster/lab", "pool/h100"],
    }
    with pytest.raises(SpecError) as caught:
        plan_environment(parse_environment(lab_with_network(network)), inventory_dir=ROOT / "stacks")
    found = [issue for issue in caught.value.issues if issue.code == "GPUDC-NET-010"]
    assert len(found) == 4
    assert found[0].path == "sites[0].pools[0].inventory"
    assert found[0].message == (
        "inventory/lab/h100.csv line 2: node lab-h100-01's BMC 10.90.0.11 is outside the pool's "
        "out-of-band subnet 10.200.32.32/28"
    )
    assert found[0].fix == "give the BMC an address in 10.200.32.32/28 (from 10.200.32.33) and update the row"
    # A plan whose OOB subnet holds them: the BMCs' /28 comes first in a supernet of its own.
    network = {
        "supernets": ["10.90.0.0/28", "10.200.0.0/16"],
        "pod_prefix": 20,
        "allocation_order": ["pool/h100", "cluster/lab"],
    }
    plan = plan_environment(parse_environment(lab_with_network(network)), inventory_dir=ROOT / "stacks")
    assert str(plan.sites["lab"].pool("h100").network.oob.network) == "10.90.0.0/28"  # type: ignore[union-attr]


def test_kueue_levels_above_rack_for_a_cluster_on_a_fabric() -> None:
    cluster = plan(plano()).sites["plano"].clusters[0]
    assert cluster.network is not None
    assert cluster.network.fabric_levels == ("fabric.topograph.run/tier-1", "fabric.topograph.run/tier-0")


def test_fleet_check_names_both_stack_files_and_ranges() -> None:
    from gpudc.network.plan import address_space_overlap

    spec = parse_environment(plano())
    fleet = {"stacks/Pulumi.plano.yaml": spec, "stacks/Pulumi.plano-copy.yaml": spec}
    [found] = address_space_overlap(fleet)
    assert found.code == "GPUDC-NET-005"
    assert found.path == "stacks/Pulumi.plano.yaml:sites[0].network.supernets"
    assert found.message.startswith(
        "stacks/Pulumi.plano.yaml site plano cluster/plano/pods 10.72.0.0/13 overlaps "
        "stacks/Pulumi.plano-copy.yaml site plano cluster/plano/pods 10.72.0.0/13 ("
    )
    assert address_space_overlap({"stacks/Pulumi.plano.yaml": spec}) == []


def test_validate_all_refuses_a_copy_of_plano(scratch: Path, gpudc_cli: Callable[..., Any]) -> None:
    import shutil

    for name in ("plano", "plano-copy"):
        shutil.copy(ROOT / "stacks" / "Pulumi.plano.yaml", scratch / "stacks" / f"Pulumi.{name}.yaml")
    result = gpudc_cli("validate", "--all", "-C", str(scratch))
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert (
        "error GPUDC-NET-005 stacks/Pulumi.plano.yaml:sites[0].network.supernets: stacks/Pulumi.plano.yaml "
        "site plano cluster/plano/pods 10.72.0.0/13 overlaps stacks/Pulumi.plano-copy.yaml site plano "
        "cluster/plano/pods 10.72.0.0/13 (39 overlapping subnet pairs)"
    ) in output
