"""Tables out: CSV and XLSX that are safe to open in Excel (no formula injection)."""

from __future__ import annotations

import io

import pandas as pd

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would execute with an apostrophe, so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_datetime64_any_dtype(
            out[col]
        ):
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
    """XLSX with text cells neutralised and, for columns in `units`, Excel number formats (a
    ratio stays a fraction in the cell and shows as a percentage)."""
    buffer = io.BytesIO()
    frame = safe_frame(df)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        # openpyxl writes a string starting with "=" as a formula; none is left after safe_frame.
        frame.to_excel(writer, index=False, sheet_name=sheet)
        worksheet = writer.sheets[sheet]
        for position, column in enumerate(df.columns, start=1):
            fmt = EXCEL_FORMATS.get((units or {}).get(column, ""))
            letter = worksheet.cell(row=1, column=position).column_letter
            worksheet.column_dimensions[letter].width = max(12, min(40, len(str(column)) + 2))
            if fmt:
                for (cell,) in worksheet.iter_rows(
                    min_row=2, min_col=position, max_col=position, max_row=len(frame) + 1
                ):
                    cell.number_format = fmt
    return buffer.getvalue()
