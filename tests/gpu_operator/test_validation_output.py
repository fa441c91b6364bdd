"""The post-deploy validation outcome is a stack output of the program, per cluster and pool."""

from __future__ import annotations

from collections.abc import Callable

from gpudc.preview.plan import Plan


def test_validated_pools_report_their_outcome_as_a_stack_output(planned: Callable[[str], Plan]) -> None:
    # gpu-sharing's b300 pool opts in to DCGM and NCCL validation; offline neither has a status yet.
    assert planned("gpu-sharing").outputs["validation"] == {
        "share": {"b300": {"dcgm": "pending", "nccl": "pending"}}
    }


def test_a_stack_without_validation_exports_none(planned: Callable[[str], Plan]) -> None:
    assert "validation" not in planned("lab").outputs
