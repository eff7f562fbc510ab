"""Cell parsing: numbers and dates as TikTok and Excel write them, decided per column.

Everything here works on whole columns. Where text must be inspected one value at a time
(dates, odd number formats) it is done once per *distinct* value, never once per row: a year of
daily ad rows has about 365 distinct dates, not a million.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .schema import MISSING_TOKENS

# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------

CURRENCY_SYMBOLS = {
    "£": "GBP",
    "€": "EUR",
    "$": "USD",
    "¥": "JPY",
    "₩": "KRW",
    "₹": "INR",
    "₺": "TRY",
    "₫": "VND",
    "₱": "PHP",
    "₽": "RUB",
    "฿": "THB",
    "zł": "PLN",
    "R$": "BRL",
    "kr": "SEK",
}
_CURRENCY_CODES = (
    "EUR|USD|GBP|JPY|CNY|KRW|INR|AUD|CAD|NZD|CHF|SEK|NOK|DKK|PLN|CZK|HUF|RON|TRY|BRL|MXN|ARS|"
    "CLP|COP|PEN|IDR|MYR|PHP|SGD|THB|VND|HKD|TWD|AED|SAR|ILS|ZAR|EGP|NGN|KES|RUB|UAH"
)
_CURRENCY_RE = re.compile(
    r"(?:(?<![A-Za-z])(?:" + _CURRENCY_CODES + r")(?![A-Za-z]))|R\$|zł|kr\.?|[£€$¥₩₹₺₫₱₽฿]"
)
# Spaces that Excel and TikTok put inside numbers: plain, no-break, narrow no-break, thin.
_SPACES_RE = re.compile(r"[\s\u00a0\u202f\u2009']")
# The same characters for Arrow's RE2, whose \s is ASCII only: Python's \s in a str pattern
# is every character str.isspace() accepts, which is these controls plus \p{Z}.
_SPACES_RE2 = r"[\t\n\x{0B}\f\r\x{1C}-\x{1F}\x{85}\p{Z}']"
_SYMBOLS = "£€$¥₩₹₺₫₱₽฿"
_NUMBER_SHAPE = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+$")
_THOUSANDS_DOT = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")
MASKED_RE = re.compile(r"^<\s*\d+$")


@dataclass
class NumberColumn:
    values: pd.Series
    percent: bool = False
    currency: str | None = None
    masked: int = 0
    # The most the masked cells can hide together: each "<5" is below 5.
    masked_bound: float = 0.0
    unparsed: list[str] = field(default_factory=list)
    unparsed_count: int = 0
    # "comma" or "dot" when this column alone shows which mark is the decimal one.
    decimal_evidence: str | None = None


# Python's regex \s (str patterns), spelled out for RE2, whose own \s is ASCII only.
_PY_SPACE_RE2 = r"[\t\n\x{0B}\f\r\x{1C}-\x{1F}\x{85}\p{Z}]"
# Python's \d in a str pattern is every decimal digit (category Nd); RE2's is ASCII only.
_D = r"\p{Nd}"
_MASKED_RE2 = rf"^<{_PY_SPACE_RE2}*{_D}+$"
_NUMBER_SHAPE_RE2 = rf"^[+-]?[{_D}.,]*{_D}[{_D}.,]*$"
_THOUSANDS_COMMA_RE2 = rf"^[+-]?[1-9]{_D}{{0,2}}(,{_D}{{3}})+$"
_THOUSANDS_DOT_RE2 = rf"^[+-]?[1-9]{_D}{{0,2}}(\.{_D}{{3}})+$"
_THOUSANDS_ONLY_RE2 = rf"^{_D}{{1,3}}(?:[.,]{_D}{{3}})*$"
_LONGEST_TOKEN = max(map(len, MISSING_TOKENS))


def _is_missing(values) -> np.ndarray:
    """Which text values (an Arrow string array without nulls) are missing-value tokens
    ("--", "N/A", "undefined" ...), trimmed and case-folded. Arrow's lower case is Python's
    casefold for ASCII; the few short non-ASCII values ("—", an "ﬁ" ligature) are folded by
    Python, since casefold never shortens a text: only one no longer than a token can match."""
    import pyarrow as pa
    import pyarrow.compute as pc

    trimmed = pc.utf8_trim_whitespace(values)
    tokens = pa.array(sorted(MISSING_TOKENS), pa.string())
    out = pc.fill_null(pc.is_in(pc.utf8_lower(trimmed), value_set=tokens), False)
    out = out.to_numpy(zero_copy_only=False).copy()
    # Short, not ASCII, and without a currency symbol (£1.50): no currency symbol has a case,
    # so a text holding one never folds to a token (every token is ASCII or a dash).
    odd = pc.and_(
        pc.and_(
            pc.invert(pc.string_is_ascii(trimmed)),
            pc.less_equal(pc.utf8_length(trimmed), _LONGEST_TOKEN),
        ),
        pc.invert(pc.match_substring_regex(trimmed, r"\p{Sc}")),
    )
    odd = np.flatnonzero(pc.fill_null(odd, False).to_numpy(zero_copy_only=False))
    if len(odd):
        texts = trimmed.take(pa.array(odd)).to_pylist()
        out[odd] = [t.casefold() in MISSING_TOKENS for t in texts]
    return out


def _np(mask) -> np.ndarray:
    import pyarrow.compute as pc

    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def decimal_style(tokens) -> str | None:
    """Which mark is the decimal separator in these cleaned tokens: 'dot', 'comma' or None.

    None means the tokens do not say (e.g. only "1,234" or only "12"); the caller then uses
    the file's other columns as the hint. `tokens`: text (a Series or an Arrow string array).
    """
    import pyarrow.compute as pc

    arr = tokens if _is_arrow(tokens) else arrow_text(tokens)
    if len(arr) == 0:
        return None
    has_dot = pc.match_substring(arr, ".")
    has_comma = pc.match_substring(arr, ",")
    both = arr.filter(pc.and_(has_dot, has_comma))
    if len(both):
        # The comma is the last mark where no dot follows the last comma.
        comma_last = _np(pc.match_substring_regex(both, r",[^.]*$")).mean()
        return "comma" if comma_last > 0.5 else "dot"
    only_comma = arr.filter(pc.and_(has_comma, pc.invert(has_dot)))
    only_dot = arr.filter(pc.and_(has_dot, pc.invert(has_comma)))
    if (
        len(only_comma)
        and not _np(pc.match_substring_regex(only_comma, _THOUSANDS_COMMA_RE2)).all()
    ):
        return "comma"
    if len(only_dot) and not _np(pc.match_substring_regex(only_dot, _THOUSANDS_DOT_RE2)).all():
        return "dot"
    # Several dots in one token can only be thousands marks ("1.234.567").
    if len(only_dot) and (pc.count_substring(only_dot, ".").to_numpy() > 1).any():
        return "comma"
    if len(only_comma) and (pc.count_substring(only_comma, ",").to_numpy() > 1).any():
        return "dot"
    return None


def _is_arrow(values) -> bool:
    import pyarrow as pa

    return isinstance(values, pa.Array)


def _to_float(tokens, style: str) -> np.ndarray:
    import pyarrow.compute as pc

    if style == "comma":
        tokens = pc.replace_substring(pc.replace_substring(tokens, ".", ""), ",", ".")
    else:
        tokens = pc.replace_substring(tokens, ",", "")
    return _plain(tokens)


_THOUSANDS_ONLY = r"\d{1,3}(?:[.,]\d{3})*"
# What counts as a plain number, for Arrow's string → float cast (which has no "coerce").
_PLAIN = r"^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity)$"


def arrow_text(values: pd.Series):
    """The text cells of a Series as one Arrow string array (no copy for pandas' "str")."""
    import pyarrow as pa

    if is_dictionary(values):
        # Its categories (callers spread them by the codes); text ones straight from their
        # Arrow array, without building a Series of them.
        categories = values.cat.categories
        if isinstance(categories.dtype, pd.StringDtype):
            arr = pa.array(categories.array)
            return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        values = pd.Series(categories, dtype="str")
    elif not isinstance(values.dtype, pd.StringDtype):
        values = values.astype("str")
    arr = pa.array(values, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    return arr


def _plain(arr) -> np.ndarray:
    """An Arrow string array → floats, NaN where a (stripped) value is not a plain number."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pc.utf8_trim_whitespace(arr)
    ok = pc.match_substring_regex(arr, _PLAIN, ignore_case=True)
    numbers = pc.cast(pc.if_else(ok, arr, pa.scalar(None, arr.type)), pa.float64())
    return numbers.to_numpy(zero_copy_only=False)


def plain_numbers(text: pd.Series) -> pd.Series:
    """Text → floats, NaN where a (stripped) cell is not a plain number: Arrow's cast over the
    whole column, as pd.to_numeric(errors="coerce") would give, without a Python object per cell.
    """
    if len(text) == 0:
        return pd.Series(np.nan, index=text.index, dtype="float64")
    return pd.Series(_plain(arrow_text(text)), index=text.index, dtype="float64")


def is_dictionary(values: pd.Series) -> bool:
    """A dictionary-encoded column (pandas Categorical), as the Arrow reader's grids are."""
    return isinstance(values.dtype, pd.CategoricalDtype)


def _first_seen_order(codes: np.ndarray, size: int) -> bool:
    """Whether category codes (-1: missing) number the categories in order of first appearance
    with all `size` used: each code is at most one more than the largest before it, and the
    largest is size - 1."""
    if not len(codes):
        return size == 0
    running = np.maximum.accumulate(codes)
    return bool(running[-1] == size - 1 and codes[0] <= 0 and (codes[1:] <= running[:-1] + 1).all())


def distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(codes, uniques) like pd.factorize for a text column, hashed by Arrow: codes index the
    uniques (in order of first appearance), -1 where a cell is missing. A dictionary column
    is already hashed: only the distinct values its rows use are kept, in that order."""
    import pyarrow.compute as pc

    if is_dictionary(values):
        codes, order = _first_seen_codes(values)
        categories = values.cat.categories
        return codes, pd.Series(categories if order is None else categories[order], dtype="str")

    arr = arrow_text(values)
    uniques = pc.drop_null(pc.unique(arr))
    codes = pc.fill_null(pc.index_in(arr, value_set=uniques), -1)
    codes = codes.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    return codes, pd.Series(uniques.to_pandas(), dtype="str")


def _first_seen_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """A dictionary column's codes renumbered by first appearance (-1 where missing), and the
    used categories in that order (None: the categories as they are, every one used)."""
    codes = values.cat.codes.to_numpy().astype(np.int64)
    size = len(values.cat.categories)
    if _first_seen_order(codes, size):
        # Arrow's reader builds a column's dictionary as it meets the values: the codes
        # are already in order of first appearance, every category used (one pass to
        # check, instead of finding each category's first row).
        return codes.astype(np.int32), None
    rows = np.flatnonzero(codes >= 0)
    first = np.full(size, len(codes), dtype=np.int64)
    np.minimum.at(first, codes[rows], rows)
    used = np.flatnonzero(first < len(codes))
    order = used[np.argsort(first[used], kind="stable")]
    remap = np.full(size + 1, -1, dtype=np.int64)
    remap[order] = np.arange(len(order))
    return remap[codes].astype(np.int32), order  # code -1 reads remap[-1], i.e. -1


def _distinct_arrow(values: pd.Series):
    """distinct(values) with the uniques as an Arrow string array (arrow_text of them): a
    dictionary column's text categories straight from their Arrow array, without a Series of
    them made and read back."""
    import pyarrow as pa

    if not (is_dictionary(values) and isinstance(values.cat.categories.dtype, pd.StringDtype)):
        codes, uniques = distinct(values)
        return codes, arrow_text(uniques)
    codes, order = _first_seen_codes(values)
    categories = arrow_text(values)  # the categories, in their order
    return codes, categories if order is None else categories.take(pa.array(order))


def used_categories(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Series]:
    """For a dictionary column without missing cells: (codes, used, counts, uniques), the
    rows' category codes as they are (no copy), the categories the rows use (the header's,
    a totals row's are not used once those rows are left out), how many rows use each, and
    their texts, in the categories' order. One counting pass over the codes: what distinct()
    gives but for the order of the uniques, which only the examples of unparsed cells need
    (`first_seen`)."""
    codes = values.cat.codes.to_numpy()
    categories = values.cat.categories
    tally = np.bincount(codes, minlength=len(categories))
    used = np.flatnonzero(tally)
    texts = categories if len(used) == len(categories) else categories[used]
    return codes, used, tally[used], pd.Series(texts, dtype="str")


def first_seen(codes: np.ndarray, used: np.ndarray, wanted: np.ndarray, k: int) -> np.ndarray:
    """Of the used categories where `wanted` (a mask over `used`), the positions in `used` of
    the first k in the order the rows first show them (used_categories' codes)."""
    if not wanted.any():
        return np.zeros(0, dtype=np.int64)
    pick = np.zeros(int(used[-1]) + 1, dtype=bool)  # every code is one of `used`
    pick[used[wanted]] = True
    hits = pd.unique(codes[pick[codes]])[:k]  # in the rows' order
    return np.searchsorted(used, hits)  # `used` is sorted


def _strip_spaces(arr):
    """Python's re.sub(_SPACES_RE, "", value) for every value, by Arrow."""
    import pyarrow.compute as pc

    return pc.replace_substring_regex(arr, _SPACES_RE2, "")


def _strip_currency(arr) -> tuple:
    """(the values without currency codes and symbols, the first one found in each, None
    where there is none), for an Arrow string array.

    Values without an ASCII letter can hold only the one-character symbols (every code, and
    R$, zł and kr, has a letter): Arrow strips those. The few values with letters take the
    full pattern, whose letter boundaries RE2 cannot express.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    symbols = "[" + re.escape(_SYMBOLS) + "]"
    has_symbol = _np(pc.match_substring_regex(arr, symbols))
    lettered = np.flatnonzero(_np(pc.match_substring_regex(arr, "[A-Za-z]")))
    if not has_symbol.any() and not len(lettered):
        return arr, []
    found = pc.struct_field(pc.extract_regex(arr, f"(?P<c>{symbols})"), [0])
    stripped = pc.replace_substring_regex(arr, symbols, "")
    if len(lettered):
        found = found.to_pylist()
        texts = arr.take(pa.array(lettered)).to_pylist()
        for i, text in zip(lettered, texts, strict=True):
            hit = _CURRENCY_RE.search(text)
            found[i] = hit[0] if hit else None
        fixed = np.asarray(stripped.to_pylist(), dtype=object)
        fixed[lettered] = [_CURRENCY_RE.sub("", text) for text in texts]
        stripped = pa.array(fixed.tolist(), pa.string())
    return stripped, found


def _usual_currency(found) -> str | None:
    """The currency of a column from the symbol or code found in each value (None where
    none; a list, or an Arrow string array counted by Arrow): the most frequent, the first
    in sort order on a tie (as pandas' mode())."""
    tally: dict[str, int] = {}
    if _is_arrow(found):
        import pyarrow.compute as pc

        counted = pc.value_counts(found.drop_null())
        tally = dict(zip(counted.field(0).to_pylist(), counted.field(1).to_pylist(), strict=True))
    else:
        for symbol in found:
            if symbol is not None:
                tally[symbol] = tally.get(symbol, 0) + 1
    if not tally:
        return None
    most = max(tally.values())
    symbol = min(s for s, n in tally.items() if n == most)
    return CURRENCY_SYMBOLS.get(symbol, symbol.upper().rstrip("."))


def parse_numbers(
    raw: pd.Series,
    hint: str | None = None,
    count: bool = False,
    distinct_values: tuple[np.ndarray, pd.Series] | None = None,
) -> NumberColumn:
    """Parse a column of cells into floats; decide the decimal mark for the whole column.

    `hint` ("dot" or "comma") is the file's decimal style, used only when this column's own
    values are ambiguous ("1.234" could be 1234 or 1.234). A `count` column (views, clicks,
    followers) holds whole numbers, so there an ambiguous "1.234" or "1,234" is 1,234.

    Text is cleaned once per distinct value (a million-row column holds far fewer), every
    step an Arrow kernel over the distinct values, and mapped back to the rows by index.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if raw.dtype.kind in "iufb":
        return NumberColumn(raw.astype("float64"))
    result = pd.Series(np.nan, index=raw.index, dtype="float64")
    # XLSX cells arrive as real numbers mixed with text; take the numbers as they are.
    if raw.dtype == object:
        is_num = raw.map(type).isin((int, float, np.int64, np.float64))
        if is_num.any():
            result[is_num] = raw[is_num].astype("float64")
        text = raw[~is_num & raw.notna()].astype("str")
    elif is_dictionary(raw):
        text = raw[raw.notna()] if raw.hasnans else raw
    elif raw.hasnans:
        text = raw[raw.notna()].astype("str")
    else:
        text = raw.astype("str")
    if text.empty:
        return NumberColumn(result)
    whole_column = len(text) == len(result)
    if is_dictionary(text):
        # The categories the rows use, counted once; values are spread back by the rows'
        # own category codes (no copy of them, no first-appearance order worked out).
        codes, used, counts, u = used_categories(text)
        size = len(text.cat.categories)

        def spread(values: np.ndarray) -> np.ndarray:
            full = np.full(size, np.nan)
            full[used] = values
            return full[codes]

        def examples(mask: np.ndarray) -> list[str]:
            return u.iloc[first_seen(codes, used, mask, 3)].tolist()
    else:
        # `distinct_values`: distinct(raw) already worked out by the caller, for a column
        # without missing cells.
        reuse = distinct_values is not None and whole_column and raw.dtype != object
        codes, u = distinct_values if reuse else distinct(text)
        counts = None

        def spread(values: np.ndarray) -> np.ndarray:
            return values[codes]

        def examples(mask: np.ndarray) -> list[str]:
            return u[mask].head(3).tolist()  # the uniques are in order of first appearance

    ua = arrow_text(u)

    def to_rows(values: np.ndarray) -> pd.Series:
        out = spread(values)
        if whole_column:
            return pd.Series(out, index=raw.index, dtype="float64", copy=False)
        result[text.index] = out
        return result

    # Fast path: a column of plain numbers (the common case for counts).
    # (Not when the file writes decimal commas: there "100.000" is a hundred thousand.)
    # The checks after the first run only when it passes: every value is then a plain ASCII
    # number, where RE2 and Python's re agree.
    plain = _plain(ua)
    if not np.isnan(plain).any() and not (
        (hint == "comma" and _any_match(ua, r"\.")) or (count and _any_match(ua, _AMBIGUOUS))
    ):
        return NumberColumn(to_rows(plain))

    missing = _is_missing(ua)
    masked = _np(pc.match_substring_regex(pc.utf8_trim_whitespace(ua), _MASKED_RE2)) & ~missing
    cleaned, currency_found = _strip_currency(_strip_spaces(ua))
    percent = _np(pc.ends_with(cleaned, "%"))
    cleaned = pc.utf8_rtrim(cleaned, characters="%")
    # Accounting negatives "(12.50)" and a trailing minus "12.50-".
    negative = _np(pc.match_substring_regex(cleaned, r"^\(.*\)$")) | _np(pc.ends_with(cleaned, "-"))
    cleaned = pc.utf8_rtrim(pc.utf8_trim(cleaned, characters="()"), characters="-")
    shaped = _np(pc.match_substring_regex(cleaned, _NUMBER_SHAPE_RE2)) & ~missing & ~masked

    shaped_arrow = pa.array(shaped)
    evidence = decimal_style(cleaned.filter(shaped_arrow))
    style = evidence or hint or "dot"
    blanked = pc.if_else(shaped_arrow, cleaned, "")
    values = _to_float(blanked, style)
    if (
        count
        and evidence is None
        and _np(pc.match_substring_regex(cleaned.filter(shaped_arrow), _THOUSANDS_ONLY_RE2)).all()
    ):
        # Whole numbers with a separator every three digits: thousands, whatever the mark.
        values = _plain(_without_marks(blanked))
    values = np.where(negative, -values, values)
    values = np.where(percent, values / 100.0, values)
    values = np.where(shaped, values, np.nan)

    bad = ~(shaped | missing | masked)
    if counts is None:
        counts = np.bincount(codes[codes >= 0], minlength=len(u))
    result = to_rows(values)

    masked_bound = 0.0
    if masked.any():
        limits = [re.search(r"(\d+)", text)[1] for text in u[masked].tolist()]
        limits = _plain(pa.array(limits, pa.string()))
        masked_bound = float((limits * counts[masked]).sum())

    currency = _usual_currency(currency_found)
    return NumberColumn(
        values=result,
        percent=bool((percent & shaped).any()),
        currency=currency,
        masked=int(counts[masked].sum()),
        masked_bound=masked_bound,
        unparsed=examples(bad),
        unparsed_count=int(counts[bad].sum()),
        decimal_evidence=evidence,
    )


_AMBIGUOUS = r"^\d{1,3}\.\d{3}$"  # "1.234": a thousand and more, or one and a bit


def _without_marks(arr):
    """re.sub("[.,]", "", value) for every value of an Arrow string array: two plain
    replaces, a third of the time of RE2's replace with the class."""
    import pyarrow.compute as pc

    return pc.replace_substring(pc.replace_substring(arr, ".", ""), ",", "")


def _any_match(values, pattern: str) -> bool:
    """Whether any text value matches this RE2 pattern (one Arrow pass)."""
    import pyarrow.compute as pc

    arr = values if _is_arrow(values) else arrow_text(values)
    hits = pc.match_substring_regex(arr, pattern)
    return bool(pc.any(hits, min_count=0).as_py())


def column_decimal_evidence(
    raw: pd.Series, distinct_values: tuple[np.ndarray, pd.Series] | None = None
) -> str | None:
    """The decimal style a text column shows on its own (for the file-wide hint)."""
    import pyarrow.compute as pc

    if raw.dtype.kind in "iufbM":
        return None
    if distinct_values is not None:
        text = raw
    elif raw.dtype == object:
        text = raw.dropna()
        text = text[text.map(lambda v: isinstance(v, str))]
    else:
        text = raw
    if text.empty:
        return None
    u = (distinct_values or distinct(text))[1]
    if u.empty:
        return None
    ua = arrow_text(u)
    if not _any_match(ua, "[.,]"):
        return None  # cleaning only removes characters: no mark, nothing to vote with
    cleaned = _strip_currency(_strip_spaces(ua))[0]
    cleaned = pc.utf8_trim(pc.utf8_rtrim(cleaned, characters="%"), characters="()")
    shaped = cleaned.filter(pc.match_substring_regex(cleaned, _NUMBER_SHAPE_RE2))
    return decimal_style(shaped) if len(shaped) else None


# ---------------------------------------------------------------------------------------------
# Numbers, every text column of a table at once
# ---------------------------------------------------------------------------------------------

# Above this many cells (or distinct values) in all, a table's columns are parsed one by one:
# the per-call overhead batching saves is then nothing next to the work, and holding every
# column's codes and distinct values at once would cost memory a large report cannot spare.
BATCH_MAX_CELLS = 1_000_000
BATCH_MAX_VALUES = 100_000


class NumberBatch:
    """The text number columns of one table, cleaned together: every column's distinct values
    in one Arrow array, each cleaning step run once over it, and what is decided per column
    (the decimal mark, the currency) worked out per segment. For a small table (a Studio
    export's few hundred rows) that is a dozen Arrow calls instead of a dozen per column.

    `evidence(name)` is exactly `column_decimal_evidence(raw)` and `parse(name, hint, count)`
    exactly `parse_numbers(raw, hint, count)`; columns this cannot take (XLSX cells mixing
    numbers and text, numeric dtypes, too many values) are not in `names`, and the caller
    parses them one by one.
    """

    def __init__(self, columns: dict[str, pd.Series]):
        import pyarrow as pa

        taken: dict[str, tuple[np.ndarray, list]] = {}
        text = {
            name: raw
            for name, raw in columns.items()
            if is_dictionary(raw) or isinstance(raw.dtype, pd.StringDtype)
        }
        if sum(map(len, text.values())) <= BATCH_MAX_CELLS:
            for name, raw in text.items():
                codes, uniques = _distinct_arrow(raw)
                if uniques.type != pa.large_string():
                    uniques = uniques.cast(pa.large_string())
                taken[name] = (codes, uniques)
        if sum(len(u) for _, u in taken.values()) > BATCH_MAX_VALUES:
            taken = {}
        self.names = set(taken)
        self._rows = {name: columns[name].index for name in taken}
        self._codes = {name: codes for name, (codes, _) in taken.items()}
        sizes = np.array([len(u) for _, u in taken.values()], dtype=np.int64)
        starts = np.cumsum(sizes) - sizes
        self._start = dict(zip(taken, starts, strict=True))
        self._size = dict(zip(taken, sizes, strict=True))
        self._segments = len(taken)
        self._seg = np.repeat(np.arange(len(taken)), sizes)
        self._index = {name: i for i, name in enumerate(taken)}
        chunks = [u for _, u in taken.values()]
        self._values = pa.concat_arrays(chunks) if chunks else pa.array([], pa.string())
        self._screened = self._cleaned = False

    def _segment_count(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self._seg[mask], minlength=self._segments)

    def _screen(self) -> None:
        """The cheap tests every column needs: plain numbers, marks, 'undefined'."""
        import pyarrow.compute as pc

        if self._screened:
            return
        ua = self._values
        self._plain = _plain(ua)
        self._has_dot_raw = _np(pc.match_substring(ua, "."))
        # "[.,]" found as two plain substrings (an RE2 search is a few times slower).
        self._has_mark = self._has_dot_raw | _np(pc.match_substring(ua, ","))
        self._ambiguous = _np(pc.match_substring_regex(ua, _AMBIGUOUS))
        self._undefined = _np(pc.match_substring(ua, "undefined", ignore_case=True))
        self._screened = True  # last: a step that raised leaves it to be run again

    def _clean(self) -> None:
        """Every cleaning step of parse_numbers (and column_decimal_evidence), once; only when
        a column is not plain numbers or shows a decimal mark."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self._cleaned:
            return
        ua = self._values
        missing = _is_missing(ua)
        masked = _np(pc.match_substring_regex(pc.utf8_trim_whitespace(ua), _MASKED_RE2)) & ~missing
        cleaned, found = _strip_currency(_strip_spaces(ua))
        self._currency = found
        percent = _np(pc.ends_with(cleaned, "%"))
        cleaned = pc.utf8_rtrim(cleaned, characters="%")
        # column_decimal_evidence's tokens: without the trailing minus trimmed.
        evidence_tokens = pc.utf8_trim(cleaned, characters="()")
        evidence_shaped = _np(pc.match_substring_regex(evidence_tokens, _NUMBER_SHAPE_RE2))
        negative = _np(pc.match_substring_regex(cleaned, r"^\(.*\)$")) | _np(
            pc.ends_with(cleaned, "-")
        )
        trailing_minus = _np(pc.ends_with(evidence_tokens, "-"))
        self._evidence_vote = self._styles(evidence_tokens, evidence_shaped)
        self._evidence: list[str | None] | None = None  # parse's own, when a column needs it
        if trailing_minus.any():
            cleaned = pc.utf8_rtrim(evidence_tokens, characters="-")
            shaped = _np(pc.match_substring_regex(cleaned, _NUMBER_SHAPE_RE2))
        else:  # nothing to trim: parse's tokens are the vote's
            cleaned, shaped = evidence_tokens, evidence_shaped
        shaped = shaped & ~missing & ~masked
        if cleaned is evidence_tokens and not (evidence_shaped & (missing | masked)).any():
            self._evidence = self._evidence_vote  # the same tokens, the same values counted
        self._tokens = cleaned
        self._thousands_only = _np(pc.match_substring_regex(cleaned, _THOUSANDS_ONLY_RE2))
        self._blanked = pc.if_else(pa.array(shaped), cleaned, "")
        self._missing, self._masked, self._shaped = missing, masked, shaped
        self._percent, self._negative = percent, negative
        self._numbers: dict[tuple, np.ndarray] = {}
        self._cleaned = True  # last: a step that raised leaves it to be run again

    def _styles(self, tokens, include: np.ndarray) -> list[str | None]:
        """decimal_style(tokens of the segment, where `include`) for every segment at once."""
        import pyarrow.compute as pc

        dot = _np(pc.match_substring(tokens, ".")) & include
        comma = _np(pc.match_substring(tokens, ",")) & include
        both = dot & comma
        only_comma = comma & ~dot
        only_dot = dot & ~comma
        n_both = self._segment_count(both)
        comma_last = self._segment_count(both & _np(pc.match_substring_regex(tokens, r",[^.]*$")))
        odd_comma = only_comma & ~_np(pc.match_substring_regex(tokens, _THOUSANDS_COMMA_RE2))
        odd_dot = only_dot & ~_np(pc.match_substring_regex(tokens, _THOUSANDS_DOT_RE2))
        not_thousands_comma = self._segment_count(odd_comma) > 0
        not_thousands_dot = self._segment_count(odd_dot) > 0
        dots = pc.count_substring(tokens, ".").to_numpy(zero_copy_only=False)
        commas = pc.count_substring(tokens, ",").to_numpy(zero_copy_only=False)
        several_dots = self._segment_count(only_dot & (dots > 1)) > 0
        several_commas = self._segment_count(only_comma & (commas > 1)) > 0
        out: list[str | None] = []
        for s in range(self._segments):
            if n_both[s]:
                out.append("comma" if comma_last[s] / n_both[s] > 0.5 else "dot")
            elif not_thousands_comma[s]:
                out.append("comma")
            elif not_thousands_dot[s]:
                out.append("dot")
            elif several_dots[s]:
                out.append("comma")
            elif several_commas[s]:
                out.append("dot")
            else:
                out.append(None)
        return out

    def _part(self, name: str) -> slice:
        start = int(self._start[name])
        return slice(start, start + int(self._size[name]))

    def evidence(self, name: str) -> str | None:
        """column_decimal_evidence(raw) for this column."""
        if not self._size[name]:
            return None
        self._screen()
        if not self._has_mark[self._part(name)].any():
            return None
        self._clean()
        return self._evidence_vote[self._index[name]]

    def may_contain(self, name: str) -> bool:
        """Whether any cell of the column might read 'undefined' (any case)."""
        self._screen()
        return bool(self._undefined[self._part(name)].any())

    def _floats(self, style: str, thousands: bool) -> np.ndarray:
        """The cleaned tokens as numbers read with this decimal mark, for every value."""

        key = (style, thousands)
        if key not in self._numbers:
            if thousands:
                tokens = _without_marks(self._blanked)
                self._numbers[key] = _plain(tokens)
            else:
                self._numbers[key] = _to_float(self._blanked, style)
        return self._numbers[key]

    def parse(self, name: str, hint: str | None = None, count: bool = False) -> NumberColumn:
        """parse_numbers(raw, hint, count) for this column."""
        import pyarrow as pa

        index, codes = self._rows[name], self._codes[name]
        part = self._part(name)

        def rows(values: np.ndarray) -> pd.Series:
            out = np.where(codes >= 0, values[np.where(codes >= 0, codes, 0)], np.nan)
            return pd.Series(out.astype(np.float64, copy=False), index=index, copy=False)

        if not self._size[name]:
            return NumberColumn(pd.Series(np.nan, index=index, dtype="float64"))
        self._screen()
        plain = self._plain[part]
        if not np.isnan(plain).any() and not (
            (hint == "comma" and self._has_dot_raw[part].any())
            or (count and self._ambiguous[part].any())
        ):
            return NumberColumn(rows(plain))

        self._clean()
        if self._evidence is None:
            self._evidence = self._styles(self._tokens, self._shaped)
        shaped = self._shaped[part]
        evidence = self._evidence[self._index[name]]
        style = evidence or hint or "dot"
        thousands = count and evidence is None and self._thousands_only[part][shaped].all()
        values = self._floats(style, bool(thousands))[part]
        values = np.where(self._negative[part], -values, values)
        percent = self._percent[part]
        values = np.where(percent, values / 100.0, values)
        values = np.where(shaped, values, np.nan)
        missing, masked = self._missing[part], self._masked[part]
        bad = ~(shaped | missing | masked)
        used = codes[codes >= 0]
        counts = np.bincount(used, minlength=len(values))
        texts = self._values[part.start : part.stop]

        masked_bound = 0.0
        if masked.any():
            hidden = texts.filter(pa.array(masked, pa.bool_())).to_pylist()
            limits = [re.search(r"(\d+)", text)[1] for text in hidden]
            limits = _plain(pa.array(limits, pa.string()))
            masked_bound = float((limits * counts[masked]).sum())

        currency = _usual_currency(self._currency[part] if len(self._currency) else [])
        bad_rows = np.flatnonzero(bad)
        return NumberColumn(
            values=rows(values),
            percent=bool((percent & shaped).any()),
            currency=currency,
            masked=int(counts[masked].sum()),
            masked_bound=masked_bound,
            unparsed=texts.take(pa.array(bad_rows[:3], pa.int64())).to_pylist()
            if len(bad_rows)
            else [],
            unparsed_count=int(counts[bad].sum()),
            decimal_evidence=evidence,
        )


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

# Month names come from CLDR (through Babel) for every language TikTok's UI offers: the format
# and stand-alone forms, wide and abbreviated (the format forms are the genitive where a
# language has one: Greek "Φεβρουαρίου", Russian "февраля", Polish "lutego"). The lookup is built
# once, on first use, and each distinct date text is looked up once.
TIKTOK_UI_LOCALES = (
    "en", "nl", "de", "fr", "es", "pt", "it", "pl", "el", "ru", "uk", "tr", "id", "vi", "th",
    "ja", "ko", "zh", "zh_Hant", "ar", "cs", "sk", "ro", "hu", "sv", "da", "nb", "fi", "ms",
    "fil", "he", "hi", "bn", "ur", "jv", "km", "my", "bg", "ceb", "nb", "af", "sq",
)  # fmt: skip
# Spellings CLDR does not list but older Vietnamese exports use ("18 tháng Sáu").
_EXTRA_MONTHS = {
    "tháng một": 1, "tháng giêng": 1, "tháng hai": 2, "tháng ba": 3, "tháng tư": 4,
    "tháng năm": 5, "tháng sáu": 6, "tháng bảy": 7, "tháng tám": 8, "tháng chín": 9,
    "tháng mười": 10, "tháng mười một": 11, "tháng mười hai": 12, "sept": 9, "févr": 2,
}  # fmt: skip
_DIGITS = {
    ord(c): str(unicodedata.decimal(c))
    for c in map(chr, range(0x0660, 0x1100))
    if unicodedata.category(c) == "Nd"
}


# Right-to-left and other invisible direction marks (Arabic and Hebrew dates carry them).
_BIDI = dict.fromkeys(
    map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def _fold_name(text: str) -> str:
    """Month name or date text → comparison key: NFKC, lower case, no dots, single spaces."""
    s = unicodedata.normalize("NFKC", text).translate(_DIGITS).translate(_BIDI).casefold()
    s = s.replace(".", " ").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip()


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


# English first: its table loads in a few milliseconds, the 42 languages' in about a second
# (Babel unpickles each locale), so the full table is built only for a date English can't
# read. Every English name means the same month in the full table (tested), so the answer
# does not depend on the order.
FIRST_LOCALES = ("en",)


@functools.cache
def month_names(locales: tuple[str, ...] = TIKTOK_UI_LOCALES) -> dict[str, int]:
    """Every month name of these UI languages → month number (names with two meanings
    dropped).

    Numeric forms ("3月", "3월") are left to the CJK pattern below. English alone (the table
    read first) is written out in cldr_en.py, so an English file needs no Babel.
    """
    if locales == ("en",):
        from .cldr_en import MONTHS

        return dict(MONTHS)
    return _cldr_month_names(locales)


def _cldr_month_names(locales: tuple[str, ...]) -> dict[str, int]:
    """month_names(locales), from CLDR through Babel."""
    from babel import Locale, UnknownLocaleError

    found: dict[str, set[int]] = {}
    for code in locales:
        try:
            months = Locale.parse(code).months
        except (UnknownLocaleError, ValueError):
            continue
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months[context][width].items():
                    key = _fold_name(name)
                    if not key or re.fullmatch(r"\d+\s*[月월]?", key):
                        continue
                    forms = {key, _strip_accents(key)}
                    if code == "he":  # "24 במרץ": Hebrew writes "in March" inside a date
                        forms |= {"ב" + f for f in forms}
                    for form in forms:
                        found.setdefault(form, set()).add(number)
    for name, number in _EXTRA_MONTHS.items() if locales == TIKTOK_UI_LOCALES else ():
        found.setdefault(_fold_name(name), set()).add(number)
    return {name: next(iter(ms)) for name, ms in found.items() if len(ms) == 1}


@functools.cache
def _month_pattern(locales: tuple[str, ...] = TIKTOK_UI_LOCALES) -> re.Pattern:
    names = sorted((re.escape(n) for n in month_names(locales)), key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(names) + r")(?!\w)")


_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?.*)?$"
)
_DMY = re.compile(
    r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?.*)?$"
)
_CJK = re.compile(
    r"^(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?"
    r"(?:\s*(?:\S*\s*)?(\d{1,2}):(\d{2}).*)?$"
)
_VIET_NUMERIC = re.compile(r"^(\d{1,2})\s+tháng\s+(\d{1,2})(?:,?\s*(?:năm\s+)?(\d{4}))?$")
_TIME = re.compile(r"(?<!\d)(\d{1,2})[:h](\d{2})(?::\d{2})?(?:\s*([ap])\s*m\b)?")
_NUMBER = re.compile(r"(?<!\d)\d+(?!\d)")


def _text_date(text: str) -> tuple[int | None, int, int, int, int] | None:
    """ "25 Φεβρουαρίου", "martes, 24 de marzo de 2026", "24 thg 12", "Mar 24, 2026 10:00":
    one month name (CLDR, any UI language), one day number, maybe a year and a time."""
    return _text_date_in(text, FIRST_LOCALES) or _text_date_in(text, TIKTOK_UI_LOCALES)


def _text_date_in(
    text: str, locales: tuple[str, ...]
) -> tuple[int | None, int, int, int, int] | None:
    s = _fold_name(text)
    hour = minute = 0
    if t := _TIME.search(s):
        hour, minute = int(t[1]), int(t[2])
        if t[3]:
            hour = hour % 12 + (12 if t[3] == "p" else 0)
        s = s[: t.start()] + " " + s[t.end() :]
    hits = list(_month_pattern(locales).finditer(s))
    if not hits:
        return None
    names = month_names(locales)
    months = {names[h[1]] for h in hits}
    hit = max(hits, key=lambda h: len(h[1]))  # "mar 24 mars": the fuller name decides
    if len(months) > 1 and sum(len(h[1]) == len(hit[1]) for h in hits) > 1:
        return None
    rest = s[: hit.start()] + " " + s[hit.end() :]
    numbers = [int(n) for n in _NUMBER.findall(rest)]
    days = [n for n in numbers if n <= 31]
    years = [n for n in numbers if n > 31]
    if len(days) != 1 or len(years) > 1:
        return None
    year = years[0] if years else None
    if year is not None and year > 2400:  # the Thai solar calendar: 2569 is 2026
        year -= 543
    if year is not None and not 1990 <= year <= 2200:
        return None
    return year, names[hit[1]], days[0], hour, minute


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS).translate(_BIDI)
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().casefold()
    text = re.sub(r"(?<=\d)\s*[гр]\.?$", "", text)  # Bulgarian, Ukrainian "24.03.2026 г."
    if re.fullmatch(r"\d[\d.\s]*\d\.?", text) and "." in text:
        # Czech, Slovak "24. 3. 2026", Korean "2026. 3. 24.": numeric dates spaced after dots.
        text = re.sub(r"\s*\.\s*", ".", text).strip(".")
    return text


@dataclass
class DateColumn:
    """Parsed dates; year-less dates keep month/day until the year is decided."""

    values: pd.Series  # datetime64[ns] (NaT where missing or year-less)
    month: np.ndarray | None = None  # for year-less cells, else None
    day: np.ndarray | None = None
    yearless: bool = False
    unparsed: list[str] = field(default_factory=list)
    unparsed_count: int = 0
    ambiguous_order: bool = False
    day_first: bool | None = None
    hour: np.ndarray | None = None
    minute: np.ndarray | None = None


def _parse_one(
    text: str,
) -> tuple[int | None, int, int, int, int] | tuple[str, int, int, int, int, int] | None:
    """One distinct date text → (year|None, month, day, hour, minute) or ('dmy', a, b, y, h, m)."""
    s = _fold(text)
    if m := _ISO.match(s):
        return int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0)
    if m := _DMY.match(s):
        year = int(m[3])
        year = year + 2000 if year < 100 else year
        return ("dmy", int(m[1]), int(m[2]), year, int(m[4] or 0), int(m[5] or 0))
    if m := _CJK.match(s):
        return (int(m[1]) if m[1] else None), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0)
    if m := _VIET_NUMERIC.match(s):
        return (int(m[3]) if m[3] else None), int(m[2]), int(m[1]), 0, 0
    return _text_date(text)


# The two shapes most exports use, read for all their distinct texts by Arrow: ISO
# "2026-10-31" (also with "/" or "."), and the English Studio files' "October 31". For these
# ASCII shapes _fold changes nothing, and _parse_one's answer is the one given here; any
# other text (times, years after a month name, other languages) is read one by one.
_BULK_ISO = r"^(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})$"
_BULK_MONTH_DAY = r"^(?P<w>[A-Za-z]+) (?P<d>[0-9]{1,2})$"


def _bulk_dates(values: list) -> dict[int, tuple]:
    """{position: _parse_one(text)} for the texts among `values` in a bulk shape."""
    import pyarrow as pa
    import pyarrow.compute as pc

    where = [i for i, v in enumerate(values) if isinstance(v, str)]
    if not where:
        return {}
    texts = pa.array([values[i] for i in where], pa.string())
    out: dict[int, tuple] = {}
    iso = pc.extract_regex(texts, _BULK_ISO)
    hits = np.flatnonzero(_np(pc.is_valid(iso)))
    if len(hits):
        iso = iso.take(pa.array(hits))
        y, m, d = (pc.cast(pc.struct_field(iso, [k]), pa.int64()).to_pylist() for k in range(3))
        for j, yy, mm, dd in zip(hits.tolist(), y, m, d, strict=True):
            out[where[j]] = (yy, mm, dd, 0, 0)
    named = pc.extract_regex(texts, _BULK_MONTH_DAY)
    hits = np.flatnonzero(_np(pc.is_valid(named)))
    if len(hits):
        named = named.take(pa.array(hits))
        words = pc.utf8_lower(pc.struct_field(named, [0])).to_pylist()
        days = pc.cast(pc.struct_field(named, [1]), pa.int64()).to_pylist()
        names = month_names(FIRST_LOCALES)
        for j, word, day in zip(hits.tolist(), words, days, strict=True):
            # Beyond 31 the number would be a year, and an unknown word may be another
            # language's month: those take the full reading.
            if word in names and day <= 31:
                out[where[j]] = (None, names[word], day, 0, 0)
    return out


def _excel_serial(values: pd.Series) -> pd.Series:
    # Excel's day 0 is 1899-12-30 (it counts a 29 Feb 1900 that never was).
    return pd.to_datetime(values, unit="D", origin="1899-12-30")


def parse_dates(raw: pd.Series, prefer_day_first: bool = True) -> DateColumn:
    """Parse a date column: ISO, Y/M/D, D-M-Y or M/D/Y (decided from the data), Excel cells,
    and year-less dates in several languages (year decided later by `assign_years`)."""
    n = len(raw)
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if n == 0:
        return DateColumn(out)
    if pd.api.types.is_datetime64_any_dtype(raw):
        return DateColumn(pd.to_datetime(raw).astype("datetime64[ns]"))

    codes, uniques = pd.factorize(raw)
    uniques = list(uniques)
    bulk = _bulk_dates(uniques)
    parsed: list = []
    unparsed: list[str] = []
    unparsed_codes: list[int] = []
    for i, value in enumerate(uniques):
        if i in bulk:
            parsed.append(bulk[i])
        elif isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
            ts = pd.Timestamp(value)
            parsed.append((ts.year, ts.month, ts.day, ts.hour, ts.minute))
        elif (
            isinstance(value, (int, float, np.integer, np.floating))
            and 20000 < float(value) < 80000
        ):
            ts = _excel_serial(pd.Series([float(value)])).iloc[0]
            parsed.append((ts.year, ts.month, ts.day, ts.hour, ts.minute))
        elif isinstance(value, str) and _fold(value) in MISSING_TOKENS:
            parsed.append(None)
        else:
            p = _parse_one(str(value))
            if p is None:
                unparsed.append(str(value))
                unparsed_codes.append(i)
            parsed.append(p)

    # Day-first or month-first for "4-7-2026" style: decided once for the whole column.
    dmy = [p for p in parsed if p is not None and p[0] == "dmy"]
    day_first: bool | None = None
    ambiguous = False
    if dmy:
        if any(p[1] > 12 for p in dmy):
            day_first = True
        elif any(p[2] > 12 for p in dmy):
            day_first = False
        else:
            day_first, ambiguous = _closer_order(dmy, prefer_day_first), True

    years = np.full(len(parsed), -1, dtype=np.int64)
    months = np.zeros(len(parsed), dtype=np.int64)
    days = np.zeros(len(parsed), dtype=np.int64)
    hours = np.zeros(len(parsed), dtype=np.int64)
    minutes = np.zeros(len(parsed), dtype=np.int64)
    valid = np.zeros(len(parsed), dtype=bool)
    for i, p in enumerate(parsed):
        if p is None:
            continue
        if p[0] == "dmy":
            _, a, b, y, h, mi = p
            d, m = (a, b) if day_first else (b, a)
        else:
            y, m, d, h, mi = p
        if not (1 <= m <= 12 and 1 <= d <= 31):
            unparsed.append(str(uniques[i]))
            unparsed_codes.append(i)
            continue
        years[i] = -1 if y is None else y
        months[i], days[i], hours[i], minutes[i] = m, d, h, mi
        valid[i] = True

    yearless_u = valid & (years < 0)
    dated_u = valid & (years >= 0)
    stamps = np.full(len(parsed), np.datetime64("NaT"), dtype="datetime64[ns]")
    if dated_u.any():
        frame = pd.DataFrame(
            {
                "year": years[dated_u],
                "month": months[dated_u],
                "day": days[dated_u],
                "hour": hours[dated_u],
                "minute": minutes[dated_u],
            }
        )
        stamps[dated_u] = pd.to_datetime(frame, errors="coerce").to_numpy()
        # Dates that do not exist (30 February) are reported with the other bad cells.
        for i in np.flatnonzero(dated_u & np.isnat(stamps)):
            unparsed.append(str(uniques[i]))
            unparsed_codes.append(int(i))
    safe = np.where(codes >= 0, codes, 0)
    values = np.where(codes >= 0, stamps[safe], np.datetime64("NaT"))
    out = pd.Series(values, index=raw.index, dtype="datetime64[ns]")
    bad_count = int(np.isin(codes, unparsed_codes).sum()) if unparsed_codes else 0
    col = DateColumn(
        out,
        unparsed=unparsed[:3],
        unparsed_count=bad_count,
        ambiguous_order=ambiguous,
        day_first=day_first,
    )
    if yearless_u.any():
        row_yearless = (codes >= 0) & yearless_u[safe]
        col.yearless = True
        col.month = np.where(row_yearless, months[safe], 0)
        col.day = np.where(row_yearless, days[safe], 0)
        col.hour = np.where(row_yearless, hours[safe], 0)
        col.minute = np.where(row_yearless, minutes[safe], 0)
    return col


def _closer_order(dmy: list, prefer_day_first: bool) -> bool:
    """Day-first or month-first for dates that fit both ("01/10/2026", "02/10/2026"): the
    reading that puts the dates closest together (a report's days are consecutive, and
    "1 and 2 October" is likelier than "10 January and 10 February"); ties take the preference.
    """

    def span(day_first: bool) -> int | None:
        ordinals = []
        for _, a, b, y, _h, _m in dmy:
            d, m = (a, b) if day_first else (b, a)
            try:
                ordinals.append(dt.date(y, m, d).toordinal())
            except ValueError:
                return None
        return max(ordinals) - min(ordinals)

    spans = {True: span(True), False: span(False)}
    if spans[True] is None or spans[False] is None or spans[True] == spans[False]:
        return prefer_day_first
    return spans[True] < spans[False]


def years_backwards(month: np.ndarray, day: np.ndarray, last_year: int) -> np.ndarray:
    """Years for ascending year-less dates, given the year of the last row.

    Walking from the last row backwards, the year steps back each time the (month, day)
    goes *up* (e.g. from "January 3" back to "December 31").
    """
    key = month * 100 + day
    step_back = np.zeros(len(key), dtype=np.int64)
    step_back[:-1] = key[:-1] > key[1:]
    # Rows after a step carry it; a reversed cumulative sum counts the steps still ahead.
    steps_ahead = np.cumsum(step_back[::-1])[::-1]
    return last_year - steps_ahead


def years_forwards(month: np.ndarray, day: np.ndarray, first_year: int) -> np.ndarray:
    """Years for ascending year-less dates, given the year of the first row."""
    key = month * 100 + day
    step = np.zeros(len(key), dtype=np.int64)
    step[1:] = key[1:] < key[:-1]
    return first_year + np.cumsum(step)


# The days a datetime64[ns] can hold (pandas' Timestamp.min is 1677-09-21 00:12:43).
_FIRST_DAY, _LAST_DAY = np.datetime64("1677-09-22"), np.datetime64("2262-04-11")


def build_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> pd.Series:
    """Dates from year, month and day numbers, NaT where there is no such day (30 February,
    month 13): pd.to_datetime of the three columns with errors="coerce", in numpy."""
    parts = [np.asarray(part) for part in (year, month, day)]
    if not all(part.dtype.kind in "iu" for part in parts):
        frame = pd.DataFrame({"year": year, "month": month, "day": day})
        return pd.to_datetime(frame, errors="coerce").astype("datetime64[ns]")
    y, m, d = (part.astype(np.int64) for part in parts)
    ok = (y >= 1677) & (y <= 2262) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
    months = ((np.where(ok, y, 1970) - 1970) * 12 + np.where(ok, m, 1) - 1).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (np.where(ok, d, 1) - 1)
    # A day past the month's end runs into the next month: no such date.
    ok &= (days.astype("datetime64[M]") == months) & (days >= _FIRST_DAY) & (days <= _LAST_DAY)
    values = np.where(ok, days.astype("datetime64[ns]"), np.datetime64("NaT", "ns"))
    return pd.Series(values, dtype="datetime64[ns]")


def nearest_year(month: int, day: int, reference: dt.date, today: dt.date) -> int:
    """The year that puts month/day nearest to `reference` (never after today).

    A Studio file's newest row is the day before its export; another file's newest date says
    roughly when that was, but not to the day (an Ads report may end two weeks earlier).
    """
    best: tuple[int, int] | None = None
    for candidate in range(reference.year - 4, reference.year + 2):
        try:
            day_ = dt.date(candidate, month, day)
        except ValueError:  # 29 February in a common year
            continue
        if day_ > today:
            continue
        distance = abs((day_ - reference).days)
        if best is None or distance < best[0]:
            best = (distance, candidate)
    return best[1] if best else latest_year_not_after(month, day, today)


def latest_year_not_after(month: int, day: int, limit: dt.date) -> int:
    """The latest year in which month/day falls on or before `limit`."""
    year = limit.year
    for candidate in (year, year - 1, year - 2, year - 3, year - 4):
        try:
            if dt.date(candidate, month, day) <= limit:
                return candidate
        except ValueError:  # 29 February in a common year
            continue
    return year - 1
