"""Organic versus paid: the same KPIs for both sides in one window."""

from __future__ import annotations

import pandas as pd

from ..aggregate import aggregate
from ..definitions import ADS, ORGANIC, REGISTRY
from ..io import Dataset

# (label, organic metric, paid metric): the same KPI from each side's registry definition.
ORGANIC_VS_PAID = (
    ("Video views", "video_views", "video_views"),
    ("Likes", "likes", "paid_likes"),
    ("Comments", "comments", "paid_comments"),
    ("Shares", "shares", "paid_shares"),
    ("Engagement rate", "engagement_rate", "paid_engagement_rate"),
    ("Profile views / visits", "profile_views", "paid_profile_visits"),
    ("Cost per video view", None, "cost_per_view"),
)


def organic_vs_paid(dataset: Dataset, window) -> list[dict]:
    """The same KPIs for organic and paid in one window (seed 003), each side computed from its
    own definition in the registry (sum ÷ sum), so this table and the cards always agree."""
    if not (dataset.has("overview") and dataset.has("ads")):
        return []
    org = aggregate(dataset, ORGANIC, window).iloc[0]
    paid = aggregate(dataset, ADS, window).iloc[0]

    def value(row, name):
        if name is None or name not in row or pd.isna(row[name]):
            return None
        return float(row[name])

    rows = []
    for label, o_name, p_name in ORGANIC_VS_PAID:
        metric = REGISTRY[ADS][p_name]
        rows.append(
            {
                "metric": p_name if o_name is None else o_name,
                "label": label,
                "unit": metric.unit,
                "organic": value(org, o_name),
                "paid": value(paid, p_name),
                "organic_formula": REGISTRY[ORGANIC][o_name].formula if o_name else None,
                "paid_formula": metric.formula,
            }
        )
    return rows
