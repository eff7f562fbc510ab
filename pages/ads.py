"""Ads: the funnel, the campaign → ad group → ad drill-down, and one ad's days."""

import streamlit as st

from metrics.definitions import ADS, FUNNEL, REGISTRY
from metrics.report import DEFAULT_TABLE_METRICS, filter_level
from ui import charts, state
from ui.derived import ad_daily, funnel_steps, summary_changes, table, unavailable
from ui.format import escape_md
from ui.frame import page_setup
from ui.templates import metric_picker, pick_template, unique_columns
from ui.widgets import (
    column_config,
    coverage_messages,
    currency_warning,
    empty_state,
    kpi_cards,
    shown,
    stop_unless_ads_in_window,
)

dataset = page_setup("Ads")
window = st.session_state[state.WINDOW]
if dataset is None or not dataset.has("ads") or window is None:
    empty_state("ads", "The funnel and the campaign drill-down")
    st.stop()
currency = dataset.currency
currency_warning(dataset)
stop_unless_ads_in_window(dataset, window)
if currency:
    st.caption(f"Currency: {escape_md(currency)} (from the report).")

changes = summary_changes(dataset, window).get(ADS, {})
missing = unavailable(dataset, ADS)
coverage_messages(dataset, window, ADS)
st.subheader("Funnel")
columns = st.columns(3)
for column, (stage, names) in zip(columns, FUNNEL.items(), strict=True):
    with column:
        st.markdown(f"**{stage.title()}**")
        # One card per row in each stage: six cards across would cut values at 1280 px.
        kpi_cards(changes, ADS, [n for n in names if n in changes], currency, 1, missing)
        per_row = [REGISTRY[ADS][n].label for n in names if n not in changes]
        if per_row:
            st.caption(
                f"{', '.join(per_row)}: reported per ad and day only (people are not additive "
                "across days), so not added up over the window."
            )
steps = funnel_steps(dataset, window)
if len(steps) > 1:
    charts.draw(st, charts.funnel(steps), width="stretch")
    st.caption(
        "Each bar: the count in the window, on a linear scale, and the step's conversion "
        "rate (its share of the step above)."
    )

st.subheader("Campaigns → ad groups → ads")
custom = st.session_state[state.CUSTOM_COLUMNS]
template = pick_template("ads_template")
default = list(template.metrics) if template else list(DEFAULT_TABLE_METRICS)
metrics = metric_picker(
    ADS, missing, default, f"ads_metrics_{template.name if template else ''}", template
)
all_custom = unique_columns([*custom, *(template.custom if template else ())])
units = {c.name: c.unit for c in all_custom}
if all_custom:
    st.caption(
        "Custom columns: " + escape_md(", ".join(f"{c.name} = {c.expression}" for c in all_custom))
    )


def level_table(level: str, filters: dict, key: str):
    frame = filter_level(table(dataset, level, window, metrics, all_custom), filters)
    return st.dataframe(
        shown(frame, ADS, units, currency),
        hide_index=True,
        width="stretch",
        key=key,
        on_select="rerun",
        selection_mode="single-row",
        column_config=column_config(frame, ADS, currency, units, all_custom),
    ), frame


def picked_row(event, frame):
    """The selected row, or None (a selection can outlive a re-sorted or shorter table)."""
    rows = [r for r in event.selection.rows if 0 <= r < len(frame)]
    return frame.iloc[rows[0]] if rows else None


st.caption("Tap or click a row to open the level below it; tap a column header to sort.")
event, campaigns = level_table("campaign", {}, "ads_campaigns")
row = picked_row(event, campaigns)
if row is not None:
    campaign = row["campaign"]
    st.markdown(f"**Ad groups in {escape_md(campaign)}**")
    # Keys carry the level above, so choosing another campaign starts its groups unselected.
    event, groups = level_table("ad_group", {"campaign": campaign}, f"ads_groups::{campaign}")
    row = picked_row(event, groups)
    if row is not None:
        group = row["ad_group"]
        st.markdown(f"**Ads in {escape_md(group)}**")
        event, ads = level_table(
            "ad", {"campaign": campaign, "ad_group": group}, f"ads_ads::{campaign}::{group}"
        )
        row = picked_row(event, ads)
        if row is not None:
            ad = row["ad"]
            st.markdown(f"**{escape_md(ad)}, day by day**")
            daily_metrics = [n for n in ("spend", "ctr", "cpm", "hook_rate") if n not in missing]
            daily = ad_daily(dataset, window, campaign, group, ad, daily_metrics)
            charts.draw(
                st,
                charts.trend(
                    daily,
                    [REGISTRY[ADS][n] for n in daily_metrics],
                    currency=currency,
                    span=(window.start, window.end),
                ),
                width="stretch",
            )
