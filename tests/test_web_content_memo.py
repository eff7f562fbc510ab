"""The Content page reads its tables from the memo (ui/posts.py): a page switch back to it,
or a window shown before, sorts, ranks and formats no post again.

Sorting and formatting the 15 sample posts, and ranking the chosen post among its peers,
took some 55 ms of the page's 90 ms run here; the figures only change with the dataset,
the window and the choices on the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import metrics.posts
import ui.posts

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"


@pytest.fixture
def calls(monkeypatch):
    """Every call of the post table's sort and of the post's ranking, by name."""
    seen = []

    def counted(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            seen.append(name)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counted(ui.posts, "post_table")
    counted(ui.posts, "standing")
    counted(metrics.posts, "standing")
    return seen


def _content(at: AppTest) -> tuple:
    """What the page showed: its tables, its Markdown and captions."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return (
        [frame.value.to_dict("list") for frame in at.dataframe],
        [m.value for m in at.markdown],
        [c.value for c in at.caption],
    )


def test_content_shown_again_recomputes_no_table(calls):
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.query_params.update({"days": "60"})
    at.run(timeout=180)
    at.switch_page("pages/content.py").run(timeout=180)
    first = _content(at)
    assert len(first[0]) == 2  # the window's top posts and every post
    at.switch_page("pages/overview.py").run(timeout=180)
    calls.clear()
    at.switch_page("pages/content.py").run(timeout=180)
    assert calls == []
    assert _content(at) == first
