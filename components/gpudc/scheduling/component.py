"""`Scheduling`: Kueue once per cluster, with the queues, priorities and topology GPU work needs.

Its children, all through the cluster's workload provider: the `kueue-system` namespace, the
pinned Kueue Helm release, a rack -> hostname `Topology` (when the cluster has racked pools),
one `ClusterQueue` over every pool flavor with its nominal quota, a default `LocalQueue` and a
`WorkloadPriorityClass` each for inference, training and preemptible work. The pools' own
ResourceFlavors are made by their `GpuNodePool`s, after this release (they need its CRDs).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from gpudc.catalog.kueue import KUEUE_API_VERSION, KUEUE_CHART, KUEUE_NAMESPACE
from gpudc.core.labels import gpudc_labels
from gpudc.objects import kube_object
from gpudc.options import child_opts, spec_inputs
from gpudc.scheduling.quotas import PRIORITY_CLASSES, SchedulingPlan

__all__ = ["GPU_RESOURCE", "Scheduling", "cluster_queue_spec"]

GPU_RESOURCE = "nvidia.com/gpu"


def cluster_queue_spec(plan: SchedulingPlan) -> dict[str, Any]:
    """The ClusterQueue's spec: one resource group, a flavor per pool with its nominal quota.

    Field names from kueue.x-k8s.io/v1beta2 (kubernetes-sigs/kueue v0.19.2,
    config/components/crd/bases/kueue.x-k8s.io_clusterqueues.yaml): `cohortName`,
    `resourceGroups[].coveredResources`, `flavors[].resources[].nominalQuota`.
    """
    return {
        "cohortName": plan.cohort,
        "namespaceSelector": {},  # every namespace's LocalQueues may point here
        "queueingStrategy": "BestEffortFIFO",
        "preemption": {
            "withinClusterQueue": "LowerPriority",
            "reclaimWithinCohort": "Any",
        },
        "resourceGroups": [
            {
                "coveredResources": ["cpu", "memory", GPU_RESOURCE],
                "flavors": [
                    {
                        "name": quota.flavor,
                        "resources": [
                            {"name": "cpu", "nominalQuota": quota.cpu_cores},
                            {"name": "memory", "nominalQuota": f"{quota.memory_gib}Gi"},
                            {"name": GPU_RESOURCE, "nominalQuota": quota.gpus},
                        ],
                    }
                    for quota in plan.quotas
                ],
            }
        ],
    }


class Scheduling(pulumi.ComponentResource):
    """Kueue for one cluster: the release, a cluster queue in its cohort, priorities, topology."""

    TYPE = "gpudc:index:Scheduling"

    cluster_queue: str
    cohort: str
    topology: str | None

    def __init__(
        self, name: str, plan: SchedulingPlan, *, site: str, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(self.TYPE, name, spec_inputs(plan.spec), opts)
        labels = gpudc_labels(site=site or None)
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={"name": KUEUE_NAMESPACE, "labels": labels},
            opts=child_opts(self, opts),
        )
        self.kueue = k8s.helm.v3.Release(
            f"{name}-kueue",
            name="kueue",
            chart=KUEUE_CHART,
            version=plan.spec.kueue_version,
            namespace=KUEUE_NAMESPACE,
            # The webhooks must answer before any Kueue object is created: wait for the rollout.
            atomic=True,
            cleanup_on_fail=True,
            timeout=600,
            opts=child_opts(self, opts, depends_on=[namespace]),
        )
        after_kueue = child_opts(self, opts, depends_on=[self.kueue])

        def custom(suffix: str, kind: str, object_name: str, spec: dict[str, Any]) -> None:
            k8s.apiextensions.CustomResource(
                f"{name}-{suffix}",
                api_version=KUEUE_API_VERSION,
                kind=kind,
                metadata={"name": object_name, "labels": labels},
                spec=spec,
                opts=after_kueue,
            )

        if plan.topology is not None:
            levels = [{"nodeLabel": label} for label in plan.topology_levels]
            custom("topology", "Topology", plan.topology, {"levels": levels})
        custom("cluster-queue", "ClusterQueue", plan.cluster_queue, cluster_queue_spec(plan))
        k8s.apiextensions.CustomResource(
            f"{name}-default-queue",
            api_version=KUEUE_API_VERSION,
            kind="LocalQueue",
            metadata={"name": "default", "namespace": plan.spec.default_queue_namespace, "labels": labels},
            spec={"clusterQueue": plan.cluster_queue},
            opts=after_kueue,
        )
        for priority, (value, description) in PRIORITY_CLASSES.items():
            kube_object(
                f"{name}-priority-{priority}",
                api_version=KUEUE_API_VERSION,
                kind="WorkloadPriorityClass",
                metadata={"name": priority, "labels": labels},
                fields={"value": value, "description": description},
                opts=after_kueue,
            )
        self.cluster_queue = plan.cluster_queue
        self.cohort = plan.cohort
        self.topology = plan.topology
        self.register_outputs(
            {"cluster_queue": self.cluster_queue, "cohort": self.cohort, "topology": self.topology}
        )
