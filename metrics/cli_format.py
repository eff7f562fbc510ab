"""The command line's output for people (aligned text) and for scripts (CSV rows).

Every function takes the same dictionaries the JSON output is made of, so the three formats
cannot disagree. Labels and units come from the metric registry (metrics/definitions.py).
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence

from .definitions import ADS, LAST, ORGANIC, REGISTRY
from .io.schema import KIND_BY_NAME

NO_VALUE = "—"
FAMILY_TITLES = {ORGANIC: "Organic (TikTok Studio)", ADS: "Ads (Ads Manager)"}
FATIGUE_TITLES = {
    "fatigued": "Fatigued",
    "watch": "Watch",
    "healthy": "Healthy",
    "insufficient_data": "Too little data",
}
# Characters a terminal would act on rather than show: C0/C1 controls (ESC starts colour and
# cursor sequences) and the bidirectional overrides that reorder what is shown.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
MAX_CELL = 40
MAX_FILE_CELL = 56


def width() -> int:
    """The width to wrap sentences at: the terminal's, between 60 and 100 columns."""
    return max(60, min(100, shutil.get_terminal_size((100, 24)).columns))


def safe_text(value: object) -> str:
    """User text (file, campaign, ad names) as plain characters: controls shown as '?'."""
    text = "" if value is None else str(value)
    return "".join(
        "?" if (unicodedata.category(c) == "Cc" or c in _BIDI) else c for c in text
    ).strip()


def _cell(value: object, middle: bool = False) -> str:
    """A table cell of at most MAX_CELL characters; file names keep their end (the entry)."""
    text, limit = safe_text(value), MAX_FILE_CELL if middle else MAX_CELL
    if len(text) <= limit:
        return text
    if middle:
        half = (limit - 1) // 2
        return text[:half] + "…" + text[-(limit - 1 - half) :]
    return text[: limit - 1] + "…"


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def currency_symbol(code: str | None) -> str | None:
    """'£' for GBP, '€' for EUR, '$' for USD (CLDR data via Babel); None for no currency."""
    if not code:
        return None
    from babel.numbers import get_currency_symbol

    return get_currency_symbol(code.upper(), locale="en")


def format_value(value, unit: str, currency: str | None = None) -> str:
    """8.07 %, £1,234.56, 245,691, 2.35×; an em dash when there is no value."""
    if is_missing(value):
        return NO_VALUE
    value = float(value)
    if unit == "ratio":
        return f"{value * 100:,.2f} %"
    if unit == "per_mille":
        return f"{value * 1000:,.2f} ‰"
    if unit == "currency":
        digits = 3 if 0 < abs(value) < 0.1 else 2  # £0.006 per view, not £0.01
        number = f"{abs(value):,.{digits}f}"
        sign = "-" if value < 0 else ""
        symbol = currency_symbol(currency)
        if symbol and symbol != currency.upper():
            return f"{sign}{symbol}{number}"
        return f"{sign}{number} {currency.upper()}" if currency else f"{sign}{number}"
    if unit == "multiple":
        return f"{value:,.2f}×"
    if unit == "seconds":
        return f"{value:,.1f} s"
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def format_change(change: dict, unit: str, currency: str | None = None) -> str:
    """+4.3 % (relative to |previous|, so −7 → −1 is +85.7 %); the difference when the
    previous value was 0 (+69, £12.00, and +0.10 pp for a rate: percentage points, which a
    '%' would pass off as a relative change); a dash for none."""
    previous, value = change.get("previous"), change.get("value")
    relative = change.get("change")
    if is_missing(relative):
        if not is_missing(previous) and previous == 0 and not is_missing(value):
            if value == previous:
                return "0"
            sign = "-" if value < previous else "+"
            if unit == "ratio":
                return f"{sign}{abs(value - previous) * 100:,.2f} pp"
            return sign + format_value(abs(value - previous), unit, currency)
        return NO_VALUE
    return f"{relative * 100:+.1f} %"


def verdict(change: dict, higher_is_better: bool | None, testable: bool = True) -> str:
    """'within noise', 'better' / 'worse' (or 'up' / 'down'), or '' when there is no change.

    `testable` is False for snapshot metrics (followers on the last day): they have no daily
    variation to test, so "too few days to tell" would be untrue and is not said."""
    relative, value, previous = change.get("change"), change.get("value"), change.get("previous")
    if is_missing(value) or is_missing(previous):
        return ""
    if change.get("within_noise") is True:
        return "within noise"
    if testable and "within_noise" in change and change["within_noise"] is None:
        return "too few days to tell"
    delta = value - previous
    if delta == 0 or (is_missing(relative) and previous >= 0):
        return "no change" if delta == 0 else ""
    if higher_is_better is None:
        return "up" if delta > 0 else "down"
    return "better" if (delta > 0) == higher_is_better else "worse"


def day(iso: str | None) -> str:
    """'2026-09-20' → '20 Sep 2026'."""
    if not iso:
        return ""
    d = dt.date.fromisoformat(str(iso)[:10])
    return f"{d.day} {d:%b %Y}"


def span(start: str, end: str) -> str:
    """'4 Oct – 31 Oct 2026', or with both years when they differ."""
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    left = f"{a.day} {a:%b}" if a.year == b.year else day(start)
    return f"{left} – {day(end)}"


def render_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], right: Sequence[bool], indent: int = 2
) -> list[str]:
    """Columns padded to their widest cell; numbers right-aligned."""
    rows = [list(r) for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        ]
        return (" " * indent + "  ".join(parts)).rstrip()

    return [line(headers), *(line(r) for r in rows)]


def _wrap(text: str, indent: int, hang: int = 0) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(
        safe_text(text), width=width(), initial_indent=pad, subsequent_indent=pad + " " * hang
    ) or [pad]


# --- inspect -----------------------------------------------------------------------------------


def inspect_text(reports: list[dict]) -> str:
    """One line per table found, its warnings under it; refused files with their sentence."""
    read = [r for r in reports if r["error"] is None]
    refused = [r for r in reports if r["error"] is not None]
    lines = [
        f"{len(read)} table{'s' * (len(read) != 1)} read"
        + (f", {len(refused)} refused" if refused else "")
        + "."
    ]
    if read:
        rows = [
            [
                _cell(r["file"], middle=True),
                KIND_BY_NAME[r["kind"]].label if r["kind"] in KIND_BY_NAME else str(r["kind"]),
                f"{r['rows']:,}" if r["rows"] is not None else NO_VALUE,
                day(r["first_date"]) or NO_VALUE,
                day(r["last_date"]) or NO_VALUE,
            ]
            for r in read
        ]
        lines += [""] + render_table(
            ["File", "Table", "Rows", "First day", "Last day"],
            rows,
            [False, False, True, True, True],
        )
        noted = [r for r in read if r["warnings"]]
        for r in noted:
            lines += ["", f"  {_cell(r['file'], middle=True)}:"]
            for warning in r["warnings"]:
                lines += _wrap(f"- {warning}", 4, hang=2)
    for r in refused:
        lines += ["", f"  Refused: {_cell(r['file'], middle=True)}"] + _wrap(r["error"], 4)
    return "\n".join(lines)


def inspect_rows(reports: list[dict]) -> list[dict]:
    return [
        {**{k: v for k, v in r.items() if k != "warnings"}, "warnings": " | ".join(r["warnings"])}
        for r in reports
    ]


# --- summary -----------------------------------------------------------------------------------


def summary_text(out: dict, currency: str | None = None) -> str:
    """The KPIs of each family: this period, the previous one, the change and its verdict."""
    window, previous = out["window"], out["previous"]
    now, before = (
        span(window["start"], window["end"]),
        span(previous["start"], previous["end"]),
    )
    lines = [
        f"Last {window['days']} days: {now}, against the {window['days']} days before ({before})."
    ]
    for family in (ORGANIC, ADS):
        changes = out.get(family)
        if not changes:
            continue
        rows, absent = [], []
        for name, change in changes.items():
            metric = REGISTRY[family].get(name)
            label = metric.label if metric else name
            if is_missing(change.get("value")) and is_missing(change.get("previous")):
                absent.append(label)
                continue
            unit = metric.unit if metric else "count"
            hib = metric.higher_is_better if metric else None
            rows.append(
                [
                    label,
                    format_value(change.get("value"), unit, currency),
                    format_value(change.get("previous"), unit, currency),
                    format_change(change, unit, currency),
                    verdict(change, hib, testable=metric is None or metric.aggregation != LAST),
                ]
            )
        lines += ["", FAMILY_TITLES[family]]
        if rows:
            lines += render_table(
                ["Metric", now, before, "Change", ""], rows, [False, True, True, True, False]
            )
        if absent and not rows and out.get("notes"):
            # The files have these metrics, just not for this window: the note says which days.
            lines += _wrap("No values in this window: see the note below.", 2)
        elif absent:
            lines += _wrap("No value in these files: " + ", ".join(absent) + ".", 2)
    if not any(out.get(family) for family in (ORGANIC, ADS)):
        lines += [""] + _wrap(
            "None of these files holds the KPIs: they come from an Overview, a Follower history "
            "or an Ads Manager report. (Viewers are counted per day only: the same person can "
            "view on several days, so days are never added up.)",
            0,
        )
    for note in out.get("notes", []):
        lines += [""] + _wrap(f"Note: {note}", 0)
    return "\n".join(lines)


def summary_rows(out: dict) -> list[dict]:
    """One row per family and metric, with the windows, for a spreadsheet or a script.

    The interval is two columns, `interval_low` and `interval_high`: a spreadsheet cannot
    compute with a cell reading "[-0.097, 0.204]"."""
    window, previous = out["window"], out["previous"]
    rows = []
    for family in (ORGANIC, ADS):
        for name, change in (out.get(family) or {}).items():
            metric = REGISTRY[family].get(name)
            fields = {}
            for key, value in change.items():
                if key == "interval":
                    low, high = value or (None, None)
                    fields.update(interval_low=low, interval_high=high)
                else:
                    fields[key] = value
            rows.append(
                {
                    "family": family,
                    "metric": name,
                    "label": metric.label if metric else name,
                    "unit": metric.unit if metric else "",
                    "start": window["start"],
                    "end": window["end"],
                    "previous_start": previous["start"],
                    "previous_end": previous["end"],
                    **fields,
                }
            )
    return rows


def outside_sentence(ads_days, window: dict | None) -> str | None:
    """A sentence when the Ads Manager report has no day in the window (e.g. --end before it).

    `ads_days` is the report's (first, last) day; `window` the output's window dictionary."""
    if ads_days is None or not window:
        return None
    first, last = (d.isoformat() for d in ads_days)
    if first <= window["end"] and last >= window["start"]:
        return None
    return (
        f"The Ads Manager report covers {span(first, last)}; the window "
        f"{span(window['start'], window['end'])} has none of it. Choose an end day from "
        f"{day(first)} to {day(last)} (--end YYYY-MM-DD)."
    )


# --- table -------------------------------------------------------------------------------------


def table_text(records: list[dict], units: dict[str, str], currency: str | None = None) -> str:
    """The campaign / ad group / ad table with labels as headers and values in their units."""
    if not records:
        return "No rows in this window."
    columns = list(records[0])
    labels = {"campaign": "Campaign", "ad_group": "Ad group", "ad": "Ad"}
    headers, right = [], []
    for c in columns:
        metric = REGISTRY[ADS].get(c)
        headers.append(labels.get(c) or (metric.label if metric and c not in units else c))
        right.append(c not in labels)
    rows = []
    for record in records:
        row = []
        for c in columns:
            if c in labels:
                row.append(_cell(record[c]) or "(none)")
            else:
                metric = REGISTRY[ADS].get(c)
                unit = units.get(c) or (metric.unit if metric else "count")
                row.append(format_value(record[c], unit, currency))
        rows.append(row)
    count = f"{len(records)} row{'s' * (len(records) != 1)}."
    return "\n".join([count, "", *render_table(headers, rows, right)])


# --- diagnose ----------------------------------------------------------------------------------


def _where(row: dict) -> str:
    parts = [safe_text(row.get(k)) for k in ("ad_group", "campaign") if row.get(k)]
    return f" ({' · '.join(parts)})" if parts else ""


def _interval(ci, unit: str) -> str:
    if not ci or any(is_missing(x) for x in ci):
        return ""
    low, high = (format_value(x, unit) for x in ci)
    return f" ({low} to {high})"


def diagnose_text(
    out: dict, currency: str | None = None, has_ads: bool = True, outside: str | None = None
) -> str:
    """A page: the verdicts that need action in full, the rest counted.

    `outside` is the sentence saying the Ads report has no day in the window: then every
    section would be empty, and saying "every ad got impressions" would be untrue."""
    lines = []
    window = out.get("window")
    if window:
        lines.append(
            f"Diagnostics for the last {window['days']} days: {span(window['start'], window['end'])}."
        )
    if not has_ads:
        return "\n".join(
            lines
            + [""]
            + _wrap(
                "No Ads Manager report among these files: every diagnostic reads one (a custom "
                "report with daily rows per ad).",
                0,
            )
        )
    if outside:
        return "\n".join(lines + [""] + _wrap(outside, 0))
    fatigue = out.get("fatigue") or []
    lines += ["", "Ad fatigue (each ad's CTR over its history, against the account's same days)"]
    if not fatigue:
        lines.append("  No ads to check.")
    else:
        counts = {s: sum(f["status"] == s for f in fatigue) for s in FATIGUE_TITLES}
        lines.append(
            f"  {len(fatigue)} ads: "
            + ", ".join(f"{n} {FATIGUE_TITLES[s].lower()}" for s, n in counts.items() if n)
            + "."
        )
        for f in fatigue:
            if f["status"] in ("fatigued", "watch"):
                lines += ["", f"  {FATIGUE_TITLES[f['status']]}: {_cell(f['ad'])}{_where(f)}"]
                lines += _wrap(f["explanation"], 4)
                if f.get("brief"):  # the explanation points to it: "see the creative brief"
                    lines += ["    Creative brief:"]
                    for step in f["brief"]:
                        lines += _wrap(f"- {step}", 6, hang=2)
    groups = out.get("hook_vs_cta") or []
    lines += ["", "Hook versus call to action (per ad group)"]
    if not groups:
        lines.append("  No ad group with two or more ads to compare.")
    for g in groups:
        ads = {a["ad"]: a for a in g.get("ads", [])}
        campaign = safe_text(g.get("campaign"))
        title = safe_text(g.get("ad_group")) + (
            f" · {campaign}" if campaign and not campaign.startswith("(") else ""
        )
        lines += ["", f"  {title} ({len(ads)} ads)"]
        best = []
        for role, key, rate, label in (
            ("hook", "best_hook", "hook_rate", "hook rate"),
            ("CTA", "best_cta", "ctr", "CTR"),
        ):
            ad = ads.get(g.get(key)) if g.get(key) else None
            if ad:
                clear = g.get(f"{role.lower()}_significant", g.get("significant"))
                value = format_value(ad.get(rate), "ratio") + _interval(
                    ad.get(f"{rate}_ci"), "ratio"
                )
                role_text = f"Best {role}" if clear else f"Top {role} (not clearly ahead)"
                best.append([role_text, _cell(g[key]), f"{label} {value}"])
        if best:
            lines += render_table(["", "Ad", "Rate (95 % interval)"], best, [False] * 3, indent=4)[
                1:
            ]
        lines += _wrap(g.get("recommendation", ""), 4)
        for note in g.get("notes") or []:  # ties and ads too small to judge
            lines += _wrap(f"Note: {note}", 4)
    flagged = [(d, flag) for d in out.get("drop_off") or [] for flag in d.get("flags", [])]
    lines += ["", "Video drop-off (each ad against its ad group)"]
    if not out.get("drop_off"):
        lines.append("  No report with 2-second, 6-second and quartile views.")
    elif not flagged:
        lines.append(
            f"  {len(out['drop_off'])} ads: none keeps its opening but loses viewers before 6 s."
        )
    for d, flag in flagged:
        lines += [f"  {_cell(d['ad'])}{_where(d)}"] + _wrap(flag, 4)
    problems = out.get("delivery") or []
    lines += ["", "Delivery"]
    if not problems:
        lines.append("  Every ad that spent also got impressions at a usual CPM.")
    for p in problems:
        name = _cell(p.get("ad") or p.get("ad_group"))
        lines += [
            f"  {name}{_where(p)}: {format_value(p['spend'], 'currency', currency)} spent, "
            f"{format_value(p['impressions'], 'count')} impressions"
        ]
        lines += _wrap(f"{p['problem']}. Usual causes: " + "; ".join(p["usual_causes"]) + ".", 4)
    both = out.get("organic_vs_paid") or []
    if both:
        lines += ["", "Organic versus paid (same window)"]
        lines += render_table(
            ["", "Organic", "Paid"],
            [
                [
                    r["label"],
                    format_value(r["organic"], r["unit"], currency),
                    format_value(r["paid"], r["unit"], currency),
                ]
                for r in both
            ],
            [False, True, True],
        )
    track = out.get("tracking")
    lines += ["", "Tracking (TikTok's conversions against your shop's orders)"]
    if not track:
        lines.append("  No shop orders file loaded, so there is nothing to compare with.")
    else:
        gap = track.get("gap")
        gap_text = f"{gap * 100:+.1f} %" if not is_missing(gap) else NO_VALUE
        lines += _wrap(
            f"Over {track['days_compared']} days TikTok counted "
            f"{format_value(track['tiktok_conversions'], 'count')} conversions and your shop "
            f"{format_value(track['shop_orders'], 'count')} orders ({gap_text}): "
            + (
                "within the usual range (±20 %)."
                if track.get("within_usual_range")
                else "beyond the usual ±20 %. Usual causes: "
                + "; ".join(track["usual_causes"])
                + "."
            ),
            2,
        )
    lines += ["", "Every number behind these verdicts: add --format json."]
    return "\n".join(lines)


def diagnose_rows(out: dict) -> list[dict]:
    """One row per verdict: fatigue per ad, hook vs CTA per group, drop-off and delivery flags."""
    rows = []

    def add(section, item, verdict_, explanation):
        rows.append(
            {
                "section": section,
                "campaign": item.get("campaign"),
                "ad_group": item.get("ad_group"),
                "ad": item.get("ad"),
                "verdict": verdict_,
                "explanation": explanation,
            }
        )

    for f in out.get("fatigue") or []:
        add("fatigue", f, f["status"], f["explanation"])
    for g in out.get("hook_vs_cta") or []:
        found = "significant" if g.get("significant") else "not significant"
        add("hook_vs_cta", {**g, "ad": None}, found, g.get("recommendation"))
    for d in out.get("drop_off") or []:
        for flag in d.get("flags", []):
            add("drop_off", d, "weak hold", flag)
    for p in out.get("delivery") or []:
        add("delivery", p, p["problem"], "; ".join(p["usual_causes"]))
    return rows
