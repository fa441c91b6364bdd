"""The canary: secrets planted in config (`secure:`) and in code (`Output.secret`) never reach
plan.json, manifests, Helm values, the reports (Markdown and HTML), the diff or the console. It
fails if redaction is removed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

CANARY = Path(__file__).parent / "canary"
PLANTED = ("CANARY-OUTPUT-SECRET-7f3a", "CANARY-CIPHERTEXT-9b1c")


def test_no_planted_secret_reaches_any_output(tmp_path: Path, gpudc_cli: Any) -> None:
    out = tmp_path / "out"
    result = gpudc_cli("plan", "dev", "-C", str(CANARY), "--out", str(out))
    assert result.returncode == 0, result.stderr
    written = {path: path.read_text() for path in out.rglob("*") if path.is_file()}
    assert {path.relative_to(out).as_posix() for path in written} == {
        "plan.json",
        "report.md",
        "report.html",
        "manifests/canary/secret-default-registry.yaml",
        "helm/canary/default-chart.values.yaml",
    }
    for text in [*written.values(), result.stdout, result.stderr]:
        for secret in PLANTED:
            assert secret not in text
    # The places the secrets were planted say so instead.
    # Pulumi marks the whole object holding a secret as secret.
    assert "stringData: '[secret]'" in written[out / "manifests/canary/secret-default-registry.yaml"]
    assert written[out / "helm/canary/default-chart.values.yaml"] == "'[secret]'\n"
    assert '"kubeconfig": "[secret]"' in written[out / "plan.json"]
    assert '"token": "[secret]"' in written[out / "plan.json"]


def test_no_planted_secret_reaches_the_diff(tmp_path: Path, gpudc_cli: Any) -> None:
    """BASE and HEAD plant different secrets (and a label that differs in the open): the diff shows
    the label, and neither secret, in markdown, JSON or on the console."""
    head_project = tmp_path / "head-project"
    shutil.copytree(CANARY, head_project, ignore=shutil.ignore_patterns("__pycache__"))
    stack_file = head_project / "Pulumi.dev.yaml"
    stack_file.write_text(
        stack_file.read_text().replace("CANARY-CIPHERTEXT-9b1c", "CANARY-CIPHERTEXT-9b1c-head")
        + "  canary:variant: head\n"
    )
    for name, project in (("base", CANARY), ("head", head_project)):
        result = gpudc_cli("plan", "dev", "-C", str(project), "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
    outputs = []
    for output in ("markdown", "json"):
        result = gpudc_cli("diff", str(tmp_path / "base"), str(tmp_path / "head"), "--format", output)
        assert result.returncode == 0, result.stderr
        outputs += [result.stdout, result.stderr]
    assert "  - `metadata.labels.variant`: `base` -> `head`" in outputs[0]
    for text in outputs:
        for secret in PLANTED:
            assert secret not in text


def test_policy_output_never_shows_a_secret(tmp_path: Path, gpudc_cli: Any) -> None:
    """`--policies` judges the canary (its objects lack gpudc's labels, so it fails) and names
    what is wrong without echoing any value; its Secret holds only secrets, so that policy passes."""
    result = gpudc_cli("plan", "dev", "-C", str(CANARY), "--out", str(tmp_path / "out"), "--policies")
    assert result.returncode == 2
    assert "mandatory gpudc-labels" in result.stderr
    assert "secrets-from-pulumi-secrets" not in result.stderr
    for secret in PLANTED:
        assert secret not in result.stdout + result.stderr
