"""The importer against a hand-written corpus of real-export quirks (tests/fixtures/import).

Each directory holds one quirk: its input files and an expected.json whose numbers were worked
out by hand from the file text (never copied from the importer's output). expected.json:

    about            one sentence: the quirk
    uploads          {variant: [file, ...]}: each variant is one load_files() call; the same
                     data as CSV, XLSX, inside a ZIP, or in another upload order
    reports          the FileReports in upload order (ZIP entries in archive order):
                     kind, rows, first_date, last_date, stem (file name without folders and
                     extension), warnings / no_warnings / error (case-insensitive substrings),
                     unrecognised (substrings of unrecognised headers), and "variants":
                     {variant: {key: value}} to override keys for one variant
    tables           {kind: {rows, first_date, last_date, sums, count_missing, cells,
                     columns_absent}}; cells: [{"where": {column: value}, "values": {...}}],
                     a null value means missing. Every loaded kind must be listed.
    dataset_warnings / no_dataset_warnings   substrings of Dataset.warnings or .notes
    currency         Dataset.currency (checked when the key is present)
    variants         {variant: {top-level key: replacement}}

The binaries (XLSX, ZIP, refused files) are built by make_binary_fixtures.py; the test below
checks that they are what that script writes.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import math
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from metrics.io import KIND_BY_NAME, load_files

TODAY = dt.date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent / "fixtures" / "import"
DIRS = sorted(p for p in ROOT.iterdir() if (p / "expected.json").is_file())


def _cases():
    for folder in DIRS:
        expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        for variant in expected["uploads"]:
            yield pytest.param(folder, variant, id=f"{folder.name}[{variant}]")


def _for_variant(expected: dict, variant: str) -> dict:
    merged = {k: v for k, v in expected.items() if k != "variants"}
    merged.update(expected.get("variants", {}).get(variant, {}))
    return merged


def _has(texts: list[str], needle: str) -> bool:
    return any(needle.casefold() in t.casefold() for t in texts)


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _is_missing(value) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def _same(actual, wanted) -> bool:
    if wanted is None:
        return _is_missing(actual)
    if _is_missing(actual):
        return False
    if isinstance(actual, pd.Timestamp):
        return actual == pd.Timestamp(wanted)
    if isinstance(wanted, (int, float)) and not isinstance(wanted, bool):
        return math.isclose(float(actual), wanted, rel_tol=1e-9, abs_tol=1e-9)
    return str(actual) == str(wanted)


def _where(df: pd.DataFrame, where: dict) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    for column, value in where.items():
        mask &= df[column].map(lambda a, v=value: _same(a, v)).astype(bool)
    return df[mask]


def check_report(report, want: dict, variant: str, where: str) -> None:
    want = {**want, **want.get("variants", {}).get(variant, {})}
    if "stem" in want:
        stem = report.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        assert stem == want["stem"], f"{where}: file {report.file!r}"
    assert report.kind == want["kind"], f"{where}: kind {report.kind!r}, error {report.error!r}"
    if want["kind"] is None:
        assert report.error, f"{where}: a refusal needs an error message"
        # A sentence that names the file, then says what it is and what was expected.
        assert report.error.startswith(f"“{report.file}”"), f"{where}: {report.error!r}"
        for needle in want.get("error", []):
            assert needle.casefold() in report.error.casefold(), f"{where}: {report.error!r}"
        return
    assert report.error is None, f"{where}: {report.error}"
    for key in ("rows",):
        if key in want:
            assert report.rows == want[key], f"{where}: rows {report.rows}"
    for key in ("first_date", "last_date"):
        if key in want:
            assert _iso(getattr(report, key)) == want[key], f"{where}: {key}"
    for needle in want.get("warnings", []):
        assert _has(report.warnings, needle), (
            f"{where}: no warning with {needle!r}: {report.warnings}"
        )
    for needle in want.get("no_warnings", []):
        assert not _has(report.warnings, needle), f"{where}: unwanted {needle!r}: {report.warnings}"
    for needle in want.get("unrecognised", []):
        assert _has(report.unrecognised, needle), f"{where}: unrecognised {report.unrecognised}"
    if "unrecognised_count" in want:
        assert len(report.unrecognised) == want["unrecognised_count"], report.unrecognised


def check_table(df: pd.DataFrame, kind: str, want: dict, where: str) -> None:
    if "rows" in want:
        assert len(df) == want["rows"], f"{where}: {len(df)} rows"
    date_column = KIND_BY_NAME[kind].date_column
    for key, pick in (("first_date", "min"), ("last_date", "max")):
        if key in want:
            got = getattr(df[date_column], pick)()
            assert _iso(None if pd.isna(got) else got.date()) == want[key], f"{where}: {key}"
    for column, total in want.get("sums", {}).items():
        got = float(df[column].sum(skipna=True))
        assert got == pytest.approx(total, rel=1e-12, abs=1e-6), f"{where}: sum of {column}"
    for column, count in want.get("count_missing", {}).items():
        assert int(df[column].isna().sum()) == count, f"{where}: missing {column}"
    for column in want.get("columns_absent", []):
        assert column not in df.columns, f"{where}: column {column} should not be there"
    for cell in want.get("cells", []):
        rows = _where(df, cell["where"])
        assert len(rows) == 1, f"{where}: {len(rows)} rows match {cell['where']}"
        row = rows.iloc[0]
        for column, value in cell["values"].items():
            assert _same(row[column], value), f"{where}: {cell['where']} {column}={row[column]!r}"


@pytest.mark.parametrize(("folder", "variant"), list(_cases()))
def test_fixture(folder: Path, variant: str) -> None:
    expected = _for_variant(json.loads((folder / "expected.json").read_text("utf-8")), variant)
    files = [(name, (folder / name).read_bytes()) for name in expected["uploads"][variant]]
    dataset = load_files(files, today=TODAY)

    reports = dataset.reports
    wanted = expected["reports"]
    assert len(reports) == len(wanted), [(r.file, r.kind, r.error) for r in reports]
    for i, (report, want) in enumerate(zip(reports, wanted, strict=True)):
        check_report(report, want, variant, f"report {i} ({report.file})")

    assert set(dataset.tables) == set(expected.get("tables", {})), sorted(dataset.tables)
    for kind, want in expected.get("tables", {}).items():
        check_table(dataset.tables[kind], kind, want, f"table {kind}")

    said = [*dataset.warnings, *dataset.notes]  # problems, and what was done (overlaps)
    for needle in expected.get("dataset_warnings", []):
        assert _has(said, needle), said
    for needle in expected.get("no_dataset_warnings", []):
        assert not _has(said, needle), said
    if "currency" in expected:
        assert dataset.currency == expected["currency"]


def _load_script(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _contents(data: bytes) -> object:
    """ZIP-based files compared by entry names and contents (DEFLATE output may differ between
    zlib builds); everything else byte for byte."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return [(i.filename, i.date_time, zf.read(i)) for i in zf.infolist()]
        except (zipfile.BadZipFile, OSError):
            pass  # deliberately damaged archives: compare the bytes
    return data


def test_binary_fixtures_are_what_the_script_writes() -> None:
    built = _load_script(ROOT / "make_binary_fixtures.py").build()
    assert built
    for rel, data in built.items():
        on_disk = (ROOT / rel).read_bytes()
        assert _contents(on_disk) == _contents(data), f"{rel}: run make_binary_fixtures.py"


def test_trap_fixture_is_what_its_script_writes() -> None:
    folder = ROOT / "ads_type_guessing_trap"
    data, expected = _load_script(folder / "make_trap.py").build()
    assert (folder / "Custom_report_20251201_20260926_GMT+0.csv").read_bytes() == data
    assert json.loads((folder / "expected.json").read_text("utf-8")) == expected


def test_every_fixture_file_is_used() -> None:
    """No orphan inputs: each data file is uploaded by some variant, or is a build source."""
    for folder in DIRS:
        expected = json.loads((folder / "expected.json").read_text("utf-8"))
        used = {name for names in expected["uploads"].values() for name in names}
        used |= set(expected.get("sources", []))
        present = {
            p.name for p in folder.iterdir() if p.is_file() and p.suffix not in (".json", ".py")
        }
        assert present <= used, f"{folder.name}: unused {sorted(present - used)}"
