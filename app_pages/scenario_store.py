"""App-layer access to the scenario store: who the user is, the shared store (scenarios and
insurers' books), cached evaluations, the link that opens a scenario, and the comparison
table's display form."""

from __future__ import annotations

import os

import streamlit as st

from app_pages import session_scenario
from pricing.exceptions import InputError
from pricing.scenario import Scenario, ScenarioResult
from pricing.scenario import evaluate as evaluate_scenario
from pricing.store import BookStore, ScenarioStore, local_user

#: Query parameter of a link that opens a saved scenario: ``?scenario=NAME`` (or OWNER/NAME).
LINK_PARAM = "scenario"
LINKED_KEY = "_linked_scenario"


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def signed_in_user() -> str | None:
    """The signed-in user (Streamlit OIDC when ``[auth]`` is configured; ``None`` while nobody
    is signed in), else the single local user (``VAULTCOVER_USER`` or the OS account)."""
    if _auth_configured():
        if not st.user.is_logged_in:
            return None
        return str(st.user.get("email") or st.user.get("sub"))
    return os.environ.get("VAULTCOVER_USER", "").strip() or local_user()


def current_user() -> str:
    """:func:`signed_in_user`, or a sign-in button that stops the page until someone signs in."""
    user = signed_in_user()
    if user is None:
        st.info("Sign in to see your scenarios.")
        st.button("Sign in", on_click=st.login, key="sign_in", type="primary")
        st.stop()
    return user


@st.cache_resource(show_spinner=False)
def _store(url: str | None) -> ScenarioStore:
    return ScenarioStore(url)


def store() -> ScenarioStore:
    """The scenario store (``VAULTCOVER_DB``, else SQLite in the user's data folder)."""
    return _store(os.environ.get("VAULTCOVER_DB") or None)


def books() -> BookStore:
    """The insurers' books, in the same database as the scenarios."""
    return store().books


def where(s: ScenarioStore) -> str:
    """Where scenarios are kept, without server paths."""
    dialect = s.engine.dialect.name
    if dialect == "sqlite":
        return "Scenarios are kept in a local database on this computer."
    return f"Scenarios are kept in the shared {dialect} database."


@st.cache_resource(show_spinner="Computing the scenario…", max_entries=16)
def evaluate(record: str) -> ScenarioResult:
    """A scenario's numbers (cached by its JSON record; the result is shared, not copied)."""
    return evaluate_scenario(Scenario.from_json(record))


def open_link() -> None:
    """Load the scenario named in the page's link (``?scenario=NAME``) once per session."""
    name = st.query_params.get(LINK_PARAM)
    if not name or st.session_state.get(LINKED_KEY) == name:
        return
    st.session_state[LINKED_KEY] = name
    try:
        scenario = store().load(name, user=current_user())
    except InputError as err:
        st.error(f"The link's scenario could not be opened: {err.problems[0].message}.")
        return
    session_scenario.load_scenario(scenario)
    st.toast(f"Loaded scenario {scenario.name}.", icon=":material/upload:")


def comparison_pdf(records: tuple[str, ...], lang: str = "en", currency: str = "USD") -> bytes:
    """The client report of a saved comparison (PDF, in ``lang`` and ``currency``)."""
    from pricing.report import comparison_report_pdf

    return comparison_report_pdf([evaluate(r) for r in records], lang=lang, currency=currency)


def scenario_pdf(record: str, lang: str = "en", currency: str = "USD") -> bytes:
    """The client report of one scenario (PDF, in ``lang`` and ``currency``)."""
    from pricing.report import scenario_report_pdf

    return scenario_report_pdf(evaluate(record), lang=lang, currency=currency)
