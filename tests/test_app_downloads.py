"""Every download button makes its file when it is clicked (a deferred callable), not at every
rerun: an edit sends the browser no new file to fetch, and the Insurer quote page no longer
builds a workbook at each change that nobody may ask for. The callables hand over what the
pages show."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from pricing.profiles import PRESETS, ExchangeProfile

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 300

#: Pages that offer downloads as soon as they open.
PAGES = [
    "app_pages/profile.py",
    "app_pages/history.py",
    "app_pages/compare.py",
    "app_pages/quote.py",
    "app_pages/small_vs_large.py",
]


@pytest.fixture(autouse=True)
def _clear_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def deferred_downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], object]]:
    """File name -> the callable each download button registers, filled as pages run (the
    latest last)."""
    registered: dict[str, Callable[[], object]] = {}
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kw):  # type: ignore[no-untyped-def]
        registered.pop(file_name, None)
        registered[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return registered


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def made(registered: dict[str, Callable[[], object]], suffix: str) -> object:
    """What the latest download button for a ``suffix`` file hands over when clicked."""
    *_, name = [n for n in registered if n.endswith(suffix)]
    return registered[name]()


@pytest.mark.parametrize("page", PAGES)
def test_every_download_is_made_when_clicked(page):
    buttons = open_page(page).get("download_button")
    assert buttons
    for button in buttons:
        assert button.proto.deferred_file_id and not button.proto.url, button.label


def test_the_profile_download_is_the_profile_on_screen(monkeypatch):
    registered = deferred_downloads(monkeypatch)
    at = open_page(PAGES[0])
    at.number_input(key="pf_hot_share").set_value(7.5).run()
    saved = ExchangeProfile.from_json(made(registered, ".json"), source="download")
    assert saved.hot_share == pytest.approx(0.075)
    assert saved.customer_assets_usd == PRESETS["small"].customer_assets_usd


def test_the_compare_table_download_marks_the_recommendation(monkeypatch):
    registered = deferred_downloads(monkeypatch)
    open_page("app_pages/compare.py")
    table = pd.read_csv(io.StringIO(made(registered, ".csv")))
    assert table["recommended"].sum() == 1
    assert set(table["profile"]) == {PRESETS["small"].name}


def test_the_quote_sheets_are_the_tower_priced_on_screen(monkeypatch):
    registered = deferred_downloads(monkeypatch)
    open_page("app_pages/quote.py")
    csv = pd.read_csv(io.BytesIO(made(registered, ".csv")))
    book = openpyxl.load_workbook(io.BytesIO(made(registered, ".xlsx")))
    layers = book["Layers"]
    header = [cell.value for cell in layers[1]]
    premiums = [row[header.index("premium_usd")] for row in layers.iter_rows(2, values_only=True)]
    assert list(csv["layer"]) == ["Layer 1", "Layer 2"]  # the page's default tower
    assert premiums == pytest.approx(csv["premium_usd"].tolist(), rel=1e-12)
