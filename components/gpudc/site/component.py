"""`DatacenterSite`: one physical site and, under it, a `Cluster` per Kubernetes cluster."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from gpudc.cluster.component import Cluster, MovedFrom
from gpudc.cluster.providers import ClusterProviders
from gpudc.core.errors import SpecError
from gpudc.environment.figures import site_figures
from gpudc.environment.plan import MISSING_PROVIDER, SitePlan
from gpudc.options import child_opts, spec_inputs
from gpudc.site.spec import SiteSpec

__all__ = ["DatacenterSite", "check_providers"]


def check_providers(plan: SitePlan, providers: Mapping[str, ClusterProviders]) -> None:
    """Every cluster of the site has its providers, or nothing is registered."""
    missing = [
        MISSING_PROVIDER.finding(
            f"{cluster.path}.name".lstrip("."),
            f"cluster {cluster.name} has no providers",
            fix=f"pass providers={{{cluster.name!r}: ClusterProviders(workload=...)}}",
        )
        for cluster in plan.clusters
        if cluster.name not in providers
    ]
    if missing:
        raise SpecError(missing)


class DatacenterSite(pulumi.ComponentResource):
    """A site: a `Cluster` per cluster, and the site's capacity figures as an output.

    `plan` is the site's slice of the derived model (`plan_site` or `plan_environment`);
    `providers` maps each cluster's name to the `ClusterProviders` the program made for it;
    `secrets` maps the `gpudc:` config keys the pools name (BMC credentials) to their secret values.
    """

    TYPE = "gpudc:index:DatacenterSite"

    figures: dict[str, Any]

    def __init__(
        self,
        name: str,
        spec: SiteSpec,
        *,
        plan: SitePlan,
        providers: Mapping[str, ClusterProviders],
        secrets: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        check_providers(plan, providers)
        # Pools and clusters are children with inputs of their own; the site lists their names.
        props = spec_inputs(
            spec,
            exclude={"pools", "clusters", "kubernetes", "gpu_operator"},
            clusters=[cluster.name for cluster in plan.clusters],
            pools=[pool.name for pool in spec.pools],
        )
        super().__init__(self.TYPE, name, props, opts)
        # A site's sole cluster holds what the site itself held before clusters existed.
        moved_from = MovedFrom(self, name) if len(plan.clusters) == 1 else None
        self._clusters = {
            cluster.name: Cluster(
                f"{name}-{cluster.name}",
                cluster.spec,
                plan=cluster,
                providers=providers[cluster.name],
                secrets=secrets,
                moved_from=moved_from,
                opts=child_opts(self, opts),
            )
            for cluster in plan.clusters
        }
        self.figures = site_figures(plan).model_dump(mode="json")
        self.register_outputs({"figures": self.figures})

    @property
    def clusters(self) -> dict[str, Cluster]:
        """The cluster components by cluster name (child components, not stack outputs)."""
        return dict(self._clusters)
