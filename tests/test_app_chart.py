"""app_pages/chart.py: plotly.js served from the installed plotly package."""

from __future__ import annotations

import filecmp
from pathlib import Path

import plotly.io as pio

from app_pages import chart

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
