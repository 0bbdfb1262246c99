"""The quote sheet as a PDF, in English or Japanese and in any display currency.

Reference, date, validity and insured; per layer the technical premium beside the market
premium, the quote basis, whether the market places the layer (and why not), the market terms
that applied and the premium's 90% range; the tower diagram; the premium by principle;
subjectivities and main exclusions; the exchange profile and every assumption. Amounts are
computed in USD and shown in ``currency`` at the shipped dated FX rates; text is translated by
the message catalogue (:mod:`pricing.i18n`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from .coverage import TowerQuote
from .i18n import check_language, fmt_amount, fmt_money, tr
from .lossmodel import ExchangeLossModel
from .profiles import ExchangeProfile, profile_table
from .quote_data import (
    MARKET_BASIS,
    PRINCIPLE_LABELS,
    QuoteTerms,
    assumptions_table,
    principles_table,
)

__all__ = [
    "Money",
    "layer_name",
    "not_placeable_reason",
    "profile_row",
    "quote_sheet_pdf",
    "tower_figure",
]


@dataclass(frozen=True)
class Money:
    """USD amounts shown in ``currency`` and ``lang`` (whole or compact)."""

    currency: str = "USD"
    lang: str = "en"
    fx: Any = None

    def convert(self, usd: float) -> float:
        """``usd`` in the display currency."""
        if self.currency == "USD":
            return usd
        from .regulation.fx import DEFAULT_FX

        return (self.fx or DEFAULT_FX).from_usd(usd, self.currency)

    def whole(self, usd: float | None, empty: str = "unlimited") -> str:
        """To the unit (``USD 1,234,567``, ``185,185,185円``)."""
        if usd is None or not math.isfinite(usd):
            return tr(empty, self.lang)
        return fmt_money(self.convert(usd), self.currency, self.lang)

    def compact(self, usd: float | None, empty: str = "unlimited") -> str:
        """Compact (``USD 1.23 m``, ``1.85億円``)."""
        if usd is None or not math.isfinite(usd):
            return tr(empty, self.lang)
        return fmt_amount(self.convert(usd), self.currency, self.lang)


def layer_name(layer: Any, money: Money) -> str:
    """A layer's name as printed: its own name translated, else ``l xs d`` in the display
    currency (``7.85億円 xs 1.57億円``)."""
    if layer.name:
        return tr(layer.name, money.lang)
    if money.lang == "en" and money.currency == "USD":
        return str(layer.label)
    return f"{money.compact(layer.limit)} xs {money.compact(layer.retention)}"


def _pct(x: float | None, digits: int = 2) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return f"{100 * x:.{digits}f}%"


def _prob(x: float) -> str:
    return f"{x:.4f}" if math.isfinite(x) else "–"


def tower_figure(quote: TowerQuote, money: Money) -> Any:
    """The tower diagram of :func:`pricing.plots.tower_chart` with its words and amounts in
    ``money``'s language and currency."""
    from . import plots

    t = lambda text: tr(text, money.lang)  # noqa: E731
    fig = plots.tower_chart(quote)
    layers = iter(quote.quotes)
    for trace in fig.data:
        if trace.name == "Retained by the exchange":
            first = quote.quotes[0].layer.retention
            trace.name = t("Retained by the exchange")
            trace.text = [f"{t('retained')}<br>{money.compact(first)}"]
            trace.hovertemplate = "<extra></extra>"
            continue
        q = next(layers)
        lay = q.layer
        premium = money.compact(q.premium) if q.placeable else t("not placeable")
        terms = (
            f": {money.compact(lay.limit)} xs {money.compact(lay.retention)}" if lay.name else ""
        )
        trace.text = [
            f"{layer_name(lay, money)}{terms}<br>"
            f"{100 * lay.share:g}% · {t('premium')} {premium} · {t('rate on line')} "
            f"{_pct(q.rate_on_line)}"
        ]
    fig.update_layout(title={"text": t("Insurance tower (per theft)")})
    fig.update_yaxes(title=t("Per theft, {currency} million").format(currency="USD"))
    return fig


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
    lang: str = "en",
    currency: str = "USD",
    fx: Any = None,
    **fonts: Any,
) -> bytes:
    """The quote sheet as a PDF (A4 portrait) in ``lang`` with amounts in ``currency``.

    ``chart`` draws the tower diagram (kaleido); ``fonts`` passes ``body_fonts``/``cjk_fonts``
    to :class:`pricing.pdfdoc.Document`.
    """
    from .pdfdoc import Document, chart_png

    check_language(lang)
    money = Money(currency, lang, fx)

    def t(text: str) -> str:
        return tr(text, lang)

    terms = (terms or QuoteTerms()).with_issued(issued)
    insured = terms.insured.strip() or t(profile.name)
    doc = Document(f"{t('Quote sheet')}: {insured}", **fonts)
    doc.heading(t("Quote sheet: theft of customer crypto-assets"), size=16)
    placed = [q for q in quote.quotes if q.placeable]
    total = sum(q.premium for q in placed)
    bases = sorted({t(q.basis) for q in quote.quotes})
    principle = t(PRINCIPLE_LABELS.get(quote.quotes[0].principle, quote.quotes[0].principle))
    doc.table(
        ["", ""],
        [
            [t("Quote reference"), terms.quote_reference(quote, profile)],
            [t("Insured"), insured],
            [t("Date"), terms.date().isoformat()],
            [
                t("Valid until"),
                f"{terms.valid_until().isoformat()} "
                f"({t('{days} days').format(days=terms.validity_days)})",
            ],
            [t("Cover"), t("Theft of customer crypto-assets; per-occurrence layers; one year")],
            [
                t("Premium basis"),
                f"{', '.join(bases)}; {t('technical premium by')} {principle}",
            ],
            [t("Total premium"), f"{money.whole(total)} {t('per year')}"],
            [t("Expected loss"), f"{money.whole(quote.total_expected_loss)} {t('per year')}"],
            [t("Display currency"), _fx_note(money, t)],
        ],
        size=9,
        align=["L", "L"],
    )
    if len(placed) < len(quote.quotes):
        doc.paragraph(
            t("Layers the market would not place are left out of the total premium."), size=8
        )

    doc.heading(t("Layer terms"))
    doc.table(
        [t("Layer"), t("Retention"), t("Limit"), t("Share"), t("Reinstatements"), t("Cover type")],
        [
            [
                layer_name(q.layer, money),
                money.compact(q.layer.retention),
                money.compact(q.layer.limit),
                _pct(q.layer.share, 0),
                t("unlimited") if q.layer.reinstatements is None else str(q.layer.reinstatements),
                t(q.market.cover_type) if q.market is not None else "–",
            ]
            for q in quote.quotes
        ],
    )
    doc.heading(t("Technical and market premium"), size=11)
    doc.table(
        [
            t("Layer"),
            t("Technical premium"),
            t("Market premium"),
            t("Quote basis"),
            t("Premium"),
            t("90% range"),
            t("Rate on line"),
            t("Loss ratio"),
        ],
        [
            [
                layer_name(q.layer, money),
                money.whole(q.technical_premium),
                money.whole(q.market.premium, "–")
                if q.market is not None and q.placeable
                else ("–" if q.market is None else t("not placeable")),
                t(q.basis),
                money.whole(q.premium, "–"),
                _range(q.premium_interval, money),
                _pct(q.rate_on_line),
                _pct(q.loss_ratio, 1),
            ]
            for q in quote.quotes
        ],
    )
    market = [q for q in quote.quotes if q.market is not None]
    if market:
        doc.heading(t("Market terms that applied"), size=11)
        doc.table(
            [
                t("Layer"),
                t("Placeable"),
                t("Binding market term"),
                t("Minimum rate on line"),
                t("Capacity"),
                t("Capacity used"),
                t("Scarcity load"),
            ],
            [
                [
                    layer_name(q.layer, money),
                    t("placeable") if q.placeable else t("not placeable"),
                    t(MARKET_BASIS.get(q.market.basis, q.market.basis)) if q.placeable else "–",
                    _pct(q.market.minimum_rate_on_line),
                    money.compact(q.market.capacity_available),
                    _pct(q.market.capacity_share, 0),
                    _pct(q.market.scarcity_load, 1),
                ]
                for q in market
            ],
        )
        for q in market:
            if not q.placeable:
                why = not_placeable_reason(q, money, t)
                doc.paragraph(f"{layer_name(q.layer, money)}: {t('not placeable')}: {why}")
        doc.paragraph(
            f"{t('Market curve')}: {market[0].market.curve.describe()}; "
            f"{t('minimum multiple of expected loss')} {market[0].market.minimum_multiple:g}×",
            size=7,
        )
    doc.table(
        [
            t("Layer"),
            t("Expected loss"),
            t("Standard deviation"),
            t("Chance of attaching"),
            t("Chance of exhausting"),
        ],
        [
            [
                layer_name(q.layer, money),
                money.whole(q.expected_loss),
                money.whole(q.loss.std),
                _prob(q.loss.p_attach),
                _prob(q.loss.p_exhaust_occurrence),
            ]
            for q in quote.quotes
        ],
    )
    if chart:
        png = chart_png(tower_figure(quote, money), width=900, height=520)
        if png is not None:
            doc.image(png, width=doc.width * 0.8)
        else:
            doc.paragraph(t("(Tower diagram not rendered: kaleido with chromium is missing.)"))

    doc.heading(t("Premium by principle (per year)"))
    names = {q.layer.label: layer_name(q.layer, money) for q in quote.quotes}
    chosen = quote.quotes[0].principle
    doc.table(
        [
            t("Layer"),
            t("Principle"),
            t("Risk premium"),
            t("Technical premium"),
            t("Rate on line"),
            t("Loss ratio"),
            t("Minimum applied"),
        ],
        [
            [
                names.get(r.layer, r.layer),
                t(PRINCIPLE_LABELS.get(r.principle, r.principle))
                + (f" ({t('chosen')})" if r.principle == chosen else ""),
                money.whole(r.risk_premium),
                money.whole(r.gross_premium),
                _pct(r.rate_on_line),
                _pct(r.loss_ratio, 1),
                t("applied") if r.minimum_applied else "–",
            ]
            for r in principles_table(quote).itertuples()
        ],
    )

    doc.heading(t("Subjectivities"))
    doc.bullets(terms.subjectivities or (t("None."),))
    doc.heading(t("Main exclusions"))
    doc.bullets(terms.exclusions or (t("None stated."),))

    doc.heading(t("Exchange profile"))
    doc.table(
        [t("Field"), t("Value"), t("Unit")],
        [profile_row(r, money, t) for r in profile_table(profile).itertuples()],
        align=["L", "R", "L"],
    )
    doc.heading(t("Assumptions"))
    assumptions = assumptions_table(
        quote, model, calibration=calibration, source=source, issued=terms.date()
    )
    doc.table(
        [t("Section"), t("Assumption"), t("Value"), t("Unit"), t("Basis")],
        [_assumption_row(r, money, t) for r in assumptions.itertuples()],
        size=7,
        align=["L", "L", "R", "L", "L"],
    )
    doc.paragraph(
        t(
            "Expected loss: the layer's expected yearly payment (insurer's share). Technical "
            "premium = max(minimum, (risk premium + fixed expense) / (1 - expense ratio)). "
            "Market premium = the market curve's premium, at least the minimum rate on line, "
            "the minimum premium, the minimum multiple of expected loss and the technical "
            "premium, times (1 + scarcity load). Rate on line = upfront premium / (share x "
            "limit). Loss ratio = expected loss / premium. 90% range: premiums over parameter "
            "draws."
        ),
        size=7,
    )
    doc.paragraph(
        t(
            "Issued {date} by Vaultcover. Indicative pricing from a public incident history and "
            "the stated assumptions; subject to the subjectivities above and to the policy "
            "wording. Not binding until confirmed in writing."
        ).format(date=terms.date().isoformat()),
        size=7,
    )
    return doc.output()


def _range(band: tuple[float, float] | None, money: Money) -> str:
    if band is None:
        return "–"
    return f"{money.whole(band[0], '–')} – {money.whole(band[1], '–')}"


def not_placeable_reason(q: Any, money: Money, t: Any) -> str:
    """Why the market would not place the layer, with amounts in ``money``."""
    m = q.market
    if m.reason == "retention":
        return t("retention {retention} below the market's minimum {minimum}").format(
            retention=money.whole(m.retention), minimum=money.whole(m.minimum_retention)
        )
    if m.reason == "capacity":
        text = t("the insured's limit to the layer's top uses {share} of the capacity {cap}")
        return text.format(share=f"{m.capacity_share:.0%}", cap=money.whole(m.capacity_available))
    if m.reason == "price":
        return t("the market's floors put the premium above the limit")
    return m.reason_text


def _fx_note(money: Money, t: Any) -> str:
    if money.currency == "USD":
        return "USD"
    from .regulation.fx import DEFAULT_FX

    fx = money.fx or DEFAULT_FX
    rate, as_of, kind = fx.dated(money.currency)
    return f"{money.currency}: 1 USD = {rate:,.4g} {money.currency} ({t(kind)}, {as_of or '–'})"


def _number(text: Any) -> float | None:
    """``text`` as a number (``"20,000"`` -> 20000.0), else None."""
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        return None


def profile_row(r: Any, money: Money, t: Any) -> list[str]:
    """A row of the profile table with its USD amount in the display currency."""
    unit = str(r.unit)
    stored = _number(r.stored_value)
    if unit.startswith("USD") and stored is not None:
        per_year = " " + t("per year") if "per year" in unit else ""
        return [t(r.label), money.compact(stored, "–") + per_year, ""]
    value = {"yes": t("profile: yes"), "no": t("profile: no")}.get(r.value, t(str(r.value)))
    if unit.startswith("USD"):
        unit = f"{money.currency} {t(unit.removeprefix('USD').strip())}".strip()
    return [t(r.label), value, t(unit)]


def _assumption_row(r: Any, money: Money, t: Any) -> list[str]:
    """A row of the assumptions table with a USD amount in the display currency."""
    unit = str(r.unit)
    value = _number(r.value)
    if unit.startswith("USD") and value is not None:
        rest = unit.removeprefix("USD").strip()
        return [t(r.section), t(r.assumption), money.whole(value), t(rest), t(r.basis)]
    return [t(r.section), t(r.assumption), t(r.value), t(unit), t(r.basis)]
