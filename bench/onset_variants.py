"""Onset estimators side by side on the planted declines of bench_diagnostics.py (same seeds).

    python bench/onset_variants.py [--strength 0.01] [--n 300] [--base-seed 20261201]

For each declining ad (the bench's `decline_chunk` accounts): at its first alert (the shipped
verdict's), 14 days after the onset (every ad, alerted or not), and 21 and 28 days after it (a
second account per seed, as the bench), the share of ads whose onset each variant places
within ±3 days. Variants differ in one thing at a time: the likelihood over onsets (profile:
slopes fitted; marginal: slopes integrated over a normal prior of sd τ a day, or a flat one),
the signals (CTR, CPM, hook rate), the shape (log: compounding; linear; a smooth hinge), and the
noise scale (MAD of day-to-day differences, or the best fit's residual variance). `shipped` is
`ad_fatigue.hinge_onset` itself. Every variant picks the day whose ±3 days hold the most
likelihood (`ad_fatigue._likeliest_week`). A few minutes per strength on 2 processes.
"""

from __future__ import annotations

import argparse
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_diagnostics as bench  # noqa: E402

from metrics.diagnostics import ad_fatigue as F  # noqa: E402


def signals(acc, upto):
    """The ad's market-adjusted rates and day weights, as `_fatigue` builds them."""
    g = {c: acc[c][:, :upto] for c in ("impressions", "clicks", "spend", "video_watched_2s")}
    imp, clk, spend, v2 = (g[c][0] for c in ("impressions", "clicks", "spend", "video_watched_2s"))
    o = {c: v[1:].sum(axis=0) for c, v in g.items()}

    def index(num):
        return (o[num] / o["impressions"]) / (o[num].sum() / o["impressions"].sum())

    ctr = clk / index("clicks") / imp
    w_ctr = 1 / (F.TAU2 + 1 / (clk + 0.5) + 1 / (o["clicks"] + 0.5))
    return {
        "ctr": (ctr, w_ctr),
        "cpm": (spend / imp / index("spend"), imp / imp.mean()),
        "hook": (v2 / imp / index("video_watched_2s"), 1 / (F.TAU2 / 4 + 1 / (v2 + 0.5))),
    }


def mad_scale(y):
    """The previous noise scale: MAD of day-to-day differences ÷ √2, at least 0.1 % of the
    series' typical level."""
    d = np.diff(y)
    mad = float(np.median(np.abs(d - np.median(d)))) * 1.4826 / math.sqrt(2) or float(np.std(d))
    return max(mad, 1e-3 * float(np.median(np.abs(y))))


def neg2(series, ks, likelihood="profile", tau=0.01, shape="log", noise="resid"):
    """−2 log likelihood of a shared onset per k under one variant."""
    t = np.arange(len(series[0][0]), dtype=float)
    if shape == "smooth":  # a hinge rounded over about 3 days
        h = 3.0 * np.logaddexp(0, (t[None, :] - ks[:, None]) / 3.0)
        h = h - h[:, :1]
    else:
        h = np.maximum(t[None, :] - ks[:, None], 0.0)
    total = np.zeros(len(ks))
    for y, w in series:
        w = w / w.mean()
        z = y / np.average(y, weights=w)
        v = z if shape == "linear" else np.log(z)
        s0, s1, s2 = w.sum(), h @ w, (h * h) @ w
        sy, shy, syy = (w * v).sum(), h @ (w * v), (w * v * v).sum()
        det = s0 * s2 - s1 * s1
        b = (s0 * shy - s1 * sy) / det
        sse = np.maximum(syy - (sy - b * s1) / s0 * sy - b * shy, 0.0)
        if noise == "mad":
            sigma2 = mad_scale(v) ** 2
        else:
            sigma2 = max(sse.min() / (len(v) - 3), F.ONSET_MIN_SD**2)
        m = sse / sigma2
        q = det / s0 / sigma2  # the slope's precision
        if likelihood == "marginal_flat":
            m = m + np.log(q)
        elif likelihood == "marginal":
            m = m + np.log1p(q * tau**2) + b * b / (tau**2 + 1 / q)
        total += m
    return total


VARIANTS = {
    "shipped (CTR+CPM+hook, linear and log averaged, residual σ)": None,
    "previous (CTR+CPM linear, MAD σ)": dict(keys=("ctr", "cpm"), shape="linear", noise="mad"),
    "CTR+CPM log, residual σ": dict(keys=("ctr", "cpm")),
    "CTR+CPM+hook log, residual σ": dict(keys=("ctr", "cpm", "hook")),
    "CTR+CPM+hook log, MAD σ": dict(keys=("ctr", "cpm", "hook"), noise="mad"),
    "CTR+CPM+hook linear, residual σ": dict(keys=("ctr", "cpm", "hook"), shape="linear"),
    "CTR+CPM+hook smooth hinge": dict(keys=("ctr", "cpm", "hook"), shape="smooth"),
    "marginal, flat slope prior": dict(keys=("ctr", "cpm", "hook"), likelihood="marginal_flat"),
    **{
        f"marginal, slope prior sd {tau:.1%}/day": dict(
            keys=("ctr", "cpm", "hook"), likelihood="marginal", tau=tau
        )
        for tau in (0.005, 0.01, 0.015, 0.02, 0.03)
    },
}


def judge(acc, upto, onset):
    s = signals(acc, upto)
    ks = np.arange(F.MIN_PRE - 1, upto - F.MIN_POST)
    out = {}
    for name, v in VARIANTS.items():
        if v is None:
            k = F.hinge_onset([s["ctr"], s["cpm"], s["hook"]])
            k = min(max(k, ks[0]), ks[-1])
        else:
            kw = {key: val for key, val in v.items() if key != "keys"}
            k = int(ks[F._likeliest_week(neg2([s[c] for c in v["keys"]], ks, **kw))])
        out[name] = abs(k - onset) <= 3
    return out


def chunk(args):
    base, strength, seeds = args
    onset, looks = 21, 21
    out = []
    for seed in seeds:
        rng = np.random.default_rng([base, 3, round(strength * 1000), seed])
        acc = bench.simulate_account(rng, days=onset + looks, decline=strength, onset=onset)
        rec = {}
        for k in range(looks):
            if bench.verdict(acc, 0, onset + k + 1)["status"] in ("watch", "fatigued"):
                rec["first alert"] = judge(acc, onset + k + 1, onset)
                break
        rec["14 days after (all ads)"] = judge(acc, onset + 15, onset)
        rng = np.random.default_rng([base, 8, round(strength * 1000), seed])
        longer = bench.simulate_account(rng, days=onset + 29, decline=strength, onset=onset)
        rec["21 days after (all ads)"] = judge(longer, onset + 22, onset)
        rec["28 days after (all ads)"] = judge(longer, onset + 29, onset)
        out.append(rec)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strength", type=float, default=0.01)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--base-seed", type=int, default=20261201)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    seeds = list(range(args.n))
    parts = [seeds[i :: args.jobs * 4] for i in range(args.jobs * 4)]
    work = [(args.base_seed, args.strength, p) for p in parts]
    with ProcessPoolExecutor(args.jobs) as pool:
        res = [r for part in pool.map(chunk, work) for r in part]
    moments = list(dict.fromkeys(m for r in res for m in r))
    table = pd.DataFrame(
        {m: {v: np.mean([r[m][v] for r in res if m in r]) for v in VARIANTS} for m in moments}
    )
    counts = {m: sum(m in r for r in res) for m in moments}
    print(f"{args.strength:.0%}/day, base seed {args.base_seed}; ads per moment: {counts}")
    print((table * 100).round(1).to_string())


if __name__ == "__main__":
    main()
