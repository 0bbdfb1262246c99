"""Library output shown in the page's language and display currency (Loss history, Loss model,
Sensitivity, Scenarios).

``pricing`` writes its notes, tables and charts in English and USD. These helpers translate a
note through the catalogue and redraw the USD amounts written in it in the display currency;
they rename a table's columns and a chart's titles. In English and USD nothing changes, so the
English pages stay exactly as they were.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from app_pages import locale, state
from app_pages.locale import t
from pricing.data import ATTACK_VECTORS
from pricing.notes import Note
from pricing.plots import fit_titles
from pricing.plots._base import money_axis

#: Attack vectors as the pages show them (Loss history, Loss model).
VECTOR_LABELS = {v: v.replace("_", " ") for v in ATTACK_VECTORS}
#: "USD 1,000,000", "USD 2.3bn", "USD 14.47 m" (what the library writes).
_USD = re.compile(r"USD ?(-?\d+(?:,\d{3})*(?:\.\d+)?) ?(bn|m)?(?![\w])")
#: The catalogue's renderings of USD amounts in Japanese ("14.47十億米ドル").
_USD_JA = re.compile(r"(-?\d+(?:,\d{3})*(?:\.\d+)?) ?(十億|百万)?米ドル")
_SCALE = {"bn": 1e9, "m": 1e6, "十億": 1e9, "百万": 1e6, None: 1.0, "": 1.0}


def formula(text: str, where: Any = None) -> None:
    """``text`` (a formula, a line each) in a fixed-width font: one markdown element whose
    lines are code spans. ``st.code`` would start the browser's syntax highlighter for it,
    half a second of a page's first drawing on a modest machine."""
    lines = [line for line in text.splitlines() if line.strip()]
    spans = [f"`` {line} ``" if "`" in line else f"`{line}`" for line in lines]
    (where or st).markdown("  \n".join(spans))


def plain() -> bool:
    """English and USD: show the library's own text and numbers."""
    return locale.lang() == "en" and locale.currency() == "USD"


def amounts(text: str) -> str:
    """``text`` with every USD amount written in it redrawn in the display currency."""
    if locale.currency() == "USD":
        return text

    def usd(found: re.Match[str]) -> str:
        return locale.money(float(found[1].replace(",", "")) * _SCALE[found[2]])

    return _USD_JA.sub(usd, _USD.sub(usd, text))


def note(text: str) -> str:
    """A library note in the page's language with its amounts in the display currency: a
    :class:`~pricing.notes.Note` is written from its template and USD amounts; other text is
    translated and its "USD …" amounts found and redrawn (:func:`amounts`)."""
    if isinstance(text, Note):
        return str(text) if plain() else text.render(locale.lang(), locale.money)
    return amounts(t(text))


def whole(usd: float) -> str:
    """A metric's amount: ``1,234,567`` under a "(USD …)" label in English and USD, else compact
    in the display currency (``1.94億円``)."""
    return f"{usd:,.0f}" if plain() else locale.money(usd)


def per_year(label: str) -> str:
    """``"{label} (USD per year)"`` in the page's language and display currency."""
    return t("{label} ({currency} per year)").format(label=t(label), currency=locale.unit())


def categories(frame: pd.DataFrame, labels: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Coded columns (``hot``, ``partial``) shown by their labels in the page's language."""
    if locale.lang() == "en":
        return frame
    out = frame.copy()
    for column, names in labels.items():
        if column in out:
            out[column] = out[column].map(lambda v, n=names: t(n[v]) if v in n else v)
    return out


def relabel(
    fig: Any,
    title: str | None = None,
    x: str | None = None,
    y: str | None = None,
    y2: str | None = None,
    names: Mapping[str, str] | None = None,
    hover: tuple[str, str] | None = None,
) -> Any:
    """A library chart with the page's words: title, axis titles, legend names (English name ->
    shown name) and one replacement in every hover template. Nothing changes in English."""
    if plain() and hover is None:
        return fig
    if title is not None:
        fig.update_layout(title_text=title)
    if x is not None:
        fig.update_xaxes(title_text=x)
    if y is not None:
        fig.layout.yaxis.title.text = y
    if y2 is not None and "yaxis2" in fig.layout:
        fig.layout.yaxis2.title.text = y2
    for trace in fig.data:
        if names and trace.name in names:
            trace.name = names[trace.name]
        if hover and getattr(trace, "hovertemplate", None):
            trace.hovertemplate = trace.hovertemplate.replace(*hover)
    return fit_titles(fig)  # translated titles may be longer: wrap them again


def amount_unit() -> tuple[float, str]:
    """The unit amounts are typed in: 億円 (10^8 yen) for yen, else millions of the currency."""
    ccy = locale.currency()
    if ccy == "JPY":
        return 1e8, t("JPY 100 million")
    return 1e6, t("{currency} million").format(currency=ccy)


def amount_input(
    column: Any,
    label: str,
    key: str,
    default: Any = None,
    usd_label: str | None = None,
    **kwargs: Any,
) -> float:
    """A number input of an amount, bound to ``key`` in USD million; returns USD.

    In USD it is the bound widget itself. In another currency the user types in that currency
    (億円 for yen) into a widget of its own, and the USD value follows at the shipped FX rate
    (also inside a form, where widgets have no callbacks). ``usd_label`` is the English
    label in USD when it is not ``"{label} (USD million)"``.
    """
    size, unit = amount_unit()
    text = f"{t(label)} ({unit})"
    form = bool(kwargs.pop("form", False))
    if locale.currency() == "USD":
        if usd_label and locale.lang() == "en":
            text = usd_label  # the English page's label as it always was
        bound = state.bind(key, default, form=form)
        return float(column.number_input(text, **kwargs, **bound)) * 1e6
    state.bind(key, default, form=form)  # keeps the USD value and its default
    usd_m = float(state.value(key))
    shown, origin = f"{key}_in_{locale.currency()}", f"_{key}_in_{locale.currency()}_from"
    if shown not in st.session_state or st.session_state.get(origin) != usd_m:
        st.session_state[shown] = round(locale.from_usd(usd_m * 1e6) / size, 6)
        st.session_state[origin] = usd_m
    kwargs.pop("step", None)
    for bound in ("min_value", "max_value"):
        if kwargs.get(bound) is not None:
            kwargs[bound] = locale.from_usd(kwargs[bound] * 1e6) / size
    typed = float(column.number_input(text, key=shown, **kwargs))
    new = locale.to_usd(typed * size) / 1e6
    if abs(new - usd_m) > 1e-6 * max(abs(usd_m), 1e-6):
        state.set_value(key, round(new, 9))
        st.session_state[origin] = round(new, 9)
        return round(new, 9) * 1e6
    return usd_m * 1e6


def chart_unit() -> tuple[float, str]:
    """(factor, unit) for a chart's amount axis: USD as is on the English USD page, else the
    display currency in the unit amounts are typed in (億円 for yen: a log axis then reads 1,
    10, 100 億円 rather than SI suffixes)."""
    if plain():
        return 1.0, "USD"
    size, unit = amount_unit()
    return locale.from_usd(1.0) / size, unit


def money_axes(fig: Any, *axes: str) -> Any:
    """The log money ``axes`` of a chart drawn in :func:`chart_unit` labelled in the display
    currency and language (``10億円``, ``JPY 1bn``); the library's own USD labels on the English
    USD page."""
    if not plain():
        size, _ = amount_unit()
        for axis in axes:
            money_axis(fig, axis, locale.currency(), locale.lang(), size)
    return fig


def assumption_rows(table: pd.DataFrame) -> pd.DataFrame:
    """A loss model's assumption table (:meth:`ExchangeLossModel.assumption_table`) as shown:
    the library's own in English and USD, else words in the page's language and amounts in
    the display currency."""
    if plain():
        return table.astype({"value": str})
    is_amount = table["unit"] == "USD"
    return table.assign(
        assumption=table["assumption"].map(t),
        value=[
            locale.money(v) if amount else (t(v) if isinstance(v, str) else f"{v:.6g}")
            for v, amount in zip(table["value"], is_amount, strict=True)
        ],
        unit=[
            locale.unit() if amount else t(u)
            for u, amount in zip(table["unit"], is_amount, strict=True)
        ],
        basis=table["basis"].map(note),
    )


#: What an empty cell shows (Streamlit's own default is the word "None").
EMPTY = "–"
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9%]+)+$")


def readable(
    frame: pd.DataFrame,
    config: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    amounts: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A table's ``column_config`` with nothing raw left: every column a plain label and every
    float column a number format.

    ``config`` is the page's own configuration (kept; a label or format it lacks is added);
    ``labels`` maps a column to its English label (translated here); other snake_case names
    become words (``std_error`` -> "std error"). Amount columns (``amounts``, or a name ending
    in ``_usd``) are shown to the unit with thousands separators; other floats with four
    significant digits, or to the unit from 10,000 up. Pass ``placeholder=EMPTY`` with it so
    an empty cell shows a dash rather than "None".
    """
    out: dict[str, Any] = {}
    for column in frame.columns:
        name = str(column)
        given = (config or {}).get(name)
        entry: dict[str, Any] = {"label": given} if isinstance(given, str) else dict(given or {})
        if not entry.get("label"):
            if labels and name in labels:
                entry["label"] = t(labels[name])
            elif _SNAKE.match(name):
                entry["label"] = t(name.replace("_", " "))
        values = frame[column]
        kind = dict(entry.get("type_config") or {})
        if pd.api.types.is_float_dtype(values) and not kind.get("format"):
            finite = values[np.isfinite(values)] if len(values) else values
            large = bool(len(finite)) and float(finite.abs().max()) >= 1e4
            is_amount = name in amounts or name.endswith("_usd")
            kind.setdefault("type", "number")
            kind["format"] = "%,.0f" if (is_amount or large) else "%.4g"
            entry["type_config"] = kind
        if entry:
            out[name] = entry
    return out
