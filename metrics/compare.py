"""Period comparison: value, previous, change, and whether the change is more than noise.

Days are the units of replication, and days are not independent: a good week follows a good
week (an algorithm push, a campaign, the season). So (docs/diagnostics.md has the formulas):
- a count (a sum over days) is compared through the mean of its daily totals, a ratio Σy ÷ Σx
  through the ratio estimator's day-level linearisation u_d = (y_d − R·x_d) ÷ x̄;
- the variance of each period's mean allows for correlated days: the larger of the AR(1)
  long-run variance s² ÷ n × (1 + ρ) ÷ (1 − ρ) (ρ estimated from both periods together,
  bias-corrected, plus a margin of 1 ÷ √n for its own uncertainty) and Newey–West's;
- the test is a t-test on the difference with the effective number of days
  n × (1 − ρ) ÷ (1 + ρ); the interval for the relative change comes from the log ratio
  (delta method);
- the cards of a page are tested together: Benjamini–Hochberg adjusted p-values
  (`adjust_page`), so a page of unchanged cards rarely shows a "real" change.
Fewer than MIN_DAYS days on either side: no test ("not enough days to tell").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .definitions import RATIO, SUM, Metric

MIN_DAYS = 5
ALPHA = 0.05  # per card before adjustment, and the false discovery rate of a page
CONFIDENCE = 0.95  # of the interval for the change
RHO_MARGIN = 1.0  # ρ used is ρ̂ + RHO_MARGIN ÷ √(days): 28 days cannot pin ρ down


@dataclass(frozen=True)
class Change:
    value: float | None
    previous: float | None
    change: float | None
    p_value: float | None = None  # the card's own p-value (correlated days allowed for)
    interval: tuple[float, float] | None = None  # CONFIDENCE interval of `change`
    p_adjusted: float | None = None  # Benjamini–Hochberg across the page's cards

    @property
    def difference(self) -> float | None:
        """current − previous, or None."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def significant(self) -> bool | None:
        """True/False when tested (on the page-adjusted p-value once `adjust_page` ran), None
        when there were too few days to test."""
        p = self.p_adjusted if self.p_adjusted is not None else self.p_value
        return None if p is None else p < ALPHA

    @property
    def within_noise(self) -> bool | None:
        significant = self.significant
        return None if significant is None else not significant

    def to_dict(self) -> dict:
        return {
            "value": _clean(self.value),
            "previous": _clean(self.previous),
            "change": _clean(self.change),
            "difference": _clean(self.difference),
            "p_value": _clean(self.p_value),
            "p_adjusted": _clean(self.p_adjusted),
            "interval": None
            if self.interval is None
            else [_clean(self.interval[0]), _clean(self.interval[1])],
            "within_noise": self.within_noise,
        }


def _clean(x: float | None) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return float(x)


def relative_change(current: float | None, previous: float | None) -> float | None:
    """(current − previous) ÷ |previous|: the sign follows the direction of the movement, also
    from a negative base (comments net of deletions going from −7 to −1 is +85.7 %, not
    −85.7 %). No value when either is missing or previous is 0 (the card then shows the
    difference, `Change.difference`)."""
    current, previous = _clean(current), _clean(previous)
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / abs(previous)


# --- correlated days ---------------------------------------------------------------------------


def ar1(resid: np.ndarray) -> float:
    """Lag-1 autocorrelation of residuals, bias-corrected (Marriott–Pope: ρ̂ + (1 + 3ρ̂) ÷ n)
    and clipped to [0, 0.9]; 0 with fewer than 6 values."""
    r = resid[np.isfinite(resid)]
    n = len(r)
    if n < 6:
        return 0.0
    r = r - r.mean()
    denom = float((r * r).sum())
    if denom <= 0:
        return 0.0
    rho = float((r[1:] * r[:-1]).sum()) / denom
    rho = rho + (1 + 3 * rho) / n
    return min(max(rho, 0.0), 0.9)


def _pooled_ar1(parts: list[np.ndarray]) -> float:
    """ρ from several series at once (each demeaned, lag products within each).

    Each series loses its own mean, so each carries the Marriott–Pope bias (1 + 3ρ) ÷ m_i of
    its own length m_i, not of the days pooled: the pooled ρ̂ = Σ den_i·ρ̂_i ÷ Σ den_i is
    corrected by the same weighted mean of those biases, (1 + 3ρ̂) × Σ (den_i ÷ den) ÷ m_i
    (two periods of 28 days: 1 ÷ 28, as for one period, not 1 ÷ 56)."""
    num = den = 0.0
    n = 0
    weighted = []  # (den_i, m_i)
    for u in parts:
        u = u[np.isfinite(u)]
        if len(u) < 2:
            continue
        d = u - u.mean()
        num += float((d[1:] * d[:-1]).sum())
        den_i = float((d * d).sum())
        den += den_i
        n += len(d)
        weighted.append((den_i, len(d)))
    if n < 6 or den <= 0:
        return 0.0
    rho = num / den
    inverse_length = sum(den_i / den / m for den_i, m in weighted)
    return min(max(rho + (1 + 3 * rho) * inverse_length, 0.0), 0.9)


def long_run_variance(u: np.ndarray, rho: float | None = None) -> float:
    """Variance of the mean of a daily series u, allowing for correlated days: the larger of
    s² ÷ n × (1 + ρ) ÷ (1 − ρ) (AR(1); ρ from the series unless given) and the Newey–West
    estimate (Bartlett weights, lag ⌊n^⅓⌋)."""
    u = u[np.isfinite(u)]
    n = len(u)
    if n < 2:
        return float("nan")
    d = u - u.mean()
    s2 = float((d * d).sum()) / (n - 1)
    rho = ar1(u) if rho is None else rho
    ar = s2 / n * (1 + rho) / (1 - rho)
    lag = int(n ** (1 / 3))
    nw = float((d * d).sum()) / n
    for j in range(1, lag + 1):
        nw += 2 * (1 - j / (lag + 1)) * float((d[j:] * d[:-j]).sum()) / n
    return max(ar, nw / (n - 1))


# --- the test ----------------------------------------------------------------------------------


def _daily_inputs(metric: Metric, daily: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    values = {}
    for name in metric.inputs:
        if name in daily:
            s = daily[name]
            values[name] = s.fillna(0.0) if name in metric.optional else s
        else:
            values[name] = pd.Series(0.0 if name in metric.optional else np.nan, index=daily.index)
    num_f, den_f = metric.parsed
    num = np.asarray(num_f.evaluate(values), dtype="float64") * (metric.scale if den_f else 1.0)
    den = np.asarray(den_f.evaluate(values), dtype="float64") if den_f else None
    return num, den


@dataclass(frozen=True)
class _Side:
    estimate: float  # the period's mean daily total, or its ratio Σy ÷ Σx
    u: np.ndarray  # day-level series whose mean's variance is the estimate's variance


def _side(y: np.ndarray, x: np.ndarray | None) -> _Side | None:
    if x is None:
        y = y[np.isfinite(y)]
        if len(y) < MIN_DAYS:
            return None
        return _Side(float(y.mean()), y)
    ok = np.isfinite(y) & np.isfinite(x)
    y, x = y[ok], x[ok]
    if len(x) < MIN_DAYS or x.sum() == 0:
        return None
    r = float(y.sum() / x.sum())
    return _Side(r, (y - r * x) / x.mean())


def period_test(
    now: _Side, before: _Side, confidence: float = CONFIDENCE
) -> tuple[float, tuple[float, float] | None]:
    """Two-sided p-value of "no change" and the interval of the relative change."""
    from scipy.special import stdtr, stdtrit  # lazily: the CLI must start fast

    n = len(now.u) + len(before.u)
    rho = min(_pooled_ar1([now.u, before.u]) + RHO_MARGIN / math.sqrt(n), 0.9)
    v1, v0 = long_run_variance(now.u, rho), long_run_variance(before.u, rho)
    diff = now.estimate - before.estimate
    se = math.sqrt(max(v1 + v0, 0.0))
    df = max(n * (1 - rho) / (1 + rho) - 2, 1.0)
    if se == 0:
        p = 0.0 if diff != 0 else 1.0
    else:
        p = float(2 * stdtr(df, -abs(diff) / se))
    q = float(stdtrit(df, 0.5 + confidence / 2))
    interval = None
    if before.estimate > 0 and now.estimate > 0:
        ratio = now.estimate / before.estimate
        se_log = math.sqrt(max(v1 / now.estimate**2 + v0 / before.estimate**2, 0.0))
        interval = (ratio * math.exp(-q * se_log) - 1, ratio * math.exp(q * se_log) - 1)
    elif before.estimate != 0:
        centre = diff / abs(before.estimate)
        half = q * se / abs(before.estimate)
        interval = (centre - half, centre + half)
    return p, interval


def compare(
    metric: Metric,
    current: float | None,
    previous: float | None,
    daily_current: pd.DataFrame | None = None,
    daily_previous: pd.DataFrame | None = None,
) -> Change:
    """The change between two periods and, with daily sums of both, its p-value and interval."""
    change = relative_change(current, previous)
    p_value = interval = None
    if (
        change is not None
        and daily_current is not None
        and daily_previous is not None
        and metric.aggregation in (SUM, RATIO)
    ):
        y1, x1 = _daily_inputs(metric, daily_current)
        y0, x0 = _daily_inputs(metric, daily_previous)
        if metric.aggregation == SUM:
            x1 = x0 = None
        now, before = _side(y1, x1), _side(y0, x0)
        if now is not None and before is not None:
            p_value, interval = period_test(now, before)
    return Change(_clean(current), _clean(previous), change, p_value, interval)


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (step-up), in the input order."""
    m = len(p_values)
    if m == 0:
        return []
    p = np.asarray(p_values, dtype="float64")
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out.tolist()


def adjust_page(changes: dict[str, Change]) -> dict[str, Change]:
    """The page's tested cards with Benjamini–Hochberg adjusted p-values (false discovery rate
    ALPHA across them); untested cards unchanged."""
    tested = [name for name, c in changes.items() if c.p_value is not None]
    adjusted = benjamini_hochberg([changes[n].p_value for n in tested])
    out = dict(changes)
    for name, p in zip(tested, adjusted, strict=True):
        out[name] = replace(changes[name], p_adjusted=p)
    return out
