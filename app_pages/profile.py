"""Exchange profile: presets or custom fields, saved and loaded as JSON, and its loss model."""

import streamlit as st

from app_pages import common, locale, state
from app_pages.chart import plotly_chart
from app_pages.locale import t
from app_pages.page_text import EMPTY, assumption_rows, formula, plain
from pricing.exceptions import DataValidationError
from pricing.export import format_value
from pricing.profiles import (
    FIELDS,
    JURISDICTIONS,
    PRESETS,
    PROVIDER_FIELDS,
    SECURITY_LEVELS,
    ExchangeProfile,
    split_providers,
)
from pricing.providers import IN_HOUSE, PROVIDER_CONTROLS

PRESET_KEY = "pf_preset"
UPLOAD_KEY = "profile_upload"  # pending upload: {"bytes": ..., "name": ...}
MESSAGE_KEY = "profile_upload_message"
INFO = {f.name: f for f in FIELDS + PROVIDER_FIELDS}
CONTROL_LABELS = {"hot": "hot wallets only", "hot_and_cold": "hot and cold wallets"}
#: Fields entered as an amount of money (USD million when the display currency is USD).
AMOUNTS = ("customer_assets_usd", "annual_revenue_usd")
PRESET_NAMES = {p.name for p in PRESETS.values()}


def key(name: str) -> str:
    """Widget key of a profile field."""
    return f"pf_{name}"


def preset_of(profile: ExchangeProfile) -> str:
    """Name of the preset equal to the profile, else "custom"."""
    return next((k for k, p in PRESETS.items() if p == profile), "custom")


def fill_fields(profile: ExchangeProfile) -> None:
    """Write a profile into the field widgets (only before they are drawn, or in a callback)."""
    for name, value in state.profile_widgets(profile).items():
        state.set_value(name, value)


def rename_if_preset() -> None:
    """A profile that is no longer a preset must not keep the preset's name (exports)."""
    name = str(state.value(key("name")))
    if name in PRESET_NAMES:
        state.set_value(key("name"), f"{name} (custom)")


def apply_preset() -> None:
    """Preset chosen: copy its values into the fields; "custom" renames the profile."""
    choice = st.session_state[PRESET_KEY]
    if choice in PRESETS:
        fill_fields(PRESETS[choice])
        state.forget("regime")  # the regime follows the preset's jurisdiction
    else:
        rename_if_preset()


def to_custom() -> None:
    """The profile is now a custom one: the preset choice above the fields changes, so the
    whole page is drawn again (else only the fields and the loss model, a fragment)."""
    was = state.value(PRESET_KEY)
    state.set_value(PRESET_KEY, "custom")
    if was != "custom":
        st.rerun()


def mark_custom() -> None:
    """A field was edited by hand: the profile is now a custom one."""
    rename_if_preset()
    to_custom()


def jurisdiction_changed() -> None:
    """A new jurisdiction: the regime follows it (the user's earlier pick is dropped)."""
    state.forget("regime")
    mark_custom()


def field(name: str, **extra: object) -> dict[str, object]:
    """Keyword arguments of a profile field's widget (bound to the session's inputs)."""
    return state.bind(key(name), on_change=extra.pop("on_change", mark_custom)) | extra


def amount_unit() -> tuple[float, str]:
    """The unit amounts are typed in: 億円 (10^8 yen) for yen, else millions of the currency."""
    ccy = locale.currency()
    if ccy == "JPY":
        return 1e8, t("JPY 100 million")
    return 1e6, t("{currency} million").format(currency=ccy)


def label(name: str) -> str:
    """A field's label with its unit, in the page's language and display currency."""
    info = INFO[name]
    if name in AMOUNTS:
        return f"{t(info.label)} ({amount_unit()[1]})"
    return f"{t(info.label)} ({t(info.unit)})" if info.scale else t(info.label)


def amount_input(column, name: str, step: float) -> None:  # type: ignore[no-untyped-def]
    """An amount field. The profile keeps USD (its widget, in USD million, is the bound
    input); in another display currency the user types in that currency and the USD value
    follows at the shipped FX rate."""
    if locale.currency() == "USD":
        column.number_input(
            label(name), min_value=0.0, step=step, **field(name), help=t(INFO[name].help)
        )
        return
    size, _ = amount_unit()
    shown = f"{key(name)}_in_{locale.currency()}"
    st.session_state[shown] = round(locale.from_usd(float(state.value(key(name))) * 1e6) / size, 6)

    def typed() -> None:
        usd_m = locale.to_usd(float(st.session_state[shown]) * size) / 1e6
        state.set_value(key(name), round(usd_m, 9))
        mark_custom()

    column.number_input(
        label(name),
        min_value=0.0,
        key=shown,
        on_change=typed,
        help=t(INFO[name].help)
        + " "
        + t("Converted to USD at the shipped FX rate; the model works in USD."),
    )


def stage_upload() -> None:
    """The uploader received a file: keep its bytes until the next run applies them."""
    file = st.session_state.get("profile_file")
    if file is not None:
        st.session_state[UPLOAD_KEY] = {"bytes": file.getvalue(), "name": file.name}


# A staged upload replaces the fields before any widget is drawn (AppTest sets it directly).
pending = st.session_state.pop(UPLOAD_KEY, None)
if pending:
    try:
        loaded = common.parse_profile(pending["bytes"])
    except ValueError as err:
        st.session_state[MESSAGE_KEY] = ("error", f"{pending['name']} was not loaded: {err}")
    else:
        fill_fields(loaded)
        state.set_value(PRESET_KEY, preset_of(loaded))
        state.forget("regime")
        st.session_state[MESSAGE_KEY] = ("success", f"Loaded {loaded.name} from {pending['name']}.")

current = common.current_profile()

st.title(t("Exchange profile"))
with st.expander(t("How to read this page")):
    st.markdown(
        t(
            "Describe the exchange: start from a **preset** (illustrative exchanges whose "
            "values are assumptions, not data about a named firm) and change any field, or load "
            "a profile file saved earlier. Amounts are in the display currency chosen in the "
            "sidebar, shares and rates in **%**; hover the ⓘ of a field for what it does. "
            "Below, the **loss model** of this exchange: how often it is expected to be hit and "
            "how much a theft would cost, built from the fitted incident history and the "
            "assumptions listed in the table (each row says where its value comes from). The "
            "**1-in-200** loss is the yearly loss exceeded with probability 0.5% (VaR 99.5%); "
            "**TVaR** is the average loss in those worst 0.5% of years. Every other page uses "
            "the profile set here."
        )
    )

st.radio(
    t("Start from"),
    list(state.PRESET_LABELS),
    **state.bind(PRESET_KEY, on_change=apply_preset),
    horizontal=True,
    format_func=locale.labels(state.PRESET_LABELS).get,
    help=t(
        "Choosing a preset overwrites the fields below with its values; editing a field "
        "switches to Custom. The Japanese presets hold about ¥20bn, ¥300bn and ¥1tn of "
        "customer assets."
    ),
)
files = st.expander(t("Load or save a profile file (JSON)"))
files.file_uploader(
    t("Load a profile"),
    type=["json"],
    key="profile_file",
    on_change=stage_upload,
    help=t(
        "A JSON file saved from this page (or by ExchangeProfile.save): one object with "
        "every field. Unknown or missing fields are named in the error."
    ),
)
message = st.session_state.get(MESSAGE_KEY)
if message:
    (files.error if message[0] == "error" else files.success)(message[1])


@st.fragment
def fields_and_model() -> None:
    """The profile's fields and its loss model: a field edited reruns only this part of the
    page (a Streamlit fragment) and the banner of changes, which it draws."""
    state.page_banner()
    a, b, c = st.columns(3)
    a.text_input(
        t("Name"),
        **field("name", on_change=to_custom),
        help=t(INFO["name"].help),
    )
    amount_input(a, "customer_assets_usd", step=10.0)
    amount_input(a, "annual_revenue_usd", step=1.0)
    b.number_input(
        label("hot_share"),
        min_value=0.0,
        max_value=100.0,
        step=0.5,
        **field("hot_share"),
        help=t(INFO["hot_share"].help),
    )
    b.selectbox(
        label("security_level"),
        SECURITY_LEVELS,
        **field("security_level"),
        format_func=locale.labels(SECURITY_LEVELS).get,
        help=t(INFO["security_level"].help),
    )
    b.checkbox(
        label("third_party_provider"),
        **field("third_party_provider"),
        help=t(INFO["third_party_provider"].help),
    )
    b.text_input(
        label("signing_providers"),
        **field("signing_providers"),
        help=t(INFO["signing_providers"].help) + " " + t("Several names: separate them with ';'."),
    )
    b.selectbox(
        label("provider_controls"),
        PROVIDER_CONTROLS,
        **field("provider_controls"),
        format_func=locale.labels(CONTROL_LABELS).get,
        help=t(INFO["provider_controls"].help),
    )
    b.selectbox(
        label("jurisdiction"),
        JURISDICTIONS,
        **field("jurisdiction", on_change=jurisdiction_changed),
        help=t(INFO["jurisdiction"].help),
    )
    for name in ("cost_of_capital", "reserve_yield", "tax_rate"):
        c.number_input(
            label(name),
            min_value=0.0 if name == "tax_rate" else -5.0,
            max_value=100.0,
            step=0.5,
            **field(name),
            help=t(INFO[name].help),
        )

    try:
        profile = ExchangeProfile(
            **{f.name: state.profile_value(f.name, state.value(key(f.name))) for f in FIELDS},
            signing_providers=split_providers(state.value(key("signing_providers"))),
            provider_controls=state.value(key("provider_controls")),
        )
    except ValueError as err:
        st.error(
            t("This profile is not valid, so no loss model is shown:")
            + "\n\n"
            + "\n".join(
                f"- {line}"
                for line in common.field_problems(err, {f.name: label(f.name) for f in FIELDS})
            )
            + "\n\n"
            + t("The other pages keep using the last valid profile, *{name}*.").format(
                name=common.md(current.name)
            )
        )
        return

    st.session_state[common.PROFILE_KEY] = profile
    files.download_button(
        t("Save this profile (JSON)"),
        lambda: profile.to_json() + "\n",  # made on the click: an edit sends no new file
        file_name=f"{profile.name.strip().lower().replace(' ', '_')}.json",
        mime="application/json",
        on_click="ignore",
        icon=":material/download:",
        key="profile_download",
    )

    st.header(t("Loss model of this exchange"))
    upload = common.active_upload()
    spec = common.current_spec()
    model_assumptions = common.current_assumptions()
    try:
        model = common.loss_model(profile, spec, model_assumptions, upload)
        agg = common.aggregate_loss(profile, spec, model_assumptions, upload)
    except (ValueError, DataValidationError) as err:
        st.error(t("The loss model could not be built for this profile:") + f" {err}")
        return

    st.caption(
        f"{t(common.data_source_note(upload))} {t('Calibration')}: {t(common.describe_spec(spec))} "
        + t("(change it on the Loss model page).")
    )

    st.markdown(
        "\n".join(
            f"- {common.md(line)}"
            for line in common.loss_model_words(
                profile, spec, model_assumptions, upload, locale.currency(), locale.lang()
            )
        )
    )
    # The cache hands each run its own copy of the table, changed in place below.
    var, tvar, periods = common.loss_measures(profile, spec, model_assumptions, upload)
    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric(
        t("Expected thefts per year"),
        f"{model.rate:.4f}",
        help=t(
            "λ in the table below: the average-exchange rate times the size, hot-share, "
            "security and provider factors; about one theft every {years} years."
        ).format(years=f"{1 / model.rate:,.0f}"),
    )
    m2.metric(
        t("Mean loss per theft"),
        locale.money(model.severity.mean()),
        help=t(
            "Mean of the fitted loss size, scaled to this exchange and capped at what an attack "
            "can reach (the caps in the table)."
        ),
    )
    m3.metric(
        t("Expected yearly loss"),
        locale.money(agg.mean(), digits=3),
        help=t("Expected thefts per year × mean loss per theft."),
    )
    m4.metric(
        t("1-in-200 yearly loss"),
        locale.money(var, digits=1),
        help=t("VaR 99.5%: the yearly loss exceeded with probability 0.5%."),
    )
    m5.metric(
        t("TVaR 99.5%"),
        locale.money(tvar, digits=1),
        help=t("Average yearly loss in the worst 0.5% of years."),
    )

    plotly_chart(
        common.profile_exceedance_chart(
            profile,
            spec,
            model_assumptions,
            upload,
            t("1-in-200 loss"),
            t("Yearly loss exceedance: {name}").format(name=profile.name),
            locale.currency(),
            locale.lang(),
        ),
        key="exceedance",
    )
    left, right = st.columns([3, 2])
    left.subheader(t("Assumptions and where they come from"))
    assumptions_shown = (
        model.assumption_table().assign(value=lambda table: table["value"].map(format_value))
        if plain()
        else assumption_rows(model.assumption_table())
    )
    left.dataframe(
        assumptions_shown,
        hide_index=True,
        width="stretch",
        key="assumptions",
        column_config={} if plain() else {c: t(c) for c in assumptions_shown.columns},
    )
    # Amounts in the unit they are typed in (億円 for yen, else millions of the currency), with
    # two decimals below 100 units, one below 1,000, none above: numbers, so the table sorts.
    size, unit_name = amount_unit()
    right.subheader(t("Losses by return period ({currency})").format(currency=unit_name))
    amount_format = {}
    for column in ("aep_loss", "tvar", "oep_loss"):
        periods[column] = periods[column].map(locale.from_usd) / size
        top = periods[column].abs().max()
        amount_format[column] = f"%,.{0 if top >= 1e3 else 1 if top >= 1e2 else 2}f"
    right.dataframe(
        periods,
        hide_index=True,
        width="stretch",
        key="return_periods",
        placeholder=EMPTY,
        column_config={
            "return_period": st.column_config.NumberColumn(t("1 in … years"), format="%d"),
            "probability": st.column_config.NumberColumn(t("yearly probability"), format="%.3f"),
            **{
                column: st.column_config.NumberColumn(label, format=amount_format[column])
                for column, label in (
                    ("aep_loss", t("yearly loss")),
                    ("tvar", "TVaR"),
                    ("oep_loss", t("largest theft")),
                )
            },
        },
    )
    with st.expander(t("The formula of one theft's size")):
        st.caption(
            t(
                "A mixture of the attack routes, each capped at what it can reach: weight × "
                "min(fitted loss size given it was reported, cap)."
            )
        )
        formula(model.severity.describe())
    for note in model.notes:
        st.caption(t(note))

    vendors = [p for p in profile.signing_providers if p.lower() != IN_HOUSE]
    if vendors:
        st.subheader(t("Incident history of this exchange's providers"))
        history = common.provider_history(upload)
        history = history[history["provider"].str.lower().isin({p.lower() for p in vendors})]
        if history.empty:
            none_text = t(
                "No incident in the data names {names} as the provider in the signing path."
            )
            st.caption(none_text.format(names=", ".join(vendors)))
        else:
            for column in ("total_loss_usd", "largest_loss_usd"):
                history[column] = history[column].map(locale.from_usd)
            money = t("Total loss ({currency})").format(currency=locale.unit())
            largest = t("Largest loss ({currency})").format(currency=locale.unit())
            st.dataframe(
                history,
                hide_index=True,
                width="stretch",
                key="provider_history",
                column_config={
                    "provider": t("Provider"),
                    "incidents": st.column_config.NumberColumn(t("Incidents"), format="%d"),
                    "exchanges": t("Platforms hit"),
                    "first_year": st.column_config.NumberColumn(t("First"), format="%d"),
                    "last_year": st.column_config.NumberColumn(t("Last"), format="%d"),
                    "known_losses": st.column_config.NumberColumn(t("Amounts known"), format="%d"),
                    "total_loss_usd": st.column_config.NumberColumn(money, format="%,.0f"),
                    "largest_loss_usd": st.column_config.NumberColumn(largest, format="%,.0f"),
                },
            )
            st.caption(
                t(
                    "Losses as reported at the time (not on-levelled), from the incident data's "
                    "signing-path provider column."
                )
            )


fields_and_model()
