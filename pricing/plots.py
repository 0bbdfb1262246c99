"""Figure builders: pure functions that return plotly figures.

The app and the exports call the same builders, so a chart looks the same on screen, in a
PDF and in a downloaded PNG. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# One colour per attack vector and per model, used on every chart (colour-blind-safe palette).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#7F7F7F")
FONT = {"family": "Liberation Sans, Arial, sans-serif", "size": 15}


def _layout(fig: go.Figure, title: str, **kwargs: Any) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        font=FONT,
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        **kwargs,
    )
    return fig


def colour_map(names: Sequence[str]) -> dict[str, str]:
    """Stable colour for each name (attack vector, model family, strategy)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def incident_timeline(frame: pd.DataFrame, vectors: Sequence[str]) -> go.Figure:
    """Each theft as a point: date against loss (USD at the time, log scale), by attack vector."""
    colours = colour_map(vectors)
    fig = go.Figure()
    known = frame[frame["loss_usd"].notna()]
    for vector in vectors:
        part = known[known["attack_vector"] == vector]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["date"],
                y=part["loss_usd"],
                mode="markers",
                name=vector.replace("_", " "),
                marker={
                    "color": colours[vector],
                    "size": 9,
                    "opacity": 0.85,
                    "line": {"width": 0.5, "color": "white"},
                },
                customdata=part[["exchange", "loss_native"]].to_numpy(),
                hovertemplate="%{customdata[0]}<br>%{x|%Y-%m-%d}<br>USD %{y:,.0f}"
                "<br>%{customdata[1]}<extra></extra>",
            )
        )
    fig.update_yaxes(type="log", title="loss, USD at the time (log scale)")
    fig.update_xaxes(title="date")
    return _layout(fig, "Thefts from exchanges and custodians")


def yearly_counts_chart(counts: pd.DataFrame) -> go.Figure:
    """Incidents per year (bars) with the exposure base (line, right axis)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=counts["year"], y=counts["n_incidents"], name="incidents", marker_color=PALETTE[0]
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=counts["year"],
            y=counts["exposure"],
            name="exchanges tracked",
            mode="lines+markers",
            line={"color": PALETTE[1], "width": 3},
        ),
        secondary_y=True,
    )
    fig.update_yaxes(title_text="incidents per year", secondary_y=False)
    fig.update_yaxes(title_text="exchanges tracked", secondary_y=True, showgrid=False)
    fig.update_xaxes(title_text="year", dtick=1)
    return _layout(fig, "Incidents per year and the exposure base")


def qq_chart(qq: pd.DataFrame, family: str) -> go.Figure:
    """Empirical against fitted quantiles on log axes; points on the diagonal mean a good fit."""
    fig = go.Figure()
    lo = float(np.nanmin(qq[["empirical", "fitted"]].to_numpy()))
    hi = float(np.nanmax(qq[["empirical", "fitted"]].to_numpy()))
    fig.add_trace(
        go.Scatter(
            x=[lo, hi],
            y=[lo, hi],
            mode="lines",
            name="perfect fit",
            line={"color": "#999999", "dash": "dash"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=qq["fitted"],
            y=qq["empirical"],
            mode="markers",
            name=family,
            marker={"color": PALETTE[0], "size": 8},
        )
    )
    fig.update_xaxes(type="log", title="fitted quantile, USD")
    fig.update_yaxes(type="log", title="observed loss, USD")
    return _layout(fig, f"QQ plot: {family}")


def survival_chart(
    losses: np.ndarray, curves: dict[str, tuple[np.ndarray, np.ndarray]], threshold: float
) -> go.Figure:
    """Empirical survival of losses above the threshold against fitted conditional curves.

    ``curves`` maps a label to ``(x, S(x))``; both axes are logarithmic, where a power-law tail
    is a straight line.
    """
    x = np.sort(np.asarray(losses, dtype=float))
    n = len(x)
    empirical = 1.0 - (np.arange(1, n + 1) - 0.5) / n
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=empirical,
            mode="markers",
            name="observed",
            marker={"color": "#222222", "size": 7},
        )
    )
    colours = colour_map(list(curves))
    for label, (grid, sf) in curves.items():
        fig.add_trace(
            go.Scatter(
                x=grid, y=sf, mode="lines", name=label, line={"color": colours[label], "width": 2.5}
            )
        )
    fig.update_xaxes(type="log", title=f"loss, USD (above the USD {threshold:,.0f} threshold)")
    fig.update_yaxes(type="log", title="probability a reported loss is larger")
    return _layout(fig, "Fitted against observed loss sizes")
