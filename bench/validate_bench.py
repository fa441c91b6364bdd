"""How long does `gpudc validate` take on the biggest stack file the bounds allow?

Run from the repository root: `python bench/validate_bench.py`. Target: under 5 s (on two cores).

The file is generated (never committed) at every bound of one stack at once
(`gpudc.environment.spec`): 16 sites, 128 halls (8 a site), 1,024 pools (64 a site), 25,000
racks, 49,152 nodes, each pool with labels and a taint, every hall with reserved network and
storage racks; it validates clean. `gpudc validate` then runs whole, as a user runs it, in a process of its own:
reading the YAML, the schema, placement, power, cooling and driver checks. The figure is wall
time, the median of `--repeat` runs, with the CPU time beside it (on a shared machine the wall
time also says how busy the neighbours are).
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
from typing import Any

import yaml

from gpudc.environment.spec import MAX_HALLS, MAX_POOLS, MAX_RACKS, MAX_SITES

TARGET_SECONDS = 5.0


def biggest_environment() -> dict[str, Any]:
    halls_per_site = MAX_HALLS // MAX_SITES
    pools_per_site = MAX_POOLS // MAX_SITES
    racks_per_hall = MAX_RACKS // (MAX_SITES * halls_per_site)  # 195
    rows, per_row = 13, racks_per_hall // 13  # 13 rows of 15
    sites = []
    for s in range(MAX_SITES):
        halls = [
            {
                "name": f"h{h}",
                "power_kw": 9000,
                "cooling": "rear-door",
                "rack_power_kw": 45,
                "rack_units": 42,
                "rows": [{"name": f"r{r:02d}", "racks": per_row} for r in range(rows)],
                "network_racks": 4,
                "network_rack_kw": 15,
                "storage_racks": 2,
                "storage_rack_kw": 12,
            }
            for h in range(halls_per_site)
        ]
        pools = [
            {
                "name": f"pool-{p:02d}",
                "hall": f"h{p % halls_per_site}",
                "node_model": "hgx-h100-8gpu",
                "nodes": 48,  # 49,152 nodes in all, next to the 50,000 bound
                "provisioner": {"type": "existing"},
                "labels": {"gpudc.example/team": f"team-{p % 7}", "gpudc.example/tier": "training"},
                "taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}],
            }
            for p in range(pools_per_site)
        ]
        sites.append(
            {
                "name": f"campus-{s:02d}",
                "location": {"city": "Plano", "country": "US", "subdivision": "TX"},
                "region": "us-central",
                "zone": f"zone-{s:02d}",
                "utility_power_mw": 100,
                "pue": 1.3,
                "wue_l_per_kwh": 1.5,
                "grid_carbon_g_per_kwh": 334.1,
                "utilisation": 0.7,
                "kubernetes": {"type": "context", "context": f"campus-{s:02d}"},
                "gpu_operator": {"chart_version": "v26.7.0", "driver": {"mode": "operator"}},
                "halls": halls,
                "pools": pools,
            }
        )
    return {"description": "The biggest stack the bounds allow.", "sites": sites}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gpudc-validate-bench-") as directory:
        root = Path(directory)
        (root / "Pulumi.yaml").write_text(
            "name: gpudc\nruntime: python\nmain: infra/\nstackConfigDir: stacks\n"
        )
        (root / "stacks").mkdir()
        stack = root / "stacks" / "Pulumi.biggest.yaml"
        stack.write_text(
            yaml.safe_dump({"config": {"gpudc:environment": biggest_environment()}}, sort_keys=False)
        )
        walls, cpus = [], []
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "from gpudc.cli import main; main()",
                    "validate",
                    "biggest",
                    "-C",
                    str(root),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if done.returncode != 0:
                print(done.stdout, done.stderr, file=sys.stderr)
                return 1
        size = os.path.getsize(stack)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"biggest stack allowed ({size:,} bytes): {done.stdout.strip()}")
    print(
        f"gpudc validate: {wall:.2f} s wall, {cpu:.2f} s CPU (median of {args.repeat}); "
        f"target < {TARGET_SECONDS:g} s: {'within' if wall < TARGET_SECONDS else 'ABOVE'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
