"""The command line on an agency's year of daily ad rows, against Arrow's own read of the file.

    python bench/bench_import.py [--rows 1000000] [--runs 3] [--keep PATH] [--only a,b] [--json]

Writes a synthetic Ads Manager custom report formatted like a real export (£ with thousands
separators, % rates, `--` where a cost per result has no result, "1,234" counts; about 2,700 ads
over 365 days for a million rows), then runs each command below as a separate process, the
runs interleaved (raw, inspect, table, …, raw, inspect, …) so a busy machine weighs on all of
them alike. Prints, per command, the median, min and max wall time, the median's ratio to the
raw Arrow read, and the peak memory (the child's ru_maxrss) as a ratio to the file's size.

    raw       python -c "pyarrow.csv.read_csv(FILE)"   the physical limit: reading the bytes
    inspect   python -m metrics inspect FILE
    table     python -m metrics table FILE --level ad --days 28
    diagnose  python -m metrics diagnose FILE
    help      python -m metrics --help
    sample    python -m metrics inspect sample_data/*
    imports   python -c "import pandas, pyarrow.csv, pyarrow.compute"   the sample's floor:
              the libraries any import of a table needs, with nothing of this project's

With --app it also measures the app's upload path in one process, as the Data page runs it:
the file's bytes held (as Streamlit holds an upload), then ui.loading.parse_file and
ui.loading._combine; the peak resident memory above the process before the bytes arrived,
as a multiple of the file's size (issue 14's target: 3×).

The project's own modules are compiled to bytecode before the timed runs (as a user's second
run finds them), so a machine that sets PYTHONDONTWRITEBYTECODE does not pay the compile in
every process. Nothing here runs in the test suite. docs/performance.md says how to read the output.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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

# Targets from issue 13: seconds as a ratio to the raw read, or absolute seconds.
TARGETS = {
    "inspect": ("ratio", 3.0),
    "table": ("ratio", 4.0),
    "diagnose": ("ratio", 6.0),
    "help": ("seconds", 0.5),
    "sample": ("seconds", 1.0),
}
MEMORY_TARGET = 3.0  # peak RSS as a multiple of the file's size, for the 1M-row commands


def make_report(rows: int, seed: int = 1) -> bytes:
    """The synthetic report's bytes (UTF-8 with a BOM, as Ads Manager writes them)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    days = 365
    ads = -(-rows // days)  # ceiling: every row gets an ad
    day = np.tile(np.arange(days), ads)[:rows]
    ad = np.repeat(np.arange(ads), days)[:rows]
    dates = (pd.Timestamp("2025-11-01") + pd.to_timedelta(day, unit="D")).strftime("%Y-%m-%d")
    # Ads of very different sizes, so money runs from pennies to thousands of pounds.
    scale = rng.lognormal(0, 1.2, ads)[ad]
    imp = rng.poisson(4000 * scale)
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
        cpm = np.where(imp > 0, spend / imp * 1000, np.nan)
        ctr = np.where(imp > 0, clicks / imp * 100, np.nan)
        frequency = imp / reach

    def money(values) -> pd.Series:
        text = pd.Series(values).map("£{:,.2f}".format)
        return text.where(~np.isnan(values), "--")

    def counts(values) -> pd.Series:
        return pd.Series(values).map("{:,}".format)

    def names(codes, pattern: str) -> pd.Series:
        # One string per distinct name, repeated by index (as a real file repeats them).
        distinct = np.unique(codes)
        lookup = pd.Series([pattern.format(c) for c in distinct], index=distinct)
        return pd.Series(lookup.loc[codes].to_numpy())

    frame = pd.DataFrame(
        {
            "By Day": dates,
            "Campaign name": names(ad // 60, "Campaign {:03d}"),
            "Ad group name": names(ad // 6, "Ad group {:04d}"),
            "Ad name": names(ad, "Ad {:05d} – ‘creative’"),
            "Currency": "GBP",
            "Cost": money(spend),
            "Impressions": counts(imp),
            "Reach": counts(reach),
            "Frequency": pd.Series(frequency).map("{:.2f}".format),
            "CPM": money(cpm),
            "Clicks (destination)": counts(clicks),
            "CTR (destination)": pd.Series(ctr).map("{:.2f}%".format).where(~np.isnan(ctr), "--"),
            "CPC (destination)": money(cpc),
            "Video views": counts(v2 + rng.poisson(50, rows)),
            "2-second video views": v2,
            "6-second video views": v6,
            "Video views at 25%": p25,
            "Video views at 50%": p50,
            "Video views at 75%": p75,
            "Video views at 100%": p100,
            "Conversions": conv,
            "Cost per conversion": money(cpa),
            "Complete payment value": money(conv * 42.5),
        }
    )
    return frame[HEADER].to_csv(index=False).encode("utf-8-sig")


def commands(report: Path) -> dict[str, list[str]]:
    py = sys.executable
    sample = sorted(str(p) for p in (ROOT / "sample_data").iterdir() if p.is_file())
    return {
        "raw": [
            py,
            "-c",
            "import sys, pyarrow.csv; pyarrow.csv.read_csv(sys.argv[1])",
            str(report),
        ],
        "inspect": [py, "-m", "metrics", "inspect", str(report), "--format", "json"],
        "table": [
            py,
            "-m",
            "metrics",
            "table",
            str(report),
            "--level",
            "ad",
            "--days",
            "28",
            "--format",
            "json",
        ],  # fmt: skip
        "diagnose": [py, "-m", "metrics", "diagnose", str(report), "--format", "json"],
        "help": [py, "-m", "metrics", "--help"],
        "sample": [py, "-m", "metrics", "inspect", *sample, "--format", "json"],
        "imports": [py, "-c", "import pandas, pyarrow.csv, pyarrow.compute"],
    }


APP_CHILD = r"""
import json, sys, time
from pathlib import Path

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024

from ui import loading  # what the app has loaded before an upload arrives

path = Path(sys.argv[1])
before = status("VmRSS")
data = path.read_bytes()  # the upload's bytes, held for as long as the widget holds the file
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # the peak (VmHWM) starts again from here
start = time.perf_counter()
items = loading.parse_file(path.name, data)
dataset = loading._combine({path.name: items})
seconds = time.perf_counter() - start
rows = sum(len(t) for t in dataset.tables.values())
print(json.dumps({"before": before, "peak": status("VmHWM"), "after": status("VmRSS"),
                  "seconds": seconds, "rows": rows}))
"""


def app_memory(report: Path, runs: int) -> dict:
    """The app's upload path in a child process, `runs` times: medians of its peak above the
    process before the bytes arrived, and of the parse + combine time."""
    peaks, seconds = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", APP_CHILD, str(report)],
            cwd=ROOT, env=_env(), capture_output=True, text=True, check=True,
        )  # fmt: skip
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        peaks.append(figures["peak"] - figures["before"])
        seconds.append(figures["seconds"])
    size = report.stat().st_size
    peak = statistics.median(peaks)
    return {
        "runs": runs,
        "median_s": round(statistics.median(seconds), 3),
        "peak_above_before_mb": round(peak / 1e6, 1),
        "peak_to_file": round(peak / size, 2),
        "met": peak / size <= MEMORY_TARGET,
    }


def run_once(argv: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in bytes, exit status) of one whole process."""
    start = time.perf_counter()
    child = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env()
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stderr.close()
    return seconds, usage.ru_maxrss * 1024, child.returncode


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def summarise(name: str, seconds: list[float], rss: list[int], raw: float | None, size: int):
    median = statistics.median(seconds)
    row = {
        "command": name,
        "runs": len(seconds),
        "median_s": round(median, 3),
        "min_s": round(min(seconds), 3),
        "max_s": round(max(seconds), 3),
        "ratio_to_raw": round(median / raw, 2) if raw else None,
        "peak_rss_mb": round(statistics.median(rss) / 1e6, 1),
        "rss_to_file": (
            round(statistics.median(rss) / size, 2) if name not in ("help", "imports") else None
        ),
    }
    kind, limit = TARGETS.get(name, (None, None))
    if kind == "ratio" and row["ratio_to_raw"] is not None:
        row["target"] = f"≤ {limit:g}× raw"
        row["met"] = row["ratio_to_raw"] <= limit
    elif kind == "seconds":
        row["target"] = f"≤ {limit:g} s"
        row["met"] = median <= limit
    if name in ("inspect", "table", "diagnose"):
        row["memory_met"] = row["rss_to_file"] <= MEMORY_TARGET
    return row


def print_table(rows: list[dict], meta: dict) -> None:
    print(
        f"{meta['rows']:,} rows, {meta['file_mb']:.1f} MB file; {meta['runs']} runs each, "
        f"interleaved; load average before {meta['load_before']}, after {meta['load_after']}"
    )
    head = f"{'command':<9} {'median':>8} {'min':>7} {'max':>7} {'×raw':>6} {'peak MB':>8} "
    print(head + f"{'×file':>6}  target")
    for r in rows:
        ratio = f"{r['ratio_to_raw']:.2f}" if r["ratio_to_raw"] is not None else "—"
        mem = f"{r['rss_to_file']:.2f}" if r["rss_to_file"] is not None else "—"
        verdict = ""
        if "target" in r:
            verdict = f"{r['target']}: {'met' if r['met'] else 'NOT met'}"
        if "memory_met" in r:
            verdict += (
                f"; memory ≤ {MEMORY_TARGET:g}× file: {'met' if r['memory_met'] else 'NOT met'}"
            )
        print(
            f"{r['command']:<9} {r['median_s']:>7.2f}s {r['min_s']:>6.2f}s {r['max_s']:>6.2f}s "
            f"{ratio:>6} {r['peak_rss_mb']:>8.0f} {mem:>6}  {verdict}"
        )
    by_name = {r["command"]: r for r in rows}
    if "sample" in by_name and "imports" in by_name:
        floor = by_name["imports"]["median_s"]
        print(
            f"sample: {by_name['sample']['median_s']:.2f}s, of which importing pandas and "
            f"pyarrow alone (no code of this project) takes {floor:.2f}s; the 1 s target leaves "
            f"{max(0.0, 1.0 - floor):.2f}s for reading the sample's tables"
        )
    for r in rows:
        if r.get("failed"):
            print(f"! {r['command']} exited with status {r['failed']} in some run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the report")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (≥ 3)")
    parser.add_argument("--keep", metavar="PATH", help="write the report here and keep it "
                        "(reused when it exists with the same row count)")  # fmt: skip
    parser.add_argument("--only", help="comma-separated commands: raw,inspect,table,diagnose,"
                        "help,sample,imports (raw is always run when a ratio needs it)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--app", action="store_true", help="also measure the app's upload "
                        "path (parse_file + _combine) in one process")  # fmt: skip
    parser.add_argument("--write-report", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_report:
        Path(args.write_report).write_bytes(make_report(args.rows))
        return

    tmp = None
    if args.keep:
        report = Path(args.keep)
        marker = report.with_suffix(report.suffix + ".rows")
        fresh = not (report.exists() and marker.exists() and marker.read_text() == str(args.rows))
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench_import_")
        report = Path(tmp.name) / "Custom_report_bench.csv"
        fresh = True
    if fresh:
        # In a child process: this one stays small, since a child's peak memory (ru_maxrss)
        # starts from the size of the process it was forked from.
        subprocess.run(
            [sys.executable, __file__, "--rows", str(args.rows), "--write-report", str(report)],
            check=True,
        )
        if args.keep:
            marker.write_text(str(args.rows))
    size = report.stat().st_size

    every = commands(report)
    chosen = list(every) if not args.only else [c.strip() for c in args.only.split(",")]
    unknown = [c for c in chosen if c not in every]
    if unknown:
        parser.error(f"unknown command(s) {', '.join(unknown)}; choose from {', '.join(every)}")
    if any(TARGETS.get(c, ("",))[0] == "ratio" for c in chosen) and "raw" not in chosen:
        chosen.insert(0, "raw")

    # An installed copy runs from compiled bytecode: Python writes it on the first run unless
    # told not to (PYTHONDONTWRITEBYTECODE, set on some machines). Compile the project once
    # here, so every timed run reads it as a user's second run would, instead of compiling
    # the project's modules again in each process.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *(str(ROOT / d) for d in ("metrics", "ui"))],
        check=True,
    )
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    seconds: dict[str, list[float]] = {c: [] for c in chosen}
    rss: dict[str, list[int]] = {c: [] for c in chosen}
    failed: dict[str, int] = {}
    for _ in range(max(1, args.runs)):
        for name in chosen:  # interleaved: one run of each, then the next round
            s, m, status = run_once(every[name])
            seconds[name].append(s)
            rss[name].append(m)
            if status not in (0,):
                failed[name] = status
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())

    raw = statistics.median(seconds["raw"]) if "raw" in seconds else None
    rows = [summarise(n, seconds[n], rss[n], raw if n != "raw" else raw, size) for n in chosen]
    for r in rows:
        if r["command"] in failed:
            r["failed"] = failed[r["command"]]
    meta = {
        "rows": args.rows,
        "file_mb": size / 1e6,
        "runs": args.runs,
        "load_before": load_before,
        "load_after": load_after,
        "cpus": os.cpu_count(),
    }
    app = app_memory(report, max(1, args.runs)) if args.app else None
    if args.json:
        print(json.dumps({**meta, "results": rows, "app": app}, indent=2, ensure_ascii=False))
    else:
        print_table(rows, meta)
        if app:
            verdict = "met" if app["met"] else "NOT met"
            print(
                f"app upload path (parse_file + _combine, bytes held): median "
                f"{app['median_s']:.2f}s, peak {app['peak_above_before_mb']:.0f} MB above the "
                f"process before the bytes, {app['peak_to_file']:.2f}× the file "
                f"(≤ {MEMORY_TARGET:g}×: {verdict})"
            )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
