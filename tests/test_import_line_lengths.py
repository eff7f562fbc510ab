"""The line-length limit (limits.check_line_lengths): the quick search for a line feed in
every stretch of 2 MB must never let through a line the exact pass refuses."""

from __future__ import annotations

import random
import re

import pytest

from metrics.io import limits
from metrics.io.limits import MAX_LINE_BYTES, BudgetExceeded, check_line_lengths


def _longest_line(data: bytes) -> int:
    """By hand: the longest run of bytes between line ends (\\n or \\r)."""
    return max(len(part) for part in re.split(rb"[\r\n]", data))


def _refused(data: bytes) -> bool:
    try:
        check_line_lengths(data)
    except BudgetExceeded:
        return True
    return False


def _filler(n: int) -> bytes:
    return b"x" * n


@pytest.mark.parametrize(
    "data",
    [
        # One line exactly at the limit, then ordinary rows: read.
        _filler(MAX_LINE_BYTES) + b"\n" + b"a,b\n" * 300_000,
        # One byte over, at the start, in the middle, at the end without a line feed.
        _filler(MAX_LINE_BYTES + 1) + b"\n" + b"a,b\n" * 10,
        b"a,b\n" * 300_000 + _filler(MAX_LINE_BYTES + 1) + b"\n" + b"a,b\n" * 300_000,
        b"a,b\n" * 300_000 + _filler(MAX_LINE_BYTES + 1),
        b"a,b\n" * 300_000 + _filler(MAX_LINE_BYTES),
        # Old Mac line ends: the line feeds alone are far apart, the lines are short.
        b"a,b\r" * 2_500_000,
        # A long line that straddles two 2 MB stretches, each of them holding a line feed.
        _filler(2 * 1024**2 - 10) + b"\n" + _filler(MAX_LINE_BYTES + 1) + b"\n" + b"a\n" * 10,
        # Lines of 3 MB: every stretch of 2 MB need not hold a line feed, no line too long.
        (_filler(3 * 1024**2) + b"\n") * 4,
    ],
    ids=[
        "at-limit",
        "over-first",
        "over-middle",
        "over-last",
        "at-limit-last",
        "cr-only",
        "straddling",
        "3mb-lines",
    ],  # fmt: skip
)
def test_refused_exactly_when_a_line_is_over_the_limit(data):
    assert _refused(data) == (_longest_line(data) > MAX_LINE_BYTES)


def test_the_quick_search_bounds_every_gap_between_line_feeds():
    """Wherever _line_feed_in_every_stretch says yes, no gap between neighbouring line feeds
    (the start and end counting as line feeds) is longer than 2·stretch - 1 bytes."""
    rng = random.Random(13)
    stretch = 16
    said_yes = 0
    for _ in range(3000):
        size = rng.randrange(stretch, 12 * stretch)
        data = bytearray(b"x" * size)
        for _ in range(rng.randrange(0, size // 4 + 1)):
            data[rng.randrange(size)] = 10
        data = bytes(data)
        ends = [-1, *(i for i, b in enumerate(data) if b == 10), size]
        longest = max(b - a for a, b in zip(ends, ends[1:], strict=False))
        if limits._line_feed_in_every_stretch(data, stretch):
            said_yes += 1
            assert longest <= 2 * stretch - 1
        # And it says yes whenever every whole stretch does hold one, by hand.
        whole = range(0, size - stretch + 1, stretch)
        expected = all(b"\n" in data[s : s + stretch] for s in whole)
        assert limits._line_feed_in_every_stretch(data, stretch) == expected
    assert said_yes > 100  # the random layouts did exercise the yes side
