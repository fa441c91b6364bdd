"""How much does planning through gpudc cost over registering the same resources bare?

Run from the repository root: `python bench/plan_bench.py` (or `make bench`); add
`--resources 25000` for the largest scale (about two minutes of CPU and 1.7 GB, so not by default).

Each scale is a generated fleet of about N resources: copies of the plano site (~1,400
resources each: its machines provisioned through Cluster API and Metal3), one to an
environment, each well inside one stack's bounds (`gpudc.environment.spec`), and one program
that builds every environment, as a team planning several campuses in one program would. Nothing is committed:
the fleet is generated, and the plans written, in a temporary directory under `out/`.

Each side runs whole, in a process of its own (`--child`), measured from inside:

- **ours**: the program (parse, plan, one provider per cluster, build, export the `derived`
  block) under `gpudc.preview.run.plan_callable`, then `write_plan` (plan.json, manifests, Helm
  values, report.md, report.html), exactly what `gpudc plan` does, into a folder of its own
  for every run: a first plan, every file created. (Re-planning into the same folder rewrites
  only the files that changed; that write is timed after the measurement and shown apart, as
  `re-plan write s`, never in the ratio.) `plan s` and `write s` split ours' time: creating
  a file on this machine's ext4 costs 0.02-0.9 ms depending on the block group its folder
  lands in, so `write s` moves between runs of the same code;
- **floor**: the same resources (type tokens, names, parents, inputs) registered bare under the
  same runner and mocks: every custom resource a minimal `pulumi.CustomResource` subclass, every
  component a minimal `pulumi.ComponentResource` subclass, each under its parent; no providers,
  dependencies, outputs or validation, nothing written. What the Pulumi SDK itself costs for these resources: no library
  built on Pulumi goes below it.

Each process first warms up (ours plans and writes the plano stack, whose copies the fleet is,
so that every module, template and pydantic cache the fleet needs is loaded; the floor registers
as many resources as a plano site has, so that both sides' allocators are as warm): one-time costs are then paid, as in any long run, and what is measured is the
cost that grows with the fleet. (A warm-up on the small lab stack left the network, tenancy and
Cluster API modules, and their pulumi-kubernetes classes, to be imported inside the measurement.) Time is the measured run's CPU time
(`time.process_time`): on a machine shared with others, wall time says more about the
neighbours than about gpudc (on two busy cores it ran 2-3x the CPU time); the runs' wall time
and the whole processes' (start-up, imports, warm-up) are shown beside it.

The warm-up's garbage is collected before the clock starts, and each measurement ends with a
full collection: a plan leaves millions of objects in reference cycles (Pulumi's futures and
outputs), and when the collector frees them depends on allocation counts, not on the work; it
fell inside ours and outside the floor, about a second at 6,000 resources. Both sides pay for
freeing what they made. Memory is the peak resident set of the measured run (VmHWM, its record
restarted after the warm-up) less the resident set once warmed up with the input in hand (the
floor's input is the registrations ours produced, which it must hold to register them).
The ratios ours / floor are the figures that matter (target <= 1.3x from 5,000 resources up):
seconds and MiB depend on the machine, the ratio says what gpudc adds. `ms/res` is ours per
resource; flat across scales is the target.

Exits 0 (it is a report) unless `--max-ratio X` is given and a ratio exceeds X.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STACK = "plano"
RESOURCES_PER_SITE = 1411  # what a plano site registers (machines provisioned through CAPI + Metal3); the table shows the real count
TARGET_RATIO = 1.3
DEFAULT_SCALES = (1000, 5000)


def _rss_kib() -> int:
    """The resident set now (not the peak), from /proc."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def _start_measuring() -> int:
    """Free the warm-up's garbage, freeze what is left (the input, imports: as `gpudc plan`
    freezes what was alive before it plans), restart the kernel's peak-RSS record, return the RSS now."""
    gc.collect()
    gc.freeze()
    with open("/proc/self/clear_refs", "w") as clear:  # "5" resets VmHWM (Linux >= 4.0, proc(5))
        clear.write("5")
    return _rss_kib()


def _peak_kib() -> int:
    """The peak resident set since `_start_measuring` (VmHWM, in KiB)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


# --- the generated fleet ------------------------------------------------------------------------


def generate_fleet(resources: int) -> list[dict[str, Any]]:
    """Environments (each a stack's `gpudc:environment`) of one plano site each, ~`resources` in all.

    One site an environment: a copy of plano's site keeps plano's machine inventories, and one
    environment refuses the same machine in two pools; each copy renames its site, cluster and
    kube contexts so that no two providers or URNs meet.
    """
    import gpudc
    from gpudc.core.project import find_project
    from gpudc.environment.load import CONFIG_KEY

    plano = find_project(ROOT).stack_config(STACK)[CONFIG_KEY]
    environments = []
    for index in range(max(1, math.ceil(resources / RESOURCES_PER_SITE))):
        raw = json.loads(json.dumps(plano))
        site = raw["sites"][0]
        site["name"] = f"{site['name']}-{index:03d}"
        for cluster in site.get("clusters", ()):
            cluster["name"] = f"{cluster['name']}-{index:03d}"
            for access in ("kubernetes", "management"):
                if isinstance(cluster.get(access), dict) and "context" in cluster[access]:
                    cluster[access]["context"] = f"{cluster[access]['context']}-{index:03d}"
        for pool in site["pools"]:
            if "cluster" in pool:
                pool["cluster"] = f"{pool['cluster']}-{index:03d}"
        gpudc.plan_environment(gpudc.EnvironmentSpec.model_validate(raw), inventory_dir=ROOT / "stacks")
        environments.append(raw)
    return environments


# --- the two sides, each run in a process of its own --------------------------------------------


def run_ours(fleet_file: Path, out: Path, registrations: Path) -> dict[str, Any]:
    import pulumi

    import gpudc
    from gpudc.core.project import find_project
    from gpudc.environment.derived import Derived
    from gpudc.environment.program import config_secret_values
    from gpudc.preview.output import write_plan
    from gpudc.preview.run import plan_callable, plan_project, stack_config

    environments = json.loads(fleet_file.read_text())
    # Warm-up: plano planned and written once (imports, template and pydantic caches).
    write_plan(plan_project(find_project(ROOT), STACK), out / "warm-up")
    base = _start_measuring()
    start, wall = time.process_time(), time.perf_counter()

    def program() -> None:
        config = pulumi.Config("gpudc")
        blocks = []
        for index, raw in enumerate(environments):
            spec = gpudc.parse_environment(raw)
            plan = gpudc.plan_environment(spec, inventory_dir=ROOT / "stacks")
            environment = gpudc.Environment(
                f"gpudc-{index}",
                spec,
                providers=gpudc.cluster_providers(spec, config),
                plan=plan,
                secrets=config_secret_values(spec, config),
            )
            blocks.append(environment.derived())
        # One derived block for the report: every environment's sites.
        pulumi.export(
            "derived",
            Derived(
                sites=[site for block in blocks for site in Derived.model_validate(block).sites]
            ).model_dump(mode="json"),
        )

    # plano's config: its `secure:` BMC credentials arrive as `[secret]`, as in `gpudc plan plano`.
    config = stack_config(find_project(ROOT).stack_config(STACK))
    plan = plan_callable(program, "gpudc", "bench", config)
    planned = time.process_time()
    write_plan(plan, out / "plan")
    written = time.process_time()
    gc.collect()  # each side pays for freeing what it left (see the module docstring)
    seconds, peak = time.process_time() - start, _peak_kib()
    replan = time.process_time()
    write_plan(plan, out / "plan")  # a re-plan of the same fleet into the same folder: nothing changed
    replan_write_seconds = time.process_time() - replan
    with registrations.open("wb") as file:  # for the floor, after the measurement
        pickle.dump([(r.urn, r.parent, r.custom, r.type, r.name, r.inputs) for r in plan.resources], file)
    return {
        "seconds": seconds,
        "plan_seconds": planned - start,
        "write_seconds": written - planned,
        "replan_write_seconds": replan_write_seconds,
        "wall_seconds": time.perf_counter() - wall,
        "memory_kib": peak - base,
        "resources": len(plan.resources),
    }


def run_floor(registrations: Path) -> dict[str, Any]:
    import pulumi

    from gpudc.preview.run import plan_callable

    class BareCustom(pulumi.CustomResource):
        """As thin as a resource class can be; a subclass because every real one is (Pulumi
        captures a source stack only from the third `__init__` up: the base class would flatter)."""

        def __init__(self, t: str, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
            super().__init__(t=t, name=name, props=props, opts=opts)

    class BareComponent(pulumi.ComponentResource):
        """A component with its inputs (gpudc's register their spec) and no children or outputs."""

        def __init__(self, t: str, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
            super().__init__(t, name, props, opts)

    with registrations.open("rb") as file:
        resources = pickle.load(file)

    # Parents before their children (registrations come sorted by URN, not by tree).
    order = {urn: index for index, (urn, *_) in enumerate(resources)}

    def depth(item: tuple[Any, ...]) -> int:
        parent, steps = item[1], 0
        while parent in order:
            parent, steps = resources[order[parent]][1], steps + 1
        return steps

    depths = [depth(item) for item in resources]
    resources = [item for _, item in sorted(zip(depths, resources, strict=True), key=lambda pair: pair[0])]

    def program(registered: list[tuple[str, str, bool, str, str, dict[str, Any]]]) -> None:
        made: dict[str, pulumi.Resource] = {}
        for urn, parent, custom, type_, name, inputs in registered:
            opts = pulumi.ResourceOptions(parent=made.get(parent))
            made[urn] = (BareCustom if custom else BareComponent)(type_, name, dict(inputs), opts)

    # As ours warms up on one plano: a site's worth of registrations.
    plan_callable(lambda: program(resources[:RESOURCES_PER_SITE]), "gpudc", "warm-up")
    base = _start_measuring()
    start, wall = time.process_time(), time.perf_counter()
    plan = plan_callable(lambda: program(resources), "gpudc", "floor")
    gc.collect()  # each side pays for freeing what it left (see the module docstring)
    seconds, peak = time.process_time() - start, _peak_kib()
    if len(plan.resources) != len(resources):
        raise RuntimeError(f"floor registered {len(plan.resources)} resources, ours {len(resources)}")
    return {
        "seconds": seconds,
        "wall_seconds": time.perf_counter() - wall,
        "memory_kib": peak - base,
        "resources": len(plan.resources),
    }


def _child(side: str, work: Path) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", side, "--work", str(work)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{side} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


# --- the run ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    resources: int
    ours_s: float
    floor_s: float
    ours_mib: float
    floor_mib: float
    ours_wall_s: float
    floor_wall_s: float
    ours_process_s: float
    floor_process_s: float
    plan_s: float
    write_s: float
    replan_write_s: float
    time_ratio: float
    """The median of each pair's ours / floor (a pair runs back to back, under the same load)."""
    memory_ratio: float

    @property
    def ms_per_resource(self) -> float:
        return 1000 * self.ours_s / self.resources


def measure(resources: int, repeat: int) -> Row:
    # Under the project's out/, where `gpudc plan` writes. File creation costs differ between
    # folders of one filesystem: on this machine's ext4, 0.02 ms a file in one new folder and
    # 0.9 ms in the next (inode allocation in the block group the folder lands in), which is why
    # every run writes into a new folder and `write s` is shown apart.
    (ROOT / "out").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".bench-", dir=ROOT / "out") as directory:
        work = Path(directory)
        (work / "fleet.json").write_text(json.dumps(generate_fleet(resources)))
        # Interleaved, a pair at a time: on a shared machine the load drifts over minutes, and
        # both sides of a ratio should see the same.
        pairs = [(_child("ours", work), _child("floor", work)) for _ in range(repeat)]
    ours, floor = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
    return Row(
        ours[0]["resources"],
        statistics.median(run["seconds"] for run in ours),
        statistics.median(run["seconds"] for run in floor),
        statistics.median(run["memory_kib"] for run in ours) / 1024,
        statistics.median(run["memory_kib"] for run in floor) / 1024,
        statistics.median(run["wall_seconds"] for run in ours),
        statistics.median(run["wall_seconds"] for run in floor),
        statistics.median(run["process_seconds"] for run in ours),
        statistics.median(run["process_seconds"] for run in floor),
        statistics.median(run["plan_seconds"] for run in ours),
        statistics.median(run["write_seconds"] for run in ours),
        statistics.median(run["replan_write_seconds"] for run in ours),
        statistics.median(mine["seconds"] / theirs["seconds"] for mine, theirs in pairs),
        statistics.median(mine["memory_kib"] / theirs["memory_kib"] for mine, theirs in pairs),
    )


def table(rows: list[Row]) -> str:
    header = (
        f"{'resources':>9}  {'time ours/floor':>15}  {'memory ours/floor':>17}  {'ours CPU s':>10}  {'floor CPU s':>11}  "
        f"{'ours MiB':>8}  {'floor MiB':>9}  {'ms/res':>6}  {'KiB/res':>7}  {'plan s':>6}  {'write s':>7}  "
        f"{'re-plan write s':>15}  {'wall s ours/floor':>17}  {'processes s ours/floor':>22}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row.resources:>9,}  {row.time_ratio:>14.2f}x  {row.memory_ratio:>16.2f}x  {row.ours_s:>10.2f}  "
            f"{row.floor_s:>11.2f}  {row.ours_mib:>8.1f}  {row.floor_mib:>9.1f}  {row.ms_per_resource:>6.3f}  "
            f"{1024 * row.ours_mib / row.resources:>7.1f}  {row.plan_s:>6.2f}  {row.write_s:>7.2f}  "
            f"{row.replan_write_s:>15.2f}  "
            f"{f'{row.ours_wall_s:.1f} / {row.floor_wall_s:.1f}':>17}  "
            f"{f'{row.ours_process_s:.1f} / {row.floor_process_s:.1f}':>22}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--resources", type=int, action="append", help="a scale (repeatable); default 1000 and 5000"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="pairs (ours, then the floor) per scale; medians are reported"
    )
    parser.add_argument("--max-ratio", type=float, help="exit 1 if a ratio (time or memory) exceeds this")
    parser.add_argument("--child", choices=("ours", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        work: Path = args.work
        if args.child == "ours":
            out = Path(tempfile.mkdtemp(prefix="out-", dir=work))  # a first plan: a new folder
            result = run_ours(work / "fleet.json", out, work / "registrations.pickle")
        else:
            result = run_floor(work / "registrations.pickle")
        print(json.dumps(result))
        return 0
    scales = sorted(set(args.resources or DEFAULT_SCALES))
    if args.repeat < 1 or any(scale < 1 for scale in scales):
        parser.error("--repeat and every --resources must be >= 1")
    rows = [measure(scale, args.repeat) for scale in scales]
    print(
        f"gpudc plan vs the Pulumi floor, median of {args.repeat}; target <= {TARGET_RATIO}x (Python {sys.version.split()[0]})"
    )
    print(table(rows))
    worst = max(max(row.time_ratio, row.memory_ratio) for row in rows)
    print(
        f"worst ratio {worst:.2f}x: {'within' if worst <= TARGET_RATIO else 'ABOVE'} the {TARGET_RATIO}x target"
    )
    if args.max_ratio is not None and worst > args.max_ratio:
        print(f"FAIL: a ratio exceeds --max-ratio {args.max_ratio}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
