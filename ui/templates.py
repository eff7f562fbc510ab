"""Template picker shared by the Ads and Reports pages."""

from __future__ import annotations

import streamlit as st

from metrics.templates import BUILTIN, Template

from . import state

NONE = "(none: choose metrics)"


def template_choices() -> dict[str, Template | None]:
    choices: dict[str, Template | None] = {NONE: None}
    choices.update({t.name: t for t in BUILTIN.values()})
    for t in st.session_state[state.USER_TEMPLATES]:
        choices[f"{t.name} (yours)"] = t
    return choices


def pick_template(key: str) -> Template | None:
    choices = template_choices()
    label = st.selectbox(
        "Report template",
        list(choices),
        key=key,
        help="Creative performance and Funnel analysis come from TikTok Ads "
        "Manager practice; save your own on the Custom columns & reports page.",
    )
    return choices[label]


def unique_columns(columns: list) -> list:
    """Custom columns by name, first one kept (yours before a template's of the same name)."""
    seen: dict = {}
    for column in columns:
        seen.setdefault(column.name, column)
    return list(seen.values())
