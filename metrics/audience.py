"""Audience tables: viewers per day, the followers' daily balance, gender, territories, hours."""

from __future__ import annotations

import pandas as pd

from .aggregate import in_window
from .io import Dataset
from .windows import Window


def viewers_daily(dataset: Dataset, window: Window | None) -> pd.DataFrame:
    """Long frame (date, series, viewers): new and returning viewers per day, never summed."""
    df = in_window(dataset.get("viewers"), window)
    cols = {"new_viewers": "New viewers", "returning_viewers": "Returning viewers"}
    present = [c for c in cols if c in df and df[c].notna().any()]
    if not present and "total_viewers" in df:
        present, cols = ["total_viewers"], {"total_viewers": "Viewers"}
    long = df.melt(id_vars="date", value_vars=present, var_name="series", value_name="viewers")
    return long.assign(series=long["series"].map(cols)).dropna(subset=["viewers"])


def followers_daily(dataset: Dataset, window: Window | None) -> pd.DataFrame:
    """Per day: total followers, the change from the day before, and gains / losses if known."""
    hist = in_window(dataset.get("followers_history"), window)
    out = (
        hist[["date", "followers", "followers_change"]].copy()
        if not hist.empty
        else pd.DataFrame(columns=["date", "followers", "followers_change"])
    )
    overview = in_window(dataset.get("overview"), window)
    if {"new_followers", "lost_followers"} <= set(overview.columns) and overview[
        "new_followers"
    ].notna().any():
        flows = overview[["date", "new_followers", "lost_followers"]]
        out = out.merge(flows, on="date", how="outer") if not out.empty else flows.copy()
    return out.sort_values("date").reset_index(drop=True)


def follower_balance(dataset: Dataset, window: Window | None) -> pd.DataFrame:
    """Long frame (date, flow, followers): gains positive, losses negative when TikTok gives both,
    else the net change per day."""
    daily = followers_daily(dataset, window)
    if "new_followers" in daily and daily["new_followers"].notna().any():
        gains = daily[["date", "new_followers"]].rename(columns={"new_followers": "followers"})
        losses = daily[["date", "lost_followers"]].rename(columns={"lost_followers": "followers"})
        losses = losses.assign(followers=-losses["followers"])
        return pd.concat([gains.assign(flow="Gained"), losses.assign(flow="Lost")]).dropna()
    net = daily[["date", "followers_change"]].rename(columns={"followers_change": "followers"})
    return net.assign(flow="Net change").dropna()


def activity_matrix(dataset: Dataset) -> pd.DataFrame:
    """(day, hour, active_followers) for the heatmap, days labelled 'Mon 26 Oct'."""
    df = dataset.get("follower_activity").dropna(subset=["date", "hour"])
    if df.empty:
        return pd.DataFrame(columns=["day", "hour", "active_followers"])
    df = df.sort_values(["date", "hour"])
    return pd.DataFrame(
        {
            "day": df["date"].dt.strftime("%a %d %b"),
            "hour": df["hour"].astype(int),
            "active_followers": df["active_followers"],
        }
    )


def busiest_hours(dataset: Dataset, top: int = 3) -> list[int]:
    """Hours with the most active followers on average over the days in the file."""
    df = dataset.get("follower_activity").dropna(subset=["hour", "active_followers"])
    if df.empty:
        return []
    mean = df.groupby(df["hour"].astype(int))["active_followers"].mean()
    return [int(h) for h in mean.sort_values(ascending=False).head(top).index]


def shares(dataset: Dataset, kind: str, label: str) -> pd.DataFrame:
    """Gender or territory shares (fractions 0–1), largest first, 'Others' last."""
    df = dataset.get(kind)
    column = "gender" if kind == "follower_gender" else "territory"
    if df.empty:
        return pd.DataFrame(columns=[label, "share"])
    out = df[[column, "share"]].rename(columns={column: label}).dropna()
    others = out[label].str.casefold().isin(["others", "other territories"])
    return pd.concat([out[~others].sort_values("share", ascending=False), out[others]]).reset_index(
        drop=True
    )
