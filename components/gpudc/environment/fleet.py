"""Checks across a fleet: invariants no single stack file can see.

One stack is one environment (a campus); a fleet is many stacks, and some mistakes only show
when they are read together: two stacks naming the same site, or deploying to the same
Kubernetes cluster, each validate on their own and then fight over the same objects at `up`.
`gpudc validate --all` and `gpudc plan --all` run every check of `FLEET_CHECKS` once, on the
stacks that validated, after each stack's own checks.

A fleet check is a pure function `(Fleet) -> list[Finding]`, where `Fleet` maps each stack
file's path (as the CLI shows it, e.g. `stacks/Pulumi.plano.yaml`) to its validated
`EnvironmentSpec` (a stack that failed its own checks is left out; a check that needs a derived
slice, such as an address plan, derives it from the spec with the domain's pure function). Its findings name both stack files and both field paths: the path is
`<stack file>:<field path>` of one of them, the message names the other. To add one, register
its check code at module level, write the function, and add it to `FLEET_CHECKS` (one line):

    FLEET_CHECKS.append(address_space_overlap)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from gpudc.cluster.spec import ContextAccess
from gpudc.core.findings import Finding, Severity, join_path, register
from gpudc.environment.spec import EnvironmentSpec
from gpudc.network.plan import address_space_overlap

__all__ = ["FLEET_CHECKS", "Fleet", "FleetCheck", "check_fleet", "fleet_path"]

Fleet = Mapping[str, EnvironmentSpec]
"""Each stack file's path -> its validated spec (specs cross process boundaries; plans do not)."""
FleetCheck = Callable[[Fleet], list[Finding]]

SITE_TWICE = register("GPUDC-FLEET-001", Severity.ERROR, "Two stacks of the fleet name the same site")
CLUSTER_NAME_TWICE = register(
    "GPUDC-FLEET-002", Severity.ERROR, "Two stacks of the fleet name the same cluster"
)
CONTEXT_TWICE = register(
    "GPUDC-FLEET-003", Severity.ERROR, "Two stacks of the fleet deploy to the same kube context"
)


def fleet_path(stack_file: str, path: str) -> str:
    """`stacks/Pulumi.a.yaml:sites[0].name`: a field of one stack file of the fleet."""
    return f"{stack_file}:{path}"


@dataclass(frozen=True, slots=True)
class _Seen:
    stack_file: str
    path: str


def _first_seen(
    fleet: Fleet,
    items: Callable[[EnvironmentSpec], Iterator[tuple[str, str]]],
    finding: Callable[[str, _Seen, _Seen], Finding],
) -> list[Finding]:
    """A finding for every (key, path) whose key an earlier stack file (in path order) already has.

    Repeats inside one stack file are that stack's own checks, so only the first occurrence of a
    key per stack counts here.
    """
    seen: dict[str, _Seen] = {}
    findings = []
    for stack_file in sorted(fleet):
        here: dict[str, _Seen] = {}
        for key, path in items(fleet[stack_file]):
            here.setdefault(key, _Seen(stack_file, path))
        for key, at in here.items():
            first = seen.setdefault(key, at)
            if first is not at:
                findings.append(finding(key, at, first))
    return findings


def _sites(spec: EnvironmentSpec) -> Iterator[tuple[str, str]]:
    for index, site in enumerate(spec.sites):
        yield site.name, f"sites[{index}].name"


def _clusters(spec: EnvironmentSpec) -> Iterator[tuple[str, str, ContextAccess | None]]:
    for index, site in enumerate(spec.sites):
        for at, cluster in site.cluster_specs:
            path = join_path(f"sites[{index}]", at)
            access = cluster.kubernetes if isinstance(cluster.kubernetes, ContextAccess) else None
            # In short form (`at` empty) the cluster is named after the site: `sites[0].name`.
            yield cluster.name, join_path(path, "name"), access


def site_names_unique(fleet: Fleet) -> list[Finding]:
    """A site name is the `gpudc.io/site` label of every node and names its components: unique."""
    return _first_seen(
        fleet,
        _sites,
        lambda name, at, first: SITE_TWICE.finding(
            fleet_path(at.stack_file, at.path),
            f"site {name} is also a site of {first.stack_file} ({first.path})",
            fix=f"rename the site in one of the two stack files, or keep it in {first.stack_file} only",
            value=name,
        ),
    )


def cluster_names_unique(fleet: Fleet) -> list[Finding]:
    """A cluster name names its provider, its manifests folder and its dashboards: unique."""
    return _first_seen(
        fleet,
        lambda spec: ((name, path) for name, path, _ in _clusters(spec)),
        lambda name, at, first: CLUSTER_NAME_TWICE.finding(
            fleet_path(at.stack_file, at.path),
            f"cluster {name} is also a cluster of {first.stack_file} ({first.path})",
            fix="rename the cluster (or, for a site in short form, the site) in one of the two stack files",
            value=name,
        ),
    )


def kube_contexts_unique(fleet: Fleet) -> list[Finding]:
    """Two stacks deploying to one kube context would each own, and delete, the other's objects.

    Kubeconfig secrets are not compared: each stack's secret is its own, and offline they cannot
    be decrypted to see which cluster they reach.
    """

    def contexts(spec: EnvironmentSpec) -> Iterator[tuple[str, str]]:
        for _, path, access in _clusters(spec):
            if access is not None:
                yield access.context, join_path(path.removesuffix(".name"), "kubernetes.context")

    return _first_seen(
        fleet,
        contexts,
        lambda context, at, first: CONTEXT_TWICE.finding(
            fleet_path(at.stack_file, at.path),
            f"kube context {context} is also used by {first.stack_file} ({first.path}); two stacks "
            "deploying to one cluster delete each other's objects",
            fix="give each stack its own cluster, or move the cluster's pools into one stack",
            value=context,
        ),
    )


FLEET_CHECKS: list[FleetCheck] = [site_names_unique, cluster_names_unique, kube_contexts_unique]
"""Every cross-stack check, run in this order; add one with `FLEET_CHECKS.append(check)`."""
FLEET_CHECKS.append(address_space_overlap)  # issue 13: no two stacks' subnets overlap


def check_fleet(fleet: Fleet) -> list[Finding]:
    """Every fleet check's findings, in check order."""
    return [finding for check in FLEET_CHECKS for finding in check(fleet)]
