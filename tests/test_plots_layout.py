"""The house layout of every chart builder: legend at the foot of the figure (container
coordinates, so plotly grows the margin instead of drawing it over the x-axis title), a title
that pushes the top margin, and titles wrapped to fit a 1280×720 screen in English and
Japanese. The browser audit (tests/e2e/test_chart_layout.py) measures the drawn result."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from pricing import plots
from pricing.calibration import CalibrationSpec, calibrate
from pricing.data import ATTACK_VECTORS, load_exposure, load_incidents
from pricing.lossmodel import build_loss_model
from pricing.plots._base import _em, _figure, _wrap_em
from pricing.profiles import PRESETS
from pricing.sensitivity import Tornado
from pricing.strategy import StrategyAssumptions, compare

GRID = StrategyAssumptions(n_retentions=6, n_limits=5)
JA = plots.Display("JPY", "ja")


@pytest.fixture(scope="module")
def comparison():
    cal = calibrate(CalibrationSpec(), load_incidents(), load_exposure())
    return compare(build_loss_model(PRESETS["small"], cal), "jp-draft", GRID)


@pytest.fixture(scope="module")
def figures(comparison):
    agg = comparison.model.aggregate()
    return {
        "timeline": plots.incident_timeline(load_incidents().frame, ATTACK_VECTORS),
        "counts": plots.yearly_counts_chart(
            pd.DataFrame({"year": [2020, 2021], "n_incidents": [3, 4], "exposure": [90.0, 99.0]})
        ),
        "components": plots.cost_components_chart(comparison),
        "components_ja": plots.cost_components_chart(comparison, JA),
        "heatmap": plots.cost_heatmap(comparison, display=JA),
        "frontier": plots.frontier_chart(comparison, JA),
        "small_vs_large": plots.small_vs_large_chart([comparison, comparison], JA),
        "exceedance": plots.exceedance_with_layer_chart(agg, 1e6, 5e6, display=JA),
        "exceedance_marked": plots.exceedance_chart(
            agg.exceedance_curve("aep"), markers={"1 in 200": agg.value_at_risk(0.995)}
        ),
        "tornado": plots.tornado_chart(
            Tornado(
                base_cost=100.0,
                base_strategy="hybrid",
                rows=pd.DataFrame(
                    {
                        "factor": ["frequency"],
                        "low_label": ["0.42×"],
                        "high_label": ["2.38×"],
                        "low_cost": [50.0],
                        "high_cost": [160.0],
                        "swing": [110.0],
                    }
                ),
            )
        ),
    }


def test_every_chart_is_what_plotly_builds_and_validates_from_its_json(figures):
    """The house layout is assembled as one dict and validated once (pricing/plots/_base.py:
    ``_figure``), not set property by property: each figure must be exactly what plotly's
    validating constructor builds from its JSON, plotly_white template included."""
    white = pio.templates["plotly_white"].to_plotly_json()
    for name, fig in figures.items():
        rebuilt = go.Figure(fig.to_dict())  # validates every property; raises on a bad one
        assert json.loads(rebuilt.to_json()) == json.loads(fig.to_json()), name
        assert fig.layout.template.to_plotly_json() == white, name


def test_a_bad_layout_setting_or_trace_property_is_refused_and_later_edits_are_validated():
    with pytest.raises(ValueError, match="tpye"):
        _figure([], "t", xaxis={"tpye": "log"})
    with pytest.raises(ValueError, match="colour"):
        _figure([{"type": "scatter", "x": [1], "colour": "red"}], "t")
    fig = _figure([{"type": "scatter", "x": [1.0], "y": [2.0]}], "t", yaxis={"title": "y"})
    assert fig.layout.yaxis.title.text == "y"  # plotly's shorthand for an axis title
    with pytest.raises(ValueError):
        fig.layout.yaxis.type = "logarithmic"  # not one of plotly's axis types
    with pytest.raises(ValueError):
        fig.layout.height = -1
    with pytest.raises(ValueError):
        fig.data[0].mode = "wiggly"


def test_every_legend_sits_at_the_foot_of_the_figure(figures):
    for name, fig in figures.items():
        legend = fig.layout.legend
        assert (legend.yref, legend.y, legend.yanchor) == ("container", 0.0, "bottom"), name
        assert legend.orientation == "h", name
        title = fig.layout.title
        assert title.automargin and title.yref == "container", name


def test_long_titles_are_wrapped_to_their_side(figures):
    for name, fig in figures.items():
        for key in fig.layout:
            if key.startswith("yaxis") and fig.layout[key].title.text:
                lines = fig.layout[key].title.text.split("<br>")
                assert max(map(_em, lines)) <= 17.5, (name, lines)


@pytest.mark.parametrize(
    ("text", "limit", "lines"),
    [
        ("cost of risk, USD million per year", 16, ["cost of risk,", "USD million per year"]),
        ("短い題", 16, ["短い題"]),
        ("1年間にこれを超える確率（対数目盛）", 16, ["1年間にこれを超える確率", "（対数目盛）"]),
        ("probability of exceeding it in a year (log scale)", 16, None),
    ],
)
def test_wrapping_breaks_at_phrases_and_keeps_every_word(text, limit, lines):
    wrapped = _wrap_em(text, limit).split("<br>")
    if lines is not None:
        assert wrapped == lines
    assert all(_em(line) <= limit for line in wrapped)
    joiner = " " if " " in text else ""
    assert joiner.join(wrapped) == text


def test_fit_titles_leaves_short_titles_alone():
    fig = plots.fit_titles(plots.qq_chart(pd.DataFrame({"empirical": [1.0], "fitted": [1.0]}), "x"))
    assert "<br>" not in fig.layout.title.text
    assert np.isclose(_em("ab"), 1.1)


def test_a_tornado_row_too_short_for_two_labels_gets_one():
    """Costs 100 ± 0.5 beside 50–160: the short row's bars cannot hold two labels apart."""
    from pricing.sensitivity import Tornado

    rows = pd.DataFrame(
        {
            "factor": ["dispute probability", "frequency"],
            "low_label": ["5%", "0.42×"],
            "high_label": ["30%", "2.38×"],
            "low_cost": [100.0, 50.0],
            "high_cost": [100.5, 160.0],
            "swing": [0.5, 110.0],
        }
    )
    fig = plots.tornado_chart(Tornado(base_cost=100.0, base_strategy="hybrid", rows=rows))
    low, high = fig.data
    # largest swing on top, i.e. last: the short row first
    assert list(low.texttemplate) == ["", "%{text}"]
    assert list(high.texttemplate) == ["5% / %{text}", "%{text}"]
    assert list(high.text) == ["30%", "2.38×"]  # hover templates read each bar's own label
    lo, hi = fig.layout.xaxis.range
    assert lo < 50 and hi > 160  # room for the labels outside the longest bars
