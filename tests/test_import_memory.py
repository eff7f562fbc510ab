"""The importer's memory-saving paths give exactly what the plain ones give.

The command line memory-maps large files and the importer reads them in parts, hands pages
back, frees each raw column once parsed and sorts the merged table one column at a time
(docs/performance.md). Each of those is checked here against the straightforward way:
Python's own UTF-8 decoder, a line-by-line scan, pandas' sort_values, reading from bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import mmap
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metrics import __main__ as cli
from metrics.io import load_files
from metrics.io.dataset import _sorted
from metrics.io.limits import _longest_gap
from metrics.io.read import _MappedStream, _valid_utf8, release_pages
from tests._datasets import assert_same_dataset, loaded_from_bytes

ROOT = Path(__file__).resolve().parent.parent

FIXTURES = Path(__file__).parent / "fixtures" / "import"
TODAY = dt.date(2026, 11, 15)


def _gap_by_hand(data: bytes, ends: tuple[int, ...]) -> int:
    positions = [-1] + [i for i, b in enumerate(data) if b in ends] + [len(data)]
    return max(b - a for a, b in zip(positions, positions[1:], strict=False))


@pytest.mark.parametrize("step", [1, 2, 3, 5, 8, 64])
def test_longest_line_gap_read_in_parts_matches_a_scan(step):
    rng = np.random.default_rng(7)
    for _ in range(40):
        data = bytes(rng.choice(list(b"ab\r\n"), size=int(rng.integers(0, 40))).tolist())
        for ends in ((10,), (10, 13)):
            assert _longest_gap(data, ends, step=step) == _gap_by_hand(data, ends)


def test_longest_line_gap_counts_a_line_running_over_a_part_boundary():
    # "aaaaaaa\nb": the first line is 7 bytes long; its end lies in the second 4-byte part.
    assert _longest_gap(b"aaaaaaa\nb", (10,), step=4) == 8  # 7 bytes + the line end
    assert _longest_gap(b"ab", (10,), step=1) == 3  # no line end: the whole file plus one


@pytest.mark.parametrize("step", [1, 2, 3, 4, 7])
def test_utf8_check_in_parts_agrees_with_python(step):
    samples = [
        "£1,234.50 – ‘creative’ 😀 Φεβρουαρίου".encode(),
        b"plain ascii",
        b"\xe2\x82",  # a cut-off euro sign
        b"ab\xff",
        "€".encode()[:2] + b"x",
        "日本語のテキスト".encode(),
        b"\x80abc",  # starts with a continuation byte
    ]
    for data in samples:
        try:
            data.decode("utf-8")
            expected = True
        except UnicodeDecodeError:
            expected = False
        assert _valid_utf8(data, 0, step=step) is expected, (data, step)


def test_utf8_check_skips_a_bom_the_same_way():
    data = b"\xef\xbb\xbf" + "Cost,£5".encode()
    assert _valid_utf8(data, 3, step=2)


def test_mapped_stream_reads_the_file_from_its_start_offset(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n" * 1000)
    with path.open("rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    stream = _MappedStream(mapped, 3)
    parts = []
    while chunk := stream.read(1000):
        parts.append(chunk)
    assert b"".join(parts) == path.read_bytes()[3:]
    stream.seek(0)
    assert stream.read(3) == b"a,b"
    release_pages(mapped)  # pages handed back: the file's bytes are still there
    assert mapped[3:6] == b"a,b"
    release_pages(b"bytes are left alone")


@pytest.mark.parametrize("case", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()), ids=str)
def test_memory_mapped_files_read_exactly_as_bytes(case, monkeypatch):
    monkeypatch.setattr(cli, "MAP_BYTES", 1)  # map every file that is not a ZIP or XLSX
    paths = sorted(p for p in (FIXTURES / case).iterdir() if p.is_file())
    paths = [p for p in paths if not p.name.startswith(("expected", "README"))]
    as_bytes = loaded_from_bytes(FIXTURES / case, TODAY)  # tests/_datasets.py
    mapped = [(p.name, cli._file_bytes(p)) for p in paths]
    assert any(isinstance(d, mmap.mmap) for _, d in mapped) or all(
        p.stat().st_size == 0 or p.read_bytes()[:2] == b"PK" for p in paths
    )
    assert_same_dataset(load_files(mapped, today=TODAY), as_bytes)


def test_sorting_one_column_at_a_time_matches_sort_values():
    nat = pd.NaT
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2026-03-02", "2026-03-01", nat, "2026-03-01", "2026-03-02", "2026-03-01"]
            ),
            "campaign": pd.Series(["b", "a", "a", None, "a", "a"], dtype="str"),
            "ad": pd.Categorical(["x", "y", "x", "x", "y", "x"], categories=["y", "x"]),
            "spend": [1.0, 2.0, 3.0, 4.0, np.nan, 6.0],
            "clicks": pd.array([1, 2, 3, 4, 5, 6], dtype="Int64"),
        }
    )
    by = ["date", "campaign", "ad"]
    expected = frame.sort_values(by, kind="stable", na_position="last").reset_index(drop=True)
    # Worked out by hand: 1 March first: campaign a, where the categories' order puts ad y
    # (spend 2) before ad x (spend 6), then the row without a campaign (spend 4); then
    # 2 March, a (spend NaN) before b (spend 1); last the row without a date (spend 3).
    spend = expected["spend"].to_numpy()
    assert spend[[0, 1, 2, 4, 5]].tolist() == [2.0, 6.0, 4.0, 1.0, 3.0]
    assert np.isnan(spend[3])
    pd.testing.assert_frame_equal(_sorted(frame.copy(), by), expected)
    pd.testing.assert_frame_equal(
        _sorted(frame.copy(), ["spend"]),
        frame.sort_values(["spend"], kind="stable", na_position="last").reset_index(drop=True),
    )
    in_order = expected.copy()
    pd.testing.assert_frame_equal(_sorted(in_order, by), expected)


def test_an_emptied_table_keeps_its_columns_but_not_their_arrays():
    import pyarrow as pa

    from metrics.io.tables import emptied

    names = pd.Series([f"ad {i}" for i in range(200_000)], dtype="str")  # ≥ 1.2 MB of text
    frame = pd.DataFrame({"ad": names, "spend": np.ones(200_000)})
    del names
    held = pa.total_allocated_bytes()
    empty = emptied(frame)
    del frame
    # The text's Arrow buffers are gone (a copy of frame.iloc[:0] would still hold them).
    assert pa.total_allocated_bytes() < held - 1_000_000
    assert list(empty.columns) == ["ad", "spend"] and len(empty) == 0
    assert isinstance(empty["ad"].dtype, pd.StringDtype) and empty["spend"].dtype == np.float64
    # A grid's dictionary (categorical) column keeps no categories either: they are its cells.
    cells = pd.DataFrame({"c": pd.Categorical(["x", "y", "x"])})
    kept = emptied(cells)["c"].dtype
    assert isinstance(kept, pd.CategoricalDtype) and len(kept.categories) == 0


def test_the_earlier_mapping_bound_is_set_once_for_overlapping_reads_and_relaxed_after_the_last(
    monkeypatch,
):
    import threading

    from metrics.io import memory

    calls = []
    monkeypatch.setattr(memory, "_mmap_threshold", calls.append)
    inside = threading.Event()
    release = threading.Event()

    def other_read():
        with memory.returning_freed_memory("map"):
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=other_read)
    with memory.returning_freed_memory("map"):
        worker.start()
        assert inside.wait(5)
    # The first read ended while the other still runs: the bound stays.
    assert calls == [128 * 1024]
    release.set()
    worker.join(5)
    assert calls == [128 * 1024, 32 * 1024 * 1024]


def test_the_watcher_looks_while_any_read_runs_and_trims_once_after_the_last(monkeypatch):
    import threading

    from metrics.io import memory

    trims = []
    trimmer = memory.Trimmer()
    monkeypatch.setattr(trimmer, "trim", lambda: trims.append(trimmer.active))
    monkeypatch.setattr(memory, "TRIMMER", trimmer)
    monkeypatch.setattr(memory, "_mmap_threshold", lambda size: pytest.fail("no bound"))
    inside = threading.Event()
    release = threading.Event()

    def other_read():
        with memory.returning_freed_memory():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=other_read)
    with memory.returning_freed_memory():
        worker.start()
        assert inside.wait(5)
        assert trimmer.active == 2
    assert trimmer.active == 1 and trims == []  # the other read still runs: no trim yet
    release.set()
    worker.join(5)
    assert trimmer.active == 0 and trims == [0]


def _glibc_trim_available() -> bool:
    from metrics.io import memory

    return memory.Trimmer().works


@pytest.mark.skipif(not _glibc_trim_available(), reason="needs glibc's malloc_trim and /proc")
def test_a_trim_hands_back_the_holes_freed_memory_leaves_in_the_heap():
    # In a fresh process: in this one, an in-process command-line test may have left the
    # process-wide watcher running, and its own trim would race this one (both seeing the
    # holes, one of them handing them back).
    child = r"""
import gc, json
import numpy as np
from metrics.io import memory

# 96 MB in 64 kB blocks (below glibc's 128 kB mapping bound: they come from the heap),
# every block written so its pages are resident; then every other block freed. The
# holes cannot be handed back from the top of the heap, so only a trim returns them.
blocks = [np.ones(8 * 1024) for _ in range(1536)]  # 8192 float64 = 64 kB each
del blocks[::2]
gc.collect()
before = memory.resident_bytes()
trimmer = memory.Trimmer()
trimmer.trim()
print(json.dumps([trimmer.trims, before, memory.resident_bytes()]))
"""
    out = subprocess.run(
        [sys.executable, "-c", child], cwd=ROOT, capture_output=True, text=True, check=True
    )
    trims, before, after = json.loads(out.stdout.strip().splitlines()[-1])
    assert trims == 1
    assert before - after > 30 * 1024**2, (before, after)  # of 48 MB of holes


@pytest.mark.skipif(not _glibc_trim_available(), reason="needs glibc's malloc_trim and /proc")
def test_the_watcher_trims_by_itself_when_the_process_grows_by_its_step():
    import time

    from metrics.io import memory

    trimmer = memory.Trimmer(step=8 * 1024**2, period=0.005)
    trimmer.start()
    try:
        grown = [np.ones(8 * 1024) for _ in range(512)]  # 32 MB resident: four steps
        deadline = time.monotonic() + 5
        while not trimmer.trims and time.monotonic() < deadline:
            time.sleep(0.01)
        assert trimmer.trims >= 1
        del grown
    finally:
        trimmer.stop()


def test_the_command_line_keeps_every_thread_in_one_heap():
    """One heap for every thread (glibc's M_ARENA_MAX), set by the command line's memory
    setup in a fresh process, before the import's worker threads start."""
    import subprocess
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("glibc only")
    probe = "from metrics.io import memory\nprint(memory.one_arena())\n"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True)
    assert out.stdout.split() == ["True"]
