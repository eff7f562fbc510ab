"""Audience: viewers, followers and their balance, gender, territories, most active hours."""

import streamlit as st

from metrics.definitions import ORGANIC, REGISTRY
from ui import charts, state
from ui.derived import (
    activity_matrix,
    busiest_hours,
    follower_balance,
    follower_reasons,
    followers_daily,
    shares,
    summary_changes,
    viewers_daily,
)
from ui.format import format_span
from ui.frame import page_setup
from ui.widgets import empty_state, kpi_cards

NEEDS_100 = (
    "TikTok shows follower details only once an account has at least 100 followers; "
    "this file came without rows. Download it again when the account has grown."
)

dataset = page_setup("Audience")
window = st.session_state[state.WINDOW]
if dataset is None:
    empty_state("followers_history", "Your audience")
    st.stop()

st.subheader("Viewers")
if dataset.has("viewers"):
    viewers = viewers_daily(dataset, window)
    if viewers.empty or viewers["viewers"].notna().sum() == 0:
        first, last = dataset.get("viewers")["date"].agg(["min", "max"])
        st.info(
            f"Your Viewers file covers {format_span(first, last)}; "
            + (
                f"the window {format_span(window.start, window.end)} has none of it. "
                if window is not None
                else ""
            )
            + "Choose another window in the sidebar.",
            icon=":material/date_range:",
        )
    else:
        span = (window.start, window.end) if window is not None else None
        charts.draw(
            st,
            charts.stacked_days(viewers, "date", "series", "viewers", "Viewers per day", span),
            width="stretch",
        )
    st.caption(
        "Viewers are unique people per day; they are not added up across days, since the "
        "same person can watch on many days."
    )
else:
    empty_state("viewers", "Viewers per day (total, new, returning)")

st.subheader("Followers")
if dataset.has("followers_history") and window is not None:
    changes = summary_changes(dataset, window).get(ORGANIC, {})
    names = ["followers", "net_followers", "follower_growth_rate"]
    kpi_cards(changes, ORGANIC, names, None, per_row=3, reasons=follower_reasons(dataset, window))
    daily = followers_daily(dataset, window)
    balance = follower_balance(dataset, window)
    span = (window.start, window.end)
    if daily.empty or daily["followers"].notna().sum() == 0:
        first, last = dataset.get("followers_history")["date"].agg(["min", "max"])
        st.info(
            f"Your follower history covers {format_span(first, last)}; the window "
            f"{format_span(*span)} has none of it, so there is nothing to draw. Choose "
            "another window in the sidebar.",
            icon=":material/date_range:",
        )
    else:
        left, right = st.columns(2)
        charts.draw(
            left, charts.trend(daily, [REGISTRY[ORGANIC]["followers"]], span=span), width="stretch"
        )
        charts.draw(
            right,
            charts.diverging_days(balance, "date", "followers", "Followers gained / lost", span),
            width="stretch",
        )
    st.caption(
        "Daily changes are recomputed from the Followers totals; TikTok's own 'Difference' "
        "column is often off by a day."
    )
elif "followers_history" in dataset.tables:
    st.info(NEEDS_100, icon=":material/group:")
else:
    empty_state("followers_history", "Follower growth")

left, right = st.columns(2)
with left:
    st.markdown("**Gender**")
    gender = shares(dataset, "follower_gender", "Gender")
    if not gender.empty:
        charts.draw(
            st,
            charts.bars(gender, "Gender", "share", "Share of followers", "ratio", sort=None),
            width="stretch",
        )
    elif "follower_gender" in dataset.tables:
        st.info(NEEDS_100, icon=":material/group:")
    else:
        empty_state("follower_gender", "Follower gender")
with right:
    st.markdown("**Top territories**")
    territories = shares(dataset, "follower_territories", "Territory")
    if not territories.empty:
        charts.draw(
            st,
            charts.bars(
                territories, "Territory", "share", "Share of followers", "ratio", sort=None
            ),
            width="stretch",
        )
    elif "follower_territories" in dataset.tables:
        st.info(NEEDS_100, icon=":material/group:")
    else:
        empty_state("follower_territories", "Follower territories")

st.subheader("When your followers are active")
matrix = activity_matrix(dataset)
if not matrix.empty:
    charts.draw(st, charts.heatmap(matrix), width="stretch")
    hours = ", ".join(f"{h:02d}:00" for h in busiest_hours(dataset))
    st.caption(
        f"Busiest hours on average: {hours}. TikTok exports activity for the last 7 days only."
    )
elif "follower_activity" in dataset.tables:
    st.info(NEEDS_100, icon=":material/group:")
else:
    empty_state("follower_activity", "Active hours")
