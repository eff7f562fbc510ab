"""Post tables for the Content page."""

from __future__ import annotations

import pandas as pd

from metrics.posts import COMPARED

from .numbers import format_days

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
