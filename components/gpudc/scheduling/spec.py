"""How a cluster shares its GPUs: Kueue's release, the cohort, what each node keeps for itself."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from gpudc.catalog.kueue import KUEUE_VERSION
from gpudc.core.spec import DnsLabel, SpecModel

__all__ = ["SchedulingSpec", "SystemReserve"]


class SystemReserve(SpecModel):
    """What each node keeps for the OS, the kubelet and the daemonsets (GPU Operator, networking):
    left out of the cluster queue's CPU and memory quota so admitted work always fits."""

    cpu_cores: Annotated[
        int, Field(ge=0, le=1024, description="CPU cores per node kept out of the quota.")
    ] = 8
    memory_gib: Annotated[
        int, Field(ge=0, le=65_536, description="GiB of memory per node kept out of the quota.")
    ] = 64


class SchedulingSpec(SpecModel):
    """Kueue for the cluster: one ClusterQueue over all its pools, a default LocalQueue, priorities."""

    kueue_version: Annotated[
        Literal["0.19.2"],
        Field(description="Kueue Helm chart version (gpudc's catalog pins the releases it knows)."),
    ] = KUEUE_VERSION
    cohort: Annotated[
        DnsLabel | None,
        Field(
            description="Kueue cohort the cluster queue (and tenants' queues) borrow within; defaults to "
            "the cluster's name."
        ),
    ] = None
    default_queue_namespace: Annotated[
        DnsLabel,
        Field(description="Namespace of the cluster's default LocalQueue (named `default`)."),
    ] = "default"
    system_reserve: Annotated[
        SystemReserve, Field(description="Per-node CPU and memory left out of the queue's quota.")
    ] = SystemReserve()
