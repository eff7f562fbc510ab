"""The period comparison: correlated days, the interval for the change, Benjamini–Hochberg
across a page's cards, and changes from negative or zero bases. Simulated accounts are built
here (AR(1) day effects), independently of the code under test."""

import math

import numpy as np
import pandas as pd
import pytest

from metrics.compare import (
    Change,
    adjust_page,
    benjamini_hochberg,
    compare,
    long_run_variance,
    relative_change,
)
from metrics.definitions import ADS, REGISTRY

# card: (numerator, denominator) of its sum ÷ sum (None: a plain sum)
CARDS = {
    "spend": ("spend", None),
    "impressions": ("impressions", None),
    "clicks": ("clicks", None),
    "ctr": ("clicks", "impressions"),
    "cpc": ("spend", "clicks"),
    "hook_rate": ("video_watched_2s", "impressions"),
}


def test_benjamini_hochberg_by_hand():
    # Sorted 0.01, 0.03, 0.04, 0.5 times m ÷ rank (m = 4): 0.04, 0.06, 0.0533, 0.5; then the
    # running minimum from the largest down: 0.04, 0.0533, 0.0533, 0.5.
    adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.5])
    assert adjusted == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])
    assert benjamini_hochberg([]) == []


def test_long_run_variance_by_hand():
    # 1, −1 repeated (8 days): mean 0, s² = 8 ÷ 7, so s² ÷ n = 1 ÷ 7 with ρ = 0; the series
    # swings every day (negative autocorrelation), so Newey–West is smaller and AR(1) is kept.
    u = np.array([1.0, -1.0] * 4)
    assert long_run_variance(u, rho=0.0) == pytest.approx(1 / 7)
    # ρ = 0.5: (1 + 0.5) ÷ (1 − 0.5) = 3 times as much.
    assert long_run_variance(u, rho=0.5) == pytest.approx(3 / 7)


def test_pooled_day_correlation_is_bias_corrected_per_series():
    from metrics.compare import _pooled_ar1, ar1

    # A = 1, 0, 0, 0, 0, −1 (mean 0): squares 2, lag-1 products 1·0 + … + 0·(−1) = 0, so
    # ρ̂ = 0. Demeaning a series of 6 days biases ρ̂ by −(1 + 3ρ̂) ÷ 6, so the corrected value
    # is 1 ÷ 6, pooled over two such series too: each lost its own mean (6 days), not one
    # mean over 12 days (1 ÷ 12, the old correction).
    a = np.array([1.0, 0, 0, 0, 0, -1])
    assert ar1(a) == pytest.approx(1 / 6)
    assert _pooled_ar1([a, a.copy()]) == pytest.approx(1 / 6)
    # Unequal lengths: C = 1, ten zeros, −1 (12 days, squares 2, products 0). Each series
    # weighs by its squares (2 and 2): ½ · 1/6 + ½ · 1/12 = 1/8 (total days would give 1/18).
    c = np.array([1.0] + [0.0] * 10 + [-1.0])
    assert _pooled_ar1([a, c]) == pytest.approx(1 / 8)


def test_a_change_from_a_negative_base_follows_the_movement():
    # 28-day comments net of deletions going from −7 to −1: up by 6 on a base of 7, +85.7 %.
    change = Change(-1.0, -7.0, relative_change(-1, -7))
    assert change.change == pytest.approx(0.857142, abs=1e-6)
    assert change.to_dict()["difference"] == 6.0
    # Base 0: no percentage, the difference is what the card shows.
    zero = Change(4.0, 0.0, relative_change(4, 0))
    assert zero.change is None and zero.to_dict()["difference"] == 4.0


def _account(rng, days, rho, lift=1.0):
    """Daily sums of an ad account with AR(1) day effects (correlation rho) on volume and CTR."""

    def ar(n):
        z = rng.normal(size=n)
        e = np.empty(n)
        e[0] = z[0]
        for i in range(1, n):
            e[i] = rho * e[i - 1] + math.sqrt(1 - rho * rho) * z[i]
        return e

    imp = np.round(50_000 * np.exp(0.25 * ar(days)))
    ctr = 0.012 * np.exp(0.15 * ar(days))
    clicks = rng.binomial(imp.astype(np.int64), np.clip(ctr * lift, 0, 1)).astype(float)
    hook = rng.binomial(imp.astype(np.int64), 0.3 * np.exp(0.05 * ar(days))).astype(float)
    spend = imp * 6.0 / 1000 * np.exp(0.1 * ar(days))
    return pd.DataFrame(
        {"impressions": imp, "clicks": clicks, "video_watched_2s": hook, "spend": spend}
    )


def _page(before, now, cards=CARDS):
    changes = {}
    for name, (num, den) in cards.items():
        value, prior = now[num].sum(), before[num].sum()
        if den:
            value, prior = value / now[den].sum(), prior / before[den].sum()
        changes[name] = compare(REGISTRY[ADS][name], value, prior, now, before)
    return adjust_page(changes)


def test_equal_periods_with_correlated_days_are_rarely_flagged():
    # Two 28-day periods of the same process with day effects correlated at ρ = 0.6: a card
    # should be flagged about 5 % of the time (target ≤ 7 %), a page of 6 cards ≤ 10 %.
    rng = np.random.default_rng(20261201)
    runs, per_card, pages = 150, 0, 0
    for _ in range(runs):
        series = _account(rng, 56, 0.6)
        page = _page(series.iloc[:28], series.iloc[28:])
        per_card += page["clicks"].p_value < 0.05
        pages += any(c.significant for c in page.values())
    # 150 runs: a true 7 % gives at most 17 flags with 95 % probability, a true 10 % at
    # most 22.
    assert per_card <= 17, per_card
    assert pages <= 22, pages


def test_the_interval_covers_and_a_real_change_is_found():
    rng = np.random.default_rng(7)
    covered = found = 0
    runs = 120
    for _ in range(runs):
        before = _account(rng, 28, 0.3)
        now = _account(rng, 28, 0.3, lift=1.4)  # CTR truly 40 % higher
        page = _page(before, now, {k: CARDS[k] for k in ("clicks", "ctr")})
        ctr = page["ctr"]
        low, high = ctr.interval
        # Impressions unchanged: the true change of clicks is +40 %, of CTR +40 %.
        covered += low <= 0.4 <= high
        found += ctr.significant
        assert ctr.to_dict()["within_noise"] is (not ctr.significant)
    assert covered >= 0.88 * runs, covered
    assert found >= 0.9 * runs, found


def test_too_few_days_are_not_tested():
    metric = REGISTRY[ADS]["clicks"]
    short = pd.DataFrame({"clicks": [10.0, 12.0, 9.0]})
    change = compare(metric, 31, 28, short, short)
    assert change.p_value is None and change.interval is None and change.within_noise is None
