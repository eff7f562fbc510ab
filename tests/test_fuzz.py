"""Hypothesis over the importer, the formula language and the template loader.

The test run uses a bounded profile; `FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py`
runs a longer one by hand. Every case must end in a value or a sentence (never an exception
of another kind), within the budgets: each import is timed and given at most 5 s.
"""

from __future__ import annotations

import io
import os
import time
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.formula import FormulaError, parse_custom_column, parse_expression
from metrics.io import load_files
from metrics.templates import TemplateError, load_template

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SECONDS = 5.0
NAMES = {"spend", "impressions", "clicks", "video_views", "conversions", "reach"}
INTERNALS = ("Traceback", "Error(", "Exception", "NoneType", 'File "')

OVERVIEW = (
    '"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
    '"October 1","100","5","10","1","0"\n"October 2","200","6","20","2","1"\n'
)
ADS = (
    "By Day,Campaign name,Ad group name,Ad name,Currency,Cost,Impressions,Clicks (destination)\n"
    "2026-10-01,Autumn,UK,Latte,GBP,£10.00,1000,10\n2026-10-02,Autumn,UK,Latte,GBP,£5.00,500,4\n"
)
TOKENS = st.sampled_from(
    [",", ";", "\t", '"', "\n", "\r\n", "sep=;", "<5", "--", "1e309", "9" * 40, "-", "=", "+",
     "£", "€", "1.234,5", "Total", "undefined", "\ufeff", "\x00", "PK\x03\x04", "[", "{",
     "By Day", "Date", "Followers", "٥", "２", "", " "]
)  # fmt: skip


@st.composite
def mutated(draw) -> bytes:
    text = draw(st.sampled_from([OVERVIEW, ADS]))
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "repeat", "cut"]))
        if op == "insert":
            text = text[:pos] + draw(TOKENS) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)) :]
        elif op == "repeat":
            text = text[:pos] + text[pos:] * draw(st.integers(1, 3))
        else:
            text = text[:pos]
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1252", "utf-8-sig"]))
    return text.encode(encoding, errors="replace")


@st.composite
def archives(draw) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(draw(st.integers(0, 4))):
            name = draw(st.sampled_from(["Overview.csv", "../x.csv", "a/b/c.csv", "é.csv", "z"]))
            zf.writestr(f"{i}{name}", draw(mutated()))
    data = buffer.getvalue()
    if draw(st.booleans()) and data:  # damage a byte
        pos = draw(st.integers(0, len(data) - 1))
        data = data[:pos] + bytes([data[pos] ^ 0xFF]) + data[pos + 1 :]
    return data


def assert_within_budget(files: list[tuple[str, bytes]]) -> None:
    start = time.process_time()
    dataset = load_files(files)
    assert time.process_time() - start < SECONDS
    assert dataset.reports
    for report in dataset.reports:
        for text in [report.error or "", *report.warnings]:
            assert not any(bit in text for bit in INTERNALS), text
        if report.error:
            assert report.kind is None and report.error.startswith("“")


@PROFILE
@given(data=mutated(), suffix=st.sampled_from([".csv", ".txt", ".xlsx", ""]))
def test_mutated_exports(data, suffix):
    assert_within_budget([(f"report{suffix}", data)])


@PROFILE
@given(data=archives())
def test_zip_archives(data):
    assert_within_budget([("export.zip", data)])


@PROFILE
@given(
    files=st.lists(st.tuples(st.sampled_from(["a.csv", "b.zip", "c.xlsx"]), mutated()), max_size=4)
)
def test_multi_file_uploads(files):
    if files:
        assert_within_budget(files)


FORMULA_TEXT = st.lists(
    st.sampled_from(
        list("+-*/() .0123456789eE_=,'\"[]%^٥２") + sorted(NAMES) + ["__import__", "os", "x"]
    ),
    max_size=40,
).map("".join)


@PROFILE
@given(text=FORMULA_TEXT)
def test_formulas_parse_or_say_why(text):
    try:
        formula = parse_expression(text, NAMES)
    except FormulaError as err:
        assert err.message and not any(bit in err.message for bit in INTERNALS)
        return
    assert set(formula.names) <= NAMES
    # A parsed formula holds only ASCII digits.
    assert all(not ch.isdigit() or ch in "0123456789" for ch in text)


@PROFILE
@given(text=FORMULA_TEXT)
def test_custom_columns_parse_or_say_why(text):
    try:
        parse_custom_column(f"my_col = {text}", NAMES, "ratio")
    except FormulaError as err:
        assert err.message


TEMPLATE_TEXT = st.one_of(
    st.text(max_size=300),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["name", "level", "metrics", "custom_columns", "days", "x"]),
                children,
                max_size=5,
            )
        ),
        max_leaves=20,
    ).map(lambda v: __import__("json").dumps(v)),
    st.integers(1, 70_000).map(lambda n: "[" * n),
)


@PROFILE
@given(text=TEMPLATE_TEXT)
def test_templates_load_or_say_why(text):
    try:
        load_template(text)
    except TemplateError as err:
        assert str(err) and not any(bit in str(err) for bit in INTERNALS)
