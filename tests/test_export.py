"""Quote sheets: CSV, XLSX and PDF exports of a tower quote carry the numbers and their basis."""

from __future__ import annotations

import datetime as dt
import io
import math

import openpyxl
import pandas as pd
import pytest

from pricing.aggregate import Poisson
from pricing.calibration import CalibrationSpec, calibrate
from pricing.coverage import Layer, Tower, quote_tower
from pricing.distributions import Lomax
from pricing.export import (
    assumptions_table,
    layer_terms_table,
    principles_table,
    quote_sheet_csv,
    quote_sheet_pdf,
    quote_sheet_xlsx,
    quote_table,
)
from pricing.lossmodel import build_loss_model
from pricing.premium import LoadingAssumptions
from pricing.profiles import FIELDS, PRESETS, PROVIDER_FIELDS, ExchangeProfile, profile_table

PROFILE = PRESETS["small"]
ISSUED = dt.date(2025, 6, 30)
TOWER = Tower(
    (
        Layer(1e6, 5e6, reinstatements=1, name="primary"),
        Layer(6e6, 20e6, share=0.5, name="excess"),
        Layer(26e6, 40e6, share=0.25, reinstatements=0, name="top"),
    )
)


@pytest.fixture(scope="module")
def model():
    return build_loss_model(PROFILE, calibrate(CalibrationSpec()))


@pytest.fixture(scope="module")
def quote(model):
    return quote_tower(
        model.frequency,
        model.severity,
        TOWER,
        LoadingAssumptions(),
        market_rates_on_line=[None, None, 0.01],
    )


def test_csv_parses_back_with_one_row_per_layer(quote):
    data = quote_sheet_csv(quote, PROFILE, issued=ISSUED)
    frame = pd.read_csv(io.BytesIO(data))
    assert len(frame) == len(TOWER.layers)
    assert list(frame["layer"]) == ["primary", "excess", "top"]
    assert set(frame["issued"]) == {"2025-06-30"}
    assert set(frame["profile"]) == {PROFILE.name}
    assert frame["retention_usd"].tolist() == [1e6, 6e6, 26e6]
    assert frame["share"].tolist() == [1.0, 0.5, 0.25]
    assert frame["reinstatements"].isna().tolist() == [False, True, False]
    for q, row in zip(quote.quotes, frame.itertuples(), strict=True):
        assert row.expected_loss_usd == pytest.approx(q.expected_loss, rel=1e-12)
        assert row.premium_usd == pytest.approx(q.premium, rel=1e-12)
        assert row.rate_on_line == pytest.approx(q.rate_on_line, rel=1e-12)
        assert row.loss_ratio == pytest.approx(q.expected_loss / q.premium, rel=1e-12)
        assert row.premium_cost_of_capital_usd == pytest.approx(
            q.premiums["cost_of_capital"].gross_premium
        )
    assert frame["basis"].tolist() == ["cost_of_capital", "cost_of_capital", "market rate on line"]
    assert frame["premium_usd"].iloc[2] == pytest.approx(0.01 * 0.25 * 40e6)


def test_quote_table_matches_the_tower_table(quote):
    ours = quote_table(quote, PROFILE)
    theirs = quote.table()
    pd.testing.assert_series_equal(
        ours["expected_loss_usd"], theirs["expected_loss"], check_names=False
    )
    pd.testing.assert_series_equal(ours["premium_usd"], theirs["premium"], check_names=False)


def test_xlsx_has_the_named_sheets_and_the_numbers(quote, model):
    data = quote_sheet_xlsx(
        quote, PROFILE, model, calibration="threshold USD 1m", source="shipped", issued=ISSUED
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert {"Quote", "Layers", "Conditions", "Assumptions", "Inputs"} <= set(book.sheetnames)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert len(sheets["Layers"]) == len(TOWER.layers)
    assert sheets["Layers"]["expected_loss_usd"].tolist() == pytest.approx(
        [q.expected_loss for q in quote.quotes]
    )
    assumptions = sheets["Assumptions"]
    assert {"premium", "loss model", "calibration", "data"} <= set(assumptions["section"])
    assert "Exchange rate λ" in set(assumptions["assumption"])
    assert "2025-06-30" in set(assumptions["value"])
    inputs = sheets["Inputs"]
    assert set(inputs["field"].dropna()) >= {f.name for f in FIELDS}
    assert len(sheets["Principles"]) == 4 * len(TOWER.layers)


def test_pdf_is_a_non_trivial_pdf(quote, model):
    data = quote_sheet_pdf(
        quote,
        PROFILE,
        model,
        calibration="threshold USD 1m",
        source="shipped",
        issued=ISSUED,
        chart=False,
    )
    assert data.startswith(b"%PDF")
    assert len(data) > 5_000
    assert data.rstrip().endswith(b"%%EOF")


def test_pdf_without_a_unicode_font_spells_out_greek_letters(quote, model):
    """Core fonts are Latin-1 only: λ, γ, − must not raise."""
    data = quote_sheet_pdf(quote, PROFILE, model, body_fonts=(), issued=ISSUED, chart=False)
    assert data.startswith(b"%PDF") and len(data) > 3_000


def test_exports_work_without_a_loss_model_and_for_an_unlimited_layer():
    """Only the quote is needed; an unlimited top layer has no rate on line (empty)."""
    tower = Tower((Layer(0.0, 1e6), Layer(1e6, math.inf, name="unlimited")))
    quote = quote_tower(Poisson(0.5), Lomax(2.0, 1e6), tower)
    frame = pd.read_csv(io.BytesIO(quote_sheet_csv(quote, PROFILE)))
    assert frame["limit_usd"].isna().tolist() == [False, True]
    assert frame["rate_on_line"].isna().tolist() == [False, True]
    assert quote_sheet_pdf(quote, PROFILE, chart=False).startswith(b"%PDF")
    book = openpyxl.load_workbook(io.BytesIO(quote_sheet_xlsx(quote, PROFILE)))
    assert "Assumptions" in book.sheetnames


def test_assumptions_and_principles_tables(quote, model):
    table = assumptions_table(quote, model, calibration="c", source="s", issued=ISSUED)
    assert list(table.columns) == ["section", "assumption", "value", "unit", "basis"]
    assert table["value"].map(type).eq(str).all(), "text values: one Arrow/Excel type"
    principles = principles_table(quote)
    assert set(principles["principle"]) == {
        "expected_value",
        "std_dev",
        "wang",
        "cost_of_capital",
    }
    terms = layer_terms_table(quote)
    assert terms["limit_usd"].tolist() == [5e6, 20e6, 40e6]


def test_profile_fields_cover_every_profile_attribute():
    import dataclasses

    names = [f.name for f in FIELDS + PROVIDER_FIELDS]
    assert names == [f.name for f in dataclasses.fields(ExchangeProfile)]
    table = profile_table(PRESETS["large"])
    values = dict(zip(table["field"], table["value"], strict=True))
    assert values["customer_assets_usd"] == "20,000"
    assert values["hot_share"] == "2"
    assert values["third_party_provider"] == "no"
