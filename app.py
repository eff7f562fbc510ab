"""TikTok metrics explorer: the router and the frame shared by every page."""

import streamlit as st

from ui import controls, state

st.set_page_config(
    page_title="TikTok metrics explorer", page_icon=":material/analytics:", layout="wide"
)
state.init_state()

pages = [
    st.Page(
        "pages/data.py", title="Data", icon=":material/upload_file:", default=True, url_path="data"
    ),
    st.Page(
        "pages/overview.py", title="Overview", icon=":material/monitoring:", url_path="overview"
    ),
    st.Page("pages/content.py", title="Content", icon=":material/movie:", url_path="content"),
    st.Page("pages/audience.py", title="Audience", icon=":material/group:", url_path="audience"),
    st.Page("pages/ads.py", title="Ads", icon=":material/campaign:", url_path="ads"),
    st.Page(
        "pages/reports.py",
        title="Custom columns & reports",
        icon=":material/calculate:",
        url_path="reports",
    ),
    st.Page(
        "pages/diagnostics.py",
        title="Diagnostics",
        icon=":material/stethoscope:",
        url_path="diagnostics",
    ),
]
navigation = st.navigation(pages)
controls.window_selector()
navigation.run()
