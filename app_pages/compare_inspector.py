"""Compare: the structure inspector, a fragment of the page (a retention or limit typed here
reruns only this part)."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from app_pages import precompute, state
from app_pages.chart import plotly_chart
from app_pages.locale import money, t
from app_pages.regime_editor import money_input
from pricing import plots
from pricing.strategy import Comparison, StrategyAssumptions


def reset_inspector() -> None:
    """Put the structure inspector back on the optimum."""
    state.forget("cmp_retention", "cmp_limit")


@st.fragment
def inspector(result: Comparison, agg: Any, assumptions: StrategyAssumptions, d: Any) -> None:
    """The structure inspector: a retention or limit typed here reruns only this part of the
    page (a Streamlit fragment), so the heatmap and the exceedance chart follow at once."""
    precompute.store().worker.busy(1.0)  # no work ahead meanwhile
    st.header(t("Inspect a structure"))
    chosen = result.get(result.recommended)  # the inspector starts at the recommendation
    optimum = (round(chosen.retention / 1e6, 3), round(chosen.limit / 1e6, 3))
    g1, h1, k = st.columns([2, 2, 1], vertical_alignment="bottom")
    retention_m = money_input(
        g1,
        t("Retention per theft ({unit})"),
        "cmp_retention",
        optimum[0],
        min_value=0.0,
        step=1.0,
        format="%.3f",
        help=t("The part of each theft the reserve pays before the insurance layer starts."),
    )
    limit_m = money_input(
        h1,
        t("Limit per theft ({unit})"),
        "cmp_limit",
        optimum[1],
        min_value=0.0,
        step=1.0,
        format="%.3f",
        help=t("Most the insurance pays for one theft; 0 means no insurance."),
    )
    k.button(t("Back to the optimum"), on_click=reset_inspector, key="cmp_reset")
    retention_m = float(retention_m or 0.0)
    limit_m = float(limit_m or 0.0)

    # Nearest point of the optimiser's grid (the library evaluates the grid, not every structure).
    point = result.grid_point(retention_m * 1e6, limit_m * 1e6)
    if not math.isfinite(point.total_cost):  # the market would not write this layer
        st.warning(
            t("{limit} xs {retention}").format(
                limit=money(point.limit), retention=money(point.retention)
            )
            + f": {t('not placeable')}"
        )
    n1, n2, n3 = st.columns(3)
    gap = point.total_cost - chosen.total_cost
    n1.metric(
        t("Total cost at the nearest grid point"),
        money(point.total_cost, 3),
        delta=(
            t("{delta} vs the optimum").format(delta=("+" if gap > 0 else "") + money(gap, 3))
            if abs(gap) >= 500
            else None
        ),
        delta_color="inverse",
    )
    n2.metric(
        t("% of customer assets / of revenue"),
        f"{point.cost_pct_assets:.3f}% / {point.cost_pct_revenue:.1f}%",
    )
    n3.metric(t("P(all compensated)"), f"{100 * point.p_full:.3f}%")
    structure = (
        t("no insurance (reserve only)")
        if point.limit == 0
        else t("{limit} per theft above a retention of {retention}").format(
            limit=money(point.limit), retention=money(point.retention)
        )
    )
    st.caption(
        t(
            "Nearest point of the optimiser's {n} × {m} grid: {structure}, with the reserve sized "
            "to the {target}% target (and never below the regulatory minimum). The cost is that "
            "grid point's, not the exact structure typed."
        ).format(
            n=result.retentions.size,
            m=result.limits.size,
            structure=structure,
            target=f"{100 * assumptions.target:g}",
        )
    )
    left, right = st.columns(2)
    plotly_chart(
        plots.cost_heatmap(result, selected=(retention_m * 1e6, limit_m * 1e6), display=d),
        key="cmp_heatmap",
        filename="vaultcover_cost_heatmap",
        where=left,
    )
    plotly_chart(
        plots.exceedance_with_layer_chart(agg, retention_m * 1e6, limit_m * 1e6, display=d),
        key="cmp_exceedance",
        filename="vaultcover_exceedance_layer",
        where=right,
    )
