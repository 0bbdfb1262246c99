"""Small vs large: two exchanges side by side under the same regime."""

import pandas as pd
import streamlit as st

from app_pages import common, state
from app_pages.common import md, usd_amount
from pricing import plots
from pricing.exceptions import DataValidationError
from pricing.profiles import PRESETS, ExchangeProfile
from pricing.regulation import REGIMES, RegimeInputs, minimum
from pricing.strategy import Comparison, StrategyAssumptions

#: Widget key of the regime (shared with Compare and Sensitivity).
REGIME_KEY = "regime"
#: Uploaded profile per side, staged by the uploader's callback: {"bytes": ..., "name": ...}.
SIDES = {"a": ("small", "svl_upload_a"), "b": ("large", "svl_upload_b")}


def stage(side: str) -> None:
    """The uploader of ``side`` changed: keep the file's bytes, or drop them when removed."""
    file = st.session_state.get(f"svl_file_{side}")
    target = SIDES[side][1]
    if file is None:
        st.session_state.pop(target, None)
    else:
        st.session_state[target] = {"bytes": file.getvalue(), "name": file.name}


def side_profile(side: str, column: st.delta_generator.DeltaGenerator) -> ExchangeProfile:
    """The preset of ``side``, or the profile file uploaded for it (errors shown, preset kept)."""
    preset, target = SIDES[side]
    staged = st.session_state.get(target)
    if staged:
        try:
            profile = common.parse_profile(staged["bytes"])
        except ValueError as err:
            column.error(f"{staged['name']} was not loaded: {err}. Using the {preset} preset.")
        else:
            column.success(f"Using {profile.name} from {staged['name']}.")
            return profile
    return PRESETS[preset]


def uploaders(container: st.delta_generator.DeltaGenerator) -> None:
    """One profile-file uploader per side (at the bottom: the page opens on the chart)."""
    left, right = container.columns(2)
    for side, column in zip(SIDES, (left, right), strict=True):
        column.file_uploader(
            f"Replace the {SIDES[side][0]} preset with a profile file (JSON)",
            type=["json"],
            key=f"svl_file_{side}",
            on_change=stage,
            args=(side,),
            help="A profile saved from the Exchange profile page.",
        )


def paragraph(small: Comparison, large: Comparison, loadings_note: str) -> str:
    """What the numbers say about fixed floors and minimum premiums (formatting only)."""
    ps, pl = small.model.profile, large.model.profile
    rs, rl = small.get(small.recommended), large.get(large.recommended)
    floor_s, floor_l = small.minimum_pct_assets, large.minimum_pct_assets
    loadings = small.assumptions.loadings
    fixed = loadings.minimum_premium_usd + loadings.expense_fixed_usd
    out = [
        f"Under **{md(small.rule.name)}**, the regulatory minimum is "
        f"{usd_amount(small.rule.amount_usd)} for {md(ps.name)} ({floor_s:.2f}% of its customer "
        f"assets) and {usd_amount(large.rule.amount_usd)} for {md(pl.name)} ({floor_l:.2f}%)."
    ]
    if floor_l > 0 and floor_s > 1.05 * floor_l:
        out.append(
            f"Per dollar of customer assets, the minimum weighs {floor_s / floor_l:,.1f} times "
            f"as much on {md(ps.name)}: a fixed floor does not shrink with the exchange."
        )
    elif floor_l > 0 and floor_s < floor_l / 1.05:
        out.append(
            f"Here the minimum weighs less per dollar of customer assets on {md(ps.name)} "
            f"({floor_s / floor_l:,.2f} times {md(pl.name)}'s share)."
        )
    else:
        out.append("Per dollar of customer assets the minimum weighs about the same on both.")
    out.append(
        f"Carrying the reserve costs {md(ps.name)} "
        f"{100 * rs.components['carrying_cost'] / ps.annual_revenue_usd:.1f}% of its revenue "
        f"a year in its recommended structure ({plots.STRATEGY_LABELS[rs.name].lower()}), "
        f"against {100 * rl.components['carrying_cost'] / pl.annual_revenue_usd:.1f}% for "
        f"{md(pl.name)} ({plots.STRATEGY_LABELS[rl.name].lower()})."
    )
    out.append(
        f"Insurance has fixed costs too: the insurer's minimum premium "
        f"({usd_amount(loadings.minimum_premium_usd)}) and fixed expense "
        f"({usd_amount(loadings.expense_fixed_usd)} per policy-year) together are "
        f"{100 * fixed / ps.annual_revenue_usd:.2f}% of {md(ps.name)}'s revenue against "
        f"{100 * fixed / pl.annual_revenue_usd:.3f}% of {md(pl.name)}'s{loadings_note}. "
        f"The premium in the recommended structures is {usd_amount(rs.components['premium'])} "
        f"and {usd_amount(rl.components['premium'])}"
        + (
            f", {md(ps.name)}'s at or near the minimum."
            if 0 < rs.components["premium"] <= 1.05 * loadings.minimum_premium_usd
            else "."
        )
    )
    out.append(
        f"In all, the cost of risk is {rs.cost_pct_assets:.3f}% of customer assets and "
        f"{rs.cost_pct_revenue:.1f}% of revenue for {md(ps.name)}, against "
        f"{rl.cost_pct_assets:.3f}% and {rl.cost_pct_revenue:.1f}% for {md(pl.name)}."
    )
    return " ".join(out)


st.title("Small vs large")
with st.expander("How to read this page"):
    st.markdown(
        "Two exchanges under the same regime and the same assumptions: by default the small "
        "and large presets (illustrative exchanges, not named firms); upload a profile file "
        "on either side to compare your own. For each, the yearly **cost of risk** of the "
        "three strategies (reserve only, insurance only, hybrid; see the **Compare** page) as "
        "a share of its customer assets and of its revenue, and the **regulatory minimum** as "
        "a share of its customer assets. Fixed amounts (a regulatory floor, an insurer's "
        "minimum premium and fixed expenses) weigh more on a small exchange."
    )

codes = list(REGIMES)
names = {c: minimum(c, RegimeInputs.from_profile(PRESETS["small"])).name for c in codes}
regime = st.selectbox(
    "Regime",
    codes,
    **state.bind(REGIME_KEY, state.regime_default(common.current_profile())),
    format_func=lambda c: f"{c}: {names[c]}" + (": a scenario, not law" if c == "jp-2027" else ""),
    help="Both exchanges under the same rule (the regime chosen on Compare). Japan's planned "
    "liability reserve (jp-2027) has not been published: it is an assumed scenario, not law.",
)
try:
    assumptions = state.strategy_assumptions()
except ValueError as err:
    st.error(f"The Compare page's assumptions are not valid: {err}")
    st.stop()
stored = assumptions != StrategyAssumptions()
st.caption(
    "Assumptions: "
    + ("those set on the Compare page" if stored else "the defaults")
    + f" (protection target {100 * assumptions.target:g}%, dispute probability "
    f"{100 * assumptions.frictions.dispute_probability:g}%, payment delay "
    f"{assumptions.frictions.payment_delay_months:g} months, capacity "
    f"{usd_amount(assumptions.capacity_usd, 0)}"
    + (
        f", market rate on line {100 * assumptions.market_rate_on_line:g}%"
        if assumptions.market_rate_on_line is not None
        else ", insurance at market curve prices"
    )
    + ")."
)

spec = common.current_spec()
model_assumptions = common.current_assumptions()
upload = common.active_upload()
presenting = state.presenting()
chart = st.container()  # the presets' chart first in presentation mode
columns = st.columns(2)
profiles = [side_profile(side, col) for side, col in zip(SIDES, columns, strict=True)]
results = []
for profile, column in zip(profiles, columns, strict=True):
    try:
        results.append(
            common.comparison(profile, spec, regime, assumptions, upload, model_assumptions)
        )
    except (ValueError, DataValidationError) as err:
        column.error(f"{profile.name}: the comparison could not be computed: {err}")
        st.stop()
    column.subheader(profile.name)
    column.markdown(
        f"Customer assets {usd_amount(profile.customer_assets_usd, 0)}, revenue "
        f"{usd_amount(profile.annual_revenue_usd, 1)} a year, "
        f"{100 * profile.hot_share:g}% in hot wallets."
    )
    m1, m2 = column.columns(2)
    m1.metric(f"Regulatory minimum ({regime})", usd_amount(results[-1].rule.amount_usd))
    m2.metric(
        "% of customer assets",
        f"{results[-1].minimum_pct_assets:.2f}%",
    )

(chart if presenting else st).plotly_chart(
    plots.small_vs_large_chart(results),
    width="stretch",
    key="svl_chart",
    config=common.chart_config("vaultcover_small_vs_large"),
    theme=None,
)

frame = pd.concat([r.labelled_table() for r in results], ignore_index=True)
shown = frame[["profile", "strategy", "recommended"]].rename(columns={"profile": "exchange"})
shown["strategy"] = shown["strategy"].map(lambda s: plots.STRATEGY_LABELS.get(s, s))
shown["total cost, USD m/yr"] = frame["total_cost"] / 1e6
shown["% of assets"] = frame["cost_pct_assets"]
shown["% of revenue"] = frame["cost_pct_revenue"]
shown["reserve, USD m"] = frame["reserve"] / 1e6
shown["premium, USD m/yr"] = frame["premium"] / 1e6
shown["P(all compensated) %"] = 100 * frame["p_full"]
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    key="svl_table",
    column_config={
        c: st.column_config.NumberColumn(format="%.3f")
        for c in shown.columns
        if c not in ("exchange", "strategy", "recommended")
    },
)
st.download_button(
    "Download the table (CSV)",
    frame.to_csv(index=False),
    file_name=f"vaultcover_small_vs_large_{regime}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="svl_csv",
)

st.subheader("What the numbers say")
ordered = sorted(results, key=lambda r: r.model.profile.customer_assets_usd)
note = (
    " (not charged here: a market rate on line replaces the technical premium)"
    if assumptions.market_rate_on_line is not None
    else ""
)
st.markdown(paragraph(ordered[0], ordered[-1], note))
uploaders(st.expander("Compare your own exchanges: upload profile files"))
