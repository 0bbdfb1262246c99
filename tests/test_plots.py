"""Figure builders of the Compare and Small vs large pages: figures with the expected traces."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from pricing import plots
from pricing.calibration import CalibrationSpec, calibrate
from pricing.data import load_exposure, load_incidents
from pricing.lossmodel import build_loss_model
from pricing.profiles import PRESETS
from pricing.strategy import COST_COMPONENTS, StrategyAssumptions, compare

GRID = StrategyAssumptions(n_retentions=8, n_limits=6)


@pytest.fixture(scope="module")
def calibration():
    return calibrate(CalibrationSpec(), load_incidents(), load_exposure())


@pytest.fixture(scope="module")
def models(calibration):
    return {k: build_loss_model(PRESETS[k], calibration) for k in ("small", "large")}


@pytest.fixture(scope="module")
def comparisons(models):
    return {k: compare(m, "jp-draft", GRID) for k, m in models.items()}


def names(fig: go.Figure) -> list[str]:
    return [t.name for t in fig.data]


def font_sizes(fig: go.Figure) -> list[float]:
    return [fig.layout.font.size] + [a.font.size for a in fig.layout.annotations if a.font.size]


def test_palettes_cover_every_strategy_and_component(comparisons):
    assert set(plots.COMPONENT_COLOURS) == set(COST_COMPONENTS) == set(plots.COMPONENT_LABELS)
    strategies = {s.name for s in comparisons["small"].strategies}
    assert strategies == set(plots.STRATEGY_COLOURS) == set(plots.STRATEGY_LABELS)
    assert len(set(plots.STRATEGY_COLOURS.values())) == 3


def test_cost_components_chart_stacks_one_bar_trace_per_component(comparisons):
    c = comparisons["small"]
    fig = plots.cost_components_chart(c)
    assert isinstance(fig, go.Figure)
    assert fig.layout.barmode == "stack"
    assert [t.type for t in fig.data] == ["bar"] * len(COST_COMPONENTS)
    assert names(fig) == [plots.COMPONENT_LABELS[k] for k in COST_COMPONENTS]
    for trace, k in zip(fig.data, COST_COMPONENTS, strict=True):
        assert trace.marker.color == plots.COMPONENT_COLOURS[k]
        assert len(trace.x) == 3
    # Bars add up to each strategy's total (USD million), and the totals are labelled.
    for n, s in enumerate(c.strategies):
        total = sum(trace.y[n] for trace in fig.data)
        assert total == pytest.approx(s.total_cost / 1e6)
    assert len(fig.layout.annotations) == 3
    assert sum("★" in str(x) for x in fig.data[0].x) == 1, "the recommended strategy is starred"
    assert min(font_sizes(fig)) >= 14


def test_exceedance_with_layer_chart_draws_the_layer(models):
    agg = models["small"].aggregate()
    fig = plots.exceedance_with_layer_chart(agg, 5e6, 20e6)
    assert isinstance(fig, go.Figure)
    shown = names(fig)
    assert "all thefts in a year (AEP)" in shown
    assert "largest single theft (OEP)" in shown
    lines = {t.name: t for t in fig.data if t.name.startswith("retention")}
    assert len(lines) == 2
    (ret,) = [t for n, t in lines.items() if "+" not in n]
    (top,) = [t for n, t in lines.items() if "+" in n]
    assert list(ret.x) == [5e6, 5e6]
    assert list(top.x) == [25e6, 25e6]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"


def test_exceedance_with_layer_chart_skips_zero_lines(models):
    fig = plots.exceedance_with_layer_chart(models["small"].aggregate(), 0.0, 0.0)
    assert not [n for n in names(fig) if n.startswith("retention")]


def test_cost_heatmap_has_the_grid_and_marks(comparisons):
    c = comparisons["small"]
    fig = plots.cost_heatmap(c, selected=(c.retentions[2], c.limits[3]))
    assert isinstance(fig, go.Figure)
    heat = fig.data[0]
    assert heat.type == "heatmap"
    assert heat.z.shape == c.total_cost.shape == (8, 6)
    marks = {t.name: t for t in fig.data[1:] if t.name != "not placeable"}
    assert set(marks) == {"optimum (hybrid)", "inspected structure"}
    assert (marks["inspected structure"].x[0], marks["inspected structure"].y[0]) == (3, 2)
    hybrid = c.get("hybrid")
    i, j = marks["optimum (hybrid)"].y[0], marks["optimum (hybrid)"].x[0]
    assert c.retentions[i] == pytest.approx(hybrid.retention)
    assert c.limits[j] == pytest.approx(hybrid.limit)
    assert names(fig)[-1] == "optimum (hybrid)", "the optimum is drawn on top"


def test_cost_heatmap_cells_carry_seven_significant_digits_in_half_the_bytes(comparisons):
    """The cells (cost, retention, limit, P(all compensated)) are sent as single precision:
    within 1e-7 (relative) of the comparison's figures, more than the hover's five digits,
    and 4 bytes a value in the chart's JSON rather than 8."""
    c = comparisons["small"]
    heat = plots.cost_heatmap(c).data[0]
    cost = np.asarray(c.total_cost, dtype=float) / 1e6
    finite = np.isfinite(cost)
    assert np.array_equal(np.isfinite(heat.z), finite)
    assert np.allclose(heat.z[finite], cost[finite], rtol=1e-7, atol=0)
    expected = np.dstack(
        [
            np.repeat(np.asarray(c.retentions)[:, None] / 1e6, len(c.limits), axis=1),
            np.repeat(np.asarray(c.limits)[None, :] / 1e6, len(c.retentions), axis=0),
            100 * np.asarray(c.p_full, dtype=float),
        ]
    )
    assert np.allclose(heat.customdata, expected, rtol=1e-7, atol=0)
    sent = json.loads(pio.to_json(plots.cost_heatmap(c), validate=False))["data"][0]
    for name in ("z", "customdata"):
        assert len(base64.b64decode(sent[name]["bdata"])) == 4 * heat[name].size


def test_cost_heatmap_without_selection_marks_only_the_optimum(comparisons):
    fig = plots.cost_heatmap(comparisons["large"])
    assert [n for n in names(fig)[1:] if n != "not placeable"] == ["optimum (hybrid)"]


def test_cost_heatmap_outlines_exactly_the_border_of_the_unplaceable_region(comparisons):
    """Every grid point without a market premium that touches a placeable one or the grid's
    edge is outlined, and nothing else (recounted cell by cell)."""
    for c in comparisons.values():
        bad = ~np.isfinite(np.asarray(c.total_cost, dtype=float))
        outline = [t for t in plots.cost_heatmap(c).data if t.name == "not placeable"]
        assert len(outline) == (1 if bad.any() else 0)
        cells = set(zip(outline[0].y, outline[0].x, strict=True)) if outline else set()
        border = {
            (i, j)
            for i, j in zip(*np.nonzero(bad), strict=True)
            if any(
                not (0 <= a < bad.shape[0] and 0 <= b < bad.shape[1]) or not bad[a, b]
                for a, b in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1))
            )
        }
        assert cells == border


@pytest.mark.parametrize("selected", [None, (0.0, 0.0), (5e6, 2e7), (1e12, 1e12)])
def test_redrawn_charts_are_the_charts_built_and_validated_afresh(comparisons, models, selected):
    """The heatmap and the layer exceedance chart reuse their kept base and add the overlay
    as plain trace dicts: the result must be what plotly validates and the figure built in
    one go (the overlay traces appended to a freshly built base)."""
    from pricing.plots import _memo

    c, agg = comparisons["small"], models["small"].aggregate()
    for _ in range(2):  # the second call reuses the kept base
        heat = plots.cost_heatmap(c, selected=selected)
        retention, limit = selected or (0.0, 0.0)
        layer = plots.exceedance_with_layer_chart(agg, retention, limit)
        for fig in (heat, layer):
            assert json.loads(go.Figure(fig.to_dict()).to_json()) == json.loads(fig.to_json())
    _memo._kept.clear()
    again = plots.cost_heatmap(c, selected=selected)
    assert json.loads(again.to_json()) == json.loads(heat.to_json())


def test_kept_figures_are_built_once_per_result_and_bounded():
    from pricing.plots import _memo

    built = []

    def build():
        built.append(1)
        return go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))

    source = object()
    first = _memo.kept_figure(source, "k", build)
    assert _memo.kept_figure(source, "k", build) is first and len(built) == 1
    _memo.kept_figure(source, "other key", build)
    assert len(built) == 2
    for _ in range(_memo.KEEP + 5):
        _memo.kept_figure(object(), "k", build)
    assert len(_memo._kept) == _memo.KEEP
    _memo.kept_figure(source, "k", build)  # pushed out by the newer ones: built again
    assert len(built) == _memo.KEEP + 5 + 3
    a = _memo.overlaid(first, [{"type": "scatter", "x": [0], "y": [0], "name": "m"}], at=0)
    a.update_layout(title="changed")  # a redrawn figure may be changed; the kept base is not
    assert [t.name for t in a.data] == ["m", None] and "title" not in first["layout"]


def test_frontier_chart_has_frontier_strategies_and_target(comparisons):
    c = comparisons["small"]
    fig = plots.frontier_chart(c)
    assert isinstance(fig, go.Figure)
    assert len(fig.data[0].x) == len(c.frontier)
    shown = names(fig)
    assert shown[0] == "cheapest structure per protection level"
    for s in c.strategies:
        assert any(n.startswith(plots.STRATEGY_LABELS[s.name]) for n in shown)
    assert shown[-1] == "target 99.5%"
    assert fig.data[-1].x[0] == pytest.approx(200.0), "99.5% is 1 year in 200"
    assert fig.layout.xaxis.type == "log"


def test_small_vs_large_chart_groups_strategies_per_exchange(comparisons):
    cs = [comparisons["small"], comparisons["large"]]
    fig = plots.small_vs_large_chart(cs)
    assert isinstance(fig, go.Figure)
    assert fig.layout.barmode == "group"
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 3 * 2 + 1  # each strategy on two panels, plus the regulatory minimum
    assert {t.name for t in bars} == {*plots.STRATEGY_LABELS.values(), "regulatory minimum"}
    assert sum(bool(t.showlegend is not False) for t in bars) == 4, "one legend entry each"
    hybrid = [t for t in bars if t.name == "Hybrid"]
    assert list(hybrid[0].y) == pytest.approx([c.get("hybrid").cost_pct_assets for c in cs])
    assert list(hybrid[1].y) == pytest.approx([c.get("hybrid").cost_pct_revenue for c in cs])
    floor = bars[-1]
    assert list(floor.y) == pytest.approx(
        [100 * c.rule.amount_usd / c.model.profile.customer_assets_usd for c in cs]
    )
    assert "Small domestic" in floor.x[0] and "Large global" in floor.x[1]
    assert min(font_sizes(fig)) >= 14


def test_charts_carry_the_white_template_as_plotly_would_set_it(models):
    """The house template is assigned without revalidation (for speed): the figure must hold
    exactly what ``update_layout(template="plotly_white")`` would give it."""
    import plotly.io as pio

    fig = plots.exceedance_with_layer_chart(models["small"].aggregate(), 1e6, 1e7)
    slow = go.Figure(fig.to_dict()).update_layout(template="plotly_white")
    assert fig.layout.template.to_plotly_json() == pio.templates["plotly_white"].to_plotly_json()
    assert json.loads(slow.to_json()) == json.loads(fig.to_json())
