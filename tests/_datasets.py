"""Comparing two loaded datasets in tests: the same tables, reports and messages; and the
reference load of an import fixture's files from bytes, made once per test process."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pandas as pd


def assert_same_dataset(a, b) -> None:
    """Two `Dataset`s hold equal tables (values and dtypes), reports, warnings, notes and
    currency."""
    assert sorted(a.tables) == sorted(b.tables)
    for kind in a.tables:
        pd.testing.assert_frame_equal(a.tables[kind], b.tables[kind])
    assert [r.to_dict() for r in a.reports] == [r.to_dict() for r in b.reports]
    assert (a.warnings, a.notes, a.currency) == (b.warnings, b.notes, b.currency)


def fixture_inputs(folder: Path) -> list[Path]:
    """An import fixture folder's input files (not its expected.json or README), by name."""
    paths = sorted(p for p in folder.iterdir() if p.is_file())
    return [p for p in paths if not p.name.startswith(("expected", "README"))]


@functools.cache
def loaded_from_bytes(folder: Path, today: dt.date):
    """`load_files` over the folder's input files read as bytes: the plain load the
    memory-mapped (test_import_memory) and read-ahead (test_import_read_ahead) loads of the
    same files are compared with. Made once per test process and only read, never changed
    (tests/conftest.py runs both tests of one folder on the same xdist worker)."""
    from metrics.io import load_files

    return load_files([(p.name, p.read_bytes()) for p in fixture_inputs(folder)], today=today)
