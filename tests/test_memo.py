"""The per-dataset memo (ui/memo.py) and the shared charts (ui/charts.py): each distinct call
computed once, what is handed out never reaches what is kept, bounded, forgotten with its
dataset; and the pages show the same figures from it as straight from metrics/."""

from __future__ import annotations

import datetime as dt
import gc
import threading

import pandas as pd
import pytest

from metrics.io import Dataset
from metrics.report import summary_changes
from metrics.windows import last_n_days
from ui import charts, derived, loading
from ui.memo import MEMO, Memo, per_dataset, token_of


def _dataset(values=(1.0, 2.0, 3.0)) -> Dataset:
    frame = pd.DataFrame(
        {"date": pd.date_range("2026-10-01", periods=len(values)), "spend": list(values)}
    )
    return Dataset(tables={"ads": frame})


def _counting():
    calls = []

    def spend_in(dataset, days, metrics=("spend",)):
        calls.append((days, tuple(metrics)))
        frame = dataset.tables["ads"]
        return {"frame": frame.tail(days).copy(), "total": float(frame.tail(days)["spend"].sum())}

    return calls, spend_in


def test_each_distinct_call_is_computed_once():
    calls, fn = _counting()
    wrapped = per_dataset(fn)
    dataset = _dataset()
    assert wrapped(dataset, 2)["total"] == 5.0  # 2 + 3
    assert wrapped(dataset, 2)["total"] == 5.0
    assert wrapped(dataset, 3, metrics=["spend"])["total"] == 6.0
    assert wrapped(dataset, 3, metrics=["spend"])["total"] == 6.0  # a list, frozen for the key
    assert calls == [(2, ("spend",)), (3, ("spend",))]
    other = _dataset((10.0, 20.0, 30.0))  # another dataset: its own entries
    assert wrapped(other, 2)["total"] == 50.0
    assert len(calls) == 3


def test_what_is_handed_out_never_changes_what_is_kept():
    _, fn = _counting()
    wrapped = per_dataset(fn)
    dataset = _dataset()
    first = wrapped(dataset, 3)
    first["frame"]["spend"] = 0.0  # a page changing its copy in place
    first["frame"].loc[first["frame"].index[0], "date"] = pd.Timestamp("2000-01-01")
    first["total"] = -1
    again = wrapped(dataset, 3)
    assert again["total"] == 6.0
    assert again["frame"]["spend"].tolist() == [1.0, 2.0, 3.0]
    assert again["frame"]["date"].iloc[0] == pd.Timestamp("2026-10-01")


def test_a_datasets_entries_go_when_the_dataset_does():
    calls, fn = _counting()
    memo = Memo(max_bytes=10**9, ttl=3600)
    dataset = _dataset()
    memo.call(fn, dataset, (2,), {})
    assert len(memo) == 1
    del dataset
    gc.collect()
    memo.call(fn, _dataset(), (1,), {})  # the next call purges the dead dataset's entries
    assert len(memo) == 1
    assert len(calls) == 2


def test_the_memo_is_bounded_by_size_and_by_age(monkeypatch):
    calls, fn = _counting()
    memo = Memo(max_bytes=1, ttl=3600)  # nothing fits: computed every time, nothing kept
    dataset = _dataset()
    memo.call(fn, dataset, (2,), {})
    memo.call(fn, dataset, (2,), {})
    assert len(memo) == 0 and len(calls) == 2
    aged = Memo(max_bytes=10**9, ttl=60)
    clock = [1000.0]
    monkeypatch.setattr("ui.memo.time.monotonic", lambda: clock[0])
    aged.call(fn, dataset, (2,), {})
    clock[0] += 30
    aged.call(fn, dataset, (2,), {})
    assert len(calls) == 3  # within the TTL: read
    clock[0] += 61
    aged.call(fn, dataset, (2,), {})
    assert len(calls) == 4  # past it: computed again


def test_sessions_asking_at_once_compute_once():
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow(dataset, days):
        calls.append(days)
        started.set()
        release.wait(10)
        return days * 2

    memo = Memo(max_bytes=10**9, ttl=3600)
    dataset = _dataset()
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(memo.call(slow, dataset, (4,), {})))
        for _ in range(5)
    ]
    threads[0].start()
    started.wait(10)
    for t in threads[1:]:
        t.start()
    release.set()
    for t in threads:
        t.join(10)
    assert results == [8] * 5
    assert calls == [4]


def test_unhashable_arguments_are_computed_every_time():
    calls = []

    def by_frame(dataset, frame):
        calls.append(1)
        return len(frame)

    wrapped = per_dataset(by_frame)
    dataset = _dataset()
    assert wrapped(dataset, pd.DataFrame({"a": [1, 2]})) == 2
    assert wrapped(dataset, pd.DataFrame({"a": [1, 2, 3]})) == 3
    assert len(calls) == 2


def test_every_sessions_view_of_the_sample_shares_one_token():
    _, dataset = loading._sample()
    one, two = loading._session_view(dataset), loading._session_view(dataset)
    assert one is not two and one.tables is not two.tables
    assert token_of(one) == token_of(two) == loading.SAMPLE_TOKEN
    assert token_of(_dataset()) != token_of(_dataset())


def test_the_pages_figures_from_the_memo_equal_the_direct_ones(sample_dataset):
    # The sample's 28 days ending 31 Oct 2026: spend summed straight from the dataset's rows
    # (an independent sum), and the memo's answer equal to the unmemoised function's.
    window = last_n_days(28, dt.date(2026, 10, 31))
    ads = sample_dataset.tables["ads"]
    inside = ads[(ads["date"] >= "2026-10-04") & (ads["date"] <= "2026-10-31")]
    direct = summary_changes(sample_dataset, window)
    memo_first = derived.summary_changes(sample_dataset, window)
    memo_again = derived.summary_changes(sample_dataset, window)
    assert memo_first["ads"]["spend"].value == pytest.approx(inside["spend"].sum())
    for family in direct:
        for name, change in direct[family].items():
            for got in (memo_first[family][name], memo_again[family][name]):
                assert (got.value, got.previous, got.p_value) == (
                    change.value,
                    change.previous,
                    change.p_value,
                ), (family, name)
    assert MEMO.total > 0


def test_a_chart_of_the_same_data_is_built_once_and_of_other_data_anew():
    frame = pd.DataFrame({"campaign": ["A", "B"], "spend": [1.5, 2.5]})
    first = charts.bars(frame, "campaign", "spend", "Spend")
    same = charts.bars(frame.copy(), "campaign", "spend", "Spend")  # equal content
    assert same is first
    other = charts.bars(
        pd.DataFrame({"campaign": ["A", "B"], "spend": [1.5, 9.0]}), "campaign", "spend", "Spend"
    )
    assert other is not first
    values = other.to_dict()["datasets"]
    assert [row["spend"] for rows in values.values() for row in rows] == [1.5, 9.0]
    retitled = charts.bars(frame, "campaign", "spend", "Cost")
    assert retitled is not first


def test_the_samples_default_windows_are_computed_before_anyone_asks():
    from metrics.aggregate import data_end

    _, dataset = loading._sample()
    view = loading._session_view(dataset)
    derived.prefetch(view)  # what the server does once, in the background, at start
    before = MEMO.computed
    end = data_end(dataset)
    for days in (7, 28, 60, 365):
        window = last_n_days(days, end)
        changes = derived.summary_changes(loading._session_view(dataset), window)
        assert changes == summary_changes(dataset, window)  # the same figures as direct
        derived.stand_out(loading._session_view(dataset), window)
    assert MEMO.computed == before  # every one of them read, none computed again


def test_an_uploads_first_window_is_under_way_before_the_overview_asks(monkeypatch):
    from metrics.aggregate import data_end
    from metrics.io import load_files
    from ui import state

    header = "By Day,Campaign name,Ad group name,Ad name,Currency,Cost,Impressions"
    rows = [f"2026-09-{d:02d},Camp P,Group P,Ad P,GBP,{d}.00,{100 * d}" for d in range(1, 31)]
    dataset = load_files([("Custom_report_P.csv", ("\n".join([header, *rows]) + "\n").encode())])
    monkeypatch.setattr(loading.st, "session_state", {state.DATASET: dataset})
    loading._prefetch_upload()  # what add_files does after an upload
    for thread in threading.enumerate():
        if thread.name == "upload-prefetch":
            thread.join(60)
    before = MEMO.computed
    window = last_n_days(28, data_end(dataset))
    assert window.start == dt.date(2026, 9, 3) and window.end == dt.date(2026, 9, 30)
    changes = derived.summary_changes(dataset, window)
    assert changes == summary_changes(dataset, window)
    derived.stand_out(dataset, window)
    assert MEMO.computed == before  # both were computed by the prefetch, none again
    # 28 days of cost 3..30: 3 + 4 + ... + 30 = (3 + 30) * 28 / 2 = 462
    assert sum(dataset.tables["ads"].set_index("date").loc["2026-09-03":, "spend"]) == 462


def test_the_samples_figures_do_not_age_but_an_uploads_do(monkeypatch):
    calls, fn = _counting()
    memo = Memo(max_bytes=10**9, ttl=60)
    memo.pinned.add("pinned-token")
    clock = [1000.0]
    monkeypatch.setattr("ui.memo.time.monotonic", lambda: clock[0])
    kept, aged = _dataset(), _dataset()
    from ui.memo import set_token

    set_token(kept, "pinned-token")
    memo.call(fn, kept, (2,), {})
    memo.call(fn, aged, (2,), {})
    clock[0] += 120
    memo.call(fn, kept, (2,), {})
    memo.call(fn, aged, (2,), {})
    assert len(calls) == 3  # the pinned one read, the other computed again


def test_the_janitor_purges_a_dead_datasets_figures_and_only_collects_when_something_went(
    monkeypatch,
):
    # ui/janitor.sweep: a dataset that died since the last sweep has its entries dropped
    # from the shared memo and a collection runs; a sweep with nothing gone does not collect.
    from ui import janitor

    calls, fn = _counting()
    memo = Memo(max_bytes=10**9, ttl=3600)
    monkeypatch.setattr("ui.memo.MEMO", memo)
    monkeypatch.setattr(janitor, "_sessions", lambda: (0, 0))
    trims = []
    monkeypatch.setattr(janitor, "_malloc_trim", lambda: trims.append(1))
    # The process's own background sweep (started by any page run earlier in the session)
    # must not sweep between these steps: it would count a trim of its own.
    with janitor.paused():
        janitor.sweep()  # settle: nothing has died yet
        dataset = _dataset()
        memo.call(fn, dataset, (2,), {})
        assert len(memo) == 1
        assert janitor.sweep() is False and trims == []  # the dataset is alive: nothing to do
        del dataset
        gc.collect()
        assert janitor.sweep() is True and trims == [1]
        assert len(memo) == 0
        monkeypatch.setattr(janitor, "_sessions", lambda: (3, 0))  # three sessions reaped
        assert janitor.sweep() is True and trims == [1, 1]


def test_what_stands_out_reads_the_figures_the_pages_show_from_the_memo(
    monkeypatch, sample_dataset
):
    # The Overview's findings come from the period changes, the fatigue verdicts, hook vs CTA
    # and the ad groups' spend: after them, the cards and the Diagnostics page (called as the
    # pages call them) compute nothing more, and the findings equal the unshared function's.
    from metrics import story
    from metrics.diagnostics import DEFAULT_FLOOR_SHARE

    memo = Memo(max_bytes=10**9, ttl=3600)
    monkeypatch.setattr("ui.memo.MEMO", memo)
    window = last_n_days(28, dt.date(2026, 10, 31))
    shared = derived.stand_out(sample_dataset, window)
    assert memo.computed == 5  # stand_out and the four figures it reads
    derived.summary_changes(sample_dataset, window)
    derived.fatigue(sample_dataset, window, floor_share=DEFAULT_FLOOR_SHARE)
    derived.hook_vs_cta(sample_dataset, window)
    derived.group_spend(sample_dataset, window)
    assert memo.computed == 5
    assert shared == story.stand_out(sample_dataset, window)
    assert {item["kind"] for item in shared} >= {"fatigue", "hook_cta"}  # the sample's story


def _verdicts(n: int) -> list[dict]:
    """What a diagnostic returns on a big account: a record per ad, nested lists inside."""
    return [
        {
            "ad": f"Ad {i}",
            "impressions": float(i),
            "ok": i % 2 == 0,
            "ci": [0.1, 0.2],
            "evidence": {"days": i, "interval": (dt.date(2026, 10, 1), dt.date(2026, 10, 9))},
        }
        for i in range(n)
    ]


def test_records_handed_out_are_copies_down_to_their_nested_lists():
    wrapped = per_dataset(lambda dataset: _verdicts(3))
    dataset = _dataset()
    first = wrapped(dataset)
    first[0]["ad"] = "changed"
    first[1]["ci"].append(9.9)
    first[2]["evidence"]["days"] = -1
    first.append({"ad": "extra"})
    again = wrapped(dataset)
    assert [v["ad"] for v in again] == ["Ad 0", "Ad 1", "Ad 2"]
    assert again[1]["ci"] == [0.1, 0.2]
    assert again[2]["evidence"]["days"] == 2


def test_shared_hands_out_the_kept_value_itself_computed_once():
    calls = []
    wrapped = per_dataset(lambda dataset: calls.append(1) or _verdicts(2))
    dataset = _dataset()
    kept = wrapped.shared(dataset)
    assert wrapped.shared(dataset) is kept  # no copy
    copied = wrapped(dataset)
    assert copied == kept and copied is not kept and copied[0] is not kept[0]
    assert len(calls) == 1


def test_a_long_list_of_records_is_sized_from_a_sample_close_to_walking_it():
    from ui import memo

    # Each record: 64 (dict) + 3 leaves of 128 (384) + the list [0.1, 0.2] (64 + 2 × 128 =
    # 320) + the evidence dict (64 + a leaf 128 + the tuple of two dates, 64 + 2 × 128: 512)
    # = 1,280; a list adds 64. Every record alike, so the sample's estimate is exact.
    records = _verdicts(10_000)
    assert memo._size(records[:1]) == 64 + 1280
    assert memo._size(records) == 64 + 10_000 * 1280
    assert memo._size(list(range(1000))) == 64 + 1000 * 128
