"""Guardrails: the checks gpudc's policy pack makes, as plain functions over resources.

The same functions run in two places: in the pulumi-policy pack (`policy/`, for `pulumi preview
--policy-pack policy`) and offline on a recorded plan (`gpudc plan STACK --policies`). They look at
resource types and inputs only, so they judge any Pulumi program, not just gpudc's components.
"""
