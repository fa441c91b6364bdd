"""Two sites are two clusters: the same object names on each are written side by side."""

from __future__ import annotations

import copy
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from gpudc.core.errors import SpecError
from gpudc.core.project import Project
from gpudc.environment.load import CONFIG_KEY
from gpudc.preview.output import write_plan
from gpudc.preview.plan import Plan
from gpudc.preview.run import plan_program, stack_config
from tests.labstack import lab_without_inventory


def test_two_sites_plan_and_write_without_clashes(project: Project, tmp_path: Path) -> None:
    environment = lab_without_inventory(project)
    second = copy.deepcopy(environment["sites"][0])
    second.update(name="lab2", kubernetes={"type": "context", "context": "gpudc-lab2"})
    environment["sites"].append(second)
    plan = plan_program(project.main, "gpudc", "lab", stack_config({CONFIG_KEY: environment}))
    written = {path.relative_to(tmp_path).as_posix() for path in write_plan(plan, tmp_path)}
    for cluster in ("lab-kubernetes", "lab2-kubernetes"):
        assert f"manifests/{cluster}/namespace-cluster-gpu-operator.yaml" in written
        assert f"helm/{cluster}/gpu-operator-gpu-operator.values.yaml" in written
    providers = sorted(r.urn for r in plan.resources if r.type == "pulumi:providers:kubernetes")
    assert providers == [
        "urn:pulumi:lab::gpudc::pulumi:providers:kubernetes::lab-kubernetes",
        "urn:pulumi:lab::gpudc::pulumi:providers:kubernetes::lab2-kubernetes",
    ]


def test_write_plan_refuses_a_directory_it_did_not_write(
    planned: Callable[[str], Plan], tmp_path: Path
) -> None:
    (tmp_path / "important.txt").write_text("keep me")
    with pytest.raises(SpecError, match=re.escape("holds files gpudc did not write (important.txt)")):
        write_plan(planned("lab"), tmp_path)
    assert (tmp_path / "important.txt").read_text() == "keep me"


def test_write_plan_replaces_only_its_own_outputs(planned: Callable[[str], Plan], tmp_path: Path) -> None:
    write_plan(planned("plano"), tmp_path)
    written = write_plan(planned("lab"), tmp_path)
    on_disk = sorted(path for path in tmp_path.rglob("*") if path.is_file())
    assert on_disk == written  # nothing of the plano plan is left behind


def test_replanning_rewrites_only_what_changed(planned: Callable[[str], Plan], tmp_path: Path) -> None:
    written = write_plan(planned("lab"), tmp_path)
    manifest = next(path for path in written if path.parent.parent.name == "manifests")
    manifest.write_text("edited by hand\n")
    for path in written:  # an old time, which only a rewrite changes (whatever the clock's tick)
        os.utime(path, ns=(10**9, 10**9))
    stale = tmp_path / "manifests" / "gone-cluster" / "namespace-cluster-old.yaml"
    stale.parent.mkdir()
    stale.write_text("from an older plan\n")
    screenshot = tmp_path / "report.png"
    screenshot.write_bytes(b"a screenshot of this very report.html")
    rewritten = write_plan(planned("lab"), tmp_path)
    assert rewritten == written
    assert sorted(path for path in tmp_path.rglob("*") if path.is_file()) == sorted([*written, screenshot])
    changed = sorted(path for path in written if path.stat().st_mtime_ns != 10**9)
    assert changed == [manifest]  # the one file that differed; the others were left as they were
    assert manifest.read_text() != "edited by hand\n"


def test_a_screenshot_goes_with_the_report_it_showed(planned: Callable[[str], Plan], tmp_path: Path) -> None:
    written = write_plan(planned("lab"), tmp_path)
    (tmp_path / "report.html").write_text("<p>the report of an older plan</p>")
    (tmp_path / "report.png").write_bytes(b"a screenshot of it")
    write_plan(planned("lab"), tmp_path)
    assert sorted(path for path in tmp_path.rglob("*") if path.is_file()) == written


def test_replanning_replaces_links_and_folders_where_files_belong(
    planned: Callable[[str], Plan], tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    (outside / "kept.txt").parent.mkdir()
    (outside / "kept.txt").write_text("not gpudc's")
    out = tmp_path / "out"
    written = write_plan(planned("lab"), out)
    (out / "report.md").unlink()
    (out / "report.md").mkdir()  # a folder where a file belongs
    shutil.rmtree(out / "helm")
    (out / "helm").symlink_to(outside, target_is_directory=True)  # a link is replaced, not followed
    assert write_plan(planned("lab"), out) == written
    assert (outside / "kept.txt").read_text() == "not gpudc's"
    assert not (out / "helm").is_symlink() and (out / "report.md").is_file()


def test_write_plan_refuses_a_file_as_its_directory(planned: Callable[[str], Plan], tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file")
    with pytest.raises(SpecError, match="is a file, not a directory"):
        write_plan(planned("lab"), tmp_path / "out")


def test_write_plan_refuses_output_names_without_a_plan(
    planned: Callable[[str], Plan], tmp_path: Path
) -> None:
    """A GitOps repository's own manifests/ is not an earlier plan: nothing in it is removed."""
    own = tmp_path / "manifests" / "app.yaml"
    own.parent.mkdir()
    own.write_text("kind: ConfigMap\n")
    with pytest.raises(
        SpecError, match=re.escape("holds manifests but no plan.json: not an earlier gpudc plan")
    ):
        write_plan(planned("lab"), tmp_path)
    assert own.read_text() == "kind: ConfigMap\n"
