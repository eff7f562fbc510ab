"""The command line's contract (docs/cli.md) on small files with numbers worked out by hand."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from metrics.formula import CustomColumn, FormulaError, parse_custom_column, parse_expression
from metrics.templates import Template, TemplateError, load_template
from tests._cli import as_process, in_process

ROOT = Path(__file__).resolve().parent.parent

ADS = (
    "By Day,Campaign name,Ad group name,Ad name,Cost,Impressions,Clicks (destination)\n"
    "2026-03-01,C1,G1,A1,£10.00,1000,10\n"
    "2026-03-02,C1,G1,A1,£20.00,100,5\n"
    "2026-03-02,C2,G2,A2,£5.00,500,1\n"
)


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The command in this process, as `python -m metrics` in a pipe would run (tests/_cli.py)."""
    return in_process([*args, "--today", "2026-11-22"], cwd)


def run_process(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """A real `python -m metrics`: for the tests of the process's exit status."""
    return as_process([*args, "--today", "2026-11-22"], cwd)


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
    out = run_process("summary", str(junk))
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


# --- the command line for people: text, CSV, the default by terminal ---------------------------

OVERVIEW_14_DAYS = "Date,Video Views,Profile Views,Likes,Comments,Shares\n" + "".join(
    # 1–7 March: 100 views, 10 profile views, 10 likes, 1 comment, 1 share a day;
    # 8–14 March: 110 views, 9 profile views, 11 likes, 1 comment, 2 shares a day.
    f"2026-03-{d:02d},{100 if d <= 7 else 110},{10 if d <= 7 else 9},{10 if d <= 7 else 11},1,"
    f"{1 if d <= 7 else 2}\n"
    for d in range(1, 15)
)


@pytest.fixture
def overview_file(tmp_path: Path) -> Path:
    path = tmp_path / "overview.csv"
    path.write_text(OVERVIEW_14_DAYS, encoding="utf-8")
    return path


def test_table_text_has_labels_units_and_aligned_columns(ads_file):
    out = run(
        "table", str(ads_file), "--level", "campaign", "--metrics", "spend,ctr,cpc",
        "--custom", "cpc_k = spend / clicks * 1000::currency", "--format", "text",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "2 rows."
    header, c1, c2 = lines[2], lines[3], lines[4]
    assert header.split() == ["Campaign", "Spend", "CTR", "CPC", "cpc_k"]
    # C1: £30 on 1,100 impressions and 15 clicks: CTR 15 ÷ 1,100 = 1.36 %, CPC £2, ×1000 £2,000.
    assert c1.split() == ["C1", "£30.00", "1.36", "%", "£2.00", "£2,000.00"]
    # C2: £5, 1 click on 500 impressions: 0.20 %, £5.00 per click.
    assert c2.split() == ["C2", "£5.00", "0.20", "%", "£5.00", "£5,000.00"]
    # Numbers are right-aligned: every row's cells end in the same column as the header's.
    for word in ("Spend", "CTR", "CPC", "cpc_k"):
        end = header.index(word) + len(word)
        for row in (c1, c2):
            assert row[end - 1] != " " and row[end : end + 1] in ("", " "), (word, row)


def test_summary_text_shows_labels_units_changes_and_verdicts(overview_file):
    out = run("summary", str(overview_file), "--days", "7", "--format", "text")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.splitlines()[0] == (
        "Last 7 days: 8 Mar – 14 Mar 2026, against the 7 days before (1 Mar – 7 Mar 2026)."
    )
    rows = {line.split("  ")[1].strip(): line.split() for line in text.splitlines()[4:]
            if line.startswith("  ") and "  " in line[2:]}  # fmt: skip
    # 7 × 110 = 770 views against 7 × 100 = 700: +10.0 %, and more views is better.
    assert rows["Video views"][-5:] == ["770", "700", "+10.0", "%", "better"]
    # 63 profile views against 70: −10.0 %, worse.
    assert rows["Profile views"][-5:] == ["63", "70", "-10.0", "%", "worse"]
    # (77 + 7 + 14) ÷ 770 = 12.73 % against (70 + 7 + 7) ÷ 700 = 12.00 %: +6.1 %.
    assert rows["Engagement rate"][-7:] == ["12.73", "%", "12.00", "%", "+6.1", "%", "better"]
    assert "No value in these files: Saves" in text


def test_summary_csv_is_one_row_per_metric(overview_file):
    out = run("summary", str(overview_file), "--days", "7", "--format", "csv")
    assert out.returncode == 0, out.stderr
    import csv

    rows = {r["metric"]: r for r in csv.DictReader(out.stdout.splitlines())}
    views = rows["video_views"]
    assert (views["family"], views["unit"], views["label"]) == ("organic", "count", "Video views")
    assert (views["start"], views["end"]) == ("2026-03-08", "2026-03-14")
    assert (views["previous_start"], views["previous_end"]) == ("2026-03-01", "2026-03-07")
    assert float(views["value"]) == 770 and float(views["previous"]) == 700
    assert float(views["change"]) == pytest.approx(0.1)
    assert float(rows["engagement_rate"]["value"]) == pytest.approx(98 / 770)
    # The interval is two numeric columns, not one "[low, high]" text cell. Views are a flat
    # 110 a day against a flat 100: no day-to-day noise, so the interval is +10 % at both ends.
    assert "interval" not in rows["video_views"]
    assert float(views["interval_low"]) == pytest.approx(0.1)
    assert float(views["interval_high"]) == pytest.approx(0.1)


def test_inspect_csv_neutralises_a_file_name_excel_would_run(tmp_path):
    evil = tmp_path / "=HYPERLINK(1).csv"
    evil.write_text("Hello,World\n1,2\n")
    out = run("inspect", str(evil), "--format", "csv")
    assert out.returncode == 1  # refused, and said so in the row
    import csv

    (row,) = list(csv.DictReader(out.stdout.splitlines()))
    assert row["file"] == "'=HYPERLINK(1).csv" and row["kind"] == ""
    assert "not recognised" in row["error"]


def test_inspect_text_lists_tables_and_refusals(tmp_path, ads_file):
    junk = tmp_path / "notes.csv"
    junk.write_text("Hello,World\n1,2\n")
    out = run("inspect", str(ads_file), str(junk), "--format", "text")
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert lines[0] == "1 table read, 1 refused."
    (row,) = [line for line in lines if line.startswith("  ads.csv")]
    assert row.split("  ")[1:] and "Ads Manager report" in row
    assert row.split()[-7:] == ["3", "1", "Mar", "2026", "2", "Mar", "2026"]
    assert "  Refused: notes.csv" in lines


def _on_a_terminal(*args: str) -> str:
    """Run the command with its standard output on a pseudo-terminal; return what it printed."""
    import os

    master, slave = os.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "metrics", *args, "--today", "2026-11-22"],
            cwd=ROOT,
            stdout=slave,
            stderr=subprocess.PIPE,
            timeout=120,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "100"},
        )
    finally:
        os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other end is closed and everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.returncode == 0, proc.stderr
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_the_default_is_text_on_a_terminal_and_json_in_a_pipe(ads_file):
    args = ("table", str(ads_file), "--level", "campaign", "--metrics", "spend")
    shown = _on_a_terminal(*args)
    assert shown.splitlines()[0] == "2 rows." and "£30.00" in shown
    piped = run(*args)
    assert json.loads(piped.stdout)[0]["spend"] == pytest.approx(30.0)
    assert json.loads(run(*args, "--format", "json").stdout) == json.loads(piped.stdout)


def test_diagnose_text_is_a_page_with_the_sample_story():
    files = sorted(str(p) for p in (ROOT / "sample_data").iterdir() if p.is_file())
    out = run("diagnose", *files, "--format", "text")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) < 100  # the JSON of the same run is over 2,000 lines
    # The sample's story (README, Sample data): "Latte pour – v1" tires from late September;
    # in "Broad UK 18-54" "Bean-to-cup ASMR" has the best hook, the offer card the best CTA.
    assert any(
        line.startswith("  Fatigued: Latte pour – v1 (Prospecting UK 25-44") for line in lines
    )
    broad = lines.index(next(line for line in lines if line.startswith("  Broad UK 18-54")))
    hook, cta = (re.split(r"\s{2,}", line.strip()) for line in lines[broad + 1 : broad + 3])
    assert hook[:2] == ["Best hook", "Bean-to-cup ASMR"] and hook[2].startswith("hook rate ")
    assert cta[:2] == ["Best CTA", "20% off first bag – offer card"] and cta[2].startswith("CTR ")
    assert not any(line.startswith("  Fatigued: Latte pour – v2") for line in lines)


def test_diagnose_text_without_an_ads_report_is_one_sentence(overview_file):
    out = run("diagnose", str(overview_file), "--days", "7", "--format", "text")
    assert out.returncode == 1
    lines = [line for line in out.stdout.splitlines() if line]
    assert lines[0] == "Diagnostics for the last 7 days: 8 Mar – 14 Mar 2026."
    assert " ".join(lines[1:]).startswith("No Ads Manager report among these files")
    assert "Ad fatigue" not in out.stdout and "Traceback" not in out.stderr


def test_diagnose_csv_has_one_row_per_verdict(ads_file):
    out = run("diagnose", str(ads_file), "--format", "csv")
    assert out.returncode == 0, out.stderr
    import csv

    rows = list(csv.DictReader(out.stdout.splitlines()))
    fatigue = [r for r in rows if r["section"] == "fatigue"]
    # Two ads with one or two days each: too little history to judge either.
    assert sorted(r["ad"] for r in fatigue) == ["A1", "A2"]
    assert {r["verdict"] for r in fatigue} == {"insufficient_data"}


def test_a_bad_format_is_a_usage_error(ads_file):
    out = run_process("inspect", str(ads_file), "--format", "xml")
    assert out.returncode == 2
    assert "invalid choice: 'xml'" in out.stderr and "Traceback" not in out.stderr


# --- formatting rules, on values worked out by hand ---------------------------------------------


def test_values_in_their_units():
    from metrics.cli_format import format_value

    assert format_value(0.0123, "ratio") == "1.23 %"
    assert format_value(1234.5, "currency", "GBP") == "£1,234.50"
    assert format_value(1234.5, "currency", "EUR") == "€1,234.50"
    assert format_value(-3, "currency", "USD") == "-$3.00"
    assert format_value(1234.5, "currency", "SEK") == "1,234.50 SEK"  # no symbol of its own
    assert format_value(0.006, "currency", "GBP") == "£0.006"  # a cost per view, not £0.01
    assert format_value(1234.5, "currency") == "1,234.50"
    assert format_value(245691.0, "count") == "245,691"
    assert format_value(2.7, "multiple") == "2.70×"
    assert format_value(0.0123, "per_mille") == "12.30 ‰"
    assert format_value(None, "count") == "—" and format_value(float("nan"), "ratio") == "—"


def test_changes_and_verdicts():
    from metrics.cli_format import format_change, verdict

    up = {"value": 110.0, "previous": 100.0, "change": 0.1}
    assert format_change(up, "count") == "+10.0 %"
    assert verdict(up, True) == "better" and verdict(up, False) == "worse"
    assert verdict(up, None) == "up"
    assert verdict({**up, "within_noise": True}, True) == "within noise"
    assert verdict({**up, "within_noise": False}, True) == "better"
    assert verdict({**up, "within_noise": None}, True) == "too few days to tell"
    # From −5 net followers to +10: (10 − (−5)) ÷ |−5| = +300 %, a rise shown as a rise.
    turned = {"value": 10.0, "previous": -5.0, "change": 3.0}
    assert format_change(turned, "count") == "+300.0 %"
    assert verdict(turned, True) == "better"
    # From 0 to 3: no percentage of zero; the difference instead.
    assert format_change({"value": 3.0, "previous": 0.0, "change": None}, "count") == "+3"
    # A snapshot (followers on the last day) is never "too few days to tell".
    snapshot = {**up, "within_noise": None}
    assert verdict(snapshot, True, testable=False) == "better"
    assert format_change({"value": 3.0, "previous": None, "change": None}, "count") == "—"
    # A rate from 0 to 0.1 %: a difference of 0.10 percentage points, not "+0.10 %" (which
    # reads as a relative change); nothing to nothing is no change, not "+0".
    assert format_change({"value": 0.001, "previous": 0.0, "change": None}, "ratio") == "+0.10 pp"
    assert format_change({"value": 0.0, "previous": 0.0, "change": None}, "count") == "0"
    assert verdict({"value": 0.0, "previous": 0.0, "change": None}, True) == "no change"


def test_a_loss_that_shrinks_reads_as_a_rise_in_the_text(tmp_path):
    # Followers 1,000 on 1 Oct, one lost a day 2–8 Oct (993), one more on 9 Oct (992).
    # Net followers: previous week 993 − 1,000 = −7, this week 992 − 993 = −1;
    # (−1 − (−7)) ÷ |−7| = 6 ÷ 7 = +85.7 %, and fewer followers lost is better.
    followers = [1000] + [1000 - d for d in range(1, 8)] + [992] * 7
    lines = ['"Date","Followers","Difference in followers from previous day"']
    for i, value in enumerate(followers):
        diff = value - followers[i - 1] if i else 0
        lines.append(f'"2026-10-{i + 1:02d}","{value}","{diff}"')
    path = tmp_path / "FollowerHistory.csv"
    path.write_text("\n".join(lines) + "\n")
    out = run("summary", str(path), "--days", "7", "--format", "text")
    assert out.returncode == 0, out.stderr
    rows = {line[2:24].strip(): line.split() for line in out.stdout.splitlines()}
    assert rows["Net followers"][-5:] == ["-1", "-7", "+85.7", "%", "better"]
    # Growth: −1 ÷ 993 = −0.10 % against −7 ÷ 1,000 = −0.70 %;
    # (−0.1007 % + 0.7 %) ÷ 0.7 % = +85.6 %.
    assert rows["Follower growth rate"][-7:] == ["-0.10", "%", "-0.70", "%", "+85.6", "%", "better"]
    # 992 against 993 followers: −0.1 %, worse.
    assert rows["Followers"][-5:] == ["992", "993", "-0.1", "%", "worse"]


def test_user_text_cannot_drive_the_terminal():
    from metrics.cli_format import safe_text

    assert safe_text("\x1b[2Jad\x07") == "?[2Jad?"  # no clear-screen, no bell
    assert safe_text("abc\u202edcb") == "abc?dcb"  # no right-to-left override
    assert safe_text("Café – 20% off") == "Café – 20% off"


# --- start-up, help and documentation ------------------------------------------------------------


def test_help_loads_neither_pandas_nor_scipy():
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "metrics", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0
    loaded = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines()}
    assert not {"pandas", "numpy", "scipy", "pyarrow"} & loaded
    assert "docs/cli.md" in out.stdout and "spec/" not in out.stdout
    assert "examples:" in out.stdout


def test_every_command_and_option_is_in_docs_cli():
    import argparse

    from metrics.__main__ import build_parser

    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = build_parser("tiktok-metrics")
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) == {"inspect", "summary", "table", "diagnose"}
    for name, command in sub.choices.items():
        assert f"## `{name} " in doc, name
        for action in command._actions:
            if action.help == argparse.SUPPRESS:
                continue
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in doc, f"{name} {option}"
            for choice in action.choices or ():
                assert f"`{choice}`" in doc or choice in doc, f"{name} {choice}"
        help_text = command.format_help()
        assert "examples:" in help_text and "tiktok-metrics " + name in help_text


def test_docs_metrics_lists_every_metric_of_the_registry():
    from metrics.definitions import ADS, ORGANIC, POSTS, REGISTRY

    doc = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    sections = {
        ORGANIC: "### Organic (TikTok Studio)",
        POSTS: "### Posts (TikTok Studio Content)",
        ADS: "### Ads (Ads Manager)",
    }
    for family, title in sections.items():
        section = doc.split(title, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
        listed = [
            line.split("|")[1].strip() for line in section.splitlines() if line.startswith("| `")
        ]
        assert listed == [f"`{name}`" for name in REGISTRY[family]], family
        for m in REGISTRY[family].values():
            row = f"| `{m.name}` | {m.label} | {m.formula.replace('|', chr(92) + '|')} | {m.unit} |"
            assert row in section, m.name


# Written on other branches (export formats, diagnostics' statistics); present after the merge.
PENDING_DOCS: set[str] = set()


def test_docs_stay_inside_the_repository():
    try:
        tracked = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split("\0")
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: every file
        tracked = [
            p.relative_to(ROOT).as_posix()
            for p in ROOT.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(ROOT).parts)
        ] + [".ci/run"]
    texts = [
        p for p in tracked if p.endswith((".md", ".py", ".toml", ".txt", ".lock")) or p == ".ci/run"
    ]
    outside = re.compile(r"\.\./shared|shared/spec|spec/(cli|metrics|exports)\.md")
    for path in texts:
        if path == "tests/test_cli.py":
            continue
        text = (ROOT / path).read_text(encoding="utf-8", errors="replace")
        assert not outside.search(text), path
    for doc in ["README.md", *(p for p in tracked if p.startswith("docs/") and p.endswith(".md"))]:
        base = (ROOT / doc).parent
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", (ROOT / doc).read_text()):
            if "://" in target:
                continue
            resolved = (base / target).resolve()
            name = resolved.relative_to(ROOT).as_posix()
            assert resolved.exists() or name in PENDING_DOCS, f"{doc} → {target}"


def test_the_console_command_runs_main(ads_file, capsys):
    import importlib
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    module, _, function = project["scripts"]["tiktok-metrics"].partition(":")
    entry = getattr(importlib.import_module(module), function)
    code = entry(
        ["table", str(ads_file), "--level", "ad", "--metrics", "spend", "--format", "json"]
    )
    assert code == 0
    assert [r["spend"] for r in json.loads(capsys.readouterr().out)] == [30.0, 5.0]


def test_help_names_the_real_templates_and_default_metrics():
    from metrics.__main__ import DEFAULT_METRICS, TEMPLATES
    from metrics.report import DEFAULT_TABLE_METRICS
    from metrics.templates import BUILTIN

    assert TEMPLATES == tuple(BUILTIN)
    assert DEFAULT_METRICS == tuple(DEFAULT_TABLE_METRICS)


def test_an_end_day_before_the_ads_report_says_which_days_it_covers(ads_file):
    # The ads fixture covers 1–2 March 2026; a 7-day window ending 31 Jan 2026 (25–31 Jan)
    # has none of it: say so and name the days to choose, rather than "every ad that spent
    # also got impressions" or an empty table.
    sentence = (
        "The Ads Manager report covers 1 Mar – 2 Mar 2026; the window 25 Jan – 31 Jan 2026 has "
        "none of it. Choose an end day from 1 Mar 2026 to 2 Mar 2026 (--end YYYY-MM-DD)."
    )
    out = run("diagnose", str(ads_file), "--days", "7", "--end", "2026-01-31", "--format", "text")
    assert out.returncode == 0, out.stderr
    assert " ".join(out.stdout.split()) == (
        "Diagnostics for the last 7 days: 25 Jan – 31 Jan 2026. " + sentence
    )
    out = run("table", str(ads_file), "--level", "ad", "--days", "7", "--end", "2026-01-31",
              "--format", "text")  # fmt: skip
    assert out.stdout.strip() == sentence
    out = run("table", str(ads_file), "--level", "ad", "--days", "7", "--end", "2026-01-31",
              "--format", "json")  # fmt: skip
    assert json.loads(out.stdout) == [] and f"note: {sentence}" in out.stderr
    # A window that holds one of its days is not "outside": 23 Feb – 1 Mar has A1's 1 March
    # row only (1,000 impressions, £10.00).
    out = run("table", str(ads_file), "--level", "ad", "--days", "7", "--end", "2026-03-01",
              "--format", "json")  # fmt: skip
    rows = json.loads(out.stdout)
    assert "covers" not in out.stderr
    assert [(r["ad"], r["impressions"], r["spend"]) for r in rows] == [("A1", 1000, 10.0)]


def test_a_folder_is_read_without_its_hidden_files_and_an_empty_one_is_said(tmp_path, ads_file):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "ads.csv").write_bytes(ads_file.read_bytes())
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")  # what Finder leaves behind
    out = run("inspect", str(folder), "--format", "json")
    assert out.returncode == 0, out.stderr
    assert [(r["file"], r["kind"], r["rows"]) for r in json.loads(out.stdout)] == [
        ("ads.csv", "ads", 3)
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    out = run("summary", str(empty), "--format", "text")
    assert out.returncode == 2 and out.stdout == ""
    assert f"the folder {empty} holds no files to read" in out.stderr
    assert "error: No files to read" in out.stderr and "Traceback" not in out.stderr


def test_diagnose_text_shows_the_brief_it_points_to_and_the_groups_notes():
    from metrics.cli_format import diagnose_text

    out = {
        "window": {"days": 7, "start": "2026-10-25", "end": "2026-10-31"},
        "fatigue": [
            {
                "campaign": "C", "ad_group": "G", "ad": "Tired", "status": "watch",
                "evidence": {}, "explanation": "CTR is drifting down (see the creative brief).",
                "brief": ["Rewrite the first 3 seconds.", "Swap the voice-over."],
            }
        ],
        "hook_vs_cta": [
            {
                "campaign": "C", "ad_group": "G", "best_hook": None, "best_cta": None,
                "significant": False, "recommendation": "Keep the test running.",
                "notes": ["“A” and “B” are level on hook rate (+0.4%): a tie, not a winner."],
                "ads": [],
            }
        ],
        "drop_off": [], "delivery": [], "organic_vs_paid": [], "tracking": None,
    }  # fmt: skip
    lines = diagnose_text(out).splitlines()
    at = lines.index("  Watch: Tired (G · C)")
    assert lines[at + 1 : at + 5] == [
        "    CTR is drifting down (see the creative brief).",
        "    Creative brief:",
        "      - Rewrite the first 3 seconds.",
        "      - Swap the voice-over.",
    ]
    assert "    Note: “A” and “B” are level on hook rate (+0.4%): a tie, not a winner." in lines


def test_every_field_diagnose_and_summary_emit_is_in_docs_cli(sample_dataset):
    # The contract is docs/cli.md: a key the JSON carries but the page does not name (or the
    # other way round, checked by hand in review) leaves a script writer guessing.
    from metrics.__main__ import _json
    from metrics.diagnostics import diagnose
    from metrics.report import summary

    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    data = json.loads(_json(diagnose(sample_dataset, 28)))
    keys = set(data)
    for f in data["fatigue"]:
        keys |= set(f) | set(f["evidence"]) | set(f["evidence"].get("break_thresholds", {}))
    for g in data["hook_vs_cta"]:
        keys |= set(g) | {k for a in g["ads"] for k in a}
    for section in ("drop_off", "delivery", "organic_vs_paid"):
        keys |= {k for item in data[section] for k in item}
    out = json.loads(_json(summary(sample_dataset, 28)))
    keys |= set(out) | {k for family in ("organic", "ads") for c in out[family].values() for k in c}

    def named(key: str) -> bool:  # `fatigue[]` for a list; `…_ci` for every interval
        return f"`{key}`" in doc or f"`{key}[]`" in doc or (key.endswith("_ci") and "`…_ci`" in doc)

    missing = sorted(k for k in keys if not named(k))
    assert not missing, missing


def test_a_window_after_the_data_does_not_claim_the_files_lack_the_metrics(overview_file):
    # The Overview covers 1–14 March; a week ending 30 April has none of it. The files do hold
    # views and likes, so "No value in these files: Video views, …" would be untrue.
    out = run("summary", str(overview_file), "--days", "7", "--end", "2026-04-30",
              "--format", "text")  # fmt: skip
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "No values in this window: see the note below." in text
    assert "No value in these files" not in text
    # 14 March → 24 April is 17 + 24 = 41 days.
    assert "ends on 14 Mar 2026, 41 days before this window starts (24 Apr 2026)" in text


def test_metric_names_ignore_case_and_a_near_miss_gets_a_suggestion(ads_file):
    # Metric names are lower case; "CTR" typed as in Ads Manager is the same metric.
    out = run("table", str(ads_file), "--level", "campaign", "--metrics", "Spend,CTR")
    assert out.returncode == 0, out.stderr
    rows = {r["campaign"]: r for r in json.loads(out.stdout)}
    # C1: clicks 10 + 5 on impressions 1,000 + 100 → 15 ÷ 1,100; spend 10 + 20 = 30.
    assert rows["C1"]["ctr"] == pytest.approx(15 / 1100) and rows["C1"]["spend"] == 30
    out = run("table", str(ads_file), "--level", "campaign", "--metrics", "spend,cpaa")
    assert out.returncode == 2
    assert "Unknown metric(s): cpaa. 'cpaa': did you mean cpa?" in out.stderr


def test_table_without_a_level_is_one_sentence_not_the_top_level_usage(ads_file):
    out = run("table", str(ads_file))
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.strip() == (
        "error: table needs --level campaign, ad_group or ad (or a --template), e.g. "
        "python -m metrics table FILE --level campaign"
    )


def test_table_and_diagnose_say_why_the_default_window_ends_where_it_does(tmp_path):
    # The Overview ends on 14 Oct and the Ads report on 12 Oct: the window ends on 12 Oct, and
    # table and diagnose (not only summary) say so, as the Data page does.
    fixture = ROOT / "tests" / "fixtures" / "import" / "studio_set_ends_apart"
    files = [str(fixture / "Overview.csv"), str(fixture / "Custom_report_ads.csv")]
    for command in (["table", *files, "--level", "ad"], ["diagnose", *files]):
        out = run(*command, "--days", "7", "--format", "json")
        assert "note: The window ends on 12 Oct 2026" in out.stderr, command
        assert "Overview goes on to 14 Oct 2026" in out.stderr
    out = run("table", *files, "--level", "ad", "--days", "7", "--end", "2026-10-12")
    assert "The window ends on" not in out.stderr  # the user chose the end


def test_a_summary_of_viewers_alone_says_where_the_kpis_come_from(tmp_path):
    viewers = tmp_path / "Viewers.csv"
    viewers.write_text(
        '"Date","Total Viewers","New Viewers","Returning Viewers"\n'
        + "".join(f'"2026-10-{d:02d}","50","20","30"\n' for d in range(1, 15))
    )
    out = run("summary", str(viewers), "--days", "7", "--format", "text")
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert text.startswith("Last 7 days: 8 Oct – 14 Oct 2026")
    assert "None of these files holds the KPIs: they come from an Overview" in text


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path):
    # 2,000 ads on one day: the ad table's JSON is far beyond a pipe's 64 kB buffer, so the
    # command is still writing when the reader (like `| head -c 10`) closes its end.
    header = "By Day,Campaign name,Ad group name,Ad name,Cost,Impressions,Clicks (destination)\n"
    rows = "".join(f"2026-03-01,C,G,Ad {n},£{n}.00,1000,10\n" for n in range(2000))
    path = tmp_path / "many.csv"
    path.write_text(header + rows, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "metrics", "table", str(path), "--level", "ad", "--days", "7",
         "--today", "2026-03-02", "--format", "json"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err, err[-2000:]
