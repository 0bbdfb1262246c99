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
    load_exposure,
    load_incidents,
    select_losses,
    shipped_path,
    yearly_counts,
    years_without_exposure,
)
from pricing.exceptions import DataValidationError

HEADER = ",".join(INCIDENT_COLUMNS)
GOOD_ROWS = [
    "2014-02-07,Mt. Gox,JP,450000000,850000 BTC,hot_wallet_key_compromise,,hot,partial,bankrupt,"
    "https://example.org/a,note",
    "2018-01-26,Coincheck,JP,534000000,523000000 XEM,hot_wallet_key_compromise,,hot,full,"
    "acquired,https://example.org/b,",
    "2019-05-07,Binance,MT,40000000,7000 BTC,hot_wallet_key_compromise,,hot,full,continued,"
    "https://example.org/c,",
    "2016-08-02,Bitfinex,HK,72000000,119756 BTC,third_party_provider,BitGo,hot,full,continued,"
    "https://example.org/d,",
    "2020-01-01,Tiny,US,,,unknown,,unknown,unknown,,https://example.org/e,amount unknown",
    "2020-06-01,Small,US,500000,,insider,,unknown,unknown,closed,https://example.org/f,",
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
        "2014-13-07,Mt. Gox,JP,450000000,,hot_wallet_key_compromise,,hot,partial,bankrupt,src,",
        "07/02/2014,X,JP,1e6,,hot_wallet_key_compromise,,hot,partial,bankrupt,src,",
        "2018-01-26,Coincheck,JP,-5,,hot_wallet_key_compromise,,hot,full,acquired,src,",
        "2018-01-27,Y,JP,$5m,,hot_wallet_key_compromise,,hot,full,acquired,src,",
        "2018-01-28,Z,JPN,5e6,,phishing,,lukewarm,maybe,vanished,,",
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
    ]
    for where, what in expected:
        assert any(m.startswith(where) and what in m for m in messages), (where, messages)
    assert len(messages) == len(expected)


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
    assert messages == ["line 2: has 13 fields but the header has 12 (an unquoted comma?)"]


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
    assert yearly_counts(sel, exposure)["year"].tolist() == list(range(2016, 2021))
    assert years_without_exposure(sel, exposure) == [2014, 2015]  # 2015 is an edge gap now


def test_yearly_counts_include_zero_years(incidents, exposure):
    sel = select_losses(incidents, exposure, threshold=1e6, on_level=OnLevel("none"))
    counts = yearly_counts(sel, exposure)
    assert counts["year"].tolist() == list(range(2014, 2021))
    assert counts["n_incidents"].tolist() == [1, 0, 1, 0, 1, 1, 0]
    assert counts["exposure"].iloc[0] == 100


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
