"""The small-table shortcuts of the importer give what the general steps give: a dictionary
column's distinct values straight from Arrow, and a small frame reordered in one take."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from metrics.io import dataset, parse


def _dictionary(values: list, categories: list) -> pd.Series:
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype="str"))
    return pd.Series(pd.Categorical(values, dtype=dtype))


@pytest.mark.parametrize(
    "values, categories, uniques, codes",
    [
        # In order of first appearance, every category used: the categories as they are.
        (["a", "b", "a", None, "c"], ["a", "b", "c"], ["a", "b", "c"], [0, 1, 0, -1, 2]),
        # Out of order, one category unused (a totals row's, say): renumbered as met.
        (["c", None, "a", "c"], ["a", "b", "c"], ["c", "a"], [0, -1, 1, 0]),
        ([None, None], ["a"], [], [-1, -1]),
    ],
)
def test_a_dictionary_columns_distinct_values_by_arrow(values, categories, uniques, codes):
    column = _dictionary(values, categories)
    got_codes, got = parse._distinct_arrow(column)
    assert got_codes.tolist() == codes and got.to_pylist() == uniques
    want_codes, want = parse.distinct(column)
    assert want_codes.tolist() == codes and want.tolist() == uniques
    assert got.type in (pa.string(), pa.large_string())


def test_a_text_columns_distinct_values_by_arrow():
    column = pd.Series(["x", None, "y", "x"], dtype="str")
    codes, uniques = parse._distinct_arrow(column)
    assert codes.tolist() == [0, -1, 1, 0] and uniques.to_pylist() == ["x", "y"]


def _shuffled_frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    text = np.array(["b", "a", None, "é"], dtype=object)[rng.integers(0, 4, n)]
    return pd.DataFrame(
        {
            "date": pd.Timestamp("2026-10-01") + pd.to_timedelta(rng.integers(0, 5, n), unit="D"),
            "ad": pd.Series(text, dtype="str"),
            "spend": np.where(rng.random(n) > 0.2, rng.random(n), np.nan),
            "clicks": rng.integers(0, 9, n),
            "conversions": pd.array(rng.integers(0, 3, n), dtype="Int64"),
            "kind": pd.Categorical(rng.choice(["x", "y"], n)),
        }
    )


@pytest.mark.parametrize("n", [2, 9, 500])
def test_a_small_frame_reordered_in_one_take_is_the_column_by_column_result(n, monkeypatch):
    frame = _shuffled_frame(n)
    order = np.random.default_rng(n).permutation(n)
    expected = frame.iloc[order].reset_index(drop=True)  # the rows, by hand: row order[i] i-th
    small = dataset._reordered(frame.copy(), order)
    monkeypatch.setattr(dataset, "SMALL_ROWS", 0)  # every frame column by column
    general = dataset._reordered(frame.copy(), order)
    pd.testing.assert_frame_equal(small, expected)
    pd.testing.assert_frame_equal(general, expected)


def test_sorted_moves_rows_by_hand_on_both_paths(monkeypatch):
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-03-02", "2026-03-01", "2026-03-01"]),
            "ad": pd.Series(["b", "c", "a"], dtype="str"),
            "spend": [1.5, 2.5, 3.5],
        }
    )
    for small in (dataset.SMALL_ROWS, 0):
        monkeypatch.setattr(dataset, "SMALL_ROWS", small)
        out = dataset._sorted(frame.copy(), ["date", "ad"])
        assert out["ad"].tolist() == ["a", "c", "b"] and out["spend"].tolist() == [3.5, 2.5, 1.5]
        assert out["date"].dt.day.tolist() == [1, 1, 2] and list(out.index) == [0, 1, 2]


def test_a_totals_row_read_in_the_bodys_batch_gives_its_own_batchs_numbers():
    from metrics.io.parse import NumberBatch
    from metrics.io.schema import KIND_BY_NAME
    from metrics.io.tables import _TOTAL_KEY, _total_cells, _totals

    kind = KIND_BY_NAME["ads"]
    body = {
        "spend": pd.Series(["£1,200.50", "£3.25"], dtype="str"),
        "impressions": pd.Series(["1,000", "250"], dtype="str"),
    }
    raw_total = {
        "spend": pd.Series(["£1,203.75"], dtype="str"),
        "impressions": pd.Series(["1,250"], dtype="str"),
        "ctr": pd.Series(["1.5%"], dtype="str"),  # a rate: not additive, no total of it
    }
    cells = _total_cells(kind, raw_total)
    assert set(cells) == {"spend", "impressions"}
    shared = NumberBatch(body | {_TOTAL_KEY + name: cell for name, cell in cells.items()})
    by_hand = {"spend": 1203.75, "impressions": 1250.0}
    assert _totals(cells, None, shared) == by_hand
    assert _totals(cells, None) == by_hand  # a batch of its own
    # The body's columns read the same beside the totals row's cells.
    alone = NumberBatch(body)
    for name in body:
        assert shared.parse(name).values.tolist() == alone.parse(name).values.tolist()
    assert shared.parse("spend").values.tolist() == [1200.5, 3.25]


def test_a_small_frame_let_go_is_kept_and_a_large_one_emptied():
    from metrics.io.tables import RELEASE_ROWS, let_go

    small = pd.DataFrame({"a": np.arange(3.0), "b": pd.Series(list("xyz"), dtype="str")})
    assert let_go(small) is small
    large = pd.DataFrame(
        {"a": np.zeros(RELEASE_ROWS), "b": pd.Series(["x"] * RELEASE_ROWS, dtype="str")}
    )
    gone = let_go(large)
    assert len(gone) == 0 and list(gone.columns) == ["a", "b"]
    assert list(gone.dtypes) == list(large.dtypes)


def test_marks_taken_out_by_plain_replaces():
    texts = ["1.234.567", "1,234", "£1,234.50", "..", "", "12", "٣,٤", None]
    got = parse._without_marks(pa.array(texts, pa.large_string())).to_pylist()
    assert got == ["1234567", "1234", "£123450", "", "", "12", "٣٤", None]


def test_rows_at_positions_are_the_rows_a_take_gives():
    from metrics.io.tables import _rows_at

    column = _dictionary(["Total", "a", "b", None, "c"], ["Total", "a", "b", "c"])
    for positions in ([1, 2, 3, 4], [0], [4], [0, 2], [1, 3, 4], []):
        at = np.array(positions, dtype=np.int64)
        got, want = _rows_at(column, at), column.iloc[at]
        pd.testing.assert_series_equal(got, want)
        assert list(got.index) == positions  # the rows keep their labels
    assert _rows_at(column, np.array([1, 2, 3, 4])).tolist()[:2] == ["a", "b"]


def test_a_dictionary_columns_cells_read_from_its_codes():
    from metrics.io.tables import _cell_values, _few_texts

    column = _dictionary(["Total", None, " b "], ["Total", " b ", "unused"])
    assert _cell_values(column) == ["Total", None, " b "]
    frame = pd.DataFrame({0: column, 1: pd.Series(["x", None, "nan"], dtype="str")})
    # Stripped, and blank texts ("", "nan", "None") missing, as _text gives them.
    assert _few_texts(frame) == {0: ["Total", None, "b"], 1: ["x", None, None]}
