"""Loss model: the fitted severity candidates and the frequency GLM, with every choice shown."""

import numpy as np
import streamlit as st

from app_pages import common, state
from pricing import plots
from pricing.calibration import CalibrationSpec
from pricing.data import ATTACK_VECTORS, ON_LEVEL_INDICES
from pricing.exceptions import DataValidationError
from pricing.lossmodel import LossModelAssumptions
from pricing.providers import PROVIDER_COLD_REACH_RANGE, PROVIDER_USER_SHARE_RANGE
from pricing.scaling import SizeAssumptions

ON_LEVEL_HELP = {
    "market_cap_per_exchange": "total crypto market cap ÷ exchanges tracked (a proxy for what "
    "an average exchange holds)",
    "market_cap": "total crypto market capitalisation at year end",
    "btc_price": "bitcoin's year-end price",
    "none": "amounts as reported, no adjustment",
}


st.title("Loss model")
with st.expander("How to read this page"):
    st.markdown(
        "**Severity** is the size of one theft; **frequency** the number of thefts per "
        "exchange per year. Small hacks are under-reported, so only losses above the "
        "**reporting threshold** are used and each fit is *left-truncated* there (it models "
        "a loss given that it was large enough to be reported). Old losses are brought to "
        "the **target year**'s terms by the on-level index. Candidates are ranked by AIC "
        "(lower is better); KS and AD measure the distance between the fitted and observed "
        "distributions (smaller is better). Parameters follow *Loss Models* (Klugman, Panjer "
        "& Willmot) as in R's actuar."
    )

upload = common.active_upload()
data = common.incidents(upload)
exposure = common.exposure()
first, last = data.years

with st.form("calibration"):
    a, b, c = st.columns(3)
    threshold = (
        a.number_input(
            "Reporting threshold (USD million)",
            min_value=0.0,
            step=0.5,
            **state.bind("threshold_m", form=True),
            help="Losses at or below this (in target-year USD) are left out and the fits are "
            "left-truncated here.",
        )
        * 1e6
    )
    on_level = b.selectbox(
        "On-level index",
        ON_LEVEL_INDICES,
        **state.bind("on_level", form=True),
        format_func=lambda k: f"{k.replace('_', ' ')}: {ON_LEVEL_HELP[k]}",
    )
    target_year = c.number_input(
        "Target year",
        min_value=min(first, exposure.years[1]),
        max_value=exposure.years[1],
        step=1,
        **state.bind("target_year", exposure.years[1], form=True),
    )
    d, e, f = st.columns(3)
    if first < last:
        years = d.slider(
            "Incident years used",
            first,
            last,
            **state.bind("model_years", (first, last), form=True),
        )
    else:  # a file covering one year: nothing to choose
        years = (first, last)
        d.caption(f"Incident years used: {first} (the data cover one year).")
    vectors = e.multiselect(
        "Attack vectors used",
        ATTACK_VECTORS,
        **state.bind("model_vectors", list(ATTACK_VECTORS), form=True),
        format_func=lambda v: v.replace("_", " "),
    )
    frequency_model = f.selectbox(
        "Count model",
        ["auto", "poisson", "negbin"],
        **state.bind("frequency_model", form=True),
        help="auto: negative binomial only if the overdispersion test rejects Poisson at 5%.",
    )
    trend = f.checkbox("Year trend in the frequency model", **state.bind("trend", form=True))
    st.form_submit_button(
        "Fit", type="primary", on_click=state.remember_all, args=(state.FIT_KEYS,)
    )

try:
    spec = CalibrationSpec(
        threshold=threshold,
        on_level=on_level,
        target_year=None if int(target_year) == exposure.years[1] else int(target_year),
        years=None if tuple(years) == (first, last) else tuple(years),
        attack_vectors=None if set(vectors) == set(ATTACK_VECTORS) else tuple(vectors) or None,
        frequency_model=frequency_model,
        trend=trend,
    )
    cal = common.calibration(spec, upload)
except (ValueError, DataValidationError) as err:
    st.error(f"The models could not be fitted with these choices: {err}")
    st.stop()
# The Exchange profile and Insurer quote pages build their loss models on these choices.
st.session_state[common.SPEC_KEY] = spec

sel = cal.selection
st.info(
    f"**Data:** {data.origin if upload is None else 'your upload'}: {len(data)} incidents. "
    f"**Used:** {sel.n} losses above USD {sel.threshold:,.0f} (in {sel.target_year} USD, "
    f"on-levelled by {ON_LEVEL_HELP[sel.on_level.index]}). {sel.exclusion_text()}"
)

st.header("Severity: the size of one theft")
table = cal.severity.table()
st.dataframe(table, hide_index=True, width="stretch")
for family, reason in cal.severity.failures:
    st.warning(f"{family}: the fit failed ({reason}); it is left out of the ranking.")
best = cal.severity.best
st.caption(f"Best by AIC: **{best.family}**. Pick a candidate to inspect it.")

names = [fit.family for fit in cal.severity.fits]
chosen = st.selectbox("Candidate", names, index=names.index(best.family), key="qq_family")
fit = cal.severity.fits[names.index(chosen)]
left, right = st.columns(2)
left.plotly_chart(plots.qq_chart(fit.qq_data(), chosen), width="stretch", key="qq", theme=None)
grid = np.geomspace(
    sel.threshold * 1.0001 if sel.threshold > 0 else sel.losses.min(), sel.losses.max() * 3, 200
)
curves = {f.family: (grid, f.conditional.sf(grid)) for f in cal.severity.fits}
right.plotly_chart(
    plots.survival_chart(sel.losses, curves, sel.threshold),
    width="stretch",
    key="survival",
    theme=None,
)
st.dataframe(fit.summary(), hide_index=True)
with st.expander(f"How the reporting threshold moves the tail ({chosen})"):
    st.caption(
        f"{chosen} refitted above each threshold, on the same selection. `quantile` is the "
        "1-in-100 reported loss and `mean_excess` the mean loss above the threshold (USD; "
        "empty where the fitted tail has no finite mean). A tail that shifts a lot with the "
        "threshold is a tail the data do not pin down."
    )
    if chosen == "spliced":
        st.info("The spliced model has its own splice point; pick another candidate here.")
    else:
        sensitivity = common.threshold_sensitivity(spec, chosen, upload)
        st.dataframe(
            sensitivity.drop(columns=["loglik"]),
            hide_index=True,
            width="stretch",
            key="threshold_sensitivity",
        )

st.header("Frequency: thefts per exchange-year")
freq = cal.frequency
st.plotly_chart(plots.yearly_counts_chart(cal.counts), width="stretch", key="counts", theme=None)
low, high = freq.rate_ci(cal.target_year)
m1, m2, m3 = st.columns(3)
m1.metric(
    f"Expected thefts per exchange-year, {cal.target_year}", f"{freq.rate(cal.target_year):.4f}"
)
m2.metric("90% confidence interval", f"{low:.4f} – {high:.4f}")
m3.metric("Model", freq.model)
st.markdown(freq.explanation)
for note in cal.notes:
    st.caption(note)
st.dataframe(freq.summary(), hide_index=True)

st.header("For this exchange: assumptions and manual overrides")
st.caption(
    "The fits above describe the average tracked exchange and the market's reported losses. "
    "These assumptions turn them into the loss model of the exchange chosen on the Exchange "
    "profile page; every other page uses them. Any fitted value can be overridden by hand; "
    "an overridden value is marked 'manual override' in the assumption table."
)


def reset_overrides() -> None:
    """Forget every manual value on this section (back to the fitted and default values)."""
    keys = {*st.session_state, *state.value_keys()}
    state.forget(*[k for k in keys if str(k).startswith("lm_")])
    st.session_state.pop(common.MODEL_KEY, None)


defaults = LossModelAssumptions()
size = defaults.frequency
for name, value in st.session_state.pop("_lm_params_best", ()):
    # Overrides of the best family's parameters, from a loaded scenario.
    state.put(f"lm_param_{best.family}_{name}", value)
with st.form("exchange_model"):
    a, b, c = st.columns(3)
    family = a.selectbox(
        "Severity family for the exchange",
        names,
        **state.bind("lm_family", best.family, form=True),
        help="Default: the best candidate by AIC.",
    )
    base_fit = cal.severity.fits[names.index(family)]
    params = {}
    for name, value in base_fit.params:
        if name in ("threshold", "splice_at"):
            continue  # fixed by the data choices, not estimated
        params[name] = b.number_input(
            f"{family} {name}",
            format="%.6g",
            **state.bind(f"lm_param_{family}_{name}", float(value), form=True),
            help="Fitted by maximum likelihood; change it to override.",
        )
    fitted_rate = float(freq.rate(cal.target_year))
    base_rate = c.number_input(
        "Average-exchange rate (thefts per exchange-year)",
        min_value=0.0,
        format="%.5f",
        **state.bind("lm_base_rate", fitted_rate, form=True),
        help=f"The {freq.model} GLM's projection for {cal.target_year}; change it to override.",
    )
    d, e, f, g = st.columns(4)
    eta = d.number_input(
        "Loss size elasticity η",
        0.0,
        1.5,
        step=0.05,
        **state.bind("lm_eta", form=True),
        help="Losses scale with (customer assets / reference)^η.",
    )
    rho = e.number_input(
        "Cold storage within reach ρ",
        0.0,
        1.0,
        step=0.05,
        **state.bind("lm_rho", form=True),
        help="Share of cold storage a cold, provider or insider compromise can reach.",
    )
    gamma = f.number_input(
        "Frequency size elasticity γ",
        -1.0,
        2.0,
        step=0.05,
        **state.bind("lm_gamma", form=True),
        help="Theft rate scales with (customer assets / reference)^γ.",
    )
    delta = g.number_input(
        "Frequency hot-share elasticity δ",
        -1.0,
        2.0,
        step=0.05,
        **state.bind("lm_delta", form=True),
        help="Theft rate scales with (hot share / reference hot share)^δ.",
    )
    reference = d.number_input(
        "Reference customer assets (USD m)",
        min_value=0.001,
        **state.bind("lm_reference", form=True),
        help="Customer assets of the 'average tracked exchange' (an assumption).",
    )
    rho_p = e.number_input(
        "Cold storage within a provider's reach ρ_p",
        0.0,
        1.0,
        step=0.05,
        **state.bind("lm_rho_p", defaults.provider_cold_reach, form=True),
        help="Share of cold storage a compromise of a provider that signs for cold wallets "
        "can reach. Default: the mean of the sourced cases (Bybit 2025: the cold wallet held "
        "about 70% of its clients' ETH; DMM Bitcoin 2024: the loss exceeded its disclosed "
        f"holdings of that coin). Range in the sensitivity: {PROVIDER_COLD_REACH_RANGE[0]:g}–"
        f"{PROVIDER_COLD_REACH_RANGE[1]:g}.",
    )
    share = f.number_input(
        "Exchanges using a provider s",
        0.01,
        0.99,
        step=0.05,
        **state.bind("lm_s", defaults.provider_user_share, form=True),
        help="Share of exchanges with a third-party provider in the signing path. An "
        "assumption: no public census of exchanges' signing stacks exists. A provider user's "
        "theft rate is scaled by π/s and a non-user's by (1 − π)/(1 − s), π being the share "
        "of incidents that came through providers. Range in the sensitivity: "
        f"{PROVIDER_USER_SHARE_RANGE[0]:g}–{PROVIDER_USER_SHARE_RANGE[1]:g}.",
    )
    st.form_submit_button(
        "Apply to every page",
        type="primary",
        on_click=state.remember_all,
        args=([k for k in st.session_state if str(k).startswith("lm_")],),
    )
st.button("Back to the fitted values and defaults", on_click=reset_overrides, key="lm_reset")

overrides = tuple((name, value) for name, value in params.items() if value != base_fit.param[name])
try:
    chosen_assumptions = LossModelAssumptions(
        frequency=SizeAssumptions(
            reference_assets_usd=reference * 1e6,
            size_elasticity=gamma,
            reference_hot_share=size.reference_hot_share,
            hot_share_elasticity=delta,
        ),
        severity_size_elasticity=eta,
        cold_reach=rho,
        provider_cold_reach=rho_p,
        provider_user_share=share,
        severity_family=None if family == best.family else family,
        severity_params=overrides or None,
        base_rate=None if base_rate == fitted_rate else base_rate,
    )
    exchange = common.loss_model(common.current_profile(), spec, chosen_assumptions, upload)
except ValueError as err:
    st.error(f"These assumptions are not valid; the previous ones stay in use. {err}")
    st.stop()
st.session_state[common.MODEL_KEY] = chosen_assumptions
m1, m2, m3 = st.columns(3)
m1.metric(f"Thefts per year, {exchange.profile.name}", f"{exchange.rate:.4f}")
m2.metric("Mean loss per theft (USD)", f"{exchange.severity.mean():,.0f}")
m3.metric("Expected yearly loss (USD)", f"{exchange.rate * exchange.severity.mean():,.0f}")
st.dataframe(
    exchange.assumption_table().astype({"value": str}),
    hide_index=True,
    width="stretch",
    key="lm_assumptions",
)
