"""How long does gpudc take to start: `gpudc --help` and `gpudc validate` against an empty Python?

Run from anywhere: `python bench/startup_bench.py` (`--runs N`, default 15; `--no-bytecode`).
Target (issue #17): <= 0.3 s for `--help` and `validate`.

Every command runs whole, in a fresh process, as a user runs it (`gpudc.cli:main`, what the
`gpudc` script calls), against this repository's project: `gpudc --help`, `gpudc validate
plano`, `gpudc validate lab`; beside them the floor `python -c pass` of the same interpreter,
which no command goes below, and the libraries `validate` runs on (a one-command typer app that
reads YAML into a pydantic model and prints a line with rich), which `validate` cannot go below:
the difference is gpudc's own (its specs, catalog and checks, imported and run). The commands
take turns (one run of each, N rounds), so a busy neighbour slows them alike. Shown per command:
the median wall time, the median CPU time (user + system, from `getrusage` of the child: on a
machine shared with others the wall time also says how busy the neighbours are), the wall time
over the floor's, and the wall time less the floor's. Bytecode is cached as after an install (a
fresh cache in a temporary directory, written by one warm-up run of each command, so the
repository stays untouched); `--no-bytecode` measures gpudc's own modules compiled from source
in every run instead (a source checkout under `PYTHONDONTWRITEBYTECODE`; the installed packages
keep their caches). A report, not a test: it exits 0 whatever the times, unless a command fails.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.3
GPUDC = [sys.executable, "-c", "import sys; from gpudc.cli import main; sys.argv[0] = 'gpudc'; main()"]
_LIBRARIES = """
import typer, yaml
from pydantic import BaseModel
from rich.console import Console
class Stack(BaseModel):
    sites: int
def validate(stack: str) -> None:
    Console().print(f"stack {stack}: {Stack.model_validate(yaml.safe_load('sites: 1')).sites} site(s)")
typer.run(validate)
"""
COMMANDS: dict[str, list[str]] = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    # What `validate` cannot go below: a one-command typer app that reads YAML into a pydantic
    # model and prints a line with rich.
    "libraries validate uses": [sys.executable, "-c", _LIBRARIES, "plano"],
    "gpudc --help": [*GPUDC, "--help"],
    "gpudc validate plano": [*GPUDC, "validate", "plano", "-C", str(ROOT)],
    "gpudc validate lab": [*GPUDC, "validate", "lab", "-C", str(ROOT)],
}


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one fresh process running `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per command (median)")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="compile every module from source in every run (PYTHONDONTWRITEBYTECODE, no cache)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gpudc-startup-bench-") as cache:
        env = dict(os.environ)
        if args.no_bytecode:  # the installed packages' own caches still serve
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            env.pop("PYTHONPYCACHEPREFIX", None)
        else:  # a fresh cache of everything: the repository stays untouched
            env["PYTHONPYCACHEPREFIX"] = cache
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        walls, cpus = measure(args.runs, env)
    floor = statistics.median(walls["python -c pass (floor)"])
    cached = (
        "gpudc compiled from source in every run" if args.no_bytecode else "bytecode cached, as installed"
    )
    print(f"start-up, median of {args.runs} fresh processes each ({cached}; {sys.executable})")
    print(f"{'command':<24} {'wall s':>7} {'CPU s':>7} {'x floor':>8} {'- floor s':>10}  target")
    for name in COMMANDS:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        target = "" if not name.startswith("gpudc") else ("within" if wall <= TARGET_SECONDS else "ABOVE")
        print(f"{name:<24} {wall:>7.3f} {cpu:>7.3f} {wall / floor:>7.1f}x {wall - floor:>10.3f}  {target}")
    print(f"target: <= {TARGET_SECONDS:g} s wall for `--help` and `validate` (issue #17)")
    return 0


def measure(runs: int, env: dict[str, str]) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and CPU seconds of every run, per command; the commands take turns."""
    for command in COMMANDS.values():  # warm the file cache (and write the bytecode cache)
        run_once(command, env)
    walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpus: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, command in COMMANDS.items():
            wall, cpu = run_once(command, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return walls, cpus


if __name__ == "__main__":
    sys.exit(main())
