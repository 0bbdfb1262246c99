"""Insurer quote: a tower of layers over the exchange's loss model, priced as the market would
price it beside the technical premium, calibrated to the user's market quotes, and exported.

Every word goes through :func:`app_pages.locale.t` and every amount is shown (and typed) in the
display currency; ``pricing`` works in USD.
"""

import math

import pandas as pd
import streamlit as st

from app_pages import common, locale, state
from app_pages import quote_market as qm
from pricing import export
from pricing.checks import check_rate_on_line
from pricing.exceptions import DataValidationError, InputError
from pricing.i18n import tr
from pricing.market_quotes import MAX_QUOTES
from pricing.premium import PRINCIPLES
from pricing.quote_data import MARKET_BASIS, PRINCIPLE_LABELS
from pricing.quote_pdf import Money, not_placeable_reason
from pricing.scenario import DEFAULT_EXCLUSIONS, DEFAULT_SUBJECTIVITIES

TOWER_KEY = "tower_frame"  # the editor's rows (USD million), kept across pages
ASSETS_KEY = "tower_assets"  # customer assets the rows were sized for
VERSION_KEY = "tower_version"  # bumps the editor's key when the rows are replaced
EDITED_KEY = "tower_edited"  # the rows differ from the starting tower (for the banner)
QUOTES_KEY = "q_market_quotes"  # the user's market quotes (bound input, USD)
QUOTES_VERSION = "q_mq_version"  # bumps the quote editor's key when the rows are replaced

#: Long texts of the page (message ids of the catalogue).
PAGE_HELP = (
    "An insurer's view of theft cover for the exchange set on the **Exchange profile** page. "
    "Each **layer** pays, for each theft, the part of the loss above its **retention** up to "
    "its **limit** (per theft, in {M}); the insurer takes its **share** of that. "
    "**Reinstatements** is how many times the limit can be used again in the year after a "
    "claim (each at 100% of the upfront premium, pro rata; empty = unlimited). Layers may not "
    "overlap. For each layer: **expected loss** E[L] is the insurer's expected yearly payment; "
    "the **technical premium** adds a risk loading by the chosen principle, then expenses; the "
    "**market premium** is what the market would quote: a market curve by cover type (cold "
    "storage, hot wallets, a wallet provider), at least the minimum rate on line, the minimum "
    "premium, a minimum multiple of the expected loss and the technical premium, plus a "
    "scarcity load as the insured's limit nears the market's capacity; beyond capacity, or "
    "below the minimum retention, the layer is **not placeable**. The market premium is the "
    "quote basis unless a rate on line is entered. The **rate on line** is the upfront premium "
    "÷ the placed limit; the **loss ratio** is E[L] ÷ premium. The 90% range shows how the "
    "premium moves when the loss model's parameters are drawn from their estimated uncertainty."
)
PRINCIPLE_HELP = (
    "How the risk loading of the technical premium is set: expected value (1 + θ) E[L]; "
    "standard deviation E[L] + κ σ; Wang transform of the loss distribution; cost of capital "
    "E[L] + CoC × capital. The table by principle below shows all four."
)
RANGES_HELP = (
    "Prices every layer again under {n} draws of the loss model's parameters (seeded) and "
    "shows the central 90% of the premiums. Takes several seconds per layer."
)
MARKET_CAPTION = (
    "Market terms: curve {curve}; minimum premium {minimum}; at least {multiple}× the "
    "expected loss; capacity {capacity} per insured. Minimum rates on line, minimum premium, "
    "minimum retention and the scarcity load are assumptions (market conventions, no "
    "published figure)."
)
QUOTES_HELP = (
    "Enter 1 to {n} market quotes you have for this exchange (retention, limit and the premium "
    "or the rate on line). The market curve is fitted to them by least squares on the log rate "
    "on line and then prices every layer above; a quote below a cover type's minimum rate on "
    "line lowers that floor."
)
DOWNLOADS_HELP = (
    "CSV: one row per layer with its terms, expected loss, technical and market premium, "
    "placeable, the 90% range and every principle. Excel adds the premium by principle, the "
    "subjectivities and exclusions, every assumption and the inputs, with currency and "
    "percentage formats. PDF: the sheet to send, with the tower diagram. In the display "
    "language and currency."
)

LANG = locale.lang()
CCY = locale.unit()


def t(text: str) -> str:
    """``text`` in the page's language (fixed for the run, so that the format functions of
    the select boxes give the same text whenever they are called)."""
    return tr(text, LANG)


M = qm.million_unit()
money = Money(CCY, LANG)


def pct(x: float, digits: int = 2) -> str:
    """Ratio as a percentage for a metric (``–`` when not a number)."""
    return f"{100 * x:.{digits}f}%" if math.isfinite(x) else "–"


def layer_name(label: str) -> str:
    """A layer's name in the page's language (``Layer 2`` -> ``レイヤー2``)."""
    return t(label)


def tower_editor_key() -> str:
    return f"tower_editor_{st.session_state[VERSION_KEY]}_{CCY}"


def store_edits() -> None:
    """Fold the editor's edits (display currency) into the stored rows (USD million)."""
    edits = qm.edits_to_usd(st.session_state.get(tower_editor_key()) or {})
    st.session_state[TOWER_KEY] = common.apply_edits(st.session_state[TOWER_KEY], edits)
    st.session_state[VERSION_KEY] += 1
    st.session_state[EDITED_KEY] = True


def reset_tower() -> None:
    """Back to the starting tower for the profile."""
    st.session_state[TOWER_KEY] = common.default_tower(common.current_profile())
    st.session_state[VERSION_KEY] += 1
    st.session_state.pop(EDITED_KEY, None)


def quotes_editor_key() -> str:
    return f"mq_editor_{st.session_state[QUOTES_VERSION]}_{CCY}"


def store_quotes() -> None:
    """Fold the quote editor's edits into the stored quotes (USD)."""
    edits = st.session_state.get(quotes_editor_key()) or {}
    shown = qm.quotes_frame(state.value(QUOTES_KEY))
    rows = common.apply_edits(shown, edits) if len(shown) or edits else shown
    state.put(QUOTES_KEY, qm.stored_quotes(rows))
    st.session_state[QUOTES_VERSION] += 1


def clear_quotes() -> None:
    state.put(QUOTES_KEY, ())
    st.session_state[QUOTES_VERSION] += 1


def money_input(column, label: str, key: str, step_usd: float, help_text: str) -> None:
    """A bound USD input (``key``), typed in the display currency."""
    if CCY == "USD":
        column.number_input(label, step=step_usd, help=help_text, **state.bind(key))
        return
    widget = f"{key}_{CCY}"
    st.session_state[widget] = locale.from_usd(float(state.value(key)))

    def changed() -> None:
        state.put(key, locale.to_usd(float(st.session_state[widget])))

    column.number_input(
        label,
        step=float(round(locale.from_usd(step_usd), -3)),
        format="%.0f",
        key=widget,
        on_change=changed,
        help=help_text,
    )


st.title(t("Insurer quote"))
with st.expander(t("How to read this page")):
    st.markdown(t(PAGE_HELP).format(M=M))

profile = common.current_profile()
spec = common.current_spec()
model_assumptions = common.current_assumptions()
upload = common.active_upload()
try:
    model = common.loss_model(profile, spec, model_assumptions, upload)
except (ValueError, DataValidationError) as err:
    st.error(t("The loss model could not be built for this profile: {error}").format(error=err))
    st.stop()
st.info(
    t(
        "**Exchange:** {name}: customer assets {assets}, {hot}% hot, {controls} controls, "
        "{provider} (change it on the Exchange profile page). **Loss model:** {rate} thefts "
        "per year, mean loss per theft {mean}."
    ).format(
        name=t(profile.name),
        assets=money.compact(profile.customer_assets_usd),
        hot=f"{100 * profile.hot_share:g}",
        controls=t(profile.security_level),
        provider=t("a third-party wallet provider")
        if profile.third_party_provider
        else t("no third-party wallet provider"),
        rate=f"{model.rate:.4f}",
        mean=money.compact(model.severity.mean()),
    )
)
issued_note = (
    t("Incident data: the shipped public incident history, every row with its public source.")
    if upload is None
    else t("Incident data: the user's uploaded file.")
)
calibration_note = t(
    "reporting threshold {threshold}; on-level index {index}; count model {model}"
).format(
    threshold=money.whole(spec.threshold),
    index=t(str(spec.on_level)),
    model=t(spec.frequency_model),
)
st.caption(f"{issued_note} {t('Calibration')}: {calibration_note}.")

# The rows are sized to the exchange; a profile of another size starts a new tower.
st.session_state.setdefault(VERSION_KEY, 0)
st.session_state.setdefault(QUOTES_VERSION, 0)
if (
    TOWER_KEY not in st.session_state
    or st.session_state.get(ASSETS_KEY) != profile.customer_assets_usd
):
    st.session_state[TOWER_KEY] = common.default_tower(profile)
    st.session_state[ASSETS_KEY] = profile.customer_assets_usd
    st.session_state[VERSION_KEY] += 1

st.subheader(t("Tower"))
rows = st.data_editor(
    qm.tower_for_display(st.session_state[TOWER_KEY]),
    key=tower_editor_key(),
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    on_change=store_edits,
    column_order=common.TOWER_COLUMNS,
    column_config={
        "retention": st.column_config.NumberColumn(
            f"{t('retention')} ({M})",
            help=t("Per-theft retention (attachment point): the layer pays above this."),
            format="%,.2f",
        ),
        "limit": st.column_config.NumberColumn(
            f"{t('limit')} ({M})", help=t("Per-theft limit of the layer."), format="%,.2f"
        ),
        "share": st.column_config.NumberColumn(
            f"{t('share')} (%)",
            help=t("Insurer's share of the layer (100 = all of it); empty = 100."),
            format="%.1f",
            default=100.0,
        ),
        "reinstatements": st.column_config.NumberColumn(
            t("reinstatements"),
            help=t("Times the limit is reinstated in a year; empty = unlimited."),
            format="%d",
            step=1,
        ),
        "market_rol": st.column_config.NumberColumn(
            f"{t('entered rate on line')} (%)",
            help=t("Optional: price the layer at this quoted rate on line instead."),
            format="%.2f",
        ),
    },
)
rows = st.session_state[TOWER_KEY]  # the stored rows (USD million), edits folded in
st.button(t("Reset the tower"), on_click=reset_tower, key="tower_reset", icon=":material/undo:")

with st.expander(t("Loadings and expenses"), expanded=False):
    a, b, c, d = st.columns(4)
    principle = a.selectbox(
        t("Premium principle"),
        PRINCIPLES,
        format_func=lambda p: t(PRINCIPLE_LABELS.get(p, p)),
        **state.bind("q_principle"),
        help=t(PRINCIPLE_HELP),
    )
    a.number_input(
        t("Expected-value loading θ (%)"),
        step=5.0,
        **state.bind("q_theta"),
        help=t("Loading on E[L] for the expected-value principle."),
    )
    b.number_input(
        t("Standard-deviation multiple κ"),
        step=0.05,
        **state.bind("q_kappa"),
        help=t("Multiple of the loss's standard deviation added to E[L]."),
    )
    b.number_input(
        t("Wang shift λ"),
        step=0.05,
        **state.bind("q_wang"),
        help=t("Shift of the Wang (1996) transform; 0 gives E[L]."),
    )
    c.number_input(
        t("Cost of capital (% per year)"),
        step=0.5,
        **state.bind("q_coc"),
        help=t("Rate on the capital held, VaR 99.5% − E[L]; Solvency II uses 6%."),
    )
    c.number_input(
        t("Expense ratio (% of premium)"),
        step=1.0,
        **state.bind("q_expense"),
        help=t("Commission and variable expenses as a share of the premium."),
    )
    money_input(
        d,
        f"{t('Fixed expense')} ({CCY} {t('per layer-year')})",
        "q_fixed",
        5_000.0,
        t("Underwriting and policy costs per layer and year."),
    )
    money_input(
        d,
        f"{t('Minimum premium')} ({CCY} {t('per layer-year')})",
        "q_minimum",
        5_000.0,
        t("No layer's technical premium is below this."),
    )

problems = []
try:
    loadings = state.loadings()
except ValueError as err:
    problems.append(f"{t('Loadings')}: {err}")
try:
    tower, rates = common.tower_from_rows(rows)
except ValueError as err:
    problems += [t(line) for line in str(err).splitlines()]
if problems:
    st.error(
        t("The tower cannot be priced until these are fixed:")
        + "\n\n"
        + "\n".join(f"- {p}" for p in problems)
    )
    st.stop()

# The market curve: the defaults, or fitted to the user's quotes (entered further down).
stored_quotes = state.value(QUOTES_KEY) or ()
quote_problems: list[str] = []
fit = None
if stored_quotes:
    try:
        parsed = qm.parse_quotes(stored_quotes)
        fit = qm.curve_fit(profile, spec, parsed, state.value("q_curve"), upload, model_assumptions)
    except InputError as err:
        quote_problems = [
            (f"{t('Row {n}').format(n=p.line)}: " if p.line else "")
            + (f"**{t(qm.QUOTE_LABELS.get(p.column, p.column))}** " if p.column else "")
            + t(p.message)
            for p in err.problems
        ]
terms = qm.fitted_terms(fit)

try:
    quote = qm.market_tower(
        profile, spec, tower, loadings, principle, rates, terms, upload, model_assumptions
    )
except ValueError as err:
    st.error(t("The tower could not be priced: {error}").format(error=err))
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
        meaningless += [f"**{t(p.field)}**: {t(p.message)}" for p in err.problems]
if meaningless:
    st.error(
        t("The tower cannot be quoted as it stands:")
        + "\n\n"
        + "\n".join(f"- {m}" for m in meaningless)
    )
    st.stop()

show_ranges = st.toggle(
    t("Show 90% ranges (parameter uncertainty)"),
    **state.bind("q_ranges"),
    help=t(RANGES_HELP).format(n=qm.N_DRAWS),
)
if show_ranges:
    with st.spinner(t("Pricing each layer for each parameter draw…")):
        ranges = qm.premium_ranges(
            profile, spec, tower, loadings, principle, rates, terms, upload, model_assumptions
        )
    quote = qm.with_ranges(quote, ranges)

placed = [q for q in quote.quotes if q.placeable]
total_premium = sum(q.premium for q in placed)
total_loss = quote.total_expected_loss
m1, m2, m3, m4 = st.columns(4)
m1.metric(
    f"{t('Expected loss of the tower')} ({CCY} {t('per year')})",
    money.compact(total_loss),
    help=t("Sum of the layers' expected yearly payments (insurer's shares)."),
)
m2.metric(
    f"{t('Premium of the tower')} ({CCY} {t('per year')})",
    money.compact(total_premium),
    help=t("Sum of the quoted premiums of the layers the market would place."),
)
m3.metric(
    t("Tower loss ratio"),
    pct(sum(q.expected_loss for q in placed) / total_premium if total_premium > 0 else math.nan),
    help=t("Expected loss ÷ premium of the placed layers."),
)
m4.metric(
    t("Layers"),
    f"{len(quote.quotes)}",
    help=t("{n} of them not placeable").format(n=len(quote.quotes) - len(placed)),
)
for q in quote.quotes:
    if not q.placeable:
        st.warning(
            f"**{layer_name(q.layer.label)}**: {t('not placeable')}: "
            f"{not_placeable_reason(q, money, t)}",
            icon=":material/block:",
        )

table = pd.DataFrame(
    [
        {
            "layer": layer_name(q.layer.label),
            "cover_type": t(q.market.cover_type) if q.market else "–",
            "retention": locale.from_usd(q.layer.retention),
            "limit": locale.from_usd(q.layer.limit),
            "share": q.layer.share,
            "expected_loss": locale.from_usd(q.expected_loss),
            "technical_premium": locale.from_usd(q.technical_premium),
            "market_premium": locale.from_usd(q.market.premium)
            if q.market is not None and q.placeable
            else math.nan,
            "principle": t(q.basis),
            "premium": locale.from_usd(q.premium),
            "premium_low": locale.from_usd(q.premium_interval[0])
            if q.premium_interval
            else math.nan,
            "premium_high": locale.from_usd(q.premium_interval[1])
            if q.premium_interval
            else math.nan,
            "rate_on_line": q.rate_on_line,
            "loss_ratio": q.loss_ratio,
            "placeable": q.placeable,
            "market_term": t(MARKET_BASIS.get(q.market.basis, q.market.basis))
            if q.market is not None and q.placeable
            else "–",
            "minimum_rate_on_line": q.market.minimum_rate_on_line if q.market else math.nan,
            "capacity_share": q.market.capacity_share if q.market else math.nan,
            "scarcity_load": q.market.scarcity_load if q.market else math.nan,
            "p_attach": q.loss.p_attach,
            "p_exhaust": q.loss.p_exhaust_occurrence,
        }
        for q in quote.quotes
    ]
)
if not show_ranges:
    table = table.drop(columns=["premium_low", "premium_high"])
amount = "%,.0f"
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    key="tower_table",
    column_config={
        "layer": st.column_config.TextColumn(t("layer")),
        "cover_type": st.column_config.TextColumn(t("cover type")),
        "retention": st.column_config.NumberColumn(f"{t('retention')} ({CCY})", format=amount),
        "limit": st.column_config.NumberColumn(f"{t('limit')} ({CCY})", format=amount),
        "share": st.column_config.NumberColumn(t("share"), format="percent"),
        "expected_loss": st.column_config.NumberColumn(
            f"{t('expected loss')} ({CCY})", format=amount
        ),
        "technical_premium": st.column_config.NumberColumn(
            f"{t('technical premium')} ({CCY})", format=amount
        ),
        "market_premium": st.column_config.NumberColumn(
            f"{t('market premium')} ({CCY})", format=amount
        ),
        "principle": st.column_config.TextColumn(t("quote basis")),
        "premium": st.column_config.NumberColumn(f"{t('premium')} ({CCY})", format=amount),
        "premium_low": st.column_config.NumberColumn(
            f"{t('90% range, low')} ({CCY})", format=amount
        ),
        "premium_high": st.column_config.NumberColumn(
            f"{t('90% range, high')} ({CCY})", format=amount
        ),
        "rate_on_line": st.column_config.NumberColumn(t("rate on line"), format="percent"),
        "loss_ratio": st.column_config.NumberColumn(t("loss ratio"), format="percent"),
        "placeable": st.column_config.CheckboxColumn(t("placeable")),
        "market_term": st.column_config.TextColumn(t("binding market term")),
        "minimum_rate_on_line": st.column_config.NumberColumn(
            t("minimum rate on line"), format="percent"
        ),
        "capacity_share": st.column_config.NumberColumn(t("capacity used"), format="percent"),
        "scarcity_load": st.column_config.NumberColumn(t("scarcity load"), format="percent"),
        "p_attach": st.column_config.NumberColumn(t("P(attach)"), format="%.4f"),
        "p_exhaust": st.column_config.NumberColumn(t("P(exhaust)"), format="%.4f"),
    },
)
st.caption(
    t(MARKET_CAPTION).format(
        curve=terms.cover("cold").curve.describe()
        if fit is None
        else t("fitted to your quotes: {curve}").format(curve=fit.curve.describe()),
        minimum=money.whole(terms.minimum_premium_usd),
        capacity=money.compact(terms.capacity.per_insured_usd),
        multiple=f"{terms.minimum_multiple:g}",
    )
)

st.subheader(t("One layer in detail"))
labels = [q.layer.label for q in quote.quotes]
chosen = st.selectbox(t("Layer"), labels, key="q_layer", format_func=layer_name)
q = quote.quotes[labels.index(chosen) if chosen in labels else 0]
lay = q.layer
reinstated = (
    t("unlimited reinstatements")
    if lay.reinstatements is None
    else t("{n} reinstatement(s), annual limit {limit}").format(
        n=lay.reinstatements, limit=money.compact(lay.annual_limit)
    )
)
st.caption(
    t("{layer}: {limit} per theft above {retention}, {share}% placed, {reinstated}.").format(
        layer=layer_name(lay.label),
        limit=money.compact(lay.limit),
        retention=money.compact(lay.retention),
        share=f"{100 * lay.share:g}",
        reinstated=reinstated,
    )
)
d1, d2, d3, d4 = st.columns(4)
d1.metric(
    f"{t('Expected loss')} ({CCY} {t('per year')})",
    money.compact(q.expected_loss),
    help=t("E[L], the insurer's share."),
)
d2.metric(
    f"{t('Standard deviation')} ({CCY})",
    money.compact(q.loss.std),
    help=t("σ[L] of the yearly payment."),
)
d3.metric(
    t("P(attach)"),
    f"{q.loss.p_attach:.4f}",
    help=t("At least one theft reaches the retention."),
)
d4.metric(
    t("P(exhaust)"),
    f"{q.loss.p_exhaust_occurrence:.4f}",
    help=t("At least one theft uses up the per-theft limit."),
)
e1, e2, e3, e4 = st.columns(4)
e1.metric(
    f"{t('Technical premium')} ({CCY} {t('per year')})",
    money.compact(q.technical_premium),
    help=t("By the {principle} principle: the insurer's floor.").format(
        principle=t(PRINCIPLE_LABELS[q.principle])
    ),
)
e2.metric(
    f"{t('Market premium')} ({CCY} {t('per year')})",
    money.compact(q.market.premium) if q.market is not None and q.placeable else t("not placeable"),
    help=t("What the market would quote: the curve, its floors and the capacity load."),
)
e3.metric(
    f"{t('Quoted premium')} ({CCY} {t('per year')})",
    money.compact(q.premium) if q.placeable else "–",
    help=t("Quote basis: {basis}.").format(basis=t(q.basis)),
)
e4.metric(
    t("90% range"),
    (
        f"{money.compact(q.premium_interval[0])} – {money.compact(q.premium_interval[1])}"
        if q.premium_interval
        else "–"
    ),
    help=t("Premium over parameter draws; turn on the ranges above."),
)
if q.market is not None:
    mk = q.market
    f1, f2, f3, f4 = st.columns(4)
    f1.metric(
        t("Binding market term"),
        t(MARKET_BASIS.get(mk.basis, mk.basis)) if q.placeable else t("not placeable"),
        help=t("The largest of the curve premium and the market's floors."),
    )
    f2.metric(
        t("Minimum rate on line"),
        pct(mk.minimum_rate_on_line),
        help=t("Floor for this cover type ({cover}).").format(cover=t(mk.cover_type)),
    )
    f3.metric(
        t("Capacity used"),
        pct(mk.capacity_share, 0),
        help=t("The insured's limit up to this layer's top ÷ capacity {cap}.").format(
            cap=money.compact(mk.capacity_available)
        ),
    )
    f4.metric(
        t("Scarcity load"),
        pct(mk.scarcity_load, 1),
        help=t("Added as the insured's limit approaches the market's capacity."),
    )
    if not q.placeable:
        st.warning(f"{t('not placeable')}: {not_placeable_reason(q, money, t)}")
st.markdown(f"**{t('Technical premium by principle')}** ({CCY} {t('per year')})")
principles = q.table()
principles = principles[principles["principle"] != "market"].assign(
    principle=lambda f: f["principle"].map(lambda p: t(PRINCIPLE_LABELS.get(p, p))),
    risk_premium=lambda f: f["risk_premium"].map(locale.from_usd),
    gross_premium=lambda f: f["gross_premium"].map(locale.from_usd),
)
st.dataframe(
    principles,
    hide_index=True,
    width="stretch",
    key="principles_table",
    column_config={
        "principle": st.column_config.TextColumn(t("principle")),
        "risk_premium": st.column_config.NumberColumn(t("risk premium"), format=amount),
        "gross_premium": st.column_config.NumberColumn(t("technical premium"), format=amount),
        "rate_on_line": st.column_config.NumberColumn(t("rate on line"), format="percent"),
        "loss_ratio": st.column_config.NumberColumn(t("loss ratio"), format="percent"),
        "minimum_applied": st.column_config.CheckboxColumn(t("minimum premium applied")),
    },
)

st.subheader(t("Market quotes"))
st.caption(t(QUOTES_HELP).format(n=MAX_QUOTES))
q1, q2 = st.columns([3, 1])
q1.data_editor(
    qm.quotes_frame(stored_quotes),
    key=quotes_editor_key(),
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    on_change=store_quotes,
    column_config={
        "retention": st.column_config.NumberColumn(f"{t('retention')} ({M})", format="%,.2f"),
        "limit": st.column_config.NumberColumn(f"{t('limit')} ({M})", format="%,.2f"),
        "premium": st.column_config.NumberColumn(
            f"{t('premium')} ({M} {t('per year')})",
            format="%,.3f",
            help=t("Give the premium or the rate on line, not both."),
        ),
        "rate_on_line": st.column_config.NumberColumn(f"{t('rate on line')} (%)", format="%.3f"),
    },
)
q2.selectbox(
    t("Market curve family"),
    ("ph", "wang"),
    format_func=lambda f: t({"ph": "proportional hazard", "wang": "Wang transform"}[f]),
    **state.bind("q_curve"),
    help=t("Proportional hazard g(s) = s^p, or the Wang transform."),
)
q2.button(t("Clear the quotes"), on_click=clear_quotes, key="mq_clear", icon=":material/delete:")
if quote_problems:
    st.error(
        t("These market quotes cannot be used until fixed:")
        + "\n\n"
        + "\n".join(f"- {p}" for p in quote_problems)
    )
elif fit is not None:
    st.success(
        t("Curve fitted to {n} quote(s): {curve}; RMSE of log rate on line {rmse}.").format(
            n=len(fit.quotes), curve=fit.curve.describe(), rmse=f"{fit.rmse:.3f}"
        )
    )
    residuals = fit.table()
    residuals = residuals.assign(
        line=residuals["line"].map(lambda n: t("Row {n}").format(n=n)),
        retention=residuals["retention"].map(locale.from_usd),
        limit=residuals["limit"].map(locale.from_usd),
    )
    st.dataframe(
        residuals,
        hide_index=True,
        width="stretch",
        key="fit_table",
        column_config={
            "line": st.column_config.TextColumn(t("quote")),
            "retention": st.column_config.NumberColumn(f"{t('retention')} ({CCY})", format=amount),
            "limit": st.column_config.NumberColumn(f"{t('limit')} ({CCY})", format=amount),
            "quoted_rate_on_line": st.column_config.NumberColumn(
                t("quoted rate on line"), format="percent"
            ),
            "fitted_rate_on_line": st.column_config.NumberColumn(
                t("fitted rate on line"), format="percent"
            ),
            "log_residual": st.column_config.NumberColumn(t("log residual"), format="%.3f"),
        },
    )

st.subheader(t("Quote sheet"))
t1, t2 = st.columns([3, 1])
client = t1.text_input(
    t("Insured"),
    **state.bind("q_client"),
    placeholder=t(profile.name),
    help=t("The insured's legal name as it should appear on the quote sheet."),
)
validity = t2.number_input(
    t("Valid for (days)"), min_value=1, max_value=365, step=1, **state.bind("q_validity")
)
t3, t4 = st.columns(2)
subjectivities = t3.text_area(
    t("Subjectivities (one per line)"),
    **state.bind("q_subjectivities", t(DEFAULT_SUBJECTIVITIES)),
    height=150,
    help=t("Conditions the quote is subject to; printed on the quote sheet."),
)
exclusions = t4.text_area(
    t("Main exclusions (one per line)"),
    **state.bind("q_exclusions", t(DEFAULT_EXCLUSIONS)),
    height=150,
    help=t("The main exclusions of the cover; printed on the quote sheet."),
)
sheet_terms = export.QuoteTerms.from_text(
    subjectivities, exclusions, validity_days=int(validity), insured=client
)
lang = LANG
slug = "".join(ch if ch.isalnum() else "_" for ch in profile.name.strip().lower())
x1, x2, x3 = st.columns(3)
x1.download_button(
    t("Download CSV"),
    export.quote_sheet_csv(quote, profile, terms=sheet_terms, currency=CCY),
    file_name=f"quote_{slug}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="quote_csv",
)
x2.download_button(
    t("Download Excel (XLSX)"),
    export.quote_sheet_xlsx(
        quote,
        profile,
        model,
        calibration=calibration_note,
        source=issued_note,
        terms=sheet_terms,
        lang=lang,
        currency=CCY,
    ),
    file_name=f"quote_{slug}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
    icon=":material/download:",
    key="quote_xlsx",
)
x3.download_button(
    t("Download PDF quote sheet"),
    lambda: export.quote_sheet_pdf(
        quote,
        profile,
        model,
        calibration=calibration_note,
        source=issued_note,
        terms=sheet_terms,
        lang=lang,
        currency=CCY,
    ),
    file_name=f"quote_{slug}.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/download:",
    key="quote_pdf",
)
st.caption(
    t("Reference {reference}, valid until {date}.").format(
        reference=sheet_terms.quote_reference(quote, profile),
        date=sheet_terms.valid_until().isoformat(),
    )
    + " "
    + t(DOWNLOADS_HELP)
)
