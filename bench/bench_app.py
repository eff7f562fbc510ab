"""Page switches and window changes in a real headless Chromium, on the sample and on 1M rows.

    python bench/bench_app.py [--repeat 3] [--rows 1000000] [--skip-1m]

Starts one `streamlit run app.py` (tests/_server.py) and one Chromium (/usr/bin/chromium).

Sample data: the time to the first rendered page (the Overview with "What stands out"), then
`--repeat` rounds of a click on each page's link, and of window changes on the Overview (7,
365, 28 days). A figure runs from the click until the rerun it caused has finished and is
painted: the script state went "running" after the click and back to "notRunning" (a run
so quick that React commits it in one go never shows "running": then a change in the main
area after the click counts as its start), no placeholder is left, every visible chart has its canvas or svg laid out, checked on every
animation frame, then two more frames (see ARM and DRAWN below). No fixed sleep, no quiet
period. Reported: median
and 95th percentile of every page switch and of every window change, and the same for the
first round alone (the first time a figure is asked for, before anything is remembered);
and the median of the renderer's main-thread seconds per figure (CDP Performance metrics:
tasks, JavaScript, style, layout), which grows far less than the wall time when other
processes share the machine. `--windows-only` times the sample's window changes alone.

1M rows (left out with --skip-1m): a synthetic Ads Manager report (bench/bench_import.py's
generator, ~200 MB) is uploaded through the file input in a new session; the time from
choosing the file until the Overview shows its KPI cards, split into the server's parse and
combine (read from the server's METRICS_TIMINGS lines) and the rest (upload transfer,
pages, charts); then the same page-switch and window-change rounds. On so large an account
the Overview's "What stands out" may fill in after the cards and charts (ui/story.py): a
figure ends when the page's run is drawn, then the bench waits for the panel before the
next click and reports when it filled in (`upload_to_story_s`, `story_filled_after_figure_s`).

Figures go to stdout as JSON; nothing here runs in the test suite. Bounded: every wait times
out (120 s for a page, 600 s for the 1M upload).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_load import _descendants, cpu_seconds, process_kind  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests._server import CHROMIUM, CHROMIUM_ARGS, IDLE, AppServer  # noqa: E402
from ui.router import PAGES as ROUTER_PAGES  # noqa: E402

PAGES = [title for _, title, _, _ in ROUTER_PAGES]  # the sidebar's links, in order
WINDOWS = ["7 days", "365 days", "28 days"]
LINKS = '[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]'


# When a figure ends. Armed just before the click: an observer notes when Streamlit's script
# state turns "running" (the rerun the click caused has started). The figure ends at the
# first animation frame where that run has finished (state "notRunning", no placeholder
# left) and every visible chart has its canvas or svg laid out, plus two more animation
# frames so what React and Vega committed in that frame is painted. No fixed sleep and no
# quiet period: a figure ends when the page is drawn, not after an arbitrary wait.
ARM = """() => {
    window.__benchRun = {started: false, mainChanged: false};
    if (window.__benchObserver) window.__benchObserver.disconnect();
    if (window.__benchMainObserver) window.__benchMainObserver.disconnect();
    // A run that starts and ends before the observer's callback still leaves a record
    // whose old value is "running"; a re-mounted app arrives as a child-list change.
    const seen = (records) => {
        for (const r of records) {
            if (r.type === 'attributes' && r.oldValue === 'running')
                window.__benchRun.started = true;
        }
        const app = document.querySelector('[data-testid="stApp"]');
        if (app && app.getAttribute('data-test-script-state') === 'running')
            window.__benchRun.started = true;
    };
    window.__benchObserver = new MutationObserver(seen);
    window.__benchObserver.observe(document.body, {
        attributes: true, attributeOldValue: true, childList: true, subtree: true,
        attributeFilter: ['data-test-script-state']});
    // A rerun whose messages all arrive before the browser draws (a run of a few
    // milliseconds) is committed by React in one go: "running" never reaches the DOM, and
    // the page's content changes with the state still "notRunning". So a change in the
    // page's main area after the click also counts as the rerun having started (a click in
    // the sidebar changes nothing there by itself). Not inside a chart or a table: Vega and
    // the table widget may still be drawing what the previous run sent.
    const main = document.querySelector('[data-testid="stMain"]');
    const drawing = '[data-testid="stVegaLiteChart"], [data-testid="stDataFrame"]';
    if (main) {
        window.__benchMainObserver = new MutationObserver((records) => {
            for (const r of records) {
                const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
                if (node && !node.closest(drawing)) window.__benchRun.mainChanged = true;
            }
        });
        window.__benchMainObserver.observe(main, {
            attributes: true, childList: true, subtree: true, characterData: true});
    }
}"""
DRAWN = """() => {
    const run = window.__benchRun;
    if (!run || !(run.started || run.mainChanged)) return false;
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    // Charts a visitor can see: not in a hidden tab, nor in a closed expander (Vega does
    // not draw into a container that is not shown).
    return [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .filter(c => c.offsetParent !== null && (!c.checkVisibility || c.checkVisibility()))
        .every(c => { const g = c.querySelector('canvas, svg');
                      return g && g.getBoundingClientRect().width > 0; });
}"""
PAINTED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def arm(page) -> None:
    page.evaluate(ARM)


def wait_drawn(page, timeout: float = 120_000) -> None:
    """After `arm` and an action: until the rerun it caused has finished and is painted."""
    page.wait_for_function(DRAWN, timeout=timeout, polling="raf")
    page.evaluate(PAINTED)


# On a large account the Overview's "What stands out" may fill in after the page's run
# (ui/story.py): its place says so (`story_pending`) until a rerun draws the findings.
STORY_PENDING = '[class*="st-key-story_pending"]'
STORY_SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !document.querySelector('[class*="st-key-story_pending"]') && app &&
        app.getAttribute('data-test-script-state') === 'notRunning';
}"""


def settle_story(page, timeout: float = 120_000) -> float | None:
    """After a figure: the seconds until a panel still filling in has its findings drawn
    (None when none was pending), so the next figure does not start amid its rerun."""
    if not page.locator(STORY_PENDING).count():
        return None
    t0 = time.perf_counter()
    page.wait_for_function(STORY_SETTLED, timeout=timeout, polling=50)
    page.evaluate(PAINTED)
    return time.perf_counter() - t0


def wait_idle(page, timeout: float = 120_000) -> None:
    """Until Streamlit is idle (after a navigation, where nothing was armed)."""
    page.wait_for_function(IDLE, timeout=timeout, polling=20)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def figures(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 3),
        "p95": round(p95(values), 3),
        "max": round(max(values), 3),
        "n": len(values),
    }


# The renderer's main-thread work per figure (Chrome DevTools Protocol, Performance
# domain): seconds of tasks, of them JavaScript, style and layout. Unlike the wall time it
# hardly grows when other processes share the cores, so A/B comparisons on a busy machine
# read it first.
CPU_METRICS = {
    "TaskDuration": "main_thread_s",
    "ScriptDuration": "script_s",
    "RecalcStyleDuration": "style_s",
    "LayoutDuration": "layout_s",
}
_CDP: dict = {}


def _main_thread(page) -> dict[str, float]:
    session = _CDP.get(id(page))
    if session is None:
        session = page.context.new_cdp_session(page)
        session.send("Performance.enable")
        _CDP[id(page)] = session
    metrics = session.send("Performance.getMetrics")["metrics"]
    return {m["name"]: m["value"] for m in metrics if m["name"] in CPU_METRICS}


SERVER: dict = {}  # "pid": the streamlit server's process id, set in main()
REUSE: dict = {}  # "report": keep the generated 1M-row report in the temp folder and reuse it


def _chromium_cpu() -> float:
    """CPU-seconds used so far by every Chromium process of this bench (browser, GPU,
    renderers, utilities), from /proc: true CPU, not stretched by waiting for a core."""
    pids = _descendants(os.getpid()) - {SERVER.get("pid")}
    kinds = {pid: process_kind(pid) for pid in pids}
    return sum(
        cpu_seconds(pid) for pid, kind in kinds.items() if kind and kind != "playwright-driver"
    )


def _timed(page, act, timeout: float) -> tuple[float, dict[str, float]]:
    """Wall seconds of `act` until drawn; the renderer's main-thread seconds in it, and the
    CPU-seconds Chromium and the server spent on it."""
    before = _main_thread(page)
    chromium, server = _chromium_cpu(), cpu_seconds(SERVER.get("pid", 0))
    arm(page)
    t0 = time.perf_counter()
    act()
    wait_drawn(page, timeout)
    wall = time.perf_counter() - t0
    after = _main_thread(page)
    out = {CPU_METRICS[k]: after[k] - before.get(k, 0.0) for k in after}
    out["chromium_cpu_s"] = _chromium_cpu() - chromium
    out["server_cpu_s"] = cpu_seconds(SERVER.get("pid", 0)) - server
    return wall, out


def switch(page, name: str, timeout: float = 120_000) -> tuple[float, dict]:
    link = page.locator(LINKS).get_by_text(name, exact=True)

    def act():
        link.click()
        page.locator("h1", has_text=name.split(" ")[0]).first.wait_for(timeout=timeout)

    return _timed(page, act, timeout)


def change_window(page, label: str, timeout: float = 120_000) -> tuple[float, dict]:
    choice = page.locator('[data-testid="stSidebar"]').get_by_text(label, exact=True)
    return _timed(page, choice.click, timeout)


def _cpu(samples: list[dict]) -> dict:
    names = [*CPU_METRICS.values(), "chromium_cpu_s", "server_cpu_s"]
    return {
        name: round(statistics.median(s[name] for s in samples), 3)
        for name in names
        if samples and all(name in s for s in samples)
    }


def rounds(page, repeat: int, timeout: float = 120_000, windows_only: bool = False) -> dict:
    """`repeat` rounds of every page switch, then of window changes on the Overview."""
    pages: dict[str, list[float]] = {name: [] for name in PAGES}
    page_cpu: list[dict] = []
    story: list[float] = []  # seconds after a figure until "What stands out" filled in

    def settle() -> None:
        seconds = settle_story(page, timeout)
        if seconds is not None:
            story.append(seconds)
            print(f"    (What stands out filled in {seconds:.2f} s later)", file=sys.stderr)

    for _ in range(0 if windows_only else repeat):
        for name in PAGES:
            wall, cpu = switch(page, name, timeout)
            pages[name].append(wall)
            page_cpu.append(cpu)
            settle()
            print(
                f"  {name}: {wall:.2f} s (main thread {cpu.get('main_thread_s', 0):.2f} s, "
                f"Chromium CPU {cpu['chromium_cpu_s']:.2f} s)",
                file=sys.stderr,
                flush=True,
            )
    switch(page, "Overview", timeout)
    settle_story(page, timeout)
    windows, window_cpu = [], []
    for label in WINDOWS * repeat:
        wall, cpu = change_window(page, label, timeout)
        windows.append(wall)
        window_cpu.append(cpu)
        settle()
        print(
            f"  window {label}: {wall:.2f} s (main thread {cpu.get('main_thread_s', 0):.2f} s, "
            f"Chromium CPU {cpu['chromium_cpu_s']:.2f} s)",
            file=sys.stderr,
            flush=True,
        )
    out: dict = {}
    if not windows_only:
        every = [t for times in pages.values() for t in times]
        out.update(
            {
                "page_switch_s": figures(every),
                "page_switch_first_round_s": figures([times[0] for times in pages.values()]),
                "page_switch_by_page_median_s": {
                    name: round(statistics.median(t), 3) for name, t in pages.items()
                },
                "page_switch_renderer_median_s": _cpu(page_cpu),
            }
        )
    out.update(
        {
            "window_change_s": figures(windows),
            "window_change_first_round_s": figures(windows[: len(WINDOWS)]),
            "window_change_renderer_median_s": _cpu(window_cpu),
        }
    )
    if story:  # (the figures above end when the page's run is drawn, the panel pending)
        out["story_filled_after_figure_s"] = figures(story)
    return out


def timing_lines(log: Path) -> list[tuple[str, float]]:
    """The server's METRICS_TIMINGS lines: (step, seconds), in order."""
    out = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("metrics-timing "):
            _, step, _size, seconds, *_ = line.split(" ", 4)
            out.append((step, float(seconds)))
    return out


def timings(log: Path) -> dict:
    """Seconds per step (parse, combine, run) summed over the server's timing lines."""
    out: dict[str, float] = {}
    for step, seconds in timing_lines(log):
        out[step] = round(out.get(step, 0.0) + seconds, 3)
    return out


def server_runs(log: Path, since: int) -> dict:
    """Median and p95 of the server's script runs after the first `since` timing lines:
    the part of a page switch or window change spent in Python, the rest is the browser."""
    runs = [s for step, s in timing_lines(log)[since:] if step == "run"]
    return figures(runs) if runs else {}


def sample_part(
    browser, url: str, repeat: int, started: float, log: Path, windows_only: bool = False
) -> dict:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    t0 = time.perf_counter()
    page.goto(f"{url}/", timeout=120_000)
    page.locator(".st-key-story_panel").wait_for(timeout=120_000)
    wait_idle(page)
    results = {
        "server_start_to_first_page_s": round(time.perf_counter() - started, 2),
        "first_page_s": round(time.perf_counter() - t0, 2),
    }
    since = len(timing_lines(log))
    results.update(rounds(page, repeat, windows_only=windows_only))
    results["server_script_runs_s"] = server_runs(log, since)
    page.close()
    return results


def floor_server() -> AppServer:
    """`streamlit run bench/floor_app.py`: the bare page of the Overview's shape (the floor),
    with the app's sidebar settings (its own links, Streamlit's list of pages hidden)."""
    return AppServer(
        script=ROOT / "bench" / "floor_app.py",
        options={"client.showSidebarNavigation": "false", "client.toolbarMode": "minimal"},
    )


def floor_part(browser, url: str, repeat: int, windows_only: bool = False) -> dict:
    """The same rounds on bench/floor_app.py (no server timing lines: nothing of ours)."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    t0 = time.perf_counter()
    page.goto(f"{url}/overview", timeout=120_000)
    page.locator("h1", has_text="Overview").first.wait_for(timeout=120_000)
    wait_idle(page)
    results = {"first_page_s": round(time.perf_counter() - t0, 2)}
    results.update(rounds(page, repeat, windows_only=windows_only))
    page.close()
    return results


def million_part(
    browser, url: str, repeat: int, rows: int, log: Path, timeout: float = 600_000
) -> dict:
    from bench_import import make_report

    t0 = time.perf_counter()
    cached = Path(tempfile.gettempdir()) / f"bench_app_report_{rows}.csv"
    if REUSE.get("report") and cached.exists():  # --reuse-report: the same bytes again
        data = cached.read_bytes()
    else:
        data = make_report(rows)
        if REUSE.get("report"):
            cached.write_bytes(data)
    results: dict = {"rows": rows, "file_mb": round(len(data) / 1e6, 1)}
    results["generate_s"] = round(time.perf_counter() - t0, 1)
    with tempfile.TemporaryDirectory(prefix="bench_app_") as folder:
        path = Path(folder) / "Custom_report_1M_rows.csv"
        path.write_bytes(data)
        del data
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        page.goto(f"{url}/data", timeout=120_000)
        page.get_by_text("Tables found").wait_for(timeout=120_000)
        wait_idle(page)
        before = timings(log)
        since_upload = len(timing_lines(log))
        sent: list[float] = []
        page.on(
            "requestfinished",
            lambda r: sent.append(time.perf_counter()) if "upload_file" in r.url else None,
        )
        arm(page)
        t0 = time.perf_counter()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
        page.get_by_text("Showing your uploaded files").wait_for(timeout=timeout)
        wait_drawn(page, timeout)
        results["upload_to_data_page_s"] = round(time.perf_counter() - t0, 2)
        arm(page)
        t1 = time.perf_counter()
        page.locator(LINKS).get_by_text("Overview", exact=True).click()
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=timeout)
        wait_drawn(page, timeout)
        total = time.perf_counter() - t0
        results["data_page_to_overview_s"] = round(time.perf_counter() - t1, 2)
        # "What stands out" may fill in after the cards and charts (ui/story.py): when.
        results["story_pending_at_overview"] = bool(page.locator(STORY_PENDING).count())
        settle_story(page, timeout)
        results["upload_to_story_s"] = round(time.perf_counter() - t0, 2)
        # The upload's HTTP request (the browser reading the file and sending it, the web
        # server's multipart parsing, Streamlit keeping the bytes) ended this long after
        # the file was chosen; then the script runs (parse and combine inside them).
        results["upload_request_done_s"] = round(sent[0] - t0, 2) if sent else None
        runs = [(step, sec) for step, sec in timing_lines(log)[since_upload:] if step == "run"]
        results["server_script_runs_until_overview_s"] = [round(sec, 2) for _, sec in runs]
    after = timings(log)
    parse = round(after.get("parse", 0) - before.get("parse", 0), 2)
    combine = round(after.get("combine", 0) - before.get("combine", 0), 2)
    results["upload_to_overview_s"] = round(total, 2)
    results["of_which_server_parse_s"] = parse
    results["of_which_server_combine_s"] = combine
    results["of_which_rest_s"] = round(total - parse - combine, 2)
    since = len(timing_lines(log))
    results.update(rounds(page, repeat, timeout=timeout))
    results["server_script_runs_s"] = server_runs(log, since)
    context.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-1m", action="store_true", help="the sample only")
    parser.add_argument("--skip-sample", action="store_true", help="the 1M-row part only")
    parser.add_argument(
        "--windows-only", action="store_true", help="the sample's window changes only (A/B)"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="the same rounds on bench/floor_app.py, a bare page of the Overview's shape "
        "(FLOOR_CARDS, FLOOR_KIND, FLOOR_CHARTS, FLOOR_TEXTS, FLOOR_TABLES in the environment)",
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds a 1M-row step may take")
    parser.add_argument("--server-log", help="also copy the server's output (timing lines) here")
    parser.add_argument(
        "--reuse-report",
        action="store_true",
        help="keep the generated report in the temp folder and reuse it (A/B runs)",
    )
    args = parser.parse_args()
    REUSE["report"] = args.reuse_report
    results: dict = {"repeat": args.repeat}
    if args.floor:
        shape = {k: v for k, v in os.environ.items() if k.startswith("FLOOR_")}
        with floor_server() as server:
            SERVER["pid"] = server.proc.pid
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                results["floor"] = {
                    "shape": shape,
                    **floor_part(browser, server.url, args.repeat, args.windows_only),
                }
                browser.close()
        print(json.dumps(results, indent=2))
        return
    with tempfile.TemporaryDirectory(prefix="bench_app_log_") as folder:
        log = Path(folder) / "server.log"
        with log.open("wb") as output:
            started = time.perf_counter()
            with AppServer(output=output, env={"METRICS_TIMINGS": "1"}) as server:
                SERVER["pid"] = server.proc.pid
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                    if not args.skip_sample:
                        results["sample"] = sample_part(
                            browser, server.url, args.repeat, started, log, args.windows_only
                        )
                        # Said at once: a later part that fails must not take these along.
                        print(
                            json.dumps({"sample": results["sample"]}), file=sys.stderr, flush=True
                        )
                    if not args.skip_1m:
                        results["1m_rows"] = million_part(
                            browser, server.url, args.repeat, args.rows, log, args.timeout * 1000
                        )
                    browser.close()
                results["server_rss_mb_at_end"] = round(server.rss() / 1024**2)
        if args.server_log:
            Path(args.server_log).write_bytes(log.read_bytes())
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
