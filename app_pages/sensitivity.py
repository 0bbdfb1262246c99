"""Sensitivity: which assumptions move the cost of risk, and the price range from the data."""

import streamlit as st

from app_pages import common, state
from pricing import plots
from pricing.coverage import Layer
from pricing.regulation import REGIMES

REGIME_KEY = "regime"  # shared with Compare and Small vs large

st.title("Sensitivity")
with st.expander("How to read this"):
    st.markdown(
        "- **Tornado:** the comparison is re-run with one assumption at a time set to a low and "
        "a high value; each bar spans the total cost of risk of the cheapest structure that "
        "meets the protection target (USD per year). The dashed line is the base case; the "
        "labels give the values tried. Ranges are the fitted models' 90% confidence bounds "
        "where the data give one, and a stated plausible range otherwise.\n"
        "- **Price range:** the severity parameters are drawn from their estimated sampling "
        "law (maximum likelihood estimate and covariance) and the theft rate from its 90% "
        "interval; the layer is priced for each draw. The spread is what the limited data "
        "alone leave open, before any disagreement about the assumptions.\n"
        "- The comparison settings (target, disputes, delay, capacity, market rate) are those "
        "last chosen on the Compare page."
    )

profile = common.current_profile()
spec = common.current_spec()
model_assumptions = common.current_assumptions()
upload = common.active_upload()
try:
    assumptions = state.strategy_assumptions()
except ValueError as err:
    st.error(f"The Compare page's assumptions are not valid: {err}")
    st.stop()
codes = list(REGIMES)
regime = st.selectbox(
    "Regime",
    codes,
    **state.bind(REGIME_KEY, state.regime_default(profile)),
    help="Regulatory minimum used in every re-run (jp-draft is a scenario, not law).",
)
st.caption(
    f"Exchange: {profile.name}. Target {100 * assumptions.target:g}% of years fully "
    f"compensated; dispute probability {100 * assumptions.frictions.dispute_probability:g}%; "
    f"payment delay {assumptions.frictions.payment_delay_months:g} months. "
    + common.data_source_note(upload)
)

result = common.sensitivity_tornado(profile, spec, regime, assumptions, upload, model_assumptions)
st.metric(
    "Base total cost of risk (USD per year)",
    f"{result.base_cost:,.0f}",
    help=f"Cheapest strategy meeting the target: {result.base_strategy.replace('_', ' ')}.",
)
st.plotly_chart(
    plots.tornado_chart(result), width="stretch", config=common.chart_config("tornado"), theme=None
)
table = result.table().rename(
    columns={
        "factor": "assumption",
        "low_label": "low value",
        "high_label": "high value",
        "low_cost": "cost at low (USD)",
        "high_cost": "cost at high (USD)",
        "swing": "swing (USD)",
    }
)
st.dataframe(
    table.style.format({c: "{:,.0f}" for c in table.columns if "USD" in c}),
    hide_index=True,
    width="stretch",
    key="sens_table",
)

st.subheader("Price range of a layer from parameter uncertainty")
a, b, c = st.columns(3)
retention = a.number_input(
    "Retention (USD m)",
    min_value=0.0,
    step=0.5,
    **state.bind("sens_retention", round(profile.hot_assets_usd / 1e6 / 10, 2)),
    help="Per-occurrence retention of the layer priced.",
)
limit = b.number_input(
    "Limit (USD m)",
    min_value=0.01,
    step=1.0,
    # tiny hot wallets: the minimum
    **state.bind("sens_limit", max(0.01, round(profile.hot_assets_usd / 1e6, 2))),
    help="Per-occurrence limit of the layer priced.",
)
draws = c.number_input(
    "Parameter draws",
    min_value=20,
    max_value=1000,
    step=20,
    **state.bind("sens_draws"),
    help="More draws give a smoother histogram and take longer (about 15 ms each).",
)
try:
    layer = Layer(retention * 1e6, limit * 1e6)
except ValueError as err:
    st.error(str(err))
    st.stop()
spread = common.layer_premium_range(profile, spec, layer, int(draws), upload, model_assumptions)
low, high = spread.interval
m1, m2, m3 = st.columns(3)
m1.metric("Point estimate (USD per year)", f"{spread.base:,.0f}")
m2.metric("Median of draws (USD per year)", f"{spread.median:,.0f}")
m3.metric(f"{100 * spread.level:.0f}% interval (USD per year)", f"{low:,.0f} – {high:,.0f}")
st.plotly_chart(
    plots.premium_range_chart(spread),
    width="stretch",
    config=common.chart_config("premium_range"),
    theme=None,
)
st.caption(
    f"Layer {layer.label}, cost-of-capital premium with the default loadings; "
    f"{len(spread.draws)} draws, seed 1 (reproducible)."
)
