"""Insurer portfolio: a book of exchanges, accumulation by shared provider, on Dask."""

import math

import pandas as pd
import streamlit as st

from app_pages import common, scenario_store, state
from pricing.data import shipped_path
from pricing.exceptions import InputError
from pricing.portfolio import build_portfolio, parse_book, provider_scenario, run_portfolio
from pricing.portfolio.book import book_from_frame
from pricing.portfolio.plots import (
    accumulation_chart,
    allocation_chart,
    portfolio_exceedance_chart,
)
from pricing.store import Version

BOOK_KEY = "pt_book"  # the book's rows as edited
VERSION_KEY = "pt_book_version"  # bumps the editor's key when the rows are replaced
RESULT_KEY = "pt_result"  # (result, model) of the last run
MESSAGE_KEY = "pt_message"
OPEN_MESSAGE_KEY = "pt_open_message"  # what opening a saved book did, shown beside its control


@st.cache_data(show_spinner=False)
def example_book() -> pd.DataFrame:
    """The shipped example book (fictional exchanges) as a table."""
    return parse_book(shipped_path("example_book.csv").read_text(encoding="utf-8")).table()


def load_upload() -> None:
    """A book CSV was uploaded: replace the rows if it reads, else say what is wrong."""
    file = st.session_state.get("pt_upload")
    if file is None:
        return
    try:
        book = parse_book(file.getvalue().decode("utf-8-sig"), source=file.name)
    except (InputError, UnicodeDecodeError) as err:
        st.session_state[MESSAGE_KEY] = ("error", str(err))
        return
    st.session_state[BOOK_KEY] = book.table()
    st.session_state[VERSION_KEY] += 1
    st.session_state[MESSAGE_KEY] = ("success", f"Loaded {len(book)} exchanges from {file.name}.")


def open_saved(user: str) -> None:
    """Open was clicked: replace the rows with the saved book chosen (that version, else the
    latest), read from the selectors as they are now."""
    name = st.session_state.get("pt_open_name")
    version = st.session_state.get("pt_open_version")
    try:
        saved = scenario_store.books().get(name, user=user, version=version)
        book = saved.book
    except InputError as err:
        st.session_state[OPEN_MESSAGE_KEY] = ("error", f"Not opened: {err}")
        return
    st.session_state[BOOK_KEY] = book.table()
    st.session_state[VERSION_KEY] += 1
    st.session_state[OPEN_MESSAGE_KEY] = (
        "success",
        f"Opened **{common.md(name)}** version {saved.version} ({len(book)} exchanges).",
    )


def version_label(v: Version) -> str:
    """A saved version as the selector shows it."""
    return f"version {v.version}, {v.saved_at:%Y-%m-%d %H:%M} UTC by {v.saved_by}"


def saved_books(edited: pd.DataFrame) -> None:
    """Save the book as edited under a name, or open a saved one (the scenario store)."""
    user = scenario_store.signed_in_user()
    if user is None:
        st.caption("Sign in (Scenarios page) to save books or open saved ones.")
        return
    books = scenario_store.books()
    save_col, open_col = st.columns(2)
    with save_col.container(border=True):
        st.markdown("**Save this book**")
        name = st.text_input(
            "Book name",
            key="pt_save_name",
            placeholder="e.g. 2027 renewal",
            help="Saving again under the same name adds a version; earlier ones are kept.",
        )
        if st.button("Save", key="pt_save", icon=":material/save:"):
            try:
                saved = books.save(name, book_from_frame(edited, source="book"), user=user)
            except InputError as err:
                st.error(
                    "Not saved:\n\n" + "\n".join(f"- {common.md(str(p))}" for p in err.problems)
                )
            else:
                st.success(
                    f"Saved **{common.md(saved.name)}** as version {saved.version} "
                    f"({saved.exchanges} exchanges)."
                )
    with open_col.container(border=True):
        st.markdown("**Open a saved book**")
        listing = books.list(user=user)
        message = st.session_state.pop(OPEN_MESSAGE_KEY, None)
        if not listing:
            st.caption("No saved books yet. You see your own books and those shared with you.")
        else:
            labels = [b.name if b.owner == user else f"{b.owner}/{b.name}" for b in listing]
            pick = st.selectbox("Saved book", labels, key="pt_open_name")
            try:
                history = books.history(pick, user=user)[::-1]
            except InputError:  # deleted by its owner since the list was read
                history = []
            labels_by_version = {v.version: version_label(v) for v in history}
            st.selectbox(
                "Version",
                [None, *labels_by_version],
                format_func=lambda n: (
                    f"latest ({labels_by_version[history[0].version]})"
                    if n is None and history
                    else labels_by_version.get(n, "latest")
                ),
                key="pt_open_version",
                help="The latest version stays selected when someone saves a new one.",
            )
            st.button(
                "Open",
                key="pt_open",
                icon=":material/folder_open:",
                on_click=open_saved,
                args=(user,),
                disabled=not history,
                help="Replaces the rows above with the saved book.",
            )
        if message:
            (st.error if message[0] == "error" else st.success)(message[1])


def reset_book() -> None:
    """Back to the example book."""
    st.session_state[BOOK_KEY] = example_book()
    st.session_state[VERSION_KEY] += 1


st.session_state.setdefault(BOOK_KEY, example_book())
st.session_state.setdefault(VERSION_KEY, 0)

st.title("Insurer portfolio")
with st.expander("How to read this page"):
    st.markdown(
        "An insurer's **book**: the exchanges it covers, the wallet provider(s) each has in its "
        "signing path, and the layer written on each (retention and limit per theft, USD; the "
        "insurer's share; annual aggregate retention and limit). Each exchange's thefts follow "
        "its own loss model; on top, a **provider compromise** can hit several clients of the "
        "same provider in the same year (the Ginco, Safe{Wallet} and Liminal cases). The "
        "simulation draws many years and reports the insurer's yearly loss: **VaR** (the loss "
        "exceeded once in 100 or 200 years) and **TVaR** (the average of those worst years); "
        "the **accumulation** by provider (what the insurer loses on that provider's clients "
        "in a 1-in-100 and 1-in-200 year); each exchange's share of the book's TVaR (**Euler "
        "allocation**) and the **diversification benefit** (the stand-alone TVaRs added up, "
        "minus the book's). The example book's exchanges are fictional. **Save this book** keeps "
        "the rows in the same store as the scenarios (a new version each save); **Open a saved "
        "book** brings back any version of yours or of one shared with you."
    )

left, right = st.columns([3, 1])
right.file_uploader(
    "Load a book (CSV)",
    type=["csv"],
    key="pt_upload",
    on_change=load_upload,
    help="Columns as in data/example_book.csv; every problem is listed by line and column.",
)
right.button("Example book", on_click=reset_book, help="Back to the 30 fictional exchanges.")
message = st.session_state.pop(MESSAGE_KEY, None)
if message:
    (right.error if message[0] == "error" else right.success)(message[1])
edited = left.data_editor(
    st.session_state[BOOK_KEY],
    num_rows="dynamic",
    key=f"pt_editor_{st.session_state[VERSION_KEY]}",
    width="stretch",
    height=300,
)
saved_books(edited)

SETTINGS = ("pt_years", "pt_seed", "pt_engine", "pt_workers", "pt_address", "pt_use_hit", "pt_hit")
with st.form("pt_settings"):
    a, b, c = st.columns(3)
    years = a.number_input(
        "Simulated years",
        min_value=1_000,
        max_value=2_000_000,
        step=10_000,
        **state.bind("pt_years", 20_000, form=True, label="Portfolio: simulated years"),
    )
    seed = a.number_input(
        "Seed", min_value=0, step=1, **state.bind("pt_seed", 1, form=True, label="Portfolio: seed")
    )
    engine = b.radio(
        "Run on",
        ["this process", "local Dask cluster", "Dask scheduler"],
        **state.bind("pt_engine", "this process", form=True, label="Portfolio: run on"),
        help="A local cluster starts worker processes first (a few seconds); a scheduler "
        "address reaches a running cluster. The numbers are the same on each.",
    )
    workers = b.number_input(
        "Local workers",
        min_value=1,
        max_value=64,
        **state.bind("pt_workers", 2, form=True, label="Portfolio: local workers"),
    )
    address = b.text_input(
        "Scheduler address",
        **state.bind(
            "pt_address", "tcp://127.0.0.1:8786", form=True, label="Portfolio: scheduler address"
        ),
    )
    use_hit = c.checkbox(
        "Set the hit probability",
        **state.bind("pt_use_hit", False, form=True, label="Portfolio: hit probability set"),
        help="Chance one provider compromise reaches its most exposed client. Default: from "
        "the incident data (one client per compromise on average).",
    )
    hit = c.slider(
        "Hit probability",
        0.05,
        1.0,
        step=0.05,
        **state.bind("pt_hit", 0.5, form=True, label="Portfolio: hit probability"),
    )
    run = st.form_submit_button(
        "Run the book", type="primary", on_click=state.remember_all, args=(SETTINGS,)
    )

if run:
    try:
        book = book_from_frame(edited, source="book")
    except InputError as err:
        st.error(
            "The book has problems, nothing was run:\n\n"
            + "\n".join(f"- {common.md(str(p))}" for p in err.problems)
        )
        st.stop()
    calibration = common.calibration(common.current_spec(), common.active_upload())
    try:
        model = build_portfolio(book, calibration, hit_probability=hit if use_hit else None)
        bar = st.progress(0.0, text="Simulating…")
        result = run_portfolio(
            model,
            int(years),
            int(seed),
            chunk_years=max(1_000, int(years) // 20),
            workers=0 if engine == "this process" else int(workers),
            scheduler=address if engine == "Dask scheduler" else None,
            progress=lambda share: bar.progress(share, text=f"Simulating… {share:.0%}"),
        )
        bar.empty()
    except InputError as err:
        st.error("\n".join(f"- {common.md(str(p))}" for p in err.problems))
        st.stop()
    st.session_state[BOOK_KEY] = book.table()
    st.session_state[RESULT_KEY] = (result, model)

stored = st.session_state.get(RESULT_KEY)
if stored is None:
    st.info("Edit or load a book, then **Run the book**.")
    st.stop()
result, model = stored

m1, m2, m3, m4 = st.columns(4)
m1.metric("Mean yearly loss", common.usd_m(result.mean))
m2.metric("1 in 200 years (VaR 99.5%)", common.usd_m(result.var[0.995]))
m3.metric("TVaR 99.5%", common.usd_m(result.tvar[0.995]))
m4.metric(
    "Diversification benefit",
    common.usd_m(result.diversification_benefit)
    if math.isfinite(result.diversification_benefit)
    else "n/a",
    help=f"Stand-alone TVaR {result.allocation_level:g} of every exchange added up, minus "
    "the book's.",
)
st.caption(f"{len(result.names)} exchanges, {result.years:,} simulated years, seed {result.seed}.")

st.subheader("Accumulation by provider")
table = result.by_provider.rename(
    columns={
        "provider": "Provider",
        "clients": "Clients",
        "exposure": "Exposure (USD)",
        "expected_loss": "Expected loss (USD)",
        "pml_99": "1 in 100 (USD)",
        "pml_995": "1 in 200 (USD)",
        "tvar_99": "TVaR 99% (USD)",
        "compromises_per_year": "Compromises a year",
        "hit_probability": "Hit probability",
    }
)
st.dataframe(table, hide_index=True, width="stretch")
st.plotly_chart(accumulation_chart(result), width="stretch", key="pt_accumulation")

st.subheader("Yearly loss and largest occurrence")
st.plotly_chart(portfolio_exceedance_chart(result), width="stretch", key="pt_exceedance")
st.dataframe(result.summary(), hide_index=True, width="stretch")

st.subheader("Allocation of the book's TVaR")
st.plotly_chart(allocation_chart(result), width="stretch", key="pt_allocation")
st.dataframe(result.allocation, hide_index=True, width="stretch")

st.subheader("What if a provider is compromised")
if not model.providers:
    st.info("No exchange in this book has a third-party provider.")
else:
    s1, s2 = st.columns([1, 3])
    provider = s1.selectbox("Provider", model.providers, key="pt_scenario_provider")
    every = s1.checkbox("Every client hit", key="pt_scenario_all")
    scenario = provider_scenario(model, provider, all_clients=every, draws=50_000)
    q = scenario.quantiles
    hits = (
        "every client hit" if every else f"{scenario.mean_clients_hit:.2f} clients hit on average"
    )
    s2.markdown(
        f"One compromise of **{common.md(provider)}** ({scenario.clients} clients, exposure "
        f"{common.usd_m(scenario.exposure)}; {hits}): mean loss {common.usd_m(scenario.mean)}, "
        f"median {common.usd_m(q[0.5])}, 1 in 10 {common.usd_m(q[0.9])}, 1 in 100 "
        f"{common.usd_m(q[0.99])}."
    )
for note in result.notes:
    st.caption(note)
