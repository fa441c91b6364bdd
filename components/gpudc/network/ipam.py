"""The address plan: deterministic subnets carved from a site's supernets, stable under growth.

Pure (stdlib `ipaddress` only). Each cluster gets a pod CIDR, a service CIDR and a load-balancer
pool; each pool gets an out-of-band (BMC) subnet, an in-band subnet, a storage subnet and one
subnet per compute rail, each sized for the pool's nodes plus the site's growth headroom.

Carving is first-fit over the supernets' free space, in the *recorded* allocation order
(`network.allocation_order`), each block aligned to its own size. An allocation depends only on
the requests before it, so appending a pool or a cluster never moves an existing subnet; and the
order lives in the stack file, so reordering the `pools` list moves nothing either.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from gpudc.core.findings import Finding, Severity, register
from gpudc.network.spec import NetworkSpec

__all__ = [
    "FLEET_OVERLAP",
    "AddressPlan",
    "OwnerDemand",
    "Request",
    "Subnet",
    "SubnetRole",
    "bmc_outside_oob",
    "carve",
    "fleet_overlaps",
    "hosts_prefix",
    "plan_addresses",
]

ADDRESS_SPACE = register("GPUDC-NET-001", Severity.ERROR, "A site's supernets are too small for its subnets")
UNRECORDED = register(
    "GPUDC-NET-002", Severity.WARNING, "A pool or cluster is missing from the recorded allocation order"
)
STALE_ENTRY = register(
    "GPUDC-NET-003", Severity.WARNING, "The allocation order names a pool or cluster the site does not have"
)
POD_CIDR = register("GPUDC-NET-004", Severity.ERROR, "A cluster's pod CIDR holds too few node ranges")
FLEET_OVERLAP = register("GPUDC-NET-005", Severity.ERROR, "Two sites' address plans overlap")
BMC_OUTSIDE_OOB = register(
    "GPUDC-NET-010", Severity.ERROR, "An inventory BMC address lies outside its pool's out-of-band subnet"
)

# Per subnet: the network and broadcast addresses and one gateway are not the nodes'.
_RESERVED_ADDRESSES = 3
# NetworkSpec's bounds, which a fix never leaves.
_LEAST_POD_PREFIX = 8
_MOST_NODE_POD_PREFIX = 28


class SubnetRole(StrEnum):
    """What a subnet carries; the order of a pool's or cluster's blocks is this declaration order."""

    PODS = "pods"
    SERVICES = "services"
    LOAD_BALANCER = "load-balancer"
    OOB = "oob"
    INBAND = "inband"
    STORAGE = "storage"
    RAIL = "rail"


@dataclass(frozen=True, slots=True)
class Request:
    """One block to carve: for `owner` (`pool/<name>`, `cluster/<name>`), `role`, rail `index`,
    either `hosts` addresses (the prefix follows) or a fixed `prefix` length."""

    owner: str
    role: SubnetRole
    hosts: int = 0
    prefix: int | None = None
    index: int | None = None

    @property
    def name(self) -> str:
        suffix = f"-{self.index}" if self.index is not None else ""
        return f"{self.owner}/{self.role.value}{suffix}"

    @property
    def prefixlen(self) -> int:
        return self.prefix if self.prefix is not None else hosts_prefix(self.hosts)


@dataclass(frozen=True, slots=True)
class Subnet:
    """A carved block: what it is for and its network."""

    owner: str
    role: SubnetRole
    network: ipaddress.IPv4Network
    hosts: int
    index: int | None = None

    @property
    def name(self) -> str:
        suffix = f"-{self.index}" if self.index is not None else ""
        return f"{self.owner}/{self.role.value}{suffix}"


@dataclass(frozen=True, slots=True)
class AddressPlan:
    """A site's supernets and every subnet carved from them, in allocation order."""

    supernets: tuple[ipaddress.IPv4Network, ...]
    subnets: tuple[Subnet, ...]

    def of(self, owner: str) -> tuple[Subnet, ...]:
        return tuple(subnet for subnet in self.subnets if subnet.owner == owner)

    def get(self, owner: str, role: SubnetRole, index: int | None = None) -> Subnet:
        for subnet in self.subnets:
            if subnet.owner == owner and subnet.role is role and subnet.index == index:
                return subnet
        raise KeyError(f"no {role.value} subnet for {owner}")

    def rails(self, owner: str) -> tuple[Subnet, ...]:
        return tuple(s for s in self.subnets if s.owner == owner and s.role is SubnetRole.RAIL)

    @property
    def addresses_used(self) -> int:
        return sum(subnet.network.num_addresses for subnet in self.subnets)

    @property
    def addresses_total(self) -> int:
        return sum(net.num_addresses for net in self.supernets)


def hosts_prefix(hosts: int) -> int:
    """Longest IPv4 prefix whose block holds `hosts` addresses plus network, broadcast and gateway."""
    return 32 - max(2, math.ceil(math.log2(max(hosts, 1) + _RESERVED_ADDRESSES)))


def carve(
    supernets: Sequence[ipaddress.IPv4Network], requests: Sequence[Request]
) -> tuple[list[Subnet], list[Request]]:
    """First-fit, size-aligned carving in request order: (placed subnets, requests that did not fit).

    Each placement depends only on the requests before it, the property that keeps a plan stable
    when requests are appended.
    """
    free: list[tuple[int, int]] = [
        (int(net.network_address), int(net.broadcast_address)) for net in supernets
    ]
    placed: list[Subnet] = []
    missing: list[Request] = []
    for request in requests:
        size = 1 << (32 - request.prefixlen)
        for position, (low, high) in enumerate(free):
            start = -(-low // size) * size
            if start + size - 1 > high:
                continue
            pieces = [(low, start - 1)] if start > low else []
            if start + size <= high:
                pieces.append((start + size, high))
            free[position : position + 1] = pieces
            network = ipaddress.IPv4Network((start, request.prefixlen))
            placed.append(Subnet(request.owner, request.role, network, request.hosts, request.index))
            break
        else:
            missing.append(request)
    return placed, missing


@dataclass(frozen=True, slots=True)
class OwnerDemand:
    """What a pool or cluster asks of the address plan.

    For a pool: its nodes, storage ports, compute rails per node and the addresses each node takes
    on a rail (`rail_block`: one per GPU, so each GPU's pod gets its own on the secondary network).
    For a cluster: its nodes (for the pod CIDR check).
    """

    key: str
    nodes: int
    storage_ports: int = 0
    rails: int = 0
    rail_block: int = 1


def _pool_requests(demand: OwnerDemand, growth: float, oob_prefix: int | None = None) -> list[Request]:
    nodes = math.ceil(demand.nodes * (1 + growth))
    requests = [
        Request(demand.key, SubnetRole.OOB, hosts=nodes, prefix=oob_prefix),
        Request(demand.key, SubnetRole.INBAND, hosts=nodes),
    ]
    if demand.storage_ports:
        requests.append(Request(demand.key, SubnetRole.STORAGE, hosts=nodes * demand.storage_ports))
    requests += [
        Request(demand.key, SubnetRole.RAIL, hosts=nodes * demand.rail_block, index=rail)
        for rail in range(demand.rails)
    ]
    return requests


def _cluster_requests(demand: OwnerDemand, network: NetworkSpec) -> list[Request]:
    return [
        Request(demand.key, SubnetRole.PODS, prefix=network.pod_prefix),
        Request(demand.key, SubnetRole.SERVICES, prefix=network.service_prefix),
        Request(demand.key, SubnetRole.LOAD_BALANCER, prefix=network.load_balancer_prefix),
    ]


def plan_addresses(
    network: NetworkSpec,
    clusters: Sequence[OwnerDemand],
    pools: Sequence[OwnerDemand],
    *,
    site: str,
    path: str,
) -> tuple[AddressPlan | None, list[Finding]]:
    """Carve a site's subnets in the recorded order; (plan, findings), the plan None on an error.

    `clusters` and `pools` come in stack-file order, keyed `cluster/<name>` and `pool/<name>`;
    `path` is the site's `network` field path.
    """
    findings: list[Finding] = []
    demands: Mapping[str, tuple[str, OwnerDemand]] = {
        **{c.key: ("cluster", c) for c in clusters},
        **{p.key: ("pool", p) for p in pools},
    }
    for number, key in enumerate(network.allocation_order):
        if key not in demands:
            findings.append(
                STALE_ENTRY.finding(
                    f"{path}.allocation_order[{number}]",
                    f"site {site} has no {key.replace('/', ' ')}, so its space goes to the entries after "
                    "it and their subnets move",
                    fix="restore it, or remove the entry and renumber the nodes of the entries after it",
                    value=key,
                )
            )
    unrecorded = [key for key in demands if key not in network.allocation_order]
    if unrecorded:
        appended = ", ".join(network.allocation_order + tuple(unrecorded))
        findings.append(
            UNRECORDED.finding(
                f"{path}.allocation_order",
                f"site {site}: {', '.join(unrecorded)} {'is' if len(unrecorded) == 1 else 'are'} carved in "
                "stack-file order after the recorded entries; reordering the stack file would move "
                "their subnets",
                fix=f"set {path}.allocation_order to [{appended}]",
            )
        )
    for demand in clusters:
        ranges = 1 << (network.node_pod_prefix - network.pod_prefix)
        wanted = math.ceil(demand.nodes * (1 + network.growth))
        if wanted > ranges:
            bits = math.ceil(math.log2(wanted))
            least = network.node_pod_prefix - bits
            widest = network.pod_prefix + bits
            # Only fixes the spec's bounds allow (pod_prefix >= 8, node_pod_prefix <= 28).
            fixes = [f"lower {path}.pod_prefix to {least}"] if least >= _LEAST_POD_PREFIX else []
            if widest <= _MOST_NODE_POD_PREFIX:
                fixes.append(f"raise {path}.node_pod_prefix to {widest}")
            findings.append(
                POD_CIDR.finding(
                    f"{path}.pod_prefix",
                    f"{demand.key}: a /{network.pod_prefix} pod CIDR holds {ranges} node ranges of "
                    f"/{network.node_pod_prefix}, but {demand.nodes} nodes with {network.growth:.0%} growth "
                    f"need {wanted}",
                    fix=" or ".join(fixes) or "split the cluster's pools over more clusters",
                    value=network.pod_prefix,
                )
            )
    order = [key for key in network.allocation_order if key in demands] + unrecorded
    requests: list[Request] = []
    for key in order:
        kind, demand = demands[key]
        requests += (
            _cluster_requests(demand, network)
            if kind == "cluster"
            else _pool_requests(demand, network.growth, network.oob_prefix)
        )
    for request in requests:
        if request.role is SubnetRole.OOB and request.prefixlen > hosts_prefix(request.hosts):
            findings.append(
                ADDRESS_SPACE.finding(
                    f"{path}.oob_prefix",
                    f"site {site}: {request.owner}'s out-of-band /{request.prefixlen} holds "
                    f"{(1 << (32 - request.prefixlen)) - _RESERVED_ADDRESSES:,} BMCs, it needs {request.hosts:,} "
                    "with growth",
                    fix=f"lower {path}.oob_prefix to {hosts_prefix(request.hosts)} or lower {path}.growth",
                    value=network.oob_prefix,
                )
            )
    supernets = tuple(ipaddress.IPv4Network(net) for net in network.supernets)
    separate = network.oob_supernet is not None
    if network.oob_supernet is None:
        placed, missing = carve(supernets, requests)
    else:
        # The out-of-band range is carved on its own, in the same recorded order.
        oob = ipaddress.IPv4Network(network.oob_supernet)
        oob_placed, oob_missing = carve([oob], [r for r in requests if r.role is SubnetRole.OOB])
        rest_placed, missing = carve(supernets, [r for r in requests if r.role is not SubnetRole.OOB])
        by_name = {subnet.name: subnet for subnet in oob_placed + rest_placed}
        placed = [by_name[r.name] for r in requests if r.name in by_name]
        if oob_missing:
            findings.append(
                ADDRESS_SPACE.finding(
                    f"{path}.oob_supernet",
                    f"site {site}: {len(oob_missing)} out-of-band subnets do not fit {oob} (first: "
                    f"{oob_missing[0].name}, a /{oob_missing[0].prefixlen})",
                    fix=f"give {path}.oob_supernet a larger network or lower {path}.growth",
                    value=str(oob),
                )
            )
        supernets = (oob, *supernets)
    if missing:
        need = sum(1 << (32 - r.prefixlen) for r in requests if not (separate and r.role is SubnetRole.OOB))
        have = sum(ipaddress.IPv4Network(net).num_addresses for net in network.supernets)
        findings.append(
            ADDRESS_SPACE.finding(
                f"{path}.supernets",
                f"site {site}: {len(missing)} of {len(requests)} subnets do not fit (first: {missing[0].name}, "
                f"a /{missing[0].prefixlen}); the plan needs {need:,} addresses, the supernets hold {have:,}",
                fix=(
                    f"add a supernet of at least /{32 - math.ceil(math.log2(max(need - have, 1)))} or lower "
                    f"{path}.growth"
                    if need - have <= 1 << 31
                    else "split the site's pools over more sites: more than an IPv4 /1 is missing"
                ),
            )
        )
    if any(finding.is_error for finding in findings):
        return None, findings
    return AddressPlan(supernets, tuple(placed)), findings


def _overlap(a: ipaddress.IPv4Network, b: ipaddress.IPv4Network) -> bool:
    return a.overlaps(b)


def fleet_overlaps(
    plans: Sequence[tuple[str, str, str, AddressPlan]], *, across_files_only: bool = False
) -> list[Finding]:
    """Overlaps between the address plans of different sites, across stack files.

    Each entry is (stack file, site name, field path of the site's `network`, plan). One finding
    per pair of sites that overlap, at the later site's supernets, naming both stack files, both
    sites and the first overlapping pair of subnets, with the number of overlapping pairs.
    `across_files_only` skips pairs of sites of one file (their own stack's check reports them).
    """
    findings: list[Finding] = []
    for later in range(len(plans)):
        file_b, site_b, path_b, plan_b = plans[later]
        for earlier in range(later):
            file_a, site_a, _, plan_a = plans[earlier]
            if across_files_only and file_a == file_b:
                continue  # a stack file's own check reports those
            if not any(_overlap(a, b) for a in plan_a.supernets for b in plan_b.supernets):
                continue
            pairs = [
                (sa, sb) for sa in plan_a.subnets for sb in plan_b.subnets if sa.network.overlaps(sb.network)
            ]
            if not pairs:
                continue
            first_a, first_b = pairs[0]
            findings.append(
                FLEET_OVERLAP.finding(
                    f"{path_b}.supernets",
                    f"{file_b} site {site_b} {first_b.name} {first_b.network} overlaps {file_a} site "
                    f"{site_a} {first_a.name} {first_a.network} ({len(pairs)} overlapping subnet pair"
                    f"{'' if len(pairs) == 1 else 's'})",
                    fix=f"give site {site_b} in {file_b} supernets no other site uses "
                    f"(site {site_a} in {file_a} uses {', '.join(map(str, plan_a.supernets))})",
                    value=", ".join(map(str, plan_b.supernets)),
                )
            )
    return findings


def bmc_outside_oob(
    oob: ipaddress.IPv4Network, hosts: Sequence[tuple[str, int, str]], *, file: str, path: str
) -> list[Finding]:
    """Inventory rows (node, line, BMC URL) whose BMC is an IP address outside the pool's OOB
    subnet; BMCs named by host name are left to DNS. One finding per row, at the pool's
    `inventory` field."""
    found = []
    for node, line, url in hosts:
        host = urlsplit(url).hostname or ""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            continue
        if address not in oob:
            found.append(
                BMC_OUTSIDE_OOB.finding(
                    path,
                    f"{file} line {line}: node {node}'s BMC {address} is outside the pool's out-of-band "
                    f"subnet {oob}",
                    fix=f"give the BMC an address in {oob} (from {next(oob.hosts())}) and update the row",
                    value=url,
                )
            )
    return found
