"""The frame every page starts with: state, title, and the loaded dataset."""

from __future__ import annotations

import streamlit as st

from metrics.io import Dataset

from . import state


def _leave_pages_directory_mode() -> None:
    """Make a first visit to a deep link (e.g. /overview?days=7) go through app.py.

    Streamlit sees the pages/ folder and, until the first st.navigation call of the server
    process, runs a page script on its own (its 'v1' multipage mode), skipping app.py's
    frame. Switch that mode off and rerun: the rerun starts at app.py and lands on this page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_setup(title: str, caption: str | None = None) -> Dataset | None:
    """Initialise state, write the page title; return the loaded dataset (or None)."""
    _leave_pages_directory_mode()
    state.init_state()
    st.title(title)
    if caption:
        st.caption(caption)
    return st.session_state[state.DATASET]
