"""Grids → typed TikTok tables: find the header row, recognise the kind, parse every column."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..wording import agree, counted
from . import workers
from .labels import gender_labels, territory_labels
from .limits import drop_absurd
from .parse import (
    DateColumn,
    NumberBatch,
    arrow_text,
    column_decimal_evidence,
    distinct,
    is_dictionary,
    parse_dates,
    parse_numbers,
    used_categories,
)
from .read import EXPECTED, Failure, Grid
from .schema import (
    DATE,
    FOREIGN,
    HOUR,
    KIND_BY_NAME,
    KINDS,
    MISSING_TOKENS,
    NUMBER,
    TEXT,
    TOTAL_PATTERN,
    TOTAL_PREFIX,
    Kind,
    loose_header,
    normalise_header,
)

HEADER_SEARCH_ROWS = 20


@dataclass
class ParsedTable:
    name: str
    kind: str
    frame: pd.DataFrame
    archive: str | None = None
    warnings: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    # Year-less date columns: column → DateColumn holding month/day until the year is decided.
    yearless: dict[str, DateColumn] = field(default_factory=dict)
    currency: str | None = None
    # Totals row found in the file (column → value), used to cross-check the sums.
    totals: dict[str, float] | None = None
    # Per column, the most its masked "<5" cells can hide (they are missing in the frame).
    masked_bounds: dict[str, float] = field(default_factory=dict)
    # Unused headers that look like a known column ("did you mean Impressions?").
    near_misses: list[str] = field(default_factory=list)
    # Other tables read from the same grid (the 2021 "Last 60 days.csv" holds followers too).
    companions: list[ParsedTable] = field(default_factory=list)


# What a cell reads as when it holds nothing (pandas and Excel spell an empty cell so).
_BLANK_TEXTS = ("", "nan", "None")


def emptied(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's columns and dtypes with no rows and no hold on its arrays. (Not
    `frame.iloc[:0].copy()`: an Arrow-backed column's copy is a view of the same buffers, so
    the whole column would stay alive behind zero rows.)"""
    made: dict = {}  # one empty array per dtype, copied per column (a grid has dozens)
    arrays = {}
    for i, d in enumerate(frame.dtypes):
        categorical = isinstance(d, pd.CategoricalDtype)
        # A categorical dtype carries its categories (every distinct cell of a grid column).
        key = ("category", d.categories.dtype, d.ordered) if categorical else d
        if key not in made:
            dtype = pd.CategoricalDtype(d.categories[:0], ordered=d.ordered) if categorical else d
            made[key] = pd.Series([], dtype=dtype).array
        arrays[i] = made[key].copy()
    empty = pd.DataFrame(arrays, copy=False)
    empty.columns = frame.columns
    return empty


# A frame let go of (`let_go`) with fewer rows than this is left as it is: its arrays are a
# few hundred kB at most, and emptying it (a new empty array per column) costs more time than
# the memory is worth; the frame goes with its last holder anyway.
RELEASE_ROWS = 20_000


def let_go(frame: pd.DataFrame) -> pd.DataFrame:
    """What a holder that no longer needs `frame` keeps in its place: `emptied(frame)` for a
    large frame (its arrays freed now, not when the holder goes), else the frame itself."""
    return emptied(frame) if len(frame) >= RELEASE_ROWS else frame


def match_columns(
    kind: Kind, headers: list[str], column_map: dict[str, str] | None = None
) -> dict[int, str]:
    """Map header positions to the kind's column names; the first matching header wins."""
    overrides = {normalise_header(k): v for k, v in (column_map or {}).items()}
    names = {c.name for c in kind.columns}
    taken: dict[str, int] = {}
    for pos, header in enumerate(headers):
        key = normalise_header(header)
        name = overrides.get(key) or kind.column_index.get(key)
        if name and name not in taken and name in names:
            taken[name] = pos
    # Near misses second ("Impression", "Ad Group Name", "Clicks (Destination)"): only for
    # headers and columns the exact pass left over.
    used = set(taken.values())
    for pos, header in enumerate(headers):
        if pos in used or not str(header).strip():
            continue
        name = kind.loose_index.get(loose_header(header))
        if name and name not in taken:
            taken[name] = pos
            used.add(pos)
    return {pos: name for name, pos in taken.items()}


def near_misses(kind: Kind, headers: list[str], mapping: dict[int, str]) -> list[str]:
    """ "'Impressionz' was not used; did you mean Impressions?" for every unused header that
    looks like a known column of this kind that the file does not have."""
    missing = {c.name: c for c in kind.columns if c.name not in mapping.values()}
    candidates: dict[str, str] = {}
    for col in missing.values():
        for alias in col.aliases:
            candidates.setdefault(loose_header(alias), alias)
    out = []
    for pos, header in enumerate(headers):
        if pos in mapping or not header.strip():
            continue
        close = difflib.get_close_matches(loose_header(header), list(candidates), n=1, cutoff=0.85)
        if close:
            out.append(f"“{header.strip()}” was not used; did you mean {candidates[close[0]]}?")
    return out


def _satisfies(kind: Kind, names: set[str]) -> bool:
    return all(any(n in names for n in group) for group in kind.required)


def recognise(
    headers: list[str], column_map: dict[str, str] | None = None
) -> tuple[Kind, dict[int, str]] | None:
    """The kind of table these headers belong to, or None. Ads are tried first."""
    best = None
    for kind in KINDS:
        mapping = match_columns(kind, headers, column_map)
        if _satisfies(kind, set(mapping.values())):
            if kind.name == "ads":
                return kind, mapping
            if best is None or len(mapping) > len(best[1]):
                best = (kind, mapping)
    return best


def foreign_platform(headers: list[str]) -> str | None:
    keys = {normalise_header(h) for h in headers}
    for foreign in FOREIGN:
        hits = sum(normalise_header(h) in keys for h in foreign.headers)
        if any(re.fullmatch(pattern, key) for pattern in foreign.decisive for key in keys):
            hits = foreign.needed
        if hits >= foreign.needed:
            return f"looks like {foreign.platform}, not a TikTok export; {foreign.advice}"
    return None


# TikTok LIVE analytics: its own headers say so; a lone "LIVE" in a header only counts when
# the table is nothing the app reads (an Overview may one day carry a "LIVE views" column).
_LIVE_HEADERS = re.compile(r"viewers who commented|diamonds?|gifters?|gift givers|gifts? received")
_LIVE_WORD = re.compile(r"(^|[^a-z])live([^a-z]|$)")


def live_analytics(grid: Grid, headers: list[str], recognised: bool = False) -> str | None:
    """The refusal for TikTok LIVE analytics (`LIVE_interaction.csv`: Date, New followers,
    Viewers who commented, Likes, Shares), a TikTok file the app does not analyse."""
    keys = [normalise_header(h) for h in headers if str(h).strip()]
    by_name = re.match(r"live([^a-z]|$)", grid.name.rsplit("/", 1)[-1].casefold())  # LIVE_*.csv
    strong = by_name or any(_LIVE_HEADERS.search(k) for k in keys)
    if not (strong or (not recognised and any(_LIVE_WORD.search(k) for k in keys))):
        return None
    return (
        f"“{grid.name}” is TikTok LIVE analytics (your LIVE sessions: viewers who commented, "
        "new followers, likes during LIVE), which this app does not analyse yet. It reads "
        "TikTok Studio's Overview, Content, Viewers and Followers downloads (Analytics → "
        "Download data) and Ads Manager reports instead."
    )


def _closest_kind(headers: list[str], column_map: dict[str, str] | None) -> str:
    """ " Closest: Overview, which still needs Video Views." for a near miss, else ""."""
    options = []
    for kind in KINDS:
        have = set(match_columns(kind, headers, column_map).values())
        if len(have) < 2:
            continue
        columns = {c.name: c for c in kind.columns}
        needed = [
            columns[group[0]].aliases[0] if columns[group[0]].aliases else group[0]
            for group in kind.required
            if not any(n in have for n in group)
        ]
        options.append((len(needed), -len(have), kind.label, needed))
    if not options:
        return ""
    _, _, label, needed = min(options)
    return f" Closest: {label}, which still needs {' and '.join(needed)}." if needed else ""


def _row_headers(row: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else str(v) for v in row.tolist()]


def parse_grid(
    grid: Grid, column_map: dict[str, str] | None = None, release: bool = False
) -> ParsedTable | Failure:
    """One grid → its table (or a refusal). `release`: the caller holds the grid nowhere
    else, so its cells are let go column by column as they are parsed (a million-row report
    then never exists as raw cells and parsed columns at once)."""
    cells = grid.cells
    head = cells.head(HEADER_SEARCH_ROWS)
    found = None
    for i in range(len(head)):
        headers = _row_headers(head.iloc[i])
        hit = recognise(headers, column_map)
        if hit:
            # Meta and Google reports share "Campaign name", "Impressions", "Cost" with TikTok's:
            # a row that is plainly another platform's header is refused, not half-read.
            foreign = foreign_platform(headers)
            if foreign:
                return Failure(grid.name, f"“{grid.name}” {foreign}.")
            live = live_analytics(grid, headers, True) if hit[0].name != "ads" else None
            if live:
                return Failure(grid.name, live)
            found = (i, headers, *hit)
            break
    if found is None:
        for i in range(len(head)):
            foreign = foreign_platform(_row_headers(head.iloc[i]))
            if foreign:
                return Failure(grid.name, f"“{grid.name}” {foreign}.")
            live = live_analytics(grid, _row_headers(head.iloc[i]))
            if live:
                return Failure(grid.name, live)
        rows = [_row_headers(head.iloc[i]) for i in range(len(head))]
        first = next((r for r in rows if any(x.strip() for x in r)), [])
        shown = ", ".join(x.strip() for x in first if x.strip())[:200]
        closest = _closest_kind(first, column_map)
        return Failure(
            grid.name,
            f"“{grid.name}” was not recognised as a TikTok export: its first row ({shown}) does "
            "not match the columns of any TikTok Studio or Ads Manager table (for example "
            f"Overview: {KIND_BY_NAME['overview'].example}; Ads Manager: "
            f"{KIND_BY_NAME['ads'].example}).{closest} If a column is named differently in "
            "your language, map it by hand on the Data page. " + EXPECTED,
            headers=[x.strip() for x in first if x.strip()][:60],
        )
    header_row, headers, kind, mapping = found
    body = cells.iloc[header_row + 1 :].reset_index(drop=True)
    follower = KIND_BY_NAME["followers_history"]
    release = release and kind.name not in ("overview", "viewers")  # those may read it twice
    if release:
        del cells, head
        grid.cells = let_go(grid.cells)  # a slice would keep the arrays
    table = _parse_body(grid, kind, headers, mapping, body, consume=release)
    if kind.name in ("overview", "viewers"):
        extra = match_columns(follower, headers, column_map)
        if "followers" in extra.values() and _satisfies(follower, set(extra.values())):
            # Overview and follower totals in one file: both are read, the followers into the
            # follower history (the rest of the headers belong to the Overview).
            companion = _parse_body(grid, follower, headers, extra, body)
            companion.warnings.insert(
                0, "The Followers column of this file is read as the follower history."
            )
            companion.near_misses, companion.unrecognised = [], []
            table.companions.append(companion)
            table.unrecognised = [
                h for h in table.unrecognised if normalise_header(h) not in follower.column_index
            ]
    return table


def _text(col: pd.Series) -> pd.Series:
    """Cells as stripped strings, missing as NA (numbers from XLSX become their text)."""
    if is_dictionary(col) and len(col) < len(col.cat.categories):
        # A few rows of a large dictionary (a totals row): their own cells, not every
        # distinct cell of the column.
        col = pd.Series(col.to_numpy(dtype=object), index=col.index, dtype=object)
    elif is_dictionary(col):
        # Cleaned once per distinct cell, then spread to the rows by Arrow's take.
        return _spread_arrow(col, _stripped_text(arrow_text(col)))
    if col.dtype == object:
        col = col.map(
            lambda v: (
                v
                if v is None or isinstance(v, str)
                else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
            ),
            na_action="ignore",
        )
    out = col.astype("str").str.strip()
    return out.mask(out.isin(_BLANK_TEXTS))


def _spread_arrow(col: pd.Series, per_category) -> pd.Series:
    """A column's categories' values (an Arrow string array) spread back over its rows."""
    import pyarrow as pa

    codes = col.cat.codes.to_numpy()
    indices = pa.array(codes, mask=codes < 0)
    values = per_category.take(indices)
    text_dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    out = values.to_pandas(types_mapper={values.type: text_dtype}.get)
    out.index = col.index
    return out


def _stripped_text(texts):
    """_text of text cells, in Arrow: stripped as pandas' .str.strip() strips (Arrow's
    utf8_trim_whitespace), null where "", "nan" or "None"."""
    import pyarrow as pa
    import pyarrow.compute as pc

    stripped = pc.utf8_trim_whitespace(texts)
    blank = pc.is_in(stripped, value_set=pa.array(_BLANK_TEXTS, stripped.type))
    return pc.if_else(pc.fill_null(blank, False), pa.scalar(None, stripped.type), stripped)


def _is_text(col: pd.Series) -> bool:
    return isinstance(col.dtype, pd.StringDtype) or is_dictionary(col)


def _per_row(col: pd.Series, per_category: np.ndarray, missing: bool) -> np.ndarray:
    """A boolean per category of a dictionary column → a boolean per row."""
    codes = col.cat.codes.to_numpy()
    out = per_category[np.where(codes < 0, 0, codes)] if len(per_category) else codes < -1
    return np.where(codes < 0, missing, out)


def _filled(col: pd.Series) -> np.ndarray:
    """Which cells hold something (what _text keeps), one Arrow pass for a text column."""
    if is_dictionary(col):
        return _per_row(col, _filled_arrow(arrow_text(col)), False)
    if not _is_text(col):
        return _text(col).notna().to_numpy(dtype=bool)
    return _filled_arrow(arrow_text(col))


def _filled_arrow(texts) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pc.utf8_trim_whitespace(texts)
    empty = pc.is_in(arr, value_set=pa.array(_BLANK_TEXTS, arr.type))
    return ~pc.fill_null(empty, True).to_numpy(zero_copy_only=False)


def _starts_like_total(col: pd.Series) -> np.ndarray:
    """Rows whose stripped text starts like a totals label (Arrow's regex, a superset of
    TOTAL_PATTERN's matches), per distinct cell for a dictionary column."""
    if is_dictionary(col):
        return _per_row(col, _starts_like_total_arrow(arrow_text(col)), False)
    return _starts_like_total_arrow(arrow_text(col))


def _starts_like_total_arrow(texts) -> np.ndarray:
    import pyarrow.compute as pc

    start = pc.match_substring_regex(pc.utf8_trim_whitespace(texts), TOTAL_PREFIX, ignore_case=True)
    return pc.fill_null(start, False).to_numpy(zero_copy_only=False)


def _nonempty_rows(columns: list[pd.Series], n: int) -> np.ndarray:
    """Rows with at least one filled cell: the first column decides for most rows, and only
    the rows still empty are looked at in the next column."""
    nonempty = np.zeros(n, dtype=bool)
    todo = np.arange(n)
    for col in columns:
        if not len(todo):
            break
        part = col if len(todo) == n else col.iloc[todo]
        filled = _filled(part)
        nonempty[todo[filled]] = True
        todo = todo[~filled]
    return nonempty


def _may_contain(col: pd.Series, word: str) -> bool:
    """Whether any cell might hold `word` (a cheap Arrow test before the exact one)."""
    if not _is_text(col):
        return True
    import pyarrow.compute as pc

    texts = arrow_text(col)
    hits = pc.match_substring(texts, word, ignore_case=True)
    return bool(pc.any(hits).as_py())


# Columns that can only hold whole numbers (counts of views, clicks, people).
_NOT_COUNTS = {"spend", "complete_payment_value", "revenue"}
_COUNTS = {
    "followers", "total_viewers", "new_viewers", "returning_viewers", "reach",
    "active_followers", "reported_change", "orders",
}  # fmt: skip


def _is_count(col) -> bool:
    return (col.additive and col.name not in _NOT_COUNTS) or col.name in _COUNTS


def _note_undefined(
    kind: Kind,
    raw: dict[str, pd.Series],
    warnings: list[str],
    uniques: dict[str, pd.Series] | None = None,
    batch: NumberBatch | None = None,
) -> None:
    numeric = [c.name for c in kind.columns if c.type == NUMBER and c.name in raw]
    uniques = uniques or {}
    numeric = [
        name
        for name in numeric
        if (
            # Arrow's case-blind test first: a superset of the exact one, and one call.
            batch.may_contain(name)
            if batch is not None and name in batch.names
            else _may_contain(uniques[name], "undefined")
            and _text(uniques[name]).str.lower().eq("undefined").any()
            if name in uniques
            else _may_contain(raw[name], "undefined")
        )
    ]
    if not numeric:
        return
    flagged = pd.Series(False, index=raw[numeric[0]].index)
    for name in numeric:
        flagged |= _text(raw[name]).str.lower().eq("undefined").fillna(False)
    if not flagged.any():
        return
    days = ""
    if kind.date_column and kind.date_column in raw:
        labels = _text(raw[kind.date_column][flagged]).dropna().head(3).tolist()
        days = f" ({', '.join(labels)}{', …' if flagged.sum() > 3 else ''})"
    warnings.append(
        f"{counted(n := int(flagged.sum()), 'row')}{days} {agree(n, 'says', 'say')} "
        f"'undefined': TikTok had no data for {agree(n, 'it', 'them')} yet "
        "(usually the newest day). They count as missing, not zero, so totals over those days "
        "are lower; download again later for the full numbers."
    )


def file_decimal_hint(votes) -> str | None:
    """The file's decimal mark from its columns' votes ('dot', 'comma' or None each): the
    majority, or None when no column says or the columns that do are split evenly (then
    nothing is guessed, and the choice never depends on the order of a set)."""
    said = [v for v in votes if v]
    if not said:
        return None
    dots, commas = said.count("dot"), said.count("comma")
    if dots == commas:
        return None
    return "dot" if dots > commas else "comma"


def _rows_at(series: pd.Series, positions: np.ndarray) -> pd.Series:
    """series.iloc[positions] for increasing positions; one run of neighbouring rows (a
    totals row is the first or the last) as a slice, without a take of every column."""
    if len(positions) and positions[-1] - positions[0] + 1 == len(positions):
        return series.iloc[int(positions[0]) : int(positions[-1]) + 1]
    return series.iloc[positions]


def _parse_body(
    grid: Grid,
    kind: Kind,
    headers: list[str],
    mapping: dict[int, str],
    body: pd.DataFrame,
    consume: bool = False,
) -> ParsedTable:
    """`consume`: `body` is emptied once its rows are classified, and each raw column goes
    as soon as it is parsed (see parse_grid's `release`)."""
    warnings: list[str] = []
    given = body
    raw = {name: body[pos] for pos, name in mapping.items() if pos in body.columns}
    unrecognised = [h.strip() for pos, h in enumerate(headers) if pos not in mapping and h.strip()]

    # Drop fully empty rows (trailing lines, Excel padding).
    nonempty = _nonempty_rows(list(raw.values()), len(body))
    if not nonempty.all():
        body_index = body.index[nonempty]
        raw = {k: v.loc[body_index].reset_index(drop=True) for k, v in raw.items()}
        body = body.loc[body_index]
    body = body.reset_index(drop=True)
    raw = {k: v.reset_index(drop=True) for k, v in raw.items()}

    # Totals rows: "Total of N results" / "Total" as a row's first filled cell, anywhere.
    is_total = _total_rows(kind, mapping, body)
    del body
    if consume:  # from here on only `raw` holds the cells
        for position in list(given.columns):
            del given[position]
    del given
    total_rows = raw_total = None
    if is_total.any():
        total_rows = int(is_total.sum())
        totals_at, rest = np.flatnonzero(is_total), np.flatnonzero(~is_total)
        raw_total = {k: _rows_at(v, totals_at) for k, v in raw.items()}
        raw = {k: _rows_at(v, rest).reset_index(drop=True) for k, v in raw.items()}

    # A small table's text number columns are cleaned together (NumberBatch: a dozen Arrow
    # calls for the table, not a dozen per column); the rest one by one, as below.
    numeric = [c.name for c in kind.columns if c.type == NUMBER and c.name in raw]
    # A totals row's cells ride along in the same batch (each column is its own segment, so
    # nothing about one decides another): one set of Arrow calls, not a second for one row.
    total_cells = _total_cells(kind, raw_total) if raw_total is not None else {}
    batch = NumberBatch(
        {name: raw[name] for name in numeric}
        | {_TOTAL_KEY + name: cell for name, cell in total_cells.items()}
    )
    # Text number columns without missing cells are hashed once, for the vote and the parse;
    # a dictionary column's distinct values are its used categories (one counting pass, made
    # again by the parse, so no column's codes are held for it).
    whole = [
        name
        for name in numeric
        if name not in batch.names and _is_text(raw[name]) and not raw[name].hasnans
    ]
    hashed = {name: distinct(raw[name]) for name in whole if not is_dictionary(raw[name])}
    uniques = {name: u for name, (_, u) in hashed.items()}
    uniques.update(
        {name: used_categories(raw[name])[3] for name in whole if is_dictionary(raw[name])}
    )
    # The file's decimal style: the columns that show it unambiguously vote.
    votes = [
        batch.evidence(name)
        if name in batch.names
        else column_decimal_evidence(raw[name], (None, uniques[name]) if name in uniques else None)
        for name in numeric
    ]
    # Said after the columns' own warnings, as ever; worked out now, while `raw` is whole.
    undefined: list[str] = []
    _note_undefined(kind, raw, undefined, uniques, batch)
    hint = file_decimal_hint(votes)
    if hint is None and grid.delimiter == ";":
        hint = "comma"  # Excel writes ";" exactly where "," is the decimal mark

    frame: dict[str, pd.Series] = {}
    yearless: dict[str, DateColumn] = {}
    currencies: list[str] = []
    masked_total = 0
    masked_bounds: dict[str, float] = {}
    # Each column is parsed on its own (a pure function of its cells, the hint and its
    # label); a large table's columns two at a time, on both cores (the Arrow and numpy
    # kernels run without Python's lock). What each says is gathered in the columns' order.
    shared = any(name in batch.names for name in numeric)  # threads do not share a batch
    rows = 0 if shared else len(next(iter(raw.values()), ()))
    with workers.runner(rows) as run:
        jobs = []
        for col in kind.columns:
            if col.name not in raw:
                continue
            series = raw.pop(col.name) if consume else raw[col.name]
            label = headers[next(p for p, nm in mapping.items() if nm == col.name)].strip()
            given = hashed.pop(col.name, None)
            jobs.append((col, run(_parse_column, col, series, label, hint, batch, given)))
            del series, given
        for col, job in jobs:
            done = job.result()
            frame[col.name] = done.values
            warnings.extend(done.warnings)
            masked_total += done.masked
            if done.masked:
                masked_bounds[col.name] = done.masked_bound
            if done.currency:
                currencies.append(done.currency)
            if done.dates is not None:
                yearless[col.name] = done.dates
        del jobs
    if masked_total:
        warnings.append(
            f"{counted(masked_total, 'cell')} {agree(masked_total, 'was', 'were')} masked by "
            f"TikTok as '<5' (too few to show); {agree(masked_total, 'it is', 'they are')} "
            "treated as missing, so sums may be slightly low."
        )
    df = pd.DataFrame(frame, copy=False)  # the parsed columns as they are, not one more copy
    warnings.extend(undefined)

    currency = None
    if "currency" in df:
        codes = df["currency"].dropna().astype("str").str.strip().str.upper()
        if not codes.str.fullmatch(r"[A-Z]{3}").all():  # ISO 4217 codes only: GBP, USD, …
            warnings.append(
                "The Currency column holds text that is not a three-letter currency code "
                "(such as GBP or USD); money is shown without a currency."
            )
            codes = codes[codes.str.fullmatch(r"[A-Z]{3}")]
        currency = codes.mode().iloc[0] if len(codes) else None
        if codes.nunique() > 1:
            found = ", ".join(sorted(codes.unique())[:5])
            warnings.append(
                f"This report mixes currencies ({found}): spend and revenue are added up across "
                "them as they are. Export one currency per report (or per advertiser account)."
            )
    if currency is None and currencies:
        currency = max(set(currencies), key=currencies.count)

    table = ParsedTable(
        name=grid.name,
        kind=kind.name,
        frame=df,
        archive=grid.archive,
        warnings=warnings,
        headers=[h.strip() for h in headers if h.strip()],
        unrecognised=unrecognised,
        yearless=yearless,
        currency=currency,
        masked_bounds=masked_bounds,
        near_misses=near_misses(kind, headers, mapping),
    )
    if raw_total is not None:
        table.totals = _totals(total_cells, hint, batch)
        if total_rows > 1:
            warnings.append(f"{total_rows} totals rows were found and left out of the data.")
    _kind_fixes(table)
    if table.totals:
        check_totals(table)
    return table


@dataclass
class _ParsedColumn:
    values: pd.Series
    warnings: list[str] = field(default_factory=list)
    masked: int = 0
    masked_bound: float = 0.0
    currency: str | None = None
    dates: DateColumn | None = None  # a year-less date column, its years decided later


def _unread(parsed, label: str, verb: tuple[str, str], subject: tuple[str, str], end: str) -> str:
    """The sentence for a column's cells that could not be read (count, first examples, and
    what becomes of them), singular or plural by the count."""
    examples = ", ".join(f"'{x}'" for x in parsed.unparsed)
    n = parsed.unparsed_count
    return (
        f"{counted(n, 'cell')} in “{label}” {agree(n, *verb)} ({examples}); "
        f"{agree(n, *subject)} {end}."
    )


def _parse_column(
    col, series: pd.Series, label: str, hint: str | None, batch: NumberBatch, given
) -> _ParsedColumn:
    """One column of a table's body, parsed, with what it has to say (in the order it says
    it). `given`: distinct(series), when the caller has it."""
    warnings: list[str] = []
    if col.type == NUMBER:
        if col.name in batch.names:
            parsed = batch.parse(col.name, hint, count=_is_count(col))
        else:
            parsed = parse_numbers(series, hint, count=_is_count(col), distinct_values=given)
        del series
        done = _ParsedColumn(drop_absurd(parsed.values, label, warnings), warnings)
        done.masked, done.masked_bound = parsed.masked, parsed.masked_bound
        done.currency = parsed.currency
        if parsed.unparsed_count:
            warnings.append(
                _unread(parsed, label, ("is not a number", "are not numbers"),
                        ("it is", "they are"), "treated as missing")
            )  # fmt: skip
        return done
    if col.type == DATE:
        parsed_dates = parse_dates(series, prefer_day_first=hint != "dot")
        done = _ParsedColumn(parsed_dates.values, warnings)
        if parsed_dates.yearless:
            done.dates = parsed_dates
        if parsed_dates.unparsed_count:
            warnings.append(
                _unread(parsed_dates, label, ("is not a date", "are not dates"),
                        ("that row has", "those rows have"), "no date")
            )  # fmt: skip
        if parsed_dates.ambiguous_order:
            order = "day-month" if parsed_dates.day_first else "month-day"
            warnings.append(
                f"The dates in “{label}” could be read day-first or month-first; read as "
                f"{order}-year. Check the date range."
            )
        return done
    if col.type == HOUR:
        return _ParsedColumn(_parse_hours(series, label, warnings), warnings)
    return _ParsedColumn(_text(series), warnings)


def _parse_hours(series: pd.Series, label: str, warnings: list[str]) -> pd.Series:
    cells = _text(series).fillna("")
    parts = cells.str.extract(r"^(\d{1,2})(?:[:.h]\d{2})?\s*([AaPp]\.?[Mm]\.?)?", expand=True)
    hour = pd.to_numeric(parts[0], errors="coerce")
    meridiem = parts[1].fillna("").str.upper().str.replace(".", "", regex=False)
    hour = hour.where(meridiem == "", hour % 12 + (meridiem == "PM") * 12)  # 12 AM = 0
    if (hour == 24).any() and not (hour == 0).any() and (meridiem == "").all():
        # 2021–22 files number the hours 1–24: hour 1 is 00:00–01:00.
        hour = hour - 1
        warnings.append(
            f"“{label}” numbers the hours 1–24 (older TikTok files); read as 0–23, "
            "so hour 1 is 00:00–01:00 and hour 24 is 23:00–24:00."
        )
    outside = int(((hour < 0) | (hour > 23)).sum())
    if outside:
        warnings.append(
            f"{counted(outside, 'hour')} in “{label}” {agree(outside, 'is', 'are')} outside "
            f"0–23; {agree(outside, 'that row was', 'those rows were')} left out."
        )
    return hour.where((hour >= 0) & (hour <= 23)).astype("Int64")


def _total_rows(kind: Kind, mapping: dict[int, str], body: pd.DataFrame) -> pd.Series:
    """Which rows are totals rows. The label ("Total of 12 results", "Total") is the row's first
    filled cell, and the row names nothing: its other dimension cells (names, links, IDs) are
    empty or '-' and it has no date. A campaign called "Total Refresh" is data, not a total."""
    n = len(body)
    is_total = pd.Series(False, index=range(n))
    if n == 0 or body.shape[1] == 0:
        return is_total
    # Cheap pass over the first cells of every row; the rest only for the few that match.
    lead = list(body.columns[: min(3, body.shape[1])])
    maybe = pd.Series(False, index=range(n))
    for c in lead:
        cells = body[c]
        if _is_text(cells):
            # Arrow finds the few rows that start like a total; the exact pattern runs on those.
            rows = np.flatnonzero(_starts_like_total(cells))
            if len(rows):
                exact = _text(cells.iloc[rows]).fillna("").str.match(TOTAL_PATTERN)
                maybe.iloc[rows[exact.to_numpy(dtype=bool)]] = True
            continue
        maybe |= _text(cells).fillna("").str.match(TOTAL_PATTERN).to_numpy()
    if not maybe.any():
        return is_total
    rows = body[maybe.to_numpy()]
    if len(rows) <= _FEW_ROWS and (few := _few_texts(rows)) is not None:
        found = _few_total_rows(kind, mapping, few, len(rows))
        is_total[rows.index[np.asarray(found, dtype=bool)]] = True
        return is_total
    texts = {c: _text(rows[c]) for c in rows.columns}
    first = pd.Series(pd.NA, index=rows.index, dtype="object")
    first_pos = pd.Series(-1, index=rows.index)
    for c in reversed(list(rows.columns)):
        filled = texts[c].notna()
        first = first.where(~filled, texts[c])
        first_pos = first_pos.where(~filled, c)
    candidate = first.fillna("").astype(str).str.match(TOTAL_PATTERN)
    types = {c.name: c.type for c in kind.columns}
    for pos, name in mapping.items():
        if pos not in texts or name == "currency" or types.get(name) not in (TEXT, DATE):
            continue
        cell = texts[pos]
        empty = cell.isna() | cell.str.casefold().isin(MISSING_TOKENS) | (first_pos == pos)
        if types[name] == DATE and (candidate & ~empty).any():
            check = candidate & ~empty
            dates = parse_dates(cell[check])
            has_date = dates.values.notna().to_numpy()
            if dates.month is not None:
                has_date |= dates.month > 0
            empty[check] = ~has_date
        candidate &= empty.astype(bool)
    is_total[candidate.index[candidate.to_numpy(dtype=bool)]] = True
    return is_total


# At most this many rows that start like a totals row are judged cell by cell in Python (a
# report has one or two); more (a campaign called "Total Refresh" on every day) stay columnar.
_FEW_ROWS = 64


def _is_missing_cell(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array in an object cell
        return False


def _cell_values(col: pd.Series) -> list:
    """col.tolist(); a dictionary column of text read from its codes (missing: None, which
    is missing to the caller as NaN is), without pandas building the column's object array."""
    if is_dictionary(col) and isinstance(col.dtype.categories.dtype, pd.StringDtype):
        categories = col.array.categories
        return [categories[c] if c >= 0 else None for c in col.array.codes.tolist()]
    return col.tolist()


def _few_texts(rows: pd.DataFrame) -> dict | None:
    """`_text` of every column of a few rows, as lists (None where missing): the same text,
    with one Arrow call for all the stripping (pandas' .str.strip() on text is Arrow's
    utf8_trim_whitespace). None when a column is neither text nor object cells."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells: list[str | None] = []
    for c in rows.columns:
        col = rows[c]
        if not (_is_text(col) or col.dtype == object):
            return None
        for v in _cell_values(col):
            if isinstance(v, str):
                cells.append(v)
            elif v is None or _is_missing_cell(v):
                cells.append(None)
            elif isinstance(v, float) and v.is_integer():
                cells.append(str(int(v)))
            else:
                cells.append(str(v))
    stripped = pc.utf8_trim_whitespace(pa.array(cells, pa.string())).to_pylist()
    stripped = [None if t is None or t in _BLANK_TEXTS else t for t in stripped]
    n = len(rows)
    return {c: stripped[i * n : (i + 1) * n] for i, c in enumerate(rows.columns)}


def _few_total_rows(kind: Kind, mapping: dict[int, str], texts: dict, n: int) -> list[bool]:
    """_total_rows' judgement of a few candidate rows, from their cells as text (`_few_texts`)."""
    columns = list(texts)
    first_pos = [next((c for c in columns if texts[c][r] is not None), -1) for r in range(n)]
    candidate = [
        pos != -1 and TOTAL_PATTERN.match(texts[pos][r]) is not None
        for r, pos in enumerate(first_pos)
    ]
    types = {c.name: c.type for c in kind.columns}
    for pos, name in mapping.items():
        if pos not in texts or name == "currency" or types.get(name) not in (TEXT, DATE):
            continue
        cell = texts[pos]
        empty = [
            cell[r] is None or cell[r].casefold() in MISSING_TOKENS or first_pos[r] == pos
            for r in range(n)
        ]
        check = [r for r in range(n) if candidate[r] and not empty[r]]
        if types[name] == DATE and check:
            dates = parse_dates(pd.Series([cell[r] for r in check], dtype="str"))
            has_date = dates.values.notna().to_numpy()
            if dates.month is not None:
                has_date |= dates.month > 0
            for r, dated in zip(check, has_date, strict=True):
                empty[r] = not dated
        candidate = [c and e for c, e in zip(candidate, empty, strict=True)]
    return candidate


# The totals row's cells in the body's NumberBatch: a name no column has.
_TOTAL_KEY = "\x00total:"


def _total_cells(kind: Kind, raw_total: dict[str, pd.Series]) -> dict[str, pd.Series]:
    """The first totals row's cells of the additive columns (the ones its totals are of)."""
    return {
        col.name: raw_total[col.name].head(1).reset_index(drop=True)
        for col in kind.columns
        if col.additive and col.name in raw_total and len(raw_total[col.name])
    }


def _totals(
    first: dict[str, pd.Series], hint: str | None, shared: NumberBatch | None = None
) -> dict[str, float]:
    """The numbers of a totals row's cells (`_total_cells`); `shared`: a batch that holds them
    already (as _TOTAL_KEY + name), else its text cells are cleaned together in their own."""
    keys = {name: _TOTAL_KEY + name for name in first}
    if shared is None or not all(key in shared.names for key in keys.values()):
        shared, keys = NumberBatch(first), {name: name for name in first}
    totals = {}
    for name, cell in first.items():
        key = keys[name]
        parsed = shared.parse(key, hint) if key in shared.names else parse_numbers(cell, hint)
        value = parsed.values.iloc[0]
        if not np.isnan(value):
            totals[name] = float(value)
    return totals


def _kind_fixes(table: ParsedTable) -> None:
    """Per-kind repairs that the generic parse cannot know about."""
    df = table.frame
    if table.kind == "follower_gender" and "gender" in df:
        df["gender"] = gender_labels(df["gender"])
    if table.kind == "follower_territories" and "territory" in df:
        df["territory"] = territory_labels(df["territory"])
    if table.kind in ("follower_gender", "follower_territories") and "share" in df:
        # Distribution is a fraction 0–1; some files (or Excel re-saves) give 0–100.
        if df["share"].max(skipna=True) > 1.000001:
            df["share"] = df["share"] / 100.0
    if table.kind == "ads":
        for dim in ("campaign", "ad_group", "ad"):
            if dim not in df:
                df[dim] = pd.Series(pd.NA, index=df.index, dtype="str")
        if "date" not in df:
            table.warnings.append(
                "This report has no daily breakdown (no “By Day” column), so date windows "
                "cannot be applied to it; add “By Day” under Dimensions in Ads Manager."
            )


def check_totals(table: ParsedTable) -> None:
    """Compare a totals row with the sums of the rows; warn when they disagree."""
    df = table.frame
    n = len(df)
    off = []
    for name, total in (table.totals or {}).items():
        if name not in df:
            continue
        summed = float(df[name].sum(skipna=True))
        # Rows are rounded to cents (or whole counts) one by one; allow for that rounding.
        tolerance = max(0.006 * n, abs(total) * 0.0005, 0.01)
        # Masked "<5" cells are missing in the rows but counted in TikTok's total.
        hidden = table.masked_bounds.get(name, 0.0)
        if not (-tolerance <= total - summed <= hidden + tolerance):
            off.append(f"{name} {summed:,.2f} vs {total:,.2f}")
    if off:
        table.warnings.append(
            "The totals row disagrees with the sum of the rows ("
            + "; ".join(off[:4])
            + "). Some rows may be missing or filtered in this download."
        )
