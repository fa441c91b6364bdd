"""URN stability: every stack keeps every URN of its committed list (tests/urns/<stack>.txt), as a
URN or through an alias; adding resources is free. `make urns` rewrites the lists on purpose."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pulumi
import pytest

from gpudc import GpuNodePool, NodePoolSpec
from gpudc.core.project import find_project
from gpudc.environment.plan import standalone_pool_plan
from gpudc.preview.plan import Plan
from gpudc.preview.run import plan_callable
from gpudc.preview.urns import lost_urns, lost_urns_message, plan_urns

LISTS = Path(__file__).parent
STACKS = find_project(Path(__file__)).stacks()


@pytest.mark.parametrize("stack", STACKS)
def test_every_committed_urn_is_kept(stack: str, planned: Callable[[str], Plan]) -> None:
    listed = LISTS / f"{stack}.txt"
    if not listed.exists():
        pytest.skip(f"stack {stack} has no committed URN list yet; `make urns` writes {listed.name}")
    pinned = listed.read_text().split()
    assert pinned, f"{listed} is empty"
    lost = lost_urns(pinned, planned(stack))
    assert not lost, lost_urns_message(stack, lost)


def test_the_flagship_and_the_golden_stack_have_lists() -> None:
    assert {"lab", "plano"} <= {path.stem for path in LISTS.glob("*.txt")}


def _pool(name: str, alias: str | None = None) -> Plan:
    def program() -> None:
        spec = NodePoolSpec(
            name="h100",
            placement="managed",
            node_model="hgx-h100-8gpu",
            nodes=4,
            provisioner={"type": "existing"},
        )
        opts = pulumi.ResourceOptions(aliases=[pulumi.Alias(name=alias)]) if alias else None
        GpuNodePool(name, spec, plan=standalone_pool_plan(spec), opts=opts)

    return plan_callable(program)


def test_an_unaliased_rename_fails_and_says_how_to_fix_it() -> None:
    pinned = plan_urns(_pool("train-pool"))
    lost = lost_urns(pinned, _pool("h100-pool"))
    assert lost == pinned  # the component and both children
    message = lost_urns_message("dev", lost)
    assert message.startswith("3 URN(s) of stack dev are gone from its plan:\n")
    assert 'aliases=[pulumi.Alias(name="train-pool")]' in message
    assert "run `make urns`" in message


def test_the_same_rename_with_an_alias_passes_and_adding_is_free() -> None:
    pinned = plan_urns(_pool("train-pool"))
    assert lost_urns(pinned, _pool("h100-pool", alias="train-pool")) == []
    assert lost_urns(pinned[:1], _pool("train-pool")) == []  # a plan with more URNs than the list
