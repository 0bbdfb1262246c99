"""The scenario store on SQLite and on a real PostgreSQL server.

The PostgreSQL tests run when ``VAULTCOVER_TEST_PG_URL`` holds a SQLAlchemy URL (start a
throw-away server with ``export VAULTCOVER_TEST_PG_URL="$(scripts/postgres.sh start)"``); they
are skipped, with that reason, otherwise.
"""

from __future__ import annotations

import dataclasses
import os
import threading

import pytest
from sqlalchemy import MetaData, create_engine, inspect, text

from pricing.exceptions import InputError
from pricing.profiles import PRESETS
from pricing.scenario import Scenario
from pricing.store import ScenarioStore, default_url
from pricing.strategy import StrategyAssumptions

PG_URL = os.environ.get("VAULTCOVER_TEST_PG_URL", "").strip()
BASE = Scenario("Base", PRESETS["small"], client="Exchange A")


def _wipe(url: str) -> None:
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scenarios.db'}"
    if not PG_URL:
        pytest.skip(
            "VAULTCOVER_TEST_PG_URL is not set (start a server with scripts/postgres.sh start)"
        )
    _wipe(PG_URL)
    return PG_URL


@pytest.fixture
def store(url):
    s = ScenarioStore(url)
    yield s
    s.close()


def test_opening_runs_the_migrations(store):
    tables = set(inspect(store.engine).get_table_names())
    assert {"scenario", "scenario_version", "scenario_share", "alembic_version"} <= tables
    assert {"book", "book_version", "book_share"} <= tables
    with store.engine.connect() as c:
        assert c.execute(text("select version_num from alembic_version")).scalar() == "0002"
    ScenarioStore(store.url).close()  # opening again is a no-op upgrade


def test_save_load_round_trip_with_who_and_when(store):
    saved = store.save(BASE, user="ana")
    assert (saved.name, saved.owner, saved.client, saved.version) == (
        "Base",
        "ana",
        "Exchange A",
        1,
    )
    assert saved.updated_by == "ana" and saved.created_at.tzinfo is not None
    assert store.load("Base", user="ana") == BASE


def test_every_save_is_a_new_version_and_old_versions_stay(store):
    store.save(BASE, user="ana")
    changed = dataclasses.replace(BASE, regime="hk")
    assert store.save(changed, user="ana").version == 2
    assert store.load("Base", user="ana").regime == "hk"
    assert store.load("Base", user="ana", version=1).regime == BASE.regime != "hk"
    assert [v.version for v in store.history("Base", user="ana")] == [1, 2]
    with pytest.raises(InputError, match="no version 3"):
        store.load("Base", user="ana", version=3)


def test_rename_and_delete(store):
    store.save(BASE, user="ana")
    store.save(BASE.renamed("Other"), user="ana")
    with pytest.raises(InputError, match="already have"):
        store.rename("Base", "Other", user="ana")
    store.rename("Base", "Renamed", user="ana")
    assert store.load("Renamed", user="ana").name == "Renamed"
    assert sorted(s.name for s in store.list(user="ana")) == ["Other", "Renamed"]
    store.delete("Renamed", user="ana")
    assert [s.name for s in store.list(user="ana")] == ["Other"]
    with pytest.raises(InputError, match="no scenario called 'Renamed'"):
        store.load("Renamed", user="ana")


def test_users_see_their_own_and_explicitly_shared_scenarios_only(store):
    store.save(BASE, user="ana")
    store.save(BASE.renamed("Bo's"), user="bo")
    assert [s.name for s in store.list(user="ana")] == ["Base"]
    assert [s.name for s in store.list(user="bo")] == ["Bo's"]
    assert store.list(user="eve") == []
    with pytest.raises(InputError, match="no scenario called 'Base'"):
        store.load("Base", user="bo")
    with pytest.raises(InputError):
        store.share("Base", "eve", user="bo")  # bo cannot see it, so cannot share it

    store.share("Base", "bo", user="ana")
    assert sorted(s.name for s in store.list(user="bo")) == ["Base", "Bo's"]
    assert store.get("Base", user="bo").shared_with == ("bo",)
    assert store.list(user="eve") == []
    # bo may save a version of a shared scenario but not rename, delete or re-share it
    assert store.save(dataclasses.replace(BASE, regime="mica"), user="bo").version == 2
    assert store.get("Base", user="ana").updated_by == "bo"
    for action in (
        lambda: store.rename("Base", "X", user="bo"),
        lambda: store.delete("Base", user="bo"),
        lambda: store.share("Base", "eve", user="bo"),
    ):
        with pytest.raises(InputError, match="only the owner"):
            action()
    store.unshare("Base", "bo", user="ana")
    assert [s.name for s in store.list(user="bo")] == ["Bo's"]


def test_same_name_from_two_owners_is_resolved_by_owner(store):
    store.save(BASE, user="ana")
    store.save(dataclasses.replace(BASE, regime="hk"), user="bo")
    store.share("Base", "carl", user="ana")
    store.share("Base", "carl", user="bo")
    with pytest.raises(InputError, match="OWNER/NAME"):
        store.load("Base", user="carl")
    assert store.load("bo/Base", user="carl").regime == "hk"
    assert store.load("Base", user="bo").regime == "hk"  # one's own comes first


def test_concurrent_saves_from_two_sessions_lose_nothing(url):
    """Two stores (two engines, as two app sessions would have) save the same scenario from
    several threads at once: every save lands as its own version."""
    stores = [ScenarioStore(url), ScenarioStore(url)]
    n = 10
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(n):
                target = 0.99 + 0.0001 * (k * n + i)
                scenario = dataclasses.replace(BASE, strategy=StrategyAssumptions(target=target))
                stores[k % 2].save(scenario, user="ana")
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    history = stores[0].history("Base", user="ana")
    assert [v.version for v in history] == list(range(1, 4 * n + 1))
    targets = sorted(
        stores[1].load("Base", user="ana", version=v.version).strategy.target for v in history
    )
    assert targets == pytest.approx(sorted(0.99 + 0.0001 * j for j in range(4 * n)))
    for s in stores:
        s.close()


def test_default_url_is_the_environment_or_a_file_in_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("VAULTCOVER_DB", "sqlite:///x.db")
    assert default_url() == "sqlite:///x.db"
    monkeypatch.delenv("VAULTCOVER_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_url() == f"sqlite:///{tmp_path / 'vaultcover' / 'scenarios.db'}"
