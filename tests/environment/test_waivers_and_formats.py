"""Warnings print and fail only under --strict; a waiver silences one and shows in the report;
`gpudc validate --format json` gives CI the findings as data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from gpudc import SpecError, parse_environment, plan_environment
from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY

# Where the stacks' inventories are (a pool's `inventory` path starts there).
STACKS = Path(__file__).resolve().parents[2] / "stacks"

UNSTATED = "sites[0].halls[0].network_rack_kw"


def _warning_lab(project: Project) -> dict[str, Any]:
    """The lab with one network rack whose power is not stated: a GPUDC-POWER-006 warning."""
    environment = yaml.safe_load(project.stack_file("lab").read_text())["config"][CONFIG_KEY]
    hall = environment["sites"][0]["halls"][0]
    hall["rows"] = [{"name": "a", "racks": 2}]
    hall["network_racks"] = 1
    return environment


@pytest.fixture
def stacks(scratch: Path, project: Project) -> Path:
    warned = _warning_lab(project)
    waived = {
        **warned,
        "waivers": [
            {"code": "GPUDC-POWER-006", "path": UNSTATED, "reason": "the lab switch is on a wall socket"}
        ],
    }
    for name, environment in (("warned", warned), ("waived", waived)):
        document = {"config": {CONFIG_KEY: environment}}
        (scratch / "stacks" / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(document))
    return scratch


def test_a_warning_prints_and_passes_but_fails_under_strict(stacks: Path, gpudc_cli: Any) -> None:
    plain = gpudc_cli("validate", "warned", "-C", str(stacks))
    assert plain.returncode == 0
    assert f"warning GPUDC-POWER-006 {UNSTATED}: hall lab reserves 1 network rack" in plain.stderr
    assert "1 warning(s), 0 waived" in plain.stdout
    strict = gpudc_cli("validate", "warned", "-C", str(stacks), "--strict")
    assert strict.returncode == 2
    assert "1 warning(s) fail under --strict" in strict.stderr
    planned = gpudc_cli("plan", "warned", "-C", str(stacks), "--strict")
    assert planned.returncode == 2 and not (stacks / "out").exists()


def test_a_waiver_silences_its_warning_and_shows_in_the_report(stacks: Path, gpudc_cli: Any) -> None:
    result = gpudc_cli("validate", "waived", "-C", str(stacks), "--strict")
    assert result.returncode == 0, result.stderr
    assert "0 warning(s), 1 waived" in result.stdout
    planned = gpudc_cli("plan", "waived", "-C", str(stacks), "--strict")
    assert planned.returncode == 0, planned.stderr
    report = (stacks / "out" / "waived" / "report.md").read_text()
    assert f"| GPUDC-POWER-006 | `{UNSTATED}` | hall lab reserves 1 network rack" in report
    assert "| the lab switch is on a wall socket |" in report


def test_validate_format_json(stacks: Path, gpudc_cli: Any) -> None:
    result = gpudc_cli("validate", "warned", "-C", str(stacks), "--format", "json")
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert document["ok"] is True
    assert [(f["code"], f["severity"], f["path"]) for f in document["findings"]] == [
        ("GPUDC-POWER-006", "warning", UNSTATED)
    ]
    bad = (stacks / "stacks" / "Pulumi.warned.yaml").read_text().replace("nodes: 4", "nodes: -4")
    (stacks / "stacks" / "Pulumi.bad.yaml").write_text(bad)
    failed = gpudc_cli("validate", "bad", "-C", str(stacks), "--format", "json")
    assert failed.returncode == 2
    document = json.loads(failed.stdout)
    assert document["ok"] is False
    assert {
        "code": "GPUDC-SPEC-001",
        "severity": "error",
        "path": "sites[0].pools[0].nodes",
        "message": "must be > 0",
        "fix": "",
        "value": "-4",
    } in document["findings"]


def test_an_error_cannot_be_waived_and_a_stale_waiver_warns(project: Project) -> None:
    environment = _warning_lab(project)
    environment["sites"][0]["pools"][0]["nodes"] = 8  # no rack left for the second four
    environment["waivers"] = [
        {"code": "GPUDC-RACK-002", "path": "sites[0].halls[0].rows", "reason": "we know, it is fine"},
        {"code": "GPUDC-POWER-004", "path": "sites[0].halls[9].rows", "reason": "a hall that is not there"},
    ]
    with pytest.raises(SpecError) as caught:
        plan_environment(parse_environment(environment), inventory_dir=STACKS)
    codes = [(issue.code, issue.path) for issue in caught.value.issues]
    assert ("GPUDC-RACK-002", "sites[0].halls[0].rows") in codes
    assert ("GPUDC-WAIVER-001", "waivers[0]") in codes
    assert ("GPUDC-WAIVER-002", "waivers[1]") in codes


def test_a_warning_is_waived_once(project: Project) -> None:
    environment = _warning_lab(project)
    waiver = {"code": "GPUDC-POWER-006", "path": UNSTATED, "reason": "the lab switch is on a wall socket"}
    environment["waivers"] = [waiver, waiver]
    with pytest.raises(SpecError) as caught:
        parse_environment(environment)
    assert [str(issue) for issue in caught.value.issues] == [
        f"waivers: each warning is waived once; [('GPUDC-POWER-006', '{UNSTATED}')] are waived more than "
        "once, keep one, got a list of 2"
    ]
