"""The Data page's status rows and column-mapping choices, built from the dataset's reports."""

from __future__ import annotations

import pandas as pd

from metrics.io import KIND_BY_NAME, KINDS, Dataset
from metrics.io.schema import normalise_header

from .format import format_day


def status_frame(dataset: Dataset | None) -> pd.DataFrame:
    """One row per table read: what it is, how many rows, which dates, and any warning."""
    rows = []
    for r in dataset.reports if dataset else []:
        if r.error:
            continue
        rows.append(
            {
                "File": r.file,
                "Recognised as": KIND_BY_NAME[r.kind].label if r.kind else "—",
                "Rows": r.rows,
                "First day": r.first_date,
                "Last day": r.last_date,
                "Notes": " ".join(r.warnings) if r.warnings else "",
            }
        )
    columns = ["File", "Recognised as", "Rows", "First day", "Last day", "Notes"]
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("First day", "Last day"):  # blank (not "None") for snapshots
        frame[col] = [format_day(d.isoformat()) if d else "" for d in frame[col]]
    return frame


def notes(dataset: Dataset | None) -> list[tuple[str, str]]:
    """(file, warning) for every table read with a warning, for the notes list in full."""
    return [
        (r.file, w) for r in (dataset.reports if dataset else []) if not r.error for w in r.warnings
    ]


def mapping_targets() -> dict[str, str]:
    """Every column name a header can be mapped to → how the picker shows it (with its tables)."""
    kinds: dict[str, list[str]] = {}
    headers: dict[str, str] = {}
    for kind in KINDS:
        for col in kind.columns:
            kinds.setdefault(col.name, []).append(kind.label.split(" (")[0])
            if col.aliases:
                headers.setdefault(col.name, col.aliases[0])
    # The export's own English header first (what a marketer searches for: "Cost", "Video
    # views"), then the internal name and the tables that have it.
    labelled = {
        name: f"{headers.get(name, name)}  ·  {name}  ·  {', '.join(labels)}"
        for name, labels in kinds.items()
    }
    return dict(sorted(labelled.items(), key=lambda item: item[1].lower()))


def _known(header: str) -> bool:
    key = normalise_header(header)
    return any(key in kind.column_index for kind in KINDS)


def unmapped_headers(dataset: Dataset | None) -> dict[str, list[str]]:
    """Per file: headers the importer did not recognise (for refused or partly read files)."""
    out: dict[str, list[str]] = {}
    for r in dataset.reports if dataset else []:
        unknown = [h for h in r.unrecognised if not _known(h)]
        if unknown:
            out[r.file] = unknown
    return out


def yearless_files(dataset: Dataset | None) -> list[tuple[str, int]]:
    """(file, year of its newest row) for every table whose year was inferred or set by hand."""
    out = []
    for r in dataset.reports if dataset else []:
        if r.error or not r.last_date:
            continue
        if any(w.startswith(("year inferred", "year set by you")) for w in r.warnings):
            out.append((r.file, r.last_date.year))
    return out


def conflict_choices(dataset: Dataset | None) -> list[tuple[str, str, list[str]]]:
    """(kind, question, [file, file]) for overlapping downloads that may be two accounts."""
    out = []
    for c in dataset.conflicts if dataset else []:
        if c.different_accounts:
            label = KIND_BY_NAME[c.kind].label
            out.append((c.kind, f"{label}: which download should be used?", [c.kept, c.other]))
    return out
