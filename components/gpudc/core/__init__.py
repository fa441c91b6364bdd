"""Shared foundations: the spec base and constrained types, findings, naming and labels."""

from gpudc.core.errors import SpecError
from gpudc.core.findings import Check, Finding, Severity
from gpudc.core.naming import k8s_name
from gpudc.core.spec import Cidr, DnsLabel, SpecModel

__all__ = ["Check", "Cidr", "DnsLabel", "Finding", "Severity", "SpecError", "SpecModel", "k8s_name"]
