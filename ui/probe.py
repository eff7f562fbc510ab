"""With METRICS_TIMINGS=1: how busy the server's event loop is, for bench/bench_load.py.

The web server (uvicorn under Streamlit) serves the page, its scripts and every session's
websocket from one asyncio loop; when that loop is busy, every browser waits. A thread asks
the loop to run a no-op every `PERIOD` seconds and writes, once a second, how late those
callbacks ran (`metrics-loop <n> <mean_ms> <max_ms>` on stderr). Nothing runs without
METRICS_TIMINGS=1.
"""

from __future__ import annotations

import os
import sys
import threading
import time

PERIOD = 0.05
_started = threading.Lock()
_thread: threading.Thread | None = None


def _loop() -> None:
    from streamlit.runtime import Runtime

    lags: list[float] = []
    window = time.perf_counter()
    while True:
        time.sleep(PERIOD)
        try:
            loop = Runtime.instance()._get_async_objs().eventloop  # no public hook
        except Exception:  # noqa: BLE001 - not running yet (or stopping)
            continue
        asked = time.perf_counter()
        done = threading.Event()

        def ran(asked=asked, done=done) -> None:
            lags.append(time.perf_counter() - asked)
            done.set()

        try:
            loop.call_soon_threadsafe(ran)
        except RuntimeError:  # the loop closed: the server is stopping
            return
        done.wait(5)
        if time.perf_counter() - window >= 1 and lags:
            mean, worst = sum(lags) / len(lags), max(lags)
            sys.stderr.write(f"metrics-loop {len(lags)} {mean * 1000:.1f} {worst * 1000:.1f}\n")
            sys.stderr.flush()
            lags.clear()
            window = time.perf_counter()


def start() -> None:
    """Start the probe once per process, only with METRICS_TIMINGS=1."""
    global _thread
    if os.environ.get("METRICS_TIMINGS") != "1":
        return
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=_loop, name="metrics-loop-probe", daemon=True)
            _thread.start()
