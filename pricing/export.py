"""Quote sheets: an insurer's quote of a tower as CSV, XLSX and PDF (pure; no Streamlit).

Every sheet carries what the numbers rest on: the exchange profile (inputs), the layer terms,
the technical premium beside the market premium with the quote basis, whether the market
places each layer and why not, the premium's 90% range, the loadings and the loss-model
assumptions, the calibration choices, the data source and the date. The app's download buttons
and any script call the same functions.

This module writes CSV and XLSX; the tables and the quote's terms are in
:mod:`pricing.quote_data`, safe and formatted cells in :mod:`pricing.sheet_cells`, the PDF in
:mod:`pricing.quote_pdf` (all re-exported here).

Examples
--------
>>> from pricing.export import quote_sheet_csv  # doctest: +SKIP
>>> data = quote_sheet_csv(tower_quote, profile)  # bytes, one row per layer  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pandas as pd

from .coverage import TowerQuote
from .i18n import check_language, tr
from .lossmodel import ExchangeLossModel
from .profiles import ExchangeProfile, profile_table
from .quote_data import (
    HEADERS,
    PRINCIPLE_LABELS,
    QuoteTerms,
    assumptions_table,
    basis_text,
    in_currency,
    layer_terms_table,
    principles_table,
    quote_table,
)
from .quote_pdf import Money, not_placeable_reason, quote_sheet_pdf
from .sheet_cells import (
    PCT_FORMAT,
    PROB_FORMAT,
    USD_FORMAT,
    escape_formula,
    format_sheet,
    format_value,
    money_format,
    safe_frame,
)

__all__ = [
    "PCT_FORMAT",
    "PRINCIPLE_LABELS",
    "PROB_FORMAT",
    "USD_FORMAT",
    "QuoteTerms",
    "assumptions_table",
    "escape_formula",
    "format_value",
    "layer_terms_table",
    "principles_table",
    "quote_sheet_csv",
    "quote_sheet_pdf",
    "quote_sheet_xlsx",
    "quote_table",
]


def quote_sheet_csv(
    quote: TowerQuote,
    profile: ExchangeProfile,
    *,
    issued: dt.date | None = None,
    terms: QuoteTerms | None = None,
    currency: str = "USD",
    fx: Any = None,
) -> bytes:
    """The quote as CSV (UTF-8): :func:`quote_table` with reference, issue date and validity,
    one row per layer, amounts in ``currency`` (columns ``*_<currency>``); user text escaped
    against formula injection. Column names stay machine-readable in every language."""
    terms = (terms or QuoteTerms()).with_issued(issued)
    table = _reasons(quote_table(quote, profile), quote, "en", currency, fx)
    table = in_currency(table, currency, fx)
    table.insert(1, "issued", terms.date().isoformat())
    table.insert(1, "reference", terms.quote_reference(quote, profile))
    table.insert(3, "valid_until", terms.valid_until().isoformat())
    table["profile"] = terms.insured_name(profile)
    return safe_frame(table).to_csv(index=False).encode("utf-8")


def _reasons(
    table: pd.DataFrame, quote: TowerQuote, lang: str, currency: str, fx: Any
) -> pd.DataFrame:
    """``table`` with each reason not placeable in ``lang`` and amounts in ``currency``."""
    if lang == "en" and currency == "USD":
        return table
    money = Money(currency, lang, fx)
    reasons = [
        "" if q.placeable else not_placeable_reason(q, money, lambda x: tr(x, lang))
        for q in quote.quotes
    ]
    return table.assign(not_placeable_reason=reasons)


def _headers(lang: str, currency: str) -> dict[str, str] | None:
    """Shown header of each column key in ``lang`` (None: keep the keys, as in English)."""
    if lang == "en":
        return None
    suffix = f"_{currency.lower()}"
    out = {}
    for key, label in HEADERS.items():
        shown = tr(label, lang)
        if key.endswith("_usd"):
            out[key.removesuffix("_usd") + suffix] = f"{shown} ({currency})"
        else:
            out[key] = shown
    return out


def quote_sheet_xlsx(
    quote: TowerQuote,
    profile: ExchangeProfile,
    model: ExchangeLossModel | None = None,
    *,
    calibration: str = "",
    source: str = "",
    issued: dt.date | None = None,
    terms: QuoteTerms | None = None,
    lang: str = "en",
    currency: str = "USD",
    fx: Any = None,
) -> bytes:
    """The quote as an Excel workbook: sheets Quote (reference, validity, insured), Layers,
    Principles, Conditions (subjectivities, exclusions), Assumptions and Inputs.

    Numbers are stored as numbers with currency (``currency``), percentage and probability
    formats, the header row is bold and frozen, columns are sized to their text, and user
    text is escaped against formula injection. In English the column headers are the
    machine-readable keys (``premium_usd``); in another ``lang`` plain translated names.
    """
    check_language(lang)

    def t(text: str) -> str:
        return tr(text, lang)

    terms = (terms or QuoteTerms()).with_issued(issued)
    money = money_format(currency, lang)
    rate = 1.0
    if currency != "USD":
        from .regulation.fx import DEFAULT_FX

        rate = (fx or DEFAULT_FX).rate(currency)
    placed = [q for q in quote.quotes if q.placeable]
    unit = f"{currency} {t('per year')}"
    summary = pd.DataFrame(
        [
            (t("Quote reference"), terms.quote_reference(quote, profile)),
            (t("Insured"), terms.insured_name(profile)),
            (t("Issued"), terms.date().isoformat()),
            (t("Valid until"), terms.valid_until().isoformat()),
            (t("Cover"), t("Theft of customer crypto-assets; per-occurrence layers; one year")),
            (t("Premium basis"), t(basis_text(quote))),
            (f"{t('Total premium')} ({unit})", rate * float(sum(q.premium for q in placed))),
            (f"{t('Expected loss')} ({unit})", rate * float(quote.total_expected_loss)),
            (t("Layers not placeable"), len(quote.quotes) - len(placed)),
        ],
        columns=["item", "value"],
    )
    conditions = pd.DataFrame(
        [(t("subjectivity"), x) for x in terms.subjectivities]
        + [(t("exclusion"), x) for x in terms.exclusions],
        columns=["kind", "text"],
    )
    layers = quote_table(quote, profile).assign(profile=terms.insured_name(profile))
    layers = _reasons(layers, quote, lang, currency, fx)
    if lang != "en":
        for column in ("basis", "cover_type", "market_term"):
            layers[column] = layers[column].map(lambda v: t(v) if isinstance(v, str) else v)
    principles = principles_table(quote)
    assumptions = assumptions_table(
        quote, model, calibration=calibration, source=source, issued=terms.date()
    )
    inputs = profile_table(profile)
    if lang != "en":
        principles["principle"] = principles["principle"].map(
            lambda p: t(PRINCIPLE_LABELS.get(p, p))
        )
        for column in ("section", "assumption", "unit", "basis"):
            assumptions[column] = assumptions[column].map(t)
        for column in ("label", "unit"):
            if column in inputs:
                inputs[column] = inputs[column].map(t)
    sheets = {
        "Quote": summary,
        "Layers": in_currency(layers, currency, fx),
        "Principles": in_currency(principles, currency, fx),
        "Conditions": conditions,
        "Assumptions": assumptions,
        "Inputs": inputs,
    }
    headers = _headers(lang, currency)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe_frame(frame).to_excel(writer, sheet_name=name, index=False)
        start = len(sheets["Inputs"]) + 2
        terms_frame = in_currency(layer_terms_table(quote), currency, fx)
        safe_frame(terms_frame).to_excel(writer, sheet_name="Inputs", index=False, startrow=start)
        for sheet in writer.book.worksheets:
            format_sheet(sheet, money, headers)
        format_sheet(writer.book["Inputs"], money, headers, header_row=start + 1)
        summary_sheet = writer.book["Quote"]
        for row in summary_sheet.iter_rows(min_row=2):
            if isinstance(row[1].value, float):
                row[1].number_format = money
        if lang != "en":
            for sheet in writer.book.worksheets:
                sheet.title = t(f"sheet: {sheet.title}")
    return buffer.getvalue()
