"""Figure builders: pure functions that return plotly figures.

The app and the exports call the same builders, so a chart looks the same on screen, in a
PDF and in a downloaded PNG. No Streamlit here. One module per subject: :mod:`.losses`
(incidents, fit, yearly loss), :mod:`.strategy` (Compare, Small vs large), :mod:`.quote`
(tower, premium range, tornado); :class:`Display` sets the currency and language.
"""

from ._base import FONT, PALETTE, USD, Display, colour_map, fit_titles
from .losses import (
    exceedance_chart,
    incident_timeline,
    qq_chart,
    survival_chart,
    yearly_counts_chart,
)
from .quote import premium_range_chart, tornado_chart, tower_chart
from .strategy import (
    COMPONENT_COLOURS,
    COMPONENT_LABELS,
    REGULATORY_COLOUR,
    STRATEGY_COLOURS,
    STRATEGY_LABELS,
    cost_components_chart,
    cost_heatmap,
    exceedance_with_layer_chart,
    frontier_chart,
    small_vs_large_chart,
)

__all__ = [
    "COMPONENT_COLOURS",
    "COMPONENT_LABELS",
    "FONT",
    "PALETTE",
    "REGULATORY_COLOUR",
    "STRATEGY_COLOURS",
    "STRATEGY_LABELS",
    "USD",
    "Display",
    "colour_map",
    "cost_components_chart",
    "cost_heatmap",
    "exceedance_chart",
    "exceedance_with_layer_chart",
    "fit_titles",
    "frontier_chart",
    "incident_timeline",
    "premium_range_chart",
    "qq_chart",
    "small_vs_large_chart",
    "survival_chart",
    "tornado_chart",
    "tower_chart",
    "yearly_counts_chart",
]
