"""Many files → one dataset: years decided, overlapping downloads de-duplicated, reports kept."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..wording import agree, counted
from . import workers
from .parse import (
    build_dates,
    latest_year_not_after,
    nearest_year,
    years_backwards,
    years_forwards,
)
from .read import Failure, read_any
from .schema import KIND_BY_NAME, KIND_NAMES
from .tables import ParsedTable, let_go, parse_grid

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
        """The `inspect` JSON object (docs/cli.md)."""
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
class Conflict:
    """Two downloads of one table that disagree on the days they share."""

    kind: str
    kept: str  # the file whose rows were kept on the shared days
    other: str
    days: int  # shared keys (days; an ad's days) on which they disagree
    shared: int  # shared keys in all
    examples: list[str] = field(default_factory=list)
    different_accounts: bool = False
    message: str = ""


@dataclass
class Dataset:
    """One tidy DataFrame per kind, and a report per table read."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    reports: list[FileReport] = field(default_factory=list)
    currency: str | None = None
    currencies: list[str] = field(default_factory=list)  # every currency found in the reports
    warnings: list[str] = field(default_factory=list)  # something may be wrong: check it
    notes: list[str] = field(default_factory=list)  # what was done, for the record
    # Overlapping downloads that disagree (the Data page lets the user pick one).
    conflicts: list[Conflict] = field(default_factory=list)

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
    items = read_any(name, data)
    items.reverse()
    while items:
        # Popped, so the grid is held only here and its cells can go as they are parsed.
        item = items.pop()
        if isinstance(item, Failure):
            out.append(item)
            continue
        try:
            table = parse_grid(item, column_map, release=True)
            out.append(table)
            if isinstance(table, ParsedTable):
                out.extend(table.companions)
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
    years: dict[str, int] | None = None,
    exclude: Iterable[tuple[str, str]] = (),
) -> Dataset:
    """Read any number of (file name, bytes) into one dataset. Refusals become reports.

    `years` corrects year-less files: file (or ZIP entry) name → the year of its newest row.
    `exclude` leaves out tables, as (file name, kind), e.g. one of two conflicting downloads.
    """
    parsed: list[ParsedTable | Failure] = []
    for name, data in files:
        parsed.extend(read_file(name, data, column_map))
    # The parsed tables are this call's own (not a cache's): combine may let each table's
    # columns go once they are merged, so the merged, sorted table is not a second copy.
    return combine(parsed, today=today, years=years, exclude=exclude, _owned=True)


def matches_file(table_name: str, given: str) -> bool:
    """A year or exclusion given for "Overview.csv" applies to that file inside a ZIP too."""
    return table_name == given or table_name.rsplit("/", 1)[-1] == given


def combine(
    parsed: list[ParsedTable | Failure],
    today: dt.date | None = None,
    years: dict[str, int] | None = None,
    exclude: Iterable[tuple[str, str]] = (),
    _owned: bool = False,
) -> Dataset:
    """Merge tables read from separate files into one dataset (years, de-duplication).

    `_owned` (load_files only): nobody else holds the parsed tables, so their frames are
    let go as they are merged (tables.let_go); cached tables (the app's) are never touched.
    """
    today = today or dt.date.today()
    exclude = list(exclude)
    left_out = [
        p
        for p in parsed
        if isinstance(p, ParsedTable)
        and any(matches_file(p.name, f) and p.kind == k for f, k in exclude)
    ]
    tables = [p for p in parsed if isinstance(p, ParsedTable) and p not in left_out]
    # Work on copies: the parsed tables may be cached objects shared between reruns. (Shallow:
    # with pandas' copy-on-write a column changed here is copied then, never the cached one.)
    tables = [
        ParsedTable(
            **{
                **t.__dict__,
                "frame": t.frame.copy(deep=False),
                "warnings": list(t.warnings),
                "yearless": dict(t.yearless),
            }
        )
        for t in tables
    ]
    if _owned:  # the copies above hold the columns now; the originals need not
        for p in parsed:
            if isinstance(p, ParsedTable):
                p.frame = let_go(p.frame)  # a slice would keep the arrays
    _resolve_years(tables, today, years or {})

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
    for t in left_out:
        reports.append(
            FileReport(
                file=t.name,
                kind=t.kind,
                rows=0,
                warnings=[
                    "Left out, as you chose on the Data page (another download of this "
                    "table is used instead)."
                ],
                headers=t.headers,
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
    for t in tables:
        for miss in t.near_misses:
            dataset.warnings.append(
                f"“{t.name}”: {miss} Its numbers are left out; rename the column, or map it "
                "by hand on the Data page."
            )
    found: set[str] = set()  # before the merge, which may let the tables' frames go
    for t in tables:
        if "currency" in t.frame and t.frame["currency"].notna().any():
            distinct = pd.Series(t.frame["currency"].dropna().unique(), dtype="str")
            codes = distinct.str.strip().str.upper()
            found |= set(codes[codes.str.fullmatch(r"[A-Z]{3}")])  # ISO 4217 codes only
        elif t.currency:
            found.add(t.currency)
    for kind in KIND_NAMES:
        of_kind = [t for t in tables if t.kind == kind]
        if of_kind:
            dataset.tables[kind] = _merge(kind, of_kind, dataset, release=_owned)
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


def _given_year(t: ParsedTable, years: dict[str, int]) -> int | None:
    return next((y for f, y in years.items() if matches_file(t.name, f)), None)


def _resolve_years(tables: list[ParsedTable], today: dt.date, years: dict[str, int]) -> None:
    """Give year-less dates their year (docs/exports.md: walk back from the newest row).

    A year the user gave for a file (`years`) is the year of its newest row, and wins over
    every inference (the ZIP name, the other files, today).
    """
    for t in tables:
        given = _given_year(t, years)
        if given is None:
            continue
        for column, parsed in list(t.yearless.items()):
            rows = parsed.month > 0
            if not rows.any() or column == "post_time" and "export_date" in t.frame:
                continue
            month, day = parsed.month[rows], parsed.day[rows]
            order = np.diff(month.astype(np.int64) * 100 + day.astype(np.int64))
            descending = (order < 0).sum() > (order > 0).sum()
            if descending:
                month, day = month[::-1], day[::-1]
            found = years_backwards(month, day, given)
            if descending:
                month, day, found = month[::-1], day[::-1], found[::-1]
            _set_dates(t, column, rows, found, month, day, parsed)
            first, last = t.frame[column].min(), t.frame[column].max()
            t.warnings.append(
                f"year set by you: “{column}” has dates without a year; read as "
                f"{first.date().isoformat()} to {last.date().isoformat()} (newest row in "
                f"{given})."
            )
            del t.yearless[column]
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


def _merge(
    kind: str, tables: list[ParsedTable], dataset: Dataset, release: bool = False
) -> pd.DataFrame:
    """The tables of one kind as one frame: de-duplicated across files, sorted by date and
    key. `release`: the tables' frames are let go once merged (see combine)."""
    spec = KIND_BY_NAME[kind]
    levels = _ad_levels_warning(tables) if kind == "ads" else None
    several = len(tables) > 1
    frames = []
    for order, t in enumerate(tables):
        f = t.frame.copy(deep=False)  # copy-on-write: the table's own frame is never changed
        if spec.date_column == "date" and "date" in f:
            f["date"] = f["date"].dt.normalize()  # "2024-01-14 21:40" is a day's total
            undated = f["date"].isna()
            if undated.any():
                # A daily row without a day cannot be placed in any window; every later
                # step (windows, follower totals, captions) assumes a date, so leave it out.
                dataset.warnings.append(
                    f"{t.name}: {counted(n := int(undated.sum()), 'row')} "
                    f"{agree(n, 'has', 'have')} no date and {agree(n, 'was', 'were')} left out "
                    "(every row of a daily table needs its day)."
                )
                f = f[~undated]
        if several:  # which file a row came from, for the de-duplication across files
            f["_order"] = order
            # How recent the download is: Content rows carry their export day; other tables
            # are as recent as their newest date (a download reaching further was made later).
            if kind == "content" and "export_date" in f:
                f["_recency"] = f["export_date"]
            else:
                dates = _dates_of(t)
                newest = dates.max() if dates is not None else pd.NaT
                f["_recency"] = pd.Series(newest, index=f.index, dtype="datetime64[ns]")
        frames.append(f)
        del f
        if release:
            t.frame = let_go(t.frame)
    if several:
        df = pd.concat(frames, ignore_index=True, sort=False)
    else:
        df = frames[0].reset_index(drop=True)
    del frames
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
    sort_by = [c for c in (spec.date_column, *spec.key) if c and c in df.columns]
    sort_by = list(dict.fromkeys(sort_by))
    # One Ads file whose key is the sort's own columns: its rows sharing a key are counted
    # once the rows are sorted (they are then neighbours), not by hashing every key first.
    after_sort = kind == "ads" and not several and bool(key) and set(key) <= set(sort_by)
    if key:
        names = [t.name for t in tables]
        df = _dedupe_across_files(
            df, key, kind, spec.label, names, dataset, count_inside=not after_sort
        )
    df = df.drop(columns=[c for c in ("_order", "_recency", "_filled", "_key") if c in df.columns])
    df = _sorted(df, sort_by)
    if after_sort:
        _note_breakdown(_shared_with_neighbour(df, key), dataset)
    if kind == "followers_history":
        df = _follower_changes(df, tables)
    if levels:
        dataset.warnings.append(levels)
    return df


def _sorted(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """df.sort_values(by, kind="stable", na_position="last").reset_index(drop=True), with
    only the key columns copied to find the order, no copy at all when the rows are already
    in it, and the other columns moved one at a time (each old column goes as its sorted
    one is made, where nothing else holds it)."""
    if not by or len(df) < 2:
        return df.reset_index(drop=True)
    return _reordered(df, _sort_order(df, by))


def in_merge_order(table: ParsedTable) -> None:
    """Put a freshly parsed table's rows in the order combine() sorts them into (by day, then
    key, stable; the day without its time, as _merge compares it), so that combining the
    table moves nothing: the app keeps its parsed tables in a cache, and the combined dataset
    then shares their columns instead of holding a sorted copy of every row beside them.
    Combining gives the same result either way (a stable sort of rows already sorted by the
    same key keeps them). Tables with year-less dates keep their order: their years are
    walked from it."""
    spec = KIND_BY_NAME.get(table.kind)
    df = table.frame
    if spec is None or table.yearless or len(df) < 2:
        return
    by = [c for c in dict.fromkeys((spec.date_column, *spec.key)) if c and c in df.columns]
    if not by:
        return
    keys = pd.DataFrame({c: df[c] for c in by}, copy=False)
    if "date" in keys and spec.date_column == "date" and keys["date"].dtype.kind == "M":
        keys["date"] = keys["date"].dt.normalize()
    order = _sort_order(keys, by)
    del keys, df
    table.frame = _reordered(table.frame, order)  # its columns moved one at a time


# Below this many rows a frame is reordered in one take (every column's old and new rows
# alive together for a moment: well under a megabyte a column); above, column by column.
SMALL_ROWS = 20_000


def _reordered(df: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    if (order == np.arange(len(order))).all():
        return df.reset_index(drop=True)
    if len(df) < SMALL_ROWS:
        # The same rows as the column-by-column moves below, without their Arrow steps per
        # text column (a few milliseconds for an Ads report of a thousand rows).
        return df.take(order).reset_index(drop=True)
    # Popped from the caller's own frame (its `df = _sorted(df, …)` holds it meanwhile);
    # a large frame's number columns two at a time (metrics/io/workers.py), taken in their
    # order. Text columns move one at a time, here: each holds its old and new text at once
    # for a moment (tens of MB for a million ad names), and two of them would add that again.
    columns = list(df.columns)
    indices = None
    with workers.runner(len(df)) as run:
        jobs = []
        for name in columns:
            column = df.pop(name)
            text = _arrow_strings(column) is not None
            if text and indices is None:
                import pyarrow as pa

                indices = pa.array(order)  # made once, shared by every text column
            jobs.append(
                workers.Done(_moved(column, order, indices))
                if text
                else run(_moved, column, order, indices)
            )
            del column
        moved = {name: job.result() for name, job in zip(columns, jobs, strict=True)}
        del jobs
    return pd.DataFrame(moved, columns=columns, copy=False)


def _moved(column: pd.Series, order: np.ndarray, indices) -> pd.Series:
    """One column with its rows in `order` (a permutation), as a new Series from 0."""
    name = column.name
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "fiubM":
        # Numbers and dates: numpy's take, without pandas' checks of the positions (made
        # here by argsort: every row once, none out of range), about half the time.
        return pd.Series(column.to_numpy().take(order), name=name, copy=False)
    codes = _text_codes(column)
    if codes is None:
        return column.take(order).reset_index(drop=True)
    # A text column (ad names: tens of MB at a million rows) moves as its codes: the
    # old text goes before the sorted text is made, so the two are never alive together.
    dtype, kind = column.dtype, type(column.array)
    del column
    import pyarrow as pa

    text = codes.take(indices).dictionary_decode()
    del codes
    return pd.Series(kind(pa.chunked_array([text])), dtype=dtype)


def _text_codes(column: pd.Series):
    """An Arrow-backed text column as one dictionary array (a code per row, each distinct
    text once), or None for any other column."""
    chunked = _arrow_strings(column)
    if chunked is None:
        return None
    return chunked.dictionary_encode().unify_dictionaries().combine_chunks()


def _arrow_strings(column: pd.Series):
    """An Arrow-backed text column's strings as one chunked array (no copy), or None for any
    other column."""
    if not (isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow"):
        return None
    array = getattr(column.array, "__arrow_array__", None)
    if array is None:
        return None
    import pyarrow as pa

    chunked = array()
    if isinstance(chunked, pa.Array):
        chunked = pa.chunked_array([chunked])
    if not (pa.types.is_string(chunked.type) or pa.types.is_large_string(chunked.type)):
        return None
    return chunked


def _sort_order(df: pd.DataFrame, by: list[str]) -> np.ndarray:
    """The row order df.sort_values(by, kind="stable", na_position="last") puts rows in,
    from pandas' own sorting step (codes per key column, then one stable lexsort), without
    the sorted copy of the key columns that sort_values also builds."""
    if _in_order(df, by):
        return np.arange(len(df))
    try:
        from pandas.core.sorting import lexsort_indexer, nargsort
    except ImportError:  # pragma: no cover - a pandas without them: the public way
        keys = df[by].reset_index(drop=True)
        return keys.sort_values(by, kind="stable", na_position="last").index.to_numpy()
    if len(by) == 1:
        return nargsort(df[by[0]].array, kind="stable", ascending=True, na_position="last")
    return lexsort_indexer([df[c].array for c in by], orders=True, na_position="last")


def _in_order(df: pd.DataFrame, by: list[str]) -> bool:
    """Whether the rows are already in the order of a stable sort by `by` (missing cells
    last): one pass per key column over neighbouring rows, which stops at the first column
    that puts a row before the one above it (a table in another order costs one column's
    pass). False also where a column's type is not one compared here (then the sort says)."""
    n = len(df)
    if n < 2:
        return True
    tied = np.ones(n - 1, dtype=bool)  # rows equal to the row above in every column so far
    for column in by:
        steps = _neighbour_steps(df[column])
        if steps is None:
            return False
        before, same = steps
        if (tied & ~before & ~same).any():  # a row that sorts before the one above it
            return False
        tied &= same
        if not tied.any():
            return True
    return True


def _neighbour_steps(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """For each row after the first: (the row above sorts strictly before it, the two are
    equal), as sort_values(na_position="last") orders them (missing cells equal to each
    other, after every value); None for a column type not compared here."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        # pandas sorts a categorical by its categories' order: by its codes, -1 (missing) last.
        codes = series.cat.codes.to_numpy().astype(np.int64)
        codes = np.where(codes < 0, np.iinfo(np.int64).max, codes)
        return codes[:-1] < codes[1:], codes[:-1] == codes[1:]
    if isinstance(dtype, np.dtype) and dtype.kind in "iubfM":
        values = series.to_numpy()
        if dtype.kind == "M":
            missing = np.isnat(values)
            values = values.view(np.int64)
        elif dtype.kind == "f":
            missing = np.isnan(values)
        else:
            missing = np.zeros(len(values), dtype=bool)
        a, b = values[:-1], values[1:]
        gap_a, gap_b = missing[:-1], missing[1:]
        before = (~gap_a & ~gap_b & (a < b)) | (~gap_a & gap_b)
        same = (~gap_a & ~gap_b & (a == b)) | (gap_a & gap_b)
        return before, same
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        chunked = _arrow_strings(series)
        if chunked is None:
            return None
        import pyarrow.compute as pc

        a, b = chunked.slice(0, len(chunked) - 1), chunked.slice(1)
        # Arrow compares UTF-8 bytes, which orders text by code point, as Python (and pandas'
        # sort of these columns) does.
        gap_a = a.is_null().to_numpy(zero_copy_only=False)
        gap_b = b.is_null().to_numpy(zero_copy_only=False)
        less = pc.fill_null(pc.less(a, b), False).to_numpy(zero_copy_only=False)
        equal = pc.fill_null(pc.equal(a, b), False).to_numpy(zero_copy_only=False)
        return less | (~gap_a & gap_b), equal | (gap_a & gap_b)
    return None


def _note_breakdown(inside: int, dataset: Dataset) -> None:
    if inside:
        dataset.notes.append(
            f"{counted(inside, 'Ads Manager row')} {agree(inside, 'shares', 'share')} "
            "campaign, ad group, ad and day with another "
            "row of the same file: read as a breakdown (by age, gender, placement…) and "
            "added up. Reach and frequency are not added up across them."
        )


def _shared_with_neighbour(df: pd.DataFrame, key: list[str]) -> int:
    """How many rows repeat the key of a row before them, in a frame sorted by (at least)
    the key's columns, so that rows with one key are neighbours; rows with a key cell
    missing count for nothing. The same number as df[key][complete].duplicated().sum(),
    without the codes and hash tables of every key column."""
    n = len(df)
    if n < 2:
        return 0
    same = np.ones(n - 1, dtype=bool)
    rows = None  # once few rows are left, the positions i (row i + 1 against row i)
    # The last key columns first: the sort's finest (the ad within its day) leaves few rows
    # whose neighbour shares it, and the other columns are compared on those rows alone.
    for column in reversed(key):
        series = df[column]
        if rows is None and same.sum() * 16 < n:
            rows = np.flatnonzero(same)
        if rows is not None:
            pairs = series.take(np.stack([rows, rows + 1], axis=1).ravel())
            both = pairs.notna().to_numpy().reshape(-1, 2).all(axis=1)
            equal = _equal_to_previous(pairs)[::2]
            rows = rows[both & equal]
            continue
        present = series.notna().to_numpy()
        same &= present[1:] & present[:-1]
        same &= _equal_to_previous(series)
    return int(same.sum()) if rows is None else len(rows)


def _equal_to_previous(series: pd.Series) -> np.ndarray:
    """Element i: row i + 1 holds the same value as row i (missing cells compare unequal)."""
    array = series.array
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        return codes[1:] == codes[:-1]
    if hasattr(array, "__arrow_array__"):
        import pyarrow as pa
        import pyarrow.compute as pc

        chunked = array.__arrow_array__()
        if isinstance(chunked, pa.Array):
            chunked = pa.chunked_array([chunked])
        equal = pc.equal(chunked.slice(1), chunked.slice(0, len(chunked) - 1))
        return equal.fill_null(False).to_numpy(zero_copy_only=False)
    values = series.to_numpy()
    return np.asarray(values[1:] == values[:-1], dtype=bool)


def _dedupe_across_files(
    df: pd.DataFrame,
    key: list[str],
    kind: str,
    label: str,
    names: list[str],
    dataset: Dataset,
    count_inside: bool = True,
) -> pd.DataFrame:
    """Overlapping downloads: for each key (a day; an ad's day; a video) keep the rows of one
    file only. Rows that share a key inside one file are kept: an Ads report broken down by
    age, gender or placement has several rows per ad and day, and they add up. They are
    counted here unless `count_inside` is False (_merge counts them once sorted).
    """
    if kind == "ads" and count_inside:
        complete = df[key].notna().all(axis=1)
        # Only the key columns, not a copy of every column (one file: no "_order").
        cells = df[[*key, "_order"]] if "_order" in df else df[key]
        _note_breakdown(
            int((cells if complete.all() else cells[complete]).duplicated().sum()), dataset
        )
    if len(names) < 2:
        return df
    complete = df[key].notna().all(axis=1)  # a row without a date is never merged away
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
    conflicts = _conflicts(keyed, kept, key, kind, label, names) if dropped else []
    dataset.conflicts.extend(conflicts)
    for conflict in conflicts:
        dataset.warnings.append(conflict.message)
    if dropped:
        dataset.notes.append(
            f"{counted(dropped, f'overlapping {label} row')} appeared in more than one file "
            f"and {agree(dropped, 'was', 'were')} counted once (from the file with the most complete rows, then the newer download)."
        )
    return pd.concat([kept, df[~complete]], ignore_index=True, sort=False)


def _differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Beyond rounding: more than half a unit apart and more than 0.5 % of the larger value
    (False where either is missing)."""
    gap = np.abs(a - b)
    return (gap > 0.5) & (gap > 0.005 * np.maximum(np.abs(a), np.abs(b)))


def _wild(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Not a revision: one is zero where the other has a hundred or more, or one is more than
    twice the other (and at least 20 apart)."""
    hi, lo = np.maximum(np.abs(a), np.abs(b)), np.minimum(np.abs(a), np.abs(b))
    return ((lo == 0) & (hi >= 100)) | ((hi > 2 * lo) & (hi - lo >= 20))


def _conflicts(
    keyed: pd.DataFrame,
    kept: pd.DataFrame,
    key: list[str],
    kind: str,
    label: str,
    names: list[str],
) -> list[Conflict]:
    """Where overlapping downloads disagree on the same key: which days, the two values, and
    which file was kept. Vectorised: one merge of the dropped rows with the kept ones."""
    if kind == "content":
        return []  # lifetime totals: a later export has more likes and views by nature
    spec = KIND_BY_NAME[kind]
    numeric = [
        c.name
        for c in spec.columns
        if c.type == "number" and c.name in keyed.columns and c.name != "reported_change"
    ]
    if not numeric:
        return []
    marker = kept[[*key, "_order"]].assign(_kept=True)
    flagged = keyed.merge(marker, on=[*key, "_order"], how="left")
    dropped = flagged[flagged["_kept"].isna()].drop(columns="_kept")
    pair = dropped.merge(kept[[*key, "_order", *numeric]], on=key, suffixes=("", "_k"))
    if pair.empty:
        return []
    # Column by column in numpy (a Series step per column and test was most of the time).
    n = len(pair)
    differs, wild, zero_vs_hundreds = (np.zeros(n, dtype=bool) for _ in range(3))
    first_col = np.full(n, "", dtype=object)
    # A download's own newest day, or a row with 'undefined' cells, is often not final yet
    # (TikTok writes 0 or 'undefined' until the day is counted): a gap there is said, but is
    # no sign of another account.
    settled = np.ones(n, dtype=bool)
    with np.errstate(invalid="ignore"):  # inf - inf, as pandas, without a warning
        for col in numeric:
            a = pair[col].to_numpy(dtype="float64", na_value=np.nan)
            b = pair[f"{col}_k"].to_numpy(dtype="float64", na_value=np.nan)
            both = ~np.isnan(a) & ~np.isnan(b)
            d = both & _differ(a, b)
            first_col = np.where((first_col != "") | ~d, first_col, col)
            differs |= d
            wild |= both & _wild(a, b)
            hi = np.maximum(np.abs(a), np.abs(b))
            zero_vs_hundreds |= both & (np.minimum(np.abs(a), np.abs(b)) == 0) & (hi >= 100)
            settled &= np.isnan(a) == np.isnan(b)
    if "date" in key:
        last = keyed.groupby("_order")["date"].max()
        settled &= (pair["date"] != pair["_order"].map(last)).to_numpy(dtype=bool)
        settled &= (pair["date"] != pair["_order_k"].map(last)).to_numpy(dtype=bool)
    pair = pair.assign(
        _differs=differs,
        _wild=wild & settled,
        _zero=zero_vs_hundreds & settled,
        _settled=settled,
        _col=first_col,
    )
    unit = "ad-day(s)" if kind == "ads" else "day(s)"
    out = []
    for (other, keep), group in pair.groupby(["_order", "_order_k"], sort=True):
        bad = group[group["_differs"]]
        if bad.empty:
            continue
        settled_days = int(group["_settled"].sum())
        accounts = bool(group["_zero"].any()) or (
            settled_days > 0 and int(group["_wild"].sum()) * 2 > settled_days
        )
        examples = []
        for _, row in bad.head(3).iterrows():
            col = row["_col"]
            where = _key_label(row, key)
            shown_col = spec.column(col).aliases[0] if spec.column(col).aliases else col
            examples.append(f"{where}: {_num(row[f'{col}_k'])} vs {_num(row[col])} {shown_col}")
        kept_name, other_name = names[int(keep)], names[int(other)]
        shown = "; ".join(examples) + ("; …" if len(bad) > 3 else "")
        if accounts:
            message = (
                f"“{kept_name}” and “{other_name}” ({label}) disagree widely on {len(bad)} of "
                f"the {len(group)} {unit} they share ({shown}): they may be two different "
                f"accounts. “{kept_name}” was kept on the shared days; if they are different "
                "accounts, choose which one to use on the Data page."
            )
        else:
            message = (
                f"“{kept_name}” and “{other_name}” ({label}) disagree on {len(bad)} of the "
                f"{len(group)} {unit} they share ({shown}; the first value is the one kept): "
                f"“{kept_name}”, the newer or more complete download, was kept."
            )
        out.append(
            Conflict(
                kind=kind,
                kept=kept_name,
                other=other_name,
                days=len(bad),
                shared=len(group),
                examples=examples,
                different_accounts=accounts,
                message=message,
            )
        )
    return out


def _key_label(row: pd.Series, key: list[str]) -> str:
    parts = []
    for k in key:
        value = row[k]
        if isinstance(value, pd.Timestamp):
            parts.append(f"{value.day} {value:%b %Y}")
        elif k != "_key":
            parts.append(str(value))
        else:
            parts.append(str(value)[:60])
    return ", ".join(parts)


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


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
                    f"totals on {counted(wrong, 'day')}, as it often does in TikTok's files; daily changes "
                    "are recomputed from Followers."
                )
        df = df.drop(columns=["reported_change"])
    return df


def _ad_levels_warning(tables: list[ParsedTable]) -> str | None:
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
        return (
            "Ads reports at different levels (" + ", ".join(sorted(levels)) + ") are loaded "
            "together; their rows would be counted twice in totals. Load one level at a time."
        )
    return None
