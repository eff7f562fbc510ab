"""Custom columns & reports: formula editor, templates as JSON, downloads as CSV, XLSX and PNG."""

import streamlit as st

from metrics.definitions import ADS, REGISTRY
from metrics.export import to_csv_bytes, to_xlsx_bytes
from metrics.formula import MAX_LENGTH, UNITS, FormulaError, parse_custom_column
from metrics.report import bar_labels, chart_rows
from metrics.templates import Template, TemplateError, load_template
from metrics.windows import WINDOW_DAYS
from ui import charts, state
from ui.derived import table, unavailable
from ui.format import escape_md, format_span
from ui.frame import page_setup
from ui.templates import (
    choose_template_next_run,
    metric_picker,
    pick_template,
    unique_columns,
)
from ui.widgets import (
    DIMENSION_LABELS,
    column_config,
    column_label,
    currency_warning,
    download_frame,
    empty_state,
    shown,
    stop_unless_ads_in_window,
    unit_of,
)

CHART_BARS = 25  # bars drawn at most unless "all" is asked for (the table has every row)
UNIT_LABELS = {
    "count": "Count",
    "currency": "Currency",
    "ratio": "Ratio (shown as %)",
    "per_mille": "Per mille (‰)",
    "seconds": "Seconds",
    "multiple": "Multiple (×)",
}

dataset = page_setup(
    "Custom columns & reports",
    "Like Ads Manager's Custom Columns: define a column from metric names, "
    "numbers and + − × ÷. It is computed from each row's sums, so ratios stay "
    "sum ÷ sum.",
)
window = st.session_state[state.WINDOW]
custom = st.session_state[state.CUSTOM_COLUMNS]
names = set(REGISTRY[ADS])


def _add(column) -> None:
    """Add the column and empty the editor (before the rerun draws it again)."""
    st.session_state[state.CUSTOM_COLUMNS] = [*st.session_state[state.CUSTOM_COLUMNS], column]
    st.session_state["formula_text"] = ""


st.subheader("New column")
left, right = st.columns([3, 1])
definition = left.text_input(
    "Column",
    placeholder="cost_per_2s_view = spend / video_watched_2s",
    key="formula_text",
    max_chars=MAX_LENGTH,
    help="name = expression. The expression takes metric names (listed below), numbers, "
    f"+ − × ÷ (or + - * /) and parentheses; at most {MAX_LENGTH} characters in all.",
)
state.seed("formula_unit", "currency")
unit = right.selectbox("Unit", UNITS, format_func=UNIT_LABELS.get, key="formula_unit")
with st.expander("Metric names you can use"):
    st.dataframe(
        [{"name": m.name, "metric": m.label, "formula": m.formula} for m in REGISTRY[ADS].values()],
        hide_index=True,
        width="stretch",
    )

column = None
if definition.strip():
    try:
        column = parse_custom_column(definition, names | {c.name for c in custom}, unit)
    except FormulaError as err:
        st.error(escape_md(err.message))
        if err.pointer():
            st.code(err.pointer(), language=None)
if column is not None and dataset is not None and dataset.has("ads") and window is not None:
    preview = table(dataset, "campaign", window, ["spend"], [column])
    st.success(f"Valid. Preview per campaign for {format_span(window.start, window.end)}:")
    st.dataframe(
        shown(preview, ADS, {column.name: unit}, dataset.currency),
        hide_index=True,
        width="stretch",
        column_config=column_config(preview, ADS, dataset.currency, {column.name: unit}, [column]),
    )
    st.button("Add column", key="add_column", type="primary", on_click=_add, args=(column,))
elif column is not None:
    st.success("Valid. Load an Ads Manager report to see it computed.")
    st.button("Add column", key="add_column", on_click=_add, args=(column,))

if custom:
    st.subheader("Your columns")
    for i, col in enumerate(custom):
        a, b = st.columns([5, 1])
        a.code(f"{col.name} = {col.expression}    [{UNIT_LABELS[col.unit]}]", language=None)
        if b.button("Remove", key=f"remove_column_{i}"):
            st.session_state[state.CUSTOM_COLUMNS] = [c for c in custom if c.name != col.name]
            st.rerun()

st.subheader("Report")
currency_warning(dataset)
stop_unless_ads_in_window(dataset, window)
if dataset is None or not dataset.has("ads") or window is None:
    empty_state("ads", "Your report table")
    st.stop()
template = pick_template("reports_template")
state.seed(
    f"reports_level_{template.name if template else ''}", template.level if template else "ad"
)
level = (
    st.segmented_control(
        "Level",
        ["campaign", "ad_group", "ad"],
        format_func=DIMENSION_LABELS.get,
        key=f"reports_level_{template.name if template else ''}",
    )
    or "ad"
)
default = list(template.metrics) if template else ["spend", "impressions", "ctr", "cpc"]
metrics = metric_picker(
    ADS,
    unavailable(dataset, ADS),
    default,
    f"reports_metrics_{template.name if template else ''}",
    template,
)
columns = unique_columns([*custom, *(template.custom if template else ())])
frame = table(dataset, level, window, metrics, columns)
units = {c.name: c.unit for c in columns}
st.dataframe(
    shown(frame, ADS, units, dataset.currency),
    hide_index=True,
    width="stretch",
    key="report_table",
    column_config=column_config(frame, ADS, dataset.currency, units, columns),
)

stamp = f"{window.start:%Y%m%d}-{window.end:%Y%m%d}"
export, export_units = download_frame(frame, ADS, dataset.currency, units)
a, b, c = st.columns(3)
a.download_button(
    "Download CSV",
    to_csv_bytes(export),
    f"tiktok_{level}_{stamp}.csv",
    "text/csv",
    key="download_csv",
    width="stretch",
)
b.download_button(
    "Download XLSX",
    # Built when clicked, in memory, not on every run of the page.
    lambda: to_xlsx_bytes(export, units=export_units),
    f"tiktok_{level}_{stamp}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="download_xlsx",
    width="stretch",
)
saved = Template(
    name=st.session_state.get("template_name") or "My report",
    level=level,
    metrics=tuple(metrics),
    custom=tuple(columns),
    days=window.days if window.days in WINDOW_DAYS else 28,
)
c.download_button(
    "Save template (JSON)",
    saved.to_json(),
    "tiktok_report_template.json",
    "application/json",
    key="download_template",
    width="stretch",
)
state.seed("template_name", "My report")
st.text_input("Template name", key="template_name", max_chars=80)
if window.days not in WINDOW_DAYS:
    st.caption(
        "Templates remember a 7, 28, 60 or 365-day window; this custom window is saved as 28 days."
    )

chartable = [m for m in metrics if m in frame] + [col.name for col in columns]
if chartable and not frame.empty:
    st.subheader("Chart")
    pick = st.selectbox(
        "Metric to chart",
        chartable,
        key="report_chart_metric",
        format_func=lambda n: REGISTRY[ADS][n].label if n in REGISTRY[ADS] else n,
    )
    label = column_label(pick, ADS, dataset.currency, units)
    # Thousands of bars are neither readable nor quick to draw: beyond CHART_BARS rows the
    # chart shows the largest (or smallest) CHART_BARS, or all on request; the table above
    # and the downloads always have every row.
    # A bar needs a name and a value; names shared by ads of different ad groups (or ad groups
    # of different campaigns) are told apart by their parent's name, so they are not stacked.
    drawable = frame.dropna(subset=[level, pick])
    drawable = drawable[[pick]].assign(**{level: bar_labels(drawable, level)})
    with_value = len(drawable)
    which, of_all = "all", ""
    if with_value > CHART_BARS:
        noun = DIMENSION_LABELS[level].lower()
        state.seed("report_chart_bars", "largest")
        which = st.segmented_control(
            "Bars",
            ["largest", "smallest", "all"],
            format_func={
                "largest": f"Largest {CHART_BARS}",
                "smallest": f"Smallest {CHART_BARS}",
                "all": f"All {with_value:,}",
            }.get,
            key="report_chart_bars",
        )
        which = which or "largest"
        if which != "all":
            of_all = f" · the {which} {CHART_BARS} of {with_value:,} {noun}s"
            blank = int(frame[pick].isna().sum())
            rest = f" ({blank:,} more have no value)" if blank else ""
            st.caption(
                f"The {CHART_BARS} {noun}s with the {which} {escape_md(label)}, of "
                f"{with_value:,}{rest}; the table above and the downloads have all of them."
            )
    shown = chart_rows(drawable, pick, CHART_BARS, which)
    chart = charts.bars(
        shown,
        level,
        pick,
        label,
        unit_of(pick, ADS, units) or "count",
        category_title=DIMENSION_LABELS[level],
    )
    charts.draw(st, chart, width="stretch")
    title = f"{label} by {DIMENSION_LABELS[level].lower()}"
    subtitle = (
        f"{UNIT_LABELS.get(unit_of(pick, ADS, units) or 'count', 'Count')} · "
        f"{format_span(window.start, window.end)} ({window.days} days){of_all}"
    )
    if charts.can_png():
        # Drawn only when the button is clicked: a PNG costs most of a second to render.
        st.download_button(
            "Download chart (PNG)",
            lambda: charts.to_png(chart, title=title, subtitle=subtitle) or b"",
            f"tiktok_{pick}_{stamp}.png",
            "image/png",
            key="download_png",
        )

st.subheader("Load a template")
uploaded = st.file_uploader("Template (.json)", type=["json"], key="template_upload")
if uploaded is not None:
    try:
        loaded = load_template(uploaded.getvalue())
    except TemplateError as err:
        st.error(escape_md(str(err)))
    else:
        known = st.session_state[state.USER_TEMPLATES]
        if loaded not in known:
            existing = [t for t in known if t.name != loaded.name]
            st.session_state[state.USER_TEMPLATES] = [*existing, loaded]
            choose_template_next_run("reports_template", f"{loaded.name} (yours)")
            st.rerun()
        st.success(
            f"Template “{escape_md(loaded.name)}” is loaded and chosen above; it is also in the "
            "Ads page's template list."
        )
