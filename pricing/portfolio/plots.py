"""Figure builders of the insurer's book (plotly; no Streamlit), in the style of
:mod:`pricing.plots`.

Each chart takes the page's language (``lang``) and display currency (``currency``); the
amounts are the USD results converted at the shipped, dated rate
(:data:`pricing.regulation.fx.DEFAULT_FX`), in millions of the currency (億円 for yen). With
the defaults (English, USD) the figures are exactly those of the library in English.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from ..i18n import tr
from ..plots._base import PALETTE, _layout, money_axis
from ..regulation.fx import DEFAULT_FX
from .result import PortfolioResult

__all__ = ["accumulation_chart", "allocation_chart", "portfolio_exceedance_chart"]


def _unit(lang: str, currency: str, axis: str, digits: str) -> tuple[float, str, str]:
    """(factor from USD, axis unit, hover amount) of a chart's amount axis ``axis``."""
    if lang == "en" and currency == "USD":
        return 1e-6, "USD million", f"USD %{{{axis}:,{digits}f}}m"
    size, unit = (
        (1e8, tr("JPY 100 million", lang))
        if currency == "JPY"
        else (1e6, tr("{currency} million", lang).format(currency=currency))
    )
    return DEFAULT_FX.from_usd(1.0, currency) / size, unit, f"%{{{axis}:,.2f}} {unit}"


def accumulation_chart(
    result: PortfolioResult, lang: str = "en", currency: str = "USD"
) -> go.Figure:
    """By provider group: exposure against the 1-in-100 and 1-in-200 yearly loss (USD m)."""
    table = result.by_provider
    factor, unit, amount = _unit(lang, currency, "y", ".1")
    fig = go.Figure()
    for column, name, colour in (
        ("exposure", "Exposure (one occurrence per client)", PALETTE[7]),
        ("pml_99", "1 in 100 years", PALETTE[0]),
        ("pml_995", "1 in 200 years", PALETTE[3]),
    ):
        name = tr(name, lang)
        fig.add_trace(
            go.Bar(
                x=table["provider"],
                y=table[column] * factor,
                name=name,
                marker_color=colour,
                hovertemplate="%{x}: " + amount + "<extra>" + name + "</extra>",
            )
        )
    return _layout(
        fig,
        tr("Accumulation by provider: insurer's yearly loss on its clients", lang),
        barmode="group",
        yaxis={"title": {"text": unit}},
    )


def portfolio_exceedance_chart(
    result: PortfolioResult, lang: str = "en", currency: str = "USD"
) -> go.Figure:
    """AEP of the insurer's yearly loss and OEP of its largest occurrence (log scales)."""
    factor, _, amount = _unit(lang, currency, "x", ".2")
    fig = go.Figure()
    for curve, name, colour in (
        (result.aep, "Yearly loss (AEP)", PALETTE[0]),
        (result.oep, "Largest occurrence (OEP)", PALETTE[1]),
    ):
        name = tr(name, lang)
        part = curve[(curve["probability"] > 0) & (curve["loss_usd"] > 0)]
        fig.add_trace(
            go.Scatter(
                x=part["loss_usd"] * factor,
                y=part["probability"],
                mode="lines",
                name=name,
                line={"color": colour, "width": 3, "shape": "hv"},
                hovertemplate=amount + ": %{y:.3g}<extra>" + name + "</extra>",
            )
        )
    for p, dash, side in ((0.99, "dot", "bottom"), (0.995, "dash", "top")):
        fig.add_hline(y=1 - p, line={"color": "#555", "dash": dash, "width": 1})
        # Labelled by hand: on a log axis the annotation must sit at log10(y), which
        # add_hline's own annotation does not do; one label above its line, one below.
        fig.add_annotation(
            text=tr("1 in {years} years", lang).format(years=f"{1 / (1 - p):,.0f}"),
            x=1.0,
            xref="paper",
            xanchor="right",
            y=math.log10(1 - p),
            yref="y",
            yanchor=side,
            showarrow=False,
        )
    fig = _layout(
        fig,
        tr("Exceedance probability ({years} simulated years)", lang).format(
            years=f"{result.years:,}"
        ),
        xaxis={
            "title": tr("loss in a year, {currency} (log scale)", lang).format(currency=currency),
            "type": "log",
        },
        # probabilities as powers of ten, as on the other exceedance charts (not "100μ")
        yaxis={
            "title": tr("probability a year", lang),
            "type": "log",
            "dtick": 1,
            "exponentformat": "power",
        },
    )
    # Tick labels in the currency (USD 10m, 10億円), not bare numbers of the axis unit.
    return money_axis(fig, "x", currency, lang, DEFAULT_FX.from_usd(1.0, currency) / factor)


def allocation_chart(
    result: PortfolioResult, top: int = 15, lang: str = "en", currency: str = "USD"
) -> go.Figure:
    """Largest Euler contributions to the portfolio TVaR beside each exchange's stand-alone
    TVaR (USD m)."""
    table = result.allocation.sort_values("tvar_contribution", ascending=True).tail(top)
    factor, unit, amount = _unit(lang, currency, "x", ".2")
    fig = go.Figure()
    for column, name, colour in (
        ("standalone_tvar", "TVaR alone", PALETTE[7]),
        ("tvar_contribution", "Contribution to the book's TVaR", PALETTE[2]),
    ):
        name = tr(name, lang)
        fig.add_trace(
            go.Bar(
                y=table["exchange"],
                x=table[column] * factor,
                name=name,
                orientation="h",
                marker_color=colour,
                hovertemplate="%{y}: " + amount + "<extra>" + name + "</extra>",
            )
        )
    return _layout(
        fig,
        tr("TVaR {level}: each exchange alone and in the book", lang).format(
            level=f"{result.allocation_level:g}"
        ),
        barmode="group",
        xaxis={"title": {"text": unit}},
        height=max(420, 32 * len(table) + 160),
    )
