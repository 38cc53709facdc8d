"""The HTML digest in a real browser (headless Chromium): it loads and shows every section."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_digest_render import NOW, ZONE, sample_view
from watcher.digest import render_digest

INSTALL_HINT = "this test needs Chromium: `apt-get install -y chromium` (Debian)"
SECTIONS = ("Follow up today", "Coming up", "Waiting", "Let go", "Please check")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return found


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL
    )


def test_html_digest_loads_in_chromium_and_shows_every_section(tmp_path: Path) -> None:
    page = tmp_path / "digest.html"
    page.write_text(render_digest(sample_view(), NOW, ZONE).html, encoding="utf-8")

    dom = run_chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    for section in SECTIONS:
        assert f">{section} <span" in dom.stdout  # each section heading was laid out
    for company in ("Acme Corp", "Globex", "Initech", "Hooli", "Umbrella", "Vandelay"):
        assert company in dom.stdout
    assert "<script" not in dom.stdout.lower()

    screenshot = tmp_path / "digest.png"
    shot = run_chromium(
        tmp_path, "--window-size=760,3000", f"--screenshot={screenshot}", page.as_uri()
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 50_000  # a page with content, not a blank one
