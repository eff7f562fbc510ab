"""Video drop-off: each ad's retention curve against its ad group, and the 'hook holds, story
doesn't' flag (2-second views hold, 6-second views fall behind the rest of the group)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..aggregate import in_window
from ..io import Dataset
from .core import (
    ALPHA_WATCH,
    DIMS,
    _daily_sums,
    _names,
    _per_ad,
    dispersion_by_group,
    two_proportion_p,
)

STAGES = [
    ("impressions", "Impression"),
    ("video_watched_2s", "2 s"),
    ("video_watched_6s", "6 s"),
    ("video_views_p25", "25 %"),
    ("video_views_p50", "50 %"),
    ("video_views_p75", "75 %"),
    ("video_views_p100", "100 %"),
]


def drop_off(dataset: Dataset, window=None) -> list[dict]:
    """Retention curve per ad against its ad group, with the 'hook holds, story doesn't' flag."""
    if not dataset.has("ads"):
        return []
    ads = in_window(dataset.get("ads"), window)
    stages = [(c, label) for c, label in STAGES if c in ads]
    if len(stages) < 3 or stages[0][0] != "impressions" or "date" not in ads:
        return []
    cols = [c for c, _ in stages]
    daily, codes = _daily_sums(ads, cols)
    groups = int(codes.max(initial=-1)) + 1
    per_ad = _per_ad(daily, codes, cols)
    group_keys = ["campaign", "ad_group"]
    per_group = per_ad.groupby(group_keys, dropna=False, sort=False, observed=True)[cols]
    group_sums = per_group.transform("sum")
    check = {"video_watched_2s", "video_watched_6s"} <= set(cols)
    if check:
        phi_h = dispersion_by_group(
            codes,
            daily["video_watched_2s"].to_numpy("float64"),
            daily["impressions"].to_numpy("float64"),
            groups,
        )
        phi_d = dispersion_by_group(
            codes,
            daily["video_watched_6s"].to_numpy("float64"),
            daily["video_watched_2s"].to_numpy("float64"),
            groups,
        )
    mine = per_ad[cols].to_numpy("float64")
    group = group_sums[cols].to_numpy("float64")
    others_all = group - mine
    with np.errstate(divide="ignore", invalid="ignore"):
        curves = (mine / mine[:, :1]).tolist()  # each stage ÷ impressions, per ad at once
        group_curves = (group / group[:, :1]).tolist()
    names = [per_ad[d].to_numpy(object) for d in DIMS]  # one array per level, not a row each
    labels = [label for _, label in stages]
    at = {c: j for j, c in enumerate(cols)}
    imp, w2, w6 = at["impressions"], at.get("video_watched_2s"), at.get("video_watched_6s")
    out = []
    for i in np.flatnonzero((group[:, 0] > 0) & (mine[:, 0] > 0)).tolist():
        sums, others = mine[i], others_all[i]
        flags = []
        if check and sums[w2] > 0 and others[imp] > 0:
            if others[w2] > 0:
                hook_ok = (
                    two_proportion_p(
                        others[w2], others[imp], phi_h[i], sums[w2], sums[imp], phi_h[i]
                    )
                    >= ALPHA_WATCH
                )
                hold_weak = (
                    two_proportion_p(others[w6], others[w2], phi_d[i], sums[w6], sums[w2], phi_d[i])
                    < ALPHA_WATCH
                )
                if hook_ok and hold_weak:
                    flags.append(
                        "Holds attention at 2 s, loses it before 6 s: the opening stops the "
                        "scroll but the story after it does not hold. Keep the opening; rework "
                        "seconds 2–6."
                    )
        out.append(
            {
                **_names(tuple(level[i] for level in names)),
                "stages": labels,
                "curve": curves[i],
                "group_curve": group_curves[i],
                "flags": flags,
            }
        )
    return out


def retention_frame(row: dict) -> pd.DataFrame:
    """Long frame (stage, share, series) of one ad's curve against its ad group's."""
    ad = pd.DataFrame({"stage": row["stages"], "share": row["curve"], "series": str(row["ad"])})
    group = pd.DataFrame(
        {"stage": row["stages"], "share": row["group_curve"], "series": "Ad group"}
    )
    return pd.concat([ad, group], ignore_index=True)
