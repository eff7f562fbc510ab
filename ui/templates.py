"""Template picker shared by the Ads and Reports pages."""

from __future__ import annotations

import streamlit as st

from metrics.definitions import REGISTRY
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


def metric_picker(
    family: str,
    missing: dict[str, str],
    default: list[str],
    key: str,
    template: Template | None = None,
) -> list[str]:
    """Multiselect of the metrics these files can give; the others named with their reason."""
    registry = REGISTRY[family]
    available = [n for n in registry if n not in missing]
    picked = st.multiselect(
        "Metrics",
        available,
        default=[n for n in default if n in available],
        format_func=lambda n: registry[n].label,
        key=key,
        help="Hover a column header in the table for the metric's formula.",
    )
    dropped = [n for n in default if n in missing]
    if dropped:
        st.caption(
            "Left out, not in your files: "
            + "; ".join(f"{registry[n].label} ({missing[n]})" for n in dropped)
            + "."
        )
    window = st.session_state.get(state.WINDOW)
    if template is not None and window is not None and template.days != window.days:
        st.caption(
            f"“{template.name}” was saved with a {template.days}-day window; the table uses the "
            f"sidebar's {window.days} days. Pick {template.days} days there to match it."
        )
    return picked
