"""``vaultcover scenario``: save, list, show, compare, export and delete from the command line."""

from __future__ import annotations

import json

import pytest

from pricing.cli import main
from pricing.scenario import Scenario


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("VAULTCOVER_USER", "ana")
    return ["--db", f"sqlite:///{tmp_path / 's.db'}"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_save_list_show_export_delete(capsys, db, tmp_path):
    assert (
        run(
            capsys,
            "scenario",
            "save",
            *db,
            "--name",
            "Base",
            "--profile",
            "small",
            "--client",
            "Exch A",
        )[0]
        == 0
    )
    code, out, _ = run(
        capsys,
        "scenario",
        "save",
        *db,
        "--name",
        "Base",
        "--profile",
        "large",
        "--regime",
        "hk",
        "--target",
        "0.99",
        "--dispute-probability",
        "0.3",
    )
    assert code == 0 and "version 2" in out
    code, out, _ = run(capsys, "scenario", "list", *db, "--json")
    (row,) = json.loads(out)
    assert (row["name"], row["owner"], row["version"], row["regime"]) == ("Base", "ana", 2, "hk")
    code, out, _ = run(capsys, "scenario", "show", *db, "Base", "--json", "--version", "1")
    shown = json.loads(out)
    assert [v["version"] for v in shown["history"]] == [1, 2]
    assert shown["scenario"]["regime"] == "jp-draft" and shown["client"] == ""
    path = tmp_path / "base.json"
    assert (
        run(capsys, "scenario", "export", *db, "Base", "--format", "json", "--out", str(path))[0]
        == 0
    )
    record = Scenario.from_json(path.read_text())
    assert record.profile.name == "Large global exchange"
    assert record.strategy.target == 0.99
    assert record.strategy.frictions.dispute_probability == 0.3
    assert run(capsys, "scenario", "delete", *db, "Base")[0] == 0
    assert json.loads(run(capsys, "scenario", "list", *db, "--json")[1]) == []


def test_unknown_names_and_bad_options_exit_2_with_a_message(capsys, db):
    code, _, err = run(capsys, "scenario", "show", *db, "nope")
    assert code == 2 and "no scenario called 'nope'" in err
    code, _, err = run(capsys, "scenario", "save", *db, "--name", "X", "--target", "1.5")
    assert code == 2 and "target" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_compare_two_saved_scenarios_as_json(capsys, db):
    run(capsys, "scenario", "save", *db, "--name", "JP", "--profile", "small")
    run(capsys, "scenario", "save", *db, "--name", "HK", "--profile", "small", "--regime", "hk")
    code, out, _ = run(capsys, "scenario", "compare", *db, "JP", "HK", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["scenarios"] == ["JP", "HK"]
    measures = {m["measure"]: m for m in doc["measures"]}
    assert measures["regime"]["differs"] and measures["regime"]["HK"] == "hk"
    assert measures["cost of risk (USD per year)"]["JP"] > 0
    assert [d["assumption"] for d in doc["assumptions_that_differ"]] == ["regime"]
    code, _, err = run(capsys, "scenario", "compare", *db, "JP")
    assert code == 2 and "2 to 4" in err
