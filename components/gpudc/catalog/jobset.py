"""JobSet, the multi-node launcher gpudc installs for the NCCL all-reduce validation, and the
nccl-tests image it runs.

Why JobSet and not the Kubeflow MPI Operator (`MPIJob`, the launcher CoreWeave's and NVIDIA's
nccl-tests examples use): gpudc installs every operator it relies on as a pinned Helm release of
the project's own chart, and the MPI Operator publishes none (kubeflow/mpi-operator v0.8.0 ships
`deploy/v2beta1/mpi-operator.yaml` and kustomize `manifests/` only; the charts found are
third-party and marked unofficial). JobSet publishes its chart with every release. What the MPI
Operator adds, an SSH key pair and a host file for `mpirun`, gpudc renders itself
(`gpudc.gpu_operator.nccl`).

Sources (kubernetes-sigs/jobset, tag v0.12.0, tag commit f22e565ac3cc3265c7c45ef67ecffdc689af5d77):
- the chart is an OCI artifact, `helm install jobset oci://registry.k8s.io/jobset/charts/jobset
  --version ${VERSION#v} --create-namespace --namespace=jobset-system`
  (site/content/en/docs/installation/_index.md; charts/jobset/Chart.yaml `version: 0.12.0`);
- `jobset.x-k8s.io/v1alpha2` is the served and stored version
  (charts/jobset/crds/jobset.x-k8s.io_jobsets.yaml, identical to
  config/components/crd/bases/jobset.x-k8s.io_jobsets.yaml);
- JobSet supports the last three Kubernetes minor versions (the same installation page);
- the published chart runs `registry.k8s.io/jobset/jobset:v0.12.0` (IfNotPresent): the tag's
  charts/jobset/values.yaml names the staging image `main`, which hack/helm-chart-package.sh
  rewrites to the release's before packaging, so gpudc sets no values.
"""

from __future__ import annotations

from typing import Final

from gpudc.catalog.charts import ChartPin

__all__ = ["JOBSET", "JOBSET_API_VERSION", "NCCL_TESTS_IMAGE"]

JOBSET = ChartPin(
    repository=None,
    chart="oci://registry.k8s.io/jobset/charts/jobset",
    version="0.12.0",
    namespace="jobset-system",
)
JOBSET_API_VERSION = "jobset.x-k8s.io/v1alpha2"

NCCL_TESTS_IMAGE: Final = "ghcr.io/coreweave/nccl-tests:12.9.1-devel-ubuntu22.04-nccl2.28.3-1-8b67957"
"""CoreWeave's public nccl-tests image, the one its B300 MPIJob example runs (coreweave/nccl-tests,
commit 3b06be76803a4839d76cdd2e2e8e7bc7dd876358,
mpi-operator/nccl-test-distributed-b300-64-mpijob.yaml). The tag ends in the commit it was built
from: coreweave/nccl-tests 8b67957, Dockerfile.ubuntu22 (NCCL 2.28.3-1; nccl-tests at NVIDIA's
commit 9a5c154, built with `MPI=1` and linked as /opt/nccl_tests; HPC-X Open MPI 4 rebuilt with
`contrib/platform/mellanox/optimized`, whose `enable_orterun_prefix_by_default=yes` lets `orted`
start over a bare SSH session; openssh-server with `StrictModes no`, clients with
`StrictHostKeyChecking no` and `UserKnownHostsFile /dev/null`; `ssh-keygen` and bash), which is
all the launcher and workers use. Its LD_LIBRARY_PATH puts HPC-X's NCCL RDMA/SHARP plugin first,
which the launcher turns off (`NCCL_NET_PLUGIN=none`). No nccl-tests image published by NVIDIA
itself was found."""
