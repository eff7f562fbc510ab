"""The worst inputs found by fuzzing (all under 10 MB) are read or refused within 5 s and 1 GB.

Each case runs in a forked child of a fresh interpreter, under `resource` limits (address
space: what the interpreter already maps + 1 GB; CPU: 20 s), and the parent measures its CPU
time and peak memory (ru_utime + ru_stime and ru_maxrss from wait4; CPU time rather than wall
time, since the test machine is shared). The ZIP bombs are built here by repeating one
deflate block (identical after a full flush), so making a "3 GB" sheet costs milliseconds;
their CRCs are left at zero, as a budget must stop long before the end of the entry.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from functools import cache
from pathlib import Path

import pytest

from metrics.io.limits import MAX_ENTRIES, MAX_RATIO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "bad_files"))
from make_bad_files import sheet_xml, xlsx_bytes, zip_bytes  # noqa: E402

SECONDS = 5.0
MEMORY = 1024**3
MB = 1024**2


def _repeated_deflate(head: bytes, chunk: bytes, total: int, tail: bytes) -> tuple[bytes, int]:
    """Raw deflate of head + chunk * n + tail (about `total` bytes), and its true size."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [c.compress(head), c.flush(zlib.Z_FULL_FLUSH)]
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    repeats = max(1, (total - len(head) - len(tail)) // len(chunk))
    out.append(block * (repeats - 1))
    out.append(c.compress(chunk) + c.compress(tail) + c.flush())
    return b"".join(out), len(head) + repeats * len(chunk) + len(tail)


def bomb_zip(entries: list[tuple[str, bytes | tuple[bytes, bytes, int, bytes]]]) -> bytes:
    """A ZIP written by hand: plain entries, or (head, chunk, total size, tail) repeated."""
    local, central, offset = [], [], 0
    for name, content in entries:
        if isinstance(content, bytes):
            data, size, crc = zlib.compress(content, 9)[2:-4], len(content), zlib.crc32(content)
        else:
            (data, size), crc = _repeated_deflate(*content), 0
        raw = name.encode()
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0, crc, len(data), min(size, 2**32 - 1))
        header = b"PK\x03\x04" + fields + struct.pack("<HH", len(raw), 0) + raw
        local.append(header + data)
        central.append(
            b"PK\x01\x02"
            + struct.pack("<H", 20)
            + fields
            + struct.pack("<HHHHHII", len(raw), 0, 0, 0, 0, 0, offset)
            + raw
        )
        offset += len(header) + len(data)
    directory = b"".join(central)
    end = b"PK\x05\x06" + struct.pack(
        "<HHHHIIH", 0, 0, len(entries), len(entries), len(directory), offset, 0
    )
    return b"".join(local) + directory + end


OVERVIEW_HEAD = b'"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
OVERVIEW_ROW = b'"October 1","100","5","10","1","0"\n' * 1000
SHEET_HEAD = sheet_xml({"A1": "Date", "B1": "Video Views"}).split("</sheetData>")[0].encode()
SHEET_ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>' * 1000
SHEET_TAIL = b"</sheetData></worksheet>"


def xlsx_bomb(sheet_bytes: int) -> bytes:
    """A workbook (parts as make_bad_files writes them) whose one sheet unpacks hugely."""
    import io
    import zipfile

    plain = zipfile.ZipFile(io.BytesIO(xlsx_bytes(sheet_xml({}))))
    parts = [(n, plain.read(n)) for n in plain.namelist() if not n.startswith("xl/worksheets")]
    sheet = ("xl/worksheets/sheet1.xml", (SHEET_HEAD, SHEET_ROW, sheet_bytes, SHEET_TAIL))
    return bomb_zip([*parts, sheet])


@cache
def cases() -> dict[str, tuple[bytes, str]]:
    """name → (file bytes, the start of the sentence it must get); all under 10 MB."""
    csv_bomb = ("Overview.csv", (OVERVIEW_HEAD, OVERVIEW_ROW, 512 * MB, b""))
    inner = bomb_zip([("Overview.csv", (OVERVIEW_HEAD, OVERVIEW_ROW, 2 * 1024 * MB, b""))])
    ratio = f"unpacks to more than {MAX_RATIO} times its own size"
    return {
        "far_cell.xlsx": (
            xlsx_bytes(sheet_xml({"A1": "Date", "XFD1048576": "1"}, "A1:XFD1048576")),
            "has a sheet with a cell in column 16,384",
        ),
        "half_gb.zip": (bomb_zip([csv_bomb]), ratio),
        "one_gb.zip": (
            bomb_zip([("Overview.csv", (OVERVIEW_HEAD, OVERVIEW_ROW, 1024 * MB, b""))]),
            ratio,
        ),
        "nested_5x2gb.zip": (bomb_zip([(f"part{i}.zip", inner) for i in range(5)]), ratio),
        "two_gb_sheet.xlsx": (xlsx_bomb(2 * 1024 * MB), "has a sheet with more than 600,000 cells"),
        "million_columns.csv": (b"a," * 1_000_000 + b"\n1,2\n", "has 1,000,001 columns"),
        "100k_columns.csv": (b"a," * 100_000 + b"\n", "has 100,001 columns"),
        "9mb_of_a_comma.csv": (b"a," * (9 * MB // 2), "has a line of"),
        "9mb_cell.csv": (
            b'Date,Video Views\n2026-10-01,"' + (b"y" * 99 + b"\n") * 90_000 + b'"\n',
            "has a cell of",
        ),
        "2000_entries.zip": (
            zip_bytes({f"r{i}.csv": b"Date,Video Views\n2026-10-01,1\n" for i in range(2000)}),
            f"holds more than {MAX_ENTRIES} files",
        ),
        "10000_entries.zip": (
            zip_bytes({f"r{i}.csv": b"a\n1\n" for i in range(10_000)}),
            f"holds more than {MAX_ENTRIES} files",
        ),
        "deep_json.json": (b"[" * (9 * MB), "is a JSON file, not a table."),
    }


CHILD = r"""
import json, os, resource, sys, time
from metrics.io import read_file

def virtual_size():
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024

results = {}
for path in sys.argv[1:]:
    read_end, write_end = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        limit = virtual_size() + 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CPU, (20, 20))
        name = os.path.basename(path)
        items = read_file(name, open(path, "rb").read())
        messages = [getattr(i, "message", None) for i in items]
        os.write(write_end, json.dumps(messages).encode())
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    _, status, usage = os.wait4(pid, 0)
    results[os.path.basename(path)] = {
        "wall": time.monotonic() - start,
        "seconds": usage.ru_utime + usage.ru_stime,
        "max_rss": usage.ru_maxrss * 1024,
        "status": status,
        "messages": json.loads(b"".join(chunks) or b"null"),
    }
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("worst")
    paths = []
    for name, (data, _) in cases().items():
        assert len(data) < 10 * MB, name
        (folder / name).write_bytes(data)
        paths.append(str(folder / name))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    for name, r in results.items():  # the figures, for the record (pytest -s shows them)
        print(
            f"{name}: {r['seconds']:.2f} s CPU, {r['wall']:.2f} s wall, {r['max_rss'] / MB:.0f} MB"
        )
    return results


@pytest.mark.parametrize("name", sorted(cases()))
def test_a_worst_case_is_refused_within_5_seconds_and_1_gb(measured, name):
    result = measured[name]
    sentence = cases()[name][1]
    assert result["status"] == 0, f"{name}: the child died (status {result['status']})"
    assert any(m and sentence in m for m in result["messages"]), result["messages"][:3]
    assert result["seconds"] < SECONDS, f"{name}: {result['seconds']:.1f} s"
    assert result["max_rss"] < MEMORY, f"{name}: {result['max_rss'] / MB:.0f} MB"


@pytest.mark.parametrize(
    "cells, kept, dropped",
    [
        ([float("nan"), 1.0, -2.5], [float("nan"), 1.0, -2.5], 0),
        ([float("nan")] * 3, [float("nan")] * 3, 0),
        ([], [], 0),
        ([1e15, -1e15, float("nan")], [1e15, -1e15, float("nan")], 0),  # the limit itself
        ([float("nan"), 2e15, 7.0], [float("nan"), float("nan"), 7.0], 1),
        ([-3e16, float("nan"), float("inf"), 4.0], [float("nan")] * 3 + [4.0], 2),
        ([float("-inf")], [float("nan")], 1),
    ],
)
def test_numbers_too_large_to_be_real_become_missing(cells, kept, dropped):
    import numpy as np
    import pandas as pd

    from metrics.io.limits import drop_absurd

    warnings: list[str] = []
    out = drop_absurd(pd.Series(cells, dtype="float64"), "Cost", warnings)
    np.testing.assert_array_equal(out.to_numpy(), np.array(kept, dtype="float64"))
    assert len(warnings) == (1 if dropped else 0)
    if dropped:
        n = "1 cell" if dropped == 1 else f"{dropped} cells"
        assert warnings[0].startswith(f"{n} in “Cost”")
