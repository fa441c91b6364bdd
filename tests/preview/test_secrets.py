"""The canary: secrets planted in config (`secure:`) and in code (`Output.secret`) never reach
plan.json, manifests, Helm values, the reports (Markdown and HTML) or the console. It fails if redaction is removed."""

from __future__ import annotations

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
