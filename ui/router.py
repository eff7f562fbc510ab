"""The app's frame: page config, state, the page list, the shared window selector."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from . import controls, look, state
from .loading import timing

FAVICON = Path(__file__).resolve().parent / "assets" / "favicon.png"

PAGES = [
    # (script, title, Material icon, URL path)
    ("pages/data.py", "Data", ":material/upload_file:", "data"),
    ("pages/overview.py", "Overview", ":material/monitoring:", "overview"),
    ("pages/content.py", "Content", ":material/movie:", "content"),
    ("pages/audience.py", "Audience", ":material/group:", "audience"),
    ("pages/ads.py", "Ads", ":material/campaign:", "ads"),
    ("pages/reports.py", "Custom columns & reports", ":material/calculate:", "reports"),
    ("pages/diagnostics.py", "Diagnostics", ":material/stethoscope:", "diagnostics"),
]


# Settings a user makes on one page and expects to find again after visiting another.
# Streamlit forgets a widget's value when its page is not drawn; re-assigning the value at
# the start of every run keeps it.
KEPT_SETTINGS = (
    "ads_template",
    "ads_metrics_",
    "reports_template",
    "reports_metrics_",
    "reports_level_",
    "report_chart_",
    "template_name",
    "formula_unit",
    "overview_trend_metrics",
    "overview_grain",
    "engagement_per_reach_scale",
    "content_rank_by",
    "content_top_n",
    "fatigue_floor",
    "hook_group",
    "drop_ad",
)


def keep_settings() -> None:
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(KEPT_SETTINGS):
            st.session_state[key] = st.session_state[key]


def run() -> None:
    """Set the page up, draw the navigation and the window selector, run the chosen page."""
    started = time.perf_counter()
    st.set_page_config(
        page_title="TikTok metrics explorer",
        page_icon=str(FAVICON),  # a file served by the app: nothing fetched from the internet
        layout="wide",
    )
    look.apply()
    state.init_state()
    keep_settings()
    pages = [
        st.Page(script, title=title, icon=icon, url_path=path)
        for script, title, icon, path in PAGES
    ]

    def start() -> None:
        # "/" forwards to the Overview (the story first; the Data page is one click away),
        # so every page has an address of its own: Streamlit serves its default page only at
        # "/", and a shared /overview link would otherwise open a "Page not found" dialog.
        st.switch_page(pages[1], query_params=dict(st.query_params))

    home = st.Page(start, title="Start", url_path="start", default=True, visibility="hidden")
    # Hidden navigation and links drawn here: with client.showSidebarNavigation = false
    # Streamlit never shows its own listing of the pages/ folder (lowercase file names) while
    # the server starts, and the sidebar reads the same from the first paint.
    navigation = st.navigation([home, *pages], position="hidden")
    with st.sidebar:
        with st.container(key="page_links"):
            for page in pages:
                st.page_link(page)
    controls.window_selector()
    data_badge(pages[0])
    try:
        navigation.run()
    finally:  # with METRICS_TIMINGS=1: the whole run's time, for bench/bench_app.py
        timing("run", navigation.url_path or "start", 0, time.perf_counter() - started)


def data_badge(data_page) -> None:
    """Above every page: a badge while the sample is shown, and a sentence when a reload (or
    a link) pointed at uploaded files this session does not have."""
    source = st.session_state.get(state.SOURCE)
    if source == "upload":
        st.session_state[state.LOST_UPLOADS] = False
    if st.session_state.get(state.LOST_UPLOADS):
        st.warning(
            "Your uploaded files are not loaded any more: the page was reloaded (or opened from "
            "a link), and uploads live only in the browser tab that received them, never on "
            "a server. Upload them again on the Data page; until then this is the sample "
            "account, not your data.",
            icon=":material/cloud_off:",
        )
    if source == "sample":
        with st.container(horizontal=True, vertical_alignment="center", key="sample_badge"):
            st.badge("Sample data: northwind.coffee", icon=":material/science:", color="orange")
            st.page_link(data_page, label="Load your own files", icon=":material/upload_file:")
