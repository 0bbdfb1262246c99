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
