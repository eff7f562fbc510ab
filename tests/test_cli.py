"""The command line's contract (docs/cli.md) on small files with numbers worked out by hand."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from metrics.formula import CustomColumn, FormulaError, parse_custom_column, parse_expression
from metrics.templates import Template, TemplateError, load_template

ROOT = Path(__file__).resolve().parent.parent

ADS = (
    "By Day,Campaign name,Ad group name,Ad name,Cost,Impressions,Clicks (destination)\n"
    "2026-03-01,C1,G1,A1,£10.00,1000,10\n"
    "2026-03-02,C1,G1,A1,£20.00,100,5\n"
    "2026-03-02,C2,G2,A2,£5.00,500,1\n"
)


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args, "--today", "2026-11-22"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def ads_file(tmp_path: Path) -> Path:
    path = tmp_path / "ads.csv"
    path.write_text(ADS, encoding="utf-8")
    return path


def test_table_by_campaign_sums_then_divides(ads_file):
    out = run("table", str(ads_file), "--level", "campaign", "--metrics", "spend,ctr,spend")
    assert out.returncode == 0, out.stderr
    rows = {r["campaign"]: r for r in json.loads(out.stdout)}
    assert list(rows["C1"]) == ["campaign", "spend", "ctr"]  # spend asked twice, shown once
    assert rows["C1"]["spend"] == pytest.approx(30.0)
    assert rows["C1"]["ctr"] == pytest.approx(15 / 1100)  # not (1 % + 5 %) ÷ 2
    assert rows["C2"]["ctr"] == pytest.approx(1 / 500)


def test_table_csv_and_custom_column(ads_file):
    out = run(
        "table", str(ads_file), "--level", "ad", "--metrics", "spend",
        "--custom", "cost_per_click = spend / clicks::currency", "--format", "csv",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "campaign,ad_group,ad,spend,cost_per_click"
    assert lines[1].startswith("C1,G1,A1,30.0,2.0")  # £30 ÷ 15 clicks


def test_custom_column_may_not_take_a_dimension_name(ads_file):
    out = run("table", str(ads_file), "--level", "campaign", "--custom", "campaign = spend * 2")
    assert out.returncode == 2
    assert "name of a table column" in out.stderr and "Traceback" not in out.stderr


def test_missing_template_file_is_a_sentence(ads_file):
    out = run("table", str(ads_file), "--level", "ad", "--template", "no/such/T.JSON")
    assert out.returncode == 2
    assert "could not be opened" in out.stderr and "Traceback" not in out.stderr


def test_table_without_an_ads_report_says_so(tmp_path):
    overview = tmp_path / "o.csv"
    overview.write_text(
        "Date,Video Views,Profile Views,Likes,Comments,Shares\n2026-03-01,1,1,1,1,1\n"
    )
    out = run("table", str(overview), "--level", "campaign")
    assert out.returncode == 1
    assert "No Ads Manager report" in out.stderr
    assert json.loads(out.stdout) == []


def test_summary_with_no_daily_data_fails_with_a_sentence(tmp_path):
    junk = tmp_path / "notes.csv"
    junk.write_text("Hello,World\n1,2\n")
    out = run("summary", str(junk))
    assert out.returncode == 1
    assert "not recognised" in out.stderr and "no window" in out.stderr


def test_a_saved_template_with_a_column_built_on_another_loads_again():
    names = {"spend", "clicks", "impressions"}
    first = parse_custom_column("cpc2 = spend / clicks", names, "currency")
    second = parse_custom_column("cpc2_k = cpc2 * 1000", names | {"cpc2"}, "currency")
    saved = Template("Mine", "ad", ("spend",), (first, second), 28).to_json()
    loaded = load_template(saved)
    assert [c.name for c in loaded.custom] == ["cpc2", "cpc2_k"]


def test_a_template_with_two_columns_of_one_name_is_refused():
    twice = {
        "name": "Twice",
        "level": "ad",
        "metrics": ["spend"],
        "custom_columns": [
            {"name": "x", "expression": "spend / clicks", "unit": "currency"},
            {"name": "x", "expression": "spend / impressions", "unit": "currency"},
        ],
    }
    with pytest.raises(TemplateError, match="already a metric or one of your columns"):
        load_template(json.dumps(twice))


def test_reserved_names_in_the_formula_module():
    with pytest.raises(FormulaError, match="name of a table column"):
        parse_custom_column("ad_group = spend", {"spend"})
    assert isinstance(
        CustomColumn("ok", parse_expression("spend", {"spend"}), "count"), CustomColumn
    )


def test_diagnose_without_an_ads_report_says_so(tmp_path):
    overview = tmp_path / "o.csv"
    overview.write_text(
        "Date,Video Views,Profile Views,Likes,Comments,Shares\n2026-03-01,1,1,1,1,1\n"
    )
    out = run("diagnose", str(overview))
    assert out.returncode == 1 and "No Ads Manager report" in out.stderr
    assert json.loads(out.stdout)["fatigue"] == []
