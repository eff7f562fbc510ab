"""The shared parse cache: bounded by size, forgets after its TTL, reads identical uploads once."""

from __future__ import annotations

import time

from tests._threads import at_once
from ui import loading
from ui.loading import ParseCache

OVERVIEW = (
    b'"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
    b'"2026-10-01","100","5","10","1","0"\n'
)


def test_identical_uploads_are_read_once_even_at_the_same_moment():
    cache = ParseCache(max_bytes=64 * 1024**2, ttl=60)
    results = at_once(lambda: cache.get("Overview.csv", OVERVIEW))
    assert cache.parses == 1
    assert len(results) == 8 and all(r is results[0] for r in results)
    assert results[0][0].frame["video_views"].tolist() == [100]
    cache.get("Overview.csv", OVERVIEW.replace(b'"100"', b'"101"'))  # other bytes: read again
    assert cache.parses == 2


def test_the_cache_stays_under_its_size_and_drops_the_oldest():
    one = ParseCache(max_bytes=10**9, ttl=60)
    one.get("a.csv", OVERVIEW)
    size = one.total
    cache = ParseCache(max_bytes=int(size * 2.5), ttl=60)  # room for two entries, not three
    for name in ("a.csv", "b.csv", "c.csv"):
        cache.get(name, OVERVIEW)
    assert cache.total <= cache.max_bytes and cache.total == 2 * size
    cache.get("c.csv", OVERVIEW)
    cache.get("b.csv", OVERVIEW)
    assert cache.parses == 3  # b and c were still held
    cache.get("a.csv", OVERVIEW)
    assert cache.parses == 4  # a was the oldest, so it was dropped


def test_entries_expire_after_the_ttl():
    cache = ParseCache(max_bytes=10**9, ttl=0.05)
    cache.get("a.csv", OVERVIEW)
    time.sleep(0.1)
    cache.get("a.csv", OVERVIEW)
    assert cache.parses == 2
    cache.get("b.csv", OVERVIEW)
    time.sleep(0.1)
    cache.get("c.csv", OVERVIEW)
    assert cache.total == cache._entries[next(iter(cache._entries))][1]  # only c is left


def test_the_sample_is_combined_once_and_sessions_get_their_own_containers():
    parsed, first = loading._sample()
    _, second = loading._sample()
    assert first is second
    view = loading._session_view(first)
    view.tables.pop("ads", None)
    view.warnings.append("only this session")
    assert "ads" in first.tables and "only this session" not in first.warnings


def test_uploads_over_a_megabyte_stay_in_memory():
    import streamlit as st
    from starlette.formparsers import MultiPartParser

    assert MultiPartParser.spool_max_size > st.get_option("server.maxUploadSize") * 1024**2


def test_combining_never_changes_the_cached_tables():
    # The parse cache hands the same tables to every session, and _combine no longer deep-
    # copies them: combining with a year chosen by hand (the year-less Content export) and
    # with a table left out must leave every cached frame, warning and date column as it was.
    import copy

    import pandas as pd

    parsed = {name: loading.parse_file(name, data) for name, data in loading.sample_files()}
    before = copy.deepcopy(parsed)
    yearless = [t.name for items in parsed.values() for t in items if getattr(t, "yearless", None)]
    years = dict.fromkeys(yearless, 2024)
    a = loading._combine(parsed, years=years, exclude=[])
    b = loading._combine(parsed)
    assert a is not None and b is not None
    for name, items in parsed.items():
        for now, then in zip(items, before[name], strict=True):
            assert type(now) is type(then)
            if hasattr(now, "frame"):
                pd.testing.assert_frame_equal(now.frame, then.frame)
                assert now.warnings == then.warnings
                assert set(now.yearless) == set(then.yearless)
                for col, dates in now.yearless.items():
                    pd.testing.assert_series_equal(dates.values, then.yearless[col].values)
