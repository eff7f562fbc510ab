"""Start-up and rerun times of the app on the sample data, in a real headless Chromium.

    python bench/bench_app.py [--repeat 3]

Starts `streamlit run app.py`, measures the time from the process start to the first rendered
page (the Overview with its "What stands out" panel drawn), then the time of each page's run (a
click in the navigation until Streamlit is idle and the page's title is drawn) and of a window
change on the Overview. Needs Debian's chromium (/usr/bin/chromium) and playwright. Figures go
to stdout as JSON; nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "Data",
    "Overview",
    "Content",
    "Audience",
    "Ads",
    "Custom columns & reports",
    "Diagnostics",
]
IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_idle(page) -> None:
    page.wait_for_timeout(50)  # let the rerun start before polling for its end
    page.wait_for_function(IDLE, timeout=120_000, polling=20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    results: dict = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/", timeout=2000)
                    break
                except Exception:  # noqa: BLE001 - the server is not listening yet
                    time.sleep(0.1)
            page.locator(".st-key-story_panel").wait_for(timeout=120_000)
            wait_idle(page)
            results["start_to_first_page_s"] = round(time.perf_counter() - started, 2)
            runs: dict[str, list[float]] = {name: [] for name in PAGES}
            for _ in range(args.repeat):
                for name in PAGES:
                    t0 = time.perf_counter()
                    page.locator(
                        '[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]'
                    ).get_by_text(name, exact=True).click()
                    page.locator("h1", has_text=name.split(" ")[0]).first.wait_for()
                    wait_idle(page)
                    runs[name].append(time.perf_counter() - t0)
            results["page_run_s"] = {
                name: {"median": round(statistics.median(v), 2), "max": round(max(v), 2)}
                for name, v in runs.items()
            }
            page.locator(
                '[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]'
            ).get_by_text("Overview").click()
            wait_idle(page)
            window_runs = []
            for label in ["7 days", "365 days", "28 days"] * args.repeat:
                t0 = time.perf_counter()
                page.locator('[data-testid="stSidebar"]').get_by_text(label, exact=True).click()
                wait_idle(page)
                window_runs.append(time.perf_counter() - t0)
            results["window_change_on_overview_s"] = {
                "median": round(statistics.median(window_runs), 2),
                "max": round(max(window_runs), 2),
            }
            browser.close()
    finally:
        proc.terminate()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
