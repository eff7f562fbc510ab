"""Summaries and tables: what the KPI cards, the drill-down and the command line show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from .aggregate import (
    DIMENSION_LEVELS,
    LEVELS,
    aggregate,
    covers,
    data_end,
    date_range,
    family_frame,
    follower_metrics,
    metrics_for,
    unavailable,
)
from .compare import Change, adjust_page, compare, relative_change
from .definitions import ADS, LAST, ORGANIC, PER_ROW, REGISTRY
from .formula import CustomColumn
from .io import Dataset
from .windows import Window, last_n_days

DEFAULT_TABLE_METRICS = (
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


def resolve_window(
    dataset: Dataset, days: int = 28, end: dt.date | None = None, start: dt.date | None = None
) -> Window | None:
    """The window for these settings; the end defaults to the newest day in the data."""
    end = end or data_end(dataset)
    if end is None:
        return None
    if start is not None:
        return Window(start, end)
    return last_n_days(days, end)


def daily_sums(dataset: Dataset, family: str, window: Window) -> pd.DataFrame:
    """Per-day sums of every numeric column of the family's table in the window."""
    df = family_frame(dataset, family, window=window)
    numeric = [c for c in df.columns if c != "date" and pd.api.types.is_numeric_dtype(df[c])]
    # A report without days (Ads Manager without "By Day") has no place in a window.
    if df.empty or not numeric or "date" not in df:
        return pd.DataFrame(columns=numeric)
    return df.groupby(df["date"].dt.normalize())[numeric].sum(min_count=1)


def family_has_data(dataset: Dataset, family: str) -> bool:
    if family == ORGANIC:
        return dataset.has("overview") or dataset.has("followers_history")
    return dataset.has("ads")


FAMILY_LABELS = {ORGANIC: "TikTok Studio (Overview)", ADS: "Ads Manager"}


def _day(day: dt.date) -> str:
    """The app's one day format (as ui/numbers.format_day): "1 Nov 2025"."""
    return f"{day.day} {day:%b %Y}"


def _span(a: dt.date, b: dt.date) -> str:
    """Two days as one range, the year once when both share it: "4 Jul – 1 Sep 2026"."""
    if a.year != b.year:
        return f"{_day(a)} – {_day(b)}"
    if a.month != b.month:
        return f"{a.day} {a:%b} – {_day(b)}"
    return f"{a.day} – {_day(b)}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _overlap(span: tuple[dt.date, dt.date], window: Window) -> int:
    """Days of the window the data covers."""
    first, last = max(span[0], window.start), min(span[1], window.end)
    return max(0, (last - first).days + 1)


def coverage_gaps(dataset: Dataset, window: Window) -> dict[str, str]:
    """Family → a sentence when its values are left out of this window, computed from where
    the data lies: wholly after the window, wholly before it, or stopping before its end.

    Counting the missing days as zero would invent a drop, so that family's window values are
    left out and the sentence says which end day would show them.
    """
    gaps = {}
    for family in (ORGANIC, ADS):
        span = date_range(dataset, family)
        label = FAMILY_LABELS[family]
        if span is None:
            if family_has_data(dataset, family):
                gaps[family] = (
                    f"The {label} data has no days (an Ads Manager report needs its “By Day” "
                    "column), so it cannot be placed in a window and its numbers are left out. "
                    "Export the report again with By Day as a dimension."
                )
            continue
        if span[0] > window.end:
            gaps[family] = (
                f"The {label} data starts on {_day(span[0])}, "
                f"{_days((span[0] - window.end).days)} after this window ends "
                f"({_day(window.end)}): choose a window that ends on or after {_day(span[0])}."
            )
        elif span[1] < window.start:
            gaps[family] = (
                f"The {label} data ends on {_day(span[1])}, "
                f"{_days((window.start - span[1]).days)} before this window starts "
                f"({_day(window.start)}): choose {_day(span[1])} or an earlier day as the end."
            )
        elif span[1] < window.end:
            gaps[family] = (
                f"The {label} data ends on {_day(span[1])}, "
                f"{_days((window.end - span[1]).days)} before this window's last day "
                f"({_day(window.end)}), so its numbers are left out rather than counting the "
                f"missing days as zero. Choose {_day(span[1])} as the end day, or load a newer "
                "export."
            )
    return gaps


def coverage_notes(dataset: Dataset, window: Window) -> dict[str, str]:
    """Family → a sentence when its data covers only part of the window, or not all of the
    previous period (its values are then partial totals, or its changes are left out: a
    change against part of a period would be a made-up drop)."""
    notes = {}
    previous = window.previous()
    gaps = coverage_gaps(dataset, window)
    for family in (ORGANIC, ADS):
        span = date_range(dataset, family)
        if span is None or family in gaps:
            continue
        parts = []
        if span[0] > window.start:
            parts.append(
                f"covers {_overlap(span, window)} of the window's {window.days} days (from "
                f"{_day(span[0])}), so totals are for those days"
            )
        if span[0] > previous.start:
            covered = _overlap(span, previous)
            range_ = _span(previous.start, previous.end)
            if covered:
                parts.append(
                    f"covers {covered} of the previous period's {previous.days} days "
                    f"({range_}), so changes are not shown: a comparison needs all of them"
                )
            else:
                parts.append(
                    f"does not reach back to the previous period ({range_}), so there are no "
                    "changes to show"
                )
        if parts:
            notes[family] = f"The {FAMILY_LABELS[family]} data " + "; it ".join(parts) + "."
    return notes


def follower_reasons(dataset: Dataset, window: Window) -> dict[str, str]:
    """Follower metric → why it has no value in this window (the follower history does not
    hold the day it needs), for the caption under the cards; empty when all have values."""
    if not dataset.has("followers_history"):
        return {}
    # A row without a date (an empty cell in the export) cannot place a total on a day.
    df = dataset.get("followers_history").dropna(subset=["followers", "date"])
    if df.empty:
        return {}
    first, last = df["date"].min().date(), df["date"].max().date()
    reasons = {}
    if last < window.end or first > window.end:
        why = (
            f"needs the follower total on {_day(window.end)}; the follower history covers "
            f"{_day(first)} – {_day(last)}"
        )
        return dict.fromkeys(("followers", "net_followers", "follower_growth_rate"), why)
    day_before = window.start - dt.timedelta(days=1)
    if not (df["date"].dt.date == day_before).any():
        why = (
            f"needs the follower total on {_day(day_before)}, the day before the window; the "
            f"follower history starts on {_day(first)}"
        )
        reasons = dict.fromkeys(("net_followers", "follower_growth_rate"), why)
    return reasons


def summary_changes(dataset: Dataset, window: Window) -> dict[str, dict[str, Change]]:
    """Every window-level metric per family, against the previous period.

    A metric the files cannot give (see `unavailable`), or a family whose data stops before
    the window's end (see `coverage_gaps`), is listed with no value.
    """
    previous = window.previous()
    gaps = coverage_gaps(dataset, window)
    result: dict[str, dict[str, Change]] = {}
    for family in (ORGANIC, ADS):
        if not family_has_data(dataset, family):
            continue
        changes: dict[str, Change] = {}
        missing = unavailable(dataset, family)
        metrics = [
            m for m in metrics_for(family) if m.aggregation != PER_ROW and m.name not in missing
        ]
        table = "overview" if family == ORGANIC else "ads"
        if metrics and dataset.has(table) and family not in gaps:
            current = aggregate(dataset, family, window, metrics=[m.name for m in metrics])
            has_previous = covers(dataset, family, previous)
            before = (
                aggregate(dataset, family, previous, metrics=[m.name for m in metrics])
                if has_previous
                else None
            )
            daily_now = daily_sums(dataset, family, window)
            daily_before = daily_sums(dataset, family, previous) if has_previous else None
            for metric in metrics:
                value = current[metric.name].iloc[0]
                prior = before[metric.name].iloc[0] if before is not None else None
                changes[metric.name] = compare(metric, value, prior, daily_now, daily_before)
        if family == ORGANIC and dataset.has("followers_history"):
            now = follower_metrics(dataset, window)
            before = follower_metrics(dataset, previous)
            for name, value in now.items():
                changes[name] = Change(value, before[name], relative_change(value, before[name]))
        if changes or family in gaps:
            for metric in metrics_for(family):
                if metric.aggregation != PER_ROW and metric.name not in changes:
                    changes[metric.name] = Change(None, None, None)
            result[family] = adjust_page(changes)  # the family's cards are one page
    return result


def summary(dataset: Dataset, days: int = 28, end: dt.date | None = None) -> dict:
    """The `summary` JSON of docs/cli.md (plus `notes` when a family's data stops early)."""
    window = resolve_window(dataset, days, end)
    if window is None:
        return {"window": None, "previous": None}
    out: dict = {
        "window": {"days": window.days, **window.to_dict()},
        "previous": window.previous().to_dict(),
    }
    for family, changes in summary_changes(dataset, window).items():
        out[family] = {name: change.to_dict() for name, change in changes.items()}
    notes = [*coverage_gaps(dataset, window).values(), *coverage_notes(dataset, window).values()]
    if notes:
        out["notes"] = notes
    return out


def table(
    dataset: Dataset,
    level: str,
    window: Window | None,
    metrics: Sequence[str] | None = None,
    custom: Sequence[CustomColumn] = (),
) -> pd.DataFrame:
    """One row per campaign / ad group / ad in the window: dimensions, metrics, custom columns."""
    if level not in DIMENSION_LEVELS:
        raise ValueError(f"--level must be one of {', '.join(DIMENSION_LEVELS)}, not '{level}'.")
    names = list(metrics or DEFAULT_TABLE_METRICS)
    frame = aggregate(dataset, ADS, window, level=level, metrics=names, custom=custom)
    dims = list(LEVELS[level])
    return frame[dims + [n for n in names if n in frame] + [c.name for c in custom]]


def metric_catalogue(family: str) -> pd.DataFrame:
    """Name, label, formula, unit and meaning of every metric of a family (tooltips, docs)."""
    rows = [
        {
            "name": m.name,
            "label": m.label,
            "formula": m.formula,
            "unit": m.unit,
            "meaning": m.meaning,
            "higher_is_better": m.higher_is_better,
            "per_day_only": m.aggregation == PER_ROW,
            "stock": m.aggregation == LAST,
            "source": m.source,
        }
        for m in REGISTRY[family].values()
    ]
    return pd.DataFrame(rows)


__all__ = [
    "ADS",
    "ORGANIC",
    "daily_sums",
    "metric_catalogue",
    "resolve_window",
    "summary",
    "summary_changes",
    "table",
]


FUNNEL_STEPS = (
    ("impressions", "Impressions"),
    ("video_watched_2s", "2-second views"),
    ("clicks", "Clicks"),
    ("landing_page_views", "Landing page views"),
    ("add_to_cart", "Adds to cart"),
    ("conversion", "Conversions"),
    ("complete_payment", "Purchases"),
)


def funnel_steps(
    dataset: Dataset, window: Window | None, filters: dict[str, str] | None = None
) -> pd.DataFrame:
    """Counts per funnel step in the window, with each step as a share of the step before."""
    df = family_frame(dataset, ADS, window=window)
    for column, value in (filters or {}).items():
        df = df[df[column] == value]
    rows = []
    for column, label in FUNNEL_STEPS:
        if column in df and df[column].notna().any():
            rows.append({"step": label, "value": float(df[column].sum())})
    out = pd.DataFrame(rows, columns=["step", "value"])
    previous = out["value"].shift(1)
    out["rate"] = (out["value"] / previous.where(previous > 0)).astype("float64")
    return out


def ad_daily(
    dataset: Dataset,
    window: Window | None,
    campaign: str,
    ad_group: str,
    ad: str,
    metrics: Sequence[str],
) -> pd.DataFrame:
    """One ad's metrics per day (ratios from that day's sums)."""
    df = dataset.get("ads")  # (the names only: the derived columns come with `aggregate`)
    mask = (df["campaign"] == campaign) & (df["ad_group"] == ad_group) & (df["ad"] == ad)
    single = Dataset(tables={"ads": df[mask.to_numpy()]})
    return aggregate(single, ADS, window, level="day", metrics=list(metrics))


def filter_level(frame: pd.DataFrame, filters: dict[str, str]) -> pd.DataFrame:
    for column, value in filters.items():
        if column in frame:
            frame = frame[frame[column] == value]
    return frame.reset_index(drop=True)


def bar_labels(frame: pd.DataFrame, level: str) -> pd.Series:
    """Each row's name at `level` (campaign, ad_group or ad), made unique for a chart's bars.

    Ad names repeat across ad groups ("Video 1" in every group), and a chart keyed by the name
    alone would stack such rows into one bar. A name that is shared gets its ad group's name
    after it ("Video 1 · Group B"), then, if still shared, its campaign's; a row still not
    told apart gets its position among its twins ("(2)"). Unique names stay as they are."""
    dims = list(LEVELS[level])
    named = frame[dims].astype("string").fillna("(no name)")
    label = named[level]
    for parent in reversed(dims[:-1]):
        shared = label.duplicated(keep=False)
        if not shared.any():
            break
        label = label.mask(shared, label + " · " + named[parent])
    shared = label.duplicated(keep=False)
    if shared.any():
        nth = label.groupby(label, sort=False).cumcount() + 1
        label = label.mask(shared, label + " (" + nth.astype("string") + ")")
    return label.astype(object)


def chart_rows(frame: pd.DataFrame, metric: str, bars: int, which: str = "largest") -> pd.DataFrame:
    """The rows a bar chart of `metric` draws: every row with a value when they are no more
    than `bars` or `which` is "all", else the `bars` rows with the largest (or "smallest")
    values, the first in the table winning a tie. Rows without a value are never drawn."""
    values = frame.dropna(subset=[metric])
    if len(values) <= bars or which == "all":
        return values
    pick = values.nsmallest if which == "smallest" else values.nlargest
    return pick(bars, metric, keep="first")
