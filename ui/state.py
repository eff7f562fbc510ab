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
    if st.session_state[DATASET] is None and st.session_state[SOURCE] is None:
        from .loading import load_sample

        load_sample()
