"""A workshop: N sessions at once on one `streamlit run`, in one Chromium (loopback only).

    python bench/bench_load.py [--sessions 20] [--rows 60] [--settle 150] [--limit 480]
    python bench/bench_load.py --sessions 1,5,10,20 --first-page-only --settle 0
    python bench/bench_load.py --sessions 20 --app hello --settle 0   # a bare Streamlit page

One Chromium, one browser context (its own cookies, cache and websocket: a separate
Streamlit session) per participant, all started at once. Each session opens the Data page
(the built-in sample), uploads its own Ads Manager report (every campaign, ad group and ad
name carries the session's token `Q07Z`; the tokens are fixed-width and delimited, so none
is a substring of another), then opens the Ads page and reads every name on it.
`--app hello` runs the same first page against a hello-world Streamlit app (one title, one
line of text) under the same bench: what Streamlit and Chromium cost without our app.

A page counts as shown when text that only the finished run draws is on the page, Streamlit
reports the run finished with no placeholder left (tests/_server.py's IDLE) and every
visible chart is laid out, polled every 50 ms; no sleep, no quiet period.

Reported as JSON, per number of sessions: p50/p95 of the first page, the upload and the
Ads page; the server's memory (RSS) before (warmed by one session), at its peak and after
the sessions closed (after --settle seconds, which must pass Streamlit's
server.disconnectedSessionTTL, 120 s by default, for a closed session to be let go); how
many sessions showed another session's token (must be 0). Where the time goes: the
machine's CPU (all processes, from /proc/stat: busy and idle CPU-seconds while the sessions
ran); CPU-seconds of the server and of each kind of Chromium process (browser, gpu,
renderer, network, ...) and of the Playwright driver, sampled every 0.5 s keeping each
process's last figure, so processes that exited count; the server's script runs (count per
session, p50/p95 seconds) and how late its event loop answered (METRICS_TIMINGS lines);
per session, when the page's own scripts (the JS bundle) had arrived and how many bytes
the websocket carried to the first page. Bounded: every wait times out at 180 s and the
sessions at --limit seconds. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from tests._server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    AppServer,
    wait_until_healthy,
)

HEADER = "By Day,Campaign name,Ad group name,Ad name,Currency,Cost,Impressions,Clicks (destination)"
CLOCK = os.sysconf("SC_CLK_TCK")
HELLO = 'import streamlit as st\n\nst.title("Hello")\nst.write("A bare Streamlit page.")\n'
WAIT = 180_000


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


# ---------------------------------------------------------------- where the CPU goes (/proc)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (Linux /proc), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_cpu() -> tuple[float, float]:
    """(busy, idle) CPU-seconds of the whole machine since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    busy = sum(values[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / CLOCK, idle / CLOCK


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


def process_kind(pid: int) -> str | None:
    """'browser', 'gpu-process', 'renderer', 'utility:network', ... for a Chromium process,
    'playwright-driver' for Playwright's node process, None for anything else."""
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            # Chromium's children rewrite their title (setproctitle): one string, spaces.
            args = f.read().decode(errors="replace").replace("\0", " ").split()
    except OSError:
        return None
    if "node" in Path(exe).name:
        return "playwright-driver"
    if "chrom" not in exe:
        return None
    kind = next((a.split("=", 1)[1] for a in args if a.startswith("--type=")), "browser")
    if kind == "utility":
        sub = next((a.split("=", 1)[1] for a in args if a.startswith("--utility-sub-type=")), "")
        kind = "utility:" + (sub.split(".")[0] or "other")
    return kind


class Sampler:
    """Every 0.5 s: each descendant process's CPU (its last figure kept, so one that exited
    still counts), the server's RSS peak; the machine's busy/idle CPU at start and stop."""

    def __init__(self, server: AppServer):
        self.server = server
        self.kinds: dict[int, str] = {}
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tick(self) -> None:
        self.peak = max(self.peak, self.server.rss())
        for pid in _descendants(os.getpid()):
            if pid not in self.kinds:
                kind = "server" if pid == self.server.proc.pid else process_kind(pid)
                if kind is None:
                    continue
                self.kinds[pid] = kind
            seconds = cpu_seconds(pid)
            if seconds:
                self.first.setdefault(pid, seconds)
                self.last[pid] = seconds

    def _run(self) -> None:
        while not self._stop.is_set():
            self._tick()
            time.sleep(0.5)

    def start(self) -> None:
        self._tick()  # the processes alive now: their CPU so far is not this run's
        self.machine0 = machine_cpu()
        self.started = time.perf_counter()
        self._thread.start()

    def stop(self) -> dict:
        self._tick()
        wall = time.perf_counter() - self.started
        busy1, idle1 = machine_cpu()
        self._stop.set()
        by_kind: dict[str, float] = {}
        count: dict[str, int] = {}
        for pid, kind in self.kinds.items():
            used = self.last.get(pid, 0.0) - self.first.get(pid, 0.0)
            by_kind[kind] = by_kind.get(kind, 0.0) + used
            count[kind] = count.get(kind, 0) + 1
        busy, idle = busy1 - self.machine0[0], idle1 - self.machine0[1]
        return {
            "wall_s": round(wall, 1),
            "machine_capacity": round(wall * (os.cpu_count() or 1), 1),
            "machine_busy": round(busy, 1),
            "machine_idle": round(idle, 1),
            "machine_busy_fraction": round(busy / (busy + idle), 2) if busy + idle else None,
            "by_process_kind": {k: round(v, 1) for k, v in sorted(by_kind.items())},
            "processes_by_kind": dict(sorted(count.items())),
        }


# ---------------------------------------------------------------- one participant

# When the page's own scripts had arrived, and how many there were (Resource Timing).
BUNDLE = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource')
        .filter(r => r.name.includes('/static/'));
    return {
        html_ms: nav ? Math.round(nav.responseEnd) : null,
        dom_ms: nav ? Math.round(nav.domContentLoadedEventEnd) : null,
        static_done_ms: res.length ? Math.round(Math.max(...res.map(r => r.responseEnd))) : null,
        static_files: res.length,
        static_kb: Math.round(res.reduce((a, r) => a + (r.encodedBodySize || 0), 0) / 1024),
        static_urls: res.map(r => r.name),
    };
}"""


def serve_static(server: AppServer, urls: list[str], clients: int) -> dict:
    """The page's static files (as the warm session fetched them) fetched by `clients`
    threads at once, each over its own keep-alive connection, with no browser: how long the
    server takes to hand the bundle to a room, and its CPU for it."""
    import http.client
    from urllib.parse import urlsplit

    paths = [urlsplit(u).path for u in urls]

    def client(times: list) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        t0 = time.perf_counter()
        for path in paths:
            conn.request("GET", path)
            conn.getresponse().read()
        times.append(time.perf_counter() - t0)
        conn.close()

    cpu0, times = cpu_seconds(server.proc.pid), []
    threads = [threading.Thread(target=client, args=(times,)) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return {
        "clients": clients,
        "files_each": len(paths),
        "wall_s": round(time.perf_counter() - t0, 2),
        "per_client_s": spread(times),
        "server_cpu_s": round(cpu_seconds(server.proc.pid) - cpu0, 2),
    }


# Idle (tests/_server.py's IDLE) and every visible chart laid out. Each step first waits for
# text that only the finished run draws, so no sleep is needed for the rerun to start.
SHOWN = f"""() => ({IDLE})() && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .filter(c => c.offsetParent !== null)
    .every(c => {{ const g = c.querySelector('canvas, svg');
                  return g && g.getBoundingClientRect().width > 0; }})"""


async def wait_idle(page) -> None:
    await page.wait_for_function(SHOWN, timeout=WAIT, polling=50)


async def session(browser, url: str, i: int, days: int, sessions: int, start, args) -> dict:
    await start.wait()
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    out: dict = {}
    frames = {"in": 0, "out": 0, "n_in": 0}

    def on_ws(ws) -> None:
        def got(payload) -> None:
            frames["in"] += len(payload)
            frames["n_in"] += 1

        def sent(payload) -> None:
            frames["out"] += len(payload)

        ws.on("framereceived", got)
        ws.on("framesent", sent)

    page.on("websocket", on_ws)
    try:
        t0 = time.perf_counter()
        if args.app == "hello":
            await page.goto(f"{url}/", timeout=WAIT)
            await page.get_by_text("A bare Streamlit page.").wait_for(timeout=WAIT)
        else:
            await page.goto(f"{url}/data", timeout=WAIT)
            await page.get_by_text("Tables found").wait_for(timeout=WAIT)
        await wait_idle(page)
        out["first_page"] = time.perf_counter() - t0
        out["first_page_ws_kb_in"] = round(frames["in"] / 1024, 1)
        out["first_page_ws_messages_in"] = frames["n_in"]
        out["first_page_ws_kb_out"] = round(frames["out"] / 1024, 1)
        out["bundle"] = await page.evaluate(BUNDLE)
        if args.app == "hello" or args.first_page_only:
            return out
        t0 = time.perf_counter()
        await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            [{"name": f"report_{token(i)}.csv", "mimeType": "text/csv", "buffer": report(i, days)}]
        )
        await page.get_by_text("Showing your uploaded files").wait_for(timeout=WAIT)
        await wait_idle(page)
        out["upload"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        await (
            page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
            .filter(has_text="Ads")
            .first.click()
        )
        # The table is a canvas; its cells are in a hidden grid for screen readers.
        await page.get_by_text(f"Camp {token(i)}").first.wait_for(state="attached", timeout=WAIT)
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


def spread(values: list[float]) -> dict:
    return {"p50": pct(values, 0.5), "p95": pct(values, 0.95), "n": len(values)}


# ---------------------------------------------------------------- the server's own lines


def log_lines(log: Path) -> list[str]:
    return [ln for ln in log.read_text(errors="replace").splitlines() if ln.startswith("metrics-")]


def server_figures(lines: list[str]) -> dict:
    """The server's script runs (count per session, seconds) and its event loop's lateness."""
    runs: list[float] = []
    per_session: dict[str, int] = {}
    lag_mean: list[float] = []
    lag_max: list[float] = []
    for ln in lines:
        parts = ln.split(" ")
        if parts[0] == "metrics-timing" and parts[1] == "run":
            runs.append(float(parts[3]))
            per_session[parts[-1]] = per_session.get(parts[-1], 0) + 1
        elif parts[0] == "metrics-loop":
            lag_mean.append(float(parts[2]))
            lag_max.append(float(parts[3]))
    counts = list(per_session.values())
    return {
        "script_runs_s": {**spread(runs), "max": pct(runs, 1.0), "sum": round(sum(runs), 1)},
        "script_runs_per_session": {"min": min(counts), "max": max(counts)} if counts else None,
        "event_loop_lag_ms": {
            "seconds_sampled": len(lag_mean),
            "mean_of_means": round(statistics.mean(lag_mean), 1) if lag_mean else None,
            "p95_of_maxima": pct(lag_max, 0.95),
            "max": pct(lag_max, 1.0),
        },
    }


# ---------------------------------------------------------------- one run of N sessions


class HelloServer(AppServer):
    """The same server, on a hello-world app in a temp folder."""

    def __init__(self, folder: Path, **kwargs):
        super().__init__(cwd=folder, **kwargs)
        self.script = folder / "hello.py"
        self.script.write_text(HELLO)

    def start(self) -> AppServer:
        command = [
            sys.executable, "-m", "streamlit", "run", str(self.script),
            "--server.port", str(self.port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            command, cwd=self.cwd, env=self.env, stdout=self.output, stderr=self.output
        )
        if wait_until_healthy(self.url, time.perf_counter() + self.start_timeout, self.proc):
            return self
        self.stop()
        raise RuntimeError("the hello-world server did not start")


async def run(args, sessions: int) -> dict:
    folder = tempfile.TemporaryDirectory(prefix="bench_load_")
    log = Path(folder.name) / "server.log"
    output = log.open("wb")
    env = {"METRICS_TIMINGS": "1"}
    if args.app == "hello":
        server = HelloServer(Path(folder.name), output=output, env=env)
    else:
        server = AppServer(output=output, env=env)
    server.start()
    sampler = Sampler(server)
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *args.chromium_arg]
            )
            # One session first, so "before" is the app loaded (sample, caches), not bare Python.
            go = asyncio.Event()
            go.set()
            warm = await session(browser, server.url, 99, 2, 0, go, args)
            shown = {**warm, "bundle": {**warm.get("bundle", {}), "static_urls": "..."}}
            print(f"{sessions} sessions; warm session:", json.dumps(shown), file=sys.stderr)
            static = None
            if args.static and warm.get("bundle", {}).get("static_urls"):
                static = await asyncio.to_thread(
                    serve_static, server, warm["bundle"]["static_urls"], sessions
                )
            await asyncio.sleep(2)
            before = server.rss()
            since = len(log_lines(log))
            sampler.start()
            start = asyncio.Event()
            tasks = [
                asyncio.ensure_future(
                    session(browser, server.url, i, args.rows, sessions, start, args)
                )
                for i in range(sessions)
            ]
            start.set()  # every session starts at the same moment
            results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.limit)
            cpu = sampler.stop()
            server_side = server_figures(log_lines(log)[since:])
            await browser.close()
        await asyncio.sleep(args.settle)
        after = server.rss()
    finally:
        sampler._stop.set()
        server.stop()
        output.close()
        folder.cleanup()
    done = [r for r in results if "error" not in r]

    def figures(key: str) -> dict:
        return spread([r[key] for r in done if key in r])

    def bundle(key: str) -> dict:
        return spread([r["bundle"][key] / 1000 for r in done if r.get("bundle", {}).get(key)])

    mb = 1024**2
    kinds = cpu["by_process_kind"]
    chromium = sum(v for k, v in kinds.items() if k not in ("server", "playwright-driver"))
    out = {
        "app": args.app,
        "extra_chromium_args": args.chromium_arg,
        "sessions": sessions,
        "load_average_after": " ".join(f"{v:.2f}" for v in os.getloadavg()),
        "warm_session_error": warm.get("error"),
        "first_page_s": figures("first_page"),
        "upload_s": figures("upload"),
        "ads_page_s": figures("ads_page"),
        "failed_sessions": [r["error"] for r in results if "error" in r],
        "sessions_showing_another_sessions_names": sum(bool(r.get("saw_others")) for r in done),
        "sessions_not_showing_their_own_names": sum(
            not r.get("saw_own") for r in done if "upload" in r
        ),
        "first_page_static_files_arrived_s": bundle("static_done_ms"),
        "first_page_dom_ready_s": bundle("dom_ms"),
        "first_page_static_files": done[0]["bundle"]["static_files"] if done else None,
        "first_page_static_kb": done[0]["bundle"]["static_kb"] if done else None,
        "static_files_served_without_browser": static,
        "first_page_websocket_kb_in": spread([r["first_page_ws_kb_in"] for r in done]),
        "first_page_websocket_messages_in": spread([r["first_page_ws_messages_in"] for r in done]),
        "server": server_side,
        "cpu_s_while_sessions_ran": cpu,
        "chromium_cpu_s_per_session": round(chromium / sessions, 2) if sessions else None,
        "server_cpu_s_per_session": round(kinds.get("server", 0) / sessions, 2)
        if sessions
        else None,
        "server_rss_mb": {
            "before": round(before / mb),
            "peak": round(max(sampler.peak, before) / mb),
            "after": round(after / mb),
            "after_vs_before": round(after / before - 1, 3) if before else None,
            "settle_s": args.settle,
        },
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", default="20", help="a number, or several: 1,5,10,20")
    parser.add_argument("--rows", type=int, default=60, help="days of rows per report (5 ads)")
    parser.add_argument(
        "--settle", type=float, default=150, help="seconds after the sessions closed"
    )
    parser.add_argument("--limit", type=float, default=480, help="seconds for the sessions")
    parser.add_argument("--app", choices=("metrics", "hello"), default="metrics")
    parser.add_argument("--first-page-only", action="store_true", help="no upload, no Ads page")
    parser.add_argument(
        "--chromium-arg", action="append", default=[], help="an extra Chromium flag (A/B)"
    )
    parser.add_argument(
        "--no-static",
        dest="static",
        action="store_false",
        help="skip serving the static files to N clients without a browser",
    )
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", file=sys.stderr)
    for n in [int(v) for v in args.sessions.split(",")]:
        print(json.dumps(asyncio.run(run(args, n)), indent=2), flush=True)


if __name__ == "__main__":
    main()
