"""`gpudc validate | plan | schema`: the stack file checked, planned offline, described.

Exit codes: 0 ok, 2 the stack file (or program input) is wrong, with every problem printed as
`path: message, got value`, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gpudc.core.errors import SpecError
from gpudc.core.project import Project, find_project
from gpudc.environment.load import load_environment, plan_environment
from gpudc.environment.schema import stack_file_schema_json
from gpudc.preview.output import write_plan
from gpudc.preview.plan import Plan
from gpudc.preview.report import cooling_load, totals
from gpudc.preview.run import plan_project

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

ProjectOption = Annotated[
    Path | None, typer.Option("--project", "-C", help="Pulumi project directory (default: search upward).")
]


def _fail(exc: SpecError) -> typer.Exit:
    errors.print(f"[bold red]{len(exc.issues)} problem(s):[/]")
    for issue in exc.issues:
        errors.print(f"  {issue}", markup=False, soft_wrap=True)
    return typer.Exit(code=2)


@app.command()
def validate(stack: str, project: ProjectOption = None) -> None:
    """Check a stack file: schema, placement, power, cooling, racks and driver versions."""
    try:
        spec = load_environment(stack, project)
        plan = plan_environment(spec)
    except SpecError as exc:
        raise _fail(exc) from None
    console.print(
        f"stack {stack}: ok - {len(spec.sites)} site(s), "
        f"{sum(site.nodes for site in plan.sites.values()):,} nodes, "
        f"{sum(site.gpus for site in plan.sites.values()):,} GPUs",
        soft_wrap=True,
    )


@app.command()
def plan(
    stack: str,
    project: ProjectOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: <project>/out/<stack>).")
    ] = None,
) -> None:
    """Run the Pulumi program offline under recording mocks; write plan.json, manifests/ and report.md."""
    try:
        found = find_project(project)
        with console.status(f"planning {stack} offline ..."):
            result = plan_project(found, stack)
        directory = out or found.root / "out" / stack
        written = write_plan(result, directory)
    except SpecError as exc:
        raise _fail(exc) from None
    _print_summary(result, found, directory, len(written))


@app.command()
def schema() -> None:
    """Print the JSON Schema of a stack file (editor completion, docs)."""
    print(stack_file_schema_json(), end="")


def _print_summary(result: Plan, project: Project, directory: Path, files: int) -> None:
    table = Table(title=f"{project.name}/{result.stack}: {len(result.resources)} resources")
    table.add_column("type")
    table.add_column("count", justify="right")
    for type_, count in result.by_type().items():
        table.add_row(type_, str(count))
    console.print(table)
    t = totals(result)
    console.print(
        f"nodes {t['nodes']:,.0f} · GPUs {t['gpus']:,.0f} · IT power {t['it_power_kw']:,.1f} kW · "
        f"facility power {t['facility_power_kw']:,.1f} kW\n"
        f"per year: facility energy {t['facility_energy_mwh_per_year']:,.1f} MWh · "
        f"CO2 {t['co2_tonnes_per_year']:,.1f} t · water {t['water_m3_per_year']:,.1f} m3",
        soft_wrap=True,
    )
    cooling = cooling_load(result)
    if cooling:
        console.print(
            "cooling: "
            + " · ".join(f"{kind} {halls} hall(s), {kw:,.1f} kW" for kind, (halls, kw) in cooling.items()),
            soft_wrap=True,
        )
    console.print(f"wrote {files} files to {directory}")


def main() -> None:
    app()
