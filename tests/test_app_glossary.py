"""AppTest: the Glossary and sources page, in English and in Japanese."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pricing.i18n import glossary
from pricing.regulation.references import REFERENCES

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/glossary.py"


@pytest.fixture(autouse=True)
def _clear_caches():
    st.cache_data.clear()
    yield


def open_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    if lang != "en":
        at.selectbox(key="ui_lang").set_value(lang).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_term_and_every_source_with_its_link():
    at = open_page()
    terms, sources = (d.value for d in at.dataframe)
    assert len(terms) == len(glossary())
    assert "責任準備金" in set(terms["In Japanese"])
    assert len(sources) == len(REFERENCES)
    links = dict(zip(sources["key"], sources["link"], strict=True))
    assert all(links[k] == (r.urls[0] if r.urls else None) for k, r in REFERENCES.items())
    assert all(str(u).startswith("http") for u in links.values() if u)


def test_a_topic_filter_keeps_only_its_terms():
    at = open_page()
    at.multiselect(key="glossary_topics").set_value(["insurance"]).run()
    terms = at.dataframe[0].value
    expected = {g["en"] for g in glossary() if g["topic"] == "insurance"}
    assert set(terms["Term"]) == expected


def test_in_japanese_the_terms_and_meanings_are_japanese():
    at = open_page("ja")
    assert at.title[0].value == "用語集と出典"
    terms = at.dataframe[0].value
    assert list(terms.columns) == ["用語", "英語", "読み", "意味", "分野"]
    assert set(terms["用語"]) == {g["ja"] for g in glossary()}
    assert set(terms["分野"]) <= {"規制", "保険", "リスク"}
