"""The shared core of the diagnostics: rates, dispersion, intervals and tests on daily counts.

Days are the unit of replication. A day of an ad is one draw of a noisy process (auction,
audience, weekday); its clicks are not a million independent coin flips. Binomial tests on raw
impressions call every wobble significant, so proportions here carry a quasi-binomial
dispersion factor φ (Pearson χ² of the daily counts around the pooled rate, per degree of
freedom, at least 1), and comparisons of ads are paired by day with a variance that allows for
correlated days (`ratio_difference`). docs/diagnostics.md has the formulas.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..compare import ar1, long_run_variance  # noqa: F401  (shared with the period comparison)

DIMS = ["campaign", "ad_group", "ad"]
ALPHA_WATCH = 0.05  # the level of the side checks (drop-off)


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


def wilson_many(
    successes: np.ndarray, trials: np.ndarray, phi: np.ndarray, z: float = 1.96
) -> list[list[float] | None]:
    """`wilson` for many rates at once (each as [low, high]; None where trials ≤ 0), by the
    same operations in the same order, so each interval is `wilson`'s to the last digit."""
    s, n_, f = (np.asarray(a, "float64") for a in (successes, trials, phi))
    ok = n_ > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        n = n_ / f
        p = s / n_
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low, high = centre - half, centre + half
    low = np.where(low > 0.0, low, 0.0)  # max(0.0, low), as `wilson`
    high = np.where(high < 1.0, high, 1.0)  # min(1.0, high)
    pairs = np.column_stack([low, high]).tolist()
    return [pair if good else None for pair, good in zip(pairs, ok.tolist(), strict=True)]


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
    # Student's t by scipy.special, which is what scipy.stats.t's sf and ppf evaluate
    # (stdtr(df, -x) and stdtrit(df, q)): importing scipy.stats would cost the process
    # about 0.3 s and 45 MB more. Lazily: the CLI must start fast.
    from scipy.special import stdtr, stdtrit

    p = float(2 * stdtr(n - 2, -abs(tval)))
    q = stdtrit(n - 2, 0.975)
    return Trend(float(slope), p, float(slope - q * se), float(slope + q * se))


def _one_row_per_ad_day(ads: pd.DataFrame):
    """When every (ad, day) of `ads` has exactly one row (an Ads Manager report by day with no
    breakdown, the usual case), the rows' order sorted by ad, then day, and each row's ad code
    in that order; None when some ad has several rows on a day or a row has no day.

    The ads are numbered by one grouping on the names (`ngroup`, in the sorted order the
    grouping by names and day gives), the days are integers: sorting their combined integer
    key replaces the four-key grouping, which factorises the day as a fourth key and sorts
    every row by all four (half the time of the fatigue and hook-vs-CTA fits on a year)."""
    dates = ads["date"]
    if not (isinstance(dates.dtype, np.dtype) and dates.dtype.kind == "M") or dates.isna().any():
        return None
    ad = ads.groupby(DIMS, dropna=False, sort=True, observed=True).ngroup().to_numpy(np.int64)
    if len(ad) and ad.min() < 0:
        return None
    day = dates.dt.normalize().to_numpy().astype("datetime64[D]").astype(np.int64)
    first = int(day.min()) if len(day) else 0
    key = ad * (int(day.max()) - first + 1 if len(day) else 1) + (day - first)
    order = np.argsort(key, kind="stable")
    if len(order) > 1 and not (np.diff(key[order]) > 0).all():
        return None
    return order, ad[order]


def _floats(ads: pd.DataFrame, cols: list[str]) -> bool:
    """Whether every column is plain float64 (numpy), what the one-row-per-day path reads."""
    return all(ads[c].dtype == np.float64 for c in cols)


def _sorted_rows(ads: pd.DataFrame, order: np.ndarray, cols: list[str]) -> pd.DataFrame:
    """The rows of `ads` in `order` as the grouping by names and day writes them: the names,
    the day (midnight), then `cols`, each value as a sum of itself (x + 0.0: a lone -0.0 sums
    to 0.0, as pandas' grouped sum starts from 0)."""
    out = ads[DIMS].take(order).reset_index(drop=True)
    out["date"] = ads["date"].dt.normalize().take(order).to_numpy()
    for c in cols:  # (float columns only: the callers check)
        out[c] = ads[c].to_numpy().take(order) + 0.0
    return out


def _daily_per_ad(ads: pd.DataFrame, codes: bool = False):
    """One row per ad and day (sorted by ad, then day): counts summed, frequency as reported.

    With `codes`, also each row's ad as an integer (0, 1, … in that sorted order), read off
    the grouping itself rather than grouped again."""
    wanted = ("spend", "impressions", "clicks", "video_watched_2s", "frequency", "reach")
    cols = [c for c in wanted if c in ads]
    fast = _one_row_per_ad_day(ads) if _floats(ads, cols) else None
    if fast is not None:
        # One row per ad and day: each sum is its one value (min_count=1: NaN stays NaN) and
        # the frequency its reported value (the mean of one).
        order, ad = fast
        out = _sorted_rows(ads, order, cols)
        return (out, ad) if codes else out
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
    if not codes:
        return out.reset_index()
    return out.reset_index(), _row_ads(out.index)


def _daily_sums(ads: pd.DataFrame, cols: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per ad and day (sorted by ad, then day) with the sums of `cols`, and each row's
    ad as an integer code in that order (read off the grouping, not grouped again)."""
    fast = _one_row_per_ad_day(ads) if _floats(ads, cols) else None
    if fast is not None:  # one row per ad and day: each sum is its value, a missing one 0
        order, ad = fast
        out = _sorted_rows(ads, order, cols)
        for c in cols:
            out[c] = out[c].fillna(0.0)
        return out, ad
    grouped = ads.groupby([*DIMS, ads["date"].dt.normalize()], dropna=False, observed=True)
    out = grouped[cols].sum()
    return out.reset_index(), _row_ads(out.index)


def _row_ads(index: pd.MultiIndex) -> np.ndarray:
    """0, 1, … per ad of a (campaign, ad group, ad, day) index sorted by ad: a new ad begins
    where any of its three names changes."""
    change = np.zeros(len(index), bool)
    if len(index):
        change[0] = True
        for level in range(len(DIMS)):
            c = np.asarray(index.codes[level])
            change[1:] |= c[1:] != c[:-1]
    return np.cumsum(change) - 1


def _per_ad(daily: pd.DataFrame, codes: np.ndarray, cols: list[str]) -> pd.DataFrame:
    """Per ad: its names and the sums of `cols` over its days (`daily`, `codes`: `_daily_sums`),
    as `daily.groupby(DIMS)[cols].sum().reset_index()` gives them, without grouping by names."""
    sums = daily[cols].groupby(codes, sort=True).sum()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes
    out = daily[DIMS].iloc[starts].reset_index(drop=True)
    for c in cols:
        out[c] = sums[c].to_numpy()
    return out


def _ad_codes(daily: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Integer code per day-row of its ad (in sorted ad order) and the number of ads."""
    codes = daily.groupby(DIMS, dropna=False, sort=True, observed=True).ngroup().to_numpy()
    return codes, int(codes.max()) + 1 if len(codes) else 0


def _names(key) -> dict:
    return {d: (None if pd.isna(v) else str(v)) for d, v in zip(DIMS, key, strict=False)}


def _day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%b %Y}"  # "20 Sep 2026", "5 Oct 2026" (no %-d: not on Windows)


def _round_half_up(value: float, decimals: int) -> float:
    """Half away from zero at `decimals` (as the app's formatter, ui/numbers.py, rounds)."""
    scale = 10.0**decimals
    scaled = abs(value) * scale
    return math.copysign(math.floor(scaled + 0.5 + scaled * 2.0**-52 * 16) / scale, value)


def percent(share: float, decimals: int = 1, signed: bool = False) -> str:
    """A percentage in a sentence, written as the app writes them (ui/numbers.py): a space
    before "%", rounded half away from zero; a relative change has one decimal and a sign
    (+12.3 %, -4.0 %), a fall told in words its size (fallen 43.9 %), a whole share none
    (50 % of its earlier level). Minus is "-", as everywhere in the app."""
    number = _round_half_up(share * 100, decimals)
    if number == 0:
        number = 0.0  # no "-0.0 %"
    text = f"{abs(number):,.{decimals}f} %"
    if number < 0:
        return "-" + text
    return ("+" if signed and number > 0 else "") + text


def share_percent(share: float) -> str:
    """A share chosen as a setting (a floor at 50 %): whole when it is whole, else one decimal."""
    whole = _round_half_up(share * 100, 1).is_integer()
    return percent(share, 0 if whole else 1)


def t_sf(t: float, df: float) -> float:
    """Upper tail of Student's t (scipy imported lazily)."""
    from scipy.special import stdtr

    return float(stdtr(df, -t))


def t_ppf(q: float, df: float) -> float:
    from scipy.special import stdtrit

    return float(stdtrit(df, q))


@dataclass
class Paired:
    """Rate a minus rate b over the same days, as ratio estimators Σy ÷ Σx."""

    rate_a: float
    rate_b: float
    se: float  # of rate_a − rate_b, allowing for overdispersion and correlated days
    days: int

    @property
    def lift(self) -> float:
        return self.rate_a / self.rate_b - 1 if self.rate_b > 0 else float("inf")

    def p_greater(self) -> float:
        """One-sided p-value of H0: rate_a ≤ rate_b."""
        diff = self.rate_a - self.rate_b
        if self.se <= 0:
            return 0.0 if diff > 0 else 1.0
        return t_sf(diff / self.se, max(self.days - 1, 1))

    def lift_lower(self, alpha: float = 0.05) -> float:
        """One-sided (1 − α) lower bound of the lift rate_a ÷ rate_b − 1 (delta method)."""
        if self.rate_b <= 0:
            return float("nan")
        q = t_ppf(1 - alpha, max(self.days - 1, 1))
        return (self.rate_a - q * self.se) / self.rate_b - 1


def ratio_difference(ya, xa, yb, xb) -> Paired | None:
    """Σya ÷ Σxa against Σyb ÷ Σxb on the days both ran (arrays aligned by day).

    Each rate is a ratio estimator; its day-level linearisation u_d = (y_d − R·x_d) ÷ x̄ carries
    all the day-to-day noise (overdispersion included), and pairing the two ads' u by day
    cancels what the days share (weekday, auction). The variance of the mean difference
    allows for correlated days (`long_run_variance`, ρ raised by 1 ÷ √days for its own
    uncertainty)."""
    ok = np.isfinite(ya) & np.isfinite(xa) & np.isfinite(yb) & np.isfinite(xb)
    ok &= (xa > 0) & (xb > 0)
    ya, xa, yb, xb = ya[ok], xa[ok], yb[ok], xb[ok]
    n = len(xa)
    if n < 3 or xa.sum() <= 0 or xb.sum() <= 0:
        return None
    ra, rb = ya.sum() / xa.sum(), yb.sum() / xb.sum()
    u = (ya - ra * xa) / xa.mean() - (yb - rb * xb) / xb.mean()
    # ρ̂ plus a margin for its own uncertainty, as in the period comparison
    var = long_run_variance(u, min(ar1(u) + 1 / math.sqrt(n), 0.9))
    return Paired(float(ra), float(rb), math.sqrt(var) if var > 0 else 0.0, n)


# --- many comparisons at once ------------------------------------------------------------------


def _packed(values: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's kept rows moved to its top in their order (zeros below), and the counts:
    the per-column series of `ar1` / `long_run_variance`, side by side."""
    order = np.argsort(~keep, axis=0, kind="stable")
    packed = np.take_along_axis(np.where(keep, values, 0.0), order, axis=0)
    count = keep.sum(axis=0)
    packed[np.arange(len(values))[:, None] >= count[None, :]] = 0.0
    return packed, count


def _ar1_columns(u: np.ndarray, n: np.ndarray) -> np.ndarray:
    """`ar1` of every column of a packed matrix (column j: its first n_j rows)."""
    valid = np.arange(len(u))[:, None] < n[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(valid, u - u.sum(axis=0) / np.maximum(n, 1), 0.0)
        denom = (d * d).sum(axis=0)
        rho = (d[1:] * d[:-1]).sum(axis=0) / denom
        rho = rho + (1 + 3 * rho) / n
    rho = np.clip(np.nan_to_num(rho), 0.0, 0.9)
    return np.where((n >= 6) & (denom > 0), rho, 0.0)


def _long_run_variance_columns(u: np.ndarray, n: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """`long_run_variance` of every column of a packed matrix, with the given ρ per column."""
    valid = np.arange(len(u))[:, None] < n[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(valid, u - u.sum(axis=0) / np.maximum(n, 1), 0.0)
        squares = (d * d).sum(axis=0)
        ar = squares / (n - 1) / n * (1 + rho) / (1 - rho)
        lag = np.floor(n.astype("float64") ** (1 / 3)).astype(np.int64)
        nw = squares / n
        for j in range(1, int(lag.max(initial=0)) + 1):
            weight = np.where(j <= lag, 1 - j / (lag + 1), 0.0)
            nw = nw + 2 * weight * (d[j:] * d[:-j]).sum(axis=0) / n
        out = np.maximum(ar, nw / (n - 1))
    return np.where(n >= 2, out, np.nan)


def ratio_differences(ya, xa, yb, xb, min_shared: int) -> dict:
    """One ad's rate Σya ÷ Σxa against each column of (yb, xb) (days × ads), all at once.

    Per column the same as `ratio_difference` on the days both ran (x > 0) when they share at
    least `min_shared` days; otherwise unpaired (each ad's own day-to-day variance, correlated
    days allowed for, added). Returns arrays rate_a, rate_b, se and days per column, and
    `valid` (False where `ratio_difference` would return None: fewer than 3 usable days).
    (ya, xa) may also be (days × ads) like (yb, xb): then column j compares ad a_j with ad b_j,
    so many groups' leaders are tested against their groups in one call."""
    ya, xa = np.nan_to_num(np.asarray(ya, "float64")), np.asarray(xa, "float64")
    yb, xb = np.nan_to_num(np.asarray(yb, "float64")), np.asarray(xb, "float64")
    if xa.ndim == 1:  # one leader for every column
        ya, xa = ya[:, None], xa[:, None]
    run_a, run_b = np.nan_to_num(xa) > 0, np.nan_to_num(xb) > 0
    both = run_a & run_b
    paired = both.sum(axis=0) >= min_shared
    m = xb.shape[1]

    # paired by day
    ok = both & np.isfinite(xa) & np.isfinite(xb)
    xa_m = np.where(ok, xa, 0.0)
    ya_m = np.where(ok, ya, 0.0)
    xb_m, yb_m = np.where(ok, xb, 0.0), np.where(ok, yb, 0.0)
    n = ok.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sxa, sxb = xa_m.sum(axis=0), xb_m.sum(axis=0)
        ra, rb = ya_m.sum(axis=0) / sxa, yb_m.sum(axis=0) / sxb
        u = (ya_m - ra * xa_m) / (sxa / n) - (yb_m - rb * xb_m) / (sxb / n)
    packed, count = _packed(np.nan_to_num(u), ok)
    rho = np.minimum(_ar1_columns(packed, count) + 1 / np.sqrt(np.maximum(count, 1)), 0.9)
    var = _long_run_variance_columns(packed, count, rho)
    valid = (n >= 3) & (sxa > 0) & (sxb > 0)
    se = np.sqrt(np.where(var > 0, var, 0.0))
    days = n.astype(np.int64)

    # unpaired: each side on its own days
    if (~paired).any():
        own = {}
        for side, (y, x, run) in enumerate(((ya, xa, run_a), (yb, xb, run_b))):
            xs = np.where(run, x, 0.0)
            k = run.sum(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.where(run, y, 0.0).sum(axis=0) / xs.sum(axis=0)
                lin = (y - r * x) / (xs.sum(axis=0) / k)
            lp, lc = _packed(np.nan_to_num(lin), run)
            v = _long_run_variance_columns(lp, lc, _ar1_columns(lp, lc))
            own[side] = (r, v, k, (k >= 3) & (xs.sum(axis=0) > 0))
        (r_a, v_a, k_a, ok_a), (r_b, v_b, k_b, ok_b) = own[0], own[1]
        un = ~paired
        ra = np.where(un, r_a, ra)  # (r_a: one value per leader, broadcast when one leader)
        rb = np.where(un, r_b, rb)
        se = np.where(un, np.sqrt(np.maximum(v_a + v_b, 0.0)), se)
        days = np.where(un, np.minimum(k_a, k_b), days)
        valid = np.where(un, ok_a & ok_b, valid)
    return {
        "rate_a": ra.reshape(m),
        "rate_b": rb.reshape(m),
        "se": se.reshape(m),
        "days": days.reshape(m),
        "valid": valid.reshape(m),
    }
