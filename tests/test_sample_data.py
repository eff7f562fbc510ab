"""The sample files import to the numbers the generator intended (sample_data/expected.json)."""

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import SAMPLE, sample_files

from metrics.aggregate import aggregate
from metrics.definitions import ADS
from metrics.diagnostics import fatigue, hook_vs_cta
from metrics.io import combine, read_file
from metrics.report import summary, table
from tests._cli import in_process

TODAY = dt.date(2026, 11, 22)
EXPECTED = json.loads((SAMPLE / ".generator" / "expected.json").read_text("utf-8"))
BY_FILE = {f["file"]: f for f in EXPECTED["files"]}


@pytest.fixture(scope="module")
def per_file():
    """Each table read on its own (no merging), keyed like expected.json."""
    out = {}
    for name, data in sample_files():
        dataset = combine(read_file(name, data), today=TODAY)
        for report in dataset.reports:
            out[report.file] = (report, dataset.tables.get(report.kind))
    return out


def test_every_sample_table_is_recognised(sample_dataset):
    found = {r.file: r for r in sample_dataset.reports}
    assert not sample_dataset.errors
    for name, expected in BY_FILE.items():
        report = found[name]
        assert report.kind == expected["kind"], name
        assert report.rows == expected["rows"], name
        if expected.get("first_date"):
            assert report.first_date.isoformat() == expected["first_date"], name
            assert report.last_date.isoformat() == expected["last_date"], name


@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_sums_match_the_generator(per_file, name):
    expected = BY_FILE[name]
    _, frame = per_file[name]
    for column, value in expected["sums"].items():
        if column == "followers_first":
            assert frame["followers"].iloc[0] == value
        elif column == "followers_last":
            assert frame["followers"].iloc[-1] == value
        elif column == "distribution":
            assert frame["share"].sum() == pytest.approx(value)
        else:
            assert frame[column].sum() == pytest.approx(value, abs=0.005), column


def test_undefined_cells_are_missing_not_zero(per_file):
    for cell in EXPECTED["story"]["undefined_cells"]:
        _, frame = per_file[cell["file"]]
        row = frame[frame["date"] == pd.Timestamp(cell["date"])]
        column = cell["column"].lower().replace(" ", "_")  # "Profile Views" → profile_views
        assert len(row) == 1 and row[column].isna().all(), cell


def test_the_merged_overview_takes_the_complete_rows(sample_dataset):
    overview = sample_dataset.get("overview")
    assert len(overview) == 365  # 60 business-layout days overlap the 365 creator-layout days
    layout_a = BY_FILE["Overview_2025-11-01_1793448000_northwind.coffee.zip/Overview.csv"]["sums"]
    assert overview["video_views"].sum() == layout_a["video_views"]
    last = overview.iloc[-1]
    assert last["date"] == pd.Timestamp("2026-10-31") and pd.notna(last["profile_views"])


def test_ads_totals_row_matches_and_currency_is_read(sample_dataset):
    ads = BY_FILE["Custom_report_20260801_20261031_GMT+0.csv"]
    report = next(r for r in sample_dataset.reports if r.kind == "ads")
    assert not any("totals row" in w for w in report.warnings)
    assert sample_dataset.currency == ads["currency"]


def test_summary_and_table_give_the_generator_numbers(sample_dataset):
    ads = BY_FILE["Custom_report_20260801_20261031_GMT+0.csv"]
    out = summary(sample_dataset, 365, dt.date(2026, 10, 31))
    assert out["ads"]["spend"]["value"] == pytest.approx(ads["sums"]["spend"], abs=0.01)
    assert out["ads"]["ctr"]["value"] == pytest.approx(
        ads["sums"]["clicks"] / ads["sums"]["impressions"]
    )
    assert out["ads"]["roas"]["value"] == pytest.approx(
        ads["sums"]["complete_payment_value"] / ads["sums"]["spend"]
    )
    by_campaign = table(sample_dataset, "campaign", None, ["spend"])
    spent = dict(zip(by_campaign["campaign"], by_campaign["spend"], strict=True))
    for campaign, value in ads["spend_by_campaign"].items():
        assert spent[campaign] == pytest.approx(value, abs=0.01)
    by_ad = aggregate(
        sample_dataset, ADS, level="ad", metrics=["impressions", "clicks", "hook_rate"]
    )
    for row in ads["by_ad"]:
        mine = by_ad[(by_ad["ad"] == row["ad"]) & (by_ad["ad_group"] == row["ad_group"])].iloc[0]
        assert mine["impressions"] == row["impressions"] and mine["clicks"] == row["clicks"]
        assert mine["hook_rate"] == pytest.approx(row["video_watched_2s"] / row["impressions"])
    organic = BY_FILE["Overview_2025-11-01_1793448000_northwind.coffee.zip/Overview.csv"]["sums"]
    assert out["organic"]["video_views"]["value"] == organic["video_views"]
    assert (
        out["organic"]["followers"]["value"]
        == BY_FILE["Followers_northwind.coffee.zip/FollowerHistory.csv"]["sums"]["followers_last"]
    )


def test_the_sample_story_is_found(sample_dataset):
    story = EXPECTED["story"]
    planted = story["fatigue"]
    verdicts = {v["ad"]: v for v in fatigue(sample_dataset)}
    tired = verdicts[planted["ad"]]
    assert tired["status"] == "fatigued"
    onset = dt.date.fromisoformat(tired["evidence"]["decline_began"])
    assert abs((onset - dt.date.fromisoformat(planted["onset_date"])).days) <= 3
    others = [v for name, v in verdicts.items() if name != planted["ad"]]
    assert all(v["status"] != "fatigued" for v in others)
    group = next(
        g
        for g in hook_vs_cta(sample_dataset)
        if g["ad_group"] == story["best_hook_weak_cta"]["ad_group"]
    )
    assert group["best_hook"] == story["best_hook_weak_cta"]["ad"]
    assert group["best_cta"] == story["best_cta_weak_hook"]["ad"]
    assert group["significant"] and "Combine" in group["recommendation"]


def test_inspect_command_lists_every_sample_table():
    # What the shell glob sample_data/* gives (it skips the hidden .generator folder).
    files = [str(p) for p in sorted(SAMPLE.iterdir()) if not p.name.startswith(".")]
    result = in_process(["inspect", *files, "--today", "2026-11-22"])  # tests/_cli.py
    assert result.returncode == 0, result.stderr
    listed = {row["file"]: row for row in json.loads(result.stdout)}
    for name, expected in BY_FILE.items():
        assert listed[name]["kind"] == expected["kind"]
        assert listed[name]["error"] is None
