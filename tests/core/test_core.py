"""Naming, error paths and messages, and the label policy."""

from __future__ import annotations

import re
from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field, ValidationError

from gpudc.core.errors import SCHEMA, SpecError, format_path
from gpudc.core.labels import gpudc_labels
from gpudc.core.naming import k8s_name
from gpudc.core.spec import DNS_LABEL_PATTERN, Cidr, SpecModel

DNS_LABEL = re.compile(DNS_LABEL_PATTERN)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("plano", "h100-a"), "plano-h100-a"),
        (("Plano", "H100_A"), "plano-h100-a"),
        (("", "h100"), "h100"),
        (("a--b", "-c-"), "a-b-c"),
        (("x" * 40, "y" * 40), "x" * 40 + "-" + "y" * 15 + "-e8976f"),  # sha256("x"*40 + "-" + "y"*40)[:6]
    ],
)
def test_k8s_name(parts: tuple[str, ...], expected: str) -> None:
    assert k8s_name(*parts) == expected


@given(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=4))
def test_k8s_name_is_always_a_dns_label_or_refuses(parts: list[str]) -> None:
    try:
        name = k8s_name(*parts)
    except ValueError:
        return
    assert len(name) <= 63
    assert DNS_LABEL.match(name)
    assert name == k8s_name(*parts)


def test_trimmed_names_that_share_a_prefix_differ() -> None:
    assert k8s_name("a" * 70, "one") != k8s_name("a" * 70, "two")


def test_format_path() -> None:
    assert format_path(["sites", 0, "pools", 2, "nodes"]) == "sites[0].pools[2].nodes"


def test_spec_error_lists_every_issue() -> None:
    error = SpecError(
        [SCHEMA.finding("a.b", "must be > 0", value=-1), SCHEMA.finding("c", "is required; add it")]
    )
    assert str(error) == "2 problems in the spec:\n  a.b: must be > 0, got -1\n  c: is required; add it"
    assert error.prefixed("sites[0]").issues[0].path == "sites[0].a.b"


def test_spec_error_needs_an_issue() -> None:
    with pytest.raises(ValueError, match="at least one finding"):
        SpecError([])


def test_labels() -> None:
    assert gpudc_labels(site="plano", pool="h100", extra={"team": "ml"}) == {
        "app.kubernetes.io/managed-by": "gpudc",
        "gpudc.io/site": "plano",
        "gpudc.io/pool": "h100",
        "team": "ml",
    }


class _Network(SpecModel):
    cidr: Annotated[Cidr, Field(description="A network.")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("10.0.0.0/16", "10.0.0.0/16"), ("fd00::/64", "fd00::/64"), ("10.0.0.0/8", "10.0.0.0/8")],
)
def test_cidr_accepts_networks(value: str, expected: str) -> None:
    assert _Network(cidr=value).cidr == expected


def test_cidr_names_host_bits() -> None:
    with pytest.raises(ValidationError, match="must be a network in CIDR form with no host bits set"):
        _Network(cidr="10.0.0.1/16")
