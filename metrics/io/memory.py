"""Memory a step frees goes back to the system soon, so a process's peak is what is alive,
not what was ever used (docs/performance.md).

Arrow allocates through the C library (its own pools keep freed blocks for reuse), so one
allocator holds every array. glibc keeps freed memory in its heap for reuse, and a heap
with holes in it is not handed back by itself: a million-row import frees as much as it
keeps (Arrow's blocks, raw cells, each column's text once parsed), and without help its
peak is a third higher than what is alive at any moment.

The help is a watcher (`Trimmer`): a thread that looks at the process's resident size
every 10 ms and, when it has grown by 32 MB since it last looked that far, asks the C
library to hand back every free page of its heaps (`malloc_trim(0)`). Memory freed and
reused quickly is never touched, so a step keeps the allocator's own reuse; memory that
lies free while the process grows goes back. (The earlier design served every block of
128 kB or more from its own mapping, `METRICS_RETURN_MEMORY=map`: the same peak, but every
large array fresh zeroed pages, about 2 s of a million-row `inspect`.)

The command line starts the watcher for its whole (short) process: `return_freed_memory()`.
The app's server is long-lived; it watches only while a file is read and combined
(`returning_freed_memory()`), where the peak per upload is made, at a 16 MB step, and trims
once after.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time

MMAP_THRESHOLD = 128 * 1024
RELAXED_THRESHOLD = 32 * 1024 * 1024  # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
TRIM_STEP = 32 * 1024 * 1024  # growth of the resident size that sets off a trim
# The app's server holds an upload's bytes beside the table made from them, so its margin to
# 3× the file is thinner: it trims at half the growth (measured: 2.9–3.0× against 3.0–3.2×).
SERVER_TRIM_STEP = 16 * 1024 * 1024
TRIM_PERIOD = 0.01  # seconds between two looks at the resident size

_lock = threading.Lock()
_inside = 0


def setting() -> str:
    """METRICS_RETURN_MEMORY, read the same way by the command line and the app: "1" (the
    default: Arrow on the C library, and the watcher), "map" (Arrow on the C library, and
    every block of 128 kB or more mapped: the earlier default, for comparison), "pool" (only
    Arrow on the C library) or "0" (neither)."""
    value = os.environ.get("METRICS_RETURN_MEMORY", "1")
    return value if value in ("0", "pool", "map") else "1"


def use_system_pool() -> None:
    """Arrow through the C library, so the watcher (or the bound below) covers Arrow's arrays
    too (unless ARROW_DEFAULT_MEMORY_POOL names a pool already: then that one stays)."""
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"  # read when pyarrow loads
    if "pyarrow" in sys.modules:  # loaded already (the app's server): switch its pool now
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())


def _mmap_threshold(size: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, size)  # glibc; other C libraries ignore it
    except (OSError, AttributeError):
        pass


def one_arena() -> bool:
    """Every thread's blocks from the C library's one heap (glibc's M_ARENA_MAX = 1), so the
    watcher's trims cover them all and memory a worker thread frees is reused by the main
    thread: the import's column steps run in two threads (metrics/io/workers.py), and with
    an arena per thread a million-row `diagnose` peaked 20-30 MB higher (measured: 500 and
    467 MB against 454 and 456 MB with one arena; 476 and 470 MB before the threads). Only
    for a whole command-line process, set before its threads start; True where set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return bool(ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 1))  # glibc: 1 when set
    except (OSError, AttributeError):
        return False


def _page_size() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 4096


def resident_bytes() -> int | None:
    """The process's resident size now (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _page_size()
    except (OSError, ValueError, IndexError):
        return None


def _malloc_trim():
    """glibc's malloc_trim, or None (macOS, musl, Windows: nothing to do)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim  # ctypes releases the GIL during the call
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


class Trimmer:
    """A thread that hands the C library's free pages back to the system whenever the
    resident size has grown by `step` bytes since the last trim (or since the lowest size
    seen after it). It only looks while `active` is above zero; `trim()` trims at once."""

    def __init__(self, step: int = TRIM_STEP, period: float = TRIM_PERIOD):
        self.step, self.period = step, period
        self.active = 0
        self.trims = 0
        self._trim = _malloc_trim()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def works(self) -> bool:
        return self._trim is not None and resident_bytes() is not None

    def trim(self) -> None:
        if self._trim is not None:
            self._trim(0)
            self.trims += 1

    def start(self) -> None:
        """One more user; the thread is started on first use."""
        with self._lock:
            self.active += 1
            if self._thread is None and self.works:
                self._thread = threading.Thread(
                    target=self._watch, name="metrics-trim", daemon=True
                )
                self._thread.start()
            self._wake.set()

    def stop(self) -> None:
        with self._lock:
            self.active = max(self.active - 1, 0)

    def _watch(self) -> None:
        floor = resident_bytes() or 0
        while True:
            if not self.active:
                self._wake.clear()
                if not self.active:
                    self._wake.wait()
                floor = resident_bytes() or 0
            time.sleep(self.period)
            now = resident_bytes() or 0
            if now > floor + self.step:
                self.trim()
                floor = resident_bytes() or 0
            elif now < floor:
                floor = now


TRIMMER = Trimmer()


def return_freed_memory(design: str = "1") -> None:
    """For the whole process; harmless to call twice and where it does not apply (macOS,
    musl: there is no malloc_trim and the C library ignores the bound). `design` "map":
    the earlier way, every block of 128 kB or more served from its own mapping."""
    use_system_pool()
    one_arena()
    if design == "map":
        _mmap_threshold(MMAP_THRESHOLD)
    else:
        TRIMMER.start()


@contextlib.contextmanager
def returning_freed_memory(design: str = "1"):
    """While the block runs (in any thread: the setting is the process's), the watcher trims
    the heaps as the process grows; when the last such block ends, it stops looking and
    trims once, so the memory the read freed goes back. `design` "map": blocks of 128 kB or
    more are mapped meanwhile and the bound set to 32 MB after (the highest glibc's own
    moving bound reaches; once set by hand it no longer moves)."""
    global _inside
    with _lock:
        _inside += 1
        if _inside == 1 and design == "map":
            _mmap_threshold(MMAP_THRESHOLD)
    if design != "map":
        TRIMMER.step = min(TRIMMER.step, SERVER_TRIM_STEP)
        TRIMMER.start()
    try:
        yield
    finally:
        if design != "map":
            TRIMMER.stop()
        with _lock:
            _inside -= 1
            last = _inside == 0
            if last and design == "map":
                _mmap_threshold(RELAXED_THRESHOLD)
        if last and design != "map":
            TRIMMER.trim()
