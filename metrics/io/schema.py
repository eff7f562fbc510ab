"""What each TikTok export looks like: its kind, its columns and every known spelling of them.

This is data. To teach the importer a new spelling or a new translation, add it to the list
of aliases of the column; to teach it a new column, add a line. Header text is compared after
`normalise_header`, so case, extra or non-breaking spaces and full-width brackets do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Compiled once: every alias of every kind is folded at import, every header at each read.
_RUNS_OF_SPACE = re.compile(r"\s+")
_OPEN_BRACKET = re.compile(r"\s*\(\s*")
_CLOSE_BRACKET = re.compile(r"\s*\)")
_PLURAL_S = re.compile(r"(?<=[^\W\d_]{3})s\b")
_SEPARATORS = re.compile(r"[\s_\-]+")


def normalise_header(text: object) -> str:
    """Fold a header cell to a comparable key: NFKC, lower case, single spaces, tight brackets."""
    s = unicodedata.normalize("NFKC", str(text))
    s = s.replace("\ufeff", "").replace("\u200b", "")
    s = s.casefold()
    s = _RUNS_OF_SPACE.sub(" ", s).strip()
    # "Clicks(destination)", "Clicks (destination)" and "Clicks ( destination )" are one header.
    s = _OPEN_BRACKET.sub("(", s)
    s = _CLOSE_BRACKET.sub(")", s)
    return s.strip(" :")


def loose_header(text: object) -> str:
    """A looser key for near-miss headers: singular and plural, spaces, hyphens and
    underscores do not matter ("Impression", "Ad Group Name", "Adgroup name", "2 second")."""
    s = normalise_header(text)
    s = _PLURAL_S.sub("", s)
    return _SEPARATORS.sub("", s)


# Column types: how a column's cells are parsed.
DATE, NUMBER, TEXT, HOUR = "date", "number", "text", "hour"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    aliases: tuple[str, ...]
    # Additive columns can be summed across rows (used to cross-check a totals row).
    additive: bool = False


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    columns: tuple[Column, ...]
    # Every group must be matched by at least one column for a table to be of this kind.
    required: tuple[tuple[str, ...], ...]
    # Columns that identify a row; overlapping downloads are de-duplicated on them.
    key: tuple[str, ...]
    date_column: str | None = "date"
    example: str = ""
    column_index: dict[str, str] = field(init=False, repr=False, compare=False)
    loose_index: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        loose: dict[str, set[str]] = {}
        for col in self.columns:
            for alias in (col.name, *col.aliases):
                index[normalise_header(alias)] = col.name
                loose.setdefault(loose_header(alias), set()).add(col.name)
        object.__setattr__(self, "column_index", index)
        # A loose key that two columns share is not used (it could mean either).
        unique = {key: next(iter(names)) for key, names in loose.items() if len(names) == 1}
        object.__setattr__(self, "loose_index", unique)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


# "Date" in TikTok's UI languages (the daily tables' first column).
DATE_HEADERS = (
    "Date", "Datum", "Fecha", "Data", "Dátum", "Datë", "Ημερομηνία", "Дата", "Tarih", "Tanggal",
    "Tarikh", "Ngày", "วันที่", "날짜", "日付", "日期", "التاريخ", "תאריך", "Päivämäärä", "Dato",
)  # fmt: skip


def _c(name: str, type_: str, *aliases: str, additive: bool = False) -> Column:
    return Column(name, type_, aliases, additive)


# Translations of layout-B Overview headers. English is TikTok's own; Swedish was seen in a real
# file; the others are TikTok Studio's labels as far as they could be established (best effort).
OVERVIEW = Kind(
    name="overview",
    label="Overview (TikTok Studio)",
    columns=(
        _c("date", DATE, *DATE_HEADERS),
        _c(
            "video_views",
            NUMBER,
            "Video Views",
            "Video views",
            "Videovisningar",
            "Videoweergaven",
            "Videoaufrufe",
            "Vues de vidéos",
            "Vues des vidéos",
            "Visualizaciones de vídeos",
            "Visualizaciones de videos",
            "Visualizzazioni video",
            additive=True,
        ),
        _c(
            "profile_views",
            NUMBER,
            "Profile Views",
            "Profile views",
            "Profilvisningar",
            "Profielweergaven",
            "Profilaufrufe",
            "Vues du profil",
            "Visualizaciones del perfil",
            "Visualizzazioni del profilo",
            additive=True,
        ),
        _c(
            "likes",
            NUMBER,
            "Likes",
            "Gillamarkeringar",
            "Vind-ik-leuks",
            "Mentions J'aime",
            "Me gusta",
            "Mi piace",
            additive=True,
        ),
        _c(
            "comments",
            NUMBER,
            "Comments",
            "Kommentarer",
            "Reacties",
            "Kommentare",
            "Commentaires",
            "Comentarios",
            "Commenti",
            additive=True,
        ),
        _c(
            "shares",
            NUMBER,
            "Shares",
            "Delningar",
            "Gedeeld",
            "Keer gedeeld",
            "Geteilt",
            "Partages",
            "Veces compartido",
            "Compartidos",
            "Condivisioni",
            additive=True,
        ),
        _c(
            "saves",
            NUMBER,
            "Add to Favorites",
            "Favorites",
            "Saves",
            "Sparade",
            "Favorieten",
            additive=True,
        ),
        _c(
            "reach",
            NUMBER,
            "Reached audience",
            "Reach",
            "Målgrupp som nåtts",
            "Bereikt publiek",
            "Erreichtes Publikum",
            "Audience touchée",
            "Audiencia alcanzada",
            "Pubblico raggiunto",
        ),
        _c(
            "website_clicks",
            NUMBER,
            "Website clicks",
            "Klick på webbplats",
            "Websiteklikken",
            "Website-Klicks",
            "Clics sur le site Web",
            "Clics en el sitio web",
            additive=True,
        ),
        _c("unique_viewers", NUMBER, "Unique Viewers", "Unique viewers"),  # 2024 overviews
        _c("product_link_clicks", NUMBER, "Product link clicks", additive=True),
        _c("phone_clicks", NUMBER, "Phone number clicks", "Call clicks", additive=True),
        _c("email_clicks", NUMBER, "Email clicks", additive=True),
        _c("address_clicks", NUMBER, "Address clicks", additive=True),
        _c("leads", NUMBER, "Leads", "Lead submissions", additive=True),
        _c("app_download_clicks", NUMBER, "App download clicks", additive=True),
        _c(
            "net_followers",
            NUMBER,
            "Net growth",
            "Nettotillväxt",
            "Nettogroei",
            "Nettowachstum",
            "Croissance nette",
            "Crecimiento neto",
            additive=True,
        ),
        _c(
            "new_followers",
            NUMBER,
            "New followers",
            "Nya följare",
            "Nieuwe volgers",
            "Neue Follower",
            "Nouveaux followers",
            "Nuevos seguidores",
            additive=True,
        ),
        _c(
            "lost_followers",
            NUMBER,
            "Lost followers",
            "Förlorade följare",
            "Verloren volgers",
            "Verlorene Follower",
            "Followers perdus",
            "Seguidores perdidos",
            additive=True,
        ),
    ),
    required=(("date",), ("video_views",), ("likes", "profile_views", "comments", "shares")),
    key=("date",),
    example="Date, Video Views, Profile Views, Likes, Comments, Shares",
)

FOLLOWERS_HISTORY = Kind(
    name="followers_history",
    label="Follower history (TikTok Studio)",
    columns=(
        _c("date", DATE, *DATE_HEADERS),
        _c(
            "followers",
            NUMBER,
            "Followers",
            "Total followers",  # 2021–24 "Total followers.csv" and Business Suite
            "Följare",
            "Volgers",
            "Follower",
            "Abonnés",
            "Seguidores",
        ),
        _c(
            "reported_change",
            NUMBER,
            "Difference in followers from previous day",
            "Difference in followers",
        ),
        # The Business Suite daily audience file: Date, New followers, Total followers,
        # Reached audience, Engaged audience.
        _c("new_followers", NUMBER, "New followers", additive=True),
        _c("reach", NUMBER, "Reached audience"),
        _c("engaged_audience", NUMBER, "Engaged audience"),
    ),
    required=(("date",), ("followers", "new_followers")),
    key=("date",),
    example="Date, Followers, Difference in followers from previous day",
)

VIEWERS = Kind(
    name="viewers",
    label="Viewers (TikTok Studio)",
    columns=(
        _c("date", DATE, *DATE_HEADERS),
        _c("total_viewers", NUMBER, "Total Viewers", "Total viewers", "Viewers"),
        _c("new_viewers", NUMBER, "New Viewers", "New viewers"),
        _c("returning_viewers", NUMBER, "Returning Viewers", "Returning viewers"),
    ),
    required=(("date",), ("total_viewers", "new_viewers")),
    key=("date",),
    example="Date, Total Viewers, New Viewers, Returning Viewers",
)

FOLLOWER_ACTIVITY = Kind(
    name="follower_activity",
    label="Follower activity by hour (TikTok Studio)",
    columns=(
        _c("date", DATE, *DATE_HEADERS),
        _c("hour", HOUR, "Hour", "Uur", "Stunde", "Heure", "Hora", "Timme"),
        _c("active_followers", NUMBER, "Active followers", "Active Followers"),
    ),
    required=(("date",), ("hour",), ("active_followers",)),
    key=("date", "hour"),
    example="Date, Hour, Active followers",
)

FOLLOWER_GENDER = Kind(
    name="follower_gender",
    label="Follower gender (TikTok Studio)",
    columns=(
        _c("gender", TEXT, "Gender", "Geslacht", "Geschlecht", "Genre", "Género", "Kön"),
        _c(
            "share",
            NUMBER,
            "Distribution",
            "Verdeling",
            "Verteilung",
            "Répartition",
            "Distribución",
        ),
    ),
    required=(("gender",), ("share",)),
    key=("gender",),
    date_column=None,
    example="Gender, Distribution",
)

FOLLOWER_TERRITORIES = Kind(
    name="follower_territories",
    label="Follower top territories (TikTok Studio)",
    columns=(
        _c("territory", TEXT, "Top territories", "Territories", "Top countries", "Country"),
        _c(
            "share",
            NUMBER,
            "Distribution",
            "Verdeling",
            "Verteilung",
            "Répartition",
            "Distribución",
        ),
    ),
    required=(("territory",), ("share",)),
    key=("territory",),
    date_column=None,
    example="Top territories, Distribution",
)

CONTENT = Kind(
    name="content",
    label="Content: one row per video (TikTok Studio)",
    columns=(
        _c("export_date", DATE, "Time"),
        _c("video_title", TEXT, "Video title", "Title", "Videotitel", "Videotitel"),
        _c("video_link", TEXT, "Video link", "Link", "Videolink", "Videolänk"),
        _c("post_time", DATE, "Post time", "Posted", "Publish time", "Publicatietijd"),
        _c("likes", NUMBER, "Total likes", "Likes", additive=True),
        _c("comments", NUMBER, "Total comments", "Comments", additive=True),
        _c("shares", NUMBER, "Total shares", "Shares", additive=True),
        _c("video_views", NUMBER, "Total views", "Video views", "Views", additive=True),
        _c("saves", NUMBER, "Add to Favorites", "Total favorites", "Favorites", additive=True),
        _c("reach", NUMBER, "Reached audience", "Reach"),
        _c("new_viewers", NUMBER, "New viewers", additive=True),
        _c("new_followers", NUMBER, "New followers", additive=True),
        # 2021–24 "Trending Videos.csv" / "Video Posts.csv".
        _c(
            "views_within_7_days",
            NUMBER,
            "Video Views within 7 days",
            "video_view_within_days",
            additive=True,
        ),
    ),
    required=(("video_title", "video_link"), ("video_views", "likes")),
    key=("video_link",),
    date_column="post_time",
    example="Time, Video title, Video link, Post time, Total likes, Total comments, "
    "Total shares, Total views",
)

ADS = Kind(
    name="ads",
    label="Ads Manager report",
    columns=(
        _c("date", DATE, "By Day", "Date", "Day", "Datum", "Fecha", "Stat time day"),
        _c("campaign", TEXT, "Campaign name", "Campaign", "Campagnenaam", "Kampagnenname"),
        _c("ad_group", TEXT, "Ad group name", "Ad group", "Advertentiegroepnaam"),
        _c("ad", TEXT, "Ad name", "Ad", "Advertentienaam"),
        _c("campaign_id", TEXT, "Campaign ID"),
        _c("ad_group_id", TEXT, "Ad group ID"),
        _c("ad_id", TEXT, "Ad ID"),
        _c("currency", TEXT, "Currency", "Valuta", "Währung", "Devise", "Moneda"),
        _c("spend", NUMBER, "Cost", "Spend", "Total cost", "Amount spent", "Kosten", additive=True),
        _c("impressions", NUMBER, "Impressions", "Impressies", "Impressionen", additive=True),
        _c("reach", NUMBER, "Reach", "Bereik", "Reichweite"),
        _c("frequency", NUMBER, "Frequency", "Frequentie", "Frequenz"),
        _c("cpm", NUMBER, "CPM", "Cost per 1,000 impressions"),
        _c("cost_per_1000_reached", NUMBER, "Cost per 1,000 people reached"),
        _c("clicks", NUMBER, "Clicks (destination)", "Clicks", "Destination clicks", additive=True),
        _c("ctr", NUMBER, "CTR (destination)", "CTR"),
        _c("cpc", NUMBER, "CPC (destination)", "CPC"),
        _c("clicks_all", NUMBER, "Clicks (all)", additive=True),
        _c("ctr_all", NUMBER, "CTR (all)"),
        _c("cpc_all", NUMBER, "CPC (all)"),
        _c("video_play_actions", NUMBER, "Video views", "Video plays", additive=True),
        _c(
            "video_watched_2s",
            NUMBER,
            "2-second video views",
            "2-second views",
            "2s video views",
            additive=True,
        ),
        _c(
            "video_watched_6s",
            NUMBER,
            "6-second video views",
            "6-second views",
            "6s video views",
            additive=True,
        ),
        _c(
            "video_views_p25",
            NUMBER,
            "Video views at 25%",
            "Video views (P25)",
            "Video views at 25",
            additive=True,
        ),
        _c(
            "video_views_p50",
            NUMBER,
            "Video views at 50%",
            "Video views (P50)",
            "Video views at 50",
            additive=True,
        ),
        _c(
            "video_views_p75",
            NUMBER,
            "Video views at 75%",
            "Video views (P75)",
            "Video views at 75",
            additive=True,
        ),
        _c(
            "video_views_p100",
            NUMBER,
            "Video views at 100%",
            "Video views (P100)",
            "Video views at 100",
            "Video completions",
            additive=True,
        ),
        _c("average_video_play", NUMBER, "Average play time per video view", "Average play time"),
        _c("average_video_play_per_user", NUMBER, "Average play time per user"),
        _c("video_completion_rate", NUMBER, "100% video view rate"),
        _c(
            "engaged_view",
            NUMBER,
            "6-second focused views",
            "Focused views (6-second)",
            additive=True,
        ),
        _c(
            "engaged_view_15s",
            NUMBER,
            "15-second focused views (paid views)",
            "15-second focused views",
            "Paid views",
            additive=True,
        ),
        _c("likes", NUMBER, "Paid likes", "Likes", additive=True),
        _c("comments", NUMBER, "Paid comments", "Comments", additive=True),
        _c("shares", NUMBER, "Paid shares", "Shares", additive=True),
        _c("follows", NUMBER, "Paid follows", "Follows", additive=True),
        _c("profile_visits", NUMBER, "Paid profile visits", "Profile visits", additive=True),
        _c("conversion", NUMBER, "Conversions", "Conversion", additive=True),
        _c("cost_per_conversion", NUMBER, "Cost per conversion", "CPA"),
        _c("conversion_rate", NUMBER, "CVR (click)", "CVR", "Conversion rate"),
        _c("result", NUMBER, "Results", "Result", additive=True),
        _c("cost_per_result", NUMBER, "Cost per result"),
        _c("add_to_cart", NUMBER, "Add to cart", "Adds to cart", additive=True),
        _c("initiate_checkout", NUMBER, "Initiate checkout", "Checkouts initiated", additive=True),
        _c("complete_payment", NUMBER, "Complete payment", "Purchases", additive=True),
        _c(
            "complete_payment_value",
            NUMBER,
            "Complete payment value",
            "Total complete payment value",
            "Purchase value",
            additive=True,
        ),
        _c("complete_payment_roas", NUMBER, "Purchase ROAS", "Complete payment ROAS", "ROAS"),
        _c(
            "landing_page_views",
            NUMBER,
            "Landing page views (website)",
            "Landing page views",
            "Landing page view",
            additive=True,
        ),
    ),
    required=(("campaign", "ad_group", "ad"), ("spend", "impressions")),
    key=("campaign", "ad_group", "ad", "date"),
    example="By Day, Campaign name, Ad group name, Ad name, Cost, Impressions, "
    "Clicks (destination), …",
)

# Not a TikTok export: the shop's own orders per day, for the tracking check (seed 002).
SHOP_ORDERS = Kind(
    name="shop_orders",
    label="Shop orders per day (your shop or analytics)",
    columns=(
        _c("date", DATE, "Date", "Day", "Order date", "Datum", "Fecha"),
        _c(
            "orders",
            NUMBER,
            "Orders",
            "Order count",
            "Number of orders",
            "Bestellingen",
            additive=True,
        ),
        _c(
            "revenue",
            NUMBER,
            "Revenue",
            "Total sales",
            "Net sales",
            "Gross sales",
            "Sales",
            "Omzet",
            additive=True,
        ),
    ),
    required=(("date",), ("orders",)),
    key=("date",),
    example="Date, Orders, Revenue",
)

# Ads first: its dimension columns make it unambiguous even when it also has "Likes".
KINDS: tuple[Kind, ...] = (
    ADS,
    CONTENT,
    OVERVIEW,
    FOLLOWER_ACTIVITY,
    FOLLOWERS_HISTORY,
    VIEWERS,
    FOLLOWER_GENDER,
    FOLLOWER_TERRITORIES,
    SHOP_ORDERS,
)
KIND_BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
KIND_NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)


@dataclass(frozen=True)
class Foreign:
    platform: str
    advice: str
    # The table is this platform's when at least `needed` of these headers are present.
    headers: tuple[str, ...]
    needed: int = 2
    # Regular expressions on normalised headers (see `normalise_header`); one match is enough.
    decisive: tuple[str, ...] = ()


FOREIGN: tuple[Foreign, ...] = (
    Foreign(
        "a Meta (Facebook/Instagram) Ads Manager export",
        "export the report from TikTok Ads Manager instead",
        (
            "Ad set name",
            "Amount spent (EUR)",
            "Amount spent (USD)",
            "Amount spent (GBP)",
            "Amount spent",
            "Reporting starts",
            "Reporting ends",
            "Link clicks",
            "CPC (cost per link click)",
            "Ad set budget",
        ),
        # Meta names the spend column with its currency: "Amount spent (GBP)". TikTok never does.
        decisive=(r"amount spent\([a-z]{3}\)",),
    ),
    Foreign(
        "a Google Ads report",
        "export the report from TikTok Ads Manager instead",
        ("Impr.", "Avg. CPC", "Conv.", "Interactions", "Cost / conv.", "Campaign type"),
    ),
    Foreign(
        "a LinkedIn Campaign Manager export",
        "export the report from TikTok Ads Manager instead",
        ("Total Spent", "Campaign Group Name", "Campaign Group", "Account Name"),
    ),
    Foreign(
        "a YouTube Studio analytics export",
        "download the analytics from TikTok Studio instead",
        (
            "Watch time (hours)",
            "Video publish time",
            "Subscribers",
            "Impressions click-through rate (%)",
        ),
    ),
    Foreign(
        "an Instagram or Facebook insights export",
        "download the analytics from TikTok Studio instead",
        ("Permalink", "Post type", "Accounts reached", "Publish time", "Account username"),
    ),
)

# Cells that mean "no value" in TikTok exports and Excel re-saves.
MISSING_TOKENS = frozenset(
    {"", "-", "--", "—", "–", "undefined", "nan", "n/a", "na", "null", "none", "#n/a", "#div/0!"}
)
# For Arrow's regex engine (RE2): a prefix every TOTAL_PATTERN match starts with.
TOTAL_PREFIX = r"^(total|totaal|gesamt|summe|合计|合計)"
TOTAL_PATTERN = re.compile(
    r"^\s*(total|totals|totaal|gesamt|summe|totale|totales|totalt|totaux|合计|合計)\b",
    re.IGNORECASE,
)
