"""The ``vaultcover`` command line: JSON shapes, tables, exit codes and error messages."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from pricing.cli import main

# An incident file in the layout before the provider split (12 columns, one
# ``third_party_provider``): it must still load, so these tests keep it.
LEGACY_HEADER = (
    "date,exchange,country,loss_usd,loss_native,attack_vector,third_party_provider,wallet,"
    "customers_reimbursed,outcome,source,notes"
)


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
        LEGACY_HEADER + "\n"
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
    assert main([command, "--help"]) == 0
    assert "--threshold" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# aggregate, loss-model, quote
# --------------------------------------------------------------------------------------------
AGGREGATE = (
    "aggregate",
    "--frequency",
    "poisson:0.05",
    "--severity",
    "lognormal:meanlog=17,sdlog=1.8",
)
LEVEL_KEYS = {"0.95", "0.99", "0.995"}


def _lognormal_lev(u: float, mu: float, sigma: float) -> float:
    """Loss Models A.4.1.7, computed here independently of pricing."""
    from scipy import stats

    z = (math.log(u) - mu) / sigma
    return math.exp(mu + sigma**2 / 2) * stats.norm.cdf(z - sigma) + u * stats.norm.sf(z)


def test_aggregate_json_shape_and_layer_split(capsys):
    """Keys as documented; ceded + retained = mean (rel 1e-12); mean = λ E[X] and ceded =
    λ (E[X∧(d+l)] − E[X∧d]) from closed forms computed here (rel 1e-6)."""
    code, out, err = run(capsys, *AGGREGATE, "--retention", "1e7", "--limit", "1e8", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert {"mean", "sd", "var", "tvar", "layer"} <= set(doc)
    assert set(doc["var"]) == LEVEL_KEYS and set(doc["tvar"]) == LEVEL_KEYS
    for level in LEVEL_KEYS:
        assert doc["tvar"][level] >= doc["var"][level] >= 0
    layer = doc["layer"]
    assert {"expected_ceded", "expected_retained"} <= set(layer)
    assert layer["expected_ceded"] + layer["expected_retained"] == pytest.approx(
        doc["mean"], rel=1e-12
    )
    assert doc["mean"] == pytest.approx(0.05 * math.exp(17 + 1.8**2 / 2), rel=1e-12)
    ceded = 0.05 * (_lognormal_lev(1.1e8, 17, 1.8) - _lognormal_lev(1e7, 17, 1.8))
    assert layer["expected_ceded"] == pytest.approx(ceded, rel=1e-6)


def test_aggregate_annual_terms_reduce_the_ceded_loss(capsys):
    args = (*AGGREGATE, "--retention", "1e7", "--limit", "1e8", "--json")
    _, out, _ = run(capsys, *args)
    plain = json.loads(out)["layer"]["expected_ceded"]
    code, out, _ = run(capsys, *args, "--agg-retention", "5e6", "--agg-limit", "1.5e8")
    assert code == 0
    layer = json.loads(out)["layer"]
    assert layer["agg_retention"] == 5e6 and layer["agg_limit"] == 1.5e8
    assert 0 < layer["expected_ceded"] < plain


@pytest.mark.parametrize("method", ["fft", "panjer", "mc"])
def test_aggregate_negbin_and_methods(capsys, method):
    """Negative binomial count, each method: the mean is the closed form E[N] E[X∧cap]; VaR from
    the three methods agree loosely (MC with 20,000 years: within 25% at 99%)."""
    code, out, err = run(
        capsys,
        "aggregate",
        "--frequency",
        "negbin:mean=0.2,size=5",
        "--severity",
        "lognormal:meanlog=15,sdlog=1.5",
        "--cap",
        "1e9",
        "--method",
        method,
        "--sims",
        "20000",
        "--seed",
        "3",
        "--retention",
        "1e6",
        "--limit",
        "2e7",
        "--json",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["method"] == method
    assert "negativebinomial" in doc["frequency"] and "min(" in doc["severity"]
    assert doc["mean"] == pytest.approx(0.2 * _lognormal_lev(1e9, 15, 1.5), rel=1e-9)  # capped
    assert doc["layer"]["expected_ceded"] + doc["layer"]["expected_retained"] == pytest.approx(
        doc["mean"], rel=1e-12
    )
    code, out, _ = run(
        capsys,
        "aggregate",
        "--frequency",
        "negbin:mean=0.2,size=5",
        "--severity",
        "lognormal:meanlog=15,sdlog=1.5",
        "--cap",
        "1e9",
        "--json",
    )
    reference = json.loads(out)["var"]["0.99"]
    assert doc["var"]["0.99"] == pytest.approx(reference, rel=0.25 if method == "mc" else 0.02)


def test_aggregate_table_output(capsys):
    code, out, _ = run(capsys, *AGGREGATE, "--retention", "1e7", "--limit", "1e8")
    assert code == 0
    assert "VaR and TVaR" in out and "Return periods" in out and "expected ceded" in out


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--frequency", "poisson:lambda=0.05", ["unknown parameter 'lambda'", "poisson"]),
        ("--frequency", "zipf:1", ["unknown family 'zipf'"]),
        ("--severity", "lognormal:meanlog=17,sdlog=-1", ["'sdlog'"]),
        ("--severity", "lognormal:meanlog=17", ["missing parameter(s) sdlog"]),
    ],
)
def test_aggregate_bad_spec_exits_2_with_message(capsys, option, value, words):
    argv = {"--frequency": "poisson:0.05", "--severity": "lognormal:meanlog=17,sdlog=1.8"}
    argv[option] = value
    code, out, err = run(
        capsys,
        "aggregate",
        "--frequency",
        argv["--frequency"],
        "--severity",
        argv["--severity"],
        "--json",
    )
    assert code == 2 and out == ""
    assert err.startswith("error: ")
    for word in words:
        assert word in err


def test_aggregate_bad_layer_exits_2_naming_the_field(capsys):
    code, out, err = run(capsys, *AGGREGATE, "--retention", "-5", "--json")
    assert code == 2 and out == "" and "'--retention'" in err


def _check_loss_model_document(doc: dict) -> None:
    assert {"profile", "frequency", "severity", "assumptions", "aggregate"} <= set(doc)
    agg = doc["aggregate"]
    assert set(agg["var"]) == LEVEL_KEYS and set(agg["tvar"]) == LEVEL_KEYS
    assert agg["audit_valid"] is True
    assert agg["mean"] == pytest.approx(doc["frequency"]["mean"] * doc["severity"]["mean"])
    assert doc["severity"]["hot_cap"] <= doc["severity"]["reach_cap"]
    names = [row["assumption"] for row in doc["assumptions"]]
    assert "Exchange rate λ" in names and "Other-route cap" in names


def test_loss_model_preset_json(capsys):
    code, out, err = run(capsys, "loss-model", "--profile", "small", "--json")
    assert code == 0, err
    doc = json.loads(out)
    _check_loss_model_document(doc)
    assert doc["profile"]["name"] == "Small domestic exchange"


def test_loss_model_profile_file_and_table(tmp_path, capsys):
    import dataclasses

    from pricing.profiles import PRESETS

    profile = dataclasses.replace(
        PRESETS["large"], name="Test exchange", customer_assets_usd=5e9, hot_share=0.03
    )
    path = tmp_path / "exchange.json"
    profile.save(path)
    code, out, err = run(capsys, "loss-model", "--profile", str(path), "--json")
    assert code == 0, err
    doc = json.loads(out)
    _check_loss_model_document(doc)
    assert doc["profile"]["name"] == "Test exchange"
    assert doc["severity"]["hot_cap"] == pytest.approx(5e9 * 0.03)
    code, out, _ = run(capsys, "loss-model", "--profile", str(path))
    assert code == 0 and "Test exchange" in out and "Assumptions" in out


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ({"hot_share": 2.0}, ["'hot_share'", "between 0 and 1"]),
        ({"security_level": "paranoid"}, ["'security_level'"]),
        ({"wallets": 3}, ["'wallets': unknown field"]),
        ({"tax_rate": None}, ["'tax_rate'"]),
    ],
)
def test_loss_model_invalid_profile_exits_2_naming_the_field(tmp_path, capsys, content, words):
    from pricing.profiles import PRESETS

    values = PRESETS["small"].to_dict() | content
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(values))
    code, out, err = run(capsys, "loss-model", "--profile", str(path), "--json")
    assert code == 2 and out == ""
    for word in words:
        assert word in err


def test_loss_model_missing_field_and_bad_json_exit_2(tmp_path, capsys):
    from pricing.profiles import PRESETS

    values = PRESETS["small"].to_dict()
    del values["jurisdiction"]
    path = tmp_path / "missing.json"
    path.write_text(json.dumps(values))
    code, _, err = run(capsys, "loss-model", "--profile", str(path))
    assert code == 2 and "'jurisdiction': missing field" in err
    path.write_text("{not json")
    code, _, err = run(capsys, "loss-model", "--profile", str(path))
    assert code == 2 and "not valid JSON" in err
    code, _, err = run(capsys, "loss-model", "--profile", "medium")
    assert code == 2 and "neither a preset" in err


QUOTE = ("quote", "--profile", "large", "--retention", "2e7", "--limit", "2e8")
PRINCIPLE_NAMES = {"expected_value", "std_dev", "wang", "cost_of_capital"}


def test_quote_json(capsys):
    """The headline premium is the market's quote, the technical premium beside it, and a 90%
    range over parameter draws around it."""
    code, out, err = run(capsys, *QUOTE, "--format", "json", "--draws", "5")
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc["premiums"]) == PRINCIPLE_NAMES
    for key in ("rate_on_line", "loss_ratio", "p_attach", "p_exhaust_occurrence"):
        assert isinstance(doc[key], float)
    assert doc["technical_premium"] == doc["premiums"]["cost_of_capital"]["technical_premium"]
    assert doc["placeable"] is True and doc["premium_basis"] == "market"
    assert doc["premium"] == doc["market_premium"] >= doc["technical_premium"]
    low, high = doc["premium_interval"]
    assert 0 < low <= high and doc["draws"] == 5
    assert doc["market"]["audit_valid"] and doc["market"]["cover_type"] == "hot"
    assert doc["rate_on_line"] == pytest.approx(doc["premium"] / 2e8, rel=1e-12)
    assert doc["loss_ratio"] == pytest.approx(doc["expected_loss"] / doc["premium"], rel=1e-12)
    assert 0 < doc["p_exhaust_occurrence"] < doc["p_attach"] < 1
    for tp in doc["premiums"].values():
        assert tp["technical_premium"] >= tp["risk_premium"] >= doc["expected_loss"]


def test_quote_csv_and_table(capsys):
    import csv
    import io

    code, out, _ = run(capsys, *QUOTE, "--format", "csv", "--draws", "0")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["principle"] for row in rows} == PRINCIPLE_NAMES | {"market"}
    assert {"profile", "layer", "gross_premium", "expected_loss", "p_attach"} <= set(rows[0])
    assert rows[0]["layer"] == "200m xs 20m"
    code, out, _ = run(capsys, *QUOTE, "--format", "table", "--draws", "0")
    assert code == 0
    assert "Technical premium by principle" in out and "rate on line" in out


def test_quote_market_mode_and_reinstatements(capsys):
    code, out, err = run(
        capsys,
        *QUOTE,
        "--share",
        "0.5",
        "--rol",
        "0.05",
        "--reinstatements",
        "1",
        "--format",
        "json",
        "--draws",
        "0",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["premium"] == pytest.approx(0.05 * 0.5 * 2e8, rel=1e-12)
    assert doc["loss_ratio"] == pytest.approx(doc["expected_loss"] / doc["premium"], rel=1e-12)
    assert doc["layer"]["agg_limit"] == 4e8
    assert doc["upfront_premium"] < doc["premium"]
    assert doc["upfront_premium"] + doc["expected_reinstatement_premium"] == pytest.approx(
        doc["premium"], rel=1e-12
    )


def test_remote_layer_at_full_capacity_carries_the_scarcity_load(capsys):
    """USD 600m xs 5.7bn for the large exchange: placeable at the capacity limit, priced at or
    above the cold minimum rate on line with the full scarcity load (the issue's check)."""
    code, out, err = run(
        capsys, "quote", "--profile", "large", "--retention", "5.7e9", "--limit", "6e8",
        "--format", "json", "--draws", "3",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert {"technical_premium", "market_premium", "placeable", "premium_interval"} <= set(doc)
    m = doc["market"]
    assert doc["placeable"] and m["capacity_share"] == pytest.approx(1.0)
    assert m["scarcity_load"] == pytest.approx(0.5)
    assert doc["market_premium"] >= 1.5 * m["minimum_rate_on_line"] * 6e8 * (1 - 1e-12)
    assert doc["market_premium"] > doc["technical_premium"]


def test_unplaceable_layers_say_why(capsys):
    code, out, _ = run(
        capsys, "quote", "--profile", "large", "--retention", "0", "--limit", "1e8",
        "--format", "json", "--draws", "0",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 0 and doc["placeable"] is False and doc["premium"] is None
    assert "first-dollar" in doc["not_placeable_reason"]
    code, out, _ = run(
        capsys, "quote", "--profile", "large", "--retention", "1e8", "--limit", "7e8",
        "--draws", "0",
    )  # fmt: skip
    assert code == 0 and "Not placeable" in out and "capacity" in out


def test_quote_with_market_quotes(capsys, tmp_path):
    path = tmp_path / "quotes.csv"
    path.write_text("retention,limit,rate_on_line\n2e7,2e8,0.12\n4e8,2e8,0.02\n1e9,5e8,0.008\n")
    code, out, err = run(capsys, *QUOTE, "--format", "json", "--draws", "0",
                         "--market-quotes", str(path))  # fmt: skip
    assert code == 0, err
    fit = json.loads(out)["market_fit"]
    assert fit["fitted_scale"] and len(fit["quotes"]) == 3
    assert all(abs(q["log_residual"]) < 1 for q in fit["quotes"])
    code, out, _ = run(capsys, *QUOTE, "--draws", "0", "--market-quotes", str(path))
    assert "log_residual" in out and "fitted to 3 quote(s)" in out


def test_bad_market_quotes_file_exits_2_naming_line_and_column(capsys, tmp_path):
    path = tmp_path / "quotes.csv"
    path.write_text("retention,limit,rate_on_line\n2e7,2e8,0.12\n4e8,2e8,abc\n")
    code, out, err = run(capsys, *QUOTE, "--draws", "0", "--market-quotes", str(path))
    assert code == 2 and out == ""
    assert "line 3" in err and "rate_on_line" in err and "not a number" in err
    code, _, err = run(capsys, *QUOTE, "--technical", "--market-quotes", str(path))
    assert code == 2 and "--market-quotes" in err


def test_quote_bad_layer_exits_2(capsys):
    code, out, err = run(capsys, *QUOTE, "--share", "1.5", "--format", "json")
    assert code == 2 and out == "" and "'--share'" in err


# --------------------------------------------------------------------------------------------
# compare and regulation
# --------------------------------------------------------------------------------------------
def test_compare_json_has_every_strategy_with_costs_and_protection(capsys):
    code, out, _ = run(
        capsys, "compare", "--profile", "small", "--regime", "hk", "--json", "--draws", "3"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["draws"] == 3 and 0 <= doc["recommended_share_of_draws"] <= 1
    assert doc["recommended_kind"] in ("reserve only", "insurance", "hybrid")
    for s in doc["strategies"]:
        low, high = s["total_cost_interval"]
        assert 0 < low <= high
        low, high = s["p_full_interval"]
        assert 0 <= low <= high <= 1
    assert doc["profile"] == "Small domestic exchange" and doc["regime"] == "hk"
    names = [s["name"] for s in doc["strategies"]]
    assert names == ["reserve_only", "insurance_only", "hybrid"]
    assert doc["recommended"] in names
    for s in doc["strategies"]:
        assert {"total_cost", "components", "p_full_prompt", "expected_shortfall"} <= set(s)
        assert "var_0.995_uncompensated" in s
        assert sum(s["components"].values()) == pytest.approx(s["total_cost"], rel=1e-12)
    best = min((s for s in doc["strategies"] if s["meets_target"]), key=lambda s: s["total_cost"])
    assert doc["recommended"] == best["name"]


def test_compare_table_and_regulation_text(capsys):
    code, out, _ = run(
        capsys, "compare", "--profile", "large", "--regime", "jp-draft", "--draws", "0"
    )
    assert code == 0 and "Recommended:" in out and "total_cost" in out
    assert "market quotes" in out
    code, out, _ = run(
        capsys, "compare", "--profile", "small", "--regime", "hk", "--draws", "0", "--technical"
    )
    assert code == 0 and "technical premiums" in out
    code, out, _ = run(capsys, "regulation", "--profile", "large", "--regime", "hk")
    assert code == 0
    assert "Formula:" in out and "Source:" in out and "Insurance counts: yes" in out
    code, out, _ = run(capsys, "regulation", "--profile", "small", "--regime", "jp", "--json")
    doc = json.loads(out)
    assert doc["amount_usd"] == pytest.approx(130e6 * 0.05)  # hot wallets backed in kind


def test_compare_in_another_currency_keeps_usd_and_adds_converted_amounts(capsys):
    """``--currency JPY``: the USD amounts are those of a USD run; each ``*_display`` amount is
    the USD one times the dated rate of data/fx.csv (relative 1e-12); the table says JPY."""
    from pricing.regulation import DEFAULT_FX

    base = ["compare", "--profile", "small", "--regime", "jp-draft", "--draws", "0"]
    code, out, _ = run(capsys, *base, "--json")
    usd = json.loads(out)
    code, out, _ = run(capsys, *base, "--json", "--currency", "JPY")
    assert code == 0
    doc = json.loads(out)
    rate, as_of, _ = DEFAULT_FX.dated("JPY")
    assert doc["display_currency"] == "JPY" and doc["fx"]["per_usd"] == rate == 157.0
    assert doc["fx"]["as_of"] == as_of
    assert doc["regulatory_minimum_display"] == pytest.approx(
        usd["regulatory_minimum_usd"] * rate, rel=1e-12
    )
    for s, u in zip(doc["strategies"], usd["strategies"], strict=True):
        assert s["total_cost"] == u["total_cost"] and s["reserve"] == u["reserve"]
        assert s["total_cost_display"] == pytest.approx(u["total_cost"] * rate, rel=1e-12)
        assert s["reserve_display"] == pytest.approx(u["reserve"] * rate, rel=1e-12)
        assert sum(s["components_display"].values()) == pytest.approx(
            s["total_cost_display"], rel=1e-12
        )
    code, out, _ = run(capsys, *base, "--currency", "JPY")
    assert code == 0 and "Strategies (JPY per year" in out and "Amounts in JPY at 157" in out
    reserve = next(s["reserve"] for s in usd["strategies"] if s["name"] == "reserve_only")
    assert f"{reserve * rate:,.0f}" in out
    code, _, err = run(capsys, *base, "--currency", "XYZ")
    assert code == 2 and "--currency" in err


def test_batch_compare_from_a_folder_and_from_a_csv(capsys, tmp_path):
    from pricing.profiles import PRESETS

    folder = tmp_path / "profiles"
    folder.mkdir()
    two = {name: PRESETS[name] for name in ("small", "large")}
    for name, profile in two.items():
        profile.save(folder / f"{name}.json")
    out_csv = tmp_path / "results.csv"
    code, _, err = run(capsys, "compare", "--profiles", str(folder), "--out", str(out_csv))
    assert code == 0 and "[2/2]" in err
    import pandas as pd

    result = pd.read_csv(out_csv)
    assert len(result) == 6 and result.groupby("profile")["recommended"].sum().eq(1).all()
    # the default 20 parameter draws give every row its 90% ranges
    assert (result["total_cost_low"] <= result["total_cost_high"]).all()
    assert result.loc[result["recommended"], "recommended_share_of_draws"].between(0, 1).all()

    rows = pd.DataFrame([p.to_dict() for p in two.values()]).astype(str)
    rows.loc[1, "hot_share"] = "lots"  # one bad row: named by line and field
    table = tmp_path / "profiles.csv"
    rows.to_csv(table, index=False)
    code, _, err = run(capsys, "compare", "--profiles", str(table), "--out", str(out_csv))
    assert code == 2 and "line 3" in err and "hot_share" in err


def test_fit_severity_reports_how_the_threshold_moves_the_tail(capsys):
    """The table refits above each threshold: fewer losses as it rises, and at the shipped
    default (USD 1m) the refit equals the main fit of the same family."""
    code, out, _ = run(capsys, "fit-severity", "--json")
    assert code == 0
    doc = json.loads(out)
    gpd = doc["threshold_sensitivity"]["gpd"]
    counts = [row["n"] for row in gpd]
    assert counts == sorted(counts, reverse=True)
    at_default = next(row for row in gpd if row["threshold"] == 1e6)
    main_fit = next(f for f in doc["fits"] if f["dist"] == "gpd")
    assert at_default["n"] == doc["n"]
    assert at_default["shape"] == pytest.approx(main_fit["params"]["shape"], rel=1e-6)


def test_aggregate_grid_options_set_the_grid_and_keep_quantiles(capsys):
    """--buckets / --bucket set the grid; VaR95 stays within 0.1% of the fine-grid 1,916,470
    (tests/reference) whatever the grid, since quantiles refine themselves."""
    spec = ("aggregate", "--frequency", "poisson:0.1", "--severity", "lognormal:14.5,1.5")
    for extra in ((), ("--buckets", "4096"), ("--bucket", "5e4"), ("--buckets", "256")):
        code, out, err = run(capsys, *spec, *extra, "--json")
        assert code == 0, err
        assert json.loads(out)["var"]["0.95"] == pytest.approx(1_916_470, rel=1e-3)


@pytest.mark.parametrize(
    ("option", "value"), [("--buckets", "1000"), ("--buckets", "128"), ("--bucket", "-5")]
)
def test_aggregate_bad_grid_options_exit_2_naming_the_option(capsys, option, value):
    spec = ("aggregate", "--frequency", "poisson:0.1", "--severity", "lognormal:14.5,1.5")
    code, _, err = run(capsys, *spec, option, value)
    assert code == 2
    assert option in err and "Traceback" not in err


def test_app_command_starts_streamlit_with_the_settings_the_app_needs(monkeypatch):
    """``vaultcover app`` runs from any folder, where the project's .streamlit/config.toml is
    not read: the settings the app needs go on the command line (no full collection after
    each run, no magic; static serving of the charts' plotly.js), user flags after."""
    from streamlit.web import cli as stcli

    seen = {}
    monkeypatch.setattr(stcli, "main", lambda: seen.setdefault("argv", list(sys.argv)) and 0)
    monkeypatch.setattr(sys, "argv", ["vaultcover"])
    assert main(["app", "--server.port", "8600"]) == 0
    argv = seen["argv"]
    assert argv[:2] == ["streamlit", "run"] and argv[2].endswith("app.py")
    assert argv[3:] == [
        *("--runner.postScriptGC", "false", "--runner.magicEnabled", "false"),
        *("--server.enableStaticServing", "true", "--server.port", "8600"),
    ]


@pytest.mark.parametrize("extra", [[], ["--"]])
def test_app_command_hands_every_later_argument_to_streamlit(monkeypatch, extra):
    from streamlit.web import cli as stcli

    seen = {}
    monkeypatch.setattr(stcli, "main", lambda: seen.setdefault("argv", list(sys.argv)) and 0)
    assert main(["--debug", "app", *extra, "--server.port", "8600", "--theme.base", "dark"]) == 0
    assert seen["argv"][-4:] == ["--server.port", "8600", "--theme.base", "dark"]
    assert "--" not in seen["argv"]
