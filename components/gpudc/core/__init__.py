"""Shared foundations: the spec base and constrained types, errors, naming and labels."""

from gpudc.core.errors import SpecError, SpecIssue
from gpudc.core.naming import k8s_name
from gpudc.core.spec import Cidr, DnsLabel, SpecModel

__all__ = ["Cidr", "DnsLabel", "SpecError", "SpecIssue", "SpecModel", "k8s_name"]
