"""Chart axes as Vega draws them: the exact spec and data each page sends to the browser
(taken from the page under AppTest), drawn by Vega itself (vl-convert runs the same Vega
and Vega-Lite the browser does) to SVG at a laptop width and a phone width, and the tick
labels read back from the drawing.

The browser draws charts on a canvas, so a browser test cannot read the labels; the SVG of
the same spec, same data and same Vega is what the canvas shows. Checked for the 7, 28, 60
and 365-day windows: every label is drawn once, date ticks fall on whole days, weeks or
months inside the window (never "12 PM" between two days, never a bare month name for a
day), and number ticks rise strictly (never "0.01 0.01 0.02").
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from tests._apptest import chart_protos
from ui.charts import _fixed_width  # the app's own: PNG downloads are drawn the same way

vlc = pytest.importorskip("vl_convert")

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
WIDTHS = (820, 340)  # the chart area at 1440 px and on a 390 px phone
SVG = "{http://www.w3.org/2000/svg}"
END = dt.date(2026, 10, 31)  # the sample's default end (its newest complete day)


@functools.cache
def _session(days: int) -> AppTest:
    """One app session per window, shared by the pages drawn in it (each page is one run)."""
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.query_params.update({"days": str(days)})
    at.run(timeout=180)
    return at


def page_protos(page: str, days: int) -> list:
    """The Vega-Lite chart messages a page sends, in order."""
    at = _session(days)
    at.switch_page(f"pages/{page}.py").run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    return chart_protos(at)


def page_specs(page: str, days: int) -> list[dict]:
    """The Vega-Lite specs a page sends, with their Arrow datasets inlined as records."""
    specs = []
    for proto in page_protos(page, days):
        spec = json.loads(proto.spec)
        datasets = {}
        for data in proto.datasets:
            frame = pa.ipc.open_stream(data.data.data).read_all().to_pandas()
            for column in frame.columns:
                if pd.api.types.is_datetime64_any_dtype(frame[column]):
                    frame[column] = frame[column].dt.strftime("%Y-%m-%dT%H:%M:%S")
            datasets[data.name] = json.loads(frame.to_json(orient="records"))
        if datasets:
            spec["datasets"] = {**spec.get("datasets", {}), **datasets}
        specs.append(spec)
    return specs


def axes(svg: str) -> list[tuple[str, list[str]]]:
    """(the axis's ARIA description, its visible tick labels in drawing order) per axis."""
    root = ET.fromstring(svg)
    found = []
    for group in root.iter(f"{SVG}g"):
        label = group.get("aria-label", "")
        if "axis" not in label.lower():
            continue
        texts = []
        for sub in group.iter(f"{SVG}g"):
            if "role-axis-label" in (sub.get("class") or ""):
                texts = [
                    (t.text or "").strip()
                    for t in sub.iter(f"{SVG}text")
                    if t.get("opacity", "1") not in ("0", "0.0")
                ]
        found.append((label, texts))
    return found


_SUFFIX = {"k": 1e3, "M": 1e6, "G": 1e9, "B": 1e9, "m": 1e-3, "µ": 1e-6}


def number(label: str) -> float:
    text = label.replace("−", "-").replace(",", "").replace("£", "").replace("$", "")
    text = text.replace("€", "").replace("‰", "").replace("×", "").strip()
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1], 0.01
    if text and text[-1] in _SUFFIX:
        text, scale = text[:-1], _SUFFIX[text[-1]]
    return float(text) * scale


def day_of(label: str, year: int) -> dt.date | None:
    for fmt in ("%d %b %Y", "%b %Y"):
        try:
            return dt.datetime.strptime(label, fmt).date()
        except ValueError:
            pass
    try:
        return dt.datetime.strptime(f"{label} {year}", "%d %b %Y").date()
    except ValueError:
        return None


def check_axes(spec: dict, days: int, width: int, where: str, reach: int = 0) -> int:
    """Check every axis of one chart; date ticks must fall inside the window (or, with
    `reach`, up to that many days before it: fatigue follows an ad from its first day)."""
    svg = vlc.vegalite_to_svg(_fixed_width(spec, width))
    start = END - dt.timedelta(days=max(days, reach) - 1)
    checked = 0
    for aria, labels in axes(svg):
        if not labels:
            continue
        context = f"{where} at {width}px: {aria}: {labels}"
        assert len(labels) == len(set(labels)), f"a label drawn twice, {context}"
        if "time scale" in aria:
            assert not any(re.search(r"\b(AM|PM)\b|:\d\d", x) for x in labels), context
            assert all(
                re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}|[A-Z][a-z]{2} \d{4}", x) for x in labels
            ), f"a date tick that is neither a day ('4 Oct') nor a month ('Oct 2026'), {context}"
            parsed = []
            for x in labels:
                day = day_of(x, END.year)
                if day and day > END:  # a day label of the year before (a 365-day window)
                    day = day.replace(year=END.year - 1)
                parsed.append(day)
            assert all(d is not None for d in parsed), context
            assert parsed == sorted(parsed), f"date ticks out of order, {context}"
            first_month = start.replace(day=1)
            assert all(first_month <= d <= END for d in parsed), (
                f"a tick outside the window, {context}"
            )
            if days == 7:  # seven whole days fit on both widths: one tick a day
                assert len(labels) >= 4, context
                assert all((b - a).days >= 1 for a, b in zip(parsed, parsed[1:], strict=False)), (
                    context
                )
        elif "linear scale" in aria or "log scale" in aria:
            values = [number(x) for x in labels]
            assert all(b > a for a, b in zip(values, values[1:], strict=False)) or all(
                b < a for a, b in zip(values, values[1:], strict=False)
            ), f"number ticks that do not rise strictly, {context}"
        checked += 1
    return checked


CASES = [("overview", d) for d in (7, 28, 60, 365)] + [
    ("ads", 7),
    ("ads", 28),
    ("ads", 365),
    ("audience", 28),
    ("diagnostics", 28),
    ("content", 28),
]


@pytest.mark.parametrize(("page", "days"), CASES, ids=[f"{p}-{d}d" for p, d in CASES])
def test_every_chart_axis_reads_cleanly_as_drawn(page, days):
    specs = page_specs(page, days)
    if page in ("overview", "ads"):
        assert specs, f"the {page} page drew no chart at {days} days"
    checked = 0
    for i, spec in enumerate(specs):
        for width in WIDTHS:
            where = f"{page} {days}d chart {i + 1}"
            checked += check_axes(spec, days, width, where, 120 if page == "diagnostics" else 0)
    if specs:
        assert checked, "no axis with labels found in the drawings"


def test_the_reader_of_the_drawing_catches_repeated_and_half_day_ticks():
    # The checks above must be able to fail: a spec with the classic faults is refused.
    values = [{"x": f"2026-10-{d:02d}T00:00:00", "v": 0.001 * d} for d in range(25, 32)]
    bad = {
        "data": {"values": values},
        "mark": "line",
        "width": "container",
        "encoding": {
            "x": {"field": "x", "type": "temporal", "axis": {"format": "%-I %p", "tickCount": 20}},
            "y": {"field": "v", "type": "quantitative", "axis": {"format": ".2f", "tickCount": 12}},
        },
    }
    with pytest.raises(AssertionError):
        check_axes(bad, 7, 820, "faulty spec")
    ticks = {
        **bad,
        "encoding": {
            **bad["encoding"],
            "x": {"field": "x", "type": "temporal", "axis": {"format": "%-d %b"}},
        },
    }
    with pytest.raises(AssertionError, match="twice|rise strictly"):
        check_axes(ticks, 7, 820, "faulty y ticks")


def _drawn_time_labels(spec: dict, width: int = 820) -> list[str]:
    svg = vlc.vegalite_to_svg(_fixed_width(spec, width))
    return next(labels for aria, labels in axes(svg) if "time scale" in aria and labels)


def test_date_ticks_fall_on_every_day_every_sunday_or_every_first_of_the_month():
    # Worked out from the calendar, not from the chart code: the Overview's trend over the
    # 7 days to Sat 31 Oct 2026 ticks every day; over 28 days every Sunday (d3's weeks
    # start on Sunday: 4, 11, 18 and 25 Oct); over 365 days every first of a month. Drawn
    # wide, so that no label is dropped for want of room (that is checked above).
    expected = {
        7: [f"{d} Oct" for d in range(25, 32)],
        28: ["4 Oct", "11 Oct", "18 Oct", "25 Oct"],
        365: [
            dt.date(2025 + (m < 11), m, 1).strftime("%b %Y")
            for m in (11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
        ],
    }
    for days, labels in expected.items():
        assert _drawn_time_labels(page_specs("overview", days)[0], 1200) == labels, days


@pytest.mark.parametrize("page", ["overview", "audience", "ads"])
def test_a_window_change_sends_the_same_chart_specs_with_new_data(page):
    # The browser keeps a chart's Vega view and swaps its data when the spec is the same
    # (Streamlit compares the spec with the datasets' names, which are content hashes, put
    # aside); a spec that names the window's days would build every chart anew.
    def specs(days):
        out = []
        for proto in page_protos(page, days):
            spec = proto.spec
            for i, data in enumerate(proto.datasets):
                spec = spec.replace(data.name, f"dataset_{i}")
            out.append((spec, len(proto.datasets)))
        return out

    week, month, year = specs(7), specs(28), specs(365)
    assert week, f"the {page} page drew no chart"
    assert week == month == year
    # and the data did change: not the same chart three times
    assert (
        len(
            {d.name for p in page_protos(page, 7) for d in p.datasets}
            ^ {d.name for p in page_protos(page, 365) for d in p.datasets}
        )
        > 0
    )
