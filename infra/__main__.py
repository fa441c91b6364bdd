"""The gpudc Pulumi program: this stack's environment, validated, planned, then built.

Everything is checked (schema, placement, power, cooling, clusters, driver versions) before the
first resource is registered, so a bad stack file deploys nothing and ends `pulumi up` with the
same findings `gpudc validate` prints.
"""

import pulumi

from gpudc import Environment, cluster_providers, parse_environment, plan_environment
from gpudc.environment.program import config_secrets, findings_as_run_error, log_warnings

config = pulumi.Config("gpudc")
with findings_as_run_error():
    spec = parse_environment(config.get("environment"))
    plan = plan_environment(spec, secrets=config_secrets(config))
log_warnings(plan)
environment = Environment("gpudc", spec, providers=cluster_providers(spec, config), plan=plan)
pulumi.export("derived", environment.derived())
