"""AppTest: the Insurer portfolio page runs a book, shows the accumulation and the scenario,
lists a bad book's problems, and saves books to the store and opens them again."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pricing.data import shipped_path
from pricing.portfolio.book import book_from_frame, parse_book
from pricing.store import BookStore
from tests.app_charts import chart_specs

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/portfolio.py"


@pytest.fixture(autouse=True)
def db(tmp_path, monkeypatch):
    """A fresh store per test (the page lists the saved books), used as "ana"."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("VAULTCOVER_DB", url)
    monkeypatch.setenv("VAULTCOVER_USER", "ana")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    st.cache_resource.clear()


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
    titles = [spec["layout"]["title"]["text"] for spec in chart_specs(at)]
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


# --------------------------------------------------------------------------------------------
# Saved books
# --------------------------------------------------------------------------------------------
EXAMPLE = parse_book(shipped_path("example_book.csv").read_text(encoding="utf-8"))


def page_book(at: AppTest):
    """The book the page holds now (its rows, read as the page reads them)."""
    return book_from_frame(at.session_state["pt_book"])


def replace_rows(at: AppTest, frame) -> AppTest:
    at.session_state["pt_book"] = frame
    at.session_state["pt_book_version"] += 1
    return at.run()


def save(at: AppTest, name: str) -> AppTest:
    at.text_input(key="pt_save_name").set_value(name)
    at.button(key="pt_save").click().run()
    assert not at.exception
    return at


def open_saved(at: AppTest, label: str, version: int | None) -> AppTest:
    at.selectbox(key="pt_open_name").set_value(label).run()
    at.selectbox(key="pt_open_version").set_value(version)
    at.button(key="pt_open").click().run()
    assert not at.exception
    return at


def test_save_the_example_book_and_open_it_again(db):
    at = open_page()
    assert any("No saved books yet" in c.value for c in at.caption)
    save(at, "Example")
    assert "Saved **Example** as version 1 (30 exchanges)" in at.success[0].value
    stored = BookStore(db).get("Example", user="ana")
    assert (stored.owner, stored.version) == ("ana", 1)
    assert stored.book.entries == EXAMPLE.entries

    # a smaller book saved under the same name is version 2
    replace_rows(at, at.session_state["pt_book"].iloc[:3])
    save(at, "Example")
    assert "version 2 (3 exchanges)" in at.success[0].value
    versions = at.selectbox(key="pt_open_version")
    assert versions.value is None and versions.options[0].startswith("latest (version 2, ")
    assert [o.split(",")[0] for o in versions.options[1:]] == ["version 2", "version 1"]

    # reopening version 1 brings back the 30 exchanges, exchange by exchange
    open_saved(at, "Example", 1)
    assert "Opened **Example** version 1 (30 exchanges)" in at.success[0].value
    assert page_book(at).entries == EXAMPLE.entries
    open_saved(at, "Example", None)  # the latest
    assert "version 2 (3 exchanges)" in at.success[0].value
    assert page_book(at).names == EXAMPLE.names[:3]
    # the reopened book runs
    run_book(at)
    assert at.metric[0].label == "Mean yearly loss"


def test_bad_book_or_name_is_refused_beside_the_save_control(db):
    at = open_page()
    save(at, "   ")
    assert "'name': must not be empty" in at.error[0].value
    book = at.session_state["pt_book"].copy()
    book.loc[1, "limit"] = -1.0
    replace_rows(at, book)
    save(at, "Broken")
    assert "Not saved" in at.error[0].value and "line 3, column 'limit'" in at.error[0].value
    assert BookStore(db).list(user="ana") == []
    # the message sits in the save control's column, next to the button
    save_column = next(c for c in at.columns if any(t.key == "pt_save_name" for t in c.text_input))
    assert any("line 3, column 'limit'" in e.value for e in save_column.error)
    assert not any(c for c in at.columns if c is not save_column and len(c.error))


def test_a_book_shared_by_another_user_can_be_opened(db):
    store = BookStore(db)
    small = parse_book(EXAMPLE.to_csv()).table().iloc[:2]
    store.save("Bo's book", book_from_frame(small), user="bo")
    store.save("Private", book_from_frame(small), user="eve")
    store.share("Bo's book", "ana", user="bo")
    at = open_page()
    assert at.selectbox(key="pt_open_name").options == ["bo/Bo's book"]
    open_saved(at, "bo/Bo's book", 1)
    assert page_book(at).names == EXAMPLE.names[:2]
