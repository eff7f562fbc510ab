"""Shared fixtures: the sample data set, loaded once per test session; for the browser tests
one `streamlit run` of the app and one headless Chromium, started once per test session."""

import datetime as dt
from pathlib import Path

import pytest

from metrics.io import load_files

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def sample_files() -> list[tuple[str, bytes]]:
    return [
        (p.name, p.read_bytes())
        for p in sorted(SAMPLE.iterdir())
        if p.suffix.lower() in (".zip", ".csv", ".xlsx")
    ]


@pytest.fixture(scope="session")
def sample_dataset():
    return load_files(sample_files(), today=dt.date(2026, 11, 22))


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items):
    """Mark every test of test_browser*.py `browser`, so `-m "not browser"` is the quick run,
    and put them in one xdist group: under the README's `-n 2 --dist loadgroup` one worker
    runs them all against one server and one Chromium while the other worker runs the rest
    (without -n the group does nothing)."""
    for item in items:
        if item.path.name.startswith("test_browser"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def app_server():
    """One server for every browser test that needs no folders of its own (tests/_server.py)."""
    from tests._server import AppServer

    with AppServer() as server:
        yield server


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run; each test opens its own page or context."""
    from playwright.sync_api import expect, sync_playwright

    from tests._server import CHROMIUM, CHROMIUM_ARGS

    # An `expect` waits until its condition holds; 5 s (Playwright's default) is too short
    # for a page switch while the other xdist worker has the second core (-n 2).
    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
