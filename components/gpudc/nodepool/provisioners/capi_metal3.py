"""`capi-metal3`: a racked pool's machines, provisioned by Cluster API and Metal3.

Everything here lives on the cluster's **management** cluster, in the namespace of its Cluster
API `Cluster`: a `BareMetalHost` and a BMC `Secret` per inventory row, a `Metal3DataTemplate`,
a `Metal3MachineTemplate` that claims hosts by the pool's labels, a `KubeadmConfigTemplate` (the
kubelet's labels and taints, and files, rendered with jinja2), the `MachineDeployment` and a
`MachineHealthCheck`. API versions and field names are those of the pinned releases:
Cluster API v1.14.0 (`cluster.x-k8s.io/v1beta2`, `bootstrap.cluster.x-k8s.io/v1beta2`), CAPM3
v1.13.2 (`infrastructure.cluster.x-k8s.io/v1beta2`) and baremetal-operator v0.13
(`metal3.io/v1alpha1`); tests/crds/ holds their schemas and the test that checks every object.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pulumi
import yaml

from gpudc.cluster.spec import CapiClusterRef
from gpudc.core.labels import POOL_LABEL, SITE_LABEL, gpudc_labels
from gpudc.core.naming import k8s_name
from gpudc.core.text import render_template
from gpudc.environment.plan import PoolPlan
from gpudc.nodepool.provisioning import BmcTls, CapiMetal3Provisioner
from gpudc.objects import SECRET_OUTPUTS, kube_object
from gpudc.options import child_opts

__all__ = [
    "AUTOSCALER_MAX",
    "AUTOSCALER_MIN",
    "BmcLogin",
    "provision_capi_metal3",
]

CAPI = "cluster.x-k8s.io/v1beta2"
BOOTSTRAP = "bootstrap.cluster.x-k8s.io"
INFRASTRUCTURE = "infrastructure.cluster.x-k8s.io"
METAL3 = "metal3.io/v1alpha1"
# The cluster autoscaler's Cluster API provider reads a node group's bounds from these
# annotations (kubernetes/autoscaler cluster-autoscaler/cloudprovider/clusterapi/README.md; the
# Cluster API book, "Autoscaling"). With them set, `replicas` is left to the autoscaler.
AUTOSCALER_MIN = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size"
AUTOSCALER_MAX = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size"


@dataclass(frozen=True, slots=True)
class BmcLogin:
    """The pool's BMC credentials, as Pulumi secrets read from stack config by the program."""

    username: pulumi.Input[str]
    password: pulumi.Input[str]


def provision_capi_metal3(
    parent: pulumi.ComponentResource,
    name: str,
    plan: PoolPlan,
    *,
    capi: CapiClusterRef,
    management: pulumi.ProviderResource,
    bmc: BmcLogin,
    node_labels: dict[str, str],
    opts: pulumi.ResourceOptions | None,
) -> None:
    """Register the pool's Cluster API and Metal3 objects under `parent` through `management`."""
    spec = plan.spec
    provisioner = spec.provisioner
    assert isinstance(provisioner, CapiMetal3Provisioner)  # GpuNodePool dispatches on the type
    namespace = capi.namespace
    selector = {SITE_LABEL: plan.site, POOL_LABEL: spec.name} if plan.site else {POOL_LABEL: spec.name}
    meta_labels = gpudc_labels(site=plan.site or None, pool=spec.name)
    base = k8s_name(plan.site, spec.name)

    def options(**extra: Any) -> pulumi.ResourceOptions:
        return child_opts(parent, opts, provider=management, **extra)

    def custom(
        suffix: str, api_version: str, kind: str, object_name: str, body: dict[str, Any], **extra: Any
    ) -> None:
        metadata = {"name": object_name, "namespace": namespace, "labels": meta_labels}
        metadata.update(body.pop("metadata", {}))
        kube_object(
            f"{name}-{suffix}",
            api_version=api_version,
            kind=kind,
            metadata=metadata,
            fields=body,
            opts=options(**extra),
        )

    # Each value marked secret once per pool (a library caller may pass plain strings), and the
    # dict shared by every machine's Secret: wrapping the whole login per machine, as the typed
    # Secret class does, adds a chain of tasks every machine's registration waits behind.
    login = {"username": pulumi.Output.secret(bmc.username), "password": pulumi.Output.secret(bmc.password)}
    # The same options for every machine: the SDK copies them per resource before changing any
    # (pulumi/resource.py `Resource.__init__`, "Make a shallow clone of opts", pulumi 3.272.0).
    secret_opts = options(protection=plan.protection)
    for node, where in zip(plan.placed, plan.placed_labels, strict=True):
        host = node.host
        assert host is not None  # capi-metal3 pools always have an inventory (validated)
        secret_name = k8s_name(host.name, "bmc")
        kube_object(
            f"{name}-bmc-{host.name}",
            api_version="v1",
            kind="Secret",
            metadata={"name": secret_name, "namespace": namespace, "labels": meta_labels},
            fields={"type": "Opaque", "stringData": login},
            opts=secret_opts,
            secret_outputs=SECRET_OUTPUTS,
        )
        bmc_spec: dict[str, Any] = {"address": host.bmc_address, "credentialsName": secret_name}
        if provisioner.bmc.tls is BmcTls.SKIP:
            bmc_spec["disableCertificateVerification"] = True
        custom(
            f"host-{host.name}",
            METAL3,
            "BareMetalHost",
            host.name,
            {
                # The host selector's labels, and the rack labels Metal3 copies to the Node.
                "metadata": {"labels": {**meta_labels, **selector, **where}},
                "spec": {
                    "online": True,
                    "bootMACAddress": host.boot_mac,
                    "bmc": bmc_spec,
                    "description": f"{spec.node_model} serial {host.serial}, rack {node.rack}",
                },
            },
            # A different boot NIC is a different machine to Ironic: re-register it.
            replace_on_changes=["spec.bootMACAddress"],
            protection=plan.protection,
        )
    data_template = k8s_name(base, "data")
    custom(
        "data-template",
        f"{INFRASTRUCTURE}/v1beta2",
        "Metal3DataTemplate",
        data_template,
        # The node takes its BareMetalHost's name: the inventory's node name.
        {
            "spec": {
                "clusterName": capi.name,
                "metaData": {"objectNames": [{"key": "name", "object": "baremetalhost"}]},
            }
        },
    )
    image = provisioner.image
    machine_spec = {
        "template": {
            "spec": {
                "automatedCleaningMode": "metadata",
                "dataTemplate": {"name": data_template},
                "hostSelector": {"matchLabels": selector},
                "image": {
                    "url": image.url,
                    "checksum": image.checksum,
                    "checksumType": image.checksum_type.value,
                    "diskFormat": image.format.value,
                },
            }
        }
    }
    bootstrap_spec = {
        "template": {
            "spec": {
                "joinConfiguration": {"nodeRegistration": _node_registration(plan, node_labels)},
                "files": _files(plan),
            }
        }
    }
    # Cluster API treats templates as immutable: a changed template is a new object, and pointing
    # the MachineDeployment at it is what rolls the machines. The name carries a content hash.
    machine_template = k8s_name(base, _digest(machine_spec))
    bootstrap_template = k8s_name(base, _digest(bootstrap_spec))
    custom(
        "machine-template",
        f"{INFRASTRUCTURE}/v1beta2",
        "Metal3MachineTemplate",
        machine_template,
        {"spec": machine_spec},
    )
    custom(
        "bootstrap-template",
        f"{BOOTSTRAP}/v1beta2",
        "KubeadmConfigTemplate",
        bootstrap_template,
        {"spec": bootstrap_spec},
    )
    rollout = provisioner.rollout
    deployment: dict[str, Any] = {
        "clusterName": capi.name,
        "selector": {"matchLabels": selector},
        "template": {
            "metadata": {"labels": selector},
            "spec": {
                "clusterName": capi.name,
                "version": provisioner.kubernetes_version,
                "bootstrap": {
                    "configRef": {
                        "apiGroup": BOOTSTRAP,
                        "kind": "KubeadmConfigTemplate",
                        "name": bootstrap_template,
                    }
                },
                "infrastructureRef": {
                    "apiGroup": INFRASTRUCTURE,
                    "kind": "Metal3MachineTemplate",
                    "name": machine_template,
                },
                "deletion": {"nodeDrainTimeoutSeconds": rollout.drain_timeout_seconds},
            },
        },
        "rollout": {
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": rollout.max_surge, "maxUnavailable": rollout.max_unavailable},
            }
        },
    }
    annotations: dict[str, str] = {}
    if provisioner.autoscaling is None:
        deployment["replicas"] = spec.nodes
    else:
        annotations = {
            AUTOSCALER_MIN: str(provisioner.autoscaling.min_nodes),
            AUTOSCALER_MAX: str(provisioner.autoscaling.max_nodes),
        }
    custom(
        "machine-deployment",
        CAPI,
        "MachineDeployment",
        base,
        {"metadata": {"annotations": annotations} if annotations else {}, "spec": deployment},
    )
    health = provisioner.health_check
    custom(
        "health-check",
        CAPI,
        "MachineHealthCheck",
        base,
        {
            "spec": {
                "clusterName": capi.name,
                "selector": {"matchLabels": selector},
                "checks": {
                    "nodeStartupTimeoutSeconds": health.node_startup_timeout_seconds,
                    "unhealthyNodeConditions": [
                        {
                            "type": "Ready",
                            "status": status,
                            "timeoutSeconds": health.unhealthy_timeout_seconds,
                        }
                        for status in ("Unknown", "False")
                    ],
                },
                "remediation": {"triggerIf": {"unhealthyLessThanOrEqualTo": health.max_unhealthy}},
            }
        },
    )


def _node_registration(plan: PoolPlan, node_labels: dict[str, str]) -> dict[str, Any]:
    rendered = render_template(
        "gpudc.nodepool",
        "kubeadm-node-registration.yaml.j2",
        labels=[f"{key}={value}" for key, value in node_labels.items()],
        taints=[taint.as_kubernetes() for taint in plan.registration_taints],
    )
    registration: dict[str, Any] = yaml.safe_load(rendered)
    return registration


def _files(plan: PoolPlan) -> list[dict[str, str]]:
    spec = plan.spec
    context = {"site": plan.site, "cluster": plan.cluster, "pool": spec.name, "node_model": spec.node_model}
    return [
        {
            "path": "/etc/modprobe.d/blacklist-nouveau.conf",
            "owner": "root:root",
            "permissions": "0644",
            "content": render_template("gpudc.nodepool", "blacklist-nouveau.conf.j2", **context),
        },
        {
            "path": "/etc/gpudc/node.env",
            "owner": "root:root",
            "permissions": "0644",
            "content": render_template("gpudc.nodepool", "node-identity.env.j2", **context),
        },
    ]


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:8]
