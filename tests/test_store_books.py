"""Insurers' books in the store, on SQLite and on a real PostgreSQL server (the ``url`` fixture
of tests/test_store.py: PostgreSQL runs when ``VAULTCOVER_TEST_PG_URL`` is set).

The book's numbers are checked against the book parsed straight from its CSV (an independent
read of the same text): what the store gives back must be that book, exchange by exchange.
"""

from __future__ import annotations

import dataclasses
import threading

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from pricing.data import shipped_path
from pricing.exceptions import InputError
from pricing.portfolio.book import parse_book
from pricing.profiles import PRESETS
from pricing.scenario import Scenario
from pricing.store import MIGRATIONS, BookStore, ScenarioStore
from tests.test_store import url  # noqa: F401  (the SQLite/PostgreSQL fixture)

EXAMPLE = shipped_path("example_book.csv").read_text(encoding="utf-8")
HEADER = "exchange,customer_assets_usd,hot_share,security_level,jurisdiction,retention,limit\n"


def small_book(limit: float) -> str:
    """A two-exchange book whose first layer has ``limit``."""
    return HEADER + f"Alpha,1e9,0.05,strong,jp,5e6,{limit}\nBeta,2e8,0.2,basic,hk,1e6,1e7\n"


@pytest.fixture
def store(url):  # noqa: F811
    s = BookStore(url)
    yield s
    s.close()


def test_save_load_round_trip_with_who_and_when(store):
    saved = store.save("Example", EXAMPLE, user="ana")
    assert (saved.name, saved.owner, saved.version, saved.updated_by) == (
        "Example",
        "ana",
        1,
        "ana",
    )
    assert saved.created_at.tzinfo is not None and saved.shared_with == ()
    expected = parse_book(EXAMPLE)
    assert saved.exchanges == len(expected) == 30
    assert saved.csv == expected.to_csv()  # stored as its canonical CSV
    loaded = store.load("Example", user="ana")
    assert loaded.entries == expected.entries
    assert store.get("Example", user="ana").to_dict()["exchanges"] == 30


def test_a_book_object_and_profile_files_are_stored_inline(store, tmp_path):
    """A row that names a profile file is stored with the profile's fields written out, so the
    stored book does not depend on the file."""
    (tmp_path / "p.json").write_text(PRESETS["small"].to_json(), encoding="utf-8")
    text = "exchange,profile,retention,limit\nFromFile,p.json,1e6,2e7\n"
    expected = parse_book(text, folder=tmp_path)
    store.save("Files", text, user="ana", folder=tmp_path)
    (tmp_path / "p.json").unlink()
    saved = store.get("Files", user="ana")
    assert "profile" not in saved.csv.splitlines()[0].split(",")
    (entry,) = saved.book.entries
    assert entry.layer == expected.entries[0].layer
    assert entry.profile.customer_assets_usd == PRESETS["small"].customer_assets_usd
    assert entry.profile.hot_share == PRESETS["small"].hot_share
    assert store.save("Object", expected, user="ana").csv == expected.to_csv()


def test_every_save_is_a_new_version_and_old_versions_stay(store):
    store.save("Q1", small_book(5e7), user="ana")
    assert store.save("Q1", small_book(8e7), user="ana").version == 2
    assert store.load("Q1", user="ana").entries[0].layer.limit == 8e7
    assert store.load("Q1", user="ana", version=1).entries[0].layer.limit == 5e7
    assert [(v.version, v.saved_by) for v in store.history("Q1", user="ana")] == [
        (1, "ana"),
        (2, "ana"),
    ]
    with pytest.raises(InputError, match="no version 3"):
        store.load("Q1", user="ana", version=3)


def test_a_bad_book_is_refused_with_line_and_column_and_nothing_is_saved(store):
    bad = small_book(5e7).replace("Beta,2e8,0.2,basic,hk,1e6", "Beta,2e8,1.5,basic,hk,-1")
    with pytest.raises(InputError) as caught:
        store.save("Bad", bad, user="ana", source="bad.csv")
    assert caught.value.source == "bad.csv"
    where = {(p.line, p.column) for p in caught.value.problems}
    assert where == {(3, "hot_share"), (3, "retention")}
    assert store.list(user="ana") == []
    for name in ("", "  ", "ana/Q1"):
        with pytest.raises(InputError, match="name"):
            store.save(name, small_book(5e7), user="ana")


def test_rename_and_delete(store):
    store.save("Q1", small_book(5e7), user="ana")
    store.save("Q2", small_book(6e7), user="ana")
    with pytest.raises(InputError, match="already have a book 'Q2'"):
        store.rename("Q1", "Q2", user="ana")
    store.rename("Q1", "Renamed", user="ana")
    assert sorted(b.name for b in store.list(user="ana")) == ["Q2", "Renamed"]
    assert store.load("Renamed", user="ana").entries[0].layer.limit == 5e7
    store.delete("Renamed", user="ana")
    assert [b.name for b in store.list(user="ana")] == ["Q2"]
    with pytest.raises(InputError, match="no book called 'Renamed'"):
        store.load("Renamed", user="ana")


def test_users_see_their_own_and_explicitly_shared_books_only(store):
    store.save("Q1", small_book(5e7), user="ana")
    store.save("Bo's", small_book(6e7), user="bo")
    assert [b.name for b in store.list(user="ana")] == ["Q1"]
    assert [b.name for b in store.list(user="bo")] == ["Bo's"]
    with pytest.raises(InputError, match="no book called 'Q1'"):
        store.load("Q1", user="bo")
    store.share("Q1", "bo", user="ana")
    assert sorted(b.name for b in store.list(user="bo")) == ["Bo's", "Q1"]
    assert store.get("Q1", user="bo").shared_with == ("bo",)
    assert store.list(user="eve") == []
    # bo may save a version of a shared book but not rename, delete or re-share it
    assert store.save("Q1", small_book(9e7), user="bo").version == 2
    assert store.get("Q1", user="ana").updated_by == "bo"
    assert store.load("ana/Q1", user="bo").entries[0].layer.limit == 9e7
    for action in (
        lambda: store.rename("Q1", "X", user="bo"),
        lambda: store.delete("Q1", user="bo"),
        lambda: store.share("Q1", "eve", user="bo"),
        lambda: store.unshare("Q1", "bo", user="bo"),
    ):
        with pytest.raises(InputError, match="only the owner"):
            action()
    store.unshare("Q1", "bo", user="ana")
    assert [b.name for b in store.list(user="bo")] == ["Bo's"]


def test_books_and_scenarios_share_the_database_but_not_their_names(url):  # noqa: F811
    scenarios = ScenarioStore(url)
    scenarios.save(Scenario("Q1", PRESETS["small"]), user="ana")
    scenarios.books.save("Q1", small_book(5e7), user="ana")
    assert scenarios.books.engine is scenarios.engine
    assert [b.name for b in BookStore(url).list(user="ana")] == ["Q1"]
    scenarios.books.delete("Q1", user="ana")
    assert scenarios.load("Q1", user="ana").name == "Q1"  # the scenario is untouched
    scenarios.close()


def test_concurrent_saves_from_two_sessions_lose_nothing(url):  # noqa: F811
    """Two stores (two engines, as two app sessions would have) save the same book from
    several threads at once: every save lands as its own version."""
    stores = [BookStore(url), BookStore(url)]
    n = 10
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(n):
                stores[k % 2].save("Q1", small_book(1e7 * (1 + k * n + i)), user="ana")
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    history = stores[0].history("Q1", user="ana")
    assert [v.version for v in history] == list(range(1, 4 * n + 1))
    limits = sorted(
        stores[1].load("Q1", user="ana", version=v.version).entries[0].layer.limit for v in history
    )
    assert limits == [1e7 * (1 + j) for j in range(4 * n)]
    for s in stores:
        s.close()


def test_the_book_migration_goes_down_and_up_again(store):
    store.save("Q1", small_book(5e7), user="ana")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    tables = set(inspect(store.engine).get_table_names())
    assert "scenario" in tables and not {"book", "book_version", "book_share"} & tables
    store.upgrade()
    assert store.list(user="ana") == []
    saved = store.save("Q1", small_book(5e7), user="ana")
    assert dataclasses.astuple(saved)[:3] == ("Q1", "ana", 1)
