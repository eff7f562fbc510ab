"""Many files → one dataset: years decided, overlapping downloads de-duplicated, reports kept."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .parse import (
    build_dates,
    latest_year_not_after,
    nearest_year,
    years_backwards,
    years_forwards,
)
from .read import Failure, read_any
from .schema import KIND_BY_NAME, KIND_NAMES
from .tables import ParsedTable, parse_grid

OVERVIEW_ZIP = re.compile(r"Overview_(\d{4}-\d{2}-\d{2})_(\d{9,11})", re.IGNORECASE)


@dataclass
class FileReport:
    """What happened to one table (or one refused file): the Data page's status row."""

    file: str
    kind: str | None
    rows: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    unrecognised: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The `inspect` JSON object (spec/cli.md)."""
        return {
            "file": self.file,
            "kind": self.kind,
            "rows": self.rows,
            "first_date": self.first_date.isoformat() if self.first_date else None,
            "last_date": self.last_date.isoformat() if self.last_date else None,
            "warnings": list(self.warnings),
            "error": self.error,
        }


@dataclass
class Dataset:
    """One tidy DataFrame per kind, and a report per table read."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    reports: list[FileReport] = field(default_factory=list)
    currency: str | None = None
    currencies: list[str] = field(default_factory=list)  # every currency found in the reports
    warnings: list[str] = field(default_factory=list)  # something may be wrong: check it
    notes: list[str] = field(default_factory=list)  # what was done, for the record

    def has(self, kind: str) -> bool:
        return kind in self.tables and not self.tables[kind].empty

    def get(self, kind: str) -> pd.DataFrame:
        """The table of a kind; an empty frame with the kind's columns when none was loaded."""
        if kind in self.tables:
            return self.tables[kind]
        columns = [c.name for c in KIND_BY_NAME[kind].columns]
        return pd.DataFrame(columns=columns)

    @property
    def errors(self) -> list[FileReport]:
        return [r for r in self.reports if r.error]

    @property
    def newest_date(self) -> dt.date | None:
        dates = [r.last_date for r in self.reports if r.last_date and r.kind != "content"]
        return max(dates) if dates else None


def read_file(
    name: str, data: bytes, column_map: dict[str, str] | None = None
) -> list[ParsedTable | Failure]:
    """One uploaded file → its tables (a ZIP gives one per entry); pure, so callers may cache it.

    A workbook's extra sheets that hold no table (notes, a chart, a pivot) are passed over
    when another sheet of it was read; a workbook with no table at all is still refused.
    """
    out = _read_items(name, data, column_map)
    read_sheets = {t.name.split("[", 1)[0] for t in out if isinstance(t, ParsedTable)}
    return [
        item
        for item in out
        if not (
            isinstance(item, Failure)
            and item.headers  # "not recognised as a TikTok export", not a damaged file
            and "[" in item.name
            and item.name.split("[", 1)[0] in read_sheets
        )
    ]


def _read_items(
    name: str, data: bytes, column_map: dict[str, str] | None
) -> list[ParsedTable | Failure]:
    out: list[ParsedTable | Failure] = []
    for item in read_any(name, data):
        if isinstance(item, Failure):
            out.append(item)
            continue
        try:
            out.append(parse_grid(item, column_map))
        except Exception:  # noqa: BLE001 - a last guard: a sentence, never a traceback
            out.append(
                Failure(
                    item.name,
                    f"“{item.name}” could not be read: a cell or column has a shape this app does "
                    "not understand. Download the file from TikTok again, or report it to us.",
                )
            )
    return out


def load_files(
    files: Iterable[tuple[str, bytes]],
    today: dt.date | None = None,
    column_map: dict[str, str] | None = None,
) -> Dataset:
    """Read any number of (file name, bytes) into one dataset. Refusals become reports."""
    parsed: list[ParsedTable | Failure] = []
    for name, data in files:
        parsed.extend(read_file(name, data, column_map))
    return combine(parsed, today=today)


def combine(parsed: list[ParsedTable | Failure], today: dt.date | None = None) -> Dataset:
    """Merge tables read from separate files into one dataset (years, de-duplication)."""
    today = today or dt.date.today()
    tables = [p for p in parsed if isinstance(p, ParsedTable)]
    # Work on copies: the parsed tables may be cached objects shared between reruns.
    tables = [
        ParsedTable(**{**t.__dict__, "frame": t.frame.copy(), "warnings": list(t.warnings)})
        for t in tables
    ]
    _resolve_years(tables, today)

    reports: list[FileReport] = []
    for item in parsed:
        if isinstance(item, Failure):
            reports.append(
                FileReport(
                    file=item.name,
                    kind=None,
                    error=item.message,
                    unrecognised=list(item.headers),
                    headers=list(item.headers),
                )
            )
    for t in tables:
        dates = _dates_of(t)
        if dates is not None and dates.notna().any():
            first, last = dates.min().date(), dates.max().date()
        else:
            first = last = None
        if t.frame.empty:
            t.warnings.append(_empty_message(t.kind))
        reports.append(
            FileReport(
                file=t.name,
                kind=t.kind,
                rows=len(t.frame),
                first_date=first,
                last_date=last,
                warnings=t.warnings,
                unrecognised=t.unrecognised,
                headers=t.headers,
            )
        )
    # Keep the order files were given in: refusals and tables interleaved as uploaded.
    order = {p.name: i for i, p in enumerate(parsed)}
    reports.sort(key=lambda r: order.get(r.file, 0))

    dataset = Dataset(reports=reports)
    for kind in KIND_NAMES:
        of_kind = [t for t in tables if t.kind == kind]
        if of_kind:
            dataset.tables[kind] = _merge(kind, of_kind, dataset)
    found: set[str] = set()
    for t in tables:
        if "currency" in t.frame and t.frame["currency"].notna().any():
            codes = t.frame["currency"].dropna().astype("str").str.strip().str.upper()
            found |= set(codes[codes.str.fullmatch(r"[A-Z]{3}")])  # ISO 4217 codes only
        elif t.currency:
            found.add(t.currency)
    dataset.currencies = sorted(found)
    if len(found) == 1:
        dataset.currency = next(iter(found))
    elif len(found) > 1:
        # No single currency to label money with: amounts are shown without a symbol, and
        # every page with money says why.
        dataset.warnings.append(
            f"The ads reports are in different currencies ({', '.join(dataset.currencies)}); "
            "spend, CPM, CPC and revenue add them up as if they were one. Load one currency "
            "at a time (Clear all data, then upload the reports of one currency)."
        )
    return dataset


def _empty_message(kind: str) -> str:
    if kind.startswith("follower"):
        return (
            "This file has its headers but no rows. TikTok shows follower data only once an "
            "account has 100 followers, and only for the last 7 days for activity by hour."
        )
    return "This file has its headers but no rows of data."


def _dates_of(t: ParsedTable) -> pd.Series | None:
    column = KIND_BY_NAME[t.kind].date_column
    if column and column in t.frame:
        return t.frame[column]
    return None


def _resolve_years(tables: list[ParsedTable], today: dt.date) -> None:
    """Give year-less dates their year (spec/exports.md: walk back from the newest row)."""
    definite = [
        t.frame["date"].max()
        for t in tables
        if "date" in t.frame and "date" not in t.yearless and t.frame["date"].notna().any()
    ]
    anchors = {}
    for t in tables:
        if t.kind == "overview" and t.archive and (m := OVERVIEW_ZIP.search(t.archive)):
            anchors[t.name] = dt.date.fromisoformat(m[1])
    # Tables anchored by their ZIP name count as definite for the others.
    for t in tables:
        if t.name in anchors and "date" in t.yearless:
            _anchor_forwards(t, anchors[t.name])
            definite.append(t.frame["date"].max())
    reference = min(max(definite).date(), today) if definite else today
    limit_source = (
        f"the year that puts the newest row nearest to {reference.isoformat()}, the newest "
        "date in the other files"
        if definite
        else f"the newest row taken as the latest such day not after today, {today.isoformat()}"
    )
    for t in tables:
        for column, parsed in t.yearless.items():
            if t.name in anchors and column == "date":
                continue
            rows = parsed.month > 0
            if not rows.any():
                continue
            month, day = parsed.month[rows], parsed.day[rows]
            if column == "post_time" and "export_date" in t.frame:
                continue  # decided below, once the export date has its year
            order = np.diff(month.astype(np.int64) * 100 + day.astype(np.int64))
            descending = (order < 0).sum() > (order > 0).sum()  # newest row first
            if descending:
                month, day = month[::-1], day[::-1]
            last_year = (
                nearest_year(int(month[-1]), int(day[-1]), reference, today)
                if definite
                else latest_year_not_after(int(month[-1]), int(day[-1]), today)
            )
            years = years_backwards(month, day, last_year)
            if descending:
                month, day, years = month[::-1], day[::-1], years[::-1]
            _set_dates(t, column, rows, years, month, day, parsed)
            first, last = t.frame[column].min(), t.frame[column].max()
            t.warnings.append(
                f"year inferred: “{column}” has dates without a year; read as "
                f"{first.date().isoformat()} to {last.date().isoformat()} ({limit_source})."
            )
        if "post_time" in t.yearless and "export_date" in t.frame:
            parsed = t.yearless["post_time"]
            rows = parsed.month > 0
            export = t.frame["export_date"].where(
                t.frame["export_date"].notna(), pd.Timestamp(reference)
            )
            exp = export[rows]
            month, day = parsed.month[rows], parsed.day[rows]
            years = exp.dt.year.to_numpy() - (
                (month * 100 + day) > (exp.dt.month.to_numpy() * 100 + exp.dt.day.to_numpy())
            ).astype(int)
            _set_dates(t, "post_time", rows, years, month, day, parsed)
            t.warnings.append(
                "year inferred: post times have no year; each taken as the latest such day not "
                "after the export date."
            )


def _anchor_forwards(t: ParsedTable, first_day: dt.date) -> None:
    parsed = t.yearless["date"]
    rows = parsed.month > 0
    month, day = parsed.month[rows], parsed.day[rows]
    if not len(month):
        return
    # When the name's date is not the first row's, its year still is the first row's year.
    years = years_forwards(month, day, first_day.year)
    if (int(month[0]), int(day[0])) == (first_day.month, first_day.day):
        how = f"from the ZIP name, which gives the first day {first_day.isoformat()}"
    else:
        how = f"from the year in the ZIP name ({first_day.isoformat()})"
    _set_dates(t, "date", rows, years, month, day, parsed)
    first, last = t.frame["date"].min(), t.frame["date"].max()
    t.warnings.append(
        f"year inferred: the dates have no year; read as {first.date().isoformat()} to "
        f"{last.date().isoformat()} {how}."
    )


def _set_dates(t, column, rows, years, month, day, parsed) -> None:
    values = build_dates(years, month, day)
    if parsed.hour is not None:
        extra = pd.to_timedelta(parsed.hour[rows], unit="h") + pd.to_timedelta(
            parsed.minute[rows], unit="m"
        )
        values = values + extra
    series = t.frame[column].copy()
    series.iloc[np.flatnonzero(rows)] = values.to_numpy()
    t.frame[column] = series


def _merge(kind: str, tables: list[ParsedTable], dataset: Dataset) -> pd.DataFrame:
    spec = KIND_BY_NAME[kind]
    frames = []
    for order, t in enumerate(tables):
        f = t.frame.copy()
        f["_order"] = order
        # How recent the download is: Content rows carry their export day; other tables are
        # as recent as their newest date (a download reaching further was made later).
        if kind == "content" and "export_date" in f:
            f["_recency"] = f["export_date"]
        else:
            dates = _dates_of(t)
            newest = dates.max() if dates is not None else pd.NaT
            f["_recency"] = pd.Series(newest, index=f.index, dtype="datetime64[ns]")
        frames.append(f)
    df = pd.concat(frames, ignore_index=True, sort=False)
    key = [k for k in spec.key if k in df.columns]
    if kind == "content" and "video_link" in df:
        # Without a link, fall back to title and post time.
        df["_key"] = df["video_link"].fillna(
            df.get("video_title", pd.Series(dtype="str"))
            + "|"
            + df.get("post_time", pd.Series(dtype="str")).astype("str")
        )
        key = ["_key"]
    if kind == "ads" and "ad_id" in df:
        key = [*key, "ad_id"]  # two ads may share a name; their IDs tell them apart
    if key:
        df = _dedupe_across_files(df, key, kind, spec.label, len(tables), dataset)
    df = df.drop(columns=[c for c in ("_order", "_recency", "_filled", "_key") if c in df.columns])
    sort_by = [c for c in (spec.date_column, *spec.key) if c and c in df.columns]
    sort_by = list(dict.fromkeys(sort_by))
    df = df.sort_values(sort_by, kind="stable", na_position="last").reset_index(drop=True)
    if kind == "followers_history":
        df = _follower_changes(df, tables)
    if kind == "ads":
        _check_ad_levels(tables, dataset)
    return df


def _dedupe_across_files(
    df: pd.DataFrame, key: list[str], kind: str, label: str, files: int, dataset: Dataset
) -> pd.DataFrame:
    """Overlapping downloads: for each key (a day; an ad's day; a video) keep the rows of one
    file only. Rows that share a key inside one file are kept: an Ads report broken down by
    age, gender or placement has several rows per ad and day, and they add up.
    """
    complete = df[key].notna().all(axis=1)  # a row without a date is never merged away
    if kind == "ads":
        inside = int(df[complete].duplicated([*key, "_order"]).sum())
        if inside:
            dataset.notes.append(
                f"{inside:,} Ads Manager row(s) share campaign, ad group, ad and day with another "
                "row of the same file: read as a breakdown (by age, gender, placement…) and "
                "added up. Reach and frequency are not added up across them."
            )
    if files < 2:
        return df
    df["_filled"] = df.drop(columns=["_order", "_recency"]).notna().sum(axis=1)
    keyed = df[complete]
    # The best file for each key: its most complete row ("undefined" loses to a number), then
    # the more recent download (TikTok revises recent days), then the file uploaded later.
    score = (
        keyed.groupby([*key, "_order"], sort=False, dropna=False, observed=True)
        .agg(_filled=("_filled", "max"), _recency=("_recency", "max"))
        .reset_index()
        .sort_values(["_filled", "_recency", "_order"], kind="stable", na_position="first")
    )
    best = score.drop_duplicates(subset=key, keep="last")[[*key, "_order"]]
    kept = keyed.merge(best, on=[*key, "_order"], how="inner")
    dropped = len(keyed) - len(kept)
    if dropped:
        dataset.notes.append(
            f"{dropped:,} overlapping {label} row(s) appeared in more than one file and were "
            "counted once (from the file with the most complete rows, then the newer download)."
        )
    return pd.concat([kept, df[~complete]], ignore_index=True, sort=False)


def _follower_changes(df: pd.DataFrame, tables: list[ParsedTable]) -> pd.DataFrame:
    """Recompute the daily change from Followers; TikTok's own difference column is unreliable."""
    df = df.copy()
    consecutive = df["date"].diff() == pd.Timedelta(days=1)
    df["followers_change"] = df["followers"].diff().where(consecutive)
    if "reported_change" in df:
        both = df["reported_change"].notna() & df["followers_change"].notna()
        wrong = int((df.loc[both, "reported_change"] != df.loc[both, "followers_change"]).sum())
        if wrong:
            for t in tables:
                t.warnings.append(
                    f"“Difference in followers from previous day” disagrees with the Followers "
                    f"totals on {wrong} day(s), as it often does in TikTok's files; daily changes "
                    "are recomputed from Followers."
                )
        df = df.drop(columns=["reported_change"])
    return df


def _check_ad_levels(tables: list[ParsedTable], dataset: Dataset) -> None:
    levels = set()
    for t in tables:
        f = t.frame
        level = (
            "ad"
            if f["ad"].notna().any()
            else "ad_group"
            if f["ad_group"].notna().any()
            else "campaign"
        )
        levels.add(level)
    if len(levels) > 1:
        dataset.warnings.append(
            "Ads reports at different levels (" + ", ".join(sorted(levels)) + ") are loaded "
            "together; their rows would be counted twice in totals. Load one level at a time."
        )
