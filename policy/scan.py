"""Scan rendered manifests with checkov, offline, against one reviewed suppression file.

    python policy/scan.py out/lab/manifests out/plano/manifests

checkov (its own virtualenv, `make test` builds it at .venv/checkov; or $CHECKOV) runs once over
every directory with `--framework kubernetes --skip-download`, so nothing is fetched. A failed
check passes only when `checkov-suppressions.yaml` beside this file names its check id and a
glob of checkov's resource id (`Kind.namespace.name`) with a written reason. A suppression that
matches nothing is reported too: the file lists only what is still true. Exit 0 when clean.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
SUPPRESSIONS = HERE / "checkov-suppressions.yaml"
DEFAULT_CHECKOV = HERE.parent / ".venv" / "checkov" / "bin" / "checkov"


@dataclass(frozen=True, slots=True)
class Suppression:
    check: str
    resource: str
    reason: str


@dataclass(frozen=True, slots=True)
class Failure:
    check: str
    name: str
    resource: str
    file: str

    def __str__(self) -> str:
        return f"{self.check} {self.resource} ({self.file}): {self.name}"


@dataclass(frozen=True, slots=True)
class Scan:
    passed: int
    failures: tuple[Failure, ...]
    unsuppressed: tuple[Failure, ...]
    stale: tuple[Suppression, ...]

    @property
    def ok(self) -> bool:
        return not self.unsuppressed and not self.stale


def checkov_path() -> Path | None:
    """$CHECKOV if set, else the project's own checkov virtualenv, else none."""
    given = os.environ.get("CHECKOV")
    if given:
        return Path(given)
    return DEFAULT_CHECKOV if DEFAULT_CHECKOV.exists() else None


def load_suppressions(path: Path = SUPPRESSIONS) -> list[Suppression]:
    """Each entry: check, resource (a glob of `Kind.namespace.name`) and a reason, all required."""
    document = yaml.safe_load(path.read_text()) or {}
    entries = document.get("suppressions") or []
    found = []
    for index, entry in enumerate(entries):
        missing = [key for key in ("check", "resource", "reason") if not str(entry.get(key) or "").strip()]
        if missing or set(entry) - {"check", "resource", "reason"}:
            raise ValueError(f"{path.name}: suppressions[{index}] needs exactly check, resource and reason")
        found.append(Suppression(entry["check"], entry["resource"], " ".join(entry["reason"].split())))
    return found


def run_checkov(directories: Sequence[Path], checkov: Path) -> dict[str, Any]:
    """checkov's passed count and failed checks over every directory, in one run.

    The directories are copied under one root first: checkov 3.3 given several `-d` reported
    some of them with no resources at all, and a root of its own also keeps it from reading
    anything beside the manifests.
    """
    with tempfile.TemporaryDirectory(prefix="gpudc-scan-") as root:
        for index, directory in enumerate(directories):
            shutil.copytree(directory, Path(root) / f"{index}-{directory.parent.name}-{directory.name}")
        command = [
            str(checkov),
            "--framework",
            "kubernetes",
            "--skip-download",
            "--quiet",
            "-o",
            "json",
            "-d",
            ".",
        ]
        env = {**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "BC_SKIP_MAPPING": "TRUE"}
        result = subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=root, check=False, timeout=600
        )
    if result.returncode not in (0, 1):  # 1: some check failed
        raise RuntimeError(f"checkov exited {result.returncode}: {result.stderr[-2000:]}")
    document: Any = json.loads(result.stdout)
    reports = document if isinstance(document, list) else [document]
    merged: dict[str, Any] = {"passed": 0, "failed": []}
    for item in reports:
        if item.get("summary", item).get("parsing_errors"):
            raise RuntimeError("checkov could not parse some manifests")
        if "results" in item:  # a report with no Kubernetes objects has only a summary
            merged["passed"] += item["summary"]["passed"]
            merged["failed"] += item["results"]["failed_checks"]
    return merged


def judge(report: dict[str, Any], suppressions: Sequence[Suppression]) -> Scan:
    failures = tuple(
        sorted(
            {
                Failure(item["check_id"], item["check_name"], item["resource"], item["file_path"])
                for item in report["failed"]
            },
            key=lambda failure: (failure.check, failure.resource, failure.file),
        )
    )
    used: set[Suppression] = set()
    unsuppressed = []
    for failure in failures:
        matching = [
            s
            for s in suppressions
            if s.check == failure.check and fnmatch.fnmatchcase(failure.resource, s.resource)
        ]
        used.update(matching)
        if not matching:
            unsuppressed.append(failure)
    stale = tuple(s for s in suppressions if s not in used)
    return Scan(report["passed"], failures, tuple(unsuppressed), stale)


def scan(directories: Sequence[Path], checkov: Path, suppressions: Path = SUPPRESSIONS) -> Scan:
    return judge(run_checkov(directories, checkov), load_suppressions(suppressions))


def main(argv: Sequence[str]) -> int:
    checkov = checkov_path()
    if checkov is None:
        print("checkov not found: run `make test` (builds .venv/checkov) or set $CHECKOV", file=sys.stderr)
        return 2
    result = scan([Path(arg) for arg in argv], checkov)
    for failure in result.unsuppressed:
        print(f"failed {failure}")
    for stale in result.stale:
        print(f"stale suppression {stale.check} {stale.resource}: it matches no failure; remove it")
    print(
        f"checkov: {result.passed} passed, {len(result.failures)} failed, "
        f"{len(result.failures) - len(result.unsuppressed)} of them suppressed"
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
