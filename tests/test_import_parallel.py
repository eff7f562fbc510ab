"""A large table's columns are parsed two at a time (metrics/io/workers.py): what it says
must be what the one-at-a-time parse says, in the same order, whatever column finishes first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.io import read, tables, workers

ROWS = 120_000  # over workers.PARALLEL_ROWS


def _report() -> bytes:
    """An Ads Manager report by hand: day, ad, cost, impressions, clicks; a few cells the
    parser has to say something about, in three different columns."""
    lines = ["By Day,Ad name,Cost,Impressions,Clicks (destination)"]
    for i in range(ROWS):
        day = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
        cost = f'"£{i % 1000},{i % 997:03d}.{i % 100:02d}"'
        impressions = f'"{1 + i % 9},{i % 1000:03d}"'
        clicks = str(i % 50)
        if i in (10, 50_000):
            cost = "n/a-cost"  # not a number
        if i in (7, 70_000, 110_000):
            impressions = "lots"
        if i % 40_000 == 5:
            clicks = "<5"
        if i == 90_000:
            clicks = "1e16"  # too large to be real
        lines.append(f"{day},Ad {i % 300},{cost},{impressions},{clicks}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def grid():
    (found,) = read.read_any("report.csv", _report())
    return found


def _parse(grid, monkeypatch, parallel: bool):
    monkeypatch.setattr(workers, "PARALLEL_ROWS", 1_000 if parallel else 10**12)
    return tables.parse_grid(grid)


def test_two_at_a_time_says_what_one_at_a_time_says(grid, monkeypatch):
    serial = _parse(grid, monkeypatch, parallel=False)
    parallel = _parse(grid, monkeypatch, parallel=True)
    assert parallel.warnings == serial.warnings
    pd.testing.assert_frame_equal(parallel.frame, serial.frame, check_exact=True)
    assert parallel.masked_bounds == serial.masked_bounds == {"clicks": 15.0}
    assert parallel.currency == serial.currency == "GBP"


def test_the_sentences_come_in_the_columns_order(grid, monkeypatch):
    table = _parse(grid, monkeypatch, parallel=True)
    # Worked out from _report: 2 bad costs, 3 bad impressions, 1 absurd click count, and
    # rows 5, 40,005 and 80,005 masked.
    assert [w.split("(")[0] for w in table.warnings] == [
        "2 cells in “Cost” are not numbers ",
        "3 cells in “Impressions” are not numbers ",
        "1 cell in “Clicks ",  # (destination)” holds a number too large to be real
        "3 cells were masked by TikTok as '<5' ",
    ]
    assert "('n/a-cost')" in table.warnings[0]
    assert "('lots')" in table.warnings[1]
    frame = table.frame
    # Row 1: cost "£1,001.01", impressions "2,001"; row 2: "£2,002.02", "3,002".
    assert frame["spend"].iloc[1] == 1001.01 and frame["impressions"].iloc[1] == 2001
    assert frame["spend"].iloc[2] == 2002.02 and frame["impressions"].iloc[2] == 3002
    assert np.isnan(frame["spend"].iloc[10]) and np.isnan(frame["impressions"].iloc[7])


def test_a_whole_load_two_at_a_time_is_the_load_one_at_a_time(monkeypatch):
    """Beyond the parse: the categoricals made from Arrow's dictionaries (read.py) and the
    columns moved into the merge's order (dataset.py) also run two at a time."""
    from metrics.io import load_files
    from tests._datasets import assert_same_dataset

    data = _report()
    loads = {}
    for parallel in (False, True):
        monkeypatch.setattr(workers, "PARALLEL_ROWS", 1_000 if parallel else 10**12)
        loads[parallel] = load_files([("report.csv", data)])
    assert_same_dataset(loads[True], loads[False])
    ads = loads[True].get("ads")
    assert len(ads) == ROWS
    # Worked out from _report: impressions "(1 + i % 9),(i % 1000)" on every row but the
    # three that say "lots"; cost £(i % 1000)(i % 997).(i % 100) but rows 10 and 50,000.
    impressions = sum(
        (1 + i % 9) * 1000 + i % 1000 for i in range(ROWS) if i not in (7, 70_000, 110_000)
    )
    cost = sum(
        (i % 1000) * 1000 + i % 997 + (i % 100) / 100 for i in range(ROWS) if i not in (10, 50_000)
    )
    assert ads["impressions"].sum() == impressions
    assert ads["spend"].sum() == pytest.approx(cost, rel=1e-12)
    assert ads["date"].is_monotonic_increasing  # in the merge's order: by day first


def test_a_failure_cancels_the_steps_still_queued(monkeypatch):
    """A step that raises (or a caller that fails) must not make the runner work through
    every column still queued before the error goes on: a million-row import would spend its
    seconds and memory on a result nobody reads. Two steps are in flight (the error is raised
    once both have started, and they are held until 0.2 s later, so the queue cannot drain
    first); the ten queued behind them never run."""
    import threading

    monkeypatch.setattr(workers, "_workers", lambda: 2)
    started = threading.Semaphore(0)
    release = threading.Event()
    ran: list[int] = []

    def held(i):
        started.release()
        release.wait(10)
        ran.append(i)

    def queued(i):
        ran.append(i)

    timer = threading.Timer(0.2, release.set)
    with pytest.raises(ValueError, match="a column could not be read"):
        with workers.runner(workers.PARALLEL_ROWS) as run:
            jobs = [run(held, 0), run(held, 1)] + [run(queued, i) for i in range(2, 12)]
            assert started.acquire(timeout=10) and started.acquire(timeout=10)
            timer.start()
            raise ValueError("a column could not be read")
    timer.join()
    assert sorted(ran) == [0, 1]  # the two in flight finished; none of the queued ran
    assert all(job.cancelled() for job in jobs[2:])


def test_the_runner_without_failure_runs_every_step(monkeypatch):
    monkeypatch.setattr(workers, "_workers", lambda: 2)
    with workers.runner(workers.PARALLEL_ROWS) as run:
        jobs = [run(pow, i, 2) for i in range(12)]
    assert [job.result() for job in jobs] == [i * i for i in range(12)]
