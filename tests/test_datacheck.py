"""``vaultcover data check``: the sourcing and consistency rules, on the shipped data and on
small files that break one rule each."""

from __future__ import annotations

import csv
import io
import json

import pytest

from pricing.cli import main
from pricing.data import INCIDENT_COLUMNS, PLATFORM_TYPES, SOURCE_TYPES, load_incidents
from pricing.datacheck import banned_domains, check_data

HEADER = ",".join(INCIDENT_COLUMNS)
# date, exchange, country, platform_type, loss_usd, loss_native, attack_vector,
# signing_provider, infrastructure_provider, wallet, customers_reimbursed, outcome, source,
# source_type, second_source, notes
GOOD = [
    "2018-01-26,Coincheck,JP,exchange,534000000,,hot_wallet_key_compromise,,,hot,full,acquired,"
    "https://corporate.coincheck.com/a,primary,https://www.reuters.com/b,",
    "2019-05-07,Binance,MT,exchange,40000000,,hot_wallet_key_compromise,,,hot,full,continued,"
    "https://exchange.example/c,primary,,",
]
EXPOSURE = (
    "year,exchanges_tracked,exchanges_source,market_cap_usd,market_cap_source,btc_price_usd,"
    "btc_price_source,notes\n"
    "2018,100,https://example.org/x,130e9,https://example.org/m,3700,,\n"
    "2019,,,190e9,https://example.org/m,7200,https://example.org/p,\n"
)


def files(tmp_path, rows, exposure: str = EXPOSURE):
    inc = tmp_path / "incidents.csv"
    inc.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    exp = tmp_path / "exposure.csv"
    exp.write_text(exposure, encoding="utf-8")
    return inc, exp


def errors_of(tmp_path, rows, exposure: str = EXPOSURE) -> list[str]:
    inc, exp = files(tmp_path, rows, exposure)
    return [str(f) for f in check_data(inc, exp).errors]


# -- the shipped data ------------------------------------------------------------------------
def test_shipped_data_passes_every_rule():
    result = check_data()
    assert result.ok, [str(f) for f in result.errors]
    inc = result.incidents
    assert inc["rows"] == len(load_incidents())
    assert sum(inc["source_types"].values()) == inc["rows"]
    assert inc["lacking_second_source"] == []
    assert inc["banned_urls"] == 0 and result.exposure["banned_urls"] == 0
    # Every secondary row is listed by name for the report.
    assert len(inc["lacking_source_of_record"]) == inc["source_types"]["secondary"]


def test_cli_data_check_on_shipped_data_exits_0(capsys):
    assert main(["data", "check"]) == 0
    out = capsys.readouterr().out
    assert "sources by source_type:" in out and out.rstrip().endswith("data check passed")
    assert main(["data", "check", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True and doc["errors"] == []
    assert set(doc["incidents"]["source_types"]) == set(SOURCE_TYPES)


def test_shipped_incidents_carry_the_new_columns_and_corrections():
    frame = load_incidents().frame.set_index(["exchange", "year"])
    assert set(frame["platform_type"]) <= set(PLATFORM_TYPES)
    assert frame["platform_type"].ne("").all() and frame["source_type"].ne("").all()
    assert frame.loc[("NiceHash", 2017), "customers_reimbursed"] == "full"
    dmm = frame.loc[("DMM Bitcoin", 2024)]
    assert dmm["outcome"] == "closed" and "SBI VC Trade" in dmm["notes"]
    assert frame.loc[("Bitfinex", 2016), "signing_provider"] == "BitGo"
    assert frame.loc[("Vulcan Forged", 2021), "signing_provider"] == "Venly"
    assert frame.loc[("Inputs.io", 2013), "infrastructure_provider"] == "Linode"
    # No firm sits in both provider columns.
    both = frame[frame["signing_provider"].ne("") & frame["infrastructure_provider"].ne("")]
    assert (both["signing_provider"] != both["infrastructure_provider"]).all()


def test_banned_domains_are_data_with_a_kind():
    domains = banned_domains()
    assert len(domains) >= 50
    assert all(kind for kind in domains.values())
    assert "staging.coindesk.com" in domains  # a mirror of a real newsroom


# -- one broken rule per file ----------------------------------------------------------------
def test_small_good_files_pass(tmp_path):
    assert errors_of(tmp_path, GOOD) == []


def test_banned_domain_in_source_notes_or_exposure_is_an_error(tmp_path):
    rows = [GOOD[0], GOOD[1] + "see https://cryptonews.net/x"]
    exposure = EXPOSURE.replace("https://example.org/p", "https://dqydj.com/2019")
    messages = errors_of(tmp_path, rows, exposure)
    assert any("line 3, column 'notes'" in m and "cryptonews.net" in m for m in messages)
    assert any("column 'btc_price_source'" in m and "dqydj.com" in m for m in messages)


def test_big_loss_without_second_source_is_an_error(tmp_path):
    rows = [GOOD[0].replace("https://www.reuters.com/b", ""), GOOD[1]]
    messages = errors_of(tmp_path, rows)
    assert messages == [
        "error: line 2, column 'second_source': is empty but a loss of USD 534,000,000 needs one"
    ]


def test_disputed_amount_needs_a_second_source(tmp_path):
    rows = [GOOD[0], GOOD[1] + "estimates $40m-$41m"]
    messages = errors_of(tmp_path, rows)
    assert any("line 3, column 'second_source'" in m and "disputed" in m for m in messages)


def test_secondary_row_must_say_so_and_needs_two_outlets_for_an_amount(tmp_path):
    rows = [GOOD[0], GOOD[1].replace("primary,,", "secondary,,")]
    messages = errors_of(tmp_path, rows)
    assert any("line 3, column 'notes'" in m and "no source of record" in m for m in messages)
    assert any("line 3, column 'second_source'" in m for m in messages)
    fixed = GOOD[1].replace("primary,,", "secondary,https://example.org/z,")
    assert errors_of(tmp_path, [GOOD[0], fixed + "No source of record found"]) == []


def test_full_reimbursement_by_a_closed_platform_needs_a_note(tmp_path):
    rows = [GOOD[0], GOOD[1].replace("full,continued", "full,closed")]
    messages = errors_of(tmp_path, rows)
    assert any("line 3, column 'customers_reimbursed'" in m for m in messages)
    assert errors_of(tmp_path, [GOOD[0], rows[1] + "customers repaid in full"]) == []


def test_provider_vector_without_a_provider_is_an_error(tmp_path):
    rows = [GOOD[0], GOOD[1].replace("hot_wallet_key_compromise", "third_party_provider")]
    messages = errors_of(tmp_path, rows)
    assert any("line 3, column 'attack_vector'" in m for m in messages)
    named = rows[1].replace("third_party_provider,,,", "third_party_provider,BitGo,,")
    assert errors_of(tmp_path, [GOOD[0], named]) == []


def test_exposure_figure_without_source_is_an_error(tmp_path):
    exposure = EXPOSURE.replace("130e9,https://example.org/m", "130e9,")
    messages = errors_of(tmp_path, GOOD, exposure)
    assert any("column 'market_cap_source'" in m for m in messages)
    # The BTC price (no default use) without a source is only a warning.
    inc, exp = files(tmp_path, GOOD)
    result = check_data(inc, exp)
    assert result.ok and any(f.column == "btc_price_source" for f in result.warnings)


def test_near_duplicates_are_warnings(tmp_path):
    rows = [GOOD[0], GOOD[1], GOOD[1].replace("2019-05-07", "2019-05-20").replace("4000", "4100")]
    inc, exp = files(tmp_path, rows)
    result = check_data(inc, exp)
    assert result.incidents["possible_duplicates"] == [[3, 4]]
    assert all(f.severity == "warning" for f in result.findings if "same platform" in f.message)


def test_cli_exits_1_when_a_rule_is_broken_and_reports_json(tmp_path, capsys):
    inc, exp = files(tmp_path, [GOOD[0].replace("https://www.reuters.com/b", ""), GOOD[1]])
    assert main(["data", "check", "--data", str(inc), "--exposure", str(exp)]) == 1
    out = capsys.readouterr().out
    assert "data check FAILED: 1 rule(s) broken" in out
    assert main(["data", "check", "--data", str(inc), "--exposure", str(exp), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False and doc["errors"][0]["line"] == 2


def test_cli_bad_file_is_an_input_error_with_line_and_column(tmp_path, capsys):
    inc, exp = files(tmp_path, [GOOD[0].replace(",exchange,", ",bank,")])
    assert main(["data", "check", "--data", str(inc), "--exposure", str(exp)]) == 2
    err = capsys.readouterr().err
    assert "line 2, column 'platform_type'" in err


WEAK_SECOND_SOURCES = [
    "gameficrypto.com",
    "bullsgazette.com",
    "blockoala.com",
    "worldstockmarket.net",
    "coinsplorer.com",
    "coincodecap.com",
    "zemsblog.com",
    "bitbo.io",
]


@pytest.mark.parametrize("domain", WEAK_SECOND_SOURCES)
def test_weak_sources_met_in_review_are_banned_and_fail_the_check(tmp_path, capsys, domain):
    assert domain in banned_domains()
    # As a second source (a subdomain counts as its domain) and in the exposure file.
    row = GOOD[1].replace("primary,,", f"primary,https://www.{domain}/news/1,")
    exposure = EXPOSURE.replace("https://example.org/p", f"https://calendar.{domain}/2019")
    inc, exp = files(tmp_path, [GOOD[0], row], exposure)
    result = check_data(inc, exp)
    assert not result.ok
    found = [str(f) for f in result.errors]
    assert any("line 3, column 'second_source'" in m and domain in m for m in found), found
    assert any("column 'btc_price_source'" in m and domain in m for m in found), found
    assert main(["data", "check", "--data", str(inc), "--exposure", str(exp)]) == 1
    assert "data check FAILED" in capsys.readouterr().out


def test_custom_banned_list(tmp_path):
    inc, exp = files(tmp_path, GOOD)
    banned = tmp_path / "banned.csv"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([["domain", "kind", "note"], ["reuters.com", "test", "pretend"]])
    banned.write_text(out.getvalue(), encoding="utf-8")
    result = check_data(inc, exp, banned=banned)
    assert not result.ok
    assert any("reuters.com" in str(f) for f in result.errors)


@pytest.mark.parametrize("platforms", ["exchange,custodian_lender", "all"])
def test_cli_platform_types_option(capsys, platforms):
    assert main(["fit-frequency", "--year", "2025", "--json", "--platform-types", platforms]) == 0
    assert json.loads(capsys.readouterr().out)["rate"] > 0


def test_cli_platform_types_typo_is_an_input_error(capsys):
    # argparse rejects it before any work; main() turns its usage error into exit 2
    assert main(["fit-frequency", "--platform-types", "exchange,bank"]) == 2
    assert "'exchange,bank': platform types are 'all' or" in capsys.readouterr().err
