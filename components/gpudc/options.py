"""Resource options for a component's children.

Pulumi does not apply a component's `depends_on` to the children it creates
(https://github.com/pulumi/pulumi/issues/8721), so a user who writes
`DatacenterSite(..., opts=ResourceOptions(depends_on=[kueue]))` would see ResourceFlavors created
before Kueue's CRDs. Every gpudc component builds its children's options here instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

__all__ = ["child_opts"]


def child_opts(
    parent: pulumi.Resource,
    opts: pulumi.ResourceOptions | None,
    *,
    depends_on: Sequence[pulumi.Resource] = (),
    providers: dict[str, pulumi.ProviderResource] | None = None,
    provider: pulumi.ProviderResource | None = None,
    aliases: Sequence[pulumi.Alias] | None = None,
) -> pulumi.ResourceOptions:
    """Parented to `parent`, waiting on what the component waits on plus `depends_on`."""
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
        providers=providers,
        provider=provider,
        aliases=list(aliases) if aliases else None,
    )
