"""The importer's Arrow paths: number cleaning on RE2 as Python's re would read it, and the
app's cached tables kept in combine's order so the combined dataset shares their columns.

Expected values are worked out by hand from the cells.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from metrics.io import combine, read_file
from metrics.io.dataset import in_merge_order
from metrics.io.parse import _PY_SPACE_RE2, _SPACES_RE2, parse_numbers


def _bmp() -> list[str]:
    return [chr(i) for i in range(0x10000) if not 0xD800 <= i < 0xE000]


def _re2_hits(chars: list[str], pattern: str) -> np.ndarray:
    arr = pa.array(chars, pa.string())
    return pc.match_substring_regex(arr, f"^{pattern}$").to_numpy(zero_copy_only=False)


def test_re2_whitespace_class_is_pythons():
    chars = _bmp()
    python = np.array([c.isspace() for c in chars])
    assert python.sum() == 29  # \t \n \v \f \r, four separators, space, NEL, 19 of category Z
    assert (_re2_hits(chars, _PY_SPACE_RE2) == python).all()
    # The characters stripped out of numbers: that whitespace and the apostrophe.
    stripped = python | np.array([c == "'" for c in chars])
    assert (_re2_hits(chars, _SPACES_RE2) == stripped).all()


def test_re2_digit_class_is_pythons_in_the_basic_plane():
    chars = _bmp()
    python = np.array([re.fullmatch(r"\d", c) is not None for c in chars])
    assert (_re2_hits(chars, r"\p{Nd}") == python).all()


def nums(values, hint=None, count=False):
    return parse_numbers(pd.Series(values, dtype="str"), hint, count=count)


def test_missing_tokens_are_found_after_case_folding():
    # "UNDEFINED", "N/A" and "undeﬁned" (with the fi ligature, which case-folds to "fi") are
    # missing, not unreadable; "—" (an em dash) is one of the tokens as it is.
    col = nums(["1,200.50", "UNDEFINED", " N/A ", "unde\ufb01ned", "\u2014", "12.5"])
    assert col.values.tolist()[0] == 1200.5
    assert col.values.tolist()[-1] == 12.5
    assert col.values.isna().tolist() == [False, True, True, True, True, False]
    assert col.unparsed_count == 0


def test_masked_cells_spaces_and_negatives():
    # "< 5" is masked (below 5): missing, its bound 5; "(1 234,50)" with a narrow no-break
    # space is minus 1234.50 in a decimal-comma column; "7,25-" is minus 7.25.
    col = nums(["(1\u202f234,50)", "< 5", "7,25-", "3,00"])
    assert col.values.tolist()[0] == -1234.5
    assert np.isnan(col.values.tolist()[1])
    assert col.values.tolist()[2:] == [-7.25, 3.0]
    assert col.masked == 1 and col.masked_bound == 5.0
    assert col.decimal_evidence == "comma"


def test_percent_and_currency_by_most_common_symbol():
    # Two values with £, one with €: the column is in pounds; "12,5%" is 0.125.
    col = nums(["£1,00", "£2,50", "€3,00", "12,5%"])
    assert col.values.tolist() == [1.0, 2.5, 3.0, 0.125]
    assert col.currency == "GBP" and col.percent


def test_counts_with_thousands_marks_either_way():
    # Whole-number counts: "1.234" and "12.345.678" are thousands, whatever the mark.
    col = nums(["1.234", "12.345.678", "7"], count=True)
    assert col.values.tolist() == [1234.0, 12345678.0, 7.0]


def test_words_are_reported_with_examples():
    col = nums(["12", "twelve", "12", "n.v.t."])
    assert col.values.tolist()[0] == 12.0
    assert col.unparsed == ["twelve", "n.v.t."] and col.unparsed_count == 2


ADS = (
    b"By Day,Campaign name,Ad group name,Ad name,Cost,Impressions\n"
    b"2026-10-02,Spring,Group 1,Ad B,2.00,200\n"
    b"2026-10-01,Spring,Group 1,Ad B,1.00,100\n"
    b"2026-10-02,Spring,Group 1,Ad A,4.00,400\n"
    b"2026-10-01,Spring,Group 1,Ad A,3.00,300\n"
)


def _ads_table():
    (table,) = read_file("Custom_report.csv", ADS)
    return table


def test_cached_table_in_merge_order_combines_to_the_same_rows_without_a_copy():
    plain = combine([_ads_table()]).tables["ads"]
    table = _ads_table()
    in_merge_order(table)
    # By day, then ad: 1 Oct A (3.00), 1 Oct B (1.00), 2 Oct A (4.00), 2 Oct B (2.00).
    assert table.frame["spend"].tolist() == [3.0, 1.0, 4.0, 2.0]
    merged = combine([table]).tables["ads"]
    pd.testing.assert_frame_equal(merged, plain)
    assert merged["spend"].tolist() == [3.0, 1.0, 4.0, 2.0]
    # The combined dataset holds the cached table's own numbers, not a sorted copy.
    assert np.shares_memory(merged["spend"].to_numpy(), table.frame["spend"].to_numpy())
    assert table.frame["spend"].tolist() == [3.0, 1.0, 4.0, 2.0]  # and left it as it was


def test_year_less_tables_keep_their_order():
    # Year-less days get their years by walking the rows backwards from the newest: "Dec 31"
    # followed by "Jan 1" is a new year, so the rows must stay as the file has them.
    data = b"Date,Video Views,Profile Views,Likes,Comments,Shares\nDecember 31,5,1,1,0,0\nJanuary 1,7,1,1,0,0\n"
    (table,) = read_file("Overview.csv", data)
    assert table.yearless
    before = table.frame["video_views"].tolist()
    in_merge_order(table)
    assert table.frame["video_views"].tolist() == before == [5.0, 7.0]
