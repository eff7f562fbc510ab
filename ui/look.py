"""Page-wide look: KPI cards that never cut their text, and a sidebar that gets out of the way
on a phone. Fixed text only (no user data goes into this HTML)."""

from __future__ import annotations

import streamlit as st

NARROW = 768  # px: below this the sidebar covers the page

# KPI cards: the value shrinks with the card instead of ending in "…" (compact forms keep it
# short; the exact value is in the card's help), labels and deltas wrap.
CSS = """
<style>
[data-testid="stMetricValue"] { font-size: clamp(1.35rem, 1rem + 1.1vw, 2.1rem); }
[data-testid="stMetricValue"] > div { overflow: visible; text-overflow: clip; }
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere;
}
[data-testid="stMetricDelta"] > div { white-space: normal; overflow: visible; }
[data-testid="stMetricDelta"] { flex-wrap: wrap; }
/* A group of KPI cards (ui/widgets.py kpi_cards: one container keyed kpis_N_…): a grid
   of N equal columns, one column below 640 px, where Streamlit stacks st.columns too.
   Each selector ends in a class, so the browser checks it only on those elements. */
.stHorizontalBlock[class*="st-key-kpis_"] {
  display: grid !important; gap: 1rem; grid-template-columns: repeat(var(--kpis), minmax(0, 1fr));
}
.stHorizontalBlock[class*="st-key-kpis_"] > .stElementContainer { width: auto !important; min-width: 0; }
.stHorizontalBlock[class*="st-key-kpis_1_"] { --kpis: 1; }
.stHorizontalBlock[class*="st-key-kpis_2_"] { --kpis: 2; }
.stHorizontalBlock[class*="st-key-kpis_3_"] { --kpis: 3; }
.stHorizontalBlock[class*="st-key-kpis_4_"] { --kpis: 4; }
@media (max-width: 640px) { .stHorizontalBlock[class*="st-key-kpis_"] { --kpis: 1; } }
</style>
"""

# After a choice in the sidebar on a narrow screen, close the sidebar so the page shows.
SCRIPT = f"""
<script>
(() => {{
  if (window.__closeSidebarOnChoice) return;
  window.__closeSidebarOnChoice = true;
  const close = (event) => {{
    if (window.innerWidth >= {NARROW}) return;
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    if (!sidebar || !sidebar.contains(event.target)) return;
    if (sidebar.getAttribute('data-collapsed') === 'true') return;
    const picked = event.target.closest(
      '[data-testid="stButtonGroup"] button, [role="radio"], [data-testid="stSidebarNavLink"], [data-testid="stPageLink-NavLink"]'
    );
    if (!picked) return;
    setTimeout(() => {{
      const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (button) button.click();
    }}, 350);
  }};
  document.addEventListener('click', close, true);
}})();
</script>
"""


def apply() -> None:
    # One element for both: an st.html of style tags alone goes to Streamlit's event
    # container, which (Streamlit 1.67, with st.navigation) never puts it in the page, so
    # the styles did not apply; beside the script they do.
    st.html(SCRIPT + CSS, unsafe_allow_javascript=True)
