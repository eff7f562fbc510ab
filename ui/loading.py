"""Bytes → dataset at the UI edge, cached by file content and shared by every session.

The parse cache is bounded by the memory of what it holds and forgets entries after a TTL;
identical uploads (same name, same bytes, same column mapping) are parsed once even when
several sessions send them at the same moment. The built-in sample is read and combined
once per process. Sessions get copies, so nothing one session does reaches another.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import threading
import time
from pathlib import Path

import streamlit as st

from metrics.io import Dataset, combine, memory, read_file
from metrics.io.dataset import in_merge_order

from . import janitor, memo, probe, state

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
SAMPLE_SUFFIXES = (".zip", ".csv", ".xlsx")
CACHE_BYTES = int(os.environ.get("METRICS_PARSE_CACHE_MB", "512")) * 1024**2
CACHE_TTL_SECONDS = float(os.environ.get("METRICS_PARSE_CACHE_TTL", "600"))
PREFETCH = os.environ.get("METRICS_PREFETCH", "1") != "0"


def _keep_uploads_in_memory() -> None:
    """Starlette (Streamlit's web server) spools an upload over 1 MB to an anonymous temp
    file; raise its threshold to the upload limit so uploads stay in memory (see
    docs/privacy.md; TMPDIR=/dev/shm keeps any other temp file in RAM)."""
    try:
        from starlette.formparsers import MultiPartParser
    except ImportError:  # another server: nothing to adjust
        return
    limit_mb = st.get_option("server.maxUploadSize")
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, (limit_mb + 1) * 1024**2)


def _memory_back_to_the_system() -> None:
    """An upload's parse frees as much as it keeps (Arrow's blocks, raw cells, each column's
    text once parsed); handed back as the process grows (memory.py's watcher), the server's
    peak per upload is what is alive (about 3× the file with its bytes, not 3.7×) and a
    room's memory falls again after it. Only while a file is read and combined
    (`_returning`): every other step of the server is left alone (docs/performance.md).
    METRICS_RETURN_MEMORY=pool keeps only Arrow on the C library, =0 neither, =map maps
    every large block while a file is read instead of the watcher (the earlier design)."""
    if RETURN_MEMORY != "0":
        memory.use_system_pool()


RETURN_MEMORY = memory.setting()


def _returning():
    if RETURN_MEMORY in ("1", "map"):
        return memory.returning_freed_memory(RETURN_MEMORY)
    return contextlib.nullcontext()


_keep_uploads_in_memory()
_memory_back_to_the_system()
janitor.start()
probe.start()


def timing(step: str, name: str, size: int, seconds: float) -> None:
    """With METRICS_TIMINGS=1 in the environment, one line per parse, rebuild and script run
    on stderr, ending with the session's id (what bench/bench_app.py and bench_load.py read
    to split an upload's time and count a session's runs); silent otherwise."""
    if os.environ.get("METRICS_TIMINGS") == "1":
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        session = ctx.session_id if ctx is not None else "-"
        sys.stderr.write(f"metrics-timing {step} {size} {seconds:.3f} {name!r} {session}\n")
        sys.stderr.flush()


def _size_of(items: list) -> int:
    total = 0
    for item in items:
        frame = getattr(item, "frame", None)
        if frame is not None:
            total += int(frame.memory_usage(index=True, deep=True).sum())
    return total + 1024


# From this size on, the bytes' SHA-256 (about 0.4–0.9 s for 170 MB here) runs in a thread
# beside the parse when the file cannot be in the cache yet (hashlib lets go of the GIL on
# large buffers); smaller files are hashed first, as it costs next to nothing.
HASH_BESIDE_PARSE_BYTES = 8 * 1024**2


class _Digest:
    """The SHA-256 of `data`, computed in a thread from the moment this is made."""

    def __init__(self, data: bytes):
        self._value: bytes | None = None
        self._thread = threading.Thread(target=self._run, args=(data,), name="upload-sha256")
        self._thread.start()

    def _run(self, data: bytes) -> None:
        self._value = hashlib.sha256(data).digest()

    def result(self) -> bytes:
        self._thread.join()
        if self._value is None:  # (the thread failed: hash here, so the key stays content's)
            raise RuntimeError("the upload's hash could not be computed")
        return self._value


class ParseCache(memo.Bounded):
    """Parsed files keyed by name, the bytes' hash and the column mapping; least recently
    used go first once the total passes `max_bytes`, entries older than `ttl` seconds are
    dropped, a file another session is reading is waited for. What it returns is shared:
    callers must not change it in place.

    A large file whose name, size and mapping match nothing kept or being read cannot be a
    hit whatever its hash: it is parsed at once while its hash is computed beside it, then
    kept under the same content key as any other."""

    def __init__(self, max_bytes: int, ttl: float):
        super().__init__(max_bytes, ttl)
        self.parses = 0  # how many times a file was actually read (for tests and the bench)

    def _parse(self, name: str, data: bytes, column_map: tuple) -> list:
        self.parses += 1
        started = time.perf_counter()
        with _returning():
            items = read_file(name, data, dict(column_map) or None)
            for item in items:
                if getattr(item, "frame", None) is not None:
                    # Kept in combine's order, so a dataset combined from it shares its
                    # columns instead of holding a sorted copy beside the cache's.
                    in_merge_order(item)
        timing("parse", name, len(data), time.perf_counter() - started)
        return items

    def get(self, name: str, data: bytes, column_map: tuple[tuple[str, str], ...] = ()) -> list:
        if len(data) < HASH_BESIDE_PARSE_BYTES:
            return self._get(name, data, column_map, hashlib.sha256(data).digest())
        digest = _Digest(data)
        shape = ("shape", name, len(data), column_map)  # what any hit would share
        with self._lock:
            self._drop_stale(time.monotonic())
            waiting = self._pending.get(shape)
            known = waiting is not None or any(
                key[0] == name and key[2] == len(data) and key[3] == column_map
                for key in self._entries
            )
            if not known:
                self._pending[shape] = threading.Event()
        if known:  # perhaps the same bytes: look it up by content, as a small file
            if waiting is not None:
                waiting.wait(timeout=300)
            return self._get(name, data, column_map, digest.result())
        try:
            items = self._parse(name, data, column_map)
            started = time.perf_counter()
            key = (name, digest.result(), len(data), column_map)
            timing("hash-wait", name, len(data), time.perf_counter() - started)
            self.put(key, items, _size_of(items))
            return items
        finally:
            with self._lock:
                self._pending.pop(shape).set()

    def _get(self, name: str, data: bytes, column_map: tuple, digest: bytes) -> list:
        key = (name, digest, len(data), column_map)
        return self.get_or_compute(key, lambda: self._parse(name, data, column_map), _size_of)


CACHE = ParseCache(CACHE_BYTES, CACHE_TTL_SECONDS)


def parse_file(name: str, data: bytes, column_map: tuple[tuple[str, str], ...] = ()) -> list:
    """One file's tables, through the shared cache: shared objects, never changed in place
    (`_rebuild` combines copies, since combine() fills in years)."""
    return CACHE.get(name, data, column_map)


_SAMPLE_LOCK = threading.RLock()
SAMPLE_TOKEN = "sample"
memo.MEMO.pinned.add(SAMPLE_TOKEN)  # the sample lives as long as the process: so do its figures
_SAMPLE: dict[str, object] = {}


def sample_files() -> list[tuple[str, bytes]]:
    """The sample export files, read from disk once per process."""
    with _SAMPLE_LOCK:
        if "files" not in _SAMPLE:
            _SAMPLE["files"] = [
                (p.name, p.read_bytes())
                for p in sorted(SAMPLE_DIR.iterdir())
                if p.suffix.lower() in SAMPLE_SUFFIXES
            ]
        return list(_SAMPLE["files"])


def _sample() -> tuple[dict[str, list], Dataset]:
    """The sample's parsed files and dataset, built once per process and shared read-only."""
    with _SAMPLE_LOCK:
        if "dataset" not in _SAMPLE:
            files = sample_files()
            parsed = {name: read_file(name, data) for name, data in files}
            _SAMPLE["parsed"] = parsed
            _SAMPLE["dataset"] = _combine(parsed)
            if PREFETCH:  # every visitor's windows on the sample, computed once, up front
                from . import derived

                view = _session_view(_SAMPLE["dataset"])
                threading.Thread(
                    target=derived.prefetch, args=(view,), name="sample-prefetch", daemon=True
                ).start()
        return _SAMPLE["parsed"], _SAMPLE["dataset"]


def _session_view(dataset: Dataset) -> Dataset:
    """A session's own containers around the shared frames (pandas copies on write, so a
    page deriving a frame from them never changes the shared one)."""
    view = Dataset(
        tables=dict(dataset.tables),
        reports=list(dataset.reports),
        currency=dataset.currency,
        currencies=list(dataset.currencies),
        warnings=list(dataset.warnings),
        notes=list(dataset.notes),
        conflicts=list(dataset.conflicts),
    )
    # Same content as the shared sample: its figures are computed once for every session.
    memo.set_token(view, SAMPLE_TOKEN)
    return view


def _combine(parsed: dict[str, list], years=None, exclude=None) -> Dataset | None:
    """Combine the parsed tables as they are: they are shared by every session through the
    cache, and combine() works on its own shallow copies (pandas copies a column on write),
    so no deep copy of a million rows is made on each rebuild (tested: the cached tables
    are unchanged by combining with other years)."""
    items = [item for items in parsed.values() for item in items]
    if not items:
        return None
    with _returning():
        return combine(items, years=years or {}, exclude=exclude or [])


def _rebuild() -> None:
    started = time.perf_counter()
    parsed = st.session_state[state.PARSED]
    st.session_state[state.DATASET] = _combine(
        parsed,
        years=st.session_state.get(YEARS, {}),
        exclude=st.session_state.get(EXCLUDED, []),
    )
    timing("combine", f"{len(parsed)} files", 0, time.perf_counter() - started)


# Choices made on the Data page: the year of a year-less file, tables left out (conflicts).
YEARS = "year_overrides"
EXCLUDED = "excluded_tables"


def set_choices(years: dict[str, int] | None = None, excluded: list | None = None) -> None:
    """Apply the Data page's year corrections or table choices and rebuild the dataset."""
    if years is not None:
        st.session_state[YEARS] = dict(years)
    if excluded is not None:
        st.session_state[EXCLUDED] = list(excluded)
    _rebuild()


def _prefetch_upload() -> None:
    """Start the first window's figures (28 days to the newest day, what the Overview asks
    for first) of a freshly loaded dataset in the background, while the Data page is drawn
    and read: the Overview then waits for figures already under way (ui/memo.py's
    single flight) instead of starting them on the click. One window only, so a room of
    uploads does not compute windows nobody opens."""
    dataset = st.session_state.get(state.DATASET)
    if not PREFETCH or dataset is None:
        return
    from . import derived

    threading.Thread(
        target=derived.prefetch, args=(dataset, (28,)), name="upload-prefetch", daemon=True
    ).start()


def add_files(files: list[tuple[str, bytes]], replace: bool = False) -> None:
    """Parse files (through the cache) and add them to what is loaded; same name replaces;
    the Overview's first figures are started in the background."""
    mapping = tuple(sorted(st.session_state[state.COLUMN_MAP].items()))
    current = {} if replace else dict(st.session_state[state.PARSED])
    raw = {} if replace else dict(st.session_state[state.RAW])
    for name, data in files:
        current[name] = parse_file(name, data, mapping)
        raw[name] = data
    st.session_state[state.PARSED] = current
    st.session_state[state.RAW] = raw
    _rebuild()
    _prefetch_upload()


def set_column_map(column_map: dict[str, str]) -> None:
    """Apply a hand-made header → column mapping and re-read every loaded file with it."""
    st.session_state[state.COLUMN_MAP] = dict(column_map)
    add_files(list(st.session_state[state.RAW].items()), replace=True)


def load_sample() -> None:
    if st.session_state[state.COLUMN_MAP]:  # a hand-made mapping: read the sample with it
        add_files(sample_files(), replace=True)
    else:
        parsed, dataset = _sample()
        st.session_state[state.PARSED] = dict(parsed)
        st.session_state[state.RAW] = dict(sample_files())
        st.session_state[state.DATASET] = _session_view(dataset)
    st.session_state[state.SOURCE] = "sample"


def clear() -> None:
    st.session_state[state.PARSED] = {}
    st.session_state[state.RAW] = {}
    st.session_state[state.DATASET] = None
    st.session_state[state.SOURCE] = "cleared"
    st.session_state[YEARS], st.session_state[EXCLUDED] = {}, []


def remove(names: list[str]) -> None:
    """Drop uploaded files (by name) and rebuild the dataset from the others."""
    st.session_state[state.PARSED] = {
        k: v for k, v in st.session_state[state.PARSED].items() if k not in names
    }
    st.session_state[state.RAW] = {
        k: v for k, v in st.session_state[state.RAW].items() if k not in names
    }
    _rebuild()
    if not st.session_state[state.PARSED]:
        st.session_state[state.SOURCE] = "cleared"
