"""Fabric position labels for the scheduler, in the keys NVIDIA topograph writes.

topograph v1.0 (NVIDIA/topograph, tag v1.0.0, pkg/topology/topology.go) labels each node with
`fabric.topograph.run/tier-<n>` for the switch at each tier above it, "tier zero is closest to
the compute node" (pkg/engines/k8s/labeler.go walks the tree closest-first), and
`accelerator.topograph.run/domain` for its NVLink domain. gpudc derives the same keys from the
plan, so a cluster that later runs topograph discovery agrees with it on which nodes are close:

- tier-0: the node's leaf group, i.e. its scalable unit (`<fabric>-su<NN>`): in a rail-optimized
  fabric a node's r ports go to exactly its SU's r leaves, one per rail;
- tier-1: the spines above it: the whole fabric with two tiers (`<fabric>-spine`), the node's
  spine group with three (`<fabric>-sg<NN>`);
- tier-2 (three tiers only): the core (`<fabric>-core`);
- accelerator domain: the NVLink domain of a rack-scale system (`<pool>-nvl<NN>`, e.g. a GB200
  NVL72 rack); absent for 8-GPU servers, whose NVLink domain is the node itself.

The values name gpudc's plan, not switch GUIDs: topograph would write switch names it discovers,
so the keys agree and the grouping agrees, the value strings do not.
"""

from __future__ import annotations

from collections.abc import Mapping

from gpudc.network.fabric import FabricPlan

__all__ = [
    "ACCELERATOR_DOMAIN_KEY",
    "FABRIC_TIER_PREFIX",
    "block_label_key",
    "fabric_levels",
    "fabric_tier_key",
    "node_fabric_labels",
]

FABRIC_TIER_PREFIX = "fabric.topograph.run/tier-"
ACCELERATOR_DOMAIN_KEY = "accelerator.topograph.run/domain"


def fabric_tier_key(tier: int) -> str:
    """`fabric.topograph.run/tier-<tier>`, tier 0 the leaf."""
    return f"{FABRIC_TIER_PREFIX}{tier}"


def block_label_key() -> str:
    """The label the Kueue `Topology`'s block level (above rack) uses: the node's leaf group."""
    return fabric_tier_key(0)


def fabric_levels() -> tuple[str, ...]:
    """Fabric levels of a Kueue `Topology`, top-down, to go above the rack level: tier-1 (spines
    or spine group), then tier-0 (the block). The core is one switch layer for every node of a
    fabric, so it groups nothing and is no level."""
    return (fabric_tier_key(1), fabric_tier_key(0))


def node_fabric_labels(
    fabric_name: str, plan: FabricPlan, slot: int, *, domain: str | None = None
) -> Mapping[str, str]:
    """Labels of the node in fabric slot `slot` (0-based, pools packed in fabric order)."""
    labels = {fabric_tier_key(0): f"{fabric_name}-su{plan.su_of(slot) + 1:02d}"}
    if plan.tiers == 2:
        labels[fabric_tier_key(1)] = f"{fabric_name}-spine"
    else:
        labels[fabric_tier_key(1)] = f"{fabric_name}-sg{plan.spine_group_of(slot) + 1:02d}"
        labels[fabric_tier_key(2)] = f"{fabric_name}-core"
    if domain is not None:
        labels[ACCELERATOR_DOMAIN_KEY] = domain
    return labels
