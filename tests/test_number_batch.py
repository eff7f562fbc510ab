"""NumberBatch (metrics/io/parse.py): a table's text number columns cleaned together give,
column for column, what parse_numbers and column_decimal_evidence give one column at a time,
and the numbers a marketer reads off the file."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from metrics.io.parse import (
    BATCH_MAX_VALUES,
    NumberBatch,
    column_decimal_evidence,
    parse_numbers,
)

TOKENS = [
    "1,234", "1.234", "1.234,56", "1,234.56", "£1,000.00", "€ 12,50", "12%", "3,5 %",
    "(12.50)", "12.50-", "<5", "< 3", "--", "-", "undefined", "UNDEFINED", "N/A", "abc",
    "1 234,5", "1\u00a0234", "EUR 12,50", "USD 7.25", "R$ 1.234,56", "kr 12", "12 kr.",
    "", "  ", "3", "0.5", ".5", "1e3", "inf", "١٢", "1.234.567", "1,234,567", "12,5",
    "0,75", "100.000", "999", "7", "42", "2.5", "$3.10", "¥1200", "₩ 5,000", "—", "nan",
    "12.345.678,9", "+4", "-3.25", "1,2,3", "x12",
]  # fmt: skip


def _column(rng: random.Random, n: int, dictionary: bool) -> pd.Series:
    vocabulary = rng.sample(TOKENS, rng.randint(1, 8))
    cells = [None if rng.random() < 0.15 else rng.choice(vocabulary) for _ in range(n)]
    series = pd.Series(cells, dtype="str")
    return series.astype("category") if dictionary else series


def _same(batched, alone) -> None:
    pd.testing.assert_series_equal(batched.values, alone.values)
    for name in ("percent", "currency", "masked", "masked_bound", "unparsed", "unparsed_count"):
        assert getattr(batched, name) == getattr(alone, name), name
    assert batched.decimal_evidence == alone.decimal_evidence


@pytest.mark.parametrize("seed", range(40))
def test_batch_equals_one_column_at_a_time(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 30)
    columns = {f"c{i}": _column(rng, n, rng.random() < 0.5) for i in range(rng.randint(1, 6))}
    batch = NumberBatch(columns)
    assert batch.names == set(columns)
    for name, raw in columns.items():
        assert batch.evidence(name) == column_decimal_evidence(raw), name
        assert batch.may_contain(name) == raw.str.contains("undefined", case=False).any()
        for hint in (None, "dot", "comma"):
            for count in (False, True):
                _same(batch.parse(name, hint, count), parse_numbers(raw, hint, count))


def test_numbers_read_off_the_file():
    """Worked by hand: each column keeps its own decimal mark and currency."""
    columns = {
        "spend": pd.Series(["£1,234.50", "£10.00", None, "£0.25"], dtype="str"),
        "cpc": pd.Series(["1,5", "2,25", "--", "0,1"], dtype="str").astype("category"),
        "views": pd.Series(["1.234", "<5", "7", "12"], dtype="str"),
        "ctr": pd.Series(["1.5%", "undefined", "(2)", "abc"], dtype="str"),
    }
    batch = NumberBatch(columns)
    spend = batch.parse("spend", None)
    assert spend.values.tolist()[:2] == [1234.5, 10.0] and spend.values.tolist()[3] == 0.25
    assert np.isnan(spend.values[2]) and spend.currency == "GBP"
    assert batch.evidence("spend") == "dot"
    cpc = batch.parse("cpc", "dot")  # its own commas decide, not the file's hint
    assert cpc.values.tolist()[0] == 1.5 and cpc.values.tolist()[3] == 0.1
    assert cpc.decimal_evidence == "comma" and batch.evidence("cpc") == "comma"
    views = batch.parse("views", "dot", count=True)  # a count: "1.234" is 1,234 views
    assert views.values.tolist()[0] == 1234 and views.values.tolist()[2:] == [7, 12]
    assert views.masked == 1 and views.masked_bound == 5
    ctr = batch.parse("ctr", "dot")
    assert ctr.values.tolist()[0] == 0.015 and ctr.values.tolist()[2] == -2 and ctr.percent
    assert ctr.unparsed == ["abc"] and ctr.unparsed_count == 1
    assert batch.may_contain("ctr") and not batch.may_contain("views")


def test_large_or_mixed_columns_are_left_to_the_caller():
    many = pd.Series([str(i) for i in range(BATCH_MAX_VALUES + 1)], dtype="str")
    assert NumberBatch({"views": many}).names == set()
    xlsx = pd.Series([12, "1,5", None], dtype=object)  # numbers mixed with text
    numeric = pd.Series([1.0, 2.0])
    assert NumberBatch({"a": xlsx, "b": numeric}).names == set()
