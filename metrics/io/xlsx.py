"""XLSX workbooks → one grid per sheet, streamed and within the upload's budget.

A general-purpose reader lays a sheet out to the extent it declares (`A1:XFD1048576` is 17
billion cells) and inflates every part whatever its size. This one reads only the cells that
are present, counts every inflated byte against the upload's `Budget`, and refuses a sheet
whose extent, width or cells pass the limits before building anything.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from posixpath import join, normpath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_XLSX_CELLS,
    MAX_XLSX_ROWS,
    Budget,
    BudgetExceeded,
)

_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")
# Built-in number formats that show dates or times (ECMA-376 §18.8.30).
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)


class _Counted(io.RawIOBase):
    """A ZIP member stream whose inflated bytes are charged to the budget as they are read."""

    def __init__(self, stream, budget: Budget):
        self._stream, self._budget = stream, budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._stream.read(len(buffer))
        self._budget.take(len(chunk))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _events(zf: zipfile.ZipFile, part: str, budget: Budget):
    with zf.open(part) as raw:
        stream = io.BufferedReader(_Counted(raw, budget), buffer_size=1024**2)
        parser = ET.XMLPullParser(events=("start", "end"))
        while chunk := stream.read(1024**2):
            if b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk:
                raise ValueError("a DTD has no place in a workbook part")
            parser.feed(chunk)
            yield from parser.read_events()
        parser.close()
        yield from parser.read_events()


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _refuse_extent(rows: int, columns: int, where: str) -> None:
    if columns > MAX_COLUMNS:
        raise BudgetExceeded(
            f"has a sheet with a cell in column {columns:,} ({where}); a TikTok export has far "
            f"fewer columns (this app reads at most {MAX_COLUMNS}). Delete the stray cells, "
            "or export the report as CSV."
        )
    if rows > MAX_XLSX_ROWS or rows * columns > MAX_XLSX_CELLS:
        raise BudgetExceeded(
            f"has a sheet that reaches {rows:,} rows × {columns:,} columns ({where}), more than "
            f"the {MAX_XLSX_CELLS:,} cells this app reads from a workbook. Export the report as "
            "CSV, or delete the stray cells far below or right of the table."
        )


def _text_of(values: list[str]) -> str:
    text = "".join(values)
    if len(text) > MAX_CELL_CHARS:
        raise BudgetExceeded(
            f"has a cell of {len(text):,} characters; Excel allows at most {MAX_CELL_CHARS:,} "
            "in one cell. Check that the right file was chosen."
        )
    return text


def _pieces(zf: zipfile.ZipFile, part: str, budget: Budget, closing: bytes):
    """A part's bytes in pieces that each end just after a `closing` tag (so no element is
    cut in two), every inflated byte charged to the budget."""
    with zf.open(part) as raw:
        stream = io.BufferedReader(_Counted(raw, budget), buffer_size=1024**2)
        rest = b""
        while chunk := stream.read(1024**2):
            if b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk:
                raise ValueError("a DTD has no place in a workbook part")
            rest += chunk
            cut = rest.rfind(closing)
            if cut < 0:
                if len(rest) > 8 * 1024**2:  # no element closes within 8 MB
                    _text_of(["x" * (MAX_CELL_CHARS + 1)])
                continue
            cut += len(closing)
            yield rest[:cut]
            rest = rest[cut:]
        yield rest


def _strip_tags(texts: pa.Array) -> pa.Array:
    """The text of rich or plain <t> runs: phonetic guides dropped, then every tag, then the
    five XML entities (numeric references are rare and decoded one by one)."""
    texts = pc.replace_substring_regex(texts, r"(?s)<rPh\b.*?</rPh>", "")
    texts = pc.replace_substring_regex(texts, r"<[^>]*>", "")
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        texts = pc.replace_substring(texts, entity, char)
    texts = pc.replace_substring(texts, "&amp;", "&")
    return texts


def _check_lengths(texts: pa.Array) -> None:
    longest = pc.max(pc.utf8_length(texts)).as_py()
    if longest is not None and longest > MAX_CELL_CHARS:
        _text_of(["x" * longest])


def _split(piece: bytes, tag: str) -> pa.Array:
    return pa.array(piece.decode("utf-8", errors="replace").split(tag)[1:], type=pa.string())


def _shared_strings(zf: zipfile.ZipFile, part: str | None, budget: Budget) -> list[str]:
    strings: list[str] = []
    if part is None:
        return strings
    for piece in _pieces(zf, part, budget, b"</si>"):
        items = pc.extract_regex(_split(piece, "<si"), r"^(?s:(?:\s[^>]*)?(?:/>|>(?P<x>.*?)</si>))")
        texts = _strip_tags(pc.struct_field(pc.drop_null(items), [0]))
        _check_lengths(texts)
        strings.extend(_numeric_refs(texts.to_pylist()))
        if len(strings) > MAX_XLSX_CELLS:
            _refuse_extent(len(strings), 1, "its shared strings")
    return strings


def _numeric_refs(texts: list) -> list:
    if any(t and "&#" in t for t in texts):
        return [html.unescape(t) if t and "&#" in t else t for t in texts]
    return texts


def _date_styles(zf: zipfile.ZipFile, part: str | None, budget: Budget) -> set[int]:
    """Indexes of the cell styles that show a date or time."""
    if part is None:
        return set()
    custom: dict[int, str] = {}
    styles: list[int] = []
    in_xfs = False
    for event, elem in _events(zf, part, budget):
        tag = _local(elem.tag)
        if tag == "cellXfs":
            in_xfs = event == "start"
        elif event == "end" and tag == "numFmt":
            custom[int(elem.get("numFmtId", "0"))] = elem.get("formatCode", "")
        elif event == "start" and tag == "xf" and in_xfs:
            styles.append(int(elem.get("numFmtId", "0")))
    dates = set()
    for index, fmt in enumerate(styles):
        code = custom.get(fmt)
        if code is not None:
            # Quoted text, [colours] and escaped characters do not make a format a date.
            bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code)
            if _DATE_CODE.search(bare):
                dates.add(index)
        elif fmt in _DATE_FORMAT_IDS:
            dates.add(index)
    return dates


def _parts(zf: zipfile.ZipFile, budget: Budget):
    """(sheet name, part) in workbook order, the shared strings and styles parts, the epoch."""
    names = set(zf.namelist())
    targets: dict[str, str] = {}
    strings = styles = None
    rels = "xl/_rels/workbook.xml.rels"
    if rels in names:
        for event, elem in _events(zf, rels, budget):
            if event == "end" and _local(elem.tag) == "Relationship":
                target = elem.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else join("xl", target)
                path = normpath(path)
                targets[elem.get("Id", "")] = path
                kind = elem.get("Type", "")
                if kind.endswith("/sharedStrings"):
                    strings = path
                elif kind.endswith("/styles"):
                    styles = path
    sheets = []
    date1904 = False
    for event, elem in _events(zf, "xl/workbook.xml", budget):
        if event == "end" and _local(elem.tag) == "sheet":
            rid = next((v for k, v in elem.attrib.items() if _local(k) == "id"), "")
            path = targets.get(rid)
            if path in names:
                sheets.append((elem.get("name", "Sheet"), path))
        elif event == "end" and _local(elem.tag) == "workbookPr":
            date1904 = elem.get("date1904") in ("1", "true")
    if strings not in names:
        strings = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else None
    if styles not in names:
        styles = "xl/styles.xml" if "xl/styles.xml" in names else None
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    return sheets, strings, styles, epoch


_CELL = r"^(?P<attrs>(?:\s[^>]*?)?)(?:/>|>(?s:(?P<inner>.*?))</c>)"
_ROW_START = r"<row(?:\s[^>]*?)?>"
_ROW_NUMBER = r"<row\s[^>]*?\br=\"(?P<n>[0-9]+)\""


def _field(array: pa.Array, pattern: str) -> pd.Series:
    """The first group of `pattern` in each string, "" where it does not match."""
    found = pc.extract_regex(array, pattern)
    return pd.Series(
        pc.fill_null(pc.struct_field(found, [0]), "").to_numpy(zero_copy_only=False),
        dtype=object,
    )


def _read_sheet(
    zf: zipfile.ZipFile,
    part: str,
    strings: list[str],
    date_styles: set[int],
    epoch: dt.datetime,
    budget: Budget,
) -> pd.DataFrame:
    """The cells present in a sheet, found with vectorised patterns (pyarrow, RE2) over pieces
    of the streamed XML: a sheet is the one part that can be hundreds of MB, and a Python step
    per cell would take minutes."""
    _count_cells(zf, part, budget)
    budget = Budget(budget.upload_bytes)  # the second pass reads the same bytes again
    frames = []
    last_row = max_row = max_col = 0
    started = False
    for piece in _pieces(zf, part, budget, b"</c>"):
        if not started:
            at = piece.find(b"<sheetData")
            if at < 0:
                continue
            piece, started = piece[at:], True
        parts = pa.array(piece.decode("utf-8", errors="replace").split("<c"), type=pa.string())
        if len(parts) < 2:
            continue
        # The row a cell is in starts in the text before it (the previous part).
        before, cells = parts[:-1], parts[1:]
        row_start = pc.match_substring_regex(before, _ROW_START).to_numpy(zero_copy_only=False)
        explicit = pd.to_numeric(_field(before, _ROW_NUMBER), errors="coerce")
        found = pc.extract_regex(cells, _CELL)
        valid = pc.is_valid(found).to_numpy(zero_copy_only=False)
        attrs = pa.array(pc.fill_null(pc.struct_field(found, [0]), ""))
        inner = pa.array(pc.fill_null(pc.struct_field(found, [1]), ""))
        # Rows: the number in <row r="n">, else one more than the row before.
        numbers = pd.Series(np.where(row_start, explicit, np.nan))
        implicit = last_row + np.cumsum(row_start)
        numbers = numbers.where(numbers.notna() | ~row_start, np.nan)
        starts = pd.Series(np.where(row_start, numbers.fillna(pd.Series(implicit)), np.nan))
        if not row_start[0]:
            starts.iloc[0] = starts.iloc[0] if pd.notna(starts.iloc[0]) else last_row
        row_of = starts.ffill().fillna(last_row).astype("int64")
        ref = pc.extract_regex(attrs, r"\br=\"(?P<c>[A-Z]{1,3})(?P<r>[0-9]+)\"")
        letters = pd.Series(
            pc.fill_null(pc.struct_field(ref, [0]), "").to_numpy(zero_copy_only=False)
        )
        ref_rows = pd.to_numeric(
            pd.Series(pc.fill_null(pc.struct_field(ref, [1]), "").to_numpy(zero_copy_only=False)),
            errors="coerce",
        )
        rows = ref_rows.fillna(row_of).astype("int64")
        columns = _columns(letters, rows, valid)
        if len(rows):
            last_row = int(rows.iloc[-1]) if valid.any() else last_row
        keep = valid & pc.greater(pc.utf8_length(inner), 0).to_numpy(zero_copy_only=False)
        if not keep.any():
            continue
        rows, columns = rows[keep], columns[keep]
        max_row, max_col = max(max_row, int(rows.max())), max(max_col, int(columns.max()))
        _refuse_extent(max_row, max_col, f"{_letters(int(columns.max()))}{int(rows.max())}")
        kept_attrs = attrs.filter(pa.array(keep))
        kept_inner = inner.filter(pa.array(keep))
        kind = _field(kept_attrs, r"\bt=\"(?P<t>[^\"]*)\"").replace("", "n")
        style = pd.to_numeric(_field(kept_attrs, r"\bs=\"(?P<s>[0-9]+)\""), errors="coerce")
        value = _field(kept_inner, r"(?s)<v>(?P<v>.*?)</v>")
        inline = _strip_tags(pc.replace_substring_regex(kept_inner, r"(?s)<f\b.*?</f>", ""))
        _check_lengths(inline)
        frames.append(
            pd.DataFrame(
                {
                    "row": rows.to_numpy(),
                    "col": columns.to_numpy(),
                    "t": kind.to_numpy(),
                    "s": style.fillna(0).astype("int64").to_numpy(),
                    "v": value.to_numpy(),
                    "inline": inline.to_numpy(zero_copy_only=False),
                }
            )
        )
        if sum(len(f) for f in frames) > MAX_XLSX_CELLS:
            _refuse_extent(max_row, max_col, "its cells")
    if not frames:
        return pd.DataFrame()
    return _cells_to_grid(pd.concat(frames, ignore_index=True), strings, date_styles, epoch)


def _letters(number: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


def _columns(letters: pd.Series, rows: pd.Series, valid: np.ndarray) -> pd.Series:
    """Column numbers from the letters of each cell's reference, else its place in its row."""
    codes = np.array(letters.tolist(), dtype="S3")
    codes = np.char.rjust(codes, 3, b"@").view(np.uint8).reshape(-1, 3).astype("int64") - 64
    from_ref = pd.Series(codes[:, 0] * 676 + codes[:, 1] * 26 + codes[:, 2])
    place = pd.Series(np.where(valid, 1, 0)).groupby(rows.to_numpy()).cumsum()
    return from_ref.where(letters.to_numpy() != "", place).astype("int64")


def _count_cells(zf: zipfile.ZipFile, part: str, budget: Budget) -> None:
    """A first, cheap pass (bytes counted in C) that refuses a sheet with too many cells or
    rows before any of them is parsed."""
    cells = rows = 0
    for piece in _pieces(zf, part, budget, b"</c>"):
        cells += piece.count(b"<c ") + piece.count(b"<c>") + piece.count(b"<c/>")
        rows += piece.count(b"<row ") + piece.count(b"<row>")
        if cells > MAX_XLSX_CELLS or rows > MAX_XLSX_ROWS:
            raise BudgetExceeded(
                f"has a sheet with more than {min(cells, MAX_XLSX_CELLS):,} cells"
                f" ({rows:,} rows), more than the {MAX_XLSX_CELLS:,} cells this app reads from "
                "a workbook. Export the report as CSV, or delete the stray cells far below or "
                "right of the table."
            )


def _cells_to_grid(cells: pd.DataFrame, strings, date_styles, epoch) -> pd.DataFrame:
    t, raw = cells["t"], cells["v"]
    values = pd.Series(np.nan, index=cells.index, dtype=object)
    shared = t.eq("s")
    if shared.any():
        index = pd.to_numeric(raw[shared], errors="coerce")
        ok = index[index.between(0, len(strings) - 1)].astype("int64")
        values[ok.index] = pd.Series(strings, dtype=object).iloc[ok].to_numpy()
    for mask, source in (
        (t.isin(["str", "d"]), _xml_unescape(raw)),
        (t.eq("inlineStr"), cells["inline"]),
    ):
        if mask.any():
            values[mask] = _numeric_refs(source[mask].tolist())
    boolean = t.eq("b")
    values[boolean] = raw[boolean].eq("1")
    number = t.eq("n") & raw.ne("")
    is_date = number & cells["s"].isin(date_styles)
    plain = number & ~is_date
    if plain.any():
        # Whole numbers become ints, as Excel shows them; others floats.
        text = raw[plain]
        as_float = pd.to_numeric(text, errors="coerce")
        whole = ~text.str.contains(r"[.eE]", regex=True) & as_float.notna()
        whole &= as_float.abs() < 2**53
        converted = as_float.astype(object)
        converted[whole] = as_float[whole].astype("int64").astype(object)
        values[plain] = converted
    if is_date.any():
        serial = pd.to_numeric(raw[is_date], errors="coerce")
        # Serials outside Excel's calendar (1900-9999) are not dates: left as numbers.
        sane = serial.between(0, 2_958_465)
        stamps = pd.Timestamp(epoch) + pd.to_timedelta(serial.where(sane).round(6), unit="D")
        values[is_date] = stamps.dt.round("s").astype(object).where(sane, serial.astype(object))
    keep = values.notna()
    row_index = cells["row"][keep].to_numpy() - 1
    col_index = cells["col"][keep].to_numpy() - 1
    if not len(row_index):
        return pd.DataFrame()
    grid = np.full((int(row_index.max()) + 1, int(col_index.max()) + 1), np.nan, dtype=object)
    grid[row_index, col_index] = values[keep].to_numpy(dtype=object)
    return pd.DataFrame(grid)


def _xml_unescape(series: pd.Series) -> pd.Series:
    out = series.str.replace("&lt;", "<").str.replace("&gt;", ">").str.replace("&quot;", '"')
    return out.str.replace("&apos;", "'").str.replace("&amp;", "&")


def read_workbook(data: bytes, budget: Budget) -> list[tuple[str, pd.DataFrame]]:
    """Every sheet of the workbook as (name, grid of cells as read, no header yet)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheets, strings_part, styles_part, epoch = _parts(zf, budget)
        budget.count_entries(len(sheets))
        strings = _shared_strings(zf, strings_part, budget)
        date_styles = _date_styles(zf, styles_part, budget)
        return [
            (name, _read_sheet(zf, part, strings, date_styles, epoch, budget))
            for name, part in sheets
        ]
