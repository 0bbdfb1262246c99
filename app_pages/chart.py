"""Plotly charts redrawn in place.

``st.plotly_chart`` names its element after the figure's whole spec, so a chart whose figure
changes (a retention moved, a regime chosen) is a new element to the browser: the old plot is
torn down and a new one built from nothing, 150–250 ms for a heatmap on a modest machine. Here
a chart is a small ``st.components.v2`` component named after its key alone; a new figure
reaches the plot already on the page, which ``Plotly.react`` updates (traces that did not
change are handed back as the same objects, so plotly.js does not recompute them).

plotly.js itself is the copy shipped with the installed ``plotly`` package, served by
Streamlit's static file serving from ``static/`` beside ``app.py`` (copied there on first use,
so its version always matches the Python package that wrote the figure).

While a figure is being drawn its element carries ``data-vc-drawing``; the browser tests and
``benchmarks/bench_browser.py`` wait for it to go, so a timing includes the drawing.
"""

from __future__ import annotations

import contextlib
import filecmp
import functools
import shutil
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

#: Where Streamlit serves static files from (``server.enableStaticServing``), and the URL the
#: browser reaches them at, relative to any page of the app.
STATIC = Path(__file__).resolve().parents[1] / "static"
PLOTLY_JS = "plotly.min.js"
PLOTLY_URL = f"app/static/{PLOTLY_JS}"

_JS = (
    (Path(__file__).with_suffix(".js"))
    .read_text(encoding="utf-8")
    .replace("__PLOTLY_URL__", PLOTLY_URL)
)


@functools.cache
def _component() -> Any:
    _serve_plotly_js()
    return st.components.v2.component("vaultcover_chart", js=_JS, isolate_styles=False)


def _serve_plotly_js() -> None:
    """Put the installed plotly's ``plotly.min.js`` where Streamlit serves static files."""
    source = Path(pio.__file__).resolve().parent.parent / "package_data" / PLOTLY_JS
    target = STATIC / PLOTLY_JS
    if target.is_file() and filecmp.cmp(source, target, shallow=False):
        return
    STATIC.mkdir(exist_ok=True)
    partial = target.with_suffix(".part")
    shutil.copyfile(source, partial)
    partial.replace(target)  # never a half-written file served


def preload(where: Any) -> None:
    """Start loading plotly.js in ``where`` (an empty spot at the top of every page, drawn
    before the page itself): the browser evaluates it while the page's elements are still on
    their way, instead of after them, when the first chart is drawn."""
    _place(where, "vc_plotly_preload", {"preload": True})


def plotly_chart(
    figure: go.Figure | dict[str, Any],
    *,
    key: str,
    filename: str | None = None,
    where: Any = None,
) -> None:
    """Draw ``figure`` full width in ``where`` (the page when None), updated in place when the
    same ``key`` is drawn again; the modebar's camera saves a 2× PNG named ``filename``."""
    config: dict[str, Any] = {"displaylogo": False}
    if filename:
        config["toImageButtonOptions"] = {"format": "png", "filename": filename, "scale": 2}
    _place(where, key, {"spec": pio.to_json(figure, validate=False), "config": config})


def _place(where: Any, key: str, data: dict[str, Any]) -> None:
    """The component named ``key`` with ``data``, in ``where`` (the page when None)."""
    with contextlib.nullcontext() if where is None else where:
        _component()(key=key, data=data, height="content")
