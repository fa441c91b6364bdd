"""`Environment`: every site of a stack file, each cluster on the providers the program made."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from gpudc.cluster.providers import ClusterProviders
from gpudc.environment.figures import environment_derived
from gpudc.environment.plan import EnvironmentPlan
from gpudc.environment.spec import EnvironmentSpec
from gpudc.options import child_opts, spec_inputs
from gpudc.site.component import DatacenterSite, check_providers

__all__ = ["Environment"]


class Environment(pulumi.ComponentResource):
    """The root component: one `DatacenterSite` per site.

    `plan` is the derived model, `plan_environment(spec)`; `secrets` holds the secret config
    values the stack names (BMC credentials: `config_secret_values`). `derived()` is the typed
    figures-and-findings block the offline preview and the report read; export it as the
    `derived` stack output.
    """

    TYPE = "gpudc:index:Environment"

    site_names: list[str]

    def __init__(
        self,
        name: str,
        spec: EnvironmentSpec,
        *,
        providers: Mapping[str, ClusterProviders],
        plan: EnvironmentPlan,
        secrets: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        for site_plan in plan.sites.values():
            check_providers(site_plan, providers)
        # Sites are children with inputs of their own; the environment lists their names.
        props = spec_inputs(spec, exclude={"sites"}, sites=[site.name for site in spec.sites])
        super().__init__(self.TYPE, name, props, opts)
        self._sites = {
            site.name: DatacenterSite(
                f"{name}-{site.name}",
                site,
                plan=plan.sites[site.name],
                providers=providers,
                secrets=secrets,
                opts=child_opts(self, opts),
            )
            for site in spec.sites
        }
        self.site_names = list(self._sites)
        self._plan = plan
        self.register_outputs({"site_names": self.site_names})

    def derived(self) -> dict[str, Any]:
        """The `derived` block (each site's figures and findings), as plain data for `pulumi.export`."""
        return environment_derived(self._plan).model_dump(mode="json")

    def validation(self) -> dict[str, dict[str, dict[str, pulumi.Output[str]]]]:
        """Per cluster, per pool that opts in, the outcome of each post-deploy check: `dcgm` (its
        DCGM Job) and, where the pool asks for one, `nccl` (its all-reduce JobSet), each `passed`,
        `failed` or `pending`; for `pulumi.export("validation", ...)`. Empty when no pool asks."""
        return {
            cluster_name: dict(cluster.gpu_operator.validation)
            for site in self._sites.values()
            for cluster_name, cluster in site.clusters.items()
            if cluster.gpu_operator.validation
        }

    @property
    def sites(self) -> dict[str, DatacenterSite]:
        """The site components by site name (child components, not stack outputs)."""
        return dict(self._sites)
