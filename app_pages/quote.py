"""Insurer quote: a tower of layers over the exchange's loss model, priced as the market would
price it beside the technical premium, calibrated to the user's market quotes, and exported.

Every word goes through :func:`app_pages.locale.t` and every amount is shown (and typed) in the
display currency; ``pricing`` works in USD.
"""

import functools
import math

import streamlit as st

from app_pages import common, locale, quote_view, state
from app_pages import quote_market as qm
from app_pages.page_text import EMPTY
from app_pages.quote_view import (
    DOWNLOADS_HELP,
    PAGE_HELP,
    PRINCIPLE_HELP,
    QUOTES_HELP,
    RANGES_HELP,
    pct,
)
from pricing import export
from pricing.checks import check_rate_on_line
from pricing.exceptions import DataValidationError, InputError
from pricing.i18n import tr
from pricing.market_quotes import MAX_QUOTES
from pricing.premium import PRINCIPLES
from pricing.quote_data import PRINCIPLE_LABELS
from pricing.quote_pdf import Money, not_placeable_reason
from pricing.scenario import DEFAULT_EXCLUSIONS, DEFAULT_SUBJECTIVITIES

TOWER_KEY = "tower_frame"  # the editor's rows (USD million), kept across pages
ASSETS_KEY = "tower_assets"  # customer assets the rows were sized for
VERSION_KEY = "tower_version"  # bumps the editor's key when the rows are replaced
EDITED_KEY = "tower_edited"  # the rows differ from the starting tower (for the banner)
QUOTES_KEY = "q_market_quotes"  # the user's market quotes (bound input, USD)
QUOTES_VERSION = "q_mq_version"  # bumps the quote editor's key when the rows are replaced


LANG = locale.lang()
CCY = locale.unit()


def t(text: str) -> str:
    """``text`` in the page's language (fixed for the run, so that the format functions of
    the select boxes give the same text whenever they are called)."""
    return tr(text, LANG)


M = qm.million_unit()
money = Money(CCY, LANG)


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
    placeholder=EMPTY,
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

quote_view.tower_table(quote, terms, fit, show_ranges, t, money)
quote_view.tower_diagram(quote, money, t)
amount = "%,.0f"
q = quote_view.layer_detail(quote, t, money)

st.subheader(t("Market quotes"))
st.caption(t(QUOTES_HELP).format(n=MAX_QUOTES))
q1, q2 = st.columns([3, 1])
q1.data_editor(
    qm.quotes_frame(stored_quotes),
    key=quotes_editor_key(),
    placeholder=EMPTY,
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
        placeholder=EMPTY,
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
    functools.partial(export.quote_sheet_csv, quote, profile, terms=sheet_terms, currency=CCY),
    file_name=f"quote_{slug}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="quote_csv",
)
x2.download_button(
    t("Download Excel (XLSX)"),
    functools.partial(
        export.quote_sheet_xlsx,
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
