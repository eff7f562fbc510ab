"""Speed and memory of the importer and the metrics on an agency's year of daily ad rows.

    python bench/bench_import.py [--rows 1000000] [--keep]

Writes a synthetic Ads Manager custom report (formatted like a real export: £ with thousands
separators, % rates, `--`), then times load_files, a 28-day summary, the ad-level table and the
diagnostics, and reports peak memory (tracemalloc for Python allocations, ru_maxrss for the
process). Figures go to stdout as JSON; nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics.aggregate import aggregate  # noqa: E402
from metrics.definitions import ADS  # noqa: E402
from metrics.diagnostics import diagnose  # noqa: E402
from metrics.io import load_files  # noqa: E402
from metrics.report import summary  # noqa: E402

HEADER = [
    "By Day",
    "Campaign name",
    "Ad group name",
    "Ad name",
    "Currency",
    "Cost",
    "Impressions",
    "Reach",
    "Frequency",
    "CPM",
    "Clicks (destination)",
    "CTR (destination)",
    "CPC (destination)",
    "Video views",
    "2-second video views",
    "6-second video views",
    "Video views at 25%",
    "Video views at 50%",
    "Video views at 75%",
    "Video views at 100%",
    "Conversions",
    "Cost per conversion",
    "Complete payment value",
]


def money(values: np.ndarray) -> pd.Series:
    return pd.Series(values).map("£{:,.2f}".format)


def make_report(rows: int, seed: int = 1) -> bytes:
    rng = np.random.default_rng(seed)
    days = 365
    ads = -(-rows // days)  # ceiling: every row gets an ad
    day = np.tile(np.arange(days), ads)[:rows]
    ad = np.repeat(np.arange(ads), days)[:rows]
    dates = (pd.Timestamp("2025-11-01") + pd.to_timedelta(day, unit="D")).strftime("%Y-%m-%d")
    imp = rng.poisson(4000, rows)
    reach = np.maximum(1, (imp / rng.uniform(1.1, 2.5, rows)).astype(int))
    clicks = rng.binomial(imp, 0.011)
    spend = np.round(imp * rng.uniform(3, 9, rows) / 1000, 2)
    v2 = rng.binomial(imp, 0.3)
    v6 = rng.binomial(v2, 0.45)
    p25 = rng.binomial(v6, 0.8)
    p50 = rng.binomial(p25, 0.7)
    p75 = rng.binomial(p50, 0.6)
    p100 = rng.binomial(p75, 0.5)
    conv = rng.binomial(clicks, 0.05)
    with np.errstate(divide="ignore", invalid="ignore"):
        cpc = np.where(clicks > 0, spend / clicks, np.nan)
        cpa = np.where(conv > 0, spend / conv, np.nan)
    frame = pd.DataFrame(
        {
            "By Day": dates,
            "Campaign name": pd.Series(ad // 60).map("Campaign {:03d}".format),
            "Ad group name": pd.Series(ad // 6).map("Ad group {:04d}".format),
            "Ad name": pd.Series(ad).map("Ad {:05d} – ‘creative’".format),
            "Currency": "GBP",
            "Cost": money(spend),
            "Impressions": pd.Series(imp).map("{:,}".format),
            "Reach": pd.Series(reach).map("{:,}".format),
            "Frequency": pd.Series(imp / reach).map("{:.2f}".format),
            "CPM": money(spend / imp * 1000),
            "Clicks (destination)": pd.Series(clicks).map("{:,}".format),
            "CTR (destination)": pd.Series(clicks / imp * 100).map("{:.2f}%".format),
            "CPC (destination)": money(cpc).where(~np.isnan(cpc), "--"),
            "Video views": pd.Series(v2 + rng.poisson(50, rows)).map("{:,}".format),
            "2-second video views": v2,
            "6-second video views": v6,
            "Video views at 25%": p25,
            "Video views at 50%": p50,
            "Video views at 75%": p75,
            "Video views at 100%": p100,
            "Conversions": conv,
            "Cost per conversion": money(cpa).where(~np.isnan(cpa), "--"),
            "Complete payment value": money(conv * 42.5),
        }
    )
    return frame[HEADER].to_csv(index=False).encode("utf-8-sig")


def timed(label: str, func, results: dict):
    start = time.perf_counter()
    value = func()
    results[label] = round(time.perf_counter() - start, 2)
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", action="store_true", help="also time the sample data set")
    args = parser.parse_args()
    results: dict = {"rows": args.rows}
    data = timed("generate_s", lambda: make_report(args.rows), results)
    results["file_mb"] = round(len(data) / 1e6, 1)
    files = [("big_report.csv", data)]
    del data
    dataset = timed("import_s", lambda: load_files(files), results)
    files.clear()
    report = dataset.reports[0]
    results["rows_read"] = report.rows
    results["warnings"] = report.warnings
    end = dataset.get("ads")["date"].max().date()
    timed("summary_28d_s", lambda: summary(dataset, 28, end), results)
    timed("summary_365d_s", lambda: summary(dataset, 365, end), results)
    window_all = None
    timed("table_ad_level_s", lambda: aggregate(dataset, ADS, window_all, level="ad"), results)
    timed("diagnose_28d_s", lambda: diagnose(dataset, 28, end), results)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
    if args.sample:
        root = Path(__file__).resolve().parent.parent / "sample_data"
        files = [
            (p.name, p.read_bytes())
            for p in sorted(root.iterdir())
            if p.suffix in (".zip", ".csv", ".xlsx")
        ]
        timed("sample_import_s", lambda: load_files(files, today=dt.date.today()), results)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
