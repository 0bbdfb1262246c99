"""Loss model: the fitted severity candidates and the frequency GLM, with every choice shown."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from app_pages import common, locale, state
from app_pages.chart import plotly_chart
from app_pages.locale import t
from app_pages.page_text import (
    EMPTY,
    VECTOR_LABELS,
    amount_input,
    assumption_rows,
    chart_unit,
    money_axes,
    note,
    plain,
    readable,
    relabel,
    whole,
)
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
COUNT_MODELS = {"auto": "auto", "poisson": "poisson", "negbin": "negbin"}
#: Column headers of the fit tables (Japanese page; the English page shows the names).
SEVERITY_COLUMNS = {
    "rank": "rank",
    "family": "family",
    "n_params": "parameters",
    "loglik": "log-likelihood",
    "aic": "AIC",
    "delta_aic": "ΔAIC",
    "akaike_weight": "Akaike weight",
    "bic": "BIC",
    "ks": "KS",
    "ks_pvalue": "KS p-value",
    "ad": "AD",
    "param": "parameter",
    "estimate": "estimate",
    "se": "standard error",
    "estimated": "estimated",
    "n": "losses",
    "mean_finite": "finite mean",
    "converged": "converged",
    "error": "error",
    "parameter": "parameter",
    "std_error": "standard error",
    "z": "z",
    "p_value": "p-value",
    "ci_low_90%": "90% CI, low",
    "ci_high_90%": "90% CI, high",
    "exp_estimate": "exp(estimate)",
    "meaning": "meaning",
    "assumption": "assumption",
    "value": "value",
    "unit": "unit",
    "basis": "basis",
}
#: Columns of the threshold table that are amounts (USD in the library).
THRESHOLD_AMOUNTS = {
    "threshold": "threshold ({currency})",
    "quantile": "1-in-100 reported loss ({currency})",
    "mean_excess": "mean excess ({currency})",
}


def headers(frame: pd.DataFrame, amounts: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Column labels of a fit table in the page's language, and its number formats."""
    config: dict[str, Any] = {}
    for column in frame.columns:
        if amounts and column in amounts:
            label = t(amounts[column]).format(currency=locale.unit())
        elif column.startswith("se_"):
            label = f"SE {column[3:]}"
        else:
            label = t(SEVERITY_COLUMNS.get(column, column))
        config[column] = st.column_config.Column(label)
    return readable(frame, config, amounts=tuple(amounts or ()))


def cells(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Text cells of a fit table in the page's language (amounts in them converted)."""
    if plain():
        return frame
    return frame.assign(**{c: frame[c].map(lambda v: note(v) if v else v) for c in columns})


st.title(t("Loss model"))
with st.expander(t("How to read this page")):
    st.markdown(
        t(
            "**Severity** is the size of one theft; **frequency** the number of thefts per "
            "exchange per year. Small hacks are under-reported, so only losses above the "
            "**reporting threshold** are used and each fit is *left-truncated* there (it models "
            "a loss given that it was large enough to be reported). Old losses are brought to "
            "the **target year**'s terms by the on-level index. Candidates are ranked by AIC "
            "(lower is better); KS and AD measure the distance between the fitted and observed "
            "distributions (smaller is better). Parameters follow *Loss Models* (Klugman, Panjer "
            "& Willmot) as in R's actuar."
        )
    )

upload = common.active_upload()
data = common.incidents(upload)
exposure = common.exposure()
first, last = data.years

with st.form("calibration"):
    a, b, c = st.columns(3)
    threshold = amount_input(
        a,
        "Reporting threshold",
        "threshold_m",
        form=True,
        min_value=0.0,
        step=0.5,
        help=t(
            "Losses at or below this (in target-year USD) are left out and the fits are "
            "left-truncated here."
        ),
    )
    on_level_labels = {
        k: f"{t(k.replace('_', ' '))}: {t(ON_LEVEL_HELP[k])}" for k in ON_LEVEL_INDICES
    }
    on_level = b.selectbox(
        t("On-level index"),
        ON_LEVEL_INDICES,
        **state.bind("on_level", form=True),
        format_func=on_level_labels.get,
    )
    target_year = c.number_input(
        t("Target year"),
        min_value=min(first, exposure.years[1]),
        max_value=exposure.years[1],
        step=1,
        **state.bind("target_year", exposure.years[1], form=True),
    )
    d, e, f = st.columns(3)
    if first < last:
        years = d.slider(
            t("Incident years used"),
            first,
            last,
            **state.bind("model_years", (first, last), form=True),
        )
    else:  # a file covering one year: nothing to choose
        years = (first, last)
        d.caption(t("Incident years used: {year} (the data cover one year).").format(year=first))
    vector_labels = locale.labels({v: VECTOR_LABELS.get(v, v) for v in ATTACK_VECTORS})
    vectors = e.multiselect(
        t("Attack vectors used"),
        ATTACK_VECTORS,
        **state.bind("model_vectors", list(ATTACK_VECTORS), form=True),
        format_func=vector_labels.get,
    )
    frequency_model = f.selectbox(
        t("Count model"),
        list(COUNT_MODELS),
        **state.bind("frequency_model", form=True),
        format_func=locale.labels(COUNT_MODELS).get,
        help=t("auto: negative binomial only if the overdispersion test rejects Poisson at 5%."),
    )
    trend = f.checkbox(t("Year trend in the frequency model"), **state.bind("trend", form=True))
    st.form_submit_button(
        t("Fit"), type="primary", on_click=state.remember_all, args=(state.FIT_KEYS,)
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
    st.error(t("The models could not be fitted with these choices:") + f" {note(str(err))}")
    st.stop()
# The Exchange profile and Insurer quote pages build their loss models on these choices.
st.session_state[common.SPEC_KEY] = spec

sel = cal.selection
if plain():
    st.info(
        f"**Data:** {data.origin if upload is None else 'your upload'}: {len(data)} incidents. "
        f"**Used:** {sel.n} losses above USD {sel.threshold:,.0f} (in {sel.target_year} USD, "
        f"on-levelled by {ON_LEVEL_HELP[sel.on_level.index]}). {sel.exclusion_text()}"
    )
else:
    st.info(
        t(
            "**Data:** {origin}: {count} incidents. **Used:** {n} losses above {threshold} "
            "(in {year} terms, on-levelled by {index})."
        ).format(
            origin=f"data/{Path(data.origin).name}" if upload is None else t("your upload"),
            count=len(data),
            n=sel.n,
            threshold=locale.money(sel.threshold),
            year=sel.target_year,
            index=t(ON_LEVEL_HELP[sel.on_level.index]),
        )
        + " "
        + (
            t("Left out: {items}.").format(
                items="; ".join(
                    t("{count} left out: {reason}").format(count=count, reason=note(reason))
                    for reason, count in sel.excluded
                )
            )
            if sel.excluded
            else t("No incidents were left out.")
        )
    )

st.header(t("Severity: the size of one theft"))
table = cal.severity.table()
st.dataframe(
    table, hide_index=True, width="stretch", column_config=headers(table), placeholder=EMPTY
)
for family, reason in cal.severity.failures:
    st.warning(
        t("{family}: the fit failed ({reason}); it is left out of the ranking.").format(
            family=family, reason=note(str(reason))
        )
    )
best = cal.severity.best
st.caption(
    t("Best by AIC: **{family}**. Pick a candidate to inspect it.").format(family=best.family)
)

names = [fit.family for fit in cal.severity.fits]
chosen = st.selectbox(t("Candidate"), names, index=names.index(best.family), key="qq_family")
fit = cal.severity.fits[names.index(chosen)]
left, right = st.columns(2)
rate = locale.from_usd(1.0)  # tables in the display currency
ccy = locale.unit()
factor, chart_unit_name = chart_unit()  # charts in its typing unit (億円 for yen)
qq = fit.qq_data()
qq_figure = plots.qq_chart(
    qq.assign(empirical=qq["empirical"] * factor, fitted=qq["fitted"] * factor), chosen
)
relabel(
    qq_figure,
    title=t("QQ plot: {family}").format(family=chosen),
    x=t("fitted quantile, {currency}").format(currency=chart_unit_name),
    y=t("observed loss, {currency}").format(currency=chart_unit_name),
    names={"perfect fit": t("perfect fit")},
)
money_axes(qq_figure, "x", "y")
plotly_chart(qq_figure, key="qq", where=left)
grid = np.geomspace(
    sel.threshold * 1.0001 if sel.threshold > 0 else sel.losses.min(), sel.losses.max() * 3, 200
)
curves = {f.family: (grid * factor, f.conditional.sf(grid)) for f in cal.severity.fits}
survival = plots.survival_chart(sel.losses * factor, curves, sel.threshold * factor)
relabel(
    survival,
    title=t("Fitted against observed loss sizes"),
    x=t("loss, {currency} (above the {threshold} threshold)").format(
        currency=chart_unit_name, threshold=locale.money(sel.threshold)
    ),
    y=t("probability a reported loss is larger"),
    names={"observed": t("observed")},
)
money_axes(survival, "x")
plotly_chart(survival, key="survival", where=right)
summary = fit.summary()
st.dataframe(summary, hide_index=True, column_config=headers(summary), placeholder=EMPTY)
with st.expander(t("How the reporting threshold moves the tail ({family})").format(family=chosen)):
    st.caption(
        f"{chosen} refitted above each threshold, on the same selection. `quantile` is the "
        "1-in-100 reported loss and `mean_excess` the mean loss above the threshold (USD; "
        "empty where the fitted tail has no finite mean). A tail that shifts a lot with the "
        "threshold is a tail the data do not pin down."
        if plain()
        else t(
            "{family} refitted above each threshold, on the same selection, with the "
            "1-in-100 reported loss and the mean loss above the threshold ({currency}; empty "
            "where the fitted tail has no finite mean). A tail that shifts a lot with the "
            "threshold is a tail the data do not pin down."
        ).format(family=chosen, currency=ccy)
    )
    if chosen == "spliced":
        st.info(t("The spliced model has its own splice point; pick another candidate here."))
    else:
        sensitivity = common.threshold_sensitivity(spec, chosen, upload).drop(columns=["loglik"])
        if not plain():
            sensitivity = cells(
                sensitivity.assign(**{c: sensitivity[c] * rate for c in THRESHOLD_AMOUNTS}),
                ("error",),
            )
        st.dataframe(
            sensitivity,
            hide_index=True,
            width="stretch",
            key="threshold_sensitivity",
            column_config=headers(sensitivity, THRESHOLD_AMOUNTS),
            placeholder=EMPTY,
        )

st.header(t("Frequency: thefts per exchange-year"))
freq = cal.frequency
counts_figure = relabel(
    plots.yearly_counts_chart(cal.counts),
    title=t("Incidents per year and the exposure base"),
    x=t("year"),
    y=t("incidents per year"),
    y2=t("exchanges tracked"),
    names={"incidents": t("incidents"), "exchanges tracked": t("exchanges tracked")},
)
plotly_chart(counts_figure, key="counts")
low, high = freq.rate_ci(cal.target_year)
m1, m2, m3 = st.columns(3)
m1.metric(
    t("Expected thefts per exchange-year, {year}").format(year=cal.target_year),
    f"{freq.rate(cal.target_year):.4f}",
)
m2.metric(t("90% confidence interval"), f"{low:.4f} – {high:.4f}")
m3.metric(t("Model"), freq.model)
st.markdown(note(freq.explanation))
for line in cal.notes:
    st.caption(note(line))
frequency_table = freq.summary()
if not plain():
    frequency_table = cells(frequency_table, ("parameter", "meaning"))
st.dataframe(
    frequency_table, hide_index=True, column_config=headers(frequency_table), placeholder=EMPTY
)

st.header(t("For this exchange: assumptions and manual overrides"))
st.caption(
    t(
        "The fits above describe the average tracked exchange and the market's reported losses. "
        "These assumptions turn them into the loss model of the exchange chosen on the Exchange "
        "profile page; every other page uses them. Any fitted value can be overridden by hand; "
        "an overridden value is marked 'manual override' in the assumption table."
    )
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
        t("Severity family for the exchange"),
        names,
        **state.bind("lm_family", best.family, form=True),
        help=t("Default: the best candidate by AIC."),
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
            help=t("Fitted by maximum likelihood; change it to override."),
        )
    fitted_rate = float(freq.rate(cal.target_year))
    base_rate = c.number_input(
        t("Average-exchange rate (thefts per exchange-year)"),
        min_value=0.0,
        format="%.5f",
        **state.bind("lm_base_rate", fitted_rate, form=True),
        help=t("The {model} GLM's projection for {year}; change it to override.").format(
            model=freq.model, year=cal.target_year
        ),
    )
    d, e, f, g = st.columns(4)
    eta = d.number_input(
        t("Loss size elasticity η"),
        0.0,
        1.5,
        step=0.05,
        **state.bind("lm_eta", form=True),
        help=t("Losses scale with (customer assets / reference)^η."),
    )
    rho = e.number_input(
        t("Cold storage within reach ρ"),
        0.0,
        1.0,
        step=0.05,
        **state.bind("lm_rho", form=True),
        help=t("Share of cold storage a cold, provider or insider compromise can reach."),
    )
    gamma = f.number_input(
        t("Frequency size elasticity γ"),
        -1.0,
        2.0,
        step=0.05,
        **state.bind("lm_gamma", form=True),
        help=t("Theft rate scales with (customer assets / reference)^γ."),
    )
    delta = g.number_input(
        t("Frequency hot-share elasticity δ"),
        -1.0,
        2.0,
        step=0.05,
        **state.bind("lm_delta", form=True),
        help=t("Theft rate scales with (hot share / reference hot share)^δ."),
    )
    reference = amount_input(
        d,
        "Reference customer assets",
        "lm_reference",
        usd_label="Reference customer assets (USD m)",
        form=True,
        min_value=0.001,
        help=t("Customer assets of the 'average tracked exchange' (an assumption)."),
    )
    rho_p = e.number_input(
        t("Cold storage within a provider's reach ρ_p"),
        0.0,
        1.0,
        step=0.05,
        **state.bind("lm_rho_p", defaults.provider_cold_reach, form=True),
        help=t(
            "Share of cold storage a compromise of a provider that signs for cold wallets "
            "can reach. Default: the mean of the sourced cases (Bybit 2025: the cold wallet held "
            "about 70% of its clients' ETH; DMM Bitcoin 2024: the loss exceeded its disclosed "
            "holdings of that coin). Range in the sensitivity: {low}–{high}."
        ).format(low=f"{PROVIDER_COLD_REACH_RANGE[0]:g}", high=f"{PROVIDER_COLD_REACH_RANGE[1]:g}"),
    )
    share = f.number_input(
        t("Exchanges using a provider s"),
        0.01,
        0.99,
        step=0.05,
        **state.bind("lm_s", defaults.provider_user_share, form=True),
        help=t(
            "Share of exchanges with a third-party provider in the signing path. An "
            "assumption: no public census of exchanges' signing stacks exists. A provider user's "
            "theft rate is scaled by π/s and a non-user's by (1 − π)/(1 − s), π being the share "
            "of incidents that came through providers. Range in the sensitivity: {low}–{high}."
        ).format(low=f"{PROVIDER_USER_SHARE_RANGE[0]:g}", high=f"{PROVIDER_USER_SHARE_RANGE[1]:g}"),
    )
    st.form_submit_button(
        t("Apply to every page"),
        type="primary",
        on_click=state.remember_all,
        # the bound inputs only, not the widgets typed in another currency (kept in USD)
        args=([k for k in st.session_state if str(k).startswith("lm_") and "_in_" not in k],),
    )
st.button(t("Back to the fitted values and defaults"), on_click=reset_overrides, key="lm_reset")

overrides = tuple((name, value) for name, value in params.items() if value != base_fit.param[name])
try:
    chosen_assumptions = LossModelAssumptions(
        frequency=SizeAssumptions(
            reference_assets_usd=reference,
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
    st.error(
        t("These assumptions are not valid; the previous ones stay in use.") + f" {note(str(err))}"
    )
    st.stop()
st.session_state[common.MODEL_KEY] = chosen_assumptions
m1, m2, m3 = st.columns(3)
m1.metric(t("Thefts per year, {name}").format(name=exchange.profile.name), f"{exchange.rate:.4f}")
m2.metric(f"{t('Mean loss per theft')} ({ccy})", whole(exchange.severity.mean()))
m3.metric(f"{t('Expected yearly loss')} ({ccy})", whole(exchange.rate * exchange.severity.mean()))
assumption_table = assumption_rows(exchange.assumption_table())
st.dataframe(
    assumption_table,
    column_config=headers(assumption_table),
    placeholder=EMPTY,
    hide_index=True,
    width="stretch",
    key="lm_assumptions",
)
