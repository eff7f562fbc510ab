"""Every metric the app shows, defined once as data (docs/metrics.md).

A metric reads the columns of one table family. `numerator` (and for a ratio, `denominator`)
are expressions in the custom-column language over the table's columns; they are evaluated on
the *sums* of a group, so every ratio is sum ÷ sum by construction. Adding a metric is one entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .formula import Formula, parse_expression
from .io.schema import KIND_BY_NAME

ORGANIC, ADS, POSTS = "organic", "ads", "posts"
# Which table each family's metrics are computed from.
FAMILY_TABLE = {ORGANIC: "overview", ADS: "ads", POSTS: "content"}

# How a metric aggregates over a group of rows.
SUM = "sum"  # Σ numerator
RATIO = "ratio"  # Σ numerator ÷ Σ denominator × scale
LAST = "last"  # the value on the last day (followers)
PER_ROW = "per_row"  # as reported on a single row; no value for a group of several rows


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    family: str
    unit: str  # count, currency, ratio, per_mille, seconds, multiple
    meaning: str
    numerator: str
    denominator: str | None = None
    scale: float = 1.0
    aggregation: str = SUM
    higher_is_better: bool | None = True
    source: str = ""
    # Columns that count as 0 when a file lacks them (e.g. saves: "when present").
    optional: tuple[str, ...] = ()
    # Shown instead of the generated formula text when set.
    formula_text: str | None = None
    table: str | None = None
    parsed: tuple[Formula, Formula | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        columns = _columns_of(self.table or FAMILY_TABLE[self.family])
        num = parse_expression(self.numerator, columns)
        den = parse_expression(self.denominator, columns) if self.denominator else None
        object.__setattr__(self, "parsed", (num, den))
        if self.aggregation == RATIO and den is None:
            raise ValueError(f"ratio metric {self.name} needs a denominator")

    @property
    def needs(self) -> list[str]:
        """Columns that must be in the loaded files for this metric to have a value."""
        num, den = self.parsed
        names = num.names + (den.names if den else [])
        return [n for n in dict.fromkeys(names) if n not in self.optional]

    @property
    def inputs(self) -> list[str]:
        num, den = self.parsed
        return list(dict.fromkeys(num.names + (den.names if den else [])))

    @property
    def formula(self) -> str:
        if self.formula_text:
            return self.formula_text
        num = _pretty(self.numerator)
        if self.denominator is None:
            return f"Σ {num}" if self.aggregation == SUM else num
        den = _pretty(self.denominator)
        scale = f" × {self.scale:,.0f}" if self.scale != 1 else ""
        return f"Σ {num} ÷ Σ {den}{scale}"


def _pretty(expression: str) -> str:
    return expression.replace("*", "×").replace("/", "÷")


def _columns_of(kind: str) -> list[str]:
    columns = [c.name for c in KIND_BY_NAME[kind].columns]
    if kind == "ads":
        columns.append("revenue")  # derived per row, see aggregate.prepare_ads
    if kind == "followers_history":
        columns.append("followers_change")
    if kind == "content":
        columns.append("posts")  # 1 per video row, see aggregate.family_frame
    return columns


def _m(*args, **kwargs) -> Metric:
    return Metric(*args, **kwargs)


_INTERACTIONS = "likes + comments + shares + saves"

ORGANIC_METRICS: tuple[Metric, ...] = (
    _m(
        "video_views",
        "Video views",
        ORGANIC,
        "count",
        "How often your videos were played.",
        "video_views",
        source="000",
    ),
    _m(
        "profile_views",
        "Profile views",
        ORGANIC,
        "count",
        "How often people opened your profile.",
        "profile_views",
        source="000",
    ),
    _m("likes", "Likes", ORGANIC, "count", "Likes on your videos.", "likes", source="000, 001"),
    _m(
        "comments",
        "Comments",
        ORGANIC,
        "count",
        "Comments on your videos.",
        "comments",
        source="000, 001",
    ),
    _m(
        "shares",
        "Shares",
        ORGANIC,
        "count",
        "How often your videos were shared.",
        "shares",
        source="000, 001",
    ),
    _m(
        "saves",
        "Saves",
        ORGANIC,
        "count",
        "How often your videos were added to Favorites.",
        "saves",
        source="001",
    ),
    _m(
        "engagement_rate",
        "Engagement rate",
        ORGANIC,
        "ratio",
        "Interactions (likes, comments, shares, saves when present) per video view.",
        _INTERACTIONS,
        "video_views",
        aggregation=RATIO,
        optional=("saves",),
        formula_text="(Σ likes + Σ comments + Σ shares + Σ saves) ÷ Σ video views",
        source="001",
    ),
    _m(
        "like_comment_rate",
        "Like + comment rate",
        ORGANIC,
        "ratio",
        "Likes and comments per video view.",
        "likes + comments",
        "video_views",
        aggregation=RATIO,
        formula_text="(Σ likes + Σ comments) ÷ Σ video views",
        source="000",
    ),
    _m(
        "engagement_per_reach",
        "Engagement per reach",
        ORGANIC,
        "ratio",
        "Interactions per person reached, for one day (reach is not additive across days).",
        _INTERACTIONS,
        "reach",
        aggregation=PER_ROW,
        optional=("saves",),
        formula_text="interactions ÷ reached audience (per day)",
        source="004",
    ),
    _m(
        "reach",
        "Reached audience",
        ORGANIC,
        "count",
        "People who saw your videos that day; not additive across days.",
        "reach",
        aggregation=PER_ROW,
        source="001, 004",
    ),
    _m(
        "website_clicks",
        "Website clicks",
        ORGANIC,
        "count",
        "Clicks on your profile's website link.",
        "website_clicks",
        source="004",
    ),
    _m(
        "new_followers",
        "New followers",
        ORGANIC,
        "count",
        "Followers gained (business accounts).",
        "new_followers",
        source="004",
    ),
    _m(
        "lost_followers",
        "Lost followers",
        ORGANIC,
        "count",
        "Followers lost (business accounts).",
        "lost_followers",
        higher_is_better=False,
        source="004",
    ),
)

# Follower metrics read FollowerHistory; they are computed by aggregate.follower_metrics.
FOLLOWER_METRICS: tuple[Metric, ...] = (
    _m(
        "followers",
        "Followers",
        ORGANIC,
        "count",
        "Followers on the last day of the window.",
        "followers",
        aggregation=LAST,
        table="followers_history",
        formula_text="Followers on the last day",
        source="000, 004",
    ),
    _m(
        "net_followers",
        "Net followers",
        ORGANIC,
        "count",
        "Followers gained minus lost over the window.",
        "followers",
        aggregation=LAST,
        table="followers_history",
        formula_text="Followers(last day) − Followers(day before the window)",
        source="000",
    ),
    _m(
        "follower_growth_rate",
        "Follower growth rate",
        ORGANIC,
        "ratio",
        "Net followers relative to the followers you started the window with.",
        "followers",
        aggregation=LAST,
        table="followers_history",
        formula_text="net followers ÷ Followers(day before the window)",
        source="001",
    ),
)

VIEWER_METRICS: tuple[Metric, ...] = (
    _m(
        "total_viewers",
        "Viewers",
        ORGANIC,
        "count",
        "Unique viewers that day; not additive across days.",
        "total_viewers",
        aggregation=PER_ROW,
        table="viewers",
        source="000",
    ),
    _m(
        "new_viewers",
        "New viewers",
        ORGANIC,
        "count",
        "Viewers who had not seen your videos before; per day.",
        "new_viewers",
        aggregation=PER_ROW,
        table="viewers",
        source="000",
    ),
    _m(
        "returning_viewers",
        "Returning viewers",
        ORGANIC,
        "count",
        "Viewers who had seen your videos before; per day.",
        "returning_viewers",
        aggregation=PER_ROW,
        table="viewers",
        source="000",
    ),
)

POST_METRICS: tuple[Metric, ...] = (
    _m(
        "video_views",
        "Views",
        POSTS,
        "count",
        "Lifetime views of the video.",
        "video_views",
        source="000",
    ),
    _m("likes", "Likes", POSTS, "count", "Lifetime likes.", "likes", source="000"),
    _m("comments", "Comments", POSTS, "count", "Lifetime comments.", "comments", source="000"),
    _m("shares", "Shares", POSTS, "count", "Lifetime shares.", "shares", source="000"),
    _m(
        "saves",
        "Saves",
        POSTS,
        "count",
        "Lifetime saves (Add to Favorites).",
        "saves",
        source="001",
    ),
    _m(
        "engagement_rate",
        "Engagement rate",
        POSTS,
        "ratio",
        "Interactions (likes, comments, shares, saves when present) per view.",
        _INTERACTIONS,
        "video_views",
        aggregation=RATIO,
        optional=("saves",),
        formula_text="(likes + comments + shares + saves) ÷ views",
        source="001",
    ),
    _m(
        "posts",
        "Posts",
        POSTS,
        "count",
        "Videos posted in the window, from the per-post file (TikTok's Content download lists "
        "about 15 videos, so it can undercount).",
        "posts",
        formula_text="number of videos whose post time is in the window",
        source="004",
    ),
    _m(
        "avg_reach_per_post",
        "Average reach per post",
        POSTS,
        "count",
        "People reached per video posted in the window, when the per-post file has reach.",
        "reach",
        "posts",
        aggregation=RATIO,
        formula_text="Σ reached audience ÷ number of posts",
        source="004",
    ),
    _m(
        "new_viewers",
        "New viewers",
        POSTS,
        "count",
        "New viewers the video brought.",
        "new_viewers",
        source="000",
    ),
    _m(
        "new_followers",
        "New followers",
        POSTS,
        "count",
        "Followers the video brought.",
        "new_followers",
        source="000",
    ),
)

ADS_METRICS: tuple[Metric, ...] = (
    _m(
        "spend",
        "Spend",
        ADS,
        "currency",
        "What the ads cost.",
        "spend",
        higher_is_better=None,
        source="000, 002",
    ),
    _m(
        "impressions",
        "Impressions",
        ADS,
        "count",
        "How often the ads were shown.",
        "impressions",
        source="000, 002",
    ),
    _m(
        "reach",
        "Reach",
        ADS,
        "count",
        "People who saw the ad, as reported for one row; never summed.",
        "reach",
        aggregation=PER_ROW,
        source="000, 002",
    ),
    _m(
        "frequency",
        "Frequency",
        ADS,
        "multiple",
        "Average times each person saw the ad, as reported for one row.",
        "frequency",
        aggregation=PER_ROW,
        higher_is_better=None,
        formula_text="impressions ÷ reach (one row)",
        source="000, 002",
    ),
    _m(
        "cpm",
        "CPM",
        ADS,
        "currency",
        "Cost per 1,000 impressions.",
        "spend",
        "impressions",
        scale=1000,
        aggregation=RATIO,
        higher_is_better=False,
        source="000, 002",
    ),
    _m(
        "clicks",
        "Clicks",
        ADS,
        "count",
        "Clicks to your destination (website or app).",
        "clicks",
        source="000",
    ),
    _m(
        "ctr",
        "CTR",
        ADS,
        "ratio",
        "Share of impressions that led to a click.",
        "clicks",
        "impressions",
        aggregation=RATIO,
        source="000, 002, 003",
    ),
    _m(
        "cpc",
        "CPC",
        ADS,
        "currency",
        "Cost per click.",
        "spend",
        "clicks",
        aggregation=RATIO,
        higher_is_better=False,
        source="000, 002",
    ),
    _m(
        "landing_page_views",
        "Landing page views",
        ADS,
        "count",
        "Landing page loads after a click.",
        "landing_page_views",
        source="000",
    ),
    _m(
        "conversions",
        "Conversions",
        ADS,
        "count",
        "Conversions TikTok attributed to the ads.",
        "conversion",
        source="000, 002",
    ),
    _m(
        "cvr",
        "Conversion rate",
        ADS,
        "ratio",
        "Conversions per click.",
        "conversion",
        "clicks",
        aggregation=RATIO,
        source="002",
    ),
    _m(
        "cpa",
        "Cost per conversion",
        ADS,
        "currency",
        "Cost per conversion.",
        "spend",
        "conversion",
        aggregation=RATIO,
        higher_is_better=False,
        source="000, 002",
    ),
    _m(
        "revenue",
        "Revenue",
        ADS,
        "currency",
        "Purchase value (Complete payment value, or Purchase ROAS × cost per row).",
        "revenue",
        formula_text="Σ Complete payment value (or Σ Purchase ROAS × cost per row)",
        source="002",
    ),
    _m(
        "roas",
        "ROAS",
        ADS,
        "multiple",
        "Revenue per unit of spend.",
        "revenue",
        "spend",
        aggregation=RATIO,
        source="002, 003",
    ),
    _m(
        "video_views",
        "Video views",
        ADS,
        "count",
        "Video plays.",
        "video_play_actions",
        source="000",
    ),
    _m(
        "video_watched_2s",
        "2-second views",
        ADS,
        "count",
        "Views of at least 2 seconds.",
        "video_watched_2s",
        source="002",
    ),
    _m(
        "video_watched_6s",
        "6-second views",
        ADS,
        "count",
        "Views of at least 6 seconds.",
        "video_watched_6s",
        source="002",
    ),
    _m(
        "video_views_p25",
        "Views to 25%",
        ADS,
        "count",
        "Views reaching 25 % of the video.",
        "video_views_p25",
        source="002",
    ),
    _m(
        "video_views_p50",
        "Views to 50%",
        ADS,
        "count",
        "Views reaching 50 % of the video.",
        "video_views_p50",
        source="002",
    ),
    _m(
        "video_views_p75",
        "Views to 75%",
        ADS,
        "count",
        "Views reaching 75 % of the video.",
        "video_views_p75",
        source="002",
    ),
    _m(
        "video_views_p100",
        "Views to 100%",
        ADS,
        "count",
        "Views to the end of the video.",
        "video_views_p100",
        source="002",
    ),
    _m(
        "hook_rate",
        "Hook rate",
        ADS,
        "ratio",
        "Share of impressions watched for 2 seconds: does the opening stop the scroll?",
        "video_watched_2s",
        "impressions",
        aggregation=RATIO,
        source="002",
    ),
    _m(
        "hold_rate",
        "Hold rate",
        ADS,
        "ratio",
        "Share of 2-second viewers who stayed to 6 seconds: does the story hold?",
        "video_watched_6s",
        "video_watched_2s",
        aggregation=RATIO,
        source="002",
    ),
    _m(
        "view_rate_75",
        "75% view rate",
        ADS,
        "ratio",
        "Share of video views reaching 75 %.",
        "video_views_p75",
        "video_play_actions",
        aggregation=RATIO,
        source="002",
    ),
    _m(
        "completion_rate",
        "Completion rate",
        ADS,
        "ratio",
        "Share of video views watched to the end.",
        "video_views_p100",
        "video_play_actions",
        aggregation=RATIO,
        source="000",
    ),
    _m(
        "add_to_cart",
        "Adds to cart",
        ADS,
        "count",
        "Add-to-cart events.",
        "add_to_cart",
        source="002",
    ),
    _m(
        "cost_per_add_to_cart",
        "Cost per add to cart",
        ADS,
        "currency",
        "Cost per add-to-cart event.",
        "spend",
        "add_to_cart",
        aggregation=RATIO,
        higher_is_better=False,
        source="002",
    ),
    _m(
        "cost_per_landing_page_view",
        "Cost per landing page view",
        ADS,
        "currency",
        "Cost per landing page view.",
        "spend",
        "landing_page_views",
        aggregation=RATIO,
        higher_is_better=False,
        source="002",
    ),
    _m(
        "complete_payment",
        "Purchases",
        ADS,
        "count",
        "Complete-payment events.",
        "complete_payment",
        source="002",
    ),
    _m("paid_likes", "Paid likes", ADS, "count", "Likes on the ads.", "likes", source="002"),
    _m(
        "paid_comments",
        "Paid comments",
        ADS,
        "count",
        "Comments on the ads.",
        "comments",
        source="002",
    ),
    _m("paid_shares", "Paid shares", ADS, "count", "Shares of the ads.", "shares", source="002"),
    _m(
        "paid_profile_visits",
        "Paid profile visits",
        ADS,
        "count",
        "Profile visits from the ads.",
        "profile_visits",
        source="002",
    ),
    _m(
        "paid_engagement_rate",
        "Paid engagement rate",
        ADS,
        "ratio",
        "Likes, comments and shares on the ads per video view (as organic, without saves).",
        "likes + comments + shares",
        "video_play_actions",
        aggregation=RATIO,
        source="002, 003",
    ),
    _m(
        "cost_per_view",
        "Cost per video view",
        ADS,
        "currency",
        "What one video play cost.",
        "spend",
        "video_play_actions",
        aggregation=RATIO,
        higher_is_better=False,
        source="003",
    ),
    _m(
        "paid_follows",
        "Paid follows",
        ADS,
        "count",
        "Follows from the ads.",
        "follows",
        source="002",
    ),
)

REGISTRY: dict[str, dict[str, Metric]] = {
    ORGANIC: {m.name: m for m in (*ORGANIC_METRICS, *FOLLOWER_METRICS, *VIEWER_METRICS)},
    ADS: {m.name: m for m in ADS_METRICS},
    POSTS: {m.name: m for m in POST_METRICS},
}

FUNNEL = {
    "awareness": ("impressions", "reach", "cpm", "frequency"),
    "consideration": ("clicks", "ctr", "cpc", "hook_rate"),
    "conversion": ("conversions", "cvr", "cpa", "roas"),
}


class UnknownMetric(KeyError):
    def __str__(self) -> str:
        return self.args[0]


def get_metric(name: str, family: str = ADS) -> Metric:
    """The metric of that name; the error lists the valid names."""
    try:
        return REGISTRY[family][name]
    except KeyError:
        valid = ", ".join(REGISTRY.get(family, {}))
        raise UnknownMetric(f"Unknown {family} metric '{name}'. Valid names: {valid}.") from None


def metric_names(family: str) -> list[str]:
    return list(REGISTRY[family])


def availability(metric: Metric, columns: set[str]) -> str | None:
    """None when the metric can be computed from these columns, else the reason it cannot."""
    missing = [c for c in metric.needs if c not in columns]
    if metric.name in ("revenue", "roas") and (
        "complete_payment_value" in columns or {"complete_payment_roas", "spend"} <= columns
    ):
        missing = [c for c in missing if c != "revenue"]
    if not missing:
        return None
    if "revenue" in missing:
        missing = [c for c in missing if c != "revenue"]
        revenue = "Complete payment value or Purchase ROAS (Ads Manager report)"
        rest = availability_labels(metric, missing)
        return "needs " + " and ".join([revenue, *rest])
    table = KIND_BY_NAME[metric.table or FAMILY_TABLE[metric.family]]
    return f"needs {' and '.join(availability_labels(metric, missing))} ({table.label})"


def availability_labels(metric: Metric, missing: list[str]) -> list[str]:
    """The export's own header for each missing column (what the user would look for)."""
    table = KIND_BY_NAME[metric.table or FAMILY_TABLE[metric.family]]
    labels = []
    for name in missing:
        col = next((c for c in table.columns if c.name == name), None)
        labels.append(col.aliases[0] if col and col.aliases else name)
    return labels
