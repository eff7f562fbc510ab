"""On a large account the Overview's "What stands out" fills in after the cards (ui/story.py).

The threshold is lowered to the sample's size and the findings' background computation is
held at a gate, so the page is seen in the state a marketer sees on a million rows: the KPI
cards complete, the panel saying it is still checking; once released, the next run draws the
same sentences the page draws when it computes them in place.
"""

from __future__ import annotations

import threading
import time

import pytest

from tests.test_pages import TIMEOUT, assert_clean, card, open_app
from ui import story

# A window no other test asks for (the sample's figures are kept for the whole process).
QUERY = {"days": "60", "end": "2026-10-13"}


def _texts(at) -> list[str]:
    return [m.value for m in at.markdown]


@pytest.fixture
def gated(monkeypatch):
    real = story.stand_out
    gate = threading.Event()

    class Gated:
        kept = staticmethod(real.kept)

        def __call__(self, *args, **kwargs):
            if threading.current_thread().name == "story":
                gate.wait(TIMEOUT)
            return real(*args, **kwargs)

    monkeypatch.setattr(story, "stand_out", Gated())
    monkeypatch.setattr(story, "DEFER_ROWS", 1)
    yield gate
    gate.set()


def test_the_panel_fills_in_after_the_cards_on_a_large_account(gated):
    at = open_app(**QUERY)
    # Pending: every card is drawn with its number; the panel says it is still checking.
    assert card(at, "Spend").value and card(at, "Impressions").value
    pending = [c.value for c in at.caption if "ad rows for tiring ads" in c.value]
    assert len(pending) == 1, [c.value for c in at.caption]
    # The sample's Ads Manager report: 1,380 rows (15 ads × 92 days, 1 Aug – 31 Oct 2026).
    assert "Checking 1,380 ad rows" in pending[0]
    assert "**What stands out**" in _texts(at)
    assert not any(t.startswith("**“") for t in _texts(at))  # no finding yet

    gated.set()
    deadline = time.monotonic() + TIMEOUT
    while story._JOBS and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not story._JOBS
    at.run(timeout=TIMEOUT)
    assert_clean(at)
    assert not any("ad rows for tiring ads" in c.value for c in at.caption)
    deferred = _texts(at)

    # The same page computed in place (threshold back up): the same sentences.
    story.DEFER_ROWS = 10**9
    direct = open_app(**QUERY)
    assert deferred == _texts(direct)
    assert "**What stands out**" in deferred


def test_small_accounts_draw_the_panel_in_place(gated):
    story.DEFER_ROWS = 1381  # one more than the sample's ad rows: never deferred
    at = open_app(days="60", end="2026-10-12")
    assert not any("ad rows for tiring ads" in c.value for c in at.caption)
    assert not story._JOBS
