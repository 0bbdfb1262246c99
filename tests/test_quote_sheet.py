"""The quote sheet an underwriter sends: reference, validity, formats, safe cells, clean PDF."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import shutil

import openpyxl
import pandas as pd
import pytest

from pricing.aggregate import Poisson
from pricing.coverage import Layer, Tower, quote_tower
from pricing.distributions import Lomax
from pricing.export import (
    PCT_FORMAT,
    USD_FORMAT,
    QuoteTerms,
    escape_formula,
    quote_sheet_csv,
    quote_sheet_pdf,
    quote_sheet_xlsx,
)
from pricing.pdfdoc import CJK_FONTS, is_number_text
from pricing.profiles import PRESETS

pypdf = pytest.importorskip("pypdf")
PROFILE = PRESETS["small"]
TOWER = Tower((Layer(1e6, 5e6, reinstatements=1), Layer(6e6, 20e6, share=0.5)))
QUOTE = quote_tower(Poisson(0.3), Lomax(1.5, 2e6), TOWER)
TERMS = QuoteTerms.from_text(
    subjectivities='=HYPERLINK("http://x")\nSOC 2 report within 12 months',
    exclusions="+insider collusion\n@social engineering\x07",
    issued=dt.date(2026, 3, 1),
    validity_days=45,
    insured="株式会社テスト取引所",
)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_reference_and_validity_are_stable_and_dated():
    ref = TERMS.quote_reference(QUOTE, PROFILE)
    assert re.fullmatch(r"VC-20260301-[0-9A-F]{6}", ref)
    assert ref == TERMS.quote_reference(QUOTE, PROFILE)
    assert TERMS.valid_until() == dt.date(2026, 4, 15)
    assert QuoteTerms(reference="Q-1").quote_reference(QUOTE, PROFILE) == "Q-1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("bell\x07 and \x00nul", "bell and nul"),
        (3.5, 3.5),
    ],
)
def test_formula_escaping(text, expected):
    assert escape_formula(text) == expected


def test_csv_escapes_user_text_and_carries_reference_and_validity():
    profile = PROFILE
    frame = pd.read_csv(io.BytesIO(quote_sheet_csv(QUOTE, profile, terms=TERMS)))
    assert set(frame["reference"]) == {TERMS.quote_reference(QUOTE, profile)}
    assert set(frame["valid_until"]) == {"2026-04-15"}
    assert set(frame["profile"]) == {"株式会社テスト取引所"}
    evil = QuoteTerms(insured="=cmd|' /C calc'!A0")
    frame = pd.read_csv(io.BytesIO(quote_sheet_csv(QUOTE, profile, terms=evil)))
    assert set(frame["profile"]) == {"'=cmd|' /C calc'!A0"}


def test_xlsx_numbers_are_numbers_with_formats_and_frozen_headers():
    book = openpyxl.load_workbook(io.BytesIO(quote_sheet_xlsx(QUOTE, PROFILE, terms=TERMS)))
    layers = book["Layers"]
    header = [c.value for c in layers[1]]
    assert layers.freeze_panes == "A2"
    assert all(c.font.bold for c in layers[1])
    row = {h: layers.cell(2, j + 1) for j, h in enumerate(header)}
    assert isinstance(row["premium_usd"].value, float)
    assert row["premium_usd"].number_format == USD_FORMAT
    assert row["premium_usd"].value == pytest.approx(QUOTE.quotes[0].premium)
    assert row["share"].number_format == PCT_FORMAT and row["share"].value == 1.0
    assert row["rate_on_line"].number_format == PCT_FORMAT
    assert layers.column_dimensions["A"].width >= len("profile")
    quote = {r[0].value: r[1] for r in book["Quote"].iter_rows(min_row=2)}
    assert quote["Valid until"].value == "2026-04-15"
    assert quote["Total premium (USD per year)"].number_format == USD_FORMAT
    conditions = [(r[0].value, r[1].value) for r in book["Conditions"].iter_rows(min_row=2)]
    assert ("subjectivity", '\'=HYPERLINK("http://x")') in conditions
    assert ("exclusion", "'+insider collusion") in conditions
    assert ("exclusion", "'@social engineering") in conditions  # the bell character dropped
    for sheet in book.worksheets:
        for r in sheet.iter_rows():
            for cell in r:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                assert cell.value != "None"


def test_pdf_has_the_terms_no_none_no_split_words_and_renders_japanese():
    data = quote_sheet_pdf(QUOTE, PROFILE, terms=TERMS, chart=False)
    text = pdf_text(data)
    flat = re.sub(r"[\s\x00]+", "", text)  # pypdf spaces out CJK glyphs
    for needed in (
        TERMS.quote_reference(QUOTE, PROFILE),
        "2026-04-15",
        "Subjectivities",
        "Mainexclusions",
        "SOC2reportwithin12months",
        "Premiumbyprinciple",
        "(chosen)",
    ):
        assert needed.replace(" ", "") in flat, needed
    if any(__import__("pathlib").Path(f).is_file() for f in CJK_FONTS):
        assert "株式会社テスト取引所" in flat
    assert "None" not in text
    words = set(re.findall(r"[A-Za-z]{4,}", text))
    for header in (
        "Reinstatements",
        "Retention",
        "Premium",
        "Standard",
        "deviation",
        "attaching",
        "exhausting",
        "Principle",
    ):
        assert header in words, f"{header} split or missing"


def test_numbers_are_recognised_for_right_alignment():
    for text in ("USD 1,234", "12.5%", "USD 3.20 m", "0.0042", "-5", "1,000"):
        assert is_number_text(text), text
    for text in ("Layer 1", "unlimited", "cost of capital", ""):
        assert not is_number_text(text), text


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="kaleido needs Debian's chromium")
def test_pdf_draws_the_tower_diagram():
    with_chart = quote_sheet_pdf(QUOTE, PROFILE, terms=TERMS)
    without = quote_sheet_pdf(QUOTE, PROFILE, terms=TERMS, chart=False)
    reader = pypdf.PdfReader(io.BytesIO(with_chart))
    images = [img for page in reader.pages for img in page.images]
    assert images, "the tower diagram is embedded as an image"
    assert len(with_chart) > len(without) + 10_000
    assert math.isfinite(QUOTE.total_premium)


# --------------------------------------------------------------------------------------------
# Market pricing, placeability and ranges in every format; Japanese and yen
# --------------------------------------------------------------------------------------------
def market_quote():
    """A first-dollar layer (not placeable: the market's minimum retention) under a placeable
    excess layer, priced at market with a 90% range on the placeable one."""
    import dataclasses

    from pricing.coverage import TowerQuote
    from pricing.market import DEFAULT_TERMS

    tower = Tower((Layer(0.0, 5e6, name="Layer 1"), Layer(5e6, 20e6, name="Layer 2")))
    quote = quote_tower(
        Poisson(0.3), Lomax(1.5, 2e6), tower, market=DEFAULT_TERMS, covers=["hot", "cold"]
    )
    low, top = quote.quotes
    top = dataclasses.replace(top, premium_interval=(0.8 * top.premium, 1.3 * top.premium))
    return TowerQuote((low, top))


MARKET = market_quote()


def test_market_quote_fixture_has_one_unplaceable_and_one_market_layer():
    low, top = MARKET.quotes
    assert not low.placeable and low.market.reason == "retention"
    assert top.placeable and top.basis == "market"
    # the market premium is at least the technical premium (the insurer's floor) and the
    # cover type's minimum rate on line
    assert top.premium >= top.technical_premium * (1 - 1e-12)
    assert top.rate_on_line >= top.market.minimum_rate_on_line * (1 - 1e-12)


def test_csv_carries_technical_and_market_premium_placeable_and_the_range():
    frame = pd.read_csv(io.BytesIO(quote_sheet_csv(MARKET, PROFILE, terms=TERMS)))
    top = MARKET.quotes[1]
    assert frame["placeable"].tolist() == [False, True]
    assert "minimum" in frame["not_placeable_reason"].iloc[0]
    assert math.isnan(frame["premium_usd"].iloc[0]), "no price for an unplaceable layer"
    assert math.isnan(frame["market_premium_usd"].iloc[0])
    row = frame.iloc[1]
    assert row["technical_premium_usd"] == pytest.approx(top.technical_premium, rel=1e-12)
    assert row["market_premium_usd"] == pytest.approx(top.market.premium, rel=1e-12)
    assert row["premium_usd"] == pytest.approx(top.market.premium, rel=1e-12)
    assert row["premium_low_usd"] == pytest.approx(0.8 * top.premium, rel=1e-12)
    assert row["premium_high_usd"] == pytest.approx(1.3 * top.premium, rel=1e-12)
    assert row["basis"] == "market" and row["cover_type"] == "cold"
    assert row["minimum_rate_on_line"] == pytest.approx(top.market.minimum_rate_on_line)


def test_csv_in_yen_is_the_usd_csv_times_the_dated_rate():
    from pricing.regulation.fx import DEFAULT_FX

    usd = pd.read_csv(io.BytesIO(quote_sheet_csv(MARKET, PROFILE, terms=TERMS)))
    jpy = pd.read_csv(io.BytesIO(quote_sheet_csv(MARKET, PROFILE, terms=TERMS, currency="JPY")))
    rate = DEFAULT_FX.rate("JPY")
    assert "premium_usd" not in jpy.columns
    for column in ("technical_premium", "expected_loss", "retention", "premium_high"):
        pd.testing.assert_series_equal(
            jpy[f"{column}_jpy"], usd[f"{column}_usd"] * rate, check_names=False, rtol=1e-12
        )
    assert jpy["share"].tolist() == usd["share"].tolist(), "shares are not amounts"


def test_xlsx_in_japanese_and_yen_has_japanese_headers_and_yen_formats():
    from pricing.regulation.fx import DEFAULT_FX

    data = quote_sheet_xlsx(MARKET, PROFILE, terms=TERMS, lang="ja", currency="JPY")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "見積",
        "レイヤー",
        "算出原則別保険料",
        "引受条件・免責事由",
        "前提条件",
        "入力",
    ]
    layers = book.worksheets[1]
    header = [c.value for c in layers[1]]
    assert "市場保険料 (JPY)" in header and "技術的保険料 (JPY)" in header, header
    assert "引受可能" in header and "料率" in header
    cell = {h: layers.cell(3, j + 1) for j, h in enumerate(header)}
    top = MARKET.quotes[1]
    assert cell["市場保険料 (JPY)"].value == pytest.approx(
        top.market.premium * DEFAULT_FX.rate("JPY"), rel=1e-12
    )
    assert cell["市場保険料 (JPY)"].number_format == '#,##0"円"'
    assert cell["最低料率"].number_format == PCT_FORMAT
    assert cell["保険料の基準"].value == "市場保険料"
    unplaced = {h: layers.cell(2, j + 1).value for j, h in enumerate(header)}
    assert unplaced[
        "引受不可の理由"
    ] == "免責額 0円 が市場の最低免責額 {:,.0f}円 を下回ります".format(1e6 * DEFAULT_FX.rate("JPY"))
    summary = {r[0].value: r[1] for r in book.worksheets[0].iter_rows(min_row=2)}
    assert summary["見積有効期限"].value == "2026-04-15"
    total = summary["保険料合計 (JPY 年間)"]
    assert total.value == pytest.approx(top.premium * DEFAULT_FX.rate("JPY"), rel=1e-12)
    assert total.number_format == '#,##0"円"'
    for sheet in book.worksheets:
        for r in sheet.iter_rows():
            for c in r:
                assert c.data_type != "f"


def test_pdf_shows_technical_beside_market_placeable_and_the_range():
    text = pdf_text(quote_sheet_pdf(MARKET, PROFILE, terms=TERMS, chart=False))
    flat = re.sub(r"[\s\x00]+", " ", text)
    top = MARKET.quotes[1]
    for needed in ("Technical and market premium", "Market terms that applied", "not placeable"):
        assert needed in flat, needed
    assert f"USD {top.technical_premium:,.0f}" in flat
    assert f"USD {top.market.premium:,.0f}" in flat
    assert f"USD {0.8 * top.premium:,.0f} – USD {1.3 * top.premium:,.0f}" in flat
    assert "retention USD 0 below the market's minimum USD 1,000,000" in flat


def test_pdf_in_japanese_and_yen():
    from pricing.regulation.fx import DEFAULT_FX

    if not any(__import__("pathlib").Path(f).is_file() for f in CJK_FONTS):
        pytest.skip("no CJK font")
    data = quote_sheet_pdf(MARKET, PROFILE, terms=TERMS, chart=False, lang="ja", currency="JPY")
    flat = re.sub(r"[\s\x00]+", "", pdf_text(data))
    for heading in (
        "見積書",
        "技術的保険料と市場保険料",
        "引受条件",
        "主な免責事由",
        "見積有効期限",
    ):
        assert heading in flat, heading
    top = MARKET.quotes[1]
    assert f"{top.market.premium * DEFAULT_FX.rate('JPY'):,.0f}円" in flat
    assert "引受不可" in flat and "市場の最低免責額" in flat
    assert not re.search(r"USD[\d,.]", flat.split("前提条件")[0])
