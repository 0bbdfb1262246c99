"""Vaultcover: the Streamlit front end (a router; every page is thin over ``pricing``).

Streamlit runs this file as ``__main__``; a process started by ``spawn`` (Dask's local
workers on Insurer portfolio) imports it again as ``__mp_main__``, where nothing must run.
"""

import streamlit as st

from app_pages import chart, locale, precompute, scenario_store, state


def main() -> None:
    """Draw the top row and the page the user chose."""
    st.set_page_config(page_title="Vaultcover", page_icon=":material/shield_lock:", layout="wide")

    profile = st.Page(
        "app_pages/profile.py",
        title=locale.t("Exchange profile"),
        icon=":material/business:",
        default=True,
    )
    compare = st.Page(
        "app_pages/compare.py", title=locale.t("Compare"), icon=":material/compare_arrows:"
    )
    sensitivity = st.Page(
        "app_pages/sensitivity.py", title=locale.t("Sensitivity"), icon=":material/tune:"
    )
    pages = [
        profile,
        st.Page("app_pages/history.py", title=locale.t("Loss history"), icon=":material/history:"),
        st.Page("app_pages/model.py", title=locale.t("Loss model"), icon=":material/functions:"),
        compare,
        st.Page(
            "app_pages/quote.py", title=locale.t("Insurer quote"), icon=":material/request_quote:"
        ),
        st.Page(
            "app_pages/small_vs_large.py",
            title=locale.t("Small vs large"),
            icon=":material/balance:",
        ),
        sensitivity,
        st.Page("app_pages/scenarios.py", title=locale.t("Scenarios"), icon=":material/bookmarks:"),
        st.Page(
            "app_pages/portfolio.py", title=locale.t("Insurer portfolio"), icon=":material/hub:"
        ),
        st.Page(
            "app_pages/glossary.py",
            title=locale.t("Glossary and sources"),
            icon=":material/menu_book:",
        ),
    ]

    page = st.navigation(pages, position="top")
    ahead = precompute.store().worker
    ahead.busy()  # work ahead waits while a page runs
    if page.url_path not in (compare.url_path, sensitivity.url_path):  # the pages it is for
        ahead.drop_all()
    scenario_store.open_link()
    top, language, currency, presentation = st.columns(
        [5, 1.1, 1.4, 1.3], vertical_alignment="center"
    )
    chart.preload(top)
    locale.settings(language, currency)
    state.presentation_toggle(presentation)
    state.banner_slot()
    if page.url_path != profile.url_path:  # Exchange profile draws it from its fields' fragment
        state.close_banner()
    try:
        page.run()
    finally:
        ahead.done()


if __name__ == "__main__":
    main()
