"""One `pulumi_kubernetes.Provider` per site, from the site's `kubernetes` access spec.

Programs (ours in infra/, or a team's own) call this; components never create providers, they
receive them through `opts.providers`, so a library user can hand in any provider they like.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from gpudc.core.errors import SpecError, SpecIssue
from gpudc.environment.spec import EnvironmentSpec
from gpudc.site.spec import ContextAccess, SiteSpec

__all__ = ["site_provider", "site_providers"]


def site_provider(site: SiteSpec, config: pulumi.Config, *, name_prefix: str = "") -> k8s.Provider:
    """The provider for `site`: a kubeconfig context, or a kubeconfig held as a config secret."""
    name = f"{name_prefix}{site.name}-kubernetes"
    access = site.kubernetes
    if isinstance(access, ContextAccess):
        return k8s.Provider(name, context=access.context, enable_server_side_apply=True)
    return k8s.Provider(
        name, kubeconfig=config.require_secret(access.config_key), enable_server_side_apply=True
    )


def site_providers(spec: EnvironmentSpec, config: pulumi.Config) -> dict[str, k8s.Provider]:
    """A provider for every site, after checking that every kubeconfig secret they name is set,
    so a missing one stops the program before the first provider is registered."""
    missing = [
        SpecIssue(
            f"sites[{index}].kubernetes.config_key",
            f"names {config.name}:{site.kubernetes.config_key}, which this stack's config does not set; "
            f"run `pulumi config set --secret {config.name}:{site.kubernetes.config_key} < kubeconfig`",
            site.kubernetes.config_key,
        )
        for index, site in enumerate(spec.sites)
        if not isinstance(site.kubernetes, ContextAccess) and config.get(site.kubernetes.config_key) is None
    ]
    if missing:
        raise SpecError(missing)
    return {site.name: site_provider(site, config) for site in spec.sites}
