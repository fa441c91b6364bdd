"""Kueue, the job queueing controller gpudc installs once per cluster: the release it pins.

A new release is added here with a CHANGELOG entry. Sources (kubernetes-sigs/kueue, tag v0.19.2):
- the chart is published as an OCI artifact, `helm install kueue
  oci://registry.k8s.io/kueue/charts/kueue --version=0.19.2 --namespace kueue-system`
  (site/content/en/docs/installation/_index.md; charts/kueue/Chart.yaml `version`);
- `kueue.x-k8s.io/v1beta2` is the API version served and stored since v0.16
  (config/components/crd/bases/*.yaml).
"""

from __future__ import annotations

from typing import Final

__all__ = ["KUEUE_API_VERSION", "KUEUE_CHART", "KUEUE_NAMESPACE", "KUEUE_VERSION"]

KUEUE_CHART = "oci://registry.k8s.io/kueue/charts/kueue"
KUEUE_VERSION: Final = "0.19.2"
KUEUE_NAMESPACE = "kueue-system"
KUEUE_API_VERSION = "kueue.x-k8s.io/v1beta2"
