"""Figures derived from a dataset, computed once per dataset and shared by every rerun.

A page's rerun (a page switch, a window change, a click) asks for the same KPI changes,
aggregates and diagnostics as the run before; `per_dataset(fn)` wraps a function whose first
argument is the dataset so each distinct call is computed once and then read from a bounded,
process-wide memo. The key is the dataset's token (every session's view of the built-in sample
shares one, so a room full of people looking at the sample computes its figures once) and the
other arguments (windows, level names, metric lists, custom columns: all immutable values).

What is shared is never handed out as is: DataFrames and Series come back as shallow copies
(pandas copies on write, so a page changing its copy never changes the memo's), and dicts,
lists and tuples are rebuilt around them. A dataset's entries go when the dataset does (a
session that ends, an upload replaced), when the memo passes its size bound (least recently
used first), or after a TTL.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import datetime as dt
import functools
import itertools
import os
import threading
import time
import weakref
from collections.abc import Callable, Hashable

import numpy as np
import pandas as pd

MEMO_BYTES = int(os.environ.get("METRICS_MEMO_MB", "256")) * 1024**2
MEMO_TTL_SECONDS = float(os.environ.get("METRICS_MEMO_TTL", "900"))
TOKEN = "_memo_token"
_ids = itertools.count(1)


def set_token(dataset, token: str) -> None:
    """Give a dataset the token of another with the same content (the sample's views)."""
    object.__setattr__(dataset, TOKEN, token)


def token_of(dataset) -> str | None:
    """The dataset's memo token, given on first use; its entries are dropped when it dies."""
    token = getattr(dataset, TOKEN, None)
    if token is None:
        try:
            token = f"dataset-{next(_ids)}"
            object.__setattr__(dataset, TOKEN, token)
            weakref.finalize(dataset, _forget_later, token)
        except (AttributeError, TypeError):  # an object that takes no attribute: no memo
            return None
    return token


_MEMOS: weakref.WeakSet = weakref.WeakSet()


def _forget_later(token: str) -> None:
    """A dataset died (possibly inside the garbage collector: no lock taken here)."""
    for memo in list(_MEMOS):
        memo.forget_later(token)


class _Unhashable(Exception):
    pass


def _freeze(value) -> Hashable:
    """A hashable stand-in for an argument (lists → tuples); raises for anything else."""
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, *(_freeze(v) for v in value))
    if isinstance(value, dict):
        return ("dict", *sorted((repr(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return ("set", *sorted(repr(_freeze(v)) for v in value))
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)):
        raise _Unhashable
    try:
        hash(value)
    except TypeError as err:
        raise _Unhashable from err
    return value


# Values nothing can change in place: handed out as they are and sized as one slot. A
# diagnostic's result on a million rows is a list of ~10,000 dicts of such values (the
# 1M-row fatigue and hook-vs-CTA lists hold 214,000 objects): a dict or list of them only is
# copied and sized at C speed, not one Python call per value.
_LEAVES = frozenset(
    {str, int, float, bool, type(None), bytes, dt.date, dt.datetime, pd.Timestamp,
     np.float64, np.float32, np.int64, np.int32, np.bool_}
)  # fmt: skip
_LEAF_SIZE = 128
_SIZE_SAMPLE = 200  # records sized of a longer list


def fresh(value):
    """A copy a caller may change without reaching the shared one (cheap: copy on write)."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        if kind is dict and all(type(v) in _LEAVES for v in value.values()):
            return value.copy()
        return kind((k, fresh(v)) for k, v in value.items())
    if isinstance(value, list):
        if all(type(v) in _LEAVES for v in value):
            return value.copy()
        return [fresh(v) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        if all(type(v) in _LEAVES for v in value):
            return value  # a tuple of leaves cannot be changed
        return tuple(fresh(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        params = getattr(type(value), "__dataclass_params__", None)
        return value if params is not None and params.frozen else copy.copy(value)
    return value


def _size(value) -> int:
    if type(value) in _LEAVES:
        return _LEAF_SIZE
    if isinstance(value, (pd.DataFrame, pd.Series)):
        usage = value.memory_usage(index=True, deep=False)
        return int(usage.sum() if isinstance(usage, pd.Series) else usage)
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, dict):
        values = value.values()
        if all(type(v) in _LEAVES for v in values):
            return 64 + _LEAF_SIZE * len(value)
        return 64 + sum(_size(v) for v in values)
    if isinstance(value, (list, tuple)):
        if all(type(v) in _LEAVES for v in value):
            return 64 + _LEAF_SIZE * len(value)
        if len(value) > _SIZE_SAMPLE:
            # A long list of records (a verdict per ad): sized from an even sample of them,
            # scaled up; the bound needs the size's order, not every dict walked.
            step = len(value) / _SIZE_SAMPLE
            sample = [value[int(i * step)] for i in range(_SIZE_SAMPLE)]
            return 64 + round(sum(_size(v) for v in sample) * len(value) / _SIZE_SAMPLE)
        return 64 + sum(_size(v) for v in value)
    return _LEAF_SIZE


class Bounded:
    """A cache bounded by the size of what it holds (least recently used go first) and by
    age; thread-safe (sessions are threads of one process); a value another session is
    already computing is waited for, not computed twice. Used by the memo below and by the
    parse cache (ui/loading.py)."""

    def __init__(self, max_bytes: int, ttl: float):
        self.max_bytes, self.ttl = max_bytes, ttl
        self._entries: collections.OrderedDict[Hashable, tuple[float, int, object]] = (
            collections.OrderedDict()
        )
        self._pending: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()
        self.total = 0

    def _stale(self, key, at: float, now: float) -> bool:
        return now - at > self.ttl

    def _drop_stale(self, now: float) -> None:
        for key in [k for k, (at, _, _) in self._entries.items() if self._stale(k, at, now)]:
            self.total -= self._entries.pop(key)[1]

    def get_or_compute(self, key: Hashable, compute: Callable, size_of: Callable):
        """The kept value for `key`, or `compute()` kept if its `size_of` fits."""
        while True:
            with self._lock:
                self._drop_stale(time.monotonic())
                if key in self._entries:
                    self._entries.move_to_end(key)
                    return self._entries[key][2]
                waiting = self._pending.get(key)
                if waiting is None:
                    self._pending[key] = threading.Event()
                    break
            waiting.wait(timeout=300)  # another session is computing the same value
        try:
            value = compute()
            self.put(key, value, size_of(value))
            return value
        finally:
            with self._lock:
                self._pending.pop(key).set()

    def put(self, key: Hashable, value, size: int) -> None:
        """Keep `value` under `key` if its size fits (the least recently used go first)."""
        with self._lock:
            if size <= self.max_bytes:
                if key in self._entries:
                    self.total -= self._entries.pop(key)[1]
                self._entries[key] = (time.monotonic(), size, value)
                self.total += size
                while self.total > self.max_bytes:
                    self.total -= self._entries.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.total = 0

    def __len__(self) -> int:
        return len(self._entries)


class Memo(Bounded):
    """Per-dataset figures: entries keyed by the dataset's token, the function and its
    arguments; a dead dataset's entries go, the pinned (the sample's) never age."""

    def __init__(self, max_bytes: int, ttl: float):
        super().__init__(max_bytes, ttl)
        self._dead: collections.deque[str] = collections.deque()
        self._dying: set[str] = set()
        self.computed = 0  # how many calls actually ran (for tests and the bench)
        self.pinned: set[str] = set()  # tokens whose entries do not age (the sample's)
        _MEMOS.add(self)

    def forget_later(self, token: str) -> None:
        """Called when a dataset dies (possibly inside the garbage collector): no lock here."""
        self._dead.append(token)

    def purge(self) -> bool:
        """Drop the entries of datasets that died and of entries past the TTL; whether any
        dataset had died since the last purge."""
        with self._lock:
            died = bool(self._dead)
            self._drop_stale(time.monotonic())
        return died

    def _drop_stale(self, now: float) -> None:
        self._dying = set()
        while self._dead:
            self._dying.add(self._dead.popleft())
        super()._drop_stale(now)

    def _stale(self, key, at: float, now: float) -> bool:
        return key[0] in self._dying or (now - at > self.ttl and key[0] not in self.pinned)

    @staticmethod
    def _key(fn: Callable, dataset, args: tuple, kwargs: dict) -> Hashable | None:
        """The memo's key of a call, or None for a call it cannot keep (unhashable)."""
        token = token_of(dataset)
        try:
            if token is None:
                raise _Unhashable
            key = (token, fn.__module__, fn.__qualname__, _freeze(args), _freeze(kwargs))
            hash(key)
        except (_Unhashable, TypeError):
            return None
        return key

    def kept(self, fn: Callable, dataset, args: tuple, kwargs: dict) -> bool:
        """Whether the value of this call is kept (a call would return it at once)."""
        key = self._key(fn, dataset, args, kwargs)
        if key is None:
            return False
        with self._lock:
            entry = self._entries.get(key)
            return entry is not None and not self._stale(key, entry[0], time.monotonic())

    def call(self, fn: Callable, dataset, args: tuple, kwargs: dict, copy: bool = True):
        """`fn(dataset, *args, **kwargs)` through the memo; a copy of the kept value, or with
        `copy=False` the kept value itself (for callers that only read it)."""
        key = self._key(fn, dataset, args, kwargs)
        if key is None:
            return fn(dataset, *args, **kwargs)

        def compute():
            self.computed += 1
            return fn(dataset, *args, **kwargs)

        value = self.get_or_compute(key, compute, _size)
        return fresh(value) if copy else value


MEMO = Memo(MEMO_BYTES, MEMO_TTL_SECONDS)


def per_dataset(fn: Callable) -> Callable:
    """`fn(dataset, *args, **kwargs)`, computed once per dataset and arguments."""

    @functools.wraps(fn)
    def wrapper(dataset, *args, **kwargs):
        if dataset is None:
            return fn(dataset, *args, **kwargs)
        return MEMO.call(fn, dataset, args, kwargs)

    def shared(dataset, *args, **kwargs):
        """The same figure without the copy: only for callers that never change what they
        get (metrics/story.py reads the diagnostics' lists, 214,000 objects on a million
        rows, where the copy alone took longer than the rest of the Overview's run)."""
        if dataset is None:
            return fn(dataset, *args, **kwargs)
        return MEMO.call(fn, dataset, args, kwargs, copy=False)

    def kept(dataset, *args, **kwargs) -> bool:
        """Whether this figure is already computed and kept (asking for it costs nothing)."""
        return dataset is not None and MEMO.kept(fn, dataset, args, kwargs)

    wrapper.shared = shared
    wrapper.kept = kept
    return wrapper
