"""Overview: KPI cards against the previous period, trends, organic and paid side by side."""

from dataclasses import replace

import streamlit as st

from metrics.aggregate import whole_weeks
from metrics.definitions import ADS, ORGANIC, PER_ROW, REGISTRY
from ui import charts, state
from ui.derived import aggregate, follower_reasons, organic_vs_paid, summary_changes, unavailable
from ui.format import format_span, format_value
from ui.frame import page_setup
from ui.story import what_stands_out
from ui.widgets import (
    coverage_messages,
    coverage_sentence,
    currency_warning,
    empty_state,
    kpi_cards,
)

ORGANIC_CARDS = [
    "video_views",
    "profile_views",
    "likes",
    "comments",
    "shares",
    "engagement_rate",
    "followers",
    "net_followers",
]
ADS_CARDS = [
    "spend",
    "impressions",
    "clicks",
    "ctr",
    "cpc",
    "cpm",
    "conversions",
    "cpa",
    "roas",
    "hook_rate",
]

dataset = page_setup("Overview")
window = st.session_state[state.WINDOW]
if dataset is None or window is None:
    empty_state("daily", "Your KPIs")
    st.stop()

# Each section in a container of its own: a window change that adds a sentence to one
# section (a coverage note, a card left out) leaves the elements of the sections after it
# where they were, so the browser updates them instead of building them anew.
changes = summary_changes(dataset, window)
previous = window.previous()
st.caption(
    f"{format_span(window.start, window.end)}, against {format_span(previous.start, previous.end)}"
    ". The ? on a card gives its formula and exact value; grey changes are within noise."
)
what_stands_out(dataset, window)

with st.container(key="overview_organic"):
    if ORGANIC in changes:
        st.subheader("Organic (TikTok Studio)")
        coverage_messages(dataset, window, ORGANIC)
        kpi_cards(
            changes[ORGANIC],
            ORGANIC,
            ORGANIC_CARDS,
            dataset.currency,
            reasons={**unavailable(dataset, ORGANIC), **follower_reasons(dataset, window)},
        )
    else:
        empty_state("overview", "Organic KPIs")
with st.container(key="overview_paid"):
    if ADS in changes:
        st.subheader(f"Paid (Ads Manager){f' · {dataset.currency}' if dataset.currency else ''}")
        currency_warning(dataset)
        coverage_messages(dataset, window, ADS)
        kpi_cards(changes[ADS], ADS, ADS_CARDS, dataset.currency, reasons=unavailable(dataset, ADS))
    else:
        empty_state("ads", "Paid KPIs")

options = []
missing_organic = unavailable(dataset, ORGANIC) if dataset.has("overview") else {}
if dataset.has("overview"):
    options += [
        (ORGANIC, n)
        for n in (
            "video_views",
            "likes",
            "engagement_rate",
            "engagement_per_reach",
            "reach",
            "profile_views",
            "comments",
            "shares",
        )
        if n not in missing_organic
    ]
if dataset.has("ads"):
    options += [
        (ADS, n)
        for n in ("spend", "impressions", "ctr", "cpc", "cpm", "conversions", "hook_rate", "roas")
    ]
if options:
    st.subheader("Trend")
    left, right = st.columns([3, 1])
    state.seed(
        "overview_trend_metrics",
        options[:1] + ([o for o in options if o[0] == ADS][:1]),
        options,
    )
    state.seed("overview_grain", "day")
    picked = left.multiselect(
        "Metrics",
        options,
        format_func=lambda o: (
            f"{REGISTRY[o[0]][o[1]].label} ({'organic' if o[0] == ORGANIC else 'paid'})"
        ),
        key="overview_trend_metrics",
        max_selections=4,
    )
    grain = right.segmented_control("By", ["day", "week"], key="overview_grain") or "day"
    per_reach = (ORGANIC, "engagement_per_reach") in picked
    if per_reach:
        scale = st.radio(
            "Engagement per reach, shown",
            ["per_100", "per_1000"],
            format_func={"per_100": "per 100 people reached (%)", "per_1000": "per 1,000 (‰)"}.get,
            horizontal=True,
            key="engagement_per_reach_scale",
        )
    if grain == "week" and any(REGISTRY[f][n].aggregation == PER_ROW for f, n in picked):
        st.caption(
            "Reach and engagement per reach are per-day figures (people are not additive "
            "across days), so they are drawn by day only."
        )
    for family in (ORGANIC, ADS):
        chosen = [n for f, n in picked if f == family]
        per_day = [n for n in chosen if REGISTRY[family][n].aggregation == PER_ROW]
        for level, names in ((grain, [n for n in chosen if n not in per_day]), ("day", per_day)):
            if not names:
                continue
            # The chart's place does not move when a note above it comes or goes.
            slot = st.container(key=f"overview_trend_{family}_{level}")
            notes = slot.container()
            frame = aggregate(dataset, family, window, level=level, metrics=names)
            if level == "week":
                frame, partial_weeks = whole_weeks(dataset, family, window, frame)
                if partial_weeks:
                    notes.caption(
                        f"{partial_weeks} week(s) with fewer than 7 days of data (at the edges "
                        "of your files) are left out of the weekly chart."
                    )
            shown_metrics = [REGISTRY[family][n] for n in names]
            if per_reach and family == ORGANIC and scale == "per_1000":
                shown_metrics = [
                    replace(m, unit="per_mille") if m.name == "engagement_per_reach" else m
                    for m in shown_metrics
                ]
            empty = [m.label for m in shown_metrics if frame[m.name].notna().sum() == 0]
            if empty:
                notes.info(
                    f"No {', '.join(empty)} in {format_span(window.start, window.end)}: "
                    + (
                        coverage_sentence(dataset, window, family)
                        or "your files have no values for it on these days."
                    ),
                    icon=":material/date_range:",
                )
            drawn = [m for m in shown_metrics if m.label not in empty]
            if not drawn:
                continue
            chart = charts.trend(
                frame,
                drawn,
                x="date" if level == "day" else "week",
                currency=dataset.currency,
                period_label=level.title(),
                span=(window.start, window.end),
            )
            charts.draw(slot, chart, width="stretch")

rows = organic_vs_paid(dataset, window)
if rows:
    st.container(key="overview_side_by_side").subheader("Organic and paid side by side")
    table = [
        {
            "Metric": r["label"],
            "Organic": format_value(r["organic"], r["unit"], dataset.currency),
            "Paid": format_value(r["paid"], r["unit"], dataset.currency),
        }
        for r in rows
    ]
    st.dataframe(table, hide_index=True, width="stretch")
