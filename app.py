"""Vaultcover: the Streamlit front end (a router; every page is thin over ``pricing``)."""

import streamlit as st

from app_pages import scenario_store, state

st.set_page_config(page_title="Vaultcover", page_icon=":material/shield_lock:", layout="wide")

PAGES = [
    st.Page(
        "app_pages/profile.py", title="Exchange profile", icon=":material/business:", default=True
    ),
    st.Page("app_pages/history.py", title="Loss history", icon=":material/history:"),
    st.Page("app_pages/model.py", title="Loss model", icon=":material/functions:"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("app_pages/quote.py", title="Insurer quote", icon=":material/request_quote:"),
    st.Page("app_pages/small_vs_large.py", title="Small vs large", icon=":material/balance:"),
    st.Page("app_pages/sensitivity.py", title="Sensitivity", icon=":material/tune:"),
    st.Page("app_pages/scenarios.py", title="Scenarios", icon=":material/bookmarks:"),
    st.Page("app_pages/portfolio.py", title="Insurer portfolio", icon=":material/hub:"),
]

page = st.navigation(PAGES, position="top")
scenario_store.open_link()
state.presentation_toggle()
state.banner()
page.run()
