"""A large import's column-by-column steps on both cores.

After Arrow's read, a million-row report is worked on one column at a time: its
dictionaries made pandas categoricals (read.py), each column parsed (tables.py), each moved
into the merge's order (dataset.py). The heavy part of each step is an Arrow or numpy kernel,
which runs without Python's lock, so two columns at once use the machine's second core. Each
step is a pure function of its column, and the results are taken in the columns' order, so
what is made, and every sentence said about it, is the same as one at a time
(tests/test_import_parallel.py); only two columns' working memory is in flight instead of one.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor

WORKERS = 2  # two columns in flight: the second core, and no more memory than that
PARALLEL_ROWS = 100_000  # smaller tables: each step is too short for a thread to pay


class Done:
    """A result already made (the runner without threads)."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def _workers() -> int:
    return min(WORKERS, os.cpu_count() or 1)


@contextlib.contextmanager
def runner(rows: int):
    """`run(f, *args)` → a future-like with `.result()`: f run in a pool of two threads for a
    table of `rows` rows from PARALLEL_ROWS on (on a machine with two cores), else at once.
    When the body fails (a step raised, or the caller did), the steps still queued are
    cancelled, not run: only the two in flight finish before the error goes on."""
    workers = _workers()
    if rows < PARALLEL_ROWS or workers < 2:
        yield lambda f, *args: Done(f(*args))
        return
    pool = ThreadPoolExecutor(workers, thread_name_prefix="metrics-columns")
    try:
        yield pool.submit
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
