"""Calibrate the fatigue thresholds: the break statistic a healthy ad reaches when looked at daily.

    python bench/calibrate_fatigue.py [--accounts 200] [--rho 0 0.3 0.6] [--watch-rate 0.05]
                                      [--fatigued-rate 0.005] [--jobs 2]

Simulates accounts of healthy ads (bench/bench_diagnostics.py's simulator: market and
ad-specific AR(1) day effects with correlation ρ, weekday pattern, binomial clicks), looks at
every ad every day from its 10th day to its 51st (six weeks of looks, as a user re-opening the
app would), and records per ad the largest break statistic Z over those looks, counting only
looks where the decline also passes the 10 % size gate (`MIN_DROP`) as an alert would. The
threshold for a false-alarm rate p is the (1 − p) quantile of that per-ad maximum: a healthy ad
crosses it at least once in six weeks with probability p. Printed per ρ, with a 95 %
order-statistic interval, the rate the current thresholds give, and the same rate per ad-month
(30 days of looks, assuming a constant hazard: 1 − (1 − p)^(30 ÷ 42)).
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy.stats import binom

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_diagnostics import ADS_PER_ACCOUNT, chunks, simulate_account, verdict  # noqa: E402

from metrics.diagnostics import ad_fatigue  # noqa: E402

FIRST_LOOK, LAST_DAY = 10, 52  # looks on days 10 … 51: 42 daily looks


def max_z_chunk(args) -> list[float]:
    """Per healthy ad: the largest break statistic over the daily looks (size gate passed)."""
    base, rho, seeds = args
    out = []
    for seed in seeds:
        rng = np.random.default_rng([base, 6, round(rho * 10), seed])
        acc = simulate_account(rng, days=LAST_DAY, rho=rho)
        for i in range(ADS_PER_ACCOUNT):
            top = 0.0
            for upto in range(FIRST_LOOK, LAST_DAY):
                e = verdict(acc, i, upto)["evidence"]
                z, drop = e.get("break_statistic"), e.get("ctr_change_since_onset")
                if z is not None and drop is not None and drop <= -ad_fatigue.MIN_DROP:
                    top = max(top, z)
            out.append(top)
    return out


def quantile_ci(x: np.ndarray, q: float) -> dict:
    """The q quantile of x with its 95 % distribution-free interval (order statistics)."""
    x = np.sort(x)
    n = len(x)
    lo = int(binom.ppf(0.025, n, q))
    hi = min(int(binom.ppf(0.975, n, q)), n - 1)
    return {
        "threshold": round(float(np.quantile(x, q, method="inverted_cdf")), 2),
        "ci95": [round(float(x[max(lo - 1, 0)]), 2), round(float(x[hi]), 2)],
    }


def per_month(p: float) -> float:
    return 1 - (1 - p) ** (30 / (LAST_DAY - FIRST_LOOK))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200, help="per ρ, of 6 ads each")
    parser.add_argument("--rho", type=float, nargs="+", default=[0.0, 0.3, 0.6])
    parser.add_argument("--watch-rate", type=float, default=0.05, help="per ad, six weeks")
    parser.add_argument("--fatigued-rate", type=float, default=0.005, help="per ad, six weeks")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--base-seed", type=int, default=20261201)
    args = parser.parse_args()
    report: dict = {
        "config": {
            "accounts_per_rho": args.accounts,
            "ads_per_account": ADS_PER_ACCOUNT,
            "looks": f"daily, day {FIRST_LOOK} to day {LAST_DAY - 1}",
            "current": {"watch": ad_fatigue.Z_WATCH, "fatigued": ad_fatigue.Z_FATIGUED},
        }
    }
    with ProcessPoolExecutor(args.jobs) as pool:
        for rho in args.rho:
            work = [(args.base_seed, rho, c) for c in chunks(list(range(args.accounts)), 8)]
            top = np.array([z for part in pool.map(max_z_chunk, work) for z in part])
            row = {"ads": len(top)}
            for name, rate, now in (
                ("watch", args.watch_rate, ad_fatigue.Z_WATCH),
                ("fatigued", args.fatigued_rate, ad_fatigue.Z_FATIGUED),
            ):
                got = float((top >= now).mean())
                row[name] = {
                    "target_rate_6_weeks": rate,
                    "target_rate_per_ad_month": round(per_month(rate), 4),
                    **quantile_ci(top, 1 - rate),
                    "rate_at_current_threshold": round(got, 4),
                    "per_ad_month_at_current": round(per_month(got), 4),
                }
            report[f"rho_{rho}"] = row
            print(f"ρ = {rho}: done", file=sys.stderr)
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
