"""Session state: one init, constant keys, the loaded dataset under one key."""

from __future__ import annotations

import streamlit as st

# Parsed tables per uploaded file name, so adding a file never loses what is loaded.
PARSED = "parsed_files"
# The uploaded bytes, kept in this session's memory only (never on disk) so a column mapping
# can re-read them.
RAW = "raw_files"
DATASET = "dataset"
SOURCE = "data_source"  # "sample", "upload" or None
COLUMN_MAP = "column_map"
UPLOAD_GENERATION = "upload_generation"


def init_state() -> None:
    """Create every session key once; load the sample so a first visit is never blank."""
    st.session_state.setdefault(PARSED, {})
    st.session_state.setdefault(RAW, {})
    st.session_state.setdefault(DATASET, None)
    st.session_state.setdefault(SOURCE, None)
    st.session_state.setdefault(COLUMN_MAP, {})
    st.session_state.setdefault(UPLOAD_GENERATION, 0)
    st.session_state.setdefault(CUSTOM_COLUMNS, [])
    st.session_state.setdefault(USER_TEMPLATES, [])
    if st.session_state[DATASET] is None and st.session_state[SOURCE] is None:
        from .loading import load_sample

        with st.spinner("Opening the sample account…"):
            load_sample()


def seed(key: str, value, allowed=None) -> None:
    """A widget's starting value, given through session state (not the widget's default
    argument), so a value kept across pages never clashes with it. `allowed`: the options
    the widget has now; a kept value that is no longer one of them is replaced."""
    if key not in st.session_state:
        st.session_state[key] = value
    elif allowed is not None:
        current = st.session_state[key]
        if isinstance(current, list):
            st.session_state[key] = [v for v in current if v in allowed]
        elif current not in allowed:
            st.session_state[key] = value


# The date window, shared by every page and mirrored in the URL (?days=28&end=2026-10-31).
WINDOW_CHOICE = "window_choice"  # "7", "28", "60", "365" or "custom"
WINDOW_END = "window_end"
WINDOW_END_CHOSEN = "window_end_chosen"  # True when the user or a link picked the end day
WINDOW_RANGE = "window_range"
WINDOW = "window"

# Set when a link or a reload says the view was of uploaded files (?data=own) that this new
# session does not hold: the page says so instead of silently showing the sample.
LOST_UPLOADS = "lost_uploads"

# Custom columns (CustomColumn objects) and user templates (Template objects), per session.
CUSTOM_COLUMNS = "custom_columns"
USER_TEMPLATES = "user_templates"
ACTIVE_TEMPLATE = "active_template"
