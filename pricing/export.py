"""Quote sheets: an insurer's quote of a tower as CSV, XLSX and PDF (pure; no Streamlit).

Every sheet carries what the numbers rest on: the exchange profile (inputs), the layer terms,
the loadings and the loss-model assumptions, the calibration choices, the data source and the
date. The app's download buttons and any script call the same functions.

Examples
--------
>>> from pricing.export import quote_sheet_csv  # doctest: +SKIP
>>> data = quote_sheet_csv(tower_quote, profile)  # bytes, one row per layer  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .coverage import TowerQuote
from .lossmodel import ExchangeLossModel
from .premium import LoadingAssumptions
from .profiles import ExchangeProfile, profile_table

__all__ = [
    "PRINCIPLE_LABELS",
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

PRINCIPLE_LABELS = {
    "expected_value": "expected value",
    "std_dev": "standard deviation",
    "wang": "Wang transform",
    "cost_of_capital": "cost of capital",
}


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------
def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def quote_table(quote: TowerQuote, profile: ExchangeProfile) -> pd.DataFrame:
    """One row per layer: terms, expected loss, premiums, rate on line and loss ratio.

    Amounts are USD per year; ``share``, ``rate_on_line``, ``loss_ratio`` and the probabilities
    are fractions. ``reinstatements`` is empty for unlimited reinstatements; ``limit_usd`` is
    empty for an unlimited layer. ``premium_<principle>_usd`` is the technical premium by each
    principle; ``premium_usd`` the one quoted (by ``basis``).
    """
    rows = []
    for q in quote.quotes:
        lay, loss = q.layer, q.loss
        row: dict[str, Any] = {
            "profile": profile.name,
            "layer": lay.label,
            "retention_usd": lay.retention,
            "limit_usd": _finite_or_none(lay.limit),
            "share": lay.share,
            "reinstatements": lay.reinstatements,
            "reinstatement_rate": lay.reinstatement_rate,
            "agg_retention_usd": lay.agg_retention,
            "annual_limit_usd": _finite_or_none(lay.annual_limit * lay.share),
            "expected_loss_usd": q.expected_loss,
            "std_usd": loss.std,
            "p_attach": loss.p_attach,
            "p_exhaust": loss.p_exhaust_occurrence,
            "basis": "market rate on line" if q.market_rate_on_line else q.principle,
            "market_rate_on_line": q.market_rate_on_line,
            "premium_usd": q.premium,
            "upfront_premium_usd": q.upfront_premium,
            "expected_reinstatement_premium_usd": q.expected_reinstatement_premium,
            "rate_on_line": _finite_or_none(q.rate_on_line),
            "loss_ratio": _finite_or_none(q.loss_ratio),
        }
        for name, tp in q.premiums.items():
            row[f"premium_{name}_usd"] = tp.gross_premium
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["reinstatements"] = frame["reinstatements"].astype("Int64")
    return frame


def layer_terms_table(quote: TowerQuote) -> pd.DataFrame:
    """The layer terms as entered, bottom up (USD; share as a fraction; empty = unlimited)."""
    rows = [
        {
            "layer": q.layer.label,
            "retention_usd": q.layer.retention,
            "limit_usd": _finite_or_none(q.layer.limit),
            "share": q.layer.share,
            "agg_retention_usd": q.layer.agg_retention,
            "agg_limit_usd": _finite_or_none(q.layer.agg_limit),
            "reinstatements": q.layer.reinstatements,
            "reinstatement_rate": q.layer.reinstatement_rate,
            "market_rate_on_line": q.market_rate_on_line,
        }
        for q in quote.quotes
    ]
    frame = pd.DataFrame(rows)
    frame["reinstatements"] = frame["reinstatements"].astype("Int64")
    return frame


def principles_table(quote: TowerQuote) -> pd.DataFrame:
    """Premium by principle for every layer (:meth:`LayerQuote.table` stacked)."""
    parts = []
    for q in quote.quotes:
        table = q.table()
        table.insert(0, "layer", q.layer.label)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def _loading_rows(loadings: LoadingAssumptions, principle: str) -> list[tuple[Any, ...]]:
    section = "premium"
    return [
        (section, "Premium principle", PRINCIPLE_LABELS.get(principle, principle), "", "chosen"),
        (
            section,
            "Expected-value loading θ",
            loadings.theta,
            "share of E[L]",
            "risk premium (1 + θ) E[L]",
        ),
        (section, "Standard-deviation multiple κ", loadings.kappa, "×", "E[L] + κ σ[L]"),
        (section, "Wang shift λ", loadings.wang_lambda, "", "Wang (1996) transform"),
        (
            section,
            "Cost of capital",
            loadings.cost_of_capital,
            "per year",
            "E[L] + CoC × (VaR − E[L]); Solvency II uses 6%",
        ),
        (section, "Capital level", loadings.capital_level, "VaR level", "capital = VaR − E[L]"),
        (
            section,
            "Fixed expense",
            loadings.expense_fixed_usd,
            "USD per policy-year",
            "added to the risk premium",
        ),
        (
            section,
            "Expense ratio",
            loadings.expense_ratio,
            "share of premium",
            "premium = (risk premium + fixed expense) / (1 − expense ratio)",
        ),
        (
            section,
            "Minimum premium",
            loadings.minimum_premium_usd,
            "USD per layer-year",
            "floor on the premium",
        ),
    ]


def assumptions_table(
    quote: TowerQuote,
    model: ExchangeLossModel | None = None,
    *,
    calibration: str = "",
    source: str = "",
    issued: dt.date | None = None,
) -> pd.DataFrame:
    """Everything the quote rests on: loadings, loss-model assumptions, calibration, data.

    Columns ``section``, ``assumption``, ``value``, ``unit``, ``basis``.
    """
    first = quote.quotes[0]
    rows = _loading_rows(first.loadings, first.principle)
    if model is not None:
        rows += [
            ("loss model", r.assumption, r.value, r.unit, r.basis)
            for r in model.assumption_table().itertuples()
        ]
        rows.append(
            (
                "loss model",
                "Severity (one theft)",
                model.severity.describe(),
                "USD",
                "fitted law, scaled and capped",
            )
        )
        rows += [("loss model", "Note", note, "", "") for note in model.notes]
    if calibration:
        rows.append(("calibration", "Modelling choices", calibration, "", "Loss model page"))
    if source:
        rows.append(("data", "Data source", source, "", ""))
    rows.append(("data", "Issued", (issued or dt.date.today()).isoformat(), "date", ""))
    frame = pd.DataFrame(rows, columns=["section", "assumption", "value", "unit", "basis"])
    frame["value"] = frame["value"].map(format_value)
    return frame


def format_value(value: Any) -> str:
    """A table value as text: numbers to 6 significant digits (large ones in full)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


# --------------------------------------------------------------------------------------------
# Quote terms and safe cells
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class QuoteTerms:
    """What makes a priced tower a quote an underwriter sends.

    Attributes
    ----------
    issued : date of the quote.
    validity_days : days the quote stays open (valid until ``issued + validity_days``).
    insured : the insured's name (default: the profile's).
    reference : quote reference (default: derived from the date, insured and layers).
    subjectivities, exclusions : one condition per entry (editable text).
    """

    issued: dt.date | None = None
    validity_days: int = 30
    insured: str = ""
    reference: str = ""
    subjectivities: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()

    @classmethod
    def from_text(cls, subjectivities: str = "", exclusions: str = "", **kw: Any) -> QuoteTerms:
        """Terms with the two lists given as text, one entry per line."""
        return cls(
            subjectivities=tuple(x.strip() for x in subjectivities.splitlines() if x.strip()),
            exclusions=tuple(x.strip() for x in exclusions.splitlines() if x.strip()),
            **kw,
        )

    def date(self) -> dt.date:
        """Issue date (today unless given)."""
        return self.issued or dt.date.today()

    def valid_until(self) -> dt.date:
        """Last day the quote may be accepted."""
        return self.date() + dt.timedelta(days=self.validity_days)

    def insured_name(self, profile: ExchangeProfile) -> str:
        """The insured as printed."""
        return self.insured.strip() or profile.name

    def quote_reference(self, quote: TowerQuote, profile: ExchangeProfile) -> str:
        """The reference as printed: given, or ``VC-YYYYMMDD-XXXXXX`` from the terms."""
        if self.reference.strip():
            return self.reference.strip()
        key = "|".join(
            [self.insured_name(profile), self.date().isoformat()]
            + [f"{q.layer.retention:.0f}/{q.layer.limit}/{q.layer.share}" for q in quote.quotes]
        )
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:6].upper()
        return f"VC-{self.date():%Y%m%d}-{digest}"


#: Characters XML 1.0 (and so XLSX) cannot hold: control characters other than tab/LF/CR.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """User text safe for a spreadsheet: a leading = + - @ tab or CR (which a spreadsheet
    would run as a formula) gets a leading apostrophe; characters XML rejects are removed.
    Non-text values pass through."""
    if not isinstance(value, str):
        return value
    text = _ILLEGAL.sub("", value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(escape_formula)
    return out


# --------------------------------------------------------------------------------------------
# CSV and XLSX
# --------------------------------------------------------------------------------------------
def quote_sheet_csv(
    quote: TowerQuote,
    profile: ExchangeProfile,
    *,
    issued: dt.date | None = None,
    terms: QuoteTerms | None = None,
) -> bytes:
    """The quote as CSV (UTF-8): :func:`quote_table` with reference, issue date and validity,
    one row per layer; user text escaped against formula injection."""
    terms = terms or QuoteTerms(issued=issued)
    if issued is not None and terms.issued is None:
        terms = QuoteTerms(**{**_terms_dict(terms), "issued": issued})
    table = quote_table(quote, profile)
    table.insert(1, "issued", terms.date().isoformat())
    table.insert(1, "reference", terms.quote_reference(quote, profile))
    table.insert(3, "valid_until", terms.valid_until().isoformat())
    table["profile"] = terms.insured_name(profile)
    return _safe_frame(table).to_csv(index=False).encode("utf-8")


def _terms_dict(terms: QuoteTerms) -> dict[str, Any]:
    return {name: getattr(terms, name) for name in QuoteTerms.__slots__}


#: Number formats of the XLSX columns, by column name (amounts, shares, counts).
USD_FORMAT = '"USD" #,##0'
PCT_FORMAT = "0.00%"
PROB_FORMAT = "0.0000"
_PCT_COLUMNS = {
    "share",
    "rate_on_line",
    "loss_ratio",
    "market_rate_on_line",
    "reinstatement_rate",
    "theta",
    "cost_of_capital",
    "expense_ratio",
}
_PROB_COLUMNS = {"p_attach", "p_exhaust"}
_INT_COLUMNS = {"reinstatements", "version"}
_USD_NAMES = ("_usd", "premium", "expected_loss", "risk_premium")


def _format_sheet(sheet: Any) -> None:
    """Bold frozen header, number formats by column, widths from the text."""
    from openpyxl.styles import Font

    header = [c.value for c in sheet[1]]
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for j, name in enumerate(header, start=1):
        name = str(name or "")
        fmt = None
        if name in _PCT_COLUMNS:
            fmt = PCT_FORMAT
        elif name in _PROB_COLUMNS:
            fmt = PROB_FORMAT
        elif name in _INT_COLUMNS:
            fmt = "0"
        elif any(k in name for k in _USD_NAMES):
            fmt = USD_FORMAT
        width = len(name)
        for row in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
            cell = row[0]
            if fmt and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = fmt
                shown = len(f"{cell.value:,.0f}") + 6 if fmt == USD_FORMAT else 10
            else:
                shown = len(str(cell.value)) if cell.value is not None else 0
            width = max(width, shown)
        sheet.column_dimensions[sheet.cell(1, j).column_letter].width = min(max(width + 2, 9), 70)


def quote_sheet_xlsx(
    quote: TowerQuote,
    profile: ExchangeProfile,
    model: ExchangeLossModel | None = None,
    *,
    calibration: str = "",
    source: str = "",
    issued: dt.date | None = None,
    terms: QuoteTerms | None = None,
) -> bytes:
    """The quote as an Excel workbook: sheets Quote (reference, validity, insured), Layers,
    Principles, Conditions (subjectivities, exclusions), Assumptions and Inputs.

    Numbers are stored as numbers with currency, percentage and probability formats, the
    header row is bold and frozen, columns are sized to their text, and user text is escaped
    against formula injection."""
    terms = terms or QuoteTerms(issued=issued)
    buffer = io.BytesIO()
    summary = pd.DataFrame(
        [
            ("Quote reference", terms.quote_reference(quote, profile)),
            ("Insured", terms.insured_name(profile)),
            ("Issued", terms.date().isoformat()),
            ("Valid until", terms.valid_until().isoformat()),
            ("Cover", "Theft of customer crypto-assets, per-occurrence layers, one policy year"),
            ("Premium basis", _basis_text(quote)),
            ("Total premium (USD per year)", float(quote.total_premium)),
            ("Total expected loss (USD per year)", float(quote.total_expected_loss)),
        ],
        columns=["item", "value"],
    )
    conditions = pd.DataFrame(
        [("subjectivity", x) for x in terms.subjectivities]
        + [("exclusion", x) for x in terms.exclusions],
        columns=["kind", "text"],
    )
    sheets = {
        "Quote": summary,
        "Layers": quote_table(quote, profile).assign(profile=terms.insured_name(profile)),
        "Principles": principles_table(quote),
        "Conditions": conditions,
        "Assumptions": assumptions_table(
            quote, model, calibration=calibration, source=source, issued=terms.date()
        ),
        "Inputs": profile_table(profile),
    }
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            _safe_frame(frame).to_excel(writer, sheet_name=name, index=False)
        terms_frame = layer_terms_table(quote)
        start = len(sheets["Inputs"]) + 2
        _safe_frame(terms_frame).to_excel(writer, sheet_name="Inputs", index=False, startrow=start)
        for sheet in writer.book.worksheets:
            _format_sheet(sheet)
        summary_sheet = writer.book["Quote"]
        for row in summary_sheet.iter_rows(min_row=2):
            if isinstance(row[1].value, float):
                row[1].number_format = USD_FORMAT
    return buffer.getvalue()


def _basis_text(quote: TowerQuote) -> str:
    first = quote.quotes[0]
    bases = {q.basis for q in quote.quotes}
    principle = PRINCIPLE_LABELS.get(first.principle, first.principle)
    return f"{', '.join(sorted(bases))}; technical premium by the {principle} principle"


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------
def _usd(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "unlimited"
    return f"USD {x:,.0f}"


def _musd(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "unlimited"
    return f"USD {x / 1e6:,.2f} m"


def _pct(x: float | None, digits: int = 2) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{100 * x:.{digits}f}%"


def _prob(x: float) -> str:
    return f"{x:.4f}" if math.isfinite(x) else "n/a"


def quote_sheet_pdf(
    quote: TowerQuote,
    profile: ExchangeProfile,
    model: ExchangeLossModel | None = None,
    *,
    calibration: str = "",
    source: str = "",
    issued: dt.date | None = None,
    terms: QuoteTerms | None = None,
    chart: bool = True,
    **fonts: Any,
) -> bytes:
    """The quote sheet as a PDF (A4 portrait).

    Reference, date, validity and insured; the layers with premium, rate on line and loss
    ratio; the tower diagram (kaleido, when ``chart``); the premium by principle with the
    chosen basis; subjectivities and main exclusions; the exchange profile and every
    assumption. ``fonts`` passes ``body_fonts``/``cjk_fonts`` to :class:`pricing.pdfdoc.Document`.
    """
    from . import plots
    from .pdfdoc import Document, chart_png

    terms = terms or QuoteTerms(issued=issued)
    insured = terms.insured_name(profile)
    doc = Document(f"Quote sheet: {insured}", **fonts)
    doc.heading("Quote sheet: theft of customer crypto-assets", size=16)
    doc.table(
        ["", ""],
        [
            ["Quote reference", terms.quote_reference(quote, profile)],
            ["Insured", insured],
            ["Date", terms.date().isoformat()],
            ["Valid until", f"{terms.valid_until().isoformat()} ({terms.validity_days} days)"],
            ["Cover", "Theft of customer crypto-assets; per-occurrence layers; one policy year"],
            ["Premium basis", _basis_text(quote)],
            ["Total premium", f"{_usd(quote.total_premium)} per year"],
            ["Expected loss", f"{_usd(quote.total_expected_loss)} per year"],
        ],
        size=9,
        align=["L", "L"],
    )

    doc.heading("Layers")
    doc.table(
        [
            "Layer",
            "Retention",
            "Limit",
            "Share",
            "Reinstatements",
            "Premium",
            "Rate on line",
            "Loss ratio",
            "Basis",
        ],
        [
            [
                q.layer.label,
                _musd(q.layer.retention),
                _musd(q.layer.limit),
                _pct(q.layer.share, 0),
                "unlimited" if q.layer.reinstatements is None else str(q.layer.reinstatements),
                _usd(q.premium),
                _pct(q.rate_on_line),
                _pct(q.loss_ratio, 1),
                q.basis,
            ]
            for q in quote.quotes
        ],
    )
    doc.table(
        [
            "Layer",
            "Expected loss",
            "Standard deviation",
            "Chance of attaching",
            "Chance of exhausting",
        ],
        [
            [
                q.layer.label,
                _usd(q.expected_loss),
                _usd(q.loss.std),
                _prob(q.loss.p_attach),
                _prob(q.loss.p_exhaust_occurrence),
            ]
            for q in quote.quotes
        ],
    )
    if chart:
        png = chart_png(plots.tower_chart(quote), width=900, height=520)
        if png is not None:
            doc.image(png, width=doc.width * 0.8)
        else:
            doc.paragraph("(Tower diagram not rendered: kaleido with chromium is not available.)")

    doc.heading("Premium by principle (USD per year)")
    chosen = quote.quotes[0].principle
    doc.table(
        [
            "Layer",
            "Principle",
            "Risk premium",
            "Technical premium",
            "Rate on line",
            "Loss ratio",
            "Minimum applied",
        ],
        [
            [
                r.layer,
                PRINCIPLE_LABELS.get(r.principle, r.principle)
                + (" (chosen)" if r.principle == chosen else ""),
                _usd(r.risk_premium),
                _usd(r.gross_premium),
                _pct(r.rate_on_line),
                _pct(r.loss_ratio, 1),
                "yes" if r.minimum_applied else "no",
            ]
            for r in principles_table(quote).itertuples()
        ],
    )

    doc.heading("Subjectivities")
    doc.bullets(terms.subjectivities or ("None.",))
    doc.heading("Main exclusions")
    doc.bullets(terms.exclusions or ("None stated.",))

    doc.heading("Exchange profile")
    doc.table(
        ["Field", "Value", "Unit"],
        [[r.label, r.value, r.unit] for r in profile_table(profile).itertuples()],
        align=["L", "R", "L"],
    )
    doc.heading("Assumptions")
    assumptions = assumptions_table(
        quote, model, calibration=calibration, source=source, issued=terms.date()
    )
    doc.table(
        ["Section", "Assumption", "Value", "Unit", "Basis"],
        [[r.section, r.assumption, r.value, r.unit, r.basis] for r in assumptions.itertuples()],
        size=7,
        align=["L", "L", "R", "L", "L"],
    )
    doc.paragraph(
        "Expected loss: the layer's expected yearly payment (insurer's share). Premium = "
        "max(minimum, (risk premium + fixed expense) / (1 - expense ratio)). Rate on line = "
        "upfront premium / (share x limit). Loss ratio = expected loss / premium.",
        size=7,
    )
    doc.paragraph(
        f"Issued {terms.date().isoformat()} by Vaultcover. Indicative pricing from a public "
        "incident history and the stated assumptions; subject to the subjectivities above "
        "and to the policy wording. Not binding until confirmed in writing.",
        size=7,
    )
    return doc.output()
