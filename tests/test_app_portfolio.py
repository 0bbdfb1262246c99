"""AppTest: the Insurer portfolio page runs a book, shows the accumulation and the scenario,
and lists a bad book's problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/portfolio.py"


@pytest.fixture(autouse=True)
def _clear_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def run_book(at: AppTest, years: int = 2_000) -> AppTest:
    at.number_input(key="pt_years").set_value(years)
    at.button[-1].click().run()  # the form's submit button
    assert not at.exception
    return at


def test_page_runs_the_example_book_and_updates():
    at = open_page()
    assert at.title[0].value == "Insurer portfolio"
    assert "Run the book" in at.info[0].value
    run_book(at)
    accumulation = next(d.value for d in at.dataframe if "Provider" in d.value.columns)
    assert len(accumulation) == 7 and "Ginco" in set(accumulation["Provider"])
    assert at.metric[0].label == "Mean yearly loss"
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert titles[0].startswith("Accumulation by provider")
    assert "2,000 simulated years" in titles[1]
    first = at.metric[1].value
    # the scenario follows its controls without a new simulation
    at.selectbox(key="pt_scenario_provider").set_value("Fireblocks").run()
    at.checkbox(key="pt_scenario_all").check().run()
    assert "every client hit" in at.markdown[-1].value and "Fireblocks" in at.markdown[-1].value
    # a different seed changes the figures
    at.number_input(key="pt_seed").set_value(2)
    run_book(at)
    assert at.metric[1].value != first


def test_bad_book_lists_its_problems():
    at = open_page()
    book = at.session_state["pt_book"].copy()
    book.loc[0, "retention"] = -5.0
    book.loc[2, "security_level"] = "medium"
    at.session_state["pt_book"] = book
    at.session_state["pt_book_version"] += 1
    run_book(at)
    text = at.error[0].value
    assert "line 2, column 'retention'" in text
    assert "line 4, column 'security\\_level'" in text


def test_the_settings_and_the_last_run_survive_a_visit_to_another_page():
    at = open_page()
    at.checkbox(key="pt_use_hit").check()
    at.slider(key="pt_hit").set_value(0.8)
    run_book(at, years=3_000)
    mean = at.metric[0].value
    at.switch_page("app_pages/compare.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.number_input(key="pt_years").value == 3_000
    assert at.checkbox(key="pt_use_hit").value is True
    assert at.slider(key="pt_hit").value == pytest.approx(0.8)
    assert at.metric[0].value == mean  # the last run is still shown, not rerun
    banner = [i.value for i in at.info if i.value.startswith("**Changed from the defaults:**")]
    assert banner and "Portfolio: simulated years: **3000**" in banner[0]
