"""Diagnostics: what to do next. Fatigue, hook vs CTA, drop-off, delivery, organic vs paid, tracking."""

import pandas as pd
import streamlit as st

from metrics.definitions import ADS, REGISTRY
from metrics.diagnostics import (
    DEFAULT_FLOOR_SHARE,
    history_window,
    quadrant_frame,
    retention_frame,
)
from metrics.story import verdict_order
from ui import charts, loading, state
from ui.derived import (
    ad_daily,
    delivery,
    drop_off,
    fatigue,
    group_spend,
    hook_vs_cta,
    organic_vs_paid,
    tracking,
)
from ui.format import ad_label, escape_md, format_day, format_value
from ui.frame import page_setup
from ui.numbers import change_percent, format_span
from ui.widgets import (
    column_config,
    currency_warning,
    empty_state,
    evidence_table,
    floor_interval,
    margin_lines,
    shown,
    stop_unless_ads_in_window,
)

# Words, not emoji: the status must read the same in every browser and font.
STATUS_LABEL = {
    "fatigued": "Fatigued",
    "watch": "Watch",
    "healthy": "Healthy",
    "insufficient_data": "Too little data",
}
STATUS_ICON = {"fatigued": ":material/trending_down:", "watch": ":material/visibility:"}
STATUS_ORDER = {"fatigued": 0, "watch": 1, "healthy": 2, "insufficient_data": 3}
JUDGED_AGAINST = {"account": "Other ads", "own history": "Own history"}


dataset = page_setup(
    "Diagnostics",
    "Each verdict is a statistical test with days as the unit of evidence, no fixed "
    "thresholds. Fatigue judges each ad against the same days of the account's other ads (so "
    "a market-wide dip moves them all and cancels), or against its own history when there are "
    "too few others; it follows each ad delivering in the window from its first day (up to "
    "120 days back). Hook vs CTA compares the ads of one ad group.",
)
window = st.session_state[state.WINDOW]
if dataset is None or not dataset.has("ads") or window is None:
    empty_state("ads", "Diagnostics")
    st.stop()
currency = dataset.currency
currency_warning(dataset)
stop_unless_ads_in_window(dataset, window)

tab_fatigue, tab_hook, tab_drop, tab_more = st.tabs(
    ["Ad fatigue", "Hook vs CTA", "Video drop-off", "Delivery, tracking, organic vs paid"]
)

with tab_fatigue:
    state.seed("fatigue_floor", DEFAULT_FLOOR_SHARE)
    floor_share = st.select_slider(
        "Project the day CTR falls to",
        options=[0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
        format_func=lambda share: f"{format_value(share, 'ratio', decimals=0)} of its first week",
        key="fatigue_floor",
        help="The projection extends the fitted decline of a fatigued or drifting ad to "
        "the day its CTR reaches this share of the ad's own first-week CTR.",
    )
    # Read only (tables and charts are built from it): the memo's own list, no copy of
    # its records (a verdict per ad: 2,739 on the 1M-row report; ui/memo.py).
    verdicts = fatigue.shared(dataset, window, floor_share=floor_share)
    if not verdicts:
        st.info("No daily ad rows in this window.")
    else:
        table = pd.DataFrame(
            [
                {
                    "order": STATUS_ORDER[v["status"]],
                    "Status": STATUS_LABEL[v["status"]],
                    "Ad": v["ad"],
                    "Ad group": v["ad_group"],
                    "Campaign": v["campaign"],
                    "Judged against": JUDGED_AGAINST.get(v["evidence"].get("reference"), ""),
                    "Decline began": format_day(v["evidence"].get("decline_began")),
                    "Began between": format_span(
                        *v["evidence"].get("decline_began_interval", ["", ""])
                    ),
                    "CTR vs first week": change_percent(
                        v["evidence"].get("ctr_change_from_baseline")
                    ),
                    "CTR reaches the floor": format_day(v["evidence"].get("projected_floor_date")),
                    "Floor between": floor_interval(v["evidence"].get("projected_floor_interval")),
                }
                for v in verdicts
            ]
        )
        table = table.sort_values("order", kind="stable").drop(columns="order")
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            key="fatigue_table",
            column_config={
                # A relative change: one decimal, as in the evidence and everywhere else.
                "CTR vs first week": st.column_config.NumberColumn(format="%.1f %%", step=0.1),
                "Decline began": st.column_config.TextColumn(
                    help="The day the fitted decline of CTR (with CPM) began."
                ),
                "Began between": st.column_config.TextColumn(
                    help="90 % interval for the day the decline began."
                ),
                "Judged against": st.column_config.TextColumn(
                    help="The same-day CTR of the account's other ads, or the ad's own history "
                    "when too few other ads delivered to compare with."
                ),
                "CTR reaches the floor": st.column_config.TextColumn(
                    help="When the fitted decline reaches the floor chosen above."
                ),
                "Floor between": st.column_config.TextColumn(
                    help="90 % interval for the day the floor is reached (from the slope's and "
                    "the onset's uncertainty)."
                ),
            },
        )
        flagged = [v for v in verdicts if v["status"] in ("fatigued", "watch")]
        for v in flagged:
            with st.expander(
                f"{STATUS_LABEL[v['status']]} · {escape_md(ad_label(v))}",
                icon=STATUS_ICON[v["status"]],
                expanded=v["status"] == "fatigued" and v is flagged[0],
            ):
                st.write(v["explanation"])
                if v.get("brief"):
                    st.markdown(
                        "**Creative brief**\n\n" + "\n".join(f"1. {line}" for line in v["brief"])
                    )
                daily = ad_daily(
                    dataset,
                    history_window(window),
                    v["campaign"],
                    v["ad_group"],
                    v["ad"],
                    ["ctr", "cpm", "frequency"],
                )
                charts.draw(
                    st,
                    charts.trend(
                        daily,
                        [REGISTRY[ADS][n] for n in ("ctr", "cpm", "frequency")],
                        currency=currency,
                    ),
                    width="stretch",
                )
                st.dataframe(
                    evidence_table(v["evidence"], currency), hide_index=True, width="stretch"
                )

with tab_hook:
    # The group with a verdict first (then the most spend), so the tab opens on an answer.
    groups = verdict_order(hook_vs_cta.shared(dataset, window), group_spend.shared(dataset, window))
    if not groups:
        st.info(
            "Needs impressions, clicks and 2-second video views for at least two ads in an ad group."
        )
    labels = [f"{g['campaign']} › {g['ad_group']}" for g in groups]
    if groups:
        choice = st.selectbox(
            "Ad group", range(len(groups)), format_func=lambda i: labels[i], key="hook_group"
        )
        group = groups[choice]
        (st.success if group["significant"] else st.info)(escape_md(group["recommendation"]))
        for line in margin_lines(group):
            st.caption(escape_md(line))
        for note in group.get("notes", []):
            st.caption(escape_md(note))
        charts.draw(st, charts.quadrant(quadrant_frame(group)), width="stretch")
        st.caption(
            "Whiskers: 95 % Wilson intervals on the effective sample size (impressions ÷ "
            "day-to-day dispersion). Dashed lines: the medians. A winner must beat every other "
            "ad, day by day (one-sided tests at 5 %, correlated days allowed for)."
        )
        ads = pd.DataFrame(group["ads"])
        keep = [
            c for c in ("ad", "impressions", "hook_rate", "hold_rate", "ctr", "cvr") if c in ads
        ]
        config = column_config(ads[keep], ADS, currency)
        for c in ("hook_rate", "hold_rate", "ctr", "cvr"):
            if c in config:
                config[c]["help"] = f"{REGISTRY[ADS][c].formula} over the window."
        st.dataframe(
            shown(ads[keep], ADS, currency=currency),
            hide_index=True,
            width="stretch",
            column_config={"ad": st.column_config.TextColumn("Ad"), **config},
        )

with tab_drop:
    curves = drop_off(dataset, window)
    if not curves:
        st.info("Needs 2-second, 6-second and quartile video views in the report.")
    else:
        flagged = [c for c in curves if c["flags"]]
        for c in flagged:
            st.warning(escape_md(f"{ad_label(c)}: {c['flags'][0]}"))
        pick = st.selectbox(
            "Ad",
            range(len(curves)),
            key="drop_ad",
            format_func=lambda i: ad_label(curves[i]),
        )
        charts.draw(st, charts.retention(retention_frame(curves[pick])), width="stretch")
        st.caption(
            "Each point is a share of the ad's impressions. In videos shorter than 24 seconds "
            "the 25 % mark comes before 6 seconds, so the curve can rise there."
        )

with tab_more:
    st.markdown("**Delivery**")
    stuck = delivery(dataset, window)
    if stuck:
        for row in stuck:
            st.warning(escape_md(f"{ad_label(row)}: {row['problem']}."))
        st.caption("Usual causes: " + "; ".join(stuck[0]["usual_causes"]) + ".")
    else:
        st.success("Every ad that spent money was shown at a normal cost per impression.")

    st.markdown("**Organic versus paid**")
    rows = organic_vs_paid(dataset, window)
    if rows:
        st.dataframe(
            [
                {
                    "Metric": r["label"],
                    "Organic": format_value(r["organic"], r["unit"], currency),
                    "Paid": format_value(r["paid"], r["unit"], currency),
                }
                for r in rows
            ],
            hide_index=True,
            width="stretch",
        )
    else:
        empty_state("overview", "The organic side")

    st.markdown("**Tracking check**")
    st.caption(
        "Upload your shop's orders per day (columns Date, Orders and optionally Revenue) to "
        "compare them with the conversions TikTok reports."
    )
    orders = st.file_uploader("Shop orders (.csv or .xlsx)", key="orders_upload")
    if orders is not None:
        loading.add_files([(orders.name, orders.getvalue())])
        dataset = st.session_state[state.DATASET]
    check = tracking(dataset, window)
    if check:
        gap = check["gap"]
        text = (
            f"TikTok reports {check['tiktok_conversions']:,.0f} conversions; your shop "
            f"{check['shop_orders']:,.0f} orders over {check['days_compared']} days "
            f"({'+' if gap and gap > 0 else ''}{format_value(gap, 'ratio')})."
        )
        (st.success if check["within_usual_range"] else st.warning)(
            text
            + (
                " That is within the usual difference (TikTok and a shop often disagree by "
                "10–20 %)."
                if check["within_usual_range"]
                else " That is more than the usual 10–20 % difference: check the causes below."
            )
        )
        if check.get("revenue"):
            rev = check["revenue"]
            st.caption(
                f"Revenue: TikTok {format_value(rev['tiktok_revenue'], 'currency', currency)}, "
                f"your shop {format_value(rev['shop_revenue'], 'currency', currency)} "
                f"({format_value(rev['gap'], 'ratio')} apart) on the same days."
            )
        st.caption("Usual causes: " + "; ".join(check["usual_causes"]) + ".")
