"""Memory a step frees goes back to the system at once, so a process's peak is what is alive,
not what was ever used (docs/performance.md).

Arrow allocates through the C library (its own pools keep freed blocks for reuse), and the C
library serves every block of 128 kB or more from its own mapping, handed back when freed
(glibc's default raises that bound to 32 MB as it goes, keeping freed arrays in its heap).
The price: every large array is fresh, zeroed pages, so a step is somewhat slower.

The command line sets this for its whole (short) process: `return_freed_memory()`. The app's
server is long-lived and computes every page for every visitor, so it sets it only while a
file is read and combined (`returning_freed_memory()`), where the peak per upload is made,
and sets a 32 MB bound (the highest glibc's own moving bound reaches) afterwards.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

MMAP_THRESHOLD = 128 * 1024
RELAXED_THRESHOLD = 32 * 1024 * 1024  # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit
_M_MMAP_THRESHOLD = -3

_lock = threading.Lock()
_inside = 0


def setting() -> str:
    """METRICS_RETURN_MEMORY, read the same way by the command line and the app: "1" (the
    default: both below), "pool" (only Arrow on the C library) or "0" (neither)."""
    value = os.environ.get("METRICS_RETURN_MEMORY", "1")
    return value if value in ("0", "pool") else "1"


def use_system_pool() -> None:
    """Arrow through the C library, so the bound below covers Arrow's arrays too (unless
    ARROW_DEFAULT_MEMORY_POOL names a pool already: then that one stays)."""
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


def return_freed_memory() -> None:
    """For the whole process; harmless to call twice and where it does not apply (macOS,
    musl: the C library ignores the setting)."""
    use_system_pool()
    _mmap_threshold(MMAP_THRESHOLD)


@contextlib.contextmanager
def returning_freed_memory():
    """While the block runs (in any thread: the setting is the process's), blocks of 128 kB
    or more are mapped and handed back when freed; when the last such block ends, the bound
    is set to 32 MB (the highest glibc's own moving bound reaches; once set by hand it no
    longer moves), where freed arrays are reused (faster) rather than handed back."""
    global _inside
    with _lock:
        _inside += 1
        if _inside == 1:
            _mmap_threshold(MMAP_THRESHOLD)
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                _mmap_threshold(RELAXED_THRESHOLD)
