"""Small vs large: two exchanges side by side under the same regime."""

import functools

import pandas as pd
import streamlit as st

from app_pages import common, state
from app_pages.chart import plotly_chart
from app_pages.common import md
from app_pages.compare_text import interval_text, strategy_name
from app_pages.locale import money, t
from app_pages.page_text import EMPTY
from app_pages.regime_editor import display
from pricing import plots
from pricing.exceptions import DataValidationError
from pricing.profiles import PRESETS, ExchangeProfile
from pricing.regulation import REGIMES, RegimeInputs, minimum
from pricing.strategy import Comparison, StrategyAssumptions

#: Widget key of the regime (shared with Compare and Sensitivity).
REGIME_KEY = "regime"
#: Uploaded profile per side, staged by the uploader's callback: {"bytes": ..., "name": ...}.
SIDES = {"a": ("small", "svl_upload_a"), "b": ("large", "svl_upload_b")}
#: The page's "How to read this page" text (translated through the catalogue).
HOW_TO_READ = (
    "Two exchanges under the same regime and the same assumptions: by default the small and "
    "large presets (illustrative exchanges, not named firms); upload a profile file on either "
    "side to compare your own. For each, the yearly **cost of risk** of the three strategies "
    "(reserve only, insurance only, hybrid; see the **Compare** page) as a share of its "
    "customer assets and of its revenue, and the **regulatory minimum** as a share of its "
    "customer assets. Fixed amounts (a regulatory floor, an insurer's minimum premium and "
    "fixed expenses) weigh more on a small exchange."
)


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
            column.error(
                t("{file} was not loaded: {error}. Using the {preset} preset.").format(
                    file=md(staged["name"]), error=md(str(err)), preset=t(preset)
                )
            )
        else:
            column.success(
                t("Using {name} from {file}.").format(
                    name=md(profile.name), file=md(staged["name"])
                )
            )
            return profile
    return PRESETS[preset]


def uploaders(container: st.delta_generator.DeltaGenerator) -> None:
    """One profile-file uploader per side (at the bottom: the page opens on the chart)."""
    left, right = container.columns(2)
    for side, column in zip(SIDES, (left, right), strict=True):
        column.file_uploader(
            t("Replace the {preset} preset with a profile file (JSON)").format(
                preset=t(SIDES[side][0])
            ),
            type=["json"],
            key=f"svl_file_{side}",
            on_change=stage,
            args=(side,),
            help=t("A profile saved from the Exchange profile page."),
        )


def paragraph(small: Comparison, large: Comparison, loadings_note: str) -> str:
    """What the numbers say about fixed floors and minimum premiums (formatting only)."""
    ps, pl = small.model.profile, large.model.profile
    rs, rl = small.get(small.recommended), large.get(large.recommended)
    floor_s, floor_l = small.minimum_pct_assets, large.minimum_pct_assets
    loadings = small.assumptions.loadings
    fixed = loadings.minimum_premium_usd + loadings.expense_fixed_usd
    s_name, l_name = md(ps.name), md(pl.name)
    out = [
        t(
            "Under **{rule}**, the regulatory minimum is {small_amount} for {small} ({small_pct}% "
            "of its customer assets) and {large_amount} for {large} ({large_pct}%)."
        ).format(
            rule=md(t(small.rule.name)),
            small_amount=money(small.rule.amount_usd),
            small=s_name,
            small_pct=f"{floor_s:.2f}",
            large_amount=money(large.rule.amount_usd),
            large=l_name,
            large_pct=f"{floor_l:.2f}",
        )
    ]
    if floor_l > 0 and floor_s > 1.05 * floor_l:
        out.append(
            t(
                "Per unit of customer assets, the minimum weighs {ratio} times as much on "
                "{small}: a fixed floor does not shrink with the exchange."
            ).format(ratio=f"{floor_s / floor_l:,.1f}", small=s_name)
        )
    elif floor_l > 0 and floor_s < floor_l / 1.05:
        out.append(
            t(
                "Here the minimum weighs less per unit of customer assets on {small} ({ratio} "
                "times {large}'s share)."
            ).format(small=s_name, ratio=f"{floor_s / floor_l:,.2f}", large=l_name)
        )
    else:
        out.append(t("Per unit of customer assets the minimum weighs about the same on both."))
    out.append(
        t(
            "Carrying the reserve costs {small} {small_pct}% of its revenue a year in its "
            "recommended structure ({small_kind}), against {large_pct}% for {large} "
            "({large_kind})."
        ).format(
            small=s_name,
            small_pct=f"{100 * rs.components['carrying_cost'] / ps.annual_revenue_usd:.1f}",
            small_kind=strategy_name(rs.name),
            large_pct=f"{100 * rl.components['carrying_cost'] / pl.annual_revenue_usd:.1f}",
            large=l_name,
            large_kind=strategy_name(rl.name),
        )
    )
    near = 0 < rs.components["premium"] <= 1.05 * loadings.minimum_premium_usd
    out.append(
        t(
            "Insurance has fixed costs too: the insurer's minimum premium ({minimum}) and fixed "
            "expense ({fixed} per policy-year) together are {small_pct}% of {small}'s revenue "
            "against {large_pct}% of {large}'s{note}. The premium in the recommended structures "
            "is {small_premium} and {large_premium}."
        ).format(
            minimum=money(loadings.minimum_premium_usd),
            fixed=money(loadings.expense_fixed_usd),
            small_pct=f"{100 * fixed / ps.annual_revenue_usd:.2f}",
            small=s_name,
            large_pct=f"{100 * fixed / pl.annual_revenue_usd:.3f}",
            large=l_name,
            note=loadings_note,
            small_premium=money(rs.components["premium"]),
            large_premium=money(rl.components["premium"]),
        )
        + (" " + t("{small}'s is at or near the minimum.").format(small=s_name) if near else "")
    )
    out.append(
        t(
            "In all, the cost of risk is {small_assets}% of customer assets and {small_revenue}% "
            "of revenue for {small}, against {large_assets}% and {large_revenue}% for {large}."
        ).format(
            small_assets=f"{rs.cost_pct_assets:.3f}",
            small_revenue=f"{rs.cost_pct_revenue:.1f}",
            small=s_name,
            large_assets=f"{rl.cost_pct_assets:.3f}",
            large_revenue=f"{rl.cost_pct_revenue:.1f}",
            large=l_name,
        )
    )
    return " ".join(out)


st.title(t("Small vs large"))
with st.expander(t("How to read this page")):
    st.markdown(t(HOW_TO_READ))

codes = list(REGIMES)
names = {c: minimum(c, RegimeInputs.from_profile(PRESETS["small"])).name for c in codes}
regime = st.selectbox(
    t("Regime"),
    codes,
    **state.bind(REGIME_KEY, state.regime_default(common.current_profile())),
    format_func=lambda c: (
        f"{c}: {t(names[c])}" + (t(": a scenario, not law") if REGIMES[c].scenario else "")
    ),
    help=t(
        "Both exchanges under the same rule (the regime chosen on Compare), with the regime's "
        "parameters as edited there. Japan's 2027 reform (jp-2027) is a scenario, not law."
    ),
)
try:
    assumptions = state.strategy_assumptions()
except ValueError as err:
    st.error(t("The Compare page's assumptions are not valid: {error}").format(error=md(str(err))))
    st.stop()
stored = assumptions != StrategyAssumptions()
st.caption(
    t(
        "Assumptions: {whose} (protection target {target}%, dispute probability {dispute}%, "
        "payment delay {delay} months, capacity {capacity}, {insurance})."
    ).format(
        whose=t("those set on the Compare page") if stored else t("the defaults"),
        target=f"{100 * assumptions.target:g}",
        dispute=f"{100 * assumptions.frictions.dispute_probability:g}",
        delay=f"{assumptions.frictions.payment_delay_months:g}",
        capacity=money(assumptions.capacity_usd, 0),
        insurance=(
            t("market rate on line {rol}%").format(rol=f"{100 * assumptions.market_rate_on_line:g}")
            if assumptions.market_rate_on_line is not None
            else t("insurance at market curve prices")
        ),
    )
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
        column.error(
            t("{name}: the comparison could not be computed: {error}").format(
                name=md(profile.name), error=md(str(err))
            )
        )
        st.stop()
    column.subheader(profile.name)
    column.markdown(
        t("Customer assets {assets}, revenue {revenue} a year, {hot}% in hot wallets.").format(
            assets=money(profile.customer_assets_usd, 0),
            revenue=money(profile.annual_revenue_usd, 1),
            hot=f"{100 * profile.hot_share:g}",
        )
    )
    m1, m2 = column.columns(2)
    m1.metric(
        t("Regulatory minimum ({regime})").format(regime=regime),
        money(results[-1].rule.amount_usd),
    )
    m2.metric(t("% of customer assets"), f"{results[-1].minimum_pct_assets:.2f}%")

plotly_chart(
    plots.small_vs_large_chart(results, display()),
    key="svl_chart",
    filename="vaultcover_small_vs_large",
    where=chart if presenting else None,
)

frame = pd.concat([r.labelled_table() for r in results], ignore_index=True)
unit = display().unit
table_slot, ranges_note = st.empty(), st.empty()


def draw_table(compared: list[Comparison], final: bool) -> None:
    """Both exchanges' strategies (with 90% ranges once ``compared`` carry draws)."""
    rows = pd.concat([r.labelled_table() for r in compared], ignore_index=True)
    strategies = [s for r in compared for s in r.strategies]
    drawn = all(r.n_draws for r in compared)
    shown = pd.DataFrame(
        {
            t("exchange"): rows["profile"],
            t("strategy"): [strategy_name(s) for s in rows["strategy"]],
            t("recommended"): rows["recommended"],
            t("total cost, {unit}/yr").format(unit=unit): display().axis(rows["total_cost"]),
            t("cost of risk, 90% range"): [
                interval_text(s.total_cost_interval) if drawn else "…" for s in strategies
            ],
            t("% of assets"): rows["cost_pct_assets"],
            t("% of revenue"): rows["cost_pct_revenue"],
            t("reserve, {unit}").format(unit=unit): display().axis(rows["reserve"]),
            t("premium, {unit}/yr").format(unit=unit): display().axis(rows["premium"]),
            t("P(all compensated) %"): 100 * rows["p_full"],
            t("P(all compensated), 90% range"): [
                interval_text(s.p_full_interval, amount=False) if drawn else "…" for s in strategies
            ],
        }
    )
    table_slot.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key="svl_table" if final else None,
        column_config={
            c: st.column_config.NumberColumn(format="%.3f")
            for c in shown.columns
            if shown[c].dtype.kind == "f"
        },
        placeholder=EMPTY,
    )
    if drawn:
        ranges_note.caption(
            t(
                "Ranges: the central 90% over {n} draws of the fitted frequency and severity "
                "parameters (seed 1), each strategy's structure held fixed."
            ).format(n=compared[0].n_draws)
        )


draw_table(results, final=False)
st.download_button(
    t("Download the table (CSV)"),
    functools.partial(frame.to_csv, index=False),
    file_name=f"vaultcover_small_vs_large_{regime}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="svl_csv",
)

st.subheader(t("What the numbers say"))
ordered = sorted(results, key=lambda r: r.model.profile.customer_assets_usd)
note = (
    t(" (not charged here: a market rate on line replaces the technical premium)")
    if assumptions.market_rate_on_line is not None
    else ""
)
st.markdown(paragraph(ordered[0], ordered[-1], note))
uploaders(st.expander(t("Compare your own exchanges: upload profile files")))

# The parameter draws' ranges, filled into the table above once computed.
try:
    ranged = [
        common.comparison_ranges(p, spec, regime, assumptions, upload, model_assumptions)
        for p in profiles
    ]
except (ValueError, DataValidationError) as err:  # the point results above still stand
    st.warning(t("The 90% ranges could not be computed: {error}").format(error=md(str(err))))
else:
    draw_table(ranged, final=True)
