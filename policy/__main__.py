"""gpudc's policy pack: each of `gpudc.policy.checks.POLICIES` as a pulumi-policy stack policy.

A stack policy, not a resource policy, because some rules judge a resource by another one (a pod
by its namespace's Pod Security label). The checks themselves live in the gpudc package, so
`gpudc plan --policies` runs exactly these functions on a recorded plan.
"""

from gpudc.policy.pack import policy_pack

policy_pack()
