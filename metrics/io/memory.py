"""Memory a step frees goes back to the system at once, so a process's peak is what is alive,
not what was ever used (docs/performance.md).

Arrow allocates through the C library (its own pools keep freed blocks for reuse), and the C
library serves every block of 128 kB or more from its own mapping, handed back when freed
(glibc's default raises that bound to 32 MB as it goes, keeping freed arrays in its heap).
The price: every large array is fresh, zeroed pages, so a step is somewhat slower.
"""

from __future__ import annotations

import os
import sys

MMAP_THRESHOLD = 128 * 1024


def return_freed_memory() -> None:
    """For the whole process; harmless to call twice and where it does not apply (macOS,
    musl: the C library ignores the setting)."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")  # read when pyarrow loads
    if "pyarrow" in sys.modules:  # loaded already (the app's server): switch its pool now
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD (glibc); others ignore it
    except (OSError, AttributeError):
        pass
