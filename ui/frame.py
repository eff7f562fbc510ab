"""The frame every page starts with: state, title, and the loaded dataset."""

from __future__ import annotations

import streamlit as st

from metrics.io import Dataset

from . import state


def page_setup(title: str, caption: str | None = None) -> Dataset | None:
    """Initialise state, write the page title; return the loaded dataset (or None)."""
    state.init_state()
    st.title(title)
    if caption:
        st.caption(caption)
    return st.session_state[state.DATASET]
