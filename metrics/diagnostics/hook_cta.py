"""Hook versus CTA: per ad group, which ad stops the scroll (2-second views ÷ impressions) and
which earns the click (clicks ÷ impressions), judged by a test that the chosen ad beats every
other ad, on day-level evidence (paired by day, overdispersion and correlated days allowed for).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..aggregate import in_window
from ..io import Dataset
from .core import (
    DIMS,
    _ad_codes,
    _daily_sums,
    _per_ad,
    dispersion_by_group,
    percent,
    ratio_differences,
    wilson_many,
)

ALPHA_WINNER = 0.05
MIN_WINNER_IMPRESSIONS = 1000  # an ad with fewer is shown but neither compared nor crowned
MIN_SHARED_DAYS = 5  # fewer days in common: the two ads are compared unpaired
TIE = 0.02  # leader within 2 % of the runner-up and not significant: said to be a tie


RATES = (
    ("hook_rate", "video_watched_2s", "impressions"),
    ("hold_rate", "video_watched_6s", "video_watched_2s"),
    ("ctr", "clicks", "impressions"),
    ("cvr", "conversion", "clicks"),
)


RATE_COLUMNS = ("impressions", "video_watched_2s", "video_watched_6s", "clicks", "conversion")


def _ad_rates(ads: pd.DataFrame, daily=None) -> pd.DataFrame:
    """Per ad: sums, rates and dispersion-aware Wilson intervals (all ads at once).
    `daily`: `_daily_sums(ads, columns)` when the caller has it (rows by ad and day, codes)."""
    cols = [c for c in RATE_COLUMNS if c in ads]
    if daily is None and "date" in ads:
        daily = _daily_sums(ads, cols)
    if daily is not None:
        daily, codes = daily
        groups = int(codes.max(initial=-1)) + 1
        sums = _per_ad(daily, codes, cols)
    else:
        daily = ads[[*DIMS, *cols]].reset_index(drop=True)
        codes, groups = _ad_codes(daily)
        sums = daily.groupby(DIMS, dropna=False, sort=True, observed=True)[cols].sum()
        sums = sums.reset_index()
    table = sums[DIMS].astype(object).where(sums[DIMS].notna(), None)
    for c in cols:
        table[c] = sums[c].astype("float64")
    for rate, num, den in RATES:
        if num not in sums or den not in sums:
            table[rate], table[f"{rate}_ci"], table[f"_{rate}_phi"] = None, None, 1.0
            continue
        s_, n_ = table[num].to_numpy(), table[den].to_numpy()
        phi = dispersion_by_group(
            codes, daily[num].to_numpy("float64"), daily[den].to_numpy("float64"), groups
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(n_ > 0, s_ / n_, np.nan)
        table[rate] = value  # NaN where the denominator is zero; None in the JSON
        table[f"{rate}_ci"] = wilson_many(s_, n_, phi)
        table[f"_{rate}_phi"] = np.where(n_ > 0, phi, 1.0)
    return table


def _daily_wide(daily, cols: list[str]) -> tuple[dict, dict]:
    """Daily sums as (days × ads) matrices on one date axis (NaN on an ad's days without a
    row), and each ad key's column. `daily`: `_daily_sums` (rows by ad and day, ad codes)."""
    if daily is None:
        return {}, {}
    rows, codes = daily
    days, day = np.unique(rows["date"].to_numpy(), return_inverse=True)
    n_ads = int(codes.max(initial=-1)) + 1
    wide = {}
    for c in cols:
        matrix = np.full((len(days), n_ads), np.nan)
        matrix[day, codes] = rows[c].to_numpy("float64")
        wide[c] = matrix
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes
    names = zip(*(rows[d].iloc[starts].to_numpy(object) for d in DIMS), strict=True)
    keys = {tuple(None if pd.isna(v) else v for v in key): i for i, key in enumerate(names)}
    return wide, keys


# Pairs of ads tested in one `ratio_differences` call: at most this many (days × pairs) cells
# per matrix (8 MB of float64), so a 365-day window over thousands of ads stays small.
PAIR_CELLS = 1_000_000


def _winners(rates: dict, groups: list, daily: tuple, rate: str, num: str, den: str) -> list:
    """Per group of ads: the ad with the highest rate and whether it beats *every* other
    eligible ad of the group.

    Intersection–union test: the leader is the winner when each one-sided test "leader > ad j"
    rejects at ALPHA_WINNER. No multiplicity correction is needed, and picking the leader from
    the data does not inflate the error: crowning a wrong ad requires it to beat the truly best
    ad in a test whose null is true. The lift over the runner-up is reported with its one-sided
    95 % lower bound (the smallest over the other ads), beside the verdict, not inside the null.
    Each comparison is paired by day when the two ads share at least MIN_SHARED_DAYS days,
    otherwise each ad's own day-to-day variance is added (`ratio_differences`: every group's
    leader against each of its group's other ads, all groups in one call, so the whole
    account's thousands of ads and hundreds of groups stay fast).
    `rates`: every ad's columns as arrays (`_columns`); `groups`: each group's ads (rows).
    """
    from scipy.special import stdtr, stdtrit  # lazily: the CLI must start fast

    wide, _ = daily
    outs, tests = [], []  # tests: (its group's result, rows, others, leader column, columns)
    for rows in groups:
        out = {"best": None, "significant": False, "p_value": None, "lift": None, "lift_low": None}
        outs.append(out)
        values = rates[rate][rows]
        eligible = np.flatnonzero(
            np.isfinite(values) & (rates[den][rows] >= MIN_WINNER_IMPRESSIONS)
        )
        if not len(eligible):
            continue
        best = int(eligible[np.argmax(values[eligible])])  # the first of equal leaders, as idxmax
        out["best"] = rates["ad"][rows[best]]
        others = eligible[eligible != best]
        if not len(others) or not wide:
            continue
        columns = rates["_column"][rows]
        a, b = columns[best], columns[others]
        if a < 0 or (b < 0).any():  # an ad without daily rows cannot be compared by day
            continue
        tests.append((out, rows, others, a, b))
    if not tests:
        return outs
    # A group with one other ad keeps a call of its own: numpy sums a lone column in another
    # order than a column of a wider matrix, so its figures stay those of a one-group call to
    # the last digit. All other pairs go in chunks of at least two and at most PAIR_CELLS cells.
    tests.sort(key=lambda test: len(test[4]) > 1)
    y, x = wide[num], wide[den]

    def compare(a, b):
        return ratio_differences(y[:, a], x[:, a], y[:, b], x[:, b], MIN_SHARED_DAYS)

    singles = sum(len(test[4]) == 1 for test in tests)
    parts = [compare(test[3], test[4]) for test in tests[:singles]]
    if singles < len(tests):
        b_all = np.concatenate([test[4] for test in tests[singles:]])
        a_all = np.repeat(
            [test[3] for test in tests[singles:]], [len(t[4]) for t in tests[singles:]]
        )
        step = max(3, PAIR_CELLS // max(len(y), 1))
        cuts = list(range(0, len(b_all), step))
        if len(b_all) - cuts[-1] == 1:  # no lone pair in the last chunk
            cuts[-1] -= 1
        for lo, hi in zip(cuts, [*cuts[1:], len(b_all)], strict=True):
            parts.append(compare(a_all[lo:hi], b_all[lo:hi]))
    t = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    diff, se, df = t["rate_a"] - t["rate_b"], t["se"], np.maximum(t["days"] - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(
            se > 0, stdtr(df, -diff / np.where(se > 0, se, 1.0)), np.where(diff > 0, 0.0, 1.0)
        )
        low = (t["rate_a"] - stdtrit(df, 1 - ALPHA_WINNER) * se) / t["rate_b"] - 1
        lift = np.where(t["rate_b"] > 0, t["rate_a"] / t["rate_b"] - 1, np.inf)
    bounded = (t["rate_b"] > 0) & np.isfinite(low)  # no bound against an ad with rate 0
    lo = 0
    for out, rows, others, _, b in tests:
        at = slice(lo, lo + len(b))
        lo += len(b)
        if not t["valid"][at].all():
            continue
        low_g = low[at][bounded[at]]
        runner = int(np.argmin(diff[at]))
        worst = float(p[at].max())
        out.update(
            {
                "significant": bool(worst < ALPHA_WINNER),
                "p_value": worst,
                "lift": float(lift[at][runner]),
                "lift_low": float(low_g.min()) if len(low_g) else None,
                "runner_up": rates["ad"][rows[int(others[runner])]],
            }
        )
    return outs


def hook_vs_cta(dataset: Dataset, window=None) -> list[dict]:
    """Per ad group (and the whole account): best hook, best CTA, and whether to combine them."""
    if not dataset.has("ads"):
        return []
    ads = in_window(dataset.get("ads"), window)
    needed = {"impressions", "clicks", "video_watched_2s"}
    if ads.empty or not needed <= set(ads.columns):
        return []
    results = []
    # One grouping by ad and day, for the rates and the daily matrices both.
    by_day = _daily_sums(ads, [c for c in RATE_COLUMNS if c in ads]) if "date" in ads else None
    every = _ad_rates(ads, by_day)
    every = every[every["impressions"] > 0].reset_index(drop=True)
    cols = [c for c in ("impressions", "clicks", "video_watched_2s") if c in ads]
    daily = _daily_wide(by_day, cols)
    column = daily[1]  # each ad's column in the daily matrices: one lookup per ad
    every["_column"] = [
        column.get(key, -1) for key in every[DIMS].itertuples(index=False, name=None)
    ]
    # Every ad's row for the JSON, built once (not once per group it is listed in).
    records = [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()
         if not k.startswith("_")}
        for r in every.to_dict("records")
    ]  # fmt: skip
    in_group = [{k: v for k, v in r.items() if k not in ("campaign", "ad_group")} for r in records]
    # Each group as the positions of its ads (in the groupby's sorted order), the columns as
    # arrays: no sub-frame per group.
    arrays = _columns(every)
    number = every.groupby(["campaign", "ad_group"], dropna=False, sort=True, observed=True)
    number = number.ngroup().to_numpy(np.int64)
    order = np.argsort(number, kind="stable")
    labels, starts = np.unique(number[order], return_index=True)
    groups = [
        ((arrays["campaign"][rows[0]], arrays["ad_group"][rows[0]]), rows)
        for label, rows in zip(labels, np.split(order, starts[1:]), strict=True)
        if label >= 0
    ]
    groups.append((("(all campaigns)", "(whole account)"), np.arange(len(every))))
    groups = [(key, rows) for key, rows in groups if len(rows) >= 2]
    every_rows = [rows for _, rows in groups]
    hooks = _winners(arrays, every_rows, daily, "hook_rate", "video_watched_2s", "impressions")
    ctas = _winners(arrays, every_rows, daily, "ctr", "clicks", "impressions")
    for ((campaign, group), rows), hook, cta in zip(groups, hooks, ctas, strict=True):
        small = rows[arrays["impressions"][rows] < MIN_WINNER_IMPRESSIONS]
        tiny = list(zip(arrays["ad"][small], arrays["impressions"][small].tolist(), strict=True))
        eligible = len(rows) - len(tiny)
        results.append(
            {
                "campaign": None if pd.isna(campaign) else campaign,
                "ad_group": None if pd.isna(group) else group,
                "best_hook": hook["best"],
                "best_cta": cta["best"],
                "hook_significant": hook["significant"],
                "cta_significant": cta["significant"],
                "hook_p_value": hook["p_value"],
                "cta_p_value": cta["p_value"],
                "hook_lift": hook["lift"],
                "hook_lift_at_least": hook["lift_low"],
                "cta_lift": cta["lift"],
                "cta_lift_at_least": cta["lift_low"],
                "significant": bool(hook["significant"] and cta["significant"]),
                "recommendation": _hook_text(hook, cta, eligible),
                "notes": _notes(hook, cta, tiny),
                # across the account the same creative can run in several groups: there
                # each ad keeps its campaign and ad group
                "ads": [(records if group == "(whole account)" else in_group)[i] for i in rows],
            }
        )
    return results


def _columns(every: pd.DataFrame) -> dict:
    """The columns `_winner` reads, as arrays: names as objects, numbers as float64."""
    out = {c: every[c].to_numpy(object) for c in ("campaign", "ad_group", "ad")}
    for c in ("impressions", "clicks", "video_watched_2s", "hook_rate", "ctr"):
        if c in every:
            out[c] = every[c].to_numpy("float64")
    out["_column"] = every["_column"].to_numpy(np.int64)
    return out


def _margin(result: dict, what: str) -> str:
    lift, low = result["lift"], result["lift_low"]
    if lift is None or low is None:
        return ""
    return f" ({percent(lift, signed=True)} {what}, at least {percent(low, signed=True)})"


def _hook_text(hook: dict, cta: dict, eligible: int) -> str:
    """Two sentences at most: the verdict with its margin, and what to do."""
    h, c = hook["best"], cta["best"]
    if eligible < 2:
        return (
            f"Only one ad in this group has the {MIN_WINNER_IMPRESSIONS:,} impressions a fair "
            "comparison needs. Give a second creative enough budget to test against it."
        )
    hm, cm = _margin(hook, "hook rate"), _margin(cta, "CTR")
    if hook["significant"] and cta["significant"] and h != c:
        return (
            f"“{h}” has the strongest hook{hm} and “{c}” the strongest call to action{cm}. "
            f"Combine them: the first three seconds of “{h}” with the ending of “{c}”."
        )
    if hook["significant"] and cta["significant"]:
        return f"“{h}” beats every other ad on hook{hm} and CTA{cm}. Move budget to it and iterate on it."
    if hook["significant"]:
        return (
            f"“{h}” stops the scroll better than every other ad{hm}, but no ad is clearly best "
            "at earning the click yet. Test new endings on it."
        )
    if cta["significant"]:
        return (
            f"“{c}” earns more clicks than every other ad{cm}, but no hook is clearly better "
            "than the others yet. Test new openings on it."
        )
    return (
        "No ad beats all the others on hook or CTA yet: the differences are within the "
        "day-to-day noise. Keep the test running."
    )


def _notes(hook: dict, cta: dict, tiny: list[tuple]) -> list[str]:
    """Side remarks in words: a tie at the top, ads too small to compare."""
    notes = []
    for result, what in ((hook, "hook rate"), (cta, "CTR")):
        lift = result.get("lift")
        if not result["significant"] and lift is not None and abs(lift) < TIE:
            notes.append(
                f"“{result['best']}” and “{result['runner_up']}” are level on {what} "
                f"({percent(lift, signed=True)}): a tie, not a winner."
            )
    for ad, imp in tiny:
        notes.append(
            f"“{ad}” had only {imp:,.0f} impressions, too few to compare; it is shown but "
            "cannot win."
        )
    return notes


def quadrant_frame(group: dict) -> pd.DataFrame:
    """One row per ad of a hook-vs-CTA group: rates and interval ends, for the quadrant chart."""
    rows = []
    for ad in group["ads"]:
        if ad.get("hook_rate") is None or ad.get("ctr") is None:
            continue
        hook_ci, ctr_ci = ad.get("hook_rate_ci") or [None, None], ad.get("ctr_ci") or [None, None]
        rows.append(
            {
                "ad": ad["ad"],
                "ad_group": group["ad_group"],
                "impressions": ad["impressions"],
                "hook_rate": ad["hook_rate"],
                "hook_low": hook_ci[0],
                "hook_high": hook_ci[1],
                "ctr": ad["ctr"],
                "ctr_low": ctr_ci[0],
                "ctr_high": ctr_ci[1],
            }
        )
    return pd.DataFrame(rows)
