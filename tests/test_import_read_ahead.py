"""The command line's read-ahead (metrics/arrow_csv.py): a large text file's Arrow read starts
in a thread before pandas is imported, and the importer uses that table only when it would
have read exactly the same bytes the same way. Every file reads as it does from bytes, a
guess that does not fit is dropped, and no read-ahead outlives its file's read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from metrics import __main__ as cli
from metrics import arrow_csv
from metrics.io import load_files
from tests._datasets import assert_same_dataset, loaded_from_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "import"
TODAY = dt.date(2026, 11, 15)


@pytest.fixture
def claims(monkeypatch):
    """Every claim the importer makes: (whether a read-ahead table was handed over)."""
    seen = []
    claim = arrow_csv.claim

    def counting(*args):
        parts = claim(*args)
        seen.append(parts is not None)
        return parts

    monkeypatch.setattr(arrow_csv, "claim", counting)
    monkeypatch.setattr(cli, "MAP_BYTES", 1)  # map every file that is not a ZIP or XLSX
    monkeypatch.setattr(cli, "_EARLY", {})
    return seen


def _load_read_ahead(paths: list[Path]):
    names = [str(p) for p in paths]
    cli._read_ahead(names)
    return load_files(cli._read_paths(names), today=TODAY)


CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=str)
def test_files_read_ahead_read_exactly_as_bytes(case, claims):
    paths = sorted(p for p in (FIXTURES / case).iterdir() if p.is_file())
    paths = [p for p in paths if not p.name.startswith(("expected", "README"))]
    as_bytes = loaded_from_bytes(FIXTURES / case, TODAY)  # tests/_datasets.py
    assert_same_dataset(_load_read_ahead(paths), as_bytes)
    assert arrow_csv._reads == {}  # every read-ahead was used or dropped
    assert cli._EARLY == {}


def test_a_plain_export_is_read_once_by_the_read_ahead(tmp_path, claims):
    path = tmp_path / "Ads.csv"
    rows = [f'2026-10-0{1 + i % 9},Campaign {i % 3},£{i}.50,"1,{i:03d}"' for i in range(300)]
    path.write_text("\ufeffBy Day,Campaign name,Cost,Impressions\n" + "\n".join(rows) + "\n")
    dataset = _load_read_ahead([path])
    assert claims == [True]
    ads = dataset.tables["ads"]
    assert len(ads) == 300
    # Worked out from the rows: costs 0.50 + 1.50 + … + 299.50, impressions 1,000 + … + 1,299.
    assert ads["spend"].sum() == pytest.approx(sum(i + 0.5 for i in range(300)))
    assert ads["impressions"].sum() == sum(1000 + i for i in range(300))


def test_a_guess_the_importer_does_not_share_is_dropped(tmp_path, claims):
    # A one-cell title line above the header: the read-ahead guesses one column from the first
    # line and does not start; a file whose first line is narrower than its rows starts one
    # that is not used (the importer reads the file its own way).
    titled = tmp_path / "Titled.csv"
    titled.write_text("Ads report\nBy Day,Campaign name,Cost\n2026-10-01,A,£1.00\n")
    narrow = tmp_path / "Narrow.csv"
    narrow.write_text("By Day,Campaign name\n2026-10-01,A,£1.00\n2026-10-02,A,£2.00\n")
    semicolons = tmp_path / "Excel.csv"
    semicolons.write_text("sep=;\nBy Day;Campaign name;Cost\n2026-10-01;A;1,50\n")
    paths = [titled, narrow, semicolons]
    as_bytes = load_files([(p.name, p.read_bytes()) for p in paths], today=TODAY)
    assert_same_dataset(_load_read_ahead(paths), as_bytes)
    assert True not in claims
    assert arrow_csv._reads == {}


def test_the_guess_from_the_first_line():
    assert arrow_csv.guess(b"\xef\xbb\xbfBy Day,Cost\r\n1,2\n") == (3, ",", 2)
    assert arrow_csv.guess(b"a;b;c\n1;2;3\n") == (0, ";", 3)
    assert arrow_csv.guess(b'"a,b"\tc\n') == (0, "\t", 2)  # the comma is inside quotes
    assert arrow_csv.guess(b"sep=;\na;b\n") is None
    assert arrow_csv.guess(b"one cell\n") is None
    assert arrow_csv.guess(b"no line end at all") is None
    assert arrow_csv.guess(b"\xff\xfea\x00,\x00b\x00\n\x00") is None  # UTF-16: not guessed
    assert arrow_csv.guess(",".join(["c"] * 600).encode() + b"\n") is None  # over the limit


def test_line_breaks_inside_quoted_cells_across_blocks(tmp_path, claims, monkeypatch):
    # Small blocks put a block boundary inside a quoted cell with a line break: the read-ahead
    # fails as the importer's first attempt does, and the importer reads it the careful way.
    monkeypatch.setattr(arrow_csv, "BLOCK_SIZE", 256)
    path = tmp_path / "Ads.csv"
    rows = [f'2026-10-0{1 + i % 9},"Campaign\n{i}",£{i}.00' for i in range(200)]
    path.write_text("By Day,Campaign name,Cost\n" + "\n".join(rows) + "\n")
    as_bytes = load_files([(path.name, path.read_bytes())], today=TODAY)
    assert_same_dataset(_load_read_ahead([path]), as_bytes)
    assert as_bytes.tables["ads"]["spend"].sum() == sum(range(200))
    assert claims == [False]
    assert arrow_csv._reads == {}


def test_a_refused_file_leaves_no_read_ahead(tmp_path, claims):
    # The header guesses well, but a line of 5 MB (over the importer's 4 MB a line) has the
    # file refused before it is read: the read-ahead started, and is dropped with the file.
    path = tmp_path / "Long.csv"
    path.write_bytes(b"By Day,Campaign name\n2026-10-01," + b"x" * (5 * 1024**2) + b"\n")
    dataset = _load_read_ahead([path])
    assert not dataset.tables
    (report,) = dataset.reports
    assert report.error and "line" in report.error
    assert claims == []  # refused before the read: nothing was claimed
    assert arrow_csv._reads == {}


def test_the_read_ahead_starts_before_pandas_is_imported(tmp_path):
    """The command line sets up its memory watcher and starts the read-ahead first: neither
    may import pandas, or the read waits for pandas instead of running beside its import."""
    import subprocess
    import sys

    big = tmp_path / "big.csv"
    big.write_bytes(b"By Day,Cost\n" + b"2026-01-01,1\n" * (cli.MAP_BYTES // 13 + 1))
    probe = (
        "import sys\n"
        "from metrics import __main__ as cli, arrow_csv\n"
        "cli._return_freed_memory()\n"
        f"cli._read_ahead([{str(big)!r}])\n"
        "started = len(arrow_csv._reads)\n"
        "print(started, 'pandas' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["1", "False"]


def _big_rows(n: int) -> list[str]:
    return [f"2026-10-{1 + i % 28:02d},Café {i % 4},£{i % 90}.25,{i % 700}" for i in range(n)]


@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
def test_a_large_file_read_ahead_is_not_checked_as_utf8_again(tmp_path, claims, monkeypatch, bom):
    """Over 1 MB the importer checks a file's UTF-8 itself, unless Arrow's read-ahead read
    the whole of it (Arrow checked every cell)."""
    from metrics.io import read

    path = tmp_path / "Ads.csv"
    rows = _big_rows(40_000)
    text = "By Day,Campaign name,Cost,Impressions\n" + "\n".join(rows) + "\n"
    path.write_bytes(b"\xef\xbb\xbf" * bom + text.encode("utf-8"))
    assert path.stat().st_size > read.HEAD_BYTES
    answers = []
    whole = arrow_csv.read_whole

    def spying(*args):
        answers.append(whole(*args))
        return answers[-1]

    monkeypatch.setattr(arrow_csv, "read_whole", spying)
    ads = _load_read_ahead([path]).tables["ads"]
    assert answers == [True] and claims == [True]
    assert len(ads) == 40_000
    assert sorted(ads["campaign"].unique()) == ["Café 0", "Café 1", "Café 2", "Café 3"]
    # By hand: i % 90 runs 0..89 over and over (444 full rounds of 90, then 0..39).
    assert ads["spend"].sum() == pytest.approx(
        444 * sum(range(90)) + sum(range(40)) + 0.25 * 40_000
    )


def test_a_large_cp1252_file_read_ahead_is_still_read_as_cp1252(tmp_path, claims):
    """Not UTF-8: Arrow's read-ahead fails, the importer's own check says so, and the file
    is decoded as Windows-1252 as before ("£" is one byte, 0xA3; "é" 0xE9)."""
    path = tmp_path / "Ads.csv"
    text = "By Day,Campaign name,Cost,Impressions\n" + "\n".join(_big_rows(40_000)) + "\n"
    path.write_bytes(text.encode("cp1252"))
    dataset = _load_read_ahead([path])
    ads = dataset.tables["ads"]
    assert claims == []  # the read-ahead failed: nothing to claim, the file read again
    assert sorted(ads["campaign"].unique()) == ["Café 0", "Café 1", "Café 2", "Café 3"]
    assert ads["spend"].sum() == pytest.approx(
        444 * sum(range(90)) + sum(range(40)) + 0.25 * 40_000
    )
    assert arrow_csv._reads == {}
