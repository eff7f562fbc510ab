"""TikTok metrics explorer: the router and the frame shared by every page."""

import streamlit as st

from ui import state

st.set_page_config(page_title="TikTok metrics explorer", page_icon="📊", layout="wide")
state.init_state()

pages = [
    st.Page("pages/data.py", title="Data", icon="📁", default=True, url_path="data"),
]
st.navigation(pages).run()
