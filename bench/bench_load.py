"""A workshop: N Chromium sessions at once on one `streamlit run` (loopback only).

    python bench/bench_load.py [--sessions 20] [--rows 60] [--settle 30]

Each session opens the app, uploads its own Ads Manager report (every campaign, ad group and
ad name carries the session's token `Q07Z`; the tokens are fixed-width and delimited, so no
one is a substring of another), then opens the Ads page. Reported as JSON: p50/p95 of the
first page, the upload and the Ads page; the server's memory (RSS) before, at its peak and
after the sessions closed (after --settle seconds); and how many sessions showed another
session's token (must be 0). Bounded: every wait times out at 180 s and the whole run at
--limit seconds. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parent.parent
IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"]');
}"""
HEADER = "By Day,Campaign name,Ad group name,Ad name,Currency,Cost,Impressions,Clicks (destination)"


def token(i: int) -> str:
    return f"Q{i:02d}Z"


def report(i: int, days: int) -> bytes:
    t = token(i)
    rows = [HEADER]
    for day in range(days):
        date = f"2026-{8 + day // 31:02d}-{day % 31 + 1:02d}"
        for ad in range(5):
            rows.append(f"{date},Camp {t},Group {t},Ad {t} {ad},GBP,{1 + ad}.25,{900 + day},{9}")
    return ("\n".join(rows) + "\n").encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


async def wait_idle(page) -> None:
    await page.wait_for_timeout(100)
    await page.wait_for_function(IDLE, timeout=180_000, polling=50)


async def session(browser, url: str, i: int, days: int, sessions: int) -> dict:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    out: dict = {}
    try:
        t0 = time.perf_counter()
        await page.goto(f"{url}/data", timeout=180_000)
        await page.get_by_text("Tables found").wait_for(timeout=180_000)
        await wait_idle(page)
        out["first_page"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            [{"name": f"report_{token(i)}.csv", "mimeType": "text/csv", "buffer": report(i, days)}]
        )
        await page.get_by_text("Showing your uploaded files").wait_for(timeout=180_000)
        await wait_idle(page)
        out["upload"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        await (
            page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
            .filter(has_text="Ads")
            .first.click()
        )
        # The table is a canvas; its cells are in a hidden grid for screen readers.
        await page.get_by_text(f"Camp {token(i)}").first.wait_for(state="attached", timeout=180_000)
        await wait_idle(page)
        out["ads_page"] = time.perf_counter() - t0
        text = await page.content()
        frames = await page.locator('[data-testid="stDataFrame"]').count()
        out["saw_others"] = any(token(j) in text for j in range(sessions) if j != i)
        out["frames"] = frames
    except Exception as err:  # noqa: BLE001 - a failed session is a figure, not a crash
        out["error"] = f"{type(err).__name__}: {str(err)[:200]}"
    finally:
        await context.close()
    return out


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 2)


async def run(args) -> dict:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss(proc.pid))
            time.sleep(0.2)

    for _ in range(240):  # wait for the server (bounded)
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    break
        except OSError:
            time.sleep(0.5)
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu"],
            )
            # Warm the server with one session so "before" is the app loaded, not bare Python.
            warm = await session(browser, url, 99, 2, 0)
            print("warm session:", json.dumps(warm), file=sys.stderr)
            await asyncio.sleep(2)
            before = rss(proc.pid)
            threading.Thread(target=sample, daemon=True).start()
            results = await asyncio.wait_for(
                asyncio.gather(
                    *(
                        session(browser, url, i, args.rows, args.sessions)
                        for i in range(args.sessions)
                    )
                ),
                timeout=args.limit,
            )
            await browser.close()
        await asyncio.sleep(args.settle)
        after = rss(proc.pid)
    finally:
        stop.set()
        proc.terminate()
    done = [r for r in results if "error" not in r]

    def figures(key: str) -> dict:
        values = [r[key] for r in done if key in r]
        return {"p50": pct(values, 0.5), "p95": pct(values, 0.95), "n": len(values)}

    mb = 1024**2
    return {
        "sessions": args.sessions,
        "warm_session_error": warm.get("error"),
        "first_page_s": figures("first_page"),
        "upload_s": figures("upload"),
        "ads_page_s": figures("ads_page"),
        "failed_sessions": [r["error"] for r in results if "error" in r],
        "sessions_showing_another_sessions_names": sum(bool(r.get("saw_others")) for r in done),
        "server_rss_mb": {
            "before": round(before / mb),
            "peak": round(max(peak[0], before) / mb),
            "after": round(after / mb),
            "after_vs_before": round(after / before - 1, 3) if before else None,
        },
        "median_first_page_s": round(statistics.median([r["first_page"] for r in done]), 2)
        if done
        else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rows", type=int, default=60, help="days of rows per report (5 ads)")
    parser.add_argument("--settle", type=float, default=30, help="seconds before 'after'")
    parser.add_argument("--limit", type=float, default=480, help="seconds for the whole run")
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
