"""One `pulumi_kubernetes.Provider` per site, from the site's `kubernetes` access spec.

Programs (ours in infra/, or a team's own) call this; components never create providers, they
receive them through `opts.providers`, so a library user can hand in any provider they like.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from gpudc.site.spec import ContextAccess, SiteSpec

__all__ = ["site_provider"]


def site_provider(site: SiteSpec, config: pulumi.Config, *, name_prefix: str = "") -> k8s.Provider:
    """The provider for `site`: a kubeconfig context, or a kubeconfig held as a config secret."""
    name = f"{name_prefix}{site.name}-kubernetes"
    access = site.kubernetes
    if isinstance(access, ContextAccess):
        return k8s.Provider(name, context=access.context, enable_server_side_apply=True)
    return k8s.Provider(
        name, kubeconfig=config.require_secret(access.config_key), enable_server_side_apply=True
    )
