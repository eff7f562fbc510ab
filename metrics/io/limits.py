"""Budgets the importer checks before and while it works, so a small junk file can never take
minutes of CPU or gigabytes of memory. Each refusal is a sentence that names the limit.

The budgets are counted on bytes actually unpacked (never on the sizes an archive declares)
and across every nesting level of one upload together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..wording import agree, counted

MB = 1024**2

# Everything one upload may unpack to, all ZIP levels and XLSX parts together.
MAX_UNPACKED_BYTES = 1024 * MB
# Unpacked bytes per byte uploaded, once past a floor small exports never reach: a real
# export compresses about 5-15 times, a zip bomb hundreds or thousands of times.
MAX_RATIO = 20
RATIO_FLOOR_BYTES = 32 * MB
MAX_ENTRIES = 200  # files inside one upload, all levels (a Studio ZIP holds 4-6)
MAX_DEPTH = 2  # a ZIP inside a ZIP is read; a third level is refused
MAX_COLUMNS = 512  # TikTok's widest export has well under 100 columns
MAX_XLSX_CELLS = 600_000  # cells in a sheet, and its extent (rows x columns); larger: CSV
MAX_XLSX_ROWS = 1_048_576  # Excel's own limit
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_LINE_BYTES = 4 * MB  # one text line (a row of at most 512 cells of ordinary length)
# Views, impressions, spend: anything beyond this is not a real account's number.
MAX_ABSOLUTE_VALUE = 1e15


class BudgetExceeded(Exception):
    """A budget was exceeded; the message is a sentence for the user (after the file name)."""


def _size(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n / 1024:,.0f} kB"


@dataclass
class Budget:
    """What one upload has used so far; shared by every level of a ZIP inside a ZIP."""

    upload_bytes: int
    unpacked: int = 0
    entries: int = 0

    @property
    def unpack_limit(self) -> int:
        return min(MAX_UNPACKED_BYTES, max(RATIO_FLOOR_BYTES, MAX_RATIO * self.upload_bytes))

    def take(self, n: int) -> None:
        """Count n more unpacked bytes; refuse as soon as the upload's allowance is passed."""
        self.unpacked += n
        if self.unpacked > self.unpack_limit:
            if self.unpack_limit == MAX_UNPACKED_BYTES:
                raise BudgetExceeded(
                    f"unpacks to more than {_size(MAX_UNPACKED_BYTES)}, far larger than any "
                    "TikTok export; it was not read."
                )
            raise BudgetExceeded(
                f"unpacks to more than {MAX_RATIO} times its own size ({_size(self.upload_bytes)} "
                f"becoming over {_size(self.unpack_limit)}), which real exports never do (it "
                "looks like a zip bomb); it was not read."
            )

    def count_entries(self, n: int) -> None:
        self.entries += n
        if self.entries > MAX_ENTRIES:
            raise BudgetExceeded(
                f"holds more than {MAX_ENTRIES} files (a TikTok Studio ZIP holds four to six); "
                "it was not read. Upload the exports themselves."
            )


def check_columns(count: int) -> None:
    if count > MAX_COLUMNS:
        raise BudgetExceeded(
            f"has {count:,} columns; a TikTok export has far fewer (this app reads at most "
            f"{MAX_COLUMNS}). Check that the right file was chosen."
        )


def check_line_lengths(data: bytes) -> None:
    """Refuse a text file with a line longer than MAX_LINE_BYTES (vectorised over the bytes,
    16 MB at a time, so no copy of a large file's size is made)."""
    if len(data) <= MAX_LINE_BYTES:
        return
    # A line feed in every stretch of half the limit bounds every gap between line feeds by
    # the limit: a few searches that stop at the first line feed of each stretch (a page or
    # two of a 200 MB file), where the exact pass below reads every byte.
    if _line_feed_in_every_stretch(data, (MAX_LINE_BYTES + 1) // 2):
        return
    # Line feeds alone first: the gaps between them bound every line's length, so a file
    # whose gaps are all short passes on one comparison of its bytes.
    if _longest_gap(data, (10,)) - 1 <= MAX_LINE_BYTES:
        return
    longest = _longest_gap(data, (10, 13)) - 1
    if longest > MAX_LINE_BYTES:
        raise BudgetExceeded(
            f"has a line of {_size(longest)}; a row of a TikTok export is a few kB at most "
            f"(this app reads lines up to {_size(MAX_LINE_BYTES)}). Check that the right file "
            "was chosen."
        )


def _line_feed_in_every_stretch(data, stretch: int) -> bool:
    """Whether each whole stretch [k·stretch, (k+1)·stretch) of data holds a line feed. Then
    no two neighbouring line feeds (nor the file's start and its first, its last and its
    end) are more than 2·stretch - 1 apart: the bytes between them would hold a whole
    stretch without one."""
    find = getattr(data, "find", None)  # bytes and memory-mapped files; not memoryviews
    if find is None:
        return False
    starts = range(0, len(data) - stretch + 1, stretch)
    return all(find(b"\n", start, start + stretch) >= 0 for start in starts)


def _longest_gap(data: bytes, ends: tuple[int, ...], step: int = 16 * 1024**2) -> int:
    """The largest distance between consecutive line ends (the file's start counting as one
    just before it, its end as one just after), read in parts of `step` bytes."""
    from .read import release_pages

    last, longest = -1, 0
    for start in range(0, len(data), step):
        part = np.frombuffer(data, dtype=np.uint8, count=min(step, len(data) - start), offset=start)
        mask = part == ends[0]
        for end in ends[1:]:
            mask |= part == end
        found = np.flatnonzero(mask)
        if len(found):
            longest = max(longest, int(found[0]) + start - last)
            if len(found) > 1:
                longest = max(longest, int(np.diff(found).max()))
            last = int(found[-1]) + start
        del part
        release_pages(data, start, start + step)
    return max(longest, len(data) - last)


def check_cell_lengths(cells: pd.DataFrame) -> None:
    """Refuse a grid with a cell over Excel's 32,767 characters (one check per column)."""
    for column in cells.columns:
        series = cells[column]
        if isinstance(series.dtype, pd.CategoricalDtype):  # a dictionary: its distinct cells
            import pyarrow.compute as pc

            from .parse import arrow_text

            texts = arrow_text(series)  # its categories
            if texts.nbytes <= MAX_CELL_CHARS:  # all its text fits in one cell's limit
                continue
            longest = pc.max(pc.utf8_length(texts)).as_py()  # one Arrow pass
        elif series.dtype != object and not pd.api.types.is_string_dtype(series):
            continue
        else:
            longest = series.astype("str").str.len().max()
        if pd.notna(longest) and longest > MAX_CELL_CHARS:
            raise BudgetExceeded(
                f"has a cell of {int(longest):,} characters; Excel and TikTok allow at most "
                f"{MAX_CELL_CHARS:,} in one cell. Check that the right file was chosen."
            )


def drop_absurd(values: pd.Series, label: str, warnings: list[str]) -> pd.Series:
    """Numbers no account can have (inf, a 400-digit count, over 1e15) become missing, with a
    sentence, instead of turning every KPI built on them into “—” without a word."""
    if values.dtype == np.float64:  # the parsers' columns: one numpy pass, no Series steps
        array = values.to_numpy()
        # The largest and smallest values, missing cells skipped (fmax/fmin pass NaN over):
        # two passes that allocate nothing, where abs() > limit made two arrays of the size.
        if not len(array) or (
            not np.fmax.reduce(array) > MAX_ABSOLUTE_VALUE
            and not np.fmin.reduce(array) < -MAX_ABSOLUTE_VALUE
        ):
            return values
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.notna() & ~(numbers.abs() <= MAX_ABSOLUTE_VALUE)
    if not bad.any():
        return values
    warnings.append(
        f"{counted(n := int(bad.sum()), 'cell')} in “{label}” "
        f"{agree(n, 'holds a number', 'hold numbers')} too large to be real (infinite, "
        f"or over {MAX_ABSOLUTE_VALUE:,.0f}); {agree(n, 'it is', 'they are')} treated as missing."
    )
    return values.mask(bad)
