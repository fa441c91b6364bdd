"""Shared foundations: the spec base and constrained types, findings, naming and labels.

Names load on first use (PEP 562), as in `gpudc`: importing `gpudc.core.findings` or
`gpudc.core.naming` does not import pydantic (`gpudc --help` imports only what prints it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpudc.core.lazy import lazy_names

if TYPE_CHECKING:
    from gpudc.core.errors import SpecError
    from gpudc.core.findings import Check, Finding, Severity
    from gpudc.core.naming import k8s_name
    from gpudc.core.spec import Cidr, DnsLabel, SpecModel

_EXPORTS: dict[str, str] = {
    "Check": "gpudc.core.findings",
    "Cidr": "gpudc.core.spec",
    "DnsLabel": "gpudc.core.spec",
    "Finding": "gpudc.core.findings",
    "Severity": "gpudc.core.findings",
    "SpecError": "gpudc.core.errors",
    "SpecModel": "gpudc.core.spec",
    "k8s_name": "gpudc.core.naming",
}

__all__ = ["Check", "Cidr", "DnsLabel", "Finding", "Severity", "SpecError", "SpecModel", "k8s_name"]


__getattr__ = lazy_names(globals(), _EXPORTS)
