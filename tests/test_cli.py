"""The ``vaultcover`` command line: JSON shapes, tables, exit codes and error messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pricing.cli import main
from pricing.data import INCIDENT_COLUMNS


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_fit_severity_json_shape(capsys):
    code, out, _ = run(capsys, "fit-severity", "--json")
    assert code == 0
    doc = json.loads(out)
    assert {"n", "threshold", "fits", "best"} <= set(doc)
    assert doc["threshold"] == 1e6 and doc["n"] >= 50
    families = {fit["dist"] for fit in doc["fits"]}
    assert doc["best"] in families
    for fit in doc["fits"]:
        assert {"dist", "params", "se", "loglik", "aic", "bic", "ks", "ad"} <= set(fit)
        assert set(fit["params"]) == set(fit["se"])
    aics = {fit["dist"]: fit["aic"] for fit in doc["fits"]}
    assert aics[doc["best"]] == min(aics.values())


def test_fit_severity_single_family_and_threshold(capsys):
    code, out, _ = run(
        capsys,
        "fit-severity",
        "--dist",
        "lognormal",
        "--threshold",
        "1e7",
        "--on-level",
        "none",
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    assert [fit["dist"] for fit in doc["fits"]] == ["lognormal"]
    assert set(doc["fits"][0]["params"]) == {"meanlog", "sdlog"}
    assert doc["threshold"] == 1e7


def test_fit_frequency_json_shape(capsys):
    code, out, _ = run(capsys, "fit-frequency", "--year", "2025", "--json")
    assert code == 0
    doc = json.loads(out)
    assert {"model", "rate", "ci", "dispersion", "aic"} <= set(doc)
    assert doc["model"] in ("poisson", "negbin")
    low, high = doc["ci"]
    assert 0 < low <= doc["rate"] <= high


def test_tables_without_json(capsys):
    code, out, _ = run(capsys, "fit-severity", "--dist", "lomax", "--dist", "lognormal")
    assert code == 0
    assert "ranked by AIC" in out and "Best by AIC" in out
    code, out, _ = run(capsys, "fit-frequency")
    assert code == 0 and "per exchange-year" in out


def test_bad_file_exits_2_with_line_and_column(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        ",".join(INCIDENT_COLUMNS) + "\n"
        "2019-05-07,Binance,MT,lots,,hot_wallet_key_compromise,,hot,full,continued,"
        "https://example.org,\n"
    )
    code, out, err = run(capsys, "fit-severity", "--data", str(bad), "--json")
    assert code == 2 and out == ""
    assert "line 2, column 'loss_usd': 'lots' is not a number" in err


def test_unknown_family_is_a_clear_error(capsys):
    code, _, err = run(capsys, "fit-severity", "--dist", "cauchy")
    assert code == 2 and "cauchy" in err


def test_module_entry_point_and_help():
    result = subprocess.run(
        [sys.executable, "-m", "pricing", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    for command in ("fit-severity", "fit-frequency", "app"):
        assert command in result.stdout


@pytest.mark.parametrize("command", ["fit-severity", "fit-frequency"])
def test_subcommand_help_mentions_threshold(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "--threshold" in capsys.readouterr().out
