"""app_pages/chart.py: plotly.js served from the installed plotly package."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import plotly.io as pio
from streamlit.testing.v1 import AppTest

from app_pages import chart
from tests.app_charts import is_chart, is_chart_component

INSTALLED = Path(pio.__file__).resolve().parent.parent / "package_data" / chart.PLOTLY_JS


def test_the_served_plotly_js_is_the_installed_packages_own(tmp_path, monkeypatch):
    monkeypatch.setattr(chart, "STATIC", tmp_path / "static")
    chart._serve_plotly_js()  # the folder is made when missing
    served = tmp_path / "static" / chart.PLOTLY_JS
    assert filecmp.cmp(served, INSTALLED, shallow=False)
    served.write_text("stale")  # another plotly's copy is replaced, whole
    chart._serve_plotly_js()
    assert filecmp.cmp(served, INSTALLED, shallow=False)
    assert [p.name for p in served.parent.iterdir()] == [chart.PLOTLY_JS]


def test_the_browser_code_loads_plotly_from_the_served_url():
    assert chart.PLOTLY_URL == "app/static/plotly.min.js"
    assert f"new URL('{chart.PLOTLY_URL}', document.baseURI)" in chart._JS
    assert "__PLOTLY_URL__" not in chart._JS


def test_every_page_starts_loading_plotly_js_from_its_top_row():
    """app.py's top row holds one chart element without a figure, which only loads plotly.js
    (chart.js returns at once for it): the pages' charts are counted without it."""
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    ours = [el for el in at.get("bidi_component") if is_chart_component(el)]
    preloads = [el for el in ours if not is_chart(el)]
    assert [json.loads(el.proto.json) for el in preloads] == [{"preload": True}]
    assert len(ours) == 2  # and the start page's exceedance chart
    assert "if (data.preload)" in chart._JS
