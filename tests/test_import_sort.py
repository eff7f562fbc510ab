"""The merge's sort: rows already in order are found in one pass and not sorted again, and
the order found is the one pandas' stable sort_values gives (missing cells last)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.io.dataset import _in_order, _sort_order, _sorted


def _frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    days = pd.to_datetime("2026-01-01") + pd.to_timedelta(rng.integers(0, 4, n), unit="D")
    days = days.where(rng.random(n) > 0.1)  # some NaT
    names = np.array(["a", "b", "B", "é", "", "ab", "z"], dtype=object)[rng.integers(0, 7, n)]
    names = np.where(rng.random(n) > 0.1, names, None)
    spend = np.where(rng.random(n) > 0.1, rng.integers(0, 3, n).astype(float), np.nan)
    return pd.DataFrame(
        {
            "date": days,
            "campaign": pd.Series(names, dtype="str"),
            "ad": pd.Categorical(
                np.array(["x", "y", None], dtype=object)[rng.integers(0, 3, n)],
                categories=["y", "x"],
            ),
            "spend": spend,
            "clicks": rng.integers(0, 3, n),
        }
    )


BY = [
    ["date", "campaign", "ad"],
    ["campaign", "date"],
    ["spend", "clicks"],
    ["ad", "spend", "campaign"],
    ["date"],
]


@pytest.mark.parametrize("by", BY, ids=lambda by: "+".join(by))
def test_the_order_is_sort_values_order_on_shuffled_and_on_sorted_rows(by):
    rng = np.random.default_rng(13)
    for n in (2, 3, 7, 40, 300):
        frame = _frame(rng, n)
        expected = frame.sort_values(by, kind="stable", na_position="last").index.to_numpy()
        assert (_sort_order(frame, by) == expected).all()
        in_order = frame.iloc[expected].reset_index(drop=True)
        assert _in_order(in_order, by)
        assert (_sort_order(in_order, by) == np.arange(n)).all()
        # Not in order: some row sorts before the one above it (a pair shows it).
        assert _in_order(frame, by) == bool((expected == np.arange(n)).all())


def test_the_in_order_check_by_hand():
    nat = pd.NaT
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-03-01", "2026-03-01", "2026-03-02", nat, nat]),
            "campaign": pd.Series(["a", None, "a", "b", "a"], dtype="str"),
        }
    )
    # 1 March: a, then the missing campaign (last); 2 March: a; then the two undated rows,
    # whose campaigns are b before a: out of order on the second column only.
    assert _in_order(frame.iloc[:4], ["date", "campaign"])
    assert not _in_order(frame, ["date", "campaign"])
    assert _in_order(frame, ["date"])  # on the date alone the undated rows tie: in order
    assert not _in_order(frame, ["campaign"])
    # A column type the check does not compare is left to the sort.
    objects = pd.DataFrame({"k": pd.Series([1, 2], dtype=object)})
    assert not _in_order(objects, ["k"])
    assert (_sort_order(objects, ["k"]) == [0, 1]).all()


def test_sorted_moves_numbers_dates_and_text_with_their_rows():
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-03-02", "2026-03-01", "2026-03-01"]),
            "ad": pd.Series(["b", "c", "a"], dtype="str"),
            "spend": [1.5, 2.5, 3.5],
            "clicks": np.array([1, 2, 3], dtype=np.int64),
            "ok": [True, False, True],
        }
    )
    out = _sorted(frame.copy(), ["date", "ad"])
    assert out["ad"].tolist() == ["a", "c", "b"]
    assert out["spend"].tolist() == [3.5, 2.5, 1.5]
    assert out["clicks"].tolist() == [3, 2, 1] and out["clicks"].dtype == np.int64
    assert out["ok"].tolist() == [True, False, True]
    assert out["date"].dt.day.tolist() == [1, 1, 2]
    assert list(out.index) == [0, 1, 2]
    pd.testing.assert_frame_equal(
        out, frame.sort_values(["date", "ad"], kind="stable").reset_index(drop=True)
    )


@pytest.mark.parametrize("seed", range(6))
def test_rows_sharing_a_key_with_the_row_above_are_counted_as_duplicated_says(seed):
    """_shared_with_neighbour on a frame sorted by its key: the count pandas' duplicated()
    gives over the rows with every key cell filled, also where the finest key column leaves
    so few shared rows that the others are compared on those alone."""
    from metrics.io.dataset import _shared_with_neighbour

    rng = np.random.default_rng(seed)
    n = 5_000
    days = pd.to_datetime("2026-01-01") + pd.to_timedelta(rng.integers(0, 30, n), unit="D")
    campaign = rng.choice(["Spring", "Summer", None], n, p=[0.5, 0.45, 0.05])
    ad = rng.integers(0, 3000 if seed % 2 else 40, n).astype(float)  # odd seeds: few repeats
    ad[rng.random(n) < 0.02] = np.nan
    frame = pd.DataFrame(
        {
            "date": days,
            "campaign": pd.Series(campaign, dtype="str"),
            "ad_group": pd.Series(rng.choice(["g1", "g2"], n)).astype("category"),
            "ad": ad,
        }
    )
    key = ["campaign", "ad_group", "ad", "date"]
    frame = frame.sort_values(["date", "campaign", "ad_group", "ad"], kind="stable")
    frame = frame.reset_index(drop=True)
    complete = frame[key].notna().all(axis=1)
    expected = int(frame.loc[complete, key].duplicated().sum())
    assert expected > 0
    assert _shared_with_neighbour(frame, key) == expected
