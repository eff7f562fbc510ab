"""The real app in headless Chromium: every page, uploads, window change, custom column, CSV.

Runs `streamlit run` on a free local port and drives Debian's chromium with Playwright. Needs
/usr/bin/chromium (CI installs it); skipped elsewhere only when CI is not set.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Screenshot name → URL path ("/" forwards to /data).
PAGES = {
    "data": "data",
    "overview": "overview",
    "content": "content",
    "audience": "audience",
    "ads": "ads",
    "reports": "reports",
    "diagnostics": "diagnostics",
}

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser tests (see .ci/run).")
    pytest.skip("chromium is not installed on this machine", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start: " + proc.stdout.read().decode()[-2000:])
    yield url, time.perf_counter() - started
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running and painted: the script state has been
    'notRunning' for a second (reruns come in bursts), no skeletons, charts drawn."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const idle = app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid="stSkeleton"]');
            const now = Date.now();
            if (!idle) { window.__idleSince = undefined; return false; }
            window.__idleSince = window.__idleSince || now;
            return now - window.__idleSince > 1000;
        }""",
        timeout=timeout,
        polling=100,
    )
    page.wait_for_timeout(500)  # let Vega finish drawing


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]'
    ).first.inner_text()
    dialogs = page.locator('[role="dialog"]')
    assert dialogs.count() == 0, dialogs.first.inner_text()  # e.g. Streamlit's "Page not found"


def open_page(browser, url: str, path: str, width: int = 1440):
    page = browser.new_page(viewport={"width": width, "height": 1000}, accept_downloads=True)
    page.goto(f"{url}/{path}")
    wait_idle(page)
    return page


def full_screenshot(page, path: Path, width: int) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to fit."""
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stAppViewContainer"], section\')].map(e => e.scrollHeight), 1000)'
    )
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12_000)})
    wait_idle(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 1000})


@pytest.mark.parametrize("width", [1440, 390])
def test_every_page_renders_on_the_sample(server, browser, width):
    url, _ = server
    SHOTS.mkdir(exist_ok=True)
    for name, path in PAGES.items():
        page = open_page(browser, url, path, width)
        no_exception(page)
        expect(page.locator("h1").first).to_be_visible()
        full_screenshot(page, SHOTS / f"{name}_{width}.png", width)
        page.close()


def test_sample_data_shows_on_first_open(server, browser):
    url, _ = server
    page = open_page(browser, url, "")
    expect(page.get_by_text("Showing the built-in sample account")).to_be_visible()
    expect(page.get_by_text("Tables found")).to_be_visible()
    page.close()


def test_window_change_changes_the_kpis(server, browser):
    url, _ = server
    page = open_page(browser, url, "overview?days=7")
    first = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    page.goto(f"{url}/overview?days=365")
    wait_idle(page)
    second = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    assert first != second
    no_exception(page)
    page.close()


def test_upload_through_the_real_file_input(server, browser):
    url, _ = server
    page = open_page(browser, url, "")
    files = sorted(
        str(p)
        for p in (ROOT / "sample_data").iterdir()
        if p.suffix in (".zip", ".csv") and p.name.startswith(("Overview", "Custom"))
    )
    assert files
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(files)
    wait_idle(page)
    page.wait_for_timeout(1500)
    wait_idle(page)
    expect(page.get_by_text("Showing your uploaded files")).to_be_visible(timeout=30_000)
    no_exception(page)
    page.close()


def test_custom_column_and_csv_download(server, browser, tmp_path):
    url, _ = server
    page = open_page(browser, url, "reports")
    box = page.get_by_role("textbox", name="Column")
    box.fill("cost_per_2s_view = spend / video_watched_2s")
    box.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("Valid.")).to_be_visible()
    page.get_by_role("button", name="Add column").click()
    wait_idle(page)
    expect(page.get_by_text("cost_per_2s_view = spend / video_watched_2s").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    target = tmp_path / "report.csv"
    download.value.save_as(target)
    header = target.read_text("utf-8-sig").splitlines()[0]
    assert "cost_per_2s_view" in header and "Spend (GBP)" in header
    no_exception(page)
    page.close()
