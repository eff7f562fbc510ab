"""Text from files is text in the real browser, and nothing of it lands on disk.

An Ads Manager report over 1 MB (so a web server would spool it) whose campaign, ad group,
ad and currency cells and an unrecognised file's headers carry Markdown and HTML payloads is
uploaded to `streamlit run` in headless Chromium; every page that shows them is opened and
both downloads are taken. No request may go to the payloads' host, no dialog may open, no
payload may become markup, and afterwards no file under the server's temp dir, working dir
or home holds the report's marker.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser tests (see .ci/run).")
    pytest.skip("chromium is not installed on this machine", allow_module_level=True)

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from tests._server import CONTEXT_OPTIONS, settle  # noqa: E402

MARKER = "zqxj4417"
HOST = "evil.example"
PAYLOADS = [
    f"![{MARKER}](http://{HOST}/img.png)",
    f"**{MARKER}bold**",
    f'<img src="http://{HOST}/x.png" onerror="alert(1)">{MARKER}',
    f"[{MARKER}link](javascript:alert(1))",
]
HEADER = (
    "By Day,Campaign name,Ad group name,Ad name,Currency,Cost,Impressions,"
    "Clicks (destination),Video views,2-second video views"
)


def report() -> bytes:
    """About 1.5 MB of daily rows over 28 days; every name is a payload."""
    rows = [HEADER]
    for day in range(1, 29):
        for i in range(400):
            payload = PAYLOADS[i % len(PAYLOADS)]
            rows.append(
                f'2026-10-{day:02},"{payload} c{i % 3}","{payload} g{i % 5}","{payload} a{i}",'
                f'"{PAYLOADS[0]}",{1 + i % 7}.50,{1000 + i},{10 + i % 9},{800 + i},{300 + i}'
            )
    return ("\n".join(rows) + "\n").encode("utf-8")


def headers_file() -> bytes:
    return (",".join(f'"{p}"' for p in PAYLOADS) + "\n1,2,3,4\n").encode("utf-8")


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    """A server of its own: its temp dir, home and working dir are empty folders, searched
    for the report's marker at the end (under -n, started early by the xdist controller in
    folders of its own: tests/conftest.py)."""
    from tests._server import AppServer, Started, early_server

    early = early_server(request, "injection")
    if early:
        url, dirs = early
        yield Started(url).url, {name: Path(d) for name, d in dirs.items()}
        return
    base = tmp_path_factory.mktemp("injection")
    dirs = {name: base / name for name in ("tmp", "home", "work")}
    for d in dirs.values():
        d.mkdir()
    env = {"TMPDIR": str(dirs["tmp"]), "HOME": str(dirs["home"])}
    with AppServer(cwd=dirs["work"], env=env) as app:
        yield app.url, dirs


def wait_idle(page, timeout: float = 90_000) -> None:
    settle(page, timeout)  # tests/_server.py: idle for half a second, every chart drawn


def assert_no_markup(page, where: str) -> None:
    # The names first (waited for: under load the page that a click opened can look idle,
    # and empty, before its run has started), then the run settled, then none of them drawn
    # as markup.
    try:
        page.get_by_text(MARKER).first.wait_for(state="attached", timeout=30_000)
    except PlaywrightTimeout:
        pass  # the assertion below says what is missing
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0, where
    assert page.locator(f'img[src*="{HOST}"]').count() == 0, where
    assert page.locator("strong", has_text=f"{MARKER}bold").count() == 0, where
    assert page.locator('a[href^="javascript:"]').count() == 0, where
    assert page.get_by_text(MARKER).count() > 0, f"{where}: the names are not shown at all"


def files_holding(folder: Path, needle: bytes) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                if needle in path.read_bytes():
                    found.append(path)
            except OSError:
                continue
    return found


def test_payloads_stay_text_and_nothing_lands_on_disk(server, chromium, tmp_path):
    url, dirs = server
    requests, dialogs = [], []
    # The session's one Chromium (tests/conftest.py), a context of its own.
    context = chromium.new_context(
        viewport={"width": 1440, "height": 1000}, accept_downloads=True, **CONTEXT_OPTIONS
    )
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{url}/data")
    wait_idle(page)
    upload = [
        {"name": "Custom_report.csv", "mimeType": "text/csv", "buffer": report()},
        {"name": "odd_headers.csv", "mimeType": "text/csv", "buffer": headers_file()},
    ]
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(upload)
    wait_idle(page)
    page.get_by_text("Columns not recognised").click()  # the select boxes with payloads
    wait_idle(page)
    assert_no_markup(page, "data")
    for name in ("ads", "reports", "diagnostics", "overview"):
        title = {"reports": "Custom columns & reports"}.get(name, name.capitalize())
        page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]').filter(
            has_text=title
        ).first.click()
        # The click's rerun may not have started when the old page still looks idle.
        page.wait_for_url(
            lambda u, name=name: urlsplit(u).path.rstrip("/").endswith(f"/{name}"),
            wait_until="commit",
            timeout=30_000,
        )
        wait_idle(page)
        if name == "ads":
            assert_no_markup(page, name)
        if name == "reports":
            for label in ("Download CSV", "Download XLSX"):
                button = page.get_by_role("button", name=label)
                button.scroll_into_view_if_needed()
                wait_idle(page)
                # A click that lands while the page is still rerunning can be lost:
                # try again (bounded) rather than wait on one click for ever.
                for attempt in range(4):
                    try:
                        with page.expect_download(timeout=30_000) as download:
                            button.click()
                        break
                    except PlaywrightTimeout:
                        if attempt == 3:
                            raise
                        wait_idle(page)
                download.value.save_as(tmp_path / label.split()[-1])
            wait_idle(page)
    context.close()
    assert not dialogs, dialogs
    assert not [u for u in requests if HOST in u or u.startswith("javascript:")], requests
    assert MARKER.encode() in (tmp_path / "CSV").read_bytes()  # the download did happen
    assert (tmp_path / "XLSX").read_bytes()[:2] == b"PK"
    for name, folder in dirs.items():
        assert not files_holding(folder, MARKER.encode()), f"user data under the {name} dir"
