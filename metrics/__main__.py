"""The command line (`tiktok-metrics`, or `python -m metrics`): the same code the pages use.

Documented in docs/cli.md. Only argparse is imported before the arguments are parsed, so
`--help` answers at once; pandas and scipy load when a command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
from pathlib import Path

from .windows import WINDOW_DAYS

FORMATS = ("text", "json", "csv")
# Kept here so --help needs no pandas; tests check them against templates.py and report.py.
TEMPLATES = ("creative_performance", "funnel_analysis")
DEFAULT_METRICS = (
    "spend",
    "impressions",
    "cpm",
    "clicks",
    "ctr",
    "cpc",
    "conversions",
    "cvr",
    "cpa",
    "roas",
)
DAYS_HELP = f"window length in days: {', '.join(map(str, WINDOW_DAYS))} (default 28)"
END_HELP = (
    "last day of the window, YYYY-MM-DD (default: the newest complete day in the files, the last "
    "day the Overview, Follower history and Ads report all have numbers for)"
)
FORMAT_HELP = (
    "text (aligned, for people; the default on a terminal), json (the default when the output "
    "goes to a pipe or a file) or csv"
)

DESCRIPTION = """\
Read TikTok Studio exports (Overview, Content, Viewers, Followers: .zip, .csv, .xlsx) and
TikTok Ads Manager reports, and print what the app shows: the tables found, KPIs against
the previous period, the campaign / ad group / ad table, and the diagnostics.

On a terminal the output is an aligned table for people; piped or redirected it is JSON
(or choose with --format). Messages go to stderr. Exit status: 0 done, 1 a file was
refused or the files hold no data for the command, 2 a mistake in the command line.
Every command, option and output field: docs/cli.md in the project."""

EXAMPLES = {
    None: """\
examples:
  {prog} inspect sample_data/*
  {prog} summary sample_data/* --days 28
  {prog} table sample_data/* --level campaign --metrics spend,ctr,cpa
  {prog} diagnose sample_data/* --format json > diagnostics.json""",
    "inspect": """\
examples:
  {prog} inspect sample_data/*                 which table each file holds, rows, days
  {prog} inspect Overview.zip --format csv     one CSV row per table""",
    "summary": """\
examples:
  {prog} summary sample_data/*                           last 28 days vs the 28 before
  {prog} summary sample_data/* --days 7 --end 2026-10-31
  {prog} summary sample_data/* --format csv > kpis.csv   one row per metric""",
    "table": """\
examples:
  {prog} table sample_data/* --level campaign
  {prog} table sample_data/* --level ad --metrics spend,impressions,ctr,cpa
  {prog} table sample_data/* --template creative_performance --format csv > ads.csv
  {prog} table sample_data/* --level ad_group \\
      --custom "cost_per_2s_view = spend / video_watched_2s::currency"
metric names: docs/metrics.md (Ads).""",
    "diagnose": """\
examples:
  {prog} diagnose sample_data/*                    a page of verdicts
  {prog} diagnose sample_data/* --days 60 --format json""",
}


class UsageError(Exception):
    pass


# Large files mapped before pandas is imported, so Arrow can start reading them at once
# (metrics/arrow_csv.py); _read_paths takes them from here.
_EARLY: dict[str, object] = {}


def _read_ahead(paths: list[str]) -> None:
    """Map each large text file named and start Arrow's read of it in a thread, while the
    command goes on to import pandas; any problem is left for _read_paths to report."""
    from . import arrow_csv

    for p in paths:
        path = Path(p)
        try:
            if p in _EARLY or not path.is_file():
                continue
            data = _file_bytes(path)
        except (OSError, ValueError):
            continue
        if arrow_csv.is_mapped(data):
            _EARLY[p] = data
            arrow_csv.start(data)


def _read_paths(paths: list[str]) -> list[tuple[str, bytes]]:
    """The files named, and every file in a folder named (not its hidden files: .DS_Store)."""
    files = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = [f for f in sorted(path.iterdir()) if f.is_file() and f.name[0] != "."]
            if not found:
                print(f"warning: the folder {p} holds no files to read.", file=sys.stderr)
            files.extend((f.name, _file_bytes(f)) for f in found)
            continue
        try:
            files.append((path.name, _EARLY.pop(p) if p in _EARLY else _file_bytes(path)))
        except OSError as err:
            raise UsageError(f"{p}: cannot be opened ({err.strerror}).") from None
    if not files:
        raise UsageError(
            "No files to read: give TikTok Studio exports or Ads Manager reports (.csv, .xlsx "
            "or .zip), or a folder that holds them."
        )
    return files


# Text files larger than this are memory-mapped rather than read: the importer reads a mapped
# file block by block and hands its pages back as it goes (docs/performance.md), so a 200 MB
# report does not sit in memory beside the table made from it.
MAP_BYTES = 16 * 1024**2


def _file_bytes(path: Path):
    """A file's bytes: read whole when small or an archive, else memory-mapped (read-only)."""
    import mmap

    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < max(MAP_BYTES, 1) or f.read(2) == b"PK":  # ZIP, XLSX: unpacked from bytes
            f.seek(0)
            return f.read()
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _date(value: str | None, flag: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{flag} takes a date as YYYY-MM-DD, not '{value}'.") from None


def _messages(dataset, errors: bool = True) -> None:
    if errors:
        for report in dataset.errors:
            print(report.error, file=sys.stderr)
    for warning in dataset.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for note in dataset.notes:
        print(f"note: {note}", file=sys.stderr)


def _years(values: list[str] | None) -> dict[str, int]:
    """--year FILE=YEAR: the year of the newest row of a year-less file (docs/exports.md)."""
    years = {}
    for value in values or []:
        name, _, year = value.rpartition("=")
        if not name or not year.strip().isdigit():
            raise UsageError(f"--year takes FILE=YEAR, e.g. Overview.csv=2025, not '{value}'.")
        years[Path(name).name] = int(year)
    return years


def _load(args: argparse.Namespace, errors: bool = True):
    from .io import load_files

    dataset = load_files(
        _read_paths(args.files), today=_date(args.today, "--today"), years=_years(args.year)
    )
    _messages(dataset, errors)
    return dataset


def _window_end_note(dataset) -> None:
    """Say which day the default window ends on, and why, when the files end on different days."""
    from .windows import default_end

    if reason := default_end(dataset).reason:
        print(f"note: {reason}", file=sys.stderr)


def _json(obj) -> str:
    """`obj` as indented JSON: NaN and infinities as null, numpy numbers as numbers, dates and
    anything else as their text. One pass in C (orjson: ~0.03 s for the 10 MB `diagnose` of a
    million rows, where the standard library's indented encoder takes ~1 s); the standard
    library only for what orjson refuses (an integer beyond 64 bits)."""
    import orjson

    option = (
        orjson.OPT_INDENT_2
        | orjson.OPT_SERIALIZE_NUMPY
        | orjson.OPT_NON_STR_KEYS
        | orjson.OPT_PASSTHROUGH_DATETIME  # dates as str() gives them, as before
    )
    try:
        return orjson.dumps(obj, default=str, option=option).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError
        import numpy as np

    def clean(x):
        if isinstance(x, np.generic):  # the same numbers orjson writes
            x = x.item()
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    return json.dumps(clean(obj), indent=2, ensure_ascii=False, default=str)


def _csv(rows: list[dict], columns: list[str] | None = None) -> str:
    """Rows as CSV, text cells neutralised so Excel never runs them as formulas."""
    import pandas as pd

    from .export import to_csv_bytes

    frame = pd.DataFrame(rows, columns=columns) if columns or not rows else pd.DataFrame(rows)
    return to_csv_bytes(frame).decode("utf-8-sig")


def _emit(args: argparse.Namespace, data, text, rows, columns: list[str] | None = None) -> None:
    """Print `data` as JSON, `text()` for people or `rows()` as CSV, as --format says."""
    if args.format == "json":
        print(_json(data))
    elif args.format == "csv":
        sys.stdout.write(_csv(rows(), columns))
    else:
        print(text())


def cmd_inspect(args: argparse.Namespace) -> int:
    from . import cli_format as fmt

    dataset = _load(args, errors=False)
    _window_end_note(dataset)
    reports = json.loads(_json([r.to_dict() for r in dataset.reports]))
    columns = ["file", "kind", "rows", "first_date", "last_date", "warnings", "error"]
    _emit(
        args,
        reports,
        lambda: fmt.inspect_text(reports),
        lambda: fmt.inspect_rows(reports),
        columns,
    )
    return 1 if dataset.errors else 0


def cmd_summary(args: argparse.Namespace) -> int:
    from .report import summary
    from .windows import parse_days

    days = parse_days(args.days)
    dataset = _load(args)
    out = summary(dataset, days, _date(args.end, "--end"))
    if not args.end:
        _window_end_note(dataset)
    if out["window"] is None:
        if args.format == "json":
            print(_json(out))
        print(
            "None of these files holds daily TikTok data (an Overview, FollowerHistory, Viewers "
            "or Ads Manager report), so there is no window to summarise.",
            file=sys.stderr,
        )
        return 1
    from . import cli_format as fmt

    data = json.loads(_json(out))
    _emit(
        args,
        data,
        lambda: fmt.summary_text(data, dataset.currency),
        lambda: fmt.summary_rows(data),
    )
    if args.format != "text":
        for note in out.get("notes", []):
            print(f"note: {note}", file=sys.stderr)
    return 0


def _template_and_columns(args: argparse.Namespace):
    from .definitions import ADS, REGISTRY
    from .formula import parse_custom_column
    from .templates import get_template, load_template
    from .windows import parse_days

    level, days = args.level, parse_days(args.days)
    metrics = (
        list(dict.fromkeys(m.strip().lower() for m in args.metrics.split(",") if m.strip()))
        if args.metrics
        else None
    )
    custom = []
    if args.template:
        if args.template.lower().endswith(".json"):
            try:
                text = Path(args.template).read_bytes()
            except OSError:
                raise UsageError(
                    f"The template file '{args.template}' could not be opened: check the path."
                ) from None
            template = load_template(text)
        else:
            template = get_template(args.template)
        level = args.level_given or template.level
        metrics = metrics or list(template.metrics)
        custom.extend(template.custom)
        days = days if args.days_given else template.days
    names = set(REGISTRY[ADS])
    if metrics:
        unknown = [m for m in metrics if m not in names]
        if unknown:
            import difflib

            hints = [
                f"'{m}': did you mean {close[0]}?"
                for m in unknown
                if (close := difflib.get_close_matches(m, names, n=1, cutoff=0.7))
            ]
            raise UsageError(
                f"Unknown metric(s): {', '.join(unknown)}. "
                + (" ".join(hints) + " " if hints else "")
                + f"Valid: {', '.join(sorted(names))}."
            )
    for definition in args.custom or []:
        unit = "ratio"
        if "::" in definition:
            definition, unit = definition.rsplit("::", 1)
        column = parse_custom_column(definition, names | {c.name for c in custom}, unit.strip())
        custom.append(column)
    return level, days, metrics, custom


def _ads_span(dataset):
    """First and last day of the Ads Manager report, or None."""
    from .aggregate import date_range
    from .definitions import ADS

    return date_range(dataset, ADS) if dataset.has("ads") else None


def cmd_table(args: argparse.Namespace) -> int:
    level, days, metrics, custom = _template_and_columns(args)
    dataset = _load(args)
    if not dataset.has("ads"):
        print(
            "No Ads Manager report among these files, so there is no campaign table. Add a "
            "custom report exported from Ads Manager (CSV or XLSX).",
            file=sys.stderr,
        )
        if args.format == "json":
            print("[]")
        return 1
    from . import cli_format as fmt
    from .export import to_csv_bytes
    from .report import resolve_window, table

    if not args.end:
        _window_end_note(dataset)
    window = resolve_window(dataset, days, _date(args.end, "--end"))
    frame = table(dataset, level, window, metrics, custom)
    outside = fmt.outside_sentence(_ads_span(dataset), window and window.to_dict())
    if outside and args.format != "text":
        print(f"note: {outside}", file=sys.stderr)
    if args.format == "csv":
        sys.stdout.write(to_csv_bytes(frame).decode("utf-8-sig"))
        return 0
    records = json.loads(frame.to_json(orient="records", double_precision=15))
    if args.format == "json":
        print(_json(records))
    else:
        units = {c.name: c.unit for c in custom}
        print(outside or fmt.table_text(records, units, dataset.currency))
    return 0


# Ratios and averages the Ads report states per row. The diagnostics work each ratio out as
# sum ÷ sum and never read these (tests/test_diagnostics.py checks the diagnosis is the same
# with them absurd and without them), so `diagnose`, which uses its dataset once, lets them
# go before the fits: 8 MB a column per million rows off its peak. (Frequency stays: the
# fatigue check reads it where a report has no reach.)
REPORTED_RATIOS = (
    "cpm",
    "ctr",
    "cpc",
    "cost_per_conversion",
    "conversion_rate",
    "complete_payment_roas",
    "average_video_play",
)


def _drop_reported_ratios(dataset) -> None:
    if "ads" in dataset.tables:
        ads = dataset.tables["ads"]
        for column in REPORTED_RATIOS:
            if column in ads:
                del ads[column]


def cmd_diagnose(args: argparse.Namespace) -> int:
    from . import cli_format as fmt
    from .diagnostics import diagnose
    from .windows import parse_days

    days = parse_days(args.days)
    dataset = _load(args)
    _drop_reported_ratios(dataset)
    if not args.end:
        _window_end_note(dataset)
    data = json.loads(_json(diagnose(dataset, days, _date(args.end, "--end"))))
    outside = fmt.outside_sentence(_ads_span(dataset), data.get("window"))
    if outside and args.format != "text":
        print(f"note: {outside}", file=sys.stderr)
    _emit(
        args,
        data,
        lambda: fmt.diagnose_text(data, dataset.currency, dataset.has("ads"), outside),
        lambda: fmt.diagnose_rows(data),
        ["section", "campaign", "ad_group", "ad", "verdict", "explanation"],
    )
    if not dataset.has("ads"):
        if args.format != "text":  # the text says so itself
            print(
                "No Ads Manager report among these files: fatigue, hook versus CTA, drop-off "
                "and delivery need one (a custom report with daily rows per ad).",
                file=sys.stderr,
            )
        return 1
    return 0


def program_name() -> str:
    """`tiktok-metrics` when run as the installed command, else `python -m metrics`."""
    return "python -m metrics" if Path(sys.argv[0]).name == "__main__.py" else "tiktok-metrics"


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    prog = prog or program_name()
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog=prog,
        description=DESCRIPTION,
        epilog=EXAMPLES[None].format(prog=prog),
        formatter_class=raw,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def files_parser(name: str, help_: str, func) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_,
            description=help_[0].upper() + help_[1:] + ".",
            epilog=EXAMPLES[name].format(prog=prog),
            formatter_class=raw,
        )
        p.add_argument(
            "files", nargs="+", metavar="FILE", help=".csv, .xlsx or .zip files, or folders"
        )
        p.add_argument("--format", choices=FORMATS, default=None, help=FORMAT_HELP)
        p.add_argument("--today", help=argparse.SUPPRESS)
        p.add_argument(
            "--year",
            action="append",
            metavar="FILE=YEAR",
            help="year of the newest day of a file whose dates have no year (repeatable)",
        )
        p.set_defaults(func=func)
        return p

    files_parser("inspect", "list the tables found in export files", cmd_inspect)
    p = files_parser("summary", "KPIs of a window against the previous period", cmd_summary)
    p.add_argument("--days", default="28", metavar="N", help=DAYS_HELP)
    p.add_argument("--end", metavar="YYYY-MM-DD", help=END_HELP)
    p = files_parser(
        "table", "one row per campaign, ad group or ad, with chosen metrics", cmd_table
    )
    p.add_argument(
        "--level",
        choices=["campaign", "ad_group", "ad"],
        default=None,
        help="the rows: campaign, ad_group or ad (required unless a --template sets it)",
    )
    p.add_argument("--days", default=None, metavar="N", help=DAYS_HELP)
    p.add_argument("--end", metavar="YYYY-MM-DD", help=END_HELP)
    p.add_argument(
        "--metrics",
        metavar="a,b,c",
        help=f"comma-separated Ads metric names (default: {', '.join(DEFAULT_METRICS)})",
    )
    p.add_argument(
        "--custom",
        action="append",
        metavar='"name = expression[::unit]"',
        help="a custom column over metric names; unit count, currency, ratio (default), "
        "per_mille, seconds or multiple; repeat for more columns",
    )
    p.add_argument(
        "--template",
        metavar="NAME|FILE.json",
        help=f"{' or '.join(TEMPLATES)}, or a template saved from the app as .json",
    )
    p = files_parser(
        "diagnose",
        "ad fatigue, hook versus CTA, drop-off, delivery, organic versus paid, tracking",
        cmd_diagnose,
    )
    p.add_argument("--days", default="28", metavar="N", help=DAYS_HELP)
    p.add_argument("--end", metavar="YYYY-MM-DD", help=END_HELP)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.format is None:
        args.format = "text" if sys.stdout.isatty() else "json"
    if args.command == "table":
        args.level_given = args.level
        args.days_given = args.days is not None
        args.days = args.days or "28"
        if args.level is None and not args.template:
            print(
                "error: table needs --level campaign, ad_group or ad (or a --template), e.g. "
                f"{parser.prog} table FILE --level campaign",
                file=sys.stderr,
            )
            return 2
        args.level = args.level or "ad"
    if getattr(args, "files", None):
        _read_ahead(args.files)
    try:
        return args.func(args)
    except (UsageError, ValueError) as err:
        print(f"error: {getattr(err, 'message', None) or err}", file=sys.stderr)
        return 2


def _return_freed_memory() -> None:
    """For a whole `python -m metrics` process (see metrics/io/memory.py);
    METRICS_RETURN_MEMORY=0 turns it off, =pool keeps only Arrow on the C library, =map
    maps every large block instead of the watcher (the earlier design)."""
    from .io import memory

    setting = memory.setting()
    if setting == "pool":
        memory.use_system_pool()
    elif setting in ("1", "map"):
        memory.return_freed_memory(setting)


def _run() -> int:
    """main(), for a reader that may stop early (`… | head`): a closed pipe ends the command
    quietly, as other command-line tools do, instead of with a traceback."""
    try:
        status = main()
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at nothing so that flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] not in ("-h", "--help"):
        _return_freed_memory()
    sys.exit(_run())
