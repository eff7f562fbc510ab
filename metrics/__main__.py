"""`python -m metrics`: the command line of spec/cli.md, on the same code the pages use."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path

from .definitions import ADS, REGISTRY
from .export import to_csv_bytes
from .formula import FormulaError, parse_custom_column
from .io import load_files
from .report import resolve_window, summary, table
from .templates import TemplateError, get_template, load_template
from .windows import WindowError, default_end, parse_days


class UsageError(Exception):
    pass


def _read_paths(paths: list[str]) -> list[tuple[str, bytes]]:
    files = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.extend((f.name, f.read_bytes()) for f in sorted(path.iterdir()) if f.is_file())
            continue
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as err:
            raise UsageError(f"{p}: cannot be opened ({err.strerror}).") from None
    return files


def _date(value: str | None, flag: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{flag} takes a date as YYYY-MM-DD, not '{value}'.") from None


def _years(values: list[str] | None) -> dict[str, int]:
    """--year FILE=YEAR: the year of the newest row of a year-less file (docs/exports.md)."""
    years = {}
    for value in values or []:
        name, _, year = value.rpartition("=")
        if not name or not year.strip().isdigit():
            raise UsageError(f"--year takes FILE=YEAR, e.g. Overview.csv=2025, not '{value}'.")
        years[Path(name).name] = int(year)
    return years


def _load(args: argparse.Namespace):
    dataset = load_files(
        _read_paths(args.files), today=_date(args.today, "--today"), years=_years(args.year)
    )
    for report in dataset.errors:
        print(report.error, file=sys.stderr)
    for warning in dataset.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for note in dataset.notes:
        print(f"note: {note}", file=sys.stderr)
    return dataset


def _json(obj) -> str:
    def clean(x):
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list):
            return [clean(v) for v in x]
        return x

    return json.dumps(clean(obj), indent=2, ensure_ascii=False, default=str)


def cmd_inspect(args: argparse.Namespace) -> int:
    dataset = load_files(
        _read_paths(args.files), today=_date(args.today, "--today"), years=_years(args.year)
    )
    print(_json([r.to_dict() for r in dataset.reports]))
    for warning in dataset.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for note in dataset.notes:
        print(f"note: {note}", file=sys.stderr)
    if reason := default_end(dataset).reason:
        print(f"note: {reason}", file=sys.stderr)
    return 1 if dataset.errors else 0


def cmd_summary(args: argparse.Namespace) -> int:
    days = parse_days(args.days)
    dataset = _load(args)
    out = summary(dataset, days, _date(args.end, "--end"))
    if not args.end and (reason := default_end(dataset).reason):
        print(f"note: {reason}", file=sys.stderr)
    print(_json(out))
    for note in out.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    if out["window"] is None:
        print(
            "None of these files holds daily TikTok data (an Overview, FollowerHistory, Viewers "
            "or Ads Manager report), so there is no window to summarise.",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    level, days = args.level, parse_days(args.days)
    metrics = (
        list(dict.fromkeys(m.strip() for m in args.metrics.split(",") if m.strip()))
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
            raise UsageError(
                f"Unknown metric(s): {', '.join(unknown)}. Valid: {', '.join(sorted(names))}."
            )
    for definition in args.custom or []:
        unit = "ratio"
        if "::" in definition:
            definition, unit = definition.rsplit("::", 1)
        column = parse_custom_column(definition, names | {c.name for c in custom}, unit.strip())
        custom.append(column)
    dataset = _load(args)
    if not dataset.has("ads"):
        print(
            "No Ads Manager report among these files, so there is no campaign table. Add a "
            "custom report exported from Ads Manager (CSV or XLSX).",
            file=sys.stderr,
        )
        if args.format != "csv":
            print("[]")
        return 1
    window = resolve_window(dataset, days, _date(args.end, "--end"))
    frame = table(dataset, level, window, metrics, custom)
    if args.format == "csv":
        sys.stdout.write(to_csv_bytes(frame).decode("utf-8-sig"))
    else:
        print(_json(json.loads(frame.to_json(orient="records", double_precision=15))))
    return 0


def cmd_diagnose(args: argparse.Namespace) -> int:
    from .diagnostics import diagnose

    dataset = _load(args)
    print(_json(diagnose(dataset, parse_days(args.days), _date(args.end, "--end"))))
    if not dataset.has("ads"):
        print(
            "No Ads Manager report among these files: fatigue, hook versus CTA, drop-off and "
            "delivery need one (a custom report with daily rows per ad).",
            file=sys.stderr,
        )
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m metrics", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def files_parser(name: str, help_: str, func) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.add_argument("files", nargs="+", help=".csv, .xlsx or .zip files (or folders)")
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
    for name, help_, func in (
        ("summary", "KPIs for a window vs the previous one", cmd_summary),
        ("diagnose", "ad fatigue and hook vs CTA", cmd_diagnose),
    ):
        p = files_parser(name, help_, func)
        p.add_argument("--days", default="28", help="7, 28 (default), 60 or 365")
        p.add_argument("--end", help="last day of the window, YYYY-MM-DD (default: newest day)")
    p = files_parser("table", "one row per campaign, ad group or ad", cmd_table)
    p.add_argument("--level", choices=["campaign", "ad_group", "ad"], default=None)
    p.add_argument("--days", default=None, help="7, 28 (default), 60 or 365")
    p.add_argument("--end")
    p.add_argument("--metrics", help="comma-separated metric names")
    p.add_argument(
        "--custom",
        action="append",
        help='"name = expression" (append "::unit" to set the unit, default ratio)',
    )
    p.add_argument("--template", help="creative_performance, funnel_analysis or a .json file")
    p.add_argument("--format", choices=["json", "csv"], default="json")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "table":
        args.level_given = args.level
        args.days_given = args.days is not None
        args.days = args.days or "28"
        if args.level is None and not args.template:
            parser.error("table needs --level campaign, ad_group or ad (or a --template)")
        args.level = args.level or "ad"
    try:
        return args.func(args)
    except (UsageError, WindowError, FormulaError, TemplateError, ValueError) as err:
        print(f"error: {getattr(err, 'message', None) or err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
