"""A chart drawn again is sent from its converted spec (ui/charts.py `draw`): the same
element as st.altair_chart, without Altair's to_dict on every rerun.

Altair's to_dict of a layered trend chart took some 50 ms a chart on the server (two on the
Overview, six on Audience); a page switch or a window change back to a window already shown
reuses the chart object (`charts._shared`), and now its spec too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit.elements.vega_charts as vega_charts
from streamlit.testing.v1 import AppTest

from tests._apptest import chart_protos

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"


def _both_ways() -> None:
    """The same chart drawn by st.altair_chart, then by charts.draw twice (the second from
    the kept spec)."""
    import datetime as dt

    import pandas as pd
    import streamlit as st

    from metrics.definitions import ORGANIC, REGISTRY
    from ui import charts

    days = pd.date_range("2026-10-01", periods=5)
    frame = pd.DataFrame({"date": days, "video_views": [10, 20, 15, 30, 25]})
    chart = charts.trend(
        frame,
        [REGISTRY[ORGANIC]["video_views"]],
        span=(dt.date(2026, 10, 1), dt.date(2026, 10, 5)),
    )
    st.altair_chart(chart, width="stretch")
    charts.draw(st, chart, width="stretch")
    charts.draw(st.container(), chart, width="stretch")


def _fields(proto) -> tuple:
    """The element's message (spec, named Arrow datasets, theme) as bytes, and its parts."""
    return (
        proto.SerializeToString(deterministic=True),
        proto.spec,
        [(d.name, d.has_name, d.data.data) for d in proto.datasets],
    )


def test_draw_sends_what_altair_chart_sends():
    at = AppTest.from_function(_both_ways, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    protos = chart_protos(at)
    assert len(protos) == 3
    first = _fields(protos[0])
    # The chart's data travels as one named Arrow dataset per layer (rules, line): never
    # lost from the kept spec when it is drawn a second time.
    assert len(protos[0].datasets) == 2
    assert all(d.data.data for d in protos[0].datasets)
    assert _fields(protos[1]) == first
    assert _fields(protos[2]) == first


@pytest.fixture
def conversions(monkeypatch):
    """How many times Streamlit's Altair → Vega-Lite conversion runs."""
    calls = []
    real = vega_charts._convert_altair_to_vega_lite_spec

    def counted(chart):
        calls.append(chart)
        return real(chart)

    monkeypatch.setattr(vega_charts, "_convert_altair_to_vega_lite_spec", counted)
    return calls


def test_a_window_shown_again_converts_no_chart(conversions):
    """7 days, 28 days, 7 days again on the Overview: the second 7-day run sends both trend
    charts (the same specs and data as the first) without converting either again."""
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.query_params.update({"days": "7"})
    at.run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    first = [_fields(p) for p in chart_protos(at)]
    assert len(first) == 2  # the default trend metrics: one organic, one paid
    at.session_state["window_choice"] = "28"
    at.run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    at.session_state["window_choice"] = "7"
    conversions.clear()
    at.run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    assert conversions == []
    assert [_fields(p) for p in chart_protos(at)] == first
