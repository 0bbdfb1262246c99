"""AppTest: the Exchange profile page in Japanese and yen (amounts typed in 億円)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pricing.profiles import PRESETS
from pricing.regulation.fx import DEFAULT_FX

APP = str(Path(__file__).resolve().parents[1] / "app.py")
JPY = DEFAULT_FX.rate("JPY")
#: Words allowed to stay in Latin letters: names, codes, units and measures.
ALLOWED = {
    *("JSON", "TVaR", "VaR", "USD", "JPY", "ExchangeProfile", "save"),
    *("Ginco", "Safe", "Wallet", "Liminal", "Fireblocks", "BitGo", "Copper"),
    *("DMM", "Bitcoin", "Bybit"),
    *("jp", "hk", "eu", "kr", "ae", "sg", "other", "in", "house"),  # jurisdiction codes, in-house
    "Language",  # the language switch is labelled in both languages on purpose
    *("data", "incidents", "csv"),  # the shipped file's name, data/incidents.csv
    "min",  # the formula's operator
    # statistical names and the severity families' parameters, as practitioners write them
    *("GLM", "negbin", "poisson", "meanlog", "sdlog", "shape", "scale", "lognormal", "AIC"),
}


@pytest.fixture(autouse=True)
def _clear_caches():
    st.cache_data.clear()
    yield


def japanese_yen() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.selectbox(key="ui_lang").set_value("ja").run()
    at.selectbox(key="ui_currency").set_value("JPY").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def english_words(text: str) -> set[str]:
    text = re.sub(r"`[^`]*`", "", text)  # a formula set as code: mixture(0.73×min(lognormal…
    text = re.sub(r"\b\w+_\w+\b", "", text)  # a symbol: A_ref, h_ref, ρ_p
    return {w for w in re.findall(r"[A-Za-z]{2,}", text)} - ALLOWED


def test_the_page_speaks_japanese_and_shows_yen():
    at = japanese_yen()
    assert at.title[0].value == "取引所プロファイル"
    texts = [m.label for m in at.metric] + [m.value for m in at.metric]
    texts += [h.value for h in [*at.header, *at.subheader]]
    texts += [w.label for w in [*at.number_input, *at.selectbox, *at.text_input, *at.radio]]
    texts += [m.value for m in at.markdown if "Changed from" not in m.value]
    texts += [c.value for c in at.caption]
    assumptions = next(d for d in at.dataframe if len(d.value.columns) == 4)
    texts += [str(v) for v in assumptions.value.to_numpy().ravel()]
    name = at.session_state["profile"].name  # the user's own text
    leftovers = {t: english_words(t.replace(name, "")) for t in texts}
    leftovers = {t: w for t, w in leftovers.items() if w}
    assert leftovers == {}
    values = " ".join(m.value for m in at.metric)
    assert "円" in values and "USD" not in values


def test_customer_assets_are_typed_in_oku_yen_and_kept_in_usd():
    at = japanese_yen()
    small = PRESETS["small"]
    field = at.number_input(key="pf_customer_assets_usd_in_JPY")
    assert field.label == "顧客資産（億円）" or field.label == "顧客資産 (億円)"
    assert field.value == pytest.approx(small.customer_assets_usd * JPY / 1e8, rel=1e-6)
    field.set_value(300.0).run()  # ¥30bn
    assert not at.exception
    profile = at.session_state["profile"]
    assert profile.customer_assets_usd == pytest.approx(300e8 / JPY, rel=1e-9)
    assert at.radio(key="pf_preset").value == "custom"
    # back in USD the canonical field shows the same amount in USD million
    at.selectbox(key="ui_currency").set_value("USD").run()
    usd = at.number_input(key="pf_customer_assets_usd")
    assert usd.value == pytest.approx(300e8 / JPY / 1e6, rel=1e-6)
