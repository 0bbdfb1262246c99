"""Compare: reserve only, insurance only or the optimal hybrid, under a chosen regime."""

import streamlit as st

from app_pages import common, scenario_store, state
from app_pages.common import md, usd_m
from pricing import plots
from pricing.exceptions import DataValidationError
from pricing.regulation import JP_DRAFT_STYLES, REGIMES, RegimeInputs, minimum
from pricing.strategy import COST_COMPONENTS

#: Widget key of the regime (shared with Small vs large and Sensitivity).
REGIME_KEY = "regime"


def reset_inspector() -> None:
    """Put the structure inspector back on the optimum."""
    state.forget("cmp_retention", "cmp_limit")


def regime_parameters(container: st.delta_generator.DeltaGenerator) -> None:
    """The Japanese draft scenario's editable parameters (not law: every value is assumed)."""
    with container.expander("Parameters of the Japan draft scenario (assumed, editable)"):
        g, h, i = st.columns(3)
        g.selectbox(
            "Style",
            JP_DRAFT_STYLES,
            **state.bind("jp_style"),
            help="exposure: max(floor, α × cold + β × uncovered hot); history: max(floor, m × "
            "worst loss); securities: rates × trading volume (needs rates per category).",
        )
        g.number_input(
            "Floor (JPY bn)",
            min_value=0.0,
            step=0.5,
            **state.bind("jp_floor_bn"),
            help="Default ¥2bn, the bottom of the reported range.",
        )
        h.number_input(
            "α: reserve per cold yen (%)",
            min_value=0.0,
            step=0.5,
            **state.bind("jp_alpha"),
            help="Default 1%, borrowed from Thailand's charge on cold wallets.",
        )
        h.number_input(
            "β: reserve per uncovered hot yen (%)",
            min_value=0.0,
            step=5.0,
            **state.bind("jp_beta"),
            help="Default 100%, borrowed from Hong Kong's full cover of hot storage.",
        )
        i.number_input(
            "Cap (JPY bn)",
            min_value=0.0,
            step=5.0,
            **state.bind("jp_cap_bn"),
            help="Cap of the securities style; default ¥40bn, the top of the reported range.",
        )
        i.number_input(
            "Most of the reserve insurance may replace (%)",
            min_value=0.0,
            max_value=100.0,
            step=5.0,
            **state.bind("jp_share_max"),
            help="Default 50%: reports say only 'part'.",
        )


st.title("Compare")
presenting = state.presenting()
answer = st.container()  # the recommendation (above the inputs in presentation mode)
if not presenting:
    with st.expander("How to read this page"):
        st.markdown(
            "Three ways to fund compensation after a theft, for the exchange set on the **Exchange "
            "profile** page: **reserve only** (a fund the exchange holds), **insurance only** "
            "(cover from the first dollar with only the reserve the regulator requires) and the "
            "**hybrid** (a reserve for the first part of each theft and insurance of a layer above "
            "it: *limit* per theft above a *retention*), at the cheapest retention and limit of "
            "the optimiser's grid. The reserve is sized so that all customers are compensated in "
            "full in the **protection target** share of years, and never below the **regulatory "
            "minimum**.\n\n"
            "**Cost of risk** (per year) adds the insurance premium, the losses the reserve pays, "
            "the cost of carrying the reserve (cost of capital less its after-tax yield), the "
            "losses left to customers, the cost of bridging the insurer's payment delay, and a "
            "capital charge for any 1-in-200 loss beyond the reserve. **Insurance is not cash in "
            "hand**: a claim may be disputed and never paid, and the insurer pays months later. "
            "**P(all compensated)** is the chance that every customer is eventually paid in full "
            "in a year; **promptly** means from the reserve alone, at once. **Expected "
            "shortfall** is the average yearly loss left to customers; **1-in-200 uncompensated** "
            "what they would lose in a 1-in-200 year.\n\n"
            "The **heatmap** shows the total cost of every retention and limit of the grid (the "
            "star is the optimum); type a retention and limit below it to inspect another "
            "structure. The **frontier** is the cheapest structure for each protection level. "
            "Every chart has a camera button (top right) that saves it as a PNG."
        )

profile = common.current_profile()
spec = common.current_spec()
model_assumptions = common.current_assumptions()
upload = common.active_upload()
inputs = RegimeInputs.from_profile(profile)
labels = {}
for code in REGIMES:
    name = minimum(code, inputs).name
    labels[code] = f"{name}: a scenario, not law" if code == "jp-2027" else name

codes = list(REGIMES)
top = (
    st.expander("Inputs", expanded=False, icon=":material/tune:")
    if presenting
    else st.container(border=True)
)
a, b = top.columns([3, 1])
regime = a.selectbox(
    "Regime",
    codes,
    **state.bind(REGIME_KEY, state.regime_default(profile)),
    format_func=lambda c: f"{c}: {labels[c]}",
    help="The regulatory minimum the reserve may not fall below; it starts from the "
    "exchange's jurisdiction (Exchange profile page). Japan's planned liability reserve "
    "(jp-2027) has not been published: it is an assumed scenario, not law.",
)
target = b.number_input(
    "Protection target (%)",
    min_value=50.1,
    max_value=99.99,
    step=0.1,
    format="%.2f",
    **state.bind("cmp_target"),
    help="Share of years in which all customers must be compensated in full (99.5%: all but "
    "1 year in 200).",
)
c, d, e, f = top.columns(4)
c.number_input(
    "Dispute probability (%)",
    min_value=0.0,
    max_value=100.0,
    step=1.0,
    **state.bind("cmp_dispute"),
    help="Chance a claim is disputed or excluded and never paid (insider collusion and "
    "social engineering exclusions are common).",
)
d.number_input(
    "Payment delay (months)",
    min_value=0.0,
    max_value=120.0,
    step=1.0,
    **state.bind("cmp_delay"),
    help="Months from the theft to the insurer's payment; the exchange bridges them.",
)
e.number_input(
    "Insurance capacity (USD m)",
    min_value=0.0,
    step=50.0,
    **state.bind("cmp_capacity"),
    help="Most insurance the market will write for one exchange (USD 600m: the largest "
    "single-insured limit reported for crypto crime cover).",
)
f.number_input(
    "Market rate on line (%)",
    min_value=0.0,
    max_value=100.0,
    step=0.5,
    **state.bind("cmp_rol"),
    placeholder="empty: market curve",
    help="If set, every layer costs this rate × its limit instead of the market curve's price "
    "(floors, minimum retention, capacity; never below the technical premium).",
)
if regime == "jp-2027":
    regime_parameters(top)

try:
    assumptions = state.strategy_assumptions()
except ValueError as err:
    st.error(f"These assumptions are not valid: {err}")
    st.stop()
st.session_state[common.COMPARE_KEY] = assumptions

try:
    result = common.comparison(profile, spec, regime, assumptions, upload, model_assumptions)
    agg = common.aggregate_loss(profile, spec, model_assumptions, upload)
except (ValueError, DataValidationError) as err:
    st.error(f"The comparison could not be computed: {err}")
    st.stop()

if not presenting:
    st.info(
        f"**Exchange:** {md(profile.name)}: customer assets "
        f"{usd_m(profile.customer_assets_usd, 0)}, "
        f"revenue {usd_m(profile.annual_revenue_usd, 1)} a year (change it on the Exchange profile "
        f"page). **Loss model:** {result.model.rate:.4f} thefts per year. "
        f"{md(common.data_source_note(upload))}"
    )

# --- Recommendation ---------------------------------------------------------------------
rec = answer if presenting else st.container()
rec.header("Recommendation")
rec.success(result.recommendation())
best = result.get(result.recommended)
m1, m2, m3, m4 = rec.columns(4)
m1.metric("Cost of risk, recommended", usd_m(best.total_cost, 3))
m2.metric("% of customer assets", f"{best.cost_pct_assets:.3f}%")
m3.metric("% of revenue", f"{best.cost_pct_revenue:.1f}%")
m4.metric("P(all compensated)", f"{100 * best.p_full:.2f}%")
rec.download_button(
    "Download the client report (PDF)",
    lambda: scenario_store.scenario_pdf(state.scenario(profile.name).to_json()),
    file_name="vaultcover_report.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
    key="cmp_report",
    help="Recommendation and why, cost and protection, the regulatory minimum with its "
    "formula and sources, charts, sensitivity and every assumption (takes a minute).",
)

# --- Cost and protection by strategy ----------------------------------------------------
st.header("Cost and protection by strategy")
left, right = st.columns([3, 2])
(answer if presenting else left).plotly_chart(
    plots.cost_components_chart(result),
    width="stretch",
    key="cmp_components",
    config=common.chart_config("vaultcover_cost_components"),
    theme=None,
)
table = result.table()
strategy_names = table["strategy"].map(lambda s: plots.STRATEGY_LABELS.get(s, s))
costs = table[["retention", "limit", "reserve", *COST_COMPONENTS, "total_cost"]] / 1e6
costs = costs.rename(
    columns={c: plots.COMPONENT_LABELS[c] for c in COST_COMPONENTS} | {"total_cost": "total"}
)
costs.insert(0, "strategy", strategy_names)
costs["% of assets"] = table["cost_pct_assets"]
costs["% of revenue"] = table["cost_pct_revenue"]
right.caption("Structure and yearly cost, USD million")
right.dataframe(
    # A reserve-only structure has no retention: shown as a dash, not "None".
    costs.set_index("strategy").T.style.format("{:,.3f}", na_rep="—"),
    width="stretch",
    key="cmp_costs",
)
st.subheader("Protection")
protection = table[["strategy"]].assign(strategy=strategy_names)
protection["P(all compensated) %"] = 100 * table["p_full"]
protection["P(compensated promptly) %"] = 100 * table["p_full_prompt"]
protection["expected shortfall, USD m/yr"] = table["expected_shortfall"] / 1e6
protection["1-in-200 uncompensated, USD m"] = table["var_0.995_uncompensated"] / 1e6
protection[f"meets {100 * assumptions.target:g}% target"] = table["meets_target"]
st.dataframe(
    protection,
    hide_index=True,
    width="stretch",
    key="cmp_protection",
    column_config={
        "P(all compensated) %": st.column_config.NumberColumn(format="%.3f"),
        "P(compensated promptly) %": st.column_config.NumberColumn(format="%.3f"),
        "expected shortfall, USD m/yr": st.column_config.NumberColumn(format="%.3f"),
        "1-in-200 uncompensated, USD m": st.column_config.NumberColumn(format="%.2f"),
    },
)
csv = table.copy()
csv.insert(0, "regime", regime)
csv.insert(0, "profile", profile.name)
csv["recommended"] = csv["strategy"] == result.recommended
st.download_button(
    "Download the strategy table (CSV)",
    csv.to_csv(index=False),
    file_name=f"vaultcover_compare_{regime}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="cmp_csv",
)

# --- Inspect a structure ----------------------------------------------------------------
st.header("Inspect a structure")
chosen = result.get(result.recommended)  # the inspector starts at the recommendation
optimum = (round(chosen.retention / 1e6, 3), round(chosen.limit / 1e6, 3))
g, h, k = st.columns([2, 2, 1], vertical_alignment="bottom")
retention_m = g.number_input(
    "Retention per theft (USD m)",
    min_value=0.0,
    step=1.0,
    format="%.3f",
    **state.bind("cmp_retention", optimum[0]),
    help="The part of each theft the reserve pays before the insurance layer starts.",
)
limit_m = h.number_input(
    "Limit per theft (USD m)",
    min_value=0.0,
    step=1.0,
    format="%.3f",
    **state.bind("cmp_limit", optimum[1]),
    help="Most the insurance pays for one theft; 0 means no insurance.",
)
k.button("Back to the optimum", on_click=reset_inspector, key="cmp_reset")

# Nearest point of the optimiser's grid (the library evaluates the grid, not every structure).
point = result.grid_point(retention_m * 1e6, limit_m * 1e6)
n1, n2, n3 = st.columns(3)
n1.metric(
    "Total cost at the nearest grid point",
    usd_m(point.total_cost, 3),
    delta=(
        f"{(point.total_cost - chosen.total_cost) / 1e6:+,.3f} m vs the optimum"
        if abs(point.total_cost - chosen.total_cost) >= 500
        else None
    ),
    delta_color="inverse",
)
n2.metric(
    "% of customer assets / of revenue",
    f"{point.cost_pct_assets:.3f}% / {point.cost_pct_revenue:.1f}%",
)
n3.metric("P(all compensated)", f"{100 * point.p_full:.3f}%")
structure = (
    "no insurance (reserve only)"
    if point.limit == 0
    else f"{usd_m(point.limit)} per theft above a retention of {usd_m(point.retention)}"
)
st.caption(
    f"Nearest point of the optimiser's {result.retentions.size} × {result.limits.size} grid: "
    f"{structure}, with the reserve sized to the {100 * assumptions.target:g}% target (and "
    "never below the regulatory minimum). The cost is that grid point's, not the exact "
    "structure typed."
)
left, right = st.columns(2)
left.plotly_chart(
    plots.cost_heatmap(result, selected=(retention_m * 1e6, limit_m * 1e6)),
    width="stretch",
    key="cmp_heatmap",
    config=common.chart_config("vaultcover_cost_heatmap"),
    theme=None,
)
right.plotly_chart(
    plots.exceedance_with_layer_chart(agg, retention_m * 1e6, limit_m * 1e6),
    width="stretch",
    key="cmp_exceedance",
    config=common.chart_config("vaultcover_exceedance_layer"),
    theme=None,
)

# --- Frontier ---------------------------------------------------------------------------
st.header("Cost against protection")
st.plotly_chart(
    plots.frontier_chart(result),
    width="stretch",
    key="cmp_frontier",
    config=common.chart_config("vaultcover_frontier"),
    theme=None,
)
st.caption(
    "Each grey point is the cheapest retention, limit and reserve that reaches that level of "
    "protection; points to the right protect more and cost more."
)

# --- The reserve over the years -----------------------------------------------------------
st.header("The recommended reserve over the next years")
years = st.slider(
    "Years ahead",
    1,
    10,
    **state.bind("cmp_years"),
    help="Each year the reserve pays what it can; it is refilled to its size afterwards.",
)
recommended = result.get(result.recommended)
projection = common.reserve_projection(
    profile, spec, regime, assumptions, years, upload, model_assumptions
)
y1, y2 = st.columns(2)
y1.metric(
    f"P(the reserve runs dry within {years} years)",
    f"{100 * projection.p_exhausted[-1]:.2f}%",
    help="Share of 20,000 simulated paths in which some year's retained losses exceeded the "
    "reserve (seed 1).",
)
y2.metric(
    f"Expected shortfall to customers over {years} years",
    usd_m(float(projection.expected_shortfall.sum())),
)
st.dataframe(
    projection.table().rename(
        columns={
            "p_exhausted_by_year": "P(ran dry by this year)",
            "expected_shortfall": "expected shortfall (USD)",
            "mean_balance": "mean reserve at year end (USD)",
            "expected_contribution": "expected refill (USD)",
        }
    ),
    hide_index=True,
    width="stretch",
    key="cmp_projection",
)
st.caption(
    f"Strategy: {recommended.name.replace('_', ' ')}; reserve {usd_m(recommended.reserve)}; "
    "losses net of insurance payments, with disputed claims left to the reserve."
)

# --- Regulatory minimum -----------------------------------------------------------------
rule = result.rule
st.header("Regulatory minimum")
r1, r2, r3 = st.columns(3)
r1.metric("Minimum", usd_m(rule.amount_usd))
r2.metric("% of customer assets", f"{result.minimum_pct_assets:.2f}%")
r3.metric("Insurance counts towards it", rule.insurance_counts)
if regime == "jp-2027":
    band = rule.reference_band_usd
    st.warning(
        "Japan's planned liability reserve is **not law**: its formula has not been "
        "published, so this minimum is an assumed scenario (its assumptions are listed "
        "below)."
        + (
            f" The reported range, {rule.currency} {rule.reference_band[0]:,.0f} – "
            f"{rule.reference_band[1]:,.0f} ({usd_m(band[0], 0)} – {usd_m(band[1], 0)}), is "
            "context only."
            if band and rule.reference_band
            else ""
        )
    )
st.markdown(f"**Formula:** `{rule.formula}`")
st.code("\n".join(rule.summary()), language=None, wrap_lines=True)
