"""Shared fixtures: the sample data set, loaded once per test session."""

import datetime as dt
from pathlib import Path

import pytest

from metrics.io import load_files

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def sample_files() -> list[tuple[str, bytes]]:
    return [
        (p.name, p.read_bytes())
        for p in sorted(SAMPLE.iterdir())
        if p.suffix.lower() in (".zip", ".csv", ".xlsx")
    ]


@pytest.fixture(scope="session")
def sample_dataset():
    return load_files(sample_files(), today=dt.date(2026, 11, 22))


def pytest_collection_modifyitems(config, items):
    """Mark every test of test_browser*.py `browser`, so `-m "not browser"` is the quick run."""
    for item in items:
        if item.path.name.startswith("test_browser"):
            item.add_marker(pytest.mark.browser)
