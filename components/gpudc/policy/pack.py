"""The pulumi-policy side of the guardrails: each policy of `checks.POLICIES` as a stack policy.

`policy/__main__.py` calls `policy_pack()`, which starts pulumi-policy's analyzer server (the
Pulumi CLI launches it under `pulumi preview --policy-pack policy`). `stack_policies()` builds the
policies without a server, for tests.

What the pack cannot see: pulumi-policy's Python SDK unwraps secret values before a stack policy
runs (pulumi_policy/policy.py, `AnalyzeStack`, deserialize_properties without proxy_secrets), so
`secrets-from-pulumi-secrets` can judge secretness only on a recorded plan (`gpudc plan
--policies`), where secrets read `[secret]`. Under the pack every Secret's values arrive
unwrapped and it would flag every one, so the pack leaves that policy out and says so in its
description; run the offline check in CI for it.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from gpudc.policy.checks import POLICIES, Enforcement, Policy, Subject

__all__ = ["PACK_NAME", "SEEN_ONLY_OFFLINE", "policy_pack", "stack_policies"]

PACK_NAME = "gpudc"
SEEN_ONLY_OFFLINE = frozenset({"secrets-from-pulumi-secrets"})
_LEVELS = {Enforcement.MANDATORY: EnforcementLevel.MANDATORY, Enforcement.ADVISORY: EnforcementLevel.ADVISORY}


def _validate(policy: Policy) -> Any:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        subjects = [
            Subject(resource.urn, resource.resource_type, resource.props) for resource in args.resources
        ]
        for violation in policy(subjects):
            report_violation(f"{violation.message}; fix: {violation.fix}", violation.urn)

    return validate


def stack_policies() -> list[StackValidationPolicy]:
    """One pulumi-policy stack policy per gpudc policy, with the same name and level."""
    return [
        StackValidationPolicy(
            name=policy.name,
            description=f"{policy.description} ({policy.check.code}).",
            validate=_validate(policy),
            enforcement_level=_LEVELS[policy.enforcement],
        )
        for policy in POLICIES
        if policy.name not in SEEN_ONLY_OFFLINE
    ]


def policy_pack() -> PolicyPack:
    """The pack: serves the policies to the Pulumi CLI (call only from the pack's `__main__`)."""
    return PolicyPack(
        name=PACK_NAME,
        policies=list(stack_policies()),
        description="gpudc guardrails; secrets-from-pulumi-secrets runs offline only (gpudc plan --policies)",
    )
