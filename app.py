"""TikTok metrics explorer: the entry point (`streamlit run app.py`)."""

from ui import router

router.run()
