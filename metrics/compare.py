"""Period comparison: value, previous, change, and whether the change is more than noise.

Days are the units of replication. Daily TikTok numbers are far noisier than a Poisson or
binomial model assumes (a post goes viral, a weekend doubles the views), so tests that treat a
million impressions as a million independent trials call every wobble significant. Instead:
- a count (a sum over days) is compared with Welch's t-test on the daily totals;
- a ratio Σy ÷ Σx uses the ratio estimator's standard error over days,
  se(R) = sqrt(Σ(y_d − R·x_d)² / (n(n−1))) ÷ mean(x), and a Welch-type t-test on R₁ − R₂.
Fewer than MIN_DAYS days on either side: no test ("not enough days to tell").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .definitions import PER_ROW, RATIO, SUM, Metric

MIN_DAYS = 5
ALPHA = 0.05


@dataclass(frozen=True)
class Change:
    value: float | None
    previous: float | None
    change: float | None
    p_value: float | None = None

    @property
    def difference(self) -> float | None:
        """current − previous, or None."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def significant(self) -> bool | None:
        """True/False when tested, None when there were too few days to test."""
        return None if self.p_value is None else self.p_value < ALPHA

    def to_dict(self) -> dict:
        return {
            "value": _clean(self.value),
            "previous": _clean(self.previous),
            "change": _clean(self.change),
        }


def _clean(x: float | None) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return float(x)


def relative_change(current: float | None, previous: float | None) -> float | None:
    """(current − previous) ÷ previous (docs/metrics.md); no value when either is missing or
    previous is 0. With a negative previous value (net followers) the sign follows the formula,
    so the UI shows the difference instead of a percentage there (`Change.difference`)."""
    current, previous = _clean(current), _clean(previous)
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


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


def _sum_test(a: np.ndarray, b: np.ndarray) -> float | None:
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < MIN_DAYS or len(b) < MIN_DAYS:
        return None
    if np.var(a) == 0 and np.var(b) == 0:
        return 0.0 if a.mean() != b.mean() else 1.0
    return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


def _ratio_se(y: np.ndarray, x: np.ndarray) -> tuple[float, float, int] | None:
    ok = np.isfinite(y) & np.isfinite(x)
    y, x = y[ok], x[ok]
    n = len(x)
    if n < MIN_DAYS or x.sum() == 0:
        return None
    r = y.sum() / x.sum()
    resid = y - r * x
    se = math.sqrt((resid**2).sum() / (n * (n - 1))) / x.mean()
    return r, se, n


def _ratio_test(y1, x1, y2, x2) -> float | None:
    a, b = _ratio_se(y1, x1), _ratio_se(y2, x2)
    if a is None or b is None:
        return None
    (r1, se1, n1), (r2, se2, n2) = a, b
    se = math.sqrt(se1**2 + se2**2)
    if se == 0:
        return 0.0 if r1 != r2 else 1.0
    t = (r1 - r2) / se
    # Welch–Satterthwaite degrees of freedom.
    df = (
        se**4 / ((se1**4) / max(n1 - 1, 1) + (se2**4) / max(n2 - 1, 1))
        if se1 or se2
        else n1 + n2 - 2
    )
    return float(2 * stats.t.sf(abs(t), df))


def compare(
    metric: Metric,
    current: float | None,
    previous: float | None,
    daily_current: pd.DataFrame | None = None,
    daily_previous: pd.DataFrame | None = None,
) -> Change:
    """The change between two periods and, with daily sums of both, its p-value."""
    change = relative_change(current, previous)
    p_value = None
    if (
        change is not None
        and daily_current is not None
        and daily_previous is not None
        and metric.aggregation in (SUM, RATIO)
        and metric.aggregation != PER_ROW
    ):
        y1, x1 = _daily_inputs(metric, daily_current)
        y2, x2 = _daily_inputs(metric, daily_previous)
        if metric.aggregation == SUM:
            p_value = _sum_test(y1, y2)
        else:
            p_value = _ratio_test(y1, x1, y2, x2)
    return Change(_clean(current), _clean(previous), change, p_value)
