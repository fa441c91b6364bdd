"""Each upstream CRD schema accepts a minimal object written from the upstream docs and rejects an
unknown spec field, plus the shape changes of the pinned versions that are easy to get wrong."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.crds.network_examples import NETWORK_EXAMPLES
from tests.crds.schemas import check_custom_resource, crd_schema, known
from tests.crds.transcribe import convert

NAMESPACE = "capi-plano"
AUTOSCALER_MIN = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size"
AUTOSCALER_MAX = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size"


def _meta(name: str, namespace: str | None = NAMESPACE) -> dict[str, Any]:
    return {"name": name} if namespace is None else {"name": name, "namespace": namespace}


# A minimal valid object per schema, written from each project's documentation of the pinned version.
EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("cluster.x-k8s.io/v1beta2", "MachineDeployment"): {
        "apiVersion": "cluster.x-k8s.io/v1beta2",
        "kind": "MachineDeployment",
        "metadata": {
            **_meta("plano-h100"),
            "annotations": {AUTOSCALER_MIN: "2", AUTOSCALER_MAX: "4"},
        },
        "spec": {
            "clusterName": "plano",
            "replicas": 4,
            "selector": {"matchLabels": {"gpudc.io/pool": "h100"}},
            "rollout": {
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "10%"},
                }
            },
            "template": {
                "metadata": {"labels": {"gpudc.io/pool": "h100"}},
                "spec": {
                    "clusterName": "plano",
                    "version": "v1.32.4",
                    "bootstrap": {
                        "configRef": {
                            "apiGroup": "bootstrap.cluster.x-k8s.io",
                            "kind": "KubeadmConfigTemplate",
                            "name": "plano-h100",
                        }
                    },
                    "infrastructureRef": {
                        "apiGroup": "infrastructure.cluster.x-k8s.io",
                        "kind": "Metal3MachineTemplate",
                        "name": "plano-h100",
                    },
                    "deletion": {"nodeDrainTimeoutSeconds": 600},
                },
            },
        },
    },
    ("cluster.x-k8s.io/v1beta2", "MachineHealthCheck"): {
        "apiVersion": "cluster.x-k8s.io/v1beta2",
        "kind": "MachineHealthCheck",
        "metadata": _meta("plano-h100"),
        "spec": {
            "clusterName": "plano",
            "selector": {"matchLabels": {"gpudc.io/pool": "h100"}},
            "checks": {
                "nodeStartupTimeoutSeconds": 1800,
                "unhealthyNodeConditions": [
                    {"type": "Ready", "status": "Unknown", "timeoutSeconds": 300},
                    {"type": "Ready", "status": "False", "timeoutSeconds": 300},
                ],
            },
            "remediation": {"triggerIf": {"unhealthyLessThanOrEqualTo": "40%"}},
        },
    },
    ("bootstrap.cluster.x-k8s.io/v1beta2", "KubeadmConfigTemplate"): {
        "apiVersion": "bootstrap.cluster.x-k8s.io/v1beta2",
        "kind": "KubeadmConfigTemplate",
        "metadata": _meta("plano-h100"),
        "spec": {
            "template": {
                "spec": {
                    "joinConfiguration": {
                        "nodeRegistration": {
                            "kubeletExtraArgs": [
                                {"name": "node-labels", "value": "gpudc.io/rack=r01"},
                            ],
                            "taints": [{"key": "nvidia.com/gpu", "effect": "NoSchedule"}],
                        }
                    },
                    "files": [
                        {
                            "path": "/etc/gpudc/node.env",
                            "content": "POOL=h100\n",
                            "owner": "root:root",
                            "permissions": "0644",
                        }
                    ],
                    "preKubeadmCommands": ["systemctl restart containerd"],
                }
            }
        },
    },
    ("infrastructure.cluster.x-k8s.io/v1beta2", "Metal3MachineTemplate"): {
        "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta2",
        "kind": "Metal3MachineTemplate",
        "metadata": _meta("plano-h100"),
        "spec": {
            "template": {
                "spec": {
                    "image": {
                        "url": "http://images.example/ubuntu-24.04.qcow2",
                        "checksum": "http://images.example/ubuntu-24.04.qcow2.sha256sum",
                        "checksumType": "sha256",
                        "diskFormat": "qcow2",
                    },
                    "hostSelector": {"matchLabels": {"gpudc.io/pool": "h100"}},
                }
            }
        },
    },
    ("infrastructure.cluster.x-k8s.io/v1beta2", "Metal3DataTemplate"): {
        "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta2",
        "kind": "Metal3DataTemplate",
        "metadata": _meta("plano-h100-data"),
        "spec": {
            "clusterName": "plano-prod",
            "metaData": {"objectNames": [{"key": "name", "object": "baremetalhost"}]},
        },
    },
    ("infrastructure.cluster.x-k8s.io/v1beta2", "Metal3Cluster"): {
        "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta2",
        "kind": "Metal3Cluster",
        "metadata": _meta("plano-prod"),
        "spec": {"controlPlaneEndpoint": {"host": "10.72.0.10", "port": 6443}},
    },
    ("metal3.io/v1alpha1", "BareMetalHost"): {
        "apiVersion": "metal3.io/v1alpha1",
        "kind": "BareMetalHost",
        "metadata": {**_meta("plano-r01-n01"), "labels": {"gpudc.io/pool": "h100"}},
        "spec": {
            "online": True,
            "bootMACAddress": "0c:42:a1:00:00:01",
            "bootMode": "UEFI",
            "bmc": {
                "address": "redfish-virtualmedia+https://10.10.0.11/redfish/v1/Systems/1",
                "credentialsName": "plano-r01-n01-bmc",
                "disableCertificateVerification": True,
            },
            "rootDeviceHints": {"deviceName": "/dev/nvme0n1"},
        },
    },
    ("kueue.x-k8s.io/v1beta2", "ResourceFlavor"): {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "ResourceFlavor",
        "metadata": _meta("h100", None),
        "spec": {"nodeLabels": {"gpudc.io/pool": "h100"}, "topologyName": "plano"},
    },
    ("kueue.x-k8s.io/v1beta2", "ClusterQueue"): {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "ClusterQueue",
        "metadata": _meta("plano", None),
        "spec": {
            "cohortName": "gpudc",
            "namespaceSelector": {},
            "resourceGroups": [
                {
                    "coveredResources": ["cpu", "memory", "nvidia.com/gpu"],
                    "flavors": [
                        {
                            "name": "h100",
                            "resources": [
                                {"name": "cpu", "nominalQuota": "3584"},
                                {"name": "memory", "nominalQuota": "60Ti"},
                                {"name": "nvidia.com/gpu", "nominalQuota": 256},
                            ],
                        }
                    ],
                }
            ],
        },
    },
    ("kueue.x-k8s.io/v1beta2", "LocalQueue"): {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "LocalQueue",
        "metadata": _meta("default", "default"),
        "spec": {"clusterQueue": "plano"},
    },
    ("kueue.x-k8s.io/v1beta2", "WorkloadPriorityClass"): {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "WorkloadPriorityClass",
        "metadata": _meta("training", None),
        "value": 1000,
        "description": "Training jobs",
    },
    ("kueue.x-k8s.io/v1beta2", "Topology"): {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "Topology",
        "metadata": _meta("plano", None),
        "spec": {"levels": [{"nodeLabel": "gpudc.io/rack"}, {"nodeLabel": "kubernetes.io/hostname"}]},
    },
    ("kueue.x-k8s.io/v1beta2", "Cohort"): {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "Cohort",
        "metadata": _meta("gpudc", None),
        "spec": {},
    },
    # NVIDIA GPU Operator v26.7.0 docs, "NVIDIA GPU Driver Custom Resource Definition": required
    # `default`, `driverType`, `image`; a non-default driver selects its nodes.
    ("nvidia.com/v1alpha1", "NVIDIADriver"): {
        "apiVersion": "nvidia.com/v1alpha1",
        "kind": "NVIDIADriver",
        "metadata": _meta("h100", None),
        "spec": {
            "default": False,
            "driverType": "gpu",
            "image": "driver",
            "repository": "nvcr.io/nvidia",
            "version": "580.95.05",
            "nodeSelector": {"gpudc.io/pool": "h100"},
        },
    },
    # NVIDIA DRA driver v25.12.0 docs, "ComputeDomain": a channel with its ResourceClaimTemplate.
    ("resource.nvidia.com/v1beta1", "ComputeDomain"): {
        "apiVersion": "resource.nvidia.com/v1beta1",
        "kind": "ComputeDomain",
        "metadata": _meta("nvl72-rack-0", "training"),
        "spec": {"numNodes": 18, "channel": {"resourceClaimTemplate": {"name": "nvl72-rack-0-channel"}}},
    },
    ("compute.coreweave.com/v1alpha1", "NodePool"): {
        "apiVersion": "compute.coreweave.com/v1alpha1",
        "kind": "NodePool",
        "metadata": _meta("h100", None),
        "spec": {
            "instanceType": "gd-8xh100ib-i128",
            "targetNodes": 2,
            "autoscaling": True,
            "minNodes": 2,
            "maxNodes": 4,
            "nodeLabels": {"gpudc.io/pool": "h100"},
            "nodeTaints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}],
        },
    },
}


def _with(kind_key: tuple[str, str], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """A deep copy of the example with `value` set at `path`."""
    body = copy.deepcopy(EXAMPLES[kind_key])
    node: Any = body
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return body


def _without(kind_key: tuple[str, str], path: tuple[str | int, ...]) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLES[kind_key])
    node: Any = body
    for step in path[:-1]:
        node = node[step]
    del node[path[-1]]
    return body


EXAMPLES.update(NETWORK_EXAMPLES)
# kubernetes-sigs/jobset v0.12.0 site/static/examples/depends-on/depends-on.yaml, cut to two jobs.
EXAMPLES[("jobset.x-k8s.io/v1alpha2", "JobSet")] = {
    "apiVersion": "jobset.x-k8s.io/v1alpha2",
    "kind": "JobSet",
    "metadata": {"name": "depends-on"},
    "spec": {
        "replicatedJobs": [
            {
                "name": "initializer",
                "template": {
                    "spec": {
                        "template": {"spec": {"containers": [{"name": "initializer", "image": "busybox"}]}}
                    }
                },
            },
            {
                "name": "worker",
                "dependsOn": [{"name": "initializer", "status": "Complete"}],
                "template": {
                    "spec": {
                        "parallelism": 4,
                        "completions": 4,
                        "template": {"spec": {"containers": [{"name": "worker", "image": "busybox"}]}},
                    }
                },
            },
        ]
    },
}


def test_every_schema_has_an_example() -> None:
    assert sorted(EXAMPLES) == known()
    assert len(known()) == 25


@pytest.mark.parametrize("key", sorted(EXAMPLES), ids=lambda key: f"{key[0]}-{key[1]}")
def test_minimal_example_is_valid(key: tuple[str, str]) -> None:
    assert check_custom_resource(EXAMPLES[key]) == []


@pytest.mark.parametrize("key", sorted(EXAMPLES), ids=lambda key: f"{key[0]}-{key[1]}")
def test_unknown_spec_field_is_rejected(key: tuple[str, str]) -> None:
    top = "spec" if "spec" in EXAMPLES[key] else None
    body = _with(key, (top, "bogusField") if top else ("bogusField",), 1)
    errors = check_custom_resource(body)
    assert len(errors) == 1
    assert "'bogusField' was unexpected" in errors[0]


@pytest.mark.parametrize("key", sorted(EXAMPLES), ids=lambda key: f"{key[0]}-{key[1]}")
def test_comment_cites_the_source(key: tuple[str, str]) -> None:
    comment = crd_schema(*key)["$comment"]
    if key[0].startswith("compute.coreweave.com"):
        assert "https://docs.coreweave.com/products/cks/reference/node-pool" in comment
    else:
        assert "tag commit " in comment and ".yaml" in comment


def test_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(KeyError) as raised:
        check_custom_resource({"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Cluster"})
    message = str(raised.value)
    assert "no CRD schema for cluster.x-k8s.io/v1beta1 Cluster" in message
    assert "known: bootstrap.cluster.x-k8s.io/v1beta2 KubeadmConfigTemplate, " in message


def test_errors_name_the_field_path() -> None:
    body = _with(("metal3.io/v1alpha1", "BareMetalHost"), ("spec", "bootMACAddress"), "zz")
    assert check_custom_resource(body) == [
        "$.spec.bootMACAddress: 'zz' does not match '[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}'"
    ]


# --- Cluster API v1beta2 shape --------------------------------------------------------------------

MD = ("cluster.x-k8s.io/v1beta2", "MachineDeployment")


def test_machine_deployment_refs_take_api_group_not_api_version() -> None:
    ref = {"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta2", "kind": "M", "name": "x"}
    errors = check_custom_resource(_with(MD, ("spec", "template", "spec", "infrastructureRef"), ref))
    assert any("'apiGroup' is a required property" in error for error in errors)
    assert any("'apiVersion' was unexpected" in error for error in errors)


def test_machine_deployment_v1beta1_fields_are_gone() -> None:
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
    assert check_custom_resource(_with(MD, ("spec", "strategy"), strategy))
    drain = ("spec", "template", "spec", "nodeDrainTimeout")
    assert check_custom_resource(_with(MD, drain, "10m"))


def test_machine_deployment_rollout_type_is_an_enum() -> None:
    body = _with(MD, ("spec", "rollout", "strategy", "type"), "Recreate")
    assert len(check_custom_resource(body)) == 1


def test_machine_health_check_v1beta1_fields_are_gone() -> None:
    mhc = ("cluster.x-k8s.io/v1beta2", "MachineHealthCheck")
    assert check_custom_resource(_with(mhc, ("spec", "unhealthyConditions"), []))
    assert check_custom_resource(_with(mhc, ("spec", "maxUnhealthy"), "40%"))


def test_kubelet_extra_args_are_a_list_of_name_value() -> None:
    kct = ("bootstrap.cluster.x-k8s.io/v1beta2", "KubeadmConfigTemplate")
    path = ("spec", "template", "spec", "joinConfiguration", "nodeRegistration", "kubeletExtraArgs")
    assert check_custom_resource(_with(kct, path, {"node-labels": "a=b"}))


def test_kubeadm_disk_partition_needs_exactly_one_layout() -> None:
    """The CRD's CEL rule "exactly one of layout / diskLayout" is written as JSON Schema oneOf."""
    kct = ("bootstrap.cluster.x-k8s.io/v1beta2", "KubeadmConfigTemplate")
    partition = {"device": "/dev/nvme1n1", "tableType": "gpt"}
    assert check_custom_resource(
        _with(kct, ("spec", "template", "spec", "diskSetup"), {"partitions": [partition]})
    )
    partition["layout"] = True
    assert (
        check_custom_resource(
            _with(kct, ("spec", "template", "spec", "diskSetup"), {"partitions": [partition]})
        )
        == []
    )


# --- Metal3 -----------------------------------------------------------------------------------------

BMH = ("metal3.io/v1alpha1", "BareMetalHost")


def test_bare_metal_host_needs_bmc_address_and_credentials() -> None:
    errors = check_custom_resource(_without(BMH, ("spec", "bmc", "credentialsName")))
    assert errors == ["$.spec.bmc: 'credentialsName' is a required property"]
    assert check_custom_resource(_without(BMH, ("spec", "online"))) == [
        "$.spec: 'online' is a required property"
    ]


def test_metal3_machine_template_image_needs_url_and_checksum() -> None:
    m3 = ("infrastructure.cluster.x-k8s.io/v1beta2", "Metal3MachineTemplate")
    errors = check_custom_resource(_without(m3, ("spec", "template", "spec", "image", "checksum")))
    assert errors == ["$.spec.template.spec.image: 'checksum' is a required property"]


# --- Kueue v1beta2 ---------------------------------------------------------------------------------


def test_cluster_queue_names_its_cohort_cohort_name() -> None:
    cq = ("kueue.x-k8s.io/v1beta2", "ClusterQueue")
    body = _without(cq, ("spec", "cohortName"))
    body["spec"]["cohort"] = "gpudc"  # the v1beta1 name
    assert check_custom_resource(body) == [
        "$.spec: Additional properties are not allowed ('cohort' was unexpected)"
    ]


def test_cluster_scoped_kueue_objects_take_no_namespace() -> None:
    body = _with(("kueue.x-k8s.io/v1beta2", "ClusterQueue"), ("metadata", "namespace"), "x")
    assert len(check_custom_resource(body)) == 1


def test_resource_flavor_taint_effect_is_checked() -> None:
    rf = ("kueue.x-k8s.io/v1beta2", "ResourceFlavor")
    body = _with(rf, ("spec", "nodeTaints"), [{"key": "k", "effect": "Sometimes"}])
    assert len(check_custom_resource(body)) == 1


def test_resource_flavor_matches_the_preview_copy() -> None:
    """tests/preview keeps a hand-written copy; the transcription agrees with it field for field
    and adds the CEL rule "a flavor with topologyName has nodeLabels" as JSON Schema."""
    preview = Path(__file__).parent.parent / "preview" / "kueue_resourceflavor_v1beta2.schema.json"

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            dropped = ("$comment", "format", "type", "allOf")
            return {k: strip(v) for k, v in node.items() if k not in dropped}
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node

    ours = crd_schema("kueue.x-k8s.io/v1beta2", "ResourceFlavor")["properties"]["spec"]
    assert strip(ours) == strip(json.loads(preview.read_text())["properties"]["spec"])


def test_resource_flavor_with_topology_needs_node_labels() -> None:
    rf = ("kueue.x-k8s.io/v1beta2", "ResourceFlavor")
    assert check_custom_resource(_without(rf, ("spec", "nodeLabels"))) == [
        "$.spec: 'nodeLabels' is a required property"
    ]
    assert check_custom_resource(_with(rf, ("spec", "nodeLabels"), {})) == [
        "$.spec.nodeLabels: {} should be non-empty"
    ]


# --- CoreWeave NodePool ----------------------------------------------------------------------------

NP = ("compute.coreweave.com/v1alpha1", "NodePool")


def _gb200(**spec: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLES[NP])
    body["spec"] = {"instanceType": "gb200-4x", **spec}
    return body


def test_node_pool_gb200_in_whole_racks() -> None:
    assert check_custom_resource(_gb200(targetNodes=36)) == []
    assert check_custom_resource(_gb200(targetRacks=2)) == []
    assert check_custom_resource(_gb200(targetNodes=20)) == ["$.spec.targetNodes: 20 is not a multiple of 18"]


def test_node_pool_gb200_refuses_autoscaling() -> None:
    errors = check_custom_resource(_gb200(targetNodes=18, autoscaling=True, minNodes=18, maxNodes=36))
    assert errors == ["$.spec.autoscaling: False was expected"]


def test_node_pool_target_racks_only_for_rack_types() -> None:
    body = _without(NP, ("spec", "targetNodes"))
    body["spec"]["targetRacks"] = 1
    assert len(check_custom_resource(body)) == 1


def test_node_pool_takes_exactly_one_of_target_nodes_and_racks() -> None:
    assert len(check_custom_resource(_gb200(targetNodes=18, targetRacks=1))) == 1
    assert len(check_custom_resource(_gb200())) == 1


def test_node_pool_needs_an_instance_type() -> None:
    assert check_custom_resource(_without(NP, ("spec", "instanceType"))) == [
        "$.spec: 'instanceType' is a required property"
    ]


# --- the transcriber ---------------------------------------------------------------------------------


def test_jobset_depends_on_takes_ready_or_complete_only() -> None:
    key = ("jobset.x-k8s.io/v1alpha2", "JobSet")
    path = ("spec", "replicatedJobs", 1, "dependsOn")
    assert check_custom_resource(_with(key, path, [{"name": "initializer", "status": "Succeeded"}]))
    assert check_custom_resource(_with(key, path, [{"name": "initializer"}]))


def test_transcriber_closes_objects_and_keeps_bounds() -> None:
    crd_node = {
        "type": "object",
        "description": "dropped",
        "required": ["a"],
        "properties": {
            "a": {"type": "integer", "minimum": 1, "default": 3, "format": "int32"},
            "b": {"type": "object", "additionalProperties": {"type": "string"}},
            "c": {"type": "string", "nullable": True},
            "d": {
                "type": "array",
                "items": {"type": "object", "properties": {"e": {"type": "string"}}},
                "x-kubernetes-validations": [{"rule": "self.all(x, x.e in ['p', 'q'])"}],
            },
        },
    }
    assert convert(crd_node) == {
        "type": "object",
        "required": ["a"],
        "properties": {
            "a": {"type": "integer", "minimum": 1, "format": "int32"},
            "b": {"type": "object", "additionalProperties": {"type": "string"}},
            "c": {"type": ["string", "null"]},
            "d": {
                "$comment": "CEL rules of the CRD (JSON Schema above where one exists): "
                "self.all(x, x.e in ['p', 'q'])",
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"e": {"type": "string", "enum": ["p", "q"]}},
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    }
