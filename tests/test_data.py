"""Loading, validation, selection and on-levelling of incident and exposure data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pricing.data import (
    ATTACK_VECTORS,
    INCIDENT_COLUMNS,
    OnLevel,
    exposure_base,
    load_exposure,
    load_incidents,
    select_losses,
    shipped_path,
    yearly_counts,
    years_without_exposure,
)
from pricing.exceptions import DataValidationError

HEADER = ",".join(INCIDENT_COLUMNS)
# Columns: date, exchange, country, platform_type, loss_usd, loss_native, attack_vector,
# signing_provider, infrastructure_provider, wallet, customers_reimbursed, outcome, source,
# source_type, second_source, notes.
GOOD_ROWS = [
    "2014-02-07,Mt. Gox,JP,exchange,450000000,850000 BTC,hot_wallet_key_compromise,,,hot,"
    "partial,bankrupt,https://example.org/a,press,https://example.org/a2,note",
    "2018-01-26,Coincheck,JP,exchange,534000000,523000000 XEM,hot_wallet_key_compromise,,,hot,"
    "full,acquired,https://example.org/b,primary,https://example.org/b2,",
    "2019-05-07,Binance,MT,exchange,40000000,7000 BTC,hot_wallet_key_compromise,,,hot,full,"
    "continued,https://example.org/c,press,,",
    "2016-08-02,Bitfinex,HK,exchange,72000000,119756 BTC,third_party_provider,BitGo,,hot,full,"
    "continued,https://example.org/d,press,,",
    "2020-01-01,Tiny,US,exchange,,,unknown,,,unknown,unknown,,https://example.org/e,secondary,,"
    "amount unknown",
    "2020-06-01,Small,US,custodian_lender,500000,,insider,,,unknown,unknown,closed,"
    "https://example.org/f,research,,",
]
EXPOSURE = "\n".join(
    [
        "year,exchanges_tracked,market_cap_usd,btc_price_usd",
        "2014,100,5e9,320",
        "2015,,7e9,430",
        "2016,200,17e9,960",
        "2017,250,600e9,14000",
        "2018,300,130e9,3700",
        "2019,350,190e9,7200",
        "2020,400,760e9,29000",
    ]
)


def write(tmp_path, text: str, name: str = "incidents.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(source) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        load_incidents(source)
    return [str(p) for p in info.value.problems]


@pytest.fixture()
def incidents(tmp_path):
    return load_incidents(write(tmp_path, "\n".join([HEADER, *GOOD_ROWS])))


@pytest.fixture()
def exposure(tmp_path):
    return load_exposure(write(tmp_path, EXPOSURE, "exposure.csv"))


def test_good_file_loads_every_row_sorted_by_date(incidents):
    assert len(incidents) == len(GOOD_ROWS)
    assert incidents.frame["date"].is_monotonic_increasing
    assert math.isnan(incidents.frame.set_index("exchange").loc["Tiny", "loss_usd"])
    assert incidents.years == (2014, 2020)


def test_bytes_and_file_objects_load_like_paths(tmp_path):
    text = "\n".join([HEADER, *GOOD_ROWS])
    from_bytes = load_incidents(text.encode())
    with open(write(tmp_path, text), "rb") as handle:
        from_handle = load_incidents(handle)
    pd.testing.assert_frame_equal(from_bytes.frame, from_handle.frame)


def test_utf8_bom_is_accepted(tmp_path):
    data = load_incidents(write(tmp_path, "\n".join([HEADER, *GOOD_ROWS]), encoding="utf-8-sig"))
    assert len(data) == len(GOOD_ROWS)


def test_every_problem_is_reported_with_line_and_column(tmp_path):
    rows = [
        "2014-13-07,Mt. Gox,JP,exchange,450000000,,hot_wallet_key_compromise,,,hot,partial,"
        "bankrupt,src,press,,",
        "07/02/2014,X,JP,exchange,1e6,,hot_wallet_key_compromise,,,hot,partial,bankrupt,src,"
        "press,,",
        "2018-01-26,Coincheck,JP,exchange,-5,,hot_wallet_key_compromise,,,hot,full,acquired,src,"
        "press,,",
        "2018-01-27,Y,JP,exchange,$5m,,hot_wallet_key_compromise,,,hot,full,acquired,src,press,,",
        "2018-01-28,Z,JPN,bank,5e6,,phishing,,,lukewarm,maybe,vanished,,rumour,,",
    ]
    messages = problems_of(write(tmp_path, "\n".join([HEADER, *rows])))
    expected = [
        ("line 2, column 'date'", "not a valid calendar date"),
        ("line 3, column 'date'", "not an ISO date"),
        ("line 4, column 'loss_usd'", "must be a positive amount"),
        ("line 5, column 'loss_usd'", "'$5m' is not a number"),
        ("line 6, column 'country'", "'JPN'"),
        ("line 6, column 'attack_vector'", "'phishing' is not one of"),
        ("line 6, column 'wallet'", "'lukewarm'"),
        ("line 6, column 'customers_reimbursed'", "'maybe'"),
        ("line 6, column 'outcome'", "'vanished'"),
        ("line 6, column 'source'", "must name its public source"),
        ("line 6, column 'platform_type'", "'bank' is not one of"),
        ("line 6, column 'source_type'", "'rumour' is not one of"),
    ]
    for where, what in expected:
        assert any(m.startswith(where) and what in m for m in messages), (where, messages)
    assert len(messages) == len(expected)


def test_sourcing_and_provider_columns_name_line_and_column(tmp_path):
    """The columns added with the sourcing rules are checked cell by cell like the others."""
    base = GOOD_ROWS[2]  # Binance 2019, press source, no second source, no provider
    edits = [
        (",exchange,", ",Exchange,"),  # vocabularies ignore case: no problem
        (",exchange,", ",bank,"),
        (",press,,", ",newspaper,,"),
        (",press,,", ",press,see the FT,"),
        (",press,,", ",press,https://example.org/c,"),
        (",,,hot,", ",none,,hot,"),
        (",,,hot,", ",,n/a,hot,"),
        (",,,hot,", ",https://bitgo.com,,hot,"),
    ]
    # A different day per row, so no row duplicates another.
    rows = [
        base.replace(old, new).replace("2019-05-07", f"2019-05-{day:02d}")
        for day, (old, new) in enumerate(edits, start=1)
    ]
    messages = problems_of(write(tmp_path, "\n".join([HEADER, *rows])))
    expected = [
        ("line 3, column 'platform_type'", "'bank' is not one of"),
        ("line 4, column 'source_type'", "'newspaper' is not one of"),
        ("line 5, column 'second_source'", "'see the FT' is not a URL"),
        ("line 6, column 'second_source'", "repeats 'source'"),
        ("line 7, column 'signing_provider'", "'none' is a placeholder"),
        ("line 8, column 'infrastructure_provider'", "'n/a' is a placeholder"),
        ("line 9, column 'signing_provider'", "is a URL"),
    ]
    for where, what in expected:
        assert any(m.startswith(where) and what in m for m in messages), (where, messages)
    assert len(messages) == len(expected), messages


def test_missing_required_column_is_named(tmp_path):
    header = HEADER.replace("loss_usd,", "")
    rows = [r.replace(",450000000", "", 1) for r in GOOD_ROWS[:1]]
    messages = problems_of(write(tmp_path, "\n".join([header, *rows])))
    assert messages == ["line 1, column 'loss_usd': required column is missing"]


def test_absent_optional_columns_are_noted_not_errors(tmp_path):
    text = "date,exchange,loss_usd,attack_vector,source\n2019-05-07,Binance,4e7,insider,src\n"
    data = load_incidents(write(tmp_path, text))
    assert len(data) == 1
    assert any("'wallet' is absent" in note for note in data.notes)
    assert data.frame.loc[0, "wallet"] == "unknown"


def test_duplicate_rows_are_reported(tmp_path):
    messages = problems_of(
        write(tmp_path, "\n".join([HEADER, GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]]))
    )
    assert messages == ["line 4: duplicates the incident on line 2 (same date, exchange and loss)"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("   \n\n", "the file is empty"),
        (HEADER + "\n", "the file has a header but no incident rows"),
    ],
)
def test_empty_files(tmp_path, text, message):
    assert problems_of(write(tmp_path, text)) == [message]


def test_wrong_encoding_names_the_line(tmp_path):
    text = "\n".join([HEADER, GOOD_ROWS[0], GOOD_ROWS[1].replace("Coincheck", "Coinchéck")])
    messages = problems_of(write(tmp_path, text, encoding="latin-1"))
    assert len(messages) == 1
    assert messages[0].startswith("line 3: the file is not UTF-8")


def test_ragged_row_is_reported(tmp_path):
    messages = problems_of(write(tmp_path, "\n".join([HEADER, GOOD_ROWS[0] + ",extra"])))
    assert messages == ["line 2: has 17 fields but the header has 16 (an unquoted comma?)"]


def test_missing_file_is_a_validation_error(tmp_path):
    assert problems_of(tmp_path / "nope.csv") == ["file not found"]


def test_error_message_lists_all_problems_with_the_file_name(tmp_path):
    path = write(
        tmp_path,
        "\n".join(
            [
                HEADER,
                GOOD_ROWS[0].replace("450000000", "abc"),
                GOOD_ROWS[1].replace("2018-01-26", "yesterday"),
            ]
        ),
    )
    with pytest.raises(DataValidationError) as info:
        load_incidents(path)
    text = str(info.value)
    assert text.startswith(f"{path}: 2 problems found")
    assert "line 2, column 'loss_usd'" in text and "line 3, column 'date'" in text


# -- exposure -------------------------------------------------------------------------------
def test_exposure_gaps_are_interpolated_log_linearly_and_listed(exposure):
    assert exposure.frame.loc[2015, "exchanges_tracked"] == pytest.approx(math.sqrt(100 * 200))
    assert exposure.filled == ("exchanges_tracked 2015 (log-linear interpolation)",)


def test_exposure_problems_are_reported(tmp_path):
    text = (
        "year,exchanges_tracked,market_cap_usd,btc_price_usd\n"
        "2014,abc,1,1\n2014,1,1,1\n20x5,1,1,1\n"
    )
    with pytest.raises(DataValidationError) as info:
        load_exposure(write(tmp_path, text, "exposure.csv"))
    messages = [str(p) for p in info.value.problems]
    assert messages == [
        "line 2, column 'exchanges_tracked': 'abc' is not a number (write plain digits, e.g. "
        "1500000, without currency signs or thousands separators)",
        "line 3, column 'year': 2014 duplicates line 2",
        "line 4, column 'year': '20x5' is not a four-digit year",
    ]


def test_exposure_edge_gap_stays_unknown(tmp_path):
    text = "year,exchanges_tracked,market_cap_usd,btc_price_usd\n2014,,1,1\n2015,5,1,1\n"
    exposure = load_exposure(write(tmp_path, text, "exposure.csv"))
    assert math.isnan(exposure.frame.loc[2014, "exchanges_tracked"])
    assert exposure.filled == ()


# -- selection and on-levelling ---------------------------------------------------------------
def test_selection_counts_every_exclusion(incidents, exposure):
    sel = select_losses(incidents, exposure, threshold=1e6, on_level=OnLevel("none"))
    assert sel.n == 4
    assert dict(sel.excluded) == {
        "with unknown loss amount": 1,
        "at or below the reporting threshold of USD 1,000,000": 1,
    }
    assert sel.n + sum(c for _, c in sel.excluded) == len(incidents)


def test_selection_filters_years_and_vectors(incidents, exposure):
    sel = select_losses(
        incidents,
        exposure,
        threshold=0,
        on_level=OnLevel("none"),
        years=(2015, 2020),
        attack_vectors=["hot_wallet_key_compromise"],
    )
    assert sorted(sel.frame["exchange"]) == ["Binance", "Coincheck"]
    assert sel.n + sum(c for _, c in sel.excluded) == len(incidents)
    with pytest.raises(ValueError, match="unknown value"):
        select_losses(incidents, exposure, attack_vectors=["phishing"])


def test_on_level_factor_is_index_ratio(incidents, exposure):
    sel = select_losses(incidents, exposure, threshold=0, on_level=OnLevel("market_cap", 2020))
    row = sel.frame.set_index("exchange").loc["Coincheck"]
    assert row["factor"] == pytest.approx(760e9 / 130e9)
    assert row["loss_onlevel"] == pytest.approx(534e6 * 760e9 / 130e9)
    per_exchange = OnLevel("market_cap_per_exchange", 2020).factors([2017], exposure)
    assert per_exchange[0] == pytest.approx((760e9 / 400) / (600e9 / 250))


def test_on_level_none_keeps_amounts(incidents, exposure):
    sel = select_losses(incidents, exposure, threshold=0, on_level=OnLevel("none"))
    assert np.allclose(sel.frame["loss_onlevel"], sel.frame["loss_usd"])


def test_on_level_outside_exposure_years_raises(incidents, exposure):
    with pytest.raises(ValueError, match="no exposure figure for year"):
        select_losses(incidents, exposure, on_level=OnLevel("market_cap", 2030))
    with pytest.raises(ValueError, match="not one of"):
        OnLevel("gdp")


def test_years_without_exposure_are_left_out_and_listed(incidents, tmp_path):
    exposure = load_exposure(
        write(tmp_path, EXPOSURE.replace("2014,100,", "2014,,"), "exposure.csv")
    )
    sel = select_losses(incidents, exposure, threshold=1e6, on_level=OnLevel("none"))
    # On the exchange-count base (the market-cap base has 2014 and 2015).
    counts = yearly_counts(sel, exposure, "exchanges")
    assert counts["year"].tolist() == list(range(2016, 2021))
    assert years_without_exposure(sel, exposure, "exchanges") == [2014, 2015]  # edge gap now
    assert years_without_exposure(sel, exposure) == []


def test_yearly_counts_include_zero_years(incidents, exposure):
    sel = select_losses(incidents, exposure, threshold=1e6, on_level=OnLevel("none"))
    counts = yearly_counts(sel, exposure, "exchanges")
    assert counts["year"].tolist() == list(range(2014, 2021))
    assert counts["n_incidents"].tolist() == [1, 0, 1, 0, 1, 1, 0]
    assert counts["exposure"].iloc[0] == 100


def test_market_cap_exposure_is_in_exchange_equivalents_of_the_anchor_year(incidents, exposure):
    # Anchor = 2020, the last year with both figures: 400 exchanges holding 760bn.
    series, text = exposure_base(exposure, "market_cap")
    assert series[2020] == pytest.approx(400)
    assert series[2014] == pytest.approx(400 * 5e9 / 760e9)
    assert "exchange-equivalents of 2020" in text
    sel = select_losses(incidents, exposure, threshold=1e6, on_level=OnLevel("none"))
    counts = yearly_counts(sel, exposure)  # the default base
    assert counts["exposure"].tolist() == pytest.approx(series.tolist())
    with pytest.raises(ValueError, match="not one of"):
        exposure_base(exposure, "gdp")


def test_market_cap_base_needs_an_anchor_year(tmp_path):
    text = "year,exchanges_tracked,market_cap_usd,btc_price_usd\n2014,,5e9,1\n2015,3,,1\n"
    exposure = load_exposure(write(tmp_path, text, "exposure.csv"))
    with pytest.raises(ValueError, match="needs one year with both"):
        exposure_base(exposure, "market_cap")


def test_platform_type_filter_counts_the_exclusions(incidents, exposure):
    sel = select_losses(
        incidents, exposure, threshold=0, on_level=OnLevel("none"), platform_types=["exchange"]
    )
    assert "Small" not in set(sel.frame["exchange"])
    assert dict(sel.excluded)["on a platform type not selected"] == 1
    assert sel.n + sum(c for _, c in sel.excluded) == len(incidents)
    with pytest.raises(ValueError, match="platform_types"):
        select_losses(incidents, exposure, platform_types=["bank"])


def test_legacy_provider_column_is_read_as_signing_provider(tmp_path):
    text = (
        "date,exchange,loss_usd,attack_vector,third_party_provider,source\n"
        "2016-08-02,Bitfinex,72000000,third_party_provider,BitGo,src\n"
    )
    data = load_incidents(write(tmp_path, text))
    row = data.frame.iloc[0]
    assert row["signing_provider"] == "BitGo" and row["third_party_provider"] == "BitGo"
    assert row["infrastructure_provider"] == ""
    assert any("read as 'signing_provider'" in note for note in data.notes)


def test_provider_columns_and_derived_provider(incidents, tmp_path):
    frame = incidents.frame.set_index("exchange")
    assert frame.loc["Bitfinex", "signing_provider"] == "BitGo"
    assert frame.loc["Bitfinex", "third_party_provider"] == "BitGo"
    row = GOOD_ROWS[3].replace("BitGo,,", ",Linode,")
    data = load_incidents(write(tmp_path, "\n".join([HEADER, row])))
    assert data.frame.loc[0, "infrastructure_provider"] == "Linode"
    assert data.frame.loc[0, "third_party_provider"] == "Linode"


def test_second_source_repeating_source_is_reported(tmp_path):
    row = GOOD_ROWS[2].replace("press,,", "press,https://example.org/c,")
    messages = problems_of(write(tmp_path, "\n".join([HEADER, row])))
    assert messages == ["line 2, column 'second_source': repeats 'source'; give another one"]


# -- the shipped files ----------------------------------------------------------------------
def test_shipped_incidents_are_valid_and_sourced():
    data = load_incidents()
    frame = data.frame
    assert len(frame) >= 90
    assert frame["source"].str.len().gt(0).all()
    assert set(frame["attack_vector"]) <= set(ATTACK_VECTORS)
    assert frame["year"].between(2011, 2025).all()
    assert data.notes == ()
    # The large, well-documented thefts must be present.
    for name in ["Mt. Gox", "Coincheck", "Bybit", "DMM Bitcoin", "Bitfinex", "KuCoin", "WazirX"]:
        assert frame["exchange"].str.contains(name, regex=False).any(), name


def test_shipped_exposure_covers_the_incident_years():
    exposure = load_exposure()
    first, last = load_incidents().years
    assert exposure.years[0] <= first and exposure.years[1] >= last
    assert shipped_path("exposure.csv").is_file()
