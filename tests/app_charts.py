"""The charts of a page run by AppTest (drawn by app_pages/chart.py as components)."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

#: The component's name, as app_pages/chart.py registers it.
CHART = "vaultcover_chart"


def is_chart_component(node: Any) -> bool:
    """Whether an element of the AppTest tree is the app's chart component: a chart, or the
    top row's element that only starts loading plotly.js (no figure, nothing to read)."""
    proto = getattr(node, "proto", None)
    return node.type == "bidi_component" and getattr(proto, "component_name", "") == CHART


def is_chart(node: Any) -> bool:
    """Whether an element of the AppTest tree is one of the app's charts (it has a figure)."""
    return is_chart_component(node) and "spec" in json.loads(node.proto.json)


def chart_spec(node: Any) -> dict[str, Any]:
    """A chart element's plotly figure (data and layout), as the browser receives it."""
    return json.loads(json.loads(node.proto.json)["spec"])


def charts(at: AppTest) -> list[Any]:
    """The page's chart elements, in page order."""
    return [node for node in at.get("bidi_component") if is_chart(node)]


def chart_specs(at: AppTest) -> list[dict[str, Any]]:
    """The page's plotly figures, in page order."""
    return [chart_spec(node) for node in charts(at)]
