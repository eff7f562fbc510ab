"""The UI's pure helpers: display scaling, labels and chart data (no Streamlit session)."""

from dataclasses import replace

import pandas as pd

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
