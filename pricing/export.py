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
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .coverage import TowerQuote
from .lossmodel import ExchangeLossModel
from .premium import LoadingAssumptions
from .profiles import ExchangeProfile, profile_table

__all__ = [
    "PRINCIPLE_LABELS",
    "assumptions_table",
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

#: TrueType fonts with Greek letters and maths signs, tried in order for the PDF; without one,
#: the PDF uses a core font and spells those signs out (λ -> lambda).
UNICODE_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
)
_LATIN = {
    "λ": "lambda",
    "γ": "gamma",
    "δ": "delta",
    "η": "eta",
    "ρ": "rho",
    "θ": "theta",
    "κ": "kappa",
    "π": "pi",
    "−": "-",
    "–": "-",
    "—": "-",
    "≥": ">=",
    "≤": "<=",
    "…": "...",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "∧": " min ",
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
# CSV and XLSX
# --------------------------------------------------------------------------------------------
def quote_sheet_csv(
    quote: TowerQuote, profile: ExchangeProfile, *, issued: dt.date | None = None
) -> bytes:
    """The quote as CSV (UTF-8): :func:`quote_table` with the issue date, one row per layer."""
    table = quote_table(quote, profile)
    table.insert(1, "issued", (issued or dt.date.today()).isoformat())
    return table.to_csv(index=False).encode("utf-8")


def quote_sheet_xlsx(
    quote: TowerQuote,
    profile: ExchangeProfile,
    model: ExchangeLossModel | None = None,
    *,
    calibration: str = "",
    source: str = "",
    issued: dt.date | None = None,
) -> bytes:
    """The quote as an Excel workbook with sheets Quote, Principles, Assumptions and Inputs."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        quote_table(quote, profile).to_excel(writer, sheet_name="Quote", index=False)
        principles_table(quote).to_excel(writer, sheet_name="Principles", index=False)
        assumptions_table(
            quote, model, calibration=calibration, source=source, issued=issued
        ).to_excel(writer, sheet_name="Assumptions", index=False)
        inputs = profile_table(profile)
        inputs.to_excel(writer, sheet_name="Inputs", index=False)
        layer_terms_table(quote).to_excel(
            writer, sheet_name="Inputs", index=False, startrow=len(inputs) + 2
        )
        for sheet in writer.book.worksheets:
            for column in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------
def _usd(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "unlimited"
    return f"{x:,.0f}"


def _musd(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "unlimited"
    return f"{x / 1e6:,.4g}"


def _pct(x: float | None, digits: int = 2) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{100 * x:.{digits}f}%"


def _prob(x: float) -> str:
    return f"{x:.4f}" if math.isfinite(x) else "n/a"


class _Pdf:
    """A thin writer over fpdf2 that picks a Unicode font when the system has one."""

    def __init__(self, title: str, fonts: Sequence[str | Path]) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(orientation="L", unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=12)
        self.pdf.set_margins(12, 12, 12)
        self.pdf.set_title(title)
        self.pdf.set_creator("Vaultcover")
        self.unicode = False
        self.family = "helvetica"
        for path in fonts:
            regular = Path(path)
            if regular.is_file():
                stem = regular.stem.removesuffix("-Regular")
                bold = regular.with_name(f"{stem}-Bold{regular.suffix}")
                self.pdf.add_font("body", "", str(regular))
                self.pdf.add_font("body", "B", str(bold if bold.is_file() else regular))
                self.family, self.unicode = "body", True
                break
        self.pdf.add_page()

    def text(self, value: Any) -> str:
        s = str(value)
        if self.unicode:
            return s
        for k, v in _LATIN.items():
            s = s.replace(k, v)
        return s.encode("latin-1", "replace").decode("latin-1")

    def heading(self, text: str, size: int = 13) -> None:
        self.pdf.set_font(self.family, "B", size)
        self.pdf.ln(2)
        self.pdf.multi_cell(0, 7, self.text(text), new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str, size: int = 9) -> None:
        self.pdf.set_font(self.family, "", size)
        self.pdf.multi_cell(0, 4.5, self.text(text), new_x="LMARGIN", new_y="NEXT")

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float] | None = None,
        size: int = 8,
    ) -> None:
        self.pdf.set_font(self.family, "", size)
        with self.pdf.table(
            col_widths=tuple(widths) if widths else None,
            line_height=4.2,
            text_align="LEFT",
            first_row_as_headings=True,
            padding=1,
        ) as table:
            for values in [header, *rows]:
                row = table.row()
                for value in values:
                    row.cell(self.text(value))
        self.pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def quote_sheet_pdf(
    quote: TowerQuote,
    profile: ExchangeProfile,
    model: ExchangeLossModel | None = None,
    *,
    calibration: str = "",
    source: str = "",
    issued: dt.date | None = None,
    fonts: Sequence[str | Path] = UNICODE_FONTS,
) -> bytes:
    """The quote sheet as a PDF (A4 landscape, text tables).

    Sections: summary, layer terms with expected loss, premium, rate on line and loss ratio;
    premium by principle; exchange profile; assumptions (loadings, loss model, calibration);
    data source and date. ``fonts`` lists TrueType files tried for Unicode text.
    """
    issued = issued or dt.date.today()
    doc = _Pdf(f"Vaultcover quote sheet: {profile.name}", fonts)
    first = quote.quotes[0]
    doc.heading(f"Vaultcover quote sheet: {profile.name}", size=16)
    doc.paragraph(
        f"Issued {issued.isoformat()}. Theft of customer crypto, per-occurrence layers, one "
        f"policy year. Premium basis: {PRINCIPLE_LABELS.get(first.principle, first.principle)} "
        "principle unless a market rate on line is given for a layer. Amounts in USD."
    )
    total_premium, total_loss = quote.total_premium, quote.total_expected_loss
    doc.paragraph(
        f"Tower: {len(quote.quotes)} layer(s); expected loss USD {_usd(total_loss)} per year; "
        f"premium USD {_usd(total_premium)} per year; tower loss ratio "
        f"{_pct(total_loss / total_premium if total_premium > 0 else math.nan, 1)}."
    )

    doc.heading("Layers")
    table = quote_table(quote, profile)
    doc.table(
        [
            "layer",
            "retention (USD m)",
            "limit (USD m)",
            "share",
            "reinst.",
            "expected loss (USD)",
            "SD (USD)",
            "premium (USD)",
            "upfront (USD)",
            "rate on line",
            "loss ratio",
            "P(attach)",
            "P(exhaust)",
            "basis",
        ],
        [
            [
                r.layer,
                _musd(r.retention_usd),
                _musd(r.limit_usd),
                _pct(r.share, 0),
                "unlimited" if pd.isna(r.reinstatements) else int(r.reinstatements),
                _usd(r.expected_loss_usd),
                _usd(r.std_usd),
                _usd(r.premium_usd),
                _usd(r.upfront_premium_usd),
                _pct(r.rate_on_line),
                _pct(r.loss_ratio, 1),
                _prob(r.p_attach),
                _prob(r.p_exhaust),
                PRINCIPLE_LABELS.get(r.basis, r.basis),
            ]
            for r in table.itertuples()
        ],
        widths=(24, 18, 16, 12, 17, 22, 20, 20, 20, 16, 15, 15, 16, 22),
    )
    doc.paragraph(
        "Expected loss E[L]: the layer's expected yearly payment (insurer's share). Premium = "
        "max(minimum, (risk premium + fixed expense) / (1 - expense ratio)). Upfront premium "
        "= premium / (1 + reinstatement rate x expected reinstated amount / limit). Rate on "
        "line = upfront premium / (share x limit). Loss ratio = expected loss / premium. "
        "P(attach), P(exhaust): chance that at least one theft in the year reaches the "
        "retention, or uses up the per-theft limit."
    )

    doc.heading("Technical premium by principle (USD per year)")
    doc.table(
        [
            "layer",
            "principle",
            "risk premium",
            "gross premium",
            "rate on line",
            "loss ratio",
            "minimum applied",
        ],
        [
            [
                r.layer,
                PRINCIPLE_LABELS.get(r.principle, r.principle),
                _usd(r.risk_premium),
                _usd(r.gross_premium),
                _pct(r.rate_on_line),
                _pct(r.loss_ratio, 1),
                "yes" if r.minimum_applied else "no",
            ]
            for r in principles_table(quote).itertuples()
        ],
    )

    doc.heading("Exchange profile (inputs)")
    doc.table(
        ["field", "value", "unit"],
        [[r.label, r.value, r.unit] for r in profile_table(profile).itertuples()],
        widths=(60, 80, 40),
    )

    doc.heading("Assumptions")
    assumptions = assumptions_table(
        quote, model, calibration=calibration, source=source, issued=issued
    )
    doc.table(
        ["section", "assumption", "value", "unit", "basis"],
        [[r.section, r.assumption, r.value, r.unit, r.basis] for r in assumptions.itertuples()],
        widths=(22, 52, 70, 35, 94),
    )
    doc.heading("Data and date")
    doc.paragraph(source or "Data source not given.")
    if calibration:
        doc.paragraph(f"Calibration: {calibration}.")
    doc.paragraph(
        f"Issued {issued.isoformat()} by Vaultcover. Indicative technical pricing from a "
        "public incident history and the stated assumptions; not an offer of insurance."
    )
    return doc.output()
