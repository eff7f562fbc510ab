"""The bad-and-odd file corpus (tests/bad_files/) through the importer, every CLI command and
every page: each file gets the sentence written for it in expected.json, never a traceback,
and the good files uploaded beside it are still read.

The corpus is written by tests/bad_files/make_bad_files.py; the expected sentences were
written with it, from what each file is, not from the importer's output.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.__main__ import main
from metrics.io import load_files

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "bad_files"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
GOOD = ("Overview.csv", (CORPUS / "files" / "zip_in_zip.zip"))  # read through a nested ZIP
GOOD_OVERVIEW = (
    b'"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
    b'"2026-10-01","100","5","10","1","0"\n"2026-10-02","200","6","20","2","1"\n'
)
COMMANDS = (["inspect"], ["summary"], ["table", "--level", "ad"], ["diagnose"])
INTERNALS = ("Traceback", "Error:", "Exception", "NoneType", "KeyError", "/work/", 'File "')
PAGES = ("data", "overview", "content", "audience", "ads", "reports", "diagnostics")


def corpus_file(name: str) -> tuple[str, bytes]:
    return name, (CORPUS / "files" / name).read_bytes()


def test_the_corpus_is_at_least_forty_files_and_matches_its_generator():
    on_disk = {p.name for p in (CORPUS / "files").iterdir()}
    assert set(EXPECTED) == on_disk
    assert len(EXPECTED) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_gets_its_sentence(name):
    expected = EXPECTED[name]
    dataset = load_files([corpus_file(name)])
    errors = [r.error for r in dataset.reports if r.error]
    for text in [*errors, *(w for r in dataset.reports for w in r.warnings)]:
        assert not any(bit in text for bit in INTERNALS), text
    if "error" in expected:
        assert any(expected["error"] in e and e.startswith(f"“{name}") for e in errors), errors
    else:
        assert expected["kind"] in [r.kind for r in dataset.reports], errors
        if "warning" in expected:
            warnings = [w for r in dataset.reports for w in r.warnings]
            assert any(expected["warning"] in w for w in warnings), warnings


def test_all_at_once_with_a_good_file_the_good_file_still_loads():
    files = [corpus_file(n) for n in sorted(EXPECTED)] + [("Overview.csv", GOOD_OVERVIEW)]
    dataset = load_files(files)
    good = [r for r in dataset.reports if r.file == "Overview.csv"]
    assert [r.kind for r in good] == ["overview"]
    assert good[0].rows == 2
    refused = {r.file.split("/", 1)[0] for r in dataset.reports if r.error}
    assert refused == {n for n, e in EXPECTED.items() if "error" in e}


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--today", "2026-11-22"])
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_cli_command_on_each_file(name):
    path = str(CORPUS / "files" / name)
    for command in COMMANDS:
        code, out, err = run_cli([command[0], path, *command[1:]])
        assert code in (0, 1), (command, code, err)
        assert not any(bit in out + err for bit in INTERNALS), (command, err[-500:])
        if command == ["inspect"]:
            rows = json.loads(out)
            if "error" in EXPECTED[name]:
                assert code == 1 and any(
                    EXPECTED[name]["error"] in (r["error"] or "") for r in rows
                )
            else:
                assert EXPECTED[name]["kind"] in [r["kind"] for r in rows]


def test_the_cli_as_a_process_on_the_whole_corpus_beside_an_overview(tmp_path):
    """The crash pairs (an Ads report without By Day beside an Overview, a FollowerHistory
    with an empty date) and every other file at once: only JSON and sentences come out."""
    overview = tmp_path / "Overview.csv"
    overview.write_bytes(GOOD_OVERVIEW)
    paths = [str(CORPUS / "files" / n) for n in sorted(EXPECTED)] + [str(overview)]
    for command in (["summary"],):  # every command ran in-process above; one real process
        done = subprocess.run(
            [sys.executable, "-m", "metrics", command[0], *paths, *command[1:]],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode in (0, 1), done.stderr[-2000:]
        assert "Traceback" not in done.stderr
        json.loads(done.stdout)  # the output is still the JSON of docs/cli.md


def test_summary_says_an_ads_report_without_days_cannot_be_placed_in_a_window():
    code, out, err = run_cli(
        [
            "summary",
            str(CORPUS / "files" / "ads_without_by_day.csv"),
            str(CORPUS / "files" / "infinite_views.csv"),
        ]
    )
    assert code == 0
    notes = json.loads(out)["notes"]
    assert any("has no days" in n and "By Day" in n for n in notes), notes


def unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def visit_every_page(at: AppTest) -> None:
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run(timeout=60)
        assert not at.exception, (page, [e.message for e in at.exception])


def test_every_page_with_the_whole_corpus_uploaded_beside_a_good_file():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py").run()  # the app opens on the Overview
    uploads = [(n, d, "application/octet-stream") for n, d in map(corpus_file, sorted(EXPECTED))]
    uploads.append(("Overview.csv", GOOD_OVERVIEW, "text/csv"))
    at.file_uploader[0].set_value(uploads).run()
    assert not at.exception, [e.message for e in at.exception]
    shown = [unescape(e.value) for e in at.error]
    for name, expected in EXPECTED.items():
        if "error" in expected:
            assert any(expected["error"] in s and s.startswith(f"“{name}") for s in shown), name
    # The Overview file still counts. Two Ads reports of the corpus end on 1 Oct, the Overview
    # on 2 Oct: the default window ends on the earlier day so both families are filled
    # (the newest complete day), and holds the Overview's 1 Oct: 100 views.
    at.switch_page("pages/overview.py").run()
    views = [m for m in at.metric if m.label == "Video views"]
    assert views and views[0].value == "100", [(m.label, m.value) for m in at.metric]
    visit_every_page(at)


@pytest.mark.parametrize(
    "names",
    [
        ["ads_without_by_day.csv", "infinite_views.csv"],
        ["followers_empty_date.csv", "infinite_views.csv"],
        ["foo_foo.csv", "markdown_headers.csv"],
        ["ads_markdown_currency.csv", "ads_markdown_names.csv"],
    ],
)
def test_every_page_with_the_crash_pairs(names):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py").run()  # the app opens on the Overview
    at.file_uploader[0].set_value([(*corpus_file(n), "text/csv") for n in names]).run()
    assert not at.exception, [e.message for e in at.exception]
    visit_every_page(at)
