"""Diagnostics on synthetic ads with planted effects (and none), with realistic day-to-day noise."""

import numpy as np
import pandas as pd
import pytest

from metrics.diagnostics import (
    delivery,
    dispersion,
    drop_off,
    fatigue,
    fatigue_for_ad,
    holm,
    hook_vs_cta,
    tracking,
    weighted_trend,
    wilson,
)
from metrics.io import Dataset

START = pd.Timestamp("2026-08-01")


def ad_days(
    seed,
    days=60,
    ctr=0.012,
    onset=None,
    decline=0.6,
    hook=0.3,
    impressions=20000,
    name=("C", "G", "A"),
):
    """Daily rows of one ad. Noise: weekday swings, lognormal day effects on CTR and CPM
    (overdispersion well beyond binomial), binomial clicks. Fatigue: after `onset`, CTR falls
    linearly to (1 - decline) of baseline by the last day, CPM and frequency rise."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    dates = START + pd.to_timedelta(t, unit="D")
    weekend = np.isin(dates.day_of_week, [5, 6])
    imp = rng.poisson(impressions * np.where(weekend, 1.3, 1.0) * rng.lognormal(0, 0.15, days))
    ctr_t = ctr * rng.lognormal(0, 0.10, days)
    cpm = 6.0 * rng.lognormal(0, 0.08, days)
    freq = 1.2 + rng.normal(0, 0.05, days)
    hook_t = np.clip(hook * rng.lognormal(0, 0.05, days), 0, 1)
    if onset is not None:
        after = np.clip((t - onset) / (days - 1 - onset), 0, None)
        ctr_t = ctr_t * (1 - decline * after)
        cpm = cpm * (1 + 0.4 * after)
        freq = freq + 1.8 * after
        hook_t = hook_t * (1 - 0.15 * after)
    clicks = rng.binomial(imp, np.clip(ctr_t, 0, 1))
    two_s = rng.binomial(imp, hook_t)
    six_s = rng.binomial(two_s, 0.45)
    return pd.DataFrame(
        {
            "date": dates,
            "campaign": name[0],
            "ad_group": name[1],
            "ad": name[2],
            "impressions": imp.astype(float),
            "clicks": clicks.astype(float),
            "spend": np.round(imp * cpm / 1000, 2),
            "frequency": np.round(freq, 2),
            "video_watched_2s": two_s.astype(float),
            "video_watched_6s": six_s.astype(float),
            "conversion": rng.binomial(clicks, 0.05).astype(float),
        }
    )


def test_planted_fatigue_is_found_with_onset_within_three_days():
    for seed in range(5):
        verdict = fatigue_for_ad(ad_days(seed, onset=30))
        assert verdict["status"] == "fatigued", (seed, verdict["evidence"])
        onset = pd.Timestamp(verdict["evidence"]["decline_began"])
        assert abs((onset - (START + pd.Timedelta(days=30))).days) <= 3, seed
        assert any("first 3 seconds" in line for line in verdict["brief"])
        assert verdict["explanation"].count(". ") <= 1  # one or two sentences
        assert verdict["evidence"]["projected_floor_date"] is not None


def test_false_alarm_rate_on_healthy_ads():
    statuses = [fatigue_for_ad(ad_days(1000 + seed))["status"] for seed in range(200)]
    fatigued = statuses.count("fatigued")
    watch = statuses.count("watch")
    # The stated rates: "fatigued" under 1 % and "watch" under 10 % on healthy ads.
    assert fatigued <= 2, fatigued
    assert watch <= 20, watch


def test_short_history_is_insufficient_data():
    verdict = fatigue_for_ad(ad_days(1, days=6))
    assert verdict["status"] == "insufficient_data"
    assert "10 days" in verdict["explanation"]


def test_fatigue_over_a_dataset_lists_every_ad():
    frame = pd.concat(
        [ad_days(1, onset=30, name=("C", "G", "Tired")), ad_days(2, name=("C", "G", "Fresh"))]
    )
    result = {r["ad"]: r["status"] for r in fatigue(Dataset(tables={"ads": frame}))}
    assert result == {"Fresh": "healthy", "Tired": "fatigued"}


def _group(specs, seed=7, days=28, impressions=10000):
    return pd.concat(
        [
            ad_days(
                seed + i,
                days=days,
                ctr=ctr,
                hook=hook,
                impressions=impressions,
                name=("C", "G", name),
            )
            for i, (name, hook, ctr) in enumerate(specs)
        ]
    )


def test_planted_hook_and_cta_winners_are_found():
    frame = _group([("X", 0.42, 0.005), ("Y", 0.20, 0.019), ("Z", 0.28, 0.011)])
    groups = hook_vs_cta(Dataset(tables={"ads": frame}))
    group = next(g for g in groups if g["ad_group"] == "G")
    assert group["best_hook"] == "X" and group["best_cta"] == "Y"
    assert group["significant"] is True
    assert "Combine" in group["recommendation"] and "“X”" in group["recommendation"]
    x = next(a for a in group["ads"] if a["ad"] == "X")
    low, high = x["hook_rate_ci"]
    assert low < x["hook_rate"] < high and 0.40 < x["hook_rate"] < 0.44


def test_near_ties_are_not_significant():
    frame = _group([("P", 0.300, 0.0110), ("Q", 0.302, 0.0111)])
    group = next(g for g in hook_vs_cta(Dataset(tables={"ads": frame})) if g["ad_group"] == "G")
    assert group["significant"] is False
    assert group["hook_significant"] is False and group["cta_significant"] is False
    assert "within the day-to-day noise" in group["recommendation"]


def test_wilson_interval_by_hand():
    # 10 of 100, z = 1.96: centre (0.1 + 0.019208) / 1.038416 = 0.114797,
    # half 1.96 · sqrt(0.0009 + 0.00009604) / 1.038416 = 0.059574.
    low, high = wilson(10, 100)
    assert low == pytest.approx(0.0552, abs=1e-4) and high == pytest.approx(0.1744, abs=1e-4)
    wide_low, wide_high = wilson(10, 100, phi=4)  # effective n 25
    assert wide_low < low and wide_high > high


def test_many_wilson_intervals_at_once_are_each_wilson_to_the_last_digit():
    from metrics.diagnostics.core import wilson_many

    got = wilson_many(
        np.array([10.0, 0.0, 5.0, 7.0, 3.0]),
        np.array([100.0, 50.0, 5.0, 0.0, 1e6]),
        np.array([1.0, 2.0, 1.0, 1.0, 3.5]),
    )
    # the hand-worked 10 of 100 above; none of 50 starts at 0, five of five ends at 1;
    # no trials, no interval
    assert got[0] == pytest.approx([0.0552, 0.1744], abs=1e-4)
    assert got[1][0] == 0.0 and got[2][1] == 1.0 and got[3] is None
    for (s_, n_, f), pair in zip(
        [(10, 100, 1), (0, 50, 2), (5, 5, 1), (3, 1e6, 3.5)],
        [got[0], got[1], got[2], got[4]],
        strict=True,
    ):
        assert pair == list(wilson(float(s_), float(n_), float(f)))


def test_holm_by_hand():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_dispersion_is_one_for_binomial_and_large_for_overdispersed():
    n = np.full(30, 10000.0)
    assert dispersion(np.full(30, 100.0), n) == 1.0
    wild = np.array([50.0, 150.0] * 15)
    assert dispersion(wild, n) > 20


def test_weighted_trend_slope_by_hand():
    trend = weighted_trend(np.array([1.0, 3.0, 5.0, 7.0, 9.0]))
    assert trend.slope == pytest.approx(2.0) and trend.p_value == 0.0


def test_drop_off_flags_strong_hook_weak_hold():
    frame = _group([("Hooky", 0.35, 0.01), ("Other", 0.33, 0.01), ("Third", 0.34, 0.01)])
    rows = frame["ad"] == "Hooky"
    frame.loc[rows, "video_watched_6s"] = np.round(frame.loc[rows, "video_watched_2s"] * 0.2)
    result = {r["ad"]: r for r in drop_off(Dataset(tables={"ads": frame}))}
    assert any("loses it before 6 s" in f for f in result["Hooky"]["flags"])
    assert result["Other"]["flags"] == []
    assert result["Hooky"]["curve"][0] == 1.0


def test_delivery_lists_spend_without_impressions():
    frame = _group([("A", 0.3, 0.01), ("B", 0.3, 0.01), ("C", 0.3, 0.01), ("D", 0.3, 0.01)])
    frame.loc[frame["ad"] == "D", "impressions"] = 0.0
    frame.loc[frame["ad"] == "C", "impressions"] = 3.0
    found = {r["ad"]: r["problem"] for r in delivery(Dataset(tables={"ads": frame}))}
    assert set(found) == {"C", "D"}
    assert found["D"] == "spend with no impressions"
    assert "almost no impressions" in found["C"]


def test_tracking_gap():
    ads = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-08-01", "2026-08-02"]),
            "campaign": "C",
            "ad_group": "G",
            "ad": "A",
            "conversion": [50.0, 30.0],
        }
    )
    shop = pd.DataFrame(
        {"date": pd.to_datetime(["2026-08-01", "2026-08-02"]), "orders": [40.0, 29.0]}
    )
    result = tracking(Dataset(tables={"ads": ads, "shop_orders": shop}))
    # (80 − 69) / 69 = 15.9 %: within the usual 10–20 %; day 1 alone is 25 % off.
    assert result["gap"] == pytest.approx(11 / 69)
    assert result["within_usual_range"] is True
    assert result["days_beyond_usual_gap"] == ["2026-08-01"]


def noiseless_fatigue() -> pd.DataFrame:
    """40 days, 100,000 impressions a day. CTR 2 % for 20 days, then 3 % lower each day
    (compounding: × 0.97 a day); CPM £5 then +£0.10 a day; frequency climbing 0.02 a day from
    launch (saturation)."""
    t = np.arange(40)
    ctr = 0.02 * 0.97 ** np.clip(t - 20, 0, None)
    return pd.DataFrame(
        {
            "date": pd.date_range("2026-09-01", periods=40),
            "impressions": 100_000.0,
            "clicks": np.round(ctr * 100_000),
            "spend": np.where(t < 20, 500.0, 500 + 10 * (t - 20)),
            "frequency": 1.2 + 0.02 * t,
        }
    )


def test_onset_and_floor_projection_worked_out_by_hand():
    # The decline starts after day 20 = 21 Sep. Half the level before it is reached
    # ln 0.5 ÷ ln 0.97 = 22.76 days later: day 42.76, so day 43 = 14 Oct. 70 % of it
    # (ln 0.7 ÷ ln 0.97 = 11.7 days: day 31.7) has been passed by the last day (day 39, 10 Oct).
    half = fatigue_for_ad(noiseless_fatigue(), floor_share=0.5)
    assert half["status"] == "fatigued"
    e = half["evidence"]
    assert e["decline_began"] == "2026-09-21"
    assert e["projected_floor_date"] == "2026-10-14"
    assert e["projected_floor_interval"] == ["2026-10-14", "2026-10-14"]  # no noise, no width
    assert e["reference"] == "own history"
    assert "50 % of its earlier level around 14 Oct 2026" in half["explanation"]
    assert "CTR has fallen 43.9 % since about 21 Sep 2026" in half["explanation"]
    # 19 days of −3 %: 0.97^19 − 1 = −43.9 %.
    assert e["ctr_change_since_onset"] == pytest.approx(0.97**19 - 1, abs=0.002)
    seventy = fatigue_for_ad(noiseless_fatigue(), floor_share=0.7)
    assert seventy["evidence"]["projected_floor_date"] == "2026-10-10"
    assert seventy["evidence"]["ctr_floor_reached"] is True


def test_onset_holds_when_frequency_climbs_from_launch():
    # Frequency that rises from day one (audience saturation) must not drag the onset to the
    # start: only its change of pace counts.
    for seed in range(5):
        days = ad_days(seed, onset=30)
        days["frequency"] = days["frequency"] + 0.05 * np.arange(len(days))
        verdict = fatigue_for_ad(days)
        assert verdict["status"] == "fatigued"
        onset = pd.Timestamp(verdict["evidence"]["decline_began"])
        assert abs((onset - (START + pd.Timedelta(days=30))).days) <= 3, seed


def test_organic_vs_paid_uses_the_same_definitions_as_the_cards(sample_dataset):
    from metrics.diagnostics import organic_vs_paid
    from metrics.report import resolve_window, summary_changes

    window = resolve_window(sample_dataset, 28)
    rows = {r["metric"]: r for r in organic_vs_paid(sample_dataset, window)}
    cards = summary_changes(sample_dataset, window)
    assert rows["engagement_rate"]["organic"] == pytest.approx(
        cards["organic"]["engagement_rate"].value
    )
    assert rows["video_views"]["paid"] == pytest.approx(cards["ads"]["video_views"].value)
    assert rows["cost_per_view"]["organic"] is None


@pytest.mark.parametrize("days", [7, 28, 60])
def test_the_sample_fatigue_onset_is_found_in_every_default_window(sample_dataset, days):
    # The generator plants the decline of "Latte pour – v1" on 20 Sep 2026; a 7- or 28-day
    # window ending 31 Oct starts after it, so the ad's history before the window must count.
    from metrics.report import resolve_window

    verdicts = fatigue(sample_dataset, resolve_window(sample_dataset, days))
    tired = next(v for v in verdicts if v["ad"] == "Latte pour – v1")
    assert tired["status"] == "fatigued"
    onset = pd.Timestamp(tired["evidence"]["decline_began"])
    assert abs((onset - pd.Timestamp("2026-09-20")).days) <= 3
    assert all(v["status"] in ("healthy", "insufficient_data") for v in verdicts if v is not tired)


def _one_group(rows: dict) -> Dataset:
    """Ads of one group over 14 days: {ad: (impressions per day, ctr, hook rate)}, exact counts."""
    frames = []
    for ad, (imp, ctr, hook) in rows.items():
        dates = START + pd.to_timedelta(np.arange(14), unit="D")
        frames.append(
            pd.DataFrame(
                {
                    "date": dates,
                    "campaign": "C",
                    "ad_group": "G",
                    "ad": ad,
                    "impressions": float(imp),
                    "clicks": float(round(imp * ctr)),
                    "video_watched_2s": float(round(imp * hook)),
                    "spend": imp * 0.006,
                }
            )
        )
    return Dataset(tables={"ads": pd.concat(frames, ignore_index=True)})


def test_a_one_percent_lift_is_reported_with_its_margin():
    # 2 million impressions a day, the same every day: CTR 1.010 % against 1.000 % on every
    # one of 14 days is real, but small; the verdict carries the margin (+1 %) beside it
    # instead of hiding it in the null hypothesis. Hook 30 % against 20 %: +50 %.
    group = hook_vs_cta(
        _one_group({"A": (2_000_000, 0.0101, 0.30), "B": (2_000_000, 0.0100, 0.20)})
    )
    g = next(x for x in group if x["ad_group"] == "G")
    assert g["best_cta"] == "A" and g["cta_significant"] is True
    assert g["cta_lift"] == pytest.approx(0.01, abs=1e-4)
    assert g["best_hook"] == "A" and g["hook_lift"] == pytest.approx(0.5, abs=1e-4)
    assert "+50.0 % hook rate" in g["recommendation"] and "+1.0 % CTR" in g["recommendation"]


def test_a_tiny_ad_cannot_be_the_winner():
    # 6 impressions a day (84 in all) with a perfect-looking CTR: compared, never crowned.
    group = hook_vs_cta(
        _one_group({"Tiny": (6, 0.5, 0.5), "A": (20_000, 0.012, 0.3), "B": (20_000, 0.008, 0.25)})
    )
    g = next(x for x in group if x["ad_group"] == "G")
    assert g["best_cta"] == "A" and g["best_hook"] == "A"
    account = next(x for x in group if x["ad_group"] == "(whole account)")
    assert all(a["ad_group"] == "G" for a in account["ads"])


def test_delivery_flags_a_starved_ad_in_a_two_ad_account():
    # £200 for 21 impressions (CPM £9,524) beside £200 for 40,000 (CPM £5): no spread to
    # measure with two ads, but a CPM over ten times the other ad's is flagged.
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-07-01", "2026-07-02"] * 2),
            "campaign": "C",
            "ad_group": ["G", "G", "G2", "G2"],
            "ad": ["Normal", "Normal", "Starved", "Starved"],
            "spend": [100.0, 100.0, 100.0, 100.0],
            "impressions": [20000.0, 20000.0, 12.0, 9.0],
        }
    )
    flagged = delivery(Dataset(tables={"ads": frame}))
    assert [f["ad"] for f in flagged] == ["Starved"]
    assert "5.00 for the other ads" in flagged[0]["problem"]


def test_tracking_compares_revenue_too():
    ads = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-08-01", "2026-08-02"]),
            "campaign": "C",
            "ad_group": "G",
            "ad": "A",
            "spend": [10.0, 10.0],
            "conversion": [5.0, 5.0],
            "complete_payment_value": [300.0, 200.0],
        }
    )
    shop = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-08-01", "2026-08-02"]),
            "orders": [4.0, 5.0],
            "revenue": [250.0, 150.0],
        }
    )
    result = tracking(Dataset(tables={"ads": ads, "shop_orders": shop}))
    # TikTok 500 against the shop's 400: 25 % more.
    assert result["revenue"] == {"tiktok_revenue": 500.0, "shop_revenue": 400.0, "gap": 0.25}


def test_a_day_broken_down_by_age_has_the_frequency_of_its_sums():
    from metrics.diagnostics import _daily_per_ad

    rows = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-07-01"] * 2),
            "campaign": "C",
            "ad_group": "G",
            "ad": "A",
            "impressions": [3000.0, 1000.0],
            "reach": [1000.0, 1000.0],
            "frequency": [3.0, 1.0],
        }
    )
    # (3,000 + 1,000) ÷ (1,000 + 1,000) = 2.0, which here equals the mean by chance; with
    # reach 1,000 and 500 it is 4,000 ÷ 1,500 = 2.67, not the mean of 3.0 and 2.0 (2.5).
    assert _daily_per_ad(rows)["frequency"].iloc[0] == pytest.approx(2.0)
    rows["reach"] = [1000.0, 500.0]
    rows["frequency"] = [3.0, 2.0]
    assert _daily_per_ad(rows)["frequency"].iloc[0] == pytest.approx(4000 / 1500)


def _account(seed, days=40, n_ads=4, market_ctr_per_day=0.0, tired=None, strength=0.03):
    """Ads of one account sharing market day effects; the market CTR may drift (compounding);
    ad `tired` (an index) declines by `strength` a day from day 20."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    dates = START + pd.to_timedelta(t, unit="D")
    market = np.exp(rng.normal(0, 0.08, days)) * (1 + market_ctr_per_day) ** t
    frames = []
    for i in range(n_ads):
        imp = rng.poisson(30_000 * rng.lognormal(0, 0.15, days))
        ctr = 0.012 * market * rng.lognormal(0, 0.05, days)
        if i == tired:
            ctr = ctr * (1 - strength) ** np.clip(t - 20, 0, None)
        frames.append(
            pd.DataFrame(
                {
                    "date": dates,
                    "campaign": "C",
                    "ad_group": "G",
                    "ad": f"ad {i}",
                    "impressions": imp.astype(float),
                    "clicks": rng.binomial(imp, ctr).astype(float),
                    "spend": imp * 0.006,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_a_market_wide_ctr_dip_is_not_fatigue():
    # Every ad's CTR falls 2 % a day with the market: against the other ads nothing changes.
    frame = _account(3, market_ctr_per_day=-0.02)
    verdicts = fatigue(Dataset(tables={"ads": frame}))
    assert [v["status"] for v in verdicts] == ["healthy"] * 4
    assert all(v["evidence"]["reference"] == "account" for v in verdicts)
    assert "against the account's other ads" in verdicts[0]["explanation"]
    # The same ad on its own cannot tell the market from the creative, and says so.
    alone = fatigue(Dataset(tables={"ads": frame[frame["ad"] == "ad 0"]}))[0]
    assert alone["evidence"]["reference"] == "own history"
    assert alone["status"] in ("watch", "fatigued")
    assert "too few other ads to compare with" in alone["explanation"]


def test_a_tired_ad_is_found_against_the_account_with_its_projection():
    # ad 1 loses 3 % a day from day 20 (21 Aug) while the market dips 1 % a day for everyone.
    # Half its level is reached ln 0.5 ÷ ln 0.97 = 22.8 days after the onset: day 42.8,
    # 13 Sep 2026 (day 0 = 1 Aug); the interval must hold it.
    frame = _account(5, market_ctr_per_day=-0.01, tired=1)
    verdicts = {v["ad"]: v for v in fatigue(Dataset(tables={"ads": frame}))}
    tired = verdicts["ad 1"]
    assert tired["status"] == "fatigued"
    e = tired["evidence"]
    assert abs((pd.Timestamp(e["decline_began"]) - pd.Timestamp("2026-08-21")).days) <= 3
    low, high = (pd.Timestamp(d) for d in e["projected_floor_interval"])
    assert low <= pd.Timestamp("2026-09-13") <= high
    assert e["ctr_slope_per_day"] == pytest.approx(np.log(0.97), abs=0.012)
    assert tired["explanation"].count(". ") <= 1  # two sentences
    assert all(v["status"] == "healthy" for ad, v in verdicts.items() if ad != "ad 1")


def test_daily_looks_at_healthy_ads_rarely_alert():
    # 20 healthy ads, each looked at every day from day 10 to day 45 (36 looks): the
    # thresholds are calibrated for about 2 % of such ads ever alerted with independent days;
    # at most 3 of 20 here (the bench measures it on thousands).
    from metrics.diagnostics.ad_fatigue import _fatigue  # the arrays path: 720 looks

    alerted = 0
    for seed in range(5):
        frame = _account(100 + seed, days=46).sort_values(["ad", "date"])
        cols = ["impressions", "clicks", "spend"]
        per_ad = {ad: rows[cols].to_numpy("float64") for ad, rows in frame.groupby("ad")}
        total = sum(per_ad.values())
        dates = frame["date"].dt.date.unique()
        for mine in per_ad.values():
            others = {c: total[:, j] - mine[:, j] for j, c in enumerate(cols)}
            others["ads"] = np.full(len(dates), 3.0)
            for upto in range(10, 46):
                cut = {c: v[:upto] for c, v in others.items()}
                day = [mine[:upto, 0], mine[:upto, 1], mine[:upto, 2], None, None]
                if _fatigue(dates[:upto], *day, 0.5, cut)["status"] != "healthy":
                    alerted += 1
                    break
    assert alerted <= 3, alerted


def test_hook_vs_cta_says_small_groups_tiny_ads_and_ties_in_words():
    one = hook_vs_cta(_one_group({"Only": (20_000, 0.012, 0.3), "Tiny": (5, 0.4, 0.4)}))
    g = next(x for x in one if x["ad_group"] == "G")
    assert g["significant"] is False
    assert "Only one ad in this group has the 1,000 impressions" in g["recommendation"]
    assert any("“Tiny” had only 70 impressions" in n for n in g["notes"])
    # Two ads 1 % apart with day-to-day noise: level, and said to be a tie.
    frame = _group([("P", 0.300, 0.0110), ("Q", 0.300, 0.01111)], seed=11)
    tie = next(x for x in hook_vs_cta(Dataset(tables={"ads": frame})) if x["ad_group"] == "G")
    assert tie["cta_significant"] is False
    assert any("a tie, not a winner" in n for n in tie["notes"])


# --- the account's day correlation -------------------------------------------------------------


def _ad_days(y: list[float], imp: float = 1e6, rate: float = 0.01):
    """Rows whose log CTR against the other ads is exactly y (clicks + 0.5 = imp × rate × e^y)."""
    y = np.asarray(y, dtype=float)
    clk = imp * rate * np.exp(y) - 0.5
    return clk, np.full(len(y), imp), np.full(len(y), imp * rate - 0.5), np.full(len(y), imp)


def _series_account(*series):
    parts = [_ad_days(s) for s in series]
    starts = np.cumsum([0] + [len(s) for s in series[:-1]])
    return [np.concatenate([p[j] for p in parts]) for j in range(4)], starts


def test_account_day_correlation_alternating_days_leave_only_the_margin():
    from metrics.diagnostics.ad_fatigue import account_day_correlation

    # Ads B and C alternate ±0.1 over 8 days: lag-1 products −7a² each, squares 8a², so the
    # pooled r1 = −14/16 < 0 and no correlation is allowed for; only the margin 0.5 ÷ √16 days
    # pooled = 0.125 remains. Ad A's own smooth climb is left out of its own value.
    alt = [0.1, -0.1] * 4
    (clk, imp, oclk, oimp), starts = _series_account(list(np.arange(8.0) / 10), alt, alt)
    rho = account_day_correlation(clk, imp, oclk, oimp, starts)
    assert rho[0] == pytest.approx(0.125, abs=1e-9)


def test_account_day_correlation_smooth_wander_is_strongly_correlated():
    from metrics.diagnostics.ad_fatigue import account_day_correlation

    # B and C climb 0, 1, …, 7: demeaned squares 42, lag-1 products 26.25, lag-2 11.5 each.
    # r1 = 0.625 + (1 + 3·0.625) ÷ 8 = 0.984, clearly above 0, so decay φ = 0.8 (its cap) and
    # the long-run factor 1 + 2·0.984 ÷ 0.2 = 10.8: ρ = 9.84 ÷ 11.84 = 0.83, + 0.125 → 0.9 (cap).
    up = list(np.arange(8.0))
    (clk, imp, oclk, oimp), starts = _series_account([0.1, -0.1] * 4, up, up)
    rho = account_day_correlation(clk, imp, oclk, oimp, starts)
    assert rho[0] == pytest.approx(0.9)


def test_account_day_correlation_needs_two_other_ads():
    from metrics.diagnostics.ad_fatigue import account_day_correlation

    up = list(np.arange(8.0))
    (clk, imp, oclk, oimp), starts = _series_account(up, up)
    assert list(account_day_correlation(clk, imp, oclk, oimp, starts)) == [0.0, 0.0]


# --- one percentage style ----------------------------------------------------------------------


def test_sentence_percentages_follow_the_app_formatter():
    from metrics.diagnostics.core import percent, share_percent
    from ui.numbers import format_value

    # Worked by hand: 12.345 % → 12.3 (one decimal); 12.35 % rounds half away from zero to
    # 12.4 (the binary 0.1235 is 0.12349999…, which plain rounding would cut to 12.3);
    # −4.49 % → −4.5; a change that rounds to 0 has no sign.
    assert percent(0.12345, signed=True) == "+12.3 %"
    assert percent(0.1235, signed=True) == "+12.4 %"
    assert percent(-0.0449, signed=True) == "-4.5 %"
    assert percent(-0.00004, signed=True) == "0.0 %"
    assert percent(0.439) == "43.9 %"
    assert share_percent(0.5) == "50 %" and share_percent(0.375) == "37.5 %"
    # The same text as the app's own formatter for relative changes.
    for change in (0.12345, 0.1235, -0.0449, 1.5, -0.999, 0.0004, 12.3456):
        assert percent(change, signed=True) == format_value(change, "change")


def test_every_verdict_writes_percentages_one_way(sample_dataset):
    import re

    from metrics.diagnostics import drop_off
    from metrics.report import resolve_window

    window = resolve_window(sample_dataset, 60)
    texts = [v["explanation"] for v in fatigue(sample_dataset, window)]
    for g in hook_vs_cta(sample_dataset, window):
        texts += [g["recommendation"], *g["notes"]]
    texts += [flag for c in drop_off(sample_dataset, window) for flag in c["flags"]]
    # a one-percent lift, a tie and a fatigued ad with its projection: every kind of sentence
    margin = hook_vs_cta(
        _one_group({"A": (2_000_000, 0.0101, 0.30), "B": (2_000_000, 0.0100, 0.20)})
    )
    texts += [g["recommendation"] for g in margin]
    texts.append(fatigue_for_ad(noiseless_fatigue())["explanation"])
    # ad names are the advertiser's own text ("20% off first bag"): left out of the check
    joined = re.sub(r"“[^”]*”", "“ad”", "\n".join(texts))
    assert "%" in joined
    assert not re.search(r"\d%", joined), joined  # "50%" nowhere: "50 %" everywhere
    assert re.findall(r"\d %", joined)


# --- the onset: the likeliest week ------------------------------------------------------------


def test_onset_is_the_day_whose_week_holds_the_most_likelihood():
    from metrics.diagnostics.ad_fatigue import _likeliest_week

    # −2 log-likelihood per onset. A lone best day (0) at index 1 against a broad shoulder at
    # 6…10 (0.6, 0.4, 0.2, 0.4, 0.6 above it: likelihoods e^−0.3, e^−0.2, e^−0.1, …). The week
    # around index 1 (indices 0…4) holds 1 + 4·e^−10 ≈ 1.0; the weeks around 7, 8 and 9 each
    # hold the whole shoulder, 2·e^−0.3 + 2·e^−0.2 + e^−0.1 = 4.01: a tie, which the likeliest
    # single day of the three breaks: the onset is 8, not 1.
    total = np.array([20, 0, 20, 20, 20, 20, 0.6, 0.4, 0.2, 0.4, 0.6, 20, 20, 20])
    assert _likeliest_week(total) == 8
    # A sharp single peak: every window containing it holds the same mass; the best day wins.
    sharp = np.full(15, 400.0)
    sharp[9] = 0.0
    assert _likeliest_week(sharp) == 9
    # Candidates that could not be fitted (inf) are never chosen.
    assert _likeliest_week(np.array([np.inf, 3.0, 1.0, np.inf])) == 2


# --- the evidence table of the Diagnostics page ------------------------------------------------


def test_evidence_table_lists_what_the_fatigue_verdicts_return():
    from ui.widgets import EVIDENCE_IN_LABELS, EVIDENCE_ROWS

    frame = _account(5, tired=1)
    frame["frequency"] = 1.2
    verdicts = fatigue(Dataset(tables={"ads": frame}))  # against the account: tired + healthy
    verdicts.append(fatigue_for_ad(noiseless_fatigue()))  # alone: its own history
    verdicts.append(fatigue_for_ad(noiseless_fatigue().head(5)))  # too little data
    returned = set().union(*(v["evidence"] for v in verdicts))
    listed = {key for key, _, _ in EVIDENCE_ROWS}
    assert returned - EVIDENCE_IN_LABELS == listed  # nothing unlisted, no retired key
    assert "ctr_drop_p_value" not in listed


def test_evidence_table_formats_a_tired_ad_worked_by_hand():
    from ui.widgets import evidence_table

    # noiseless_fatigue: CTR 2 % for 20 days, then × 0.97 a day from 21 Sep; the floor is half
    # the first week's 2.00 %, reached 14 Oct (test_onset_and_floor_projection…); 19 days of
    # −3 % a day is 0.97^19 − 1 = −43.9 %; CPM £5.00, last week (£6.30 … £6.90) £6.60.
    rows = {r["What"]: r["Value"] for r in evidence_table(fatigue_for_ad(noiseless_fatigue())
                                                          ["evidence"], "GBP")}  # fmt: skip
    assert rows["Judged against"].startswith("Its own history (too few other ads")
    assert rows["Decline began"] == "21 Sep 2026"
    assert rows["Decline began, 90 % interval"] == "21 Sep 2026"  # no noise: no width
    assert rows["CTR change since the decline began"] == "-43.9 %"
    assert rows["CTR trend since then, per day (compounding)"] == "-3.0 %"
    assert rows["CPM in the first week"] == "£5.00" and rows["CPM in the last week"] == "£6.60"
    assert rows["The floor"] == "1.00 % (50 % of the first week's CTR)"
    assert rows["CTR reaches the floor, 90 % interval"] == "14 Oct 2026"
    assert rows["Also unusual for this ad"] == "CPM is rising"
    assert rows["Break statistic"].endswith("(watch from 3.2, fatigued from 4.5)")
    # an open-ended projection says so in words
    e = dict(fatigue_for_ad(noiseless_fatigue())["evidence"])
    e["projected_floor_interval"] = ["2026-10-20", None]
    rows = {r["What"]: r["Value"] for r in evidence_table(e, "GBP")}
    assert rows["CTR reaches the floor, 90 % interval"] == "not before 20 Oct 2026"


def test_the_hook_and_cta_margins_read_as_the_issue_asks():
    from ui.widgets import floor_interval, margin_lines

    # A +12 % CTR lead whose one-sided 95 % bound is +4 %: "+12.0 %, at least +4.0 %".
    group = {"best_cta": "B", "cta_lift": 0.12, "cta_lift_at_least": 0.04, "cta_p_value": 0.0123,
             "best_hook": "A", "hook_lift": None, "hook_lift_at_least": None,
             "hook_p_value": None}  # fmt: skip
    assert margin_lines(group) == [
        "CTR: “B” +12.0 % over the next ad, at least +4.0 % (p = 0.0123)"
    ]
    group.update(hook_lift=0.5, hook_lift_at_least=0.45, hook_p_value=1e-9)
    assert margin_lines(group)[0] == (
        "Hook rate: “A” +50.0 % over the next ad, at least +45.0 % (p < 0.0001)"
    )
    assert floor_interval(["2026-10-01", "2026-10-09"]) == "1 – 9 Oct 2026"
    assert floor_interval(["2026-10-01", None]) == "not before 1 Oct 2026"
    assert floor_interval(None) == ""


# --- many ads at once: the same numbers as one at a time ---------------------------------------


def test_leave_one_out_medians_by_hand():
    from metrics.diagnostics.delivery_check import _medians_of_others

    # Finite values 1, 3, 2, 10 (sorted 1, 2, 3, 10). Leaving out 1: median of 2, 3, 10 = 3;
    # out 3: 1, 2, 10 → 2; out 2: 1, 3, 10 → 3; out 10: 1, 2, 3 → 2. The ad with no finite
    # CPM (inf) is compared with all four: (2 + 3) ÷ 2 = 2.5.
    got = _medians_of_others(np.array([1.0, 3.0, 2.0, 10.0, np.inf]))
    assert got.tolist() == [3.0, 2.0, 3.0, 2.0, 2.5]
    # Five values: each ad's others are four, the mean of their middle two.
    got = _medians_of_others(np.array([4.0, 1.0, 1.0, 7.0, 3.0]))  # sorted 1, 1, 3, 4, 7
    assert got.tolist() == [2.0, 3.5, 3.5, 2.0, 2.5]
    assert _medians_of_others(np.array([5.0])).tolist() == [np.inf]  # no other ad


def test_batched_comparisons_match_one_pair_at_a_time():
    from metrics.compare import ar1, long_run_variance
    from metrics.diagnostics.core import ratio_difference, ratio_differences

    def one_pair(ya, xa, yb, xb, min_shared=5):
        """The pairwise comparison as written for one pair (the reference)."""
        run_a, run_b = np.nan_to_num(xa) > 0, np.nan_to_num(xb) > 0
        both = run_a & run_b
        if both.sum() >= min_shared:
            t = ratio_difference(
                np.nan_to_num(ya[both]), xa[both], np.nan_to_num(yb[both]), xb[both]
            )
            return None if t is None else (t.rate_a, t.rate_b, t.se, t.days)
        parts = []
        for y, x in ((ya[run_a], xa[run_a]), (yb[run_b], xb[run_b])):
            y = np.nan_to_num(y)
            if len(x) < 3 or x.sum() <= 0:
                return None
            r = y.sum() / x.sum()
            u = (y - r * x) / x.mean()
            parts.append((r, long_run_variance(u, ar1(u)), len(x)))
        (ra, va, na), (rb, vb, nb) = parts
        return ra, rb, np.sqrt(max(va + vb, 0.0)), min(na, nb)

    rng = np.random.default_rng(3)
    days, ads = 40, 30
    imp = rng.poisson(5000, (days, ads)).astype(float)
    clicks = rng.binomial(imp.astype(int), rng.uniform(0.005, 0.02, ads)).astype(float)
    # gaps: ads that start late, stop early, or ran only a few days (unpaired, or too few)
    for j in range(ads):
        start, stop = sorted(rng.integers(0, days, 2))
        if j % 3 == 0:
            imp[:start, j] = np.nan
        if j % 4 == 0:
            imp[stop:, j] = 0.0
    imp[:, 5] = np.nan
    imp[[3, 9, 20], 5] = 4000.0  # three days: compared unpaired
    imp[:, 6] = np.nan
    imp[[1, 2], 6] = 4000.0  # two days: no comparison
    clicks[rng.random((days, ads)) < 0.05] = np.nan
    for a in (0, 7):
        got = ratio_differences(clicks[:, a], imp[:, a], clicks, imp, 5)
        for b in range(ads):
            want = one_pair(clicks[:, a], imp[:, a], clicks[:, b], imp[:, b])
            assert got["valid"][b] == (want is not None), b
            if want is not None:
                assert got["rate_a"][b] == pytest.approx(want[0], rel=1e-12)
                assert got["rate_b"][b] == pytest.approx(want[1], rel=1e-12)
                assert got["se"][b] == pytest.approx(want[2], rel=1e-9, abs=1e-15)
                assert got["days"][b] == want[3]
    assert not got["valid"][6]

    # A leader per column (many groups' leaders at once): column j is leader a_j against ad j,
    # exactly the one-leader call for a_j.
    leaders = np.array([0, 7] * (ads // 2))
    many = ratio_differences(clicks[:, leaders], imp[:, leaders], clicks, imp, 5)
    for a in (0, 7):
        one = ratio_differences(clicks[:, a], imp[:, a], clicks, imp, 5)
        cols = np.flatnonzero(leaders == a)
        for key in ("rate_a", "rate_b", "se", "days", "valid"):
            np.testing.assert_array_equal(many[key][cols], one[key][cols])


def test_hook_vs_cta_is_the_same_whatever_the_chunks_of_pairs(monkeypatch, sample_dataset):
    """The leaders of all groups are tested in chunks of pairs; a chunk of three pairs (the
    smallest) gives the verdicts and figures of one chunk for everything, to the last digit."""
    import metrics.diagnostics.hook_cta as hook_cta
    from metrics.report import resolve_window

    for days in (28, 60):
        window = resolve_window(sample_dataset, days)
        whole = hook_vs_cta(sample_dataset, window)
        monkeypatch.setattr(hook_cta, "PAIR_CELLS", 1)
        chunked = hook_vs_cta(sample_dataset, window)
        monkeypatch.undo()
        assert chunked == whole
        assert any(g["hook_significant"] or g["cta_significant"] for g in whole)


def test_every_verdict_is_two_sentences_ending_in_what_to_do(sample_dataset):
    import re

    from metrics.report import resolve_window

    window = resolve_window(sample_dataset, 28)
    texts = [v["explanation"] for v in fatigue(sample_dataset, window)]
    texts += [g["recommendation"] for g in hook_vs_cta(sample_dataset, window)]
    texts.append(fatigue_for_ad(noiseless_fatigue())["explanation"])  # with its projection
    verbs = ("Keep", "Refresh", "Combine", "Move", "Test", "Give", "Prepare", "CTR is already",
             "At this pace")  # fmt: skip
    for text in texts:
        # ad names are the advertiser's own text: left out
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", re.sub(r"“[^”]*”", "“ad”", text))
        assert len(sentences) == 2, text
        assert sentences[1].startswith(verbs), text


# --- the batched fatigue fit gives the verdicts of the per-ad one ------------------------------


def _same(a, b, path="verdicts"):
    """Equal structure, keys in the same order, equal values; floats to 1e-9 relative."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), path
        for key in a:
            _same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, float):
        assert isinstance(b, float), (path, a, b)
        assert b == pytest.approx(a, rel=1e-9, abs=1e-12, nan_ok=True), (path, a, b)
    else:
        assert a == b, (path, a, b)


def _fatigue_both_ways(monkeypatch, dataset, window=None):
    """fatigue() as shipped (batched), then with every ad judged one by one by `_fatigue`."""
    from metrics.diagnostics import ad_fatigue

    batched = fatigue(dataset, window)
    with monkeypatch.context() as m:
        m.setattr(ad_fatigue, "fatigue_verdicts", ad_fatigue.fatigue_verdicts_one_by_one)
        one_by_one = fatigue(dataset, window)
    _same(one_by_one, batched)
    return batched


def _mixed_account() -> pd.DataFrame:
    """Ads of every kind in one account: long and short histories, days without delivery,
    tired ads, a launch too small to judge, an ad without frequency days."""
    frames = []
    for i in range(24):
        days = (60, 45, 21, 12, 9)[i % 5]
        onset = days // 2 if i % 4 == 1 else None
        frame = ad_days(100 + i, days=days, onset=onset, name=("C", f"G{i % 3}", f"ad {i:02d}"))
        if i % 6 == 2:  # paused for a few days: those rows carry no impressions
            frame.loc[frame.index[5:8], ["impressions", "clicks", "spend"]] = 0.0
        if i % 7 == 3:
            frame["frequency"] = np.nan
        if i == 5:
            frame[["impressions", "clicks"]] = frame[["impressions", "clicks"]] / 1000  # 1,200
        frame["date"] = frame["date"] + pd.Timedelta(days=i % 4)  # staggered launches
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def test_batched_fatigue_matches_the_per_ad_fit_on_a_mixed_account(monkeypatch):
    frame = _mixed_account()
    verdicts = _fatigue_both_ways(monkeypatch, Dataset(tables={"ads": frame}))
    statuses = [v["status"] for v in verdicts]
    assert len(verdicts) == 24
    # under 10 active days (the four 9-day ads; ad 08: 12 days, 3 paused; ad 14: 9 days, 3
    # paused) or under 5,000 impressions (ad 05: 1,200): too little to judge
    insufficient = {v["ad"] for v in verdicts if v["status"] == "insufficient_data"}
    assert insufficient == {"ad 04", "ad 09", "ad 19", "ad 14", "ad 08", "ad 05"}
    assert statuses.count("healthy") >= 12
    # the tired long-history ads (ad 01: 45 days, ad 21: 60 days) are found, by `_fatigue`
    assert {v["ad"] for v in verdicts if v["status"] == "fatigued"} >= {"ad 01", "ad 21"}
    # the same ads on their own (fewer than two other ads: judged on their own history)
    two = frame[frame["ad"].isin(["ad 00", "ad 01"])]
    alone = _fatigue_both_ways(monkeypatch, Dataset(tables={"ads": two}))
    assert {v["evidence"]["reference"] for v in alone} == {"own history"}


@pytest.mark.parametrize("days", [7, 28, 90])
def test_batched_fatigue_matches_the_per_ad_fit_on_the_sample(monkeypatch, sample_dataset, days):
    from metrics.report import resolve_window

    window = resolve_window(sample_dataset, days)
    verdicts = _fatigue_both_ways(monkeypatch, sample_dataset, window)
    assert [v["status"] for v in verdicts].count("fatigued") == 1


def test_batched_fatigue_matches_the_per_ad_fit_on_simulated_accounts(monkeypatch):
    """300 ads of bench/bench_diagnostics.py's simulator: healthy accounts with correlated
    days and market drifts, and accounts whose first ad tires."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "bench_diagnostics.py"
    spec = importlib.util.spec_from_file_location("bench_diagnostics", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rng = np.random.default_rng(13)
    frames = []
    scenarios = [{}, {"rho": 0.6}, {"ctr_drift": -0.01}, {"decline": 0.03, "onset": 14}]
    for a in range(30):
        acc = bench.simulate_account(rng, days=42, n_ads=10, **scenarios[a % 4])
        frame = bench._group_frame(acc, [f"ad {i}" for i in range(10)])
        frames.append(frame.assign(campaign=f"account {a:02d}", frequency=acc["frequency"].ravel()))
    tired = 0
    for frame in frames:  # one account at a time: the market is the account's other ads
        verdicts = _fatigue_both_ways(monkeypatch, Dataset(tables={"ads": frame}))
        assert len(verdicts) == 10
        tired += verdicts[0]["status"] != "healthy"
    # a 3 %-a-day decline over four weeks is caught in most of the 7 tired accounts
    assert tired >= 5


def test_the_cli_json_writes_numpy_nan_dates_and_text_as_before():
    import datetime as dt
    import json

    from metrics.__main__ import _json

    value = {
        "ctr": np.float64(0.0125),
        "days": np.int64(28),
        "flag": np.bool_(True),
        "z": float("nan"),
        "inf": np.float64("inf"),
        "began": dt.date(2026, 8, 21),
        "at": dt.datetime(2026, 8, 21, 9, 30),
        "ad": "Été – ‘creative’ =1+1",
        "pair": (1, 2.5),
        7: "an int key",
        "huge": [2**70],  # beyond orjson: the standard library writes it
    }
    text = _json(value)
    assert text.startswith('{\n  "ctr": 0.0125,\n')  # indented two spaces, keys in order
    assert "Été – ‘creative’ =1+1" in text  # unescaped UTF-8, text as text
    assert json.loads(text) == {
        "ctr": 0.0125,
        "days": 28,
        "flag": True,
        "z": None,
        "inf": None,
        "began": "2026-08-21",
        "at": "2026-08-21 09:30:00",
        "ad": "Été – ‘creative’ =1+1",
        "pair": [1, 2.5],
        "7": "an int key",
        "huge": [1180591620717411303424],
    }
    small = dict(value)
    del small["huge"]
    assert json.loads(_json(small)) == {k: v for k, v in json.loads(text).items() if k != "huge"}


def test_diagnose_never_reads_the_reported_ratio_columns():
    # `python -m metrics diagnose` drops the Ads report's own CPM, CTR, CPC, cost per
    # conversion, conversion rate, ROAS and average play time before the fits (every ratio is
    # worked out as sum ÷ sum). So the diagnosis of the sample must be the same with those
    # columns absurd, and without them.
    from pathlib import Path

    from metrics.__main__ import REPORTED_RATIOS, _drop_reported_ratios, _json
    from metrics.diagnostics import diagnose
    from metrics.io import load_files

    root = Path(__file__).resolve().parent.parent
    files = [
        (p.name, p.read_bytes()) for p in sorted((root / "sample_data").iterdir()) if p.is_file()
    ]
    dataset = load_files(files)
    ads = dataset.tables["ads"]
    assert set(REPORTED_RATIOS) <= set(ads.columns)
    expected = _json(diagnose(dataset, 28))
    assert '"fatigue"' in expected and len(expected) > 2000  # a diagnosis with verdicts
    for column in REPORTED_RATIOS:
        ads[column] = 1e9
    assert _json(diagnose(dataset, 28)) == expected
    _drop_reported_ratios(dataset)
    assert not set(REPORTED_RATIOS) & set(dataset.tables["ads"].columns)
    assert _json(diagnose(dataset, 28)) == expected
