"""The one number and date formatter: cards, tables, tooltips, evidence, sentences, downloads.

Rules (by unit and magnitude):
- values are rounded half away from zero at the shown precision, never truncated;
- counts are whole numbers (a count below 10 that is not whole keeps one decimal);
- money has two decimals (£0.497 → £0.50) unless it is below 0.10, where it keeps three
  significant digits (£0.0303, £0.00634), so a small cost is never shown a third off;
- ratios are percentages with two decimals (1.499 % → 1.50 %), below 0.1 % three significant
  digits; per-mille values two decimals; multiples two; seconds one;
- a relative change has one decimal (-52.6 %), everywhere it is shown;
- compact forms (£199.4k, 1.2M) where space is short, with the exact value kept for the
  hover text;
- minus is "-" (as st.metric and the table widget need); one day format: "1 Nov 2025".

Pure Python (no Streamlit), so the same rules serve the pages, the CSV and the tests.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

CURRENCY_SIGNS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥", "INR": "₹", "KRW": "₩"}
# Currencies without minor units (ISO 4217): no decimals on large amounts.
NO_MINOR_UNITS = {"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "TWD", "IDR"}
NO_VALUE = "—"
# Hyphen-minus, not "−": st.metric reads a delta's direction (arrow, colour) from a leading
# "-", and the table widget writes "-" too, so every screen shows the same sign.
MINUS = "-"
MAX_DECIMALS = 8


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def round_half_up(values, decimals: int):
    """Round half away from zero at `decimals` (a scalar or an array, vectorised).

    Binary floats store 1.005 as 1.00499999…; a relative nudge of a few ulps (as Streamlit's
    own table does before it cuts digits) makes the value the user typed round up, as they
    expect, and leaves every other value where it was.
    """
    arr = np.asarray(values, dtype="float64")
    scale = 10.0**decimals
    scaled = np.abs(arr) * scale
    scaled = np.floor(scaled + 0.5 + scaled * 2.0**-52 * 16)
    out = np.sign(arr) * scaled / scale
    if np.ndim(out) == 0:
        return float(out)
    return out


def _significant_decimals(magnitude: float, digits: int = 3) -> int:
    """Decimals that keep `digits` significant digits of a value this size (0.0303 → 4)."""
    if magnitude <= 0 or not math.isfinite(magnitude):
        return 2
    return min(MAX_DECIMALS, max(0, digits - 1 - math.floor(math.log10(magnitude))))


def decimals_for(value: float, unit: str, currency: str | None = None) -> int:
    """Decimals shown for one value of this unit; for ratios and per mille, of the scaled
    number (1.50 % → 2)."""
    size = abs(value)
    if unit == "ratio":
        pct = size * 100
        return 2 if pct == 0 or pct >= 0.1 else _significant_decimals(pct)
    if unit == "per_mille":
        return 2
    if unit == "currency":
        if currency in NO_MINOR_UNITS and size >= 1:
            return 0
        return 2 if size == 0 or size >= 0.1 else _significant_decimals(size)
    if unit == "multiple":
        return 2
    if unit == "seconds":
        return 1
    if unit == "change":
        return 1
    # counts
    if size < 10 and not float(value).is_integer():
        return 1
    return 0


def column_decimals(values, unit: str, currency: str | None = None) -> int:
    """One precision for a table column: the precision its typical value needs (the median
    of the non-zero magnitudes), so a column of small costs keeps three significant digits."""
    arr = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype="float64")
    arr = np.abs(arr[np.isfinite(arr) & (arr != 0)])
    if len(arr) == 0:
        return decimals_for(0.0, unit, currency)
    typical = float(np.median(arr))
    if unit == "count":
        whole = bool(np.all(np.isclose(arr, np.round(arr))))
        return 0 if whole or typical >= 10 else 1
    return decimals_for(typical, unit, currency)


def _grouped(number: float, decimals: int) -> str:
    """1234.5 → "1,234.50" (already rounded), with a typographic minus."""
    text = f"{abs(number):,.{decimals}f}"
    return (MINUS if number < 0 and float(text.replace(",", "")) != 0 else "") + text


_COMPACT = ((1e3, "k", 1), (1e6, "M", 1), (1e9, "B", 1))


def _compact(number: float) -> str | None:
    """199,384 → "199.4k", 1,234,567 → "1.2M"; None below 10,000 (written out in full)."""
    size = abs(number)
    if size < 10_000:
        return None
    for step, suffix, decimals in _COMPACT:
        if size >= step * 1000 and suffix != "B":
            continue
        shown = round_half_up(number / step, decimals)
        if abs(shown) >= 1000 and suffix != "B":  # 999,960 → 1.0M, not 1000.0k
            continue
        return _grouped(shown, decimals) + suffix
    return None


def format_value(
    value,
    unit: str,
    currency: str | None = None,
    compact: bool = False,
    decimals: int | None = None,
) -> str:
    """1.50 %, £1,234.56, £0.0303, 12,345, 2.35×, 3.4 s, 12.34 ‰; an em dash for no value.

    `compact`: large counts and money as 199.4k / 1.2M (the exact value belongs in a hover
    text: call again without `compact`). `decimals`: a table column's shared precision.
    """
    if is_missing(value):
        return NO_VALUE
    value = float(value)
    if unit == "ratio":
        d = decimals if decimals is not None else decimals_for(value, unit)
        return _grouped(round_half_up(value * 100, d), d) + " %"
    if unit == "per_mille":
        d = decimals if decimals is not None else 2
        return _grouped(round_half_up(value * 1000, d), d) + " ‰"
    if unit == "change":
        d = decimals if decimals is not None else 1
        rounded = round_half_up(value * 100, d)
        sign = "+" if rounded > 0 else ""
        return sign + _grouped(rounded, d) + " %"
    if unit == "currency":
        sign = CURRENCY_SIGNS.get(currency or "", "")
        code = "" if sign or not currency else f" {currency}"
        short = _compact(value) if compact else None
        if short is None:
            d = decimals if decimals is not None else decimals_for(value, unit, currency)
            short = _grouped(round_half_up(value, d), d)
        minus = MINUS if short.startswith(MINUS) else ""
        return f"{minus}{sign}{short.removeprefix(MINUS)}{code}"
    if unit == "multiple":
        d = decimals if decimals is not None else 2
        return _grouped(round_half_up(value, d), d) + "×"
    if unit == "seconds":
        d = decimals if decimals is not None else 1
        return _grouped(round_half_up(value, d), d) + " s"
    if compact and (short := _compact(value)) is not None:
        return short
    d = decimals if decimals is not None else decimals_for(value, "count")
    return _grouped(round_half_up(value, d), d)


def format_change(change) -> str | None:
    """A relative change, one decimal: +12.3 %, −52.6 %; None without a value."""
    if is_missing(change):
        return None
    return format_value(change, "change")


def change_percent(change) -> float | None:
    """A relative change as the number a table shows: −0.52691 → -52.7 (%, one decimal)."""
    if is_missing(change):
        return None
    return round_half_up(float(change) * 100, 1)


def format_points(value, decimals: int = 2) -> str:
    """A difference of two percentages in percentage points: −0.42 pp."""
    if is_missing(value):
        return NO_VALUE
    rounded = round_half_up(float(value) * 100, decimals)
    return ("+" if rounded > 0 else "") + _grouped(rounded, decimals) + " pp"


def format_p(value) -> str:
    """A p-value: 0.0312, < 0.0001."""
    if is_missing(value):
        return NO_VALUE
    return "< 0.0001" if value < 1e-4 else f"{round_half_up(value, 4):.4f}"


def count_column(values: pd.Series) -> pd.Series:
    """A count column for a download: whole numbers as integers (142451, not 142451.0),
    missing cells empty; a column with fractions (an average) is left as it is."""
    numbers = pd.to_numeric(values, errors="coerce")
    finite = numbers[np.isfinite(numbers)]
    if len(finite) and not np.allclose(finite, np.round(finite)):
        return values
    rounded = round_half_up(numbers.to_numpy(dtype="float64"), 0)
    return pd.Series(rounded, index=values.index, name=values.name).astype("Int64")


# Days -------------------------------------------------------------------------------------


def _as_date(day) -> dt.date | None:
    if day is None or (isinstance(day, float) and math.isnan(day)):
        return None
    if isinstance(day, pd.Timestamp):
        return None if pd.isna(day) else day.date()
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    text = str(day)[:10]
    if not text:
        return None
    return dt.date.fromisoformat(text)


def format_day(day) -> str:
    """ "2026-09-20", a date or a timestamp → "20 Sep 2026"; empty when there is no day."""
    day = _as_date(day)
    return "" if day is None else f"{day.day} {day:%b %Y}"


def format_span(start, end) -> str:
    """Two days as one range: "2 Oct 2025 – 1 Oct 2026", "4 – 10 Oct 2026"."""
    a, b = _as_date(start), _as_date(end)
    if a is None or b is None:
        return ""
    if a == b:
        return format_day(a)
    if a.year == b.year and a.month == b.month:
        return f"{a.day} – {format_day(b)}"
    if a.year == b.year:
        return f"{a.day} {a:%b} – {format_day(b)}"
    return f"{format_day(a)} – {format_day(b)}"


def format_days(days: pd.Series, with_time: bool = False) -> pd.Series:
    """A column of timestamps as "1 Nov 2025" (vectorised; "1 Nov 2025 14:05" with times)."""
    stamps = pd.to_datetime(days, errors="coerce")
    text = stamps.dt.day.astype("Int64").astype("string") + stamps.dt.strftime(" %b %Y")
    if with_time:
        clock = stamps.dt.strftime(" %H:%M")
        text = text + clock.where(clock != " 00:00", "")
    return text.where(stamps.notna(), "")


def day_count(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


PICKER_FORMAT = "DD/MM/YYYY"  # Streamlit's date picker has no month names: day first, as above
