"""Kubernetes objects whose fields are not all under `spec`.

pulumi-kubernetes' Python `CustomResource` sends only `spec`; kinds such as Kueue's
`WorkloadPriorityClass` (top-level `value`, `description`) need their other fields too. The
provider takes any object registered as `kubernetes:<group/version>:<Kind>` with its whole body as
inputs, which is what `CustomResource` itself does (pulumi_kubernetes/apiextensions/CustomResource.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

__all__ = ["kube_object"]


def kube_object(
    name: str,
    *,
    api_version: str,
    kind: str,
    metadata: Mapping[str, Any],
    fields: Mapping[str, Any],
    opts: pulumi.ResourceOptions,
) -> pulumi.CustomResource:
    """Register one object of `kind` with `fields` beside its metadata."""
    body = {"apiVersion": api_version, "kind": kind, "metadata": dict(metadata), **fields}
    return pulumi.CustomResource(f"kubernetes:{api_version}:{kind}", name, body, opts)
