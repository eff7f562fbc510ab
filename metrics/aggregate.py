"""Aggregation: a dataset, a window and a level → every available metric, ratios as sum ÷ sum."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .definitions import (
    ADS,
    FAMILY_TABLE,
    LAST,
    PER_ROW,
    POSTS,
    RATIO,
    REGISTRY,
    Metric,
    availability,
)
from .formula import CustomColumn, safe_divide
from .io import Dataset
from .windows import Window, default_end

LEVELS = {
    "total": (),
    "day": ("date",),
    "week": ("week",),
    "month": ("month",),
    "campaign": ("campaign",),
    "ad_group": ("campaign", "ad_group"),
    "ad": ("campaign", "ad_group", "ad"),
    "post": ("video_link",),
}
DIMENSION_LEVELS = ("campaign", "ad_group", "ad")


class LevelError(ValueError):
    pass


def prepare_ads(df: pd.DataFrame) -> pd.DataFrame:
    """Add the per-row revenue (Complete payment value, else Purchase ROAS × Cost on that row),
    and frequency as impressions ÷ reach on rows whose report did not give it."""
    if df.empty and "revenue" in df:
        return df
    # Shallow: copy-on-write copies a column only when it is written (a deep copy of a
    # million-row table here doubled the memory of every ads command).
    df = df.copy(deep=False)
    if {"impressions", "reach"} <= set(df.columns):
        own = safe_divide(df["impressions"], df["reach"])
        df["frequency"] = df["frequency"].fillna(own) if "frequency" in df else own
    value = df["complete_payment_value"] if "complete_payment_value" in df else None
    from_roas = (
        df["complete_payment_roas"] * df["spend"]
        if {"complete_payment_roas", "spend"} <= set(df.columns)
        else None
    )
    if value is not None and from_roas is not None:
        df["revenue"] = value.fillna(from_roas)
    elif value is not None:
        df["revenue"] = value
    elif from_roas is not None:
        df["revenue"] = from_roas
    return df


def family_frame(
    dataset: Dataset, family: str, table: str | None = None, window: Window | None = None
) -> pd.DataFrame:
    """The family's table with its derived columns; with a `window`, only the window's days
    (taken before the per-row columns are added: a million-row report's revenue and
    frequency are computed for the window's rows, not for every row)."""
    df = dataset.get(table or FAMILY_TABLE[family])
    if window is not None:
        df = in_window(df, window)
    return _derived(df, family, table)


def _derived(df: pd.DataFrame, family: str, table: str | None) -> pd.DataFrame:
    if family == POSTS and table is None:
        return df.assign(posts=1.0)  # each row is one video: Σ posts counts them
    return prepare_ads(df) if family == ADS and table is None else df


def in_window(df: pd.DataFrame, window: Window | None, column: str = "date") -> pd.DataFrame:
    """The rows of `df` whose `column` falls on a day of the window.

    A table sorted by day (as reports by day come) gives the window as one slice found by
    binary search: no mask over every row and no copy of them (a million-row report's 28
    days are a view). An unsorted table, or one with rows without a day (NaT), takes a mask.
    """
    if window is None or column not in df or df.empty:
        return df
    start = pd.Timestamp(window.start)
    end = pd.Timestamp(window.end) + pd.Timedelta(days=1)
    dates = df[column]
    if isinstance(dates.dtype, np.dtype) and dates.dtype.kind == "M":
        if dates.is_monotonic_increasing:  # (never with a NaT: every row here has a day)
            bounds = np.array([start.to_datetime64(), end.to_datetime64()])
            lo, hi = np.searchsorted(dates.to_numpy(), bounds)
            return df.iloc[lo:hi]
    return df[(dates >= start) & (dates < end)]


def _with_buckets(df: pd.DataFrame, level: str, window: Window | None = None) -> pd.DataFrame:
    if "date" not in df:  # a report without days (Ads Manager without "By Day"): no buckets
        df = df.assign(date=pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]"))
    if level == "week" and window is not None:
        # Seven-day blocks counted back from the window's last day, labelled by their first
        # day: a 28-day window is four whole weeks, never a 1-day "week" that looks like a dip.
        end = pd.Timestamp(window.end)
        back = (end - df["date"].dt.normalize()).dt.days // 7
        df = df.assign(week=end - pd.to_timedelta(back * 7 + 6, unit="D"))
    elif level == "week":
        df = df.assign(
            week=(df["date"] - pd.to_timedelta(df["date"].dt.weekday, unit="D")).dt.normalize()
        )
    elif level == "month":
        df = df.assign(month=df["date"].dt.to_period("M").dt.to_timestamp())
    elif level == "day":
        df = df.assign(date=df["date"].dt.normalize())
    return df


def whole_weeks(
    dataset: Dataset, family: str, window: Window, frame: pd.DataFrame
) -> tuple[pd.DataFrame, int]:
    """The rows of a week-level `frame` whose 7 days all hold data, and how many were dropped.

    At the edges of a download a 7-day block can hold a single day; drawn beside full weeks
    it looks like a collapse.
    """
    df = family_frame(dataset, family, window=window).dropna(subset=["date"])
    if df.empty or "week" not in frame:
        return frame, 0
    days = _with_buckets(df, "week", window).groupby("week")["date"].nunique()
    full = days[days >= 7].index
    kept = frame[frame["week"].isin(full)]
    return kept, len(frame) - len(kept)


def metrics_for(family: str, table: str | None = None) -> list[Metric]:
    wanted = table or FAMILY_TABLE[family]
    return [m for m in REGISTRY[family].values() if (m.table or FAMILY_TABLE[family]) == wanted]


def aggregate(
    dataset: Dataset,
    family: str,
    window: Window | None = None,
    level: str = "total",
    metrics: Sequence[str] | None = None,
    custom: Iterable[CustomColumn] = (),
    table: str | None = None,
) -> pd.DataFrame:
    """One row per group of `level` with a column per metric (and custom column).

    Sums are taken first and every ratio is computed from the sums (never a mean of ratios).
    Metrics whose inputs are missing from the files come out as NaN; see `unavailable`.
    """
    if level not in LEVELS:
        raise LevelError(f"Unknown level '{level}'. Choose one of: {', '.join(LEVELS)}.")
    if family == POSTS:
        df = family_frame(dataset, family, table)
        if level == "total":
            # Posts are windowed by their post time, and only for the window's totals (posts
            # made in the window); the post table itself keeps lifetime totals of every video.
            df = in_window(df, window, "post_time")
    else:
        df = family_frame(dataset, family, table, window)
    keys = list(LEVELS[level])
    if family == POSTS and level == "post":
        keys = [k for k in ("video_link", "video_title", "post_time") if k in df]
    elif any(k in DIMENSION_LEVELS for k in keys) and family != ADS:
        raise LevelError(f"The {level} level exists only for ads.")
    df = _with_buckets(df, level, window) if keys and keys[0] in ("date", "week", "month") else df
    chosen = metrics_for(family, table)
    if metrics is not None:
        by_name = {m.name: m for m in chosen}
        chosen = [by_name[n] for n in metrics if n in by_name]
    result = compute(df, keys, chosen)
    for col in custom:
        values = {name: result[name] if name in result else np.nan for name in col.formula.names}
        missing = [n for n in col.formula.names if n not in result]
        if missing:
            extra = compute(
                df, keys, [REGISTRY[family][n] for n in missing if n in REGISTRY[family]]
            )
            for n in missing:
                if n in extra:
                    values[n] = extra[n]
        result[col.name] = col.formula.evaluate(values)
    return result


def unavailable(dataset: Dataset, family: str, table: str | None = None) -> dict[str, str]:
    """Metric name → why it has no value with the loaded files ("needs …")."""
    # (the columns alone: the derived ones computed on one row, not on a million)
    columns = set(_derived(dataset.get(table or FAMILY_TABLE[family]).iloc[:1], family, table))
    out = {}
    for metric in metrics_for(family, table):
        if metric.aggregation == LAST:
            if not dataset.has("followers_history"):
                out[metric.name] = "needs FollowerHistory.csv (Followers ZIP from TikTok Studio)"
            continue
        reason = availability(metric, columns)
        if reason:
            out[metric.name] = reason
    return out


def compute(df: pd.DataFrame, keys: list[str], metrics: Sequence[Metric]) -> pd.DataFrame:
    """Group `df` by `keys`, sum the inputs, and compute each metric from the sums."""
    columns = set(df.columns)
    inputs = sorted({c for m in metrics for c in m.inputs if c in columns})
    numeric = [c for c in inputs if pd.api.types.is_numeric_dtype(df[c])]
    if keys:
        grouped = df.groupby(keys, sort=True, dropna=False, observed=True)
        sums = grouped[numeric].sum(min_count=1) if numeric else grouped.size().to_frame("_n")[[]]
        rows = grouped.size()
    else:
        sums = df[numeric].sum(min_count=1).to_frame().T if numeric else pd.DataFrame(index=[0])
        sums.index = [0]
        rows = pd.Series([len(df)], index=[0])
    values: dict[str, pd.Series | float] = {}  # one frame built at the end, not column by column
    present: dict[str, np.ndarray] = {}  # column → which rows have a value, shared by the ratios
    for metric in metrics:
        if metric.aggregation == LAST or availability(metric, columns) is not None:
            if metric.aggregation != LAST:
                values[metric.name] = np.nan
            continue
        metric_sums = sums
        if metric.aggregation == RATIO and len(metric.inputs) > 1:
            metric_sums = _paired_sums(df, keys, metric, columns, sums, present)
        values[metric.name] = evaluate(metric, metric_sums, columns)
        if metric.aggregation == PER_ROW:
            # Reach, frequency, viewers: as reported for a single row, never across rows.
            values[metric.name] = values[metric.name].where(rows.reindex(sums.index) == 1)
    out = pd.DataFrame(values, index=sums.index)
    out = out.reset_index() if keys else out.reset_index(drop=True)
    return out


def _paired_sums(df, keys, metric, columns, sums, present=None) -> pd.DataFrame:
    """Sums over only the rows where every input of the ratio is present.

    Without this a day with views but 'undefined' likes would count in the denominator only.
    `present`: column → its rows with a value, filled as needed and shared between ratios.
    """
    needed = [c for c in metric.needs if c in columns]
    if len(needed) < 2:  # one input is present or absent on its own: no row is partial
        return sums
    present = {} if present is None else present
    for c in needed:
        if c not in present:
            present[c] = df[c].notna().to_numpy()
    masks = [present[c] for c in needed]
    partial = np.logical_or.reduce(masks) & ~np.logical_and.reduce(masks)
    if not partial.any():
        return sums
    complete = df[~partial]
    inputs = [c for c in metric.inputs if c in columns]
    if keys:
        paired = complete.groupby(keys, sort=True, dropna=False, observed=True)[inputs].sum(
            min_count=1
        )
        return paired.reindex(sums.index)
    paired = complete[inputs].sum(min_count=1).to_frame().T
    paired.index = sums.index
    return paired


def evaluate(metric: Metric, sums: pd.DataFrame, columns: set[str]) -> pd.Series:
    if len(sums) == 1:
        return _evaluate_one(metric, sums)
    values = {}
    for name in metric.inputs:
        if name in sums:
            series = sums[name]
            values[name] = series.fillna(0.0) if name in metric.optional else series
        else:
            values[name] = pd.Series(0.0 if name in metric.optional else np.nan, index=sums.index)
    numerator, denominator = metric.parsed
    num = numerator.evaluate(values)
    if denominator is None:
        return pd.Series(num, index=sums.index, dtype="float64")
    ratio = safe_divide(
        pd.Series(num, index=sums.index), pd.Series(denominator.evaluate(values), index=sums.index)
    )
    return ratio * metric.scale


def _evaluate_one(metric: Metric, sums: pd.DataFrame) -> pd.Series:
    """`evaluate` for one group (a window's totals) on plain numbers: the same arithmetic,
    without pandas' overhead on each operation of one-row Series (the KPI cards compute a few
    dozen metrics per window)."""
    values: dict[str, float] = {}
    for name in metric.inputs:
        value = sums[name].iloc[0] if name in sums else np.nan
        value = float("nan") if pd.isna(value) else float(value)
        values[name] = 0.0 if name in metric.optional and math.isnan(value) else value
    numerator, denominator = metric.parsed
    result = numerator.evaluate(values)
    if denominator is not None:
        result = safe_divide(result, denominator.evaluate(values)) * metric.scale
    return pd.Series([result], index=sums.index, dtype="float64")


# --- Followers: a stock, not a flow ------------------------------------------------------------


def follower_metrics(dataset: Dataset, window: Window) -> dict[str, float | None]:
    """followers (last day), net_followers and follower_growth_rate for a window."""
    empty = {"followers": None, "net_followers": None, "follower_growth_rate": None}
    if not dataset.has("followers_history"):
        return empty
    # A row without a day (an empty date cell) cannot be placed in the window.
    df = dataset.get("followers_history").dropna(subset=["followers", "date"])
    if df.empty:
        return empty
    dates = df["date"].dt.date
    inside = df[(dates >= window.start) & (dates <= window.end)]
    if inside.empty or dates.max() < window.end:
        # Followers is the total on the window's last day: unknown when the history stops
        # before it (the newest row would be an older day's total).
        return empty
    end_value = float(inside["followers"].iloc[-1])
    before = df[dates == window.start - dt.timedelta(days=1)]
    if before.empty:
        return {"followers": end_value, "net_followers": None, "follower_growth_rate": None}
    start_value = float(before["followers"].iloc[-1])
    net = end_value - start_value
    growth = net / start_value if start_value else None
    return {"followers": end_value, "net_followers": net, "follower_growth_rate": growth}


def date_range(dataset: Dataset, family: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of the family's daily table, or None."""
    df = dataset.get(FAMILY_TABLE[family])
    if df.empty or "date" not in df or df["date"].isna().all():
        return None
    return df["date"].min().date(), df["date"].max().date()


def covers(dataset: Dataset, family: str, window: Window) -> bool:
    """Whether the family's daily data spans the whole window (both its first and last day)."""
    span = date_range(dataset, family)
    return span is not None and span[0] <= window.start and span[1] >= window.end


def data_end(dataset: Dataset) -> dt.date | None:
    """The default end of every window: the newest complete day (see `windows.default_end`)."""
    return default_end(dataset).day
