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
