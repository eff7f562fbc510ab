"""TikTok metrics: import exports, define and aggregate metrics, diagnose. No Streamlit here."""

from .io import Dataset, FileReport, load_files

__all__ = ["Dataset", "FileReport", "load_files"]
