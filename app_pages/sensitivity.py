"""Sensitivity: which assumptions move the cost of risk, and the price range from the data."""

from dataclasses import replace

import streamlit as st

from app_pages import common, locale, precompute, state
from app_pages.chart import plotly_chart
from app_pages.locale import t
from app_pages.page_text import amount_input, note, per_year, plain, whole
from pricing import plots
from pricing.coverage import Layer
from pricing.exceptions import DataValidationError
from pricing.regulation import REGIMES

REGIME_KEY = "regime"  # shared with Compare and Small vs large

st.title(t("Sensitivity"))
with st.expander(t("How to read this")):
    st.markdown(
        t(
            "- **Tornado:** the comparison is re-run with one assumption at a time set to a low "
            "and a high value; each bar spans the total cost of risk of the cheapest structure "
            "that meets the protection target (USD per year). The dashed line is the base case; "
            "the labels give the values tried. Ranges are the fitted models' 90% confidence bounds "
            "where the data give one, and a stated plausible range otherwise.\n- **Price range:** "
            "the severity parameters are drawn from their estimated sampling law (maximum "
            "likelihood estimate and covariance) and the theft rate from its 90% interval; the "
            "layer is priced for each draw. The spread is what the limited data alone leave open, "
            "before any disagreement about the assumptions.\n- The comparison settings (target, "
            "disputes, delay, capacity, market rate) are those last chosen on the Compare page."
        )
    )

profile = common.current_profile()
spec = common.current_spec()
model_assumptions = common.current_assumptions()
upload = common.active_upload()
try:
    assumptions = state.strategy_assumptions()
except ValueError as err:
    st.error(t("The Compare page's assumptions are not valid: {error}").format(error=err))
    st.stop()
codes = list(REGIMES)
regime = st.selectbox(
    t("Regime"),
    codes,
    **state.bind(REGIME_KEY, state.regime_default(profile)),
    help=t("Regulatory minimum used in every re-run (jp-2027 is a scenario, not law)."),
)
st.caption(
    t(
        "Exchange: {name}. Target {target}% of years fully compensated; dispute probability "
        "{dispute}%; payment delay {delay} months. "
    ).format(
        name=profile.name,
        target=f"{100 * assumptions.target:g}",
        dispute=f"{100 * assumptions.frictions.dispute_probability:g}",
        delay=f"{assumptions.frictions.payment_delay_months:g}",
    )
    + note(common.data_source_note(upload))
)

# Run by run, each run's cost kept: the other regimes' tornadoes are computed ahead (below).
try:
    inputs = common.compare_inputs(profile, spec, assumptions, upload, model_assumptions)
    if inputs.tornado_ready(regime):
        result = inputs.tornado(regime)
    else:
        with st.spinner(t("Re-running the comparison for each assumption (a few seconds)…")):
            result = inputs.tornado(regime)
except (ValueError, DataValidationError) as err:  # as on Compare: a message, not a traceback
    st.error(t("The comparison could not be computed: {error}").format(error=common.md(str(err))))
    st.stop()
strategy_name = (
    result.base_strategy.replace("_", " ")
    if locale.lang() == "en"
    else t(plots.STRATEGY_LABELS.get(result.base_strategy, result.base_strategy))
)
st.metric(
    per_year("Base total cost of risk"),
    whole(result.base_cost),
    help=t("Cheapest strategy meeting the target: {strategy}.").format(strategy=strategy_name),
)
ccy = locale.unit()
if plain():
    tornado_figure = plots.tornado_chart(result)
else:  # the chart in the display currency and language: its data converted, its words set
    rows = result.rows.assign(
        factor=result.rows["factor"].map(t),
        low_label=result.rows["low_label"].map(t),
        high_label=result.rows["high_label"].map(t),
        **{c: result.rows[c].map(locale.from_usd) for c in ("low_cost", "high_cost", "swing")},
    )
    tornado_figure = plots.tornado_chart(
        replace(result, base_cost=locale.from_usd(result.base_cost), rows=rows)
    )
    tornado_figure.update_layout(
        title_text=t("What moves the cost (base: {cost} per year)").format(
            cost=locale.money(result.base_cost)
        )
    )
    tornado_figure.update_xaxes(
        title_text=per_year("total cost of risk"), tickformat=",.0f", exponentformat="none"
    )
    for trace, side in zip(tornado_figure.data, ("low value", "high value"), strict=True):
        trace.name = t(side)
        trace.hovertemplate = (
            "%{y}<br>" + t(side) + " %{text}: %{x:,.0f} " + ccy + "<extra></extra>"
        )
plotly_chart(tornado_figure, key="sens_tornado", filename="tornado")
money_columns = {
    "low_cost": "cost at low ({currency})",
    "high_cost": "cost at high ({currency})",
    "swing": "swing ({currency})",
}
table = result.table()
if not plain():
    table = table.assign(
        factor=table["factor"].map(t),
        low_label=table["low_label"].map(t),
        high_label=table["high_label"].map(t),
        **{c: table[c].map(locale.from_usd) for c in money_columns},
    )
table = table.rename(
    columns={
        "factor": t("assumption"),
        "low_label": t("low value"),
        "high_label": t("high value"),
        **{c: t(h).format(currency=ccy) for c, h in money_columns.items()},
    }
)
st.dataframe(  # costs to the unit with thousands separators (numbers: the table sorts)
    table,
    hide_index=True,
    width="stretch",
    key="sens_table",
    column_config={
        t(h).format(currency=ccy): st.column_config.NumberColumn(format="%,.0f")
        for h in money_columns.values()
    },
)


@st.fragment
def price_range() -> None:
    """The price range of one layer: its retention, limit and number of draws rerun only this
    part of the page (a Streamlit fragment), not the tornado above."""
    precompute.store().worker.busy(1.0)  # no work ahead meanwhile
    st.subheader(t("Price range of a layer from parameter uncertainty"))
    a, b, c = st.columns(3)
    retention = amount_input(
        a,
        "Retention",
        "sens_retention",
        round(profile.hot_assets_usd / 1e6 / 10, 2),
        min_value=0.0,
        step=0.5,
        help=t("Per-occurrence retention of the layer priced."),
        usd_label="Retention (USD m)",
    )
    limit = amount_input(
        b,
        "Limit",
        "sens_limit",
        max(0.01, round(profile.hot_assets_usd / 1e6, 2)),  # tiny hot wallets: the minimum
        min_value=0.01,
        step=1.0,
        help=t("Per-occurrence limit of the layer priced."),
        usd_label="Limit (USD m)",
    )
    draws = c.number_input(
        t("Parameter draws"),
        min_value=20,
        max_value=1000,
        step=20,
        **state.bind("sens_draws"),
        help=t("More draws give a smoother histogram and take longer (about 15 ms each)."),
    )
    try:
        layer = Layer(retention, limit)
    except ValueError as err:
        st.error(note(str(err)))
        return
    spread = common.layer_premium_range(profile, spec, layer, int(draws), upload, model_assumptions)
    low, high = spread.interval
    m1, m2, m3 = st.columns(3)
    m1.metric(per_year("Point estimate"), whole(spread.base))
    m2.metric(per_year("Median of draws"), whole(spread.median))
    m3.metric(
        per_year("{level}% interval").format(level=f"{100 * spread.level:.0f}"),
        f"{whole(low)} – {whole(high)}",
    )
    if plain():
        range_figure = plots.premium_range_chart(spread)
    else:
        range_figure = plots.premium_range_chart(
            replace(
                spread, base=locale.from_usd(spread.base), draws=spread.draws * locale.from_usd(1.0)
            )
        )
        range_figure.update_layout(
            title_text=t("Premium under parameter uncertainty ({level}% interval dotted)").format(
                level=f"{100 * spread.level:.0f}"
            )
        )
        range_figure.update_xaxes(title_text=per_year("technical premium"), exponentformat="none")
        range_figure.update_yaxes(title_text=t("parameter draws"))
        range_figure.data[0].name = t("draws")
        for annotation in range_figure.layout.annotations:
            annotation.text = t(annotation.text)
    plotly_chart(range_figure, key="sens_premium_range", filename="premium_range")
    layer_label = (
        layer.label
        if plain()
        else t("{limit} xs {retention}").format(
            limit=locale.money(layer.limit), retention=locale.money(layer.retention)
        )
    )
    st.caption(
        t(
            "Layer {layer}, cost-of-capital premium with the default loadings; {draws} draws, "
            "seed 1 (reproducible)."
        ).format(layer=layer_label, draws=len(spread.draws))
    )


price_range()


inputs.tornado_ahead([code for code in codes if code != regime])  # while the user reads
