"""AppTest of the Scenarios page: save, list, load, rename, delete, compare, open by link."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pricing.profiles import PRESETS
from pricing.scenario import Scenario
from pricing.store import ScenarioStore

APP = str(Path(__file__).resolve().parents[1] / "app.py")
SCENARIOS = "app_pages/scenarios.py"
TIMEOUT = 180


@pytest.fixture(autouse=True)
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'scenarios.db'}"
    monkeypatch.setenv("VAULTCOVER_DB", url)
    monkeypatch.setenv("VAULTCOVER_USER", "ana")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    st.cache_resource.clear()


def frame(at: AppTest, column: str):
    """The first table on the page with ``column`` (AppTest does not key dataframes)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_save_then_load_restores_every_input(db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.radio(key="pf_preset").set_value("large").run()
    go(at, "app_pages/compare.py")
    at.number_input(key="cmp_dispute").set_value(40.0).run()
    at.session_state["rpx_hk"] = True  # open the regime's parameters
    at.run()
    at.number_input(key="rp_hk_cold_cover_share").set_value(0.6).run()  # the large preset: hk
    go(at, SCENARIOS)
    at.text_input(key="sc_name").set_value("Large, disputes 40%")
    at.text_input(key="sc_client").set_value("Big Exchange Ltd")
    at.button(key="sc_save").click().run()
    assert not at.exception
    assert "Saved **Large, disputes 40%** as version 1" in at.success[0].value
    listing = frame(at, "saved by")
    assert listing[["scenario", "client", "owner", "version"]].values.tolist() == [
        ["Large, disputes 40%", "Big Exchange Ltd", "ana", 1]
    ]
    saved = ScenarioStore(db).load("Large, disputes 40%", user="ana")
    assert saved.profile == PRESETS["large"]
    assert saved.strategy.frictions.dispute_probability == pytest.approx(0.40)
    assert saved.strategy.params_for("hk").cold_cover_share == pytest.approx(0.6)

    at.button(key="reset_all").click().run()
    go(at, "app_pages/compare.py")
    assert at.number_input(key="cmp_dispute").value == pytest.approx(15.0)
    go(at, SCENARIOS)
    at.button(key="sc_load").click().run()
    at.session_state["rpx_hk"] = True
    go(at, "app_pages/compare.py")
    assert at.number_input(key="cmp_dispute").value == pytest.approx(40.0)
    assert at.number_input(key="rp_hk_cold_cover_share").value == pytest.approx(0.6)
    assert "Large global exchange" in at.info[-1].value
    go(at, "app_pages/profile.py")
    assert at.radio(key="pf_preset").value == "large"


def test_a_link_opens_a_saved_scenario(db):
    store = ScenarioStore(db)
    scenario = Scenario("Shared HK", PRESETS["small"], regime="hk")
    store.save(scenario, user="ana")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["scenario"] = "Shared HK"
    at.run()
    assert not at.exception
    go(at, "app_pages/compare.py")
    assert at.selectbox(key="regime").value == "hk"


def test_a_link_to_an_unknown_scenario_says_so(db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["scenario"] = "nope"
    at.run()
    assert not at.exception
    assert "no scenario called 'nope'" in at.error[0].value


def test_compare_two_scenarios_highlights_what_differs(db):
    store = ScenarioStore(db)
    base = Scenario("Base", PRESETS["small"])
    store.save(base, user="ana")
    store.save(dataclasses.replace(base, name="HK", regime="hk"), user="ana")
    store.save(dataclasses.replace(base, name="Bo's"), user="bo")  # not visible to ana
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    go(at, SCENARIOS)
    assert sorted(at.selectbox(key="sc_pick").options) == ["Base", "HK"]
    at.multiselect(key="sc_compare").set_value(["Base", "HK"]).run()
    assert not at.exception
    table = frame(at, "measure")
    rows = table.set_index("measure")
    assert rows.loc["regime", "HK"] == "hk"
    assert rows.loc["regulatory minimum (USD)", "Base"].startswith("USD ")
    assert not any("e+" in str(v) for v in table.values.ravel()), "no raw floats"
    diff = frame(at, "assumption")
    assert diff["assumption"].tolist() == ["regime"]
    assert [b.label for b in at.get("download_button")] == ["Download the comparison report (PDF)"]


def test_rename_and_delete(db):
    store = ScenarioStore(db)
    store.save(Scenario("Old", PRESETS["small"]), user="ana")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    go(at, SCENARIOS)
    at.text_input(key="sc_new_name").set_value("New")
    at.button(key="sc_rename").click().run()
    assert [s.name for s in store.list(user="ana")] == ["New"]
    at.button(key="sc_delete").click().run()
    assert store.list(user="ana") == []
    assert "No saved scenarios yet." in at.info[-1].value


def test_share_with_a_colleague_and_stop_sharing(db):
    store = ScenarioStore(db)
    store.save(Scenario("Client A", PRESETS["small"]), user="ana")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    go(at, SCENARIOS)
    assert [s.name for s in store.list(user="bob")] == []
    at.text_input(key="sc_share_user").set_value("bob")
    at.button(key="sc_share").click().run()
    assert not at.exception
    assert [s.name for s in store.list(user="bob")] == ["Client A"]
    assert "shared with bob" in " ".join(c.value for c in at.caption)
    at.button(key="sc_unshare_bob").click().run()
    assert store.list(user="bob") == []


def test_an_earlier_version_loads_its_own_inputs(db):
    store = ScenarioStore(db)
    store.save(Scenario("Grows", PRESETS["small"]), user="ana")
    store.save(Scenario("Grows", PRESETS["large"]), user="ana")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    go(at, SCENARIOS)
    assert at.selectbox(key="sc_version").value == 2
    at.selectbox(key="sc_version").set_value(1).run()
    at.button(key="sc_load_version").click().run()
    go(at, "app_pages/profile.py")
    assert at.radio(key="pf_preset").value == "small"
    go(at, SCENARIOS)
    at.button(key="sc_load").click().run()  # the latest version
    go(at, "app_pages/profile.py")
    assert at.radio(key="pf_preset").value == "large"


def test_market_quotes_are_saved_with_the_scenario_and_come_back(db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    entered = ((5e6, 10e6, None, 0.08), (20e6, 20e6, 800_000.0, None))
    at.session_state["_inputs"] = {**at.session_state["_inputs"], "q_market_quotes": entered}
    go(at, SCENARIOS)
    banner = [i.value for i in at.info if i.value.startswith("**Changed from the defaults:**")]
    assert banner and "Market quotes: **2 entered**" in banner[0]
    at.text_input(key="sc_name").set_value("Quoted")
    at.button(key="sc_save").click().run()
    saved = ScenarioStore(db).load("Quoted", user="ana")
    assert [(q.retention, q.limit, q.rate_on_line) for q in saved.market_quotes] == [
        (5e6, 10e6, 0.08),
        (20e6, 20e6, pytest.approx(0.04)),
    ]
    at.button(key="reset_all").click().run()
    assert "q_market_quotes" not in at.session_state["_inputs"]
    at.button(key="sc_load").click().run()
    restored = at.session_state["_inputs"]["q_market_quotes"]
    assert [(r, lim, rol) for r, lim, _, rol in restored] == [
        (5e6, 10e6, 0.08),
        (20e6, 20e6, pytest.approx(0.04)),
    ]
