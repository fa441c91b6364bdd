"""checkov scans the rendered manifests of every stack offline; no failure is left unsuppressed,
and every suppression in policy/checkov-suppressions.yaml still matches one (reviewed, with reasons).

checkov runs from its own virtualenv, which `make test` builds and names in $CHECKOV; a bare
`pytest` without it skips the scan and says why, while $CHECKOV set to a missing file fails.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from gpudc.core.project import find_project
from gpudc.preview.plan import Plan
from gpudc.preview.render import manifest_files

ROOT = Path(__file__).resolve().parents[2]
STACKS = find_project(ROOT).stacks()


def _scan_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gpudc_policy_scan", ROOT / "policy" / "scan.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


scan = _scan_module()


def _checkov() -> Path:
    found = scan.checkov_path()
    if found is None:
        pytest.skip("checkov is not installed: `make test` builds .venv/checkov and sets $CHECKOV")
    assert found.exists(), f"$CHECKOV names {found}, which does not exist"
    return found


def test_every_stack_has_no_unsuppressed_checkov_failure(
    tmp_path: Path, planned: Callable[[str], Plan]
) -> None:
    checkov = _checkov()
    for stack in STACKS:
        for filename, text in manifest_files(planned(stack)).items():
            path = tmp_path / stack / filename
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    result = scan.scan([tmp_path / stack for stack in STACKS], checkov)
    assert result.passed >= 33  # checkov read the objects (plano's tenants alone pass 33 checks)
    assert [str(failure) for failure in result.unsuppressed] == []
    assert result.stale == ()


def test_checkov_reports_an_unsafe_object_and_a_suppression_needs_a_reason(tmp_path: Path) -> None:
    checkov = _checkov()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: root, namespace: apps}\n"
        "spec: {containers: [{name: c, image: busybox, securityContext: {privileged: true}}]}\n"
    )
    report = scan.run_checkov([bad], checkov)  # once; the suppressions are judged without it
    result = scan.judge(report, [])
    assert not result.ok
    assert "CKV_K8S_16" in {failure.check for failure in result.unsuppressed}  # privileged container
    suppress_all = tmp_path / "all.yaml"
    suppress_all.write_text(
        "suppressions:\n"
        + "".join(
            f"  - {{check: {f.check}, resource: 'Pod.apps.*', reason: test}}\n" for f in result.failures
        )
        + "  - {check: CKV_K8S_1, resource: 'Nothing.*', reason: stale}\n"
    )
    again = scan.judge(report, scan.load_suppressions(suppress_all))
    assert again.unsuppressed == ()
    assert [(s.check, s.resource) for s in again.stale] == [("CKV_K8S_1", "Nothing.*")]
    no_reason = tmp_path / "no-reason.yaml"
    no_reason.write_text("suppressions:\n  - {check: CKV_K8S_16, resource: '*'}\n")
    with pytest.raises(ValueError, match=r"suppressions\[0\] needs exactly check, resource and reason"):
        scan.load_suppressions(no_reason)
