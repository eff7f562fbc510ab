"""Many callers at the same moment, for the shared caches' tests."""

from __future__ import annotations

import threading


def at_once(call, times: int = 8) -> list:
    """`call()` from `times` threads started together; their results, in finishing order."""
    results = []
    threads = [threading.Thread(target=lambda: results.append(call())) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
