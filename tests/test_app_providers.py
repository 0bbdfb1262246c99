"""AppTest: the provider assumptions (s, ρ_p) are editable and reach the loss model; the
profile page shows the incident history of the exchange's providers."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app_pages import common
from pricing.calibration import CalibrationSpec, calibrate
from pricing.data import load_exposure, load_incidents
from pricing.lossmodel import build_loss_model, route_shares
from pricing.profiles import PRESETS
from pricing.providers import PROVIDER_COLD_REACH, PROVIDER_USER_SHARE, provider_factors

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 90
MODEL = "app_pages/model.py"
PROFILE = "app_pages/profile.py"
COMPARE = "app_pages/compare.py"


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


def submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_provider_user_share_scales_a_provider_users_rate_by_the_closed_form():
    """The small preset uses a provider (Ginco), so its theft rate carries the factor
    (1 − π) + π/s. Moving s from 0.35 to 0.6 must scale the rate by the ratio of the two
    factors, with π the provider share of the calibration's incidents, and the choice must
    survive a visit to another page."""
    at = open_page(MODEL)
    before = at.session_state[common.MODEL_KEY]
    assert before.provider_user_share == PROVIDER_USER_SHARE
    at.number_input(key="lm_s").set_value(0.6)
    submit(at, "Apply to every page")
    after = at.session_state[common.MODEL_KEY]
    assert after.provider_user_share == pytest.approx(0.6)

    cal = calibrate(CalibrationSpec(), load_incidents(), load_exposure())
    pi = route_shares(cal.selection.frame).provider
    profile = PRESETS["small"]
    assert profile.third_party_provider
    expected = provider_factors(pi, 0.6).user / provider_factors(pi, PROVIDER_USER_SHARE).user
    old = build_loss_model(profile, cal, before).rate
    new = build_loss_model(profile, cal, after).rate
    assert new / old == pytest.approx(expected, rel=1e-12)
    assert expected < 1  # a larger user share spreads the provider incidents thinner
    shown = {m.label: m.value for m in at.metric}[f"Thefts per year, {profile.name}"]
    assert float(shown) == pytest.approx(new, abs=5e-5)  # shown to 4 decimals

    at.switch_page(COMPARE).run()
    at.switch_page(MODEL).run()
    assert not at.exception
    assert at.number_input(key="lm_s").value == pytest.approx(0.6)
    assert at.session_state[common.MODEL_KEY].provider_user_share == pytest.approx(0.6)


def test_the_provider_cold_reach_reaches_the_model_and_the_banner():
    at = open_page(MODEL)
    assert at.number_input(key="lm_rho_p").value == pytest.approx(PROVIDER_COLD_REACH)
    at.number_input(key="lm_rho_p").set_value(0.9)
    submit(at, "Apply to every page")
    assert at.session_state[common.MODEL_KEY].provider_cold_reach == pytest.approx(0.9)
    at.switch_page(PROFILE).run()
    banner = [i.value for i in at.info if i.value.startswith("**Changed from the defaults:**")]
    assert banner and "Cold storage within a provider's reach ρ\\_p: **0.9**" in banner[0]


def test_the_profile_page_shows_the_history_of_its_providers():
    """The small preset names Ginco: the table counts Ginco's incidents in the shipped data,
    summed independently here from the CSV."""
    at = open_page(PROFILE)
    frame = next(df.value for df in at.dataframe if "provider" in df.value.columns)
    data = load_incidents().frame
    rows = data[data["signing_provider"].fillna("").str.lower() == "ginco"]
    assert len(rows) >= 1
    row = frame.set_index("provider").loc["Ginco"]
    assert row["incidents"] == len(rows)
    assert row["total_loss_usd"] == pytest.approx(rows["loss_usd"].sum(), rel=1e-12)
    assert "DMM Bitcoin" in row["exchanges"]


def test_a_profile_field_edit_does_not_regroup_the_provider_history(monkeypatch):
    """The providers' incident history depends on the data alone: grouped once, not at every
    field edit (the fields' fragment reruns at each one)."""
    import pricing.providers

    grouped = []
    real = pricing.providers.provider_history
    monkeypatch.setattr(
        pricing.providers, "provider_history", lambda *a, **k: grouped.append(1) or real(*a, **k)
    )
    at = open_page(PROFILE)
    at.number_input(key="pf_hot_share").set_value(7.0).run()
    assert not at.exception
    assert "Incident history of this exchange's providers" in [h.value for h in at.subheader]
    assert len(grouped) == 1


def test_an_in_house_exchange_shows_no_provider_history():
    at = open_page(PROFILE)
    at.radio(key="pf_preset").set_value("large").run()
    assert not at.exception
    assert all("provider" not in df.value.columns for df in at.dataframe)
    assert "Incident history of this exchange's providers" not in [h.value for h in at.subheader]
