"""Diagnostics that say what to do next: ad fatigue, hook vs CTA, drop-off, delivery, tracking,
organic versus paid. One module per diagnostic over a small shared core (`core`); the
statistics behind each are in docs/diagnostics.md. scipy is imported lazily, inside the
functions that need it, so `python -m metrics` starts fast.
"""

from __future__ import annotations

import datetime as dt

from ..io import Dataset
from .ad_fatigue import (
    CREATIVE_BRIEF,
    DEFAULT_FLOOR_SHARE,
    MIN_DAYS,
    MIN_IMPRESSIONS,
    fatigue,
    fatigue_for_ad,
    fatigue_history,
    history_window,
)
from .core import (
    DIMS,
    Paired,
    _daily_per_ad,
    dispersion,
    dispersion_by_group,
    holm,
    long_run_variance,
    ratio_difference,
    two_proportion_p,
    weighted_trend,
    wilson,
)
from .delivery_check import DELIVERY_CAUSES, delivery
from .hook_cta import MIN_WINNER_IMPRESSIONS, hook_vs_cta, quadrant_frame
from .organic_paid import ORGANIC_VS_PAID, organic_vs_paid
from .tracking_check import TRACKING_CAUSES, USUAL_GAP, tracking
from .video_dropoff import STAGES, drop_off, retention_frame

__all__ = [
    "CREATIVE_BRIEF",
    "DEFAULT_FLOOR_SHARE",
    "DELIVERY_CAUSES",
    "DIMS",
    "MIN_DAYS",
    "MIN_IMPRESSIONS",
    "MIN_WINNER_IMPRESSIONS",
    "ORGANIC_VS_PAID",
    "STAGES",
    "TRACKING_CAUSES",
    "USUAL_GAP",
    "Paired",
    "_daily_per_ad",
    "delivery",
    "diagnose",
    "dispersion",
    "dispersion_by_group",
    "drop_off",
    "fatigue",
    "fatigue_for_ad",
    "fatigue_history",
    "history_window",
    "holm",
    "hook_vs_cta",
    "long_run_variance",
    "organic_vs_paid",
    "quadrant_frame",
    "ratio_difference",
    "retention_frame",
    "tracking",
    "two_proportion_p",
    "weighted_trend",
    "wilson",
]


def diagnose(dataset: Dataset, days: int = 28, end: dt.date | None = None) -> dict:
    """The `diagnose` JSON of docs/cli.md, plus drop-off, delivery and tracking."""
    from ..report import resolve_window

    window = resolve_window(dataset, days, end)
    return {
        "window": {"days": days, **window.to_dict()} if window else None,
        "fatigue": fatigue(dataset, window),
        "hook_vs_cta": hook_vs_cta(dataset, window),
        "drop_off": drop_off(dataset, window),
        "delivery": delivery(dataset, window),
        "organic_vs_paid": organic_vs_paid(dataset, window) if window else [],
        "tracking": tracking(dataset, window),
    }
