"""Figure builders of the insurer's book (plotly; no Streamlit), in the style of
:mod:`pricing.plots`."""

from __future__ import annotations

import plotly.graph_objects as go

from ..plots._base import PALETTE, _layout, _legend_below
from .result import PortfolioResult

__all__ = ["accumulation_chart", "allocation_chart", "portfolio_exceedance_chart"]


def accumulation_chart(result: PortfolioResult) -> go.Figure:
    """By provider group: exposure against the 1-in-100 and 1-in-200 yearly loss (USD m)."""
    table = result.by_provider
    fig = go.Figure()
    for column, name, colour in (
        ("exposure", "Exposure (one occurrence per client)", PALETTE[7]),
        ("pml_99", "1 in 100 years", PALETTE[0]),
        ("pml_995", "1 in 200 years", PALETTE[3]),
    ):
        fig.add_trace(
            go.Bar(
                x=table["provider"],
                y=table[column] / 1e6,
                name=name,
                marker_color=colour,
                hovertemplate="%{x}: USD %{y:,.1f}m<extra>" + name + "</extra>",
            )
        )
    _layout(
        fig,
        "Accumulation by provider: insurer's yearly loss on its clients",
        barmode="group",
        yaxis_title="USD million",
    )
    return _legend_below(fig)


def portfolio_exceedance_chart(result: PortfolioResult) -> go.Figure:
    """AEP of the insurer's yearly loss and OEP of its largest occurrence (log scales)."""
    fig = go.Figure()
    for curve, name, colour in (
        (result.aep, "Yearly loss (AEP)", PALETTE[0]),
        (result.oep, "Largest occurrence (OEP)", PALETTE[1]),
    ):
        part = curve[(curve["probability"] > 0) & (curve["loss_usd"] > 0)]
        fig.add_trace(
            go.Scatter(
                x=part["loss_usd"] / 1e6,
                y=part["probability"],
                mode="lines",
                name=name,
                line={"color": colour, "width": 3, "shape": "hv"},
                hovertemplate="USD %{x:,.2f}m: %{y:.3g}<extra>" + name + "</extra>",
            )
        )
    for p, dash in ((0.99, "dot"), (0.995, "dash")):
        fig.add_hline(
            y=1 - p,
            line={"color": "#555", "dash": dash, "width": 1},
            annotation_text=f"1 in {1 / (1 - p):,.0f} years",
        )
    _layout(
        fig,
        f"Exceedance probability ({result.years:,} simulated years)",
        xaxis={"title": "USD million", "type": "log"},
        yaxis={"title": "probability a year", "type": "log"},
    )
    return _legend_below(fig)


def allocation_chart(result: PortfolioResult, top: int = 15) -> go.Figure:
    """Largest Euler contributions to the portfolio TVaR beside each exchange's stand-alone
    TVaR (USD m)."""
    table = result.allocation.sort_values("tvar_contribution", ascending=True).tail(top)
    fig = go.Figure()
    for column, name, colour in (
        ("standalone_tvar", "TVaR alone", PALETTE[7]),
        ("tvar_contribution", "Contribution to the book's TVaR", PALETTE[2]),
    ):
        fig.add_trace(
            go.Bar(
                y=table["exchange"],
                x=table[column] / 1e6,
                name=name,
                orientation="h",
                marker_color=colour,
                hovertemplate="%{y}: USD %{x:,.2f}m<extra>" + name + "</extra>",
            )
        )
    _layout(
        fig,
        f"TVaR {result.allocation_level:g}: each exchange alone and in the book",
        barmode="group",
        xaxis_title="USD million",
        height=max(420, 32 * len(table) + 160),
    )
    return _legend_below(fig)
