"""A pinned Helm release and the namespace it lives in, as every operator gpudc installs has."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc.catalog.charts import ChartPin
from gpudc.options import child_opts

__all__ = ["pinned_release"]


def pinned_release(
    parent: pulumi.ComponentResource,
    name: str,
    suffix: str,
    pin: ChartPin,
    *,
    namespace_labels: Mapping[str, str],
    timeout: int,
    values: Mapping[str, Any] | None = None,
    opts: pulumi.ResourceOptions | None,
) -> k8s.helm.v3.Release:
    """The namespace `<name>-<suffix>-namespace` and the release `<name>-<suffix>` in it, under
    `parent`. Atomic, so a release whose rollout does not finish within `timeout` seconds is
    rolled back and nothing that needs its CRDs or webhooks goes ahead."""
    namespace = k8s.core.v1.Namespace(
        f"{name}-{suffix}-namespace",
        metadata={"name": pin.namespace, "labels": dict(namespace_labels)},
        opts=child_opts(parent, opts),
    )
    return k8s.helm.v3.Release(
        f"{name}-{suffix}",
        name=pin.release_name,
        chart=pin.chart,
        version=pin.version,
        repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=pin.repository) if pin.repository else None,
        namespace=pin.namespace,
        values=dict(values) if values is not None else None,
        atomic=True,
        cleanup_on_fail=True,
        timeout=timeout,
        opts=child_opts(parent, opts, depends_on=[namespace]),
    )
