"""Diagnostics that say what to do next: ad fatigue, hook vs CTA, drop-off, delivery, tracking.

Statistics, not fixed thresholds. Two choices run through this module:

* **Days are the unit of replication.** A day of an ad is one draw of a noisy process (auction,
  audience, weekday); its clicks are not a million independent coin flips. Binomial tests on raw
  impressions call every wobble significant, so every proportion here carries a quasi-binomial
  dispersion factor φ (Pearson χ² of the daily counts around the pooled rate, per degree of
  freedom, at least 1) and uses the effective sample size n ÷ φ.
* **Fatigue is judged against the ad's own early baseline** (the practitioners' consensus in
  docs/diagnostics.md): a weighted least-squares trend of daily CTR (weights = impressions, error
  variance estimated from the data, so overdispersion is absorbed), a recent-versus-baseline test,
  and corroboration from CPM, frequency and hook rate trends. The onset is the hinge point of a
  flat-then-declining fit.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .aggregate import aggregate, in_window, prepare_ads
from .definitions import ADS, ORGANIC, REGISTRY
from .io import Dataset
from .report import resolve_window
from .windows import Window

# Gates: below these an ad has too little history to judge.
MIN_DAYS = 10
MIN_IMPRESSIONS = 5000
BASELINE_DAYS = 7  # the ad's first and last week are compared
HISTORY_DAYS = 120  # how far back before the window's end an ad's history is followed
# Significance levels: strict for the "fatigued" verdict, looser for "watch".
ALPHA_FATIGUED = 0.01
ALPHA_WATCH = 0.05
ALPHA_HINT = 0.2  # a CTR decline too weak to flag alone, enough with two side signals
ALPHA_WINNER = 0.05
MIN_LIFT = 0.05  # a winner must beat the others by at least 5 % of their rate, not by a hair
MIN_WINNER_IMPRESSIONS = 1000
DEFAULT_FLOOR_SHARE = 0.5  # project when CTR falls to half its baseline, unless told otherwise

# Seed 002's brief for a tired creative: what to change, in the order to try it.
CREATIVE_BRIEF = (
    "Rewrite the first 3 seconds: test a completely different opening shot or scene.",
    "Swap the voice-over: a new tone, another voice, a more energetic delivery.",
    "Rewrite the on-screen text: test a direct call to action against a question hook.",
)
DIMS = ["campaign", "ad_group", "ad"]


# --- small statistics helpers ------------------------------------------------------------------


def dispersion(successes: np.ndarray, trials: np.ndarray) -> float:
    """Quasi-binomial φ from daily counts: Pearson χ² / (days − 1), never below 1."""
    ok = trials > 0
    s, n = successes[ok], trials[ok]
    if len(n) < 3 or n.sum() == 0:
        return 1.0
    p = s.sum() / n.sum()
    if p <= 0 or p >= 1:
        return 1.0
    chi2 = ((s - n * p) ** 2 / (n * p * (1 - p))).sum()
    return max(1.0, float(chi2 / (len(n) - 1)))


def wilson(
    successes: float, trials: float, phi: float = 1.0, z: float = 1.96
) -> tuple[float, float] | None:
    """Wilson score interval, on the effective sample size trials ÷ φ."""
    if trials <= 0:
        return None
    n = trials / phi
    p = successes / trials
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def two_proportion_p(
    s1, n1, phi1, s2, n2, phi2, alternative: str = "greater", margin: float = 0.0
) -> float:
    """p-value that proportion 1 exceeds proportion 2 (quasi-binomial, effective n); with a
    `margin`, that it exceeds proportion 2 × (1 + margin), a lift worth acting on."""
    if n1 <= 0 or n2 <= 0:
        return 1.0
    p1, p2 = s1 / n1, s2 / n2
    var = phi1 * p1 * (1 - p1) / n1 + phi2 * p2 * (1 - p2) / n2
    target = p2 * (1 + margin)
    if var <= 0:
        return 0.0 if p1 > target else 1.0
    z = (p1 - target) / math.sqrt(var)
    if alternative == "two-sided":
        return _normal_sf(abs(z)) * 2
    return _normal_sf(z)


def _normal_sf(z: float) -> float:
    """Upper tail of the standard normal (scipy.stats.norm.sf without its per-call overhead)."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def dispersion_by_group(
    codes: np.ndarray, successes: np.ndarray, trials: np.ndarray, groups: int
) -> np.ndarray:
    """`dispersion` for many groups at once: codes[i] is the group of day-row i."""
    ok = trials > 0
    c, s, n = codes[ok], np.nan_to_num(successes[ok]), trials[ok]
    s_sum = np.bincount(c, s, minlength=groups)
    n_sum = np.bincount(c, n, minlength=groups)
    days = np.bincount(c, minlength=groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = s_sum / n_sum
        pc = p[c]
        chi2 = np.bincount(c, (s - n * pc) ** 2 / (n * pc * (1 - pc)), minlength=groups)
        phi = chi2 / (days - 1)
    usable = (days >= 3) & (n_sum > 0) & (p > 0) & (p < 1) & np.isfinite(phi)
    return np.where(usable, np.maximum(phi, 1.0), 1.0)


def holm(p_values: list[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values, in the input order."""
    m = len(p_values)
    order = np.argsort(p_values)
    adjusted = np.empty(m)
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[idx]))
        adjusted[idx] = running
    return adjusted.tolist()


@dataclass
class Trend:
    slope: float  # per day
    p_value: float  # two-sided
    low: float  # 95 % interval of the slope
    high: float


def weighted_trend(y: np.ndarray, weights: np.ndarray | None = None) -> Trend | None:
    """Weighted least-squares slope of y on day number, with a t-test (error variance from data)."""
    t = np.arange(len(y), dtype="float64")
    w = np.ones_like(y) if weights is None else weights.astype("float64")
    ok = np.isfinite(y) & (w > 0)
    t, y, w = t[ok], y[ok], w[ok]
    n = len(y)
    if n < 4:
        return None
    w = w / w.mean()
    tm = np.average(t, weights=w)
    ym = np.average(y, weights=w)
    sxx = (w * (t - tm) ** 2).sum()
    if sxx == 0:
        return None
    slope = (w * (t - tm) * (y - ym)).sum() / sxx
    resid = y - (ym + slope * (t - tm))
    s2 = (w * resid**2).sum() / (n - 2)
    se = math.sqrt(s2 / sxx) if s2 > 0 else 0.0
    if se == 0:
        return Trend(slope, 0.0 if slope != 0 else 1.0, slope, slope)
    tval = slope / se
    p = float(2 * stats.t.sf(abs(tval), n - 2))
    q = stats.t.ppf(0.975, n - 2)
    return Trend(float(slope), p, float(slope - q * se), float(slope + q * se))


def _noise_scale(y: np.ndarray) -> float:
    """Robust day-to-day noise of a series: MAD of first differences ÷ √2.

    Never below 0.1 % of the series' typical level, so a smooth or rounded series (a frequency
    that climbs by exactly 0.02 a day) cannot claim near-infinite weight in a joint fit.
    """
    finite = y[np.isfinite(y)]
    d = np.diff(finite)
    if len(d) < 3:
        return float("nan")
    mad = float(np.median(np.abs(d - np.median(d)))) * 1.4826 / math.sqrt(2)
    if mad <= 0:
        mad = float(np.std(d))
    floor = 1e-3 * float(np.median(np.abs(finite)))
    scale = max(mad, floor)
    return scale if scale > 0 else float("nan")


def hinge_onset(series: list[tuple[np.ndarray, np.ndarray, bool]]) -> int | None:
    """Onset day of a change of course shared by several series.

    Each (values, weights, trending) series is fitted, for every candidate day k, as
    level + slope·max(t − k, 0) ("flat, then a straight change": CTR and CPM of a fresh ad),
    or, when `trending`, level + drift·t + slope·max(t − k, 0) ("a steady drift, then a change
    of slope": frequency, which climbs from launch as the audience saturates, so only its
    change of pace marks fatigue). The k with the least total squared error, each series
    scaled by its own day-to-day noise, wins. CTR, CPM and frequency turn together when an ad
    tires, so fitting them jointly pins the onset down better than CTR alone. All k are fitted
    at once (batched closed-form weighted least squares), so thousands of ads stay fast.
    """
    n = len(series[0][0])
    if n < 8:
        return None
    t = np.arange(n, dtype="float64")
    ks = np.arange(2, n - 3)
    total = np.zeros(len(ks))
    for y, w, trending in series:
        ok = np.isfinite(y) & (w > 0)
        scale = _noise_scale(y)
        if ok.sum() < 6 or not np.isfinite(scale):
            continue
        yo, to = y[ok], t[ok]
        W = w[ok] / w[ok].mean()
        hinge = np.maximum(to[None, :] - ks[:, None], 0.0)  # (k, day)
        columns = [np.ones_like(hinge)]
        if trending:
            columns.append(np.broadcast_to(to, hinge.shape))
        columns.append(hinge)
        X = np.stack(columns, axis=-1)  # (k, day, p)
        XtW = X.transpose(0, 2, 1) * W  # (k, p, day)
        A = XtW @ X  # (k, p, p)
        rhs = XtW @ yo  # (k, p)
        sse = np.full(len(ks), np.inf)
        solvable = np.abs(np.linalg.det(A)) > 1e-9 * np.abs(A).max(axis=(1, 2)) ** X.shape[-1]
        if solvable.any():
            beta = np.linalg.solve(A[solvable], rhs[solvable][..., None])[..., 0]
            fitted = np.einsum("kdp,kp->kd", X[solvable], beta)
            sse[solvable] = ((yo[None, :] - fitted) ** 2 * W).sum(axis=1)
        total += sse / scale**2
    return int(ks[int(np.argmin(total))])


def hinge_fit(y: np.ndarray, w: np.ndarray, k: int) -> tuple[float, float]:
    """Level before the onset and slope per day after it, by weighted least squares."""
    n = len(y)
    ok = np.isfinite(y) & (w > 0)
    X = np.column_stack([np.ones(n), np.maximum(np.arange(n, dtype="float64") - k, 0.0)])[ok]
    W = w[ok] / w[ok].mean()
    XtW = X.T * W
    beta = np.linalg.solve(XtW @ X, XtW @ y[ok])
    return float(beta[0]), float(beta[1])


# --- ad fatigue --------------------------------------------------------------------------------


def _daily_per_ad(ads: pd.DataFrame) -> pd.DataFrame:
    """One row per ad and day (sorted by ad, then day): counts summed, frequency as reported."""
    wanted = ("spend", "impressions", "clicks", "video_watched_2s", "frequency", "reach")
    cols = [c for c in wanted if c in ads]
    grouped = ads.groupby([*DIMS, ads["date"].dt.normalize()], dropna=False, observed=True)
    out = grouped[cols].sum(min_count=1)
    if "frequency" in cols:
        # Frequency is never summed. One row per ad and day is the norm; when a report breaks a
        # day down (by age, placement) into disjoint audiences, the day's frequency is
        # Σ impressions ÷ Σ reach, and only without reach the reported values are averaged.
        out["frequency"] = grouped["frequency"].mean()
        if "reach" in cols:
            from_reach = out["impressions"] / out["reach"].where(out["reach"] > 0)
            several = grouped.size() > 1
            out["frequency"] = out["frequency"].mask(several & from_reach.notna(), from_reach)
    return out.reset_index()


def _ad_codes(daily: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Integer code per day-row of its ad (in sorted ad order) and the number of ads."""
    codes = daily.groupby(DIMS, dropna=False, sort=True, observed=True).ngroup().to_numpy()
    return codes, int(codes.max()) + 1 if len(codes) else 0


def fatigue_for_ad(days: pd.DataFrame, floor_share: float = DEFAULT_FLOOR_SHARE) -> dict:
    """Status, evidence and explanation for one ad's daily rows."""
    days = days.sort_values("date")

    def col(name):
        return days[name].to_numpy("float64") if name in days else None

    return _fatigue(
        days["date"].dt.date.to_numpy(),
        col("impressions"),
        col("clicks"),
        col("spend"),
        col("frequency"),
        col("video_watched_2s"),
        floor_share,
    )


def _fatigue(
    dates: np.ndarray,
    imp: np.ndarray,
    clk: np.ndarray | None,
    spend: np.ndarray | None,
    freq: np.ndarray | None,
    v2: np.ndarray | None,
    floor_share: float = DEFAULT_FLOOR_SHARE,
) -> dict:
    """The fatigue verdict on one ad's daily arrays (sorted by day); numpy only, no pandas."""
    active = np.nan_to_num(imp) > 0
    n_days, impressions = int(active.sum()), float(np.nan_to_num(imp)[active].sum())
    evidence: dict = {"days": n_days, "impressions": impressions}
    if n_days < MIN_DAYS or impressions < MIN_IMPRESSIONS or clk is None:
        return {
            "status": "insufficient_data",
            "evidence": evidence,
            "explanation": (
                f"Only {n_days} day(s) and {impressions:,.0f} impressions in the window; at least "
                f"{MIN_DAYS} days and {MIN_IMPRESSIONS:,} impressions are needed to judge fatigue."
            ),
        }
    dates, imp, clk = dates[active], imp[active], np.nan_to_num(clk[active])
    spend = spend[active] if spend is not None else None
    freq = freq[active] if freq is not None else None
    v2 = v2[active] if v2 is not None else None
    ctr = clk / imp
    # Whole weeks once the history allows (weekends run a different CTR, so 4 days against 4
    # other weekdays would compare weekdays, not weeks); a third of a shorter history otherwise.
    span = BASELINE_DAYS if n_days >= 2 * BASELINE_DAYS else n_days // 3
    base = slice(0, span)
    recent = slice(n_days - span, n_days)
    base_ctr = clk[base].sum() / imp[base].sum()
    recent_ctr = clk[recent].sum() / imp[recent].sum()
    phi = dispersion(clk, imp)
    p_drop = two_proportion_p(
        clk[base].sum(), imp[base].sum(), phi, clk[recent].sum(), imp[recent].sum(), phi, "greater"
    )
    ctr_trend = weighted_trend(ctr, imp)
    evidence.update(
        {
            "baseline_ctr": base_ctr,
            "recent_ctr": recent_ctr,
            "ctr_change_from_baseline": (recent_ctr - base_ctr) / base_ctr if base_ctr else None,
            "ctr_drop_p_value": p_drop,
            "dispersion": phi,
        }
    )
    if ctr_trend:
        evidence.update(
            {
                "ctr_slope_per_day": ctr_trend.slope,
                "ctr_slope_p_value": ctr_trend.p_value,
                "ctr_slope_interval": [ctr_trend.low, ctr_trend.high],
            }
        )

    corroborating = []
    cpm = None
    if spend is not None:
        spend = np.nan_to_num(spend)
        cpm = spend / imp * 1000
        cpm_trend = weighted_trend(cpm, imp)
        base_cpm = spend[base].sum() / imp[base].sum() * 1000
        recent_cpm = spend[recent].sum() / imp[recent].sum() * 1000
        evidence.update(
            {
                "baseline_cpm": base_cpm,
                "recent_cpm": recent_cpm,
                "cpm_change_from_baseline": (recent_cpm - base_cpm) / base_cpm
                if base_cpm
                else None,
            }
        )
        if cpm_trend:
            evidence.update(
                {"cpm_slope_per_day": cpm_trend.slope, "cpm_slope_p_value": cpm_trend.p_value}
            )
            if cpm_trend.slope > 0 and cpm_trend.p_value < ALPHA_WATCH:
                corroborating.append("CPM is rising")
    if freq is not None and np.isfinite(freq).sum() >= 4:
        f_trend = weighted_trend(freq)
        evidence.update(
            {
                "frequency_start": float(np.nanmean(freq[base])),
                "frequency_end": float(np.nanmean(freq[recent])),
            }
        )
        if f_trend:
            evidence.update(
                {
                    "frequency_slope_per_day": f_trend.slope,
                    "frequency_slope_p_value": f_trend.p_value,
                }
            )
            if f_trend.slope > 0 and f_trend.p_value < ALPHA_WATCH:
                corroborating.append("frequency is rising")
    if v2 is not None and np.isfinite(v2).any():
        hook = np.nan_to_num(v2) / imp
        h_trend = weighted_trend(hook, imp)
        if h_trend:
            evidence.update(
                {
                    "hook_rate_slope_per_day": h_trend.slope,
                    "hook_rate_slope_p_value": h_trend.p_value,
                }
            )
            if h_trend.slope < 0 and h_trend.p_value < ALPHA_WATCH:
                corroborating.append("the hook rate is falling")

    declining = ctr_trend is not None and ctr_trend.slope < 0
    one_sided = ctr_trend.p_value / 2 if declining else 1.0
    evidence["corroborating_signals"] = corroborating
    if declining:
        series = [(ctr, imp, False)]
        if cpm is not None:
            series.append((cpm, imp, False))
        if freq is not None and np.isfinite(freq).sum() >= 8:
            series.append((freq, np.ones(n_days), True))
        k = hinge_onset(series)
        level, slope = hinge_fit(ctr, imp, k) if k is not None else (None, 0.0)
        if k is not None and slope < 0:
            evidence["decline_began"] = dates[k].isoformat()
            floor = base_ctr * floor_share
            evidence["ctr_floor"] = floor
            evidence["ctr_floor_share"] = floor_share
            level_now = level + slope * (n_days - 1 - k)
            if level_now <= floor:
                evidence["projected_floor_date"] = dates[-1].isoformat()
                evidence["ctr_floor_reached"] = True
            else:
                days_left = math.ceil((level_now - floor) / -slope - 1e-9)  # float noise
                evidence["projected_floor_date"] = (
                    dates[-1] + dt.timedelta(days=days_left)
                ).isoformat()

    if declining and one_sided < ALPHA_FATIGUED and p_drop < ALPHA_FATIGUED and corroborating:
        status = "fatigued"
    elif (
        (declining and one_sided < ALPHA_WATCH and p_drop < ALPHA_WATCH)
        # Frequency creeps up on every ad as its audience saturates and CPM follows the
        # market, so two side signals need at least a hint of a CTR decline of their own.
        or (len(corroborating) >= 2 and declining and one_sided < ALPHA_HINT)
    ):
        status = "watch"
    else:
        status = "healthy"
    evidence["ctr_decline_p_value"] = one_sided
    if status == "healthy":
        # A hinge can be fitted to any wobble; an onset and a projection are only news (and
        # only shown) when the decline itself is established.
        for key in (
            "decline_began",
            "ctr_floor",
            "ctr_floor_share",
            "projected_floor_date",
            "ctr_floor_reached",
        ):
            evidence.pop(key, None)
    verdict = {
        "status": status,
        "evidence": evidence,
        "explanation": _fatigue_text(status, evidence),
    }
    if status in ("fatigued", "watch"):
        verdict["brief"] = list(CREATIVE_BRIEF)
    return verdict


def _day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%b %Y}"  # "20 Sep 2026", "5 Oct 2026" (no %-d: not on Windows)


def _fatigue_text(status: str, e: dict) -> str:
    change = e.get("ctr_change_from_baseline")
    pct = f"{abs(change) * 100:.0f} %" if change is not None else "?"
    began = f" since about {_day(e['decline_began'])}" if e.get("decline_began") else ""
    found = e.get("corroborating_signals", [])
    signals = (
        ", ".join(found[:-1]) + (" and " if len(found) > 1 else "") + (found[-1] if found else "")
    )
    if status == "fatigued":
        when = e.get("projected_floor_date")
        share = e.get("ctr_floor_share", DEFAULT_FLOOR_SHARE)
        if e.get("ctr_floor_reached"):
            then = f" CTR is already below {share:.0%} of its first-week level: refresh it now"
        elif when:
            then = (
                f" At this pace CTR reaches {share:.0%} of its first-week level around {_day(when)}"
            )
            then += ": refresh it before then"
        else:
            then = " Refresh it"
        return (
            f"CTR has fallen {pct} below this ad's own first week{began}, and {signals}: the "
            f"audience is tiring of this creative.{then} (see the creative brief)."
        )
    if status == "watch":
        extra = f" ({signals})" if signals else ""
        return (
            f"CTR is drifting down{began} ({pct} versus its first week){extra}, but the evidence is "
            "not yet conclusive. Prepare a new variant of the opening and check again in a few days."
        )
    return "No sign of fatigue: CTR holds against this ad's own first week. Keep it running."


def history_window(window: Window) -> Window:
    """The days an ad's fatigue is judged on for this window (its history up to the end)."""
    days = max(HISTORY_DAYS, window.days)
    return Window(window.end - dt.timedelta(days=days - 1), window.end)


def fatigue_history(ads: pd.DataFrame, window) -> pd.DataFrame:
    """The rows fatigue is judged on: every ad delivering in the window, with its history.

    Fatigue is a change against the ad's own early days, and it often begins before a short
    window does; so each ad is followed from its first day (at most HISTORY_DAYS before the
    window's end) up to the window's last day, and its first week is the baseline.
    """
    ads = ads.dropna(subset=["date"])
    if window is None:
        return ads
    in_range = in_window(ads, history_window(window))
    current = in_window(ads, window)
    delivering = current.loc[current["impressions"].fillna(0) > 0, DIMS].drop_duplicates()
    return in_range.merge(delivering, on=DIMS, how="inner")


def fatigue(dataset: Dataset, window=None, floor_share: float = DEFAULT_FLOOR_SHARE) -> list[dict]:
    """Fatigue verdict per ad delivering in the window, judged on its history up to the window's
    end (see `fatigue_history`); all data when no window is given."""
    if not dataset.has("ads") or not {"date", "impressions"} <= set(dataset.get("ads").columns):
        return []
    ads = fatigue_history(dataset.get("ads"), window)
    if ads.empty:
        return []
    daily = _daily_per_ad(ads).sort_values([*DIMS, "date"], kind="stable")
    codes, _ = _ad_codes(daily)
    daily = daily.iloc[np.argsort(codes, kind="stable")]
    codes = np.sort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    dates = daily["date"].dt.date.to_numpy()

    def col(name):
        return daily[name].to_numpy("float64") if name in daily else None

    arrays = [col(c) for c in ("impressions", "clicks", "spend", "frequency", "video_watched_2s")]
    names = daily[DIMS].iloc[starts]
    out = []
    for (lo, hi), key in zip(
        zip(starts, ends, strict=True), names.itertuples(index=False), strict=True
    ):
        part = [None if a is None else a[lo:hi] for a in arrays]
        out.append({**_names(tuple(key)), **_fatigue(dates[lo:hi], *part, floor_share)})
    return out


def _names(key) -> dict:
    return {d: (None if pd.isna(v) else str(v)) for d, v in zip(DIMS, key, strict=False)}


# --- hook versus CTA ---------------------------------------------------------------------------


RATES = (
    ("hook_rate", "video_watched_2s", "impressions"),
    ("hold_rate", "video_watched_6s", "video_watched_2s"),
    ("ctr", "clicks", "impressions"),
    ("cvr", "conversion", "clicks"),
)


def _ad_rates(ads: pd.DataFrame) -> pd.DataFrame:
    """Per ad: sums, rates and dispersion-aware Wilson intervals (all ads at once)."""
    cols = [
        c
        for c in ("impressions", "video_watched_2s", "video_watched_6s", "clicks", "conversion")
        if c in ads
    ]
    if "date" in ads:
        daily = ads.groupby([*DIMS, ads["date"].dt.normalize()], dropna=False, observed=True)[
            cols
        ].sum()
        daily = daily.reset_index()
    else:
        daily = ads[[*DIMS, *cols]].reset_index(drop=True)
    codes, groups = _ad_codes(daily)
    sums = daily.groupby(DIMS, dropna=False, sort=True, observed=True)[cols].sum().reset_index()
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
        table[f"{rate}_ci"] = [
            list(wilson(si, ni, fi)) if ni > 0 else None
            for si, ni, fi in zip(s_, n_, phi, strict=True)
        ]
        table[f"_{rate}_phi"] = np.where(n_ > 0, phi, 1.0)
    return table


def _winner(
    rates: pd.DataFrame, rate: str, num: str, den: str
) -> tuple[str | None, bool, float | None]:
    """The ad with the highest rate, whether it beats every other by a lift worth acting on
    (MIN_LIFT, Holm-corrected), and the largest adjusted p. Ads with fewer than
    MIN_WINNER_IMPRESSIONS impressions are compared but cannot win: 84 impressions say little."""
    valid = rates[rates[rate].notna()]
    if len(valid) < 2:
        return (valid["ad"].iloc[0] if len(valid) else None), False, None
    eligible = valid[valid["impressions"] >= MIN_WINNER_IMPRESSIONS]
    if eligible.empty:
        return None, False, None
    best = eligible.loc[eligible[rate].idxmax()]
    others = valid.drop(index=best.name)
    p = [
        two_proportion_p(
            best[num],
            best[den],
            best[f"_{rate}_phi"],
            o[num],
            o[den],
            o[f"_{rate}_phi"],
            margin=MIN_LIFT,
        )
        for _, o in others.iterrows()
    ]
    adjusted = holm(p)
    worst = max(adjusted)
    return best["ad"], worst < ALPHA_WINNER, worst


def hook_vs_cta(dataset: Dataset, window=None) -> list[dict]:
    """Per ad group (and the whole account): best hook, best CTA, and whether to combine them."""
    if not dataset.has("ads"):
        return []
    ads = in_window(dataset.get("ads"), window)
    needed = {"impressions", "clicks", "video_watched_2s"}
    if ads.empty or not needed <= set(ads.columns):
        return []
    results = []
    every = _ad_rates(ads)
    every = every[every["impressions"] > 0].reset_index(drop=True)
    groups = list(every.groupby(["campaign", "ad_group"], dropna=False, sort=True, observed=True))
    groups.append((("(all campaigns)", "(whole account)"), every))
    for (campaign, group), rates in groups:
        if len(rates) < 2:
            continue
        best_hook, hook_sig, hook_p = _winner(rates, "hook_rate", "video_watched_2s", "impressions")
        best_cta, cta_sig, cta_p = _winner(rates, "ctr", "clicks", "impressions")
        significant = bool(hook_sig and cta_sig)
        results.append(
            {
                "campaign": None if pd.isna(campaign) else campaign,
                "ad_group": None if pd.isna(group) else group,
                "best_hook": best_hook,
                "best_cta": best_cta,
                "hook_significant": bool(hook_sig),
                "cta_significant": bool(cta_sig),
                "hook_p_value": hook_p,
                "cta_p_value": cta_p,
                "significant": significant,
                "recommendation": _hook_text(best_hook, hook_sig, best_cta, cta_sig),
                "ads": [
                    {
                        k: (None if isinstance(v, float) and math.isnan(v) else v)
                        for k, v in r.items()
                        if not k.startswith("_")
                        # across the account the same creative can run in several groups
                        and (k not in ("campaign", "ad_group") or group == "(whole account)")
                    }
                    for r in rates.to_dict("records")
                ],
            }
        )
    return results


def _hook_text(hook: str | None, hook_sig: bool, cta: str | None, cta_sig: bool) -> str:
    if hook_sig and cta_sig and hook != cta:
        return (
            f"“{hook}” has the strongest hook and “{cta}” the strongest call to action. Combine "
            f"them: the first three seconds of “{hook}” with the ending of “{cta}”."
        )
    if hook_sig and cta_sig:
        return f"“{hook}” wins on both hook and CTA: move budget to it and iterate on it."
    if hook_sig:
        return (
            f"“{hook}” clearly stops the scroll best, but no ad is clearly best at earning the "
            "click yet: test new endings on it."
        )
    if cta_sig:
        return (
            f"“{cta}” clearly earns the most clicks, but no hook is clearly better than the "
            "others yet: test new openings on it."
        )
    return (
        "No ad is clearly better than the others on hook or CTA yet: the differences are "
        "within the day-to-day noise. Keep the test running."
    )


# --- video drop-off ----------------------------------------------------------------------------

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


# --- delivery ----------------------------------------------------------------------------------

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


# --- tracking ----------------------------------------------------------------------------------

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


# --- organic versus paid -----------------------------------------------------------------------


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


# --- everything --------------------------------------------------------------------------------


def diagnose(dataset: Dataset, days: int = 28, end: dt.date | None = None) -> dict:
    """The `diagnose` JSON of docs/cli.md, plus drop-off, delivery and tracking."""
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


# --- chart-ready frames ------------------------------------------------------------------------


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


def retention_frame(row: dict) -> pd.DataFrame:
    """Long frame (stage, share, series) of one ad's curve against its ad group's."""
    ad = pd.DataFrame({"stage": row["stages"], "share": row["curve"], "series": str(row["ad"])})
    group = pd.DataFrame(
        {"stage": row["stages"], "share": row["group_curve"], "series": "Ad group"}
    )
    return pd.concat([ad, group], ignore_index=True)
