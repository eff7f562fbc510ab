"""Give memory back once sessions end: a background sweep, once per server process.

Streamlit keeps a closed tab's session for `server.disconnectedSessionTTL` seconds (120 by
default) so a reconnecting browser finds its state, but it only lets an expired session go
when another session is stored after it: after a workshop ends, every participant's uploads
and datasets would stay in memory until someone else comes and goes. Every `INTERVAL` seconds
this thread reaps the expired sessions, collects what they held (the datasets' memo entries
go with them, see ui/memo.py) and asks the C allocator to hand freed pages back to the
system (glibc's malloc_trim), so the server's resident memory falls back after the sessions.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import threading
import time

INTERVAL = float(os.environ.get("METRICS_SWEEP_SECONDS", "15"))
_started = threading.Lock()
_thread: threading.Thread | None = None
_sweeping = threading.Lock()  # one sweep at a time (the loop's and any called directly)
_paused = threading.Event()


def _malloc_trim() -> None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to ask
        pass


def _sessions() -> tuple[int, int]:
    """(sessions let go now, sessions open): reaps the sessions whose reconnect time passed."""
    try:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return 0, 0
        manager = Runtime.instance()._session_mgr  # no public hook for this
        active = len(getattr(manager, "_active_session_info_by_id", ()))
        cache = getattr(getattr(manager, "_session_storage", None), "_cache", None)
        expire = getattr(cache, "expire", None)
        if expire is None:
            return 0, active
        with getattr(manager, "_storage_lock", None) or threading.Lock():
            held = len(getattr(cache, "_expirations", ()))
            expire()
            return held - len(getattr(cache, "_expirations", ())), active
    except Exception:  # noqa: BLE001 - a sweep must never take the server down
        return 0, 0


_last_active = [0]


def sweep(force: bool = False) -> bool:
    """Reap, and collect and trim when sessions or datasets went since the last sweep (a
    full collection pauses every thread, so not on every tick); whether it collected."""
    from .memo import MEMO

    with _sweeping:
        reaped, active = _sessions()
        fewer = active < _last_active[0]
        _last_active[0] = active
        died = MEMO.purge()
        if not (force or reaped or fewer or died):
            return False
        gc.collect()
        _malloc_trim()
        return True


def _loop() -> None:
    while True:
        time.sleep(INTERVAL)
        if not _paused.is_set():
            sweep()


@contextlib.contextmanager
def paused():
    """The background sweep skips its turns inside this block, and one already running has
    finished when the block starts (for a caller that sweeps by hand and counts what it did)."""
    _paused.set()
    with _sweeping:
        pass
    try:
        yield
    finally:
        _paused.clear()


def start() -> None:
    """Start the sweep (once per process; later calls do nothing)."""
    global _thread
    with _started:
        if _thread is None and INTERVAL > 0:
            _thread = threading.Thread(target=_loop, name="metrics-janitor", daemon=True)
            _thread.start()
