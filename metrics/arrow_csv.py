"""Arrow's read of delimited text into dictionary columns, and its read-ahead: a large file's
read started while the command line is still importing pandas.

The importer (metrics/io/read.py) reads every delimited file with `read_columns`.

A `python -m metrics` process spends most of a second importing pandas (and the project)
before it reads anything, and Arrow's CSV reader then keeps both cores busy for a second or
two. Here the reader starts first, in a thread, on a guess of the file's delimiter and
width made from its first line; pandas is imported meanwhile (Arrow works without Python's
lock). The importer (metrics/io/read.py) then asks for the table with the read it has
decided on itself: the table is used only when the bytes, their start, the delimiter and the
width are exactly the ones it would read, so the result is the same as reading it then;
otherwise it is dropped and the file read as before. Only memory-mapped UTF-8 files are
guessed at (the large ones; an upload in the app has pandas loaded long before).

This module imports nothing of the project and no pandas, so the thread starts at once.
"""

from __future__ import annotations

import csv
import io
import threading

CHUNK = 1024**2
BLOCK_SIZE = 8 * CHUNK  # the importer's block size (read.py's _arrow_cells)
MAX_HEADER_BYTES = 64 * 1024
MAX_WIDTH = 512  # limits.MAX_COLUMNS: a wider file is refused before it is read
DELIMITERS = ("\t", ";", ",", "|")

_lock = threading.Lock()
_reads: dict[int, _Read] = {}


class _Read:
    def __init__(self, data, start: int, delimiter: str, width: int):
        self.data, self.start, self.delimiter, self.width = data, start, delimiter, width
        self.parts: list | None = None  # the table's columns, when Arrow read it
        self.done = threading.Event()

    def run(self) -> None:
        try:
            source = mapped_source(self.data, self.start)
            self.parts = read_columns(source, self.delimiter, self.width)
        except Exception:  # noqa: BLE001 - any failure: the importer reads the file itself
            self.parts = None
        finally:
            release_pages(self.data)
            self.done.set()


def guess(data) -> tuple[int, str, int] | None:
    """(where the rows start, delimiter, width) from the first line of a UTF-8 text file, or
    None when the file does not look like a plain delimited export."""
    start = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    end = data.find(b"\n", start, start + MAX_HEADER_BYTES)
    if end < 0:
        return None
    try:
        line = bytes(data[start:end]).decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None
    if not line.strip() or line.lstrip().lower().startswith("sep="):
        return None
    best = None
    for delimiter in DELIMITERS:
        try:
            width = len(next(csv.reader([line], delimiter=delimiter)))
        except (csv.Error, StopIteration):
            continue
        if width >= 2 and (best is None or width > best[1]):
            best = (delimiter, width)
    if best is None or best[1] > MAX_WIDTH:
        return None
    return start, best[0], best[1]


def start(data) -> bool:
    """Start Arrow's read of a memory-mapped file in a thread; False if it is not guessed at."""
    try:
        import mmap

        if not isinstance(data, mmap.mmap):
            return False
        found = guess(data)
    except (ValueError, OSError):
        return False
    if found is None:
        return False
    read = _Read(data, *found)
    with _lock:
        if id(data) in _reads:
            return False
        _reads[id(data)] = read
    threading.Thread(target=read.run, name="metrics-prefetch", daemon=True).start()
    return True


def claim(data, start: int, delimiter: str, width: int) -> list | None:
    """The table's columns read ahead for these bytes, when it was read from the same start
    with the same delimiter and width (waiting for the read to end); else None. Either way
    the read-ahead is forgotten, so its table lives no longer than the caller's."""
    with _lock:
        read = _reads.pop(id(data), None)
    if read is None or read.data is not data:
        return None
    read.done.wait()
    if (read.start, read.delimiter, read.width) != (start, delimiter, width):
        return None
    parts, read.parts = read.parts, None
    return parts


def read_whole(data, start: int) -> bool:
    """Whether the read-ahead of these bytes read them from `start` to the end without an
    error (waiting for it to end). Then data[start:] is valid UTF-8: Arrow's reader checks
    every cell it makes text of, and every other byte of the file is a delimiter, a quote or
    a line end, all ASCII; so the importer need not check it again. The read-ahead is kept
    for `claim`."""
    with _lock:
        read = _reads.get(id(data))
    if read is None or read.data is not data or read.start != start:
        return False
    read.done.wait()
    return read.parts is not None


def discard(data) -> None:
    """Forget a read-ahead the importer did not use (it refused the file, or read it by
    pandas), once its thread has ended."""
    with _lock:
        read = _reads.pop(id(data), None)
    if read is not None:
        read.done.wait()
        read.parts = None


def read_columns(source, delimiter: str, width: int, newlines_in_values: bool = False) -> list:
    """Every column of the text as Arrow dictionary arrays (each block's distinct texts
    once, a 4-byte code per cell: no grid of strings), by Arrow's threaded reader. Raises
    ArrowInvalid where a block boundary shows line breaks inside quoted cells and
    `newlines_in_values` is False (the importer then reads again the careful way)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [str(i) for i in range(width)]
    table = pacsv.read_csv(
        source,
        read_options=pacsv.ReadOptions(column_names=names, block_size=BLOCK_SIZE),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=newlines_in_values, ignore_empty_lines=True
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.dictionary(pa.int32(), pa.string())),
            check_utf8=True,  # read_whole relies on it
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    parts = table.columns
    del table
    return parts


def mapped_source(data, start: int):
    """A memory-mapped file from `start` on, as the Arrow file the reader reads."""
    import pyarrow as pa

    return pa.PythonFile(MappedStream(data, start), mode="r")


def is_mapped(data) -> bool:
    import mmap

    return isinstance(data, mmap.mmap)


def release_pages(data, start: int = 0, end: int | None = None) -> None:
    """Hand the pages of a memory-mapped file (the command line maps large files instead of
    reading them into memory) back to the system once they have been read: they stay in the
    file, and are read again from it if needed. Nothing to do for bytes."""
    import mmap

    if not is_mapped(data):
        return
    start -= start % mmap.PAGESIZE
    end = len(data) if end is None else min(end, len(data))
    if end > start:
        data.madvise(mmap.MADV_DONTNEED, start, end - start)


class MappedStream(io.RawIOBase):
    """A memory-mapped file read forwards from `start` for Arrow's CSV reader: each read is
    one copy of the next block, and the pages behind it go back to the system, so the file
    never sits in memory whole beside the table being built from it."""

    def __init__(self, data, start: int):
        super().__init__()
        self.data, self.pos, self.start = data, start, start

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos - self.start

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: self.start, 1: self.pos, 2: len(self.data)}[whence]
        self.pos = min(max(base + offset, self.start), len(self.data))
        return self.tell()

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size is None or size < 0 else min(self.pos + size, len(self.data))
        out = self.data[self.pos : end]
        release_pages(self.data, 0, end)
        self.pos = end
        return out

    def readall(self) -> bytes:
        return self.read(-1)
