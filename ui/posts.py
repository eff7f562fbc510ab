"""Post tables for the Content page."""

from __future__ import annotations

import pandas as pd

from metrics.definitions import POSTS
from metrics.posts import COMPARED, comparison_set, posts_in_window, standing

from .derived import all_posts
from .memo import per_dataset
from .numbers import format_days
from .widgets import column_config, shown

# The post table: title and time, the numbers a post is compared on, its link.
COLUMNS = ["video_title", "post_time", *COMPARED, "video_link"]


def safe_links(posts: pd.DataFrame) -> pd.DataFrame:
    """Keep only http(s) links clickable; anything else (javascript:, data:) is dropped."""
    if "video_link" in posts:
        links = posts["video_link"].astype("str")
        ok = links.str.match(r"^https?://", case=False, na=False)
        posts = posts.assign(video_link=posts["video_link"].where(ok))
    return posts


def post_table(posts: pd.DataFrame, rank_by: str, top_n: int | None) -> pd.DataFrame:
    """Posts sorted by a metric (missing last), the columns that have data, optionally the top N."""
    ordered = posts.sort_values(rank_by, ascending=False, na_position="last", kind="stable")
    if top_n:
        ordered = ordered.head(top_n)
    keep = [c for c in COLUMNS if c in ordered and ordered[c].notna().any()]
    out = ordered[keep].reset_index(drop=True)
    if "post_time" in out:
        out["post_time"] = format_days(out["post_time"], with_time=True)
    return out.rename(columns={"video_title": "Title", "post_time": "Posted"})


# The Content page's tables, computed once per dataset, window and choice (ui/memo.py): a
# page switch back, a window shown before or another session on the same data reads them.
# Sorting and formatting the posts took most of the page's run (some 50 of 90 ms here).
def _window_posts(dataset, window) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every post with only http(s) links kept, the posts published in the window)."""
    posts = safe_links(all_posts(dataset))
    return posts, posts_in_window(posts, window)


def _shown_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    return shown(frame, POSTS), column_config(frame, POSTS, None)


def _top_posts(dataset, window, rank_by: str, top_n: int) -> tuple[pd.DataFrame, dict]:
    """The window's top posts as the table shows them, and its column settings."""
    return _shown_table(post_table(window_posts(dataset, window)[1], rank_by, top_n))


def _every_post(dataset) -> tuple[pd.DataFrame, dict]:
    """Every post as the table shows it (most viewed first), and its column settings."""
    return _shown_table(post_table(window_posts(dataset, None)[0], "video_views", None))


def _post_standing(dataset, window, key: str) -> tuple[pd.DataFrame, int, bool]:
    """(the post's standing among its peers, how many peers, whether they are the window's)."""
    posts = window_posts(dataset, window)[0]
    peers, of_window = comparison_set(posts, window)
    return standing(peers, posts[posts["key"] == key].iloc[0]), len(peers), of_window


window_posts = per_dataset(_window_posts)
top_posts = per_dataset(_top_posts)
every_post = per_dataset(_every_post)
post_standing = per_dataset(_post_standing)
