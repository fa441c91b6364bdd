"""`gpudc diff`: golden pull-request comments for the changes reviewers meet most, each with
targeted assertions, and the rules behind them (moves, replacements, protection, size, secrets)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY
from gpudc.preview.diff import COMMENT_LIMIT, Action, comment_marker, diff_plans, render_json, render_markdown
from gpudc.preview.output import write_plan
from gpudc.preview.plan import Plan
from gpudc.preview.recorder import SECRET, Registration
from gpudc.preview.run import plan_callable, plan_program, stack_config


def _lab(project: Project, *, inventory: bool = True) -> dict[str, Any]:
    """The lab stack's environment; without its inventory file, its pool can change size without
    a CSV edit (node names then come from the pool's racks)."""
    environment = copy.deepcopy(project.stack_config("lab")[CONFIG_KEY])
    if not inventory:
        for pool in environment["sites"][0]["pools"]:
            pool.pop("inventory", None)
    return environment


def _plan(project: Project, environment: dict[str, Any]) -> Plan:
    return plan_program(project.main, "gpudc", "lab", stack_config({CONFIG_KEY: environment}))


def _lab_change(
    project: Project, change: Callable[[dict[str, Any]], None], *, inventory: bool = True
) -> tuple[Plan, Plan]:
    base = _lab(project, inventory=inventory)
    head = copy.deepcopy(base)
    change(head)
    return _plan(project, base), _plan(project, head)


def test_scale_a_pool(project: Project, snapshot: object) -> None:
    def scale(environment: dict[str, Any]) -> None:
        environment["sites"][0]["pools"][0]["nodes"] = 2

    diff = diff_plans(*_lab_change(project, scale, inventory=False))
    markdown = render_markdown(diff)
    assert diff.counts == {"replace": 0, "delete": 2, "update": 2, "create": 0, "move": 0, "unchanged": 19}
    assert "  - `spec.nodes`: `4` -> `2`" in markdown
    assert "- `-` delete NodePatch `gpudc-lab-lab-h100-node-h100-a-01-4`" in markdown
    assert "  - `spec.resourceGroups[0].flavors[0].resources[2].nominalQuota`: `32` -> `16`" in markdown
    assert "| lab | GPUs | 32 | 16 | -16 |" in markdown
    assert "| lab | IT power (kW) | 40.8 | 20.4 | -20.4 |" in markdown
    assert markdown.startswith(comment_marker("lab") + "\n")
    assert markdown == snapshot


def test_bump_the_driver(project: Project, snapshot: object) -> None:
    base = _lab(project)
    base["sites"][0]["gpu_operator"]["driver"]["version"] = "580.126.20"
    head = copy.deepcopy(base)
    head["sites"][0]["gpu_operator"]["driver"]["version"] = "595.91.07"
    diff = diff_plans(_plan(project, base), _plan(project, head))
    markdown = render_markdown(diff)
    release = next(c for c in diff.changes if c.kind == "Release")
    assert (release.action, [(c.path, c.before, c.after) for c in release.changes]) == (
        Action.UPDATE,
        [("values.driver.version", "580.126.20", "595.91.07")],
    )
    assert "REPLACE" not in markdown and "Capacity per site" not in markdown
    assert markdown == snapshot


def test_rename_a_pool_without_an_alias_is_a_replacement(project: Project, snapshot: object) -> None:
    def rename(environment: dict[str, Any]) -> None:
        environment["sites"][0]["pools"][0]["name"] = "h100-train"

    diff = diff_plans(*_lab_change(project, rename))
    markdown = render_markdown(diff)
    # The pool, its flavor and a NodePatch per node of its inventory (the nodes keep their names).
    assert diff.count(Action.REPLACE) == 6 and diff.count(Action.DELETE) == diff.count(Action.CREATE) == 0
    assert (
        "- **REPLACE** ResourceFlavor `gpudc-lab-lab-h100-train-flavor`: URN changed without an alias "
        "(was `gpudc-lab-lab-h100-flavor`); Kubernetes name changed (lab-h100 -> lab-h100-train)"
    ) in markdown
    assert (
        "- **REPLACE** NodePatch `gpudc-lab-lab-h100-train-node-lab-h100-01`: URN changed without an alias "
        "(was `gpudc-lab-lab-h100-node-lab-h100-01`)\n"
    ) in markdown
    assert "- **REPLACE** GpuNodePool `gpudc-lab-lab-h100-train`: URN changed without an alias" in markdown
    assert markdown == snapshot


def test_rename_a_pool_with_an_alias_is_a_move(pool_named: Callable[..., Plan], snapshot: object) -> None:
    base = pool_named("train-pool")
    diff = diff_plans(base, pool_named("h100-pool", alias="train-pool"))
    markdown = render_markdown(diff)
    assert {c.action for c in diff.changes} == {Action.MOVE}
    assert sorted(c.name for c in diff.changes) == ["h100-pool", "h100-pool-flavor"]
    assert "REPLACE" not in markdown and "0 to replace" in markdown
    assert (
        "- `>` move GpuNodePool `h100-pool` (moved from `train-pool`; nothing in the cluster changes)"
        in markdown
    )
    # The same rename without the alias replaces all three.
    unaliased = diff_plans(base, pool_named("h100-pool"))
    assert unaliased.count(Action.REPLACE) == 2
    assert markdown == snapshot


def test_add_a_site(project: Project, snapshot: object) -> None:
    def add(environment: dict[str, Any]) -> None:
        site = copy.deepcopy(environment["sites"][0])
        site.update(name="lab2", zone="lab-b", kubernetes={"type": "context", "context": "gpudc-lab2"})
        site["pools"][0].pop("inventory")  # its machines are others: named from its racks
        environment["sites"].append(site)

    diff = diff_plans(*_lab_change(project, add))
    markdown = render_markdown(diff)
    assert diff.counts == {"replace": 0, "delete": 0, "update": 1, "create": 22, "move": 0, "unchanged": 22}
    assert "| lab2 (added) | GPUs | 0 | 32 | +32 |" in markdown
    assert "| lab2 (added) | racks used | 0 | 1 | +1 |" in markdown
    assert "#### DatacenterSite gpudc-lab2" in markdown
    assert markdown == snapshot


def _cks_environment(project: Project) -> dict[str, Any]:
    """The lab's site as CoreWeave CKS capacity: no halls, one managed pool of 16 H100 nodes."""
    environment = _lab(project, inventory=False)
    site = environment["sites"][0]
    for key in ("halls", "utility_power_mw"):
        del site[key]
    site["pools"] = [
        {
            "name": "train",
            "placement": "managed",
            "node_model": "hgx-h100-8gpu",
            "nodes": 16,
            "provisioner": {"type": "cks", "instance_type": "gd-8xh100ib-i128"},
        }
    ]
    return {**environment, "protection": "protect"}


def test_change_a_cks_instance_type_is_a_replacement(project: Project, snapshot: object) -> None:
    """The real program: a protected environment moves its CKS pool from H100 to H200 instances."""
    base = _cks_environment(project)
    head = copy.deepcopy(base)
    head["sites"][0]["pools"][0].update(
        node_model="hgx-h200-8gpu", provisioner={"type": "cks", "instance_type": "gd-8xh200ib-i128"}
    )
    diff = diff_plans(_plan(project, base), _plan(project, head))
    markdown = render_markdown(diff)
    [replaced] = [c for c in diff.changes if c.action is Action.REPLACE]
    assert (replaced.kind, replaced.name, replaced.protection) == (
        "NodePool",
        "gpudc-lab-lab-train-nodepool",
        "protect",
    )
    assert replaced.reasons == (
        "`spec.instanceType` changed, and the resource is replaced when it changes (replaceOnChanges)",
    )
    assert diff.at_risk == (replaced,)
    assert "  - `spec.instanceType`: `gd-8xh100ib-i128` -> `gd-8xh200ib-i128`" in markdown
    assert markdown.index(
        "- **REPLACE NodePool `gpudc-lab-lab-train-nodepool`** (protected"
    ) < markdown.index("### Changes by component")
    assert markdown == snapshot


# A CoreWeave CKS NodePool (https://docs.coreweave.com/products/cks/reference/node-pool), as a
# library program registers it: compute.coreweave.com/v1alpha1; spec.instanceType "is immutable".
def _cks_program(instance_type: str, *, protect: bool = False) -> Callable[[], None]:
    def program() -> None:
        k8s.apiextensions.CustomResource(
            "cks-h100",
            api_version="compute.coreweave.com/v1alpha1",
            kind="NodePool",
            metadata={"name": "h100"},
            spec={"instanceType": instance_type, "targetNodes": 16},
            opts=pulumi.ResourceOptions(replace_on_changes=["spec.instanceType"], protect=protect),
        )

    return program


def test_protected_replacements_and_deletes_come_first_in_bold() -> None:
    def both(instance_type: str, *, keep_pool: bool) -> Callable[[], None]:
        def program() -> None:
            _cks_program(instance_type, protect=True)()
            if keep_pool:
                k8s.core.v1.ConfigMap(
                    "a-pool",
                    metadata={"name": "a", "namespace": "x"},
                    opts=pulumi.ResourceOptions(retain_on_delete=True),
                )

        return program

    diff = diff_plans(
        plan_callable(both("gd-8xh100ib-i128", keep_pool=True)),
        plan_callable(both("gd-8xh200ib-i128", keep_pool=False)),
    )
    markdown = render_markdown(diff)
    assert [(c.action, c.name, c.protection) for c in diff.at_risk] == [
        (Action.REPLACE, "cks-h100", "protect"),
        (Action.DELETE, "a-pool", "retainOnDelete"),
    ]
    section = markdown.split("### Protected resources this change deletes or replaces\n\n")[1]
    assert section.startswith(
        "- **REPLACE NodePool `cks-h100`** (protected: `pulumi up` stops here until `pulumi state unprotect` "
        "is run for it): `spec.instanceType` changed"
    )
    assert (
        "- **DELETE ConfigMap `a-pool`** (retained: the old object stays in the cluster, no longer managed)"
        in section
    )
    assert markdown.index("Protected resources") < markdown.index("Changes by component")


def test_a_kind_change_of_the_same_logical_name_is_a_replacement() -> None:
    def program(kind: str) -> Callable[[], None]:
        return lambda: k8s.apiextensions.CustomResource(
            "thing", api_version="example.com/v1", kind=kind, metadata={"name": "thing"}, spec={}
        )

    [change] = diff_plans(plan_callable(program("A")), plan_callable(program("B"))).changes
    assert change.action is Action.REPLACE
    assert "Kubernetes kind changed (A -> B)" in change.reasons


def _registration(urn_name: str, inputs: dict[str, Any], **options: Any) -> Registration:
    return Registration(
        urn=f"urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::{urn_name}",
        type="kubernetes:core/v1:ConfigMap",
        name=urn_name,
        parent="",
        custom=True,
        provider="",
        depends_on=(),
        inputs=inputs,
        options=options,
    )


def test_a_value_secret_on_either_side_is_never_shown() -> None:
    """A secret that stops being marked secret must not be printed because it changed."""
    base = Plan("p", "s", (_registration("c", {"data": SECRET, "other": 1}),), {}, None)
    head = Plan("p", "s", (_registration("c", {"data": {"token": "PLAINTEXT-LEAK"}, "other": 2}),), {}, None)
    diff = diff_plans(base, head)
    for text in (render_markdown(diff), render_json(diff)):
        assert "PLAINTEXT-LEAK" not in text
    assert [(c.path, c.before, c.after) for c in diff.changes[0].changes] == [
        ("data", SECRET, SECRET),
        ("data.token", SECRET, SECRET),
        ("other", "1", "2"),
    ]


def test_a_large_diff_is_cut_below_the_comment_limit_with_counts() -> None:
    head = Plan(
        "p",
        "big",
        tuple(
            _registration(f"object-{index:05d}", {"data": {f"k{n}": "v" * 60 for n in range(20)}})
            for index in range(3000)
        ),
        {},
        None,
    )
    diff = diff_plans(Plan("p", "big", (), {}, None), head)
    markdown = render_markdown(diff)
    assert len(markdown) < COMMENT_LIMIT
    assert "3000 to create" in markdown
    assert "- ... and 2800 more to create (not listed: the comment has a size limit)" in markdown
    assert "*Shortened to fit a pull-request comment: at most 200 resources per component" in markdown
    assert len(json.loads(render_json(diff))["changes"]) == 3000  # JSON keeps everything


def test_the_cli_diffs_two_plan_directories(project: Project, tmp_path: Path, gpudc_cli: Any) -> None:
    def scale(environment: dict[str, Any]) -> None:
        environment["sites"][0]["pools"][0]["nodes"] = 2

    base, head = _lab_change(project, scale, inventory=False)
    write_plan(base, tmp_path / "base")
    write_plan(head, tmp_path / "head")
    result = gpudc_cli("diff", str(tmp_path / "base"), str(tmp_path / "head"), "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["counts"]["update"], document["counts"]["delete"]) == (2, 2)
    pool = next(change for change in document["changes"] if change["type"] == "gpudc:index:GpuNodePool")
    assert pool["changes"] == [{"path": "spec.nodes", "before": "4", "after": "2"}]
    out = tmp_path / "comments"
    result = gpudc_cli(
        "diff", str(tmp_path / "base"), str(tmp_path / "head" / "plan.json"), "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["lab.json", "lab.md"]
    assert (out / "lab.md").read_text() == render_markdown(diff_plans(base, head))


def test_a_ref_that_is_not_a_commit_is_a_finding(gpudc_cli: Any) -> None:
    result = gpudc_cli("diff", "no-such-ref-x", "HEAD", "--stack", "lab")
    assert result.returncode == 2
    assert "GPUDC-DIFF-001" in result.stderr and "no-such-ref-x" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("flags", [(), ("--stack", "lab", "--all")])
def test_refs_need_exactly_one_of_stack_and_all(gpudc_cli: Any, flags: tuple[str, ...]) -> None:
    result = gpudc_cli("diff", "HEAD", "HEAD", *flags)
    assert result.returncode == 2 and "--stack" in result.stderr


def test_address_space_is_a_capacity_figure(planned: Callable[[str], Plan]) -> None:
    """Carving another subnet shows as addresses carved in the site's capacity delta."""
    from gpudc.preview.diff import _site_deltas

    base = planned("plano").derived
    assert base is not None
    site = base.sites[0]
    extra = site.subnets[-1].model_copy(update={"index": 99, "cidr": "10.95.0.0/24", "addresses": 256})
    head = base.model_copy(update={"sites": [site.model_copy(update={"subnets": [*site.subnets, extra]})]})
    (delta,) = _site_deltas(base, head)
    (figure,) = delta.figures
    assert figure.label == "addresses carved"
    assert figure.after - figure.before == 256
