"""Streamlit AppTest: every page renders on the defaults, widgets change what they should."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pricing.data import INCIDENT_COLUMNS

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 60


@pytest.fixture(autouse=True)
def _clear_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def open_page(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def test_history_page_renders_the_shipped_data():
    at = open_page()
    assert at.title[0].value == "Loss history"
    shown = int(at.metric[0].value)
    assert shown >= 90
    assert chart_specs(at), "the timeline chart is drawn"


def test_history_filters_change_the_table():
    at = open_page()
    before = int(at.metric[0].value)
    at.multiselect(key="hist_vectors").set_value(["third_party_provider"]).run()
    after = int(at.metric[0].value)
    assert 0 < after < before
    assert len(at.dataframe[0].value) == after


def test_model_page_shows_fits_and_rate():
    at = open_page("app_pages/model.py")
    assert at.title[0].value == "Loss model"
    table = at.dataframe[0].value
    assert {"family", "aic"} <= set(table.columns)
    rate = float(at.metric[0].value)
    assert rate > 0
    titles = [spec["layout"]["title"]["text"] for spec in chart_specs(at)]
    assert any(t.startswith("QQ plot") for t in titles)


def test_model_threshold_changes_the_number_of_losses():
    at = open_page("app_pages/model.py")
    before = at.info[0].value
    at.number_input(key="threshold_m").set_value(50.0)
    at.button[0].click().run()
    assert not at.exception
    assert at.info[0].value != before
    assert "USD 50,000,000" in at.info[0].value


def test_bad_upload_shows_every_problem_and_no_traceback():
    """AppTest cannot drive a file uploader; the stored upload is what the widget fills."""
    bad = (
        ",".join(INCIDENT_COLUMNS) + "\n"
        "2019-05-07,Binance,MT,-3,,hot_wallet_key_compromise,,hot,full,continued,src,\n"
        "2019-13-07,Binance,MT,5,,phish,,hot,full,continued,src,\n"
    ).encode()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["incident_upload"] = {"bytes": bad, "name": "bad.csv"}
    at.run()
    assert not at.exception
    assert "bad.csv was not loaded: 3 problem(s)" in at.error[0].value
    problems = at.dataframe[0].value  # the problems table comes before the incident table
    assert problems[["line", "column"]].values.tolist() == [
        [2, "loss_usd"],
        [3, "date"],
        [3, "attack_vector"],
    ]
    assert int(at.metric[0].value) >= 90, "the shipped data stays in use"


def test_good_upload_replaces_the_shipped_data():
    rows = [
        "2019-05-07,Binance,MT,40000000,7000 BTC,hot_wallet_key_compromise,,hot,full,continued,"
        "https://example.org/a,",
        "2020-09-25,KuCoin,SC,281000000,,hot_wallet_key_compromise,,hot,full,continued,"
        "https://example.org/b,",
    ]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["incident_upload"] = {
        "bytes": "\n".join([",".join(INCIDENT_COLUMNS), *rows]).encode(),
        "name": "mine.csv",
    }
    at.run()
    assert not at.exception
    assert int(at.metric[0].value) == 2
