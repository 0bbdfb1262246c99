"""Charts of reserve, insurance or hybrid (Compare and Small vs large pages, client report).

Every builder takes a :class:`~pricing.plots._base.Display` (currency and language); amounts
are computed in USD and converted only here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..aggregate import AggregateDistribution
from ..strategy import COST_COMPONENTS, Comparison
from ..strategy.words import STRATEGY_LABELS
from ._base import FONT, USD, Display, _figure, _layout, _nearest, _wrap
from ._memo import kept_figure, overlaid
from .losses import exceedance_chart, marker_lines

__all__ = [
    "COMPONENT_COLOURS",
    "COMPONENT_LABELS",
    "REGULATORY_COLOUR",
    "STRATEGY_COLOURS",
    "STRATEGY_LABELS",
    "UNPLACEABLE",
    "cost_components_chart",
    "cost_heatmap",
    "exceedance_with_layer_chart",
    "frontier_chart",
    "small_vs_large_chart",
    "unplaceable_edge",
]

# --------------------------------------------------------------------------------------------
# Reserve, insurance or hybrid (Compare and Small vs large pages)
# --------------------------------------------------------------------------------------------
#: Display name and colour of each strategy of :func:`pricing.strategy.compare`, on every chart.

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


def _label(name: str, d: Display) -> str:
    return d.t(STRATEGY_LABELS.get(name, name))


def cost_components_chart(comparison: Comparison, display: Display = USD) -> go.Figure:
    """Yearly cost of each strategy, stacked by component (millions of the display currency),
    total on top.

    One bar per strategy of ``comparison`` (:class:`pricing.strategy.Comparison`), one trace
    per cost component in :data:`COMPONENT_COLOURS`; the recommended strategy is starred.
    """
    d = display
    strategies = comparison.strategies
    labels = [
        _label(s.name, d) + (" ★" if s.name == comparison.recommended else "") for s in strategies
    ]
    traces: list[Any] = []
    per_year = d.t("per year")
    for component in COST_COMPONENTS:
        values = d.axis([s.components[component] for s in strategies])
        name = d.t(COMPONENT_LABELS.get(component, component))
        traces.append(
            go.Bar(
                x=labels,
                y=values,
                name=name,
                marker_color=COMPONENT_COLOURS.get(component, "#999999"),
                hovertemplate=f"%{{x}}<br>{name}: {d.hover('y')} {per_year}<extra></extra>",
            )
        )
    totals = d.axis([s.total_cost for s in strategies])
    annotations = [
        {
            "x": label,
            "y": total,
            "text": f"{d.money(s.total_cost)}<br>"
            + d.t("{pct}% of assets").format(pct=f"{s.cost_pct_assets:.2f}"),
            "showarrow": False,
            "yanchor": "bottom",
            "yshift": 4,
        }
        for label, s, total in zip(labels, strategies, totals, strict=True)
    ]
    top = float(totals.max()) if totals.size else 1.0
    return _figure(
        traces,
        d.t("Yearly cost of each strategy, by component"),
        barmode="stack",
        annotations=annotations,
        yaxis={
            "title": {"text": d.t("cost of risk, {unit} per year").format(unit=d.unit_long)},
            "range": [0, 1.25 * top or 1.0],
        },
        xaxis={"title": {"text": d.t("strategy (★ recommended)")}},
    )


def exceedance_with_layer_chart(
    agg: AggregateDistribution,
    retention: float,
    limit: float,
    *,
    floor: float = 1e-5,
    display: Display = USD,
) -> go.Figure:
    """Yearly loss (AEP) and largest-theft (OEP) exceedance on log axes, with the layer's
    retention and retention + limit (USD, per theft) as vertical lines.

    Lines at zero (no retention, or no insurance) are left out: a log axis has no zero. The
    curves are built once per ``agg`` and display (:mod:`._memo`): a new layer redraws two lines.
    """
    d = display
    base = kept_figure(
        agg,
        ("exceedance", floor, d),
        lambda: exceedance_chart(
            agg.exceedance_curve("aep"),
            agg.exceedance_curve("oep"),
            floor=floor,
            title=d.t("Loss exceedance and the insurance layer"),
            display=d,
        ),
    )
    markers: dict[str, float] = {}
    if retention > 0:
        markers[f"{d.t('retention')} {d.money(retention)}"] = float(retention)
    if limit > 0:
        top = d.t("retention + limit")
        markers[f"{top} {d.money(retention + limit)}"] = float(retention + limit)
    return overlaid(base, marker_lines(markers, floor, d), at=len(base["data"]))


def cost_heatmap(
    comparison: Comparison,
    selected: tuple[float, float] | None = None,
    display: Display = USD,
) -> go.Figure:
    """Total yearly cost (millions of the display currency) on the optimiser's retention ×
    limit grid.

    Cells are placed by grid index, so the geometric grid reads as a log scale; the colour
    scale stops at the 90th percentile so the cheap region keeps its contrast. The optimum
    (hybrid) is starred, the grid points the market would not write (no premium) are outlined,
    and ``selected`` = (retention, limit) in USD marks the nearest cell. The chart without the
    selection is built once per comparison and display (:mod:`._memo`), so moving the
    selection redraws one marker.
    """
    base = kept_figure(comparison, ("cost_heatmap", display), lambda: _heatmap(comparison, display))
    if selected is None:
        return overlaid(base, [], at=0)
    inspected = _grid_mark(
        comparison, "inspected structure", selected, ("x", "#D55E00", 14), display
    )
    return overlaid(base, [inspected], at=len(base["data"]) - 1)  # under the optimum's star


#: Colour of the outline of the grid points the market would not write.
UNPLACEABLE = "#D62728"


def unplaceable_edge(comparison: Comparison) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the grid points the market would not write (total cost
    infinite: no premium) that border a placeable point or the grid's edge: the outline of
    that region."""
    bad = ~np.isfinite(np.asarray(comparison.total_cost, dtype=float))
    pad = np.pad(bad, 1, constant_values=False)
    inner = pad[:-2, 1:-1] & pad[2:, 1:-1] & pad[1:-1, :-2] & pad[1:-1, 2:]
    return np.nonzero(bad & ~inner)


def _grid_mark(
    comparison: Comparison,
    name: str,
    structure: tuple[float, float],
    look: tuple[str, str, int],
    d: Display,
) -> dict[str, Any]:
    """A marker (plotly trace dict) on the heatmap cell nearest to ``structure`` =
    (retention, limit) in USD; ``look`` = (symbol, colour, size)."""
    r, lim = comparison.retentions, comparison.limits
    i, j = _nearest(r, structure[0]), _nearest(lim, structure[1])
    symbol, colour, size = look
    shown = d.t(name)
    return {
        "type": "scatter",
        "x": [j],
        "y": [i],
        "mode": "markers",
        "name": shown,
        "marker": {
            "symbol": symbol,
            "size": size,
            "color": colour,
            "line": {"color": "#000000", "width": 1.5},
        },
        "hovertemplate": f"{shown}<br>{d.t('retention')} {d.money(r[i])}<br>"
        f"{d.t('limit')} {d.money(lim[j])}<br>{d.t('total cost')} "
        f"{d.money(float(comparison.total_cost[i, j]))}<extra></extra>",
    }


def _heatmap(comparison: Comparison, d: Display) -> go.Figure:
    """The cost heatmap with the unplaceable outline and the optimum, nothing selected."""
    r = np.asarray(comparison.retentions, dtype=float)
    lim = np.asarray(comparison.limits, dtype=float)
    z = d.axis(comparison.total_cost)
    finite = z[np.isfinite(z)]
    lo = float(finite.min()) if finite.size else 0.0
    hi = float(np.quantile(finite, 0.9)) if finite.size else 1.0
    # The cells travel to the browser as single precision (7 significant digits; the hover
    # shows at most 5, the colours far fewer): half the bytes of the chart, which is sent
    # again at every retention typed in the structure inspector.
    custom = np.dstack(
        [
            np.repeat(d.axis(r)[:, None], lim.size, axis=1),
            np.repeat(d.axis(lim)[None, :], r.size, axis=0),
            100 * np.asarray(comparison.p_full, dtype=float),
        ]
    ).astype(np.float32)
    words = {
        w: d.t(w) for w in ("retention", "limit", "total cost", "P(all compensated)", "per year")
    }
    traces: list[Any] = [
        go.Heatmap(
            x=np.arange(lim.size),
            y=np.arange(r.size),
            z=z.astype(np.float32),
            zmin=lo,
            zmax=hi if hi > lo else lo + 1e-9,
            colorscale="Cividis",
            reversescale=True,
            colorbar={"title": {"text": f"{d.unit}<br>{words['per year']}", "side": "top"}},
            customdata=custom,
            name=words["total cost"],
            hovertemplate=f"{words['retention']} {d.hover('customdata[0]', ',.2f')}<br>"
            f"{words['limit']} {d.hover('customdata[1]', ',.2f')}<br>{words['total cost']} "
            f"{d.hover('z')}<br>{words['P(all compensated)']} "
            "%{customdata[2]:.2f}%<extra></extra>",
        )
    ]
    rows, cols = unplaceable_edge(comparison)
    if rows.size:
        traces.append(
            go.Scatter(
                x=cols,
                y=rows,
                mode="markers",
                name=d.t("not placeable"),
                marker={
                    "symbol": "square-open",
                    "size": 9,
                    "color": UNPLACEABLE,
                    "line": {"width": 2, "color": UNPLACEABLE},
                },
                hoverinfo="skip",
            )
        )
    hybrid = comparison.get("hybrid")
    optimum = (hybrid.retention, hybrid.limit)
    traces.append(_grid_mark(comparison, "optimum (hybrid)", optimum, ("star", "#FFFFFF", 20), d))

    def axis(what: str, grid: np.ndarray) -> dict[str, Any]:
        idx = np.unique(np.linspace(0, grid.size - 1, min(6, grid.size)).round().astype(int))
        text = [f"{v:,.3g}" for v in d.axis(grid[idx])]
        title = d.t("{what} per theft, {unit} (log spacing)").format(what=what, unit=d.unit_long)
        return {
            "title": {"text": title},
            "tickmode": "array",
            "tickvals": idx.tolist(),
            "ticktext": text,
        }

    return _figure(
        traces,
        d.t("Total cost of every retention and limit"),
        xaxis=axis(words["limit"], lim),
        yaxis=axis(words["retention"], r),
    )


def frontier_chart(comparison: Comparison, display: Display = USD) -> go.Figure:
    """Cheapest structure for each protection level, with the three strategies marked.

    Protection ``P(R ≤ K)`` is shown as a return period, "all customers compensated except
    about 1 year in N" (log axis), so the levels near 100% spread out; cost in millions of
    the display currency.
    """
    d = display

    def years(p: Any) -> np.ndarray:
        return 1.0 / np.clip(1.0 - np.asarray(p, dtype=float), 1e-6, None)

    f = comparison.frontier
    w = {
        k: d.t(k)
        for k in ("P(all compensated)", "retention", "limit", "reserve", "cost", "per year")
    }
    traces = [
        go.Scatter(
            x=years(f["p_full"]),
            y=d.axis(f["total_cost"].to_numpy()),
            mode="lines+markers",
            name=d.t("cheapest structure per protection level"),
            line={"color": "#999999", "width": 2},
            marker={"size": 6, "color": "#999999"},
            customdata=np.column_stack(
                [
                    100 * f["p_full"],
                    d.axis(f["retention"].to_numpy()),
                    d.axis(f["limit"].to_numpy()),
                    d.axis(f["reserve"].to_numpy()),
                ]
            ),
            hovertemplate=f"{w['P(all compensated)']} %{{customdata[0]:.3f}}%<br>"
            f"{w['retention']} {d.hover('customdata[1]', ',.2f')}, {w['limit']} "
            f"{d.hover('customdata[2]', ',.2f')}<br>{w['reserve']} "
            f"{d.hover('customdata[3]', ',.2f')}<br>{w['cost']} {d.hover('y')} "
            f"{w['per year']}<extra></extra>",
        )
    ]
    for s in comparison.strategies:
        label = _label(s.name, d)
        traces.append(
            go.Scatter(
                x=years([s.p_full]),
                y=[d.axis(s.total_cost)],
                mode="markers",
                name=label + (d.t(" (recommended)") if s.name == comparison.recommended else ""),
                marker={
                    "size": 16,
                    "color": STRATEGY_COLOURS.get(s.name, "#000000"),
                    "symbol": "star" if s.name == comparison.recommended else "circle",
                    "line": {"color": "#000000", "width": 1},
                },
                hovertemplate=f"{label}<br>{w['P(all compensated)']} {100 * s.p_full:.3f}%<br>"
                f"{w['cost']} {d.money(s.total_cost)} {w['per year']}<extra></extra>",
            )
        )
    costs = np.concatenate(
        [f["total_cost"].to_numpy(), [s.total_cost for s in comparison.strategies]]
    )
    target = float(years([comparison.assumptions.target])[0])
    if costs.size:
        traces.append(
            go.Scatter(
                x=[target, target],
                y=[0.0, d.axis(float(costs.max())) * 1.05],
                mode="lines",
                name=d.t("target {pct}%").format(pct=f"{100 * comparison.assumptions.target:g}"),
                line={"color": "#D55E00", "dash": "dot", "width": 1.5},
                hoverinfo="skip",
            )
        )
    protection = d.t("protection: customers fully compensated except 1 year in N (log scale)")
    cost = d.t("cost of risk, {unit} per year").format(unit=d.unit_long)
    return _figure(
        traces,
        d.t("Cost against protection (the efficient frontier)"),
        xaxis={"type": "log", "title": {"text": protection}},
        yaxis={"title": {"text": cost}, "rangemode": "tozero"},
    )


def small_vs_large_chart(comparisons: Sequence[Comparison], display: Display = USD) -> go.Figure:
    """Exchanges side by side: each strategy's yearly cost as % of customer assets and of
    revenue (grouped bars, strategy colours), and the regulatory minimum as % of assets.

    ``comparisons`` are :class:`pricing.strategy.Comparison` results for the same regime.
    """
    d = display
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=(
            d.t("Cost, % of customer assets"),
            d.t("Cost, % of revenue"),
            d.t("Regulatory minimum,<br>% of customer assets"),
        ),
        horizontal_spacing=0.09,
    )
    names = [_wrap(c.model.profile.name) for c in comparisons]
    strategy_names = list(dict.fromkeys(s.name for c in comparisons for s in c.strategies))
    for name in strategy_names:
        picked = [c.get(name) for c in comparisons]
        label = _label(name, d)
        for col, values, unit in (
            (1, [s.cost_pct_assets for s in picked], d.t("of customer assets")),
            (2, [s.cost_pct_revenue for s in picked], d.t("of revenue")),
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
    minimum = d.t("regulatory minimum")
    fig.add_trace(
        go.Bar(
            x=names,
            y=floors,
            name=minimum,
            marker_color=REGULATORY_COLOUR,
            text=[f"{v:.2f}%" for v in floors],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{y:.3f}}% {d.t('of customer assets')}<extra>{minimum}</extra>",
        ),
        row=1,
        col=3,
    )
    fig.update_layout(barmode="group")
    fig.update_annotations(font=FONT)
    fig.update_yaxes(title_text=d.t("% per year"), row=1, col=1)
    fig.update_yaxes(range=[0, 1.25 * max(floors, default=1.0) or 1.0], row=1, col=3)
    regime = comparisons[0].regime if comparisons else ""
    fig = _layout(
        fig, d.t("Small against large exchange under the {regime} rule").format(regime=regime)
    )
    fig.update_layout(margin={"t": 110}, height=520)
    return fig
