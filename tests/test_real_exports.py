"""Sets of files as real users have them (issue 9), each written by hand in TikTok's formats.

Every expected number is worked out from the fixture text in the comment beside it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from metrics.io import load_files
from metrics.report import summary
from metrics.windows import default_end

TODAY = dt.date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent / "fixtures" / "import"


def load(folder: str, *names: str, today: dt.date = TODAY, **kw):
    base = ROOT / folder
    files = names or tuple(sorted(p.name for p in base.iterdir() if p.suffix == ".csv"))
    return load_files([(n, (base / n).read_bytes()) for n in files], today=today, **kw)


# --- 1. The default window ends on the newest complete day ------------------------------------

STUDIO = ("Overview.csv", "Viewers.csv", "FollowerHistory.csv")


def test_a_studio_download_whose_side_files_end_later_opens_with_the_overview_filled():
    # Overview has numbers to 14 Oct (15 Oct says 'undefined'); Viewers goes on to 16 Oct;
    # FollowerHistory's 15 Oct says 'undefined'. The window must end on 14 Oct.
    dataset = load("studio_set_ends_apart", *STUDIO)
    end = default_end(dataset)
    assert end.day == dt.date(2026, 10, 14)
    assert "14 Oct 2026" in end.reason and "Viewers goes on to 16 Oct 2026" in end.reason
    assert "undefined" in end.reason
    out = summary(dataset, 7)
    assert out["window"] == {"days": 7, "start": "2026-10-08", "end": "2026-10-14"}
    organic = out["organic"]
    # Views are 100 × day: 8..14 → 100 × 77 = 7,700; the week before 1..7 → 2,800.
    assert organic["video_views"]["value"] == 7700
    assert organic["video_views"]["previous"] == 2800
    # Likes 10 × day: 770 now.
    assert organic["likes"]["value"] == 770
    # Followers 1000 + 10 × day: 1,140 on 14 Oct; 1,070 on 7 Oct → net +70.
    assert organic["followers"]["value"] == 1140
    assert organic["net_followers"]["value"] == 70
    assert "notes" not in out or not any("before this window" in n for n in out["notes"])


def test_studio_plus_an_ads_report_two_days_shorter_share_the_earlier_end():
    # Ads end on 12 Oct, two days before the Overview's 14 Oct: both families filled.
    dataset = load("studio_set_ends_apart", *STUDIO, "Custom_report_ads.csv")
    end = default_end(dataset)
    assert end.day == dt.date(2026, 10, 12)
    assert "Overview and Follower history go on to 14 Oct 2026" in end.reason
    out = summary(dataset, 7)
    assert out["window"]["end"] == "2026-10-12"
    # Views 6..12 → 100 × 63 = 6,300; ads: 7 days × 10.00 = 70.00 spend, 7,000 impressions.
    assert out["organic"]["video_views"]["value"] == 6300
    assert out["ads"]["spend"]["value"] == pytest.approx(70.0)
    assert out["ads"]["impressions"]["value"] == 7000
    # CTR = Σ clicks ÷ Σ impressions = 140 / 7,000 = 2 %.
    assert out["ads"]["ctr"]["value"] == pytest.approx(0.02)


def test_an_ads_report_from_long_ago_does_not_pull_the_window_back():
    ads = "By Day,Campaign name,Ad group name,Ad name,Cost,Impressions\n" + "\n".join(
        f"2026-08-{d:02d},C,G,A,5.00,100" for d in range(1, 11)
    )
    base = ROOT / "studio_set_ends_apart"
    files = [(n, (base / n).read_bytes()) for n in STUDIO] + [("ads.csv", ads.encode())]
    dataset = load_files(files, today=TODAY)
    end = default_end(dataset)
    assert end.day == dt.date(2026, 10, 14)
    assert "Ads Manager report ends on 10 Aug 2026" in end.reason


def test_files_that_end_together_need_no_reason():
    overview = "Date,Video Views,Likes\n2026-10-01,10,1\n2026-10-02,20,2\n"
    dataset = load_files([("o.csv", overview.encode())], today=TODAY)
    assert default_end(dataset).day == dt.date(2026, 10, 2)
    assert default_end(dataset).reason is None


def test_the_cli_says_where_the_window_ends_and_why(capsys):
    from metrics.__main__ import main

    base = ROOT / "studio_set_ends_apart"
    paths = [str(base / n) for n in STUDIO]
    main(["summary", *paths, "--days", "7", "--today", "2026-11-22"])
    captured = capsys.readouterr()
    assert "The window ends on 14 Oct 2026" in captured.err
    assert '"end": "2026-10-14"' in captured.out
    main(["inspect", *paths, "--today", "2026-11-22"])
    assert "The window ends on 14 Oct 2026" in capsys.readouterr().err


# --- 3. Legacy layouts --------------------------------------------------------------------


def test_hours_numbered_1_to_24_become_0_to_23():
    dataset = load("legacy_2021", "Follower activity.csv")
    df = dataset.get("follower_activity")
    # 2 days × 24 hours, none dropped; active = 100 × day + file hour, so hour 0 of 1 June is
    # the file's hour 1 (101) and hour 23 is the file's hour 24 (124).
    assert len(df) == 48
    first = df[df["date"].dt.day == 1].set_index("hour")["active_followers"]
    assert sorted(first.index.tolist()) == list(range(24))
    assert first[0] == 101 and first[23] == 124 and first[13] == 114
    assert any("1–24" in w for w in dataset.reports[0].warnings)


def test_hours_0_to_23_are_left_as_they_are():
    text = "Date,Hour,Active followers\n" + "\n".join(f"2026-10-01,{h},{h + 1}" for h in range(24))
    df = load_files([("a.csv", text.encode())], today=TODAY).get("follower_activity")
    assert df.set_index("hour")["active_followers"][0] == 1


def test_last_60_days_feeds_both_the_overview_and_the_follower_history():
    dataset = load("legacy_2021", "Last 60 days.csv")
    overview = dataset.get("overview")
    assert overview["video_views"].tolist() == [1200, 1500, 900]
    assert overview["profile_views"].sum() == 93  # 30 + 41 + 22
    followers = dataset.get("followers_history")
    assert followers["followers"].tolist() == [5000, 5015, 5011]
    # Changes are recomputed from the totals: +15, then −4.
    assert followers["followers_change"].tolist()[1:] == [15, -4]
    assert {r.kind for r in dataset.reports} == {"overview", "followers_history"}


def test_total_followers_with_a_clock_time_are_daily_totals():
    df = load("legacy_2021", "Total followers.csv").get("followers_history")
    assert df["date"].dt.date.tolist() == [dt.date(2024, 1, 13), dt.date(2024, 1, 14)]
    assert df["followers_change"].tolist()[1] == 10


def test_trending_videos_keep_their_extra_column_and_trailing_space_header():
    df = load("legacy_2021", "Trending Videos.csv").get("content")
    assert df["views_within_7_days"].sum() == 2100  # 800 + 1300
    assert df["shares"].sum() == 3  # "Total shares " with its trailing space
    assert df["video_views"].sum() == 2500


def test_a_2024_overview_keeps_unique_viewers():
    df = load("legacy_2021", "Overview_2024.csv").get("overview")
    assert df["unique_viewers"].tolist() == [210, 260]


def test_the_business_suite_audience_file_is_read():
    dataset = load("business_suite_audience", "Audience.csv")
    assert not dataset.errors
    df = dataset.get("followers_history")
    assert df["new_followers"].tolist() == [4, 6, -2]  # the −2 kept as reported
    assert df["new_followers"].sum() == 8
    assert df["followers"].isna().tolist() == [True, False, False]  # "--" is missing
    assert df["followers"].dropna().tolist() == [1206, 1204]
    assert df["reach"].isna().iloc[0] and df["reach"].iloc[1] == 350  # "NAN" is missing
    assert df["engaged_audience"].sum() == 79  # 41 + 38


def test_live_analytics_is_named_and_refused_and_other_files_still_load():
    base = ROOT / "refuse_live_analytics"
    files = [
        ("LIVE_interaction.csv", (base / "LIVE_interaction.csv").read_bytes()),
        ("Total followers.csv", (ROOT / "legacy_2021" / "Total followers.csv").read_bytes()),
    ]
    dataset = load_files(files, today=TODAY)
    (refused,) = dataset.errors
    assert "TikTok LIVE analytics" in refused.error
    assert "Overview" in refused.error  # says what the app reads instead
    assert dataset.has("followers_history")


def test_live_headers_are_refused_whatever_the_file_is_called():
    text = b"Date, New followers, Viewers who commented, Likes, Shares\n2025-10-01,3,10,200,4\n"
    (refused,) = load_files([("export (3).csv", text)], today=TODAY).errors
    assert "TikTok LIVE analytics" in refused.error


# --- 4. Near-miss headers -----------------------------------------------------------------


def test_near_miss_ads_headers_are_read_and_a_look_alike_is_named():
    dataset = load("ads_near_miss_headers", "Custom_report.csv")
    df = dataset.get("ads")
    # "Impression", "Ad Group Name", "Clicks (Destination)", "Date" are all recognised.
    assert df["impressions"].sum() == 8000
    assert df["clicks"].sum() == 60
    assert df["ad_group"].tolist() == ["G", "G"]
    assert df["spend"].sum() == pytest.approx(20.0)
    # "Reachh" is not used, and the warning says what it probably is.
    assert any("“Reachh” was not used; did you mean Reach?" in w for w in dataset.warnings)


def test_the_cli_summary_and_inspect_say_which_header_was_not_used(capsys):
    from metrics.__main__ import main

    path = str(ROOT / "ads_near_miss_headers" / "Custom_report.csv")
    main(["inspect", path, "--today", "2026-11-22"])
    assert "did you mean Reach?" in capsys.readouterr().err
    main(["summary", path, "--days", "7", "--today", "2026-11-22"])
    assert "did you mean Reach?" in capsys.readouterr().err


def test_video_views_in_either_case_are_one_overview_column():
    text = b"Date,Video views,Likes\n2026-10-01,10,1\n"
    assert load_files([("o.csv", text)], today=TODAY).get("overview")["video_views"][0] == 10


# --- 5. Conflicts ---------------------------------------------------------------------------


def test_two_accounts_overlapping_are_said_and_can_be_kept_apart():
    base = ROOT / "conflicting_accounts"
    files = [
        (n, (base / n).read_bytes()) for n in ("Overview_account_a.csv", "Overview_account_b.csv")
    ]
    dataset = load_files(files, today=TODAY)
    (conflict,) = dataset.conflicts
    assert conflict.different_accounts
    # 3–5 Oct are shared: 561, 530, 610 views in A vs 0, 0, 0 in B.
    assert (conflict.days, conflict.shared) == (3, 3)
    message = next(w for w in dataset.warnings if "different accounts" in w)
    assert "3 Oct 2026" in message and "561" in message
    assert f"“{conflict.kept}” was kept" in message
    # Choosing account A (leaving B out): A's own five days, 400+450+561+530+610 = 2,551.
    only_a = load_files(files, today=TODAY, exclude=[("Overview_account_b.csv", "overview")])
    assert only_a.get("overview")["video_views"].sum() == 2551
    assert not only_a.conflicts
    left_out = next(r for r in only_a.reports if r.file == "Overview_account_b.csv")
    assert left_out.rows == 0 and "Left out" in left_out.warnings[0]


def test_a_small_revision_is_a_conflict_but_not_another_account():
    # overlapping_overview: 5 and 6 Oct read 140/150 in the older file, 145/155 in the newer.
    base = ROOT / "overlapping_overview"
    names = ("Overview_oct01-07.csv", "Overview_oct05-11.csv")
    dataset = load_files([(n, (base / n).read_bytes()) for n in names], today=TODAY)
    (conflict,) = dataset.conflicts
    assert not conflict.different_accounts
    assert conflict.kept == "Overview_oct05-11.csv" and conflict.days == 2
    assert conflict.examples[0] == "5 Oct 2026: 145 vs 140 Video Views"


def test_identical_overlaps_stay_a_quiet_note():
    text = b"Date,Video Views,Likes\n2026-10-01,10,1\n2026-10-02,20,2\n"
    dataset = load_files([("a.csv", text), ("b.csv", text)], today=TODAY)
    assert not dataset.conflicts and not dataset.warnings
    assert any("2 overlapping" in n for n in dataset.notes)


# --- 6. Negative daily values are kept ----------------------------------------------------


def test_negative_daily_comments_are_kept_as_reported():
    base = ROOT / "conflicting_accounts"
    dataset = load_files([("a.csv", (base / "Overview_account_a.csv").read_bytes())], today=TODAY)
    df = dataset.get("overview").set_index("date")
    assert df.loc["2026-10-04", "comments"] == -1
    assert df["comments"].sum() == 10  # 2 + 2 + 3 − 1 + 4


# --- 7. Localised labels ------------------------------------------------------------------


def test_polish_gender_and_territory_labels_become_one_form():
    dataset = load("localised_labels")
    gender = dataset.get("follower_gender").set_index("gender")["share"]
    assert gender.to_dict() == pytest.approx({"Male": 0.38, "Female": 0.60, "Other": 0.02})
    territories = dataset.get("follower_territories").set_index("territory")["share"]
    assert territories.to_dict() == pytest.approx(
        {"PL": 0.80, "DE": 0.12, "GB": 0.05, "Others": 0.03}
    )


@pytest.mark.parametrize(
    "word, label",
    [("Männlich", "Male"), ("Weiblich", "Female"), ("Homme", "Male"), ("Femme", "Female"),
     ("Hombre", "Male"), ("Mujer", "Female"), ("Mężczyzna", "Male"), ("Kobieta", "Female"),
     ("Άνδρας", "Male"), ("Женщины", "Female"), ("Kadın", "Female"), ("Nữ", "Female"),
     ("男性", "Male"), ("여성", "Female")],
)  # fmt: skip
def test_gender_words_in_other_languages(word, label):
    import pandas as pd

    from metrics.io.labels import gender_labels

    assert gender_labels(pd.Series([word])).tolist() == [label]


@pytest.mark.parametrize(
    "name, code",
    [("Deutschland", "DE"), ("Allemagne", "DE"), ("Alemania", "DE"), ("Germany", "DE"),
     ("Vereinigtes Königreich", "GB"), ("Estados Unidos", "US"), ("Россия", "RU"),
     ("Ελλάδα", "GR"), ("Türkiye", "TR"), ("Việt Nam", "VN"), ("日本", "JP"), ("us", "US")],
)  # fmt: skip
def test_territory_names_in_other_languages_become_iso_codes(name, code):
    import pandas as pd

    from metrics.io.labels import territory_labels

    assert territory_labels(pd.Series([name])).tolist() == [code]


# --- 8. The year of a year-less file can be corrected -------------------------------------


def test_a_year_given_for_a_file_wins_over_the_inference():
    base = ROOT / "studio_set_ends_apart"
    files = [("Overview.csv", (base / "Overview.csv").read_bytes())]
    # Inferred: 1–15 October before today (22 Nov 2026) → 2026.
    inferred = load_files(files, today=TODAY).get("overview")
    assert inferred["date"].max().date() == dt.date(2026, 10, 15)
    corrected = load_files(files, today=TODAY, years={"Overview.csv": 2025})
    df = corrected.get("overview")
    assert df["date"].min().date() == dt.date(2025, 10, 1)
    assert df["date"].max().date() == dt.date(2025, 10, 15)
    assert any("year set by you" in w for w in corrected.reports[0].warnings)


def test_a_year_given_to_a_file_carries_to_year_less_files_beside_it():
    base = ROOT / "studio_set_ends_apart"
    files = [(n, (base / n).read_bytes()) for n in ("Overview.csv", "Viewers.csv")]
    dataset = load_files(files, today=TODAY, years={"Overview.csv": 2025})
    # Viewers has no year of its own: it takes the year nearest the Overview's 2025 dates.
    assert dataset.get("viewers")["date"].max().date() == dt.date(2025, 10, 16)


def test_the_cli_year_option(capsys):
    import json

    from metrics.__main__ import main

    path = str(ROOT / "studio_set_ends_apart" / "Overview.csv")
    main(["inspect", path, "--today", "2026-11-22", "--year", "Overview.csv=2024"])
    (report,) = json.loads(capsys.readouterr().out)
    assert report["first_date"] == "2024-10-01" and report["last_date"] == "2024-10-15"
    assert main(["inspect", path, "--year", "Overview.csv"]) == 2
    assert "FILE=YEAR" in capsys.readouterr().err


# --- The Data page: where the window ends, conflicts chosen, years corrected ----------------


def _data_page():
    from streamlit.testing.v1 import AppTest

    app = Path(__file__).resolve().parent.parent / "app.py"
    at = AppTest.from_file(str(app), default_timeout=60)
    at.run(timeout=60)
    at.switch_page("pages/data.py").run(timeout=60)  # the app opens on the Overview
    at.button(key="clear_data").click().run(timeout=60)
    return at


def _status(at):
    return next(d.value for d in at.dataframe if "Recognised as" in d.value.columns)


def test_the_data_page_lets_the_user_keep_one_of_two_accounts_and_set_a_year():
    at = _data_page()
    base = ROOT / "conflicting_accounts"
    at.file_uploader[0].set_value(
        [(n, (base / n).read_bytes(), "text/csv") for n in sorted(p.name for p in base.iterdir())]
    ).run(timeout=60)
    assert not at.exception
    assert any("different accounts" in w.value for w in at.warning)
    (radio,) = [r for r in at.radio if r.key.startswith("conflict::overview")]
    radio.set_value("Overview_account_a.csv").run(timeout=60)
    at.button(key="use::overview::Overview_account_a.csv").click().run(timeout=60)
    assert not at.exception
    assert not any("different accounts" in w.value for w in at.warning)
    status = _status(at).set_index("File")
    assert status.loc["Overview_account_b.csv", "Rows"] == 0
    assert status.loc["Overview_account_a.csv", "Rows"] == 5
    assert any(m.value.startswith("Left out: Overview") for m in at.markdown)

    # A year-less Overview: its year can be set, and the status row follows.
    at.button(key="clear_data").click().run(timeout=60)
    data = (ROOT / "studio_set_ends_apart" / "Overview.csv").read_bytes()
    at.file_uploader[0].set_value([("Overview.csv", data, "text/csv")]).run(timeout=60)
    year = at.number_input(key="year::Overview.csv")
    year.set_value(2024).run(timeout=60)
    at.button(key="apply_years").click().run(timeout=60)
    assert not at.exception
    assert _status(at).set_index("File").loc["Overview.csv", "Last day"] == "15 Oct 2024"


def test_the_data_page_says_where_the_window_ends_and_why():
    at = _data_page()
    base = ROOT / "studio_set_ends_apart"
    at.file_uploader[0].set_value([(n, (base / n).read_bytes(), "text/csv") for n in STUDIO]).run(
        timeout=60
    )
    assert not at.exception
    assert any("The window ends on 14 Oct 2026" in i.value for i in at.info)


def test_an_older_download_whose_newest_day_was_still_zero_is_not_another_account():
    # The older file ends on 3 Oct with zeros (not counted yet); the newer one has 300 there.
    older = b"Date,Video Views,Likes\n2026-10-01,100,5\n2026-10-02,120,6\n2026-10-03,0,0\n"
    newer = b"Date,Video Views,Likes\n2026-10-03,300,9\n2026-10-04,310,8\n"
    dataset = load_files([("old.csv", older), ("new.csv", newer)], today=TODAY)
    (conflict,) = dataset.conflicts
    assert not conflict.different_accounts
    assert conflict.kept == "new.csv"
    assert conflict.examples == ["3 Oct 2026: 300 vs 0 Video Views"]
    assert dataset.get("overview")["video_views"].sum() == 830  # 100 + 120 + 300 + 310


def test_an_overview_with_a_live_column_is_still_an_overview():
    text = b"Date,Video Views,Likes,LIVE views\n2026-10-01,10,1,3\n"
    dataset = load_files([("Overview.csv", text)], today=TODAY)
    assert not dataset.errors and dataset.get("overview")["video_views"][0] == 10


def test_content_exports_whose_lifetime_totals_grew_are_no_conflict():
    # overlapping_content: the 21 Nov export has more likes on a shared video than 14 Nov's.
    base = ROOT / "overlapping_content"
    files = [(p.name, p.read_bytes()) for p in sorted(base.iterdir()) if p.suffix == ".csv"]
    dataset = load_files(files, today=TODAY)
    assert not dataset.conflicts
    assert not any("disagree" in w for w in dataset.warnings)


def test_a_newest_row_of_undefined_and_zeros_is_not_a_complete_day():
    # TikTok's newest Viewers/Overview row can read "<day>","undefined","0","0".
    overview = (
        '"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
        '"2026-10-01","100","1","10","1","0"\n"2026-10-02","120","2","12","0","1"\n'
        '"2026-10-03","undefined","0","0","0","0"\n'
    )
    dataset = load_files([("Overview.csv", overview.encode())], today=TODAY)
    end = default_end(dataset)
    assert end.day == dt.date(2026, 10, 2)
    assert "on 3 Oct 2026 Overview says 'undefined'" in end.reason


def _studio_day(day: dt.date) -> str:
    return f"{day:%B} {day.day}"  # TikTok Studio writes "October 9", no year


def test_a_studio_set_with_undefined_last_days_fills_every_organic_kpi_and_says_why():
    # Overview: 14 Sep – 9 Oct with 100 views, 10 likes, 1 comment, 2 shares a day, then
    # 10 and 11 Oct reading "undefined, 0, 0 …"; FollowerHistory: 1,000 + 5 a day from 14 Sep
    # to 9 Oct, 10 Oct "undefined"; Viewers complete to 10 Oct.
    days = [dt.date(2026, 9, 14) + dt.timedelta(days=i) for i in range(26)]  # to 9 Oct
    overview = ['"Date","Video Views","Profile Views","Likes","Comments","Shares"']
    overview += [f'"{_studio_day(d)}","100","3","10","1","2"' for d in days]
    overview += [f'"October {n}","undefined","0","0","0","0"' for n in (10, 11)]
    history = ['"Date","Followers","Difference in followers from previous day"']
    history += [f'"{_studio_day(d)}","{1000 + 5 * i}","5"' for i, d in enumerate(days)]
    history += ['"October 10","undefined","undefined"']
    viewers = ['"Date","Total Viewers","New Viewers","Returning Viewers"']
    viewers += [f'"{_studio_day(d)}","50","20","30"' for d in [*days, dt.date(2026, 10, 10)]]
    files = [
        (name, ("\n".join(rows) + "\n").encode())
        for name, rows in (
            ("Overview.csv", overview),
            ("FollowerHistory.csv", history),
            ("Viewers.csv", viewers),
        )
    ]
    dataset = load_files(files, today=TODAY)
    end = default_end(dataset)
    assert end.day == dt.date(2026, 10, 9)
    assert end.reason == (
        "The window ends on 9 Oct 2026, the newest day that Overview and Follower history both "
        "have numbers for; Viewers goes on to 10 Oct 2026; on 10 Oct 2026 Follower history says "
        "'undefined' (no data yet); from 10 Oct 2026 to 11 Oct 2026 Overview says 'undefined' "
        "(no data yet)."
    )
    out = summary(dataset, 7)
    assert out["window"] == {"days": 7, "start": "2026-10-03", "end": "2026-10-09"}
    organic = out["organic"]
    # 7 days × 100 views = 700 against 700; likes 70; (70 + 7 + 14) ÷ 700 = 13 % engagement.
    assert organic["video_views"]["value"] == 700 and organic["video_views"]["previous"] == 700
    assert organic["likes"]["value"] == 70
    assert organic["engagement_rate"]["value"] == pytest.approx(0.13)
    # 9 Oct is day 25 from 14 Sep: 1,000 + 125 = 1,125 followers; 2 Oct (day 18): 1,090;
    # net +35, growth 35 ÷ 1,090.
    assert organic["followers"]["value"] == 1125
    assert organic["net_followers"]["value"] == 35
    assert organic["follower_growth_rate"]["value"] == pytest.approx(35 / 1090)
    assert not out.get("notes")


def test_a_business_overview_whose_reach_is_always_nan_still_ends_on_its_last_day():
    overview = (
        "Date,Video views,Reached audience,Profile views,Likes,Shares,Comments\n"
        "2026/07/18,100,NAN,1,10,0,1\n2026/07/19,120,NAN,2,12,1,0\n"
    )
    dataset = load_files([("Overview.csv", overview.encode())], today=TODAY)
    assert default_end(dataset).day == dt.date(2026, 7, 19)
    assert default_end(dataset).reason is None
