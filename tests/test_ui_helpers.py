"""The UI's pure helpers: display scaling, labels and chart data (no Streamlit session)."""

import re
from dataclasses import replace

import pandas as pd
import pytest

from metrics.definitions import ADS, ORGANIC, REGISTRY
from ui import charts
from ui.format import ad_label, format_day, format_value
from ui.widgets import shown


def chart_values(chart) -> list[float]:
    spec = chart.to_dict()
    rows = [r for data in spec.get("datasets", {}).values() for r in data]
    return [r["value"] for r in rows if "value" in r]


def test_engagement_per_reach_per_mille_is_drawn_times_a_thousand():
    frame = pd.DataFrame(
        {"date": pd.to_datetime(["2026-07-01", "2026-07-02"]), "engagement_per_reach": [0.04, 0.1]}
    )
    metric = REGISTRY[ORGANIC]["engagement_per_reach"]
    assert chart_values(charts.trend(frame, [metric])) == [0.04, 0.1]  # axis formats as %
    per_mille = replace(metric, unit="per_mille")
    assert chart_values(charts.trend(frame, [per_mille])) == [40.0, 100.0]


def test_per_mille_custom_columns_are_shown_in_per_mille():
    frame = pd.DataFrame({"campaign": ["C"], "spend": [10.0], "x": [0.0123]})
    out = shown(frame, ADS, {"x": "per_mille"})
    assert out["x"].iloc[0] == 12.3 and out["spend"].iloc[0] == 10.0
    assert frame["x"].iloc[0] == 0.0123  # the data itself is untouched


def test_labels_and_days():
    assert format_day("2026-09-20") == "20 Sep 2026" and format_day(None) == ""
    assert ad_label({"ad": "A", "ad_group": "G"}) == "A (G)"
    assert ad_label({"ad": None, "ad_group": "G2", "campaign": "C"}) == "Ad group G2 (C)"
    assert format_value(0.01234, "per_mille") == "12.34 ‰"
    assert format_value(1234.5, "currency", "GBP") == "£1,234.50"


def test_days_have_no_leading_zero_and_columns_their_titles():
    from ui.widgets import column_label

    assert format_day("2025-11-01") == "1 Nov 2025"
    assert column_label("spend", ADS, "GBP") == "Spend (GBP)"
    assert column_label("ad_group", ADS, "GBP") == "Ad group"
    assert column_label("cpc_x", ADS, "GBP", {"cpc_x": "currency"}) == "cpc_x (GBP)"
    assert column_label("ctr", ADS, "GBP") == "CTR"


def test_values_are_rounded_not_cut():
    from ui.numbers import format_value as fv

    # The cases: £0.497 is 0.50 (not 0.49), 1.499 % is 1.50 %, £0.030 keeps three
    # significant digits (not 0.02, a third off).
    assert fv(0.497, "currency", "GBP") == "£0.50"
    assert fv(0.01499, "ratio") == "1.50 %"
    assert fv(0.030, "currency", "GBP") == "£0.0300"
    assert fv(0.00634, "currency", "GBP") == "£0.00634"
    # Halves go up, also where the binary float is just below (1.005 is 1.00499999…).
    assert fv(1.005, "currency", "GBP") == "£1.01"
    assert fv(0.125, "currency", "GBP") == "£0.13"
    assert fv(-0.526, "change") == "-52.6 %"
    assert fv(0.5269, "change") == "+52.7 %"
    assert fv(142451.0, "count") == "142,451"
    assert fv(1234.5, "count") == "1,235"
    assert fv(3000, "currency", "JPY") == "¥3,000"
    assert fv(12.0, "currency", "CHF") == "12.00 CHF"


def test_compact_forms_where_space_is_short():
    from ui.numbers import format_value as fv

    assert fv(199_384.12, "currency", "GBP", compact=True) == "£199.4k"
    assert fv(1_234_567, "count", compact=True) == "1.2M"
    assert fv(999_960, "count", compact=True) == "1.0M"  # not "1000.0k"
    assert fv(9_999, "count", compact=True) == "9,999"
    assert fv(-45_678, "count", compact=True) == "-45.7k"


def test_a_table_column_gets_one_precision_and_is_rounded_before_display():
    from ui.numbers import column_decimals, round_half_up

    assert column_decimals([0.497, 1.2, 3.0], "currency") == 2
    assert column_decimals([0.030, 0.028, 0.05], "currency") == 4  # median 0.030 → 0.0300
    assert column_decimals([0.01499, 0.02], "ratio") == 2
    assert column_decimals([3.0, 4.0], "count") == 0
    assert list(round_half_up([0.497, 0.125, -0.125, 0.29], 2)) == [0.5, 0.13, -0.13, 0.29]


def test_tables_show_rounded_values_in_their_display_units():
    frame = pd.DataFrame(
        {
            "campaign": ["A", "B"],
            "cpc": [0.497, 1.0],
            "ctr": [0.01499, 0.02],
            "impressions": [3.0, 4.0],
        }
    )
    out = shown(frame, ADS, currency="GBP")
    assert list(out["cpc"]) == [0.5, 1.0]
    assert list(out["ctr"]) == [1.5, 2.0]  # percent, rounded at two decimals
    assert frame["cpc"].iloc[0] == 0.497  # the data itself is untouched


def test_counts_download_as_integers():
    from ui.numbers import count_column

    out = count_column(pd.Series([142451.0, None, 3.0]))
    assert str(out.dtype) == "Int64" and out.tolist()[0] == 142451 and pd.isna(out.iloc[1])
    averages = pd.Series([1.5, 2.25])
    assert count_column(averages) is averages


def test_one_day_format():
    from ui.numbers import format_days, format_span

    assert format_span("2024-10-02", "2025-10-01") == "2 Oct 2024 – 1 Oct 2025"
    assert format_span("2026-10-04", "2026-10-10") == "4 – 10 Oct 2026"
    assert format_span("2026-09-28", "2026-10-04") == "28 Sep – 4 Oct 2026"
    stamps = pd.Series(pd.to_datetime(["2026-10-04 14:05", "2026-07-18 00:00", None]))
    assert format_days(stamps, with_time=True).tolist() == ["4 Oct 2026 14:05", "18 Jul 2026", ""]


def test_date_axes_tick_on_whole_days_weeks_or_months_over_the_window():
    import datetime as dt

    # The ticks are chosen in the browser from the drawn span in days (written by hand: a
    # weekly chart ticks every week up to 63 days, every other week beyond).
    days = "(round(span(domain('x')) / 864e5) + 1)"
    weekly = charts.time_axis(weekly=True).to_dict()["axis"]
    assert weekly["tickCount"]["expr"] == (
        f"{days} <= 63 ? {{interval: 'week', step: 1}} : ({{interval: 'week', step: 2}})"
    )
    daily = charts.time_axis().to_dict()["axis"]["tickCount"]["expr"]
    bounds = [8, 14, 63, 120, 400]
    assert [int(b) for b in re.findall(r"<= (\d+)", daily)] == bounds
    assert re.findall(r"interval: '(\w+)', step: (\d)", daily) == [
        ("day", "1"), ("day", "2"), ("week", "1"), ("week", "2"), ("month", "1"), ("month", "3"),
    ]  # fmt: skip
    # The axis spans exactly the window: its first and last day are the data of the
    # invisible edge layer, and the scale is not rounded ("nice") past them.
    end = dt.date(2026, 10, 31)
    x = charts.time_axis()
    layered = charts.with_span((end - dt.timedelta(days=6), end), x).to_dict()
    edges = next(iter(layered["datasets"].values()))
    assert [row["x"] for row in edges] == ["2026-10-25T00:00:00", "2026-10-31T00:00:00"]
    assert x.to_dict()["scale"] == {"nice": False}


def test_the_funnel_is_linear_and_labelled_with_step_rates():
    frame = pd.DataFrame({"step": ["Impressions", "Clicks"], "value": [1_800_000.0, 1_000.0]})
    frame["rate"] = [None, 1_000 / 1_800_000]
    spec = charts.funnel(frame).to_dict()
    text = str(spec)
    assert "'type': 'log'" not in text
    rows = [r for data in spec["datasets"].values() for r in data]
    labels = {r["label"] for r in rows if "label" in r}
    # 1,000 ÷ 1,800,000 = 0.0556 %, three significant digits below 0.1 %
    assert "1,000 · 0.0556 % of the step above" in labels and "1.8M" in labels


def test_the_png_chart_has_a_title_unit_and_dates():
    from unittest import mock

    frame = pd.DataFrame({"campaign": ["A", "B"], "spend": [1.0, 2.0]})
    chart = charts.bars(frame, "campaign", "spend", "Spend (GBP)", "currency")
    with mock.patch("vl_convert.vegalite_to_png", return_value=b"png") as convert:
        assert (
            charts.to_png(chart, "Spend (GBP) by campaign", "Currency · 4 – 31 Oct 2026") == b"png"
        )
    spec = convert.call_args.args[0]
    assert spec["title"]["text"] == "Spend (GBP) by campaign"
    assert spec["title"]["subtitle"] == "Currency · 4 – 31 Oct 2026"


def test_the_page_styles_reach_the_page():
    # Streamlit sends an st.html of style tags alone to its event container, which never
    # puts it in the page, and its sanitiser (DOMPurify) drops a style element whose text
    # holds "<" before a letter, "/" or "!": either way no rule applied. The styles go out
    # beside the script, and their text has no such "<".
    from streamlit.elements.html import _html_only_style_tags

    from ui import look

    sent = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(look.st, "html", lambda body, **options: sent.append(body))
        look.apply()
    assert len(sent) == 1 and look.CSS in sent[0]
    assert not _html_only_style_tags(sent[0])
    rules = re.sub(r"</?style>", "", look.CSS)
    assert not re.search(r"<[/\w!]", rules), re.search(r"<[/\w!].{0,40}", rules)


@pytest.mark.parametrize("per_row", [1, 3, 4])  # what the Overview, Audience and Ads ask for
def test_every_group_of_kpi_cards_has_a_grid_of_its_width(per_row):
    from ui import look
    from ui.widgets import kpi_grid_key

    key = kpi_grid_key(ADS, ["spend", "ctr"], per_row)
    assert key == kpi_grid_key(ADS, ["spend", "ctr"], per_row)  # the same in every rerun
    assert key != kpi_grid_key(ADS, ["spend", "cpc"], per_row)  # two groups on one page
    assert key.startswith(f"kpis_{per_row}_")
    assert (
        f'.stHorizontalBlock[class*="st-key-kpis_{per_row}_"] {{ --kpis: {per_row}; }}' in look.CSS
    )
