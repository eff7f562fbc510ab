"""What stands out: at most five findings for the top of the Overview, picked from the
diagnostics and the period changes. Each is a dict with a `kind`, the `page` it links to and
the numbers a sentence needs (phrased in ui/story.py, with the app's one formatter).

Order: a fatigued ad, the hook and CTA winners, the best post, then the largest moves
against the previous period that are more than day-to-day noise.
"""

from __future__ import annotations

from .aggregate import in_window
from .definitions import ADS, ORGANIC, REGISTRY
from .diagnostics import fatigue, hook_vs_cta
from .io import Dataset
from .posts import all_posts, posts_in_window
from .report import summary_changes
from .windows import Window

LIMIT = 5
# The moves worth a sentence: the headline numbers of the KPI cards.
MOVE_CANDIDATES = {
    ORGANIC: ("video_views", "profile_views", "likes", "engagement_rate", "net_followers"),
    ADS: ("spend", "ctr", "cpc", "cpm", "conversions", "cpa", "roas", "hook_rate"),
}
VIRAL = 3.0  # a post with at least three times the median post's views


def group_spend(dataset: Dataset, window: Window | None) -> dict[tuple, float]:
    """(campaign, ad group) → spend in the window."""
    ads = in_window(dataset.get("ads"), window)
    if ads.empty or "spend" not in ads:
        return {}
    sums = ads.groupby(["campaign", "ad_group"], dropna=False, observed=True)["spend"].sum()
    return {key: float(v) for key, v in sums.items()}


def verdict_order(groups: list[dict], spend: dict[tuple, float]) -> list[dict]:
    """Ad groups with a verdict first (hook and CTA both clear, then one of them), the most
    spend first within each; the whole-account row last."""

    def key(g: dict):
        account = g["ad_group"] == "(whole account)"
        clear = int(g["hook_significant"]) + int(g["cta_significant"])
        return (account, -clear, -spend.get((g["campaign"], g["ad_group"]), 0.0))

    return sorted(groups, key=key)


def best_post(dataset: Dataset, window: Window | None) -> dict | None:
    """The most-viewed post published in the window when it is far above the median post
    (VIRAL ×), else the export's most-viewed post when it is; None when neither stands out."""
    if not dataset.has("content"):
        return None
    posts = all_posts(dataset)
    if "video_views" not in posts or posts["video_views"].notna().sum() < 3:
        return None
    median = float(posts["video_views"].median())
    for scope, pool in (("window", posts_in_window(posts, window)), ("export", posts)):
        pool = pool.dropna(subset=["video_views"])
        if pool.empty:
            continue
        top = pool.loc[pool["video_views"].idxmax()]
        if median > 0 and top["video_views"] >= VIRAL * median:
            return {
                "kind": "post",
                "page": "content",
                "scope": scope,
                "key": top["key"],
                "title": top["video_title"],
                "post_time": top["post_time"],
                "views": float(top["video_views"]),
                "median_views": median,
                "times_median": float(top["video_views"]) / median,
            }
    return None


def moves(dataset: Dataset, window: Window, limit: int = 2, summary=None) -> list[dict]:
    """The largest relative changes (against the previous period) that are more than noise;
    `summary`: `summary_changes(dataset, window)` when the caller has it already."""
    found = []
    if summary is None:
        summary = summary_changes(dataset, window)
    for family, changes in summary.items():
        for name in MOVE_CANDIDATES.get(family, ()):
            change = changes.get(name)
            if change is None or not change.significant or change.change is None:
                continue
            metric = REGISTRY[family][name]
            better = None
            if metric.higher_is_better is not None:
                better = (change.change > 0) == metric.higher_is_better
            found.append(
                {
                    "kind": "move",
                    "page": "overview",
                    "family": family,
                    "metric": name,
                    "label": metric.label,
                    "unit": metric.unit,
                    "value": change.value,
                    "previous": change.previous,
                    "change": change.change,
                    "better": better,
                    "days": window.days,
                }
            )
    found.sort(key=lambda m: abs(m["change"]), reverse=True)
    return found[:limit]


def stand_out(
    dataset: Dataset | None, window: Window | None, limit: int = LIMIT, figures=None
) -> list[dict]:
    """At most `limit` findings, most useful first.

    `figures` may give the functions the findings come from (`summary_changes`, `fatigue`,
    `hook_vs_cta`, `group_spend`, each called as `(dataset, window)`), e.g. cached ones that
    the pages showing the same figures share; by default this module's own.
    """
    if dataset is None or window is None:
        return []
    use = {
        "summary_changes": summary_changes,
        "fatigue": fatigue,
        "hook_vs_cta": hook_vs_cta,
        "group_spend": group_spend,
        **(figures or {}),
    }
    items: list[dict] = []
    if dataset.has("ads"):
        tired = [v for v in use["fatigue"](dataset, window) if v["status"] == "fatigued"]
        tired.sort(key=lambda v: -(v["evidence"].get("impressions") or 0))
        for v in tired[:2]:
            items.append(
                {
                    "kind": "fatigue",
                    "page": "diagnostics",
                    "ad": v["ad"],
                    "ad_group": v["ad_group"],
                    "campaign": v["campaign"],
                    "ctr_change": v["evidence"].get("ctr_change_from_baseline"),
                    "decline_began": v["evidence"].get("decline_began"),
                }
            )
        groups = verdict_order(
            use["hook_vs_cta"](dataset, window), use["group_spend"](dataset, window)
        )
        top = groups[0] if groups else None
        if (
            top
            and top["ad_group"] != "(whole account)"
            and (top["hook_significant"] or top["cta_significant"])
        ):
            items.append(
                {
                    "kind": "hook_cta",
                    "page": "diagnostics",
                    "campaign": top["campaign"],
                    "ad_group": top["ad_group"],
                    "best_hook": top["best_hook"] if top["hook_significant"] else None,
                    "best_cta": top["best_cta"] if top["cta_significant"] else None,
                }
            )
    post = best_post(dataset, window)
    if post:
        items.append(post)
    summary = use["summary_changes"](dataset, window)
    items.extend(moves(dataset, window, limit=max(0, limit - len(items)), summary=summary))
    return items[:limit]
