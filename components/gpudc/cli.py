"""`gpudc validate | plan | report | schema | catalog | checks`: a stack checked, planned offline, described.

Exit codes: 0 ok; 2 the stack file (or program input) has an error, or a warning under
`--strict`. Every finding is printed as `severity CODE path: message, got value; fix`, never a
traceback. `validate` and `plan` read a stack file through the same code and agree on it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

# Only what prints `--help` is imported here (typer, rich, the light `gpudc.core.findings`):
# each command imports its domain (pydantic specs, the catalog, Pulumi) when it runs, so
# `gpudc --help` starts without them and `validate` loads only the specs and checks it runs.
# tests/test_cli_startup.py keeps it so.
from gpudc.core.findings import printable

if TYPE_CHECKING:
    from rich.table import Table

    from gpudc.core.errors import SpecError
    from gpudc.core.findings import Finding
    from gpudc.core.project import Project
    from gpudc.environment.derived import Derived
    from gpudc.environment.plan import EnvironmentPlan
    from gpudc.fleet import StackOutcome
    from gpudc.preview.plan import Plan

# Paragraphs of the docstring, each on one line, so the terminal (not the source) wraps them.
_HELP = "\n\n".join(" ".join(paragraph.split()) for paragraph in (__doc__ or "").split("\n\n"))
app = typer.Typer(add_completion=False, no_args_is_help=True, help=_HELP)
console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class CatalogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def _version(value: bool) -> None:
    if value:
        from importlib import metadata

        console.print(f"gpudc {metadata.version('gpudc')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """GPU datacenters as code: check, plan offline and describe a stack."""


def _stack_name(given: str) -> str:
    """A stack's name, also when given as its file (`stacks/Pulumi.plano.yaml` -> `plano`)."""
    match = re.fullmatch(r"(?:.*/)?Pulumi\.(.+)\.ya?ml", given)
    return match.group(1) if match else given


ProjectOption = Annotated[
    Path | None, typer.Option("--project", "-C", help="Pulumi project directory (default: search upward).")
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Warnings fail the command too (exit 2).")]
StackArgument = Annotated[
    str | None,
    typer.Argument(
        help="The stack (its name or its file); omit it with --all or --stacks.", show_default=False
    ),
]
AllOption = Annotated[
    bool, typer.Option("--all", help="Every stack in stacks/, each in a process of its own, in parallel.")
]
StacksOption = Annotated[
    str | None, typer.Option("--stacks", help="These stacks (a,b,c), each in a process of its own.")
]
JobsOption = Annotated[
    int | None, typer.Option("--jobs", "-j", min=1, help="Stacks run at once (default: the CPU count).")
]


def _print_findings(findings: Sequence[Finding]) -> None:
    for finding in sorted(findings, key=lambda finding: not finding.is_error):  # errors first, stable
        colour = "red" if finding.is_error else "yellow"
        errors.print(f"[{colour}]{finding.severity.value}[/] {finding.code} ", end="")
        errors.print(str(finding), markup=False, soft_wrap=True)


def _fail(exc: SpecError) -> typer.Exit:
    _print_findings(exc.issues)
    errors.print(f"[bold red]{len(exc.errors)} error(s)[/], {len(exc.issues) - len(exc.errors)} warning(s)")
    return typer.Exit(code=2)


def _warn(findings: Sequence[Finding], strict: bool) -> None:
    """Print warnings; under `--strict` they fail the command."""
    _print_findings(findings)
    if strict and findings:
        errors.print(f"[bold red]{len(findings)} warning(s) fail under --strict[/]")
        raise typer.Exit(code=2)


@app.command()
def validate(
    stack: StackArgument = None,
    project: ProjectOption = None,
    strict: StrictOption = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text, or json for CI annotations.")
    ] = OutputFormat.TEXT,
    all_stacks: AllOption = False,
    stacks: StacksOption = None,
    jobs: JobsOption = None,
) -> None:
    """Check a stack file: schema, clusters, placement, power, cooling, racks and driver versions (--all: every stack, then the fleet)."""
    if all_stacks or stacks is not None:
        _run_fleet("validate", project, all_stacks, stacks, jobs, strict=strict, output=output)
        return
    from gpudc.core.errors import SpecError
    from gpudc.core.project import find_project
    from gpudc.environment.load import check_stack, read_stack

    stack = _one_stack(stack)
    try:
        plan = check_stack(read_stack(find_project(project), stack))
    except SpecError as exc:
        if output is OutputFormat.JSON:
            _print_json(stack, exc.issues, None, ok=False)
            raise typer.Exit(code=2) from None
        raise _fail(exc) from None
    if output is OutputFormat.JSON:
        failed = strict and bool(plan.findings)
        _print_json(stack, plan.findings, plan, ok=not failed)
        if failed:
            raise typer.Exit(code=2)
        return
    _warn(plan.findings, strict)
    sites = plan.sites.values()
    console.print(
        f"stack {printable(stack)}: ok - {len(sites)} site(s), {len(plan.clusters)} cluster(s), "
        f"{sum(site.capacity.nodes for site in sites):,} nodes, "
        f"{sum(site.capacity.gpus for site in sites):,} GPUs; "
        f"{len(plan.findings)} warning(s), {len(plan.waived)} waived",
        soft_wrap=True,
    )


def _print_json(stack: str, findings: Sequence[Finding], plan: EnvironmentPlan | None, *, ok: bool) -> None:
    """`ok` is what the exit code says: false whenever the command exits 2."""
    document: dict[str, Any] = {
        "stack": stack,
        "ok": ok,
        "findings": [finding.as_json() for finding in findings],
        "waived": []
        if plan is None
        else [{**item.finding.as_json(), "reason": item.reason} for item in plan.waived],
    }
    print(json.dumps(document, indent=2, sort_keys=True))


@app.command()
def plan(
    stack: StackArgument = None,
    project: ProjectOption = None,
    strict: StrictOption = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Output directory (default: <project>/out/<stack>; with --all, <out>/<stack>)."),
    ] = None,
    all_stacks: AllOption = False,
    stacks: StacksOption = None,
    jobs: JobsOption = None,
    policies: Annotated[
        bool,
        typer.Option(
            "--policies", help="Run gpudc's policy pack on the plan; a mandatory violation exits 2."
        ),
    ] = False,
) -> None:
    """Run the Pulumi program offline under recording mocks; write plan.json, manifests/, helm/, report.md, report.html."""
    if all_stacks or stacks is not None:
        if policies:
            errors.print(
                "[red]error[/] --policies checks one plan: run `gpudc plan STACK --policies` per stack"
            )
            raise typer.Exit(code=2)
        _run_fleet("plan", project, all_stacks, stacks, jobs, strict=strict, out=out)
        return
    from gpudc.core.errors import SpecError
    from gpudc.core.project import find_project
    from gpudc.environment.load import check_stack, read_stack

    stack = _one_stack(stack)
    try:
        found = find_project(project)
        stack_file = read_stack(found, stack)
        # A gpudc stack is checked exactly as `validate` checks it before the program runs; a
        # library program's stack (no gpudc: keys) is the program's own to check.
        if stack_file.is_gpudc_stack:
            _warn(check_stack(stack_file).findings, strict)
        # Pulumi is imported only here: `--help` and `validate` start without it.
        from gpudc.preview.output import write_plan
        from gpudc.preview.run import plan_project

        with console.status(f"planning {printable(stack)} offline ..."):
            result = plan_project(found, stack)
        directory = out or found.root / "out" / stack
        written = write_plan(result, directory)
    except SpecError as exc:
        raise _fail(exc) from None
    _print_summary(result, found, directory, len(written))
    if policies:
        _check_policies(result)


@app.command()
def report(
    stack: str,
    project: ProjectOption = None,
    out: Annotated[
        Path | None, typer.Option(help="The plan's directory (default: <project>/out/<stack>).")
    ] = None,
    html: Annotated[
        bool, typer.Option("--html", help="Also write report.html: floor plans, budgets, findings.")
    ] = False,
    png: Annotated[
        bool,
        typer.Option("--png", help="Also write report.png, report.html in headless Chromium (1280 px wide)."),
    ] = False,
) -> None:
    """Render a plan's report again from its plan.json alone: report.md, and report.html / report.png."""
    from gpudc.core.errors import SpecError
    from gpudc.core.project import find_project
    from gpudc.preview.html import render_html
    from gpudc.preview.output import clear_output, write_output
    from gpudc.preview.plan import PLAN_OUTPUT, Plan
    from gpudc.preview.report import render_report

    stack = _stack_name(stack)
    try:
        directory = out or find_project(project).root / "out" / stack
        source = directory / "plan.json"
        if not source.is_file():
            raise SpecError.single(
                str(source), "no such plan", fix=f"run `gpudc plan {stack}` first", check=PLAN_OUTPUT
            )
        planned = Plan.from_json(source.read_text(encoding="utf-8"))
    except SpecError as exc:
        raise _fail(exc) from None
    written = [directory / "report.md"]
    try:  # new files, never written through a link or into a FIFO left in the plan's folder
        write_output(written[0], render_report(planned))
        if html or png:
            written.append(directory / "report.html")
            write_output(written[-1], render_html(planned))
        if png:
            clear_output(directory / "report.png")
    except SpecError as exc:
        raise _fail(exc) from None
    if png:
        from gpudc.preview.browser import render_png

        try:
            rendered = render_png(written[-1], directory / "report.png")
        except (FileNotFoundError, RuntimeError) as exc:
            errors.print(f"[red]error[/] report.png: {exc}", markup=True, soft_wrap=True)
            raise typer.Exit(code=2) from None
        written.append(rendered.png)
        for message in rendered.console:
            errors.print(f"[yellow]console[/] {printable(message)}", soft_wrap=True)
    console.print(f"wrote {', '.join(str(path) for path in written)}", markup=False, soft_wrap=True)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a stack file (editor completion, docs)."""
    from gpudc.environment.schema import stack_file_schema_json

    print(stack_file_schema_json(), end="")


@app.command()
def checks(
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = OutputFormat.TEXT,
) -> None:
    """List every check gpudc makes: its code (what waivers name), severity and title."""
    # Registers the stack file's and the plan's checks, the offline plan's, the diff's and the
    # policy pack's own.
    import gpudc.environment.load
    import gpudc.policy.checks
    import gpudc.preview.gitrefs
    import gpudc.preview.run  # noqa: F401
    from gpudc.core.findings import CHECKS

    rows = [
        {"code": check.code, "severity": check.severity.value, "title": check.title}
        for check in sorted(CHECKS.values(), key=lambda check: check.code)
    ]
    if output is OutputFormat.JSON:
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        console.print(f"{row['code']:<18} {row['severity']:<8} {row['title']}", markup=False, soft_wrap=True)


@app.command()
def catalog(
    output: Annotated[
        CatalogFormat, typer.Option("--format", help="text, json, or markdown (the README's table).")
    ] = CatalogFormat.TEXT,
    unverified: Annotated[
        bool, typer.Option("--unverified", help="List only the figures no public document confirmed.")
    ] = False,
) -> None:
    """List the GPU and node models gpudc knows: power, size, cooling, driver floor, MIG profiles."""
    from gpudc.catalog.listing import GPU_COLUMNS, catalog_rows, gpu_rows, markdown_table

    if unverified:
        _print_unverified(output)
        return
    rows, gpus = catalog_rows(), gpu_rows()
    if output is CatalogFormat.JSON:
        print(json.dumps({"node_models": rows, "gpu_models": gpus}, indent=2))
        return
    if output is CatalogFormat.MARKDOWN:
        print(markdown_table(rows), markdown_table(gpus, GPU_COLUMNS), sep="\n", end="")
        return
    # One block per model: readable in an 80-column CI log, where a ten-column table is not.
    console.print("[bold]node models[/] (per system)")
    for row in rows:
        console.print(f"[bold]{row['key']}[/]  {row['product']}", soft_wrap=True)
        console.print(
            f"  {row['gpus_per_system']} x {row['gpu']} GPUs in {row['nodes_per_system']} node(s) per system · "
            f"{row['max_power_kw']:g} kW · {row['rack_units']}U · {row['cooling']} cooling · "
            f"driver branch >= {row['min_driver_branch']}",
            soft_wrap=True,
        )
    console.print("\n[bold]GPU models[/]")
    for gpu in gpus:
        console.print(
            f"[bold]{gpu['key']}[/]  {gpu['product']} · {gpu['architecture']} · {gpu['memory_gib']} GB · "
            f"{gpu['max_power_w']} W · driver branch >= {gpu['min_driver_branch']}"
            + (f" (>= {gpu['min_driver_version']})" if gpu["min_driver_version"] else ""),
            soft_wrap=True,
        )
        console.print(f"  MIG: {' '.join(gpu['mig_profiles']) or 'none'}", soft_wrap=True)


def _print_unverified(output: CatalogFormat) -> None:
    """`gpudc catalog --unverified`: every catalog figure still waiting for a public source."""
    from gpudc.catalog.listing import UNVERIFIED_COLUMNS, markdown_table, unverified_rows

    notes = unverified_rows()
    if output is CatalogFormat.JSON:
        print(json.dumps(notes, indent=2))
    elif output is CatalogFormat.MARKDOWN:
        print(markdown_table(notes, UNVERIFIED_COLUMNS), end="")
    else:
        for row in notes:
            console.print(
                f"{row['catalog']}/{row['key']}.{row['field']}: {row['note']}", markup=False, soft_wrap=True
            )


class DiffFormat(StrEnum):
    MARKDOWN = "markdown"
    JSON = "json"


@app.command()
def diff(
    base: Annotated[str, typer.Argument(help="Plan directory (or plan.json) or git ref: what is deployed.")],
    head: Annotated[str, typer.Argument(help="Plan directory (or plan.json) or git ref: the change.")],
    stack: Annotated[str | None, typer.Option(help="The stack to plan at each git ref.")] = None,
    all_stacks: Annotated[
        bool, typer.Option("--all", help="Every stack the change between the two git refs touches.")
    ] = False,
    output: Annotated[DiffFormat, typer.Option("--format", help="markdown (a PR comment) or json.")] = (
        DiffFormat.MARKDOWN
    ),
    out: Annotated[
        Path | None, typer.Option(help="Write <stack>.md and <stack>.json here instead of printing.")
    ] = None,
    project: ProjectOption = None,
) -> None:
    """Compare two plans: what a change creates, updates, replaces (and why) or deletes, by component; capacity per site; new and resolved findings."""
    from gpudc.core.errors import SpecError
    from gpudc.preview.diff import diff_plans, render_json, render_markdown

    try:
        diffs = [diff_plans(old, new) for old, new in _diff_pairs(base, head, stack, all_stacks, project)]
    except SpecError as exc:
        raise _fail(exc) from None
    render = render_json if output is DiffFormat.JSON else render_markdown
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for item in diffs:
            (out / f"{item.stack}.md").write_text(render_markdown(item), encoding="utf-8")
            (out / f"{item.stack}.json").write_text(render_json(item), encoding="utf-8")
        console.print(f"wrote the diff of {len(diffs)} stack(s) to {out}", markup=False)
        return
    if not diffs:
        errors.print("no stack changed between the two refs")
    print("\n".join(render(item) for item in diffs), end="")


def _diff_pairs(
    base: str, head: str, stack: str | None, all_stacks: bool, project: Path | None
) -> list[tuple[Plan, Plan]]:
    """(BASE plan, HEAD plan) per stack: read from plan files, or planned at git refs."""
    from gpudc.core.errors import SpecError
    from gpudc.core.project import find_project
    from gpudc.preview.gitrefs import REF_PLAN, GitRefs, plan_at_ref
    from gpudc.preview.plan import Plan

    def plan_file(given: str) -> Plan | None:
        path = Path(given)
        path = path / "plan.json" if path.is_dir() else path
        return Plan.from_json(path.read_text(encoding="utf-8")) if path.is_file() else None

    files = {given: plan_file(given) for given in (base, head)}
    if all(files.values()):
        return [(files[base], files[head])]  # type: ignore[list-item]
    if stack is not None and all_stacks:
        raise SpecError.single("--stack", "give --stack or --all, not both", fix="drop one of them")
    if stack is None and not all_stacks:
        raise SpecError.single(
            "--stack",
            "is needed to plan at a git ref",
            fix="add --stack STACK, or --all for every stack changed",
        )
    refs = GitRefs(find_project(project).root)
    commits = {given: refs.commit(given) for given in (base, head) if files[given] is None}
    stacks = [_stack_name(stack)] if stack is not None else refs.changed_stacks(commits[base], commits[head])
    pairs = []
    for name in stacks:
        with errors.status(f"planning {printable(name)} at {base} and {head} ..."):
            old, new = (
                files[given]
                or plan_at_ref(refs, commits[given], name)
                or Plan(refs.project_path.name, name, (), {}, None)
                for given in (base, head)
            )
        if not (old.resources or new.resources):
            raise SpecError.single(
                "--stack", f"stack {name} exists at neither {base} nor {head}", value=name, check=REF_PLAN
            )
        pairs.append((old, new))
    return pairs


def _print_summary(result: Plan, project: Project, directory: Path, files: int) -> None:
    from rich.table import Table

    from gpudc.preview.report import TOTALS, cooling_load

    table = Table(title=f"{project.name}/{result.stack}: {len(result.resources)} resources")
    table.add_column("type")
    table.add_column("count", justify="right")
    for type_, count in result.by_type().items():
        table.add_row(type_, str(count))
    console.print(table)
    derived = result.derived
    if derived is not None:
        t = {key: derived.total(key) for key in TOTALS}
        console.print(
            f"nodes {t['nodes']:,.0f} · GPUs {t['gpus']:,.0f} · IT power {t['it_power_kw']:,.1f} kW · "
            f"peak facility power of our halls {t['facility_power_kw']:,.1f} kW\n"
            f"per year: facility energy {t['facility_energy_mwh_per_year']:,.1f} MWh · "
            f"CO2 {t['co2_tonnes_per_year']:,.1f} t · water {t['water_m3_per_year']:,.1f} m3",
            soft_wrap=True,
        )
        _print_pools(derived)
        cooling = cooling_load(derived)
        if cooling:
            console.print(
                "cooling: "
                + " · ".join(
                    f"{kind} {halls} hall(s), {kw:,.1f} kW" for kind, (halls, kw) in cooling.items()
                ),
                soft_wrap=True,
            )
    console.print(f"wrote {files} files to {directory}", markup=False)


# --- the fleet: --all / --stacks ------------------------------------------------------------


def _one_stack(stack: str | None) -> str:
    if stack is None:
        errors.print("[red]error[/] give a stack (e.g. `plano`), or --all, or --stacks a,b")
        raise typer.Exit(code=2)
    return _stack_name(stack)


def _chosen_stacks(found: Project, all_stacks: bool, stacks: str | None) -> list[str]:
    known = found.stacks()
    if all_stacks:
        if not known:
            errors.print(f"[red]error[/] {found.stacks_dir} has no stack files (Pulumi.<stack>.yaml)")
            raise typer.Exit(code=2)
        return known
    chosen = list(
        dict.fromkeys(_stack_name(name.strip()) for name in (stacks or "").split(",") if name.strip())
    )
    unknown = [name for name in chosen if name not in known]
    if unknown or not chosen:
        errors.print(
            f"[red]error[/] --stacks: {', '.join(printable(name) for name in unknown) or 'no stack given'}; "
            f"stacks with files: {', '.join(known) or 'none'}",
            soft_wrap=True,
        )
        raise typer.Exit(code=2)
    return chosen


def _run_fleet(
    command: str,
    project: Path | None,
    all_stacks: bool,
    stacks: str | None,
    jobs: int | None,
    *,
    strict: bool,
    output: OutputFormat = OutputFormat.TEXT,
    out: Path | None = None,
) -> None:
    """Each stack in its own process with a progress display, then the fleet checks and a summary;
    exit 2 naming every stack that failed."""
    from gpudc.core.errors import SpecError
    from gpudc.core.project import find_project
    from gpudc.environment.fleet import check_fleet
    from gpudc.fleet import plan_stack, run_fleet, validate_stack

    try:
        found = find_project(project)
    except SpecError as exc:
        raise _fail(exc) from None
    chosen = _chosen_stacks(found, all_stacks, stacks)
    work, args = (validate_stack, (found.root,)) if command == "validate" else (plan_stack, (found.root, out))
    quiet = output is OutputFormat.JSON
    with _FleetProgress(chosen, command, quiet=quiet) as progress:
        outcomes = run_fleet(work, chosen, *args, jobs=jobs, progress=progress.update)
    fleet_findings = check_fleet({o.stack_file: o.spec for o in outcomes if o.ok and o.spec is not None})
    failed = [o for o in outcomes if not o.ok or (strict and o.warnings)]
    page_findings: list[Finding] = []
    if command == "plan":
        try:
            _write_fleet_page(found, outcomes, fleet_findings, out)
        except SpecError as exc:  # --out not writable, or under a file: each stack said so too
            page_findings = list(exc.issues)
    if quiet:
        document = {
            "ok": not failed and not fleet_findings,
            "stacks": [
                {
                    "stack": o.stack,
                    "file": o.stack_file,
                    "ok": o not in failed,
                    "findings": [finding.as_json() for finding in o.findings],
                }
                for o in outcomes
            ],
            "fleet": [finding.as_json() for finding in [*fleet_findings, *page_findings]],
        }
        print(json.dumps(document, indent=2, sort_keys=True))
    else:
        for outcome in outcomes:
            if outcome.findings:
                errors.print(f"[bold]{printable(outcome.stack_file)}[/]", soft_wrap=True)
                _print_findings(outcome.findings)
        if fleet_findings:
            errors.print("[bold]the fleet[/] (checks across stacks)")
            _print_findings(fleet_findings)
        if page_findings:
            errors.print("[bold]the fleet page[/]")
            _print_findings(page_findings)
        # A CI log is not a terminal and has no width: give the table the room it needs.
        wide = console if console.is_terminal else Console(highlight=False, width=160)
        wide.print(_fleet_table(outcomes, command))
    if failed or fleet_findings or page_findings:
        reasons = [f"{o.stack} ({_counted(o)})" for o in failed]
        if fleet_findings:
            reasons.append(f"the fleet ({len(fleet_findings)} cross-stack error(s))")
        if page_findings:
            reasons.append("the fleet page (not written)")
        errors.print(
            f"[bold red]failed:[/] {', '.join(printable(reason) for reason in reasons)}", soft_wrap=True
        )
        raise typer.Exit(code=2)


def _counted(outcome: StackOutcome) -> str:
    if outcome.errors or not outcome.ok:
        return f"{outcome.errors} error(s)"
    return f"{outcome.warnings} warning(s) under --strict"


class _FleetProgress:
    """A live line per stack in a terminal; in a CI log (no terminal), one line as each ends."""

    def __init__(self, stacks: Sequence[str], command: str, *, quiet: bool) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.live = errors.is_terminal and not quiet
        self.quiet = quiet
        self.progress = Progress(
            SpinnerColumn(finished_text="·"),
            TextColumn("{task.description}"),
            TextColumn("{task.fields[state]}"),
            TimeElapsedColumn(),
            console=errors,
            disable=not self.live,
            transient=False,
        )
        self.overall = self.progress.add_task(
            f"[bold]{command} {len(stacks)} stack(s)", total=len(stacks), state=""
        )
        self.tasks = {
            stack: self.progress.add_task(printable(stack), total=1, state="queued", start=False)
            for stack in stacks
        }

    def __enter__(self) -> _FleetProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def update(self, stack: str, phase: str, outcome: StackOutcome | None) -> None:
        task = self.tasks[stack]
        if phase == "running":
            self.progress.start_task(task)
            self.progress.update(task, state="[cyan]running")
        elif outcome is not None:
            state = "[green]ok" if outcome.ok else f"[red]failed ({_counted(outcome)})"
            self.progress.update(task, completed=1, state=state)
            self.progress.advance(self.overall)
            if not self.live and not self.quiet:
                errors.print(f"{printable(stack)}: {state}", soft_wrap=True)


_FLEET_COLUMNS = (
    ("sites", "sites"),
    ("clusters", "clusters"),
    ("nodes", "nodes"),
    ("GPUs", "gpus"),
    ("IT MW", "it_power_kw"),
    ("halls MW", "facility_power_kw"),
    ("MWh/yr", "facility_energy_mwh_per_year"),
    ("t CO2/yr", "co2_tonnes_per_year"),
    ("m3 water/yr", "water_m3_per_year"),
)


_FLEET_CAPTION = (
    "halls MW: peak facility power of our own halls (racked IT x design PUE); rented capacity "
    "(placement: managed) counts in IT MW and the yearly figures only"
)


def fleet_figures(outcome: StackOutcome) -> dict[str, float]:
    """A stack's row of the fleet summary (all zero when it did not validate)."""
    derived = outcome.derived
    if derived is None:
        return {key: 0.0 for _, key in _FLEET_COLUMNS}
    figures = {key: derived.total(key) for _, key in _FLEET_COLUMNS if key not in ("sites", "clusters")}
    figures["sites"] = float(len(derived.sites))
    figures["clusters"] = float(sum(len(site.clusters) for site in derived.sites))
    figures["it_power_kw"] /= 1000
    figures["facility_power_kw"] /= 1000
    return figures


def _fleet_table(outcomes: Sequence[StackOutcome], command: str) -> Table:
    from rich.table import Table

    table = Table(title=f"fleet: {len(outcomes)} stack(s)", caption=_FLEET_CAPTION)
    table.add_column("stack")
    table.add_column("status")
    for title, _ in _FLEET_COLUMNS:
        table.add_column(title, justify="right")
    if command == "plan":
        table.add_column("resources", justify="right")
    totals = dict.fromkeys((key for _, key in _FLEET_COLUMNS), 0.0)
    resources = 0
    for outcome in outcomes:
        figures = fleet_figures(outcome)
        for key, value in figures.items():
            totals[key] += value
        resources += outcome.resources or 0
        row = [printable(outcome.stack), "ok" if outcome.ok else "[red]failed"]
        row += [_figure(key, figures[key]) if outcome.derived else "-" for _, key in _FLEET_COLUMNS]
        if command == "plan":
            row.append(f"{outcome.resources:,}" if outcome.resources is not None else "-")
        table.add_row(*row)
    total_row = ["[bold]total", ""] + [_figure(key, totals[key]) for _, key in _FLEET_COLUMNS]
    if command == "plan":
        total_row.append(f"{resources:,}")
    table.add_row(*total_row, end_section=True)
    return table


def _figure(key: str, value: float) -> str:
    if key in ("sites", "clusters", "nodes", "gpus"):
        return f"{value:,.0f}"
    if key.endswith("_kw"):  # shown in MW
        return f"{value:,.2f}"
    return f"{value:,.1f}"


def _write_fleet_page(
    found: Project, outcomes: Sequence[StackOutcome], fleet_findings: Sequence[Finding], out: Path | None
) -> None:
    from gpudc.preview.html import render_fleet_page
    from gpudc.preview.output import write_output

    rows = [(o.stack, o.ok, fleet_figures(o), [f.as_json() for f in o.findings]) for o in outcomes]
    page = render_fleet_page(found.name, rows, [f.as_json() for f in fleet_findings])
    write_output((out or found.root / "out") / "fleet.html", page)


def _print_pools(derived: Derived) -> None:
    """Per pool: how it is provisioned, its nodes, GPUs and spares, and its Kueue quota."""
    from rich.table import Table

    table = Table(title="pools and queue quotas")
    columns = ("pool", "provisioner", "nodes", "GPUs", "spares", "queue GPUs", "queue CPUs", "queue GiB")
    for column in columns:
        table.add_column(column, justify="left" if column in columns[:2] else "right", no_wrap=True)
    for site in derived.sites:
        for pool in site.pools:
            table.add_row(
                pool.name if len(derived.sites) == 1 else f"{site.name}/{pool.name}",
                pool.provisioner or "",
                f"{pool.nodes:,}",
                f"{pool.gpus:,}",
                f"{pool.spares:,}",
                f"{pool.quota_gpus:,}",
                f"{pool.quota_cpu_cores:,}",
                f"{pool.quota_memory_gib:,}",
            )
    console.print(table)


def _check_policies(result: Plan) -> None:
    """The policy pack's checks on the recorded plan: every violation printed, mandatory ones fail."""
    from gpudc.policy.checks import POLICIES, Enforcement, evaluate

    violations = evaluate(result.resources)
    for violation in violations:
        colour = "red" if violation.enforcement is Enforcement.MANDATORY else "yellow"
        errors.print(f"[{colour}]{violation.enforcement.value}[/] ", end="")
        errors.print(str(violation), markup=False, soft_wrap=True)
    mandatory = sum(violation.enforcement is Enforcement.MANDATORY for violation in violations)
    summary = f"policies: {len(POLICIES)} checked, {mandatory} mandatory and {len(violations) - mandatory} advisory violation(s)"
    if mandatory:
        errors.print(f"[bold red]{summary}[/]", soft_wrap=True)
        raise typer.Exit(code=2)
    console.print(summary, soft_wrap=True)


def main() -> None:
    app()
