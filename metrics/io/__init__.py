"""The importer: TikTok Studio and Ads Manager exports (CSV, XLSX, ZIP) → one tidy dataset.

The names below load on first use (PEP 562), so a submodule without pandas (`memory`, which
the command line sets up first) can be imported without pandas: the command line's
read-ahead (metrics/arrow_csv.py) then starts before pandas is imported, not after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "KINDS",
    "KIND_BY_NAME",
    "KIND_NAMES",
    "Dataset",
    "FileReport",
    "combine",
    "load_files",
    "read_file",
]

if TYPE_CHECKING:
    from .dataset import Dataset, FileReport, combine, load_files, read_file
    from .schema import KIND_BY_NAME, KIND_NAMES, KINDS

_FROM = {
    "Dataset": "dataset",
    "FileReport": "dataset",
    "combine": "dataset",
    "load_files": "dataset",
    "read_file": "dataset",
    "KIND_BY_NAME": "schema",
    "KIND_NAMES": "schema",
    "KINDS": "schema",
}


def __getattr__(name: str):
    if name in _FROM:
        import importlib

        value = getattr(importlib.import_module(f".{_FROM[name]}", __name__), name)
        globals()[name] = value  # looked up once
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
