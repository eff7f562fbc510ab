"""Operating characteristics of the ad-fatigue verdict on simulated ads.

    python bench/bench_diagnostics.py [--seeds 1000] [--delay-seeds 200] [--jobs 2]

Measures `metrics.diagnostics.fatigue_for_ad` against its own simulator (below), not against the
test suite's generator, and prints JSON to stdout:

1. False alarms. `--seeds` healthy ads (no decline) at each history length of 14, 28 and 60 days
   (so 3 × seeds verdicts), each ad with its own daily volume drawn log-uniformly from 2k to 200k
   impressions, its own CTR, CPM, hook rate, noise level, start weekday and frequency creep. The
   share judged `fatigued` and the share judged `watch`, with 95 % Wilson intervals, overall, per
   history length, per volume band and per start weekday for the 14-day histories. A sensitivity
   block re-runs the healthy ads with one realistic ingredient removed or added (no weekday CTR
   pattern, no frequency creep, autocorrelated day noise, CPM drifting up), to tell which
   ingredient drives the false alarms.
2. Detection delay. A decline planted at day D (default 21, so three clean weeks of baseline):
   CTR falls linearly by 1, 2 or 3 % of its baseline per day (never below 10 % of it), CPM rises
   by half that rate, frequency climbs and the hook rate sags. For each ad the "today" slides over
   D + k for k = 0..40 (the verdict sees days 0..D+k) and the first k with status `fatigued`, and
   the first k with any alert (`watch` or `fatigued`), are recorded. Median and 90th percentile
   delay per strength and volume (undetected counts as +inf, so a percentile beyond 40 is
   reported as null with `censored` set), the share never detected within 40 days, the share
   whose verdict falls back to healthy after the first `fatigued`, and the onset error
   (`decline_began` minus the true day D): at the first `fatigued` verdict and at k = 20.
3. Wall time of each part.

Default sizes (1000 healthy seeds × 3 lengths × 5 model variants, 300 seeds × 9 delay cells × 41
days) take about 2.5 minutes on 2 (shared) cores, 85 % of it the delay part; `--seeds` and
`--delay-seeds` trade time for interval width. Nothing here runs in the test suite.
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
from scipy.stats import binomtest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics.diagnostics import fatigue_for_ad  # noqa: E402

MONDAY = pd.Timestamp("2026-01-05")
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# Weekday multipliers (Mon..Sun): more, cheaper, lower-intent traffic at the weekend.
WD_IMPRESSIONS = np.array([0.95, 0.95, 0.97, 1.00, 1.05, 1.25, 1.30])
WD_CTR = np.array([1.02, 1.02, 1.01, 1.00, 0.99, 0.94, 0.93])
WD_CPM = np.array([1.00, 1.00, 1.00, 1.01, 1.02, 0.96, 0.95])
HISTORY_DAYS = (14, 28, 60)
VOLUME_RANGE = (2_000, 200_000)
VOLUME_BANDS = ((2_000, 10_000), (10_000, 50_000), (50_000, 200_001))
DELAY_STRENGTHS = (0.01, 0.02, 0.03)  # share of baseline CTR lost per day after the onset
DELAY_VOLUMES = (2_000, 20_000, 200_000)
MAX_K = 40
FIXED_K = 20
CTR_FLOOR = 0.10  # a declining CTR stops at 10 % of its baseline
VARIANTS = {
    # name: overrides of the healthy model
    "realistic": {},
    "no_weekday_ctr": {"weekday_ctr": False},
    "no_frequency_creep": {"freq_creep": False},
    "autocorrelated_noise_rho_0.5": {"rho": 0.5},
    "cpm_drifting_up_0.3pct_per_day": {"cpm_drift": 0.003},
}


# --- simulator ---------------------------------------------------------------------------------


def simulate(
    rng: np.random.Generator,
    days: int,
    volume: float,
    onset: int | None = None,
    strength: float = 0.0,
    weekday_ctr: bool = True,
    freq_creep: bool = True,
    rho: float = 0.0,
    cpm_drift: float = 0.0,
) -> pd.DataFrame:
    """One ad's daily rows: date, impressions, clicks, spend, frequency, reach, video_watched_2s.

    Per ad: CTR log-uniform 0.6–2 %, CPM 4–12, hook rate 20–40 %, day-level CTR noise σ 6–15 %
    (lognormal, optionally AR(1) with correlation `rho`), random start weekday. Per day:
    impressions Poisson around volume × weekday × lognormal(0, 0.2) (overdispersed), CTR ×
    weekday × day effect, clicks binomial, CPM × weekday × lognormal(0, 0.08), hook binomial.
    Daily frequency starts at 1.05–1.3 and, as reach saturates, creeps up by 0.05–0.4 with a time
    constant of 20–90 days (0.001–0.02 per day at first), plus N(0, 0.03); reported to 2 decimals.
    Fatigue from day `onset`: s = strength × days since onset (capped so CTR ≥ 10 % of baseline);
    CTR × (1 − s), CPM × (1 + s/2), frequency + 1.5 s, hook rate × (1 − s/5).
    """
    t = np.arange(days)
    start = MONDAY + pd.Timedelta(days=int(rng.integers(7)))
    dates = start + pd.to_timedelta(t, unit="D")
    wd = np.asarray(dates.day_of_week)
    ctr0 = math.exp(rng.uniform(math.log(0.006), math.log(0.02)))
    cpm0 = math.exp(rng.uniform(math.log(4.0), math.log(12.0)))
    hook0 = rng.uniform(0.2, 0.4)
    sigma = rng.uniform(0.06, 0.15)
    f0, gain, tau = rng.uniform(1.05, 1.3), rng.uniform(0.05, 0.4), rng.uniform(20, 90)

    imp = rng.poisson(volume * WD_IMPRESSIONS[wd] * rng.lognormal(0, 0.2, days)).astype(float)
    z = rng.normal(0, 1, days)
    if rho:
        e = np.empty(days)
        e[0] = z[0]
        for i in range(1, days):
            e[i] = rho * e[i - 1] + math.sqrt(1 - rho * rho) * z[i]
        z = e
    ctr = ctr0 * np.exp(sigma * z - sigma**2 / 2)
    if weekday_ctr:
        ctr = ctr * WD_CTR[wd]
    cpm = cpm0 * WD_CPM[wd] * rng.lognormal(0, 0.08, days) * (1 + cpm_drift) ** t
    hook = hook0 * rng.lognormal(0, 0.05, days)
    freq = f0 + (gain * (1 - np.exp(-t / tau)) if freq_creep else 0.0) + rng.normal(0, 0.03, days)
    if onset is not None:
        s = np.minimum(strength * np.clip(t - onset, 0, None), 1 - CTR_FLOOR)
        ctr = ctr * (1 - s)
        cpm = cpm * (1 + s / 2)
        freq = freq + 1.5 * s
        hook = hook * (1 - s / 5)
    freq = np.round(np.maximum(freq, 1.0), 2)
    clicks = rng.binomial(imp.astype(np.int64), np.clip(ctr, 0, 1)).astype(float)
    two_s = rng.binomial(imp.astype(np.int64), np.clip(hook, 0, 1)).astype(float)
    return pd.DataFrame(
        {
            "date": dates,
            "impressions": imp,
            "clicks": clicks,
            "spend": np.round(imp * cpm / 1000, 2),
            "frequency": freq,
            "reach": np.round(imp / freq),
            "video_watched_2s": two_s,
        }
    )


# --- workers (run in a process pool) -----------------------------------------------------------


def healthy_chunk(args) -> list[dict]:
    base, variant, seeds = args
    overrides = VARIANTS[variant]
    vid = list(VARIANTS).index(variant)
    out = []
    for seed in seeds:
        for days in HISTORY_DAYS:
            rng = np.random.default_rng([base, 1, vid, days, seed])
            volume = math.exp(rng.uniform(*np.log(VOLUME_RANGE)))
            frame = simulate(rng, days, volume, **overrides)
            verdict = fatigue_for_ad(frame)
            out.append(
                {
                    "seed": seed,
                    "days": days,
                    "volume": volume,
                    "start_weekday": int(frame["date"].iloc[0].day_of_week),
                    "status": verdict["status"],
                    "signals": verdict["evidence"].get("corroborating_signals", []),
                }
            )
    return out


def delay_chunk(args) -> list[dict]:
    base, onset, strength, volume, seeds = args
    out = []
    for seed in seeds:
        rng = np.random.default_rng([base, 2, round(strength * 1000), volume, seed])
        frame = simulate(rng, onset + MAX_K + 1, volume, onset=onset, strength=strength)
        true_onset = frame["date"].iloc[onset]
        statuses, onset_err = [], []
        for k in range(MAX_K + 1):
            verdict = fatigue_for_ad(frame.iloc[: onset + k + 1])
            statuses.append(verdict["status"])
            began = verdict["evidence"].get("decline_began")
            onset_err.append(None if began is None else (pd.Timestamp(began) - true_onset).days)
        first_f = next((k for k, s in enumerate(statuses) if s == "fatigued"), None)
        first_a = next((k for k, s in enumerate(statuses) if s in ("watch", "fatigued")), None)
        out.append(
            {
                "first_fatigued": first_f,
                "first_alert": first_a,
                "reverted_after_fatigued": first_f is not None
                and any(s == "healthy" for s in statuses[first_f:]),
                "onset_error_at_first_fatigued": None if first_f is None else onset_err[first_f],
                "onset_error_at_first_alert": None if first_a is None else onset_err[first_a],
                "onset_error_at_k20": onset_err[FIXED_K],
                "status_at_k20": statuses[FIXED_K],
            }
        )
    return out


# --- summaries ---------------------------------------------------------------------------------


def share(k: int, n: int) -> dict:
    if n == 0:
        return {"k": 0, "n": 0, "share": None, "ci95": None}
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return {"k": k, "n": n, "share": round(k / n, 4), "ci95": [round(ci.low, 4), round(ci.high, 4)]}


def rates(rows: list[dict]) -> dict:
    n = len(rows)
    statuses = [r["status"] for r in rows]
    return {
        "fatigued": share(statuses.count("fatigued"), n),
        "watch": share(statuses.count("watch"), n),
        "any_alert": share(statuses.count("fatigued") + statuses.count("watch"), n),
        "insufficient_data": statuses.count("insufficient_data"),
    }


def delay_stats(values: list[int | None]) -> dict:
    """Median and 90th percentile with undetected = +inf (null and censored when beyond 40)."""
    n = len(values)
    x = np.sort([math.inf if v is None else v for v in values])
    out = {}
    for name, q in (("median", 0.5), ("p90", 0.9)):
        v = float(np.quantile(x, q, method="inverted_cdf")) if n else math.inf
        out[name] = None if math.isinf(v) else v
        out[f"{name}_censored"] = math.isinf(v)
    detected = [v for v in values if v is not None]
    out["median_among_detected"] = float(np.median(detected)) if detected else None
    out["detected_at_k0"] = share(sum(v == 0 for v in detected), n)
    out["never_within_40_days"] = share(n - len(detected), n)
    return out


def onset_stats(errors: list[int | None]) -> dict:
    e = np.array([v for v in errors if v is not None], dtype=float)
    if not len(e):
        return {"n": 0}
    return {
        "n": int(len(e)),
        "median_abs_error_days": float(np.median(np.abs(e))),
        "median_signed_error_days": float(np.median(e)),
        "within_3_days": share(int((np.abs(e) <= 3).sum()), int(len(e))),
    }


def chunks(seq, parts):
    size = max(1, math.ceil(len(seq) / parts))
    return [seq[i : i + size] for i in range(0, len(seq), size)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1000, help="healthy ads per history length")
    parser.add_argument("--delay-seeds", type=int, default=300, help="ads per strength × volume")
    parser.add_argument("--onset-day", type=int, default=21, help="true onset day D")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--base-seed", type=int, default=20260801)
    parser.add_argument("--no-sensitivity", action="store_true", help="skip the model variants")
    args = parser.parse_args()

    t_all = time.perf_counter()
    report: dict = {
        "config": {
            "healthy_seeds_per_history_length": args.seeds,
            "history_days": list(HISTORY_DAYS),
            "volume_per_day": "log-uniform 2k–200k",
            "delay_seeds_per_cell": args.delay_seeds,
            "onset_day": args.onset_day,
            "max_k": MAX_K,
            "strengths_per_day": list(DELAY_STRENGTHS),
            "delay_volumes_per_day": list(DELAY_VOLUMES),
            "jobs": args.jobs,
            "base_seed": args.base_seed,
        },
        "runtime_seconds": {},
    }
    with ProcessPoolExecutor(args.jobs) as pool:
        # 1. False alarms on healthy ads.
        seeds = list(range(args.seeds))
        variants = ["realistic"] if args.no_sensitivity else list(VARIANTS)
        by_variant = {}
        for variant in variants:
            t0 = time.perf_counter()
            work = [(args.base_seed, variant, c) for c in chunks(seeds, args.jobs * 4)]
            by_variant[variant] = [r for part in pool.map(healthy_chunk, work) for r in part]
            report["runtime_seconds"][f"false_alarm[{variant}]"] = round(
                time.perf_counter() - t0, 2
            )
        rows = by_variant["realistic"]
        fa = {"overall": rates(rows), "by_history_days": {}, "by_volume_per_day": {}}
        for days in HISTORY_DAYS:
            fa["by_history_days"][str(days)] = rates([r for r in rows if r["days"] == days])
        for lo, hi in VOLUME_BANDS:
            band = [r for r in rows if lo <= r["volume"] < hi]
            fa["by_volume_per_day"][f"{lo // 1000}k-{hi // 1000}k"] = rates(band)
        for days in HISTORY_DAYS:
            fa["by_volume_per_day"][f"200k_band_at_{days}_days"] = rates(
                [r for r in rows if r["days"] == days and r["volume"] >= VOLUME_BANDS[-1][0]]
            )
        fa["by_start_weekday_at_14_days"] = {
            WEEKDAYS[w]: rates([r for r in rows if r["days"] == 14 and r["start_weekday"] == w])
            for w in range(7)
        }
        signals = ("CPM is rising", "frequency is rising", "the hook rate is falling")
        fa["corroborating_signal_share_by_history_days"] = {
            str(days): {
                s: round(np.mean([s in r["signals"] for r in rows if r["days"] == days]), 4)
                for s in signals
            }
            for days in HISTORY_DAYS
        }
        report["false_alarm"] = fa
        report["false_alarm_sensitivity"] = {
            v: {
                "overall": rates(rs),
                "by_history_days": {
                    str(d): {
                        k: x
                        for k, x in rates([r for r in rs if r["days"] == d]).items()
                        if k in ("fatigued", "watch")
                    }
                    for d in HISTORY_DAYS
                },
            }
            for v, rs in by_variant.items()
            if v != "realistic"
        }

        # 2. Detection delay.
        t0 = time.perf_counter()
        delay_seeds = list(range(args.delay_seeds))
        cells = []
        for strength in DELAY_STRENGTHS:
            for volume in DELAY_VOLUMES:
                work = [
                    (args.base_seed, args.onset_day, strength, volume, c)
                    for c in chunks(delay_seeds, args.jobs * 2)
                ]
                res = [r for part in pool.map(delay_chunk, work) for r in part]
                n_f = sum(r["first_fatigued"] is not None for r in res)
                cells.append(
                    {
                        "strength_per_day": strength,
                        "volume_per_day": volume,
                        "n": len(res),
                        "fatigued_delay_days": delay_stats([r["first_fatigued"] for r in res]),
                        "alert_delay_days": delay_stats([r["first_alert"] for r in res]),
                        "reverted_to_healthy_after_first_fatigued": share(
                            sum(r["reverted_after_fatigued"] for r in res), n_f
                        ),
                        "onset_error_at_first_fatigued": onset_stats(
                            [r["onset_error_at_first_fatigued"] for r in res]
                        ),
                        "onset_error_at_first_alert": onset_stats(
                            [r["onset_error_at_first_alert"] for r in res]
                        ),
                        "onset_error_at_k20": onset_stats([r["onset_error_at_k20"] for r in res]),
                        "status_at_k20": {
                            s: sum(r["status_at_k20"] == s for r in res)
                            for s in ("fatigued", "watch", "healthy")
                        },
                    }
                )
        report["detection_delay"] = cells
        report["runtime_seconds"]["detection_delay"] = round(time.perf_counter() - t0, 2)
    report["runtime_seconds"]["total"] = round(time.perf_counter() - t_all, 2)
    json.dump(report, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
