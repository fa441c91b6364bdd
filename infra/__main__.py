"""The gpudc Pulumi program: this stack's environment, validated, then built.

Everything is checked (schema, placement, power, cooling, driver versions) before the first
resource is registered, so a bad stack file deploys nothing.
"""

import pulumi

from gpudc import Environment, parse_environment, plan_environment, site_providers

config = pulumi.Config("gpudc")
spec = parse_environment(config.require_object("environment"))
plan = plan_environment(spec)
providers = site_providers(spec, config)
environment = Environment("gpudc", spec, providers=providers, plan=plan)
pulumi.export("capacity", environment.capacity())
