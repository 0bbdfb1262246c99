"""What the insurance market would quote for a layer of theft cover, beside the technical price.

The technical premium (:mod:`pricing.premium`) is what an insurer's model says a layer costs.
A market quote also obeys the market's terms, set out here as editable data
(:class:`MarketTerms`):

1. **A market curve per cover type** (cold storage, hot wallets, the provider route): the
   proportional-hazard distortion ``g(s) = s^p`` (Wang 1995) or the Wang transform
   ``g(s) = Φ(Φ⁻¹(s) + λ)`` applied to the layer's annual occurrence exceedance probability,

       curve premium = scale × ∫_d^{d+l} g(OEP(x)) dx,    OEP(x) = P(some theft in the year > x),

   the way catastrophe-bond spreads are read as distorted expected losses (Wang 2004, "Cat bond
   pricing using probability transforms", Geneva Papers: Etudes et Dossiers 278). With
   ``g(s) = s`` it is the layer's expected loss from the year's largest theft. Lower layers,
   where ``OEP`` is larger, get lower multiples of expected loss, and rate on line falls as
   the attachment rises (``g`` is increasing).
2. **Floors**: a minimum rate on line by cover type, a minimum premium, a minimum multiple of
   the expected loss, and the technical premium itself (the insurer's floor).
3. **Minimum retention**: no first-dollar cover; the layer must attach at or above
   ``max(minimum_retention_usd, minimum_retention_share × limit)``.
4. **Capacity**: the limit one insured can buy (about USD 600m; USD 1bn "not available",
   Aon via Risk & Insurance, Jan 2021,
   https://riskandinsurance.com/4-hurdles-facing-the-cryptocurrency-insurance-market), as a
   schedule by attachment; a scarcity load as the insured's total limit approaches capacity,
   and "not placeable" beyond it.

Default curve parameters (:data:`DEFAULT_TERMS`), from published risk-transfer prices, each
read as a total-loss layer (spread = ``g(EL)``, so ``p = ln(spread) / ln(EL)``):

- cold storage (specie-like, closest to property catastrophe risk): ``p`` such that a layer with
  a 1% expected loss prices at 4.54× it, the 2023 average multiple of catastrophe bonds issued
  (Artemis, https://www.artemis.bm/dashboard/cat_bonds_ils_average_multiple/); the long-run
  multiple was 2.69× (2.33× cycle-adjusted; Lane & Mahul 2008, World Bank Policy Research
  Working Paper 4765, http://hdl.handle.net/10986/6900), and crypto theft, correlated with
  crypto prices, justifies a load above the long-run level. The 1% reference expected loss is
  an assumption.
- hot wallets and the provider route (cyber perils): PoleStar Re 2024-1, Beazley's cyber
  catastrophe bond, expected loss 1.26% at a 13% spread (Artemis deal directory,
  https://www.artemis.bm/deal-directory/polestar-re-ltd-series-2024-1).
- minimum multiple 2: the quarterly average multiple of catastrophe bond issuance has stayed
  above 2 since 2020 (Artemis, same dashboard).

Minimum rates on line, minimum premium, minimum retention and the scarcity load are market
conventions for which no published figure was found: they are **assumptions**, in the ranges
brokers describe (ordinary crime cover about 1% of limit, hot-wallet cover up to 10–20%:
Bloomberg, 2022), and every one is a setting.
"""

from .quote import (
    REASONS,
    MarketPrice,
    cover_type,
    distorted_layer_premium,
    market_grid,
    market_premiums,
    price_market,
)
from .terms import (
    COVER_TYPES,
    CURVE_FAMILIES,
    DEFAULT_TERMS,
    Capacity,
    CoverTerms,
    MarketCurve,
    MarketTerms,
    ph_exponent,
)

__all__ = [
    "COVER_TYPES",
    "CURVE_FAMILIES",
    "DEFAULT_TERMS",
    "REASONS",
    "Capacity",
    "CoverTerms",
    "MarketCurve",
    "MarketPrice",
    "MarketTerms",
    "cover_type",
    "distorted_layer_premium",
    "market_grid",
    "market_premiums",
    "ph_exponent",
    "price_market",
]
