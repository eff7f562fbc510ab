"""The Reports page's bar chart with more rows than bars: the largest 25 by default, the
smallest 25 or all on request; the table keeps every row."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from tests._apptest import chart_protos

ROOT = Path(__file__).resolve().parent.parent

# 30 ads in one ad group, one day: ad n spends n × £10 (written by hand in the Ads Manager
# export format: By Day, names, Currency, Cost, Impressions, Clicks).
HEADER = "By Day,Campaign name,Ad group name,Ad name,Currency,Cost,Impressions,Clicks (destination)"
ROWS = [f"2026-10-01,Spring,Group A,Ad {n:02d},GBP,£{n * 10:.2f},1000,10" for n in range(1, 31)]
REPORT = ("\n".join([HEADER, *ROWS]) + "\n").encode("utf-8-sig")


def chart_rows(at: AppTest) -> list[str]:
    """The ad names the page's bar chart draws (its Arrow dataset)."""
    found = chart_protos(at)
    assert len(found) == 1, f"{len(found)} charts"
    names = []
    for data in found[0].datasets:
        frame = pa.ipc.open_stream(data.data.data).read_all().to_pandas()
        if "ad" in frame:
            names += frame["ad"].tolist()
    return sorted(names)


def test_a_chart_of_30_ads_draws_the_largest_25_and_on_request_the_smallest_or_all():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py").run()
    at.file_uploader[0].set_value([("Custom report.csv", REPORT, "text/csv")]).run()
    assert not at.exception, [e.message for e in at.exception]
    at.query_params["days"] = "7"
    at.switch_page("pages/reports.py").run()
    assert not at.exception, [e.message for e in at.exception]
    at.selectbox(key="report_chart_metric").set_value("spend").run()
    # Largest spend: ads 06 to 30 (£60 to £300); ads 01 to 05 (£10 to £50) are left out.
    assert chart_rows(at) == [f"Ad {n:02d}" for n in range(6, 31)]
    captions = " ".join(c.value for c in at.caption)
    assert "The 25 ads with the largest Spend" in captions and "of 30" in captions, captions
    # The table above the chart still has all 30 ads.
    assert any(len(df.value) == 30 for df in at.dataframe), [len(df.value) for df in at.dataframe]

    at.session_state["report_chart_bars"] = "smallest"
    at.run()
    assert chart_rows(at) == [f"Ad {n:02d}" for n in range(1, 26)]
    at.session_state["report_chart_bars"] = "all"
    at.run()
    assert chart_rows(at) == [f"Ad {n:02d}" for n in range(1, 31)]


def test_ads_sharing_a_name_in_different_ad_groups_get_a_bar_each():
    # "Video 1" is in two ad groups (£40 and £60), "Video 2" in one (£25): three bars, the two
    # twins told apart by their ad group, never one stacked "Video 1" bar of £100.
    report = (
        "\n".join(
            [
                HEADER,
                "2026-10-01,Spring,Group A,Video 1,GBP,£40.00,1000,10",
                "2026-10-01,Spring,Group B,Video 1,GBP,£60.00,1000,10",
                "2026-10-01,Spring,Group B,Video 2,GBP,£25.00,1000,10",
            ]
        )
        + "\n"
    ).encode("utf-8-sig")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py").run()
    at.file_uploader[0].set_value([("Custom report.csv", report, "text/csv")]).run()
    at.query_params["days"] = "7"
    at.switch_page("pages/reports.py").run()
    at.selectbox(key="report_chart_metric").set_value("spend").run()
    assert not at.exception, [e.message for e in at.exception]
    found = chart_protos(at)
    bars = {}
    for data in found[0].datasets:
        frame = pa.ipc.open_stream(data.data.data).read_all().to_pandas()
        if "ad" in frame:
            bars.update(zip(frame["ad"], frame["spend"], strict=True))
    assert bars == {"Video 1 · Group A": 40.0, "Video 1 · Group B": 60.0, "Video 2": 25.0}
