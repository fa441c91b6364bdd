"""What Kueue may admit on a cluster: one flavor per pool, its quota from the machines it has.

Each pool's nominal quota is its nodes times what one node offers: its GPUs, and its CPU cores
and memory less the per-node system reserve (the OS, the kubelet, the operators' daemonsets),
so a workload Kueue admits always fits on the nodes. Pure: the derived model computes it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gpudc.catalog.kueue import KUEUE_API_VERSION
from gpudc.catalog.models import NodeModel
from gpudc.core.labels import RACK_LABEL
from gpudc.core.naming import k8s_name
from gpudc.scheduling.spec import SchedulingSpec

__all__ = [
    "HOSTNAME_LABEL",
    "KUEUE_API_VERSION",
    "PRIORITY_CLASSES",
    "FlavorQuota",
    "SchedulingPlan",
    "flavor_name",
    "plan_scheduling",
]

# Well-known label: https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetesiohostname
HOSTNAME_LABEL = "kubernetes.io/hostname"

# WorkloadPriorityClass (kueue.x-k8s.io/v1beta2) name -> (value, description). Inference serves
# users and goes first; training waits for it; preemptible work runs on whatever is left.
PRIORITY_CLASSES: dict[str, tuple[int, str]] = {
    "inference": (1000, "Serving traffic: admitted first, preempts training and preemptible work."),
    "training": (500, "Training and fine-tuning jobs."),
    "preemptible": (100, "Best-effort work that yields its GPUs to anything else."),
}


def flavor_name(site: str, pool: str) -> str:
    """A pool's ResourceFlavor name: unique across the environment's clusters."""
    return k8s_name(site, pool)


@dataclass(frozen=True, slots=True)
class FlavorQuota:
    """One pool's share of the cluster queue."""

    pool: str
    flavor: str
    nodes: int
    gpus: int
    cpu_cores: int
    memory_gib: int
    racked: bool
    on_topology: bool = False
    """Whether the flavor names the cluster's Topology: its nodes carry every level's label."""


@dataclass(frozen=True, slots=True)
class SchedulingPlan:
    """A cluster's Kueue objects, named and sized: the cohort, the queue, the topology."""

    spec: SchedulingSpec
    cluster_queue: str
    cohort: str
    topology: str | None
    topology_levels: tuple[str, ...]
    quotas: tuple[FlavorQuota, ...]


def plan_scheduling(
    spec: SchedulingSpec,
    *,
    cluster: str,
    site: str,
    pools: Sequence[tuple[str, NodeModel, int, int, bool]],
    fabric_levels: tuple[str, ...] = (),
    on_fabric: frozenset[str] = frozenset(),
) -> SchedulingPlan:
    """`pools` is (name, node model, nodes, GPUs, racked) per pool of the cluster. Racked pools'
    nodes carry rack labels, so the cluster gets a rack -> hostname Topology for them; with a
    fabric, its levels (`fabric_levels`, top-down) go above the rack, and only the pools
    `on_fabric` (whose nodes carry those labels too) can name that Topology."""
    quotas = tuple(
        FlavorQuota(
            pool=name,
            flavor=flavor_name(site, name),
            nodes=nodes,
            gpus=gpus,
            cpu_cores=nodes
            * max(model.cpu_cores // model.nodes_per_system - spec.system_reserve.cpu_cores, 0),
            memory_gib=nodes
            * max(model.memory_gib // model.nodes_per_system - spec.system_reserve.memory_gib, 0),
            racked=racked,
            on_topology=racked and (not fabric_levels or name in on_fabric),
        )
        for name, model, nodes, gpus, racked in pools
    )
    placed = any(quota.on_topology for quota in quotas)
    return SchedulingPlan(
        spec=spec,
        cluster_queue=k8s_name(cluster),
        cohort=spec.cohort or k8s_name(cluster),
        topology=k8s_name(cluster, "racks") if placed else None,
        topology_levels=(*fabric_levels, RACK_LABEL, HOSTNAME_LABEL) if placed else (),
        quotas=quotas,
    )
