"""`pulumi preview` of the lab stack with the real Pulumi CLI on a local file backend.

The offline plan runs the same program under mocks; this test proves the program also runs under
the real engine. It needs the Pulumi CLI (with the kubernetes plugin) and a kubeconfig context
named like the lab stack's (`gpudc-lab`), so it skips, saying which is missing, where they are not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gpudc.core.project import Project

pytestmark = pytest.mark.pulumi_cli


def _missing() -> str | None:
    if shutil.which("pulumi") is None:
        return "the Pulumi CLI is not on PATH (it cannot be installed in this environment)"
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return "kubectl is not on PATH to check for the gpudc-lab context"
    contexts = subprocess.run(
        [kubectl, "config", "get-contexts", "-o", "name"], capture_output=True, text=True
    )
    if "gpudc-lab" not in contexts.stdout.split():
        return "no kubeconfig context named gpudc-lab (the lab stack's cluster)"
    return None


def test_pulumi_preview_lab(project: Project, tmp_path: Path) -> None:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    env = {**os.environ, "PULUMI_CONFIG_PASSPHRASE": "", "PULUMI_BACKEND_URL": f"file://{tmp_path}"}
    run = {"cwd": project.root, "env": env, "capture_output": True, "text": True, "timeout": 600}
    subprocess.run(["pulumi", "stack", "init", "lab", "--non-interactive"], check=True, **run)  # type: ignore[call-overload]
    result = subprocess.run(["pulumi", "preview", "--stack", "lab", "--non-interactive"], **run)  # type: ignore[call-overload]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "gpudc:index:Environment" in result.stdout
