"""Charts of the incident history, the fit and the yearly loss (Loss history, Loss model,
Exchange profile and Compare pages)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._base import (
    PALETTE,
    USD,
    Display,
    _figure,
    _layout,
    colour_map,
    money_axis,
    traces_money_ticks,
)

__all__ = [
    "exceedance_chart",
    "incident_timeline",
    "qq_chart",
    "survival_chart",
    "yearly_counts_chart",
]


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
    money_axis(fig, "y")
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
    fig.update_yaxes(rangemode="tozero", secondary_y=False)
    # Its own round ticks from zero (left alone, the right axis took the left one's grid and
    # ran from -16 in steps of 45.6).
    fig.update_yaxes(
        title_text="exchanges tracked",
        secondary_y=True,
        showgrid=False,
        rangemode="tozero",
        tickmode="auto",
        nticks=6,
    )
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
    money_axis(money_axis(fig, "x"), "y")
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
    money_axis(fig, "x")
    return _layout(fig, "Fitted against observed loss sizes")


def _thin(curve: pd.DataFrame, floor: float, points: int) -> pd.DataFrame:
    """Points with a positive loss and probability ≥ ``floor``, thinned to about ``points``
    on a logarithmic loss grid (the curve is a step function on a fine grid)."""
    keep = curve[(curve["loss"] > 0) & (curve["probability"] >= floor)]
    if len(keep) <= points:
        return keep
    loss = keep["loss"].to_numpy()
    targets = np.geomspace(loss[0], loss[-1], points)
    idx = np.unique(np.clip(np.searchsorted(loss, targets), 0, len(loss) - 1))
    return keep.iloc[idx]


def marker_lines(
    markers: dict[str, float], floor: float, display: Display = USD
) -> list[dict[str, Any]]:
    """Vertical lines (plotly trace dicts) at each ``markers`` loss (USD) of an exceedance
    chart, from ``floor`` to probability 1; losses that are zero or not finite are left out
    (a log axis has neither)."""
    d = display
    return [
        {
            "type": "scatter",
            "x": [loss * d.rate, loss * d.rate],
            "y": [floor, 1.0],
            "mode": "lines",
            "name": label,
            "line": {"color": PALETTE[3 + i % 3], "dash": "dot", "width": 1.5},
            "hovertemplate": f"{label}<extra></extra>",
        }
        for i, (label, loss) in enumerate(markers.items())
        if np.isfinite(loss) and loss > 0
    ]


def exceedance_chart(
    aep: pd.DataFrame,
    oep: pd.DataFrame | None = None,
    *,
    markers: dict[str, float] | None = None,
    floor: float = 1e-5,
    points: int = 400,
    title: str = "Yearly loss exceedance",
    display: Display = USD,
) -> go.Figure:
    """Probability that the yearly loss exceeds x (AEP) and that the largest single theft
    does (OEP), both axes logarithmic.

    ``aep`` and ``oep`` are :meth:`AggregateDistribution.exceedance_curve` tables (columns
    ``loss`` in USD and ``probability``). ``markers`` maps a label to a loss (USD), drawn as a
    vertical line (e.g. the 1-in-200 loss). Probabilities below ``floor`` (a return period
    beyond ``1 / floor`` years) are left out. Losses are drawn in ``display``'s currency.
    """
    d = display
    traces: list[Any] = []
    series = [(d.t("all thefts in a year (AEP)"), aep, PALETTE[0], "solid")]
    if oep is not None:
        series.append((d.t("largest single theft (OEP)"), oep, PALETTE[1], "dash"))
    years = d.t("1 in {n} years").format(n="%{customdata:,.0f}")
    shown = []
    for name, curve, colour, dash in series:
        part = _thin(curve, floor, points)
        shown.append(part)
        traces.append(
            go.Scatter(
                x=part["loss"] * d.rate,
                y=part["probability"],
                mode="lines",
                name=name,
                line={"color": colour, "width": 2.5, "dash": dash, "shape": "hv"},
                customdata=1.0 / part["probability"].to_numpy(),
                hovertemplate=f"%{{x:,.0f}} {d.currency}<br>{d.t('P(exceed)')} %{{y:.3g}}"
                f"<br>{years}<extra></extra>",
            )
        )
    # Reference lines as traces: shapes and their annotations misplace on log axes.
    losses = np.concatenate([part["loss"].to_numpy() for part in shown])
    if losses.size:
        traces.append(
            go.Scatter(
                x=[losses.min() * d.rate, losses.max() * d.rate],
                y=[0.005, 0.005],
                mode="lines",
                name=d.t("1 in {n} years").format(n="200"),
                line={"color": "#999999", "dash": "dot", "width": 1.5},
                hoverinfo="skip",
            )
        )
    traces += marker_lines(markers or {}, floor, d)
    loss = d.t("loss in a year, {currency} (log scale)").format(currency=d.currency)
    xaxis = {
        "type": "log",
        "title": {"text": loss},
        **traces_money_ticks(traces, "x", d.currency, d.lang),
    }
    yaxis = {
        "type": "log",
        "title": {"text": d.t("probability of exceeding it in a year (log scale)")},
        "dtick": 1,
        "exponentformat": "power",
    }
    return _figure(traces, title, xaxis=xaxis, yaxis=yaxis)
