"""What a quote sheet says: the quote's terms and its tables (pure data; no file format).

:class:`QuoteTerms` holds what makes a priced tower a quote (reference, validity, insured,
subjectivities, exclusions). The tables give, per layer, the terms, the expected loss, the
technical premium beside the market premium (:mod:`pricing.market`), which one is the quote
basis, whether the market would place the layer and why not, the market terms that applied
(minimum rate on line, minimum premium, capacity and scarcity load) and the premium's 90%
interval under parameter uncertainty (:mod:`pricing.uncertainty`) when computed. Amounts are
USD; :func:`in_currency` converts a table's amount columns for display.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .coverage import LayerQuote, TowerQuote
from .lossmodel import ExchangeLossModel
from .premium import LoadingAssumptions
from .profiles import ExchangeProfile
from .sheet_cells import format_value

__all__ = [
    "HEADERS",
    "MARKET_BASIS",
    "PRINCIPLE_LABELS",
    "QuoteTerms",
    "assumptions_table",
    "basis_text",
    "in_currency",
    "layer_terms_table",
    "principles_table",
    "quote_table",
]

PRINCIPLE_LABELS = {
    "expected_value": "expected value",
    "std_dev": "standard deviation",
    "wang": "Wang transform",
    "cost_of_capital": "cost of capital",
    "market": "market",
}
#: The market term that set a layer's market premium (:attr:`MarketPrice.basis`), in words.
MARKET_BASIS = {
    "curve": "market curve",
    "minimum_rate_on_line": "minimum rate on line",
    "minimum_premium": "minimum premium",
    "minimum_multiple": "minimum multiple of expected loss",
    "technical": "technical premium (insurer's floor)",
}
#: Plain column names of the tables (the XLSX's headers in other languages, the PDF's).
HEADERS = {
    "profile": "insured",
    "reference": "quote reference",
    "issued": "issued",
    "valid_until": "valid until",
    "layer": "layer",
    "retention_usd": "retention",
    "limit_usd": "limit",
    "share": "share",
    "reinstatements": "reinstatements",
    "reinstatement_rate": "reinstatement rate",
    "agg_retention_usd": "aggregate retention",
    "agg_limit_usd": "aggregate limit",
    "annual_limit_usd": "annual limit",
    "expected_loss_usd": "expected loss",
    "std_usd": "standard deviation",
    "p_attach": "P(attach)",
    "p_exhaust": "P(exhaust)",
    "basis": "premium basis",
    "market_rate_on_line": "entered rate on line",
    "technical_premium_usd": "technical premium",
    "market_premium_usd": "market premium",
    "premium_usd": "premium",
    "premium_low_usd": "premium, 90% range low",
    "premium_high_usd": "premium, 90% range high",
    "upfront_premium_usd": "upfront premium",
    "expected_reinstatement_premium_usd": "expected reinstatement premium",
    "rate_on_line": "rate on line",
    "loss_ratio": "loss ratio",
    "placeable": "placeable",
    "not_placeable_reason": "reason not placeable",
    "cover_type": "cover type",
    "market_term": "binding market term",
    "minimum_rate_on_line": "minimum rate on line",
    "minimum_premium_usd": "minimum premium",
    "capacity_usd": "capacity",
    "capacity_share": "capacity used",
    "scarcity_load": "scarcity load",
    "premium_expected_value_usd": "premium, expected value",
    "premium_std_dev_usd": "premium, standard deviation",
    "premium_wang_usd": "premium, Wang transform",
    "premium_cost_of_capital_usd": "premium, cost of capital",
    "principle": "principle",
    "risk_premium": "risk premium",
    "gross_premium": "technical premium",
    "minimum_applied": "minimum applied",
    "section": "section",
    "assumption": "assumption",
    "value": "value",
    "unit": "unit",
    "item": "item",
    "kind": "kind",
    "text": "text",
    "field": "field",
    "label": "label",
}


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def quote_basis(q: LayerQuote) -> str:
    """The quote basis of a layer: ``market rate on line`` (entered), ``market`` or the
    technical principle's name."""
    if q.market_rate_on_line is not None:
        return "market rate on line"
    return "market" if q.market is not None else q.principle


def _market_columns(q: LayerQuote, minimum_premium: float | None) -> dict[str, Any]:
    m = q.market
    if m is None:
        return {
            "placeable": True,
            "not_placeable_reason": "",
            "cover_type": "",
            "market_term": "",
            "minimum_rate_on_line": None,
            "minimum_premium_usd": None,
            "capacity_usd": None,
            "capacity_share": None,
            "scarcity_load": None,
        }
    return {
        "placeable": m.placeable,
        "not_placeable_reason": m.reason_text,
        "cover_type": m.cover_type,
        "market_term": m.basis if m.placeable else "",
        "minimum_rate_on_line": m.minimum_rate_on_line,
        "minimum_premium_usd": minimum_premium,
        "capacity_usd": _finite_or_none(m.capacity_available),
        "capacity_share": m.capacity_share,
        "scarcity_load": m.scarcity_load,
    }


def quote_table(
    quote: TowerQuote, profile: ExchangeProfile, *, minimum_premium: float | None = None
) -> pd.DataFrame:
    """One row per layer: terms, expected loss, technical and market premium, basis,
    placeable and why not, the market terms that applied, the 90% range, rate on line and
    loss ratio.

    Amounts are USD per year; ``share``, ``rate_on_line``, ``loss_ratio`` and the probabilities
    are fractions. ``reinstatements`` is empty for unlimited reinstatements; ``limit_usd`` is
    empty for an unlimited layer. ``premium_<principle>_usd`` is the technical premium by each
    principle; ``premium_usd`` the one quoted (by ``basis``; empty when not placeable);
    ``minimum_premium``: the market's minimum premium, for the record.
    """
    rows = []
    for q in quote.quotes:
        lay, loss = q.layer, q.loss
        low, high = q.premium_interval or (None, None)
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
            "basis": quote_basis(q),
            "market_rate_on_line": q.market_rate_on_line,
            "technical_premium_usd": q.technical_premium,
            "market_premium_usd": (
                q.market.premium if q.market is not None and q.market.placeable else None
            ),
            "premium_usd": _finite_or_none(q.premium),
            "premium_low_usd": low,
            "premium_high_usd": high,
            "upfront_premium_usd": _finite_or_none(q.upfront_premium),
            "expected_reinstatement_premium_usd": _finite_or_none(q.expected_reinstatement_premium),
            "rate_on_line": _finite_or_none(q.rate_on_line),
            "loss_ratio": _finite_or_none(q.loss_ratio),
            **_market_columns(q, minimum_premium),
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
    """Premium by principle for every layer (:meth:`LayerQuote.table` stacked; a ``market``
    row where the market prices the layer)."""
    parts = []
    for q in quote.quotes:
        table = q.table()
        table.insert(0, "layer", q.layer.label)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def in_currency(frame: pd.DataFrame, currency: str = "USD", fx: Any = None) -> pd.DataFrame:
    """``frame`` with its amount columns (``*_usd``, ``risk_premium``, ``gross_premium``)
    converted from USD into ``currency`` and ``_usd`` renamed ``_<currency>``."""
    if currency == "USD":
        return frame
    from .regulation.fx import DEFAULT_FX

    rate = (fx or DEFAULT_FX).rate(currency)
    out = frame.copy()
    suffix = f"_{currency.lower()}"
    renames = {}
    for column in out.columns:
        if column.endswith("_usd") or column in ("risk_premium", "gross_premium"):
            out[column] = pd.to_numeric(out[column], errors="coerce") * rate
            if column.endswith("_usd"):
                renames[column] = column.removesuffix("_usd") + suffix
    return out.rename(columns=renames)


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
    market = next((q.market for q in quote.quotes if q.market is not None), None)
    if market is not None:
        rows += [
            ("market", "Market curve", market.curve.describe(), "", market.curve.source),
            ("market", "Minimum multiple of expected loss", market.minimum_multiple, "×", ""),
        ]
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


def basis_text(quote: TowerQuote) -> str:
    """The quote basis of the tower in words (``market; technical premium by the cost of
    capital principle``)."""
    first = quote.quotes[0]
    bases = {q.basis for q in quote.quotes}
    principle = PRINCIPLE_LABELS.get(first.principle, first.principle)
    return f"{', '.join(sorted(bases))}; technical premium by the {principle} principle"


# --------------------------------------------------------------------------------------------
# Quote terms
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

    def with_issued(self, issued: dt.date | None) -> QuoteTerms:
        """These terms issued on ``issued`` (unchanged when ``issued`` is None or set)."""
        if issued is None or self.issued is not None:
            return self
        values = {name: getattr(self, name) for name in QuoteTerms.__slots__}
        return QuoteTerms(**{**values, "issued": issued})
