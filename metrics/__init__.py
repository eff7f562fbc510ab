"""TikTok metrics: import exports, define and aggregate metrics, diagnose. No Streamlit here."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Dataset", "FileReport", "load_files"]

if TYPE_CHECKING:
    from .io import Dataset, FileReport, load_files


def __getattr__(name: str):
    # Loaded on first use, so `python -m metrics --help` starts without pandas and scipy.
    if name in __all__:
        from . import io

        return getattr(io, name)
    raise AttributeError(f"module 'metrics' has no attribute {name!r}")
