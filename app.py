"""Vaultcover: the Streamlit front end (a router; every page is thin over ``pricing``)."""

import streamlit as st

st.set_page_config(page_title="Vaultcover", page_icon=":material/shield_lock:", layout="wide")

PAGES = [
    st.Page("app_pages/history.py", title="Loss history", icon=":material/history:", default=True),
    st.Page("app_pages/model.py", title="Loss model", icon=":material/functions:"),
]

st.navigation(PAGES, position="top").run()
