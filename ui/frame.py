"""The frame every page starts with: state, title, and the loaded dataset."""

from __future__ import annotations

import streamlit as st

from metrics.io import Dataset

from . import state


def _leave_pages_directory_mode() -> None:
    """Make a page run inside the app's frame even when Streamlit started it on its own.

    Streamlit sees the pages/ folder and, until the first st.navigation call of the server
    process (and on every run under AppTest), runs a page script on its own (its 'v1'
    multipage mode), skipping app.py's frame. Then run the frame here: its st.navigation
    switches that mode off and runs this same page (page hashes come from the URL path, which
    is the file name in both modes), and stop this outer run. No rerun, so a click or an
    upload that started this run is not lost. (That mode's own page list is hidden by
    client.showSidebarNavigation = false; the router draws the sidebar's links itself.)
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        from . import router

        router.run()
        st.stop()


def page_setup(title: str, caption: str | None = None) -> Dataset | None:
    """Initialise state, write the page title; return the loaded dataset (or None)."""
    _leave_pages_directory_mode()
    state.init_state()
    st.title(title)
    if caption:
        st.caption(caption)
    return st.session_state[state.DATASET]
