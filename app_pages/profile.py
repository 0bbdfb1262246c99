"""Exchange profile: presets or custom fields, saved and loaded as JSON, and its loss model."""

import math

import streamlit as st

from app_pages import common, locale, state
from pricing import plots
from pricing.exceptions import DataValidationError
from pricing.export import format_value
from pricing.narrative import loss_model_in_words
from pricing.profiles import (
    FIELDS,
    JURISDICTIONS,
    PRESETS,
    PROVIDER_FIELDS,
    SECURITY_LEVELS,
    ExchangeProfile,
    split_providers,
)
from pricing.providers import IN_HOUSE, PROVIDER_CONTROLS, provider_history

PRESET_KEY = "pf_preset"
UPLOAD_KEY = "profile_upload"  # pending upload: {"bytes": ..., "name": ...}
MESSAGE_KEY = "profile_upload_message"
INFO = {f.name: f for f in FIELDS + PROVIDER_FIELDS}
LABELS = {f.name: f"{f.label} ({f.unit})" if f.scale else f.label for f in FIELDS}
PRESET_LABELS = {"small": "Small exchange", "large": "Large exchange", "custom": "Custom"}
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


def mark_custom() -> None:
    """A field was edited by hand: the profile is now a custom one."""
    state.set_value(PRESET_KEY, "custom")
    rename_if_preset()


def jurisdiction_changed() -> None:
    """A new jurisdiction: the regime follows it (the user's earlier pick is dropped)."""
    mark_custom()
    state.forget("regime")


def field(name: str, **extra: object) -> dict[str, object]:
    """Keyword arguments of a profile field's widget (bound to the session's inputs)."""
    return state.bind(key(name), on_change=extra.pop("on_change", mark_custom)) | extra


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

st.title("Exchange profile")
with st.expander("How to read this page"):
    st.markdown(
        "Describe the exchange: start from a **preset** (illustrative exchanges whose values "
        "are assumptions, not data about a named firm) and change any field, or load a profile "
        "file saved earlier. Amounts are in **USD million**, shares and rates in **%**; hover "
        "the ⓘ of a field for what it does. Below, the **loss model** of this exchange: how "
        "often it is expected to be hit and how much a theft would cost, built from the "
        "fitted incident history and the assumptions listed in the table (each row says where "
        "its value comes from). The **1-in-200** loss is the yearly loss exceeded with "
        "probability 0.5% (VaR 99.5%); **TVaR** is the average loss in those worst 0.5% of "
        "years. Every other page (Insurer quote) uses the profile set here."
    )

st.radio(
    "Start from",
    list(PRESET_LABELS),
    **state.bind(PRESET_KEY, on_change=apply_preset),
    horizontal=True,
    format_func=PRESET_LABELS.get,
    help="Choosing a preset overwrites the fields below with its values; editing a field "
    "switches to Custom.",
)
files = st.expander("Load or save a profile file (JSON)")
files.file_uploader(
    "Load a profile",
    type=["json"],
    key="profile_file",
    on_change=stage_upload,
    help="A JSON file saved from this page (or by ExchangeProfile.save): one object with "
    "every field. Unknown or missing fields are named in the error.",
)
message = st.session_state.get(MESSAGE_KEY)
if message:
    (files.error if message[0] == "error" else files.success)(message[1])

a, b, c = st.columns(3)
a.text_input(
    "Name",
    **field("name", on_change=lambda: state.set_value(PRESET_KEY, "custom")),
    help=INFO["name"].help,
)
a.number_input(
    LABELS["customer_assets_usd"],
    min_value=0.0,
    step=10.0,
    **field("customer_assets_usd"),
    help=INFO["customer_assets_usd"].help,
)
a.number_input(
    LABELS["annual_revenue_usd"],
    min_value=0.0,
    step=1.0,
    **field("annual_revenue_usd"),
    help=INFO["annual_revenue_usd"].help,
)
b.number_input(
    LABELS["hot_share"],
    min_value=0.0,
    max_value=100.0,
    step=0.5,
    **field("hot_share"),
    help=INFO["hot_share"].help,
)
b.selectbox(
    LABELS["security_level"],
    SECURITY_LEVELS,
    **field("security_level"),
    help=INFO["security_level"].help,
)
b.checkbox(
    INFO["third_party_provider"].label,
    **field("third_party_provider"),
    help=INFO["third_party_provider"].help,
)
b.text_input(
    INFO["signing_providers"].label,
    **field("signing_providers"),
    help=INFO["signing_providers"].help + " Several names: separate them with ';'.",
)
b.selectbox(
    INFO["provider_controls"].label,
    PROVIDER_CONTROLS,
    **field("provider_controls"),
    help=INFO["provider_controls"].help,
)
b.selectbox(
    LABELS["jurisdiction"],
    JURISDICTIONS,
    **field("jurisdiction", on_change=jurisdiction_changed),
    help=INFO["jurisdiction"].help,
)
for name in ("cost_of_capital", "reserve_yield", "tax_rate"):
    c.number_input(
        LABELS[name],
        min_value=0.0 if name == "tax_rate" else -5.0,
        max_value=100.0,
        step=0.5,
        **field(name),
        help=INFO[name].help,
    )

try:
    profile = ExchangeProfile(
        **{f.name: state.profile_value(f.name, st.session_state[key(f.name)]) for f in FIELDS},
        signing_providers=split_providers(st.session_state[key("signing_providers")]),
        provider_controls=st.session_state[key("provider_controls")],
    )
except ValueError as err:
    st.error(
        "This profile is not valid, so no loss model is shown:\n\n"
        + "\n".join(f"- {line}" for line in common.field_problems(err, LABELS))
        + f"\n\nThe other pages keep using the last valid profile, *{current.name}*."
    )
    st.stop()

st.session_state[common.PROFILE_KEY] = profile
files.download_button(
    "Save this profile (JSON)",
    profile.to_json() + "\n",
    file_name=f"{profile.name.strip().lower().replace(' ', '_')}.json",
    mime="application/json",
    on_click="ignore",
    icon=":material/download:",
    key="profile_download",
)

st.header("Loss model of this exchange")
upload = common.active_upload()
spec = common.current_spec()
model_assumptions = common.current_assumptions()
try:
    model = common.loss_model(profile, spec, model_assumptions, upload)
    agg = common.aggregate_loss(profile, spec, model_assumptions, upload)
except (ValueError, DataValidationError) as err:
    st.error(f"The loss model could not be built for this profile: {err}")
    st.stop()

st.caption(
    f"{common.data_source_note(upload)} Calibration: {common.describe_spec(spec)} "
    "(change it on the Loss model page)."
)


def risk(measure, level: float) -> float:
    """VaR/TVaR, or NaN when the level lies beyond the computed grid."""
    try:
        return float(measure(level))
    except ValueError:
        return math.nan


st.markdown(
    "\n".join(
        f"- {common.md(line)}"
        for line in loss_model_in_words(model, agg, locale.currency(), locale.lang())
    )
)
var, tvar = risk(agg.value_at_risk, 0.995), risk(agg.tvar, 0.995)
m1, m2, m3, m4, m5 = st.columns(5)
m1.metric(
    "Expected thefts per year",
    f"{model.rate:.4f}",
    help="λ in the table below: the average-exchange rate times the size, hot-share, "
    f"security and provider factors; about one theft every {1 / model.rate:,.0f} years.",
)
m2.metric(
    "Mean loss per theft (USD m)",
    f"{model.severity.mean() / 1e6:,.2f}",
    help="Mean of the fitted loss size, scaled to this exchange and capped at what an attack "
    "can reach (the two caps in the table).",
)
m3.metric(
    "Expected yearly loss (USD m)",
    f"{agg.mean() / 1e6:,.3f}",
    help="Expected thefts per year × mean loss per theft.",
)
m4.metric(
    "1-in-200 yearly loss (USD m)",
    f"{var / 1e6:,.1f}" if math.isfinite(var) else "n/a",
    help="VaR 99.5%: the yearly loss exceeded with probability 0.5%.",
)
m5.metric(
    "TVaR 99.5% (USD m)",
    f"{tvar / 1e6:,.1f}" if math.isfinite(tvar) else "n/a",
    help="Average yearly loss in the worst 0.5% of years.",
)

st.plotly_chart(
    plots.exceedance_chart(
        agg.exceedance_curve("aep"),
        agg.exceedance_curve("oep"),
        markers={"1-in-200 loss": var},
        title=f"Yearly loss exceedance: {profile.name}",
    ),
    width="stretch",
    key="exceedance",
    theme=None,
)
left, right = st.columns([3, 2])
left.subheader("Assumptions and where they come from")
left.dataframe(
    model.assumption_table().assign(value=lambda t: t["value"].map(format_value)),
    hide_index=True,
    width="stretch",
    key="assumptions",
)
right.subheader("Losses by return period (USD)")
right.dataframe(
    agg.return_period_table(),
    hide_index=True,
    width="stretch",
    key="return_periods",
    column_config={
        "return_period": st.column_config.NumberColumn("1 in … years", format="%d"),
        "probability": st.column_config.NumberColumn("yearly probability", format="%.3f"),
        "aep_loss": st.column_config.NumberColumn("yearly loss", format="%,.0f"),
        "tvar": st.column_config.NumberColumn("TVaR", format="%,.0f"),
        "oep_loss": st.column_config.NumberColumn("largest theft", format="%,.0f"),
    },
)
with st.expander("The formula of one theft's size"):
    st.caption(
        "A mixture of the attack routes, each capped at what it can reach: weight × "
        "min(fitted loss size given it was reported, cap)."
    )
    st.code(model.severity.describe(), language=None, wrap_lines=True)
for note in model.notes:
    st.caption(note)

vendors = [p for p in profile.signing_providers if p.lower() != IN_HOUSE]
if vendors:
    st.subheader("Incident history of this exchange's providers")
    history = provider_history(common.incidents(upload).frame)
    history = history[history["provider"].str.lower().isin({p.lower() for p in vendors})]
    if history.empty:
        st.caption(
            f"No incident in the data names {', '.join(vendors)} as the provider in the "
            "signing path."
        )
    else:
        st.dataframe(
            history,
            hide_index=True,
            width="stretch",
            key="provider_history",
            column_config={
                "provider": "Provider",
                "incidents": st.column_config.NumberColumn("Incidents", format="%d"),
                "exchanges": "Platforms hit",
                "first_year": st.column_config.NumberColumn("First", format="%d"),
                "last_year": st.column_config.NumberColumn("Last", format="%d"),
                "known_losses": st.column_config.NumberColumn("Amounts known", format="%d"),
                "total_loss_usd": st.column_config.NumberColumn("Total loss (USD)", format="%,.0f"),
                "largest_loss_usd": st.column_config.NumberColumn(
                    "Largest loss (USD)", format="%,.0f"
                ),
            },
        )
        st.caption(
            "Losses as reported at the time (not on-levelled), from the incident data's "
            "signing-path provider column."
        )
