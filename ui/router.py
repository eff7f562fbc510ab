"""The app's frame: page config, state, the page list, the shared window selector."""

from __future__ import annotations

import streamlit as st

from . import controls, state

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


def run() -> None:
    """Set the page up, draw the navigation and the window selector, run the chosen page."""
    st.set_page_config(
        page_title="TikTok metrics explorer", page_icon=":material/analytics:", layout="wide"
    )
    state.init_state()
    navigation = st.navigation(
        [
            st.Page(script, title=title, icon=icon, url_path=path, default=(i == 0))
            for i, (script, title, icon, path) in enumerate(PAGES)
        ]
    )
    controls.window_selector()
    navigation.run()
