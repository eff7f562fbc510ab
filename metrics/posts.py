"""One post against the account's posts: rank, percentile and the median post, per metric.

The Content export holds lifetime totals per video. A post is compared with the posts
published in the window (the account's "usual post" then), or with every post in the export
when the window holds fewer than two.
"""

from __future__ import annotations

import pandas as pd

from .aggregate import aggregate, in_window
from .definitions import POSTS, REGISTRY
from .io import Dataset
from .windows import Window

# Per-post numbers worth comparing (the export's own columns and the rates made from them).
COMPARED = (
    "video_views",
    "likes",
    "comments",
    "shares",
    "saves",
    "engagement_rate",
    "new_viewers",
    "new_followers",
)


def post_key(posts: pd.DataFrame) -> pd.Series:
    """A stable id per post: its link, else its title and post time."""
    fallback = (
        posts["video_title"].astype("string").fillna("")
        + " · "
        + posts["post_time"].astype("string").fillna("")
    )
    if "video_link" in posts:
        return posts["video_link"].astype("string").fillna(fallback)
    return fallback


def all_posts(dataset: Dataset) -> pd.DataFrame:
    """Every post of the Content export with its metrics and a `key` column."""
    posts = aggregate(dataset, POSTS, level="post")
    return posts.assign(key=post_key(posts)).reset_index(drop=True)


def posts_in_window(posts: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    """The posts published in the window (by post time)."""
    if window is None or "post_time" not in posts:
        return posts
    return in_window(posts, window, "post_time").reset_index(drop=True)


def comparison_set(posts: pd.DataFrame, window: Window | None) -> tuple[pd.DataFrame, bool]:
    """(the posts a post is compared with, whether they are the window's): the window's posts
    when it holds at least two, else every post in the export."""
    inside = posts_in_window(posts, window)
    if len(inside) >= 2:
        return inside, True
    return posts, False


def standing(peers: pd.DataFrame, post: pd.Series) -> pd.DataFrame:
    """Per metric the post has: its value, its rank among `peers` (1 = highest; ties share
    the better rank), how many posts have a value, the share of the *other* posts it beats
    (strictly lower value), the median post and the post ÷ the median.

    `post` is one row of `all_posts`; it counts among the peers whether or not it is one.
    """
    rows = []
    others = peers[peers["key"] != post["key"]]
    for name in COMPARED:
        if name not in peers or name not in post.index or pd.isna(post[name]):
            continue
        values = others[name].dropna().astype("float64")
        value = float(post[name])
        everyone = pd.concat([values, pd.Series([value])], ignore_index=True)
        median = float(everyone.median())
        rows.append(
            {
                "metric": name,
                "label": REGISTRY[POSTS][name].label,
                "unit": REGISTRY[POSTS][name].unit,
                "value": value,
                "rank": int((values > value).sum()) + 1,
                "of": len(everyone),
                "beats": float((values < value).mean()) if len(values) else None,
                "median": median,
                "vs_median": value / median if median else None,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["metric", "label", "unit", "value", "rank", "of", "beats", "median", "vs_median"],
    )


def differences(table: pd.DataFrame, far: float = 2.0) -> pd.DataFrame:
    """The metrics where the post is far from the median post (at least `far` times it, or
    at most 1/`far`), furthest first: what made it different."""
    ratio = table["vs_median"].astype("float64")
    distance = ratio.where(ratio >= 1, 1 / ratio)
    out = table.assign(distance=distance)
    out = out[out["distance"] >= far]
    return out.sort_values("distance", ascending=False, kind="stable").drop(columns="distance")
