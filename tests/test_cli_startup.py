"""Start-up: `gpudc --help` imports only what prints it, `validate` only the specs and checks it runs.

Start-up is most of these commands' time (issue #17: <= 0.3 s), and it is set by what they import.
So the tests pin the import set, not a time (times live in bench/startup_bench.py): each command
runs whole in a fresh process, as a user runs it, and reports the modules it loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs `gpudc ARGS...` (argv[2:]) and writes the names of the modules it loaded to argv[1].
_RUN = """
import json, sys
from gpudc.cli import main
modules_file, sys.argv = sys.argv[1], ["gpudc", *sys.argv[2:]]
try:
    main()
finally:
    with open(modules_file, "w", encoding="utf-8") as out:
        json.dump(sorted(sys.modules), out)
"""


def _run(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    modules_file = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", _RUN, str(modules_file), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    return result, set(json.loads(modules_file.read_text(encoding="utf-8")))


def _loaded(modules: set[str], *packages: str) -> list[str]:
    """The loaded modules that are, or are inside, any of `packages`."""
    return sorted(
        module for module in modules if any(module == p or module.startswith(f"{p}.") for p in packages)
    )


def test_help_imports_no_domain_and_no_pydantic(tmp_path: Path) -> None:
    result, modules = _run(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    assert "validate" in result.stdout and "catalog" in result.stdout
    # Of gpudc, only the CLI, the finding helpers it prints with and the lazy names (no pydantic).
    assert _loaded(modules, "gpudc") == [
        "gpudc",
        "gpudc.cli",
        "gpudc.core",
        "gpudc.core.findings",
        "gpudc.core.lazy",
    ]
    assert (
        _loaded(modules, "pydantic", "pydantic_core", "yaml", "jinja2", "pulumi", "importlib.metadata") == []
    )


def test_version_still_reads_the_installed_version(tmp_path: Path) -> None:
    result, modules = _run(tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("gpudc ") and "importlib.metadata" in modules


def test_validate_imports_the_checks_it_runs_and_nothing_of_plan_or_report(tmp_path: Path) -> None:
    result, modules = _run(tmp_path, "validate", "plano", "-C", str(ROOT))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("stack plano: ok - 1 site(s)")
    # What it checks with: the stack file's specs and the plan's derivations.
    assert {"gpudc.environment.spec", "gpudc.environment.plan", "gpudc.site.capacity"} <= modules
    # Not Pulumi, not the offline plan, the reports or their templates, not the fleet runner,
    # the catalog listing or the JSON Schema of `gpudc schema`.
    assert (
        _loaded(
            modules,
            "pulumi",
            "pulumi_kubernetes",
            "jinja2",
            "gpudc.preview",
            "gpudc.policy",
            "gpudc.fleet",
            "gpudc.environment.component",
            "gpudc.environment.schema",
            "gpudc.catalog.listing",
        )
        == []
    )
