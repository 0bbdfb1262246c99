"""The session's one source of truth: every input the user set, kept outside the widgets.

Streamlit drops a widget's value when its page is left. Here every input is *bound*: its value
lives in ``st.session_state[INPUTS]`` (only the values that differ from their defaults), the
widget is given that value before it is drawn, and its ``on_change`` callback (or its form's
submit callback) writes the new value back. So a value survives any page switch until the user
changes it or resets it, and :func:`changes` can list what differs from the defaults.

Typed objects for the library (:func:`strategy_assumptions`, :func:`loadings`, :func:`regime`,
:func:`scenario`) are built from the same values on any page, whether or not the page that
draws the widget was visited. :func:`load_scenario` writes a saved
:class:`~pricing.scenario.Scenario` back into the inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st

from pricing.calibration import CalibrationSpec
from pricing.coverage import InsuranceFrictions
from pricing.i18n import tr
from pricing.lossmodel import LossModelAssumptions
from pricing.premium import LoadingAssumptions
from pricing.profiles import FIELDS, PRESETS, ExchangeProfile
from pricing.regulation import REGIMES
from pricing.scenario import (
    DEFAULT_EXCLUSIONS,
    DEFAULT_SUBJECTIVITIES,
    JURISDICTION_REGIMES,
)
from pricing.strategy import StrategyAssumptions

#: Values the user set (widget key -> value), only those that differ from the default.
INPUTS = "_inputs"
#: Default of each bound widget at its last draw (static or computed, e.g. a fitted value).
DEFAULTS = "_defaults"

_STRATEGY = StrategyAssumptions()
_SPEC = CalibrationSpec()
_MODEL = LossModelAssumptions()
_LOADINGS = LoadingAssumptions()
_SMALL = PRESETS["small"]
INFO = {f.name: f for f in FIELDS}


# The Loss model page's fit settings, submitted together by its form.
FIT_KEYS = (
    "threshold_m",
    "on_level",
    "target_year",
    "model_years",
    "model_vectors",
    "frequency_model",
    "trend",
)


def profile_widget(name: str, value: object) -> object:
    """A profile field as its widget shows it (USD million, %)."""
    scale = INFO[name].scale
    return round(float(value) * scale, 9) if scale else value  # type: ignore[arg-type]


def profile_value(name: str, value: object) -> object:
    """A profile widget's value as the profile stores it (USD, fraction)."""
    scale = INFO[name].scale
    return round(float(value) / scale, 12) if scale else value  # type: ignore[arg-type]


def profile_widgets(profile: ExchangeProfile) -> dict[str, Any]:
    """Every profile widget's value for ``profile`` (provider names as "A; B")."""
    values = {f"pf_{f.name}": profile_widget(f.name, getattr(profile, f.name)) for f in FIELDS}
    values["pf_signing_providers"] = "; ".join(profile.signing_providers)
    values["pf_provider_controls"] = profile.provider_controls
    return values


#: Inputs that change how the app shows things, not what it computes: kept by a reset, not in
#: the banner, not saved with a scenario (presentation mode; language and display currency).
VIEW_KEYS = {"presentation", "ui_lang", "ui_currency"}

#: Static defaults of the bound inputs (widget units: USD million, %).
STATIC: dict[str, Any] = {
    "pf_preset": "small",
    **profile_widgets(_SMALL),
    # Compare
    "cmp_target": 100 * _STRATEGY.target,
    "cmp_dispute": 100 * InsuranceFrictions().dispute_probability,
    "cmp_delay": InsuranceFrictions().payment_delay_months,
    "cmp_capacity": _STRATEGY.capacity_usd / 1e6,
    "cmp_rol": None,
    "cmp_years": 5,
    # Compensation in kind (its parameters are below, with the regimes')
    "ik_on": False,
    # Insurer quote
    "q_principle": "cost_of_capital",
    "q_theta": 100 * _LOADINGS.theta,
    "q_kappa": _LOADINGS.kappa,
    "q_wang": _LOADINGS.wang_lambda,
    "q_coc": 100 * _LOADINGS.cost_of_capital,
    "q_expense": 100 * _LOADINGS.expense_ratio,
    "q_fixed": _LOADINGS.expense_fixed_usd,
    "q_minimum": _LOADINGS.minimum_premium_usd,
    "q_subjectivities": DEFAULT_SUBJECTIVITIES,
    "q_exclusions": DEFAULT_EXCLUSIONS,
    "q_validity": 30,
    "q_client": "",
    "q_ranges": False,
    "q_curve": "ph",
    "q_market_quotes": (),
    # Sensitivity
    "sens_draws": 100,
    # Presentation mode (inputs collapsed, larger type)
    "presentation": False,
    # Loss model: calibration choices and the exchange's assumptions
    "threshold_m": _SPEC.threshold / 1e6,
    "on_level": _SPEC.on_level,
    "frequency_model": _SPEC.frequency_model,
    "trend": _SPEC.trend,
    "lm_eta": _MODEL.severity_size_elasticity,
    "lm_rho": _MODEL.cold_reach,
    "lm_gamma": _MODEL.frequency.size_elasticity,
    "lm_delta": _MODEL.frequency.hot_share_elasticity,
    "lm_reference": _MODEL.frequency.reference_assets_usd / 1e6,
    "lm_rho_p": _MODEL.provider_cold_reach,
    "lm_s": _MODEL.provider_user_share,
    # Loss history view
    "hist_provider": "any",
    "hist_platforms": "exchanges_custodians",
    "hist_min_loss": 0.0,
}

#: The profile presets as the app names them.
PRESET_LABELS = {
    "small": "Small exchange",
    "large": "Large exchange",
    "jp-small": "Japan, ¥20bn",
    "jp-mid": "Japan, ¥300bn",
    "jp-large": "Japan, ¥1tn",
    "custom": "Custom",
}

#: What each input is called on screen (the banner's words); a tuple ``(what, label, *units)``
#: is translated part by part and shown ``what: label (unit)`` (a regime parameter).
LABELS: dict[str, str | tuple[str, ...]] = {
    "pf_preset": "Profile preset",
    **{f"pf_{f.name}": f"{f.label} ({f.unit})" if f.scale else f.label for f in FIELDS},
    "pf_signing_providers": "Signing-path providers",
    "pf_provider_controls": "What the providers sign for",
    "cmp_target": "Protection target (%)",
    "cmp_dispute": "Dispute probability (%)",
    "cmp_delay": "Payment delay (months)",
    "cmp_capacity": "Insurance capacity (USD m)",
    "cmp_rol": "Market rate on line (%)",
    "cmp_years": "Years ahead",
    "cmp_retention": "Inspected retention (USD m)",
    "cmp_limit": "Inspected limit (USD m)",
    "regime": "Regime",
    "ik_on": "Compensation in kind",
    "q_principle": "Premium principle",
    "q_theta": "Expected-value loading θ (%)",
    "q_kappa": "Standard-deviation multiple κ",
    "q_wang": "Wang shift λ",
    "q_coc": "Cost of capital (%)",
    "q_expense": "Expense ratio (%)",
    "q_fixed": "Fixed expense (USD)",
    "q_minimum": "Minimum premium (USD)",
    "q_subjectivities": "Quote subjectivities",
    "q_exclusions": "Quote exclusions",
    "q_validity": "Quote validity (days)",
    "q_client": "Insured / client",
    "q_ranges": "Quote: 90% ranges shown",
    "q_curve": "Market curve family",
    "q_market_quotes": "Market quotes",
    "sens_draws": "Parameter draws",
    "sens_retention": "Sensitivity layer retention (USD m)",
    "sens_limit": "Sensitivity layer limit (USD m)",
    "threshold_m": "Reporting threshold (USD m)",
    "on_level": "On-level index",
    "target_year": "Target year",
    "model_years": "Incident years used",
    "model_vectors": "Attack vectors used",
    "frequency_model": "Count model",
    "trend": "Year trend",
    "lm_family": "Severity family (override)",
    "lm_base_rate": "Average-exchange rate (override)",
    "lm_eta": "Loss size elasticity η",
    "lm_rho": "Cold storage within reach ρ",
    "lm_gamma": "Frequency size elasticity γ",
    "lm_delta": "Frequency hot-share elasticity δ",
    "lm_reference": "Reference customer assets (USD m)",
    "lm_rho_p": "Cold storage within a provider's reach ρ_p",
    "lm_s": "Share of exchanges using a provider s",
    "hist_years": "History view: years",
    "hist_vectors": "History view: attack vectors",
    "hist_provider": "History view: provider",
    "hist_platforms": "History view: platforms",
    "hist_min_loss": "History view: minimum loss (USD m)",
}


def user_values() -> dict[str, Any]:
    """The values the user set (key -> value; only those that differ from the default)."""
    return st.session_state.setdefault(INPUTS, {})


def _defaults() -> dict[str, Any]:
    return st.session_state.setdefault(DEFAULTS, {})


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def default(key: str) -> Any:
    """The default of ``key``: its last computed default, else its static one."""
    defaults = _defaults()
    return defaults[key] if key in defaults else STATIC.get(key)


def value(key: str, fallback: Any = None) -> Any:
    """The current value of input ``key``: the widget's, else the user's, else the default."""
    if key in st.session_state:
        return st.session_state[key]
    store = user_values()
    if key in store:
        return store[key]
    found = default(key)
    return fallback if found is None and key not in STATIC else found


def remember(key: str) -> None:
    """Callback: keep the widget's new value (or forget it when it is back at the default)."""
    if key not in st.session_state:
        return
    new = st.session_state[key]
    if isinstance(new, list):
        new = list(new)
    if _same(new, default(key)):
        user_values().pop(key, None)
    else:
        user_values()[key] = new


def remember_all(keys: Iterable[str]) -> None:
    """Callback of a form's submit button: :func:`remember` every widget of the form."""
    for key in keys:
        remember(key)


def bind(
    key: str,
    default_value: Any = None,
    *,
    form: bool = False,
    label: str | None = None,
    on_change: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Prepare widget ``key`` and return the keyword arguments to draw it with.

    ``default_value`` (or :data:`STATIC`'s) is the value when the user has not set one; a
    computed default (a fitted value, the optimum) moves the widget with it until the user
    changes it. Form widgets (``form=True``) are remembered by the form's submit button.
    """
    if label:
        LABELS.setdefault(key, label)
    new_default = STATIC.get(key) if default_value is None and key in STATIC else default_value
    defaults = _defaults()
    old_default = defaults.get(key, new_default)
    defaults[key] = new_default
    store = user_values()
    if not form or key not in st.session_state:
        # Every change already went through the callback into the store, so this only
        # restores a value Streamlit dropped (another page, or the same key drawn by another
        # page's widget).
        st.session_state[key] = store.get(key, new_default)
    elif key not in store and not _same(old_default, new_default):
        st.session_state[key] = new_default  # a computed default moved: follow it
    if form:
        return {"key": key}

    def changed() -> None:
        remember(key)
        if on_change is not None:
            on_change()

    return {"key": key, "on_change": changed}


def set_value(key: str, new: Any) -> None:
    """Set input ``key`` (only in a callback, or before its widget is drawn in this run)."""
    st.session_state[key] = new
    remember(key)


def value_keys() -> list[str]:
    """Keys of every input the user set."""
    return list(user_values())


def forget(*keys: str) -> None:
    """Drop the user's values of ``keys`` (back to their defaults at the next draw)."""
    for key in keys:
        user_values().pop(key, None)
        st.session_state.pop(key, None)


def changes() -> list[tuple[str, str]]:
    """What differs from the defaults, as (what, value) pairs for the banner."""
    store = user_values()
    out: list[tuple[str, str]] = []
    preset = store.get("pf_preset", STATIC["pf_preset"])
    for key, val in store.items():
        if key in VIEW_KEYS:
            continue  # a way of showing, not an input
        if key.startswith("pf_") and key != "pf_preset" and preset != "custom":
            continue  # a preset's values are named by the preset
        if key.startswith("lm_param_"):
            _, _, family_name = key.partition("lm_param_")
            out.append(
                (f"Severity parameter {family_name.replace('_', ' ')} (override)", _show(val))
            )
            continue
        if key == "pf_preset":
            out.append((_t(LABELS[key]), _t(PRESET_LABELS.get(val, str(val)))))
            continue
        if key == "q_market_quotes":  # rows of numbers: say how many
            out.append((_t(LABELS[key]), _t("{n} entered").format(n=len(val))))
            continue
        label = LABELS.get(key, key)
        shown = (
            f"{_t(label[0])}: {_t(label[1])}" + "".join(f" ({_t(u)})" for u in label[2:])
            if isinstance(label, tuple)
            else _t(label)
        )
        out.append((shown, _show(val)))
    from app_pages import common  # a late import: common imports nothing from here

    upload = st.session_state.get(common.UPLOAD_KEY)
    if upload:
        out.append(("Incident data", f"uploaded file {upload['name']}"))
    if st.session_state.get("tower_edited"):
        out.append(("Insurance tower", "edited"))
    return out


def _t(text: str) -> str:
    """``text`` in the app's language (``ui_lang``; the catalogue of :mod:`pricing.i18n`)."""
    return tr(text, str(value("ui_lang") or "en"))


def _show(val: Any) -> str:
    if isinstance(val, bool):
        return _t("on") if val else _t("off")
    if isinstance(val, float):
        return f"{val:,.0f}" if abs(val) >= 1e6 and val.is_integer() else f"{val:,.6g}"
    if isinstance(val, (list, tuple)):
        return ", ".join(_show(v) for v in val) or "none"
    if val is None:
        return _t("not set")
    text = str(val).replace("\n", " ")
    return text if len(text) <= 40 else text[:37] + "…"


def reset() -> None:
    """Callback: every input back to its default, uploads and the tower dropped."""
    from app_pages import common

    kept = {k: v for k, v in user_values().items() if k in VIEW_KEYS}
    for key in list(user_values()):
        if key not in kept:
            st.session_state.pop(key, None)
    st.session_state[INPUTS] = kept
    for key in list(st.session_state):
        if str(key).startswith(("lm_", "pf_", "cmp_", "q_", "rp_", "ik_", "sens_", "hist_")):
            del st.session_state[key]
    for key in (
        common.UPLOAD_KEY,
        common.PROFILE_KEY,
        common.SPEC_KEY,
        common.MODEL_KEY,
        common.COMPARE_KEY,
        "tower_frame",
        "tower_assets",
        "tower_edited",
        "regime",
        *FIT_KEYS,
    ):
        st.session_state.pop(key, None)


#: Larger type for a projector (rem-based sizes scale with the root font size).
PRESENTATION_CSS = """<style>
html { font-size: 19px; }
[data-testid="stMetricValue"] { font-size: 2.4rem; }
[data-testid="stHeading"] h1 { font-size: 2.1rem; padding-top: 0; }
[data-testid="stHeading"] h2 { font-size: 1.5rem; }
.block-container { padding-top: 2.5rem; }
</style>"""


def presenting() -> bool:
    """Whether presentation mode is on."""
    return bool(value("presentation"))


def presentation_toggle(column: Any = None) -> None:
    """The presentation-mode switch (top right, or in ``column``) and its larger type."""
    right = st.columns([6, 1])[1] if column is None else column
    right.toggle(
        _t("Presentation"),
        **bind("presentation"),
        help=_t("For a projector: inputs collapsed, larger type, the answer and its chart first."),
    )
    if presenting():
        st.html(PRESENTATION_CSS)


#: Session keys of the banner's place in this run and of whether the page drew it there.
BANNER_SLOT = "_banner_slot"
BANNER_DRAWN = "_banner_drawn"


def banner_slot() -> None:
    """Keep the banner's place under the navigation (``app.py``, before the page runs); the
    banner is drawn there by :func:`close_banner` or, from the page, by :func:`page_banner`."""
    st.session_state[BANNER_SLOT] = st.container()
    st.session_state[BANNER_DRAWN] = False


def page_banner() -> None:
    """Draw the banner from a page's fragment, so that the fragment's reruns (a field edited
    on Exchange profile) update it too."""
    slot = st.session_state.get(BANNER_SLOT)
    if slot is None:
        return
    st.session_state[BANNER_DRAWN] = True
    banner(slot)


def close_banner() -> None:
    """Draw the banner in its place unless a page already did (``app.py``)."""
    if not st.session_state.get(BANNER_DRAWN):
        banner(st.session_state.get(BANNER_SLOT))


def reset_all() -> None:
    """Callback of the banner's button: :func:`reset`, and the whole page drawn again (also
    when the button was drawn by a fragment)."""
    reset()
    st.rerun()


def banner(container: Any = None) -> None:
    """The line under the navigation on every page: what differs from the defaults, and a
    button to reset it all (in ``container``, else where the page is)."""
    found = changes()
    if not found:
        return
    left, right = (container or st).columns([7, 1], vertical_alignment="center")
    shown = "; ".join(f"{_escape(what)}: **{_escape(val)}**" for what, val in found[:12])
    more = _t(" and {n} more").format(n=len(found) - 12) if len(found) > 12 else ""
    left.info(f"**{_t('Changed from the defaults:')}** {shown}{more}.", icon=":material/edit_note:")
    right.button(
        _t("Reset all"),
        on_click=reset_all,
        key="reset_all",
        icon=":material/restart_alt:",
        help=_t("Every input back to its default; uploads and the edited tower dropped."),
    )


def _escape(text: str) -> str:
    return text.replace("$", r"\$").replace("*", r"\*").replace("_", r"\_")


# --------------------------------------------------------------------------------------------
# Typed objects built from the inputs
# --------------------------------------------------------------------------------------------
def regime_default(profile: ExchangeProfile) -> str:
    """The regime of the profile's jurisdiction (Japan's draft reserve for ``jp`` and others)."""
    return JURISDICTION_REGIMES.get(profile.jurisdiction, "jp-2027")


def regime(profile: ExchangeProfile) -> str:
    """The regime in use: the user's choice, else the profile's jurisdiction's."""
    chosen = user_values().get("regime") or st.session_state.get("regime")
    return chosen if chosen in REGIMES else regime_default(profile)


def strategy_assumptions() -> StrategyAssumptions:
    """Compare's assumptions (raises ValueError naming the field when one is invalid)."""
    rol = value("cmp_rol")
    return StrategyAssumptions(
        target=float(value("cmp_target")) / 100,
        frictions=InsuranceFrictions(
            dispute_probability=float(value("cmp_dispute")) / 100,
            payment_delay_months=float(value("cmp_delay")),
        ),
        market_rate_on_line=None if rol is None else float(rol) / 100,
        capacity_usd=float(value("cmp_capacity")) * 1e6,
        regime_params=regime_state.edited_regime_params(),
        in_kind=regime_state.in_kind(),
    )


def loadings() -> LoadingAssumptions:
    """The quote's loadings (raises ValueError naming the field when one is invalid)."""
    return LoadingAssumptions(
        theta=float(value("q_theta")) / 100,
        kappa=float(value("q_kappa")),
        wang_lambda=float(value("q_wang")),
        cost_of_capital=float(value("q_coc")) / 100,
        expense_ratio=float(value("q_expense")) / 100,
        expense_fixed_usd=float(value("q_fixed")),
        minimum_premium_usd=float(value("q_minimum")),
    )


def put(key: str, new: Any) -> None:
    """Store ``new`` as the user's value of ``key`` unless it is the default (its widget,
    if drawn later in this run or on another page, takes it)."""
    if _same(new, default(key)):
        user_values().pop(key, None)
    else:
        user_values()[key] = new
    st.session_state.pop(key, None)  # the widget takes the stored value at its next draw


# Every regime's parameters and compensation in kind as bound inputs (registered in STATIC and
# LABELS on import; the module uses this one, whose names are all defined by now).
from app_pages import regime_state  # noqa: E402
