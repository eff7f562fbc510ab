"""Tracking check: TikTok's conversions (and revenue) against the shop's own orders per day."""

from __future__ import annotations

import pandas as pd

from ..aggregate import in_window, prepare_ads
from ..io import Dataset

TRACKING_CAUSES = (
    "attribution windows differ (TikTok counts e.g. 7-day click and 1-day view; your shop or "
    "analytics usually counts the last click)",
    "view-through conversions: people who saw the ad, did not click, and bought later",
    "cross-device journeys, ad blockers and iOS privacy settings",
    "a pixel event that fires twice or not at all (check it with TikTok Pixel Helper and Events "
    "Manager)",
)
USUAL_GAP = 0.20


def tracking(dataset: Dataset, window=None) -> dict | None:
    """Compare TikTok's conversions with the shop's orders per day (when an orders file is loaded)."""
    if not dataset.has("ads") or not dataset.has("shop_orders"):
        return None
    ads = in_window(dataset.get("ads"), window)
    orders = in_window(dataset.get("shop_orders"), window)
    # Conversions as the report counts them; a purchase-only report has Complete payment.
    column = next((c for c in ("conversion", "complete_payment") if c in ads), None)
    if column is None or orders.empty:
        return None
    tiktok = ads.groupby(ads["date"].dt.normalize())[column].sum()
    shop = orders.groupby(orders["date"].dt.normalize())["orders"].sum()
    both = pd.concat({"tiktok": tiktok, "shop": shop}, axis=1).dropna()
    if both.empty:
        return None
    total_t, total_s = float(both["tiktok"].sum()), float(both["shop"].sum())
    gap = (total_t - total_s) / total_s if total_s else None
    daily_gap = (both["tiktok"] - both["shop"]) / both["shop"].where(both["shop"] > 0)
    flagged = daily_gap[daily_gap.abs() > USUAL_GAP]
    revenue = None
    paid = prepare_ads(ads)
    if "revenue" in paid and "revenue" in orders and orders["revenue"].notna().any():
        days = both.index
        t_rev = paid.groupby(paid["date"].dt.normalize())["revenue"].sum().reindex(days).sum()
        s_rev = orders.groupby(orders["date"].dt.normalize())["revenue"].sum().reindex(days).sum()
        revenue = {
            "tiktok_revenue": float(t_rev),
            "shop_revenue": float(s_rev),
            "gap": (float(t_rev) - float(s_rev)) / float(s_rev) if s_rev else None,
        }
    return {
        "revenue": revenue,
        "tiktok_conversions": total_t,
        "shop_orders": total_s,
        "gap": gap,
        "within_usual_range": gap is not None and abs(gap) <= USUAL_GAP,
        "days_compared": len(both),
        "days_beyond_usual_gap": [d.date().isoformat() for d in flagged.index],
        "daily": [
            {"date": d.date().isoformat(), "tiktok": float(r.tiktok), "shop": float(r.shop)}
            for d, r in both.iterrows()
        ],
        "usual_causes": list(TRACKING_CAUSES),
    }
