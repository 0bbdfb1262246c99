"""Figure builders: pure functions that return plotly figures.

The app and the exports call the same builders, so a chart looks the same on screen, in a
PDF and in a downloaded PNG. No Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .aggregate import AggregateDistribution
from .coverage import TowerQuote
from .sensitivity import PremiumRange, Tornado
from .strategy import COST_COMPONENTS, Comparison

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


def exceedance_chart(
    aep: pd.DataFrame,
    oep: pd.DataFrame | None = None,
    *,
    markers: dict[str, float] | None = None,
    floor: float = 1e-5,
    points: int = 400,
    title: str = "Yearly loss exceedance",
) -> go.Figure:
    """Probability that the yearly loss exceeds x (AEP) and that the largest single theft
    does (OEP), both axes logarithmic.

    ``aep`` and ``oep`` are :meth:`AggregateDistribution.exceedance_curve` tables (columns
    ``loss`` in USD and ``probability``). ``markers`` maps a label to a loss (USD), drawn as a
    vertical line (e.g. the 1-in-200 loss). Probabilities below ``floor`` (a return period
    beyond ``1 / floor`` years) are left out.
    """
    fig = go.Figure()
    series = [("all thefts in a year (AEP)", aep, PALETTE[0], "solid")]
    if oep is not None:
        series.append(("largest single theft (OEP)", oep, PALETTE[1], "dash"))
    shown = []
    for name, curve, colour, dash in series:
        part = _thin(curve, floor, points)
        shown.append(part)
        fig.add_trace(
            go.Scatter(
                x=part["loss"],
                y=part["probability"],
                mode="lines",
                name=name,
                line={"color": colour, "width": 2.5, "dash": dash, "shape": "hv"},
                customdata=1.0 / part["probability"].to_numpy(),
                hovertemplate="USD %{x:,.0f}<br>P(exceed) %{y:.3g}"
                "<br>1 in %{customdata:,.0f} years<extra></extra>",
            )
        )
    # Reference lines as traces: shapes and their annotations misplace on log axes.
    losses = np.concatenate([part["loss"].to_numpy() for part in shown])
    if losses.size:
        fig.add_trace(
            go.Scatter(
                x=[losses.min(), losses.max()],
                y=[0.005, 0.005],
                mode="lines",
                name="1 in 200 years",
                line={"color": "#999999", "dash": "dot", "width": 1.5},
                hoverinfo="skip",
            )
        )
    for i, (label, loss) in enumerate((markers or {}).items()):
        if np.isfinite(loss) and loss > 0:
            fig.add_trace(
                go.Scatter(
                    x=[loss, loss],
                    y=[floor, 1.0],
                    mode="lines",
                    name=label,
                    line={"color": PALETTE[3 + i % 3], "dash": "dot", "width": 1.5},
                    hovertemplate=f"{label}: USD {loss:,.0f}<extra></extra>",
                )
            )
    fig.update_xaxes(type="log", title="loss in a year, USD (log scale)", exponentformat="B")
    fig.update_yaxes(
        type="log",
        title="probability of exceeding it in a year (log scale)",
        dtick=1,
        exponentformat="power",
    )
    return _layout(fig, title)


# --------------------------------------------------------------------------------------------
# Reserve, insurance or hybrid (Compare and Small vs large pages)
# --------------------------------------------------------------------------------------------
#: Display name and colour of each strategy of :func:`pricing.strategy.compare`, on every chart.
STRATEGY_LABELS = {
    "reserve_only": "Reserve only",
    "insurance_only": "Insurance only",
    "hybrid": "Hybrid",
}
STRATEGY_COLOURS = {"reserve_only": "#0072B2", "insurance_only": "#E69F00", "hybrid": "#009E73"}
#: Display name and colour of each cost component (:data:`pricing.strategy.COST_COMPONENTS`):
#: insurance in the insurance colour, the reserve's costs in blues, what customers bear in red.
COMPONENT_LABELS = {
    "premium": "insurance premium",
    "retained_losses": "losses paid from the reserve",
    "carrying_cost": "cost of carrying the reserve",
    "uncompensated": "losses left to customers",
    "bridging_cost": "bridging the insurer's delay",
    "tail_charge": "capital for the 1-in-200 gap",
}
COMPONENT_COLOURS = {
    "premium": "#E69F00",
    "retained_losses": "#0072B2",
    "carrying_cost": "#56B4E9",
    "uncompensated": "#D55E00",
    "bridging_cost": "#CC79A7",
    "tail_charge": "#7F7F7F",
}
REGULATORY_COLOUR = "#555555"


def _legend_below(fig: go.Figure, bottom: int = 110, y: float = -0.18) -> go.Figure:
    """Legend under the plot area (long entries would collide with the title at the top)."""
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": y, "xanchor": "left", "x": 0.0},
        margin={"b": bottom},
    )
    return fig


def _usd_m(x: float) -> str:
    """USD amount in millions for labels (``USD 12.3 m``)."""
    return f"USD {x / 1e6:,.{1 if abs(x) >= 1e7 else 2}f} m"


def _wrap(text: str, width: int = 14) -> str:
    """Break a label into lines of about ``width`` characters (``<br>``) for axis ticks."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _nearest(grid: np.ndarray, value: float) -> int:
    """Index of the grid point nearest to ``value``."""
    return int(np.argmin(np.abs(np.asarray(grid, dtype=float) - value)))


def cost_components_chart(comparison: Comparison) -> go.Figure:
    """Yearly cost of each strategy, stacked by component (USD million), total on top.

    One bar per strategy of ``comparison`` (:class:`pricing.strategy.Comparison`), one trace
    per cost component in :data:`COMPONENT_COLOURS`; the recommended strategy is starred.
    """
    strategies = comparison.strategies
    labels = [
        STRATEGY_LABELS.get(s.name, s.name) + (" ★" if s.name == comparison.recommended else "")
        for s in strategies
    ]
    fig = go.Figure()
    for component in COST_COMPONENTS:
        values = np.array([s.components[component] for s in strategies]) / 1e6
        fig.add_trace(
            go.Bar(
                x=labels,
                y=values,
                name=COMPONENT_LABELS.get(component, component),
                marker_color=COMPONENT_COLOURS.get(component, "#999999"),
                hovertemplate="%{x}<br>"
                + COMPONENT_LABELS.get(component, component)
                + ": USD %{y:,.3f} m per year<extra></extra>",
            )
        )
    totals = np.array([s.total_cost for s in strategies]) / 1e6
    for label, s, total in zip(labels, strategies, totals, strict=True):
        fig.add_annotation(
            x=label,
            y=total,
            text=f"{_usd_m(s.total_cost)}<br>{s.cost_pct_assets:.2f}% of assets",
            showarrow=False,
            yanchor="bottom",
            yshift=4,
        )
    top = float(totals.max()) if totals.size else 1.0
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="cost of risk, USD million per year", range=[0, 1.25 * top or 1.0])
    fig.update_xaxes(title="strategy (★ recommended)")
    return _legend_below(_layout(fig, "Yearly cost of each strategy, by component"), 130)


def exceedance_with_layer_chart(
    agg: AggregateDistribution, retention: float, limit: float, *, floor: float = 1e-5
) -> go.Figure:
    """Yearly loss (AEP) and largest-theft (OEP) exceedance on log axes, with the layer's
    retention and retention + limit (USD, per theft) as vertical lines.

    Lines at zero (no retention, or no insurance) are left out: a log axis has no zero.
    """
    markers: dict[str, float] = {}
    if retention > 0:
        markers[f"retention {_usd_m(retention)}"] = float(retention)
    if limit > 0:
        markers[f"retention + limit {_usd_m(retention + limit)}"] = float(retention + limit)
    fig = exceedance_chart(
        agg.exceedance_curve("aep"),
        agg.exceedance_curve("oep"),
        markers=markers,
        floor=floor,
        title="Loss exceedance and the insurance layer",
    )
    return _legend_below(fig)


def cost_heatmap(comparison: Comparison, selected: tuple[float, float] | None = None) -> go.Figure:
    """Total yearly cost (USD million) on the optimiser's retention × limit grid.

    Cells are placed by grid index, so the geometric grid reads as a log scale; the colour
    scale stops at the 90th percentile so the cheap region keeps its contrast. The optimum
    (hybrid) is starred and ``selected`` = (retention, limit) in USD marks the nearest cell.
    """
    r = np.asarray(comparison.retentions, dtype=float)
    lim = np.asarray(comparison.limits, dtype=float)
    z = np.asarray(comparison.total_cost, dtype=float) / 1e6
    finite = z[np.isfinite(z)]
    lo = float(finite.min()) if finite.size else 0.0
    hi = float(np.quantile(finite, 0.9)) if finite.size else 1.0
    custom = np.dstack(
        [
            np.repeat(r[:, None] / 1e6, lim.size, axis=1),
            np.repeat(lim[None, :] / 1e6, r.size, axis=0),
            100 * np.asarray(comparison.p_full, dtype=float),
        ]
    )
    fig = go.Figure(
        go.Heatmap(
            x=np.arange(lim.size),
            y=np.arange(r.size),
            z=z,
            zmin=lo,
            zmax=hi if hi > lo else lo + 1e-9,
            colorscale="Cividis",
            reversescale=True,
            colorbar={"title": {"text": "USD m<br>per year", "side": "top"}},
            customdata=custom,
            name="total cost",
            hovertemplate="retention USD %{customdata[0]:,.2f} m<br>limit USD "
            "%{customdata[1]:,.2f} m<br>total cost USD %{z:,.3f} m<br>P(all compensated) "
            "%{customdata[2]:.2f}%<extra></extra>",
        )
    )
    hybrid = comparison.get("hybrid")
    points = [("optimum (hybrid)", hybrid.retention, hybrid.limit, "star", "#FFFFFF", 20)]
    if selected is not None:  # drawn first, smaller, so the optimum's star stays visible
        points.insert(0, ("inspected structure", selected[0], selected[1], "x", "#D55E00", 14))
    for name, ret, lay, symbol, colour, size in points:
        i, j = _nearest(r, ret), _nearest(lim, lay)
        fig.add_trace(
            go.Scatter(
                x=[j],
                y=[i],
                mode="markers",
                name=name,
                marker={
                    "symbol": symbol,
                    "size": size,
                    "color": colour,
                    "line": {"color": "#000000", "width": 1.5},
                },
                hovertemplate=f"{name}<br>retention {_usd_m(r[i])}<br>limit {_usd_m(lim[j])}"
                f"<br>total cost USD {z[i, j]:,.3f} m<extra></extra>",
            )
        )

    def ticks(grid: np.ndarray) -> dict[str, Any]:
        idx = np.unique(np.linspace(0, grid.size - 1, min(6, grid.size)).round().astype(int))
        text = [f"{grid[k] / 1e6:,.3g}" for k in idx]
        return {"tickmode": "array", "tickvals": idx.tolist(), "ticktext": text}

    fig.update_xaxes(title="limit per theft, USD million (log spacing)", **ticks(lim))
    fig.update_yaxes(title="retention per theft, USD million (log spacing)", **ticks(r))
    return _legend_below(_layout(fig, "Total cost of every retention and limit"))


def frontier_chart(comparison: Comparison) -> go.Figure:
    """Cheapest structure for each protection level, with the three strategies marked.

    Protection ``P(R ≤ K)`` is shown as a return period, "all customers compensated except
    about 1 year in N" (log axis), so the levels near 100% spread out; cost in USD million.
    """

    def years(p: Any) -> np.ndarray:
        return 1.0 / np.clip(1.0 - np.asarray(p, dtype=float), 1e-6, None)

    f = comparison.frontier
    fig = go.Figure(
        go.Scatter(
            x=years(f["p_full"]),
            y=f["total_cost"] / 1e6,
            mode="lines+markers",
            name="cheapest structure per protection level",
            line={"color": "#999999", "width": 2},
            marker={"size": 6, "color": "#999999"},
            customdata=np.column_stack(
                [100 * f["p_full"], f["retention"] / 1e6, f["limit"] / 1e6, f["reserve"] / 1e6]
            ),
            hovertemplate="P(all compensated) %{customdata[0]:.3f}%<br>retention USD "
            "%{customdata[1]:,.2f} m, limit USD %{customdata[2]:,.2f} m<br>reserve USD "
            "%{customdata[3]:,.2f} m<br>cost USD %{y:,.3f} m per year<extra></extra>",
        )
    )
    for s in comparison.strategies:
        fig.add_trace(
            go.Scatter(
                x=years([s.p_full]),
                y=[s.total_cost / 1e6],
                mode="markers",
                name=STRATEGY_LABELS.get(s.name, s.name)
                + (" (recommended)" if s.name == comparison.recommended else ""),
                marker={
                    "size": 16,
                    "color": STRATEGY_COLOURS.get(s.name, "#000000"),
                    "symbol": "star" if s.name == comparison.recommended else "circle",
                    "line": {"color": "#000000", "width": 1},
                },
                hovertemplate=f"{STRATEGY_LABELS.get(s.name, s.name)}<br>P(all compensated) "
                f"{100 * s.p_full:.3f}%<br>cost {_usd_m(s.total_cost)} per year<extra></extra>",
            )
        )
    costs = np.concatenate(
        [f["total_cost"].to_numpy(), [s.total_cost for s in comparison.strategies]]
    )
    target = float(years([comparison.assumptions.target])[0])
    if costs.size:
        fig.add_trace(
            go.Scatter(
                x=[target, target],
                y=[0.0, float(costs.max()) / 1e6 * 1.05],
                mode="lines",
                name=f"target {100 * comparison.assumptions.target:g}%",
                line={"color": "#D55E00", "dash": "dot", "width": 1.5},
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(
        type="log",
        title="protection: customers fully compensated except 1 year in N (log scale)",
    )
    fig.update_yaxes(title="cost of risk, USD million per year", rangemode="tozero")
    return _legend_below(_layout(fig, "Cost against protection (the efficient frontier)"))


def small_vs_large_chart(comparisons: Sequence[Comparison]) -> go.Figure:
    """Exchanges side by side: each strategy's yearly cost as % of customer assets and of
    revenue (grouped bars, strategy colours), and the regulatory minimum as % of assets.

    ``comparisons`` are :class:`pricing.strategy.Comparison` results for the same regime.
    """
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=(
            "Cost, % of customer assets",
            "Cost, % of revenue",
            "Regulatory minimum,<br>% of customer assets",
        ),
        horizontal_spacing=0.09,
    )
    names = [_wrap(c.model.profile.name) for c in comparisons]
    strategy_names = list(dict.fromkeys(s.name for c in comparisons for s in c.strategies))
    for name in strategy_names:
        picked = [c.get(name) for c in comparisons]
        label = STRATEGY_LABELS.get(name, name)
        for col, values, unit in (
            (1, [s.cost_pct_assets for s in picked], "of customer assets"),
            (2, [s.cost_pct_revenue for s in picked], "of revenue"),
        ):
            fig.add_trace(
                go.Bar(
                    x=names,
                    y=values,
                    name=label,
                    legendgroup=name,
                    showlegend=col == 1,
                    marker_color=STRATEGY_COLOURS.get(name, "#999999"),
                    hovertemplate=f"{label}<br>%{{y:.3f}}% {unit}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    floors = [100 * c.rule.amount_usd / c.model.profile.customer_assets_usd for c in comparisons]
    fig.add_trace(
        go.Bar(
            x=names,
            y=floors,
            name="regulatory minimum",
            marker_color=REGULATORY_COLOUR,
            text=[f"{v:.2f}%" for v in floors],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y:.3f}% of customer assets<extra>regulatory minimum</extra>",
        ),
        row=1,
        col=3,
    )
    fig.update_layout(barmode="group")
    fig.update_annotations(font=FONT)
    fig.update_yaxes(title_text="% per year", row=1, col=1)
    fig.update_yaxes(range=[0, 1.25 * max(floors, default=1.0) or 1.0], row=1, col=3)
    regime = comparisons[0].regime if comparisons else ""
    fig = _layout(fig, f"Small against large exchange under the {regime} rule")
    fig.update_layout(margin={"t": 110}, height=520)
    return _legend_below(fig, 160, y=-0.25)


def tornado_chart(tornado: Tornado) -> go.Figure:
    """Total cost of risk with each assumption at its low and high value, largest swing on top
    (USD per year; the vertical line is the base case)."""
    table = tornado.table().iloc[::-1]
    fig = go.Figure()
    for side, colour in (("low", PALETTE[0]), ("high", PALETTE[3])):
        fig.add_bar(
            y=table["factor"],
            x=table[f"{side}_cost"] - tornado.base_cost,
            base=tornado.base_cost,
            orientation="h",
            name=f"{side} value",
            marker_color=colour,
            text=table[f"{side}_label"],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>" + side + " %{text}: USD %{x:,.0f} from base<extra></extra>",
        )
    fig.add_vline(x=tornado.base_cost, line_color=REGULATORY_COLOUR, line_dash="dash")
    fig.update_xaxes(title="total cost of risk (USD per year)", tickformat=",.0f")
    fig.update_layout(barmode="overlay", height=120 + 50 * len(table))
    return _layout(fig, f"What moves the cost (base: {_usd_m(tornado.base_cost)} per year)")


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
    _layout(fig, "Insurance tower (per theft)", barmode="overlay", showlegend=False)
    fig.update_yaxes(title="USD million per theft", rangemode="tozero")
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(bargap=0.35, height=520)
    return fig
