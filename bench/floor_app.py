"""A bare Streamlit page of the Overview's shape, with nothing of ours: the floor.

    python bench/bench_app.py --floor [--repeat 3]

`bench/bench_app.py --floor` runs this script instead of app.py and times the same page
switches and window changes on it, so the figures say what a Streamlit rerun of that many
elements costs on this machine before any of the app's own work. The shape comes from
the environment (defaults: the sample Overview's):

- FLOOR_CARDS: KPI cards (18), drawn as FLOOR_KIND: "metric" (one st.metric each, with
  help and a border, four to a row of st.columns; "metric_nohelp", "metric_noborder",
  "metric_flex" (in one wrapping horizontal container) and their combinations leave a
  part out), "text" (one st.text block for all of them) or "none";
- FLOOR_CHARTS: Altair line charts of the window's days (2);
- FLOOR_TEXTS: st.markdown sentences (8);
- FLOOR_TABLES: st.dataframe tables of a few rows (1).

Seven pages with the app's titles, seven sidebar links, the window's segmented control and
a date input in the sidebar, as in ui/router.py and ui/controls.py. No data of ours, no
styles, no script.
"""

from __future__ import annotations

import datetime as dt
import os

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

TITLES = [
    "Data",
    "Overview",
    "Content",
    "Audience",
    "Ads",
    "Custom columns & reports",
    "Diagnostics",
]
CARDS = int(os.environ.get("FLOOR_CARDS", "18"))
KIND = os.environ.get("FLOOR_KIND", "metric")
CHARTS = int(os.environ.get("FLOOR_CHARTS", "2"))
TEXTS = int(os.environ.get("FLOOR_TEXTS", "8"))
TABLES = int(os.environ.get("FLOOR_TABLES", "1"))
END = dt.date(2026, 11, 30)


def body(title: str) -> None:
    days = int(st.session_state.get("floor_window") or "28")
    st.title(title)
    st.caption(f"The last {days} days against the {days} before.")
    rng = np.random.default_rng(days)
    for i in range(TEXTS):
        st.markdown(f"**Sentence {i + 1}**: a finding with a number, {rng.integers(1000):,}.")
    values = rng.integers(100, 100_000, size=CARDS)
    changes = rng.normal(0, 0.2, size=CARDS)
    if KIND.startswith("metric"):
        options = {"border": "noborder" not in KIND}
        if "nohelp" not in KIND:
            options["help"] = "What this metric means.\n\nFormula: a ÷ b"
        if "flex" in KIND:  # one horizontal container that wraps, no st.columns
            row = st.container(horizontal=True)
            slots = [row] * CARDS
        else:
            slots = [col for start in range(0, CARDS, 4) for col in st.columns(4)][:CARDS]
        for k, slot in enumerate(slots):
            slot.metric(f"Metric {k + 1}", f"{values[k]:,}", delta=f"{changes[k]:+.1%}", **options)
    elif KIND == "text":
        st.text(
            "\n".join(f"Metric {k + 1}: {values[k]:,} ({changes[k]:+.1%})" for k in range(CARDS))
        )
    dates = pd.date_range(END - dt.timedelta(days=days - 1), END)
    for c in range(CHARTS):
        frame = pd.DataFrame({"date": dates, "value": rng.integers(100, 1000, size=days)})
        chart = (
            alt.Chart(frame)
            .mark_line(point=days <= 60)
            .encode(x=alt.X("date:T", title=None), y=alt.Y("value:Q", title=f"Chart {c + 1}"))
            .properties(height=260)
        )
        st.altair_chart(chart, width="stretch")
    for _ in range(TABLES):
        st.dataframe(
            pd.DataFrame({"Metric": [f"Metric {k}" for k in range(6)], "Value": values[:6]}),
            hide_index=True,
        )


def page(title: str):
    def run() -> None:
        body(title)

    run.__name__ = "page_" + "".join(ch for ch in title.lower() if ch.isalnum())
    return run


pages = [st.Page(page(t), title=t, url_path=t.split(" ")[0].lower()) for t in TITLES]
navigation = st.navigation(pages, position="hidden")
with st.sidebar:
    for p in pages:
        st.page_link(p)
    st.markdown("**Date window**")
    st.segmented_control(
        "Window",
        ["7", "28", "60", "365"],
        format_func=lambda d: f"{d} days",
        key="floor_window",
        default="28",
        label_visibility="collapsed",
    )
    st.date_input("Ending on", value=END)
navigation.run()
