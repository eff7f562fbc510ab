"""The columnar import engine (issue 13): Arrow's CSV reader, dictionary-encoded grids and the
per-distinct-value parsing give the numbers a marketer would read off the file.

Speed is measured by bench/bench_import.py, not here; these tests check correctness only.
Every expected number below is worked out by hand from the cells written in the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.io import load_files
from metrics.io.parse import distinct, parse_numbers, plain_numbers
from metrics.io.read import HEAD_BYTES, read_any

HEADER = "By Day,Campaign name,Ad group name,Ad name,Cost,Impressions,Clicks (destination),CTR\n"


def ads_csv(rows: list[str], header: str = HEADER, bom: bool = True) -> bytes:
    text = header + "".join(r + "\n" for r in rows)
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def test_plain_numbers_match_what_the_cells_say():
    values = plain_numbers(
        pd.Series([" 12 ", "3.5", "-0.25", "1e3", "12,5", "", "abc"], dtype="str")
    )
    assert values.iloc[:4].tolist() == [12.0, 3.5, -0.25, 1000.0]
    assert values.iloc[4:].isna().all()  # "12,5", "" and "abc" are not plain numbers


def test_distinct_keeps_first_appearance_and_marks_missing():
    codes, uniques = distinct(pd.Series(["b", "a", None, "b", "c"], dtype="str"))
    assert uniques.tolist() == ["b", "a", "c"]
    assert codes.tolist() == [0, 1, -1, 0, 2]


def test_a_dictionary_column_parses_like_its_text():
    cells = ["£1,234.50", "--", "<5", "£0.20", "£1,234.50", "undefined"]
    as_text = parse_numbers(pd.Series(cells, dtype="str"))
    as_dictionary = parse_numbers(pd.Series(pd.Categorical(cells + ["Cost"]))[:6])
    for col in (as_text, as_dictionary):
        assert col.values.iloc[[0, 3, 4]].tolist() == [1234.5, 0.2, 1234.5]
        assert col.values.iloc[[1, 2, 5]].isna().all()
        assert col.currency == "GBP"
        assert col.masked == 1 and col.masked_bound == 5.0
        # "Cost" is a value of the dictionary (the header row) but of no row: not reported.
        assert col.unparsed_count == 0


def test_a_large_report_is_read_by_arrow_with_sums_worked_out_by_hand():
    # 20,000 rows: 40 ads x 500 days, each row the same cells but the day, so every sum is
    # rows x cell.
    days = pd.date_range("2025-01-01", periods=500).strftime("%Y-%m-%d")
    rows = [
        f'{d},Camp {a % 4},Group {a % 8},Ad {a},"£1,250.40","12,000",300,2.50%'
        for a in range(40)
        for d in days
    ]
    data = ads_csv(rows)
    assert len(data) > HEAD_BYTES  # the large-file path: never decoded into one string
    dataset = load_files([("Custom_report.csv", data)])
    ads = dataset.get("ads")
    assert len(ads) == 20_000
    assert ads["spend"].sum() == pytest.approx(20_000 * 1250.40)
    assert ads["impressions"].sum() == 20_000 * 12_000
    assert ads["clicks"].sum() == 20_000 * 300
    assert ads["ad"].nunique() == 40 and ads["campaign"].nunique() == 4
    assert ads["date"].min() == pd.Timestamp("2025-01-01")
    # Day 500 is 499 days after 1 Jan 2025: 365 days to 1 Jan 2026, then 134 more: 15 May.
    assert ads["date"].max() == pd.Timestamp("2026-05-15")
    assert dataset.currency == "GBP"


def test_a_large_cp1252_file_is_still_read_as_cp1252():
    # "£" is byte A3 in cp1252, invalid on its own in UTF-8: the file is not UTF-8.
    header = "By Day,Campaign name,Ad group name,Ad name,Cost,Impressions\n"
    rows = "".join(f"2025-01-{1 + i % 28:02d},C,G,Ad {i % 50},£2.00,10\n" for i in range(40_000))
    data = (header + rows).encode("cp1252")
    assert len(data) > HEAD_BYTES
    ads = load_files([("report.csv", data)]).get("ads")
    assert len(ads) == 40_000
    assert ads["spend"].sum() == pytest.approx(80_000.0)


def test_a_quoted_line_break_across_arrow_blocks_is_read_whole():
    # Ad names with a line break inside quotes, in a file far larger than one Arrow block.
    rows = [f'2025-01-01,C,G,"Ad {i}\nsecond line",£1.00,1,0,0%' for i in range(400_000)]
    data = ads_csv(rows)
    grids = read_any("report.csv", data)
    cells = grids[0].cells
    assert len(cells) == 400_001  # the header and every row, none split at its line break
    assert str(cells[3].iloc[400_000]) == "Ad 399999\nsecond line"


def test_a_row_too_wide_still_gets_the_sentence_that_names_its_line():
    # Past the 60 lines the delimiter and width are judged on: line 1 is the header, lines
    # 2-101 the rows, line 102 one cell too many. Arrow refuses it; pandas names the line.
    rows = ["2025-01-01,C,G,Ad,£1.00,1,0,0%"] * 100 + ["2025-01-02,C,G,Ad,£1.00,1,0,0%,extra"]
    result = read_any("report.csv", ads_csv(rows))
    assert "line 102 has 9 cells where the rows above have 8" in result[0].message


def test_totals_row_of_a_large_report_is_found_on_its_first_cell():
    rows = [f"2025-01-{1 + i % 28:02d},C,G,Ad {i % 30},£1.00,10,1,10.00%" for i in range(30_000)]
    rows.append("Total of 30000 results,-,-,-,£30000.00,300000,30000,10.00%")
    dataset = load_files([("report.csv", ads_csv(rows))])
    ads = dataset.get("ads")
    assert len(ads) == 30_000  # the totals row left out
    assert ads["spend"].sum() == pytest.approx(30_000.0)
    report = dataset.reports[0]
    assert not any("disagrees" in w for w in report.warnings)  # 30,000 x £1.00 = £30,000


def test_codes_are_compact():
    codes, _ = distinct(pd.Series(pd.Categorical(["x", "y"] * 10)))
    assert codes.dtype == np.int32
