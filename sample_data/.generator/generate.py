"""Write the sample TikTok exports of the fictional account @northwind.coffee.

Run from the repository root: ``python sample_data/.generator/generate.py``. The output is byte-identical
on every run (fixed seed, fixed ZIP timestamps, sorted JSON keys), so the files can be
committed and regenerated. The generator does not import the ``metrics`` package on purpose:
``expected.json`` records what was *meant* to be written, which checks the importer.

The story the data tells
------------------------
Organic (TikTok Studio, 365 days 2025-11-01 .. 2026-10-31, layout A unless noted):

- Daily video views grow gently over the year (about +50 %), weekends (Sat/Sun) run about
  35 % above weekdays, and likes, comments, shares and profile views follow views with noise.
- A viral video is posted on 2026-07-18: views that day are about 12x a normal day and decay
  over the next four days. Followers jump with it.
- The newest day (2026-10-31) has ``undefined`` (no data yet, not zero) in Overview's
  ``Profile Views`` and in all three Viewers columns.
- ``Difference in followers from previous day`` is deliberately wrong on about 10 % of the
  rows (it holds the difference to the *next* day), as in real files.
- ``Content.csv`` holds 15 videos spread over the year (not the newest 15), among them the
  viral one, a title with a comma and emoji, and a title starting with ``=``.
- ``overview_business_last60.csv`` is the same account's last 60 days in layout B (business
  account): same counts, plus reach (``NAN`` on 3 days), website clicks and follower flows
  that agree with FollowerHistory.

Paid (TikTok Ads Manager custom report, 92 days 2026-08-01 .. 2026-10-31, 3 campaigns,
6 ad groups, 15 ads, every ad on every day -> 1,380 rows plus a totals row under the header):

- Fatigue: "Latte pour – v1" (Autumn Blend Launch / Prospecting UK 25-44) is healthy until
  2026-09-20, then its CTR falls to about 45 % of its baseline, CPM rises about 40 %,
  daily frequency climbs from 1.2 to 3.0 and its hook rate drifts down.
- Best hook, weak CTA: "Bean-to-cup ASMR" (Always-on Web Sales / Broad UK 18-54) has the
  highest hook rate of its ad group (~0.42) and the lowest CTR (~0.5 %).
- Best CTA, weak hook: "20% off first bag – offer card" in the same ad group has the highest
  CTR (~1.9 %) and a weak hook (~0.20).
- Eight rows of the "Cart abandoners 14d" ad group barely delivered (tiny spend, no clicks),
  so ``--`` appears in CPC, cost per conversion and CVR.
- Spend and impressions run higher at weekends, and budgets ramp up during August, so the
  first rows cost under £1,000 and later ones more.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SEED = 20261031
HANDLE = "northwind.coffee"
# The export files go in sample_data/; this script and expected.json sit in the hidden
# folder beside them so that `python -m metrics inspect sample_data/*` lists only exports.
HERE = Path(__file__).resolve().parent
OUT = HERE.parent

ZIP_TIME = (2026, 10, 31, 12, 0, 0)
ORGANIC_START = dt.date(2025, 11, 1)
N_ORGANIC = 365
VIRAL_DAY = dt.date(2026, 7, 18)
# Views multiplier on the viral day and the four days after it.
VIRAL_CURVE = (12.0, 5.5, 2.9, 1.8, 1.3)
ACTIVITY_DAYS = 7
BUSINESS_DAYS = 60
ADS_START = dt.date(2026, 8, 1)
N_ADS_DAYS = 92
FATIGUE_ONSET = dt.date(2026, 9, 20)
N_ZERO_CLICK_ROWS = 8

# Month names spelled out here, not via strftime("%B"), so the locale cannot change the files.
MONTHS = (
    "January February March April May June July August September October November December"
).split()

OVERVIEW_ZIP = f"Overview_{ORGANIC_START.isoformat()}_1793448000_{HANDLE}.zip"
FOLLOWERS_ZIP = f"Followers_{HANDLE}.zip"
VIEWERS_ZIP = f"Viewers_{HANDLE}.zip"
CONTENT_ZIP = f"Content_{HANDLE}.zip"
BUSINESS_CSV = "overview_business_last60.csv"
ADS_CSV = "Custom_report_20260801_20261031_GMT+0.csv"

Row = list[str]


# --------------------------------------------------------------------------- formatting


def yearless(day: dt.date) -> str:
    """TikTok Studio's English date: ``November 1`` (no year, no leading zero)."""
    return f"{MONTHS[day.month - 1]} {day.day}"


def money(cents: int) -> str:
    """Ads Manager money from integer pence, e.g. ``£1,234.56`` (exact, no float rounding)."""
    return f"£{cents // 100:,}.{cents % 100:02d}"


def money_f(value: float) -> str:
    """Ads Manager money for derived ratios (CPM, CPC, cost per conversion)."""
    return f"£{value:,.2f}"


def count(n: int) -> str:
    return f"{n:,}"


def pct(numerator: int, denominator: int) -> str:
    return "--" if denominator == 0 else f"{100 * numerator / denominator:.2f}%"


def layout_a_bytes(header: Row, rows: list[Row]) -> bytes:
    """Studio layout A: UTF-8 with BOM, every field quoted, ``\\n``, no trailing newline."""
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([header, *rows])
    return buf.getvalue().removesuffix("\n").encode("utf-8-sig")


def plain_csv_bytes(header: Row, rows: list[Row], *, bom: bool, lineterminator: str) -> bytes:
    """Minimal quoting: only fields with a comma or quote get quoted (as Ads Manager does)."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator=lineterminator)
    writer.writerows([header, *rows])
    return buf.getvalue().encode("utf-8-sig" if bom else "utf-8")


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """Stored (uncompressed) entries at the archive root with a fixed timestamp."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # fixed, so a Windows run writes the same bytes
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def file_entry(
    file: str,
    kind: str,
    rows: int,
    first: dt.date | None,
    last: dt.date | None,
    sums: dict[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    return {
        "file": file,
        "kind": kind,
        "rows": rows,
        "first_date": first.isoformat() if first else None,
        "last_date": last.isoformat() if last else None,
        "sums": sums,
        **extra,
    }


# --------------------------------------------------------------------------- organic model


@dataclass
class Organic:
    """Per-day truth for the organic window; every file is written from these arrays."""

    days: list[dt.date]
    normal_views: np.ndarray  # expected views without the viral spike (float)
    views: np.ndarray
    profile_views: np.ndarray
    likes: np.ndarray
    comments: np.ndarray
    shares: np.ndarray
    new_followers: np.ndarray
    lost_followers: np.ndarray
    followers: np.ndarray  # total at the end of each day
    followers_before: int  # total on the day before the window
    total_viewers: np.ndarray
    new_viewers: np.ndarray
    reach: np.ndarray
    website_clicks: np.ndarray

    @property
    def viral_index(self) -> int:
        return self.days.index(VIRAL_DAY)


def build_organic(rng: np.random.Generator) -> Organic:
    days = [ORGANIC_START + dt.timedelta(days=i) for i in range(N_ORGANIC)]
    assert days[-1] == dt.date(2026, 10, 31)
    t = np.arange(N_ORGANIC)
    weekend = np.array([d.weekday() >= 5 for d in days])
    vi = days.index(VIRAL_DAY)
    spike = np.ones(N_ORGANIC)
    spike[vi : vi + len(VIRAL_CURVE)] = VIRAL_CURVE

    # Gentle linear growth and a weekend lift; day-to-day noise is switched off on the spike
    # days so the viral multiplier in the story is what the file shows.
    normal = 5200.0 * (1 + 0.5 * t / (N_ORGANIC - 1)) * np.where(weekend, 1.35, 1.0)
    noise = rng.lognormal(0.0, 0.10, N_ORGANIC)
    noise[spike > 1] = 1.0
    views = rng.poisson(normal * noise * spike)

    def rate(p: float, sigma: float) -> np.ndarray:
        return np.clip(p * rng.lognormal(0.0, sigma, N_ORGANIC), 0, 1)

    profile_views = rng.binomial(views, rate(0.026, 0.08))
    likes = rng.binomial(views, rate(0.072, 0.06))
    comments = rng.binomial(views, rate(0.0042, 0.12))
    shares = rng.binomial(views, rate(0.0055, 0.12))

    # Follow rate is higher while the viral video is travelling: that makes the jump.
    follow_rate = np.where(spike > 1, 0.009, 0.0055) * rng.lognormal(0.0, 0.1, N_ORGANIC)
    new_followers = rng.poisson(views * follow_rate)
    lost_followers = rng.poisson(np.full(N_ORGANIC, 11.0))
    followers_before = 12_000
    followers = followers_before + np.cumsum(new_followers - lost_followers)

    # Unique viewers are fewer than views; a viral video reaches mostly new people.
    viewer_share = np.where(spike > 1, 0.80, 0.62) * rng.lognormal(0.0, 0.05, N_ORGANIC)
    total_viewers = rng.binomial(views, np.clip(viewer_share, 0, 0.95))
    new_share = np.where(spike > 1, 0.90, 0.72) * rng.lognormal(0.0, 0.04, N_ORGANIC)
    new_viewers = rng.binomial(total_viewers, np.clip(new_share, 0, 0.98))

    # Layout B only: reached audience (strictly below views) and website clicks.
    reach = np.minimum(rng.binomial(views, rate(0.58, 0.05)), views - 1)
    website_clicks = rng.binomial(profile_views, rate(0.04, 0.15))

    return Organic(
        days=days,
        normal_views=normal,
        views=views,
        profile_views=profile_views,
        likes=likes,
        comments=comments,
        shares=shares,
        new_followers=new_followers,
        lost_followers=lost_followers,
        followers=followers,
        followers_before=followers_before,
        total_viewers=total_viewers,
        new_viewers=new_viewers,
        reach=reach,
        website_clicks=website_clicks,
    )


# --------------------------------------------------------------------------- organic files


def write_overview(org: Organic) -> dict[str, Any]:
    header = ["Date", "Video Views", "Profile Views", "Likes", "Comments", "Shares"]
    rows = []
    last = len(org.days) - 1
    for i, day in enumerate(org.days):
        # The newest day has no profile-view data yet: TikTok writes "undefined".
        pv = "undefined" if i == last else str(org.profile_views[i])
        rows.append(
            [
                yearless(day),
                str(org.views[i]),
                pv,
                str(org.likes[i]),
                str(org.comments[i]),
                str(org.shares[i]),
            ]
        )
    (OUT / OVERVIEW_ZIP).write_bytes(zip_bytes({"Overview.csv": layout_a_bytes(header, rows)}))
    sums = {
        "video_views": int(org.views.sum()),
        "profile_views": int(org.profile_views[:last].sum()),
        "likes": int(org.likes.sum()),
        "comments": int(org.comments.sum()),
        "shares": int(org.shares.sum()),
    }
    return file_entry(
        f"{OVERVIEW_ZIP}/Overview.csv",
        "overview",
        len(rows),
        org.days[0],
        org.days[-1],
        sums,
        layout="A",
    )


def write_followers(org: Organic, rng: np.random.Generator) -> tuple[list[dict[str, Any]], list]:
    """FollowerHistory, FollowerActivity, FollowerGender, FollowerTopTerritories in one ZIP."""
    n = len(org.days)
    prev = np.concatenate([[org.followers_before], org.followers[:-1]])
    true_diff = org.followers - prev
    written_diff = true_diff.copy()
    # Real files get this column wrong; here ~10 % of rows hold the change to the next day.
    wrong = np.sort(rng.choice(n - 1, size=round(0.1 * n), replace=False))
    written_diff[wrong] = org.followers[wrong + 1] - org.followers[wrong]
    wrong_dates = [org.days[i].isoformat() for i in range(n) if written_diff[i] != true_diff[i]]

    history = [
        [yearless(d), str(org.followers[i]), str(written_diff[i])] for i, d in enumerate(org.days)
    ]

    # Active followers by hour for the last 7 days: night trough, lunch bump, evening peak
    # around 19-21 h, a little higher at weekends.
    hours = np.arange(24)
    profile = (
        0.035
        + 0.30 * np.exp(-((hours - 20.0) ** 2) / (2 * 1.8**2))
        + 0.07 * np.exp(-((hours - 12.5) ** 2) / (2 * 1.5**2))
        + 0.05 * np.exp(-((hours - 8.0) ** 2) / (2 * 1.2**2))
    )
    activity: list[Row] = []
    active_total = 0
    act_days = org.days[-ACTIVITY_DAYS:]
    for k, day in enumerate(act_days):
        base = int(org.followers[n - ACTIVITY_DAYS + k])
        lift = 1.08 if day.weekday() >= 5 else 1.0
        p = np.clip(profile * lift * rng.lognormal(0.0, 0.05, 24), 0, 1)
        active = rng.binomial(base, p)
        active_total += int(active.sum())
        activity += [[yearless(day), str(h), str(a)] for h, a in zip(hours, active, strict=True)]

    # Snapshots, fractions 0-1 written with two decimals and summing to exactly 1.
    gender = [["Female", "0.58"], ["Male", "0.39"], ["Other", "0.03"]]
    territories = [
        ["NL", "0.31"],
        ["BE", "0.14"],
        ["DE", "0.12"],
        ["GB", "0.11"],
        ["US", "0.08"],
        ["FR", "0.06"],
        ["Others", "0.18"],
    ]

    entries = {
        "FollowerHistory.csv": layout_a_bytes(
            ["Date", "Followers", "Difference in followers from previous day"], history
        ),
        "FollowerActivity.csv": layout_a_bytes(["Date", "Hour", "Active followers"], activity),
        "FollowerGender.csv": layout_a_bytes(["Gender", "Distribution"], gender),
        "FollowerTopTerritories.csv": layout_a_bytes(
            ["Top territories", "Distribution"], territories
        ),
    }
    (OUT / FOLLOWERS_ZIP).write_bytes(zip_bytes(entries))

    def dist_sum(rows: list[Row]) -> float:
        return round(sum(float(r[1]) for r in rows), 6)

    snapshot = org.days[-1].isoformat()
    files = [
        file_entry(
            f"{FOLLOWERS_ZIP}/FollowerHistory.csv",
            "followers_history",
            n,
            org.days[0],
            org.days[-1],
            {"followers_first": int(org.followers[0]), "followers_last": int(org.followers[-1])},
        ),
        file_entry(
            f"{FOLLOWERS_ZIP}/FollowerActivity.csv",
            "follower_activity",
            len(activity),
            act_days[0],
            act_days[-1],
            {"active_followers": active_total},
        ),
        file_entry(
            f"{FOLLOWERS_ZIP}/FollowerGender.csv",
            "follower_gender",
            len(gender),
            None,
            None,
            {"distribution": dist_sum(gender)},
            snapshot_date=snapshot,
        ),
        file_entry(
            f"{FOLLOWERS_ZIP}/FollowerTopTerritories.csv",
            "follower_territories",
            len(territories),
            None,
            None,
            {"distribution": dist_sum(territories)},
            snapshot_date=snapshot,
        ),
    ]
    return files, wrong_dates


def write_viewers(org: Organic) -> dict[str, Any]:
    header = ["Date", "Total Viewers", "New Viewers", "Returning Viewers"]
    returning = org.total_viewers - org.new_viewers
    last = len(org.days) - 1
    rows = []
    for i, day in enumerate(org.days):
        if i == last:  # no data yet for the newest day
            rows.append([yearless(day), "undefined", "undefined", "undefined"])
        else:
            rows.append(
                [
                    yearless(day),
                    str(org.total_viewers[i]),
                    str(org.new_viewers[i]),
                    str(returning[i]),
                ]
            )
    (OUT / VIEWERS_ZIP).write_bytes(zip_bytes({"Viewers.csv": layout_a_bytes(header, rows)}))
    sums = {
        "total_viewers": int(org.total_viewers[:last].sum()),
        "new_viewers": int(org.new_viewers[:last].sum()),
        "returning_viewers": int(returning[:last].sum()),
    }
    return file_entry(
        f"{VIEWERS_ZIP}/Viewers.csv", "viewers", len(rows), org.days[0], org.days[-1], sums
    )


# Titles in posting order; the viral one is slotted in at its own date.
CONTENT_TITLES = [
    "Opening the shop at 6am, every single day ☕",
    "How we roast our house blend 🔥",
    "Rainy Monday = cinnamon bun day 🌧️",
    "Barista tries to guess your order, round 3",
    "=1+1 latte art challenge",
    "Our first snow day ❄️ hot chocolate, extra marshmallows",
    "Grinding beans in slow motion (ASMR)",
    "Meet Sam, our newest barista 👋",
    "Iced oat latte but make it pink 🌸",
    "Cold brew vs. iced coffee: which one wins?",
    "Behind the counter: 300 cups in 3 hours",
    "Spot the mistake 👀",
    "Pumpkin spice is back, sorry not sorry 🎃",
    "Answering your comments: why is oat milk extra?",
]
VIRAL_TITLE = "We accidentally made the world's tallest latte 😳☕ #coffeetok"


def write_content(org: Organic, rng: np.random.Generator) -> tuple[dict[str, Any], str]:
    n_videos = len(CONTENT_TITLES) + 1
    vi = org.viral_index
    # Spread over the year (none of the last ~3 weeks: the export is not "the newest 15"),
    # then move the post nearest the viral day onto it.
    idx = np.linspace(4, 340, n_videos).round().astype(int) + rng.integers(-4, 5, n_videos)
    idx[np.argmin(np.abs(idx - vi))] = vi
    idx = np.sort(idx)
    assert len(set(idx.tolist())) == n_videos
    post_days = [org.days[i] for i in idx]

    # Ordinary videos: lifetime views around 14k, a little more for later (bigger account).
    views = rng.lognormal(np.log(14_000), 0.5, n_videos) * (0.7 + 0.6 * idx / (N_ORGANIC - 1))
    views = views.round().astype(np.int64)
    # The viral video's views are the spike's excess in Overview plus a long tail.
    k = len(VIRAL_CURVE)
    excess = (org.views[vi : vi + k] - org.normal_views[vi : vi + k]).sum()
    viral_pos = int(np.flatnonzero(idx == vi)[0])
    views[viral_pos] = int(round(excess)) + int(rng.integers(20_000, 40_000))
    likes = rng.binomial(views, 0.085)
    comments = rng.binomial(views, 0.005)
    shares = rng.binomial(views, np.where(idx == vi, 0.015, 0.007))

    titles = CONTENT_TITLES[:viral_pos] + [VIRAL_TITLE] + CONTENT_TITLES[viral_pos:]
    # 19-digit IDs starting 74, rising with post time like real (time-based) video IDs.
    ids = [74 * 10**17 + int(i) * 10**14 + int(rng.integers(10**13, 10**14)) for i in idx]

    header = [
        "Time", "Video title", "Video link", "Post time",
        "Total likes", "Total comments", "Total shares", "Total views",
    ]  # fmt: skip
    export_day = yearless(org.days[-1])
    rows = []
    for j in reversed(range(n_videos)):  # newest post first, as Studio lists them
        rows.append(
            [
                export_day,
                titles[j],
                f"https://www.tiktok.com/@{HANDLE}/video/{ids[j]}",
                yearless(post_days[j]),
                str(likes[j]),
                str(comments[j]),
                str(shares[j]),
                str(views[j]),
            ]
        )
    (OUT / CONTENT_ZIP).write_bytes(zip_bytes({"Content.csv": layout_a_bytes(header, rows)}))
    sums = {
        "likes": int(likes.sum()),
        "comments": int(comments.sum()),
        "shares": int(shares.sum()),
        "video_views": int(views.sum()),
    }
    viral_link = f"https://www.tiktok.com/@{HANDLE}/video/{ids[viral_pos]}"
    entry = file_entry(
        f"{CONTENT_ZIP}/Content.csv",
        "content",
        len(rows),
        post_days[0],
        post_days[-1],
        sums,
        export_date=org.days[-1].isoformat(),
        date_column="Post time",
    )
    return entry, viral_link


def write_business(org: Organic, rng: np.random.Generator) -> tuple[dict[str, Any], list[str]]:
    """Layout B: year in the date, unquoted values, no BOM, reach ``NAN`` on 3 days."""
    header = [
        "Date", "Video views", "Reached audience", "Profile views", "Likes", "Shares",
        "Comments", "Website clicks ", "Net growth", "New followers", "Lost followers",
    ]  # fmt: skip
    start = len(org.days) - BUSINESS_DAYS
    sl = slice(start, None)
    nan_pos = set(rng.choice(BUSINESS_DAYS, size=3, replace=False).tolist())
    net = org.new_followers - org.lost_followers
    rows = []
    for k, i in enumerate(range(start, len(org.days))):
        d = org.days[i]
        rows.append(
            [
                f"{d.year}/{d.month:02d}/{d.day:02d}",
                str(org.views[i]),
                "NAN" if k in nan_pos else str(org.reach[i]),
                str(org.profile_views[i]),  # the newest day is complete in this file
                str(org.likes[i]),
                str(org.shares[i]),
                str(org.comments[i]),
                str(org.website_clicks[i]),
                str(net[i]),
                str(org.new_followers[i]),
                str(org.lost_followers[i]),
            ]
        )
    data = plain_csv_bytes(header, rows, bom=False, lineterminator="\n")
    (OUT / BUSINESS_CSV).write_bytes(data)
    reach_mask = np.array([k not in nan_pos for k in range(BUSINESS_DAYS)])
    sums = {
        "video_views": int(org.views[sl].sum()),
        "profile_views": int(org.profile_views[sl].sum()),
        "likes": int(org.likes[sl].sum()),
        "comments": int(org.comments[sl].sum()),
        "shares": int(org.shares[sl].sum()),
        "reach": int(org.reach[sl][reach_mask].sum()),
        "website_clicks": int(org.website_clicks[sl].sum()),
        "net_followers": int(net[sl].sum()),
        "new_followers": int(org.new_followers[sl].sum()),
        "lost_followers": int(org.lost_followers[sl].sum()),
    }
    nan_dates = [org.days[start + k].isoformat() for k in sorted(nan_pos)]
    entry = file_entry(
        BUSINESS_CSV, "overview", len(rows), org.days[start], org.days[-1], sums, layout="B"
    )
    return entry, nan_dates


# --------------------------------------------------------------------------- ads report


@dataclass(frozen=True)
class AdSpec:
    campaign: str
    ad_group: str
    ad: str
    budget: float  # typical daily spend in £ once ramped up (weekday)
    cpm: float  # £ per 1,000 impressions
    ctr: float  # destination clicks / impressions
    hook: float  # 2-second views / impressions
    cvr: float  # conversions / click
    freq: float  # daily impressions / reach
    length: float  # video length in seconds (for average play time)


_C1, _C2, _C3 = "Autumn Blend Launch", "Always-on Web Sales", "Gift Subscriptions Q4"
_PROSPECT, _BROAD, _ABANDON = "Prospecting UK 25-44", "Broad UK 18-54", "Cart abandoners 14d"
FATIGUED_AD = "Latte pour – v1"
BEST_HOOK_AD = "Bean-to-cup ASMR"
BEST_CTA_AD = "20% off first bag – offer card"

ADS: list[AdSpec] = [
    AdSpec(_C1, _PROSPECT, FATIGUED_AD, 950, 5.2, 0.0135, 0.33, 0.050, 1.20, 18),
    AdSpec(_C1, _PROSPECT, "Latte pour – v2", 450, 5.4, 0.0110, 0.30, 0.048, 1.18, 18),
    AdSpec(_C1, _PROSPECT, "Roastery tour 15s", 380, 5.0, 0.0095, 0.29, 0.045, 1.15, 15),
    AdSpec(_C1, "Retargeting engaged viewers", "Autumn Blend – offer card",
           160, 8.5, 0.0160, 0.24, 0.090, 1.60, 12),
    AdSpec(_C1, "Retargeting engaged viewers", "Founder story", 140, 8.0, 0.0120, 0.31, 0.080,
           1.55, 24),
    AdSpec(_C2, _BROAD, BEST_HOOK_AD, 900, 4.8, 0.0050, 0.42, 0.040, 1.15, 20),
    AdSpec(_C2, _BROAD, BEST_CTA_AD, 880, 4.9, 0.0190, 0.20, 0.065, 1.17, 12),
    AdSpec(_C2, _BROAD, "Morning routine UGC", 760, 4.7, 0.0110, 0.28, 0.050, 1.16, 22),
    AdSpec(_C2, "Lookalike purchasers 1%", "Subscription unboxing", 350, 6.1, 0.0115, 0.29,
           0.060, 1.25, 19),
    AdSpec(_C2, "Lookalike purchasers 1%", "Barista tips – cold brew", 300, 6.0, 0.0100, 0.30,
           0.055, 1.24, 21),
    AdSpec(_C3, "Gifting interest UK", "Gift box reveal", 500, 5.6, 0.0105, 0.31, 0.050, 1.20,
           16),
    AdSpec(_C3, "Gifting interest UK", "3 gifts under £30", 420, 5.5, 0.0120, 0.27, 0.055,
           1.19, 14),
    AdSpec(_C3, "Gifting interest UK", "Unwrap with us", 260, 5.7, 0.0095, 0.30, 0.045, 1.21,
           20),
    AdSpec(_C3, _ABANDON, "Gift box reminder", 110, 9.0, 0.0150, 0.25, 0.100, 1.70, 10),
    AdSpec(_C3, _ABANDON, "Free delivery reminder", 90, 9.2, 0.0140, 0.23, 0.095, 1.65, 10),
]  # fmt: skip

ADS_HEADER = [
    "By Day", "Campaign name", "Ad group name", "Ad name", "Currency", "Cost", "Impressions",
    "Reach", "Frequency", "CPM", "Clicks (destination)", "CTR (destination)",
    "CPC (destination)", "Video views", "2-second video views", "6-second video views",
    "Video views at 25%", "Video views at 50%", "Video views at 75%", "Video views at 100%",
    "Average play time per video view", "Paid likes", "Paid comments", "Paid shares",
    "Paid follows", "Paid profile visits", "Conversions", "Cost per conversion", "CVR (click)",
    "Landing page views (website)", "Add to cart", "Complete payment", "Complete payment value",
    "Purchase ROAS",
]  # fmt: skip

# Additive count columns: expected.json name -> header. Cost and payment value are in pence.
COUNT_COLUMNS = {
    "impressions": "Impressions",
    "clicks": "Clicks (destination)",
    "video_play_actions": "Video views",
    "video_watched_2s": "2-second video views",
    "video_watched_6s": "6-second video views",
    "video_views_p25": "Video views at 25%",
    "video_views_p50": "Video views at 50%",
    "video_views_p75": "Video views at 75%",
    "video_views_p100": "Video views at 100%",
    "likes": "Paid likes",
    "comments": "Paid comments",
    "shares": "Paid shares",
    "follows": "Paid follows",
    "profile_visits": "Paid profile visits",
    "conversion": "Conversions",
    "landing_page_views": "Landing page views (website)",
    "add_to_cart": "Add to cart",
    "complete_payment": "Complete payment",
}


def simulate_ads(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], list[tuple]]:
    """All metrics as (ads x days) arrays; spend and payment value in integer pence."""
    n_ads, n_days = len(ADS), N_ADS_DAYS
    shape = (n_ads, n_days)
    days = [ADS_START + dt.timedelta(days=d) for d in range(n_days)]
    assert days[-1] == dt.date(2026, 10, 31)
    d = np.arange(n_days)
    weekend = np.array([x.weekday() >= 5 for x in days])

    def col(attr: str) -> np.ndarray:
        return np.array([getattr(a, attr) for a in ADS], dtype=float)[:, None]

    # Fatigue: linear progress from the onset day (0) to the last day (1), fatigued ad only.
    onset = (FATIGUE_ONSET - ADS_START).days
    progress = np.zeros(shape)
    fat = [a.ad for a in ADS].index(FATIGUED_AD)
    progress[fat] = np.clip((d - onset) / (n_days - 1 - onset), 0, 1)

    # Budgets ramp from half to full over the first four weeks, +25 % at weekends.
    ramp = np.minimum(1.0, 0.5 + 0.5 * d / 28)
    spend = col("budget") * ramp * np.where(weekend, 1.25, 1.0) * rng.lognormal(0, 0.12, shape)
    cpm = (
        col("cpm")
        * (1 + 0.40 * progress)
        * np.where(weekend, 1.05, 1.0)
        * rng.lognormal(0, 0.07, shape)
    )
    ctr = col("ctr") * (1 - 0.55 * progress) * rng.lognormal(0, 0.06, shape)
    hook = col("hook") * (1 - 0.20 * progress) * rng.lognormal(0, 0.03, shape)
    freq = (col("freq") + 1.8 * progress) * rng.lognormal(0, 0.025, shape)

    # A few days on which the small retargeting audience barely delivered: pennies of spend
    # and no clicks, so the ratio columns read "--".
    abandon = [i for i, a in enumerate(ADS) if a.ad_group == _ABANDON]
    cells = rng.choice(len(abandon) * (n_days - 30), size=N_ZERO_CLICK_ROWS, replace=False)
    stalled = [(abandon[c // (n_days - 30)], 30 + c % (n_days - 30)) for c in sorted(cells)]
    for i, j in stalled:
        spend[i, j] = rng.uniform(0.4, 3.5)
        ctr[i, j] = 0.0

    cost = np.round(spend * 100).astype(np.int64)
    impressions = np.maximum(np.round(cost / 100 / cpm * 1000), 1).astype(np.int64)
    reach = np.clip(np.round(impressions / np.maximum(freq, 1.0)), 1, impressions).astype(np.int64)
    clicks = rng.binomial(impressions, ctr)

    # Video funnel for ~20 s videos: 25 % (5 s) comes before the 6-second mark, 50 % after it.
    views = rng.binomial(impressions, 0.92 * rng.lognormal(0, 0.01, shape).clip(max=1.08))
    w2 = rng.binomial(views, np.clip(hook / 0.92, 0, 1))
    p25 = rng.binomial(w2, 0.78)
    w6 = rng.binomial(p25, 0.62)
    p50 = rng.binomial(w6, 0.70)
    p75 = rng.binomial(p50, 0.72)
    p100 = rng.binomial(p75, 0.78)

    m = {
        "cost": cost,
        "impressions": impressions,
        "reach": reach,
        "clicks": clicks,
        "video_play_actions": views,
        "video_watched_2s": w2,
        "video_watched_6s": w6,
        "video_views_p25": p25,
        "video_views_p50": p50,
        "video_views_p75": p75,
        "video_views_p100": p100,
        "likes": rng.binomial(views, 0.011),
        "comments": rng.binomial(views, 0.0007),
        "shares": rng.binomial(views, 0.0008),
        "follows": rng.binomial(views, 0.0012),
        "profile_visits": rng.binomial(views, 0.0035),
        "conversion": rng.binomial(clicks, col("cvr") * np.ones(shape)),
    }
    m["landing_page_views"] = rng.binomial(clicks, 0.80)
    m["add_to_cart"] = rng.binomial(m["landing_page_views"], 0.14)
    m["complete_payment"] = rng.binomial(m["add_to_cart"], 0.45)
    # Sum of n orders of ~£27 each is a gamma(6n) draw; n = 0 gives exactly 0.
    n_pay = m["complete_payment"]
    value = rng.gamma(np.maximum(6.0 * n_pay, 1e-9), 4.5)
    m["complete_payment_value"] = np.where(n_pay > 0, np.round(value * 100), 0).astype(np.int64)

    # Average play time per view: time spent in each funnel segment, in seconds.
    length = col("length")
    seconds = (
        1.0 * (views - w2)
        + 3.5 * (w2 - p25)
        + 0.27 * length * (p25 - w6)  # between 25 % and the 6-second mark
        + 0.40 * length * (w6 - p50)
        + 0.62 * length * (p50 - p75)
        + 0.87 * length * (p75 - p100)
        + length * p100
    )
    m["avg_play"] = np.divide(seconds, views, out=np.zeros(shape), where=views > 0)
    return m, stalled


def ads_row(m: dict[str, np.ndarray], i: int, j: int, day: dt.date) -> Row:
    a = ADS[i]

    def g(key: str) -> int:
        return int(m[key][i, j])

    cost, imp, reach, clicks = g("cost"), g("impressions"), g("reach"), g("clicks")
    conv = g("conversion")
    value = g("complete_payment_value")
    return [
        day.isoformat(),
        a.campaign,
        a.ad_group,
        a.ad,
        "GBP",
        money(cost),
        count(imp),
        count(reach),
        f"{imp / reach:.2f}",
        money_f(cost / 100 / imp * 1000),
        count(clicks),
        pct(clicks, imp),
        "--" if clicks == 0 else money_f(cost / 100 / clicks),
        count(g("video_play_actions")),
        count(g("video_watched_2s")),
        count(g("video_watched_6s")),
        count(g("video_views_p25")),
        count(g("video_views_p50")),
        count(g("video_views_p75")),
        count(g("video_views_p100")),
        f"{float(m['avg_play'][i, j]):.2f}",
        count(g("likes")),
        count(g("comments")),
        count(g("shares")),
        count(g("follows")),
        count(g("profile_visits")),
        count(conv),
        "--" if conv == 0 else money_f(cost / 100 / conv),
        pct(conv, clicks),
        count(g("landing_page_views")),
        count(g("add_to_cart")),
        count(g("complete_payment")),
        money(value),
        "--" if cost == 0 else f"{value / cost:.2f}",
    ]


def write_ads(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    m, stalled = simulate_ads(rng)
    days = [ADS_START + dt.timedelta(days=d) for d in range(N_ADS_DAYS)]
    # Rows ordered by day, then by campaign / ad group / ad as listed in ADS.
    data_rows = [ads_row(m, i, j, day) for j, day in enumerate(days) for i in range(len(ADS))]

    totals = {key: int(m[key].sum()) for key in COUNT_COLUMNS}
    total_cost = int(m["cost"].sum())
    total_value = int(m["complete_payment_value"].sum())
    by_header = {header: count(totals[key]) for key, header in COUNT_COLUMNS.items()}
    by_header["Cost"] = money(total_cost)
    by_header["Complete payment value"] = money(total_value)
    by_header["Campaign name"] = by_header["Ad group name"] = by_header["Ad name"] = ""
    by_header["Currency"] = ""
    by_header["By Day"] = f"Total of {len(data_rows)} results"
    # Reach and frequency are not additive and ratios of sums are left to the reader: "--".
    total_row = [by_header.get(h, "--") for h in ADS_HEADER]

    data = plain_csv_bytes(ADS_HEADER, [total_row, *data_rows], bom=True, lineterminator="\r\n")
    (OUT / ADS_CSV).write_bytes(data)

    sums: dict[str, Any] = {"spend": total_cost / 100, **totals}
    sums["complete_payment_value"] = total_value / 100
    spend_by_campaign: dict[str, float] = {}
    by_ad = []
    for i, a in enumerate(ADS):
        spend_by_campaign[a.campaign] = spend_by_campaign.get(a.campaign, 0) + int(
            m["cost"][i].sum()
        )
        by_ad.append(
            {
                "campaign": a.campaign,
                "ad_group": a.ad_group,
                "ad": a.ad,
                "impressions": int(m["impressions"][i].sum()),
                "clicks": int(m["clicks"][i].sum()),
                "video_watched_2s": int(m["video_watched_2s"][i].sum()),
                "video_watched_6s": int(m["video_watched_6s"][i].sum()),
                "conversion": int(m["conversion"][i].sum()),
                "spend": int(m["cost"][i].sum()) / 100,
            }
        )
    entry = file_entry(
        ADS_CSV,
        "ads",
        len(data_rows),
        days[0],
        days[-1],
        sums,
        spend_by_campaign={k: v / 100 for k, v in spend_by_campaign.items()},
        by_ad=by_ad,
        currency="GBP",
        totals_row="directly under the header",
    )

    story = ads_story(m, stalled, days)
    return entry, story


def ads_story(m: dict[str, np.ndarray], stalled: list[tuple], days: list[dt.date]) -> dict:
    """The intended findings, with the rates the written counts actually give."""
    names = [a.ad for a in ADS]
    onset = (FATIGUE_ONSET - ADS_START).days
    fat = names.index(FATIGUED_AD)

    def ratio(num: str, den: str, i: int, sl: slice) -> float:
        return round(float(m[num][i, sl].sum() / m[den][i, sl].sum()), 4)

    def cpm(i: int, sl: slice) -> float:
        return round(float(m["cost"][i, sl].sum() / 100 / m["impressions"][i, sl].sum() * 1000), 2)

    def who(i: int) -> dict[str, str]:
        return {"campaign": ADS[i].campaign, "ad_group": ADS[i].ad_group, "ad": ADS[i].ad}

    base, last14 = slice(0, onset), slice(N_ADS_DAYS - 14, None)
    allp = slice(None)
    broad = [i for i, a in enumerate(ADS) if a.ad_group == _BROAD]
    clicks = m["clicks"]
    zero_rows = [(i, j) for i in range(len(ADS)) for j in range(N_ADS_DAYS) if clicks[i, j] == 0]
    assert sorted(zero_rows) == sorted(stalled)
    return {
        "fatigue": {
            **who(fat),
            "onset_date": FATIGUE_ONSET.isoformat(),
            "note": "CTR falls linearly to ~45 % of baseline by 2026-10-31, CPM +~40 %, "
            "daily frequency 1.2 -> ~3.0, hook rate -~20 %",
            "baseline_before_onset": {
                "ctr": ratio("clicks", "impressions", fat, base),
                "hook_rate": ratio("video_watched_2s", "impressions", fat, base),
                "cpm": cpm(fat, base),
                "frequency_mean": round(
                    float(np.mean(m["impressions"][fat, base] / m["reach"][fat, base])), 2
                ),
            },
            "last_14_days": {
                "ctr": ratio("clicks", "impressions", fat, last14),
                "hook_rate": ratio("video_watched_2s", "impressions", fat, last14),
                "cpm": cpm(fat, last14),
                "frequency_mean": round(
                    float(np.mean(m["impressions"][fat, last14] / m["reach"][fat, last14])), 2
                ),
            },
        },
        "best_hook_weak_cta": {
            **who(names.index(BEST_HOOK_AD)),
            "hook_rate": ratio("video_watched_2s", "impressions", names.index(BEST_HOOK_AD), allp),
            "ctr": ratio("clicks", "impressions", names.index(BEST_HOOK_AD), allp),
        },
        "best_cta_weak_hook": {
            **who(names.index(BEST_CTA_AD)),
            "hook_rate": ratio("video_watched_2s", "impressions", names.index(BEST_CTA_AD), allp),
            "ctr": ratio("clicks", "impressions", names.index(BEST_CTA_AD), allp),
        },
        "ad_group_rates": [
            {
                "ad": ADS[i].ad,
                "hook_rate": ratio("video_watched_2s", "impressions", i, allp),
                "ctr": ratio("clicks", "impressions", i, allp),
            }
            for i in broad
        ],
        "hook_rate_definition": "2-second video views / impressions",
        "zero_click_rows": len(zero_rows),
        "zero_click_cells": [
            {"date": days[j].isoformat(), "ad": ADS[i].ad, "ad_group": ADS[i].ad_group}
            for i, j in sorted(zero_rows, key=lambda x: (x[1], x[0]))
        ],
        "all_ads_run_every_day": True,
    }


# --------------------------------------------------------------------------- main


def main() -> None:
    master = np.random.default_rng(SEED)
    # One child stream per part, so changing one file's recipe leaves the others unchanged.
    r_org, r_fol, r_con, r_bus, r_ads = master.spawn(5)

    org = build_organic(r_org)
    files = [write_overview(org)]
    follower_files, wrong_dates = write_followers(org, r_fol)
    files += follower_files
    files.append(write_viewers(org))
    content_entry, viral_link = write_content(org, r_con)
    files.append(content_entry)
    business_entry, nan_dates = write_business(org, r_bus)
    files.append(business_entry)
    ads_entry, ads_story_ = write_ads(r_ads)
    files.append(ads_entry)

    vi = org.viral_index
    last = org.days[-1].isoformat()
    story = {
        "handle": HANDLE,
        "viral_day": VIRAL_DAY.isoformat(),
        "viral_video_link": viral_link,
        "viral_views": int(org.views[vi]),
        "viral_views_vs_normal": round(float(org.views[vi] / org.normal_views[vi]), 2),
        "viral_followers_gained": int(org.new_followers[vi] - org.lost_followers[vi]),
        "undefined_cells": [
            {"file": f"{OVERVIEW_ZIP}/Overview.csv", "date": last, "column": "Profile Views"},
            {"file": f"{VIEWERS_ZIP}/Viewers.csv", "date": last, "column": "Total Viewers"},
            {"file": f"{VIEWERS_ZIP}/Viewers.csv", "date": last, "column": "New Viewers"},
            {"file": f"{VIEWERS_ZIP}/Viewers.csv", "date": last, "column": "Returning Viewers"},
        ],
        "follower_difference_wrong_rows": len(wrong_dates),
        "follower_difference_wrong_dates": wrong_dates,
        "business_reach_nan_dates": nan_dates,
        "weekend_views_factor": 1.35,
        **{k: v for k, v in ads_story_.items() if k != "zero_click_rows"},
        "zero_click_rows": ads_story_["zero_click_rows"],
    }
    expected = {
        "generator": "sample_data/.generator/generate.py",
        "seed": SEED,
        "files": files,
        "story": story,
    }
    text = json.dumps(expected, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    (HERE / "expected.json").write_text(text, encoding="utf-8", newline="\n")


if __name__ == "__main__":
    main()
