"""AppTest: inputs keep their values across pages until changed or reset (app_pages/state.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app_charts import chart_specs

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 120
PAGES = [
    "app_pages/profile.py",
    "app_pages/history.py",
    "app_pages/model.py",
    "app_pages/compare.py",
    "app_pages/quote.py",
    "app_pages/small_vs_large.py",
    "app_pages/sensitivity.py",
]


@pytest.fixture(autouse=True)
def _clear_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def banner(at: AppTest) -> str:
    found = [i.value for i in at.info if i.value.startswith("**Changed from the defaults:**")]
    return found[0] if found else ""


def test_every_input_survives_a_tour_of_every_page():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    go(at, "app_pages/model.py")
    at.number_input(key="lm_base_rate").set_value(0.25)
    at.button[1].click().run()  # the "Apply to every page" submit of the second form
    assert at.number_input(key="lm_base_rate").value == pytest.approx(0.25)
    go(at, "app_pages/compare.py")
    at.number_input(key="cmp_dispute").set_value(35.0).run()
    at.session_state["rpx_jp-2027"] = True  # open the regime's parameters
    at.run()
    at.number_input(key="rp_jp-2027_floor_jpy").set_value(3e9).run()
    minimum = next(m.value for m in at.metric if m.label == "Minimum")
    go(at, "app_pages/quote.py")
    at.number_input(key="q_theta").set_value(80.0).run()
    at.text_area(key="q_exclusions").set_value("War.\nNuclear.").run()

    for page in PAGES:
        go(at, page)
        text = banner(at)
        assert "Dispute probability (%): **35**" in text, page
        assert r"jp-2027: floor of the reserve (JPY): **3,000,000,000**" in text
        assert "Average-exchange rate (override): **0.25**" in text

    go(at, "app_pages/model.py")
    assert at.number_input(key="lm_base_rate").value == pytest.approx(0.25)
    at.session_state["rpx_jp-2027"] = True  # opened again on the way back
    go(at, "app_pages/compare.py")
    assert at.number_input(key="cmp_dispute").value == pytest.approx(35.0)
    assert at.number_input(key="rp_jp-2027_floor_jpy").value == pytest.approx(3e9)
    assert next(m.value for m in at.metric if m.label == "Minimum") == minimum
    go(at, "app_pages/quote.py")
    assert at.number_input(key="q_theta").value == pytest.approx(80.0)
    assert at.text_area(key="q_exclusions").value == "War.\nNuclear."


def test_the_override_reaches_compare_and_reset_brings_the_defaults_back():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    go(at, "app_pages/model.py")
    at.number_input(key="lm_base_rate").set_value(0.5)
    at.button[1].click().run()
    go(at, "app_pages/compare.py")
    assert "Loss model:" in at.info[-1].value
    rate_with_override = at.info[-1].value
    go(at, "app_pages/profile.py")
    go(at, "app_pages/model.py")
    assert at.number_input(key="lm_base_rate").value == pytest.approx(0.5)
    at.button(key="reset_all").click().run()
    assert not at.exception
    assert banner(at) == ""
    assert at.number_input(key="lm_base_rate").value != pytest.approx(0.5)
    go(at, "app_pages/compare.py")
    assert at.info[-1].value != rate_with_override
    assert at.number_input(key="cmp_dispute").value == pytest.approx(15.0)


def test_the_jurisdiction_drives_the_regime_and_custom_renames_the_profile():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.selectbox(key="pf_jurisdiction").set_value("hk").run()
    assert at.radio(key="pf_preset").value == "custom"
    assert at.text_input(key="pf_name").value == "Small domestic exchange (custom)"
    assert at.session_state["profile"].name == "Small domestic exchange (custom)"
    go(at, "app_pages/compare.py")
    assert at.selectbox(key="regime").value == "hk"
    go(at, "app_pages/small_vs_large.py")
    assert at.selectbox(key="regime").value == "hk"
    # an explicit choice stays until the jurisdiction changes again
    at.selectbox(key="regime").set_value("mica").run()
    go(at, "app_pages/sensitivity.py")
    assert at.selectbox(key="regime").value == "mica"
    go(at, "app_pages/profile.py")
    at.selectbox(key="pf_jurisdiction").set_value("sg").run()
    go(at, "app_pages/compare.py")
    assert at.selectbox(key="regime").value == "sg"


def test_choosing_custom_renames_a_preset_profile():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.radio(key="pf_preset").set_value("large").run()
    at.radio(key="pf_preset").set_value("custom").run()
    assert at.text_input(key="pf_name").value == "Large global exchange (custom)"
    go(at, "app_pages/history.py")
    go(at, "app_pages/profile.py")
    assert at.radio(key="pf_preset").value == "custom"
    assert at.number_input(key="pf_customer_assets_usd").value == pytest.approx(20_000.0)


def test_presentation_mode_puts_the_answer_first_and_collapses_the_inputs():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.toggle(key="presentation").set_value(True).run()
    go(at, "app_pages/compare.py")
    assert at.toggle(key="presentation").value is True, "kept across pages"
    assert banner(at) == "", "a way of showing, not a change of inputs"
    assert at.success[0].value.startswith("Recommended:")
    labels = [e.label for e in at.expander]
    assert "Inputs" in labels and "How to read this page" not in labels
    assert not [i for i in at.info if "**Exchange:**" in i.value]
    go(at, "app_pages/small_vs_large.py")
    assert chart_specs(at), "the presets' chart"
    at.toggle(key="presentation").set_value(False).run()
    go(at, "app_pages/compare.py")
    assert "How to read this page" in [e.label for e in at.expander]
