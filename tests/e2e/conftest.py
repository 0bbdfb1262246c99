"""Fixtures for browser tests: the app served on 127.0.0.1 and Debian's headless Chromium.

Playwright cannot download its own browser here, so it drives ``/usr/bin/chromium``. The tests
are skipped, with the reason, when Chromium or Playwright is missing; ``scripts/test.sh``
installs both, so CI always runs them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(env: dict[str, str] | None = None, port: int | None = None, root: Path = ROOT):
    """Start ``streamlit run app.py`` (of the checkout at ``root``) on a loopback port and wait
    for its health check.

    Returns ``(process, url)``; ``env`` is added to the environment (e.g. ``VAULTCOVER_DB``).
    """
    port = port or _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"streamlit-{port}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(root / "app.py"),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
                "--client.toolbarMode",
                "minimal",
            ],
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(root), **(env or {})},
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.2)
    stop_app(proc)
    pytest.fail(f"the app did not start within 60 s; see {log}")


def stop_app(proc: subprocess.Popen) -> None:
    """Stop a server started by :func:`start_app` (by its own process)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    """The app on a free loopback port, with a scenario store of its own."""
    db = tmp_path_factory.mktemp("store") / "scenarios.db"
    proc, url = start_app({"VAULTCOVER_DB": f"sqlite:///{db}"})
    yield url
    stop_app(proc)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, app_url):
    """A fresh page on the app's start page, ready when the script has finished running."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
    page = context.new_page()
    page.goto(app_url)
    wait_until_idle(page)
    yield page
    context.close()


def wait_until_idle(page, timeout: float = 60_000) -> None:
    """Wait for Streamlit's connection, for the script run to finish and for the charts it
    changed to be drawn (app_pages/chart.py marks a chart ``data-vc-drawing`` meanwhile)."""
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout
    )
    page.locator("[data-vc-drawing]").first.wait_for(state="detached", timeout=timeout)


def screenshot(page, name: str) -> Path:
    """Save a screenshot under test-artifacts/ and print its path for the test log."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    SAVED.append(path)
    return path


#: Screenshots saved in this run, listed at the end of the test output.
SAVED: list[Path] = []


def pytest_terminal_summary(terminalreporter) -> None:
    """List the screenshots (and the downloaded quote sheet) in the test output."""
    if SAVED:
        terminalreporter.section("screenshots")
        for path in SAVED:
            terminalreporter.write_line(str(path))
