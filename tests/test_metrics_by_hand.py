"""Every registry metric on tiny inline exports, each expected value worked out by hand.

The expected numbers come from the formulas in docs/metrics.md, computed on paper from the
fixtures below (the arithmetic is in the comments), never from the code's output. Metrics that
tests/test_metrics.py already pins with a hand-worked number are only repeated here where the
brief asks for them or where a fixture shows something new (sum ÷ sum ≠ mean of row ratios,
Purchase ROAS × Cost, week and month buckets).
"""

import datetime as dt

import pandas as pd
import pytest

from metrics.aggregate import aggregate, compute, family_frame, follower_metrics
from metrics.definitions import ADS, ORGANIC, POSTS, REGISTRY
from metrics.formula import (
    MAX_DEPTH,
    MAX_LENGTH,
    FormulaError,
    parse_custom_column,
    parse_expression,
)
from metrics.io import load_files
from metrics.windows import Window, last_n_days

TODAY = dt.date(2026, 11, 22)


def load(*files: tuple[str, str]):
    return load_files([(name, text.encode("utf-8")) for name, text in files], today=TODAY)


def total(dataset, family, name, window=None, table=None):
    """The metric over the whole window (one group)."""
    out = aggregate(dataset, family, window, metrics=[name], table=table)
    assert len(out) == 1
    return out[name].iloc[0]


def day(d: int, month: int = 7) -> Window:
    one = dt.date(2026, month, d)
    return Window(one, one)


# ---------------------------------------------------------------------------------------------
# Organic, layout B (business account): year in the date, unquoted values, reach can be NAN,
# a trailing space in "Website clicks ". "Add to Favorites" is the optional saves column.
# ---------------------------------------------------------------------------------------------

OVERVIEW_B = """\
Date,Video views,Reached audience,Profile views,Likes,Shares,Comments,Website clicks ,Product link clicks,Net growth,New followers,Lost followers,Add to Favorites
2026/07/16,1000,400,50,100,10,20,5,1,8,10,2,30
2026/07/17,200,100,10,10,2,4,1,0,-1,2,3,4
2026/07/18,500,NAN,20,40,5,5,2,0,3,4,1,10
2026/07/19,300,200,30,30,3,6,4,2,5,6,1,1
"""
# Column sums over the four days (16–19 July):
#   video views 1000 + 200 + 500 + 300 = 2000      profile views 50 + 10 + 20 + 30 = 110
#   likes 100 + 10 + 40 + 30 = 180                  shares 10 + 2 + 5 + 3 = 20
#   comments 20 + 4 + 5 + 6 = 35                    website clicks 5 + 1 + 2 + 4 = 12
#   new followers 10 + 2 + 4 + 6 = 22               lost followers 2 + 3 + 1 + 1 = 7
#   saves 30 + 4 + 10 + 1 = 45
# Interactions (likes + comments + shares + saves) per day:
#   16th 100 + 20 + 10 + 30 = 160; 17th 10 + 4 + 2 + 4 = 20; 18th 40 + 5 + 5 + 10 = 60;
#   19th 30 + 6 + 3 + 1 = 40; in all 280.
WEEK_OF_19_JULY = last_n_days(7, dt.date(2026, 7, 19))  # 13–19 July: holds all four days


@pytest.fixture(scope="module")
def organic_b():
    return load(("overview_business.csv", OVERVIEW_B))


@pytest.mark.parametrize(
    "name, expected",
    [
        ("video_views", 2000),
        ("profile_views", 110),
        ("likes", 180),
        ("comments", 35),
        ("shares", 20),
        ("saves", 45),  # Σ Add to Favorites
        ("website_clicks", 12),
        ("new_followers", 22),
        ("lost_followers", 7),
        # (Σ likes + Σ comments + Σ shares + Σ saves) ÷ Σ views = (180 + 35 + 20 + 45) / 2000
        ("engagement_rate", 280 / 2000),  # = 0.14
        # (Σ likes + Σ comments) ÷ Σ views = (180 + 35) / 2000
        ("like_comment_rate", 215 / 2000),  # = 0.1075
    ],
)
def test_organic_layout_b_totals(organic_b, name, expected):
    assert total(organic_b, ORGANIC, name, WEEK_OF_19_JULY) == pytest.approx(expected)


def test_organic_sums_respect_the_window(organic_b):
    # Window 17–19 July (3 days ending the 19th) drops the 16th:
    #   website clicks 1 + 2 + 4 = 7; new followers 2 + 4 + 6 = 12; lost 3 + 1 + 1 = 5.
    window = last_n_days(3, dt.date(2026, 7, 19))
    assert total(organic_b, ORGANIC, "website_clicks", window) == 7
    assert total(organic_b, ORGANIC, "new_followers", window) == 12
    assert total(organic_b, ORGANIC, "lost_followers", window) == 5


def test_organic_reach_is_per_day_only(organic_b):
    # Reached audience as reported per day: 400, 100, (NAN → no value), 200.
    daily = aggregate(organic_b, ORGANIC, WEEK_OF_19_JULY, level="day", metrics=["reach"])
    assert list(daily["date"].dt.day) == [16, 17, 18, 19]
    assert daily["reach"].iloc[0] == 400
    assert daily["reach"].iloc[1] == 100
    assert pd.isna(daily["reach"].iloc[2])
    assert daily["reach"].iloc[3] == 200
    # Over several days reach is not additive: no value, not 400 + 100 + 200 = 700.
    assert pd.isna(total(organic_b, ORGANIC, "reach", WEEK_OF_19_JULY))
    # A one-day window is a single row: its reach is the reported 400.
    assert total(organic_b, ORGANIC, "reach", day(16)) == 400


def test_engagement_per_reach_is_per_day_only(organic_b):
    # interactions ÷ reached audience, per day (a fraction; the UI shows × 100 as a percent):
    #   16th 160 / 400 = 0.4; 17th 20 / 100 = 0.2; 18th reach NAN → no value; 19th 40 / 200 = 0.2
    daily = aggregate(
        organic_b, ORGANIC, WEEK_OF_19_JULY, level="day", metrics=["engagement_per_reach"]
    )
    values = daily["engagement_per_reach"]
    assert values.iloc[0] == pytest.approx(0.4)
    assert values.iloc[1] == pytest.approx(0.2)
    assert pd.isna(values.iloc[2])
    assert values.iloc[3] == pytest.approx(0.2)
    assert total(organic_b, ORGANIC, "engagement_per_reach", day(19)) == pytest.approx(0.2)
    # Over the week: no value (reach cannot be summed), never 280 / 700.
    assert pd.isna(total(organic_b, ORGANIC, "engagement_per_reach", WEEK_OF_19_JULY))


# ---------------------------------------------------------------------------------------------
# Organic, layout A: viewers (per day only) and follower history (a stock).
# Every field quoted, BOM, no trailing newline, dates without a year (2026 inferred).
# ---------------------------------------------------------------------------------------------

VIEWERS_A = (
    "\ufeff"
    '"Date","Total Viewers","New Viewers","Returning Viewers"\n'
    '"July 17","100","60","40"\n'
    '"July 18","150","50","100"\n'
    '"July 19","90","30","60"'
)
FOLLOWERS_A = (
    "\ufeff"
    '"Date","Followers","Difference in followers from previous day"\n'
    '"July 16","100","0"\n'
    '"July 17","110","-5"\n'
    '"July 18","105","15"\n'
    '"July 19","120","0"'
)


@pytest.fixture(scope="module")
def organic_a():
    return load(("Viewers.csv", VIEWERS_A), ("FollowerHistory.csv", FOLLOWERS_A))


@pytest.mark.parametrize(
    "name, per_day",
    [
        ("total_viewers", [100, 150, 90]),
        ("new_viewers", [60, 50, 30]),
        ("returning_viewers", [40, 100, 60]),
    ],
)
def test_viewers_are_per_day_only(organic_a, name, per_day):
    window = last_n_days(3, dt.date(2026, 7, 19))  # 17–19 July
    daily = aggregate(organic_a, ORGANIC, window, level="day", metrics=[name], table="viewers")
    assert list(daily["date"].dt.date) == [dt.date(2026, 7, d) for d in (17, 18, 19)]
    assert daily[name].tolist() == per_day
    # Viewers are not additive across days: the 3-day total is no value (not e.g. 340).
    assert pd.isna(total(organic_a, ORGANIC, name, window, table="viewers"))
    # A single day is as reported.
    assert total(organic_a, ORGANIC, name, day(18), table="viewers") == per_day[1]


def test_followers_recomputed_from_the_followers_column(organic_a):
    # Window 17–19 July: Followers on the 19th = 120; the day before the window (16th) = 100.
    # net = 120 − 100 = 20 (the "Difference" column would say −5 + 15 + 0 = 10: ignored);
    # growth = 20 / 100 = 0.2.
    f = follower_metrics(organic_a, last_n_days(3, dt.date(2026, 7, 19)))
    assert f["followers"] == 120
    assert f["net_followers"] == 20
    assert f["follower_growth_rate"] == pytest.approx(0.2)


# ---------------------------------------------------------------------------------------------
# Ads Manager: three rows, two ads, two days, with every column a registry metric reads.
# ---------------------------------------------------------------------------------------------

ADS_HEADER = (
    "By Day,Campaign name,Ad group name,Ad name,Cost,Impressions,Reach,Frequency,"
    "Clicks (destination),Conversions,Video views,2-second video views,6-second video views,"
    "Video views at 25%,Video views at 50%,Video views at 75%,Video views at 100%,"
    "Paid likes,Paid comments,Paid shares,Paid follows,Paid profile visits,Add to cart,"
    "Landing page views (website),Initiate checkout,Complete payment,Complete payment value"
)
ADS_CSV = ADS_HEADER + (
    "\n2026-03-01,C1,G1,A1,10.00,1000,800,1.25,20,2,500,500,200,400,300,250,100,"
    "10,5,5,2,4,4,10,3,2,60.00"
    "\n2026-03-02,C1,G1,A1,30.00,2000,1000,2.00,10,1,1000,600,150,900,600,300,150,"
    "20,10,0,3,6,1,5,1,1,20.00"
    "\n2026-03-01,C1,G2,A2,20.00,2000,1600,1.25,10,2,1000,800,400,800,500,200,100,"
    "30,5,5,5,10,5,5,2,1,40.00\n"
)
# Rows R1 (A1, 1 Mar), R2 (A1, 2 Mar), R3 (A2, 1 Mar). Column sums:
#   cost 10 + 30 + 20 = 60            impressions 1000 + 2000 + 2000 = 5000
#   clicks 20 + 10 + 10 = 40          conversions 2 + 1 + 2 = 5
#   video views 500 + 1000 + 1000 = 2500
#   2 s 500 + 600 + 800 = 1900        6 s 200 + 150 + 400 = 750
#   p25 400 + 900 + 800 = 2100        p50 300 + 600 + 500 = 1400
#   p75 250 + 300 + 200 = 750         p100 100 + 150 + 100 = 350
#   paid likes 10 + 20 + 30 = 60      paid comments 5 + 10 + 5 = 20
#   paid shares 5 + 0 + 5 = 10        paid follows 2 + 3 + 5 = 10
#   paid profile visits 4 + 6 + 10 = 20
#   add to cart 4 + 1 + 5 = 10        landing page views 10 + 5 + 5 = 20
#   initiate checkout 3 + 1 + 2 = 6   complete payment 2 + 1 + 1 = 4
#   revenue (Complete payment value) 60 + 20 + 40 = 120


@pytest.fixture(scope="module")
def ads():
    return load(("Ad_report_20260301_20260302_GMT+0.csv", ADS_CSV))


@pytest.mark.parametrize(
    "name, expected",
    [
        ("spend", 60),
        ("impressions", 5000),
        ("clicks", 40),
        ("conversions", 5),
        ("video_views", 2500),
        ("video_watched_2s", 1900),
        ("video_watched_6s", 750),
        ("video_views_p25", 2100),
        ("video_views_p50", 1400),
        ("video_views_p75", 750),
        ("video_views_p100", 350),
        ("paid_likes", 60),
        ("paid_comments", 20),
        ("paid_shares", 10),
        ("paid_follows", 10),
        ("paid_profile_visits", 20),
        ("add_to_cart", 10),
        ("landing_page_views", 20),
        ("complete_payment", 4),
        ("revenue", 120),
        ("cpm", 60 / 5000 * 1000),  # = 12
        ("ctr", 40 / 5000),  # = 0.008
        ("cpc", 60 / 40),  # = 1.5
        ("cvr", 5 / 40),  # = 0.125
        ("cpa", 60 / 5),  # = 12
        ("roas", 120 / 60),  # = 2
        ("hook_rate", 1900 / 5000),  # 2 s ÷ impressions = 0.38
        ("hold_rate", 750 / 1900),  # 6 s ÷ 2 s ≈ 0.3947
        ("view_rate_75", 750 / 2500),  # p75 ÷ views = 0.3
        ("completion_rate", 350 / 2500),  # p100 ÷ views = 0.14
        ("cost_per_add_to_cart", 60 / 10),  # = 6
        ("cost_per_landing_page_view", 60 / 20),  # = 3
        ("paid_engagement_rate", (60 + 20 + 10) / 2500),  # (likes+comments+shares) ÷ views = 0.036
        ("cost_per_view", 60 / 2500),  # = 0.024
    ],
)
def test_ads_totals(ads, name, expected):
    assert total(ads, ADS, name) == pytest.approx(expected)


def test_initiate_checkout_is_read_although_no_metric_shows_it(ads):
    # "Initiate checkout" is an export column (docs/exports.md) but not a metric in
    # docs/metrics.md or the registry; the importer still reads it: 3 + 1 + 2 = 6.
    assert "initiate_checkout" not in REGISTRY[ADS]
    assert ads.get("ads")["initiate_checkout"].sum() == 6


def test_ads_reach_and_frequency_are_per_row(ads):
    # By ad: A2 is one row (reach 1600, frequency 1.25 = 2000 / 1600); A1 has two rows, so its
    # reach is unknown (not 800 + 1000) and so is its frequency (not 1.25 + 2.00).
    by_ad = aggregate(ads, ADS, level="ad", metrics=["reach", "frequency"]).set_index("ad")
    assert by_ad.loc["A2", "reach"] == 1600
    assert by_ad.loc["A2", "frequency"] == pytest.approx(2000 / 1600)
    assert pd.isna(by_ad.loc["A1", "reach"]) and pd.isna(by_ad.loc["A1", "frequency"])
    # By day: 2 March is one row (R2: reach 1000, frequency 2000 / 1000 = 2); 1 March is two.
    by_day = aggregate(ads, ADS, level="day", metrics=["reach", "frequency"])
    by_day = by_day.set_index(by_day["date"].dt.day)
    assert by_day.loc[2, "reach"] == 1000 and by_day.loc[2, "frequency"] == pytest.approx(2.0)
    assert pd.isna(by_day.loc[1, "reach"]) and pd.isna(by_day.loc[1, "frequency"])
    assert pd.isna(total(ads, ADS, "reach")) and pd.isna(total(ads, ADS, "frequency"))


def test_frequency_from_impressions_and_reach_when_not_reported():
    csv = (
        "By Day,Campaign name,Ad group name,Ad name,Cost,Impressions,Reach\n"
        "2026-03-01,C1,G1,A1,10.00,1000,800\n"
    )
    dataset = load(("no_frequency.csv", csv))
    # One row: frequency = 1000 / 800 = 1.25.
    assert total(dataset, ADS, "frequency") == pytest.approx(1.25)


ROAS_ONLY_CSV = """\
By Day,Campaign name,Ad group name,Ad name,Cost,Impressions,Purchase ROAS
2026-03-01,C1,G1,A1,10.00,1000,3.00
2026-03-02,C1,G1,A1,30.00,2000,0.50
2026-03-01,C1,G2,A2,20.00,2000,1.50
"""


def test_revenue_from_purchase_roas_times_cost_per_row():
    dataset = load(("roas_only.csv", ROAS_ONLY_CSV))
    # Σ (ROAS × Cost) per row = 3 × 10 + 0.5 × 30 + 1.5 × 20 = 30 + 15 + 30 = 75.
    assert total(dataset, ADS, "revenue") == pytest.approx(75)
    # roas = revenue ÷ spend = 75 / 60 = 1.25 — not Σ ROAS (5) nor their mean (5 / 3 ≈ 1.667),
    # nor mean ROAS × Σ cost (5 / 3 × 60 = 100).
    assert total(dataset, ADS, "roas") == pytest.approx(1.25)
    by_ad = aggregate(dataset, ADS, level="ad", metrics=["revenue", "roas"]).set_index("ad")
    # A1: revenue 30 + 15 = 45, spend 40, roas 45 / 40 = 1.125; A2: 30, 20, 1.5.
    assert by_ad.loc["A1", "revenue"] == pytest.approx(45)
    assert by_ad.loc["A1", "roas"] == pytest.approx(1.125)
    assert by_ad.loc["A2", "revenue"] == pytest.approx(30)
    assert by_ad.loc["A2", "roas"] == pytest.approx(1.5)


def test_revenue_mixes_value_and_roas_row_by_row():
    csv = (
        "By Day,Campaign name,Ad group name,Ad name,Cost,Impressions,"
        "Complete payment value,Purchase ROAS\n"
        "2026-03-01,C1,G1,A1,10.00,1000,25.00,2.50\n"
        "2026-03-02,C1,G1,A1,30.00,2000,--,0.50\n"
    )
    dataset = load(("mixed.csv", csv))
    # Row 1 gives its value 25; row 2 has no value, so ROAS × Cost = 0.5 × 30 = 15. Σ = 40.
    assert total(dataset, ADS, "revenue") == pytest.approx(40)
    assert total(dataset, ADS, "roas") == pytest.approx(40 / 40)  # spend 10 + 30 = 40


# ---------------------------------------------------------------------------------------------
# Ratios are sum ÷ sum. For each ratio metric: the hand value of each row's own ratio, their
# mean (what a naive average would show) and the sum ÷ sum that the metric must show.
# ---------------------------------------------------------------------------------------------

RATIO_CASES = [
    # ads R1, R2, R3 (see the column sums above ADS fixture)
    ("ads", ADS, "cpm", [10 / 1000 * 1000, 30 / 2000 * 1000, 20 / 2000 * 1000], 12.0),
    # rows 10, 15, 10 → mean 11.67; Σ 60 / Σ 5000 × 1000 = 12
    ("ads", ADS, "ctr", [20 / 1000, 10 / 2000, 10 / 2000], 0.008),  # mean 0.01
    ("ads", ADS, "cpc", [10 / 20, 30 / 10, 20 / 10], 1.5),  # 0.5, 3, 2 → mean 1.833
    ("ads", ADS, "cvr", [2 / 20, 1 / 10, 2 / 10], 0.125),  # 0.1, 0.1, 0.2 → mean 0.133
    ("ads", ADS, "cpa", [10 / 2, 30 / 1, 20 / 2], 12.0),  # 5, 30, 10 → mean 15
    ("ads", ADS, "roas", [60 / 10, 20 / 30, 40 / 20], 2.0),  # 6, 0.667, 2 → mean 2.889
    ("ads", ADS, "hook_rate", [500 / 1000, 600 / 2000, 800 / 2000], 0.38),  # mean 0.4
    ("ads", ADS, "hold_rate", [200 / 500, 150 / 600, 400 / 800], 750 / 1900),  # mean 0.383
    ("ads", ADS, "view_rate_75", [250 / 500, 300 / 1000, 200 / 1000], 0.3),  # mean 0.333
    ("ads", ADS, "completion_rate", [100 / 500, 150 / 1000, 100 / 1000], 0.14),  # mean 0.15
    ("ads", ADS, "cost_per_add_to_cart", [10 / 4, 30 / 1, 20 / 5], 6.0),  # mean 12.17
    ("ads", ADS, "cost_per_landing_page_view", [10 / 10, 30 / 5, 20 / 5], 3.0),  # mean 3.67
    ("ads", ADS, "paid_engagement_rate", [20 / 500, 30 / 1000, 40 / 1000], 0.036),  # mean 0.0367
    ("ads", ADS, "cost_per_view", [10 / 500, 30 / 1000, 20 / 1000], 0.024),  # mean 0.0233
    # organic layout B, days 16–19 July: interactions 160, 20, 60, 40 over views 1000, 200,
    # 500, 300 → 0.16, 0.1, 0.12, 0.1333, mean 0.128; Σ 280 / Σ 2000 = 0.14
    ("organic_b", ORGANIC, "engagement_rate", [160 / 1000, 20 / 200, 60 / 500, 40 / 300], 0.14),
    # likes + comments 120, 14, 45, 36 → 0.12, 0.07, 0.09, 0.12, mean 0.1; Σ 215 / 2000
    ("organic_b", ORGANIC, "like_comment_rate", [0.12, 0.07, 0.09, 0.12], 0.1075),
]


@pytest.mark.parametrize(
    "fixture, family, name, row_ratios, expected",
    RATIO_CASES,
    ids=[f"{c[1]}-{c[2]}" for c in RATIO_CASES],
)
def test_ratio_is_sum_over_sum_not_mean_of_rows(
    request, fixture, family, name, row_ratios, expected
):
    dataset = request.getfixturevalue(fixture)
    metric = REGISTRY[family][name]
    # Rows in the order the hand values list them: ads R1 (A1, 1 Mar), R2 (A1, 2 Mar),
    # R3 (A2, 1 Mar); organic days 16–19 July.
    frame = family_frame(dataset, family)
    frame = frame.sort_values(["ad", "date"] if family == ADS else ["date"])
    # Each row on its own gives the hand-worked per-row ratio…
    per_row = [compute(frame.iloc[[i]], [], [metric])[name].iloc[0] for i in range(len(frame))]
    assert per_row == pytest.approx(row_ratios)
    # …but the metric over all rows is Σ numerator ÷ Σ denominator, not their mean.
    value = total(dataset, family, name)
    assert value == pytest.approx(expected)
    mean_of_rows = sum(row_ratios) / len(row_ratios)
    assert abs(value - mean_of_rows) > 1e-4


# ---------------------------------------------------------------------------------------------
# Weeks (7-day blocks ending on the window's last day) and calendar months.
# ---------------------------------------------------------------------------------------------

CALENDAR_CSV = """\
By Day,Campaign name,Ad group name,Ad name,Cost,Impressions,Clicks (destination)
2026-01-19,C1,G1,A1,100.00,10000,1000
2026-01-20,C1,G1,A1,1.00,100,1
2026-01-26,C1,G1,A1,2.00,100,3
2026-01-27,C1,G1,A1,4.00,300,2
2026-02-02,C1,G1,A1,8.00,100,6
"""
# Window: 14 days ending Monday 2 February 2026 = 20 January – 2 February (19 January is out).


@pytest.fixture(scope="module")
def calendar():
    return load(("calendar.csv", CALENDAR_CSV))


def test_week_level_is_seven_day_blocks_ending_on_the_window_end(calendar):
    window = last_n_days(14, dt.date(2026, 2, 2))
    weeks = aggregate(calendar, ADS, window, level="week", metrics=["spend", "clicks", "ctr"])
    # Blocks: 20–26 Jan and 27 Jan – 2 Feb (not Monday-based weeks, which would make
    # 2 Feb a one-day week). 20–26 Jan: spend 1 + 2 = 3, clicks 1 + 3 = 4, impressions 200,
    # ctr 4 / 200 = 0.02. 27 Jan – 2 Feb: spend 4 + 8 = 12, clicks 2 + 6 = 8, impressions
    # 300 + 100 = 400, ctr 8 / 400 = 0.02 (the mean of daily ctrs 2/300 and 6/100 is 0.0333).
    assert list(weeks["week"].dt.date) == [dt.date(2026, 1, 20), dt.date(2026, 1, 27)]
    assert weeks["spend"].tolist() == [3, 12]
    assert weeks["clicks"].tolist() == [4, 8]
    assert weeks["ctr"].tolist() == pytest.approx([0.02, 0.02])


def test_month_level_is_calendar_months(calendar):
    window = last_n_days(14, dt.date(2026, 2, 2))
    months = aggregate(calendar, ADS, window, level="month", metrics=["spend", "ctr", "cpm"])
    # January (20, 26, 27 Jan; the 19th is outside the window): spend 1 + 2 + 4 = 7,
    # impressions 100 + 100 + 300 = 500, clicks 1 + 3 + 2 = 6 → ctr 6 / 500 = 0.012,
    # cpm 7 / 500 × 1000 = 14. February (2 Feb): spend 8, impressions 100, clicks 6 →
    # ctr 0.06, cpm 80.
    assert list(months["month"].dt.date) == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert months["spend"].tolist() == [7, 8]
    assert months["ctr"].tolist() == pytest.approx([0.012, 0.06])
    assert months["cpm"].tolist() == pytest.approx([14, 80])


# ---------------------------------------------------------------------------------------------
# Posts (per-video file, layout B): windowed by post time, lifetime totals per video.
# ---------------------------------------------------------------------------------------------

POSTS_CSV = """\
Video title,Video link,Post time,Video views,Likes,Comments,Shares,Add to Favorites,Reached audience,New viewers,New followers
V1,https://www.tiktok.com/@x/video/1,2026/05/02 10:00,1000,100,10,10,80,900,500,50
V2,https://www.tiktok.com/@x/video/2,2026/05/10 09:00,2000,100,20,20,60,1500,800,10
V3,https://www.tiktok.com/@x/video/3,2026/05/31 23:30,500,40,5,3,2,300,100,4
V4,https://www.tiktok.com/@x/video/4,2026/05/04 00:05,100,1,1,0,0,300,50,1
"""
# Window: 28 days ending 31 May = 4–31 May. V1 (2 May) is before it; V4 (4 May, 00:05) and
# V3 (31 May, 23:30) sit on its first and last days and count. Posts in the window: V2, V3, V4.
MAY_WINDOW = last_n_days(28, dt.date(2026, 5, 31))


@pytest.fixture(scope="module")
def posts():
    return load(("videos.csv", POSTS_CSV))


@pytest.mark.parametrize(
    "name, expected",
    [
        ("posts", 3),  # V2, V3, V4
        ("video_views", 2000 + 500 + 100),  # 2600
        ("likes", 100 + 40 + 1),  # 141
        ("comments", 20 + 5 + 1),  # 26
        ("shares", 20 + 3 + 0),  # 23
        ("saves", 60 + 2 + 0),  # 62
        ("new_viewers", 800 + 100 + 50),  # 950
        ("new_followers", 10 + 4 + 1),  # 15
        # Σ reach ÷ posts = (1500 + 300 + 300) / 3 = 700
        ("avg_reach_per_post", 700),
        # (141 + 26 + 23 + 62) / 2600 = 252 / 2600 ≈ 0.0969; the mean of the posts' own
        # rates (0.1, 0.1, 0.02 → 0.0733) would be wrong.
        ("engagement_rate", 252 / 2600),
    ],
)
def test_posts_in_the_window(posts, name, expected):
    assert total(posts, POSTS, name, MAY_WINDOW) == pytest.approx(expected)


def test_posts_engagement_rate_per_post(posts):
    # (likes + comments + shares + saves) ÷ views, per video (lifetime, not windowed):
    #   V1 (100 + 10 + 10 + 80) / 1000 = 0.2;  V2 (100 + 20 + 20 + 60) / 2000 = 0.1
    #   V3 (40 + 5 + 3 + 2) / 500 = 0.1;       V4 (1 + 1 + 0 + 0) / 100 = 0.02
    per_post = aggregate(posts, POSTS, MAY_WINDOW, level="post", metrics=["engagement_rate"])
    rates = dict(zip(per_post["video_title"], per_post["engagement_rate"], strict=True))
    assert rates == pytest.approx({"V1": 0.2, "V2": 0.1, "V3": 0.1, "V4": 0.02})


def test_posts_engagement_rate_without_saves_counts_them_as_zero():
    # Layout-A Content has no favourites: interactions are likes + comments + shares.
    content = (
        "Time,Video title,Video link,Post time,Total likes,Total comments,Total shares,Total views\n"
        "2026-05-31,A,https://www.tiktok.com/@x/video/7,2026-05-20 10:00,30,5,5,400\n"
    )
    dataset = load(("Content.csv", content))
    # (30 + 5 + 5 + 0) / 400 = 0.1
    assert total(dataset, POSTS, "engagement_rate", MAY_WINDOW) == pytest.approx(0.1)


# ---------------------------------------------------------------------------------------------
# The formula language: nesting limit and did-you-mean.
# ---------------------------------------------------------------------------------------------

ADS_NAMES = set(REGISTRY[ADS])


def test_100_nested_parentheses_are_refused_by_the_depth_limit():
    text = "(" * 100 + "spend" + ")" * 100
    assert len(text) == 205 < MAX_LENGTH  # short enough: the length check does not fire
    with pytest.raises(FormulaError) as err:
        parse_expression(text, ADS_NAMES)
    message = err.value.message
    assert "nested parentheses" in message and f"more than {MAX_DEPTH}" in message
    assert "characters long" not in message
    assert err.value.position is not None and text[err.value.position] == "("
    # Through a custom column the position is shifted past "deep = " and still points at "(".
    definition = "deep = " + text
    with pytest.raises(FormulaError) as err:
        parse_custom_column(definition, ADS_NAMES)
    assert "nested parentheses" in err.value.message
    assert definition[err.value.position] == "("


def test_the_depth_limit_is_exactly_max_depth():
    # MAX_DEPTH (40) nested parentheses are allowed; one more is refused.
    ok = "(" * MAX_DEPTH + "spend" + ")" * MAX_DEPTH
    assert parse_expression(ok, ADS_NAMES).names == ["spend"]
    with pytest.raises(FormulaError, match="nested parentheses"):
        deeper = MAX_DEPTH + 1
        parse_expression("(" * deeper + "spend" + ")" * deeper, ADS_NAMES)


@pytest.mark.parametrize("typo", ["CTR", "cTR", "Ctr", "ctR", "ctrr", "ct"])
def test_did_you_mean_ctr(typo):
    # Metric names are lower case; an upper-case or one-letter-off spelling of ctr is a near miss.
    with pytest.raises(FormulaError) as err:
        parse_custom_column(f"x = {typo} * 100", ADS_NAMES)
    assert f"Unknown name `{typo}`" in err.value.message
    assert "Did you mean `ctr`?" in err.value.message
    assert err.value.position == len("x = ")
