"""Streamlit-only helpers: session state, loading, formatting, charts. metrics/ never imports this."""
