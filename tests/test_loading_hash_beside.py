"""Large uploads: the parse starts before the bytes' SHA-256 is known (ui/loading.py), and
the cache stays keyed by content: same bytes read once, other bytes read again."""

from __future__ import annotations

import pytest

from tests._threads import at_once
from ui import loading
from ui.loading import ParseCache

HEADER = b'"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'


def overview(views: int) -> bytes:
    return HEADER + f'"2026-10-01","{views}","5","10","1","0"\n'.encode()


@pytest.fixture(autouse=True)
def every_file_is_large(monkeypatch):
    monkeypatch.setattr(loading, "HASH_BESIDE_PARSE_BYTES", 0)


def test_same_bytes_are_read_once_and_other_bytes_of_the_same_size_again():
    cache = ParseCache(max_bytes=64 * 1024**2, ttl=60)
    first = cache.get("Overview.csv", overview(100))
    assert cache.parses == 1 and first[0].frame["video_views"].tolist() == [100]
    assert cache.get("Overview.csv", overview(100)) is first
    assert cache.parses == 1
    # Same name, same length, other content: never served the first file's tables.
    other = cache.get("Overview.csv", overview(101))
    assert cache.parses == 2 and other[0].frame["video_views"].tolist() == [101]
    assert cache.get("Overview.csv", overview(100)) is first  # both kept, by content
    assert cache.parses == 2


def test_identical_large_uploads_at_the_same_moment_are_read_once():
    cache = ParseCache(max_bytes=64 * 1024**2, ttl=60)
    results = at_once(lambda: cache.get("Overview.csv", overview(7)))
    assert cache.parses == 1
    assert len(results) == 8 and all(r is results[0] for r in results)
    assert results[0][0].frame["video_views"].tolist() == [7]


def test_a_large_entry_is_sized_and_bounded_like_any_other():
    one = ParseCache(max_bytes=10**9, ttl=60)
    one.get("a.csv", overview(1))
    size = one.total
    cache = ParseCache(max_bytes=int(size * 1.5), ttl=60)  # room for one entry
    cache.get("a.csv", overview(1))
    cache.get("b.csv", overview(1))
    assert cache.total == size and len(cache) == 1
    cache.get("a.csv", overview(1))
    assert cache.parses == 3  # a had been dropped for b
