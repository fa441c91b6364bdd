"""The gpudc Pulumi program: this stack's environment, validated, planned, then built.

Everything is checked (schema, placement, power, cooling, clusters, inventories, driver versions)
before the first resource is registered, so a bad stack file deploys nothing and ends `pulumi up`
with the same findings `gpudc validate` prints.
"""

from pathlib import Path

import pulumi

from gpudc import Environment, cluster_providers, parse_environment, plan_environment
from gpudc.environment.program import (
    config_secret_values,
    config_secrets,
    findings_as_run_error,
    log_warnings,
    stack_folder,
)

config = pulumi.Config("gpudc")
with findings_as_run_error():
    spec = parse_environment(config.get("environment"))
    plan = plan_environment(
        spec, secrets=config_secrets(config), inventory_dir=stack_folder(Path(__file__).parent)
    )
log_warnings(plan)
environment = Environment(
    "gpudc",
    spec,
    providers=cluster_providers(spec, config),
    plan=plan,
    secrets=config_secret_values(spec, config),
)
pulumi.export("derived", environment.derived())
if validation := environment.validation():
    pulumi.export("validation", validation)  # each validated pool's DCGM (and NCCL) outcome, after `up`
