"""Compare: reserve only, insurance only or the optimal hybrid, under a chosen regime.

Every word goes through the message catalogue (``t``) and every amount through the display
currency (``money``, chart axes via :class:`pricing.plots.Display`).
"""

import functools
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages import (
    common,
    compare_inspector,
    compare_text,
    locale,
    precompute,
    regime_state,
    scenario_store,
    session_scenario,
    state,
)
from app_pages.chart import plotly_chart
from app_pages.compare_text import interval_text, safe, strategy_name
from app_pages.locale import money, t
from app_pages.page_text import formula
from app_pages.regime_editor import display, money_input, parameter_table
from pricing import plots
from pricing.exceptions import DataValidationError, InputError
from pricing.regulation import JURISDICTION_REGIMES, REGIMES
from pricing.strategy import COST_COMPONENTS, Comparison

#: Widget key of the regime (shared with Small vs large and Sensitivity).
REGIME_KEY = "regime"


def source_note(upload: bytes | None) -> str:
    """Where the incident data comes from (the file name set as code: not translated)."""
    if upload is None:
        return t(
            "Incident data: the shipped history {path}, every row with its public source."
        ).format(path=f"`data/{Path(common.incidents().origin).name}`")
    return safe(t(common.data_source_note(upload)))


def also_held(profile: object, first: str) -> list[str]:
    """The regimes of the other jurisdictions the exchange is licensed in (held at once)."""
    codes = []
    for j in getattr(profile, "jurisdictions", ()):
        code = JURISDICTION_REGIMES.get(j)
        if code and REGIMES[code].jurisdiction != REGIMES[first].jurisdiction:
            codes.append(code)
    return list(dict.fromkeys(codes))


st.title(t("Compare"))
presenting = state.presenting()
d = display()
answer = st.container()  # the recommendation (above the inputs in presentation mode)
if not presenting:
    with st.expander(t("How to read this page")):
        st.markdown(t(compare_text.HOW_TO_READ))

profile = common.current_profile()
spec = common.current_spec()
model_assumptions = common.current_assumptions()
upload = common.active_upload()
names = common.regime_names(profile)

codes = list(REGIMES)
top = (
    st.expander(t("Inputs"), expanded=False, icon=":material/tune:")
    if presenting
    else st.container(border=True)
)
a, b = top.columns([3, 1])
regime = a.selectbox(
    t("Regime"),
    codes,
    **state.bind(REGIME_KEY, state.regime_default(profile)),
    format_func={c: common.regime_label(c, names) for c in codes}.get,
    help=t(
        "The regulatory minimum the reserve may not fall below; it starts from the exchange's "
        "jurisdiction (Exchange profile page). Japan's 2027 reform (jp-2027) is a scenario, "
        "not law: its parameters are assumptions you can edit below."
    ),
)
target = b.number_input(
    t("Protection target (%)"),
    min_value=50.1,
    max_value=99.99,
    step=0.1,
    format="%.2f",
    **state.bind("cmp_target"),
    help=t(
        "Share of years in which all customers must be compensated in full (99.5%: all but "
        "1 year in 200)."
    ),
)
c, e, f, g = top.columns(4)
c.number_input(
    t("Dispute probability (%)"),
    min_value=0.0,
    max_value=100.0,
    step=1.0,
    **state.bind("cmp_dispute"),
    help=t(
        "Chance a claim is disputed or excluded and never paid (insider collusion and social "
        "engineering exclusions are common)."
    ),
)
e.number_input(
    t("Payment delay (months)"),
    min_value=0.0,
    max_value=120.0,
    step=1.0,
    **state.bind("cmp_delay"),
    help=t("Months from the theft to the insurer's payment; the exchange bridges them."),
)
money_input(
    f,
    t("Insurance capacity ({unit})"),
    "cmp_capacity",
    min_value=0.0,
    step=50.0,
    help=t(
        "Most insurance the market will write for one exchange (by default the largest "
        "single-insured limit reported for crypto crime cover)."
    ),
)
g.number_input(
    t("Market rate on line (%)"),
    min_value=0.0,
    max_value=100.0,
    step=0.5,
    **state.bind("cmp_rol"),
    placeholder=t("empty: market curve"),
    help=t(
        "If set, every layer costs this rate × its limit instead of the market curve's price "
        "(floors, minimum retention, capacity; never below the technical premium)."
    ),
)
for code in [regime, *also_held(profile, regime)]:
    parameter_table(
        top,
        code,
        t("Parameters of {regime} (editable; saved with the scenario)").format(regime=code),
    )
k1, k2 = top.columns([1, 3], vertical_alignment="center")
k1.toggle(
    t("Compensation in kind"),
    **state.bind("ik_on"),
    help=t(
        "Customers get the same coins back, bought after a delay at a price that has moved: "
        "retained losses are scaled by a lognormal price factor."
    ),
)
if state.value("ik_on"):
    parameter_table(k2, regime_state.IN_KIND, t("Parameters of compensation in kind"))

try:
    assumptions = state.strategy_assumptions()
except InputError as err:
    st.error(
        t("These assumptions are not valid:")
        + "\n\n"
        + "\n".join(f"- **{safe(p.column)}**: {safe(t(p.message))}" for p in err.problems)
    )
    st.stop()
except ValueError as err:
    labels = {
        "target": t("Protection target (%)"),
        "capacity_usd": t("Insurance capacity ({unit})").format(unit=d.unit),
        "market_rate_on_line": t("Market rate on line (%)"),
    }
    st.error(
        t("These assumptions are not valid:")
        + "\n\n"
        + "\n".join(f"- {t(p)}" for p in common.field_problems(err, labels))
    )
    st.stop()
st.session_state[common.COMPARE_KEY] = assumptions

ahead = precompute.store().worker
ahead.busy()  # no work ahead while this page runs
try:
    # The point comparison first; unless they are ready (computed ahead), the parameter draws'
    # ranges are computed in the background meanwhile and fill in at the end of the page, so
    # the page is readable while they are computed.
    compare_inputs = common.compare_inputs(profile, spec, assumptions, upload, model_assumptions)
    result = compare_inputs.point(regime)
    agg = compare_inputs.total
except (ValueError, DataValidationError) as err:
    st.error(t("The comparison could not be computed: {error}").format(error=safe(err)))
    st.stop()
ranges_ready = compare_inputs.ranged_ready(regime)
pending_ranges = None if ranges_ready else compare_inputs.ranged_soon(regime)
compare_inputs.projection_soon(regime, int(state.value("cmp_years")))  # for the years below


def ranged_result() -> Comparison | None:
    """The comparison with its ranges (a warning and ``None`` if they cannot be computed)."""
    try:
        if pending_ranges is not None:
            return pending_ranges.result()  # type: ignore[no-any-return]
        return compare_inputs.ranged(regime)
    except (ValueError, DataValidationError) as err:  # the point results still stand
        st.warning(t("The 90% ranges could not be computed: {error}").format(error=safe(err)))
        return None


ranged = ranged_result() if ranges_ready else None

if not presenting:
    st.info(
        t(
            "**Exchange:** {name}: customer assets {assets}, revenue {revenue} a year (change it "
            "on the Exchange profile page). **Loss model:** {rate} thefts per year."
        ).format(
            name=safe(profile.name),
            assets=money(profile.customer_assets_usd, 0),
            revenue=money(profile.annual_revenue_usd, 1),
            rate=f"{result.model.rate:.4f}",
        )
        + " "
        + source_note(upload)
    )

# --- Recommendation ---------------------------------------------------------------------
rec = answer if presenting else st.container()
rec.header(t("Recommendation"))
rec_slots = {
    "text": rec.empty(),
    "metrics": [c.empty() for c in rec.columns(4)],
    "confidence": rec.empty(),
}


def draw_recommendation(res: Comparison) -> None:
    """The recommendation, its headline metrics and confidence (ranges once ``res`` has draws)."""
    top = res.get(res.recommended)
    rec_slots["text"].success(compare_text.recommendation(res))
    m1, m2, m3, m4 = rec_slots["metrics"]
    pending = t("computing the parameter draws…")
    m1.metric(
        t("Cost of risk, recommended"),
        money(top.total_cost, 3),
        help=t("90% range over parameter draws: {range}").format(
            range=interval_text(top.total_cost_interval) if res.n_draws else pending
        ),
    )
    m2.metric(t("% of customer assets"), f"{top.cost_pct_assets:.3f}%")
    m3.metric(t("% of revenue"), f"{top.cost_pct_revenue:.1f}%")
    m4.metric(
        t("P(all compensated)"),
        f"{100 * top.p_full:.2f}%",
        help=t("90% range over parameter draws: {range}").format(
            range=interval_text(top.p_full_interval, amount=False) if res.n_draws else pending
        ),
    )
    confidence = compare_text.confidence_text(res)
    if confidence:
        rec_slots["confidence"].caption(
            t(
                "**Confidence:** {confidence} (each draw of the fitted frequency and severity "
                "parameters re-sizes the reserves and picks the cheapest structure meeting the "
                "target). Cost of risk, 90% range: {cost}; P(all compensated), 90% range: {p}."
            ).format(
                confidence=confidence,
                cost=interval_text(top.total_cost_interval),
                p=interval_text(top.p_full_interval, amount=False),
            )
        )
    else:
        rec_slots["confidence"].caption(pending)


best = result.get(result.recommended)
draw_recommendation(ranged or result)
for s in result.strategies:
    if not s.placeable:
        reason = common.unplaceable_reason(s)
        rec.warning(
            t("{name}: not placeable: {reason}.").format(
                name=strategy_name(s.name), reason=t(reason) if reason else "—"
            )
        )
rec.download_button(
    t("Download the client report (PDF)"),
    lambda: scenario_store.scenario_pdf(session_scenario.scenario(profile.name).to_json()),
    file_name="vaultcover_report.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
    key="cmp_report",
    help=t(
        "Recommendation and why, cost and protection, the regulatory minimum with its formula "
        "and sources, charts, sensitivity and every assumption (takes a minute)."
    ),
)

# --- Cost and protection by strategy ----------------------------------------------------
st.header(t("Cost and protection by strategy"))
left, right = st.columns([3, 2])
plotly_chart(
    plots.cost_components_chart(result, d),
    key="cmp_components",
    filename="vaultcover_cost_components",
    where=answer if presenting else left,
)
table = result.table()
strategy_names = [strategy_name(s) for s in table["strategy"]]
costs = table[["retention", "limit", "reserve", *COST_COMPONENTS, "total_cost"]].apply(d.axis)
costs["technical_premium"] = d.axis([s.technical_premium for s in result.strategies])
row_names = {
    "retention": t("retention"),
    "limit": t("limit"),
    "reserve": t("reserve"),
    **{c: t(plots.COMPONENT_LABELS[c]) for c in COST_COMPONENTS},
    "premium": t("market premium (used)"),
    "technical_premium": t("technical premium (insurer's floor)"),
    "total_cost": t("total"),
}
costs = costs.rename(columns=row_names)
costs.insert(0, "strategy", strategy_names)
costs[t("% of assets")] = table["cost_pct_assets"]
costs[t("% of revenue")] = table["cost_pct_revenue"]
right.caption(t("Structure and yearly cost, {unit}").format(unit=d.unit))
right.dataframe(
    # A reserve-only structure has no retention: a dash, not "None" (formatted as text, since
    # a Styler's na_rep does not reach every cell in the browser).
    costs.set_index("strategy").T.map(lambda v: "—" if pd.isna(v) else f"{v:,.3f}"),
    width="stretch",
    key="cmp_costs",
)
st.subheader(t("Protection"))
protection_slot, ranges_note = st.empty(), st.empty()


def draw_protection(res: Comparison, final: bool) -> None:
    """The protection table (its 90% ranges once ``res`` has draws)."""
    table = res.table()
    pending = "…"
    frame = pd.DataFrame({t("strategy"): [strategy_name(n) for n in table["strategy"]]})
    frame[t("P(all compensated) %")] = 100 * table["p_full"]
    frame[t("P(all compensated), 90% range")] = [
        interval_text(s.p_full_interval, amount=False) if res.n_draws else pending
        for s in res.strategies
    ]
    frame[t("cost of risk, 90% range")] = [
        interval_text(s.total_cost_interval) if res.n_draws else pending for s in res.strategies
    ]
    frame[t("P(compensated promptly) %")] = 100 * table["p_full_prompt"]
    frame[t("expected shortfall, {unit}/yr").format(unit=d.unit)] = d.axis(
        table["expected_shortfall"]
    )
    frame[t("1-in-200 uncompensated, {unit}").format(unit=d.unit)] = d.axis(
        table["var_0.995_uncompensated"]
    )
    met = t("meets {target}% target").format(target=f"{100 * assumptions.target:g}")
    frame[met] = table["meets_target"]
    frame[t("placeable")] = [s.placeable for s in res.strategies]
    frame[t("compliant")] = table["compliant"]
    protection_slot.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key="cmp_protection" if final else None,
        column_config={
            c: st.column_config.NumberColumn(format="%.3f")
            for c in frame.columns
            if frame[c].dtype.kind == "f"
        },
    )
    if res.n_draws:
        ranges_note.caption(
            t(
                "Ranges: the central 90% over {n} draws of the fitted frequency and severity "
                "parameters (seed 1), each strategy's structure held fixed."
            ).format(n=res.n_draws)
        )


draw_protection(ranged or result, final=ranged is not None)
csv = table.copy()
csv.insert(0, "regime", regime)
csv.insert(0, "profile", profile.name)
csv["recommended"] = csv["strategy"] == result.recommended
st.download_button(
    t("Download the strategy table (CSV)"),
    functools.partial(csv.to_csv, index=False),
    file_name=f"vaultcover_compare_{regime}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="cmp_csv",
)


# --- Inspect a structure ----------------------------------------------------------------
compare_inspector.inspector(result, agg, assumptions, d)

# --- Frontier ---------------------------------------------------------------------------
st.header(t("Cost against protection"))
plotly_chart(plots.frontier_chart(result, d), key="cmp_frontier", filename="vaultcover_frontier")
st.caption(
    t(
        "Each grey point is the cheapest retention, limit and reserve that reaches that level "
        "of protection; points to the right protect more and cost more."
    )
)


# --- The reserve over the years -----------------------------------------------------------
@st.fragment
def reserve_years() -> None:
    """The recommended reserve over the years: the number of years reruns only this part of
    the page (a Streamlit fragment)."""
    ahead.busy(1.0)
    st.header(t("The recommended reserve over the next years"))
    years = st.slider(
        t("Years ahead"),
        1,
        10,
        **state.bind("cmp_years"),
        help=t("Each year the reserve pays what it can; it is refilled to its size afterwards."),
    )
    projection = compare_inputs.projection(regime, years)
    y1, y2 = st.columns(2)
    y1.metric(
        t("P(the reserve runs dry within {years} years)").format(years=years),
        f"{100 * projection.p_exhausted[-1]:.2f}%",
        help=t(
            "Share of 20,000 simulated paths in which some year's retained losses exceeded the "
            "reserve (seed 1)."
        ),
    )
    y2.metric(
        t("Expected shortfall to customers over {years} years").format(years=years),
        money(float(projection.expected_shortfall.sum())),
    )
    years_table = projection.table()
    shown_years = years_table[["year"]].rename(columns={"year": t("year")})
    shown_years[t("P(ran dry by this year)")] = years_table["p_exhausted_by_year"]
    for column, label in (
        ("expected_shortfall", "expected shortfall"),
        ("mean_balance", "mean reserve at year end"),
        ("expected_contribution", "expected refill"),
    ):
        shown_years[t(label)] = [money(v) for v in years_table[column]]
    st.dataframe(shown_years, hide_index=True, width="stretch", key="cmp_projection")
    st.caption(
        t(
            "Strategy: {name}; reserve {reserve}; losses net of insurance payments, with disputed "
            "claims left to the reserve."
        ).format(name=strategy_name(best.name), reserve=money(best.reserve))
    )


reserve_years()

# --- Regulatory minimum -----------------------------------------------------------------
rule = result.rule
st.header(t("Regulatory minimum"))
st.markdown(f"**{safe(t(rule.name))}** [{rule.regime}]")
r1, r2, r3 = st.columns(3)
r1.metric(t("Minimum"), money(rule.amount_usd))
r2.metric(t("% of customer assets"), f"{result.minimum_pct_assets:.2f}%")
r3.metric(t("Insurance counts towards it"), t(rule.insurance_counts))
if REGIMES[rule.regime].scenario:
    band = rule.reference_band
    st.warning(
        t(
            "Japan's planned liability reserve is **not law**: its formula has not been "
            "published, so this minimum is a scenario whose assumptions are listed below and "
            "editable above."
        )
        + (
            " "
            + t("The reported range, {low} – {high}, is context only.").format(
                low=locale.money(band[0] / locale.DEFAULT_FX.rate(rule.currency), 0),
                high=locale.money(band[1] / locale.DEFAULT_FX.rate(rule.currency), 0),
            )
            if band
            else ""
        )
    )
if rule.status:
    st.markdown("\n".join(f"- {safe(t(line))}" for line in rule.status))
st.markdown(f"**{t('Formula')}**")
formula(f"{rule.formula}\n= {rule.formula_substituted}")
st.markdown(f"**{t('How insurance counts')}**: {safe(compare_text.counts_text(rule))}")
requirements = compare_text.requirements_table(rule)
if not requirements.empty:
    st.dataframe(requirements, hide_index=True, width="stretch", key="cmp_requirements")
parts = compare_text.components_table(rule)
if not parts.empty:
    st.dataframe(parts, hide_index=True, width="stretch", key="cmp_rule_parts")
for text, passed in rule.checks:
    (st.success if passed else st.error)(
        f"{t('Check')} [{t('pass') if passed else t('FAIL')}] {safe(t(text))}"
    )
sources = st.expander(t("Assumptions, notes and sources"), key="cmp_sources", on_change="rerun")
if sources.open:  # drawn only while open: a few dozen elements fewer on every change
    with sources:
        for line in rule.assumptions:
            st.markdown(f"- {safe(t(line))}")
        for line in compare_text.notes(rule):
            st.markdown(f"- {safe(line)}")
        dated = rule.as_of.isoformat() if rule.as_of else t("not dated in sources")
        st.caption(f"{t('As of')}: {dated}")
        for line in compare_text.sources(rule):
            st.caption(safe(line))

# --- The parameter draws' ranges, filled in above ---------------------------------------------
if not ranges_ready:
    ranged = ranged_result()
    if ranged is not None:
        draw_recommendation(ranged)
        draw_protection(ranged, final=True)

# --- Work ahead: the other regimes for the same inputs, while the user reads -----------------
compare_inputs.ahead(
    [c for c in dict.fromkeys([*also_held(profile, regime), *REGIMES]) if c != regime],
    int(state.value("cmp_years")),
)
ahead.done()
