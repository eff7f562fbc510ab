"""Reusable page pieces: KPI cards, metric tables with formulas on hover, empty states."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from metrics.compare import Change
from metrics.definitions import ADS, REGISTRY, Metric

from .derived import coverage_gaps, coverage_notes, date_range
from .format import escape_md
from .numbers import (
    column_decimals,
    count_column,
    format_change,
    format_day,
    format_p,
    format_span,
    format_value,
    round_half_up,
)

FILES_FOR = {
    "overview": "the Overview ZIP (TikTok Studio → Analytics → Overview → Download data)",
    "content": "the Content ZIP (TikTok Studio → Analytics → Content → Download data)",
    "viewers": "the Viewers ZIP (TikTok Studio → Analytics → Viewers → Download data)",
    "followers_history": "the Followers ZIP (TikTok Studio → Analytics → Followers → Download data)",
    "follower_activity": "the Followers ZIP (FollowerActivity.csv)",
    "follower_gender": "the Followers ZIP (FollowerGender.csv)",
    "follower_territories": "the Followers ZIP (FollowerTopTerritories.csv)",
    "ads": "an Ads Manager custom report with By Day, Campaign name, Ad group name and Ad name "
    "(Ads Manager → Reporting → Create report → Download)",
    "daily": "the Overview ZIP from TikTok Studio (Analytics → Overview → Download data) or an "
    "Ads Manager custom report with a daily breakdown",
}


def empty_state(kind: str, what: str) -> None:
    st.info(
        f"{what} appears here once you load {FILES_FOR[kind]} on the Data page.",
        icon=":material/upload_file:",
    )


def _page_p(change: Change) -> float:
    return change.p_adjusted if change.p_adjusted is not None else change.p_value


def metric_help(metric: Metric, change: Change | None = None) -> str:
    text = f"{metric.meaning}\n\nFormula: {metric.formula}"
    if change is not None and change.p_value is not None:
        verdict = (
            "larger than the day-to-day noise"
            if change.significant
            else "within the day-to-day noise"
        )
        text += (
            f"\n\nChange vs previous period: {verdict} (p = {_page_p(change):.3f}, days as units, "
            "correlated days and the page's other cards allowed for)."
        )
    elif change is not None and change.change is not None and change.p_value is None:
        text += "\n\nToo few days to test whether the change is more than noise."
    return text


def kpi_grid_key(family: str, names: Sequence[str], per_row: int) -> str:
    """The key of a group of KPI cards: `kpis_<per_row>_` (what ui/look.py's grid reads),
    then the family and the cards asked for (stable across reruns and windows)."""
    if not 1 <= per_row <= 4:  # ui/look.py lays out grids of 1 to 4 columns
        raise ValueError(f"per_row must be 1 to 4, not {per_row}")
    digest = hashlib.blake2b(repr((family, tuple(names))).encode(), digest_size=6).hexdigest()
    return f"kpis_{per_row}_{family}_{digest}"


def kpi_cards(
    changes: dict[str, Change],
    family: str,
    names: Sequence[str],
    currency: str | None,
    per_row: int = 4,
    reasons: dict[str, str] | None = None,
) -> None:
    """st.metric cards: value, change (green/red by 'higher is better'), noise marked.

    Metrics without a value (not in the files, or data that stops early) get no card; the
    caption under the cards names them with the reason (`reasons`: name → "needs …").
    """
    shown = [n for n in names if n in changes and changes[n].value is not None]
    hidden = [n for n in names if n in (reasons or {}) and n not in shown]
    # One container for all the cards, laid out as a grid of `per_row` columns by the page's
    # CSS (ui/look.py; one column on a phone): a rerun renders 20-odd fewer blocks than with
    # a row of st.columns per `per_row` cards. Its key names the cards asked for, so it is
    # the same element in every window.
    grid = (
        st.container(horizontal=True, key=kpi_grid_key(family, names, per_row)) if shown else None
    )
    for name in shown:
        metric = REGISTRY[family][name]
        change = changes[name]
        delta = format_change(change.change)
        if change.previous == 0 and change.difference:
            # No percentage of a zero base: show the difference.
            diff = format_value(change.difference, metric.unit, currency)
            delta = f"{'+' if change.difference > 0 else ''}{diff} vs " + format_value(
                change.previous, metric.unit, currency
            )
        colour = "normal" if metric.higher_is_better is not False else "inverse"
        if metric.higher_is_better is None:
            colour = "off"
        if delta and change.significant is False:
            delta, colour = f"{delta} · within noise", "off"
        value = format_value(change.value, metric.unit, currency, compact=True)
        exact = format_value(change.value, metric.unit, currency)
        help_ = metric_help(metric, change)
        if exact != value:
            help_ = f"Exactly {exact}.\n\n{help_}"
        grid.metric(
            metric.label,
            value,
            delta=delta,
            delta_color=colour,
            help=help_,
            border=True,
        )
    if hidden:
        st.caption(
            "Not shown: "
            + "; ".join(f"{REGISTRY[family][n].label} ({reasons[n]})" for n in hidden)
            + "."
        )


DIMENSION_LABELS = {"campaign": "Campaign", "ad_group": "Ad group", "ad": "Ad"}


def unit_of(col: str, family: str, custom_units: dict[str, str] | None = None) -> str | None:
    metric = REGISTRY[family].get(col)
    return (custom_units or {}).get(col) or (metric.unit if metric else None)


def column_label(
    col: str, family: str, currency: str | None, custom_units: dict[str, str] | None = None
) -> str:
    """How a table column is titled: "Campaign", "Spend (GBP)", "CTR", a custom column's name."""
    metric = REGISTRY[family].get(col)
    label = DIMENSION_LABELS.get(col) or (metric.label if metric else col)
    if currency and unit_of(col, family, custom_units) == "currency":
        label = f"{label} ({currency})"
    return label


def _display_decimals(
    frame: pd.DataFrame, col: str, unit: str, currency: str | None
) -> tuple[int, float]:
    """(decimals shown, factor) of a table column: ratios are shown × 100 as %, per mille
    × 1000 as ‰; the decimals come from the column's typical value (ui/numbers.py)."""
    factor = {"ratio": 100.0, "per_mille": 1000.0}.get(unit, 1.0)
    return column_decimals(frame[col], unit, currency), factor


def shown(
    frame: pd.DataFrame,
    family: str,
    custom_units: dict[str, str] | None = None,
    currency: str | None = None,
) -> pd.DataFrame:
    """The frame as a table shows it: every metric column rounded (half up, never cut) at
    the precision `column_config` shows, ratios × 100 (%) and per mille × 1000 (‰). The
    table widget cuts digits where it has a step, so rounding here is what makes 0.497
    read 0.50. Values stay fractions everywhere else (exports, CLI)."""
    out = frame.copy()
    for col in frame.columns:
        unit = unit_of(col, family, custom_units)
        if unit is None or not pd.api.types.is_numeric_dtype(frame[col]):
            continue
        decimals, factor = _display_decimals(frame, col, unit, currency)
        values = frame[col].to_numpy(dtype="float64") * factor
        out[col] = round_half_up(values, decimals)
    return out


def column_config(
    frame: pd.DataFrame,
    family: str,
    currency: str | None,
    custom_units: dict[str, str] | None = None,
    custom_columns: Sequence = (),
) -> dict:
    """Number formats and formula tooltips for every metric column of a table; `frame` is
    the unscaled frame (show it through `shown`, which rounds at the same precision)."""
    config: dict = {
        c: st.column_config.TextColumn(label) for c, label in DIMENSION_LABELS.items() if c in frame
    }
    custom = {c.name: c for c in custom_columns}
    # $ and € are in the number format itself; other currencies go into the title.
    code = None if currency in ("USD", "EUR") else currency
    for col in frame.columns:
        metric = REGISTRY[family].get(col)
        unit = unit_of(col, family, custom_units)
        if unit is None or not pd.api.types.is_numeric_dtype(frame[col]):
            continue
        label = column_label(col, family, code, custom_units)
        if metric:
            help_ = metric_help(metric)
        elif col in custom:
            help_ = f"Your column: {col} = {custom[col].expression} (unit: {unit})."
        else:
            help_ = f"Custom column, unit {unit}."
        decimals, _ = _display_decimals(frame, col, unit, currency)
        config[col] = st.column_config.NumberColumn(
            label,
            help=help_,
            format=number_format(unit, currency, decimals),
            step=10.0**-decimals,
        )
    return config


def number_format(unit: str, currency: str | None, decimals: int = 2) -> str:
    """The table widget's format for a column already scaled and rounded by `shown` (its
    step cuts at `decimals`, harmless on a rounded value)."""
    if unit == "ratio":
        return f"%.{decimals}f %%"
    if unit == "currency":
        # Other currencies: the code is in the column label; "accounting" gives 1,234.56.
        return {"USD": "dollar", "EUR": "euro"}.get(currency or "", "accounting")
    if unit == "per_mille":
        return f"%.{decimals}f ‰"
    if unit == "multiple":
        return f"%.{decimals}f×"
    if unit == "seconds":
        return f"%.{decimals}f s"
    return "localized"


# Fatigue evidence as a marketer reads it: (key, label, unit), in the order of the verdict's
# reasoning. Every key the fatigue diagnostic returns is here, except the ones a row's label
# already carries (EVIDENCE_IN_LABELS); tests/test_diagnostics.py checks both ways.
EVIDENCE_ROWS = (
    ("reference", "Judged against", "reference"),
    ("days", "Days with impressions (the ad's history up to the window's end)", "count"),
    ("impressions", "Impressions over those days", "count"),
    ("baseline_ctr", "CTR in the ad's first week", "ratio"),
    ("recent_ctr", "CTR in the last week", "ratio"),
    ("ctr_change_from_baseline", "Change from the first week", "change"),
    ("ctr_change_against_account", "Change from the first week, against the other ads", "change"),
    ("break_statistic", "Break statistic", "break"),
    ("day_correlation", "Day-to-day correlation allowed for", "number"),
    ("decline_began", "Decline began", "date"),
    ("decline_began_interval", "Decline began, 90 % interval", "span"),
    ("ctr_change_since_onset", "CTR change since the decline began", "change"),
    ("ctr_slope_per_day", "CTR trend since then, per day (compounding)", "log_change"),
    ("corroborating_signals", "Also unusual for this ad", "signals"),
    ("baseline_cpm", "CPM in the first week", "currency"),
    ("recent_cpm", "CPM in the last week", "currency"),
    ("cpm_change_from_baseline", "CPM change from the first week", "change"),
    ("frequency_start", "Frequency in the first week", "multiple"),
    ("frequency_end", "Frequency in the last week", "multiple"),
    ("ctr_floor", "The floor", "floor"),
    ("projected_floor_date", "CTR reaches the floor (projected)", "floor_date"),
    ("projected_floor_interval", "CTR reaches the floor, 90 % interval", "open_span"),
)
# Shown inside another row's value: the thresholds beside the break statistic, the floor's
# share beside the floor, whether it was reached beside the projected day.
EVIDENCE_IN_LABELS = {"break_thresholds", "ctr_floor_share", "ctr_floor_reached"}
REFERENCE_TEXT = {
    "account": "The account's other ads on the same days",
    "own history": "Its own history (too few other ads delivered to compare with)",
}


def _evidence_text(key: str, value, unit: str, evidence: dict, currency: str | None) -> str:
    """One evidence value as text, with the app's formatter (ui/numbers.py)."""
    if unit == "reference":
        return REFERENCE_TEXT.get(value, str(value))
    if unit == "date":
        return format_day(value)
    if unit == "span":
        return format_span(*value)
    if unit == "open_span":
        early, late = value
        if early and late:
            return format_span(early, late)
        return f"not before {format_day(early)}" if early else "—"
    if unit == "floor_date":
        reached = " (already reached)" if evidence.get("ctr_floor_reached") else ""
        return format_day(value) + reached
    if unit == "floor":
        share = evidence.get("ctr_floor_share")
        text = format_value(value, "ratio")
        if share is not None:
            text += f" ({format_value(share, 'ratio', decimals=0)} of the first week's CTR)"
        return text
    if unit == "break":
        text = format_value(value, "count", decimals=2)
        limits = evidence.get("break_thresholds") or {}
        if limits:
            text += (
                f" (watch from {format_value(limits['watch'], 'count', decimals=1)}, "
                f"fatigued from {format_value(limits['fatigued'], 'count', decimals=1)})"
            )
        return text
    if unit == "number":
        return format_value(value, "count", decimals=2)
    if unit == "log_change":
        # a slope of log CTR: −0.0202 a day is a fall of 2.0 % a day, compounding
        return format_change(math.expm1(value))
    if unit == "signals":
        return "; ".join(value) if value else "none"
    return format_value(value, unit, currency)


def evidence_table(evidence: dict, currency: str | None) -> list[dict]:
    """Rows (what, value) of a fatigue verdict's evidence, formatted; missing ones left out
    (corroborating signals are always listed once the verdict has them: "none" says so)."""
    rows = []
    for key, label, unit in EVIDENCE_ROWS:
        value = evidence.get(key)
        if value is None or (key == "corroborating_signals" and "decline_began" not in evidence):
            continue
        rows.append({"What": label, "Value": _evidence_text(key, value, unit, evidence, currency)})
    return rows


def floor_interval(interval) -> str:
    """The projected floor day's interval; an open end in words."""
    early, late = interval or (None, None)
    if early and late:
        return format_span(early, late)
    return f"not before {format_day(early)}" if early else ""


def margin_lines(group: dict) -> list[str]:
    """The leader's margin beside each verdict: "CTR: “B” +11.4 % over the next ad, at least
    +8.9 % (p = 0.0012)"."""
    lines = []
    for what, key in (("Hook rate", "hook"), ("CTR", "cta")):
        lift, low = group.get(f"{key}_lift"), group.get(f"{key}_lift_at_least")
        p = group.get(f"{key}_p_value")
        if lift is None or low is None or p is None:
            continue
        chance = format_p(p)  # "0.0312" or "< 0.0001"
        chance = f"p {chance}" if chance.startswith("<") else f"p = {chance}"
        lines.append(
            f"{what}: “{group[f'best_{key}']}” {format_change(lift)} over the next ad, at least "
            f"{format_change(low)} ({chance})"
        )
    return lines


def currency_warning(dataset) -> None:
    """On pages with money: say so when the reports are in more than one currency."""
    if dataset is not None and len(dataset.currencies) > 1:
        st.warning(
            f"Your Ads reports are in {escape_md(', '.join(dataset.currencies))}: money here adds "
            "them up "
            "as one, so it is shown without a currency sign. Load one currency at a time.",
            icon=":material/currency_exchange:",
        )


def stop_unless_ads_in_window(dataset, window) -> None:
    """Stop the page with a sentence when the window holds no Ads Manager day at all."""
    span = date_range(dataset, ADS) if dataset is not None else None
    if span is None or window is None:
        return
    if span[1] < window.start or span[0] > window.end:
        st.info(
            f"Your Ads Manager data covers {format_span(*span)}; the window "
            f"{format_span(window.start, window.end)} has none of it. Choose another "
            "window in the sidebar.",
            icon=":material/date_range:",
        )
        st.stop()


def download_frame(
    frame: pd.DataFrame,
    family: str,
    currency: str | None,
    custom_units: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """A table as a marketer downloads it: column labels instead of internal names ("Spend
    (GBP)", "CTR"), per-mille columns × 1000 with "(‰)", counts as integers; returns the frame and each column's
    unit (for the XLSX number formats). Ratios stay fractions: Excel shows them as %."""
    out = frame.copy()
    units: dict[str, str] = {}
    names: dict[str, str] = {}
    for col in frame.columns:
        unit = unit_of(col, family, custom_units)
        label = column_label(col, family, currency, custom_units)
        if unit == "per_mille":
            out[col] = out[col] * 1000
            label = f"{label} (‰)"
        elif unit == "count" and pd.api.types.is_numeric_dtype(out[col]):
            out[col] = count_column(out[col])  # 142451, not 142451.0
        names[col] = label
        if unit:
            units[label] = unit
    return out.rename(columns=names), units


def coverage_sentence(dataset, window, family: str) -> str | None:
    """The coverage gap or note of a family in this window, as one sentence (or None)."""
    return coverage_gaps(dataset, window).get(family) or coverage_notes(dataset, window).get(family)


def coverage_messages(dataset, window, family: str) -> None:
    """Under a family's heading: a warning when its data stops before the window's end (its
    values are left out), or a note when it covers only part of the window."""
    gap = coverage_gaps(dataset, window).get(family)
    if gap:
        st.warning(gap)
    elif family in (partial := coverage_notes(dataset, window)):
        st.caption(partial[family])
