"""A report page rendered to PNG in headless Chromium, with the console messages it logged.

`gpudc report --png` uses it for a picture to attach to a pull request, and the tests use it to
prove report.html renders without a console error. Chromium runs with everything that reaches
the network switched off and a fresh profile directory, so it neither phones home nor reads a
user's profile; it logs each console message to stderr as `...:CONSOLE:<line>] "<text>", source:
<url> (<line>)` (with `--enable-logging=stderr --v=0`), which is what `console` collects.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CHROMIUM_FLAGS", "Rendered", "find_chromium", "render_png"]

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)
_CONSOLE = re.compile(r":CONSOLE[:(]\d+\)?\] (.*)$")


@dataclass(frozen=True, slots=True)
class Rendered:
    png: Path
    console: tuple[str, ...]
    """Every console message the page logged (errors, warnings, logs), in order."""


def find_chromium() -> str | None:
    """The first Chromium (or Chrome) on PATH, or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def render_png(
    page: Path, png: Path, *, width: int = 1280, height: int = 2400, chromium: str | None = None
) -> Rendered:
    """Screenshot `page` (a local file) at `width` x `height` CSS pixels into `png`.

    Raises FileNotFoundError when no Chromium is installed, RuntimeError when it fails.
    """
    browser = chromium or find_chromium()
    if browser is None:
        raise FileNotFoundError(
            f"no Chromium on PATH (looked for {', '.join(CHROMIUM_NAMES)}); on Debian: apt-get install chromium"
        )
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gpudc-chromium-") as profile:
        done = subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png.resolve()}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    if done.returncode != 0 or not png.is_file():
        tail = " / ".join(done.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"{browser} exited {done.returncode} without a screenshot: {tail}")
    console = tuple(match.group(1) for line in done.stderr.splitlines() if (match := _CONSOLE.search(line)))
    return Rendered(png, console)
