"""Tenant quotas, derived once per cluster: GPUs per pool flavor, the CPU and memory that come with
them, and the checks that keep tenants within what the pools hold.

Kueue admits a workload against a ClusterQueue only for resources the queue covers, so a tenant's
queue covers CPU and memory as well as GPUs in each flavor. Those are derived from the GPUs: a
tenant owed `g` of a pool's `G` GPUs, where Kueue may admit `C` cores and `M` GiB in all (after
the per-node system reserve, gpudc.scheduling.quotas), is owed `g*C // G` cores and `g*M // G`
GiB there (rounded down, so shares never add up to more than the pool). Borrowing and lending
limits scale the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from gpudc.core.findings import Finding, Severity, register
from gpudc.core.naming import k8s_name
from gpudc.tenancy.spec import MAX_OVERCOMMIT, TenantSpec

__all__ = [
    "FlavorQuota",
    "PoolShare",
    "Quota",
    "TenantPlan",
    "duplicate_tenants",
    "plan_tenants",
]

OVER_CAPACITY = register(
    "GPUDC-TENANT-001",
    Severity.ERROR,
    "Tenants' GPU quotas exceed a pool's GPUs (times the stated overcommit)",
)
DUPLICATE = register("GPUDC-TENANT-002", Severity.ERROR, "Tenant names must be unique in the environment")
UNKNOWN_POOL = register(
    "GPUDC-TENANT-003", Severity.ERROR, "A tenant names a pool that is not of its cluster"
)
REGISTRY_SECRET = register(
    "GPUDC-TENANT-004", Severity.ERROR, "A registry password is not set as a Pulumi secret"
)


@dataclass(frozen=True, slots=True)
class PoolShare:
    """What a tenant's quota needs to know of a pool: its ResourceFlavor and what Kueue may admit
    there in all (GPUs, and cores and GiB after the per-node system reserve)."""

    name: str
    flavor: str
    gpus: int
    cpu_cores: int
    memory_gib: int


@dataclass(frozen=True, slots=True)
class Quota:
    """One resource of one flavor in a ClusterQueue: nominal quota, borrowing and lending limits."""

    nominal: int
    borrowing_limit: int
    lending_limit: int


@dataclass(frozen=True, slots=True)
class FlavorQuota:
    """A tenant's quota in one pool's ResourceFlavor: GPUs, and the cores and GiB that come with them."""

    pool: str
    flavor: str
    gpus: Quota
    cpu_cores: Quota
    memory_gib: Quota


@dataclass(frozen=True, slots=True)
class TenantPlan:
    """A tenant's slice: its names in the cluster, its cohort and its quota per flavor."""

    spec: TenantSpec
    site: str
    cluster: str
    path: str
    namespace: str
    cluster_queue: str
    local_queue: str
    cohort: str
    flavors: tuple[FlavorQuota, ...]

    @property
    def name(self) -> str:
        return self.spec.name

    def hard(self, resource: str) -> int:
        """The namespace's hard limit of `gpus`, `cpu_cores` or `memory_gib`: every flavor's nominal
        quota plus what it may borrow, so the namespace quota never blocks what Kueue admits."""
        quotas = [getattr(flavor, resource) for flavor in self.flavors]
        return sum(quota.nominal + quota.borrowing_limit for quota in quotas)


def _share(gpus: int, total: int, pool: PoolShare) -> int:
    """`gpus`' share of a pool's `total` cores or GiB, rounded down."""
    return gpus * total // pool.gpus if pool.gpus else 0


def _quota(nominal: int, borrowing: int, lending: int, total: int, pool: PoolShare) -> Quota:
    return Quota(
        _share(nominal, total, pool),
        _share(borrowing, total, pool),
        _share(lending, total, pool),
    )


def plan_tenants(
    tenants: Sequence[TenantSpec],
    pools: Sequence[PoolShare],
    *,
    site: str,
    cluster: str,
    cohort: str,
    overcommit: float,
    path: str,
    secret_state: Callable[[str], str] | None = None,
) -> tuple[tuple[TenantPlan, ...], list[Finding]]:
    """Each tenant's plan, and the findings: a pool not of the cluster, a pool's quotas over its
    GPUs, a registry password that is not a secret in the stack's config.

    `path` is where the cluster's `tenants` list is in the stack file (`sites[0].tenants`);
    `secret_state(key)` says how `gpudc:<key>` is set: "unset", "plaintext" or "secret".
    """
    by_name = {pool.name: pool for pool in pools}
    findings: list[Finding] = []
    plans: list[TenantPlan] = []
    taken: dict[str, int] = {}
    last: dict[str, str] = {}
    for index, tenant in enumerate(tenants):
        at = f"{path}[{index}]"
        if secret_state is not None:
            findings.extend(_registry_secrets(tenant, at, secret_state))
        flavors = []
        for number, entry in enumerate(tenant.gpus):
            pool = by_name.get(entry.pool)
            if pool is None:
                findings.append(
                    UNKNOWN_POOL.finding(
                        f"{at}.gpus[{number}].pool",
                        f"is not a pool of cluster {cluster}",
                        fix=f"name one of its pools: {sorted(by_name)}",
                        value=entry.pool,
                    )
                )
                continue
            taken[pool.name] = taken.get(pool.name, 0) + entry.gpus
            last[pool.name] = f"{at}.gpus[{number}].gpus"
            limits = (entry.gpus, entry.borrowing_limit, entry.lending_limit)
            flavors.append(
                FlavorQuota(
                    pool.name,
                    pool.flavor,
                    Quota(*limits),
                    _quota(*limits, pool.cpu_cores, pool),
                    _quota(*limits, pool.memory_gib, pool),
                )
            )
        plans.append(
            TenantPlan(
                spec=tenant,
                site=site,
                cluster=cluster,
                path=at,
                namespace=tenant.name,
                cluster_queue=k8s_name("tenant", tenant.name),
                local_queue=tenant.name,
                cohort=cohort,
                flavors=tuple(flavors),
            )
        )
    for name, total in taken.items():
        pool = by_name[name]
        allowed = Fraction(pool.gpus) * Fraction(str(overcommit))
        if total > allowed:
            # The smallest ratio (in hundredths) that admits the total, if the spec's bound allows it.
            ratio = -(-Fraction(total, pool.gpus) * 100 // 1) / 100 if pool.gpus else None
            fix = f"lower the tenants' quotas in {name} by {total - int(allowed)} GPUs" + (
                f", or state tenant_gpu_overcommit: {float(ratio):g} on the cluster"
                if ratio is not None and ratio <= MAX_OVERCOMMIT
                else ""
            )
            findings.append(
                OVER_CAPACITY.finding(
                    last[name],
                    f"tenants' nominal quotas in pool {name} add up to {total} GPUs, above its "
                    f"{pool.gpus} GPUs" + (f" x overcommit {overcommit:g}" if overcommit != 1 else ""),
                    fix=fix,
                )
            )
    return tuple(plans), findings


def _registry_secrets(tenant: TenantSpec, at: str, secret_state: Callable[[str], str]) -> list[Finding]:
    found = []
    for number, registry in enumerate(tenant.registries):
        state = secret_state(registry.password_key)
        if state == "secret":
            continue
        key = f"gpudc:{registry.password_key}"
        how = "does not set" if state == "unset" else "holds in plain text"
        found.append(
            REGISTRY_SECRET.finding(
                f"{at}.registries[{number}].password_key",
                f"names {key}, which this stack's config {how}",
                fix=f"run `pulumi config set --secret {key}` and paste the password (the stack file "
                "then holds it encrypted, and `gpudc plan` reads it without the passphrase)",
                value=registry.password_key,
            )
        )
    return found


def duplicate_tenants(entries: Sequence[tuple[str, str]]) -> list[Finding]:
    """One finding per repeated tenant name; `entries` are (path of the name, name) in stack order."""
    first: dict[str, str] = {}
    found = []
    for path, name in entries:
        if name in first:
            found.append(
                DUPLICATE.finding(
                    path,
                    f"tenant {name!r} is already a tenant at {first[name]}; a tenant's name is its "
                    "namespace and queue, and reports count it once",
                    fix="rename one of the tenants",
                    value=name,
                )
            )
        else:
            first[name] = path
    return found
