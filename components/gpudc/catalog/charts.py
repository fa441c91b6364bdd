"""`ChartPin`: a Helm chart gpudc installs, at the version it pins, into its namespace."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ChartPin"]


@dataclass(frozen=True, slots=True)
class ChartPin:
    """A Helm chart at a version, from a repository (or an OCI reference), installed into a namespace."""

    repository: str | None
    """The chart repository's URL; None where `chart` is itself an `oci://` reference."""
    chart: str
    version: str
    namespace: str

    @property
    def release_name(self) -> str:
        """The release is named after the chart (the last part of an `oci://` reference)."""
        return self.chart.rsplit("/", 1)[-1]
