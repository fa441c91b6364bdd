"""A library program that plants secrets everywhere a plan could leak them (tests/preview/test_secrets.py)."""

import pulumi
import pulumi_kubernetes as k8s

config = pulumi.Config()
# A second variant of the stack (tests/preview/test_secrets.py) changes the planted secret, so a
# diff of the two plans would show it if any step stopped redacting.
variant = config.get("variant") or "base"
planted = pulumi.Output.secret(f"CANARY-OUTPUT-SECRET-7f3a-{variant}")
kubeconfig = config.require_secret("kubeconfig")
provider = k8s.Provider("canary", kubeconfig=kubeconfig)
opts = pulumi.ResourceOptions(provider=provider)
k8s.core.v1.Secret(
    "registry",
    metadata={"name": "registry", "namespace": "default", "labels": {"variant": variant}},
    string_data={"token": planted},
    opts=opts,
)
k8s.helm.v3.Release(
    "chart", chart="x", version="1.0.0", namespace="default", values={"password": planted}, opts=opts
)
pulumi.export("token", planted)
