"""Insurer portfolio: a book of exchanges, accumulation by shared provider, on Dask."""

import math

import pandas as pd
import streamlit as st

from app_pages import common, locale, scenario_store, state
from app_pages.chart import plotly_chart
from app_pages.locale import t
from app_pages.page_text import EMPTY, note, plain, readable
from pricing.data import shipped_path
from pricing.exceptions import InputError
from pricing.portfolio import build_portfolio, parse_book, provider_scenario, run_portfolio
from pricing.portfolio.book import BOOK_COLUMNS, book_from_frame
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
#: Where the simulation runs (option -> label).
ENGINES = {
    "this process": "this process",
    "local Dask cluster": "local Dask cluster",
    "Dask scheduler": "Dask scheduler",
}
#: The book editor's column labels (the keys are the CSV's columns and stay as they are).
BOOK_LABELS = {
    "exchange": "exchange",
    "customer_assets_usd": "customer assets (USD)",
    "hot_share": "hot share",
    "security_level": "security level",
    "jurisdiction": "jurisdiction",
    "signing_providers": "signing providers",
    "provider_controls": "provider controls",
    "retention": "retention (USD)",
    "limit": "limit (USD)",
    "share": "share",
    "agg_retention": "aggregate retention (USD)",
    "agg_limit": "aggregate limit (USD)",
}
#: The book's amount columns (USD, typed to the dollar).
BOOK_AMOUNTS = ("customer_assets_usd", "retention", "limit", "agg_retention", "agg_limit")
#: The accumulation table's columns: (label, an amount in USD).
PROVIDER_COLUMNS = {
    "provider": ("Provider", False),
    "clients": ("Clients", False),
    "exposure": ("Exposure", True),
    "expected_loss": ("Expected loss", True),
    "pml_99": ("1 in 100", True),
    "pml_995": ("1 in 200", True),
    "tvar_99": ("TVaR 99%", True),
    "compromises_per_year": ("Compromises a year", False),
    "hit_probability": ("Hit probability", False),
}
#: The allocation table's columns (all but the exchange are USD amounts).
ALLOCATION_COLUMNS = {
    "exchange": "exchange",
    "expected_loss": "Expected loss",
    "tvar_contribution": "Contribution to the book's TVaR",
    "standalone_tvar": "TVaR alone",
}


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
    st.session_state[MESSAGE_KEY] = (
        "success",
        t("Loaded {count} exchanges from {name}.").format(count=len(book), name=file.name),
    )


def open_saved(user: str) -> None:
    """Open was clicked: replace the rows with the saved book chosen (that version, else the
    latest), read from the selectors as they are now."""
    name = st.session_state.get("pt_open_name")
    version = st.session_state.get("pt_open_version")
    try:
        saved = scenario_store.books().get(name, user=user, version=version)
        book = saved.book
    except InputError as err:
        st.session_state[OPEN_MESSAGE_KEY] = ("error", t("Not opened: {error}").format(error=err))
        return
    st.session_state[BOOK_KEY] = book.table()
    st.session_state[VERSION_KEY] += 1
    st.session_state[OPEN_MESSAGE_KEY] = (
        "success",
        t("Opened **{name}** version {version} ({count} exchanges).").format(
            name=common.md(name), version=saved.version, count=len(book)
        ),
    )


def version_label(v: Version) -> str:
    """A saved version as the selector shows it."""
    return t("version {version}, {time} UTC by {user}").format(
        version=v.version, time=f"{v.saved_at:%Y-%m-%d %H:%M}", user=v.saved_by
    )


def saved_books(edited: pd.DataFrame) -> None:
    """Save the book as edited under a name, or open a saved one (the scenario store)."""
    user = scenario_store.signed_in_user()
    if user is None:
        st.caption(t("Sign in (Scenarios page) to save books or open saved ones."))
        return
    books = scenario_store.books()
    save_col, open_col = st.columns(2)
    with save_col.container(border=True):
        st.markdown(t("**Save this book**"))
        name = st.text_input(
            t("Book name"),
            key="pt_save_name",
            placeholder=t("e.g. 2027 renewal"),
            help=t("Saving again under the same name adds a version; earlier ones are kept."),
        )
        if st.button(t("Save"), key="pt_save", icon=":material/save:"):
            try:
                saved = books.save(name, book_from_frame(edited, source="book"), user=user)
            except InputError as err:
                st.error(
                    t("Not saved:")
                    + "\n\n"
                    + "\n".join(f"- {common.md(str(p))}" for p in err.problems)
                )
            else:
                st.success(
                    t("Saved **{name}** as version {version} ({count} exchanges).").format(
                        name=common.md(saved.name), version=saved.version, count=saved.exchanges
                    )
                )
    with open_col.container(border=True):
        st.markdown(t("**Open a saved book**"))
        listing = books.list(user=user)
        message = st.session_state.pop(OPEN_MESSAGE_KEY, None)
        if not listing:
            st.caption(t("No saved books yet. You see your own books and those shared with you."))
        else:
            labels = [b.name if b.owner == user else f"{b.owner}/{b.name}" for b in listing]
            pick = st.selectbox(t("Saved book"), labels, key="pt_open_name")
            try:
                history = books.history(pick, user=user)[::-1]
            except InputError:  # deleted by its owner since the list was read
                history = []
            labels_by_version = {v.version: version_label(v) for v in history}
            latest = t("latest")
            latest_of = t("latest ({version})")
            st.selectbox(
                t("Version"),
                [None, *labels_by_version],
                format_func=lambda n: (
                    latest_of.format(version=labels_by_version[history[0].version])
                    if n is None and history
                    else labels_by_version.get(n, latest)
                ),
                key="pt_open_version",
                help=t("The latest version stays selected when someone saves a new one."),
            )
            st.button(
                t("Open"),
                key="pt_open",
                icon=":material/folder_open:",
                on_click=open_saved,
                args=(user,),
                disabled=not history,
                help=t("Replaces the rows above with the saved book."),
            )
        if message:
            (st.error if message[0] == "error" else st.success)(message[1])


def book_columns(frame: pd.DataFrame) -> dict[str, object]:
    """The editor's column labels in the page's language and its number formats."""
    assert set(BOOK_LABELS) <= set(BOOK_COLUMNS)
    return readable(frame, labels=BOOK_LABELS, amounts=BOOK_AMOUNTS)


def money_m(usd: float) -> str:
    """A headline amount: ``USD 1.23 m`` in English and USD, else compact in the display
    currency (``1.94億円``)."""
    if not math.isfinite(usd):
        return t("n/a")
    return common.usd_m(usd) if plain() else locale.money(usd)


def amount_header(label: str) -> str:
    """``"{label} (USD)"`` in the page's language and display currency."""
    return t("{label} (in {currency})").format(label=t(label), currency=locale.unit())


def summary_table(result) -> pd.DataFrame:
    """The library's summary with its measures translated and amounts in the display currency."""
    table = result.summary()
    if plain():
        return table
    return pd.DataFrame(
        {
            t("measure"): [t(m) for m in table["measure"]],
            amount_header("amount"): [locale.from_usd(v) for v in table["usd"]],
        }
    )


def reset_book() -> None:
    """Back to the example book."""
    st.session_state[BOOK_KEY] = example_book()
    st.session_state[VERSION_KEY] += 1


st.session_state.setdefault(BOOK_KEY, example_book())
st.session_state.setdefault(VERSION_KEY, 0)

st.title(t("Insurer portfolio"))
with st.expander(t("How to read this page")):
    st.markdown(
        t(
            "An insurer's **book**: the exchanges it covers, the wallet provider(s) each has in "
            "its signing path, and the layer written on each (retention and limit per theft, "
            "USD; the insurer's share; annual aggregate retention and limit). Each exchange's "
            "thefts follow its own loss model; on top, a **provider compromise** can hit several "
            "clients of the same provider in the same year (the Ginco, Safe{Wallet} and Liminal "
            "cases). The simulation draws many years and reports the insurer's yearly loss: "
            "**VaR** (the loss exceeded once in 100 or 200 years) and **TVaR** (the average of "
            "those worst years); the **accumulation** by provider (what the insurer loses on "
            "that provider's clients in a 1-in-100 and 1-in-200 year); each exchange's share of "
            "the book's TVaR (**Euler allocation**) and the **diversification benefit** (the "
            "stand-alone TVaRs added up, minus the book's). The example book's exchanges are "
            "fictional. **Save this book** keeps the rows in the same store as the scenarios (a "
            "new version each save); **Open a saved book** brings back any version of yours or "
            "of one shared with you."
        )
        + (
            ""
            if locale.currency() == "USD"
            else " "
            + t(
                "The results are shown in {currency} at the shipped, dated FX rate; the book's "
                "amounts are typed in USD, as in its CSV."
            ).format(currency=locale.unit())
        )
    )

left, right = st.columns([3, 1])
right.file_uploader(
    t("Load a book (CSV)"),
    type=["csv"],
    key="pt_upload",
    on_change=load_upload,
    help=t("Columns as in data/example_book.csv; every problem is listed by line and column."),
)
right.button(t("Example book"), on_click=reset_book, help=t("Back to the 30 fictional exchanges."))
message = st.session_state.pop(MESSAGE_KEY, None)
if message:
    (right.error if message[0] == "error" else right.success)(message[1])
edited = left.data_editor(
    st.session_state[BOOK_KEY],
    num_rows="dynamic",
    key=f"pt_editor_{st.session_state[VERSION_KEY]}",
    width="stretch",
    height=300,
    column_config=book_columns(st.session_state[BOOK_KEY]),
    placeholder=EMPTY,
)
saved_books(edited)

SETTINGS = ("pt_years", "pt_seed", "pt_engine", "pt_workers", "pt_address", "pt_use_hit", "pt_hit")
with st.form("pt_settings"):
    a, b, c = st.columns(3)
    years = a.number_input(
        t("Simulated years"),
        min_value=1_000,
        max_value=2_000_000,
        step=10_000,
        **state.bind("pt_years", 20_000, form=True, label="Portfolio: simulated years"),
    )
    seed = a.number_input(
        t("Seed"),
        min_value=0,
        step=1,
        **state.bind("pt_seed", 1, form=True, label="Portfolio: seed"),
    )
    engine = b.radio(
        t("Run on"),
        list(ENGINES),
        format_func=locale.labels(ENGINES).get,
        **state.bind("pt_engine", "this process", form=True, label="Portfolio: run on"),
        help=t(
            "A local cluster starts worker processes first (a few seconds); a scheduler "
            "address reaches a running cluster. The numbers are the same on each."
        ),
    )
    workers = b.number_input(
        t("Local workers"),
        min_value=1,
        max_value=64,
        **state.bind("pt_workers", 2, form=True, label="Portfolio: local workers"),
    )
    address = b.text_input(
        t("Scheduler address"),
        **state.bind(
            "pt_address", "tcp://127.0.0.1:8786", form=True, label="Portfolio: scheduler address"
        ),
    )
    use_hit = c.checkbox(
        t("Set the hit probability"),
        **state.bind("pt_use_hit", False, form=True, label="Portfolio: hit probability set"),
        help=t(
            "Chance one provider compromise reaches its most exposed client. Default: from "
            "the incident data (one client per compromise on average)."
        ),
    )
    hit = c.slider(
        t("Hit probability"),
        0.05,
        1.0,
        step=0.05,
        **state.bind("pt_hit", 0.5, form=True, label="Portfolio: hit probability"),
    )
    run = st.form_submit_button(
        t("Run the book"), type="primary", on_click=state.remember_all, args=(SETTINGS,)
    )

if run:
    try:
        book = book_from_frame(edited, source="book")
    except InputError as err:
        st.error(
            t("The book has problems, nothing was run:")
            + "\n\n"
            + "\n".join(f"- {common.md(str(p))}" for p in err.problems)
        )
        st.stop()
    calibration = common.calibration(common.current_spec(), common.active_upload())
    try:
        model = build_portfolio(book, calibration, hit_probability=hit if use_hit else None)
        bar = st.progress(0.0, text=t("Simulating…"))
        result = run_portfolio(
            model,
            int(years),
            int(seed),
            chunk_years=max(1_000, int(years) // 20),
            workers=0 if engine == "this process" else int(workers),
            scheduler=address if engine == "Dask scheduler" else None,
            progress=lambda share: bar.progress(
                share, text=t("Simulating… {share}").format(share=f"{share:.0%}")
            ),
        )
        bar.empty()
    except InputError as err:
        st.error("\n".join(f"- {common.md(str(p))}" for p in err.problems))
        st.stop()
    st.session_state[BOOK_KEY] = book.table()
    st.session_state[RESULT_KEY] = (result, model)

stored = st.session_state.get(RESULT_KEY)
if stored is None:
    st.info(t("Edit or load a book, then **Run the book**."))
    st.stop()
result, model = stored

m1, m2, m3, m4 = st.columns(4)
m1.metric(t("Mean yearly loss"), money_m(result.mean))
m2.metric(t("1 in 200 years (VaR 99.5%)"), money_m(result.var[0.995]))
m3.metric(t("TVaR 99.5%"), money_m(result.tvar[0.995]))
m4.metric(
    t("Diversification benefit"),
    money_m(result.diversification_benefit),
    help=t("Stand-alone TVaR {level} of every exchange added up, minus the book's.").format(
        level=f"{result.allocation_level:g}"
    ),
)
st.caption(
    t("{count} exchanges, {years} simulated years, seed {seed}.").format(
        count=len(result.names), years=f"{result.years:,}", seed=result.seed
    )
)
lang, ccy = locale.lang(), locale.currency()

st.subheader(t("Accumulation by provider"))
money_headers = tuple(
    (f"{label} (USD)" if plain() else amount_header(label))
    for label, money in PROVIDER_COLUMNS.values()
    if money
)
if plain():
    table = result.by_provider.rename(
        columns={
            key: f"{label} (USD)" if money else label
            for key, (label, money) in PROVIDER_COLUMNS.items()
        }
    )
else:
    table = result.by_provider.copy()
    for key, (_, money) in PROVIDER_COLUMNS.items():
        if money:
            table[key] = table[key].map(locale.from_usd)
    table = table.rename(
        columns={
            key: amount_header(label) if money else t(label)
            for key, (label, money) in PROVIDER_COLUMNS.items()
        }
    )
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config=readable(table, amounts=money_headers),
    placeholder=EMPTY,
)
plotly_chart(accumulation_chart(result, lang=lang, currency=ccy), key="pt_accumulation")

st.subheader(t("Yearly loss and largest occurrence"))
plotly_chart(portfolio_exceedance_chart(result, lang=lang, currency=ccy), key="pt_exceedance")
summary = summary_table(result)
st.dataframe(
    summary,
    hide_index=True,
    width="stretch",
    column_config=readable(
        summary, labels={"usd": "amount (USD)"}, amounts=("usd", amount_header("amount"))
    ),
    placeholder=EMPTY,
)

st.subheader(t("Allocation of the book's TVaR"))
plotly_chart(allocation_chart(result, lang=lang, currency=ccy), key="pt_allocation")
if plain():
    st.dataframe(
        result.allocation,
        hide_index=True,
        width="stretch",
        column_config=readable(
            result.allocation,
            labels={
                k: v if k == "exchange" else f"{v} (USD)" for k, v in ALLOCATION_COLUMNS.items()
            },
            amounts=tuple(ALLOCATION_COLUMNS)[1:],
        ),
        placeholder=EMPTY,
    )
else:
    allocation = result.allocation.copy()
    for key in list(ALLOCATION_COLUMNS)[1:]:
        allocation[key] = allocation[key].map(locale.from_usd)
    allocation = allocation.rename(
        columns={
            key: t(label) if key == "exchange" else amount_header(label)
            for key, label in ALLOCATION_COLUMNS.items()
        }
    )
    st.dataframe(
        allocation,
        hide_index=True,
        width="stretch",
        column_config=readable(allocation, amounts=tuple(allocation.columns[1:])),
        placeholder=EMPTY,
    )

st.subheader(t("What if a provider is compromised"))
if not model.providers:
    st.info(t("No exchange in this book has a third-party provider."))
else:
    s1, s2 = st.columns([1, 3])
    provider = s1.selectbox(t("Provider"), model.providers, key="pt_scenario_provider")
    every = s1.checkbox(t("Every client hit"), key="pt_scenario_all")
    scenario = provider_scenario(model, provider, all_clients=every, draws=50_000)
    q = scenario.quantiles
    hits = (
        t("every client hit")
        if every
        else t("{count} clients hit on average").format(count=f"{scenario.mean_clients_hit:.2f}")
    )
    s2.markdown(
        t(
            "One compromise of **{provider}** ({clients} clients, exposure {exposure}; "
            "{hits}): mean loss {mean}, median {median}, 1 in 10 {q90}, 1 in 100 {q99}."
        ).format(
            provider=common.md(provider),
            clients=scenario.clients,
            exposure=money_m(scenario.exposure),
            hits=hits,
            mean=money_m(scenario.mean),
            median=money_m(q[0.5]),
            q90=money_m(q[0.9]),
            q99=money_m(q[0.99]),
        )
    )
for text in result.notes:
    st.caption(note(text))
