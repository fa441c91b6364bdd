"""Write a stack's inventory CSVs from its own placement: `python stacks/inventory/generate.py plano`.

Plano's machines are not public, so its inventory is generated, deterministically, to look like a
real one: every node in the rack gpudc's placement gives it, then `--spares` machines per pool in
the next free racks of its hall (whole systems at a time, as they are racked), BMC addresses in
the site's out-of-band range (10.64.0.0/16 for plano), locally administered MACs (02:...) so no
vendor's OUI is claimed, and serials of the form PLN-<pool>-<NNNN>. Run it again after changing a
pool's size; commit the result.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

from gpudc.catalog.lookup import Hardware
from gpudc.core.project import find_project
from gpudc.environment.load import read_stack
from gpudc.site.capacity import plan_capacity, rack_ids

SPARES = {"h100-a": 4, "h200-a": 4, "l40s-inference": 2, "gb200-a": 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stack")
    args = parser.parse_args()
    project = find_project(Path(__file__).parent)
    spec = read_stack(project, args.stack).environment()
    hardware = Hardware.with_overrides(spec.gpu_models, spec.node_models)
    for site_number, site in enumerate(spec.sites):
        capacity = plan_capacity(site, hardware)
        halls = {hall.name: hall for hall in site.halls}
        used: dict[str, set[str]] = {name: set() for name in halls}
        for pool in capacity.pools:
            if pool.hall is not None:
                used[pool.hall].update(rack.rack.split("/", 1)[1] for rack in pool.racks)
        for pool_number, pool in enumerate(capacity.pools):
            if pool.hall is None or pool.spec.inventory is None:
                continue
            hall = halls[pool.hall]
            racks = [(rack.rack.split("/", 1)[1], rack.nodes) for rack in pool.racks]
            spares = SPARES.get(pool.name, 0)
            if spares:
                per_system = pool.node_model.nodes_per_system
                usable = rack_ids(hall)[: hall.total_racks - hall.network_racks - hall.storage_racks]
                free = [rack for rack in usable if rack not in used[pool.hall]]
                per_rack = min(
                    int(hall.rack_power_kw // pool.node_model.max_power_kw),
                    hall.rack_units // pool.node_model.rack_units,
                )
                needed = math.ceil(spares / (per_rack * per_system))
                if needed > len(free):
                    sys.exit(f"hall {hall.name} has no free rack for {spares} spares of pool {pool.name}")
                for rack in free[:needed]:
                    count = min(spares, per_rack * per_system)
                    racks.append((rack, count))
                    used[pool.hall].add(rack)
                    spares -= count
            _write(project.stacks_dir / pool.spec.inventory, site_number, pool_number, pool.name, racks)


def _write(path: Path, site: int, pool: int, name: str, racks: list[tuple[str, int]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = name.replace("-", "").upper()
    with path.open("w", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["node", "rack", "bmc_address", "boot_mac", "serial"])
        number = 0
        for rack, count in racks:
            for slot in range(1, count + 1):
                number += 1
                host = f"{name}-{rack}-{slot:02d}"
                octet3, octet4 = divmod(number, 250)
                writer.writerow(
                    [
                        host,
                        rack,
                        f"redfish+https://10.64.{pool * 16 + octet3}.{octet4 + 1}/redfish/v1/Systems/1",
                        f"02:{site:02x}:{pool:02x}:{number >> 8 & 0xFF:02x}:{number & 0xFF:02x}:01",
                        f"PLN-{prefix}-{number:04d}",
                    ]
                )
    print(f"wrote {path} ({number} machines)")


if __name__ == "__main__":
    main()
