"""Ad fatigue: is this ad's CTR falling, against the market, for longer than noise explains?

1. **Against the market.** Each day the ad's CTR (and CPM, hook rate) is divided by the
   same-day rate of the account's other ads (leave-one-out), scaled so the index averages 1
   over the ad's days. Seasonality, auctions and market dips move every ad together and cancel.
   With fewer than MIN_OTHER_ADS other ads delivering, the ad is judged against its own
   history, and the evidence says so.
2. **A changepoint fit.** The market-adjusted log CTR is fitted as flat, then falling at a
   constant rate (log-linear: a compounding decline) for every candidate onset day k; the
   break statistic is the largest one-sided t of the slope over k, its error variance from the
   fit and inflated for correlated days by the AR(1) factor (1 + ρ) ÷ (1 − ρ); ρ is never
   below the account's (`account_day_correlation`, pooled over the other ads).
3. **Safe to look every day.** The thresholds on the break statistic were calibrated by
   simulation (docs/diagnostics.md) so that a healthy ad re-checked every day for six weeks is
   rarely alerted (bench/calibrate_fatigue.py reproduces them; bench/bench_diagnostics.py).
4. **Onset and projection.** Once an ad is flagged, the onset is placed on CTR, CPM and the
   hook rate together (`hinge_onset`: a shared onset, straight-line and compounding shapes
   averaged, the day whose week holds the most likelihood), with an interval (the onsets whose
   CTR fit is within χ²₁(90 %) of the best); the day CTR reaches the floor is projected along
   the fitted log-linear decline, with an interval from the slope's interval and the onset's.
   How precisely a slow decline's onset can be placed at all: docs/diagnostics.md.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from ..aggregate import in_window
from ..io import Dataset
from ..windows import Window
from .core import (
    DIMS,
    _daily_per_ad,
    _day,
    _names,
    ar1,
    percent,
    share_percent,
    t_ppf,
)

# Gates: below these an ad has too little history to judge.
MIN_DAYS = 10
MIN_IMPRESSIONS = 5000
BASELINE_DAYS = 7  # the ad's first and last week are shown side by side
HISTORY_DAYS = 120  # how far back before the window's end an ad's history is followed
MIN_OTHER_ADS = 2  # other ads delivering on a day for the market to be measured that day
MARKET_COVERAGE = 0.8  # share of the ad's days that need a market rate
MIN_PRE, MIN_POST = 3, 4  # days before / after a candidate onset
# Thresholds on the break statistic, calibrated by simulation (bench/calibrate_fatigue.py,
# docs/diagnostics.md): daily looks over six weeks, AR(1) day noise ρ ∈ {0, 0.3, 0.6}.
Z_WATCH = 3.2
Z_FATIGUED = 4.5
MIN_DROP = 0.10  # a decline smaller than 10 % since its onset is not worth an alert
ALPHA_SIDE = 0.05  # CPM and hook rate against the account, at the onset found for CTR
FLOOR_INTERVAL = 0.90  # the projected floor day's interval
RHO_MARGIN = 0.5  # ρ is taken at ρ̂ + RHO_MARGIN ÷ √n: short histories cannot pin ρ down
POOL_MARGIN = 0.5  # the same margin on the account-wide ρ, over all the days it pools
TAU2 = 0.01  # a typical day-to-day variance of log CTR (10 %), only to weight days
ONSET_MIN_SD = 0.01  # a rate's relative day-to-day noise in the joint onset fit: ≥ 1 %
ONSET_TOLERANCE = 3  # the onset is told as "about" a day: the likeliest week around it wins
DEFAULT_FLOOR_SHARE = 0.5  # project when CTR falls to half its baseline, unless told otherwise

# Seed 002's brief for a tired creative: what to change, in the order to try it.
CREATIVE_BRIEF = (
    "Rewrite the first 3 seconds: test a completely different opening shot or scene.",
    "Swap the voice-over: a new tone, another voice, a more energetic delivery.",
    "Rewrite the on-screen text: test a direct call to action against a question hook.",
)
MARKET_COLUMNS = ("impressions", "clicks", "spend", "video_watched_2s")


# --- the changepoint fit -----------------------------------------------------------------------


def hinge_fits(y: np.ndarray, w: np.ndarray, account_rho: float | None = None) -> dict | None:
    """Weighted fits of y = a + b·max(t − k, 0) for every admissible k, at once.

    Returns k (candidates), slope, level, sse and v22 (the slope's variance per unit σ²) per k,
    with σ² (from the best fit, n − 3 degrees of freedom) and ρ: the lag-1 autocorrelation of
    its standardised residuals plus RHO_MARGIN ÷ √n, and never below `account_rho` (the day
    correlation of the account's other ads, `account_day_correlation`): a short history cannot
    pin ρ down, and the hinge that maximises the break absorbs part of a slow wander."""
    n = len(y)
    ks = np.arange(MIN_PRE - 1, n - MIN_POST)
    if len(ks) < 1 or n < MIN_PRE + MIN_POST + 2:
        return None
    t = np.arange(n, dtype="float64")
    w = w / w.mean()
    h = np.maximum(t[None, :] - ks[:, None], 0.0)  # (k, day)
    s0 = w.sum()
    s1 = (w * h).sum(axis=1)
    s2 = (w * h * h).sum(axis=1)
    sy = (w * y).sum()
    shy = (w * h * y).sum(axis=1)
    syy = (w * y * y).sum()
    det = s0 * s2 - s1 * s1
    slope = (s0 * shy - s1 * sy) / det
    level = (sy - slope * s1) / s0
    sse = np.maximum(syy - level * sy - slope * shy, 0.0)
    best = int(np.argmin(sse))
    resid = (y - level[best] - slope[best] * h[best]) * np.sqrt(w)
    sigma2 = float(sse[best]) / max(n - 3, 1)
    return {
        "k": ks,
        "slope": slope,
        "level": level,
        "sse": sse,
        "v22": s0 / det,
        "best": best,
        "sigma2": sigma2,
        "rho": min(max(ar1(resid) + RHO_MARGIN / math.sqrt(n), account_rho or 0.0), 0.9),
        "n": n,
    }


def break_statistic(fit: dict) -> tuple[float, np.ndarray]:
    """max over k of −slope ÷ se (se inflated for correlated days), and the t per k."""
    inflation = (1 + fit["rho"]) / (1 - fit["rho"])
    var = fit["sigma2"] * inflation * fit["v22"]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(var > 0, -fit["slope"] / np.sqrt(var), np.inf * -np.sign(fit["slope"]))
    t = np.nan_to_num(t, nan=0.0)
    return float(t.max()), t


def onset_interval(fit: dict) -> tuple[int, int]:
    """Onsets whose fit is within χ²₁(90 %) = 2.71 of the best (in units of the inflated σ²)."""
    rho, sse = fit["rho"], fit["sse"]
    scale = fit["sigma2"] * (1 + rho) / (1 - rho)
    if scale <= 0:
        k = int(fit["k"][fit["best"]])
        return k, k
    inside = (sse - sse.min()) / scale <= 2.71
    inside[fit["best"]] = True
    # the interval around the best onset, contiguous
    best = fit["best"]
    lo = best
    while lo > 0 and inside[lo - 1]:
        lo -= 1
    hi = best
    while hi < len(inside) - 1 and inside[hi + 1]:
        hi += 1
    return int(fit["k"][lo]), int(fit["k"][hi])


def floor_days(fit: dict, index: int, floor_share: float) -> tuple[float, float, float]:
    """Days after onset k (fit number `index`) until the trend reaches floor_share of the level
    before it: ln(share) ÷ slope, with the FLOOR_INTERVAL interval of the slope (inf: never)."""
    slope = float(fit["slope"][index])
    inflation = (1 + fit["rho"]) / (1 - fit["rho"])
    se = math.sqrt(max(fit["sigma2"] * inflation * float(fit["v22"][index]), 0.0))
    q = t_ppf(0.5 + FLOOR_INTERVAL / 2, max(fit["n"] - 3, 1))
    log_share = math.log(floor_share)

    def days(b: float) -> float:
        return log_share / b if b < 0 else math.inf

    return days(slope), days(slope - q * se), days(slope + q * se)


def hinge_onset(series: list[tuple[np.ndarray, np.ndarray]]) -> int | None:
    """Onset day of a decline shared by several rates of one ad (CTR, CPM, hook rate).

    Each (rates, weights) series, taken relative to its weighted mean, is fitted for every
    candidate day k as level + slope·max(t − k, 0): flat, then a straight-line change, its own
    level and slope (over the few weeks an onset is placed from, a compounding decline of a few
    % a day is close to a straight line, and a straight-line decline is far from compounding).
    Each series' squared errors are scaled by its own day-to-day noise σ²: the weighted
    residual variance of its best fit (n − 3 degrees of freedom), never below ONSET_MIN_SD² (a
    series smoother than that is a fixed price or rounding, not evidence). The scaled errors
    add up to −2 log profile likelihood per k (`onset_profile`), and the onset is the k whose
    week holds the most of it (`_likeliest_week`). All k are fitted at once (closed-form
    weighted least squares), so thousands of ads stay fast."""
    n = len(series[0][0])
    if n < 8:
        return None
    total = onset_profile(series, np.arange(2, n - 3))
    if total is None:
        return None
    return int(2 + _likeliest_week(total))


def onset_profile(series: list[tuple[np.ndarray, np.ndarray]], ks: np.ndarray) -> np.ndarray | None:
    """−2 log likelihood of a shared onset at each day in `ks` (see `hinge_onset`), up to a
    constant; None when no series has 6 usable days.

    Per series, with z its rates ÷ their weighted mean (m usable days, weights w): the hinge fit
    of z (a straight-line change) and of ln z (a compounding one), each its squared errors
    SSE(k) over its own σ² plus m·ln σ², the compounding one plus 2·Σ ln z (the Jacobian, so
    both are likelihoods of the same z); the two shapes averaged with equal weight."""
    t = np.arange(len(series[0][0]), dtype="float64")
    total = np.zeros(len(ks))
    used = False
    for y, w in series:
        ok = np.isfinite(y) & np.isfinite(w) & (w > 0) & (y > 0)
        m = int(ok.sum())
        if m < 6:
            continue
        wo = w[ok] / w[ok].mean()
        z = y[ok] / np.average(y[ok], weights=wo)
        h = np.maximum(t[ok][None, :] - ks[:, None], 0.0)  # (k, day)
        shapes = []
        for values, jacobian in ((z, 0.0), (np.log(z), 2 * float(np.log(z).sum()))):
            sse = _hinge_sse(values, wo, h)
            sigma2 = max(float(sse.min()) / max(m - 3, 1), ONSET_MIN_SD**2)
            shapes.append(sse / sigma2 + m * math.log(sigma2) + jacobian)
        total += -2 * np.logaddexp(-shapes[0] / 2, -shapes[1] / 2)
        used = True
    return total - total.min() if used else None


def _hinge_sse(y: np.ndarray, w: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Weighted squared error of the least-squares fit y ≈ a + b·h[k] for every row k of h."""
    s0, s1, s2 = w.sum(), h @ w, (h * h) @ w
    sy, shy, syy = (w * y).sum(), h @ (w * y), (w * y * y).sum()
    det = s0 * s2 - s1 * s1
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(det > 0, (s0 * shy - s1 * sy) / det, 0.0)
    level = (sy - slope * s1) / s0
    return np.maximum(syy - level * sy - slope * shy, 0.0)


def _likeliest_week(total: np.ndarray) -> int:
    """Index of the onset whose ±ONSET_TOLERANCE days hold the most profile likelihood.

    `total` is −2 log-likelihood per candidate onset (up to a constant). At a slow decline the
    profile is flat over a fortnight and its single best day jumps with the noise; the
    likelihood summed over the week around each candidate is steadier (the onset told as
    "about" a day). Ties (a sharp peak) go to the single best day."""
    finite = np.isfinite(total)
    if not finite.any():
        return 0
    like = np.where(finite, np.exp(-(np.where(finite, total, 0.0) - total[finite].min()) / 2), 0.0)
    # the week around each candidate ("full", then centred: as long as `total` even when
    # there are fewer candidates than days in a week)
    mass = np.convolve(like, np.ones(2 * ONSET_TOLERANCE + 1), mode="full")
    mass = mass[ONSET_TOLERANCE : ONSET_TOLERANCE + len(like)]
    near = mass >= mass.max() * (1 - 1e-6)
    return int(np.argmax(np.where(near, like, -1.0)))


def _joint_onset(fit, ctr, w, imp, spend, v2, o, reference) -> int:
    """The onset day: CTR, CPM and the hook rate turn together when an ad tires, so the onset
    is fitted on all three (`hinge_onset`: a shared onset, each its own level and slope),
    market-adjusted where the account allows. `ctr`, `w`: the ad's adjusted CTR and the CTR
    fit's day weights. Frequency is left out: it creeps up on every ad as reach saturates.
    Restricted to the candidate onsets of the CTR fit."""
    series = [(ctr, w)]
    account = reference == "account"
    if spend is not None and (spend > 0).all():
        index = market_index(spend, o.get("spend"), o.get("impressions"), o.get("ads"))
        series.append((spend / imp / (index if account and index is not None else 1.0), imp))
    if v2 is not None and (v2 > 0).all():
        index = market_index(v2, o.get("video_watched_2s"), o.get("impressions"), o.get("ads"))
        hook = v2 / imp / (index if account and index is not None else 1.0)
        series.append((hook, 1 / (TAU2 / 4 + 1 / (v2 + 0.5))))
    k = hinge_onset(series)
    ks = fit["k"]
    if k is None:
        return int(ks[fit["best"]])
    return int(min(max(k, ks[0]), ks[-1]))


def account_day_correlation(
    clk: np.ndarray, imp: np.ndarray, other_clk: np.ndarray, other_imp: np.ndarray, starts
) -> np.ndarray:
    """The day-to-day correlation ρ of each ad's CTR against the account, from the account's
    other ads (leave-one-out), one value per ad.

    Rows are ad-days sorted by ad then day, `starts` the first row of each ad. Each ad's series
    is its log CTR minus the log CTR of the other ads that day, demeaned; the lag-1 products
    and squares are pooled over every other ad (a history of a few weeks cannot pin ρ down,
    six ads together can), bias-corrected for the mean removed from series of the average
    length m (Marriott–Pope: ρ̂ + (1 + 3ρ̂) ÷ m) and raised by RHO_MARGIN ÷ √(days pooled).
    An ad's own decline does not enter its own value (it is left out) and makes the others'
    more cautious, never less. 0 where fewer than 2 other ads have 6 days."""
    starts = np.asarray(starts, dtype=np.int64)
    n_rows, n_ads = len(clk), len(starts)
    lengths = np.diff(np.r_[starts, n_rows])
    codes = np.repeat(np.arange(n_ads), lengths)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log((clk + 0.5) / imp) - np.log((other_clk + 0.5) / other_imp)
    ok = np.isfinite(y) & (imp > 0) & (other_imp > 0)
    count = np.bincount(codes, weights=ok, minlength=n_ads)
    mean = np.bincount(codes, weights=np.where(ok, y, 0.0), minlength=n_ads) / np.maximum(count, 1)
    d = np.where(ok, y - mean[codes], 0.0)
    den = np.bincount(codes, weights=d * d, minlength=n_ads)
    same = (codes[1:] == codes[:-1]) & ok[1:] & ok[:-1]
    lag1 = np.bincount(codes[1:][same], weights=(d[1:] * d[:-1])[same], minlength=n_ads)
    same2 = (codes[2:] == codes[:-2]) & ok[2:] & ok[:-2]
    lag2 = np.bincount(codes[2:][same2], weights=(d[2:] * d[:-2])[same2], minlength=n_ads)
    usable = count >= 6
    lag1, lag2, den, count = lag1 * usable, lag2 * usable, den * usable, count * usable
    n_other = usable.sum() - usable
    days = count.sum() - count
    with np.errstate(divide="ignore", invalid="ignore"):
        m = days / n_other
        den_o = den.sum() - den
        r1 = (lag1.sum() - lag1) / den_o
        r1 = r1 + (1 + 3 * r1) / m
        r2 = (lag2.sum() - lag2) / den_o + 1 / m
        # Autocorrelations decaying as r1·φ^(k−1) (an AR(1) wander under binomial noise):
        # long-run factor 1 + 2·r1 ÷ (1 − φ), told as the AR(1) ρ with that same factor.
        # φ = r2 ÷ r1 only where r1 is clearly above 0 (else that ratio is noise): AR(1).
        clear = r1 * np.sqrt(days) > 2
        ar = np.clip(r1, 0.0, 0.9)
        decay = np.where(clear, np.clip(r2 / np.where(clear, r1, 1.0), ar, 0.8), ar)
        factor = 1 + 2 * np.maximum(r1, 0.0) / (1 - decay)
        rho = (factor - 1) / (factor + 1) + POOL_MARGIN / np.sqrt(days)
    rho = np.where((n_other >= 2) & np.isfinite(rho), rho, 0.0)
    return np.clip(rho, 0.0, 0.9)


# --- one ad ------------------------------------------------------------------------------------


def market_index(mine: np.ndarray, other_num, other_den, other_ads) -> np.ndarray | None:
    """The account's same-day rate without this ad, ÷ its average over the ad's days; None when
    the market is too thin (fewer than MIN_OTHER_ADS other ads on too many days)."""
    if other_num is None or other_den is None:
        return None
    ok = (other_den > 0) & (other_num > 0) & (other_ads >= MIN_OTHER_ADS)
    if ok.mean() < MARKET_COVERAGE:
        return None
    total = other_num[ok].sum() / other_den[ok].sum()
    index = np.ones(len(mine))
    index[ok] = (other_num[ok] / other_den[ok]) / total
    return index


def fatigue_for_ad(
    days: pd.DataFrame,
    floor_share: float = DEFAULT_FLOOR_SHARE,
    market: pd.DataFrame | None = None,
) -> dict:
    """Status, evidence and explanation for one ad's daily rows.

    `market`: the other ads' daily sums (date, impressions, clicks, spend, video_watched_2s,
    ads = how many other ads delivered that day); without it the ad is judged on its own."""
    days = days.sort_values("date")

    def col(frame, name):
        return frame[name].to_numpy("float64") if name in frame else None

    others = None
    if market is not None and len(market):
        aligned = market.set_index(market["date"].dt.normalize()).reindex(
            days["date"].dt.normalize()
        )
        others = {c: col(aligned, c) for c in (*MARKET_COLUMNS, "ads")}
        others = {c: (None if v is None else np.nan_to_num(v)) for c, v in others.items()}
    return _fatigue(
        days["date"].dt.date.to_numpy(),
        col(days, "impressions"),
        col(days, "clicks"),
        col(days, "spend"),
        col(days, "frequency"),
        col(days, "video_watched_2s"),
        floor_share,
        others,
    )


def _side_signal(y, w, k: int, sign: int, rho: float | None = None) -> tuple[float, float] | None:
    """Slope after onset k of a market-adjusted log series and its one-sided t (sign +1:
    rising, −1: falling), with the same correlated-day allowance as the CTR fit."""
    fit = hinge_fits(y, w, rho)
    if fit is None:
        return None
    idx = np.flatnonzero(fit["k"] == k)
    if not len(idx):
        return None
    i = int(idx[0])
    inflation = (1 + fit["rho"]) / (1 - fit["rho"])
    sse_k = float(fit["sse"][i]) / max(fit["n"] - 2, 1)
    var = sse_k * inflation * float(fit["v22"][i])
    if var <= 0:
        slope = float(fit["slope"][i])
        return slope, (math.inf if sign * slope > 0 else 0.0)
    return float(fit["slope"][i]), sign * float(fit["slope"][i]) / math.sqrt(var)


def _fatigue(
    dates: np.ndarray,
    imp: np.ndarray,
    clk: np.ndarray | None,
    spend: np.ndarray | None,
    freq: np.ndarray | None,
    v2: np.ndarray | None,
    floor_share: float = DEFAULT_FLOOR_SHARE,
    others: dict | None = None,
    account_rho: float | None = None,
) -> dict:
    """The fatigue verdict on one ad's daily arrays (sorted by day); numpy only, no pandas.

    `account_rho`: the day correlation of the account's other ads (`account_day_correlation`),
    a floor under the ad's own estimate; only used when the ad is judged against the account."""
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
    spend = np.nan_to_num(spend[active]) if spend is not None else None
    freq = freq[active] if freq is not None else None
    v2 = np.nan_to_num(v2[active]) if v2 is not None else None
    o = {c: (None if v is None else v[active]) for c, v in (others or {}).items()}
    n_ads = o.get("ads")

    # 1. Against the market: each series divided by the other ads' same-day index.
    ctr_index = market_index(clk, o.get("clicks"), o.get("impressions"), n_ads) if o else None
    reference = "account" if ctr_index is not None else "own history"
    evidence["reference"] = reference
    if ctr_index is None:
        ctr_index = np.ones(n_days)
    adj_clk = clk / ctr_index
    span = BASELINE_DAYS if n_days >= 2 * BASELINE_DAYS else n_days // 3
    base, recent = slice(0, span), slice(n_days - span, n_days)
    base_ctr = clk[base].sum() / imp[base].sum()
    recent_ctr = clk[recent].sum() / imp[recent].sum()
    adj_base = adj_clk[base].sum() / imp[base].sum()
    adj_recent = adj_clk[recent].sum() / imp[recent].sum()
    evidence.update(
        {
            "baseline_ctr": base_ctr,
            "recent_ctr": recent_ctr,
            "ctr_change_from_baseline": (recent_ctr - base_ctr) / base_ctr if base_ctr else None,
            "ctr_change_against_account": (adj_recent - adj_base) / adj_base
            if adj_base and reference == "account"
            else None,
        }
    )
    if spend is not None:
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
    if freq is not None and np.isfinite(freq).any():
        evidence["frequency_start"] = float(np.nanmean(freq[base]))
        evidence["frequency_end"] = float(np.nanmean(freq[recent]))

    # 2. The changepoint fit of the adjusted log CTR.
    other_clk = o.get("clicks") if reference == "account" else None
    var_other = 1 / (other_clk + 0.5) if other_clk is not None else 0.0
    y = np.log((adj_clk + 0.5) / imp)
    w = 1 / (TAU2 + 1 / (clk + 0.5) + var_other)
    floor_rho = account_rho if reference == "account" else None
    fit = hinge_fits(y, w, floor_rho)
    status = "healthy"
    corroborating: list[str] = []
    if fit is not None:
        z, _ = break_statistic(fit)
        # The verdict on the CTR fit's own best onset (as calibrated) ...
        k = int(fit["k"][fit["best"]])
        slope = float(fit["slope"][fit["best"]])
        drop = math.expm1(slope * (n_days - 1 - k)) if slope < 0 else 0.0
        if slope < 0 and drop <= -MIN_DROP:
            if z >= Z_FATIGUED:
                status = "fatigued"
            elif z >= Z_WATCH:
                status = "watch"
        if status != "healthy":
            # ... and the onset reported from CTR and CPM together.
            k = _joint_onset(fit, adj_clk / imp, w, imp, spend, v2, o, reference)
            fit = dict(fit, best=int(np.flatnonzero(fit["k"] == k)[0]))
            slope = float(fit["slope"][fit["best"]])
            drop = math.expm1(slope * (n_days - 1 - k)) if slope < 0 else 0.0
        evidence.update(
            {
                "break_statistic": z if math.isfinite(z) else None,
                "break_thresholds": {"watch": Z_WATCH, "fatigued": Z_FATIGUED},
                "day_correlation": fit["rho"],
                "ctr_slope_per_day": slope,  # on the log scale: −0.02 ≈ −2 % a day
                "ctr_change_since_onset": drop,
            }
        )
        if status != "healthy":
            lo, hi = onset_interval(fit)
            evidence["decline_began"] = dates[k].isoformat()
            evidence["decline_began_interval"] = [dates[lo].isoformat(), dates[hi].isoformat()]
            corroborating = _corroboration(imp, spend, v2, o, reference, w, k, floor_rho)
            _project(evidence, fit, dates, k, lo, hi, floor_share, base_ctr)
    evidence["corroborating_signals"] = corroborating
    verdict = {
        "status": status,
        "evidence": evidence,
        "explanation": _fatigue_text(status, evidence),
    }
    if status in ("fatigued", "watch"):
        verdict["brief"] = list(CREATIVE_BRIEF)
    return verdict


def _corroboration(imp, spend, v2, o, reference, w, k, rho=None) -> list[str]:
    """CPM rising / hook rate falling faster than the account's since the onset (one-sided
    α = ALPHA_SIDE). Frequency is not used: it creeps up on every ad as reach saturates."""
    from .core import t_ppf as _q

    out = []
    n = len(imp)
    q = _q(1 - ALPHA_SIDE, max(n - 3, 1))
    against = " against the account" if reference == "account" else ""
    if spend is not None and (spend > 0).all():
        index = None
        if reference == "account":
            index = market_index(spend, o.get("spend"), o.get("impressions"), o.get("ads"))
        cpm = spend / imp / (index if index is not None else 1.0)
        side = _side_signal(np.log(cpm), imp / imp.mean(), k, +1, rho)
        if side and side[1] > q:
            out.append(f"CPM is rising{against}")
    if v2 is not None and (v2 > 0).all():
        index = None
        if reference == "account":
            index = market_index(v2, o.get("video_watched_2s"), o.get("impressions"), o.get("ads"))
        hook = v2 / imp / (index if index is not None else 1.0)
        side = _side_signal(np.log(hook), 1 / (TAU2 / 4 + 1 / (v2 + 0.5)), k, -1, rho)
        if side and side[1] > q:
            out.append(f"the hook rate is falling{against}")
    return out


def _project(evidence, fit, dates, k, lo, hi, floor_share, base_ctr) -> None:
    """The day the CTR trend reaches floor_share of its level before the onset, and its interval
    (the slope's FLOOR_INTERVAL interval, over the onsets in the onset interval)."""
    evidence["ctr_floor"] = base_ctr * floor_share
    evidence["ctr_floor_share"] = floor_share
    best = fit["best"]
    point = floor_days(fit, best, floor_share)[0]
    ends = []
    for i in np.flatnonzero((fit["k"] >= lo) & (fit["k"] <= hi)):
        _, early, late = floor_days(fit, int(i), floor_share)
        ends += [int(fit["k"][i]) + early, int(fit["k"][i]) + late]
    first = dates[0]
    last = len(dates) - 1

    def day(offset: float) -> str | None:
        if not math.isfinite(offset):
            return None
        return (first + dt.timedelta(days=math.ceil(offset - 1e-9))).isoformat()

    target = k + point
    evidence["projected_floor_date"] = day(max(target, last))
    evidence["ctr_floor_reached"] = bool(target <= last)
    evidence["projected_floor_interval"] = [day(min(ends)), day(max(ends))]


def _fatigue_text(status: str, e: dict) -> str:
    change = e.get("ctr_change_since_onset")
    pct = percent(abs(change)) if change is not None else "?"
    began = f" since about {_day(e['decline_began'])}" if e.get("decline_began") else ""
    market = (
        "against the account's other ads"
        if e.get("reference") == "account"
        else "against its own past (too few other ads to compare with)"
    )
    found = e.get("corroborating_signals", [])
    signals = (
        ", ".join(found[:-1]) + (" and " if len(found) > 1 else "") + (found[-1] if found else "")
    )
    also = f", and {signals}" if found else ""
    if status == "fatigued":
        share = e.get("ctr_floor_share", DEFAULT_FLOOR_SHARE)
        when, (early, late) = (
            e.get("projected_floor_date"),
            e.get("projected_floor_interval")
            or (
                None,
                None,
            ),
        )
        if e.get("ctr_floor_reached"):
            then = (
                f" CTR is already below {share_percent(share)} of its earlier level: refresh it now"
            )
        elif when:
            span = ""
            if early and late and early != late:
                span = f" (between {_day(early)} and {_day(late)})"
            elif early and not late:
                span = f" (not before {_day(early)})"
            then = (
                f" At this pace CTR reaches {share_percent(share)} of its earlier level around "
                f"{_day(when)}"
            )
            then += f"{span}: refresh it before then"
        else:
            then = " Refresh it"
        return (
            f"CTR has fallen {pct}{began} {market}{also}: the audience is tiring of this "
            f"creative.{then} (see the creative brief)."
        )
    if status == "watch":
        return (
            f"CTR is drifting down{began} ({pct} {market}){also}, but the evidence is not yet "
            "conclusive. Prepare a new variant of the opening and check again in a few days."
        )
    return f"No sign of fatigue: CTR holds {market}. Keep it running."


# --- every ad ----------------------------------------------------------------------------------


def history_window(window: Window) -> Window:
    """The days an ad's fatigue is judged on for this window (its history up to the end)."""
    days = max(HISTORY_DAYS, window.days)
    return Window(window.end - dt.timedelta(days=days - 1), window.end)


def fatigue_history(ads: pd.DataFrame, window) -> pd.DataFrame:
    """The rows fatigue is judged on: every ad delivering in the window, with its history.

    Fatigue often begins before a short window does; so each ad is followed from its first day
    (at most HISTORY_DAYS before the window's end) up to the window's last day.
    """
    ads = ads.dropna(subset=["date"])
    if window is None:
        return ads
    return in_window(ads, history_window(window))


def fatigue(dataset: Dataset, window=None, floor_share: float = DEFAULT_FLOOR_SHARE) -> list[dict]:
    """Fatigue verdict per ad delivering in the window, judged on its history up to the window's
    end (see `fatigue_history`) against the account's other ads on the same days."""
    if not dataset.has("ads") or not {"date", "impressions"} <= set(dataset.get("ads").columns):
        return []
    ads = fatigue_history(dataset.get("ads"), window)
    if ads.empty:
        return []
    daily, codes = _daily_per_ad(ads, codes=True)
    others = _market(daily)

    if window is not None:
        # The ads with impressions on a day of the window, as a lookup by ad code.
        day = daily["date"].to_numpy()
        start, end = pd.Timestamp(window.start), pd.Timestamp(window.end) + pd.Timedelta(days=1)
        now = (day >= start.to_datetime64()) & (day < end.to_datetime64())
        now &= daily["impressions"].fillna(0).to_numpy() > 0
        delivering = np.zeros(int(codes.max(initial=-1)) + 1, bool)
        delivering[codes[now]] = True
        mask = delivering[codes]
        if not mask.all():  # (often every ad of the history still delivers: no copy then)
            daily = daily[mask]
            others = {c: v[mask] for c, v in others.items()}
            codes = codes[mask]
    if daily.empty:
        return []
    order = np.lexsort((daily["date"].to_numpy(), codes))
    if (np.diff(order) != 1).any():  # (the daily rows come sorted so: then no copy of them)
        daily = daily.iloc[order]
        others = {c: v[order] for c, v in others.items()}
        codes = codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    # Days as numpy dates: only the few ads judged one by one get datetime.date objects (a
    # million of them would cost about 50 MB and a second).
    dates = daily["date"].to_numpy().astype("datetime64[D]")

    def col(name):
        return daily[name].to_numpy("float64") if name in daily else None

    arrays = [col(c) for c in ("impressions", "clicks", "spend", "frequency", "video_watched_2s")]
    rhos = np.zeros(len(starts))
    if arrays[1] is not None and "clicks" in others:
        rhos = account_day_correlation(
            np.nan_to_num(arrays[1]),
            np.nan_to_num(arrays[0]),
            others["clicks"],
            others["impressions"],
            starts,
        )
    firsts = daily[DIMS].iloc[starts]
    names = [_names(key) for key in zip(*(firsts[d].to_numpy(object) for d in DIMS), strict=True)]
    verdicts = fatigue_verdicts(dates, arrays, others, starts, rhos, floor_share)
    return [{**name, **verdict} for name, verdict in zip(names, verdicts, strict=True)]


def _market(daily: pd.DataFrame) -> dict[str, np.ndarray]:
    """The market beside each row (an ad's day): the account's other ads' totals that day
    (all ads in the history, delivering or not now), and how many of them delivered. One
    column at a time, so no second copy of the daily rows is held while the fits run."""
    days = pd.factorize(daily["date"])[0]
    others = {}
    for c in (c for c in MARKET_COLUMNS if c in daily):
        own = daily[c].fillna(0.0)
        others[c] = (own.groupby(days).transform("sum") - own).to_numpy("float64")
    active = (daily["impressions"].fillna(0) > 0).astype(int)
    others["ads"] = (active.groupby(days).transform("sum") - active).to_numpy("float64")
    return others


def _days(dates: np.ndarray) -> np.ndarray:
    """An ad's days as datetime.date objects, what `_fatigue` reads (numpy dates or already
    dates)."""
    return dates.astype("datetime64[D]").astype(object)


def fatigue_verdicts_one_by_one(dates, arrays, others, starts, rhos, floor_share) -> list[dict]:
    """`_fatigue` on each ad's slice of the rows (sorted by ad, then day; `starts` the first row
    of each ad): the reference `fatigue_verdicts` is checked against (tests)."""
    ends = np.r_[starts[1:], len(dates)]
    out = []
    for lo, hi, rho in zip(starts, ends, rhos, strict=True):
        part = [None if a is None else a[lo:hi] for a in arrays]
        mine = {c: v[lo:hi] for c, v in others.items()}
        out.append(_fatigue(_days(dates[lo:hi]), *part, floor_share, mine, float(rho)))
    return out


def fatigue_verdicts(dates, arrays, others, starts, rhos, floor_share) -> list[dict]:
    """The verdicts of `fatigue_verdicts_one_by_one`, the healthy ones fitted all at once.

    Ads with as many active days are stacked into an (ad × day) matrix and the CTR changepoint
    fit (`hinge_fits`, `break_statistic`) runs on the whole matrix. An ad the screen finds
    healthy gets its verdict from the matrix; an ad it flags (watch or fatigued: a handful),
    one with too little data, and one whose screen is within rounding of a threshold or of a
    tie between two onsets is judged one by one by `_fatigue` itself, so every verdict is the
    one `_fatigue` gives (to rounding in the last digits of the healthy ads' evidence).
    """
    starts = np.asarray(starts, dtype=np.int64)
    n_ads, n_rows = len(starts), len(dates)
    imp, clk, spend, freq, _ = arrays
    out: list[dict | None] = [None] * n_ads
    if n_ads == 0:
        return []
    lengths = np.diff(np.r_[starts, n_rows])
    codes = np.repeat(np.arange(n_ads), lengths)
    imp0 = np.nan_to_num(imp)
    active = imp0 > 0
    n_days = np.bincount(codes, weights=active, minlength=n_ads).astype(np.int64)
    volume = np.bincount(codes, weights=np.where(active, imp0, 0.0), minlength=n_ads)
    screened = np.zeros(n_ads, bool)
    if clk is not None and {"clicks", "impressions", "ads"} <= set(others):
        # (clear of the impressions gate by more than rounding: the others are _fatigue's)
        screened = (n_days >= MIN_DAYS) & (volume >= MIN_IMPRESSIONS * (1 + 1e-9))
    rows = np.flatnonzero(active & screened[codes])  # each screened ad's active days, in order
    first = np.r_[0, np.cumsum(n_days * screened)][:-1]  # its first row among `rows`
    blocks = []  # ads with as many days, in blocks of about SCREEN_CELLS (ad × day) cells
    for n in np.unique(n_days[screened]):
        same = np.flatnonzero(screened & (n_days == n))
        # (never a new block of one ad: a matrix product of one row takes another path)
        parts = max(1, min(-(-len(same) * int(n) // SCREEN_CELLS), len(same) // 2))
        blocks += [(n, group) for group in np.array_split(same, parts)]
    for n, group in blocks:
        at = rows[first[group][:, None] + np.arange(n)]  # (ad, day) → row
        healthy = _screen(
            int(n),
            imp[at],
            np.nan_to_num(clk[at]),
            None if spend is None else np.nan_to_num(spend[at]),
            None if freq is None else freq[at],
            others["clicks"][at],
            others["impressions"][at],
            others["ads"][at],
            np.asarray(rhos, dtype="float64")[group],
        )
        for i, verdict in zip(group, healthy, strict=True):
            if verdict is not None:
                verdict["evidence"] = {"days": int(n), "impressions": float(volume[i])} | verdict[
                    "evidence"
                ]
                verdict["explanation"] = _fatigue_text("healthy", verdict["evidence"])
                out[i] = verdict
    ends = np.r_[starts[1:], n_rows]
    for i in np.flatnonzero([v is None for v in out]):
        lo, hi = starts[i], ends[i]
        part = [None if a is None else a[lo:hi] for a in arrays]
        mine = {c: v[lo:hi] for c, v in others.items()}
        out[i] = _fatigue(_days(dates[lo:hi]), *part, floor_share, mine, float(rhos[i]))
    return out


# The screen's matrices hold at most this many (ad × day) cells (1.6 MB each): a year of
# thousands of ads is fitted in blocks, not in one set of matrices ten times the size.
SCREEN_CELLS = 200_000


def _screen(n, imp, clk, spend, freq, o_clk, o_imp, o_ads, account_rho) -> list[dict | None]:
    """`_fatigue`'s CTR fit on G ads of n active days each, as (G × n) matrices: the healthy
    verdict of each ad (status and evidence, without days, impressions and explanation), or
    None where `_fatigue` must judge the ad itself (flagged, or within rounding of a boundary)."""
    g = len(imp)
    # 1. Against the market (market_index, row by row).
    ok = (o_imp > 0) & (o_clk > 0) & (o_ads >= MIN_OTHER_ADS)
    account = ok.mean(axis=1) >= MARKET_COVERAGE
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.where(ok, o_clk, 0.0).sum(axis=1) / np.where(ok, o_imp, 0.0).sum(axis=1)
        index = np.where(ok, (o_clk / o_imp) / total[:, None], 1.0)
    index = np.where(account[:, None], index, 1.0)
    adj_clk = clk / index
    span = BASELINE_DAYS if n >= 2 * BASELINE_DAYS else n // 3
    base, recent = slice(0, span), slice(n - span, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        base_ctr = clk[:, base].sum(axis=1) / imp[:, base].sum(axis=1)
        recent_ctr = clk[:, recent].sum(axis=1) / imp[:, recent].sum(axis=1)
        adj_base = adj_clk[:, base].sum(axis=1) / imp[:, base].sum(axis=1)
        adj_recent = adj_clk[:, recent].sum(axis=1) / imp[:, recent].sum(axis=1)
        if spend is not None:
            base_cpm = spend[:, base].sum(axis=1) / imp[:, base].sum(axis=1) * 1000
            recent_cpm = spend[:, recent].sum(axis=1) / imp[:, recent].sum(axis=1) * 1000
        if freq is not None:
            has_freq = np.isfinite(freq).any(axis=1)
            with _quiet_nanmean():
                freq_start = np.nanmean(freq[:, base], axis=1)
                freq_end = np.nanmean(freq[:, recent], axis=1)

    # 2. The changepoint fit (hinge_fits and break_statistic, on every row at once).
    var_other = np.where(account[:, None], 1 / (o_clk + 0.5), 0.0)
    y = np.log((adj_clk + 0.5) / imp)
    w = 1 / (TAU2 + 1 / (clk + 0.5) + var_other)
    w = w / w.mean(axis=1, keepdims=True)
    ks = np.arange(MIN_PRE - 1, n - MIN_POST)
    t = np.arange(n, dtype="float64")
    h = np.maximum(t[None, :] - ks[:, None], 0.0)  # (k, day)
    wy = w * y
    s0 = w.sum(axis=1)[:, None]
    s1 = w @ h.T  # (ad, k)
    s2 = w @ (h * h).T
    sy = wy.sum(axis=1)[:, None]
    shy = wy @ h.T
    syy = (wy * y).sum(axis=1)
    det = s0 * s2 - s1 * s1
    slope = (s0 * shy - s1 * sy) / det
    level = (sy - slope * s1) / s0
    sse = np.maximum(syy[:, None] - level * sy - slope * shy, 0.0)
    best = np.argmin(sse, axis=1)
    rows = np.arange(g)
    b_slope, b_level, b_sse = slope[rows, best], level[rows, best], sse[rows, best]
    resid = (y - b_level[:, None] - b_slope[:, None] * h[best]) * np.sqrt(w)
    sigma2 = b_sse / max(n - 3, 1)
    rho = np.minimum(
        np.maximum(
            _ar1_rows(resid) + RHO_MARGIN / math.sqrt(n), np.where(account, account_rho, 0.0)
        ),
        0.9,
    )
    inflation = (1 + rho) / (1 - rho)
    var = (sigma2 * inflation)[:, None] * (s0 / det)
    with np.errstate(divide="ignore", invalid="ignore"):
        tk = np.where(var > 0, -slope / np.sqrt(var), np.inf * -np.sign(slope))
    z = np.nan_to_num(tk, nan=0.0).max(axis=1)
    k = ks[best]
    with np.errstate(over="ignore"):
        drop = np.where(b_slope < 0, np.expm1(b_slope * (n - 1 - k)), 0.0)
    flagged = (b_slope < 0) & (drop <= -MIN_DROP) & (z >= Z_WATCH)
    # Within rounding of a boundary: the matrix sums in another order than _fatigue does, so
    # its sums of squares differ from _fatigue's by a few units of 1e-16 × Σ w·y² per day.
    scale = np.abs(syy) + np.abs(sse).max(axis=1) + 1e-300
    second = np.partition(sse, 1, axis=1)[:, 1] if sse.shape[1] > 1 else np.full(g, np.inf)
    edge = (
        (second - b_sse <= 1e-12 * scale)
        | (b_sse <= 1e-12 * scale)
        | (np.abs(z - Z_WATCH) <= 1e-6 * np.maximum(1.0, np.abs(z)))
        | (np.abs(drop + MIN_DROP) <= 1e-9)
        | (np.abs(b_slope) <= 1e-12)
        | ~np.isfinite(z)
        | ~np.isfinite(y).all(axis=1)
        | ~np.isfinite(w).all(axis=1)
        | ~np.isfinite(resid).all(axis=1)
    )
    out: list[dict | None] = []
    for i in range(g):
        if flagged[i] or edge[i]:
            out.append(None)
            continue
        reference = "account" if account[i] else "own history"
        e: dict = {
            "reference": reference,
            "baseline_ctr": float(base_ctr[i]),
            "recent_ctr": float(recent_ctr[i]),
            "ctr_change_from_baseline": float((recent_ctr[i] - base_ctr[i]) / base_ctr[i])
            if base_ctr[i]
            else None,
            "ctr_change_against_account": float((adj_recent[i] - adj_base[i]) / adj_base[i])
            if adj_base[i] and account[i]
            else None,
        }
        if spend is not None:
            e["baseline_cpm"] = float(base_cpm[i])
            e["recent_cpm"] = float(recent_cpm[i])
            e["cpm_change_from_baseline"] = (
                float((recent_cpm[i] - base_cpm[i]) / base_cpm[i]) if base_cpm[i] else None
            )
        if freq is not None and has_freq[i]:
            e["frequency_start"] = float(freq_start[i])
            e["frequency_end"] = float(freq_end[i])
        e["break_statistic"] = float(z[i])
        e["break_thresholds"] = {"watch": Z_WATCH, "fatigued": Z_FATIGUED}
        e["day_correlation"] = float(rho[i])
        e["ctr_slope_per_day"] = float(b_slope[i])
        e["ctr_change_since_onset"] = float(drop[i])
        e["corroborating_signals"] = []
        out.append({"status": "healthy", "evidence": e})
    return out


def _ar1_rows(resid: np.ndarray) -> np.ndarray:
    """`ar1` of each row of a matrix of finite residuals."""
    n = resid.shape[1]
    r = resid - resid.mean(axis=1, keepdims=True)
    denom = (r * r).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = (r[:, 1:] * r[:, :-1]).sum(axis=1) / denom
    rho = rho + (1 + 3 * rho) / n
    rho = np.where(denom > 0, rho, 0.0) if n >= 6 else np.zeros(len(r))
    return np.clip(rho, 0.0, 0.9)


class _quiet_nanmean:
    """Silence numpy's "mean of empty slice" for rows without a frequency (they are skipped)."""

    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._w.__exit__(*exc)
