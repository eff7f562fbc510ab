"""One `streamlit run` of the app on a free loopback port, for the browser tests and benches.

    with AppServer() as server:          # or AppServer(cwd=..., env={...}) for other dirs
        page.goto(server.url + "/data")

Started once per test session (tests/conftest.py's `app_server` fixture, or a module's own
fixture when it needs its own temp dir or home) and once per bench run; it waits, bounded,
until the server answers its health check, and stops it (terminate, then kill) on exit.
Under xdist the controller spawns the test run's servers before the workers collect
(`spawn()` now, a worker's `Started(url)` waits for the answer). `SharedContext` gives the
browser tests tabs in one Chromium context, so the app's scripts are cached between tests.
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

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every browser context of the test run: the page as a visitor who asked their system for
# reduced motion sees it (the app's CSS media query `prefers-reduced-motion: reduce`).
# Streamlit then skips its transitions and looping animations, which headless Chromium
# otherwise paints frame by frame in software: about a quarter of its CPU per page load
# (8 pages, 3 runs each, measured side by side). What the tests read (text, boxes, widths,
# requests, downloads) is what the page shows once it has settled, with or without motion.
CONTEXT_OPTIONS = {"reduced_motion": "reduce"}
# The test run's servers (tests/conftest.py): no watcher of the source files, as in
# .streamlit/config.toml (said here too, so the tests do not depend on that setting).
# Streamlit otherwise watches every module of the app's folder for each session and, after
# every run of a page, walks sys.modules to update the watches, for a rerun on save that no
# test uses: about 45 % of the server's CPU per page load (5 loads, twice each, measured side
# by side). What a page shows and sends is the same with or without it.
TEST_OPTIONS = {"server.fileWatcherType": "none"}
# Streamlit's own state on the page: 'notRunning' once a run has finished and no skeleton
# (a placeholder while elements arrive) is left.
IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"]');
}"""


# Settled: idle as above for `quiet` ms (reruns come in bursts: one that follows straight
# after would have started) and every visible chart drawn (Vega paints after the run ends).
SETTLED = """(quiet) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"]');
    const now = Date.now();
    if (!idle) { window.__idleSince = undefined; return false; }
    window.__idleSince = window.__idleSince || now;
    const drawn = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .filter(c => c.offsetParent !== null)
        .every(c => { const g = c.querySelector('canvas, svg');
                      return g && g.getBoundingClientRect().width > 0; });
    return drawn && now - window.__idleSince > quiet;
}"""


def settle(page, timeout: float = 60_000, quiet_ms: int = 500) -> None:
    """Wait (sync Playwright) until Streamlit has finished running and painted."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(SETTLED, arg=quiet_ms, timeout=timeout, polling=50)


def wait_until_healthy(url: str, deadline: float, proc: subprocess.Popen | None = None) -> bool:
    """Poll `url`'s health check until it says ok (True), the process ends or the
    perf_counter deadline passes (False)."""
    while time.perf_counter() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return True
        except OSError:
            time.sleep(0.1)
    return False


def early_server(request, key: str):
    """The address (and for the injection server its folders) the controller started, or
    None when this run has no early server (no -n, or not a browser run)."""
    workerinput = getattr(request.config, "workerinput", {})
    if f"metrics_{key}" not in workerinput:
        return None
    return workerinput[f"metrics_{key}"], workerinput.get(f"metrics_{key}_dirs")


class Started:
    """A server started by another process (the xdist controller, tests/conftest.py): its
    address, waited for until it answers."""

    def __init__(self, url: str, timeout: float = 120):
        started = time.perf_counter()
        if not wait_until_healthy(url, started + timeout):
            raise RuntimeError(
                f"the test run's streamlit at {url} did not answer in {timeout:.0f} s"
            )
        self.url = url
        self.start_seconds = time.perf_counter() - started  # what was left to wait


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SharedContext:
    """A browser whose `new_page` opens a tab in one shared context (the same viewport and
    download options, set per page), so Streamlit's JavaScript and fonts are fetched and
    compiled once for the whole run instead of once per test: its static files are served
    `immutable`, and a fresh context starts with an empty cache. Each tab is still its own
    Streamlit session. `requests` lists the URL of every request any of its tabs made since
    the context was made, with an empty cache (so every script, font and icon fetch is in
    it). `new_context` gives a context of its own (a test that needs a clean profile)."""

    def __init__(self, browser, context):
        self.browser = browser
        self.context = context
        self.requests: list[str] = []
        context.on("request", lambda request: self.requests.append(request.url))

    def new_page(self, viewport: dict | None = None, **options):
        unsupported = set(options) - {"accept_downloads"}
        if unsupported or options.get("accept_downloads") is False:
            raise TypeError(f"the shared context cannot take {sorted(options)}: use new_context")
        page = self.context.new_page()
        if viewport:
            page.set_viewport_size(viewport)
        return page

    def new_context(self, **options):
        return self.browser.new_context(**{**CONTEXT_OPTIONS, **options})


class AppServer:
    """`streamlit run app.py` (or another `script`) in a child process, loopback only, no
    usage statistics; `options` are more of streamlit's `--name value` settings."""

    def __init__(
        self,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        output: int | None = subprocess.DEVNULL,
        start_timeout: float = 120,
        options: dict[str, str] | None = None,
        script: Path = ROOT / "app.py",
    ):
        self.script = Path(script)
        self.cwd = Path(cwd or ROOT)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.output = output
        self.start_timeout = start_timeout
        self.options = options or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.start_seconds: float | None = None

    def spawn(self) -> AppServer:
        """Start the process and return at once (wait() waits until it answers)."""
        command = [
            sys.executable, "-m", "streamlit", "run", str(self.script),
            "--server.port", str(self.port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        for name, value in self.options.items():
            command += [f"--{name}", str(value)]
        self._started = time.perf_counter()
        self.proc = subprocess.Popen(
            command,
            cwd=self.cwd,
            env=self.env,
            stdout=self.output,
            stderr=subprocess.STDOUT if self.output == subprocess.PIPE else self.output,
        )
        return self

    def wait(self) -> AppServer:
        """Wait, bounded, until the spawned server answers its health check."""
        assert self.proc is not None, "spawn() first"
        if wait_until_healthy(self.url, self._started + self.start_timeout, self.proc):
            self.start_seconds = time.perf_counter() - self._started
            return self
        output = ""
        if self.output == subprocess.PIPE and self.proc.stdout:
            self.proc.kill()
            output = self.proc.stdout.read().decode(errors="replace")[-2000:]
        self.stop()
        raise RuntimeError(f"streamlit did not start within {self.start_timeout:.0f} s {output}")

    def start(self) -> AppServer:
        return self.spawn().wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def rss(self) -> int:
        """The server's resident memory in bytes (Linux /proc)."""
        if self.proc is None:
            return 0
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
