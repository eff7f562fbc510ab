"""A workshop: N sessions at once on one `streamlit run`, in one Chromium (loopback only).

    python bench/bench_load.py [--sessions 20] [--rows 60] [--settle 150] [--limit 480]

One Chromium, one browser context (its own cookies, cache and websocket: a separate
Streamlit session) per participant, all started at once. Each session opens the Data page
(the built-in sample), uploads its own Ads Manager report (every campaign, ad group and ad
name carries the session's token `Q07Z`; the tokens are fixed-width and delimited, so none
is a substring of another), then opens the Ads page and reads every name on it.

Reported as JSON: p50/p95 of the first page, the upload and the Ads page; the server's
memory (RSS) before (warmed by one session), at its peak and after the sessions closed
(after --settle seconds, which must pass Streamlit's server.disconnectedSessionTTL, 120 s
by default, for a closed session to be let go); CPU seconds used by the server and by
Chromium while the sessions ran (where the time goes on a 2-core machine); and how many
sessions showed another session's token (must be 0); the server's own time per script run
(METRICS_TIMINGS lines), apart from the browser's. Bounded: every wait times out at 180 s
and the sessions at --limit seconds. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from tests._server import CHROMIUM, CHROMIUM_ARGS, IDLE, AppServer  # noqa: E402

HEADER = "By Day,Campaign name,Ad group name,Ad name,Currency,Cost,Impressions,Clicks (destination)"
CLOCK = os.sysconf("SC_CLK_TCK")


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (Linux /proc), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK
    except (OSError, IndexError, ValueError):
        return 0.0


def chromium_cpu() -> float:
    """CPU seconds of every Chromium process on the machine started from CHROMIUM's path
    by this bench (children of this process's Playwright driver)."""
    total = 0.0
    mine = _descendants(os.getpid())
    for pid in mine:
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        if "chrom" in exe:
            total += cpu_seconds(pid)
    return total


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


async def wait_idle(page) -> None:
    await page.wait_for_timeout(50)
    await page.wait_for_function(IDLE, timeout=180_000, polling=50)


async def session(browser, url: str, i: int, days: int, sessions: int, start) -> dict:
    await start.wait()
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
        out["saw_others"] = any(token(j) in text for j in range(sessions) if j != i)
        out["saw_own"] = token(i) in text
    except Exception as err:  # noqa: BLE001 - a failed session is a figure, not a crash
        out["error"] = f"{type(err).__name__}: {str(err)[:200]}"
    finally:
        await context.close()
    return out


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)


def script_runs(log: Path, since: int) -> dict:
    """p50/p95 of the server's script runs (METRICS_TIMINGS lines) after the first `since`:
    the server's own work per page, apart from the browser's."""
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.startswith("metrics-")]
    runs = [float(ln.split(" ")[3]) for ln in lines[since:] if ln.split(" ")[1] == "run"]
    return {"p50": pct(runs, 0.5), "p95": pct(runs, 0.95), "max": pct(runs, 1.0), "n": len(runs)}


def timing_count(log: Path) -> int:
    return sum(ln.startswith("metrics-") for ln in log.read_text(errors="replace").splitlines())


async def run(args) -> dict:
    log_dir = tempfile.TemporaryDirectory(prefix="bench_load_")
    log = Path(log_dir.name) / "server.log"
    output = log.open("wb")
    server = AppServer(output=output, env={"METRICS_TIMINGS": "1"})
    server.start()
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], server.rss())
            time.sleep(0.2)

    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # One session first, so "before" is the app loaded (sample, caches), not bare Python.
            go = asyncio.Event()
            go.set()
            warm = await session(browser, server.url, 99, 2, 0, go)
            print("warm session:", json.dumps(warm), file=sys.stderr)
            await asyncio.sleep(2)
            before = server.rss()
            threading.Thread(target=sample, daemon=True).start()
            server_cpu0, browser_cpu0 = cpu_seconds(server.proc.pid), chromium_cpu()
            since = timing_count(log)
            started = time.perf_counter()
            start = asyncio.Event()
            tasks = [
                asyncio.ensure_future(
                    session(browser, server.url, i, args.rows, args.sessions, start)
                )
                for i in range(args.sessions)
            ]
            start.set()  # every session starts at the same moment
            results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.limit)
            wall = time.perf_counter() - started
            server_cpu = cpu_seconds(server.proc.pid) - server_cpu0
            browser_cpu = chromium_cpu() - browser_cpu0
            runs = script_runs(log, since)
            await browser.close()
        await asyncio.sleep(args.settle)
        after = server.rss()
    finally:
        stop.set()
        server.stop()
        output.close()
        log_dir.cleanup()
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
        "sessions_not_showing_their_own_names": sum(not r.get("saw_own") for r in done),
        "server_script_runs_s": runs,
        "wall_s": round(wall, 1),
        "cpu_s_while_sessions_ran": {
            "server": round(server_cpu, 1),
            "chromium": round(browser_cpu, 1),
            "machine_capacity": round(wall * (os.cpu_count() or 1), 1),
        },
        "server_rss_mb": {
            "before": round(before / mb),
            "peak": round(max(peak[0], before) / mb),
            "after": round(after / mb),
            "after_vs_before": round(after / before - 1, 3) if before else None,
            "settle_s": args.settle,
        },
        "median_first_page_s": round(statistics.median([r["first_page"] for r in done]), 2)
        if done
        else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rows", type=int, default=60, help="days of rows per report (5 ads)")
    parser.add_argument(
        "--settle", type=float, default=150, help="seconds after the sessions closed"
    )
    parser.add_argument("--limit", type=float, default=480, help="seconds for the sessions")
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
