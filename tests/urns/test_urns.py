"""URN stability: every stack keeps every URN of its committed list (tests/urns/<stack>.txt), as a
URN or through an alias; adding resources is free. `make urns` rewrites the lists on purpose."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gpudc.core.project import find_project
from gpudc.preview.plan import Plan
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


def test_an_unaliased_rename_fails_and_says_how_to_fix_it(pool_named: Callable[..., Plan]) -> None:
    pinned = plan_urns(pool_named("train-pool"))
    lost = lost_urns(pinned, pool_named("h100-pool"))
    assert lost == pinned  # the component and its flavor
    message = lost_urns_message("dev", lost)
    assert message.startswith("2 URN(s) of stack dev are gone from its plan:\n")
    assert 'aliases=[pulumi.Alias(name="train-pool")]' in message
    assert "run `make urns`" in message


def test_the_same_rename_with_an_alias_passes_and_adding_is_free(pool_named: Callable[..., Plan]) -> None:
    pinned = plan_urns(pool_named("train-pool"))
    assert lost_urns(pinned, pool_named("h100-pool", alias="train-pool")) == []
    assert lost_urns(pinned[:1], pool_named("train-pool")) == []  # a plan with more URNs than the list
