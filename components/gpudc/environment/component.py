"""`Environment`: every site of a stack file, each on its own cluster provider."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from gpudc.core.errors import SpecError, SpecIssue
from gpudc.environment.load import EnvironmentPlan, plan_environment
from gpudc.environment.spec import EnvironmentSpec
from gpudc.options import child_opts
from gpudc.site.component import DatacenterSite

__all__ = ["Environment"]


class Environment(pulumi.ComponentResource):
    """The root component: one `DatacenterSite` per site, each reaching its cluster through the
    provider the program made for it (components never create providers)."""

    TYPE = "gpudc:index:Environment"

    site_names: list[str]

    def __init__(
        self,
        name: str,
        spec: EnvironmentSpec,
        *,
        providers: Mapping[str, pulumi.ProviderResource],
        plan: EnvironmentPlan | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        missing = [
            SpecIssue(
                f"sites[{index}].name", "has no Kubernetes provider; pass one in `providers`", site.name
            )
            for index, site in enumerate(spec.sites)
            if site.name not in providers
        ]
        if missing:
            raise SpecError(missing)
        plan = plan or plan_environment(spec)
        super().__init__(self.TYPE, name, None, opts)
        self._sites = {
            site.name: DatacenterSite(
                f"{name}-{site.name}",
                site,
                plan=plan.sites[site.name],
                hardware=plan.hardware,
                opts=child_opts(self, opts, providers={"kubernetes": providers[site.name]}),
            )
            for site in spec.sites
        }
        # Each site registers its own capacity; repeating every site's figures here would only
        # serialise them twice more. `capacity()` gathers them for a stack export.
        self.site_names = list(self._sites)
        self.register_outputs({"site_names": self.site_names})

    def capacity(self) -> dict[str, Any]:
        """Every site's capacity figures by site name (plain data, for `pulumi.export`)."""
        return {name: site.capacity for name, site in self._sites.items()}

    @property
    def sites(self) -> dict[str, DatacenterSite]:
        """The site components by site name (child components, not stack outputs)."""
        return dict(self._sites)
