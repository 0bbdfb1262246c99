"""The command line's errors: every input problem exits 2 naming the field, a bug exits 1 in
one line (traceback only on request), and outputs that cannot mean anything are refused."""

from __future__ import annotations

import json

import pytest

from pricing import cli
from pricing.cli import main
from pricing.profiles import PRESETS


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


AGG = ("aggregate", "--frequency", "poisson:0.5", "--severity", "lognormal:meanlog=14,sdlog=1.5")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("fit-frequency", "--year", "3000"), ["'--year'", "3000", "2030"]),
        ((*AGG[:3], "--severity", "lognormal:sdlog=100,meanlog=1"), ["'--severity'", "sdlog"]),
        ((*AGG[:3], "--severity", "cauchy:1,2"), ["unknown family 'cauchy'"]),
        (("loss-model", "--severity-family", "cauchy"), ["'--severity-family'", "cauchy"]),
        ((*AGG, "--method", "mc", "--sims", "1000000000000"), ["'--sims'", "1e+07"]),
        ((*AGG, "--limit", "nan"), ["'--limit'", "finite"]),
        (
            ("quote", "--retention", "1e6", "--limit", "987", "--technical"),
            ["'--limit'", "rate on line"],
        ),
        (("fit-severity", "--dist", "spliced", "--splice-point", "1e5"), ["cannot be fitted"]),
    ],
)
def test_input_problems_exit_2_naming_the_field(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "", err
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


def test_several_option_problems_are_listed_together(capsys):
    code, _, err = run(capsys, *AGG, "--retention", "-1", "--agg-limit", "inf", "--cap", "0")
    assert code == 2 and "2 problems found" in err
    for option in ("'--retention'", "'--cap'"):
        assert option in err


def test_output_path_problems(tmp_path, capsys):
    folder = tmp_path / "profiles"
    folder.mkdir()
    PRESETS["small"].save(folder / "small.json")
    code, _, err = run(
        capsys, "compare", "--profiles", str(folder), "--out", str(tmp_path / "no" / "r.csv")
    )
    assert code == 2 and "does not exist" in err
    code, _, err = run(capsys, "compare", "--profiles", str(folder), "--out", str(tmp_path))
    assert code == 2 and "is a folder" in err
    (folder / "x.json").mkdir()
    code, _, err = run(
        capsys, "compare", "--profiles", str(folder), "--out", str(tmp_path / "r.csv")
    )
    assert code == 2 and "'x.json'" in err and "folder" in err


def _boom(args):
    raise ZeroDivisionError("division by zero deep inside")


def test_a_bug_is_one_line_exit_1_without_traceback(capsys, monkeypatch):
    monkeypatch.setattr(cli, "cmd_regulation", _boom)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    code, _, err = run(capsys, "regulation")
    assert code == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "internal error" in err and "ZeroDivisionError" in err and "report" in err


def test_debug_shows_the_traceback(capsys, monkeypatch):
    monkeypatch.setattr(cli, "cmd_regulation", _boom)
    code, _, err = run(capsys, "--debug", "regulation")
    assert code == 1 and "Traceback" in err
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    code, _, err = run(capsys, "regulation")
    assert code == 1 and "Traceback" in err


def test_help_states_the_valid_range(capsys):
    assert main(["aggregate", "--help"]) == 0
    out = capsys.readouterr().out
    assert "valid: a whole number >= 100 and at most 1e+07" in " ".join(out.split())


def test_no_retention_is_reported_without_a_layer(capsys):
    code, out, _ = run(capsys, "compare", "--profile", "small", "--json")
    assert code == 0
    for strategy in json.loads(out)["strategies"]:
        if not strategy["limit"]:
            assert strategy["retention"] is None, strategy


def test_the_readme_example_on_levels_from_the_first_indexed_year(capsys):
    code, out, err = run(
        capsys, "fit-severity", "--threshold", "1e7", "--on-level", "market_cap", "--json"
    )
    assert code == 0, err
    excluded = json.loads(out)["excluded"]
    assert any("first year with a 'market_cap' figure" in reason for reason in excluded)


def test_the_spliced_model_converges_on_the_shipped_data(capsys):
    code, out, _ = run(capsys, "fit-severity", "--dist", "spliced", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["failed"] == {} and [f["dist"] for f in doc["fits"]] == ["spliced"]
    code, out, _ = run(
        capsys, "fit-severity", "--dist", "spliced", "--splice-point", "1e8", "--json"
    )
    assert code == 0
    assert json.loads(out)["fits"][0]["params"]["splice_at"] == 1e8
