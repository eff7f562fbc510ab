"""Dates read in bulk (metrics/io/parse.py `_bulk_dates`: ISO and English "October 31" texts
read by Arrow for all distinct values at once) mean what the one-by-one reading means."""

from __future__ import annotations

import itertools

import pandas as pd

from metrics.io.parse import _bulk_dates, _parse_one, parse_dates

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug",
    "Sep", "Sept", "Oct", "Nov", "Dec", "NOVEMBER", "october", "Mai", "Juni", "Okt", "Dez",
    "mars", "Ene", "Foo", "Total",
]  # fmt: skip


def test_bulk_shapes_read_as_one_by_one():
    texts = [f"{m} {d}" for m, d in itertools.product(MONTHS, [0, 1, 9, 12, 29, 31, 32, 45])]
    texts += [f"2026{a}{m}{b}{d}" for a, b in (("-", "-"), ("/", "/"), (".", "."), ("-", "/"))
              for m in ("1", "01", "10", "12", "13") for d in ("1", "05", "31", "32")]  # fmt: skip
    texts += ["2026-10-31 10:00", " 2026-10-31", "Nov  1", "Nov. 1", "1 November", "٢٠٢٦-١٠-٣١"]
    bulk = _bulk_dates(texts)
    assert len(bulk) > 200  # the common shapes are read in bulk
    for i, text in enumerate(texts):
        if i in bulk:
            assert bulk[i] == _parse_one(text), text
    # Read one by one: other languages' names, a day past 31, times, spacing, dots, digits.
    alone = ["Mai 1", "Okt 9", "Nov 45", "Nov. 1", "Nov  1", "2026-10-31 10:00", "٢٠٢٦-١٠-٣١"]
    assert not {texts.index(text) for text in alone} & set(bulk)


def test_english_year_less_dates_by_hand():
    column = parse_dates(pd.Series(["October 30", "October 31", "November 1", None], dtype="str"))
    assert column.yearless
    assert column.month.tolist() == [10, 10, 11, 0] and column.day.tolist() == [30, 31, 1, 0]
    iso = parse_dates(pd.Series(["2026-10-31", "2026/11/01", "2026-02-30"], dtype="str"))
    assert iso.values.iloc[0] == pd.Timestamp("2026-10-31")
    assert iso.values.iloc[1] == pd.Timestamp("2026-11-01")
    assert pd.isna(iso.values.iloc[2]) and iso.unparsed == ["2026-02-30"]


def test_build_dates_is_pandas_reading_of_the_three_numbers():
    import numpy as np

    from metrics.io.parse import build_dates

    combos = list(
        itertools.product([1678, 2000, 2024, 2025, 2026, 2261], range(-1, 14), range(-1, 33))
    )
    y, m, d = (np.array(part) for part in zip(*combos, strict=True))
    expected = pd.to_datetime(pd.DataFrame({"year": y, "month": m, "day": d}), errors="coerce")
    pd.testing.assert_series_equal(build_dates(y, m, d), expected.astype("datetime64[ns]"))
    # By hand: 29 February only in a leap year; 31 April never.
    leap = build_dates(np.array([2024, 2025, 2026]), np.array([2, 2, 4]), np.array([29, 29, 31]))
    assert leap.iloc[0] == pd.Timestamp("2024-02-29") and leap.iloc[1:].isna().all()
    # Beyond what a timestamp holds: no date (pandas itself raises there), not an error.
    far = build_dates(
        np.array([1677, 1677, 2262, 2262]), np.array([9, 9, 4, 4]), np.array([21, 22, 11, 12])
    )
    assert far.isna().tolist() == [True, False, False, True]
