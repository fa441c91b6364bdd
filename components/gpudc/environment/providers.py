"""The Kubernetes providers of every cluster, from each cluster's access spec.

Programs (ours in infra/, or a team's own) call this; components never create providers, they
receive a `ClusterProviders` bundle per cluster, so a library user can hand in any provider.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from gpudc.cluster.providers import ClusterProviders
from gpudc.cluster.spec import ClusterSpec, ContextAccess, KubeconfigSecretAccess
from gpudc.environment.spec import EnvironmentSpec

__all__ = ["cluster_providers", "kubernetes_provider"]


def kubernetes_provider(
    name: str, access: ContextAccess | KubeconfigSecretAccess, config: pulumi.Config
) -> k8s.Provider:
    """A provider for a kubeconfig context, or for a kubeconfig held as a config secret."""
    if isinstance(access, ContextAccess):
        return k8s.Provider(name, context=access.context, enable_server_side_apply=True)
    return k8s.Provider(
        name, kubeconfig=config.require_secret(access.config_key), enable_server_side_apply=True
    )


def _bundle(cluster: ClusterSpec, config: pulumi.Config) -> ClusterProviders:
    management = (
        kubernetes_provider(f"{cluster.name}-management", cluster.management, config)
        if cluster.management is not None
        else None
    )
    return ClusterProviders(
        workload=kubernetes_provider(f"{cluster.name}-kubernetes", cluster.kubernetes, config),
        management=management,
    )


def cluster_providers(spec: EnvironmentSpec, config: pulumi.Config) -> dict[str, ClusterProviders]:
    """A bundle per cluster of every site, by cluster name (unique in a planned environment).

    Call it after `plan_environment(spec, secrets=...)`, which has checked that every
    kubeconfig secret is set (encrypted), so no provider is registered for a stack that cannot deploy.
    """
    return {
        cluster.name: _bundle(cluster, config) for site in spec.sites for _, cluster in site.cluster_specs
    }
