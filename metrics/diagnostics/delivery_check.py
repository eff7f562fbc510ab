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


def _median_of_others(log_cpm: pd.Series, i) -> float:
    others = log_cpm.drop(index=i)
    others = others[np.isfinite(others)]
    return float(others.median()) if len(others) else float("inf")


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
    with np.errstate(divide="ignore", invalid="ignore"):
        log_cpm = np.log(sums["spend"] / sums["impressions"] * 1000)
    finite = log_cpm[np.isfinite(log_cpm)]
    median = float(finite.median()) if len(finite) else float("nan")
    mad = float((finite - median).abs().median() * 1.4826) if len(finite) else float("nan")
    out = []
    for i, row in sums.iterrows():
        if row["spend"] <= 0:
            continue
        problem = None
        if row["impressions"] <= 0:
            problem = "spend with no impressions"
        elif (mad and np.isfinite(mad) and mad > 0 and (log_cpm[i] - median) / mad > 3.5) or (
            # Few ads (or ads at one price) leave no spread to measure: then a CPM ten times
            # that of the other ads is the sign.
            len(finite) >= 2 and log_cpm[i] - _median_of_others(log_cpm, i) > math.log(10)
        ):
            problem = (
                f"spend with almost no impressions (CPM {math.exp(log_cpm[i]):,.2f} against a "
                f"typical {math.exp(_median_of_others(log_cpm, i)):,.2f} for the other ads)"
            )
        if problem:
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
