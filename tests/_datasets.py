"""Comparing two loaded datasets in tests: the same tables, reports and messages."""

from __future__ import annotations

import pandas as pd


def assert_same_dataset(a, b) -> None:
    """Two `Dataset`s hold equal tables (values and dtypes), reports, warnings, notes and
    currency."""
    assert sorted(a.tables) == sorted(b.tables)
    for kind in a.tables:
        pd.testing.assert_frame_equal(a.tables[kind], b.tables[kind])
    assert [r.to_dict() for r in a.reports] == [r.to_dict() for r in b.reports]
    assert (a.warnings, a.notes, a.currency) == (b.warnings, b.notes, b.currency)
