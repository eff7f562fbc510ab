"""XLSX workbooks → one grid per sheet, streamed and within the upload's budget.

A general-purpose reader lays a sheet out to the extent it declares (`A1:XFD1048576` is 17
billion cells) and inflates every part whatever its size. This one reads only the cells that
are present, counts every inflated byte against the upload's `Budget`, and refuses a sheet
whose extent, width or cells pass the limits before building anything.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from posixpath import join, normpath

import numpy as np
import pandas as pd

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


def _shared_strings(zf: zipfile.ZipFile, part: str | None, budget: Budget) -> list[str]:
    strings: list[str] = []
    if part is None:
        return strings
    texts: list[str] = []
    skip = 0  # inside <rPh> (phonetic guide): not part of the text
    for event, elem in _events(zf, part, budget):
        tag = _local(elem.tag)
        if tag == "rPh":
            skip += 1 if event == "start" else -1
        elif event == "end" and tag == "t" and not skip:
            texts.append(elem.text or "")
        elif event == "end" and tag == "si":
            strings.append(_text_of(texts))
            texts = []
            elem.clear()
            if len(strings) > MAX_XLSX_CELLS:
                _refuse_extent(len(strings), 1, "its shared strings")
    return strings


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


def _read_sheet(
    zf: zipfile.ZipFile,
    part: str,
    strings: list[str],
    date_styles: set[int],
    epoch: dt.datetime,
    budget: Budget,
) -> pd.DataFrame:
    rows: list[int] = []
    cols: list[int] = []
    values: list[object] = []
    dates: list[bool] = []
    row_number = 0
    column = 0
    max_row = max_col = 0
    cell_type = style = None
    raw: str | None = None
    inline: list[str] = []
    ref = None
    for event, elem in _events(zf, part, budget):
        tag = _local(elem.tag)
        if event == "start":
            if tag == "row":
                row_number = int(elem.get("r") or row_number + 1)
                column = 0
            elif tag == "c":
                ref = elem.get("r")
                cell_type, style = elem.get("t", "n"), int(elem.get("s") or 0)
                raw, inline = None, []
            continue
        if tag == "v":
            raw = elem.text
        elif tag == "t":
            inline.append(elem.text or "")
        elif tag == "c":
            if ref and (m := _CELL_REF.fullmatch(ref)):
                column, row_number = _column_number(m[1]), int(m[2])
            else:
                column += 1
            elem.clear()
            if cell_type == "inlineStr":
                value: object = _text_of(inline)
            elif raw is None:
                continue
            elif cell_type == "s":
                index = int(raw)
                value = strings[index] if 0 <= index < len(strings) else None
            elif cell_type in ("str", "d"):
                value = _text_of([raw])
            elif cell_type == "b":
                value = raw == "1"
            elif cell_type == "e":
                continue  # #N/A, #DIV/0!: no value
            else:
                value = _Raw(raw)
            if column > max_col or row_number > max_row:
                max_col, max_row = max(column, max_col), max(row_number, max_row)
                _refuse_extent(max_row, max_col, ref or "")
            rows.append(row_number)
            cols.append(column)
            values.append(value)
            dates.append(cell_type == "n" and style in date_styles)
        elif tag == "row":
            elem.clear()
    if not values:
        return pd.DataFrame()
    return _grid(rows, cols, values, dates, epoch)


def _grid(rows, cols, values, dates, epoch: dt.datetime) -> pd.DataFrame:
    cells = pd.Series(values, dtype=object)
    is_date = pd.Series(dates, dtype=bool)
    # Numeric cells arrive as their XML text: whole numbers become ints, as Excel shows them.
    is_number = pd.Series([type(v) is _Raw for v in values], dtype=bool) & ~is_date
    if is_number.any():
        text = cells[is_number].astype(str)
        as_float = pd.to_numeric(text, errors="coerce")
        whole = ~text.str.contains(r"[.eE]", regex=True) & as_float.notna() & (text.str.len() < 16)
        converted = as_float.astype(object)
        converted[whole] = as_float[whole].astype("int64").astype(object)
        cells[is_number] = converted
    if is_date.any():
        serial = pd.to_numeric(cells[is_date].astype(str), errors="coerce")
        # Serials outside Excel's calendar (1900-9999) are not dates: left as numbers.
        sane = serial.between(0, 2_958_465)
        stamps = pd.Timestamp(epoch) + pd.to_timedelta(serial.where(sane).round(6), unit="D")
        cells[is_date] = stamps.dt.round("s").astype(object).where(sane, serial.astype(object))
    row_index = np.asarray(rows) - 1
    col_index = np.asarray(cols) - 1
    height, width = int(row_index.max()) + 1, int(col_index.max()) + 1
    grid = np.full((height, width), np.nan, dtype=object)
    grid[row_index, col_index] = cells.to_numpy(dtype=object)
    return pd.DataFrame(grid)


class _Raw(str):
    """The XML text of a numeric cell (kept apart from text cells until converted)."""


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
