"""Quotes: one layer by every premium principle (and the market), and a tower of layers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..aggregate import (
    GridSpec,
)
from ..counts import Frequency
from ..distributions import LossDistribution
from ..market import MarketPrice, MarketTerms, price_market
from ..premium import (
    PRINCIPLES,
    LoadingAssumptions,
    TechnicalPremium,
    technical_premium,
)
from .loss import LayerLoss, layer_loss
from .terms import Layer, Tower, _json_number, _number, _ratio

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, eq=False)
class LayerQuote:
    """An insurer's view of one layer (USD per year unless stated).

    The headline :attr:`premium` is, in this order: a rate on line the user entered
    (``market_rate_on_line``), the market's quote (``market``, :mod:`pricing.market`; NaN when
    the layer cannot be placed), or the technical premium by ``principle``. Rate on line is
    always the **upfront** premium over the placed limit, for every principle and the market.
    ``premium_interval`` is the 90% range of the headline premium under parameter uncertainty
    (:mod:`pricing.uncertainty`), when computed.
    """

    loss: LayerLoss
    premiums: dict[str, TechnicalPremium]
    principle: str
    loadings: LoadingAssumptions
    market_rate_on_line: float | None = None
    market: MarketPrice | None = None
    premium_interval: tuple[float, float] | None = None

    @property
    def layer(self) -> Layer:
        """The layer quoted."""
        return self.loss.layer

    @property
    def expected_loss(self) -> float:
        """``E[L]``."""
        return self.loss.expected

    @property
    def technical_premium(self) -> float:
        """Technical premium by the chosen principle (the insurer's floor)."""
        return self.premiums[self.principle].gross_premium

    @property
    def placeable(self) -> bool:
        """Whether the market would write the layer (True without market terms)."""
        return self.market is None or self.market.placeable

    @property
    def basis(self) -> str:
        """What the headline premium is: ``entered rate on line``, ``market`` or ``technical``."""
        if self.market_rate_on_line is not None:
            return "entered rate on line"
        return "market" if self.market is not None else "technical"

    @property
    def premium(self) -> float:
        """Total expected premium (see the class docstring for which one)."""
        if self.market_rate_on_line is not None:
            return self.market_rate_on_line * self.placed_limit
        if self.market is not None:
            return self.market.premium if self.market.placeable else math.nan
        return self.technical_premium

    @property
    def upfront_factor(self) -> float:
        """``1 + r E[reinstated] / l``: total expected premium over upfront premium."""
        lay = self.layer
        return 1.0 + lay.reinstatement_rate * self.loss.expected_reinstated / lay.limit

    @property
    def placed_limit(self) -> float:
        """Insurer's per-occurrence limit, ``c · l``."""
        return self.layer.share * self.layer.limit

    @property
    def upfront_premium(self) -> float:
        """``P₀ = premium / (1 + r E[reinstated] / l)``: paid at inception."""
        return self.premium / self.upfront_factor

    @property
    def expected_reinstatement_premium(self) -> float:
        """``premium − P₀``: reinstatement premiums expected during the year."""
        return self.premium - self.upfront_premium

    @property
    def rate_on_line(self) -> float:
        """Upfront premium / placed limit (ROL; NaN for an unlimited layer)."""
        return _ratio(self.upfront_premium, self.placed_limit)

    @property
    def loss_ratio(self) -> float:
        """Expected loss / expected premium."""
        return self.expected_loss / self.premium if self.premium > 0 else math.nan

    def table(self) -> pd.DataFrame:
        """Premium by principle: risk premium, gross premium, ROL and loss ratio."""
        import pandas as pd

        rows = [
            {
                "principle": name,
                "risk_premium": tp.risk_premium,
                "gross_premium": tp.gross_premium,
                "rate_on_line": _ratio(tp.gross_premium / self.upfront_factor, self.placed_limit),
                "loss_ratio": tp.loss_ratio,
                "minimum_applied": tp.minimum_applied,
            }
            for name, tp in self.premiums.items()
        ]
        if self.market is not None and self.market.placeable:
            m = self.market
            rows.append(
                {
                    "principle": "market",
                    "risk_premium": m.curve_premium,
                    "gross_premium": m.premium,
                    "rate_on_line": m.rate_on_line,
                    "loss_ratio": self.expected_loss / m.premium,
                    "minimum_applied": m.basis != "curve",
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready quote."""
        lay, loss = self.layer, self.loss
        return {
            "layer": {
                "name": lay.label,
                "retention": lay.retention,
                "limit": _json_number(lay.limit),
                "share": lay.share,
                "agg_retention": lay.agg_retention,
                "agg_limit": _json_number(lay.annual_limit),
                "reinstatements": lay.reinstatements,
                "reinstatement_rate": lay.reinstatement_rate,
            },
            "expected_loss": loss.expected,
            "std": loss.std,
            "var_capital": loss.value_at_risk(self.loadings.capital_level),
            "tvar_capital": loss.tail_value_at_risk(self.loadings.capital_level),
            "capital_level": self.loadings.capital_level,
            "capital_measure": self.loadings.capital_measure,
            "premiums": {
                name: {
                    "risk_premium": tp.risk_premium,
                    "technical_premium": tp.gross_premium,
                    "rate_on_line": _json_number(
                        _ratio(tp.gross_premium / self.upfront_factor, self.placed_limit)
                    ),
                    "loss_ratio": tp.loss_ratio,
                    "minimum_applied": tp.minimum_applied,
                }
                for name, tp in self.premiums.items()
            },
            "principle": self.principle,
            "market_rate_on_line": self.market_rate_on_line,
            "technical_premium": self.technical_premium,
            "market_premium": (
                self.market.premium if self.market is not None and self.placeable else None
            ),
            "placeable": self.placeable,
            "not_placeable_reason": (
                self.market.reason_text if self.market is not None and not self.placeable else None
            ),
            "market": self.market.to_dict() if self.market is not None else None,
            "premium_basis": self.basis,
            "premium": _json_number(self.premium),
            "premium_interval": (
                list(self.premium_interval) if self.premium_interval is not None else None
            ),
            "upfront_premium": _json_number(self.upfront_premium),
            "expected_reinstatement_premium": self.expected_reinstatement_premium,
            "rate_on_line": _json_number(self.rate_on_line),
            "loss_ratio": self.loss_ratio,
            "p_attach": loss.p_attach,
            "p_exhaust_occurrence": loss.p_exhaust_occurrence,
            "p_exhaust_aggregate": _json_number(loss.p_exhaust_aggregate),
        }


def quote_layer(
    frequency: Frequency,
    severity: LossDistribution,
    layer: Layer,
    loadings: LoadingAssumptions | None = None,
    principle: str = "cost_of_capital",
    market_rate_on_line: float | None = None,
    grid: GridSpec | None = None,
    market: MarketTerms | None = None,
    cover: str = "cold",
    used_capacity: float | None = None,
) -> LayerQuote:
    """Technical premium of ``layer`` by every principle, and the chosen one.

    ``market_rate_on_line`` (premium / placed limit, e.g. 0.05) switches to market-rate mode:
    the premium is the quoted rate times the placed limit, and the loss ratio shows how it
    compares with the expected loss. ``market`` adds the market's quote for cover type
    ``cover`` (:func:`pricing.market.price_market`; ``used_capacity``: the insured's total
    limit up to the layer's top, default the placed limit), which becomes the headline premium.
    """
    loadings = LoadingAssumptions() if loadings is None else loadings
    if principle not in PRINCIPLES:
        raise ValueError(f"principle '{principle}' is not one of {', '.join(PRINCIPLES)}")
    if market_rate_on_line is not None and not (
        _number(market_rate_on_line) and 0 < market_rate_on_line <= 1
    ):
        raise ValueError(f"market_rate_on_line must be in (0, 1], got {market_rate_on_line!r}")
    if market_rate_on_line is not None and not math.isfinite(layer.limit):
        raise ValueError("market_rate_on_line needs a layer with a finite 'limit'")
    loss = layer_loss(frequency, severity, layer, grid)
    moments = loss.moments(loadings.capital_level)
    limit = layer.share * layer.limit
    premiums = {p: technical_premium(moments, limit, loadings, p) for p in PRINCIPLES}
    quote = LayerQuote(loss, premiums, principle, loadings, market_rate_on_line)
    if market is None or not math.isfinite(layer.limit):
        return quote
    price = price_market(
        frequency,
        severity,
        layer.retention,
        layer.limit,
        loss.expected,
        quote.technical_premium,
        cover,
        market,
        share=layer.share,
        used_capacity=used_capacity,
        upfront_factor=quote.upfront_factor,
    )
    return replace(quote, market=price)


#: The premium-basis column of :meth:`TowerQuote.table` ("market": a rate on line entered).
_TABLE_BASIS = {"entered rate on line": "market", "market": "market curve"}


@dataclass(frozen=True, eq=False)
class TowerQuote:
    """Quotes for every layer of a tower."""

    quotes: tuple[LayerQuote, ...]

    def table(self) -> pd.DataFrame:
        """One row per layer: terms, expected loss, premium, ROL, loss ratio, probabilities."""
        import pandas as pd

        rows = []
        for q in self.quotes:
            lay = q.layer
            rows.append(
                {
                    "layer": lay.label,
                    "retention": lay.retention,
                    "limit": lay.limit,
                    "share": lay.share,
                    "expected_loss": q.expected_loss,
                    "premium": q.premium,
                    "upfront_premium": q.upfront_premium,
                    "rate_on_line": q.rate_on_line,
                    "loss_ratio": q.loss_ratio,
                    "p_attach": q.loss.p_attach,
                    "p_exhaust": q.loss.p_exhaust_occurrence,
                    "principle": _TABLE_BASIS.get(q.basis, q.principle),
                    "technical_premium": q.technical_premium,
                    "placeable": q.placeable,
                }
            )
        return pd.DataFrame(rows)

    @property
    def total_premium(self) -> float:
        """Sum of the layers' premiums (USD per year)."""
        return float(sum(q.premium for q in self.quotes))

    @property
    def total_expected_loss(self) -> float:
        """Sum of the layers' expected losses (USD per year)."""
        return float(sum(q.expected_loss for q in self.quotes))


def quote_tower(
    frequency: Frequency,
    severity: LossDistribution,
    tower: Tower,
    loadings: LoadingAssumptions | None = None,
    principle: str = "cost_of_capital",
    market_rates_on_line: Sequence[float | None] | None = None,
    market: MarketTerms | None = None,
    covers: Sequence[str] | None = None,
) -> TowerQuote:
    """:func:`quote_layer` for each layer of the tower (market rates optional, per layer).

    With ``market`` terms each layer also gets the market's quote, for its cover type in
    ``covers`` (default ``cold``); the capacity a layer uses is the tower's placed limit up to
    its top, so the scarcity load grows up the tower.
    """
    n = len(tower.layers)
    rates = market_rates_on_line or [None] * n
    if len(rates) != n:
        raise ValueError("market_rates_on_line: give one rate (or None) per layer of the tower")
    kinds = list(covers) if covers is not None else ["cold"] * n
    if len(kinds) != n:
        raise ValueError("covers: give one cover type per layer of the tower")
    used = np.cumsum([lay.share * lay.limit for lay in tower.layers])
    return TowerQuote(
        tuple(
            quote_layer(
                frequency,
                severity,
                layer,
                loadings,
                principle,
                rate,
                market=market,
                cover=kind,
                used_capacity=float(u),
            )
            for layer, rate, kind, u in zip(tower.layers, rates, kinds, used, strict=True)
        )
    )
