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
