"""Committed URN lists: a stack's URNs are public API, so a change that loses one must say so.

`tests/urns/<stack>.txt` holds every URN a stack's plan has, one per line. A later plan keeps a
URN when a resource still has it, or answers to it through an alias; adding resources is free.
`make urns` (`python -m gpudc.preview.urns tests/urns`) rewrites the lists on purpose.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from gpudc.preview.plan import Plan

__all__ = ["lost_urns", "lost_urns_message", "plan_urns", "write_urn_lists"]


def plan_urns(plan: Plan) -> list[str]:
    """Every URN of the plan, sorted: the list to commit."""
    return sorted(resource.urn for resource in plan.resources)


def lost_urns(pinned: Iterable[str], plan: Plan) -> list[str]:
    """The pinned URNs that no resource of `plan` has or answers to through an alias."""
    answered = {resource.urn for resource in plan.resources}
    for resource in plan.resources:
        answered.update(resource.options.get("aliases", ()))
    return [urn for urn in pinned if urn not in answered]


def lost_urns_message(stack: str, lost: list[str]) -> str:
    """What the author reads when a URN is lost: why it matters, and the two ways on."""
    # The outermost lost resource: an alias on a component moves its children with it.
    old = min(lost, key=lambda urn: (urn.split("::")[2].count("$"), urn))
    name = old.rsplit("::", 1)[-1]
    return (
        f"{len(lost)} URN(s) of stack {stack} are gone from its plan:\n"
        + "".join(f"  {urn}\n" for urn in lost)
        + "`pulumi up` deletes a resource whose URN disappears and creates the new one: a rename or a "
        "move replaces it.\nIf it is the same resource, keep its identity with an alias to its old "
        "URN where it is created, e.g.\n"
        f'  opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="{name}")])  # the old name, same parent\n'
        f'  opts=pulumi.ResourceOptions(aliases=["{old}"])  # or the whole old URN\n'
        "(a component's children move with it when it has the alias). If the loss is deliberate, run "
        "`make urns` and commit tests/urns/ with the change, so reviewers see it."
    )


def write_urn_lists(directory: Path) -> list[Path]:
    """Plan every stack of the project here and write `<directory>/<stack>.txt` for each."""
    from gpudc.core.project import find_project
    from gpudc.preview.run import plan_project

    project = find_project(None)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for stack in project.stacks():
        path = directory / f"{stack}.txt"
        path.write_text(
            "".join(f"{urn}\n" for urn in plan_urns(plan_project(project, stack))), encoding="utf-8"
        )
        written.append(path)
    return written


if __name__ == "__main__":  # `make urns`
    from gpudc.core.errors import SpecError

    try:
        for path in write_urn_lists(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/urns")):
            print(f"wrote {path}")
    except SpecError as exc:
        print(f"a stack does not plan, so no URN list was written for it:\n{exc}", file=sys.stderr)
        sys.exit(2)
