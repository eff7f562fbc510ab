"""Altair chart builders: pure functions of already-aggregated frames, one consistent look."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict

import altair as alt
import pandas as pd

from metrics.definitions import Metric

from .format import d3_format
from .numbers import format_value

ACCENT = "#FE2C55"  # TikTok red
SECOND = "#25F4EE"  # TikTok cyan
INK = "#161823"
PALETTE = [ACCENT, "#1F77B4", "#2CA02C", "#9467BD", "#FF7F0E", "#17BECF", "#8C564B"]
HEIGHT = 260

# Altair checks every part of a chart against the Vega-Lite schema as it is built ("debug
# mode", for tracebacks that point at the line at fault); the whole spec is still checked
# when Streamlit draws it. Building without the first check halves a chart's cost.
alt.utils.schemapi.disable_debug_mode()

CHART_CACHE_SIZE = 256
_CHARTS: OrderedDict[tuple, alt.TopLevelMixin] = OrderedDict()
_CHARTS_LOCK = threading.Lock()


def _digest(value):
    """A hashable stand-in for a builder's argument: frames by their content."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        h = hashlib.blake2b(digest_size=16)
        columns = list(value.columns) if isinstance(value, pd.DataFrame) else [value.name]
        dtypes = list(value.dtypes) if isinstance(value, pd.DataFrame) else [value.dtype]
        h.update(repr((type(value).__name__, columns, [str(d) for d in dtypes])).encode())
        h.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
        return ("frame", len(value), h.hexdigest())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, *(_digest(v) for v in value))
    if isinstance(value, dict):
        return ("dict", *((k, _digest(v)) for k, v in sorted(value.items(), key=repr)))
    hash(value)
    return value


def _shared(build):
    """The chart of the same data built once: a page's rerun (a click, a page switch, a
    window change back) and every session showing the same figures reuse it. A chart is
    checked against the schema when first drawn; the copy handed out again skips the check
    (it is the same spec). Callers never change a chart in place (Altair's methods copy)."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        try:
            key = (build.__name__, _digest(args), _digest(kwargs))
            hash(key)
        except TypeError:  # an argument that cannot be hashed: build it every time
            return build(*args, **kwargs)
        with _CHARTS_LOCK:
            chart = _CHARTS.get(key)
            if chart is not None:
                _CHARTS.move_to_end(key)
        if chart is not None:
            if "to_dict" not in vars(chart):
                unchecked = functools.partial(type(chart).to_dict, chart, validate=False)
                object.__setattr__(chart, "to_dict", unchecked)
            return chart
        chart = build(*args, **kwargs)
        with _CHARTS_LOCK:
            _CHARTS[key] = chart
            while len(_CHARTS) > CHART_CACHE_SIZE:
                _CHARTS.popitem(last=False)
        return chart

    return wrapper


def _vega_lite_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart as Streamlit sends it (Vega-Lite dict, its datasets as Arrow bytes), worked
    out once per chart object. Altair's to_dict deep-copies every layer (some 50 ms a trend
    chart here); a chart handed out again by `_shared` (a window or page shown before, in
    any session) is sent from this copy. Streamlit's own conversion, so the spec, theme and
    dataset names are exactly those of st.altair_chart."""
    spec = vars(chart).get("_streamlit_spec")
    if spec is None:
        from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

        spec = _convert_altair_to_vega_lite_spec(chart)
        object.__setattr__(chart, "_streamlit_spec", spec)
    # Streamlit takes the datasets out of the dict it is given: a copy of the top level.
    return {**spec, "datasets": dict(spec.get("datasets") or {})}


def draw(where, chart: alt.TopLevelMixin, **options):
    """`where.altair_chart(chart, **options)` (where: st, a column or a container), the
    same element, without converting a chart already drawn once again (`_vega_lite_spec`)."""
    return where.vega_lite_chart(spec=_vega_lite_spec(chart), **options)


def _style(chart: alt.Chart) -> alt.Chart:
    return (
        chart.configure_axis(labelColor=INK, titleColor=INK, gridColor="#EEE", labelFontSize=11)
        .configure_view(strokeWidth=0)
        .configure_legend(orient="bottom", labelLimit=260)
        .configure_range(category=PALETTE)
    )


# Date ticks by the window's length in days: (up to this many days, interval, step, format).
# Whole days, weeks or months, never "12 PM" between two days, never one label twice.
TICKS = [
    (8, "day", 1, "%-d %b"),
    (14, "day", 2, "%-d %b"),
    (63, "week", 1, "%-d %b"),
    (120, "week", 2, "%-d %b"),
    (400, "month", 1, "%b %Y"),
    (None, "month", 3, "%b %Y"),
]
WEEKLY_TICKS = [(63, "week", 1, "%-d %b"), (None, "week", 2, "%-d %b")]


# The axis's length in days, read by Vega from the drawn x scale. Its domain is the span's
# first and last day (from the data, see `with_span`), so the spec itself never names the
# window: a window change sends new data to the same spec, and the browser swaps the data
# of the chart it has instead of building a new one (Streamlit re-creates a Vega view only
# when the spec changes). round(): a window across a daylight-saving change is an hour off.
_DAYS = "(round(span(domain('x')) / 864e5) + 1)"


def _rule_expr(rules: list, value) -> str:
    """A Vega expression choosing by _DAYS along the rules, from the rule's values."""
    *bounded, (_, *last) = rules
    expr = value(*last)
    for most, *rest in reversed(bounded):
        expr = f"{_DAYS} <= {most} ? {value(*rest)} : ({expr})"
    return expr


def time_axis(title: str | None = None, weekly: bool = False, field: str = "x") -> alt.X:
    """A date x axis with ticks on whole days, weeks or months (`TICKS`) over the span
    the chart's data covers (`with_span` adds the window's first and last day to it), so
    charts of one window line up. The ticks are chosen in the browser from that span: one
    spec for every window."""
    rules = WEEKLY_TICKS if weekly else TICKS
    tick_count = _rule_expr(rules, lambda i, step, fmt: f"{{interval: '{i}', step: {step}}}")
    fmt = _rule_expr(rules, lambda i, step, fmt: f"'{fmt}'")
    return alt.X(
        f"{field}:T",
        title=title,
        scale=alt.Scale(nice=False),
        axis=alt.Axis(
            tickCount=alt.ExprRef(tick_count),
            labelExpr=f"timeFormat(datum.value, {fmt})",
            labelOverlap="greedy",
            labelFlush=True,
        ),
    )


def with_span(span: tuple, x: alt.X, *layers: alt.Chart) -> alt.LayerChart:
    """The chart layered over two invisible rules on the span's first and last day: the
    time scale's domain (nice=False) is then exactly the span, taken from data, not from
    the spec. Days without data keep their room, so charts of one window line up."""
    start, end = pd.Timestamp(span[0]).normalize(), pd.Timestamp(span[1]).normalize()
    edges = pd.DataFrame({x.shorthand.split(":")[0]: [start, end]})
    rules = alt.Chart(edges).mark_rule(opacity=0, strokeWidth=0).encode(x=x)
    return alt.layer(rules, *layers)


def axis_format(unit: str) -> str:
    """An axis tick format: like the tooltip's, but trimming zeros and with room for small
    steps, so ticks 0.005 apart never read "0.01 0.01"."""
    return {
        "ratio": ".3~%",
        "currency": ",.4~f",
        "multiple": ",.3~f",
        "per_mille": ",.3~f",
        "seconds": ",.2~f",
    }.get(unit, ",.4~s")


def _metric_axis(metric: Metric, currency: str | None) -> str:
    suffix = f" ({currency})" if metric.unit == "currency" and currency else ""
    if metric.unit == "per_mille":
        suffix = " (‰)"
    return f"{metric.label}{suffix}"


@_shared
def trend(
    frame: pd.DataFrame,
    metrics: list[Metric],
    x: str = "date",
    currency: str | None = None,
    period_label: str = "Day",
    span: tuple | None = None,
) -> alt.Chart:
    """One small line chart per metric (each on its own scale), stacked vertically; `span`
    (first, last day) fixes the date axis, so organic and paid charts share one range."""
    charts = []
    if span is None and len(frame):
        span = (frame[x].min(), frame[x].max())
    for metric in metrics:
        if metric.name not in frame or frame[metric.name].notna().sum() == 0:
            continue
        data = frame[[x, metric.name]].rename(columns={metric.name: "value", x: "x"})
        fmt = d3_format(metric.unit)
        if metric.unit == "per_mille":  # d3 has no ‰: draw the fraction × 1000, say so
            data = data.assign(value=data["value"] * 1000)
        x_axis = time_axis("Week starting" if x == "week" else None, x == "week")
        y_axis = alt.Y(
            "value:Q",
            title=_metric_axis(metric, currency),
            axis=alt.Axis(format=axis_format(metric.unit), tickCount=5),
            # A running total (followers) is read for its movement, not from zero.
            scale=alt.Scale(zero=metric.aggregation != "last"),
        )
        tooltip = [
            alt.Tooltip("x:T", title=period_label, format="%a %-d %b %Y"),
            alt.Tooltip("value:Q", title=metric.label, format=fmt),
        ]
        # A dot on every point of a short line (up to 60 points), none on a long one; said
        # by the data (column "dot"), so the spec stays the same from a week to a year.
        base = alt.Chart(data.assign(dot=len(data) <= 60))
        line = base.mark_line(color=ACCENT, strokeWidth=2).encode(
            x=x_axis, y=y_axis, tooltip=tooltip
        )
        dots = (
            base.transform_filter(alt.datum.dot)
            .mark_point(color=ACCENT, filled=True, opacity=1)
            .encode(x=x_axis, y=y_axis, tooltip=tooltip)
        )
        charts.append(
            with_span(span, x_axis, line, dots).properties(
                height=HEIGHT // (2 if len(metrics) > 1 else 1) + 40, width="container"
            )
        )
    if not charts:
        return _style(alt.Chart(pd.DataFrame({"x": []})).mark_text())
    # Streamlit gives each part of a vertical stack the container's width; for a part that
    # is a layer that width is the plot's, and the y axis came on top (61 px off the edge of
    # a phone). Fitted with its padding, the stack is as wide as its container.
    fit = alt.AutoSizeParams(type="fit-x", contains="padding")
    return _style(alt.vconcat(*charts).resolve_scale(x="shared").properties(autosize=fit))


@_shared
def bars(
    frame: pd.DataFrame,
    category: str,
    value: str,
    title: str,
    unit: str = "count",
    category_title: str | None = None,
    sort: str = "-x",
    color: str = ACCENT,
) -> alt.Chart:
    fmt = d3_format(unit)
    if unit == "per_mille":  # d3 has no ‰ format: show the fraction × 1000 and say so
        frame = frame.assign(**{value: frame[value] * 1000})
        title = f"{title} (‰)"
    # A step per bar, not a fixed height: Streamlit sizes band charts by their step, and a
    # fixed height would squeeze long lists until labels drop out.
    chart = (
        alt.Chart(frame, height=alt.Step(30))
        .mark_bar(color=color, cornerRadiusEnd=3)
        .encode(
            y=alt.Y(
                f"{category}:N", sort=sort, title=category_title, axis=alt.Axis(labelLimit=220)
            ),
            x=alt.X(
                f"{value}:Q",
                title=title,
                axis=alt.Axis(format=".0%" if unit == "ratio" else fmt),
            ),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=category_title or category),
                alt.Tooltip(f"{value}:Q", title=title, format=fmt),
            ],
        )
        .properties(width="container")
    )
    return _style(chart)


def _span(frame: pd.DataFrame, x: str, span: tuple | None) -> tuple:
    return span if span is not None else (frame[x].min(), frame[x].max())


@_shared
def diverging_days(
    frame: pd.DataFrame, x: str, value: str, title: str, span: tuple | None = None
) -> alt.Chart:
    """Daily gains above zero, losses below (the followers' daily balance)."""
    x_axis = time_axis(field=x)
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=x_axis,
            y=alt.Y(f"{value}:Q", title=title, axis=alt.Axis(format=",.0f")),
            color=alt.condition(alt.datum[value] >= 0, alt.value("#2CA02C"), alt.value(ACCENT)),
            tooltip=[
                alt.Tooltip(f"{x}:T", title="Day", format="%a %-d %b %Y"),
                alt.Tooltip(f"{value}:Q", title=title, format="+,.0f"),
            ],
        )
    )
    layered = with_span(_span(frame, x, span), x_axis, chart)
    return _style(layered.properties(height=HEIGHT, width="container"))


@_shared
def stacked_days(
    frame: pd.DataFrame, x: str, series: str, value: str, title: str, span: tuple | None = None
) -> alt.Chart:
    x_axis = time_axis(field=x)
    chart = (
        alt.Chart(frame)
        .mark_area(opacity=0.85)
        .encode(
            x=x_axis,
            y=alt.Y(f"{value}:Q", title=title, stack=True, axis=alt.Axis(format=",.0f")),
            color=alt.Color(f"{series}:N", title=None),
            tooltip=[
                alt.Tooltip(f"{x}:T", title="Day", format="%a %-d %b %Y"),
                alt.Tooltip(f"{series}:N", title="Viewers"),
                alt.Tooltip(f"{value}:Q", title=title, format=",.0f"),
            ],
        )
    )
    layered = with_span(_span(frame, x, span), x_axis, chart)
    return _style(layered.properties(height=HEIGHT, width="container"))


@_shared
def heatmap(frame: pd.DataFrame, title: str = "Active followers") -> alt.Chart:
    """Day × hour of the most active followers."""
    chart = (
        alt.Chart(frame, height=alt.Step(30))
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title="Hour of the day"),
            y=alt.Y("day:N", title=None, sort=None),
            color=alt.Color("active_followers:Q", title=title, scale=alt.Scale(scheme="reds")),
            tooltip=[
                alt.Tooltip("day:N", title="Day"),
                alt.Tooltip("hour:O", title="Hour"),
                alt.Tooltip("active_followers:Q", title=title, format=",.0f"),
            ],
        )
        .properties(width="container")
    )
    return _style(chart)


@_shared
def funnel(frame: pd.DataFrame, currency: str | None = None) -> alt.Chart:
    """Counts per funnel step as horizontal bars on a linear axis (awareness → consideration →
    conversion), so a step's bar is as long as its count is large: conversions are a sliver
    of impressions because they are. Each bar is labelled with its count and the step
    conversion rate (its share of the step above)."""
    labels = []
    for v, r in zip(frame["value"], frame.get("rate", [None] * len(frame)), strict=True):
        text = format_value(v, "count", compact=True)
        if pd.notna(r):
            text += f" · {format_value(r, 'ratio')} of the step above"
        labels.append(text)
    frame = frame.assign(label=labels)
    y = alt.Y("step:N", sort=None, title=None, axis=alt.Axis(labelLimit=160))
    bars = (
        alt.Chart(frame, height=alt.Step(40))
        .mark_bar(color=ACCENT, cornerRadiusEnd=3)
        .encode(
            y=y,
            x=alt.X("value:Q", title="Count in the window", axis=alt.Axis(format="~s")),
            tooltip=[
                alt.Tooltip("step:N", title="Step"),
                alt.Tooltip("value:Q", title="Count", format=",.0f"),
                alt.Tooltip("rate:Q", title="Of the step above", format=".2%"),
            ],
        )
    )
    # A label sits after its bar, or inside it (white) when the bar is long, so it never
    # runs off the right edge on a phone.
    long = frame["value"] >= 0.55 * frame["value"].max()
    frame = frame.assign(inside=long.to_numpy())
    base = alt.Chart(frame, height=alt.Step(40))
    outside = (
        base.transform_filter(~alt.datum.inside)
        .mark_text(align="left", dx=6, fontSize=12, color=INK)
        .encode(y=y, x="value:Q", text="label:N")
    )
    inside = (
        base.transform_filter(alt.datum.inside)
        .mark_text(align="right", dx=-6, fontSize=12, color="white", fontWeight="bold")
        .encode(y=y, x="value:Q", text="label:N")
    )
    return _style((bars + outside + inside).properties(width="container"))


def _padded(low: pd.Series, high: pd.Series) -> list[float]:
    """An axis domain around every whisker with 15 % room, so no point sits on an edge."""
    lo, hi = float(low.min()), float(high.max())
    pad = (hi - lo) * 0.15 or abs(hi) * 0.1 or 0.01
    return [max(0.0, lo - pad), hi + pad]


@_shared
def quadrant(frame: pd.DataFrame) -> alt.Chart:
    """Hook rate × CTR per ad, with interval whiskers and medians as quadrant lines. The axes
    span the ads' intervals (not zero to the largest), and labels alternate above and below
    their points (by CTR order) so two close ads do not print over each other."""
    frame = frame.copy()
    order = frame["ctr"].rank(method="first")
    frame["label_above"] = (order % 2 == 0).to_numpy()
    x_scale = alt.Scale(domain=_padded(frame["hook_low"], frame["hook_high"]), nice=False)
    y_scale = alt.Scale(domain=_padded(frame["ctr_low"], frame["ctr_high"]), nice=False)
    base = alt.Chart(frame)
    x = alt.X(
        "hook_rate:Q",
        title="Hook rate (2-second views ÷ impressions)",
        scale=x_scale,
        axis=alt.Axis(format=".1~%"),
    )
    y = alt.Y(
        "ctr:Q", title="CTR (clicks ÷ impressions)", scale=y_scale, axis=alt.Axis(format=".2~%")
    )
    points = base.mark_circle(size=120, color=ACCENT).encode(
        x=x,
        y=y,
        tooltip=[
            alt.Tooltip("ad:N", title="Ad"),
            alt.Tooltip("ad_group:N", title="Ad group"),
            alt.Tooltip("hook_rate:Q", title="Hook rate", format=".2%"),
            alt.Tooltip("ctr:Q", title="CTR", format=".2%"),
            alt.Tooltip("impressions:Q", title="Impressions", format=",.0f"),
        ],
    )
    xbar = base.mark_rule(color="#999").encode(x="hook_low:Q", x2="hook_high:Q", y="ctr:Q")
    ybar = base.mark_rule(color="#999").encode(y="ctr_low:Q", y2="ctr_high:Q", x="hook_rate:Q")
    above = (
        base.transform_filter(alt.datum.label_above)
        .mark_text(align="center", dy=-14, fontSize=11, color=INK, limit=200)
        .encode(x="hook_rate:Q", y="ctr:Q", text="ad:N")
    )
    below = (
        base.transform_filter(~alt.datum.label_above)
        .mark_text(align="center", dy=16, fontSize=11, color=INK, limit=200)
        .encode(x="hook_rate:Q", y="ctr:Q", text="ad:N")
    )
    vline = base.mark_rule(strokeDash=[4, 4], color="#BBB").encode(x="median(hook_rate):Q")
    hline = base.mark_rule(strokeDash=[4, 4], color="#BBB").encode(y="median(ctr):Q")
    return _style(
        (xbar + ybar + vline + hline + points + above + below).properties(
            width="container", height=360
        )
    )


@_shared
def retention(frame: pd.DataFrame) -> alt.Chart:
    """Share of impressions still watching at each stage after the impression: the ad (red)
    against its ad group (grey, dashed). The impression itself (always 100 %) is left out so
    the drop between 2 s and 6 s is visible."""
    frame = frame[frame["stage"] != "Impression"]
    ad_name = next((s for s in frame["series"].unique() if s != "Ad group"), "Ad")
    chart = (
        alt.Chart(frame, height=320)
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("stage:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title="Share of impressions", axis=alt.Axis(format=".0%")),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=[ad_name, "Ad group"], range=[ACCENT, "#8A8B91"]),
                legend=alt.Legend(orient="top"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=[ad_name, "Ad group"], range=[[1, 0], [5, 4]]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("share:Q", title="Share of impressions", format=".2%"),
            ],
        )
        .properties(width="container")
    )
    return _style(chart)


@_shared
def side_by_side(frame: pd.DataFrame, title: str) -> alt.Chart:
    chart = (
        alt.Chart(frame, height=HEIGHT)
        .mark_bar()
        .encode(
            x=alt.X("source:N", title=None),
            y=alt.Y("value:Q", title=title),
            color=alt.Color("source:N", title=None, scale=alt.Scale(range=[SECOND, ACCENT])),
            tooltip=[alt.Tooltip("source:N"), alt.Tooltip("value:Q", format=",.2f")],
        )
        .properties(width="container")
    )
    return _style(chart)


def can_png() -> bool:
    """Whether charts can be drawn as PNG here (vl-convert installed)."""
    import importlib.util

    return importlib.util.find_spec("vl_convert") is not None


def to_png(chart: alt.Chart, title: str | None = None, subtitle: str | None = None) -> bytes | None:
    """The chart as PNG bytes (vl-convert), with a title and a subtitle (unit, date range) so
    the picture says what it shows away from the app; None where the converter is missing."""
    try:
        import vl_convert as vlc
    except ImportError:
        return None
    try:
        if title:
            chart = chart.properties(
                title=alt.TitleParams(
                    title, subtitle=subtitle or "", anchor="start", fontSize=16, color=INK
                )
            )
        spec = _fixed_width(chart.to_dict(), 760)
        return vlc.vegalite_to_png(spec, scale=2)
    except Exception:  # noqa: BLE001 - a missing PNG must never break the page
        return None


def _fixed_width(spec, width: int):
    """Replace "container" widths (which need a browser) by a fixed width, recursively."""
    if isinstance(spec, dict):
        return {
            k: (width if k == "width" and v == "container" else _fixed_width(v, width))
            for k, v in spec.items()
        }
    if isinstance(spec, list):
        return [_fixed_width(v, width) for v in spec]
    return spec
