"""Counts in sentences: "1 row has", "60 rows have" (never "row(s)")."""

from __future__ import annotations


def counted(n: int, one: str, many: str | None = None) -> str:
    """`n` with its noun in the right number: counted(1, "row") → "1 row", 1,234 rows."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def agree(n: int, one: str, many: str) -> str:
    """The verb for `n` things: agree(1, "is", "are") → "is"."""
    return one if n == 1 else many
