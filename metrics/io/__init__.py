"""The importer: TikTok Studio and Ads Manager exports (CSV, XLSX, ZIP) → one tidy dataset."""

from .dataset import Dataset, FileReport, combine, load_files, read_file
from .schema import KIND_BY_NAME, KIND_NAMES, KINDS

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
