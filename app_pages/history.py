"""Loss history: the sourced incident table, its timeline and the yearly counts."""

import streamlit as st

from app_pages import common, state
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

st.title("Loss history")
with st.expander("How to read this page"):
    st.markdown(
        "Every theft of customer crypto from a centralised exchange or custodian that public "
        "sources document, 2011 onwards. Amounts are **USD at the time of the theft**; an empty "
        "amount means no public source gives one (it is never estimated). The *source* column "
        "links each row to the public report behind it. By default the view shows exchanges "
        "and custodians, the kinds of platform Vaultcover prices; choose *all custodial "
        "platforms* to add payment processors, casinos, mining pools and hosted wallet apps. "
        "The filters only change this view; "
        "the **Loss model** page has its own selection (reporting threshold, years, vectors)."
    )

has_upload = bool(st.session_state.get(common.UPLOAD_KEY))
with st.expander("Use your own incident file", expanded=has_upload):
    data = common.data_source_control()

frame = data.frame
first, last = data.years
left, mid, right = st.columns([2, 3, 2])
years = (
    left.slider("Years", first, last, **state.bind("hist_years", (first, last)))
    if first < last
    else (first, last)
)
vectors = mid.multiselect(
    "Attack vectors",
    ATTACK_VECTORS,
    **state.bind("hist_vectors", list(ATTACK_VECTORS)),
    format_func=lambda v: v.replace("_", " "),
    help="How the attacker got in; 'third party provider' means a wallet, custody or "
    "infrastructure vendor was the entry point (e.g. DMM Bitcoin via Ginco, Bybit via Safe).",
)
provider = right.radio(
    "Third-party provider",
    ["any", "third_party", "in_house"],
    horizontal=True,
    **state.bind("hist_provider"),
    format_func={"any": "any", "third_party": "involved", "in_house": "not involved"}.get,
)
platforms = left.radio(
    "Platforms",
    list(PLATFORM_VIEWS),
    **state.bind("hist_platforms"),
    format_func=PLATFORM_LABELS.get,
    help="Exchanges and custodians (custodians, lenders, brokers, crypto neobanks) are the "
    "platforms Vaultcover prices (the frequency fit itself counts exchanges only unless told "
    "otherwise); 'all' adds payment processors, casinos, mining pools and hosted wallet apps.",
)
typed = bool(frame["platform_type"].ne("").any())
min_loss = (
    right.number_input(
        "Minimum loss (USD million)", min_value=0.0, step=1.0, **state.bind("hist_min_loss")
    )
    * 1e6
)

view, filtered_out = IncidentFilter(
    years=years,
    attack_vectors=tuple(vectors),
    platform_types=PLATFORM_VIEWS[platforms] if typed else None,
    provider=provider,
    min_loss_usd=min_loss,
).apply(data)
known = view["loss_usd"].dropna()
c1, c2, c3, c4 = st.columns(4)
c1.metric("Incidents shown", f"{len(view)}", help=f"{filtered_out} filtered out of {len(frame)}")
c2.metric("Total stolen (USD, at the time)", f"{known.sum() / 1e9:,.2f} bn")
c3.metric("Largest", f"{known.max() / 1e6:,.0f} m" if len(known) else "–")
c4.metric("Amount unknown", f"{view['loss_usd'].isna().sum()}")
if filtered_out:
    st.caption(f"{filtered_out} of {len(frame)} incidents are hidden by the filters above.")
if not typed:
    st.caption(
        "This file has no platform types, so every incident is shown whatever the Platforms choice."
    )

st.plotly_chart(
    plots.incident_timeline(view, ATTACK_VECTORS), width="stretch", key="timeline", theme=None
)
st.dataframe(
    view.drop(columns=["line"]),
    hide_index=True,
    width="stretch",
    column_config={
        "date": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
        "loss_usd": st.column_config.NumberColumn("loss (USD)", format="%,.0f"),
        "source": st.column_config.LinkColumn("source"),
    },
)
st.download_button(
    "Download this view (CSV)",
    view.to_csv(index=False),
    "incidents_view.csv",
    "text/csv",
    on_click="ignore",
    icon=":material/download:",
)
