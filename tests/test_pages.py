"""Every page under Streamlit's AppTest, on the sample data and through the uploader.

The numbers a page shows are checked against numbers worked out here, independently of
metrics/: from sample_data/.generator/expected.json, or with pandas straight from the raw
export files (£ and thousands separators stripped, TikTok Studio's year-less dates laid out
from the first day the generator recorded). The default window is the last 28 days ending on
the newest day in the data; the previous period is the same number of days just before it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
SAMPLE = ROOT / "sample_data"
EXPECTED = json.loads((SAMPLE / ".generator" / "expected.json").read_text(encoding="utf-8"))
BY_FILE = {f["file"]: f for f in EXPECTED["files"]}
STORY = EXPECTED["story"]

ADS_NAME = "Custom_report_20260801_20261031_GMT+0.csv"
OVERVIEW_ZIP = "Overview_2025-11-01_1793448000_northwind.coffee.zip"
FOLLOWERS_ZIP = "Followers_northwind.coffee.zip"
CONTENT_ZIP = "Content_northwind.coffee.zip"
BUSINESS_CSV = "overview_business_last60.csv"
TIMEOUT = 60
PAGES_DIR = "pages"  # the page scripts, relative to app.py


# --------------------------------------------------------------------------- raw files


def _number(column: pd.Series) -> pd.Series:
    """'£1,234.56', '12,345', '--' → 1234.56, 12345, NaN."""
    cleaned = column.str.replace(r"[£,]", "", regex=True).str.strip()
    return pd.to_numeric(cleaned.where(cleaned != "--"), errors="coerce")


def read_ads(data: bytes) -> pd.DataFrame:
    """The Ads Manager CSV with plain numbers, its totals row dropped."""
    raw = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    raw = raw[~raw["By Day"].str.startswith("Total of")]
    return pd.DataFrame(
        {
            "date": pd.to_datetime(raw["By Day"], format="%Y-%m-%d"),
            "campaign": raw["Campaign name"],
            "ad_group": raw["Ad group name"],
            "ad": raw["Ad name"],
            "spend": _number(raw["Cost"]),
            "impressions": _number(raw["Impressions"]),
            "clicks": _number(raw["Clicks (destination)"]),
            "daily_ctr": _number(raw["CTR (destination)"].str.rstrip("%")) / 100,
            "watched_2s": _number(raw["2-second video views"]),
        }
    ).reset_index(drop=True)


@cache
def sample_ads() -> pd.DataFrame:
    return read_ads((SAMPLE / ADS_NAME).read_bytes())


def _studio_csv(zip_name: str, member: str) -> pd.DataFrame:
    """A year-less TikTok Studio CSV, dated from the first day the generator recorded."""
    with zipfile.ZipFile(SAMPLE / zip_name) as z:
        frame = pd.read_csv(io.BytesIO(z.read(member)), encoding="utf-8-sig")
    info = BY_FILE[f"{zip_name}/{member}"]
    frame["date"] = pd.date_range(info["first_date"], periods=len(frame), freq="D")
    # The file's own "November 1" labels must agree with the dates laid out above.
    labels = frame["date"].dt.strftime("%B ") + frame["date"].dt.day.astype(str)
    assert (labels == frame["Date"]).all(), f"{member}: dates are not one row per day"
    assert frame["date"].iloc[-1] == pd.Timestamp(info["last_date"])
    return frame


@cache
def sample_overview() -> pd.DataFrame:
    return _studio_csv(OVERVIEW_ZIP, "Overview.csv")


@cache
def sample_followers() -> pd.Series:
    return _studio_csv(FOLLOWERS_ZIP, "FollowerHistory.csv").set_index("date")["Followers"]


@cache
def sample_content() -> pd.DataFrame:
    with zipfile.ZipFile(SAMPLE / CONTENT_ZIP) as z:
        return pd.read_csv(io.BytesIO(z.read("Content.csv")), encoding="utf-8-sig")


def newest_day() -> dt.date:
    """The newest day in any daily sample table: the default end of the window."""
    return max(
        sample_ads()["date"].max(),
        sample_overview()["date"].max(),
        sample_followers().index.max(),
    ).date()


# --------------------------------------------------------------------------- windows


def window(days: int, end: dt.date | None = None) -> tuple[dt.date, dt.date]:
    end = end or newest_day()
    return end - dt.timedelta(days=days - 1), end


def previous(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    days = (end - start).days + 1
    prev_end = start - dt.timedelta(days=1)
    return prev_end - dt.timedelta(days=days - 1), prev_end


def within(frame: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    return frame[(frame["date"] >= pd.Timestamp(start)) & (frame["date"] <= pd.Timestamp(end))]


# --------------------------------------------------------------------------- display


def money(value: float) -> str:
    return f"£{value:,.2f}"


def compact(value: float) -> str:
    """A KPI card's count: 1,068 / 245.7k / 36.1M."""
    if abs(value) >= 10_000:
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                return f"{value / size:,.1f}{suffix}"
    return f"{value:,.0f}"


def half_up(value: float, decimals: int) -> float:
    """Rounded as a person rounds the number they see (half away from zero), via Decimal."""
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP))


def percent(value: float) -> str:
    return f"{value * 100:,.2f} %"


def change(current: float, before: float) -> str:
    return f"{(current / before - 1) * 100:+.1f} %"


def unescape(markdown: str) -> str:
    """Text as the reader sees it: the app backslash-escapes Markdown in names and messages."""
    return re.sub(r"\\(.)", r"\1", markdown)


# --------------------------------------------------------------------------- the app


def open_app(**query: str) -> AppTest:
    """A new session (with query parameters, as from a shared link); opens on the Overview."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run(timeout=TIMEOUT)
    assert_clean(at)
    return at


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"{PAGES_DIR}/{page}.py").run(timeout=TIMEOUT)
    assert_clean(at)
    return at


@cache
def rendered(page: str, **query: str) -> AppTest:
    """`goto(open_app(**query), page)` made once per test process, for the tests that only
    read what the page drew (they never click, type or switch pages on it: the next test that
    reads it sees the same page). Tests that share one are in one xdist group (`shared`)."""
    return goto(open_app(**query), page)


def shared(page: str, **query: str):
    """The xdist group of the tests that read `rendered(page, **query)`: under -n they run on
    one worker, so the page is drawn once per run (without -n the mark does nothing)."""
    key = "-".join([page, *(f"{k}={v}" for k, v in sorted(query.items()))])
    return pytest.mark.xdist_group(f"pages-{key}")


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def card(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no KPI card {label!r}; cards: {[m.label for m in at.metric]}"
    return found[0]


def card_money(at: AppTest, label: str) -> str:
    """A money card: compact on its face (£199.4k), the exact amount in its help text."""
    metric = card(at, label)
    exact = re.search(r"Exactly (\S+?)\.(?:\s|$)", metric.help or "")
    assert exact, metric.help
    amount = float(exact.group(1).lstrip("£").replace(",", ""))
    assert metric.value == compact_money(amount), (metric.value, amount)
    return exact.group(1)


def compact_money(value: float) -> str:
    """£199,383.71 → £199.4k (one decimal of thousands), below £10,000 in full."""
    if abs(value) >= 1e6:
        return f"£{value / 1e6:,.1f}M"
    if abs(value) >= 10_000:
        return f"£{value / 1e3:,.1f}k"
    return money(value)


def delta(metric) -> str:
    """The change shown on a card, without the ' · within noise' note."""
    return metric.delta.split(" · ")[0]


def tables(at: AppTest, *columns: str) -> list[pd.DataFrame]:
    """The tables shown (st.dataframe without selection has no key in AppTest) with these columns."""
    return [d.value for d in at.dataframe if all(c in d.value for c in columns)]


def table(at: AppTest, *columns: str) -> pd.DataFrame:
    found = tables(at, *columns)
    assert len(found) == 1, f"{len(found)} tables with columns {columns}"
    return found[0]


def sidebar_caption(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def span(start: dt.date, end: dt.date) -> str:
    """The app's day range, written out here from its rule: "4 – 31 Oct 2026",
    "6 Sep – 3 Oct 2026", "2 Oct 2025 – 1 Oct 2026" (the year once when both share it)."""
    if start.year != end.year:
        return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
    if start.month != end.month:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day} – {end.day} {end:%b %Y}"


def window_caption(start: dt.date, end: dt.date) -> str:
    days = (end - start).days + 1
    p_start, p_end = previous(start, end)
    return f"{span(start, end)} ({days} days), compared with {span(p_start, p_end)}."


def campaign_totals(ads: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    return within(ads, start, end).groupby("campaign")[["spend", "impressions", "clicks"]].sum()


# --------------------------------------------------------------------------- the sample data


def test_the_raw_files_agree_with_the_generator():
    """The pandas readers above reproduce the generator's own totals, so they can be trusted."""
    ads = BY_FILE[ADS_NAME]
    raw = sample_ads()
    assert len(raw) == ads["rows"]
    assert raw["spend"].sum() == pytest.approx(ads["sums"]["spend"], abs=0.005)
    assert raw["impressions"].sum() == ads["sums"]["impressions"]
    assert raw["clicks"].sum() == ads["sums"]["clicks"]
    by_campaign = raw.groupby("campaign")["spend"].sum()
    for campaign, spend in ads["spend_by_campaign"].items():
        assert by_campaign[campaign] == pytest.approx(spend, abs=0.005)
    overview = BY_FILE[f"{OVERVIEW_ZIP}/Overview.csv"]["sums"]
    assert sample_overview()["Video Views"].sum() == overview["video_views"]
    followers = BY_FILE[f"{FOLLOWERS_ZIP}/FollowerHistory.csv"]["sums"]
    assert sample_followers().iloc[0] == followers["followers_first"]
    assert sample_followers().iloc[-1] == followers["followers_last"]
    assert newest_day() == dt.date(2026, 10, 31)


def test_overview_kpis_for_the_default_28_days():
    start, end = window(28)
    p_start, p_end = previous(start, end)
    at = goto(open_app(), "overview")
    assert sidebar_caption(at) == window_caption(start, end)
    assert at.query_params.get("days") == "28"

    spend_now = within(sample_ads(), start, end)["spend"].sum()
    spend_before = within(sample_ads(), p_start, p_end)["spend"].sum()
    spend = card(at, "Spend")
    assert card_money(at, "Spend") == money(spend_now)
    assert delta(spend) == change(spend_now, spend_before)

    views_now = within(sample_overview(), start, end)["Video Views"].sum()
    views_before = within(sample_overview(), p_start, p_end)["Video Views"].sum()
    views = card(at, "Video views")
    assert views.value == compact(views_now)
    assert delta(views) == change(views_now, views_before)

    ads = within(sample_ads(), start, end)
    assert card(at, "CTR").value == percent(ads["clicks"].sum() / ads["impressions"].sum())


def test_overview_follows_the_window_picked_in_the_sidebar():
    at = goto(open_app(), "overview")
    at.segmented_control(key="window_choice").set_value("7").run(timeout=TIMEOUT)
    assert_clean(at)
    start, end = window(7)
    p_start, p_end = previous(start, end)
    assert sidebar_caption(at) == window_caption(start, end)
    assert at.query_params.get("days") == "7"  # mirrored in the URL

    spend_now = within(sample_ads(), start, end)["spend"].sum()
    spend_before = within(sample_ads(), p_start, p_end)["spend"].sum()
    assert card_money(at, "Spend") == money(spend_now)
    assert delta(card(at, "Spend")) == change(spend_now, spend_before)
    views_now = within(sample_overview(), start, end)["Video Views"].sum()
    views_before = within(sample_overview(), p_start, p_end)["Video Views"].sum()
    assert card(at, "Video views").value == compact(views_now)
    assert delta(card(at, "Video views")) == change(views_now, views_before)
    # and not the 28-day number any more
    assert card_money(at, "Spend") != money(within(sample_ads(), *window(28))["spend"].sum())


@pytest.mark.parametrize("days", [7, pytest.param(60, marks=shared("overview", days="60"))])
def test_overview_reads_the_window_from_the_url(days):
    at = rendered("overview", days=str(days))
    start, end = window(days)
    assert sidebar_caption(at) == window_caption(start, end)
    assert card_money(at, "Spend") == money(within(sample_ads(), start, end)["spend"].sum())
    views = within(sample_overview(), start, end)["Video Views"].sum()
    assert card(at, "Video views").value == compact(views)


@shared("overview", days="365")
def test_overview_over_365_days_gives_the_generator_totals():
    at = rendered("overview", days="365")
    assert sidebar_caption(at) == window_caption(*window(365))
    ads = BY_FILE[ADS_NAME]["sums"]
    organic = BY_FILE[f"{OVERVIEW_ZIP}/Overview.csv"]["sums"]
    assert card_money(at, "Spend") == money(ads["spend"])
    assert card(at, "Video views").value == compact(organic["video_views"])
    assert card(at, "Impressions").value == compact(ads["impressions"])
    assert card(at, "CTR").value == percent(ads["clicks"] / ads["impressions"])


def test_overview_with_an_end_day_in_the_url():
    end = dt.date(2026, 10, 20)
    at = goto(open_app(days="7", end=end.isoformat()), "overview")
    start, _ = window(7, end)
    assert sidebar_caption(at) == window_caption(start, end)
    assert card_money(at, "Spend") == money(within(sample_ads(), start, end)["spend"].sum())
    assert at.query_params == {"days": "7", "end": "2026-10-20"}


def test_content_top_post_is_the_most_viewed_in_the_content_file():
    # Over 365 days (1 Nov 2025 – 31 Oct 2026) every post of the export is in the window.
    content = sample_content()
    best = content.loc[content["Total views"].idxmax()]
    at = goto(open_app(days="365"), "content")
    top, everything = tables(at, "Title", "video_views")  # top posts, then all posts
    assert top.loc[0, "Title"] == best["Video title"]
    assert top.loc[0, "video_views"] == best["Total views"]
    assert top.loc[0, "likes"] == best["Total likes"]
    engagement = (best["Total likes"] + best["Total comments"] + best["Total shares"]) / best[
        "Total views"
    ]
    assert top.loc[0, "engagement_rate"] == half_up(engagement * 100, 2)  # shown in %
    assert top.loc[0, "video_link"] == best["Video link"] == STORY["viral_video_link"]
    assert list(top["video_views"]) == sorted(content["Total views"], reverse=True)[: len(top)]

    assert len(everything) == len(content) == BY_FILE[f"{CONTENT_ZIP}/Content.csv"]["rows"]
    assert (
        everything["video_views"].sum()
        == BY_FILE[f"{CONTENT_ZIP}/Content.csv"]["sums"]["video_views"]
    )


def test_content_top_posts_are_the_posts_of_the_window():
    # 28 days ending 31 Oct 2026 start on 4 Oct: of the export's posts only "October 11" is
    # in it, so the top list has that one post (not five posts from ten months).
    content = sample_content()
    october = content.loc[content["Post time"] == "October 11"].iloc[0]
    at = goto(open_app(), "content")
    top = tables(at, "Title", "video_views")[0]
    assert list(top["Title"]) == [october["Video title"]]
    assert card(at, "Posts published in the window").value == "1"


def test_one_post_against_the_account():
    # The viral post against the 15 posts of the 365-day window, worked out from the file:
    # views sorted 5,384 … 194,539, the median (8th of 15) is 14,628, the post is 1st of 15,
    # better than all 14 others, 194,539 ÷ 14,628 = 13.30× the median.
    at = goto(open_app(days="365"), "content")
    at.selectbox(key="content_post").set_value(STORY["viral_video_link"]).run(timeout=TIMEOUT)
    assert_clean(at)
    lines = [m.value for m in at.markdown if "**Views**" in m.value][0].splitlines()
    views = next(line for line in lines if line.startswith("- **Views**"))
    assert views == (
        "- **Views** 194,539 · rank 1 of 15 · better than 100 % of the others · median post "
        "14,628 (13.30×)"
    )
    assert at.query_params.get("post") == STORY["viral_video_link"]


def test_a_post_link_opens_that_post():
    at = goto(open_app(days="365", post=STORY["viral_video_link"]), "content")
    assert at.selectbox(key="content_post").value == STORY["viral_video_link"]


def test_audience_followers_and_net_change_match_the_follower_history():
    followers = sample_followers()
    start, end = window(28)
    p_start, p_end = previous(start, end)
    day_before = pd.Timestamp(start - dt.timedelta(days=1))
    before_previous = pd.Timestamp(p_start - dt.timedelta(days=1))
    at_end = followers[pd.Timestamp(end)]
    net = at_end - followers[day_before]
    net_before = followers[day_before] - followers[before_previous]

    at = goto(open_app(), "audience")
    total = card(at, "Followers")
    assert total.value == compact(at_end)
    assert delta(total) == change(at_end, followers[day_before])
    net_card = card(at, "Net followers")
    assert net_card.value == f"{net:,.0f}"
    assert delta(net_card) == change(net, net_before)
    assert card(at, "Follower growth rate").value == percent(net / followers[day_before])


@shared("ads")
def test_ads_campaign_table_spend_and_ctr_are_sums_over_the_window():
    start, end = window(28)
    expected = campaign_totals(sample_ads(), start, end)
    daily = within(sample_ads(), start, end)
    at = rendered("ads")
    shown = at.dataframe("ads_campaigns").value.set_index("campaign")
    assert sorted(shown.index) == sorted(expected.index)
    for campaign, row in expected.iterrows():
        assert shown.loc[campaign, "spend"] == pytest.approx(row["spend"], abs=0.005)
        assert shown.loc[campaign, "impressions"] == row["impressions"]
        assert shown.loc[campaign, "clicks"] == row["clicks"]
        ctr = row["clicks"] / row["impressions"]
        # shown in % with two decimals, rounded (not cut)
        assert shown.loc[campaign, "ctr"] == half_up(ctr * 100, 2)
        # the mean of the daily CTRs is a different number, and not the one shown
        mean_daily = daily.loc[daily["campaign"] == campaign, "daily_ctr"].mean()
        assert shown.loc[campaign, "ctr"] != half_up(mean_daily * 100, 2)
    assert card(at, "CTR").value == percent(daily["clicks"].sum() / daily["impressions"].sum())
    assert card(at, "Impressions").value == compact(daily["impressions"].sum())


def _select(at: AppTest, key: str, row: int) -> None:
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run(timeout=TIMEOUT)


def _keyed(at: AppTest, prefix: str):
    return next(d for d in at.dataframe if d.key and d.key.startswith(prefix))


def test_ads_drill_down_from_campaign_to_one_ad():
    start, end = window(28)
    ads = within(sample_ads(), start, end)
    at = goto(open_app(), "ads")
    campaigns = at.dataframe("ads_campaigns").value
    first = campaigns["campaign"].iloc[0]
    _select(at, "ads_campaigns", 0)
    assert_clean(at)
    groups_table = _keyed(at, "ads_groups")
    groups = groups_table.value.set_index("ad_group")
    expected = ads[ads["campaign"] == first].groupby("ad_group")[["spend", "clicks"]].sum()
    assert set(groups.index) == set(expected.index)
    for group, row in expected.iterrows():
        assert groups.loc[group, "spend"] == pytest.approx(row["spend"], abs=0.005)
    _select(at, groups_table.key, 0)
    group = groups_table.value["ad_group"].iloc[0]
    in_group = ads[(ads["campaign"] == first) & (ads["ad_group"] == group)]
    ads_table = _keyed(at, "ads_ads")
    assert set(ads_table.value["ad"]) == set(in_group["ad"])
    _select(at, ads_table.key, len(ads_table.value) - 1)  # the last ad of the group
    assert_clean(at)
    ad = ads_table.value["ad"].iloc[-1]
    assert any(unescape(m.value) == f"**{ad}, day by day**" for m in at.markdown)
    # Another campaign: its groups start unselected (no stale row from the first campaign).
    _select(at, "ads_campaigns", len(campaigns) - 1)
    assert_clean(at)
    assert not any("day by day" in m.value for m in at.markdown)
    assert not any(d.key and d.key.startswith("ads_ads") for d in at.dataframe)


def test_ads_campaign_spend_over_365_days_is_the_generators():
    at = goto(open_app(days="365"), "ads")
    shown = at.dataframe("ads_campaigns").value.set_index("campaign")["spend"]
    for campaign, spend in BY_FILE[ADS_NAME]["spend_by_campaign"].items():
        assert shown[campaign] == pytest.approx(spend, abs=0.005)


FORMULA = "cost_per_2s_view = spend / video_watched_2s"


def test_reports_custom_column_preview_has_the_right_value():
    start, end = window(28)
    totals = within(sample_ads(), start, end).groupby("campaign")[["spend", "watched_2s"]].sum()
    at = goto(open_app(), "reports")
    at.text_input(key="formula_text").input(FORMULA).run(timeout=TIMEOUT)
    assert_clean(at)
    assert any(s.value.startswith("Valid.") for s in at.success)
    preview = table(at, "campaign", "cost_per_2s_view")
    preview = preview.set_index("campaign")["cost_per_2s_view"]
    for campaign, row in totals.iterrows():
        # a cost of about £0.02: three significant digits, so within 0.5 % of the exact value
        assert preview[campaign] == pytest.approx(row["spend"] / row["watched_2s"], rel=5e-3)


@shared("ads")
def test_per_day_metrics_are_not_offered_as_table_columns():
    # Reach and frequency exist per ad and day only; a table row sums many days.
    at = rendered("ads")
    options = at.multiselect(key="ads_metrics_").options
    assert "Spend" in options and "Reach" not in options and "Frequency" not in options
    assert any(c.value.startswith("Reach, Frequency: reported per ad and day") for c in at.caption)


def test_a_per_mille_column_is_shown_in_per_mille_not_as_a_fraction():
    # clicks ÷ impressions is about 0.011; in ‰ the table must show about 11, in the preview
    # and in the report after adding it.
    start, end = window(28)
    totals = campaign_totals(sample_ads(), start, end)
    at = goto(open_app(), "reports")
    at.selectbox(key="formula_unit").set_value("per_mille")
    at.text_input(key="formula_text").input("clicks_pm = clicks / impressions").run(timeout=TIMEOUT)
    assert_clean(at)
    preview = table(at, "campaign", "clicks_pm").set_index("campaign")["clicks_pm"]
    for campaign, row in totals.iterrows():
        assert preview[campaign] == half_up(row["clicks"] / row["impressions"] * 1000, 2)
    at.button(key="add_column").click().run(timeout=TIMEOUT)
    assert_clean(at)
    report = table(at, "ad", "ad_group", "campaign")
    assert report["clicks_pm"].between(3, 30).all()  # ‰ of a ~1 % CTR, never 0.0xx


def add_custom_column(at: AppTest) -> AppTest:
    at.text_input(key="formula_text").input(FORMULA).run(timeout=TIMEOUT)
    assert_clean(at)
    at.button(key="add_column").click().run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_reports_added_custom_column_appears_in_the_report():
    start, end = window(28)
    ads = within(sample_ads(), start, end)
    one = ads[ads["ad"] == STORY["fatigue"]["ad"]]
    at = add_custom_column(goto(open_app(), "reports"))
    assert any("cost_per_2s_view = spend / video_watched_2s" in c.value for c in at.code)
    report = table(at, "ad", "ad_group", "campaign")
    assert "cost_per_2s_view" in report
    row = report[report["ad"] == STORY["fatigue"]["ad"]].iloc[0]
    assert row["spend"] == pytest.approx(one["spend"].sum(), abs=0.005)
    assert row["cost_per_2s_view"] == pytest.approx(
        one["spend"].sum() / one["watched_2s"].sum(), rel=5e-3
    )
    # and on the Ads page's campaign table too
    goto(at, "ads")
    campaigns = at.dataframe("ads_campaigns").value.set_index("campaign")
    totals = ads.groupby("campaign")[["spend", "watched_2s"]].sum()
    for campaign, row in totals.iterrows():
        assert campaigns.loc[campaign, "cost_per_2s_view"] == pytest.approx(
            row["spend"] / row["watched_2s"], rel=5e-3
        )


@pytest.mark.parametrize(
    ("formula", "sentence"),
    [
        ("bad = spend / nonsense", "Unknown name `nonsense`"),
        ("bad = spend / (clicks", "is never closed"),
    ],
)
def test_reports_invalid_formula_shows_a_sentence_not_an_exception(formula, sentence):
    at = goto(open_app(), "reports")
    at.text_input(key="formula_text").input(formula).run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    errors = [unescape(e.value) for e in at.error]
    assert len(errors) == 1 and sentence in errors[0], errors
    assert errors[0].endswith(".")
    assert not any(s.value.startswith("Valid.") for s in at.success)
    # the report is still there, unchanged
    assert "bad" not in table(at, "ad", "ad_group", "campaign")


def test_diagnostics_fatigue_and_hook_versus_cta():
    fatigued = STORY["fatigue"]["ad"]
    hook = STORY["best_hook_weak_cta"]["ad"]
    cta = STORY["best_cta_weak_hook"]["ad"]
    at = goto(open_app(), "diagnostics")

    verdicts = table(at, "Status", "Ad")
    row = verdicts[verdicts["Ad"] == fatigued]
    assert len(row) == 1 and row["Status"].iloc[0] == "Fatigued"
    assert verdicts["Status"].iloc[0] == row["Status"].iloc[0]  # listed first
    assert any(fatigued in e.label and e.label.startswith("Fatigued") for e in at.expander)

    group = STORY["best_hook_weak_cta"]
    label = f"{group['campaign']} › {group['ad_group']}"
    picker = at.selectbox(key="hook_group")
    if picker.value is None or picker.options[picker.index] != label:
        picker.set_value(picker.options.index(label)).run(timeout=TIMEOUT)
        assert_clean(at)
    advice = " ".join(unescape(s.value) for s in at.success)
    assert f"“{hook}” has the strongest hook" in advice
    assert f"“{cta}” the strongest call to action" in advice

    start, end = window(28)
    ads = within(sample_ads(), start, end)
    ads = (
        ads[ads["ad_group"] == group["ad_group"]]
        .groupby("ad")[["impressions", "clicks", "watched_2s"]]
        .sum()
    )
    shown = table(at, "ad", "hook_rate", "ctr").set_index("ad")
    assert shown["hook_rate"].idxmax() == hook == (ads["watched_2s"] / ads["impressions"]).idxmax()
    assert shown["ctr"].idxmax() == cta == (ads["clicks"] / ads["impressions"]).idxmax()
    for ad, row in ads.iterrows():
        assert shown.loc[ad, "hook_rate"] == half_up(
            row["watched_2s"] / row["impressions"] * 100, 2
        )
        assert shown.loc[ad, "ctr"] == half_up(row["clicks"] / row["impressions"] * 100, 2)


# --------------------------------------------------------------------------- Data page, uploads


def _day(value) -> str | None:
    """The status table shows "1 Nov 2025" (blank for snapshots): back to ISO for comparing."""
    if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


def test_data_page_has_a_status_row_for_every_sample_table():
    at = goto(open_app(), "data")
    assert any("sample account" in c.value for c in at.caption)
    status = table(at, "File", "Recognised as").set_index("File")
    assert sorted(status.index) == sorted(BY_FILE)
    for name, info in BY_FILE.items():
        assert status.loc[name, "Rows"] == info["rows"], name
        assert _day(status.loc[name, "First day"]) == info["first_date"], name
        assert _day(status.loc[name, "Last day"]) == info["last_date"], name
    assert any(c.value == "Ads currency: GBP" for c in at.caption)


def test_clear_then_upload_one_ads_csv():
    at = goto(open_app(), "data")
    at.button(key="clear_data").click().run(timeout=TIMEOUT)
    assert_clean(at)
    assert any(c.value == "No data loaded." for c in at.caption)
    assert not tables(at, "File", "Recognised as")

    data = (SAMPLE / ADS_NAME).read_bytes()
    at.file_uploader[0].set_value((ADS_NAME, data, "text/csv")).run(timeout=TIMEOUT)
    assert_clean(at)
    status = table(at, "File", "Recognised as")
    assert list(status["File"]) == [ADS_NAME]
    assert status.loc[0, "Rows"] == BY_FILE[ADS_NAME]["rows"]

    uploaded = read_ads(data)
    start, end = window(28, uploaded["date"].max().date())
    expected = campaign_totals(uploaded, start, end)
    goto(at, "ads")
    assert sidebar_caption(at) == window_caption(start, end)
    shown = at.dataframe("ads_campaigns").value.set_index("campaign")
    for campaign, row in expected.iterrows():
        assert shown.loc[campaign, "spend"] == pytest.approx(row["spend"], abs=0.005)
        assert shown.loc[campaign, "ctr"] == half_up(row["clicks"] / row["impressions"] * 100, 2)
    # only that file is loaded now: no organic side
    goto(at, "overview")
    assert not any(m.label == "Video views" for m in at.metric)
    assert any("Organic KPIs" in i.value for i in at.info)


def test_an_unknown_column_is_mapped_by_hand_and_the_file_is_read_again():
    # "Abspielzahl" is no TikTok header in any language we know: the file is refused, the
    # mapping offers the column, and mapping it to video_views reads the file after all.
    data = (
        b"Date,Abspielzahl,Profile views,Likes,Comments,Shares\n"
        b"2026/07/01,100,5,10,1,1\n2026/07/02,200,6,20,2,2\n2026/07/03,300,7,30,3,3\n"
    )
    at = goto(open_app(), "data")
    at.button(key="clear_data").click().run(timeout=TIMEOUT)
    at.file_uploader[0].set_value(("translated.csv", data, "text/csv")).run(timeout=TIMEOUT)
    assert not at.exception
    assert len(at.error) == 1 and "translated.csv" in unescape(at.error[0].value)
    pickers = {s.label: s for s in at.selectbox}
    assert set(pickers) == {"Abspielzahl"}  # the known headers are not offered
    pickers["Abspielzahl"].set_value("video_views").run(timeout=TIMEOUT)
    at.button(key="apply_mapping").click().run(timeout=TIMEOUT)
    assert_clean(at)
    status = table(at, "File", "Recognised as")
    assert list(status["File"]) == ["translated.csv"]
    assert status.loc[0, "Rows"] == 3
    goto(at, "overview")
    assert card(at, "Video views").value == "600"  # 100 + 200 + 300
    assert card(at, "Likes").value == "60"


def test_a_bad_file_is_refused_with_a_sentence_and_the_good_one_loads():
    at = goto(open_app(), "data")
    good = (SAMPLE / BUSINESS_CSV).read_bytes()
    bad = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    at.file_uploader[0].set_value(
        [("x.csv", bad, "text/csv"), (BUSINESS_CSV, good, "text/csv")]
    ).run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    refusals = [unescape(e.value) for e in at.error]
    assert len(refusals) == 1, refusals
    assert refusals[0].startswith("“x.csv”") and "not a table" in refusals[0]
    assert "Expected a CSV, XLSX or ZIP file" in refusals[0]
    status = table(at, "File", "Recognised as")
    assert list(status["File"]) == [BUSINESS_CSV]
    assert status.loc[0, "Rows"] == BY_FILE[BUSINESS_CSV]["rows"]

    business = pd.read_csv(SAMPLE / BUSINESS_CSV)
    business["date"] = pd.to_datetime(business["Date"], format="%Y/%m/%d")
    start, end = window(28, business["date"].max().date())
    p_start, p_end = previous(start, end)
    goto(at, "overview")
    views = card(at, "Video views")
    now = within(business, start, end)["Video views"].sum()
    assert views.value == compact(now)
    assert delta(views) == change(now, within(business, p_start, p_end)["Video views"].sum())
    assert not any(m.label == "Spend" for m in at.metric)  # the sample's ads were replaced


# --------------------------------------------------------------------------- regressions


def test_the_window_ends_on_the_newest_day_of_an_upload():
    raw = (SAMPLE / ADS_NAME).read_bytes().decode("utf-8-sig").splitlines(keepends=True)
    last = "2026-10-20"
    trimmed = "".join([raw[0], *(line for line in raw[2:] if line[:10] <= last)]).encode()
    at = goto(open_app(), "data")
    at.file_uploader[0].set_value(("trimmed.csv", trimmed, "text/csv")).run(timeout=TIMEOUT)
    assert_clean(at)
    start, end = window(28, dt.date.fromisoformat(last))
    goto(at, "ads")
    assert sidebar_caption(at) == window_caption(start, end)
    shown = at.dataframe("ads_campaigns").value.set_index("campaign")["spend"]
    for campaign, row in campaign_totals(read_ads(trimmed), start, end).iterrows():
        assert shown[campaign] == pytest.approx(row["spend"], abs=0.005)


def test_adding_a_custom_column_shows_no_error():
    at = add_custom_column(goto(open_app(), "reports"))
    assert_clean(at)


def test_a_button_click_on_a_page_is_kept():
    """A click on a page (run inside the app's frame) is not lost to a rerun."""
    at = goto(open_app(), "data")
    at.button(key="clear_data").click().run(timeout=TIMEOUT)
    assert at.session_state["data_source"] == "cleared"
    assert any(c.value == "No data loaded." for c in at.caption)


def test_a_loaded_template_is_chosen_at_once():
    template = {
        "name": "Cost per click check",
        "level": "campaign",
        "metrics": ["spend", "clicks"],
        "custom_columns": [{"name": "cpc_x", "expression": "spend / clicks", "unit": "currency"}],
        "days": 28,
    }
    at = goto(open_app(), "reports")
    data = json.dumps(template).encode()
    at.file_uploader(key="template_upload").set_value(("t.json", data, "application/json"))
    at.run(timeout=TIMEOUT)
    assert_clean(at)
    assert at.selectbox(key="reports_template").value == "Cost per click check (yours)"
    report = table(at, "campaign", "cpc_x")
    start, end = window(28)
    totals = campaign_totals(sample_ads(), start, end)
    for campaign, row in totals.iterrows():
        shown = report.set_index("campaign").loc[campaign, "cpc_x"]
        assert shown == half_up(row["spend"] / row["clicks"], 2)


@pytest.mark.parametrize("page", ["ads", "reports", "diagnostics"])
def test_a_window_before_the_ads_data_says_so(page):
    # The sample's ads start on 1 Aug 2026; a week ending 31 Jul 2026 has none of them.
    at = goto(open_app(days="7", end="2026-07-31"), page)
    assert_clean(at)
    assert any("has none of it" in i.value for i in at.info)
    assert not any("Every ad that spent money" in s.value for s in at.success)


def test_clicking_the_chosen_window_again_keeps_it():
    at = open_app(days="7")
    at.sidebar.button_group[0].set_value(None).run(timeout=TIMEOUT)
    assert_clean(at)
    assert at.sidebar.button_group[0].value == "7"
    start, end = window(7)
    assert sidebar_caption(at) == window_caption(start, end)


def test_page_settings_survive_a_visit_to_another_page():
    at = goto(open_app(), "overview")
    picked = [("ads", "ctr")]
    at.multiselect(key="overview_trend_metrics").set_value(picked).run(timeout=TIMEOUT)
    goto(at, "ads")
    at.selectbox(key="ads_template").set_value("Funnel analysis").run(timeout=TIMEOUT)
    goto(at, "content")
    goto(at, "overview")
    assert at.multiselect(key="overview_trend_metrics").value == picked
    goto(at, "ads")
    assert at.selectbox(key="ads_template").value == "Funnel analysis"
    assert_clean(at)


def test_one_file_can_be_removed_and_the_others_stay():
    at = goto(open_app(), "data")
    at.multiselect(key="files_to_remove").set_value([ADS_NAME]).run(timeout=TIMEOUT)
    at.button(key="remove_files").click().run(timeout=TIMEOUT)
    assert_clean(at)
    files = list(table(at, "File", "Recognised as")["File"])
    assert ADS_NAME not in files and any(f.startswith("Overview_") for f in files)
    goto(at, "overview")
    assert any(m.label == "Video views" for m in at.metric)
    assert not any(m.label == "Spend" for m in at.metric)


def badge_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_the_app_opens_on_the_overview_with_the_sample_badge():
    at = open_app()
    assert at.title[0].value == "Overview"
    assert "Sample data: northwind.coffee" in badge_text(at)
    for page in ("data", "content", "audience", "ads", "reports", "diagnostics"):
        assert "Sample data: northwind.coffee" in badge_text(goto(at, page)), page


def test_a_reload_that_lost_the_uploads_says_so_and_keeps_no_end_day():
    # The URL of a view of uploaded files, with an end day of that data, opened in a new
    # session (what a reload is): a sentence, the sample badge, and the window length kept
    # but not the end day, which belonged to files this session does not hold.
    at = open_app(days="7", end="2026-09-15", data="own")
    assert any("uploaded files are not loaded any more" in w.value for w in at.warning)
    assert "Sample data" in badge_text(at)
    assert at.query_params.get("days") == "7"
    assert "end" not in at.query_params and "data" not in at.query_params
    start, end = window(7)  # the sample's own last 7 days
    assert sidebar_caption(at) == window_caption(start, end)


def test_uploaded_data_is_marked_in_the_url_and_has_no_badge():
    at = goto(open_app(), "data")
    at.button(key="clear_data").click().run(timeout=TIMEOUT)
    data = (SAMPLE / ADS_NAME).read_bytes()
    at.file_uploader[0].set_value((ADS_NAME, data, "text/csv")).run(timeout=TIMEOUT)
    assert_clean(at)
    assert at.query_params.get("data") == "own"
    assert "Sample data" not in badge_text(at)
    assert not at.warning or not any("not loaded any more" in w.value for w in at.warning)


@shared("overview", days="60")
def test_a_partly_covered_previous_period_says_how_many_days():
    # Ads run 1 Aug – 31 Oct 2026. 60 days ending 31 Oct start on 2 Sep; the previous 60
    # days are 4 Jul – 1 Sep, of which 1 Aug – 1 Sep (31 + 1 = 32 days) have ads.
    at = rendered("overview", days="60")
    captions = " ".join(c.value for c in at.caption)
    assert "covers 32 of the previous period's 60 days (4 Jul – 1 Sep 2026)" in captions


@shared("overview", days="365")
def test_net_followers_at_365_days_say_which_day_they_need():
    # 365 days ending 31 Oct 2026 start on 1 Nov 2025; net followers need the total on the
    # day before, 31 Oct 2025, and the follower history starts on 1 Nov 2025.
    at = rendered("overview", days="365")
    captions = " ".join(c.value for c in at.caption)
    assert "Net followers (needs the follower total on 31 Oct 2025" in captions
    assert "2 Nov 2024 – 1 Nov 2025" not in captions
    assert sidebar_caption(at).startswith(
        "1 Nov 2025 – 31 Oct 2026 (365 days), compared with 1 Nov 2024 – 31 Oct 2025"
    )
