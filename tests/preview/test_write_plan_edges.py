"""Re-planning into a folder someone or something else has touched: odd files, links, places
that cannot be written. Each ends in a clear finding or in the plan written, never a traceback.

These tests run as root in CI, where permission bits do not stop a process: a refused call is
made by replacing the one `os` function the case needs, with the error the kernel gives a user.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gpudc.core.errors import SpecError
from gpudc.preview import output
from gpudc.preview.output import clear_output, write_output, write_plan
from gpudc.preview.plan import PLAN_OUTPUT, Plan
from gpudc.preview.report import render_report

OLD = 10**9
"""An old modification time, which only a rewrite changes (whatever the clock's tick)."""

FIX = "or choose another --out; then run the command again (the earlier plan there may be partly replaced)"


def _age(paths: list[Path]) -> None:
    for path in paths:
        os.utime(path, ns=(OLD, OLD))


def _refused(path: Path, call: Callable[..., Any]) -> Callable[..., Any]:
    """`call`, failing as the kernel fails it for a user without write access to `path`'s folder."""

    def refuse(target: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(target) == str(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(target))
        return call(target, *args, **kwargs)

    return refuse


def test_replanning_into_the_working_directory_keeps_unchanged_files(
    planned: Callable[[str], Plan], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = write_plan(planned("lab"), tmp_path)
    _age(written)
    monkeypatch.chdir(tmp_path)  # `cd out/lab && gpudc plan lab --out .`
    write_plan(planned("lab"), Path("."))
    assert sorted(path for path in tmp_path.rglob("*") if path.is_file()) == written
    assert [path for path in written if path.stat().st_mtime_ns != OLD] == []


def test_special_files_where_outputs_belong_are_replaced_unread(
    planned: Callable[[str], Plan], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = write_plan(planned("lab"), tmp_path)
    fifo = tmp_path / "plan.json"
    manifest = next(path for path in written if path.parent.parent.name == "manifests")
    fifo.unlink()
    os.mkfifo(fifo)  # opening it to compare would wait for a writer forever
    manifest.unlink()
    monkeypatch.chdir(manifest.parent)  # a socket's path is at most 107 bytes
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(manifest.name)
    assert write_plan(planned("lab"), tmp_path) == written
    assert fifo.is_file() and manifest.is_file()
    assert fifo.read_text(encoding="utf-8") == planned("lab").to_json()


def test_an_output_it_cannot_read_is_rewritten(
    planned: Callable[[str], Plan], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = write_plan(planned("lab"), tmp_path)
    report = tmp_path / "report.md"
    report.chmod(0)  # the earlier plan's file, unreadable (a user's chmod, another user's umask)
    monkeypatch.setattr(output, "open", _refused(report, open), raising=False)  # as root reads anyway
    assert write_plan(planned("lab"), tmp_path) == written
    assert report.stat().st_mode & 0o777 != 0  # a new file: the old one's mode went with it
    assert report.read_text(encoding="utf-8").startswith("# ")


def test_an_output_it_cannot_remove_is_a_finding(
    planned: Callable[[str], Plan], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_plan(planned("lab"), tmp_path)
    changed = tmp_path / "plan.json"
    changed.write_text("{}")  # in a read-only folder (chmod a-w) that this re-plan must replace
    monkeypatch.setattr(os, "unlink", _refused(changed, os.unlink))
    with pytest.raises(SpecError) as caught:
        write_plan(planned("lab"), tmp_path)
    assert [str(issue) for issue in caught.value.issues] == [
        f"{changed}: cannot be written (Permission denied); make {tmp_path} and what is in it "
        f"readable and writable by you, {FIX}"
    ]
    assert caught.value.issues[0].code == PLAN_OUTPUT.code


def test_a_folder_it_cannot_remove_is_named_in_the_finding(
    planned: Callable[[str], Plan], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_plan(planned("lab"), tmp_path)
    gone = tmp_path / "manifests" / "gone-cluster"
    (gone / "sub").mkdir(parents=True)
    (gone / "sub" / "f.yaml").write_text("from an older plan\n")

    def refuse(path: str, *args: Any, **kwargs: Any) -> None:
        # rmtree names what it could not remove relative to the folder it was in
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), "f.yaml")

    monkeypatch.setattr(shutil, "rmtree", refuse)
    with pytest.raises(SpecError) as caught:
        write_plan(planned("lab"), tmp_path)
    assert [issue.path for issue in caught.value.issues] == [str(gone)]


def test_an_unreadable_output_directory_is_a_finding(
    planned: Callable[[str], Plan], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_plan(planned("lab"), tmp_path)
    manifests = tmp_path / "manifests"
    monkeypatch.setattr(os, "scandir", _refused(manifests, os.scandir))  # chmod a-r manifests
    with pytest.raises(SpecError, match="cannot be written \\(Permission denied\\)") as caught:
        write_plan(planned("lab"), tmp_path)
    assert [issue.path for issue in caught.value.issues] == [str(manifests)]


def test_out_under_a_file_is_a_finding(planned: Callable[[str], Plan], tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a file")
    with pytest.raises(SpecError) as caught:
        write_plan(planned("lab"), tmp_path / "notes.txt" / "lab")
    assert [str(issue) for issue in caught.value.issues] == [
        f"{tmp_path / 'notes.txt' / 'lab'}: cannot be written (Not a directory); make "
        f"{tmp_path / 'notes.txt' / 'lab'} and what is in it readable and writable by you, {FIX}"
    ]


def test_out_as_a_link_to_nothing_is_a_finding(planned: Callable[[str], Plan], tmp_path: Path) -> None:
    (tmp_path / "out").symlink_to(tmp_path / "gone")
    with pytest.raises(SpecError) as caught:
        write_plan(planned("lab"), tmp_path / "out")
    assert [str(issue) for issue in caught.value.issues] == [
        f"{tmp_path / 'out'}: is a link to {tmp_path / 'gone'}, which does not exist; "
        "create that directory or choose another --out"
    ]
    assert not (tmp_path / "gone").exists()


def test_out_as_a_link_to_a_directory_plans_there(planned: Callable[[str], Plan], tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "real", target_is_directory=True)
    written = write_plan(planned("lab"), tmp_path / "out")
    _age(written)
    assert write_plan(planned("lab"), tmp_path / "out") == written
    assert [path for path in written if path.stat().st_mtime_ns != OLD] == []
    assert (tmp_path / "out").is_symlink() and (tmp_path / "real" / "plan.json").is_file()


def test_report_writes_new_files_never_through_a_link_or_into_a_fifo(
    planned: Callable[[str], Plan], tmp_path: Path, gpudc_cli: Callable[..., Any]
) -> None:
    out = tmp_path / "out"
    write_plan(planned("lab"), out)
    outside = tmp_path / "notes.md"
    outside.write_text("not gpudc's\n")
    (out / "report.md").unlink()
    (out / "report.md").symlink_to(outside)  # writing through it would change notes.md
    (out / "report.html").unlink()
    os.mkfifo(out / "report.html")  # opening it to write waits for a reader forever
    done = gpudc_cli("report", "lab", "--out", str(out), "--html")
    assert done.returncode == 0, done.stderr
    assert outside.read_text() == "not gpudc's\n"
    assert (out / "report.md").is_file() and not (out / "report.md").is_symlink()
    assert (out / "report.html").is_file()
    assert (out / "report.md").read_text(encoding="utf-8") == render_report(planned("lab"))


def test_clearing_a_screenshot_removes_a_link_not_its_target(tmp_path: Path) -> None:
    outside = tmp_path / "photo.png"
    outside.write_bytes(b"someone's photo")
    (tmp_path / "report.png").symlink_to(outside)  # Chromium would screenshot into photo.png
    clear_output(tmp_path / "report.png")
    assert not os.path.lexists(tmp_path / "report.png")
    assert outside.read_bytes() == b"someone's photo"
    clear_output(tmp_path / "report.png")  # nothing there: nothing to do


def test_report_over_a_folder_is_a_finding(planned: Callable[[str], Plan], tmp_path: Path) -> None:
    write_plan(planned("lab"), tmp_path)
    (tmp_path / "report.md").unlink()
    (tmp_path / "report.md").mkdir()
    with pytest.raises(SpecError) as caught:
        write_output(tmp_path / "report.md", "# a report\n")
    assert [str(issue) for issue in caught.value.issues] == [
        f"{tmp_path / 'report.md'}: cannot be written (Is a directory); make {tmp_path} and what is "
        f"in it readable and writable by you, {FIX}"
    ]
