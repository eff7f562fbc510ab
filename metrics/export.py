"""Tables out: CSV and XLSX that are safe to open in Excel (no formula injection).

CSV has no types, so a text cell that a spreadsheet would run as a formula gets a visible
apostrophe. XLSX does: text is written as a string cell (never a formula) and those cells
carry Excel's hidden "quote prefix" flag, so they show exactly as written and stay text
even when edited. The workbook is built in memory: nothing is written to a temp file.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would execute with an apostrophe, so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _is_text(series: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_datetime64_any_dtype(
        series
    )


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if _is_text(out[col]):
            out[col] = out[col].map(neutralise, na_action="ignore")
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel reads accents; text cells neutralised."""
    return safe_frame(df).to_csv(index=False).encode("utf-8-sig")


# Excel number formats per unit (the XLSX keeps the numbers; the format shows them).
EXCEL_FORMATS = {
    "ratio": "0.00%",
    "currency": "#,##0.00",
    "count": "#,##0",
    "per_mille": "0.00",
    "multiple": "0.00",
    "seconds": "0.0",
}


def to_xlsx_bytes(
    df: pd.DataFrame, sheet: str = "Report", units: dict[str, str] | None = None
) -> bytes:
    """XLSX, built in memory, with text as text and, for columns in `units`, Excel number
    formats (a ratio stays a fraction in the cell and shows as a percentage)."""
    buffer = io.BytesIO()
    import xlsxwriter  # lazily: CSV and JSON output (the CLI's `table`) never need it

    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,  # no temp files: the sheet XML holds ad names and spend
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    worksheet = book.add_worksheet(sheet[:31])
    quoted = book.add_format({"quote_prefix": True})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    formats = {unit: book.add_format({"num_format": fmt}) for unit, fmt in EXCEL_FORMATS.items()}

    def write_text(row: int, col: int, text: str) -> None:
        risky = text.startswith(FORMULA_PREFIXES)
        worksheet.write_string(row, col, text, quoted if risky else None)

    for position, column in enumerate(df.columns):
        write_text(0, position, str(column))
        worksheet.set_column(position, position, max(12, min(40, len(str(column)) + 2)))
        series = df[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            for row, value in enumerate(series.tolist(), start=1):
                if not pd.isna(value):
                    worksheet.write_datetime(row, position, value.to_pydatetime(), dates)
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            fmt = formats.get((units or {}).get(column, ""))
            numbers = series.astype("float64").to_numpy()
            for row in np.flatnonzero(np.isfinite(numbers)):
                worksheet.write_number(int(row) + 1, position, float(numbers[row]), fmt)
        else:
            for row, value in enumerate(series.tolist(), start=1):
                if value is None or (isinstance(value, float) and np.isnan(value)):
                    continue
                if isinstance(value, (dt.date, dt.datetime)):
                    worksheet.write_datetime(row, position, value, dates)
                elif isinstance(value, (bool, np.bool_)):
                    worksheet.write_boolean(row, position, bool(value))
                elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
                    worksheet.write_number(row, position, float(value))
                else:
                    write_text(row, position, str(value))
    book.close()
    return buffer.getvalue()
