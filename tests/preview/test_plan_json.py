"""plan.json v1: format, options, component inputs, the typed derived block, and a report that
renders from the file alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from gpudc.core.errors import SpecError
from gpudc.core.project import Project
from gpudc.preview.output import write_plan
from gpudc.preview.plan import PLAN_FORMAT, Plan
from gpudc.preview.render import manifests
from gpudc.preview.report import render_report
from gpudc.preview.run import plan_callable

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "own-program"


def test_plan_json_has_its_format_and_reads_back_identically(planned: Callable[[str], Plan]) -> None:
    plan = planned("plano")
    document = json.loads(plan.to_json())
    assert document["format"] == PLAN_FORMAT == "gpudc.plan/v1"
    assert document["derived"]["format"] == "gpudc.derived/v1"
    assert Plan.from_json(plan.to_json()).to_json() == plan.to_json()


def test_the_report_renders_from_a_plan_json_file_alone(
    planned: Callable[[str], Plan], tmp_path: Path
) -> None:
    plan = planned("plano")
    write_plan(plan, tmp_path)
    from_file = Plan.from_json((tmp_path / "plan.json").read_text())  # no program runs
    assert render_report(from_file) == (tmp_path / "report.md").read_text()
    assert "## Site plano (us-central / plano-a)" in render_report(from_file)


def test_numbers_keep_their_type_in_the_derived_block(planned: Callable[[str], Plan]) -> None:
    document = json.loads(planned("lab").to_json())
    hall = document["derived"]["sites"][0]["halls"][0]
    # 50 kW was typed as a whole number; it is a power figure, so it stays a float (protobuf
    # carries every number as a double, and the plan used to print it as 50).
    assert isinstance(hall["power_kw"], float) and hall["power_kw"] == 50.0
    assert isinstance(hall["racks_total"], int)


def test_options_that_matter_are_recorded() -> None:
    def program() -> None:
        parent = pulumi.ComponentResource("x:y:Parent", "p")
        k8s.core.v1.Namespace(
            "ns",
            metadata={"name": "ns"},
            opts=pulumi.ResourceOptions(
                parent=parent,
                protect=True,
                retain_on_delete=True,
                delete_before_replace=True,
                ignore_changes=["metadata.labels"],
                replace_on_changes=["spec.x"],
                aliases=[pulumi.Alias(name="old-ns")],
            ),
        )

    plan = plan_callable(program)
    namespace = next(r for r in plan.resources if r.name == "ns")
    assert namespace.options == {
        "protect": True,
        "retainOnDelete": True,
        "deleteBeforeReplace": True,
        "ignoreChanges": ["metadata.labels"],
        "replaceOnChanges": ["spec.x"],
        "aliases": ["urn:pulumi:stack::project::x:y:Parent$kubernetes:core/v1:Namespace::old-ns"],
    }
    assert next(r for r in plan.resources if r.name == "p").options == {}


def test_a_childs_alias_follows_its_renamed_parent() -> None:
    """The engine gives a child an alias per alias of its parent, its name prefix swapped."""

    def program() -> None:
        parent = pulumi.ComponentResource(
            "x:y:Parent", "new", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old")])
        )
        pulumi.ComponentResource("x:y:Child", "new-child", opts=pulumi.ResourceOptions(parent=parent))

    child = next(r for r in plan_callable(program).resources if r.name == "new-child")
    assert child.options["aliases"] == ["urn:pulumi:stack::project::x:y:Parent$x:y:Child::old-child"]


def test_an_auto_named_object_is_written_not_crashed_on() -> None:
    # Defect: a user resource without metadata.name crashed manifest rendering (KeyError).
    def program() -> None:
        k8s.core.v1.ConfigMap("settings", data={"a": "b"})

    files = [manifest.filename for manifest in manifests(plan_callable(program))]
    assert files == ["default/configmap-cluster-settings-AUTONAMED.yaml"]


def test_a_library_programs_report_renders(gpudc_cli: Any, tmp_path: Path) -> None:
    # Defect: `gpudc plan -C examples/own-program dev` crashed rendering the report (UndefinedError).
    result = gpudc_cli("plan", "dev", "-C", str(EXAMPLE), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "report.md").read_text()
    assert "## Site research (us-central / research-a)" in report
    assert "| h200 | research | h1 | hgx-h200-8gpu | h200-sxm | 8 | 64 | 2 | 81.6 |" in report


def test_a_program_without_a_derived_block_still_gets_a_report() -> None:
    plan = plan_callable(lambda: pulumi.export("anything", {"x": 1}))
    assert "publishes no `derived` block" in render_report(plan)


def test_a_malformed_derived_block_is_a_finding_not_a_crash() -> None:
    with pytest.raises(SpecError) as caught:
        plan_callable(lambda: pulumi.export("derived", {"sites": "plano"}))
    assert str(caught.value.issues[0]) == "outputs.derived.sites: must be a list, got 'plano'"


def test_plan_of_a_gpudc_stack_agrees_with_validate(project: Project, scratch: Path, gpudc_cli: Any) -> None:
    # Defect: a misspelt `gpudc:environment` (or no `config:` wrapper) gave a traceback from
    # `plan` while `validate` was clean.
    lab = project.stack_file("lab").read_text()
    cases = {
        "typo": lab.replace("gpudc:environment:", "gpudc:enviroment:"),
        "nowrapper": lab.replace("config:\n  gpudc:environment:", "gpudc:environment:"),
    }
    for stack, text in cases.items():
        (scratch / "stacks" / f"Pulumi.{stack}.yaml").write_text(text)
        validate = gpudc_cli("validate", stack, "-C", str(scratch))
        plan = gpudc_cli("plan", stack, "-C", str(scratch))
        assert validate.returncode == plan.returncode == 2, (validate.stderr, plan.stderr)
        assert "Traceback" not in validate.stderr + plan.stderr
        first = validate.stderr.splitlines()[0]
        assert first in plan.stderr.splitlines()
    assert (
        "found 'gpudc:enviroment': check its spelling"
        in gpudc_cli("validate", "typo", "-C", str(scratch)).stderr
    )


def test_plan_json_has_a_resource_a_line(planned: Any) -> None:
    """Sorted keys, and each resource a line of its own: a diff of two plans shows the resources that changed."""
    plan = planned("lab")
    text = plan.to_json()
    document = json.loads(text)
    assert list(document) == sorted(document)
    lines = text.splitlines()
    start = lines.index('  "resources": [')
    resource_lines = lines[start + 1 : start + 1 + len(plan.resources)]
    assert [json.loads(line.strip().rstrip(",")) for line in resource_lines] == document["resources"]
    assert lines[start + 1 + len(plan.resources)] == "  ],"
    assert Plan.from_json(text).to_json() == text
