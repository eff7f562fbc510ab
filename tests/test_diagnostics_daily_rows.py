"""The diagnostics' rows by ad and day (metrics/diagnostics/core.py): a report with one row per
ad and day takes a sort instead of a four-key grouping; both must give the same table, to the
bit, as the grouping by names and day defines it (the grouping itself is the reference here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.diagnostics import core
from metrics.diagnostics.core import DIMS, _daily_per_ad, _daily_sums

COLS = ["spend", "impressions", "clicks", "video_watched_2s", "frequency", "reach"]


def grouped_per_ad(ads):
    """The definition: grouped by the names and the day, sums with min_count=1, frequency as
    reported (a day of one row)."""
    grouped = ads.groupby([*DIMS, ads["date"].dt.normalize()], dropna=False, observed=True)
    cols = [c for c in COLS if c in ads]
    out = grouped[cols].sum(min_count=1)
    out["frequency"] = grouped["frequency"].mean()
    return out.reset_index()


def grouped_sums(ads, cols):
    grouped = ads.groupby([*DIMS, ads["date"].dt.normalize()], dropna=False, observed=True)
    return grouped[cols].sum().reset_index()


def same_bits(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    for c in a.columns:
        if a[c].dtype == np.float64:  # also -0.0 against 0.0
            assert (np.signbit(a[c].to_numpy()) == np.signbit(b[c].to_numpy())).all(), c


def report(seed: int, ads: int = 40, days: int = 30, categorical: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [(a, d) for a in range(ads) for d in range(days) if rng.random() > 0.2]
    rng.shuffle(rows)  # not in any sorted order
    ad = np.array([a for a, _ in rows])
    frame = pd.DataFrame(
        {
            "date": pd.Timestamp("2026-01-01") + pd.to_timedelta([d for _, d in rows], unit="D"),
            # Names whose sorted order is not the ads' numbers; some missing.
            "campaign": [f"C{(a * 7) % 5}" if a % 11 else None for a in ad],
            "ad_group": [f"G{(a * 3) % 9}" for a in ad],
            "ad": [f"Ad {(a * 13) % ads:02d} ‘x’" for a in ad],
        }
    )
    for c in COLS:
        values = rng.gamma(2.0, 50.0, len(frame)).round(2)
        values[rng.random(len(frame)) < 0.1] = np.nan
        frame[c] = values
    frame.loc[frame.index[:3], "spend"] = -0.0
    frame["currency"] = "GBP"
    if categorical:
        for c in DIMS:
            frame[c] = frame[c].astype("category")
    else:
        for c in DIMS:
            frame[c] = frame[c].astype("str")
    return frame


@pytest.mark.parametrize("categorical", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_row_per_ad_and_day_gives_the_grouping_to_the_bit(seed, categorical):
    ads = report(seed, categorical=categorical)
    assert core._one_row_per_ad_day(ads) is not None  # the sort path is the one tested
    daily, codes = _daily_per_ad(ads, codes=True)
    same_bits(daily, grouped_per_ad(ads))
    # The ad codes: 0, 1, … in the sorted order, a new one wherever a name changes.
    names = daily[DIMS].astype(object).fillna("∅").agg("|".join, axis=1)
    assert codes.tolist() == pd.factorize(names)[0].tolist()
    cols = ["impressions", "clicks", "video_watched_2s"]
    sums, sum_codes = _daily_sums(ads, cols)
    same_bits(sums, grouped_sums(ads, cols))
    assert sum_codes.tolist() == codes.tolist()


def test_by_hand_two_ads_three_days():
    ads = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-01-02", "2026-01-01", "2026-01-01", "2026-01-03"]),
            "campaign": ["C", "C", "C", "C"],
            "ad_group": ["G", "G", "G", "G"],
            "ad": ["b", "b", "a", "a"],
            "impressions": [200.0, 100.0, 50.0, np.nan],
            "clicks": [2.0, 1.0, np.nan, 4.0],
        }
    )
    sums, codes = _daily_sums(ads, ["impressions", "clicks"])
    assert sums["ad"].tolist() == ["a", "a", "b", "b"]
    assert sums["date"].dt.day.tolist() == [1, 3, 1, 2]
    assert sums["impressions"].tolist() == [50.0, 0.0, 100.0, 200.0]  # a missing value sums to 0
    assert sums["clicks"].tolist() == [0.0, 4.0, 1.0, 2.0]
    assert codes.tolist() == [0, 0, 1, 1]


def test_a_day_broken_down_into_rows_still_takes_the_grouping():
    ads = report(4)
    ads = pd.concat([ads, ads.iloc[:5]], ignore_index=True)  # five (ad, day) with two rows
    assert core._one_row_per_ad_day(ads) is None
    cols = ["impressions", "clicks"]
    sums, _ = _daily_sums(ads, cols)
    same_bits(sums, grouped_sums(ads, cols))
    ads.loc[7, "date"] = pd.NaT  # a row without a day: the grouping too
    assert core._one_row_per_ad_day(ads) is None
