"""A pool's machines, as the datacenter team keeps them: one CSV row per machine.

Columns: `node` (the Kubernetes node and BareMetalHost name), `rack` (a rack of the pool's hall,
as `<row>-<NN>`, e.g. `a-01`), `bmc_address` (the BMC's Redfish URL), `boot_mac` (the NIC the
host PXE/virtual-media boots from) and `serial`. Everything is checked here, before anything is
registered, and every problem names the file, the row number and the column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from gpudc.core.errors import SpecError
from gpudc.core.findings import Finding, Severity, printable, register

__all__ = [
    "COLUMNS",
    "Host",
    "Inventory",
    "duplicate_machines",
    "read_inventory",
]

COLUMNS = ("node", "rack", "bmc_address", "boot_mac", "serial")
_MAX_BYTES = 8 * 1024 * 1024
_MAX_ROWS = 100_000

INVENTORY_FILE = register("GPUDC-INVENTORY-001", Severity.ERROR, "An inventory file cannot be read")
INVENTORY_CELL = register("GPUDC-INVENTORY-002", Severity.ERROR, "An inventory cell is not valid")
INVENTORY_DUPLICATE = register(
    "GPUDC-INVENTORY-003", Severity.ERROR, "A machine appears twice in the inventories"
)

# Node names become BareMetalHost and Node names and the `kubernetes.io/hostname` label: a DNS label.
_NODE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_RACK = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?-[0-9]{2,}$")
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_SERIAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
# The Redfish family of BMC drivers baremetal-operator accepts, each with optional +http/+https:
# metal3-io/baremetal-operator v0.13, pkg/hardwareutils/bmc (redfish.go, idrac_redfish.go,
# ilo5 is redfish-based too) and docs/api.md `bmc.address`.
_REDFISH_SCHEMES = frozenset(
    f"{driver}{transport}"
    for driver in (
        "redfish",
        "redfish-virtualmedia",
        "idrac-redfish",
        "idrac-virtualmedia",
        "ilo5-redfish",
        "ilo5-virtualmedia",
    )
    for transport in ("", "+http", "+https")
)


@dataclass(frozen=True, slots=True)
class Host:
    """One machine of a pool, from its inventory row (`line` is the row number in the file)."""

    name: str
    rack: str
    bmc_address: str
    boot_mac: str
    serial: str
    line: int


@dataclass(frozen=True, slots=True)
class Inventory:
    """A pool's inventory: the file as the stack names it, and its machines in file order."""

    file: str
    hosts: tuple[Host, ...]

    @property
    def racks(self) -> tuple[str, ...]:
        """The racks the machines stand in, in first-seen order."""
        return tuple(dict.fromkeys(host.rack for host in self.hosts))


def read_inventory(base: Path | None, relative: str, *, path: str) -> Inventory:
    """Read and check `relative` (under `base`, the stack file's folder); `path` is the field path
    of the pool's `inventory`, where every finding is reported."""
    if base is None:
        raise SpecError(
            [
                INVENTORY_FILE.finding(
                    path,
                    f"names {relative}, but this program was given no folder to read inventories from",
                    fix="pass `inventory_dir=` (the stack file's folder) to plan_environment",
                    value=relative,
                )
            ]
        )
    text = _read_text(base / relative, relative, path)
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise SpecError([_file_problem(path, relative, f"is not valid CSV ({exc})")]) from None
    if not rows or [cell.strip() for cell in rows[0]] != list(COLUMNS):
        found = ",".join(printable(cell.strip()) for cell in rows[0])[:120] if rows else "nothing"
        raise SpecError(
            [
                _file_problem(
                    path,
                    relative,
                    f"row 1 must be the header {','.join(COLUMNS)}; found {found}",
                    fix=f"start the file with the line: {','.join(COLUMNS)}",
                )
            ]
        )
    if len(rows) - 1 > _MAX_ROWS:
        raise SpecError([_file_problem(path, relative, f"has {len(rows) - 1} rows; at most {_MAX_ROWS}")])
    hosts: list[Host] = []
    findings: list[Finding] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        host, problems = _host(row, number, relative, path)
        findings.extend(problems)
        if host is not None:
            hosts.append(host)
    findings.extend(duplicate_machines([Inventory(relative, tuple(hosts))], [path]))
    if findings:
        raise SpecError(findings)
    return Inventory(relative, tuple(hosts))


def duplicate_machines(inventories: Sequence[Inventory], paths: Sequence[str]) -> list[Finding]:
    """Rows that name a machine another row names too: node, boot MAC, BMC address or serial,
    within one file or across files (each inventory reported at its own pool's path)."""
    findings = []
    keys: tuple[tuple[str, Callable[[Host], str]], ...] = (
        ("node", lambda host: host.name),
        ("boot_mac", lambda host: host.boot_mac),
        ("bmc_address", lambda host: host.bmc_address.lower()),
        ("serial", lambda host: host.serial),
    )
    for column, key in keys:
        first: dict[str, tuple[str, int]] = {}
        for inventory, path in zip(inventories, paths, strict=True):
            for host in inventory.hosts:
                value = key(host)
                if value in first:
                    file, line = first[value]
                    where = f"row {line}" if file == inventory.file else f"{file}, row {line}"
                    findings.append(
                        INVENTORY_DUPLICATE.finding(
                            path,
                            f"{inventory.file}, row {host.line}, column {column}: {value} is also on {where}",
                            fix="each machine is one row: remove the repeat or correct the value",
                            value=value,
                        )
                    )
                else:
                    first[value] = (inventory.file, host.line)
    return findings


def _read_text(file: Path, relative: str, path: str) -> str:
    try:
        size = file.stat().st_size
        if size > _MAX_BYTES:
            raise SpecError([_file_problem(path, relative, f"is {size} bytes; at most {_MAX_BYTES}")])
        data = file.read_bytes()
    except FileNotFoundError:
        raise SpecError(
            [_file_problem(path, relative, "does not exist", fix=f"create {relative} next to the stack file")]
        ) from None
    except OSError as exc:
        raise SpecError([_file_problem(path, relative, f"cannot be read ({exc.strerror})")]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(
            [_file_problem(path, relative, f"is not UTF-8 (byte {exc.start})", fix="save it as UTF-8")]
        ) from None


def _file_problem(path: str, relative: str, problem: str, *, fix: str = "") -> Finding:
    return INVENTORY_FILE.finding(path, f"{relative} {problem}", fix=fix, value=relative)


def _host(row: list[str], number: int, relative: str, path: str) -> tuple[Host | None, list[Finding]]:
    if len(row) != len(COLUMNS):
        return None, [
            INVENTORY_CELL.finding(
                path,
                f"{relative}, row {number}: has {len(row)} cells, the header has {len(COLUMNS)}",
                fix=f"give every row the columns {','.join(COLUMNS)}",
            )
        ]
    cells = dict(zip(COLUMNS, (cell.strip() for cell in row), strict=True))
    cells["boot_mac"] = cells["boot_mac"].lower()
    problems = [
        INVENTORY_CELL.finding(
            path,
            f"{relative}, row {number}, column {column}: {message}",
            fix=fix,
            value=printable(cells[column])[:120],
        )
        for column, message, fix in _cell_problems(cells)
    ]
    if problems:
        return None, problems
    return Host(
        name=cells["node"],
        rack=cells["rack"],
        bmc_address=cells["bmc_address"],
        boot_mac=cells["boot_mac"],
        serial=cells["serial"],
        line=number,
    ), []


def _cell_problems(cells: dict[str, str]) -> Iterable[tuple[str, str, str]]:
    if not _NODE.match(cells["node"]):
        yield (
            "node",
            "is not a node name",
            "use lowercase letters, digits and '-' (at most 63), starting and ending with a letter or digit",
        )
    if not _RACK.match(cells["rack"]):
        yield "rack", "is not a rack of the hall", "write the rack as <row>-<NN>, e.g. a-01"
    if not _MAC.match(cells["boot_mac"]):
        yield (
            "boot_mac",
            "is not a MAC address",
            "write six hex pairs separated by ':', e.g. 0c:42:a1:00:00:01",
        )
    if not _SERIAL.match(cells["serial"]):
        yield "serial", "is not a serial number", "use letters, digits, '.', '_', '/' or '-' (at most 64)"
    problem = _bmc_problem(cells["bmc_address"])
    if problem:
        yield (
            "bmc_address",
            problem,
            "write the BMC's Redfish URL, e.g. redfish+https://10.0.0.5/redfish/v1/Systems/1",
        )


def _bmc_problem(address: str) -> str:
    # The whole string at once, not a generator per character: 682 hosts cost plano's `validate` 5 ms so.
    if not address or not address.isprintable() or any(map(str.isspace, address)):
        return "is not a URL"
    try:
        parts = urlsplit(address)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "is not a URL"
    if parts.scheme not in _REDFISH_SCHEMES:
        return f"uses {parts.scheme or 'no'} scheme; baremetal-operator's Redfish drivers take {', '.join(sorted(_REDFISH_SCHEMES)[:3])}, ..."
    if not parts.hostname:
        return "has no BMC host"
    return ""
