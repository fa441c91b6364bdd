"""CoreWeave Kubernetes Service (CKS) node pools: the documented `NodePool` fields and instance types.

Pure data, no Pulumi. Everything here comes from CoreWeave's documentation or from CoreWeave's
provider in the Kubernetes cluster autoscaler; each record names its source. Where CoreWeave's
pages disagree between revisions, the comment says so and the newer, stricter reading is kept.

Sources (read 2026-12-03):
- Node Pool reference (the `spec` field table):
  https://docs.coreweave.com/products/cks/reference/node-pool - revisions of this page are
  stored under https://docs.coreweave.com/docs/products/cks/reference/node-pool too. The newest
  revision adds `targetRacks` ("Exactly one of targetNodes and targetRacks must be provided.
  targetRacks is only available for NVL72-powered instance types such as GB200 and GB300"); older
  ones mark `targetNodes` Required.
- Autoscaling: https://docs.coreweave.com/docs/products/cks/nodes/autoscaling ("Autoscaling is
  not supported for rack-based instance types (GB200, GB300). Setting autoscaling: true on a
  Node Pool with a rack-based instance type is rejected by CKS."; the autoscaler moves
  `targetNodes` between `minNodes` and `maxNodes`; example uses `gd-8xh100ib-i128`).
- GB200: https://docs.coreweave.com/docs/platform/instances/gb200 ("GB200 NVL72-powered instances
  must be deployed as full racks of 18 Nodes ... targetNodes must be a multiple of 18 ... CKS
  enforces this restriction"; example `instanceType: gb200-4x`, `targetNodes: 18`).
- Spot pools: https://docs.coreweave.com/platform/capacity-plans/spot-node-pools ("An instance
  becomes a Spot instance by being part of a Node Pool created with `computeClass: Spot`").
- Instance type names and GPUs per node: CoreWeave's cloud provider in the Kubernetes cluster
  autoscaler, kubernetes/autoscaler commit 01ff7b68141b71003649e2274affcefd13647c84,
  cluster-autoscaler/cloudprovider/coreweave/coreweave_instance_types.go (`InstanceTypes`), and
  coreweave_utils.go there (group `compute.coreweave.com`, version `v1alpha1`, resource
  `nodepools`; node label `compute.coreweave.com/node-pool`).

Not confirmed in any CoreWeave source read here (so not listed): a GB300 instance type name (the
autoscaling page names the GB300 family but no `instanceType`), the GPU variant behind
`gd-8xa100-i128` (so `hgx-a100-8gpu` maps to nothing), nodes per rack for GB300, and the
sub-fields of the documented `image` and `gpu` spec fields (left out of the field table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "CKS_INSTANCE_TYPES",
    "CKS_NODEPOOL_API_VERSION",
    "CKS_NODEPOOL_KIND",
    "CKS_NODEPOOL_SPEC_FIELDS",
    "CKS_NODE_POOL_LABEL",
    "NODE_MODEL_CKS_INSTANCE_TYPES",
    "CksInstanceType",
    "NodePoolField",
    "cks_instance_type",
    "is_rack_scale",
    "nodes_per_rack",
]

NODE_POOL_REFERENCE = "https://docs.coreweave.com/products/cks/reference/node-pool"
NODE_POOL_REFERENCE_RACKS = "https://docs.coreweave.com/docs/products/cks/reference/node-pool"
AUTOSCALING = "https://docs.coreweave.com/docs/products/cks/nodes/autoscaling"
GB200_INSTANCES = "https://docs.coreweave.com/docs/platform/instances/gb200"
SPOT_NODE_POOLS = "https://docs.coreweave.com/platform/capacity-plans/spot-node-pools"
AUTOSCALER_INSTANCE_TYPES = (
    "https://github.com/kubernetes/autoscaler/blob/01ff7b68141b71003649e2274affcefd13647c84/"
    "cluster-autoscaler/cloudprovider/coreweave/coreweave_instance_types.go"
)

CKS_NODEPOOL_API_VERSION = "compute.coreweave.com/v1alpha1"
CKS_NODEPOOL_KIND = "NodePool"
# Label CKS puts on every node of a pool (value: the pool's name), per the autoscaler provider.
CKS_NODE_POOL_LABEL = "compute.coreweave.com/node-pool"


@dataclass(frozen=True)
class NodePoolField:
    """One documented `spec` field of a CKS `NodePool`."""

    path: str  # dotted path under `spec`
    type: str  # "string", "integer", "boolean", "enum", "map[string]string", "[]Taint"
    required: bool
    immutable: bool
    default: str | bool | None
    enum: tuple[str, ...]
    meaning: str
    source: str


def _field(
    path: str,
    type_: str,
    meaning: str,
    *,
    required: bool = False,
    immutable: bool = False,
    default: str | bool | None = None,
    enum: tuple[str, ...] = (),
    source: str = NODE_POOL_REFERENCE,
) -> NodePoolField:
    return NodePoolField(path, type_, required, immutable, default, enum, meaning, source)


CKS_NODEPOOL_SPEC_FIELDS: Mapping[str, NodePoolField] = MappingProxyType(
    {
        field.path: field
        for field in (
            _field(
                "computeClass",
                "enum",
                "Kind of pool: `default` for Reserved and On-Demand instances; `Spot` for a "
                "preemptible Spot pool.",
                default="default",
                enum=("default", "Spot"),
                source=f"{NODE_POOL_REFERENCE} {SPOT_NODE_POOLS}",
            ),
            _field(
                "instanceType",
                "string",
                'Instance type of every node in the pool ("instanceType is immutable and '
                'unchangeable": a change means a new pool).',
                required=True,
                immutable=True,
            ),
            _field(
                "targetNodes",
                "integer",
                "Desired number of nodes. Exactly one of targetNodes and targetRacks; for GB200 "
                "NVL72 types a multiple of 18 (whole racks). The autoscaler moves it between "
                "minNodes and maxNodes.",
                source=f"{NODE_POOL_REFERENCE_RACKS} {GB200_INSTANCES} {AUTOSCALING}",
            ),
            _field(
                "targetRacks",
                "integer",
                "Desired number of racks; only for NVL72-powered types (GB200, GB300). Exactly "
                "one of targetNodes and targetRacks.",
                source=NODE_POOL_REFERENCE_RACKS,
            ),
            _field("minNodes", "integer", "Lowest targetNodes the autoscaler may set."),
            _field("maxNodes", "integer", "Highest targetNodes the autoscaler may set."),
            _field(
                "autoscaling",
                "boolean",
                "Enable cluster autoscaling of the pool; refused by CKS for rack-based types (GB200, GB300).",
                default=False,
                source=f"{NODE_POOL_REFERENCE} {AUTOSCALING}",
            ),
            _field("nodeLabels", "map[string]string", "Labels put on every node of the pool."),
            _field("nodeAnnotations", "map[string]string", "Annotations put on every node of the pool."),
            _field("nodeTaints", "[]Taint", "Taints (key, value, effect) put on every node of the pool."),
            _field(
                "lifecycle.scaleDownStrategy",
                "enum",
                "How nodes are removed to reach targetNodes: IdleOnly removes only idle nodes; "
                "PreferIdle removes idle nodes first, then active ones.",
                default="IdleOnly",
                enum=("IdleOnly", "PreferIdle"),
            ),
        )
    }
)


@dataclass(frozen=True)
class CksInstanceType:
    """A CKS instance type: GPUs per node and, for rack-scale types, nodes per rack."""

    name: str
    gpus_per_node: int
    nodes_per_rack: int | None  # None: not rack-scale (sold and scaled per node)
    source: str


def _index(types: tuple[CksInstanceType, ...]) -> Mapping[str, CksInstanceType]:
    return MappingProxyType({record.name: record for record in types})


CKS_INSTANCE_TYPES: Mapping[str, CksInstanceType] = _index(
    (
        # 8x H100 with InfiniBand: CoreWeave's own autoscaling example uses it.
        CksInstanceType("gd-8xh100ib-i128", 8, None, f"{AUTOSCALING} {AUTOSCALER_INSTANCE_TYPES}"),
        CksInstanceType("gd-8xh200ib-i128", 8, None, AUTOSCALER_INSTANCE_TYPES),
        CksInstanceType("gd-8xl40s-i128", 8, None, AUTOSCALER_INSTANCE_TYPES),
        CksInstanceType("b200-8x", 8, None, AUTOSCALER_INSTANCE_TYPES),
        # GB200 NVL72: "full racks of 18 Nodes"; 72 GPUs a rack / 18 nodes = 4 GPUs a node
        # (the "4x" of the name). Not in the autoscaler's table: CKS does not autoscale it.
        CksInstanceType("gb200-4x", 4, 18, GB200_INSTANCES),
    )
)

# gpudc catalog node model (components/gpudc/catalog/nodes.py NODE_MODELS) -> CKS instance type.
# A gpudc `gb200-nvl72` system is one NVL72 rack of 18 nodes, i.e. 18 `gb200-4x` CKS nodes.
NODE_MODEL_CKS_INSTANCE_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "hgx-h100-8gpu": "gd-8xh100ib-i128",
        "hgx-h200-8gpu": "gd-8xh200ib-i128",
        "l40s-pcie-8gpu": "gd-8xl40s-i128",
        "hgx-b200-8gpu": "b200-8x",
        "gb200-nvl72": "gb200-4x",
    }
)


def cks_instance_type(node_model: str) -> str | None:
    """The CKS instance type of a gpudc catalog node model, or None where none is documented."""
    return NODE_MODEL_CKS_INSTANCE_TYPES.get(node_model)


def is_rack_scale(instance_type: str) -> bool:
    """True for rack-scale types (GB200 NVL72): whole racks only, no autoscaling on CKS."""
    record = CKS_INSTANCE_TYPES.get(instance_type)
    return record is not None and record.nodes_per_rack is not None


def nodes_per_rack(instance_type: str) -> int | None:
    """Nodes in one rack of a rack-scale type (18 for `gb200-4x`); None for any other type."""
    record = CKS_INSTANCE_TYPES.get(instance_type)
    return None if record is None else record.nodes_per_rack
