"""A site's network: its address space, the order it was carved in, and its compute fabrics.

The `network` block of a site says which supernets the site may use, how much growth each subnet
is sized for, and in what order pools and clusters were first given address space. That order is
recorded in the stack file, not recomputed: a pool added later is appended, so no existing subnet
ever moves. Compute fabrics name the pools they connect and the switch they are built from; gpudc
sizes them (leaves, spines, cores, cables, optics, power) from the pools' node counts.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from gpudc.core.errors import explain_pattern
from gpudc.core.spec import Cidr, DnsLabel, SpecModel, raise_field_problems, repeated, unique_names_problem

__all__ = ["AllocationKey", "FabricSpec", "NetworkSpec"]

ALLOCATION_PATTERN = r"^(cluster|pool)/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"

AllocationKey = Annotated[
    str,
    StringConstraints(
        pattern=explain_pattern(
            ALLOCATION_PATTERN, "must be `cluster/<cluster name>` or `pool/<pool name>`, e.g. pool/h100-a"
        )
    ),
    Field(
        description="What an entry of the allocation order gives space to: `cluster/<name>` or `pool/<name>`."
    ),
]

# RFC 6996: 4200000000-4294967294 is the 32-bit private ASN range; 64512-65534 the 16-bit one.
Asn = Annotated[int, Field(ge=1, le=4_294_967_294, strict=True)]


class FabricSpec(SpecModel):
    """A rail-optimized compute (east-west) fabric: the pools it connects and its switch."""

    name: Annotated[
        DnsLabel, Field(description="Fabric name, unique in the site; prefixes its switches' names.")
    ]
    switch: Annotated[
        DnsLabel, Field(description="Switch model from the catalog (`gpudc catalog`), e.g. qm9700 or sn5600.")
    ]
    pools: Annotated[
        tuple[DnsLabel, ...],
        Field(min_length=1, max_length=64, description="Pools whose compute NICs the fabric connects."),
    ]
    hall: Annotated[
        DnsLabel | None,
        Field(
            description="Hall whose network racks hold the fabric's switches and carry their power; "
            "defaults to the hall of the fabric's first racked pool."
        ),
    ] = None
    max_tiers: Annotated[
        int,
        Field(
            ge=2,
            le=3,
            strict=True,
            description="Most switch tiers the fabric may have: 2 (leaf, spine) or 3 (leaf, spine, core).",
        ),
    ] = 3
    leaf_asn_base: Annotated[
        Asn,
        Field(
            description="RoCE fabrics: BGP ASN of the first leaf; leaf n gets base + n (RFC 6996 private "
            "range 4200000000-4294967294 recommended)."
        ),
    ] = 4_200_000_000
    spine_asn: Annotated[Asn, Field(description="RoCE fabrics: BGP ASN shared by the spines.")] = (
        4_199_999_999
    )

    @model_validator(mode="after")
    def _pools_unique(self) -> FabricSpec:
        twice = repeated(list(self.pools))
        raise_field_problems(
            "FabricSpec", [("pools", f"names {twice} more than once; list each pool once" if twice else None)]
        )
        return self


class NetworkSpec(SpecModel):
    """Address space and compute fabrics of one site."""

    supernets: Annotated[
        tuple[Cidr, ...],
        Field(
            min_length=1,
            max_length=16,
            description="IPv4 networks the site's subnets are carved from, in order, e.g. 10.64.0.0/12; "
            "no two sites or stack files of a fleet may overlap.",
        ),
    ]
    oob_supernet: Annotated[
        Cidr | None,
        Field(
            description="IPv4 network the pools' out-of-band (BMC) subnets are carved from, apart from "
            "`supernets` (which it must not overlap); default: carved from `supernets` like the rest."
        ),
    ] = None
    oob_prefix: Annotated[
        int | None,
        Field(
            ge=16,
            le=30,
            strict=True,
            description="Prefix length of every pool's out-of-band subnet (e.g. 20), for a BMC plan made "
            "in fixed blocks; default: each sized for its pool's nodes with growth.",
        ),
    ] = None
    growth: Annotated[
        float,
        Field(
            ge=0,
            le=10,
            allow_inf_nan=False,
            description="Headroom each per-pool subnet is sized for, as a share of the pool's nodes "
            "(1.0 = room for twice the nodes). Changing it moves subnets: set it once.",
        ),
    ] = 1.0
    allocation_order: Annotated[
        tuple[AllocationKey, ...],
        Field(
            max_length=512,
            description="The order clusters and pools were given address space, recorded so adding "
            "one never moves another: append new entries, never reorder. Entries missing here are "
            "carved after the listed ones in stack-file order (a warning says to record them).",
        ),
    ] = ()
    pod_prefix: Annotated[
        int,
        Field(
            ge=8,
            le=24,
            strict=True,
            description="Prefix length of each cluster's pod CIDR (/16 = 65,536 addresses).",
        ),
    ] = 16
    node_pod_prefix: Annotated[
        int,
        Field(
            ge=16,
            le=28,
            strict=True,
            description="Prefix length of the pod range each node gets (/24 = 256 pods' addresses).",
        ),
    ] = 24
    service_prefix: Annotated[
        int, Field(ge=12, le=24, strict=True, description="Prefix length of each cluster's service CIDR.")
    ] = 20
    load_balancer_prefix: Annotated[
        int,
        Field(ge=20, le=30, strict=True, description="Prefix length of each cluster's MetalLB address pool."),
    ] = 27
    fabrics: Annotated[
        tuple[FabricSpec, ...], Field(max_length=32, description="Compute fabrics of the site.")
    ] = ()
    cluster_asn: Annotated[
        Asn,
        Field(
            description="BGP ASN MetalLB speaks from each cluster's nodes to announce load-balancer addresses."
        ),
    ] = 4_201_000_001
    inband_leaf_asn: Annotated[
        Asn,
        Field(
            description="BGP ASN of the in-band leaves MetalLB peers with (each pool's in-band gateway, "
            "the first address of its in-band subnet)."
        ),
    ] = 4_201_000_000

    @model_validator(mode="after")
    def _consistent(self) -> NetworkSpec:
        problems: list[tuple[str, str | None]] = [
            ("fabrics", unique_names_problem("fabrics", [fabric.name for fabric in self.fabrics])),
        ]
        twice = repeated(list(self.allocation_order))
        if twice:
            problems.append(("allocation_order", f"lists {twice} more than once; keep the first"))
        if self.oob_supernet is not None:
            oob = ipaddress.ip_network(self.oob_supernet)
            clash = [net for net in self.supernets if ipaddress.ip_network(net).overlaps(oob)]
            if ":" in self.oob_supernet:
                problems.append(("oob_supernet", "must be an IPv4 network"))
            elif clash:
                problems.append(
                    (
                        "oob_supernet",
                        f"overlaps supernets {clash}; give the out-of-band range a network of its own",
                    )
                )
        if any(":" in net for net in self.supernets):
            problems.append(("supernets", "must be IPv4 networks (IPv6 address plans are not supported yet)"))
        if self.node_pod_prefix <= self.pod_prefix:
            problems.append(
                (
                    "node_pod_prefix",
                    f"/{self.node_pod_prefix} is not smaller than the pod CIDR /{self.pod_prefix}; "
                    "raise node_pod_prefix or lower pod_prefix",
                )
            )
        in_two = repeated([pool for fabric in self.fabrics for pool in fabric.pools])
        if in_two:
            problems.append(("fabrics", f"pools {in_two} are in more than one fabric; a pool joins one"))
        raise_field_problems("NetworkSpec", problems)
        return self
