"""The editable parameter table of a regime (Compare page), and inputs typed in the display
currency.

Each regime's parameters come from its typed definition (:meth:`RegimeParams.describe`): the
name, the value, the unit, the allowed range, and whether the default is a published rule or
an assumption (with its reason and source). Values are bound inputs of :mod:`app_pages.state`
(``rp_<regime>_<name>``), used by the comparison, listed by the banner and saved with the
scenario. A value the library rejects is shown with its problem next to the field.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages import locale, regime_state, state
from app_pages.locale import t
from pricing import plots


def display() -> plots.Display:
    """The charts' currency and language (the sidebar's settings)."""
    return plots.Display(locale.currency(), locale.lang())


def _allowed(info: Any) -> str:
    """What a parameter accepts, in the page's language."""
    if info.kind == "bool" or info.kind == "choice":
        return ""
    allowed = str(info.allowed)
    none = " or none"
    optional = allowed.endswith(none)
    allowed = allowed.removesuffix(none)
    text = t(allowed)
    return text + (t(" (empty: none)") if optional else "")


def _step(default: Any) -> float:
    if isinstance(default, float) and 0 < abs(default) <= 1:
        return 0.01
    return 1.0


def parameter_row(container: Any, code: str, info: Any) -> None:
    """One parameter: its widget (with any problem under it), unit and range, and basis."""
    key = regime_state.param_key(code, info.name)
    left, middle, right = container.columns([3, 2, 4], vertical_alignment="top")
    label = t(info.help)
    if info.kind == "bool":
        left.checkbox(label, **state.bind(key))
    elif info.kind == "choice":
        choices = next(
            f.metadata["choices"]
            for f in regime_state.PARAM_CLASSES[code].__dataclass_fields__.values()
            if f.name == info.name
        )
        shown = locale.labels({c: str(c) for c in choices})
        left.selectbox(label, choices, format_func=shown.get, **state.bind(key))
    elif info.kind == "int":
        left.number_input(label, step=1, format="%d", **state.bind(key))
    else:
        left.number_input(
            label,
            step=_step(info.default),
            format="%.10g",
            placeholder=t("empty: none"),
            **state.bind(key),
        )
    problem = regime_state.param_problem(code, info.name)
    if problem:
        left.error(t(problem), icon=":material/error:")
    unit = t(info.unit) if info.unit else ""
    allowed = _allowed(info)
    middle.caption("  \n".join(x for x in (f"`{info.name}`", unit, allowed) if x))
    if info.assumption and info.assumption.lower().startswith("assumption"):
        right.caption(_escape(t(info.assumption)))  # the text says "assumption:" itself
    elif info.assumption:
        right.caption(f"**{t('Assumption')}**: {_escape(t(info.assumption))}")
    else:
        right.caption(f"**{t('Rule')}**: {t('as published (source in the description)')}")


def expander_key(code: str) -> str:
    """Key of the expander of ``code``'s parameters (its open state)."""
    return f"rpx_{code}"


def parameter_table(container: Any, code: str, title: str) -> None:
    """Every parameter of ``code`` (a regime, or :data:`regime_state.IN_KIND`) in an expander.

    The rows are drawn only while the expander is open (opening it reruns the page): closed,
    they would be a hundred elements re-sent and redrawn on every change of the page."""
    box = container.expander(
        title, icon=":material/rule_settings:", key=expander_key(code), on_change="rerun"
    )
    if not box.open:
        return
    with box:
        head = st.columns([3, 2, 4])
        head[0].markdown(f"**{t('Parameter and value')}**")
        head[1].markdown(f"**{t('Name, unit, allowed')}**")
        head[2].markdown(f"**{t('Rule or assumption (reason, source)')}**")
        for info in regime_state.PARAM_CLASSES[code].describe():
            parameter_row(st, code, info)
        edited = [k for k in regime_state.param_values(code)]
        if edited:
            st.button(
                t("Back to the defaults"),
                key=f"rp_reset_{code}",
                on_click=state.forget,
                args=tuple(regime_state.param_key(code, n) for n in edited),
                icon=":material/restart_alt:",
            )


def money_input(
    container: Any,
    label: str,
    key: str,
    default: float | None = None,
    **kwargs: Any,
) -> float | None:
    """A number input of an amount kept in USD million (key ``key``, saved with the scenario)
    but typed in the display currency's axis unit (``USD m``, ``億円``). Returns USD million.

    ``label`` may hold ``{unit}``; ``default`` (USD million) is a computed default.
    """
    d = display()
    shown_label = label.format(unit=d.unit)
    if d.rate == 1.0 and d.size == 1e6:  # USD million already: the input itself
        return container.number_input(shown_label, **state.bind(key, default), **kwargs)  # type: ignore[no-any-return]
    state.bind(key, default)  # the USD value's default (no widget of its own here)
    usd_m = state.value(key)
    widget = f"{key}__{d.currency}_{d.lang}"
    factor = d.rate * 1e6 / d.size  # display units per USD million
    st.session_state[widget] = None if usd_m is None else round(float(usd_m) * factor, 9)

    def changed() -> None:
        new = st.session_state[widget]
        state.set_value(key, None if new is None else round(float(new) / factor, 9))

    for bound in ("min_value", "max_value", "step"):
        if kwargs.get(bound) is not None and bound != "step":
            kwargs[bound] = kwargs[bound] * factor
    container.number_input(shown_label, key=widget, on_change=changed, **kwargs)
    return None if usd_m is None else float(usd_m)


def _escape(text: str) -> str:
    return text.replace("$", r"\$").replace("*", r"\*").replace("_", r"\_")
