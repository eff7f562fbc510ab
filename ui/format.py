"""Text for people: chart number formats, Markdown escaping, ad labels (numbers and days:
ui/numbers.py)."""

from __future__ import annotations

# One formatter for the whole app (ui/numbers.py); re-exported here for the pages.
from .numbers import (  # noqa: E402,F401
    CURRENCY_SIGNS,
    NO_VALUE,
    format_change,
    format_day,
    format_span,
    format_value,
    is_missing,
)


def d3_format(unit: str) -> str:
    """The Vega-Lite (d3) number format for a unit, for axes and tooltips."""
    return {
        "ratio": ".2%",
        "currency": ",.2f",
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
