"""The "What stands out" panel: the findings of metrics/story.py as sentences with links."""

from __future__ import annotations

import os
import threading
import time

import streamlit as st

from . import memo
from .derived import stand_out
from .format import escape_md
from .loading import timing
from .numbers import format_change, format_day, format_value

LINKS = {
    "fatigue": ("pages/diagnostics.py", "Ad fatigue", ":material/trending_down:"),
    "hook_cta": ("pages/diagnostics.py", "Hook vs CTA", ":material/ads_click:"),
    "post": ("pages/content.py", "Open the post", ":material/movie:"),
    "move": ("pages/overview.py", "See the trend", ":material/show_chart:"),
}


def _quote(name) -> str:
    return f"“{escape_md(name)}”"


def _times(multiple: float) -> str:
    """A multiple as a reader says it: 13.3×, 2.45× (three significant digits at most)."""
    return format_value(multiple, "multiple", decimals=1 if abs(multiple) >= 10 else 2)


def sentence(item: dict, currency: str | None) -> str:
    """One finding as a sentence (user text escaped, numbers by the one formatter)."""
    kind = item["kind"]
    if kind == "fatigue":
        since = (
            f", declining since {format_day(item['decline_began'])}"
            if item.get("decline_began")
            else ""
        )
        change = item["ctr_change"]
        size = (format_change(abs(change)) or "").lstrip("+") if change is not None else None
        moved = f"{'down' if change < 0 else 'up'} {size}" if size else "lower"
        return (
            f"**{_quote(item['ad'])}** ({escape_md(item['ad_group'])}) is tiring: its CTR is "
            f"{moved} from its first week{since}."
        )
    if kind == "hook_cta":
        hook, cta = item.get("best_hook"), item.get("best_cta")
        group = escape_md(item["ad_group"])
        if hook and cta and hook != cta:
            return (
                f"In **{group}**, {_quote(hook)} has the strongest hook and {_quote(cta)} the "
                "strongest call to action: combine the first seconds of one with the ending "
                "of the other."
            )
        if hook and cta:
            return f"In **{group}**, {_quote(hook)} wins on both hook and call to action."
        if hook:
            return f"In **{group}**, {_quote(hook)} clearly has the strongest hook."
        return f"In **{group}**, {_quote(cta)} clearly earns the most clicks."
    if kind == "post":
        where = "of the window" if item["scope"] == "window" else "in your Content export"
        return (
            f"Your most-viewed post {where}, **{_quote(item['title'])}** (posted "
            f"{format_day(item['post_time'])}), has {format_value(item['views'], 'count')} "
            f"views: {_times(item['times_median'])} your median post "
            f"({format_value(item['median_views'], 'count')})."
        )
    if kind == "move":
        verb = "rose" if item["change"] > 0 else "fell"
        judged = {True: " (better)", False: " (worse)", None: ""}[item["better"]]
        change = (format_change(item["change"]) or "").lstrip("+-")
        return (
            f"**{escape_md(item['label'])}** {verb} {change} to "
            f"{format_value(item['value'], item['unit'], currency)} against the previous "
            f"{item['days']} days{judged}, more than day-to-day noise."
        )
    return ""


# From this many ad rows on, a panel not yet computed fills in after the rest of the page
# (its fatigue and hook-vs-CTA fits take a second or more on a million rows): the KPI cards
# and charts are drawn at once, and the panel follows without blocking them. Below it the
# panel takes milliseconds and is drawn in place, as before, so it never flickers.
DEFER_ROWS = int(os.environ.get("METRICS_STORY_DEFER_ROWS", "200000"))
POLL_SECONDS = 0.5  # how often a waiting panel looks whether its findings are ready
_JOBS: dict[tuple, threading.Thread] = {}  # (dataset token, window) → the thread computing it
_JOBS_LOCK = threading.Lock()


def _compute(dataset, window, key) -> None:
    started = time.perf_counter()
    try:
        stand_out(dataset, window)
        timing("story", f"{window.days} days", 0, time.perf_counter() - started)
    except Exception:  # noqa: BLE001 - the page's own run computes it again and shows why
        pass
    finally:
        with _JOBS_LOCK:
            _JOBS.pop(key, None)


def _pending(dataset, window) -> bool:
    """Whether the findings of this window are still being computed in the background;
    starts that computation when nothing is computing them yet (an upload's prefetch may
    already be: the memo then has this thread wait for it instead of computing twice)."""
    key = (memo.token_of(dataset), window)
    with _JOBS_LOCK:
        if key not in _JOBS:
            job = threading.Thread(
                target=_compute, args=(dataset, window, key), name="story", daemon=True
            )
            _JOBS[key] = job
            job.start()
        return key in _JOBS


def _defer(dataset, window) -> bool:
    if dataset is None or not dataset.has("ads") or len(dataset.get("ads")) < DEFER_ROWS:
        return False
    return not stand_out.kept(dataset, window) and _pending(dataset, window)


@st.fragment(run_every=POLL_SECONDS)
def _waiting(dataset, window) -> None:
    """The panel's place while its findings are computed: says so, and once they are ready
    reruns the page, which then draws them (and this fragment, no longer called, stops)."""
    key = (memo.token_of(dataset), window)
    with _JOBS_LOCK:
        done = key not in _JOBS
    if done:
        st.rerun()
    with st.container(border=True, key="story_pending"):
        st.markdown("**What stands out**")
        rows = len(dataset.get("ads"))
        st.caption(
            f":material/hourglass_top: Checking {format_value(rows, 'count')} ad rows for tiring ads and hook or "
            "CTA winners; the findings appear here in a moment. The figures below are complete."
        )


def what_stands_out(dataset, window) -> None:
    """The panel at the top of the Overview (nothing when nothing stands out). On a large
    account whose findings are not computed yet, a note in its place that is replaced by the
    findings once they are (the page around it is drawn meanwhile)."""
    if _defer(dataset, window):
        _waiting(dataset, window)
        return
    items = stand_out(dataset, window)
    if not items:
        return
    currency = dataset.currency if dataset is not None else None
    with st.container(border=True, key="story_panel"):
        st.markdown("**What stands out**")
        for item in items:
            page, label, icon = LINKS[item["kind"]]
            params = {"post": item["key"]} if item["kind"] == "post" else None
            st.markdown(sentence(item, currency))
            if item["kind"] != "move":
                st.page_link(page, label=label, icon=icon, query_params=params)
