"""Charts of a quote: the tower, the premium's range and what moves the cost (Insurer quote
and Sensitivity pages, exports)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ..coverage import TowerQuote
from ..sensitivity import PremiumRange, Tornado
from ._base import PALETTE, _figure, _layout, _usd_m
from .strategy import REGULATORY_COLOUR

__all__ = ["premium_range_chart", "tornado_chart", "tower_chart"]


def tornado_chart(tornado: Tornado) -> go.Figure:
    """Total cost of risk with each assumption at its low and high value, largest swing on top
    (USD per year; the vertical line is the base case)."""
    table = tornado.table().iloc[::-1]
    base = tornado.base_cost
    low, high = table["low_cost"] - base, table["high_cost"] - base
    reach = float(np.nanmax(np.abs(np.concatenate([low, high, [0.0]])))) or 1.0
    # A row whose bars are too short to separate its two labels gets one "low / high" label.
    short = np.maximum(np.abs(low), np.abs(high)) < 0.06 * reach
    # ``text`` stays each bar's own label (hover templates read it); ``texttemplate`` says
    # what is drawn.
    shown = {
        "low": np.where(short, "", "%{text}"),
        "high": np.where(short, table["low_label"].astype(str) + " / %{text}", "%{text}"),
    }
    bars = [
        go.Bar(
            y=table["factor"],
            x=delta,
            base=base,
            orientation="h",
            name=f"{side} value",
            marker_color=colour,
            text=table[f"{side}_label"],
            texttemplate=shown[side],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>" + side + " %{text}: USD %{x:,.0f} from base<extra></extra>",
        )
        for side, colour, delta in (("low", PALETTE[0], low), ("high", PALETTE[3], high))
    ]
    base_line = {  # the base case: a vertical line across the plot
        "type": "line",
        "x0": base,
        "x1": base,
        "xref": "x",
        "y0": 0,
        "y1": 1,
        "yref": "y domain",
        "line": {"color": REGULATORY_COLOUR, "dash": "dash"},
    }
    # Room on both sides for the labels outside the bars (they would cover the tick labels).
    lo = float(np.nanmin(np.concatenate([low, high, [0.0]]))) + base
    hi = float(np.nanmax(np.concatenate([low, high, [0.0]]))) + base
    pad = 0.18 * ((hi - lo) or abs(base) or 1.0)
    return _figure(
        bars,
        f"What moves the cost (base: {_usd_m(tornado.base_cost)} per year)",
        shapes=[base_line],
        xaxis={
            "title": {"text": "total cost of risk (USD per year)"},
            "tickformat": ",.0f",
            "range": [lo - pad, hi + pad],
            "nticks": 6,  # long amounts (130,000,000) stay level, clear of the axis title
        },
        barmode="overlay",
        height=120 + 50 * len(table),
    )


def premium_range_chart(result: PremiumRange) -> go.Figure:
    """Histogram of the layer premium over parameter draws, with the point estimate and the
    central interval (USD per year)."""
    low, high = result.interval
    fig = go.Figure(go.Histogram(x=result.draws, marker_color=PALETTE[1], name="draws"))
    fig.add_vline(x=result.base, line_color=PALETTE[0], annotation_text="point estimate")
    for x in (low, high):
        fig.add_vline(x=x, line_dash="dot", line_color=REGULATORY_COLOUR)
    fig.update_xaxes(title="technical premium (USD per year)", tickformat=",.0f")
    fig.update_yaxes(title="parameter draws")
    return _layout(
        fig, f"Premium under parameter uncertainty ({100 * result.level:.0f}% interval dotted)"
    )


def tower_chart(quote: TowerQuote) -> go.Figure:
    """The insurance tower: each layer drawn from its retention to its exhaustion point (USD m,
    per theft), labelled with its share, premium and rate on line; the exchange's own
    retention below. An unlimited layer is drawn to twice its retention and marked so."""
    fig = go.Figure()
    first = quote.quotes[0].layer.retention if quote.quotes else 0.0
    if first > 0:
        fig.add_bar(
            x=["Tower"],
            y=[first / 1e6],
            base=[0.0],
            name="Retained by the exchange",
            marker_color="#BBBBBB",
            text=[f"retained<br>{_usd_m(first)}"],
            textposition="inside",
            hovertemplate="retained up to %{y:,.2f} m<extra></extra>",
        )
    for i, q in enumerate(quote.quotes):
        lay = q.layer
        top = lay.limit if math.isfinite(lay.limit) else max(lay.retention, 1e6)
        label = (
            f"{lay.label}: {_usd_m(lay.limit) if math.isfinite(lay.limit) else 'unlimited'}"
            f" xs {_usd_m(lay.retention)}<br>{100 * lay.share:g}% placed · premium "
            f"{_usd_m(q.premium)} · ROL {100 * q.rate_on_line:.2f}%"
        )
        fig.add_bar(
            x=["Tower"],
            y=[top / 1e6],
            base=[lay.retention / 1e6],
            name=lay.label,
            marker_color=PALETTE[i % len(PALETTE)],
            marker_opacity=0.35 + 0.65 * lay.share,
            text=[label],
            textposition="inside",
            insidetextanchor="middle",
            hovertemplate=f"{lay.label}<extra></extra>",
        )
    fig = _layout(fig, "Insurance tower (per theft)", barmode="overlay", showlegend=False)
    fig.update_yaxes(title="USD million per theft", rangemode="tozero")
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(bargap=0.35, height=520)
    return fig
