"""Delivery problems: ads (or ad groups) that spend but get no or almost no impressions, found by
a robust outlier test on log CPM (median and MAD over the account's ads)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..aggregate import in_window
from ..io import Dataset
from .core import DIMS

DELIVERY_CAUSES = (
    "audience too small (stacked targeting; aim for a size TikTok labels 'Fairly broad' or "
    "'Balanced')",
    "bid too low (outbid in the auction with manual bidding; try the Lowest Cost strategy)",
    "creative stuck in review (over 24 hours without movement: re-upload it or contact support)",
)


def _medians_of_others(values: np.ndarray) -> np.ndarray:
    """For each entry, the median of the *other* finite entries (inf when there are none), for
    all entries at once: with the finite values sorted, leaving out the one at rank r shifts
    every later rank down by one, so the middle of the N − 1 others is read off the sorted
    array directly (no per-entry sort)."""
    values = np.asarray(values, dtype="float64")
    finite = np.isfinite(values)
    x = np.sort(values[finite])
    n = len(x)
    out = np.full(len(values), np.inf)
    if n == 0:
        return out
    # a non-finite entry's others are all the finite values
    out[~finite] = float(np.median(x))
    if n < 2:
        return out
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(values[finite], kind="stable")] = np.arange(n)
    m = n - 1  # how many others

    def other(j: int) -> np.ndarray:
        """The j-th smallest of the others, for every left-out rank at once."""
        return np.where(j < rank, x[j], x[min(j + 1, n - 1)])

    if m % 2:
        mids = other(m // 2)
    else:
        mids = (other(m // 2 - 1) + other(m // 2)) / 2
    out[finite] = mids
    return out


def delivery(dataset: Dataset, window=None, level: str = "ad") -> list[dict]:
    """Ads (or ad groups) with spend but no or almost no impressions: a robust outlier test."""
    if not dataset.has("ads"):
        return []
    ads = in_window(dataset.get("ads"), window)
    if ads.empty or not {"spend", "impressions"} <= set(ads.columns):
        return []
    keys = DIMS if level == "ad" else ["campaign", "ad_group"]
    sums = (
        ads.groupby(keys, dropna=False, sort=True, observed=True)[["spend", "impressions"]]
        .sum()
        .reset_index()
    )
    spend = sums["spend"].to_numpy("float64")
    impressions = sums["impressions"].to_numpy("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        log_cpm = np.log(spend / impressions * 1000)
    finite = log_cpm[np.isfinite(log_cpm)]
    median = float(np.median(finite)) if len(finite) else float("nan")
    mad = float(np.median(np.abs(finite - median)) * 1.4826) if len(finite) else float("nan")
    others = _medians_of_others(log_cpm)
    with np.errstate(invalid="ignore"):
        # Few ads (or ads at one price) leave no spread to measure: then a CPM ten times
        # that of the other ads is the sign.
        outlier = (mad > 0 and np.isfinite(mad)) & ((log_cpm - median) / (mad or 1) > 3.5)
        outlier |= (len(finite) >= 2) & (log_cpm - others > math.log(10))
    none = impressions <= 0
    flagged = np.flatnonzero((spend > 0) & (none | (np.isfinite(log_cpm) & outlier)))
    out = []
    for i in flagged:  # only the flagged rows: a handful, never every ad
        row = sums.iloc[i]
        if none[i]:
            problem = "spend with no impressions"
        else:
            problem = (
                f"spend with almost no impressions (CPM {math.exp(log_cpm[i]):,.2f} against a "
                f"typical {math.exp(others[i]):,.2f} for the other ads)"
            )
        out.append(
            {
                **{k: (None if pd.isna(row[k]) else row[k]) for k in keys},
                "spend": float(row["spend"]),
                "impressions": float(row["impressions"]),
                "problem": problem,
                "usual_causes": list(DELIVERY_CAUSES),
            }
        )
    return out
