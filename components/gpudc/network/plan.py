"""A site's network slice: its address plan, its sized fabrics, and what they ask of the halls.

Pure. `plan_network` runs once per site (from `environment.plan`), before capacity planning, so
the switches' power and rack units become the load of the hall's network racks; it returns a
`NetworkPlan` whose per-cluster and per-pool slices the components receive.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from gpudc.catalog.lookup import Hardware
from gpudc.catalog.models import Fabric, NodeModel
from gpudc.catalog.switches import SWITCH_MODELS, FabricKind, SwitchModel
from gpudc.core.errors import SpecError
from gpudc.core.findings import Finding, Severity, register
from gpudc.core.naming import k8s_name
from gpudc.environment.spec import EnvironmentSpec
from gpudc.network.fabric import FabricDemand, FabricPlan, FabricTooSmallError, size_fabric
from gpudc.network.ipam import AddressPlan, OwnerDemand, Subnet, SubnetRole, fleet_overlaps, plan_addresses
from gpudc.network.spec import FabricSpec, NetworkSpec
from gpudc.network.topology import fabric_levels, node_fabric_labels
from gpudc.site.spec import SiteSpec

__all__ = [
    "RAIL_ATTACHMENT_NAMESPACE",
    "ClusterNetwork",
    "HallNetworkLoad",
    "NetworkPlan",
    "PoolNetwork",
    "SiteFabric",
    "address_space_overlap",
    "plan_network",
]

UNKNOWN_SWITCH = register(
    "GPUDC-NET-006", Severity.ERROR, "A fabric names a switch the catalog does not have"
)
FABRIC_PORTS = register("GPUDC-NET-007", Severity.ERROR, "A fabric's pools need more ports than it has")
MIXED_RAILS = register("GPUDC-NET-008", Severity.ERROR, "A fabric's pools differ in rails or line rate")
NETWORK_RACKS = register("GPUDC-NET-009", Severity.ERROR, "A hall's network racks cannot hold its fabric")
RAIL_ATTACHMENT_NAMESPACE = "default"
"""Namespace of the rails' NetworkAttachmentDefinitions; pods elsewhere name them `default/<name>`."""


@dataclass(frozen=True, slots=True)
class SiteFabric:
    """A declared fabric, sized: its spec, its bill of materials, its hall and pools in order."""

    spec: FabricSpec
    plan: FabricPlan
    hall: str | None
    pools: tuple[str, ...]
    pool_nodes: tuple[int, ...]

    @property
    def name(self) -> str:
        return self.spec.name

    def first_slot(self, pool: str) -> int:
        """The fabric slot of the pool's first node: pools are packed in the fabric's order."""
        return sum(self.pool_nodes[: self.pools.index(pool)])

    @property
    def kind(self) -> FabricKind:
        return self.plan.switch.kind


@dataclass(frozen=True, slots=True)
class HallNetworkLoad:
    """What the fabrics standing in a hall draw and take: it replaces `network_rack_kw`."""

    fabrics: tuple[str, ...]
    switches: int
    power_kw: float
    rack_units: int


@dataclass(frozen=True, slots=True)
class PoolNetwork:
    """A pool's slice: its subnets, its fabric, and each node's fabric labels in node order."""

    pool: str
    oob: Subnet
    inband: Subnet
    storage: Subnet | None
    rails: tuple[Subnet, ...]
    fabric: str | None
    node_labels: tuple[Mapping[str, str], ...]
    rail_block: int
    """Addresses each node takes on each rail (one per GPU)."""
    compute_nic: str
    """Model of the pool's compute NICs (e.g. ConnectX-7), for a NicNodePolicy where pools differ."""

    @property
    def rail_attachments(self) -> tuple[str, ...]:
        """Names of the pool's NetworkAttachmentDefinitions, one per rail in rail order
        (`<pool>-rail<N>`, in `RAIL_ATTACHMENT_NAMESPACE`); () when the pool has no rails."""
        return tuple(k8s_name(self.pool, f"rail{subnet.index}") for subnet in self.rails)


@dataclass(frozen=True, slots=True)
class ClusterNetwork:
    """A cluster's slice: pod, service and load-balancer ranges, its pools' slices, its fabrics;
    `spec` is the site's network block the slice was planned from."""

    spec: NetworkSpec
    cluster: str
    pods: Subnet
    services: Subnet
    load_balancer: Subnet
    node_pod_prefix: int
    pools: tuple[PoolNetwork, ...]
    fabrics: tuple[SiteFabric, ...]
    cluster_asn: int
    inband_leaf_asn: int

    @property
    def fabric_levels(self) -> tuple[str, ...]:
        """Node label keys the cluster's Kueue `Topology` gains above its rack level, top-down
        (`gpudc.network.topology.fabric_levels`); () when no pool of the cluster is on a fabric."""
        return fabric_levels() if self.fabrics else ()


@dataclass(frozen=True, slots=True)
class NetworkPlan:
    """A site's address plan and fabrics, the per-hall network load and the warnings found."""

    spec: NetworkSpec
    path: str
    addresses: AddressPlan
    fabrics: tuple[SiteFabric, ...]
    clusters: Mapping[str, ClusterNetwork]
    hall_load: Mapping[str, HallNetworkLoad]
    findings: tuple[Finding, ...] = field(default=())

    @property
    def network_kw(self) -> Mapping[str, float]:
        return MappingProxyType({hall: load.power_kw for hall, load in self.hall_load.items()})


def rail_block(model: NodeModel) -> int:
    """Addresses a node takes on each rail: one per GPU, the most pods that can claim a GPU."""
    return model.gpus_per_node


def _per_node(model: NodeModel, fabric: Fabric) -> int:
    return model.nic_ports(fabric) // model.nodes_per_system


def _compute_speed(model: NodeModel) -> int:
    return max((g.speed_gbps for g in model.nics if g.fabric is Fabric.COMPUTE), default=0)


def plan_network(
    site: SiteSpec, hardware: Hardware, assignment: Mapping[str, str], path: str = ""
) -> NetworkPlan | None:
    """The site's network slice, or None when the site declares no `network`.

    `assignment` maps each pool to its cluster. Raises `SpecError` with every error; warnings
    ride on the plan. Pools whose node model is unknown are left to capacity planning to report.
    """
    network = site.network
    if network is None:
        return None
    prefix = f"{path}.network" if path else "network"
    findings: list[Finding] = []
    models = {pool.name: hardware.node_models.get(pool.node_model) for pool in site.pools}
    pools = {pool.name: pool for pool in site.pools}
    fabrics: list[SiteFabric] = []
    for index, spec in enumerate(network.fabrics):
        fabric = _size(site, spec, f"{prefix}.fabrics[{index}]", models, findings)
        if fabric is not None:
            fabrics.append(fabric)
    clusters = [
        OwnerDemand(
            f"cluster/{cluster.name}",
            nodes=sum(pool.nodes for pool in site.pools if assignment.get(pool.name) == cluster.name),
        )
        for _, cluster in site.cluster_specs
    ]
    pool_demands = [
        OwnerDemand(
            f"pool/{pool.name}",
            nodes=pool.nodes,
            storage_ports=_per_node(model, Fabric.STORAGE),
            rails=_per_node(model, Fabric.COMPUTE),
            rail_block=rail_block(model),
        )
        for pool in site.pools
        if (model := models[pool.name]) is not None
    ]
    addresses, found = plan_addresses(network, clusters, pool_demands, site=site.name, path=prefix)
    findings.extend(found)
    hall_load = _hall_load(site, fabrics, f"{path}." if path else "", findings)
    if addresses is None or any(finding.is_error for finding in findings):
        raise SpecError(findings)
    by_pool = {name: fabric for fabric in fabrics for name in fabric.pools}
    slices: dict[str, ClusterNetwork] = {}
    for _, cluster in site.cluster_specs:
        members = [p for p in site.pools if assignment.get(p.name) == cluster.name and models[p.name]]
        key = f"cluster/{cluster.name}"
        slices[cluster.name] = ClusterNetwork(
            spec=network,
            cluster=cluster.name,
            pods=addresses.get(key, SubnetRole.PODS),
            services=addresses.get(key, SubnetRole.SERVICES),
            load_balancer=addresses.get(key, SubnetRole.LOAD_BALANCER),
            node_pod_prefix=network.node_pod_prefix,
            pools=tuple(_pool_slice(pools[p.name].name, addresses, by_pool, models) for p in members),
            fabrics=tuple(f for f in fabrics if any(p.name in f.pools for p in members)),
            cluster_asn=network.cluster_asn,
            inband_leaf_asn=network.inband_leaf_asn,
        )
    return NetworkPlan(
        spec=network,
        path=prefix,
        addresses=addresses,
        fabrics=tuple(fabrics),
        clusters=MappingProxyType(slices),
        hall_load=MappingProxyType(hall_load),
        findings=tuple(findings),
    )


def _pool_slice(
    name: str,
    addresses: AddressPlan,
    by_pool: Mapping[str, SiteFabric],
    models: Mapping[str, NodeModel | None],
) -> PoolNetwork:
    key = f"pool/{name}"
    fabric = by_pool.get(name)
    model = models[name]
    labels: tuple[Mapping[str, str], ...] = ()
    if fabric is not None:
        start = fabric.first_slot(name)
        per_domain = model.nodes_per_system if model is not None else 1
        labels = tuple(
            MappingProxyType(
                dict(
                    node_fabric_labels(
                        fabric.name,
                        fabric.plan,
                        start + node,
                        domain=f"{name}-nvl{node // per_domain + 1:02d}" if per_domain > 1 else None,
                    )
                )
            )
            for node in range(fabric.pool_nodes[fabric.pools.index(name)])
        )
    storage = [s for s in addresses.of(key) if s.role is SubnetRole.STORAGE]
    return PoolNetwork(
        pool=name,
        oob=addresses.get(key, SubnetRole.OOB),
        inband=addresses.get(key, SubnetRole.INBAND),
        storage=storage[0] if storage else None,
        rails=addresses.rails(key),
        fabric=fabric.name if fabric else None,
        node_labels=labels,
        rail_block=rail_block(model) if model is not None else 1,
        compute_nic=next((g.model for g in model.nics if g.fabric is Fabric.COMPUTE), "") if model else "",
    )


def _size(
    site: SiteSpec,
    spec: FabricSpec,
    at: str,
    models: Mapping[str, NodeModel | None],
    findings: list[Finding],
) -> SiteFabric | None:
    switch: SwitchModel | None = SWITCH_MODELS.get(spec.switch)
    if switch is None:
        findings.append(
            UNKNOWN_SWITCH.finding(
                f"{at}.switch",
                f"switch model {spec.switch!r} is not in the catalog",
                fix=f"use one of {sorted(SWITCH_MODELS)}",
                value=spec.switch,
            )
        )
        return None
    pools = {pool.name: pool for pool in site.pools}
    known = [(name, model) for name in spec.pools if (model := models.get(name)) is not None]
    if len(known) < len(spec.pools):
        return None  # an unknown pool or model is reported by the site spec or capacity planning
    shapes = {(_per_node(model, Fabric.COMPUTE), _compute_speed(model)) for _, model in known}
    if len(shapes) > 1:
        findings.append(
            MIXED_RAILS.finding(
                f"{at}.pools",
                f"fabric {spec.name} mixes pools of different compute ports per node and line rates: "
                + ", ".join(
                    f"{name} {_per_node(model, Fabric.COMPUTE)} x {_compute_speed(model)} Gb/s"
                    for name, model in known
                ),
                fix="give each kind of pool a fabric of its own",
            )
        )
        return None
    [(rails, speed)] = shapes
    if rails == 0:
        findings.append(
            MIXED_RAILS.finding(
                f"{at}.pools",
                f"fabric {spec.name}: pools {list(spec.pools)} have no compute ports to connect",
                fix="remove the fabric or list pools whose node model has compute NICs",
            )
        )
        return None
    nodes = sum(pools[name].nodes for name in spec.pools)
    try:
        plan = size_fabric(FabricDemand(nodes, rails, speed), switch, max_tiers=spec.max_tiers)
    except FabricTooSmallError as exc:
        per_fabric = exc.largest - (1 if switch.kind is FabricKind.INFINIBAND else 0)
        fixes = [f"split the pools over fabrics of at most {per_fabric:,} nodes"]
        if spec.max_tiers == 2:
            fixes.insert(0, f"set {at}.max_tiers to 3")
        findings.append(
            FABRIC_PORTS.finding(
                f"{at}.pools",
                f"fabric {spec.name}: pools {', '.join(spec.pools)} have {nodes:,} nodes of {rails} x {speed} Gb/s "
                f"ports ({nodes * rails:,} ports), but {spec.max_tiers} tiers of {switch.name} "
                f"({switch.radix(speed)} ports each) connect at most {per_fabric:,} nodes "
                f"({per_fabric * rails:,} ports"
                + (", one node slot kept for UFM)" if switch.kind is FabricKind.INFINIBAND else ")"),
                fix=" or ".join(fixes),
            )
        )
        return None
    except ValueError as exc:
        findings.append(
            MIXED_RAILS.finding(
                f"{at}.switch",
                f"fabric {spec.name}: {exc}",
                fix="choose a switch with ports at the pools' compute line rate",
                value=spec.switch,
            )
        )
        return None
    hall = spec.hall or next((pools[name].hall for name in spec.pools if pools[name].hall), None)
    return SiteFabric(spec, plan, hall, spec.pools, tuple(pools[name].nodes for name in spec.pools))


def _hall_load(
    site: SiteSpec, fabrics: list[SiteFabric], prefix: str, findings: list[Finding]
) -> dict[str, HallNetworkLoad]:
    load: dict[str, HallNetworkLoad] = {}
    for fabric in fabrics:
        if fabric.hall is None:
            continue
        before = load.get(fabric.hall, HallNetworkLoad((), 0, 0.0, 0))
        load[fabric.hall] = HallNetworkLoad(
            (*before.fabrics, fabric.name),
            before.switches + fabric.plan.switches,
            before.power_kw + fabric.plan.power_kw,
            before.rack_units + fabric.plan.rack_units,
        )
    for index, hall in enumerate(site.halls):
        need = load.get(hall.name)
        if need is None:
            continue
        at = f"{prefix}halls[{index}]"
        racks_for_units = math.ceil(need.rack_units / hall.rack_units)
        racks_for_power = math.ceil(need.power_kw / hall.rack_power_kw - 1e-9)
        racks = max(racks_for_units, racks_for_power)
        if hall.network_racks < racks:
            findings.append(
                NETWORK_RACKS.finding(
                    f"{at}.network_racks",
                    f"hall {hall.name}: fabric {', '.join(need.fabrics)} has {need.switches} switches "
                    f"taking {need.rack_units}U and {need.power_kw:,.1f} kW; {hall.network_racks} network "
                    f"racks of {hall.rack_units}U and {hall.rack_power_kw:g} kW hold "
                    f"{hall.network_racks * hall.rack_units}U and {hall.network_racks * hall.rack_power_kw:,.1f} kW",
                    fix=f"set {at}.network_racks to at least {racks}",
                    value=hall.network_racks,
                )
            )
    return load


def address_space_overlap(fleet: Mapping[str, EnvironmentSpec]) -> list[Finding]:
    """The fleet check of address space (`gpudc validate --all`): each stack file's validated spec
    in, one finding per pair of sites of different stack files whose subnets overlap, at
    `<stack file>:sites[i].network.supernets`, naming both files, sites and ranges."""
    entries: list[tuple[str, str, str, AddressPlan]] = []
    for file in sorted(fleet):
        spec = fleet[file]
        hardware = Hardware.with_overrides(spec.gpu_models, spec.node_models)
        for index, site in enumerate(spec.sites):
            names = [cluster.name for _, cluster in site.cluster_specs]
            assignment = {pool.name: pool.cluster or names[0] for pool in site.pools}
            try:
                network = plan_network(site, hardware, assignment, f"sites[{index}]")
            except SpecError:
                continue  # the stack's own checks report it
            if network is not None:
                entries.append((file, site.name, f"{file}:{network.path}", network.addresses))
    return fleet_overlaps(entries, across_files_only=True)
