"""A library program that plants secrets everywhere a plan could leak them (tests/preview/test_secrets.py)."""

import pulumi
import pulumi_kubernetes as k8s

config = pulumi.Config()
planted = pulumi.Output.secret("CANARY-OUTPUT-SECRET-7f3a")
kubeconfig = config.require_secret("kubeconfig")
provider = k8s.Provider("canary", kubeconfig=kubeconfig)
opts = pulumi.ResourceOptions(provider=provider)
k8s.core.v1.Secret(
    "registry",
    metadata={"name": "registry", "namespace": "default"},
    string_data={"token": planted},
    opts=opts,
)
k8s.helm.v3.Release(
    "chart", chart="x", version="1.0.0", namespace="default", values={"password": planted}, opts=opts
)
pulumi.export("token", planted)
