"""The few rows that start like a totals row are judged cell by cell (tables._few_total_rows):
the same rows as the columnar judgement, on every fixture and on hand-made edge cases."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from metrics.io import tables
from metrics.io.read import Grid, read_any
from metrics.io.schema import KIND_BY_NAME

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def _both(kind_name: str, headers: list[str], body: pd.DataFrame, monkeypatch) -> tuple:
    kind = KIND_BY_NAME[kind_name]
    mapping = tables.match_columns(kind, headers)
    few = tables._total_rows(kind, mapping, body)
    with monkeypatch.context() as patch:
        patch.setattr(tables, "_FEW_ROWS", -1)  # the columnar judgement
        columnar = tables._total_rows(kind, mapping, body)
    return few, columnar


def _grids():
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix.lower() in (".csv", ".xlsx", ".zip", ".txt"):
            for grid in read_any(path.name, path.read_bytes()):
                if isinstance(grid, Grid):
                    yield f"{path.parent.name}/{grid.name}", grid


@pytest.mark.parametrize(
    ("name", "grid"), list(_grids()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_fixture_totals_rows_judged_alike(name, grid, monkeypatch):
    cells = grid.cells
    for i in range(min(len(cells), tables.HEADER_SEARCH_ROWS)):
        headers = tables._row_headers(cells.iloc[i])
        hit = tables.recognise(headers)
        if hit:
            body = cells.iloc[i + 1 :].reset_index(drop=True)
            few, columnar = _both(hit[0].name, headers, body, monkeypatch)
            pd.testing.assert_series_equal(few, columnar)
            return
    pytest.skip("no recognised header")


def test_edge_cases_by_hand(monkeypatch):
    headers = ["By Day", "Campaign name", "Ad name", "Cost", "Impressions"]
    rows = [
        ["Total of 3 results", None, None, "£30.00", "300"],  # a totals row
        [" Totals ", "", "-", "30", "300"],  # spaced label, '-' as an empty name
        ["2026-10-01", "Total Refresh", "v1", "10", "100"],  # a campaign called Total…
        [None, "Total", None, "1", "1"],  # label in the second cell, no date: a total
        ["Total 2026-10-02", None, None, "1", "1"],  # the label cell is the first filled cell
        ["TOTAL", "Spring", None, "1", "1"],  # names a campaign: data
        ["Summe", None, None, "1", "1"],  # German
        [None, None, None, None, None],
    ]
    body = pd.DataFrame(rows, dtype="str").astype("category")
    few, columnar = _both("ads", headers, body, monkeypatch)
    pd.testing.assert_series_equal(few, columnar)
    assert few.tolist() == [True, True, False, True, True, False, True, False]
    mixed = pd.DataFrame(rows, dtype=object)  # XLSX-like object cells, numbers as numbers
    mixed.iloc[0, 3], mixed.iloc[2, 0] = 30.0, pd.Timestamp("2026-10-01")
    few, columnar = _both("ads", headers, mixed, monkeypatch)
    pd.testing.assert_series_equal(few, columnar)
    assert few.tolist() == [True, True, False, True, True, False, True, False]
