"""Write a plan to `out/<stack>/`: plan.json, manifests/, helm/, report.md, report.html and network/."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from gpudc.core.errors import SpecError
from gpudc.preview.collector import few_collections
from gpudc.preview.html import render_html
from gpudc.preview.plan import PLAN_OUTPUT, Plan
from gpudc.preview.render import helm_values, manifest_files
from gpudc.preview.report import render_report

__all__ = ["OUTPUTS", "clear_output", "write_output", "write_plan"]

OUTPUTS = ("plan.json", "report.md", "report.html", "report.png", "manifests", "helm", "network")
"""Everything `write_plan` (and `gpudc report --png`) writes, and so everything it may remove
from an earlier plan: a screenshot goes with the report.html it showed, and stays while that does."""


def write_plan(plan: Plan, directory: Path) -> list[Path]:
    """Write the plan's files into `directory`, replacing an earlier plan's; return them, sorted.

    Every file is rendered before anything on disk changes, and only an earlier plan's own
    outputs are touched: a directory holding anything else is refused, never emptied. Over an
    earlier plan, a file whose bytes are the same is left as it is (its modification time too,
    so `make`, `rsync` and file watchers see only what the change changed) and what the new plan
    no longer has is removed. Re-planning an unchanged campus rewrites nothing: reading a file
    back costs a tenth of creating it on this project's disks (bench/plan_bench.py). What cannot
    be read, removed or written there (permissions, a folder under a file) is a finding naming it.
    """
    with few_collections():
        return _write_plan(plan, directory)


def _write_plan(plan: Plan, directory: Path) -> list[Path]:
    # Absolute, so a file's path is spelled as os.scandir spells it: pathlib drops a leading
    # `.` (`--out .` gives plan.json) where scandir keeps it (./plan.json).
    directory = directory.absolute()
    files: dict[Path, bytes] = {
        directory / "plan.json": plan.to_json().encode(),
        directory / "report.md": render_report(plan).encode(),
        directory / "report.html": render_html(plan).encode(),
    }
    for filename, text in manifest_files(plan).items():
        files[directory / "manifests" / filename] = text.encode()
    for filename, values in helm_values(plan).items():
        files[directory / "helm" / filename] = values.encode()
    # Artifacts the program derived (RoCE leaf configurations); their paths are checked relative.
    for artifact in plan.derived.artifacts if plan.derived is not None else ():
        files[directory / artifact.path] = artifact.text.encode()
    try:
        unchanged = _keep_unchanged(directory, files) if os.path.lexists(directory) else set()
        folders: set[Path] = set()
        for path, data in files.items():
            if str(path) in unchanged:
                continue
            if path.parent not in folders:  # a plano site writes 1,300 manifests into one folder
                path.parent.mkdir(parents=True, exist_ok=True)
                folders.add(path.parent)
            path.write_bytes(data)
    except OSError as exc:  # permissions, a file where a folder belongs, a full disk
        raise _not_written(exc, directory) from None
    return sorted(files)


def write_output(path: Path, text: str) -> None:
    """Write one output beside a plan (`gpudc report`'s report.md and report.html) as a new file,
    whatever was at `path` removed first (`clear_output`), its folder made if missing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # the folder under a file, or in one not writable
        raise _not_written(exc, path.parent) from None
    clear_output(path)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _not_written(exc, path.parent) from None


def clear_output(path: Path) -> None:
    """Remove the file, link or special file at `path`, if any, without following or opening it:
    writing through a link would change the file it points to, outside the plan, and opening a
    FIFO to write waits for a reader forever. Chromium writes report.png after this."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:  # a folder there, or a folder that is not writable
        raise _not_written(exc, path.parent) from None


def _not_written(exc: OSError, directory: Path) -> SpecError:
    return SpecError.single(
        str(exc.filename or directory),
        f"cannot be written ({exc.strerror or exc})",
        fix=f"make {directory} and what is in it readable and writable by you, or choose another "
        "--out; then run the command again (the earlier plan there may be partly replaced)",
        check=PLAN_OUTPUT,
    )


def _keep_unchanged(directory: Path, files: dict[Path, bytes]) -> set[str]:
    """Remove what an earlier plan in `directory` wrote and `files` no longer has; return the
    files already on disk with the same bytes. Refuses a directory holding anything else.

    Plain `os` calls on strings: pathlib's objects cost more than reading the file back."""
    if not directory.is_dir():
        if not directory.exists():  # a link to nothing: creating the folder would fail on it
            raise SpecError.single(
                str(directory),
                f"is a link to {os.readlink(directory)}, which does not exist",
                fix="create that directory or choose another --out",
                check=PLAN_OUTPUT,
            )
        raise SpecError.single(
            str(directory),
            "is a file, not a directory",
            fix="choose a directory for --out",
            check=PLAN_OUTPUT,
        )
    names = sorted(path.name for path in directory.iterdir())
    foreign = [name for name in names if name not in OUTPUTS]
    if foreign:
        raise SpecError.single(
            str(directory),
            f"holds files gpudc did not write ({', '.join(foreign[:5])})",
            fix="choose an empty or new --out directory",
            check=PLAN_OUTPUT,
        )
    # An earlier plan starts with its plan.json (written first). Without one, a `manifests/` or
    # `helm/` there is someone's own (a GitOps repository, say), and sweeping it would delete it.
    if names and "plan.json" not in names:
        raise SpecError.single(
            str(directory),
            f"holds {', '.join(names)} but no plan.json: not an earlier gpudc plan, so gpudc "
            "will not replace it",
            fix="choose an empty or new --out directory, or remove those files yourself",
            check=PLAN_OUTPUT,
        )
    wanted = {str(path): data for path, data in files.items()}
    top = str(directory)
    folders: set[str] = set()
    for path in wanted:
        folder = os.path.dirname(path)
        while folder != top and folder not in folders:
            folders.add(folder)
            folder = os.path.dirname(folder)
    # `gpudc report --png` shows report.html alone: while that is unchanged, so is the picture.
    html = os.path.join(top, "report.html")
    unchanged = {os.path.join(top, "report.png")} if _same(html, wanted[html]) else set()
    _sweep(top, wanted, folders, unchanged)
    return unchanged


def _sweep(folder: str, wanted: dict[str, bytes], folders: set[str], unchanged: set[str]) -> None:
    """Keep the files of `folder` (recursively) that `wanted` has with the same bytes, and those
    `unchanged` already names; remove the rest. A symbolic link is removed, never followed: it
    may point outside the plan."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.path in unchanged and entry.is_file(follow_symlinks=False):
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.path in folders:
                    _sweep(entry.path, wanted, folders, unchanged)
                else:
                    try:
                        shutil.rmtree(entry.path)
                    except OSError as exc:  # rmtree names the file relative to its own folder
                        raise OSError(exc.errno, exc.strerror, entry.path) from None
                continue
            data = wanted.get(entry.path)
            if (
                data is not None
                and entry.is_file(follow_symlinks=False)
                and entry.stat(follow_symlinks=False).st_size == len(data)
                and _read(entry.path) == data
            ):
                unchanged.add(entry.path)
            else:
                os.unlink(entry.path)


def _same(path: str, data: bytes) -> bool:
    """Whether `path` is a regular file holding `data` (a link or a FIFO never is, and is not read)."""
    try:
        status = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(status.st_mode) and status.st_size == len(data) and _read(path) == data


def _read(path: str) -> bytes | None:
    """The file's bytes; None when they cannot be read (its mode, its owner): it is replaced,
    which needs only its folder to be writable, as it was before files were compared."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError:
        return None
