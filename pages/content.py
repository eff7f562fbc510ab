"""Content: top posts and every post with its engagement."""

import streamlit as st

from metrics.aggregate import aggregate, unavailable
from metrics.definitions import POSTS, REGISTRY
from ui import state
from ui.format import format_value
from ui.frame import page_setup
from ui.posts import post_table, safe_links
from ui.widgets import column_config, empty_state

LINK = {"video_link": st.column_config.LinkColumn("Link", display_text="Open on TikTok")}

dataset = page_setup(
    "Content",
    "Lifetime totals per video, as in TikTok Studio's Content export "
    "(about 15 videos per download, not necessarily the newest).",
)
if dataset is None or not dataset.has("content"):
    empty_state("content", "Your posts")
    st.stop()

window = st.session_state[state.WINDOW]
if window is not None:
    names = [n for n in ("posts", "avg_reach_per_post") if n not in unavailable(dataset, POSTS)]
    totals = aggregate(dataset, POSTS, window, metrics=names)
    cells = st.columns(4)
    for cell, name in zip(cells, names, strict=False):
        metric = REGISTRY[POSTS][name]
        cell.metric(
            f"{metric.label} in the window",
            format_value(totals[name].iloc[0], metric.unit),
            help=f"{metric.meaning} Formula: {metric.formula}.",
            border=True,
        )

posts = safe_links(aggregate(dataset, POSTS, level="post"))
rankings = [
    m
    for m in ("video_views", "likes", "engagement_rate", "new_viewers", "new_followers")
    if m in posts and posts[m].notna().any()
]
st.subheader("Top posts")
left, right = st.columns([3, 1])
state.seed("content_rank_by", rankings[0], rankings)
rank_by = (
    left.segmented_control(
        "Rank by",
        rankings,
        format_func=lambda n: REGISTRY[POSTS][n].label,
        key="content_rank_by",
    )
    or rankings[0]
)
state.seed("content_top_n", 5)
top_n = right.number_input("How many", 1, 50, key="content_top_n")
top = post_table(posts, rank_by, int(top_n))
st.dataframe(
    top,
    hide_index=True,
    width="stretch",
    column_config={**column_config(top, POSTS, None), **LINK},
    key="top_posts",
)

st.subheader("All posts")
everything = post_table(posts, "video_views", None)
st.dataframe(
    everything,
    hide_index=True,
    width="stretch",
    column_config={**column_config(everything, POSTS, None), **LINK},
    key="all_posts",
)
