"""The metrics layer on small fixtures whose expected values were worked out by hand."""

import datetime as dt

import pandas as pd
import pytest

from metrics.aggregate import aggregate, follower_metrics, unavailable
from metrics.compare import compare
from metrics.definitions import ADS, ORGANIC, REGISTRY, get_metric
from metrics.formula import parse_custom_column
from metrics.io import load_files
from metrics.report import summary, summary_changes, table
from metrics.windows import Window, last_n_days

TODAY = dt.date(2026, 11, 22)

ADS_CSV = """By Day,Campaign name,Ad group name,Ad name,Cost,Impressions,Reach,Frequency,Clicks (destination),Conversions,2-second video views,6-second video views,Video views,Video views at 75%,Video views at 100%,Complete payment value,Add to cart,Landing page views (website)
2026-03-01,C1,G1,A1,10.00,1000,800,1.25,10,1,300,100,800,120,80,30.00,4,8
2026-03-02,C1,G1,A1,20.00,100,90,1.11,5,0,40,10,90,12,9,0,1,4
2026-03-01,C1,G1,A2,5.00,500,400,1.25,1,1,100,50,400,30,20,10.00,0,1
2026-03-02,C1,G2,A3,0.00,0,0,--,0,0,0,0,0,0,0,0,0,0
"""

# A card with no value: every field of Change.to_dict() is null.
NO_VALUE = dict.fromkeys(
    [
        "value",
        "previous",
        "change",
        "difference",
        "p_value",
        "p_adjusted",
        "interval",
        "within_noise",
    ]
)


@pytest.fixture(scope="module")
def ads():
    return load_files([("ads.csv", ADS_CSV.encode())], today=TODAY)


def total(dataset, family, name, window=None):
    return aggregate(dataset, family, window, metrics=[name])[name].iloc[0]


# Sums: spend 35, impressions 1600, clicks 16, conversions 2, 2 s 440, 6 s 160, views 1290,
# p75 162, p100 109, revenue 40, add to cart 5, landing page views 13.
@pytest.mark.parametrize(
    "name, expected",
    [
        ("spend", 35.0),
        ("impressions", 1600),
        ("clicks", 16),
        ("conversions", 2),
        ("cpm", 35 / 1600 * 1000),
        ("ctr", 16 / 1600),
        ("cpc", 35 / 16),
        ("cvr", 2 / 16),
        ("cpa", 35 / 2),
        ("revenue", 40.0),
        ("roas", 40 / 35),
        ("video_views", 1290),
        ("hook_rate", 440 / 1600),
        ("hold_rate", 160 / 440),
        ("view_rate_75", 162 / 1290),
        ("completion_rate", 109 / 1290),
        ("cost_per_add_to_cart", 35 / 5),
        ("cost_per_landing_page_view", 35 / 13),
        ("landing_page_views", 13),
    ],
)
def test_ads_metrics_by_hand(ads, name, expected):
    assert total(ads, ADS, name) == pytest.approx(expected)


def test_ratio_of_sums_not_mean_of_ratios(ads):
    # Per-row CTRs are 0.01, 0.05 and 0.002: their mean (0.020667) is not the CTR (0.01).
    assert total(ads, ADS, "ctr") == pytest.approx(0.01)
    rows = ads.get("ads")
    mean_of_ratios = (rows["clicks"] / rows["impressions"]).mean()
    assert mean_of_ratios == pytest.approx((0.01 + 0.05 + 0.002) / 3)
    assert abs(total(ads, ADS, "ctr") - mean_of_ratios) > 0.01


def test_reach_and_frequency_are_never_summed(ads):
    by_row = aggregate(ads, ADS, level="ad", metrics=["reach", "frequency", "impressions"])
    # A1 has two days: its reach over the window is unknown, not 890.
    a1 = by_row[by_row["ad"] == "A1"].iloc[0]
    assert pd.isna(a1["reach"]) and pd.isna(a1["frequency"])
    a2 = by_row[by_row["ad"] == "A2"].iloc[0]
    assert a2["reach"] == 400 and a2["frequency"] == 1.25
    assert pd.isna(total(ads, ADS, "reach"))


def test_division_by_zero_is_no_value(ads):
    by_ad = aggregate(ads, ADS, level="ad", metrics=["ctr", "cpc", "cpm"])
    a3 = by_ad[by_ad["ad"] == "A3"].iloc[0]
    assert pd.isna(a3["ctr"]) and pd.isna(a3["cpc"]) and pd.isna(a3["cpm"])


def test_levels_and_custom_columns(ads):
    custom = parse_custom_column(
        "cost_per_2s = spend / video_watched_2s", REGISTRY[ADS], "currency"
    )
    t = table(ads, "ad_group", None, ["spend", "ctr"], [custom])
    g1 = t[t["ad_group"] == "G1"].iloc[0]
    assert g1["spend"] == 35 and g1["ctr"] == pytest.approx(16 / 1600)
    assert g1["cost_per_2s"] == pytest.approx(35 / 440)
    g2 = t[t["ad_group"] == "G2"].iloc[0]
    assert pd.isna(g2["cost_per_2s"])  # 0 / 0
    assert list(t.columns) == ["campaign", "ad_group", "spend", "ctr", "cost_per_2s"]


def test_custom_column_uses_ratio_metrics_on_the_group(ads):
    custom = parse_custom_column("ctr_per_hook = ctr / hook_rate", REGISTRY[ADS])
    t = table(ads, "campaign", None, ["spend"], [custom])
    assert t["ctr_per_hook"].iloc[0] == pytest.approx((16 / 1600) / (440 / 1600))


def test_daily_level_and_window_edges(ads):
    daily = aggregate(ads, ADS, level="day", metrics=["spend", "ctr"])
    assert daily["spend"].tolist() == [15.0, 20.0]
    assert daily["ctr"].tolist() == pytest.approx([11 / 1500, 5 / 100])
    one_day = Window(dt.date(2026, 3, 2), dt.date(2026, 3, 2))
    assert total(ads, ADS, "spend", one_day) == 20.0
    first_day = last_n_days(1, dt.date(2026, 3, 1))
    assert total(ads, ADS, "spend", first_day) == 15.0


OVERVIEW_CSV = "Date,Video Views,Profile Views,Likes,Comments,Shares\n" + "\n".join(
    f"2026-06-{d:02d},{100 * d},{d},{10 * d if d != 5 else 'undefined'},{d},1" for d in range(1, 11)
)
FOLLOWERS_CSV = "Date,Followers,Difference in followers from previous day\n" + "\n".join(
    f"2026-06-{d:02d},{1000 + 10 * d * d},0" for d in range(1, 11)
)


@pytest.fixture(scope="module")
def organic():
    return load_files(
        [("o.csv", OVERVIEW_CSV.encode()), ("f.csv", FOLLOWERS_CSV.encode())], today=TODAY
    )


def test_organic_sums_and_engagement_rate(organic):
    # Views 100..1000 → 5,500; likes skip day 5 (undefined): 10·(55 − 5) = 500.
    assert total(organic, ORGANIC, "video_views") == 5500
    assert total(organic, ORGANIC, "likes") == 500
    # Engagement rate pairs the rows: day 5 (likes missing) leaves numerator AND denominator.
    # Views without day 5: 5,000; likes 500; comments 55 − 5 = 50; shares 9.
    assert total(organic, ORGANIC, "engagement_rate") == pytest.approx((500 + 50 + 9) / 5000)
    assert total(organic, ORGANIC, "like_comment_rate") == pytest.approx((500 + 50) / 5000)


def test_followers_are_a_stock(organic):
    # Followers on day d: 1000 + 10 d². Window 4..10: end 2000, day before (3) 1090.
    window = last_n_days(7, dt.date(2026, 6, 10))
    f = follower_metrics(organic, window)
    assert f["followers"] == 2000
    assert f["net_followers"] == 2000 - 1090
    assert f["follower_growth_rate"] == pytest.approx(910 / 1090)
    # A window starting on the first day has no day before it: no net value.
    f = follower_metrics(organic, last_n_days(10, dt.date(2026, 6, 10)))
    assert f["followers"] == 2000 and f["net_followers"] is None


def test_summary_previous_needs_history(organic):
    out = summary(organic, 7, dt.date(2026, 6, 10))
    assert out["window"] == {"days": 7, "start": "2026-06-04", "end": "2026-06-10"}
    assert out["previous"] == {"start": "2026-05-28", "end": "2026-06-03"}
    views = out["organic"]["video_views"]
    assert views["value"] == 100 * (4 + 6 + 7 + 8 + 9 + 10) + 100 * 5  # days 4..10
    assert views["previous"] is None and views["change"] is None
    assert "ads" not in out


def test_summary_change_when_history_reaches(organic):
    # 5-day... windows are 7/28/60/365 in the UI; the function takes any N.
    changes = summary_changes(organic, last_n_days(3, dt.date(2026, 6, 10)))
    views = changes[ORGANIC]["video_views"]
    assert views.value == 800 + 900 + 1000
    assert views.previous == 500 + 600 + 700
    assert views.change == pytest.approx((2700 - 1800) / 1800)


def test_unavailable_metric_says_what_it_needs(organic):
    missing = unavailable(organic, ORGANIC)
    assert "reach" in missing and "Reached audience" in missing["reach"]
    assert "video_views" not in missing


def test_metric_registry_has_every_spec_metric():
    organic = {
        "video_views",
        "profile_views",
        "likes",
        "comments",
        "shares",
        "saves",
        "engagement_rate",
        "like_comment_rate",
        "engagement_per_reach",
        "followers",
        "net_followers",
        "follower_growth_rate",
        "new_followers",
        "lost_followers",
        "reach",
        "total_viewers",
        "new_viewers",
        "returning_viewers",
    }
    paid = {
        "spend",
        "impressions",
        "reach",
        "frequency",
        "cpm",
        "clicks",
        "ctr",
        "cpc",
        "landing_page_views",
        "conversions",
        "cvr",
        "cpa",
        "revenue",
        "roas",
        "video_views",
        "video_watched_2s",
        "video_watched_6s",
        "video_views_p25",
        "video_views_p50",
        "video_views_p75",
        "video_views_p100",
        "hook_rate",
        "hold_rate",
        "view_rate_75",
        "completion_rate",
        "cost_per_add_to_cart",
        "cost_per_landing_page_view",
    }
    assert organic <= set(REGISTRY[ORGANIC])
    assert paid <= set(REGISTRY[ADS])
    for family in REGISTRY.values():
        for m in family.values():
            assert m.label and m.meaning and m.formula and m.unit


def test_unknown_metric_lists_valid_names():
    with pytest.raises(KeyError, match="Valid names: spend"):
        get_metric("spendd", ADS)


def _daily(values: dict) -> pd.DataFrame:
    return pd.DataFrame(values)


def test_significance_on_clear_and_noise_level_changes():
    views = get_metric("video_views", ORGANIC)
    before = _daily({"video_views": [100.0, 300.0] * 14})
    noise = _daily({"video_views": [110.0, 300.0] * 14})
    clear = _daily({"video_views": [200.0, 400.0] * 14})
    assert compare(views, 5880, 5600, noise, before).significant is False
    assert compare(views, 8400, 5600, clear, before).significant is True

    ctr = get_metric("ctr", ADS)
    base = _daily({"clicks": [10.0, 30.0] * 14, "impressions": [1000.0] * 28})
    small = _daily({"clicks": [11.0, 30.0] * 14, "impressions": [1000.0] * 28})
    big = _daily({"clicks": [40.0, 60.0] * 14, "impressions": [1000.0] * 28})
    assert compare(ctr, 0.0205, 0.02, small, base).significant is False
    assert compare(ctr, 0.05, 0.02, big, base).significant is True


def test_too_few_days_are_not_tested():
    views = get_metric("video_views", ORGANIC)
    short = _daily({"video_views": [100.0, 200.0, 300.0]})
    assert compare(views, 600, 300, short, short * 0.5).significant is None


def test_a_family_whose_data_stops_early_gets_no_values_and_a_note(organic):
    # Organic data ends on 10 June; a window ending 12 June would count 11 and 12 June as
    # zero views: a made-up drop. No values, and a note naming the last day instead.
    out = summary(organic, 7, dt.date(2026, 6, 12))
    assert out["organic"]["video_views"] == NO_VALUE
    assert out["organic"]["followers"]["value"] is None  # the total on 12 June is unknown
    assert any("10 Jun 2026" in note for note in out["notes"])
    # Ending on the last day of the data is fine.
    assert summary(organic, 7, dt.date(2026, 6, 10))["organic"]["video_views"]["value"] > 0


def test_summary_lists_metrics_the_files_cannot_give_as_null(organic):
    out = summary(organic, 7, dt.date(2026, 6, 10))
    assert out["organic"]["saves"] == NO_VALUE


def test_change_is_relative_to_the_previous_value_as_the_spec_says():
    from metrics.compare import Change, relative_change

    assert relative_change(120, 100) == pytest.approx(0.2)
    # From a negative base the sign follows the movement: −7 → −1 is up 6 on a base of 7.
    assert relative_change(-1, -7) == pytest.approx(6 / 7)  # +85.7 %
    assert relative_change(-7, -1) == pytest.approx(-6.0)  # −600 %: down 6 on a base of 1
    assert relative_change(10, -10) == pytest.approx(2.0)
    assert relative_change(5, 0) is None  # no percentage of 0: the card shows +5 instead
    assert Change(5, 0, relative_change(5, 0)).difference == 5
    assert Change(10, -10, relative_change(10, -10)).difference == 20


def test_viewers_alone_give_a_window():
    from metrics.aggregate import data_end

    viewers = "Date,Total Viewers,New Viewers,Returning Viewers\n" + "\n".join(
        f"2026-05-{d:02d},{10 * d},{5 * d},{5 * d}" for d in range(1, 21)
    )
    dataset = load_files([("v.csv", viewers.encode())], today=TODAY)
    assert data_end(dataset) == dt.date(2026, 5, 20)


def test_posts_in_the_window_and_average_reach_per_post():
    from metrics.definitions import POSTS

    content = (
        "Video title,Video link,Post time,Video views,Likes,Comments,Shares,Reached audience\n"
        "A,https://www.tiktok.com/@x/video/1,2026/05/02 10:00,1000,10,1,1,800\n"
        "B,https://www.tiktok.com/@x/video/2,2026/05/20 10:00,3000,30,3,3,2000\n"
        "C,https://www.tiktok.com/@x/video/3,2026/05/28 18:30,500,5,0,0,400\n"
    )
    dataset = load_files([("posts.csv", content.encode())], today=TODAY)
    # Window 4–31 May: B and C were posted in it (A on 2 May was not): 2 posts, reach 2,400.
    window = last_n_days(28, dt.date(2026, 5, 31))
    row = aggregate(dataset, POSTS, window, metrics=["posts", "avg_reach_per_post"]).iloc[0]
    assert row["posts"] == 2
    assert row["avg_reach_per_post"] == pytest.approx((2000 + 400) / 2)


def test_revenue_reason_names_the_columns_that_would_give_it():
    dataset = load_files(
        [("a.csv", b"By Day,Campaign name,Ad group name,Ad name,Cost,Impressions\n"
          b"2026-03-01,C,G,A,10,1000\n")],
        today=TODAY,
    )  # fmt: skip
    reason = unavailable(dataset, ADS)["roas"]
    assert "Complete payment value or Purchase ROAS" in reason


def test_weeks_are_whole_seven_day_blocks_ending_on_the_window_end(organic):
    # Views on day d of June are 100·d. A 7-day window ending 10 June (a Wednesday) is one
    # week starting 4 June, not two calendar-week pieces: 100·(4+…+10) = 4,900.
    window = last_n_days(7, dt.date(2026, 6, 10))
    weeks = aggregate(organic, ORGANIC, window, level="week", metrics=["video_views"])
    assert list(weeks["week"].dt.date) == [dt.date(2026, 6, 4)]
    assert weeks["video_views"].iloc[0] == 100 * sum(range(4, 11))


def test_an_end_day_before_the_data_gets_a_note(organic):
    out = summary(organic, 7, dt.date(2026, 5, 20))
    assert out["organic"]["video_views"]["value"] is None
    assert any("starts on 1 Jun 2026" in note for note in out["notes"])


def test_partial_coverage_is_said(organic):
    # Organic data: 1–10 June. A 28-day window ending 10 June covers 10 of its days and has
    # no previous period at all.
    notes = summary(organic, 28, dt.date(2026, 6, 10))["notes"]
    assert any("covers 10 of the window's 28 days (from 1 Jun 2026)" in n for n in notes)
    assert any("does not reach back to the previous period" in n for n in notes)


def test_weeks_with_fewer_than_seven_days_of_data_are_left_out_of_the_weekly_view(organic):
    from metrics.aggregate import whole_weeks

    # Data 1–10 June; a 14-day window ending 10 June has blocks 28 May–3 Jun (3 days of data)
    # and 4–10 Jun (7 days): only the second is a whole week.
    window = last_n_days(14, dt.date(2026, 6, 10))
    weeks = aggregate(organic, ORGANIC, window, level="week", metrics=["video_views"])
    kept, dropped = whole_weeks(organic, ORGANIC, window, weeks)
    assert list(kept["week"].dt.date) == [dt.date(2026, 6, 4)] and dropped == 1


def test_chart_rows_draws_the_largest_or_smallest_few_and_never_a_row_without_a_value():
    from metrics.report import chart_rows

    frame = pd.DataFrame({"ad": list("abcdef"), "spend": [5.0, None, 9.0, 1.0, 9.0, 3.0]})
    # Five ads have a value; b has none. By hand: largest 2 are c and e (9 and 9, c first in
    # the table), smallest 2 are d (1) and f (3); "all" and a limit of 5 or more give the five.
    assert chart_rows(frame, "spend", 2)["ad"].tolist() == ["c", "e"]
    assert chart_rows(frame, "spend", 2, "smallest")["ad"].tolist() == ["d", "f"]
    assert chart_rows(frame, "spend", 2, "all")["ad"].tolist() == ["a", "c", "d", "e", "f"]
    assert chart_rows(frame, "spend", 5)["ad"].tolist() == ["a", "c", "d", "e", "f"]
    assert chart_rows(frame, "spend", 1)["ad"].tolist() == ["c"]  # the tie: c comes first


def test_bar_labels_tell_apart_names_shared_across_parents():
    from metrics.report import bar_labels

    frame = pd.DataFrame(
        {
            "campaign": ["Spring", "Spring", "Spring", "Autumn", "Autumn", "Autumn"],
            "ad_group": ["Group A", "Group B", "Group A", "Group A", "Group C", None],
            "ad": ["Video 1", "Video 1", "Video 2", "Video 1", "Solo", "Video 2"],
        }
    )
    # By hand: "Video 1" is in three ad groups; two of them are both called "Group A" (one per
    # campaign), so those two also get their campaign. "Video 2" is in Spring's Group A and in
    # an unnamed group. "Solo" is unique and stays as it is.
    assert bar_labels(frame, "ad").tolist() == [
        "Video 1 · Group A · Spring",
        "Video 1 · Group B",
        "Video 2 · Group A",
        "Video 1 · Group A · Autumn",
        "Solo",
        "Video 2 · (no name)",
    ]
    # At the ad-group level, "Group A" exists in both campaigns (twice in Spring: one ad group
    # per row here, as a report table never has, so the twins are numbered).
    assert bar_labels(frame, "ad_group").tolist() == [
        "Group A · Spring (1)",
        "Group B",
        "Group A · Spring (2)",
        "Group A · Autumn",
        "Group C",
        "(no name)",
    ]
    assert bar_labels(frame.iloc[[1, 4]], "ad").tolist() == ["Video 1", "Solo"]
