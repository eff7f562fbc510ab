"""Content: the posts of the window, one post against the account's usual post, every post."""

import streamlit as st

from metrics.definitions import POSTS, REGISTRY
from metrics.posts import differences
from ui import state
from ui.derived import aggregate, unavailable
from ui.format import escape_md
from ui.frame import page_setup
from ui.numbers import format_day, format_span, format_value
from ui.posts import every_post, post_standing, top_posts, window_posts
from ui.widgets import empty_state

LINK = {"video_link": st.column_config.LinkColumn("Link", display_text="Open on TikTok")}
POST_PARAM = "post"

dataset = page_setup(
    "Content",
    "Lifetime totals per video, as in TikTok Studio's Content export "
    "(about 15 videos per download, not necessarily the newest).",
)
if dataset is None or not dataset.has("content"):
    empty_state("content", "Your posts")
    st.stop()

window = st.session_state[state.WINDOW]
posts, inside = window_posts(dataset, window)
if window is not None:
    names = [n for n in ("posts", "avg_reach_per_post") if n not in unavailable(dataset, POSTS)]
    totals = aggregate(dataset, POSTS, window, metrics=names)
    cells = st.columns(len(names) or 1)
    for cell, name in zip(cells, names, strict=False):
        metric = REGISTRY[POSTS][name]
        cell.metric(
            f"{metric.label} published in the window",
            format_value(totals[name].iloc[0], metric.unit),
            help=f"{metric.meaning} Formula: {metric.formula}.",
            border=True,
        )

rankings = [
    m
    for m in ("video_views", "likes", "engagement_rate", "new_viewers", "new_followers")
    if m in posts and posts[m].notna().any()
]
span = format_span(window.start, window.end) if window is not None else ""
st.subheader("Top posts of the window")
if inside.empty:
    newest = posts["post_time"].max() if "post_time" in posts else None
    st.info(
        f"None of the {len(posts)} posts in your Content export was published in "
        f"{span}"
        + (f"; the newest is from {format_day(newest)}" if newest is not None else "")
        + ". Choose a longer window in the sidebar, or see every post below.",
        icon=":material/date_range:",
    )
else:
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
    top, top_config = top_posts(dataset, window, rank_by, int(top_n))
    shown_n = min(int(top_n), len(inside))
    st.caption(
        (
            f"The one post published {span}"
            if len(inside) == 1
            else f"{shown_n} of the {len(inside)} posts published {span}"
        )
        + ", by lifetime totals."
    )
    st.dataframe(
        top,
        hide_index=True,
        width="stretch",
        column_config={**top_config, **LINK},
        key="top_posts",
    )

# --- one post ----------------------------------------------------------------------------
st.subheader("One post")
keys = list(posts["key"])
labels = dict(
    zip(
        keys,
        [
            f"{title} · {format_day(when)}" if format_day(when) else str(title)
            for title, when in zip(posts["video_title"], posts["post_time"], strict=True)
        ],
        strict=True,
    )
)
wanted = st.query_params.get(POST_PARAM)
if wanted in labels:
    st.session_state["content_post"] = wanted
default = (
    inside.sort_values("video_views", ascending=False)["key"].iloc[0]
    if not inside.empty and "video_views" in inside
    else keys[0]
)
state.seed("content_post", default, keys)
key = st.selectbox(
    "Post", keys, format_func=labels.get, key="content_post", help="Type to search by title."
)
if st.query_params.get(POST_PARAM) != key:
    st.query_params[POST_PARAM] = key  # a link to this view opens this post
post = posts[posts["key"] == key].iloc[0]
table, peers, of_window = post_standing(dataset, window, key)
against = (
    f"the {peers} posts published {span}"
    if of_window
    else f"all {peers} posts in your Content export (the window has fewer than two)"
)
with st.container(border=True, key="post_detail"):
    st.markdown(f"**{escape_md(post['video_title'])}**")
    st.caption(f"Posted {format_day(post['post_time'])}. Lifetime totals, compared with {against}.")
    if isinstance(post.get("video_link"), str):
        st.link_button("Open on TikTok", post["video_link"], icon=":material/open_in_new:")
    # One line per number (not a grid): readable on a phone without scrolling sideways.
    lines = []
    for r in table.itertuples():
        beats = (
            ""
            if r.beats is None
            else f" · better than {format_value(r.beats, 'ratio', decimals=0)} of the others"
        )
        lines.append(
            f"- **{r.label}** {format_value(r.value, r.unit)} · rank {r.rank} of {r.of}{beats}"
            f" · median post {format_value(r.median, r.unit)}"
            + (f" ({format_value(r.vs_median, 'multiple')})" if r.vs_median is not None else "")
        )
    with st.container(key="post_numbers"):
        st.markdown("\n".join(lines))
    rate = table[table["metric"] == "engagement_rate"]
    if not rate.empty:
        r = rate.iloc[0]
        st.markdown(
            f"Engagement rate **{format_value(r['value'], 'ratio')}** against "
            f"**{format_value(r['median'], 'ratio')}** for the median post "
            f"({format_value(r['vs_median'], 'multiple')})."
        )
    standout = differences(table)
    if not standout.empty:
        st.markdown(
            "What made it different: "
            + "; ".join(
                f"{r.label} {format_value(r.vs_median, 'multiple')} the median post"
                for r in standout.itertuples()
            )
            + "."
        )

st.subheader("All posts in the export")
everything, everything_config = every_post(dataset)
st.dataframe(
    everything,
    hide_index=True,
    width="stretch",
    column_config={**everything_config, **LINK},
    key="all_posts",
)
