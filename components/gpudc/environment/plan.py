"""The derived model: everything gpudc works out from a validated environment, computed once.

`plan_environment` runs each domain's pure derivation exactly once per site or cluster
(capacity, the GPU Operator's driver, and later the address plan, fabric, topology and
tenancy) and gathers the results into typed slices: a `SitePlan` per site, holding a
`ClusterPlan` per cluster, holding a `PoolPlan` per pool. Components receive their own slice and
never search a bigger plan or derive anything again. Every finding lands here too, with the
stack file's waivers applied, so the CLI, the program and the report all see the same list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from gpudc.catalog.lookup import Hardware
from gpudc.catalog.models import GpuModel, NodeModel
from gpudc.cluster.spec import CapiClusterRef, ClusterSpec, KubeconfigSecretAccess, access_identity
from gpudc.core.errors import SpecError
from gpudc.core.findings import Check, Finding, Severity, register
from gpudc.core.labels import HALL_LABEL, NODE_MODEL_LABEL, POOL_LABEL, REGION_LABEL, SITE_LABEL, ZONE_LABEL
from gpudc.core.spec import Protection
from gpudc.environment.spec import EnvironmentSpec, Waiver
from gpudc.gpu_operator.versions import BURN_IN_TAINT, OperatorPlan, OperatorPool, PoolGpuPlan, plan_operator
from gpudc.network.ipam import AddressPlan, SubnetRole, bmc_outside_oob, fleet_overlaps
from gpudc.network.plan import (
    RAIL_ATTACHMENT_NAMESPACE,
    ClusterNetwork,
    NetworkPlan,
    PoolNetwork,
    plan_network,
)
from gpudc.nodepool.checks import (
    RackedPool,
    check_cks,
    check_hall_racks,
    check_machine_counts,
    cks_type_for,
)
from gpudc.nodepool.hosts import PlacedNode, inventory_nodes, placed_nodes
from gpudc.nodepool.inventory import Inventory, duplicate_machines, read_inventory
from gpudc.nodepool.provisioning import CapiMetal3Provisioner
from gpudc.nodepool.spec import NodePoolSpec, Taint
from gpudc.scheduling.quotas import SchedulingPlan, plan_scheduling
from gpudc.site.capacity import CapacityPlan, PoolCapacity, plan_capacity, plan_pool_capacity
from gpudc.site.spec import SiteSpec
from gpudc.tenancy.quotas import PoolShare, TenantPlan, duplicate_tenants, plan_tenants

__all__ = [
    "MISSING_PROVIDER",
    "ClusterPlan",
    "EnvironmentPlan",
    "PoolPlan",
    "SecretState",
    "SitePlan",
    "Waived",
    "plan_environment",
    "plan_site",
    "standalone_pool_plan",
]

POOL_CLUSTER = register("GPUDC-CLUSTER-001", Severity.ERROR, "A pool must name one cluster of its site")
CLUSTER_NAME = register(
    "GPUDC-CLUSTER-002", Severity.ERROR, "Cluster names must be unique in the environment"
)
CLUSTER_IDENTITY = register(
    "GPUDC-CLUSTER-003", Severity.ERROR, "Two clusters resolve to the same Kubernetes cluster"
)
SECRET_UNSET = register("GPUDC-CLUSTER-004", Severity.ERROR, "A kubeconfig secret the stack names is not set")
SECRET_PLAINTEXT = register("GPUDC-CLUSTER-006", Severity.ERROR, "A kubeconfig is stored in plain text")
NAME_CLASH = register("GPUDC-NAME-001", Severity.ERROR, "Names combine into one resource name")
WAIVED_ERROR = register(
    "GPUDC-WAIVER-001", Severity.ERROR, "A waiver names an error; only warnings can be waived"
)
MISSING_PROVIDER = register("GPUDC-CLUSTER-005", Severity.ERROR, "A cluster has no Kubernetes providers")
CAPI_MANAGEMENT = register(
    "GPUDC-PROVISION-001", Severity.ERROR, "A capi-metal3 pool's cluster names no Cluster API management"
)
BMC_SECRET = register("GPUDC-PROVISION-002", Severity.ERROR, "BMC credentials are not set as secrets")
UNUSED_WAIVER = register("GPUDC-WAIVER-002", Severity.WARNING, "A waiver matches no warning")


class SecretState(StrEnum):
    """How a key of the `gpudc` config namespace is set in a stack."""

    UNSET = "unset"
    PLAINTEXT = "plaintext"
    SECRET = "secret"


SecretLookup = Callable[[str], SecretState]
"""How a `gpudc:` config key is set: the stack file's answer (CLI) or `pulumi.Config`'s (program)."""


@dataclass(frozen=True, slots=True)
class PoolPlan:
    """A pool's slice: its capacity, the site context its nodes are labelled with, and where each
    node stands (`placed`: the inventory's machines, spares included, or the computed placement;
    empty for a managed pool)."""

    spec: NodePoolSpec
    site: str
    region: str
    zone: str
    cluster: str
    capacity: PoolCapacity
    placed: tuple[PlacedNode, ...] = ()
    inventory: Inventory | None = None
    cks_instance_type: str | None = None
    capi: CapiClusterRef | None = None
    protection: Protection = Protection.NONE
    """How the pool's objects are guarded against loss (the environment's `protection`)."""
    gpu_labels: Mapping[str, str] = dataclass_field(default_factory=lambda: MappingProxyType({}))
    """Node labels the pool's GPU settings need (`nvidia.com/mig.config`,
    `nvidia.com/device-plugin.config`), from the cluster's operator plan; in `node_labels`."""
    gpu_taints: tuple[Taint, ...] = ()
    """Taints the pool's GPU settings add at registration: the burn-in taint
    (`gpudc.io/burn-in=pending:NoSchedule`) when the pool has a burn-in gate."""
    network: PoolNetwork | None = None
    """Subnets, fabric and per-node fabric labels (`node_labels[i]` for the pool's i-th node,
    topograph keys, see `gpudc.network.topology`); None when the site declares no network."""

    @property
    def registration_taints(self) -> tuple[Taint, ...]:
        """Every taint a new node of the pool registers with (kubelet `--register-with-taints`,
        kubeadm `nodeRegistration.taints`): the spec's, then `gpu_taints`. Only for join-time
        mechanisms: a taint re-applied on every update would undo the burn-in gate."""
        return (*self.spec.taints, *self.gpu_taints)

    @property
    def node_labels(self) -> dict[str, str]:
        """Labels every node of the pool carries: site, region, zone, hall, pool, model, extras
        (each node adds its own rack's labels, `PlacedNode.labels`)."""
        spec = self.spec
        labels = {POOL_LABEL: spec.name, NODE_MODEL_LABEL: spec.node_model}
        if spec.hall is not None:
            labels[HALL_LABEL] = spec.hall
        if self.site:
            labels.update({SITE_LABEL: self.site, REGION_LABEL: self.region, ZONE_LABEL: self.zone})
        labels.update(spec.labels)
        labels.update(self.gpu_labels)
        return dict(sorted(labels.items()))

    @property
    def placed_labels(self) -> tuple[dict[str, str], ...]:
        """Per node of `placed`, the labels of where it stands: hall, row, rack, and its position
        in the fabric (topograph's keys) when the site declares a network."""
        fabric = self.network.node_labels if self.network is not None else ()
        return tuple(
            {**node.labels, **(fabric[index] if index < len(fabric) else {})}
            for index, node in enumerate(self.placed)
        )

    @property
    def spares(self) -> tuple[PlacedNode, ...]:
        """Inventory machines beyond the pool's size, in file order (Metal3 claims any `nodes` of
        the hosts; the ones listed last are the ones called spares in the report)."""
        return self.placed[self.nodes :] if self.inventory is not None else ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def nodes(self) -> int:
        return self.capacity.nodes

    @property
    def gpus(self) -> int:
        return self.capacity.gpus

    @property
    def node_model(self) -> NodeModel:
        return self.capacity.node_model

    @property
    def gpu_model(self) -> GpuModel:
        return self.capacity.gpu_model


@dataclass(frozen=True, slots=True)
class ClusterPlan:
    """A cluster's slice: its pools and its GPU Operator; `path` is where the stack file says it."""

    spec: ClusterSpec
    site: str
    path: str
    operator: OperatorPlan
    pools: tuple[PoolPlan, ...]
    scheduling: SchedulingPlan
    protection: Protection = Protection.NONE
    """How the cluster's namespaces and children are guarded against loss (the environment's)."""
    tenants: tuple[TenantPlan, ...] = ()
    network: ClusterNetwork | None = None
    """Pod, service and load-balancer ranges, the pools' subnets and the fabrics the cluster's
    pools hang off; None when the site declares no network."""

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True, slots=True)
class SitePlan:
    """A site's slice: its physical capacity and its clusters. Each domain adds its slice here."""

    spec: SiteSpec
    path: str
    capacity: CapacityPlan
    clusters: tuple[ClusterPlan, ...]
    network: NetworkPlan | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def pools(self) -> tuple[PoolPlan, ...]:
        return tuple(pool for cluster in self.clusters for pool in cluster.pools)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return (
            self.capacity.findings
            + (self.network.findings if self.network else ())
            + tuple(finding for cluster in self.clusters for finding in cluster.operator.findings)
        )

    def pool(self, name: str) -> PoolPlan:
        """A pool's slice by name, for programs and tests (components are handed theirs)."""
        for pool in self.pools:
            if pool.name == name:
                return pool
        raise KeyError(f"site {self.name} has no pool {name!r}; its pools: {[p.name for p in self.pools]}")


@dataclass(frozen=True, slots=True)
class Waived:
    """A warning the stack file accepts, and the reason it gives."""

    finding: Finding
    reason: str


@dataclass(frozen=True, slots=True)
class EnvironmentPlan:
    """A validated environment and everything derived from it; `findings` are the warnings left
    after waivers (errors never reach a plan: they raise `SpecError`)."""

    spec: EnvironmentSpec
    hardware: Hardware
    sites: Mapping[str, SitePlan]
    findings: tuple[Finding, ...]
    waived: tuple[Waived, ...]

    @property
    def clusters(self) -> tuple[ClusterPlan, ...]:
        return tuple(cluster for site in self.sites.values() for cluster in site.clusters)

    def address_plans(self, file: str) -> list[tuple[str, str, str, AddressPlan]]:
        """Each site's address plan labelled with `file`, for `network.ipam.fleet_overlaps` over
        many stack files (`gpudc validate --all`)."""
        return [
            (file, name, site.network.path, site.network.addresses)
            for name, site in self.sites.items()
            if site.network is not None
        ]


def plan_site(
    site: SiteSpec,
    hardware: Hardware,
    path: str = "",
    *,
    secrets: SecretLookup | None = None,
    inventory_dir: Path | None = None,
    protection: Protection = Protection.NONE,
) -> SitePlan:
    """Capacity once, then the pools' machines, then each cluster's pools, operator and queues;
    every finding raised together. Inventories are read from `inventory_dir` (the stack file's
    folder). `protection` is the environment's choice, handed to every cluster, pool and operator
    slice."""
    findings: list[Finding] = []
    capacity: CapacityPlan | None = None
    prefix = f"{path}." if path else ""
    assignment = _pool_clusters(site, prefix, findings)
    network: NetworkPlan | None = None
    try:
        network = plan_network(site, hardware, assignment, path)
        findings.extend(network.findings if network else ())
    except SpecError as exc:
        findings.extend(exc.issues)
    try:
        capacity = plan_capacity(site, hardware, path, network_kw=network.network_kw if network else None)
        findings.extend(capacity.findings)
    except SpecError as exc:
        findings.extend(exc.issues)
    inventories = _read_inventories(site, prefix, inventory_dir, findings)
    for index, pool in enumerate(site.pools):
        findings.extend(check_cks(pool, f"{prefix}pools[{index}]"))
    if capacity is not None:
        findings.extend(_check_racks(site, prefix, capacity, inventories))
    if network is not None:
        findings.extend(_bmcs_in_oob(site, prefix, network, inventories))
    clusters: list[ClusterPlan] = []
    for cluster_path, cluster in site.cluster_specs:
        at = f"{prefix}{cluster_path}".rstrip(".")
        if secrets is not None:
            findings.extend(_unset_secrets(cluster, at, secrets))
        if len(assignment) < len(site.pools):
            continue  # a pool without its cluster would make every operator check a knock-on
        members = [pool for pool in site.pools if assignment[pool.name] == cluster.name]
        findings.extend(_check_provisioning(site, prefix, cluster, at, members, secrets))
        try:
            # From the pools' models, not their placement: a hall problem must not hide a
            # driver that cannot run the pools' GPUs (every finding at once).
            indexes = {pool.name: index for index, pool in enumerate(site.pools)}
            operator = plan_operator(
                cluster.gpu_operator,
                [
                    OperatorPool(
                        pool.name,
                        gpu,
                        pool.taints,
                        pool.gpu,
                        pool.nodes,
                        node.nodes_per_system,
                        f"{prefix}pools[{indexes[pool.name]}]",
                        node.gpu_model,
                        node.gpus_per_node,
                        _rail_networks(site, network, cluster.name, pool.name),
                        site.network is not None,
                    )
                    for pool, node, gpu in _pool_gpus(members, hardware)
                ],
                site=site.name,
                path=f"{at}.gpu_operator" if at else "gpu_operator",
                kubernetes_version=cluster.kubernetes_version,
                kubernetes_path=f"{at}.kubernetes_version" if at else "kubernetes_version",
                cluster=cluster.name,
            )
        except SpecError as exc:
            findings.extend(exc.issues)
            continue
        if capacity is not None:
            sliced = network.clusters.get(cluster.name) if network else None
            by_pool = {pool.pool: pool for pool in sliced.pools} if sliced else {}
            pools = tuple(
                replace(
                    _pool_plan(site, cluster, pool, inventories.get(pool.name), operator.pool(pool.name)),
                    network=by_pool.get(pool.name),
                    protection=protection,
                )
                for pool in capacity.pools
                if assignment[pool.name] == cluster.name
            )
            scheduling = plan_scheduling(
                cluster.scheduling,
                cluster=cluster.name,
                site=site.name,
                pools=[
                    (pool.name, pool.node_model, pool.nodes, pool.gpus, bool(pool.placed)) for pool in pools
                ],
                fabric_levels=sliced.fabric_levels if sliced else (),
                on_fabric=frozenset(
                    pool.name for pool in pools if pool.network and any(pool.network.node_labels)
                ),
            )
            operator = replace(operator, protection=protection)
            tenants, tenant_findings = _plan_tenants(cluster, site.name, at, scheduling, secrets)
            findings.extend(tenant_findings)
            scheduling = _less_tenants(scheduling, tenants)
            clusters.append(
                ClusterPlan(cluster, site.name, at, operator, pools, scheduling, protection, tenants, sliced)
            )
    if capacity is None or any(finding.is_error for finding in findings):
        raise SpecError(findings)
    return SitePlan(site, path, capacity, tuple(clusters), network)


def _rail_networks(
    site: SiteSpec, network: NetworkPlan | None, cluster: str, pool: str
) -> tuple[str, ...] | None:
    """The pool's rail NetworkAttachmentDefinitions as `<namespace>/<name>`: () when the site has
    no network or the pool no rails, None when the site's network failed to plan (reported there)."""
    if site.network is None:
        return ()
    if network is None:
        return None
    sliced = network.clusters.get(cluster)
    pools = {p.pool: p for p in sliced.pools} if sliced else {}
    found = pools.get(pool)
    return tuple(f"{RAIL_ATTACHMENT_NAMESPACE}/{name}" for name in found.rail_attachments) if found else ()


def _plan_tenants(
    cluster: ClusterSpec, site: str, at: str, scheduling: SchedulingPlan, secrets: SecretLookup | None
) -> tuple[tuple[TenantPlan, ...], list[Finding]]:
    """The cluster's tenants against its pools' Kueue quotas (gpudc.tenancy.quotas), once: a
    tenant's cores and memory are its GPUs' share of what Kueue may admit in each flavor."""
    shares = [
        PoolShare(quota.pool, quota.flavor, quota.gpus, quota.cpu_cores, quota.memory_gib)
        for quota in scheduling.quotas
    ]
    return plan_tenants(
        cluster.tenants,
        shares,
        site=site,
        cluster=cluster.name,
        cohort=scheduling.cohort,
        overcommit=cluster.tenant_gpu_overcommit,
        path=f"{at}.tenants" if at else "tenants",
        secret_state=secrets,
    )


def _less_tenants(scheduling: SchedulingPlan, tenants: Sequence[TenantPlan]) -> SchedulingPlan:
    """The cluster queue keeps what the tenants' queues do not hold: Kueue adds up the nominal
    quotas of a cohort's queues, so a pool's GPUs counted in both would be offered twice."""
    if not tenants:
        return scheduling
    held: dict[str, list[int]] = {}
    for tenant in tenants:
        for flavor in tenant.flavors:
            totals = held.setdefault(flavor.pool, [0, 0, 0])
            totals[0] += flavor.gpus.nominal
            totals[1] += flavor.cpu_cores.nominal
            totals[2] += flavor.memory_gib.nominal
    quotas = []
    for quota in scheduling.quotas:
        gpus, cores, memory = held.get(quota.pool, (0, 0, 0))
        quotas.append(
            replace(
                quota,
                gpus=max(quota.gpus - gpus, 0),
                cpu_cores=max(quota.cpu_cores - cores, 0),
                memory_gib=max(quota.memory_gib - memory, 0),
            )
        )
    return replace(scheduling, quotas=tuple(quotas))


def _pool_plan(
    site: SiteSpec, cluster: ClusterSpec, pool: PoolCapacity, inventory: Inventory | None, gpu: PoolGpuPlan
) -> PoolPlan:
    placed: tuple[PlacedNode, ...] = ()
    if pool.hall is not None:
        placed = (
            inventory_nodes(inventory, pool.hall)
            if inventory is not None
            else placed_nodes(
                pool.name, pool.hall, [(rack.rack.split("/", 1)[1], rack.nodes) for rack in pool.racks]
            )
        )
    return PoolPlan(
        pool.spec,
        site.name,
        site.region,
        site.zone,
        cluster.name,
        pool,
        placed=placed,
        inventory=inventory,
        gpu_labels=gpu.labels,
        gpu_taints=(BURN_IN_TAINT,) if gpu.burn_in else (),
        cks_instance_type=cks_type_for(pool.spec),
        capi=cluster.capi,
    )


def _bmcs_in_oob(
    site: SiteSpec, prefix: str, network: NetworkPlan, inventories: Mapping[str, Inventory]
) -> list[Finding]:
    """Each inventory BMC given as an IP address lies in its pool's out-of-band subnet."""
    found = []
    for index, pool in enumerate(site.pools):
        inventory = inventories.get(pool.name)
        if inventory is None:
            continue
        oob = network.addresses.get(f"pool/{pool.name}", SubnetRole.OOB).network
        rows = [(host.name, host.line, host.bmc_address) for host in inventory.hosts]
        found += bmc_outside_oob(oob, rows, file=inventory.file, path=f"{prefix}pools[{index}].inventory")
    return found


def _read_inventories(
    site: SiteSpec, prefix: str, inventory_dir: Path | None, findings: list[Finding]
) -> dict[str, Inventory]:
    inventories: dict[str, Inventory] = {}
    for index, pool in enumerate(site.pools):
        if pool.inventory is None:
            continue
        at = f"{prefix}pools[{index}]"
        try:
            inventory = read_inventory(inventory_dir, pool.inventory, path=f"{at}.inventory")
        except SpecError as exc:
            findings.extend(exc.issues)
            continue
        inventories[pool.name] = inventory
        findings.extend(check_machine_counts(pool, at, inventory))
    return inventories


def _check_racks(
    site: SiteSpec, prefix: str, capacity: CapacityPlan, inventories: Mapping[str, Inventory]
) -> list[Finding]:
    """Inventory racks against each hall, with every pool of the hall in its racks."""
    if not inventories:
        return []
    paths = {pool.name: f"{prefix}pools[{index}]" for index, pool in enumerate(site.pools)}
    findings: list[Finding] = []
    for number, hall in enumerate(site.halls):
        members = [
            RackedPool(
                paths[pool.name],
                pool.spec,
                pool.node_model,
                inventories.get(pool.name),
                {rack.rack.split("/", 1)[1]: rack.systems for rack in pool.racks},
            )
            for pool in capacity.pools
            if pool.hall == hall.name
        ]
        if any(member.inventory is not None for member in members):
            findings.extend(check_hall_racks(hall, f"{prefix}halls[{number}]", members))
    return findings


def _check_provisioning(
    site: SiteSpec,
    prefix: str,
    cluster: ClusterSpec,
    at: str,
    members: Sequence[NodePoolSpec],
    secrets: SecretLookup | None,
) -> list[Finding]:
    """A capi-metal3 pool needs its cluster's Cluster API management and BMC secrets."""
    findings: list[Finding] = []
    where = f"{at}." if at else ""
    for pool in members:
        provisioner = pool.provisioner
        if not isinstance(provisioner, CapiMetal3Provisioner):
            continue
        pool_at = f"{prefix}pools[{site.pools.index(pool)}]"
        missing = [key for key in ("management", "capi") if getattr(cluster, key) is None]
        if missing:
            findings.append(
                CAPI_MANAGEMENT.finding(
                    f"{pool_at}.provisioner",
                    f"pool {pool.name} is provisioned by Cluster API, but its cluster {cluster.name} sets no "
                    f"{' and no '.join(f'`{key}`' for key in missing)}",
                    fix=f"set {' and '.join(where + key for key in missing)} (the management cluster's "
                    "access and the CAPI Cluster's name and namespace; see README, Cluster API)",
                    value="capi-metal3",
                )
            )
        if secrets is None:
            continue
        for field in ("username_key", "password_key"):
            key = getattr(provisioner.bmc, field)
            state = secrets(key)
            if state is SecretState.SECRET:
                continue
            how = "does not set" if state is SecretState.UNSET else "holds in plain text"
            findings.append(
                BMC_SECRET.finding(
                    f"{pool_at}.provisioner.bmc.{field}",
                    f"names gpudc:{key}, which this stack's config {how}",
                    fix=f"run `pulumi config set --secret gpudc:{key}` (BMC credentials live only in "
                    "encrypted config; `gpudc plan` reads them without the passphrase)",
                    value=key,
                )
            )
    return findings


def _pool_gpus(
    pools: Sequence[NodePoolSpec], hardware: Hardware
) -> list[tuple[NodePoolSpec, NodeModel, GpuModel]]:
    """Each pool whose node and GPU models are known, with them (the rest are reported by
    capacity planning, once)."""
    found = []
    for pool in pools:
        node = hardware.node_models.get(pool.node_model)
        gpu = hardware.gpu_models.get(node.gpu_model) if node is not None else None
        if node is not None and gpu is not None:
            found.append((pool, node, gpu))
    return found


def _pool_clusters(site: SiteSpec, prefix: str, findings: list[Finding]) -> dict[str, str]:
    """Pool name -> the cluster it joins: the one it names, or the site's only cluster."""
    names = [cluster.name for _, cluster in site.cluster_specs]
    assignment: dict[str, str] = {}
    for index, pool in enumerate(site.pools):
        if pool.cluster is None and len(names) == 1:
            assignment[pool.name] = names[0]
        elif pool.cluster in names:
            assignment[pool.name] = pool.cluster
        else:
            message = (
                f"site {site.name} has {len(names)} clusters, so the pool must say which it joins"
                if pool.cluster is None
                else f"is not a cluster of site {site.name}"
            )
            findings.append(
                POOL_CLUSTER.finding(
                    f"{prefix}pools[{index}].cluster",
                    message,
                    fix=f"set it to one of {names}",
                    **({"value": pool.cluster} if pool.cluster is not None else {}),
                )
            )
    return assignment


def _unset_secrets(cluster: ClusterSpec, at: str, secrets: SecretLookup) -> list[Finding]:
    found = []
    for role, access in (("kubernetes", cluster.kubernetes), ("management", cluster.management)):
        if not isinstance(access, KubeconfigSecretAccess):
            continue
        state = secrets(access.config_key)
        if state is SecretState.SECRET:
            continue
        key = f"gpudc:{access.config_key}"
        check, message = (
            (SECRET_UNSET, f"names {key}, which this stack's config does not set")
            if state is SecretState.UNSET
            else (SECRET_PLAINTEXT, f"names {key}, which the stack file holds in plain text")
        )
        found.append(
            check.finding(
                f"{at}.{role}.config_key".lstrip("."),
                message,
                fix=f"run `pulumi config set --secret {key} < kubeconfig` (the stack file then holds it "
                "encrypted, and `gpudc plan` reads it without the passphrase)",
                value=access.config_key,
            )
        )
    return found


def plan_environment(
    spec: EnvironmentSpec, *, secrets: SecretLookup | None = None, inventory_dir: Path | None = None
) -> EnvironmentPlan:
    """Plan every site, check what spans sites, apply waivers; raise every error at once.

    `secrets` tells how a `gpudc:` config key is set, so a kubeconfig secret that is missing or
    stored in plain text fails here, the same way for `gpudc validate`, `gpudc plan` and `pulumi up`.
    `inventory_dir` is where pools' inventory paths start: the stack file's folder.
    """
    hardware = Hardware.with_overrides(spec.gpu_models, spec.node_models)
    findings: list[Finding] = []
    sites: dict[str, SitePlan] = {}
    for index, site in enumerate(spec.sites):
        try:
            sites[site.name] = plan_site(
                site,
                hardware,
                f"sites[{index}]",
                secrets=secrets,
                inventory_dir=inventory_dir,
                protection=spec.protection,
            )
            findings.extend(sites[site.name].findings)
        except SpecError as exc:
            findings.extend(exc.issues)
    findings.extend(_cross_site(spec))
    findings.extend(
        duplicate_tenants(
            [
                (f"sites[{index}]" + (f".{path}" if path else "") + f".tenants[{number}].name", tenant.name)
                for index, site in enumerate(spec.sites)
                for path, cluster in site.cluster_specs
                for number, tenant in enumerate(cluster.tenants)
            ]
        )
    )
    findings.extend(
        fleet_overlaps(
            [
                ("this stack file", name, site_plan.network.path, site_plan.network.addresses)
                for name, site_plan in sites.items()
                if site_plan.network is not None
            ]
        )
    )
    findings.extend(_machines_twice(sites))
    kept, waived = _apply_waivers(findings, spec.waivers)
    if any(finding.is_error for finding in kept):
        raise SpecError(kept)
    return EnvironmentPlan(spec, hardware, MappingProxyType(sites), tuple(kept), tuple(waived))


def _cross_site(spec: EnvironmentSpec) -> list[Finding]:
    """Cluster names and identities unique across the environment, and no two resource names equal."""
    clusters = [
        (f"sites[{index}]" + (f".{path}" if path else ""), site, cluster)
        for index, site in enumerate(spec.sites)
        for path, cluster in site.cluster_specs
    ]
    findings = []
    findings.extend(
        _pairs(
            CLUSTER_NAME,
            [(f"{at}.name", cluster.name) for at, _, cluster in clusters],
            lambda name: f"cluster name {name!r} is used twice (a site in short form names its cluster)",
            "rename one of the clusters",
        )
    )
    findings.extend(
        _pairs(
            CLUSTER_IDENTITY,
            [(f"{at}.kubernetes", access_identity(cluster.kubernetes)) for at, _, cluster in clusters],
            lambda identity: (
                f"two clusters resolve to the same {identity}, so both would install their "
                "per-cluster software (GPU Operator namespace and release) into one cluster"
            ),
            "give each cluster its own context or kubeconfig secret, or make them one cluster",
        )
    )
    # Components of one type share a URN prefix, so their combined names must differ: a Cluster
    # is `<site>-<cluster>`, a GpuNodePool `<site>-<its cluster>-<pool>`.
    clash = "combines with its site's and cluster's names into {!r}, the name of another {}"
    fix = "rename a site, a cluster or a pool so the combined names differ"
    findings.extend(
        _pairs(
            NAME_CLASH,
            [(f"{at}.name", f"{site.name}-{cluster.name}") for at, site, cluster in clusters],
            lambda name: clash.format(name, "cluster"),
            fix,
        )
    )
    pools = []
    for index, site in enumerate(spec.sites):
        only = [cluster.name for _, cluster in site.cluster_specs]
        for number, pool in enumerate(site.pools):
            joins = pool.cluster or (only[0] if len(only) == 1 else None)
            if joins is not None:
                pools.append((f"sites[{index}].pools[{number}].name", f"{site.name}-{joins}-{pool.name}"))
    findings.extend(_pairs(NAME_CLASH, pools, lambda name: clash.format(name, "pool"), fix))
    return findings


def _machines_twice(sites: Mapping[str, SitePlan]) -> list[Finding]:
    """A machine (name, MAC, BMC, serial) in two pools' inventories, in one site or two."""
    entries = [
        (pool.inventory, f"{site.path}.pools[{site.spec.pools.index(pool.spec)}].inventory")
        for site in sites.values()
        for pool in site.pools
        if pool.inventory is not None
    ]
    return duplicate_machines([inventory for inventory, _ in entries], [path for _, path in entries])


def _pairs(
    check: Check, entries: Sequence[tuple[str, str]], describe: Callable[[str], str], fix: str
) -> list[Finding]:
    """One finding per repeat of a key, naming the path of its first use and of the repeat."""
    first: dict[str, str] = {}
    found = []
    for path, key in entries:
        if key in first:
            found.append(check.finding(path, f"{describe(key)} (also at {first[key]})", fix=fix))
        else:
            first[key] = path
    return found


def _apply_waivers(findings: list[Finding], waivers: Sequence[Waiver]) -> tuple[list[Finding], list[Waived]]:
    kept: list[Finding] = []
    waived: list[Waived] = []
    used: set[int] = set()
    by_target = {(waiver.code, waiver.path): index for index, waiver in enumerate(waivers)}
    for finding in findings:
        index = by_target.get((finding.code, finding.path))
        if index is None:
            kept.append(finding)
            continue
        used.add(index)
        if finding.is_error:
            kept.append(finding)
            kept.append(
                WAIVED_ERROR.finding(
                    f"waivers[{index}]",
                    f"waives {finding.code} at {finding.path}, an error",
                    fix="fix the error; only warnings can be waived",
                )
            )
        else:
            waived.append(Waived(finding, waivers[index].reason))
    for index, waiver in enumerate(waivers):
        if index not in used:
            kept.append(
                UNUSED_WAIVER.finding(
                    f"waivers[{index}]",
                    f"waives {waiver.code} at {waiver.path}, but no such warning is reported",
                    fix="remove the waiver, or correct its code and path",
                )
            )
    return kept, waived


def standalone_pool_plan(
    spec: NodePoolSpec,
    hardware: Hardware | None = None,
    *,
    site: SiteSpec | None = None,
    cluster: str = "",
) -> PoolPlan:
    """A pool's slice without a whole environment, for a `GpuNodePool` built on its own: sized from
    `hardware` (a program's own models, else the catalog), labelled with `site` when given."""
    capacity = plan_pool_capacity(spec, hardware or Hardware.with_overrides({}, {}), site)
    return PoolPlan(
        spec,
        site.name if site else "",
        site.region if site else "",
        site.zone if site else "",
        cluster,
        capacity,
        gpu_taints=(BURN_IN_TAINT,) if spec.gpu.burn_in else (),
    )
