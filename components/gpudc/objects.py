"""Kubernetes objects registered by their type token, without pulumi-kubernetes' typed classes.

The provider takes any object registered as `kubernetes:<group/version>:<Kind>` with its whole
body as inputs; that is all a typed class (`k8s.core.v1.Secret`) or `k8s.apiextensions.
CustomResource` sends too (pulumi_kubernetes/apiextensions/CustomResource.py, core/v1/Secret.py).
Two reasons to register that way:

- kinds whose fields are not all under `spec` (Kueue's `WorkloadPriorityClass` has a top-level
  `value`), which the Python `CustomResource` cannot send;
- objects that come once per machine (a BareMetalHost and its BMC Secret, a NodePatch). A typed
  class costs the Pulumi SDK about 60% more per Secret and 20% more per custom resource than a
  generic registration of the same type token (3,000 registrations under the offline plan), and
  these objects are nine in ten of a provisioned site's resources (bench/plan_bench.py).

The typed classes also set a default provider `version`; gpudc always passes an explicit
provider, for which the engine ignores it. What a typed Secret adds that matters, its outputs
marked secret, `kube_object` takes as `secret_outputs`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

__all__ = ["SECRET_OUTPUTS", "kube_object", "type_token"]

SECRET_OUTPUTS = ("data", "stringData")
"""A Secret's fields the engine must keep secret in state (as `k8s.core.v1.Secret` marks them)."""


def type_token(api_version: str, kind: str, *, patch: bool = False) -> str:
    """pulumi-kubernetes' type token: the core group is spelt `core` (`kubernetes:core/v1:Secret`),
    and a server-side-apply patch is its own type (`kubernetes:core/v1:NodePatch`)."""
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{kind}{'Patch' if patch else ''}"


def kube_object(
    name: str,
    *,
    api_version: str,
    kind: str,
    metadata: Mapping[str, Any],
    fields: Mapping[str, Any],
    opts: pulumi.ResourceOptions,
    patch: bool = False,
    secret_outputs: Sequence[str] = (),
) -> pulumi.CustomResource:
    """Register one object of `kind` with `fields` beside its metadata (a server-side-apply patch
    of it with `patch`); `secret_outputs` are kept secret in state whatever their inputs were."""
    body = {"apiVersion": api_version, "kind": kind, "metadata": dict(metadata), **fields}
    if secret_outputs:
        # One shallow copy (`ResourceOptions.merge` makes three and merges every field and hook).
        opts = copy.copy(opts)
        opts.additional_secret_outputs = [*(opts.additional_secret_outputs or ()), *secret_outputs]
    return pulumi.CustomResource(type_token(api_version, kind, patch=patch), name, body, opts)
