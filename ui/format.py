"""Numbers for people: units, currency, percentages, and an em dash for no value."""

from __future__ import annotations

import datetime as dt
import math

CURRENCY_SIGNS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥", "INR": "₹", "KRW": "₩"}
NO_VALUE = "—"


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def format_value(value, unit: str, currency: str | None = None, compact: bool = False) -> str:
    """1.23 %, £1,234.56, 12,345, 2.35×, 3.4 s, 12.3 ‰; an em dash when there is no value."""
    if is_missing(value):
        return NO_VALUE
    value = float(value)
    if unit == "ratio":
        return f"{value * 100:,.2f} %"
    if unit == "per_mille":
        return f"{value * 1000:,.2f} ‰"
    if unit == "currency":
        sign = CURRENCY_SIGNS.get(currency or "", "")
        code = "" if sign or not currency else f" {currency}"
        minus = "−" if value < 0 else ""
        digits = 3 if 0 < abs(value) < 0.1 else 2  # £0.006 per view, not £0.01
        return f"{minus}{sign}{abs(value):,.{digits}f}{code}"
    if unit == "multiple":
        return f"{value:,.2f}×"
    if unit == "seconds":
        return f"{value:,.1f} s"
    if compact and abs(value) >= 10_000:
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                return f"{value / size:,.1f}{suffix}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def format_change(change) -> str | None:
    if is_missing(change):
        return None
    return f"{change * 100:+.1f} %"


def d3_format(unit: str) -> str:
    """The Vega-Lite (d3) number format for a unit, for axes and tooltips."""
    return {
        "ratio": ".2%",
        "currency": ",.2~f",
        "multiple": ",.2f",
        "per_mille": ",.2f",
        "seconds": ",.1f",
    }.get(unit, ",.0f")


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$:"})


def escape_md(text: object) -> str:
    """User text (file, ad and post names) shown literally by Markdown-rendering elements."""
    return str(text).translate(_MD_SPECIAL)


def ad_label(row: dict) -> str:
    """ "Ad (Ad group)" for a diagnostics row; reports without an ad level name the group."""
    ad, group, campaign = row.get("ad"), row.get("ad_group"), row.get("campaign")
    if ad and group:
        return f"{ad} ({group})"
    if group:
        return f"Ad group {group}" + (f" ({campaign})" if campaign else "")
    return str(ad or campaign or "(unnamed)")


def format_day(iso: str | None) -> str:
    """ "2026-09-20" → "20 Sep 2026"; empty when there is no day."""
    if not iso:
        return ""
    day = dt.date.fromisoformat(str(iso)[:10])
    return f"{day.day} {day:%b %Y}"
