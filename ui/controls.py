"""The shared window selector (sidebar) and its mirror in the URL."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from metrics.windows import WINDOW_DAYS, Window, custom_window, last_n_days

from . import state
from .derived import data_end
from .numbers import PICKER_FORMAT, format_span

CHOICES = [str(d) for d in WINDOW_DAYS] + ["custom"]
LABELS = {"7": "7 days", "28": "28 days", "60": "60 days", "365": "365 days", "custom": "Custom"}


def _from_url(newest: dt.date | None) -> None:
    """Seed the widgets from the URL once per session, so a shared link reproduces the view."""
    if st.session_state.get("_window_seeded"):
        return
    st.session_state["_window_seeded"] = True
    params = st.query_params
    if params.get("data") == "own" and st.session_state.get(state.SOURCE) != "upload":
        # A reload (or a shared link) of a view of uploaded files: those files are gone with
        # the old session. Keep the window length, not the days of data that is not here.
        st.session_state[state.LOST_UPLOADS] = True
        params = {k: v for k, v in params.to_dict().items() if k not in ("end", "start")}
    choice = params.get("days", "28")
    st.session_state[state.WINDOW_CHOICE] = choice if choice in CHOICES else "28"
    try:
        end = dt.date.fromisoformat(params.get("end", ""))
    except ValueError:
        end = None
    if end:
        st.session_state[state.WINDOW_END] = end
        st.session_state[state.WINDOW_END_CHOSEN] = True
    try:
        start = dt.date.fromisoformat(params.get("start", ""))
    except ValueError:
        start = None
    if start and end and start <= end:
        st.session_state[state.WINDOW_RANGE] = (start, end)


END_INPUT = "window_end_input"


def _keep_a_choice() -> None:
    """Clicking the chosen window again would leave none highlighted: keep the last one."""
    if st.session_state.get(state.WINDOW_CHOICE) is None:
        st.session_state[state.WINDOW_CHOICE] = st.session_state.get("_last_window_choice", "28")
    st.session_state["_last_window_choice"] = st.session_state[state.WINDOW_CHOICE]


def _end_picked() -> None:
    """The user chose the end day: keep it when new files arrive (unless it falls outside)."""
    st.session_state[state.WINDOW_END] = st.session_state[END_INPUT]
    st.session_state[state.WINDOW_END_CHOSEN] = True


def _follow_newest(newest: dt.date) -> None:
    """Keep the end day on the newest day of the data, also after an upload changes it.

    A day the user picked (or a link carried) stays, unless the new data ends before it.
    """
    end = st.session_state.get(state.WINDOW_END)
    chosen = st.session_state.get(state.WINDOW_END_CHOSEN, False)
    if end is None or not chosen or end > newest:
        end = newest
        st.session_state[state.WINDOW_END_CHOSEN] = False
    st.session_state[state.WINDOW_END] = end
    if st.session_state.get(END_INPUT) != end:
        st.session_state[END_INPUT] = end


def window_selector() -> Window | None:
    """Sidebar controls for the window; returns it (None without daily data) and syncs the URL."""
    dataset = st.session_state.get(state.DATASET)
    newest = data_end(dataset) if dataset is not None else None
    _from_url(newest)
    with st.sidebar:
        # The control's own label, not a Markdown line above it: one element fewer in every
        # rerun, and the name a screen reader gives the control is the one on screen.
        choice = (
            st.segmented_control(
                "Date window",
                CHOICES,
                format_func=LABELS.get,
                key=state.WINDOW_CHOICE,
                on_change=_keep_a_choice,
            )
            or "28"
        )
        st.session_state["_last_window_choice"] = choice
        if newest is None:
            st.caption("Load data to choose a window.")
            st.session_state[state.WINDOW] = None
            params = {"days": choice}
            if dict(st.query_params) != params:
                st.query_params.from_dict(params)
            return None
        window: Window | None
        if choice == "custom":
            end = st.session_state.get(state.WINDOW_END) or newest
            default = st.session_state.get(state.WINDOW_RANGE) or (
                end - dt.timedelta(days=27),  # the window just shown, to adjust from
                end,
            )
            picked = st.date_input(
                "From – to",
                value=default,
                key="window_range_input",
                max_value=newest + dt.timedelta(days=366),
                format=PICKER_FORMAT,
            )
            if isinstance(picked, (tuple, list)) and len(picked) == 2:
                window = custom_window(picked[0], picked[1])
                st.session_state[state.WINDOW_RANGE] = (picked[0], picked[1])
            else:
                st.caption("Pick the last day too.")
                window = custom_window(default[0], default[1])
        else:
            _follow_newest(newest)
            end = st.date_input(
                "Ending on",
                key=END_INPUT,
                on_change=_end_picked,
                format=PICKER_FORMAT,
                help="Defaults to the newest day in your files (exports are "
                "historical, so today would be wrong).",
            )
            st.session_state[state.WINDOW_END] = end
            window = last_n_days(int(choice), end)
        previous = window.previous()
        st.caption(
            f"{format_span(window.start, window.end)} ({window.days} days), compared with "
            f"{format_span(previous.start, previous.end)}."
        )
    params = {"days": choice}
    if "post" in st.query_params:  # the Content page's chosen post (its own parameter)
        params["post"] = st.query_params["post"]
    if st.session_state.get(state.SOURCE) == "upload":
        params["data"] = "own"
    if choice == "custom":
        params.update(start=window.start.isoformat(), end=window.end.isoformat())
    elif window.end != newest:
        params["end"] = window.end.isoformat()
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
    st.session_state[state.WINDOW] = window
    return window
