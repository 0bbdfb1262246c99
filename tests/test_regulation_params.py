"""Every parameter of every regime is editable: typed settings, files, errors, the CLI."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.cli import main
from pricing.exceptions import InputError
from pricing.regulation import REGIMES, RegimeInputs, minimum, parse_assignments, regime_params


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("code", list(REGIMES))
def test_every_parameter_round_trips_through_text(code):
    params = REGIMES[code].default_params()
    for info in type(params).describe():
        value = getattr(params, info.name)
        text = "none" if value is None else str(value)
        again = params.with_settings({info.name: text})
        assert getattr(again, info.name) == value, info.name
        assert info.allowed and info.help


def test_unknown_names_and_bad_values_name_the_parameter_and_what_is_allowed():
    with pytest.raises(InputError) as err:
        regime_params("jp-2027", {"colour": "red", "insurance_share_max": "2", "basis": "vibes"})
    text = str(err.value)
    assert "3 problems" in text
    assert "'colour': unknown parameter of jp-2027; parameters are basis" in text
    assert "'insurance_share_max': must be float in [0, 1], got 2" in text
    assert "'basis': must be one of max, securities, history, custody_share" in text
    with pytest.raises(InputError, match="'hot_cap': must be float in"):
        regime_params("jp", {"hot_cap": "lots"})
    with pytest.raises(InputError, match="'insurer_licensed_in_japan': must be true or false"):
        regime_params("jp-2027", {"insurer_licensed_in_japan": "maybe"})
    with pytest.raises(InputError, match="'--set': expected name=value"):
        parse_assignments(["custody_share"])


def test_regime_files_in_json_and_toml_flat_or_keyed(tmp_path):
    flat = tmp_path / "p.json"
    flat.write_text(json.dumps({"custody_share": 0.03}))
    assert regime_params("jp-2027", file=flat).custody_share == 0.03
    keyed = tmp_path / "p.toml"
    keyed.write_text("[jp-2027]\ncustody_share = 0.04\n[hk]\ncold_cover_share = 0.7\n")
    assert regime_params("jp-draft", file=keyed).custody_share == 0.04
    assert regime_params("hk", file=keyed).cold_cover_share == 0.7
    # --set wins over the file
    assert regime_params("jp-2027", {"custody_share": "0.05"}, keyed).custody_share == 0.05
    bad = tmp_path / "bad.toml"
    bad.write_text("custody_share = ")
    with pytest.raises(InputError, match="not valid TOML"):
        regime_params("jp-2027", file=bad)
    with pytest.raises(InputError, match="no such file"):
        regime_params("jp-2027", file=tmp_path / "missing.json")


@settings(max_examples=60, deadline=None)
@given(share=st.floats(0.0, 1.0), s_max=st.floats(0.0, 1.0))
def test_set_values_reach_the_result(share, s_max):
    p = regime_params(
        "jp-2027",
        {
            "basis": "custody_share",
            "custody_share": repr(share),
            "insurance_share_max": repr(s_max),
        },
    )
    r = minimum("jp-2027", RegimeInputs(customer_assets_usd=1e9, hot_share=0.05), params=p)
    (reserve,) = [q for q in r.requirements if q.key == "liability_reserve"]
    assert reserve.amount_usd == pytest.approx(share * 0.95e9, abs=1e-6)
    assert reserve.insurance_share_max == s_max


# ---- the command line --------------------------------------------------------------------------
def test_cli_regulation_in_yen_and_japanese_and_set_changes_it(capsys):
    base = ["regulation", "--profile", "jp-small", "--regime", "jp-2027", "--currency", "JPY"]
    code, out, _ = run(capsys, *base, "--lang", "ja", "--set", "basis=custody_share")
    assert code == 0
    assert "責任準備金（シナリオ）: 190,000,000円" in out  # 1% of ¥19bn cold
    assert "履行保証暗号資産" in out and "信託保全" in out and "算式" in out and "出典" in out
    code, out2, _ = run(
        capsys,
        *base,
        "--lang",
        "ja",
        "--set",
        "basis=custody_share",
        "--set",
        "custody_share=0.02",
    )
    assert code == 0 and "責任準備金（シナリオ）: 380,000,000円" in out2


def test_cli_regulation_json_currency_and_other_jurisdictions(capsys, tmp_path):
    from pricing.profiles import PRESETS

    profile = tmp_path / "p.json"
    values = PRESETS["small"].to_dict() | {"jurisdictions": ["hk"]}
    profile.write_text(json.dumps(values))
    code, out, _ = run(
        capsys,
        "regulation",
        "--profile",
        str(profile),
        "--regime",
        "jp",
        "--currency",
        "HKD",
        "--json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["regime"] == "jp" and doc["display_currency"] == "HKD"
    assert doc["amount_display"] == pytest.approx(doc["amount_usd"] * 7.8)
    assert [r["regime"] for r in doc["other_jurisdictions"]] == ["hk"]


def test_cli_errors_exit_2_naming_the_parameter(capsys, tmp_path):
    code, _, err = run(capsys, "regulation", "--regime", "hk", "--set", "cold_cover_share=3")
    assert code == 2 and "'cold_cover_share': must be float in [0, 1], got 3" in err
    code, _, err = run(capsys, "regulation", "--regime", "hk", "--set", "colour=red")
    assert code == 2 and "'colour': unknown parameter of hk" in err
    code, _, err = run(capsys, "compare", "--regime", "vara", "--set", "hot_insurance_share=x")
    assert code == 2 and "'hot_insurance_share'" in err
    code, _, err = run(capsys, "regulation", "--regime", "hk", "--regime-file", str(tmp_path))
    assert code == 2 and "--regime-file" in err


def test_cli_lists_parameters_and_the_glossary(capsys):
    code, out, _ = run(capsys, "regulation", "--regime", "jp-2027", "--params", "--json")
    doc = json.loads(out)
    names = [row["parameter"] for row in doc["parameters"]]
    assert code == 0 and "insurance_share_max" in names and "in_kind_volatility" in names
    code, out, _ = run(capsys, "glossary", "--lang", "ja")
    assert code == 0 and "責任準備金" in out and "第一種金融商品取引業" in out


def test_cli_regime_file_tables_reach_every_licence(capsys, tmp_path):
    """A keyed file sets the parameters of the chosen regime and of the other licences."""
    from pricing.profiles import PRESETS

    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(PRESETS["small"].to_dict() | {"jurisdictions": ["hk"]}))
    scenario = tmp_path / "s.toml"
    scenario.write_text("[jp]\nhot_cap = 0.04\n[hk]\ncold_cover_share = 0.6\n")
    code, out, _ = run(
        capsys,
        "regulation",
        "--profile",
        str(profile),
        "--regime",
        "jp",
        "--regime-file",
        str(scenario),
        "--json",
    )
    doc = json.loads(out)
    assert code == 0
    assert not doc["checks"][0]["passed"]  # 5% hot breaks the 4% cap set in the file
    (hk,) = doc["other_jurisdictions"]
    assert hk["amount_usd"] == pytest.approx(0.05 * 130e6 + 0.6 * 0.95 * 130e6)
