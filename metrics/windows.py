"""Date windows: the last N days ending at the end date, and the period before (docs/metrics.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WINDOW_DAYS = (7, 28, 60, 365)


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Window:
        """The same number of days directly before this window."""
        end = self.start - dt.timedelta(days=1)
        return Window(end - dt.timedelta(days=self.days - 1), end)

    def to_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


class WindowError(ValueError):
    pass


def last_n_days(days: int, end: dt.date) -> Window:
    """[end − N + 1, end], both days included."""
    if days < 1:
        raise WindowError("A window has at least one day.")
    return Window(end - dt.timedelta(days=days - 1), end)


def custom_window(start: dt.date, end: dt.date) -> Window:
    if end < start:
        raise WindowError(f"The window ends ({end}) before it starts ({start}).")
    return Window(start, end)


def parse_days(value: int | str) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if days not in WINDOW_DAYS:
        raise WindowError(f"--days must be one of {', '.join(map(str, WINDOW_DAYS))}, not {value}.")
    return days


# The daily tables the KPI cards come from, and those that only add to them (audience pages).
# (Follower history feeds the followers cards; Viewers only the Audience page.)
MAIN_TABLES = {
    "overview": "Overview",
    "ads": "Ads Manager report",
    "followers_history": "Follower history",
}
SECONDARY_TABLES = {"viewers": "Viewers"}
# Main tables that end at most this many days apart still share the default end: a Studio
# download and an Ads report exported a few days apart open with both families filled.
SHARED_END_DAYS = 7


@dataclass(frozen=True)
class DefaultEnd:
    """The default last day of every window, and why, when the files end on different days."""

    day: dt.date | None
    reason: str | None = None


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def complete_end(frame, partial_rows: bool = True) -> tuple[dt.date | None, dt.date | None]:
    """(last complete day, last day listed) of a daily table.

    A newest day whose cells say `undefined` is listed but not complete. With `partial_rows`
    (TikTok Studio tables, whose newest row can read `undefined, 0, 0`), a day is complete only
    when it has as many numbers as the table's typical day; otherwise (Ads, where `--` is a
    normal cell) any number will do.
    """
    if frame is None or frame.empty or "date" not in frame or frame["date"].isna().all():
        return None, None
    numeric = [
        c for c in frame.columns if c not in ("date", "hour") and frame[c].dtype.kind in "fiu"
    ]
    newest_day = frame["date"].max()
    listed = newest_day.date()
    if not numeric:
        return listed, listed
    if not partial_rows:
        # Any number will do: the newest day is complete when one of its rows has one, which
        # the rows of that day alone tell (not a count over every row of a million-row report).
        newest = frame.loc[frame["date"] >= newest_day.normalize(), numeric]
        if newest.notna().to_numpy().any():
            return listed, listed
    filled = frame[numeric].notna().sum(axis=1)
    if partial_rows:
        complete = (
            filled >= max(int(filled[filled > 0].median()), 1) if (filled > 0).any() else filled > 0
        )
    else:
        complete = filled > 0
    dates = frame["date"][complete]
    return (dates.max().date() if dates.notna().any() else None), listed


def default_end(dataset) -> DefaultEnd:
    """The newest complete day: the last day the main daily tables (Overview, Ads, Follower
    history: the KPI cards) hold numbers.

    A day that says `undefined`, or a trailing day that only one file has, never sets the end
    (it would leave the Overview blank): main tables ending at most `SHARED_END_DAYS` apart
    share the earliest of their ends, so every KPI is filled; a table ending further back is
    named in the reason. Viewers decide only when no main table is loaded.
    """
    ends: dict[str, tuple[dt.date, dt.date]] = {}
    for kind in (*MAIN_TABLES, *SECONDARY_TABLES):
        if kind in dataset.tables:
            complete, listed = complete_end(dataset.tables[kind], partial_rows=kind != "ads")
            if complete is not None:
                ends[kind] = (complete, listed)
    if not ends:
        return DefaultEnd(None)
    labels = {**MAIN_TABLES, **SECONDARY_TABLES}
    main = [k for k in MAIN_TABLES if k in ends] or list(ends)
    newest = max(ends[k][0] for k in main)
    current = {
        k: min(ends[k][0], newest)
        for k in main
        if ends[k][0] >= newest - dt.timedelta(days=SHARED_END_DAYS)
    }
    end = min(current.values())
    later: dict[dt.date, list[str]] = {}
    undefined: dict[tuple[dt.date, dt.date], list[str]] = {}
    stale: list[str] = []
    short: list[str] = []
    for kind, (complete, listed) in ends.items():
        if complete > end:
            later.setdefault(complete, []).append(labels[kind])
        elif complete < end and kind not in main:
            if listed <= complete:  # else its 'undefined' days are said below
                short.append(f"{labels[kind]} ends on {_day(complete)}")
        elif complete < end:
            stale.append(f"{labels[kind]} ends on {_day(complete)}")
        if listed > complete:
            undefined.setdefault((complete + dt.timedelta(days=1), listed), []).append(labels[kind])
    if not (later or undefined or stale or short):
        return DefaultEnd(end)
    parts = []
    if later:
        goes = [
            f"{_and(names)} {'goes' if len(names) == 1 else 'go'} on to {_day(day)}"
            for day, names in sorted(later.items())
        ]
        parts.append(_and(goes))
    if short:
        parts.append(_and(short))
    for (first, last), names in sorted(undefined.items()):
        verb = "says" if len(names) == 1 else "say"
        when = f"on {_day(last)}" if first == last else f"from {_day(first)} to {_day(last)}"
        parts.append(f"{when} {_and(names)} {verb} 'undefined' (no data yet)")
    if stale:
        parts.append(
            f"{_and(stale)}, more than {SHARED_END_DAYS} days earlier: choose that end day to "
            "see its numbers"
        )
    held = [labels[k] for k in current]
    why = (
        f"the newest day with numbers in {held[0]}"
        if len(held) == 1
        else f"the newest day that {_and(held)} {'both' if len(held) == 2 else 'all'} have numbers for"
    )
    return DefaultEnd(end, f"The window ends on {_day(end)}, {why}; " + "; ".join(parts) + ".")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
