"""Operating characteristics of the diagnostics on simulated Ads Manager accounts.

    python bench/bench_diagnostics.py [--scale 1.0] [--jobs 2]

Its own simulator (below), not the test suite's generator. An account has several ads; each
ad-day has lognormal impressions, a CTR, hook rate and CPM made of the ad's level × a weekday
pattern × a market day effect shared by the account's ads × an ad-specific day effect (both
AR(1) with correlation ρ across days: overdispersed, correlated days), binomial clicks and
2-second views given those rates (so beta-binomial-like overall), and a frequency that creeps
up as reach saturates. Scenarios add a market CPM drift of 1 %/day, a Black-Friday-like spike
(impressions × 3, CPM × 1.8, CTR × 0.8 for every ad on four days of the ads' first week), a
market CTR dip of 1 %/day, 10-day histories, or a planted compounding decline.

Printed as JSON, every share with its 95 % Wilson interval, every median with its 95 %
order-statistic interval, and `target` / `meets` beside each figure of the issue:
1. fatigue on healthy ads, one look: "fatigued" ≤ 1 %, any alert ≤ 5 %, per scenario;
2. fatigue on healthy ads looked at every day for 6 weeks: any alert ≤ 10 %;
3. planted declines of 1 / 2 / 3 %/day at 20k impressions a day, looked at daily from the
   onset: flagged within 14 days, onset within ±3 days at the first alert and 14, 21 and 28
   days after the onset (21 and 28 on a second account per seed), beside a Bayes oracle's
   (`oracle_onsets`: how precisely the data can place an onset at all), the onset interval's
   width and coverage, floor-day interval coverage;
4. hook vs CTA: false winners in groups of 3, 5, 10 equal ads (ρ = 0 and 0.6), power for a
   10 % and 20 % better CTA and a 10 % better hook at the sample's volumes (75k a day);
5. period comparison at ρ = 0.6: flagged cards between equal periods, pages with any flag.
6. the batched fatigue fit (`fatigue`, every ad of an account at once) gives the verdicts of
   `_fatigue` ad by ad on simulated accounts (statuses, onsets, intervals; floats to 1e-9).
`--only declines winners …` runs some sections (healthy, daily, declines, winners, periods,
batched).
`--scale` multiplies every simulation count (1.0: about 4 minutes of CPU on 2 worker
processes; 10–12 minutes of wall time when the 2 cores are shared with other work).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import binom, binomtest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics.compare import adjust_page, compare  # noqa: E402
from metrics.definitions import ADS, REGISTRY  # noqa: E402
from metrics.diagnostics import ad_fatigue, hook_vs_cta  # noqa: E402
from metrics.diagnostics.ad_fatigue import _fatigue, account_day_correlation  # noqa: E402
from metrics.io import Dataset  # noqa: E402

MONDAY = pd.Timestamp("2026-01-05")
WD_IMPRESSIONS = np.array([0.95, 0.95, 0.97, 1.00, 1.05, 1.25, 1.30])
WD_CTR = np.array([1.02, 1.02, 1.01, 1.00, 0.99, 0.94, 0.93])
WD_CPM = np.array([1.00, 1.00, 1.00, 1.01, 1.02, 0.96, 0.95])
SIGMA_MARKET = {"ctr": 0.10, "imp": 0.15, "cpm": 0.08, "hook": 0.04}
SIGMA_AD = {"ctr": 0.06, "imp": 0.15, "cpm": 0.05, "hook": 0.03}
ADS_PER_ACCOUNT = 6
FATIGUE_SCENARIOS = {
    "plain": {},
    "rho_0.3": {"rho": 0.3},
    "rho_0.6": {"rho": 0.6},
    "market_cpm_drift_1pct_day": {"cpm_drift": 0.01},
    "black_friday_spike_first_week": {"spike": (3, 7)},
    "market_ctr_dip_1pct_day": {"ctr_drift": -0.01},
    "history_10_days": {"days": 10},
}


# --- simulator ---------------------------------------------------------------------------------


def _ar(rng, shape, rho):
    z = rng.normal(size=shape)
    if not rho:
        return z
    e = np.empty(shape)
    e[..., 0] = z[..., 0]
    c = math.sqrt(1 - rho * rho)
    for i in range(1, shape[-1]):
        e[..., i] = rho * e[..., i - 1] + c * z[..., i]
    return e


def simulate_account(
    rng,
    days=28,
    n_ads=ADS_PER_ACCOUNT,
    volume=20_000.0,
    rho=0.0,
    cpm_drift=0.0,
    ctr_drift=0.0,
    spike=None,
    decline=None,
    onset=21,
    ctr=None,
    hook=None,
):
    """Daily arrays (ads × days) of one account. `decline`: the first ad's CTR × (1 − s) per
    day after `onset` (compounding), CPM × (1 + s/2), hook rate × (1 − s/5) per day."""
    shape = (n_ads, days)
    t = np.arange(days)
    wd = (int(rng.integers(7)) + t) % 7
    m = {k: s * _ar(rng, (days,), rho) for k, s in SIGMA_MARKET.items()}
    a = {k: s * _ar(rng, shape, rho) for k, s in SIGMA_AD.items()}
    vol = volume if np.ndim(volume) else np.full(n_ads, volume)
    ctr0 = ctr if ctr is not None else np.exp(rng.uniform(np.log(0.006), np.log(0.02), n_ads))
    hook0 = hook if hook is not None else rng.uniform(0.2, 0.4, n_ads)
    cpm0 = np.exp(rng.uniform(np.log(4.0), np.log(12.0), n_ads))
    mult_imp = np.ones(days)
    mult_cpm = (1 + cpm_drift) ** t
    mult_ctr = (1 + ctr_drift) ** t
    if spike:
        lo, hi = spike
        mult_imp[lo:hi] *= 3.0
        mult_cpm[lo:hi] *= 1.8
        mult_ctr[lo:hi] *= 0.8
    imp = rng.poisson(
        vol[:, None] * WD_IMPRESSIONS[wd] * mult_imp * np.exp(m["imp"] + a["imp"])
    ).astype(float)
    rate = ctr0[:, None] * WD_CTR[wd] * mult_ctr * np.exp(m["ctr"] + a["ctr"])
    h = hook0[:, None] * np.exp(m["hook"] + a["hook"]) * np.ones(shape)
    cpm = cpm0[:, None] * WD_CPM[wd] * mult_cpm * np.exp(m["cpm"] + a["cpm"])
    if decline:
        after = np.clip(t - onset, 0, None)
        rate[0] *= (1 - decline) ** after
        cpm[0] *= (1 + decline / 2) ** after
        h[0] *= (1 - decline / 5) ** after
    f0, gain, tau = rng.uniform(1.05, 1.3, n_ads), rng.uniform(0.05, 0.4, n_ads), 40.0
    freq = np.round(f0[:, None] + gain[:, None] * (1 - np.exp(-t / tau)), 2)
    n = imp.astype(np.int64)
    return {
        "dates": (MONDAY + pd.to_timedelta(t, unit="D")).date,
        "impressions": imp,
        "clicks": rng.binomial(n, np.clip(rate, 0, 1)).astype(float),
        "video_watched_2s": rng.binomial(n, np.clip(h, 0, 1)).astype(float),
        "spend": np.round(imp * cpm / 1000, 2),
        "frequency": freq,
    }


def verdict(acc, i, upto=None):
    """The fatigue verdict of ad i on days [0, upto), against the account's other ads."""
    sl = slice(0, upto)
    cols = ("impressions", "clicks", "spend", "video_watched_2s")
    others = {c: acc[c][:, sl].sum(axis=0) - acc[c][i, sl] for c in cols}
    others["ads"] = (acc["impressions"][:, sl] > 0).sum(axis=0) - (acc["impressions"][i, sl] > 0)
    rho = account_rho(acc, sl)[i]
    return _fatigue(
        acc["dates"][sl],
        acc["impressions"][i, sl],
        acc["clicks"][i, sl],
        acc["spend"][i, sl],
        acc["frequency"][i, sl],
        acc["video_watched_2s"][i, sl],
        0.5,
        others,
        rho,
    )


def account_rho(acc, sl):
    """Every ad's leave-one-out day correlation against the account (as `fatigue` does)."""
    imp, clk = acc["impressions"][:, sl], acc["clicks"][:, sl]
    n_ads, days = imp.shape
    flat = {
        "imp": imp.ravel(),
        "clk": clk.ravel(),
        "oimp": (imp.sum(axis=0) - imp).ravel(),
        "oclk": (clk.sum(axis=0) - clk).ravel(),
    }
    starts = np.arange(n_ads) * days
    return account_day_correlation(flat["clk"], flat["imp"], flat["oclk"], flat["oimp"], starts)


# --- workers -----------------------------------------------------------------------------------


def healthy_chunk(args):
    base, name, seeds = args
    params = dict(FATIGUE_SCENARIOS[name])
    days = params.pop("days", 28)
    out = []
    for seed in seeds:
        rng = np.random.default_rng([base, 1, list(FATIGUE_SCENARIOS).index(name), seed])
        acc = simulate_account(rng, days=days, **params)
        out += [verdict(acc, i)["status"] for i in range(ADS_PER_ACCOUNT)]
    return out


def daily_look_chunk(args):
    base, rho, seeds = args
    out = []
    for seed in seeds:
        rng = np.random.default_rng([base, 2, round(rho * 10), seed])
        acc = simulate_account(rng, days=52, rho=rho)
        for i in range(ADS_PER_ACCOUNT):
            statuses = [verdict(acc, i, upto)["status"] for upto in range(10, 52)]  # 42 looks
            out.append(
                {
                    "any_alert": any(s in ("watch", "fatigued") for s in statuses),
                    "any_fatigued": "fatigued" in statuses,
                }
            )
    return out


ORACLE_SLOPES = {
    # what the oracle is told about the CTR decline per day (CPM and hook rate follow the
    # simulator's s/2 and s/5): the true s, one of the three planted s, or any s on a grid
    "slopes_known": None,
    "slope_one_of_1_2_3pct": (0.01, 0.02, 0.03),
    "slope_0.5_to_4pct_unknown": tuple(np.round(np.arange(0.005, 0.04001, 0.0025), 4)),
}


def oracle_onsets(acc, upto, strength, onset):
    """Is the Bayes-optimal ±3-day onset within 3 days of the truth, per ORACLE_SLOPES?

    The oracle knows the simulator: the ad's CTR, CPM and hook rate against the other ads'
    same-day rates (log), their exact day-to-day variances (binomial + the ad-specific day
    effects of this ad and, to first order, of the others), that the decline is compounding
    with CPM × (1 + s/2) and hook rate × (1 − s/5) a day, and (per key) what it is told of s.
    Levels are unknown (flat prior), the onset uniform over the fit's candidate days; it takes
    the day whose ±3 days hold the most posterior probability (`_likeliest_week`), the best
    any estimator can do for that prior."""
    sl = slice(0, upto)
    g = {c: acc[c][:, sl] for c in ("impressions", "clicks", "spend", "video_watched_2s")}
    mine = {c: v[0] for c, v in g.items()}
    other = {c: v[1:].sum(axis=0) for c, v in g.items()}

    def share2(x):
        s = x / x.sum(axis=0)
        return (s * s).sum(axis=0)

    signals = []  # (log ratio, variance, slope per unit s)
    for num, binomial, sigma, per_s in (
        ("clicks", True, SIGMA_AD["ctr"], lambda s: math.log(1 - s)),
        ("spend", False, SIGMA_AD["cpm"], lambda s: math.log(1 + s / 2)),
        ("video_watched_2s", True, SIGMA_AD["hook"], lambda s: math.log(1 - s / 5)),
    ):
        a, b = mine[num] + 0.5 * binomial, other[num] + 0.5 * binomial
        y = np.log(a / mine["impressions"]) - np.log(b / other["impressions"])
        var = sigma**2 * (1 + share2(g[num][1:]))
        if binomial:
            var = var + 1 / a + 1 / b
        signals.append((y, 1 / var, per_s))
    n = upto
    ks = np.arange(ad_fatigue.MIN_PRE - 1, n - ad_fatigue.MIN_POST)
    h = np.maximum(np.arange(n)[None, :] - ks[:, None], 0.0)
    out = {}
    for key, grid in ORACLE_SLOPES.items():
        parts = []
        for s in (strength,) if grid is None else grid:
            total = np.zeros(len(ks))
            for y, w, per_s in signals:
                r = y[None, :] - per_s(s) * h  # (k, day): the level is all that is left
                level = (r * w).sum(axis=1) / w.sum()
                total += (((r - level[:, None]) ** 2) * w).sum(axis=1)
            parts.append(total)
        parts = np.array(parts)
        low = parts.min()
        neg2 = low - 2 * np.log(np.exp(-(parts - low) / 2).mean(axis=0))
        out[key] = abs(int(ks[ad_fatigue._likeliest_week(neg2)]) - onset) <= 3
    return out


def decline_chunk(args):
    base, strength, seeds = args
    onset, looks = 21, 21
    true_floor = onset + math.log(0.5) / math.log(1 - strength)
    out = []
    for seed in seeds:
        rng = np.random.default_rng([base, 3, round(strength * 1000), seed])
        acc = simulate_account(rng, days=onset + looks, decline=strength, onset=onset)
        first_alert = first_fatigued = None
        onset_err = covered = onset_err_14 = onset_width = onset_covered = None
        oracle = {}
        for k in range(looks):
            v = verdict(acc, 0, onset + k + 1)
            if k == 14 and v["status"] in ("watch", "fatigued"):
                began = v["evidence"]["decline_began"]
                onset_err_14 = (pd.Timestamp(began) - pd.Timestamp(acc["dates"][onset])).days
                oracle["14_days_after_onset"] = oracle_onsets(acc, onset + k + 1, strength, onset)
            if v["status"] in ("watch", "fatigued") and first_alert is None:
                first_alert = k
                began = v["evidence"]["decline_began"]
                onset_err = (pd.Timestamp(began) - pd.Timestamp(acc["dates"][onset])).days
                oracle["first_alert"] = oracle_onsets(acc, onset + k + 1, strength, onset)
                o_lo, o_hi = (pd.Timestamp(d) for d in v["evidence"]["decline_began_interval"])
                onset_width = (o_hi - o_lo).days
                onset_covered = o_lo <= pd.Timestamp(acc["dates"][onset]) <= o_hi
                lo, hi = v["evidence"]["projected_floor_interval"]
                start = pd.Timestamp(acc["dates"][0])
                lo_d = (pd.Timestamp(lo) - start).days if lo else -math.inf
                hi_d = (pd.Timestamp(hi) - start).days if hi else math.inf
                covered = lo_d <= math.ceil(true_floor) and math.floor(true_floor) <= hi_d
            if v["status"] == "fatigued" and first_fatigued is None:
                first_fatigued = k
            if first_fatigued is not None and k >= 14:
                break
        # Looking back at a longer decline (what a marketer sees weeks later): another account
        # of the same kind, followed 28 days past the onset, looked at 21 and 28 days after it.
        rng = np.random.default_rng([base, 8, round(strength * 1000), seed])
        longer = simulate_account(rng, days=onset + 29, decline=strength, onset=onset)
        later = {}
        for after in (21, 28):
            v = verdict(longer, 0, onset + after + 1)
            if v["status"] in ("watch", "fatigued"):
                began = pd.Timestamp(v["evidence"]["decline_began"])
                later[after] = (began - pd.Timestamp(longer["dates"][onset])).days
                oracle[f"{after}_days_after_onset"] = oracle_onsets(
                    longer, onset + after + 1, strength, onset
                )
        out.append(
            {
                "first_alert": first_alert,
                "first_fatigued": first_fatigued,
                "onset_error": onset_err,
                "onset_error_at_day_14": onset_err_14,
                "onset_error_at_day_21": later.get(21),
                "onset_error_at_day_28": later.get(28),
                "oracle": oracle,
                "floor_covered": covered,
                "onset_interval_width": onset_width,
                "onset_interval_covered": onset_covered,
            }
        )
    return out


def _group_frame(acc, names):
    rows = []
    for i, ad in enumerate(names):
        rows.append(
            pd.DataFrame(
                {
                    "date": pd.to_datetime(acc["dates"]),
                    "campaign": "C",
                    "ad_group": "G",
                    "ad": ad,
                    "impressions": acc["impressions"][i],
                    "clicks": acc["clicks"][i],
                    "video_watched_2s": acc["video_watched_2s"][i],
                    "spend": acc["spend"][i],
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def winner_chunk(args):
    base, n_ads, rho, cta_lift, hook_lift, seeds = args
    out = []
    names = [f"ad {i}" for i in range(n_ads)]
    for seed in seeds:
        rng = np.random.default_rng([base, 4, n_ads, round(rho * 10), round(cta_lift * 100),
                                     round(hook_lift * 100), seed])  # fmt: skip
        ctr = np.full(n_ads, 0.012)
        hook = np.full(n_ads, 0.30)
        ctr[0] *= 1 + cta_lift
        hook[0] *= 1 + hook_lift
        acc = simulate_account(rng, 28, n_ads, 75_000.0, rho=rho, ctr=ctr, hook=hook)
        group = next(
            g for g in hook_vs_cta(Dataset(tables={"ads": _group_frame(acc, names)}))
            if g["ad_group"] == "G"
        )  # fmt: skip
        out.append(
            {
                "cta_winner": group["best_cta"] if group["cta_significant"] else None,
                "hook_winner": group["best_hook"] if group["hook_significant"] else None,
            }
        )
    return out


PAGE = {
    "spend": ("spend", None),
    "impressions": ("impressions", None),
    "clicks": ("clicks", None),
    "ctr": ("clicks", "impressions"),
    "cpc": ("spend", "clicks"),
    "cpm": ("spend", "impressions"),
    "video_watched_2s": ("video_watched_2s", None),
    "hook_rate": ("video_watched_2s", "impressions"),
    "conversions": ("conversion", None),
    "cvr": ("conversion", "clicks"),
    "cpa": ("spend", "conversion"),
    "video_watched_6s": ("video_watched_6s", None),
    "hold_rate": ("video_watched_6s", "video_watched_2s"),
}


def period_chunk(args):
    base, rho, seeds = args
    out = []
    for seed in seeds:
        rng = np.random.default_rng([base, 5, round(rho * 10), seed])
        acc = simulate_account(rng, 56, 4, 20_000.0, rho=rho)
        daily = pd.DataFrame({c: acc[c].sum(axis=0) for c in ("impressions", "clicks", "spend",
                                                                "video_watched_2s")})  # fmt: skip
        daily["conversion"] = rng.binomial(daily["clicks"].astype(np.int64), 0.05).astype(float)
        six = 0.45 * np.exp(0.05 * _ar(rng, (56,), rho))
        daily["video_watched_6s"] = rng.binomial(
            daily["video_watched_2s"].astype(np.int64), six
        ).astype(float)
        before, now = daily.iloc[:28], daily.iloc[28:]
        changes = {}
        for name, (num, den) in PAGE.items():
            value, prior = now[num].sum(), before[num].sum()
            if den:
                value, prior = value / now[den].sum(), prior / before[den].sum()
            changes[name] = compare(REGISTRY[ADS][name], value, prior, now, before)
        page = adjust_page(changes)
        out.append(
            {
                "raw": {
                    n: bool(c.p_value is not None and c.p_value < 0.05) for n, c in page.items()
                },
                "adjusted": {n: bool(c.significant) for n, c in page.items()},
            }
        )
    return out


SECTIONS = ("healthy", "daily", "declines", "winners", "periods", "batched")


# --- summaries ---------------------------------------------------------------------------------


def _same(a, b) -> bool:
    """Equal structure and key order, equal values, floats to 1e-9 relative."""
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, float) and isinstance(b, float):
        return (
            a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
        )
    return type(a) is type(b) and a == b


def batched_chunk(args):
    """Per account: do the batched and the ad-by-ad fatigue verdicts agree, and their times."""
    base, scenario, idx = args
    out = []
    for i in idx:
        rng = np.random.default_rng([base, 6, i])
        acc = simulate_account(rng, days=42, n_ads=12, **scenario)
        frame = _group_frame(acc, [f"ad {j}" for j in range(12)])
        dataset = Dataset(tables={"ads": frame.assign(frequency=acc["frequency"].ravel())})
        t0 = time.perf_counter()
        fast = ad_fatigue.fatigue(dataset)
        t1 = time.perf_counter()
        batched = ad_fatigue.fatigue_verdicts
        ad_fatigue.fatigue_verdicts = ad_fatigue.fatigue_verdicts_one_by_one
        try:
            slow = ad_fatigue.fatigue(dataset)
        finally:
            ad_fatigue.fatigue_verdicts = batched
        t2 = time.perf_counter()
        statuses = [v["status"] for v in slow]
        out.append(
            {
                "same": _same(slow, fast),
                "flagged": len(statuses) - statuses.count("healthy"),
                "ads": len(statuses),
                "batched_s": t1 - t0,
                "one_by_one_s": t2 - t1,
            }
        )
    return out


def share(k: int, n: int, target: float | None = None, at_most: bool = True) -> dict:
    if n == 0:
        return {"k": 0, "n": 0, "share": None, "ci95": None}
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=0.95, method="wilson")
    out = {"k": int(k), "n": int(n), "share": round(k / n, 4),
           "ci95": [round(ci.low, 4), round(ci.high, 4)]}  # fmt: skip
    if target is not None:
        out["target"] = f"{'≤' if at_most else '≥'} {target:.0%}"
        out["meets"] = bool(k / n <= target if at_most else k / n >= target)
    return out


def median_ci(values: list[float]) -> dict:
    """Median with its 95 % distribution-free interval (order statistics); inf = never."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if not n:
        return {"median": None, "ci95": None}
    lo = int(binom.ppf(0.025, n, 0.5))
    hi = min(int(binom.ppf(0.975, n, 0.5)), n - 1)

    def clean(v):
        return None if not math.isfinite(v) else float(v)

    return {"median": clean(float(np.quantile(x, 0.5, method="inverted_cdf"))),
            "ci95": [clean(x[max(lo - 1, 0)]), clean(x[hi])], "n": n}  # fmt: skip


def chunks(seq, parts):
    size = max(1, math.ceil(len(seq) / parts))
    return [seq[i : i + size] for i in range(0, len(seq), size)]


def run(pool, fn, make, n, jobs):
    work = [make(c) for c in chunks(list(range(n)), jobs * 4)]
    t0 = time.perf_counter()
    out = [r for part in pool.map(fn, work) for r in part]
    print(f"{fn.__name__} {work[0][:-1]}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="× every simulation count")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--base-seed", type=int, default=20261201)
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SECTIONS,
        default=list(SECTIONS),
        help="run only these sections (default: all)",
    )
    args = parser.parse_args()
    only = set(args.only)
    s, jobs, base = args.scale, args.jobs, args.base_seed
    n_healthy, n_daily, n_decline = int(400 * s), int(120 * s), int(300 * s)
    n_winner, n_power, n_period = int(150 * s), int(100 * s), int(1000 * s)
    report: dict = {
        "config": {
            "ads_per_account": ADS_PER_ACCOUNT,
            "accounts_per_fatigue_scenario": n_healthy,
            "accounts_looked_at_daily": n_daily,
            "declining_ads_per_strength": n_decline,
            "groups_per_winner_cell": n_winner,
            "groups_per_power_cell": n_power,
            "period_pages": n_period,
            "day_noise_sd": {"market": SIGMA_MARKET, "ad": SIGMA_AD},
            "base_seed": base,
        },
        "runtime_seconds": {},
    }
    t_all = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        if "healthy" in only:
            t0 = time.perf_counter()
            healthy = {}
            for name in FATIGUE_SCENARIOS:
                st = run(pool, healthy_chunk, lambda c, name=name: (base, name, c), n_healthy, jobs)
                n = len(st)
                healthy[name] = {
                    "fatigued": share(st.count("fatigued"), n, 0.01),
                    "any_alert": share(st.count("fatigued") + st.count("watch"), n, 0.05),
                    "insufficient_data": st.count("insufficient_data"),
                }
            report["fatigue_healthy_one_look"] = healthy
            report["runtime_seconds"]["fatigue_healthy"] = round(time.perf_counter() - t0, 1)

        if "daily" in only:
            t0 = time.perf_counter()
            daily = {}
            for rho in (0.0, 0.6):
                looks = run(pool, daily_look_chunk, lambda c, r=rho: (base, r, c), n_daily, jobs)
                daily[f"rho_{rho}"] = {
                    "any_alert": share(sum(r["any_alert"] for r in looks), len(looks), 0.10),
                    "any_fatigued": share(sum(r["any_fatigued"] for r in looks), len(looks)),
                }
            report["fatigue_healthy_daily_for_6_weeks"] = daily
            report["runtime_seconds"]["fatigue_daily_looks"] = round(time.perf_counter() - t0, 1)

        if "declines" in only:
            t0 = time.perf_counter()
            declines = {}
            for strength, target in ((0.01, 0.25), (0.02, 0.70), (0.03, 0.90)):
                res = run(
                    pool, decline_chunk, lambda c, st=strength: (base, st, c), n_decline, jobs
                )
                n = len(res)
                alerted = [r for r in res if r["first_alert"] is not None]
                declines[f"{strength:.0%}_per_day"] = {
                    "flagged_within_14_days": share(
                        sum(r["first_alert"] <= 14 for r in alerted), n, target, at_most=False
                    ),
                    "fatigued_within_14_days": share(
                        sum(
                            r["first_fatigued"] is not None and r["first_fatigued"] <= 14
                            for r in res
                        ),
                        n,
                    ),
                    "days_to_first_alert": median_ci(
                        [math.inf if r["first_alert"] is None else r["first_alert"] for r in res]
                    ),
                    "onset_within_3_days_at_first_alert": share(
                        sum(abs(r["onset_error"]) <= 3 for r in alerted),
                        len(alerted),
                        0.70,
                        at_most=False,
                    ),  # fmt: skip
                    "onset_within_3_days_14_days_after_onset": share(
                        sum(
                            abs(r["onset_error_at_day_14"]) <= 3
                            for r in res
                            if r["onset_error_at_day_14"] is not None
                        ),
                        sum(r["onset_error_at_day_14"] is not None for r in res),
                        0.70,
                        at_most=False,
                    ),  # fmt: skip
                    **{
                        f"onset_within_3_days_{d}_days_after_onset": share(
                            sum(
                                abs(r[f"onset_error_at_day_{d}"]) <= 3
                                for r in res
                                if r[f"onset_error_at_day_{d}"] is not None
                            ),
                            sum(r[f"onset_error_at_day_{d}"] is not None for r in res),
                        )
                        for d in (21, 28)
                    },
                    "oracle_onset_within_3_days": {
                        moment: {
                            key: share(
                                sum(r["oracle"][moment][key] for r in res if moment in r["oracle"]),
                                sum(moment in r["oracle"] for r in res),
                            )
                            for key in ORACLE_SLOPES
                        }
                        for moment in (
                            "first_alert",
                            "14_days_after_onset",
                            "21_days_after_onset",
                            "28_days_after_onset",
                        )
                    },
                    "onset_interval_width_days_at_first_alert": median_ci(
                        [r["onset_interval_width"] for r in alerted]
                    ),
                    "onset_interval_covers_true_onset": share(
                        sum(bool(r["onset_interval_covered"]) for r in alerted), len(alerted)
                    ),
                    "floor_day_interval_covers_true_day": share(
                        sum(bool(r["floor_covered"]) for r in alerted),
                        len(alerted),
                        0.80,
                        at_most=False,
                    ),  # fmt: skip
                }
            report["fatigue_planted_declines_20k_a_day"] = declines
            report["runtime_seconds"]["fatigue_declines"] = round(time.perf_counter() - t0, 1)

        if "winners" in only:
            t0 = time.perf_counter()
            winners = {}
            for rho in (0.0, 0.6):
                for n_ads in (3, 5, 10):
                    res = run(pool, winner_chunk, lambda c, a=n_ads, r=rho: (base, a, r, 0.0, 0.0, c),
                              n_winner, jobs)  # fmt: skip
                    winners[f"{n_ads}_equal_ads_rho_{rho}"] = {
                        "false_cta_winner": share(
                            sum(r["cta_winner"] is not None for r in res), len(res), 0.05
                        ),  # fmt: skip
                        "false_hook_winner": share(
                            sum(r["hook_winner"] is not None for r in res), len(res), 0.05
                        ),  # fmt: skip
                        "either_false": share(
                            sum(
                                r["cta_winner"] is not None or r["hook_winner"] is not None
                                for r in res
                            ),
                            len(res),
                        ),  # fmt: skip
                    }
            power = {}
            for label, cta, hook, target in (
                ("cta_10pct_better", 0.10, 0.0, None),
                ("cta_20pct_better", 0.20, 0.0, 0.80),
                ("hook_10pct_better", 0.0, 0.10, 0.80),
            ):
                res = run(pool, winner_chunk, lambda c, a=cta, h=hook: (base, 3, 0.0, a, h, c),
                          n_power, jobs)  # fmt: skip
                key = "cta_winner" if cta else "hook_winner"
                power[f"{label}_3_ads_75k_a_day"] = share(
                    sum(r[key] == "ad 0" for r in res), len(res), target, at_most=False
                )
            report["hook_vs_cta_false_winners"] = winners
            report["hook_vs_cta_power"] = power
            report["runtime_seconds"]["hook_vs_cta"] = round(time.perf_counter() - t0, 1)

        if "periods" in only:
            t0 = time.perf_counter()
            res = run(pool, period_chunk, lambda c: (base, 0.6, c), n_period, jobs)
            cards = list(PAGE)
            report["period_comparison_rho_0.6"] = {
                "flagged_per_card_raw_p": {
                    c: share(sum(r["raw"][c] for r in res), len(res), 0.07) for c in cards
                },
                "flagged_per_card_after_bh": {
                    c: share(sum(r["adjusted"][c] for r in res), len(res), 0.07) for c in cards
                },
                "page_of_13_with_any_flag_after_bh": share(
                    sum(any(r["adjusted"].values()) for r in res), len(res), 0.10
                ),
                "page_of_13_with_any_flag_raw": share(
                    sum(any(r["raw"].values()) for r in res), len(res)
                ),  # fmt: skip
            }
            report["runtime_seconds"]["period_comparison"] = round(time.perf_counter() - t0, 1)
        if "batched" in only:
            t0 = time.perf_counter()
            batched = {}
            for name, scenario in {
                "healthy_rho_0.3": {"rho": 0.3},
                "market_ctr_dip_1pct_day": {"ctr_drift": -0.01},
                "first_ad_declines_3pct_day": {"decline": 0.03, "onset": 14},
            }.items():
                res = run(pool, batched_chunk, lambda c, sc=scenario: (base, sc, c), 25, jobs)
                batched[name] = {
                    "accounts": len(res),
                    "ads": sum(r["ads"] for r in res),
                    "flagged_ads": sum(r["flagged"] for r in res),
                    "verdicts_identical": share(sum(r["same"] for r in res), len(res)),
                    "batched_seconds": round(sum(r["batched_s"] for r in res), 2),
                    "one_by_one_seconds": round(sum(r["one_by_one_s"] for r in res), 2),
                }
            report["fatigue_batched_against_one_by_one"] = batched
            report["runtime_seconds"]["fatigue_batched"] = round(time.perf_counter() - t0, 1)
    report["runtime_seconds"]["total"] = round(time.perf_counter() - t_all, 1)
    print(dumps(report))


def dumps(value, indent: int = 0) -> str:
    """JSON with every figure (a dict of k, n, share, ci95…) on one line."""
    pad = " " * (indent + 1)
    if isinstance(value, dict) and value and not ({"share", "median"} & set(value)):
        items = [f"{pad}{json.dumps(k)}: {dumps(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    return json.dumps(value, ensure_ascii=False)


if __name__ == "__main__":
    main()
