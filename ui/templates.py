"""Template picker shared by the Ads and Reports pages."""

from __future__ import annotations

import streamlit as st

from metrics.definitions import PER_ROW, REGISTRY
from metrics.templates import BUILTIN, Template

from . import state
from .format import escape_md

NONE = "(none: choose metrics)"


def template_choices() -> dict[str, Template | None]:
    choices: dict[str, Template | None] = {NONE: None}
    choices.update({t.name: t for t in BUILTIN.values()})
    for t in st.session_state[state.USER_TEMPLATES]:
        choices[f"{t.name} (yours)"] = t
    return choices


def choose_template_next_run(key: str, label: str) -> None:
    """Select a template in the picker `key` when it is next drawn (a drawn widget is locked)."""
    st.session_state[f"_pending::{key}"] = label


def pick_template(key: str) -> Template | None:
    choices = template_choices()
    pending = st.session_state.pop(f"_pending::{key}", None)
    if pending in choices:
        st.session_state[key] = pending
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
    # Reach and frequency exist per ad and day only: a table row sums many days, so they would
    # be an empty column. They are left out of tables and said so.
    per_day = [n for n in registry if registry[n].aggregation == PER_ROW]
    available = [n for n in registry if n not in missing and n not in per_day]
    state.seed(key, [n for n in default if n in available], available)
    picked = st.multiselect(
        "Metrics",
        available,
        format_func=lambda n: registry[n].label,
        key=key,
        help="Hover a column header in the table for the metric's formula.",
    )
    if any(n in per_day for n in registry if n not in missing):
        st.caption(
            f"{', '.join(registry[n].label for n in per_day if n not in missing)}: reported "
            "per ad and day only (people are not additive across days), so not in these tables."
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
            f"“{escape_md(template.name)}” was saved with a {template.days}-day window; the table "
            "uses the "
            f"sidebar's {window.days} days. Pick {template.days} days there to match it."
        )
    return picked
