"""The README shows what the code does: its example findings and its catalog table are real."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpudc.catalog.listing import GPU_COLUMNS, catalog_rows, gpu_rows, markdown_table
from gpudc.core.project import Project

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_the_catalog_table_is_the_commands_output() -> None:
    start = README.index("<!-- gpudc catalog --format markdown -->\n") + len(
        "<!-- gpudc catalog --format markdown -->\n"
    )
    end = README.index("<!-- end of catalog table -->")
    assert README[start:end] == markdown_table(catalog_rows()) + "\n" + markdown_table(
        gpu_rows(), GPU_COLUMNS
    )


def test_the_example_findings_are_what_validate_prints(
    project: Project, scratch: Path, gpudc_cli: Any
) -> None:
    block = README.split("`gpudc validate plano` checks it", 1)[1].split("```", 2)[1]
    shown = [line for line in block.splitlines() if line.startswith(("error ", "warning "))]
    assert len(shown) == 3
    plano = project.stack_file("plano").read_text()
    stacks = {
        "negative": plano.replace("nodes: 256", "nodes: -4"),
        "hall": plano.replace("power_kw: 2400", "power_kw: 2000"),
        "feed": project.stack_file("lab")
        .read_text()
        .replace("utility_power_mw: 0.1\n", "utility_power_mw: 100\n"),
    }
    printed = []
    for name, text in stacks.items():
        (scratch / "stacks" / f"Pulumi.{name}.yaml").write_text(text)
        result = gpudc_cli("validate", name, "-C", str(scratch))
        assert result.returncode == (0 if name == "feed" else 2), result.stderr
        printed += result.stderr.splitlines()
    assert [line for line in shown if line not in printed] == []


def test_the_first_stack_example_validates_clean_under_strict(scratch: Path, gpudc_cli: Any) -> None:
    example = README.split("## The stack file\n\n```yaml\n", 1)[1].split("```", 1)[0]
    (scratch / "stacks" / "Pulumi.example.yaml").write_text(example)
    result = gpudc_cli("validate", "example", "-C", str(scratch), "--strict")
    assert result.returncode == 0, result.stderr
    assert "36 nodes, 288 GPUs; 0 warning(s)" in result.stdout


def test_the_library_names_the_readme_uses_are_exported() -> None:
    import gpudc

    for name in (
        "GPU_MODELS",
        "OperatorPool",
        "plan_operator",
        "standalone_pool_plan",
        "ClusterProviders",
        "plan_site",
    ):
        assert hasattr(gpudc, name), name
