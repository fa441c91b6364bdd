"""`ClusterProviders`: the Kubernetes providers of one cluster, made by the program, passed down.

Components never create providers. A program (infra/__main__.py, or a team's own) makes one
bundle per cluster: `workload` reaches the cluster itself; `management`, where the cluster's
machines are provisioned by Cluster API, reaches the cluster that runs CAPI and Metal3. Each
component hands the right one to each child explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

__all__ = ["ClusterProviders"]


@dataclass(frozen=True, slots=True)
class ClusterProviders:
    """The providers one cluster's resources are created through."""

    workload: pulumi.ProviderResource
    management: pulumi.ProviderResource | None = None
