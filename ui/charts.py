"""Altair chart builders: pure functions of already-aggregated frames, one consistent look."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from metrics.definitions import Metric

from .format import d3_format

ACCENT = "#FE2C55"  # TikTok red
SECOND = "#25F4EE"  # TikTok cyan
INK = "#161823"
PALETTE = [ACCENT, "#1F77B4", "#2CA02C", "#9467BD", "#FF7F0E", "#17BECF", "#8C564B"]
HEIGHT = 260


def _style(chart: alt.Chart) -> alt.Chart:
    return (
        chart.configure_axis(labelColor=INK, titleColor=INK, gridColor="#EEE", labelFontSize=11)
        .configure_view(strokeWidth=0)
        .configure_legend(orient="bottom", labelLimit=260)
        .configure_range(category=PALETTE)
    )


def _metric_axis(metric: Metric, currency: str | None) -> str:
    suffix = f" ({currency})" if metric.unit == "currency" and currency else ""
    if metric.unit == "per_mille":
        suffix = " (‰)"
    return f"{metric.label}{suffix}"


def trend(
    frame: pd.DataFrame,
    metrics: list[Metric],
    x: str = "date",
    currency: str | None = None,
    period_label: str = "Day",
) -> alt.Chart:
    """One small line chart per metric (each on its own scale), stacked vertically."""
    charts = []
    for metric in metrics:
        if metric.name not in frame:
            continue
        data = frame[[x, metric.name]].rename(columns={metric.name: "value"})
        fmt = d3_format(metric.unit)
        if metric.unit == "per_mille":  # d3 has no ‰: draw the fraction × 1000, say so
            data = data.assign(value=data["value"] * 1000)
        charts.append(
            alt.Chart(data, height=HEIGHT // (2 if len(metrics) > 1 else 1) + 40)
            .mark_line(point=len(data) <= 60, color=ACCENT, strokeWidth=2)
            .encode(
                x=alt.X(
                    f"{x}:T",
                    title="Week starting" if x == "week" else None,
                    axis=alt.Axis(format="%d %b") if x == "week" else alt.Axis(),
                ),
                y=alt.Y(
                    "value:Q",
                    title=_metric_axis(metric, currency),
                    axis=alt.Axis(format=fmt),
                    # A running total (followers) is read for its movement, not from zero.
                    scale=alt.Scale(zero=metric.aggregation != "last"),
                ),
                tooltip=[
                    alt.Tooltip(f"{x}:T", title=period_label, format="%a %d %b %Y"),
                    alt.Tooltip("value:Q", title=metric.label, format=fmt),
                ],
            )
            .properties(width="container")
        )
    if not charts:
        return _style(alt.Chart(pd.DataFrame({"x": []})).mark_text())
    return _style(alt.vconcat(*charts).resolve_scale(x="shared"))


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


def diverging_days(frame: pd.DataFrame, x: str, value: str, title: str) -> alt.Chart:
    """Daily gains above zero, losses below (the followers' daily balance)."""
    chart = (
        alt.Chart(frame, height=HEIGHT)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:T", title=None),
            y=alt.Y(f"{value}:Q", title=title, axis=alt.Axis(format=",.0f")),
            color=alt.condition(alt.datum[value] >= 0, alt.value("#2CA02C"), alt.value(ACCENT)),
            tooltip=[
                alt.Tooltip(f"{x}:T", title="Day", format="%a %d %b %Y"),
                alt.Tooltip(f"{value}:Q", title=title, format="+,.0f"),
            ],
        )
        .properties(width="container")
    )
    return _style(chart)


def stacked_days(frame: pd.DataFrame, x: str, series: str, value: str, title: str) -> alt.Chart:
    chart = (
        alt.Chart(frame, height=HEIGHT)
        .mark_area(opacity=0.85)
        .encode(
            x=alt.X(f"{x}:T", title=None),
            y=alt.Y(f"{value}:Q", title=title, stack=True, axis=alt.Axis(format=",.0f")),
            color=alt.Color(f"{series}:N", title=None),
            tooltip=[
                alt.Tooltip(f"{x}:T", title="Day", format="%a %d %b %Y"),
                alt.Tooltip(f"{series}:N", title="Viewers"),
                alt.Tooltip(f"{value}:Q", title=title, format=",.0f"),
            ],
        )
        .properties(width="container")
    )
    return _style(chart)


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


def _short(value: float) -> str:
    """12,345,678 → 12.3M: labels short enough for a phone; tooltips carry the full count."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}{suffix}"
    return f"{value:,.0f}"


def funnel(frame: pd.DataFrame, currency: str | None = None) -> alt.Chart:
    """Counts per funnel step as horizontal bars (awareness → consideration → conversion).

    The steps span four or five orders of magnitude (impressions in millions, purchases in
    hundreds), so the axis is logarithmic; bars start at the power of ten below the smallest
    step (a log axis has no zero), and each bar is labelled with its count and its share of the
    step above.
    """
    positive = frame.loc[frame["value"] > 0, "value"]
    floor = 10 ** math.floor(math.log10(positive.min())) if len(positive) else 1
    top = positive.max() * 8 if len(positive) else 10  # room for the labels on the right
    frame = frame.assign(
        floor=floor,
        label=[
            _short(v) + (f" · {r:.1%}" if pd.notna(r) else "")
            for v, r in zip(frame["value"], frame.get("rate", [None] * len(frame)), strict=True)
        ],
    )
    base = alt.Chart(frame, height=alt.Step(36))
    x = alt.X(
        "value:Q",
        title="Count (log scale)",
        scale=alt.Scale(type="log", domain=[floor, top], nice=False),
        axis=alt.Axis(format="~s"),
    )
    bars = base.mark_bar(color=ACCENT, cornerRadiusEnd=3).encode(
        y=alt.Y("step:N", sort=None, title=None),
        x=x,
        x2="floor:Q",
        tooltip=[
            alt.Tooltip("step:N", title="Step"),
            alt.Tooltip("value:Q", title="Count", format=",.0f"),
            alt.Tooltip("rate:Q", title="Of the step above", format=".2%"),
        ],
    )
    text = base.mark_text(align="left", dx=6, fontSize=12, color=INK).encode(
        y=alt.Y("step:N", sort=None), x=x, text="label:N"
    )
    return _style((bars + text).properties(width="container"))


def quadrant(frame: pd.DataFrame) -> alt.Chart:
    """Hook rate × CTR per ad, with interval whiskers and medians as quadrant lines."""
    base = alt.Chart(frame)
    points = base.mark_circle(size=120, color=ACCENT).encode(
        x=alt.X(
            "hook_rate:Q",
            title="Hook rate (2-second views ÷ impressions)",
            axis=alt.Axis(format=".0%"),
        ),
        y=alt.Y("ctr:Q", title="CTR (clicks ÷ impressions)", axis=alt.Axis(format=".2%")),
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
    labels = base.mark_text(align="left", dx=8, dy=-8, fontSize=11, color=INK).encode(
        x="hook_rate:Q", y="ctr:Q", text="ad:N"
    )
    vline = base.mark_rule(strokeDash=[4, 4], color="#BBB").encode(x="median(hook_rate):Q")
    hline = base.mark_rule(strokeDash=[4, 4], color="#BBB").encode(y="median(ctr):Q")
    return _style(
        (xbar + ybar + vline + hline + points + labels).properties(width="container", height=360)
    )


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


def to_png(chart: alt.Chart) -> bytes | None:
    """The chart as PNG bytes (vl-convert), or None where the converter is unavailable."""
    try:
        import vl_convert as vlc
    except ImportError:
        return None
    try:
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
