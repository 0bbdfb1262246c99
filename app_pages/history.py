"""Loss history: the sourced incident table, its timeline and the yearly counts."""

import functools

import streamlit as st

from app_pages import common, locale, state
from app_pages.chart import plotly_chart
from app_pages.locale import t
from app_pages.page_text import (
    EMPTY,
    amount_input,
    categories,
    chart_unit,
    money_axes,
    plain,
    readable,
    relabel,
)
from app_pages.page_text import VECTOR_LABELS as VECTOR_NAMES
from pricing import plots
from pricing.data import ATTACK_VECTORS, IncidentFilter

#: The platform-type choice of this view: what each option shows.
PLATFORM_VIEWS = {
    "exchanges_custodians": ("exchange", "custodian_lender"),
    "all": None,
}
PLATFORM_LABELS = {
    "exchanges_custodians": "exchanges and custodians",
    "all": "all custodial platforms",
}
VECTOR_LABELS = {v: VECTOR_NAMES.get(v, v.replace("_", " ")) for v in ATTACK_VECTORS}
PROVIDER_LABELS = {"any": "any", "third_party": "involved", "in_house": "not involved"}
#: The table's coded columns, by their labels (Japanese page only; the English page shows the
#: codes as the file has them). Names, countries, sources and notes are data and stay as they are.
CODES = {
    "platform_type": {
        "exchange": "exchange",
        "custodian_lender": "custodian or lender",
        "casino": "casino",
        "mining_pool": "mining pool",
        "payment_processor": "payment processor",
        "wallet_app": "wallet app",
    },
    "attack_vector": VECTOR_LABELS,
    "wallet": {"hot": "hot", "cold": "cold", "unknown": "not known"},
    "customers_reimbursed": {
        "full": "reimbursed in full",
        "partial": "reimbursed in part",
        "none": "not reimbursed",
        "unknown": "not known",
    },
    "outcome": {
        "acquired": "acquired",
        "bankrupt": "bankrupt",
        "closed": "closed",
        "continued": "continued",
    },
    "source_type": {
        "press": "press",
        "primary": "primary source",
        "research": "research",
        "secondary": "secondary source",
    },
}
#: Column headers of the incident table.
COLUMNS = {
    "date": "date",
    "year": "year",
    "exchange": "exchange",
    "country": "country",
    "platform_type": "platform type",
    "loss_native": "loss in coins",
    "attack_vector": "attack vector",
    "signing_provider": "signing provider",
    "infrastructure_provider": "infrastructure provider",
    "third_party_provider": "third-party provider",
    "wallet": "wallet",
    "customers_reimbursed": "customers reimbursed",
    "outcome": "outcome",
    "source": "source",
    "source_type": "source type",
    "second_source": "second source",
    "notes": "notes",
}

st.title(t("Loss history"))
with st.expander(t("How to read this page")):
    st.markdown(
        t(
            "Every theft of customer crypto from a centralised exchange or custodian that "
            "public sources document, 2011 onwards. Amounts are **USD at the time of the "
            "theft**; an empty amount means no public source gives one (it is never estimated). "
            "The *source* column links each row to the public report behind it. By default the "
            "view shows exchanges and custodians, the kinds of platform Vaultcover prices; "
            "choose *all custodial platforms* to add payment processors, casinos, mining pools "
            "and hosted wallet apps. The filters only change this view; the **Loss model** "
            "page has its own selection (reporting threshold, years, vectors)."
        )
        + (
            ""
            if locale.currency() == "USD"
            else " "
            + t("The amounts are shown in {currency} at the shipped, dated FX rate.").format(
                currency=locale.unit()
            )
        )
    )

has_upload = bool(st.session_state.get(common.UPLOAD_KEY))
with st.expander(t("Use your own incident file"), expanded=has_upload):
    data = common.data_source_control()

frame = data.frame
first, last = data.years
left, mid, right = st.columns([2, 3, 2])
years = (
    left.slider(t("Years"), first, last, **state.bind("hist_years", (first, last)))
    if first < last
    else (first, last)
)
vectors = mid.multiselect(
    t("Attack vectors"),
    ATTACK_VECTORS,
    **state.bind("hist_vectors", list(ATTACK_VECTORS)),
    format_func=locale.labels(VECTOR_LABELS).get,
    help=t(
        "How the attacker got in; 'third party provider' means a wallet, custody or "
        "infrastructure vendor was the entry point (e.g. DMM Bitcoin via Ginco, Bybit via Safe)."
    ),
)
provider = right.radio(
    t("Third-party provider"),
    list(PROVIDER_LABELS),
    horizontal=True,
    **state.bind("hist_provider"),
    format_func=locale.labels(PROVIDER_LABELS).get,
)
platforms = left.radio(
    t("Platforms"),
    list(PLATFORM_VIEWS),
    **state.bind("hist_platforms"),
    format_func=locale.labels(PLATFORM_LABELS).get,
    help=t(
        "Exchanges and custodians (custodians, lenders, brokers, crypto neobanks) are the "
        "platforms Vaultcover prices (the frequency fit itself counts exchanges only unless told "
        "otherwise); 'all' adds payment processors, casinos, mining pools and hosted wallet apps."
    ),
)
typed = bool(frame["platform_type"].ne("").any())
min_loss = amount_input(right, "Minimum loss", "hist_min_loss", min_value=0.0, step=1.0)

view, filtered_out = IncidentFilter(
    years=years,
    attack_vectors=tuple(vectors),
    platform_types=PLATFORM_VIEWS[platforms] if typed else None,
    provider=provider,
    min_loss_usd=min_loss,
).apply(data)
known = view["loss_usd"].dropna()
c1, c2, c3, c4 = st.columns(4)
c1.metric(
    t("Incidents shown"),
    f"{len(view)}",
    help=t("{hidden} filtered out of {total}").format(hidden=filtered_out, total=len(frame)),
)
if plain():
    c2.metric("Total stolen (USD, at the time)", f"{known.sum() / 1e9:,.2f} bn")
    c3.metric("Largest", f"{known.max() / 1e6:,.0f} m" if len(known) else "–")
else:  # converted at today's shipped rate: the amounts were USD at the time of each theft
    c2.metric(
        t("Total stolen ({currency})").format(currency=locale.unit()),
        locale.money(known.sum()),
        help=t("USD at the time of each theft, converted at the shipped, dated FX rate."),
    )
    c3.metric(t("Largest"), locale.money(known.max()) if len(known) else "–")
c4.metric(t("Amount unknown"), f"{view['loss_usd'].isna().sum()}")
if filtered_out:
    st.caption(
        t("{hidden} of {total} incidents are hidden by the filters above.").format(
            hidden=filtered_out, total=len(frame)
        )
    )
if not typed:
    st.caption(
        t(
            "This file has no platform types, so every incident is shown whatever the "
            "Platforms choice."
        )
    )

ccy = locale.unit()
factor, chart_unit_name = chart_unit()
timeline = plots.incident_timeline(view.assign(loss_usd=view["loss_usd"] * factor), ATTACK_VECTORS)
if not plain():
    relabel(
        timeline,
        title=t("Thefts from exchanges and custodians"),
        x=t("date"),
        y=t("loss, {unit} (log scale)").format(unit=chart_unit_name),
        names={v.replace("_", " "): t(label) for v, label in VECTOR_LABELS.items()},
        hover=("USD %{y:,.0f}", "%{y:,.2f} " + chart_unit_name),
    )
money_axes(timeline, "y")
plotly_chart(timeline, key="timeline")
amount_header = "loss (USD)" if plain() else t("loss ({currency})").format(currency=ccy)
shown = categories(view.drop(columns=["line"]), CODES).assign(
    loss_usd=view["loss_usd"].map(locale.from_usd)
)
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    column_config=readable(
        shown,
        {
            "date": st.column_config.DateColumn(t("date"), format="YYYY-MM-DD"),
            "loss_usd": st.column_config.NumberColumn(amount_header, format="%,.0f"),
            "source": st.column_config.LinkColumn(t("source")),
        },
        labels=COLUMNS,
    ),
    placeholder=EMPTY,
)
st.download_button(
    t("Download this view (CSV)"),
    functools.partial(view.to_csv, index=False),
    "incidents_view.csv",
    "text/csv",
    on_click="ignore",
    icon=":material/download:",
)
