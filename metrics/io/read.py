"""Bytes → grids of cells: ZIP archives, XLSX workbooks and delimited text in any encoding.

Nothing here knows what a TikTok table means; `tables.py` recognises and parses the grids.
Every problem becomes a `ReadError` whose message is a sentence for a marketer.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

import pandas as pd

from .. import arrow_csv
from . import workers
from .limits import (
    MAX_DEPTH,
    Budget,
    BudgetExceeded,
    check_cell_lengths,
    check_columns,
    check_line_lengths,
)

SAMPLE_LINES = 60
CHUNK = 1024**2


class ReadError(Exception):
    """A file could not be read; the message is for the user."""


@dataclass
class Grid:
    """One table's cells as read, before its kind is known. Row 0 is not yet the header."""

    name: str
    cells: pd.DataFrame  # header=None: every row as read, object/str cells
    archive: str | None = None  # the ZIP file name the table came from, if any
    delimiter: str | None = None
    encoding: str | None = None


@dataclass
class Failure:
    name: str
    message: str
    # For a table whose headers were not recognised: its header row, so the user can map the
    # columns by hand and have the file read again.
    headers: list[str] = field(default_factory=list)


ACCOUNT_DATA = (
    "is TikTok's account-data download (Settings → Account → Download your data): it holds your "
    "account activity, not analytics. Download analytics from TikTok Studio → Analytics → "
    "Download data, or a report from Ads Manager"
)
EXPECTED = "Expected a CSV, XLSX or ZIP file downloaded from TikTok Studio analytics or TikTok Ads Manager."


def read_any(
    name: str,
    data: bytes,
    depth: int = 0,
    archive: str | None = None,
    budget: Budget | None = None,
) -> list[Grid | Failure]:
    """Read one uploaded file (or ZIP entry) into grids; failures are values, never raised.

    `budget` is shared by every level of one upload (see limits.py); a new upload gets its own.
    """
    budget = budget or Budget(len(data))
    try:
        return _read_any(name, data, depth, archive, budget)
    except (ReadError, BudgetExceeded) as err:
        return [Failure(name, f"“{name}” {err}")]
    except MemoryError:
        return [
            Failure(
                name,
                f"“{name}” is too large to read in the memory this app has; split the export "
                "into shorter date ranges (or fewer columns) and upload the parts.",
            )
        ]
    except RecursionError:
        return [Failure(name, f"“{name}” is nested too deeply to be a table. {EXPECTED}")]
    except Exception:  # noqa: BLE001 - a last guard: a sentence, never a traceback
        return [
            Failure(
                name,
                f"“{name}” could not be read as a table: its contents do not look like any "
                f"export format this app knows. {EXPECTED}",
            )
        ]


def _read_any(
    name: str, data: bytes, depth: int, archive: str | None, budget: Budget
) -> list[Grid | Failure]:
    try:
        return _read_one(name, data, depth, archive, budget)
    finally:
        # A table the command line read ahead and the reader did not use goes now.
        arrow_csv.discard(data)


def _read_one(
    name: str, data: bytes, depth: int, archive: str | None, budget: Budget
) -> list[Grid | Failure]:
    lower = name.lower()
    if len(data) == 0:
        raise ReadError(f"is empty (0 bytes). {EXPECTED}")
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        if _is_xlsx(data):
            return list(_read_xlsx(name, data, archive, budget))
        if document := _office_document(data):
            raise ReadError(f"is {document}, not a table. {EXPECTED}")
        return _read_zip(name, data, depth, budget)
    _refuse_signature(data[:8])
    if lower.endswith(".zip"):
        raise ReadError(
            "is not a readable ZIP archive (it may be damaged or incomplete). "
            "Download it from TikTok again."
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError(
            "is an old Excel 97–2003 workbook (.xls). Open it in Excel and save it "
            "as .xlsx or CSV, then upload that file."
        )
    if lower.endswith((".xlsx", ".xlsm")):
        raise ReadError(
            "is not a readable Excel workbook (it may be damaged). Open it in Excel "
            "and save it again, or export the report as CSV."
        )
    if lower.endswith(".xls"):
        raise ReadError("is an old Excel 97–2003 workbook (.xls). Save it as .xlsx or CSV.")
    _refuse_binary(data)
    text = _Text(data)
    if lower.endswith(".json") or re.match(r"\s*[\[{]", text.head):
        _refuse_json(name, text.full if len(data) < 1024**2 else text.head)
    if "user_data" in lower and lower.endswith((".txt", ".json", ".html")):
        raise ReadError(f"{ACCOUNT_DATA}.")
    if _looks_like_account_text(text.head):
        raise ReadError(f"{ACCOUNT_DATA}.")
    check_line_lengths(data)
    return [_read_delimited(name, text, archive)]


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return (
        "xl/workbook.xml" in names
        or "[Content_Types].xml" in names
        and any(n.startswith("xl/") for n in names)
    )


# Office files are ZIPs too; name them instead of reporting each XML part inside.
_OFFICE_PARTS = (
    ("word/document.xml", "a Word document"),
    ("ppt/presentation.xml", "a PowerPoint presentation"),
)


def _office_document(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:80] if "mimetype" in names else b""
    except Exception:  # noqa: BLE001 - damaged or odd archives are judged by _read_zip
        return None
    for part, what in _OFFICE_PARTS:
        if part in names:
            return what
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return "an OpenDocument file (save it from LibreOffice as .xlsx or CSV)"
    return None


# TikTok's "Download your data" TXT files: records of "Key: value" lines, each opening with
# "Date: 2024-05-01 12:34:56" (browsing, likes, logins, comments ...).
_ACCOUNT_DATE_LINE = re.compile(r"^\s*Date:\s*\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
_KEY_VALUE_LINE = re.compile(r"^\s*[A-Za-z][A-Za-z0-9 ()/_-]{0,40}:(\s|$)")


def _looks_like_account_text(text: str) -> bool:
    lines = [line for line in _head_lines(text) if line.strip()]
    if not lines or not _ACCOUNT_DATE_LINE.match(lines[0]):
        return False
    return sum(bool(_KEY_VALUE_LINE.match(line)) for line in lines) >= 0.8 * len(lines)


# Files operating systems leave in folders they zip; never anybody's data.
OS_JUNK = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db", "icon\r"})


def _read_zip(name: str, data: bytes, depth: int, budget: Budget) -> list[Grid | Failure]:
    if depth >= MAX_DEPTH:
        raise ReadError(
            "is a ZIP inside a ZIP inside a ZIP; unpack it and upload the files inside."
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [
            i
            for i in zf.infolist()
            if not i.is_dir()
            and not i.filename.startswith("__MACOSX/")
            and not i.filename.rsplit("/", 1)[-1].startswith(".")
            and i.filename.rsplit("/", 1)[-1].lower() not in OS_JUNK
        ]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
        raise ReadError(
            "is a damaged ZIP archive and could not be opened. Download it from TikTok again."
        ) from err
    if not infos:
        raise ReadError(f"is a ZIP archive with no files in it. {EXPECTED}")
    budget.count_entries(len(infos))
    results: list[Grid | Failure] = []
    for info in infos:
        entry_name = f"{name}/{info.filename}"
        if info.flag_bits & 0x1:
            results.append(
                Failure(
                    entry_name,
                    f"“{entry_name}” is password-protected; unpack "
                    "it yourself and upload the files inside.",
                )
            )
            continue
        try:
            entry = _unpack(zf, info, budget)
        except BudgetExceeded:
            raise
        except NotImplementedError:
            results.append(
                Failure(
                    entry_name,
                    f"“{entry_name}” is packed with a compression method this app cannot "
                    "unpack (TikTok uses the standard one). Unpack the ZIP yourself and upload "
                    "the files inside.",
                )
            )
            continue
        except Exception:  # noqa: BLE001 - CRC errors, truncated members
            results.append(
                Failure(
                    entry_name,
                    f"“{entry_name}” is damaged inside the ZIP and "
                    "could not be unpacked. Download the ZIP from TikTok again.",
                )
            )
            continue
        results.extend(
            read_any(entry_name, entry, depth + 1, archive=name.rsplit("/", 1)[-1], budget=budget)
        )
    return results


def _unpack(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> bytes:
    """An entry's bytes, counted against the upload's budget as they are inflated (the size
    the archive declares is not trusted)."""
    parts = []
    with zf.open(info) as stream:
        while chunk := stream.read(CHUNK):
            budget.take(len(chunk))
            parts.append(chunk)
    return b"".join(parts)


def _read_xlsx(name: str, data: bytes, archive: str | None, budget: Budget):
    from . import xlsx  # on first use: ElementTree and the workbook reader, ~10 ms to import

    try:
        sheets = xlsx.read_workbook(data, budget)
    except (BudgetExceeded, ReadError):
        raise
    except Exception as err:  # noqa: BLE001 - damaged XML, missing parts
        raise ReadError(
            "is not a readable Excel workbook (it may be damaged or password-"
            "protected). Open it in Excel and save it again, or export as CSV."
        ) from err
    found = []
    for sheet, frame in sheets:
        frame = frame.dropna(how="all").dropna(axis=1, how="all").reset_index(drop=True)
        frame.columns = range(frame.shape[1])
        if frame.empty:
            continue
        found.append((sheet, frame))
    if not found:
        raise ReadError("is an Excel workbook with no cells filled in. " + EXPECTED)
    for sheet, frame in found:
        label = name if len(found) == 1 else f"{name}[{sheet}]"
        yield Grid(label, frame, archive=archive, encoding="xlsx")


_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"\x1f\x8b": "a gzip archive",
}


def _refuse_signature(data: bytes) -> None:
    """Name a file by what its first bytes say it is, whatever it is called."""
    for magic, what in _SIGNATURES.items():
        if data.startswith(magic):
            raise ReadError(f"is {what}, not a table. {EXPECTED}")


def _refuse_binary(data: bytes) -> None:
    head = data[:4096]
    _refuse_signature(head)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 text: NUL bytes are expected
    if head.count(b"\x00") > len(head) // 4 and _looks_utf16(head):
        return
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    if control > max(2, len(head) // 50):
        raise ReadError(f"is not a table (it looks like a binary file). {EXPECTED}")


def _looks_utf16(head: bytes) -> bool:
    odd = head[1::2].count(b"\x00")
    even = head[0::2].count(b"\x00")
    return max(odd, even) > len(head) // 3


HEAD_BYTES = 1024**2


class _Text:
    """A text file's encoding and first lines, decoded without decoding the whole file.

    A large UTF-8 file (the common case: a year of Ads Manager rows) is never turned into one
    Python string: its bytes are checked as UTF-8 by Arrow and handed to Arrow's CSV reader as
    they are. Other encodings (UTF-16, cp1252) are decoded whole, as before, and re-encoded.
    """

    def __init__(self, data: bytes):
        self.data = data
        self._full: str | None = None
        if len(data) <= HEAD_BYTES:
            self._full, self.encoding = decode_text(data)
            self.head = self._full
            return
        self.encoding = _big_encoding(data)
        if self.encoding in ("utf-8", "utf-8-sig"):
            start = 3 if self.encoding == "utf-8-sig" else 0
            end = start
            for _ in range(SAMPLE_LINES + 1):  # the lines _head_lines looks at, however long
                end = data.find(b"\n", end) + 1
                if end <= 0:
                    end = len(data)
                    break
            self.head = data[start:end].decode("utf-8", errors="replace")
        else:
            self.head = self.full

    @property
    def full(self) -> str:
        if self._full is None:
            self._full, self.encoding = decode_text(self.data)
        return self._full

    def utf8(self) -> memoryview | bytes:
        """The text as UTF-8 bytes, without a BOM (the file's own bytes where it is UTF-8)."""
        if self.encoding == "utf-8":  # decoded strictly, or checked by _big_encoding
            return memoryview(self.data)
        if self.encoding == "utf-8-sig" and _valid_utf8(self.data, 3):
            return memoryview(self.data)[3:]
        return self.full.removeprefix("\ufeff").encode("utf-8")


def _valid_utf8(data: bytes, start: int = 0, step: int = 16 * CHUNK) -> bool:
    """Whether data[start:] is valid UTF-8, checked by Arrow without a copy, 16 MB at a time
    (each part ends before a character's first byte, so the parts are valid exactly when the
    whole is); a memory-mapped file's pages are handed back as each part is done."""
    import numpy as np
    import pyarrow as pa

    if arrow_csv.read_whole(data, start):
        return True  # Arrow's reader checked every cell, and the rest is ASCII (see there)
    view = memoryview(data)
    pos, size = start, len(data)
    while pos < size:
        end = min(pos + step, size)
        while pos < end < size and data[end] & 0xC0 == 0x80:  # inside a character
            end -= 1
        if end == pos:  # a part shorter than its first character: run on to its end
            end = min(pos + step, size)
            while end < size and data[end] & 0xC0 == 0x80:
                end += 1
        offsets = pa.py_buffer(np.array([0, end - pos], dtype=np.int64))
        values = pa.py_buffer(view[pos:end])
        try:
            array = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, values])
            array.validate(full=True)
        except pa.ArrowInvalid:
            return False
        finally:
            release_pages(data, pos, end)
        pos = end
    return True


# Shared with the command line's read-ahead (a module without pandas).
release_pages = arrow_csv.release_pages
_MappedStream = arrow_csv.MappedStream
_is_mapped = arrow_csv.is_mapped


def _big_encoding(data: bytes) -> str:
    """decode_text's choice of encoding, made without decoding a large file."""
    head = data[:4096]  # bytes (a slice of a memory-mapped file is bytes too)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") > len(head) // 4:
        return "utf-16"  # decoded whole by decode_text, which names the exact form
    return "utf-8" if _valid_utf8(data) else "cp1252"


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode text bytes: BOMs first, then UTF-16 without BOM, UTF-8, cp1252."""
    if not isinstance(data, bytes):
        data = bytes(data)  # a memory-mapped file: decoded whole, as bytes are
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 4:
        encoding = (
            "utf-16-le" if head[1::2].count(b"\x00") >= head[0::2].count(b"\x00") else "utf-16-be"
        )
        return data.decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


_ACCOUNT_KEYS = {
    "activity",
    "your activity",
    "profile",
    "video",
    "comment",
    "direct messages",
    "ads and data",
    "app settings",
    "tiktok live",
    "tiktok shopping",
    "income+ wallet activity",
}


def _refuse_json(name: str, text: str) -> None:
    try:
        # Only the keys matter, so a large or deeply nested JSON file is not parsed.
        payload = json.loads(text) if len(text) < 1024**2 else None
    except (ValueError, RecursionError):
        payload = None
    keys = {str(k).casefold() for k in payload} if isinstance(payload, dict) else set()
    if keys & _ACCOUNT_KEYS or "user_data" in name.lower():
        raise ReadError(f"{ACCOUNT_DATA}.")
    raise ReadError(f"is a JSON file, not a table. {EXPECTED}")


def sniff_delimiter(lines: list[str]) -> str:
    """Pick the delimiter whose split gives the most consistent multi-column rows."""
    best, best_score = ",", (-1.0, 0)
    for delim in ("\t", ";", ",", "|"):
        try:
            rows = list(csv.reader(lines, delimiter=delim))
        except csv.Error:
            continue
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        consistency = widths.count(common) / len(widths)
        score = (consistency, common)
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_delimited(name: str, text: _Text, archive: str | None) -> Grid:
    lines = _head_lines(text.head.removeprefix("\ufeff"))
    if not any(line.strip() for line in lines):
        raise ReadError(f"holds no text rows. {EXPECTED}")
    # Excel's "sep=;" first line names the delimiter.
    skip = 0
    if m := re.match(r"^\s*sep=(.)\s*$", lines[0]):
        delimiter, skip = m[1], 1
        if not any(line.strip() for line in lines[1:]):
            raise ReadError(f"holds only Excel's “sep={m[1]}” line and no rows of data. {EXPECTED}")
    else:
        delimiter = sniff_delimiter(lines)
    # Name the columns up front so a short preamble line does not fix the width of the grid.
    try:
        rows = list(csv.reader(lines[skip:], delimiter=delimiter))
        width = max(len(r) for r in rows)
    except csv.Error:
        rows, width = [], None
    if width:
        check_columns(width)
    first = next((r for r in rows if r), None)
    cells = None
    if width and first is not None and len(first) == width:
        # The common case, every export TikTok writes: the header row first, every row as wide.
        cells = _arrow_cells(text, delimiter, width, skip)
    if cells is None:
        cells = _pandas_cells(text.full.removeprefix("\ufeff"), delimiter, width, skip)
    check_columns(cells.shape[1])
    check_cell_lengths(cells)
    return Grid(name, cells, archive=archive, delimiter=delimiter, encoding=text.encoding)


def _arrow_cells(text: _Text, delimiter: str, width: int, skip: int) -> pd.DataFrame | None:
    """Every cell as text, read by Arrow's CSV reader straight from the bytes; None when the
    rows are not all as wide as the header (a short preamble or totals line, a damaged row):
    pandas then reads the file as before, and names the line that does not fit."""
    import pyarrow as pa

    raw = text.utf8()
    if skip:
        # The "sep=;" line: the data starts after its line break.
        end = bytes(raw[:4096]).find(b"\n")
        if end < 0 or b"\r" in bytes(raw[: max(end - 1, 0)]):
            return None
        raw = raw[end + 1 :]
    # A memory-mapped file (the command line's large files) is read as a stream of blocks,
    # its pages handed back behind the reader; bytes are read where they are.
    mapped = isinstance(raw, memoryview) and raw.obj is text.data and _is_mapped(text.data)
    offset = len(text.data) - len(raw) if mapped else 0
    columns = None
    # A large file the command line began reading ahead (metrics/arrow_csv.py): its table
    # counts only when it was read from this start, with this delimiter and width.
    ahead = arrow_csv.claim(text.data, offset, delimiter, width) if mapped else None
    # Cells with line breaks inside quotes are rare: Arrow first reads the blocks as if there
    # were none, and says so when a block boundary proves otherwise (a boundary inside a
    # quoted cell puts its parser out of step); it then reads them the careful way.
    for newlines_in_values in (False, True):
        try:
            if ahead is not None:
                parts, ahead = ahead, None
            else:
                if mapped:
                    source = arrow_csv.mapped_source(text.data, offset)
                else:
                    source = pa.BufferReader(pa.py_buffer(raw))
                # Arrow's threaded reader, every column read straight into a dictionary.
                parts = arrow_csv.read_columns(source, delimiter, width, newlines_in_values)
            columns = _dictionary_columns(parts)  # each column's blocks go as it is converted
            break
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        finally:
            release_pages(text.data)
    del raw
    # The blocks' text is freed; hand the memory Arrow kept for reuse back to the system.
    pa.default_memory_pool().release_unused()
    if not columns or len(columns[0]) == 0:
        return None
    return pd.DataFrame(dict(enumerate(columns)), copy=False)


def _dictionary_columns(parts: list) -> list[pd.Series]:
    """Every dictionary column of the table as a pandas categorical: a cell costs its 4-byte
    code and each distinct text is kept once (a year of daily rows holds 365 dates, a few
    thousand ad names), so no grid of the whole file's strings is ever built. `parts` (the
    table's columns) is emptied as it goes, so a column's Arrow blocks are freed once it is
    converted and the table never exists twice; a large table's two at a time
    (metrics/io/workers.py)."""
    rows = len(parts[0]) if parts else 0
    with workers.runner(rows) as run:
        jobs = []
        while parts:
            jobs.append(run(_categorical, parts.pop(0)))
        return [job.result() for job in jobs]


def _categorical(column) -> pd.Series:
    column = column.unify_dictionaries().combine_chunks()
    codes = column.indices.to_numpy(zero_copy_only=False)
    # The texts as pandas' "str" straight from Arrow (not through a Series of them first).
    categories = pd.Index(pd.array(column.dictionary, dtype="str"), copy=False)
    del column
    # Arrow's unified dictionary holds each text once and the codes index it, so pandas'
    # checks of both (hashing every category again, a pass over every code) are skipped.
    dtype = _known_categories(categories)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype, validate=False))


def _known_categories(categories: pd.Index) -> pd.CategoricalDtype:
    """The dtype of categories known to be distinct, without pandas hashing them again."""
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    if fast is not None:
        try:
            return fast(categories, False)
        except TypeError:  # pragma: no cover - another pandas: the checked way
            pass
    return pd.CategoricalDtype(categories)


def _pandas_cells(text: str, delimiter: str, width: int | None, skip: int) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            names=range(width) if width else None,
            skiprows=skip,
            dtype="str",
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
            engine="c",
        )
    except pd.errors.EmptyDataError as err:
        raise ReadError(f"holds no rows of data. {EXPECTED}") from err
    except pd.errors.ParserError as err:
        detail = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        if detail:
            raise ReadError(
                f"could not be read: line {detail[2]} has {detail[3]} cells where the rows "
                f"above have {detail[1]}. The file may be damaged, or a cell holds an unquoted "
                f"'{_delimiter_name(delimiter)}'. Download it from TikTok again."
            ) from err
        raise ReadError(
            f"could not be read as a table (its rows do not line up). {EXPECTED}"
        ) from err


def _head_lines(text: str) -> list[str]:
    """The first SAMPLE_LINES lines, without splitting the whole (maybe 400 MB) text."""
    lines: list[str] = []
    start = 0
    while len(lines) < SAMPLE_LINES and start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        lines.extend(text[start:end].splitlines())
        start = end
    return lines[:SAMPLE_LINES]


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tab", ";": ";", ",": ",", "|": "|"}.get(delimiter, delimiter)
