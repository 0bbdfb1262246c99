"""Insurer quote: a tower of layers over the exchange's loss model, priced and exported."""

import math

import streamlit as st

from app_pages import common, state
from pricing import export
from pricing.checks import check_rate_on_line
from pricing.exceptions import DataValidationError, InputError
from pricing.premium import PRINCIPLES

TOWER_KEY = "tower_frame"  # the editor's rows (display units), kept across pages
ASSETS_KEY = "tower_assets"  # customer assets the rows were sized for
VERSION_KEY = "tower_version"  # bumps the editor's key when the rows are replaced
EDITED_KEY = "tower_edited"  # the rows differ from the starting tower (for the banner)


def usd(x: float) -> str:
    """USD amount for a metric."""
    return f"{x:,.0f}" if math.isfinite(x) else "n/a"


def pct(x: float, digits: int = 2) -> str:
    """Ratio as a percentage for a metric."""
    return f"{100 * x:.{digits}f}%" if math.isfinite(x) else "n/a"


def store_edits() -> None:
    """Fold the editor's edits into the stored rows, so they survive a page change."""
    edits = st.session_state.get(f"tower_editor_{st.session_state[VERSION_KEY]}") or {}
    st.session_state[TOWER_KEY] = common.apply_edits(st.session_state[TOWER_KEY], edits)
    st.session_state[VERSION_KEY] += 1
    st.session_state[EDITED_KEY] = True


def reset_tower() -> None:
    """Back to the starting tower for the profile."""
    st.session_state[TOWER_KEY] = common.default_tower(common.current_profile())
    st.session_state[VERSION_KEY] += 1
    st.session_state.pop(EDITED_KEY, None)


st.title("Insurer quote")
with st.expander("How to read this page"):
    st.markdown(
        "An insurer's view of theft cover for the exchange set on the **Exchange profile** "
        "page. Each **layer** pays, for each theft, the part of the loss above its "
        "**retention** up to its **limit** (USD million, per theft); the insurer takes its "
        "**share** of that. **Reinstatements** is how many times the limit can be used again "
        "in the year after a claim (each at 100% of the upfront premium, pro rata; empty = "
        "unlimited). Layers may not overlap. For each layer: **expected loss** E[L] is the "
        "insurer's expected yearly payment; the **technical premium** adds a risk loading by "
        "the chosen principle, then expenses: premium = max(minimum, (risk premium + fixed "
        "expense) / (1 − expense ratio)); the **rate on line** (ROL) is the upfront premium ÷ "
        "the placed limit (share × limit); the **loss ratio** is E[L] ÷ premium. Enter a "
        "**market rate on line** to price a layer at a quoted rate instead and see its loss "
        "ratio. P(attach) and P(exhaust) are the chances that at least one theft in the year "
        "reaches the retention, or uses up the limit."
    )

profile = common.current_profile()
spec = common.current_spec()
model_assumptions = common.current_assumptions()
upload = common.active_upload()
try:
    model = common.loss_model(profile, spec, model_assumptions, upload)
except (ValueError, DataValidationError) as err:
    st.error(f"The loss model could not be built for this profile: {err}")
    st.stop()
st.info(
    f"**Exchange:** {profile.name}: customer assets USD {profile.customer_assets_usd / 1e6:,.0f}"
    f" m, {100 * profile.hot_share:g}% hot, {profile.security_level} controls, "
    f"{'a' if profile.third_party_provider else 'no'} third-party wallet provider (change it "
    f"on the Exchange profile page). **Loss model:** {model.rate:.4f} thefts per year, mean "
    f"loss per theft USD {model.severity.mean() / 1e6:,.2f} m."
)
st.caption(
    f"{common.data_source_note(upload)} Calibration: {common.describe_spec(spec)} "
    "(change it on the Loss model page)."
)

# The rows are sized to the exchange; a profile of another size starts a new tower.
st.session_state.setdefault(VERSION_KEY, 0)
if (
    TOWER_KEY not in st.session_state
    or st.session_state.get(ASSETS_KEY) != profile.customer_assets_usd
):
    st.session_state[TOWER_KEY] = common.default_tower(profile)
    st.session_state[ASSETS_KEY] = profile.customer_assets_usd
    st.session_state[VERSION_KEY] += 1

st.subheader("Tower")
rows = st.data_editor(
    st.session_state[TOWER_KEY],
    key=f"tower_editor_{st.session_state[VERSION_KEY]}",
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    on_change=store_edits,
    column_order=common.TOWER_COLUMNS,
    column_config={
        "retention": st.column_config.NumberColumn(
            "retention (USD m)",
            help="Per-theft retention (attachment point): the layer pays above this.",
            format="%,.2f",
        ),
        "limit": st.column_config.NumberColumn(
            "limit (USD m)", help="Per-theft limit of the layer.", format="%,.2f"
        ),
        "share": st.column_config.NumberColumn(
            "share (%)",
            help="Insurer's share of the layer (100 = all of it); empty = 100.",
            format="%.1f",
            default=100.0,
        ),
        "reinstatements": st.column_config.NumberColumn(
            "reinstatements",
            help="Times the limit is reinstated in a year; empty = unlimited.",
            format="%d",
            step=1,
        ),
        "market_rol": st.column_config.NumberColumn(
            "market rate on line (%)",
            help="Optional: price the layer at this quoted rate on line instead of the "
            "technical premium.",
            format="%.2f",
        ),
    },
)
st.button("Reset the tower", on_click=reset_tower, key="tower_reset", icon=":material/undo:")

with st.expander("Loadings and expenses", expanded=False):
    a, b, c, d = st.columns(4)
    principle = a.selectbox(
        "Premium principle",
        PRINCIPLES,
        format_func=export.PRINCIPLE_LABELS.get,
        **state.bind("q_principle"),
        help="How the risk loading is set: expected value (1 + θ) E[L]; standard deviation "
        "E[L] + κ σ; Wang transform of the loss distribution; cost of capital E[L] + CoC × "
        "(VaR − E[L]). The table by principle below shows all four.",
    )
    a.number_input(
        "Expected-value loading θ (%)",
        step=5.0,
        **state.bind("q_theta"),
        help="Loading on E[L] for the expected-value principle.",
    )
    b.number_input(
        "Standard-deviation multiple κ",
        step=0.05,
        **state.bind("q_kappa"),
        help="Multiple of the loss's standard deviation added to E[L].",
    )
    b.number_input(
        "Wang shift λ",
        step=0.05,
        **state.bind("q_wang"),
        help="Shift of the Wang (1996) transform; 0 gives E[L].",
    )
    c.number_input(
        "Cost of capital (% per year)",
        step=0.5,
        **state.bind("q_coc"),
        help="Rate on the capital held, VaR 99.5% − E[L]; Solvency II uses 6%.",
    )
    c.number_input(
        "Expense ratio (% of premium)",
        step=1.0,
        **state.bind("q_expense"),
        help="Commission and variable expenses as a share of the premium.",
    )
    d.number_input(
        "Fixed expense (USD per layer-year)",
        step=5_000.0,
        **state.bind("q_fixed"),
        help="Underwriting and policy costs per layer and year.",
    )
    d.number_input(
        "Minimum premium (USD per layer-year)",
        step=5_000.0,
        **state.bind("q_minimum"),
        help="No layer is quoted below this.",
    )

problems = []
try:
    loadings = state.loadings()
except ValueError as err:
    problems.append(f"Loadings: {err}")
try:
    tower, rates = common.tower_from_rows(rows)
except ValueError as err:
    problems += str(err).splitlines()
if problems:
    st.error(
        "The tower cannot be priced until these are fixed:\n\n"
        + "\n".join(f"- {p}" for p in problems)
    )
    st.stop()

try:
    quote = common.tower_quote(
        profile, spec, tower, loadings, principle, rates, upload, model_assumptions
    )
except ValueError as err:
    st.error(f"The tower could not be priced: {err}")
    st.stop()
meaningless = []
for q in quote.quotes:  # a premium above the limit (rate on line > 100%) means nothing
    try:
        check_rate_on_line(
            q.rate_on_line,
            premium=q.upfront_premium,
            limit=q.placed_limit,
            minimum_premium=loadings.minimum_premium_usd,
            fields=(f"layer {q.layer.label}", "minimum premium"),
        )
    except InputError as err:
        meaningless += [f"**{p.field}**: {p.message}" for p in err.problems]
if meaningless:
    st.error(
        "The tower cannot be quoted as it stands:\n\n" + "\n".join(f"- {m}" for m in meaningless)
    )
    st.stop()

total_premium, total_loss = quote.total_premium, quote.total_expected_loss
m1, m2, m3, m4 = st.columns(4)
m1.metric(
    "Expected loss of the tower (USD per year)",
    usd(total_loss),
    help="Sum of the layers' expected yearly payments (insurer's shares).",
)
m2.metric(
    "Premium of the tower (USD per year)",
    usd(total_premium),
    help="Sum of the layers' premiums (technical, or market where a rate on line is given).",
)
m3.metric(
    "Tower loss ratio",
    pct(total_loss / total_premium if total_premium > 0 else math.nan, 1),
    help="Expected loss ÷ premium for the whole tower.",
)
m4.metric("Layers", f"{len(quote.quotes)}")

st.dataframe(
    quote.table().assign(
        principle=lambda t: t["principle"].map(lambda p: export.PRINCIPLE_LABELS.get(p, p))
    ),
    hide_index=True,
    width="stretch",
    key="tower_table",
    column_config={
        "retention": st.column_config.NumberColumn("retention (USD)", format="%,.0f"),
        "limit": st.column_config.NumberColumn("limit (USD)", format="%,.0f"),
        "share": st.column_config.NumberColumn("share", format="percent"),
        "expected_loss": st.column_config.NumberColumn("expected loss (USD)", format="%,.0f"),
        "premium": st.column_config.NumberColumn("premium (USD)", format="%,.0f"),
        "upfront_premium": st.column_config.NumberColumn("upfront (USD)", format="%,.0f"),
        "rate_on_line": st.column_config.NumberColumn("rate on line", format="percent"),
        "loss_ratio": st.column_config.NumberColumn("loss ratio", format="percent"),
        "p_attach": st.column_config.NumberColumn("P(attach)", format="%.4f"),
        "p_exhaust": st.column_config.NumberColumn("P(exhaust)", format="%.4f"),
        "principle": st.column_config.TextColumn("premium basis"),
    },
)

st.subheader("One layer in detail")
labels = [q.layer.label for q in quote.quotes]
chosen = st.selectbox("Layer", labels, key="q_layer")
q = quote.quotes[labels.index(chosen) if chosen in labels else 0]
lay = q.layer
st.caption(
    f"{lay.label}: USD {lay.limit / 1e6:,.4g} m per theft above USD {lay.retention / 1e6:,.4g} m,"
    f" {100 * lay.share:g}% placed, "
    + (
        "unlimited reinstatements"
        if lay.reinstatements is None
        else f"{lay.reinstatements} reinstatement(s) (annual limit USD "
        f"{lay.annual_limit / 1e6:,.4g} m)"
    )
    + "."
)
d1, d2, d3, d4 = st.columns(4)
d1.metric("Expected loss (USD per year)", usd(q.expected_loss), help="E[L], the insurer's share.")
d2.metric("Standard deviation (USD)", usd(q.loss.std), help="σ[L] of the yearly payment.")
d3.metric("P(attach)", f"{q.loss.p_attach:.4f}", help="At least one theft reaches the retention.")
d4.metric(
    "P(exhaust)",
    f"{q.loss.p_exhaust_occurrence:.4f}",
    help="At least one theft uses up the per-theft limit.",
)
e1, e2, e3, e4 = st.columns(4)
basis = (
    f"market rate on line {100 * q.market_rate_on_line:g}%"
    if q.market_rate_on_line
    else f"{export.PRINCIPLE_LABELS[q.principle]} principle"
)
e1.metric("Premium (USD per year)", usd(q.premium), help=f"Basis: {basis}.")
e2.metric(
    "Upfront premium (USD)",
    usd(q.upfront_premium),
    help=f"Premium less the expected reinstatement premiums, USD "
    f"{q.expected_reinstatement_premium:,.0f}.",
)
e3.metric("Rate on line", pct(q.rate_on_line), help="Upfront premium ÷ (share × limit).")
e4.metric("Loss ratio", pct(q.loss_ratio, 1), help="Expected loss ÷ premium.")
st.markdown("**Technical premium by principle** (USD per year)")
st.dataframe(
    q.table().assign(principle=lambda t: t["principle"].map(export.PRINCIPLE_LABELS)),
    hide_index=True,
    width="stretch",
    key="principles_table",
    column_config={
        "risk_premium": st.column_config.NumberColumn("risk premium", format="%,.0f"),
        "gross_premium": st.column_config.NumberColumn("technical premium", format="%,.0f"),
        "rate_on_line": st.column_config.NumberColumn("rate on line", format="percent"),
        "loss_ratio": st.column_config.NumberColumn("loss ratio", format="percent"),
        "minimum_applied": st.column_config.CheckboxColumn("minimum premium applied"),
    },
)

st.subheader("Quote sheet")
t1, t2 = st.columns([3, 1])
client = t1.text_input(
    "Insured",
    **state.bind("q_client"),
    placeholder=profile.name,
    help="The insured's legal name as it should appear on the quote sheet (default: the "
    "profile's name).",
)
validity = t2.number_input(
    "Valid for (days)", min_value=1, max_value=365, step=1, **state.bind("q_validity")
)
t3, t4 = st.columns(2)
subjectivities = t3.text_area(
    "Subjectivities (one per line)",
    **state.bind("q_subjectivities"),
    height=150,
    help="Conditions the quote is subject to; printed on the quote sheet.",
)
exclusions = t4.text_area(
    "Main exclusions (one per line)",
    **state.bind("q_exclusions"),
    height=150,
    help="The main exclusions of the cover; printed on the quote sheet.",
)
terms = export.QuoteTerms.from_text(
    subjectivities, exclusions, validity_days=int(validity), insured=client
)
issued_note = common.data_source_note(upload)
calibration_note = common.describe_spec(spec)
slug = profile.name.strip().lower().replace(" ", "_")
x1, x2, x3 = st.columns(3)
x1.download_button(
    "Download CSV",
    export.quote_sheet_csv(quote, profile, terms=terms),
    file_name=f"quote_{slug}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="quote_csv",
)
x2.download_button(
    "Download Excel (XLSX)",
    export.quote_sheet_xlsx(
        quote, profile, model, calibration=calibration_note, source=issued_note, terms=terms
    ),
    file_name=f"quote_{slug}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
    icon=":material/download:",
    key="quote_xlsx",
)
x3.download_button(
    "Download PDF quote sheet",
    lambda: export.quote_sheet_pdf(
        quote, profile, model, calibration=calibration_note, source=issued_note, terms=terms
    ),
    file_name=f"quote_{slug}.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/download:",
    key="quote_pdf",
)
st.caption(
    f"Reference {terms.quote_reference(quote, profile)}, valid until "
    f"{terms.valid_until().isoformat()}. CSV: one row per layer with its terms, expected loss, "
    "premiums by every principle, rate on line and loss ratio. Excel adds the premium by "
    "principle, the subjectivities and exclusions, every assumption and the inputs, with "
    "currency and percentage formats. PDF: the sheet to send, with the tower diagram."
)
