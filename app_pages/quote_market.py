"""Insurer quote, app layer: the cached market pricing, the 90% ranges, the market-quote fit,
and the conversions between the editors' display units and USD.

Caching lives here (never in ``pricing``); the page only gathers inputs and draws.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import common, locale
from pricing.calibration import CalibrationSpec
from pricing.coverage import Tower, TowerQuote, quote_tower
from pricing.exceptions import InputError, Problem
from pricing.lossmodel import LossModelAssumptions
from pricing.market import DEFAULT_TERMS, MarketTerms
from pricing.market_quotes import MAX_QUOTES, CurveFit, MarketQuote, fit_market_curve
from pricing.premium import LoadingAssumptions
from pricing.profiles import ExchangeProfile
from pricing.uncertainty import draw_models, quote_interval

#: Columns of the market-quote editor (display currency million, %).
QUOTE_COLUMNS = ("retention", "limit", "premium", "rate_on_line")
#: What each column of the quote editor is called (problems name it).
QUOTE_LABELS = {
    "retention": "retention",
    "limit": "limit",
    "premium": "premium",
    "rate_on_line": "rate on line",
}
#: Parameter draws behind the 90% ranges (the CLI's default).
N_DRAWS = 20


def million_unit() -> str:
    """``USD m`` / ``百万円``: the unit of the editors' amounts."""
    ccy = locale.unit()
    if locale.lang() == "ja":
        return "百万円" if ccy == "JPY" else f"百万{ccy}"
    return f"{ccy} m"


def to_display_m(usd: float | None) -> float:
    """USD -> display currency million (NaN for an empty cell)."""
    if usd is None or not math.isfinite(usd):
        return math.nan
    return locale.from_usd(usd) / 1e6


def to_usd_m(display_m: float) -> float:
    """Display currency million -> USD million."""
    return locale.to_usd(display_m * 1e6) / 1e6 if math.isfinite(display_m) else display_m


def tower_for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """The stored tower rows (USD million) in the display currency."""
    out = frame.copy()
    for column in ("retention", "limit"):
        out[column] = out[column].astype(float).map(lambda usd_m: to_display_m(usd_m * 1e6))
    return out


def edits_to_usd(edits: dict[str, Any]) -> dict[str, Any]:
    """A data editor's edits of the display-currency tower, in USD million."""

    def convert(changes: dict[str, Any]) -> dict[str, Any]:
        return {
            c: (to_usd_m(float(v)) if c in ("retention", "limit") and v is not None else v)
            for c, v in changes.items()
        }

    return {
        "edited_rows": {r: convert(ch) for r, ch in (edits.get("edited_rows") or {}).items()},
        "deleted_rows": list(edits.get("deleted_rows") or []),
        "added_rows": [convert(row) for row in edits.get("added_rows") or []],
    }


@st.cache_data(show_spinner=False, max_entries=64)
def market_tower(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    tower: Tower,
    loadings: LoadingAssumptions,
    principle: str,
    rates: tuple[float | None, ...],
    terms: MarketTerms,
    upload: bytes | None = None,
    model_assumptions: LossModelAssumptions | None = None,
) -> TowerQuote:
    """:func:`pricing.coverage.quote_tower` with the market's terms, each layer at its cover
    type."""
    model = common.loss_model(profile, spec, model_assumptions, upload)
    kinds = tuple(str(k) for k in model.cover_type([layer.retention for layer in tower.layers]))
    return quote_tower(
        model.frequency, model.severity, tower, loadings, principle, list(rates), terms, kinds
    )


@st.cache_data(show_spinner=False, max_entries=16)
def premium_ranges(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    tower: Tower,
    loadings: LoadingAssumptions,
    principle: str,
    rates: tuple[float | None, ...],
    terms: MarketTerms,
    upload: bytes | None = None,
    model_assumptions: LossModelAssumptions | None = None,
) -> tuple[tuple[float, float], ...]:
    """90% range of each layer's quoted premium over :data:`N_DRAWS` seeded parameter draws
    (:func:`pricing.uncertainty.quote_interval`)."""
    model = common.loss_model(profile, spec, model_assumptions, upload)
    draws = draw_models(model, common.calibration(spec, upload), N_DRAWS, seed=1)
    kinds = tuple(str(k) for k in model.cover_type([layer.retention for layer in tower.layers]))
    return tuple(
        quote_interval(draws, layer, loadings, principle, terms, kind, rate)
        for layer, kind, rate in zip(tower.layers, kinds, rates, strict=True)
    )


def with_ranges(quote: TowerQuote, ranges: tuple[tuple[float, float], ...]) -> TowerQuote:
    """``quote`` with each layer's ``premium_interval``."""
    return TowerQuote(
        tuple(
            replace(q, premium_interval=band if q.placeable else None)
            for q, band in zip(quote.quotes, ranges, strict=True)
        )
    )


@st.cache_data(show_spinner=False, max_entries=32)
def curve_fit(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    quotes: tuple[MarketQuote, ...],
    family: str,
    upload: bytes | None = None,
    model_assumptions: LossModelAssumptions | None = None,
) -> CurveFit:
    """:func:`pricing.market_quotes.fit_market_curve` on the profile's loss model."""
    model = common.loss_model(profile, spec, model_assumptions, upload)
    return fit_market_curve(model.frequency, model.severity, quotes, family=family)


def empty_quotes() -> pd.DataFrame:
    """The market-quote editor's empty rows."""
    return pd.DataFrame({c: pd.Series(dtype=float) for c in QUOTE_COLUMNS})


def quotes_frame(stored: Any) -> pd.DataFrame:
    """The stored quotes (USD; rate on line as a fraction) as the editor's rows (display
    currency million; %)."""
    rows = [
        {
            "retention": to_display_m(r),
            "limit": to_display_m(lim),
            "premium": to_display_m(p),
            "rate_on_line": 100 * rol if rol is not None else math.nan,
        }
        for r, lim, p, rol in stored or ()
    ]
    return pd.DataFrame(rows, columns=list(QUOTE_COLUMNS)) if rows else empty_quotes()


def stored_quotes(frame: pd.DataFrame) -> tuple[tuple[Any, ...], ...]:
    """The editor's rows as stored: ``(retention, limit, premium, rate_on_line)`` in USD and
    fractions, ``None`` for an empty cell; empty rows dropped."""
    out = []
    for row in frame.to_dict("records"):
        values = [row.get(c) for c in QUOTE_COLUMNS]
        values = [
            None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values
        ]
        if all(v is None for v in values):
            continue
        r, lim, p, rol = values
        out.append(
            (
                None if r is None else to_usd_m(float(r)) * 1e6,
                None if lim is None else to_usd_m(float(lim)) * 1e6,
                None if p is None else to_usd_m(float(p)) * 1e6,
                None if rol is None else float(rol) / 100,
            )
        )
    return tuple(out)


def parse_quotes(stored: Any) -> tuple[MarketQuote, ...]:
    """The stored quotes as :class:`MarketQuote` objects; :class:`InputError` listing every
    problem with its row (``line``) and column, in the editor's display units."""
    t = locale.t
    problems: list[Problem] = []
    quotes = []
    for i, (r, lim, p, rol) in enumerate(stored or (), start=1):
        found = []
        for name, value in (("retention", r), ("limit", lim)):
            if value is None:
                found.append(Problem(i, name, t("is empty")))
            elif not math.isfinite(value) or value < 0:
                found.append(Problem(i, name, t("must be an amount of 0 or more")))
        if lim is not None and lim == 0:
            found.append(Problem(i, "limit", t("must be more than 0")))
        if (p is None) == (rol is None):
            found.append(Problem(i, "premium", t("give either the premium or the rate on line")))
        elif rol is not None and not 0 < rol <= 1:
            found.append(
                Problem(
                    i,
                    "rate_on_line",
                    t("must be more than 0% and at most 100%, got {value}").format(
                        value=f"{100 * rol:g}%"
                    ),
                )
            )
        elif p is not None and not p > 0:
            found.append(Problem(i, "premium", t("must be more than 0")))
        elif p is not None and lim and p > lim:
            found.append(Problem(i, "premium", t("is more than the limit")))
        if found:
            problems += found
            continue
        rate = rol if rol is not None else p / lim
        try:
            quotes.append(MarketQuote(r, lim, rate, line=i))
        except InputError as err:
            problems += list(err.problems)
    if len(stored or ()) > MAX_QUOTES:
        problems.append(Problem(None, None, t("give at most {n} quotes").format(n=MAX_QUOTES)))
    if problems:
        raise InputError("market quotes", problems)
    return tuple(quotes)


def fitted_terms(fit: CurveFit | None) -> MarketTerms:
    """The market's terms: the defaults, or with the curve fitted to the user's quotes."""
    return DEFAULT_TERMS if fit is None else fit.terms(DEFAULT_TERMS)
