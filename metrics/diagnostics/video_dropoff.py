"""Video drop-off: each ad's retention curve against its ad group, and the 'hook holds, story
doesn't' flag (2-second views hold, 6-second views fall behind the rest of the group)."""

from __future__ import annotations

import pandas as pd

from ..aggregate import in_window
from ..io import Dataset
from .core import ALPHA_WATCH, DIMS, _ad_codes, _names, dispersion_by_group, two_proportion_p

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
    daily = ads.groupby([*DIMS, ads["date"].dt.normalize()], dropna=False, observed=True)[
        cols
    ].sum()
    daily = daily.reset_index()
    codes, groups = _ad_codes(daily)
    per_ad = daily.groupby(DIMS, dropna=False, sort=True, observed=True)[cols].sum().reset_index()
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
    names = per_ad[DIMS]
    labels = [label for _, label in stages]
    out = []
    for i in range(len(per_ad)):
        if group[i, 0] <= 0 or mine[i, 0] <= 0:
            continue
        sums, totals = dict(zip(cols, mine[i], strict=True)), dict(zip(cols, group[i], strict=True))
        flags = []
        others = {c: totals[c] - sums[c] for c in cols}
        if check and sums["video_watched_2s"] > 0 and others["impressions"] > 0:
            if others["video_watched_2s"] > 0:
                hook_ok = (
                    two_proportion_p(
                        others["video_watched_2s"],
                        others["impressions"],
                        phi_h[i],
                        sums["video_watched_2s"],
                        sums["impressions"],
                        phi_h[i],
                    )
                    >= ALPHA_WATCH
                )
                hold_weak = (
                    two_proportion_p(
                        others["video_watched_6s"],
                        others["video_watched_2s"],
                        phi_d[i],
                        sums["video_watched_6s"],
                        sums["video_watched_2s"],
                        phi_d[i],
                    )
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
                **_names(tuple(names.iloc[i])),
                "stages": labels,
                "curve": [sums[c] / sums["impressions"] for c in cols],
                "group_curve": [totals[c] / totals["impressions"] for c in cols],
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
