"""Write the bad-and-odd file corpus: `python tests/bad_files/make_bad_files.py`.

Every file is written here by hand in TikTok's formats (or as the junk it imitates); none
comes from anybody's account. `expected.json` gives, per file, the sentence (or the start of
it) the importer must say, or the kind of table it must still read. Files are small (the
large worst cases are built in memory by tests/test_limits.py).
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"

OVERVIEW = (
    '\ufeff"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
    '"October 1","100","5","10","1","0"\n"October 2","200","6","20","2","1"\n'
)
ADS_HEADER = (
    "By Day,Campaign name,Ad group name,Ad name,Currency,Cost,Impressions,Clicks (destination)"
)
ADS = ADS_HEADER + "\n2026-10-01,Autumn,UK,Latte,GBP,£10.00,1000,10\n"
HISTORY_HEADER = '"Date","Followers","Difference in followers from previous day"\n'
MARKDOWN = "![x](http://127.0.0.1:9/x.png) **bold** <img src=x onerror=alert(1)>"


def zip_bytes(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def sheet_xml(cells: dict[str, str], dimension: str | None = None) -> str:
    """A worksheet part whose cells are inline strings (or numbers when they parse)."""
    rows: dict[int, list[str]] = {}
    for ref, value in cells.items():
        row = int("".join(ch for ch in ref if ch.isdigit()))
        try:
            float(value)
            cell = f'<c r="{ref}"><v>{value}</v></c>'
        except ValueError:
            cell = f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        rows.setdefault(row, []).append(cell)
    body = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{body}</sheetData></worksheet>"
    )


def xlsx_bytes(sheet: str, prefix: str = "") -> bytes:
    """A minimal workbook (one sheet) as Excel writes one: content types, rels, workbook."""
    ns = "http://schemas.openxmlformats.org"
    return zip_bytes(
        {
            "[Content_Types].xml": (
                f'<?xml version="1.0"?><Types xmlns="{ns}/package/2006/content-types">'
                '<Default Extension="xml" ContentType="application/xml"/></Types>'
            ).encode(),
            "xl/workbook.xml": (
                f'{prefix}<workbook xmlns="{ns}/spreadsheetml/2006/main" '
                f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets>'
                '<sheet name="Report" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                f'<Relationships xmlns="{ns}/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
                'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
            ).encode(),
            "xl/worksheets/sheet1.xml": sheet.encode(),
        }
    )


def overview_cells() -> dict[str, str]:
    return {
        "A1": "Date", "B1": "Video Views", "C1": "Profile Views", "D1": "Likes",
        "E1": "Comments", "F1": "Shares",
        "A2": "2026-10-01", "B2": "100", "C2": "5", "D2": "10", "E2": "1", "F2": "0",
    }  # fmt: skip


def patch_method(data: bytes, method: int) -> bytes:
    """Rewrite every entry's compression method (local and central headers)."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (at := out.find(signature, start)) >= 0:
            out[at + offset : at + offset + 2] = struct.pack("<H", method)
            start = at + 4
    return bytes(out)


def corrupt_crc(data: bytes) -> bytes:
    out = bytearray(data)
    at = out.find(b"PK\x03\x04")
    out[at + 14 : at + 18] = b"\x00\x00\x00\x00"
    central = out.find(b"PK\x01\x02")
    out[central + 16 : central + 20] = b"\x00\x00\x00\x00"
    return bytes(out)


def password_zip() -> bytes:
    """An entry flagged as encrypted (general purpose bit 0, local and central headers)."""
    out = bytearray(zip_bytes({"Overview.csv": OVERVIEW.encode()}, zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(signature)
        out[at + offset] |= 0x1
    return bytes(out)


def corpus() -> dict[str, tuple[bytes, dict]]:
    """file name → (bytes, what is expected: {"error": sentence start} or {"kind": ...})."""
    nested = zip_bytes({"inner.zip": zip_bytes({"deeper.zip": zip_bytes({"Overview.csv": b"x"})})})
    return {
        "empty.csv": (b"", {"error": "is empty (0 bytes)."}),
        "blank_lines.csv": (b"  \n\n\t\n", {"error": "holds no text rows."}),
        "sep_only.csv": (b"sep=;\n", {"error": "holds only Excel's “sep=;” line and no rows"}),
        "random.bin": (bytes(range(256)) * 8, {"error": "is not a table (it looks like a binary"}),
        "report.pdf": (b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n", {"error": "is a PDF document"}),
        "image.csv": (b"\x89PNG\r\n\x1a\n" + bytes(64), {"error": "is a PNG image"}),
        "photo.xlsx": (b"\xff\xd8\xff\xe0" + bytes(64), {"error": "is a JPEG image"}),
        "archive.csv.gz": (b"\x1f\x8b\x08\x00" + bytes(32), {"error": "is a gzip archive"}),
        "archive.rar": (b"Rar!\x1a\x07\x00" + bytes(32), {"error": "is a RAR archive"}),
        "archive.7z": (b"7z\xbc\xaf\x27\x1c" + bytes(32), {"error": "is a 7-Zip archive"}),
        "old.xls": (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            {"error": "is an old Excel 97–2003 workbook (.xls)."},
        ),
        "text_named.xlsx": (OVERVIEW.encode(), {"error": "is not a readable Excel workbook"}),
        "truncated.zip": (b"PK\x03\x04garbage", {"error": "is a damaged ZIP archive"}),
        "not_a_zip.zip": (b"hello", {"error": "is not a readable ZIP archive"}),
        "empty.zip": (zip_bytes({}), {"error": "is a ZIP archive with no files in it."}),
        "only_junk.zip": (
            zip_bytes({"__MACOSX/._x": b"x", ".DS_Store": b"x", "Thumbs.db": b"x"}),
            {"error": "is a ZIP archive with no files in it."},
        ),
        "three_levels.zip": (nested, {"error": "is a ZIP inside a ZIP inside a ZIP"}),
        "many_entries.zip": (
            zip_bytes({f"part{i:04}.csv": b"a,b\n1,2\n" for i in range(250)}),
            {"error": "holds more than 200 files"},
        ),
        "zip_bomb.zip": (
            zip_bytes({"Overview.csv": b"0" * (40 * 1024**2)}),
            {"error": "unpacks to more than 20 times its own size"},
        ),
        "password.zip": (password_zip(), {"error": "is password-protected"}),
        "deflate64.zip": (
            patch_method(zip_bytes({"Overview.csv": OVERVIEW.encode()}), 9),
            {"error": "is packed with a compression method this app cannot unpack"},
        ),
        "bad_crc.zip": (
            corrupt_crc(zip_bytes({"Overview.csv": OVERVIEW.encode()}, zipfile.ZIP_STORED)),
            {"error": "is damaged inside the ZIP"},
        ),
        "traversal.zip": (
            zip_bytes({"../../../etc/Overview.csv": OVERVIEW.encode()}),
            {"kind": "overview"},
        ),
        "zip_in_zip.zip": (
            zip_bytes({"inner.zip": zip_bytes({"Overview.csv": OVERVIEW.encode()})}),
            {"kind": "overview"},
        ),
        "word.docx": (
            zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
            {"error": "is a Word document"},
        ),
        "far_cell.xlsx": (
            xlsx_bytes(sheet_xml({"A1": "Date", "XFD1048576": "1"}, "A1:XFD1048576")),
            {"error": "has a sheet with a cell in column 16,384"},
        ),
        "deep_rows.xlsx": (
            xlsx_bytes(sheet_xml({"A1": "Date", "J1048576": "1"})),
            {"error": "has a sheet that reaches 1,048,576 rows × 10 columns"},
        ),
        "lying_dimension.xlsx": (
            xlsx_bytes(sheet_xml(overview_cells(), "A1:XFD1048576")),
            {"kind": "overview"},
        ),
        "empty_sheet.xlsx": (
            xlsx_bytes(sheet_xml({})),
            {"error": "is an Excel workbook with no cells filled in."},
        ),
        "entity.xlsx": (
            xlsx_bytes(sheet_xml(overview_cells()), prefix='<!DOCTYPE x [<!ENTITY a "aaaa">]>'),
            {"error": "is not a readable Excel workbook"},
        ),
        "huge_cell.xlsx": (
            xlsx_bytes(sheet_xml({"A1": "Date", "B1": "x" * 40_000})),
            {"error": "has a cell of 40,000 characters"},
        ),
        "huge_cell.csv": (
            ("Date,Video Views\n2026-10-01," + "9" * 40_000 + "\n").encode(),
            {"error": "has a cell of 40,000 characters"},
        ),
        "wide.csv": (
            (",".join(f"c{i}" for i in range(1000)) + "\n").encode(),
            {"error": "has 1,000 columns"},
        ),
        "ragged.csv": (
            (
                OVERVIEW
                + '"October 3","1","2","3","4","5"\n' * 70
                + '"October 4","1","2","3","4","5","6","7","8"\n'
            ).encode(),
            {"error": "could not be read: line 74 has 9 cells where the rows above have 6."},
        ),
        "foo_foo.csv": (
            b"Foo,Foo,Bar\n1,2,3\n",
            {"error": "was not recognised as a TikTok export"},
        ),
        "markdown_headers.csv": (
            f"{MARKDOWN},[x](javascript:alert(1))\n1,2\n".encode(),
            {"error": "was not recognised as a TikTok export"},
        ),
        "data.json": (b'{"a": [1, 2, 3]}', {"error": "is a JSON file, not a table."}),
        "nested.json": (b"[" * 60_000, {"error": "is a JSON file, not a table."}),
        "user_data.json": (
            b'{"Activity": {}, "Profile": {}}',
            {"error": "is TikTok's account-data download"},
        ),
        "meta_ads.csv": (
            b"Reporting starts,Reporting ends,Campaign name,Ad set name,Amount spent (GBP),"
            b"Impressions,Link clicks\n2026-10-01,2026-10-01,A,B,10,1000,10\n",
            {"error": "looks like a Meta (Facebook/Instagram) Ads Manager export"},
        ),
        "ads_markdown_currency.csv": (
            ADS.replace(",GBP,", f",{MARKDOWN},").encode(),
            {"kind": "ads", "warning": "is not a three-letter currency code"},
        ),
        "ads_markdown_names.csv": (
            (
                ADS_HEADER + f"\n2026-10-01,{MARKDOWN},[x](javascript:alert(1)),=HYPERLINK(1),"
                "GBP,£10.00,1000,10\n"
            ).encode(),
            {"kind": "ads"},
        ),
        "ads_without_by_day.csv": (
            b"Campaign name,Ad group name,Ad name,Currency,Cost,Impressions,Clicks (destination)\n"
            b"Autumn,UK,Latte,GBP,10,1000,10\n",
            {"kind": "ads"},
        ),
        "followers_empty_date.csv": (
            (HISTORY_HEADER + '"","100","3"\n').encode(),
            {"kind": "followers_history"},
        ),
        "infinite_views.csv": (
            OVERVIEW.replace('"100"', '"1e309"').replace('"200"', '"' + "9" * 400 + '"').encode(),
            {"kind": "overview", "warning": "2 cells in “Video Views” hold numbers too large"},
        ),
        "text_in_numbers.csv": (
            OVERVIEW.replace('"100"', '"lots"').encode(),
            {"kind": "overview", "warning": "1 cell in “Video Views” is not a number"},
        ),
        "header_only.csv": (
            OVERVIEW.splitlines()[0].encode() + b"\n",
            {"kind": "overview", "warning": "This file has its headers but no rows of data."},
        ),
    }


def main() -> None:
    FILES.mkdir(exist_ok=True)
    for old in FILES.iterdir():
        old.unlink()
    expected = {}
    for name, (data, what) in corpus().items():
        (FILES / name).write_bytes(data)
        expected[name] = what
    (HERE / "expected.json").write_text(
        json.dumps(expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
