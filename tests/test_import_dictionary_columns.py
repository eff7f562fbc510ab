"""Number columns read as dictionaries (the Arrow reader's grids): parse_numbers works on the
categories the rows use, so categories only the header or a totals row used, and the
categories' own order, must change nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.io.parse import first_seen, parse_numbers, used_categories


def _dictionary(cells: list[str | None], categories: list[str]) -> pd.Series:
    """A dictionary column whose categories are in the given order (as Arrow's are after the
    header and a totals row were read into them)."""
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype="str"))
    return pd.Series(pd.Categorical(cells, dtype=dtype))


def test_unused_categories_and_their_order_change_nothing():
    # "Cost" is the header's cell and "£9,999.00" a totals row's: neither is in the rows.
    # The rows show "bad-b" before "bad-a", the categories list them the other way round.
    cells = ["£1,234.50", "bad-b", "£2.00", "<5", "bad-a", "bad-b", "--", "bad-c", "bad-d"]
    categories = ["Cost", "£9,999.00", "bad-a", "--", "bad-d", "<5", "£2.00", "bad-c"]
    categories += ["bad-b", "£1,234.50"]
    parsed = parse_numbers(_dictionary(cells, categories))
    expected = [1234.5, np.nan, 2.0, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan]
    np.testing.assert_array_equal(parsed.values.to_numpy(), expected)
    assert parsed.unparsed == ["bad-b", "bad-a", "bad-c"]  # in the rows' order
    assert parsed.unparsed_count == 5  # bad-b twice, bad-a, bad-c, bad-d
    assert (parsed.masked, parsed.masked_bound) == (1, 5.0)
    assert parsed.currency == "GBP"
    # A "1.234" in an unused category would have voted for a decimal mark: it does not.
    assert parsed.decimal_evidence == "dot"  # from "£1,234.50" alone


def test_an_unused_category_does_not_decide_the_decimal_mark():
    # The rows read "1.234" and "2.500" (ambiguous); only the unused "3,75" would say comma.
    column = _dictionary(["1.234", "2.500", "1.234"], ["Cost", "3,75", "2.500", "1.234"])
    parsed = parse_numbers(column, hint="dot")
    np.testing.assert_array_equal(parsed.values.to_numpy(), [1.234, 2.5, 1.234])
    assert parsed.decimal_evidence is None


def test_missing_cells_stay_missing():
    column = _dictionary(["3", None, "4", None, "x"], ["Clicks", "x", "4", "3"])
    parsed = parse_numbers(column, count=True)
    np.testing.assert_array_equal(parsed.values.to_numpy(), [3.0, np.nan, 4.0, np.nan, np.nan])
    assert parsed.unparsed == ["x"] and parsed.unparsed_count == 1
    assert list(parsed.values.index) == [0, 1, 2, 3, 4]


def test_used_categories_and_first_seen():
    column = _dictionary(["c", "a", "c", "d", "a"], ["x", "a", "b", "c", "d"])
    codes, used, counts, texts = used_categories(column)
    assert used.tolist() == [1, 3, 4]  # "a", "c", "d"; "x" and "b" unused
    assert counts.tolist() == [2, 2, 1]
    assert texts.tolist() == ["a", "c", "d"]
    # The rows show c, a, d: the first two of all three, and of "a" and "d".
    assert first_seen(codes, used, np.array([True, True, True]), 2).tolist() == [1, 0]
    assert first_seen(codes, used, np.array([True, False, True]), 3).tolist() == [0, 2]
    assert first_seen(codes, used, np.array([False, False, False]), 3).tolist() == []


def test_no_currency_symbol_has_a_case():
    """_is_missing skips Python's case folding for short texts holding a currency symbol:
    sound only while no symbol of Unicode's Sc category folds to anything but itself."""
    import sys
    import unicodedata

    symbols = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Sc"]
    assert len(symbols) > 50
    assert all(c.casefold() == c for c in symbols)


def test_missing_tokens_among_short_texts_that_are_not_ascii():
    import pyarrow as pa

    from metrics.io.parse import _is_missing

    texts = ["£1.50", " — ", "undeﬁned", "ＮＡ", "€", "–", "N/A", "£--", "Ǹa"]
    expected = [False, True, True, False, False, True, True, False, False]
    assert _is_missing(pa.array(texts)).tolist() == expected


def test_the_usual_currency_from_arrow_or_a_list():
    import pyarrow as pa

    from metrics.io.parse import _usual_currency

    found = ["£", None, "€", "£", "€", None]  # a tie: the first in sort order ("£" < "€")
    assert _usual_currency(found) == _usual_currency(pa.array(found)) == "GBP"
    found = ["$", "€", "€", None]
    assert _usual_currency(found) == _usual_currency(pa.array(found)) == "EUR"
    assert _usual_currency([None, None]) is None
    assert _usual_currency(pa.array([None, None], pa.string())) is None
