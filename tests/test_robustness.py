"""Random bytes and mangled CSVs only ever produce the importer's own clear sentences."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.io import load_files

TODAY = dt.date(2026, 11, 22)
GOOD = (
    '\ufeff"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
    '"October 1","100","5","10","1","0"\n"October 2","200","6","20","2","1"'
)


def assert_clean(dataset, name):
    assert dataset.reports, "every file must get a report"
    for report in dataset.reports:
        assert report.file.startswith(name)
        if report.error:
            assert report.kind is None
            # A sentence for a person: names the file, no Python internals.
            assert report.error.startswith(f"“{name}")
            for internal in ("Traceback", "Error(", "Exception", "NoneType", "errno"):
                assert internal not in report.error
        else:
            assert report.kind is not None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".zip", ".json", ""])
)
def test_random_bytes_never_raise(data, suffix):
    name = f"upload{suffix}"
    assert_clean(load_files([(name, data)], today=TODAY), name)


@st.composite
def mangled_csv(draw):
    text = GOOD
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["cut", "insert", "delete", "dup"]))
        pos = draw(st.integers(0, len(text)))
        if op == "cut":
            text = text[:pos]
        elif op == "insert":
            text = (
                text[:pos] + draw(st.text(alphabet=',;"\n\t\r%£€-<>5a ', max_size=8)) + text[pos:]
            )
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 10)) :]
        else:
            text = text[:pos] + text[pos:] + text[pos:]
    return text.encode(draw(st.sampled_from(["utf-8", "utf-16", "cp1252"])), errors="replace")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mangled_csv())
def test_mangled_csv_never_raises(data):
    assert_clean(load_files([("Overview.csv", data)], today=TODAY), "Overview.csv")


def test_a_bad_file_does_not_stop_the_others():
    files = [("broken.zip", b"PK\x03\x04garbage"), ("Overview.csv", GOOD.encode("utf-8"))]
    dataset = load_files(files, today=TODAY)
    assert [r.kind for r in dataset.reports] == [None, "overview"]
    assert dataset.get("overview")["video_views"].sum() == 300
