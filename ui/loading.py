"""Bytes → dataset at the UI edge, cached by file content."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from metrics.io import combine, read_file

from . import state

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
SAMPLE_SUFFIXES = (".zip", ".csv", ".xlsx")


@st.cache_data(max_entries=32, show_spinner=False)
def parse_file(name: str, data: bytes, column_map: tuple[tuple[str, str], ...] = ()) -> list:
    """One file's tables; cached by name + content + column mapping (hashing is by value)."""
    return read_file(name, data, dict(column_map) or None)


def sample_files() -> list[tuple[str, bytes]]:
    return [
        (p.name, p.read_bytes())
        for p in sorted(SAMPLE_DIR.iterdir())
        if p.suffix.lower() in SAMPLE_SUFFIXES
    ]


def _rebuild() -> None:
    parsed = [item for items in st.session_state[state.PARSED].values() for item in items]
    years = st.session_state.get(YEARS, {})
    exclude = st.session_state.get(EXCLUDED, [])
    st.session_state[state.DATASET] = (
        combine(parsed, years=years, exclude=exclude) if parsed else None
    )


# Choices made on the Data page: the year of a year-less file, tables left out (conflicts).
YEARS = "year_overrides"
EXCLUDED = "excluded_tables"


def set_choices(years: dict[str, int] | None = None, excluded: list | None = None) -> None:
    """Apply the Data page's year corrections or table choices and rebuild the dataset."""
    if years is not None:
        st.session_state[YEARS] = dict(years)
    if excluded is not None:
        st.session_state[EXCLUDED] = list(excluded)
    _rebuild()


def add_files(files: list[tuple[str, bytes]], replace: bool = False) -> None:
    """Parse files (through the cache) and add them to what is loaded; same name replaces."""
    mapping = tuple(sorted(st.session_state[state.COLUMN_MAP].items()))
    current = {} if replace else dict(st.session_state[state.PARSED])
    raw = {} if replace else dict(st.session_state[state.RAW])
    for name, data in files:
        current[name] = parse_file(name, data, mapping)
        raw[name] = data
    st.session_state[state.PARSED] = current
    st.session_state[state.RAW] = raw
    _rebuild()


def set_column_map(column_map: dict[str, str]) -> None:
    """Apply a hand-made header → column mapping and re-read every loaded file with it."""
    st.session_state[state.COLUMN_MAP] = dict(column_map)
    add_files(list(st.session_state[state.RAW].items()), replace=True)


def load_sample() -> None:
    add_files(sample_files(), replace=True)
    st.session_state[state.SOURCE] = "sample"


def clear() -> None:
    st.session_state[state.PARSED] = {}
    st.session_state[state.RAW] = {}
    st.session_state[state.DATASET] = None
    st.session_state[state.SOURCE] = "cleared"
    st.session_state[YEARS], st.session_state[EXCLUDED] = {}, []


def remove(names: list[str]) -> None:
    """Drop uploaded files (by name) and rebuild the dataset from the others."""
    st.session_state[state.PARSED] = {
        k: v for k, v in st.session_state[state.PARSED].items() if k not in names
    }
    st.session_state[state.RAW] = {
        k: v for k, v in st.session_state[state.RAW].items() if k not in names
    }
    _rebuild()
    if not st.session_state[state.PARSED]:
        st.session_state[state.SOURCE] = "cleared"
