"""How much slower is planning through gpudc than registering the same resources bare?

Run from the repository root: `python bench/plan_bench.py` (or `make bench`).

Each scenario is timed twice, in the same process, under the same Pulumi mocks
(`gpudc.preview.run.plan_callable`, i.e. `RecordingMonitor`):

- **ours**: what a user runs. Scale 1 is `gpudc plan plano` done in-process, exactly as the CLI
  does it: `find_project`, `plan_project(project, "plano")` (the real `infra/__main__.py`), then
  `write_plan` into a temporary directory. A larger scale is a synthetic environment planned
  through `gpudc.Environment` by a program shaped like `infra/__main__.py` (parse, plan, one
  provider per site, build, export), plus `write_plan` when the library can write that plan.
- **floor**: the same number of resources, with the same type tokens, names and recorded inputs,
  registered bare: every custom resource as a minimal `pulumi.CustomResource` subclass built
  with `(type, name, inputs)`, every component as a minimal `pulumi.ComponentResource` subclass
  built with `(type, name, inputs)`; no parents, no providers, no dependencies, no outputs, no
  validation, nothing written. It is what the Pulumi SDK itself costs for this many resources
  with these inputs; no library built on Pulumi can go below it.

The figure that matters is the ratio ours / floor (target <= 1.3x): absolute seconds depend on
the machine, the Python build and the Pulumi SDK version, and they move for everyone alike, while
the ratio says how much gpudc adds on top of Pulumi. Every time is the median of `--repeat`
runs, after one untimed warm-up of both (imports, template and pydantic caches).

Scales (`--scale`, repeatable; default 1 and 10): 1 is the plano stack as it is; N > 1 is a
synthetic environment of N sites, each the plano site with its halls' racks and power and its
utility feed multiplied by 16 and its four pools copied 16 times (64 pools per site, the
`SiteSpec` limit is 256), so N sites register 198 N + 1 resources: 10 gives ~2,000 and 50 gives
~10,000 (on two cores about 40 s ours + 20 s floor per run, ~3 minutes with `--repeat 1`
counting the warm-up; so not in the default run, which takes about a minute).

"GC ours/floor" is the share of each side's time spent in Python's cyclic garbage collector
(measured with `gc.callbacks`), which is where most of the time goes at scale.

Peak RSS is the process's high-water mark (`ru_maxrss`) after the scenario; scenarios run in
increasing size, so it is that scenario's peak (plus the interpreter and the earlier ones).

Exits 0 (it is a report) unless `--max-ratio X` is given and some ratio exceeds X.
"""

from __future__ import annotations

import argparse
import functools
import gc
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

import gpudc
from gpudc.core.project import Project, find_project
from gpudc.environment.load import CONFIG_KEY
from gpudc.preview.output import write_plan
from gpudc.preview.plan import Plan
from gpudc.preview.run import plan_callable, plan_project

ROOT = Path(__file__).resolve().parent.parent
STACK = "plano"
COPIES_PER_SITE = 16
TARGET_RATIO = 1.3


@dataclass(frozen=True, slots=True)
class Row:
    scenario: str
    resources: int
    ours_s: float
    floor_s: float
    write: str
    rss_mib: float
    ours_gc_share: float
    floor_gc_share: float

    @property
    def ratio(self) -> float:
        return self.ours_s / self.floor_s

    @property
    def ms_per_resource(self) -> float:
        return 1000 * self.ours_s / self.resources


class GcClock:
    """Wall time spent in Python's cyclic garbage collector while it is installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


def median_seconds(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall time of `repeat` runs, and the share of all runs' time spent in the GC."""
    times = []
    clock = GcClock()
    for _ in range(repeat):
        gc.collect()
        gc.callbacks.append(clock)
        start = time.perf_counter()
        try:
            run()
        finally:
            times.append(time.perf_counter() - start)
            gc.callbacks.remove(clock)
    return statistics.median(times), clock.seconds / sum(times)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- the floor --------------------------------------------------------------------------------


class BareCustom(pulumi.CustomResource):
    """A custom resource with no typed arguments, as thin as a Pulumi resource class can be.

    A subclass, not `pulumi.CustomResource` itself, because every real resource class is one and
    Pulumi captures a source stack trace only from the third `__init__` up: a bare base-class
    call would skip that work and flatter the floor.
    """

    def __init__(self, t: str, name: str, props: dict[str, Any]) -> None:
        super().__init__(t=t, name=name, props=props)


class BareComponent(pulumi.ComponentResource):
    """A component with its inputs but no children and no outputs (a subclass for the same
    reason as above). gpudc's components register their spec as inputs (DESIGN section 3), so
    the floor registers the same inputs: the engine's state holds them either way."""

    def __init__(self, t: str, name: str, props: dict[str, Any]) -> None:
        super().__init__(t, name, props)


def floor_program(plan: Plan) -> Callable[[], None]:
    """Register every resource of `plan` bare: same type, name and inputs; no parent, no options."""
    resources = plan.resources

    def program() -> None:
        for registered in resources:
            if registered.custom:
                BareCustom(registered.type, registered.name, dict(registered.inputs))
            else:
                BareComponent(registered.type, registered.name, dict(registered.inputs))

    return program


def plan_floor(plan: Plan) -> Plan:
    floor = plan_callable(floor_program(plan), plan.project, "floor")
    if len(floor.resources) != len(plan.resources):
        raise RuntimeError(
            f"floor registered {len(floor.resources)} resources, the plan {len(plan.resources)}"
        )
    return floor


# --- ours -------------------------------------------------------------------------------------


def plan_cli(project: Project, directory: Path) -> Plan:
    """`gpudc plan plano`, in-process."""
    plan = plan_project(project, STACK)
    write_plan(plan, directory / STACK)
    return plan


def synthetic_environment(plano: dict[str, Any], sites: int) -> dict[str, Any]:
    """`sites` copies of the plano site, each with 16x its racks, power and pools; validated."""
    base = gpudc.EnvironmentSpec.model_validate(plano)
    site = base.sites[0]
    halls = [
        hall.model_copy(
            update={
                "power_kw": hall.power_kw * COPIES_PER_SITE,
                "rows": tuple(
                    row.model_copy(update={"racks": row.racks * COPIES_PER_SITE}) for row in hall.rows
                ),
            }
        )
        for hall in site.halls
    ]
    pools = [
        pool.model_copy(update={"name": f"{pool.name}-{copy:02d}"})
        for copy in range(COPIES_PER_SITE)
        for pool in site.pools
    ]
    big = site.model_copy(
        update={
            "utility_power_mw": (site.utility_power_mw or 0) * COPIES_PER_SITE,
            "halls": tuple(halls),
            "pools": tuple(pools),
        }
    )
    copies = [
        big.model_copy(
            update={
                "name": f"{site.name}-{index:02d}",
                "kubernetes": gpudc.ContextAccess(type="context", context=f"{site.name}-{index:02d}"),
            }
        )
        for index in range(sites)
    ]
    # model_copy does not validate; a round trip through model_validate does (limits, uniqueness),
    # and plan_environment checks that the copies still fit their halls.
    raw = base.model_copy(update={"sites": tuple(copies)}).model_dump(mode="json")
    gpudc.plan_environment(gpudc.EnvironmentSpec.model_validate(raw))
    return raw


def environment_program(raw: dict[str, Any]) -> Callable[[], None]:
    """A program shaped like infra/__main__.py (parse, plan, providers, build, export the derived
    block), with the environment given instead of read."""

    def program() -> None:
        config = pulumi.Config("gpudc")
        spec = gpudc.parse_environment(raw)
        plan = gpudc.plan_environment(spec)
        environment = gpudc.Environment(
            "gpudc", spec, providers=gpudc.cluster_providers(spec, config), plan=plan
        )
        pulumi.export("derived", environment.derived())

    return program


def plan_synthetic(raw: dict[str, Any], directory: Path | None) -> Plan:
    plan = plan_callable(environment_program(raw), "gpudc", "bench")
    if directory is not None:
        write_plan(plan, directory / "bench")
    return plan


# --- the run ----------------------------------------------------------------------------------


def measure(scenario: str, ours: Callable[[], Plan], repeat: int, write: str) -> Row:
    plan = ours()  # warm-up, and the plan the floor copies
    plan_floor(plan)
    ours_s, ours_gc = median_seconds(ours, repeat)
    floor_s, floor_gc = median_seconds(functools.partial(plan_floor, plan), repeat)
    return Row(scenario, len(plan.resources), ours_s, floor_s, write, peak_rss_mib(), ours_gc, floor_gc)


def writes(plan: Plan, directory: Path) -> str | None:
    """None when `write_plan` can write the plan, else why not."""
    try:
        write_plan(plan, directory / "probe")
    except ValueError as exc:
        return str(exc)
    return None


def run(scales: list[int], repeat: int, out: Path) -> tuple[list[Row], list[str]]:
    project = find_project(ROOT)
    rows: list[Row] = []
    notes: list[str] = []
    for scale in sorted(set(scales)):
        if scale == 1:
            rows.append(
                measure(f"gpudc plan {STACK}", functools.partial(plan_cli, project, out), repeat, "yes")
            )
            continue
        raw = synthetic_environment(project.stack_config(STACK)[CONFIG_KEY], scale)
        scenario = f"{scale} sites x {COPIES_PER_SITE * 4} pools"
        problem = writes(plan_synthetic(raw, None), out)
        if problem is not None:
            notes.append(f"{scenario}: write_plan excluded from 'ours', it fails: {problem}")
        ours = functools.partial(plan_synthetic, raw, out if problem is None else None)
        rows.append(measure(scenario, ours, repeat, "yes" if problem is None else "FAILS"))
    return rows, notes


def table(rows: list[Row]) -> str:
    header = (
        f"{'ours/floor':>10}  {'scenario':<24} {'resources':>9}  {'ours s':>8}  {'floor s':>8}  "
        f"{'peak RSS MiB':>12}  {'ms/resource':>11}  {'GC ours/floor':>13}  {'write_plan':>10}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row.ratio:>9.2f}x  {row.scenario:<24} {row.resources:>9,}  {row.ours_s:>8.3f}  {row.floor_s:>8.3f}  "
            f"{row.rss_mib:>12.1f}  {row.ms_per_resource:>11.3f}  "
            f"{f'{row.ours_gc_share:.0%} / {row.floor_gc_share:.0%}':>13}  {row.write:>10}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs per measurement; the median is reported"
    )
    parser.add_argument(
        "--scale",
        type=int,
        action="append",
        help="1 = the plano stack; N > 1 = N synthetic sites of 64 pools (198 N + 1 resources, N <= 64); "
        "repeatable; default: 1 and 10",
    )
    parser.add_argument("--max-ratio", type=float, help="exit 1 if any ours/floor ratio exceeds this")
    args = parser.parse_args(argv)
    scales: list[int] = args.scale or [1, 10]
    if args.repeat < 1 or any(not 1 <= scale <= 64 for scale in scales):
        parser.error("--repeat must be >= 1 and every --scale between 1 and 64")

    with tempfile.TemporaryDirectory(prefix="gpudc-bench-") as out:
        rows, notes = run(scales, args.repeat, Path(out))

    print(
        f"ours / floor, median of {args.repeat}; target <= {TARGET_RATIO}x (Python {sys.version.split()[0]})"
    )
    print(table(rows))
    for note in notes:
        print(f"note: {note}")
    worst = max(row.ratio for row in rows)
    print(
        f"worst ratio {worst:.2f}x: {'within' if worst <= TARGET_RATIO else 'ABOVE'} the {TARGET_RATIO}x target"
    )
    if args.max_ratio is not None and worst > args.max_ratio:
        print(f"FAIL: a ratio exceeds --max-ratio {args.max_ratio}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
