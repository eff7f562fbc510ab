"""The dataset-derived figures the pages show, each computed once per dataset and arguments.

The same functions as in metrics/, wrapped by `ui.memo.per_dataset`: a rerun (page switch,
window change, click) reads what an earlier run, or another session on the same data, already
computed. Pages import them from here; what they get back is theirs to change.
"""

from __future__ import annotations

from metrics import aggregate as _aggregate
from metrics import audience as _audience
from metrics import posts as _posts
from metrics import report as _report
from metrics import story as _story
from metrics import windows as _windows
from metrics.diagnostics import delivery as _delivery
from metrics.diagnostics import drop_off as _drop_off
from metrics.diagnostics import fatigue as _fatigue
from metrics.diagnostics import hook_vs_cta as _hook_vs_cta
from metrics.diagnostics import organic_vs_paid as _organic_vs_paid
from metrics.diagnostics import tracking as _tracking
from metrics.diagnostics.ad_fatigue import DEFAULT_FLOOR_SHARE as _FLOOR_SHARE

from .memo import per_dataset

# metrics.aggregate
aggregate = per_dataset(_aggregate.aggregate)
unavailable = per_dataset(_aggregate.unavailable)
date_range = per_dataset(_aggregate.date_range)
data_end = per_dataset(_aggregate.data_end)
default_end = per_dataset(_windows.default_end)
# metrics.report
summary_changes = per_dataset(_report.summary_changes)
follower_reasons = per_dataset(_report.follower_reasons)
coverage_gaps = per_dataset(_report.coverage_gaps)
coverage_notes = per_dataset(_report.coverage_notes)
funnel_steps = per_dataset(_report.funnel_steps)
table = per_dataset(_report.table)
ad_daily = per_dataset(_report.ad_daily)
# metrics.story
group_spend = per_dataset(_story.group_spend)
# metrics.audience
viewers_daily = per_dataset(_audience.viewers_daily)
followers_daily = per_dataset(_audience.followers_daily)
follower_balance = per_dataset(_audience.follower_balance)
shares = per_dataset(_audience.shares)
activity_matrix = per_dataset(_audience.activity_matrix)
busiest_hours = per_dataset(_audience.busiest_hours)
# metrics.posts
all_posts = per_dataset(_posts.all_posts)
# metrics.diagnostics
fatigue = per_dataset(_fatigue)
hook_vs_cta = per_dataset(_hook_vs_cta)
drop_off = per_dataset(_drop_off)
delivery = per_dataset(_delivery)
organic_vs_paid = per_dataset(_organic_vs_paid)
tracking = per_dataset(_tracking)


def _stand_out(dataset, window, limit=_story.LIMIT):
    # The findings come from figures the Overview's cards and the Diagnostics page show: read
    # them through the memo, called exactly as those pages call them, so each is computed once.
    # metrics/story.py only reads them: the memo's own values, not copies (ui/memo.py).
    figures = {
        "summary_changes": summary_changes.shared,
        "fatigue": lambda d, w: fatigue.shared(d, w, floor_share=_FLOOR_SHARE),
        "hook_vs_cta": hook_vs_cta.shared,
        "group_spend": group_spend.shared,
    }
    return _story.stand_out(dataset, window, limit, figures=figures)


stand_out = per_dataset(_stand_out)


# The figures of a window that the first page and the diagnostics ask for, in the order a
# visitor meets them; called exactly as the pages call them, so the memo's keys are theirs.
WINDOW_FIGURES = (
    summary_changes,
    stand_out,
    coverage_gaps,
    coverage_notes,
    follower_reasons,
    organic_vs_paid,
    hook_vs_cta,
    group_spend,
    drop_off,
    delivery,
)


def prefetch(dataset, days=(28, 7, 60, 365)) -> None:
    """Compute the window figures of the default windows (ending on the newest day) ahead of
    the first visitor, in the background: a session asking for one meanwhile waits for it
    rather than computing it again (ui/memo.py). Errors are left to the page that asks."""
    end = data_end(dataset)
    if end is None:
        return
    for n in days:
        window = _windows.last_n_days(n, end)
        for figure in WINDOW_FIGURES:
            try:
                figure(dataset, window)
            except Exception:  # noqa: BLE001 - the page shows its own sentence for it
                continue
