"""Resource options for a component's children.

Pulumi does not apply a component's `depends_on` to the children it creates
(https://github.com/pulumi/pulumi/issues/8721), so a user who writes
`DatacenterSite(..., opts=ResourceOptions(depends_on=[kueue]))` would see ResourceFlavors created
before Kueue's CRDs. Every gpudc component builds its children's options here instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pydantic import BaseModel

from gpudc.core.spec import Protection

__all__ = ["child_opts", "spec_inputs"]


def spec_inputs(spec: BaseModel, *, exclude: set[str] | None = None, **children: list[str]) -> dict[str, Any]:
    """A component's inputs: its spec's JSON under one `spec` key (fields a child component
    carries itself replaced by the children's names).

    The engine's state, the plan and policies then read `spec.<field>` of every component. One
    key, not one per field: the SDK resolves each top-level input on its own event-loop tasks,
    and at 2,000 resources a flat spec cost some 20,000 more of them (bench/plan_bench.py).
    """
    return {"spec": {**spec.model_dump(mode="json", exclude=exclude), **children}}


def child_opts(
    parent: pulumi.Resource,
    opts: pulumi.ResourceOptions | None,
    *,
    depends_on: Sequence[pulumi.Resource] = (),
    provider: pulumi.ProviderResource | None = None,
    aliases: Sequence[pulumi.Alias] | None = None,
    replace_on_changes: Sequence[str] | None = None,
    delete_before_replace: bool = False,
    protection: Protection = Protection.NONE,
) -> pulumi.ResourceOptions:
    """Parented to `parent`, waiting on what the component waits on plus `depends_on`, through
    `provider` when given (a component's children otherwise inherit its provider);
    `replace_on_changes` names input paths whose change replaces the object (the plan records it);
    `delete_before_replace` deletes the old object first, for one whose name a replacement keeps.

    `protection` is the environment's guard for a resource whose loss hurts (its plan slice's
    `protection`): `protect=True` or `retain_on_delete=True`; with `none`, both are left unset
    (Pulumi then inherits `protect` from the parent)."""
    inherited = opts.depends_on if opts is not None else None
    merged: pulumi.Input[Sequence[pulumi.Input[pulumi.Resource]]] | None
    if inherited is None:
        merged = list(depends_on) or None
    elif isinstance(inherited, pulumi.Resource):
        merged = [inherited, *depends_on]
    elif isinstance(inherited, list | tuple):
        merged = [*inherited, *depends_on]
    else:  # an Output (or awaitable) of a list or of one resource
        merged = pulumi.Output.from_input(inherited).apply(  # type: ignore[arg-type]
            lambda resolved: [*(resolved if isinstance(resolved, list | tuple) else [resolved]), *depends_on]
        )
    return pulumi.ResourceOptions(
        parent=parent,
        depends_on=merged,
        provider=provider,
        aliases=list(aliases) if aliases else None,
        replace_on_changes=list(replace_on_changes) if replace_on_changes else None,
        delete_before_replace=True if delete_before_replace else None,
        protect=True if protection is Protection.PROTECT else None,
        retain_on_delete=True if protection is Protection.RETAIN else None,
    )
