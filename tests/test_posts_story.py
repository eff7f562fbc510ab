"""One post against the account (metrics/posts.py) and "What stands out" (metrics/story.py)."""

import datetime as dt

import pandas as pd
import pytest

from metrics.posts import comparison_set, differences, standing
from metrics.report import resolve_window
from metrics.story import LIMIT, stand_out, verdict_order
from metrics.windows import Window


def _posts(views, days):
    return pd.DataFrame(
        {
            "key": [f"P{i}" for i in range(len(views))],
            "video_title": [f"Post {i}" for i in range(len(views))],
            "post_time": pd.to_datetime(days),
            "video_views": [float(v) for v in views],
        }
    )


def test_rank_percentile_and_median_by_hand():
    posts = _posts([10, 30, 20, 30], ["2026-01-01"] * 4)
    row = standing(posts, posts.iloc[1]).set_index("metric").loc["video_views"]
    # 30 views: nobody has more (rank 1, shared with the other 30); of the three others,
    # two have fewer (10 and 20): better than 2/3; median of 10, 20, 30, 30 is 25.
    assert row["rank"] == 1 and row["of"] == 4
    assert row["beats"] == pytest.approx(2 / 3)
    assert row["median"] == 25.0 and row["vs_median"] == pytest.approx(30 / 25)
    low = standing(posts, posts.iloc[0]).set_index("metric").loc["video_views"]
    assert low["rank"] == 4 and low["beats"] == 0.0


def test_what_made_it_different_is_far_from_the_median():
    posts = _posts([10, 10, 10, 100], ["2026-01-01"] * 4)
    posts["likes"] = [5.0, 5.0, 5.0, 6.0]
    table = standing(posts, posts.iloc[3])
    far = differences(table)
    # views 100 against a median of 10 (10, 10, 10, 100): 10×; likes 6 against 5: not far.
    assert list(far["metric"]) == ["video_views"]
    assert far["vs_median"].iloc[0] == pytest.approx(10.0)


def test_posts_are_compared_with_the_window_when_it_has_two():
    posts = _posts([1, 2, 3], ["2026-01-01", "2026-02-10", "2026-02-20"])
    peers, of_window = comparison_set(posts, Window(dt.date(2026, 2, 1), dt.date(2026, 2, 28)))
    assert of_window and list(peers["key"]) == ["P1", "P2"]
    peers, of_window = comparison_set(posts, Window(dt.date(2026, 2, 15), dt.date(2026, 2, 28)))
    assert not of_window and len(peers) == 3  # one post in the window: the whole export


def test_verdict_order_puts_a_verdict_first_then_spend():
    groups = [
        {"campaign": "C", "ad_group": "none", "hook_significant": False, "cta_significant": False},
        {"campaign": "C", "ad_group": "one", "hook_significant": True, "cta_significant": False},
        {"campaign": "C", "ad_group": "both", "hook_significant": True, "cta_significant": True},
        {"campaign": "C", "ad_group": "both, more spend", "hook_significant": True,
         "cta_significant": True},
        {"campaign": "(all campaigns)", "ad_group": "(whole account)", "hook_significant": True,
         "cta_significant": True},
    ]  # fmt: skip
    spend = {("C", "both"): 10.0, ("C", "both, more spend"): 99.0, ("C", "none"): 500.0}
    order = [g["ad_group"] for g in verdict_order(groups, spend)]
    assert order == ["both, more spend", "both", "one", "none", "(whole account)"]


def test_the_sample_story_stands_out(sample_dataset):
    # The story the sample generator wrote (README): "Latte pour – v1" tires, in "Broad UK
    # 18-54" "Bean-to-cup ASMR" has the best hook and the offer card the best CTA, a post
    # went viral on 18 July.
    items = stand_out(sample_dataset, resolve_window(sample_dataset, 28))
    assert 1 <= len(items) <= LIMIT
    kinds = {i["kind"]: i for i in items}
    assert kinds["fatigue"]["ad"] == "Latte pour – v1"
    assert kinds["hook_cta"]["ad_group"] == "Broad UK 18-54"
    assert kinds["hook_cta"]["best_hook"] == "Bean-to-cup ASMR"
    assert kinds["hook_cta"]["best_cta"] == "20% off first bag – offer card"
    assert kinds["post"]["post_time"].date() == dt.date(2026, 7, 18)
    assert [i["kind"] for i in items][:3] == ["fatigue", "hook_cta", "post"]


def test_story_sentences_say_the_direction_in_words_and_round_multiples():
    from ui.story import sentence

    fatigue = {
        "kind": "fatigue",
        "ad": "Latte pour",
        "ad_group": "UK",
        "ctr_change": -0.52449,  # 1.00 % → 0.47551 %: down 52.449 % → 52.4 %
        "decline_began": dt.date(2026, 9, 20),
    }
    text = sentence(fatigue, "GBP")
    assert "its CTR is down 52.4 % from its first week, declining since 20 Sep 2026." in text
    assert "-52" not in text and "−52" not in text
    post = {
        "kind": "post",
        "scope": "export",
        "title": "Tall latte",
        "post_time": dt.date(2026, 7, 18),
        "views": 194539,
        "median_views": 14628,
        "times_median": 194539 / 14628,  # 13.2991… → 13.3× (not 13.30×)
    }
    assert "views: 13.3× your median post (14,628)." in sentence(post, None)
    assert "2.45× your median post" in sentence({**post, "times_median": 2.4549}, None)
