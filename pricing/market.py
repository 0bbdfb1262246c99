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

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy import special

from .aggregate import Frequency
from .distributions import LossDistribution

__all__ = [
    "COVER_TYPES",
    "DEFAULT_TERMS",
    "Capacity",
    "CoverTerms",
    "MarketCurve",
    "MarketPrice",
    "MarketTerms",
    "cover_type",
    "distorted_layer_premium",
    "market_premiums",
    "price_market",
]

COVER_TYPES = ("cold", "hot", "provider")
CURVE_FAMILIES = ("ph", "wang")
#: PoleStar Re 2024-1 (Artemis deal directory): expected loss and spread of a cyber cat bond.
POLESTAR_EL, POLESTAR_SPREAD = 0.0126, 0.13
#: Average multiple of cat bonds issued in 2023 (Artemis dashboard), at a 1% reference EL.
CAT_BOND_MULTIPLE_2023, REFERENCE_EL = 4.54, 0.01


def ph_exponent(expected_loss: float, spread: float) -> float:
    """``p`` with ``spread = expected_loss^p``: a total-loss layer under ``g(s) = s^p``."""
    return math.log(spread) / math.log(expected_loss)


# --------------------------------------------------------------------------------------------
# Terms
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MarketCurve:
    """A distortion ``g`` of exceedance probabilities and a multiplicative ``scale``.

    ``family`` ``"ph"``: ``g(s) = s^p``, ``parameter = p`` in (0, 1] (smaller: dearer remote
    layers); ``"wang"``: ``g(s) = Φ(Φ⁻¹(s) + λ)``, ``parameter = λ`` ≥ 0.
    """

    family: str = "ph"
    parameter: float = 0.7
    scale: float = 1.0
    source: str = ""

    def __post_init__(self) -> None:
        problems = []
        if self.family not in CURVE_FAMILIES:
            problems.append(f"'family' must be one of {', '.join(CURVE_FAMILIES)}")
        elif self.family == "ph" and not (0 < self.parameter <= 1):
            problems.append(f"PH exponent 'parameter' must be in (0, 1], got {self.parameter!r}")
        elif self.family == "wang" and not (0 <= self.parameter <= 5):
            problems.append(f"Wang 'parameter' λ must be in [0, 5], got {self.parameter!r}")
        if not (math.isfinite(self.scale) and self.scale > 0):
            problems.append(f"'scale' must be > 0, got {self.scale!r}")
        if problems:
            raise ValueError("invalid market curve: " + "; ".join(problems))

    def g(self, s: Any) -> np.ndarray:
        """The distortion, applied to probabilities ``s`` in [0, 1]."""
        s = np.clip(np.asarray(s, dtype=float), 0.0, 1.0)
        if self.family == "ph":
            return s**self.parameter
        return special.ndtr(special.ndtri(s) + self.parameter)

    def describe(self) -> str:
        """``g`` and its parameters in words."""
        name = (
            f"g(s) = s^{self.parameter:.4g}"
            if self.family == "ph"
            else f"g(s) = Φ(Φ⁻¹(s) + {self.parameter:.4g})"
        )
        return name + (f", scale {self.scale:.4g}" if self.scale != 1 else "")


@dataclass(frozen=True, slots=True)
class CoverTerms:
    """The market's curve and minimum rate on line for one cover type."""

    curve: MarketCurve
    minimum_rate_on_line: float

    def __post_init__(self) -> None:
        if not (0 <= self.minimum_rate_on_line < 1):
            raise ValueError(
                f"invalid cover terms: 'minimum_rate_on_line' must be in [0, 1), "
                f"got {self.minimum_rate_on_line!r}"
            )


@dataclass(frozen=True, slots=True)
class Capacity:
    """How much limit the market will write for one insured (USD).

    ``by_attachment``: ``(attachment, capacity)`` pairs: a layer attaching at or above
    ``attachment`` finds at most ``capacity`` of total limit (the last pair at or below the
    attachment applies; default USD 600m everywhere, Aon 2021). ``per_insured_usd`` caps every
    tier. A scarcity load ``scarcity_load × ((u − start) / (1 − start))²`` applies when the
    insured's total limit up to the layer's top uses a share ``u > start`` of the capacity;
    beyond ``u = 1`` the layer is not placeable. ``scarcity_start`` 0.5 and ``scarcity_load``
    0.5 (+50% at full capacity) are **assumptions**.
    """

    per_insured_usd: float = 600e6
    by_attachment: tuple[tuple[float, float], ...] = ((0.0, 600e6),)
    scarcity_start: float = 0.5
    scarcity_load: float = 0.5

    def __post_init__(self) -> None:
        problems = []
        if not (math.isfinite(self.per_insured_usd) and self.per_insured_usd > 0):
            problems.append(f"'per_insured_usd' must be > 0, got {self.per_insured_usd!r}")
        tiers = self.by_attachment
        if not tiers or any(len(t) != 2 or t[0] < 0 or not t[1] > 0 for t in tiers):
            problems.append("'by_attachment' needs (attachment >= 0, capacity > 0) pairs")
        elif tiers[0][0] != 0 or any(b[0] <= a[0] for a, b in itertools.pairwise(tiers)):
            problems.append("'by_attachment' must start at attachment 0 and increase")
        if not (0 <= self.scarcity_start < 1):
            problems.append(f"'scarcity_start' must be in [0, 1), got {self.scarcity_start!r}")
        if not (0 <= self.scarcity_load <= 5):
            problems.append(f"'scarcity_load' must be in [0, 5], got {self.scarcity_load!r}")
        if problems:
            raise ValueError("invalid capacity: " + "; ".join(problems))

    def available(self, attachment: Any) -> np.ndarray:
        """Total limit the market writes for a layer attaching at ``attachment`` (USD)."""
        points = np.array([t[0] for t in self.by_attachment])
        amounts = np.array([t[1] for t in self.by_attachment])
        k = np.searchsorted(points, np.asarray(attachment, dtype=float), side="right") - 1
        return np.minimum(amounts[np.clip(k, 0, None)], self.per_insured_usd)

    def load(self, used: Any, attachment: Any) -> tuple[np.ndarray, np.ndarray]:
        """Scarcity load and share of capacity used (``used``: total limit to the layer's top)."""
        share = np.asarray(used, dtype=float) / self.available(attachment)
        over = np.clip((share - self.scarcity_start) / (1.0 - self.scarcity_start), 0.0, None)
        return self.scarcity_load * over**2, share


def _default_cover_terms() -> tuple[tuple[str, CoverTerms], ...]:
    cyber = ph_exponent(POLESTAR_EL, POLESTAR_SPREAD)
    cat = 1.0 - math.log(CAT_BOND_MULTIPLE_2023) / math.log(1.0 / REFERENCE_EL)
    return (
        (
            "cold",
            CoverTerms(
                MarketCurve("ph", cat, source="Artemis 2023 cat bond multiple 4.54x at EL 1%"),
                0.005,
            ),
        ),
        (
            "hot",
            CoverTerms(MarketCurve("ph", cyber, source="PoleStar Re 2024-1 (Artemis)"), 0.03),
        ),
        (
            "provider",
            CoverTerms(MarketCurve("ph", cyber, source="PoleStar Re 2024-1 (Artemis)"), 0.01),
        ),
    )


@dataclass(frozen=True, slots=True)
class MarketTerms:
    """Everything the market imposes on a layer (see the module docstring for sources).

    Attributes
    ----------
    covers : ``(cover type, CoverTerms)`` for each of :data:`COVER_TYPES`. Minimum rates on
        line (assumptions): cold 0.5%, hot 3%, provider route 1%.
    minimum_multiple : premium ≥ this × expected loss (2; Artemis).
    minimum_premium_usd : smallest premium written (USD 50,000; assumption).
    minimum_retention_usd, minimum_retention_share : no first-dollar cover: retention ≥
        ``max(USD 1m, 5% of the limit)`` (assumptions).
    capacity : :class:`Capacity`.
    technical_floor : the market premium is never below the technical premium.
    """

    covers: tuple[tuple[str, CoverTerms], ...] = field(default_factory=_default_cover_terms)
    minimum_multiple: float = 2.0
    minimum_premium_usd: float = 50_000.0
    minimum_retention_usd: float = 1e6
    minimum_retention_share: float = 0.05
    capacity: Capacity = field(default_factory=Capacity)
    technical_floor: bool = True

    def __post_init__(self) -> None:
        problems = []
        if sorted(dict(self.covers)) != sorted(COVER_TYPES):
            problems.append(f"'covers' must give terms for each of {', '.join(COVER_TYPES)}")
        if not (1 <= self.minimum_multiple <= 50):
            problems.append(f"'minimum_multiple' must be in [1, 50], got {self.minimum_multiple!r}")
        if not self.minimum_premium_usd >= 0:
            problems.append("'minimum_premium_usd' must be >= 0")
        if not (math.isfinite(self.minimum_retention_usd) and self.minimum_retention_usd >= 0):
            problems.append("'minimum_retention_usd' must be a finite amount >= 0")
        if not (0 <= self.minimum_retention_share < 1):
            problems.append("'minimum_retention_share' must be in [0, 1)")
        if problems:
            raise ValueError("invalid market terms: " + "; ".join(problems))

    def cover(self, kind: str) -> CoverTerms:
        """Terms of one cover type."""
        return dict(self.covers)[kind]

    def with_curve(self, curve: MarketCurve, minimum_rate_on_line: float | None = None) -> Any:
        """The same terms with ``curve`` for every cover type (e.g. fitted to quotes); a
        given ``minimum_rate_on_line`` lowers each cover type's floor to at most it."""
        covers = tuple(
            (
                k,
                CoverTerms(
                    curve,
                    t.minimum_rate_on_line
                    if minimum_rate_on_line is None
                    else min(t.minimum_rate_on_line, minimum_rate_on_line),
                ),
            )
            for k, t in self.covers
        )
        return replace(self, covers=covers)

    def minimum_retention(self, limit: Any) -> np.ndarray:
        """Smallest retention the market accepts for a layer of this limit (USD)."""
        return np.maximum(self.minimum_retention_usd, self.minimum_retention_share * limit)

    def table(self) -> list[dict[str, Any]]:
        """The terms as rows (setting, value, basis) for display and exports."""
        rows = [
            {
                "setting": f"{k} curve",
                "value": t.curve.describe(),
                "basis": t.curve.source or "user setting",
            }
            for k, t in self.covers
        ]
        rows += [
            {
                "setting": f"{k} minimum rate on line",
                "value": t.minimum_rate_on_line,
                "basis": "assumption (no published figure)",
            }
            for k, t in self.covers
        ]
        cap = self.capacity
        rows += [
            {"setting": "minimum multiple of expected loss", "value": self.minimum_multiple,
             "basis": "Artemis: quarterly average multiple above 2 since 2020"},
            {"setting": "minimum premium (USD)", "value": self.minimum_premium_usd,
             "basis": "assumption"},
            {"setting": "minimum retention (USD)", "value": self.minimum_retention_usd,
             "basis": "assumption: no first-dollar cover"},
            {"setting": "minimum retention (share of limit)",
             "value": self.minimum_retention_share, "basis": "assumption"},
            {"setting": "capacity per insured (USD)", "value": cap.per_insured_usd,
             "basis": "Aon via Risk & Insurance (2021): USD 600m seen, 1bn not available"},
            {"setting": "scarcity load at full capacity", "value": cap.scarcity_load,
             "basis": f"assumption, from {cap.scarcity_start:.0%} of capacity"},
        ]  # fmt: skip
        return rows


DEFAULT_TERMS = MarketTerms()


# --------------------------------------------------------------------------------------------
# The curve premium of layers
# --------------------------------------------------------------------------------------------
def _atoms(severity: Any) -> list[float]:
    """Caps of a (mixture of) capped severities: where the survival function jumps."""
    out = []
    cap = getattr(severity, "cap", None)
    if cap is not None and math.isfinite(cap):
        out.append(float(cap))
    for attr in ("base",):
        if hasattr(severity, attr):
            out += _atoms(getattr(severity, attr))
    for component in getattr(severity, "components", ()):
        out += _atoms(component)
    return out


def distorted_layer_premium(
    frequency: Frequency,
    severity: LossDistribution,
    retentions: Any,
    limits: Any,
    curves: Sequence[MarketCurve],
    points: int = 4000,
) -> np.ndarray:
    """``∫_d^{d+l} g(OEP(x)) dx`` (USD) for each curve and every ``(retention, limit)`` pair.

    ``retentions`` and ``limits`` broadcast together; the result has the curves along a new
    first axis. The integral is cumulated once by the trapezoid rule on a grid holding every
    ``d`` and ``d + l`` exactly, geometric and linear points to the largest theft, and both sides
    of each cap where the survival function jumps (relative error below 1e-5 against
    adaptive quadrature, ``tests/test_market.py``).
    """
    d, lim = np.broadcast_arrays(
        np.asarray(retentions, dtype=float), np.asarray(limits, dtype=float)
    )
    top = float(severity.upper)
    ends = np.concatenate([d.ravel(), (d + lim).ravel()])
    reach = top if math.isfinite(top) else float(np.max(ends[np.isfinite(ends)], initial=1.0))
    caps = [c for c in _atoms(severity) if c <= reach]
    grid = np.concatenate(
        [
            [0.0],
            np.geomspace(reach * 1e-9, reach, points),
            np.linspace(0.0, reach, points // 4),
            caps,
            [c * (1 - 1e-12) for c in caps],
            np.minimum(ends[np.isfinite(ends)], reach),
        ]
    )
    x = np.unique(grid)
    oep = np.asarray(frequency.prob_at_least_one(np.asarray(severity.sf(x), dtype=float)))
    out = []
    for curve in curves:
        gx = curve.g(oep)
        cum = np.concatenate([[0.0], np.cumsum(0.5 * (gx[1:] + gx[:-1]) * np.diff(x))])

        def at(v: np.ndarray, cum: np.ndarray = cum) -> np.ndarray:
            return np.interp(np.minimum(v, reach), x, cum)

        out.append(curve.scale * (at(d + lim) - at(d)))
    return np.stack(out)


def cover_type(retention: Any, hot_cap: float, third_party_provider: bool) -> np.ndarray:
    """Default cover type of layers attaching at ``retention`` (USD).

    ``hot`` if the layer attaches below the hot-wallet cap (it answers hot-wallet thefts, priced
    as crime cover on the hot float); above it a theft must reach cold keys: ``provider`` if a
    third-party wallet provider sits in the signing path (the route of the largest recent
    thefts, a correlated cyber risk), else ``cold``.
    """
    above = "provider" if third_party_provider else "cold"
    return np.where(np.asarray(retention, dtype=float) < hot_cap, "hot", above)


# --------------------------------------------------------------------------------------------
# Market premiums
# --------------------------------------------------------------------------------------------
REASONS = {
    "retention": "retention below the market's minimum (no first-dollar cover)",
    "capacity": "limit beyond the market's capacity for one insured",
}


def market_premiums(
    curve_premium: Any,
    expected_loss: Any,
    technical: Any,
    retention: Any,
    limit: Any,
    kinds: Any,
    terms: MarketTerms,
    used_capacity: Any = None,
    upfront_factor: Any = 1.0,
) -> dict[str, np.ndarray]:
    """Market premium of layers from their curve premium, expected loss and technical premium.

    ``premium = max(curve, minimum ROL × limit × upfront factor, minimum premium,
    minimum multiple × E[L], technical) × (1 + scarcity load)``; ``inf`` where the layer is not
    placeable (reason code ``"retention"`` or ``"capacity"``; ``""`` when placeable).
    ``used_capacity``: the insured's total limit up to the layer's top (default: the limit).
    ``upfront_factor``: total expected premium / upfront premium (reinstatements), so that
    the upfront rate on line is at least the minimum. All arguments broadcast.
    """
    arrays = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (curve_premium, expected_loss, technical, retention,
                                                limit, upfront_factor)),
        np.asarray(kinds),
    )  # fmt: skip
    curve, el, tech, d, lim, factor, kind = arrays
    min_rol = np.zeros(curve.shape)
    for k in COVER_TYPES:
        min_rol = np.where(kind == k, terms.cover(k).minimum_rate_on_line, min_rol)
    floors = {
        "curve": curve,
        "minimum_rate_on_line": min_rol * lim * factor,
        "minimum_premium": np.full(curve.shape, terms.minimum_premium_usd),
        "minimum_multiple": terms.minimum_multiple * el,
        "technical": tech if terms.technical_floor else np.zeros(curve.shape),
    }
    stacked = np.stack(list(floors.values()))
    base = stacked.max(axis=0)
    basis = np.array(list(floors))[stacked.argmax(axis=0)]
    used = lim if used_capacity is None else np.broadcast_to(used_capacity, lim.shape)
    load, share = terms.capacity.load(used, d)
    reason = np.where(
        d < terms.minimum_retention(lim) - 1e-6,
        "retention",
        np.where(share > 1 + 1e-12, "capacity", ""),
    )
    premium = np.where(reason == "", base * (1.0 + load), np.inf)
    return {
        "premium": premium,
        "base": base,
        "basis": basis,
        "scarcity_load": load,
        "capacity_share": share,
        "minimum_rate_on_line": min_rol,
        "reason": reason,
    }


@dataclass(frozen=True, slots=True)
class MarketPrice:
    """The market's quote for one layer (USD per year), with what set it.

    ``premium`` is ``None``-like (``inf``) when the layer is not placeable; ``basis`` names the
    binding term (``curve``, ``minimum_rate_on_line``, ``minimum_premium``,
    ``minimum_multiple`` or ``technical``).
    """

    cover_type: str
    curve: MarketCurve
    curve_premium: float
    expected_loss: float
    technical_premium: float
    premium: float
    basis: str
    scarcity_load: float
    capacity_share: float
    capacity_available: float
    minimum_rate_on_line: float
    minimum_multiple: float
    minimum_retention: float
    retention: float
    placed_limit: float
    upfront_factor: float
    reason: str

    @property
    def placeable(self) -> bool:
        """Whether the market would write the layer."""
        return not self.reason

    @property
    def reason_text(self) -> str:
        """Why the layer cannot be placed (empty when it can)."""
        if self.reason == "retention":
            return (
                f"{REASONS['retention']}: retention USD {self.retention:,.0f} < USD "
                f"{self.minimum_retention:,.0f}"
            )
        if self.reason == "capacity":
            return (
                f"{REASONS['capacity']}: the insured's limit to the layer's top uses "
                f"{self.capacity_share:.0%} of USD {self.capacity_available:,.0f}"
            )
        return ""

    @property
    def rate_on_line(self) -> float:
        """Upfront premium / placed limit (NaN when not placeable)."""
        if not self.placeable or not math.isfinite(self.placed_limit):
            return math.nan
        return self.premium / self.upfront_factor / self.placed_limit

    @property
    def multiple(self) -> float:
        """Premium / expected loss."""
        return self.premium / self.expected_loss if self.expected_loss > 0 else math.nan

    def audit(self) -> list[tuple[str, bool]]:
        """Checks the quote must pass: each floor holds, the load is applied, and an
        unplaceable layer has no price."""
        if not self.placeable:
            return [("not placeable: no premium", math.isinf(self.premium))]
        slack = 1 - 1e-9
        base = self.premium / (1.0 + self.scarcity_load)
        return [
            ("rate on line ≥ minimum", self.rate_on_line >= self.minimum_rate_on_line * slack),
            ("premium ≥ minimum multiple × E[L]",
             self.premium >= self.minimum_multiple * self.expected_loss * slack),
            ("premium ≥ curve premium", base >= self.curve_premium * slack),
            ("retention ≥ market minimum", self.retention >= self.minimum_retention - 1e-6),
            ("within capacity", self.capacity_share <= 1 + 1e-12),
        ]  # fmt: skip

    @property
    def is_valid(self) -> bool:
        """Every :meth:`audit` check passes."""
        return all(ok for _, ok in self.audit())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "cover_type": self.cover_type,
            "curve": self.curve.describe(),
            "curve_source": self.curve.source,
            "curve_premium": self.curve_premium,
            "market_premium": self.premium if self.placeable else None,
            "basis": self.basis,
            "multiple_of_expected_loss": self.multiple if self.placeable else None,
            "rate_on_line": self.rate_on_line if self.placeable else None,
            "minimum_rate_on_line": self.minimum_rate_on_line,
            "minimum_multiple": self.minimum_multiple,
            "minimum_retention": self.minimum_retention,
            "scarcity_load": self.scarcity_load,
            "capacity_share": self.capacity_share,
            "capacity_available": self.capacity_available,
            "placeable": self.placeable,
            "reason": self.reason_text or None,
            "audit_valid": self.is_valid,
        }


def price_market(
    frequency: Frequency,
    severity: LossDistribution,
    retention: float,
    limit: float,
    expected_loss: float,
    technical_premium: float,
    kind: str,
    terms: MarketTerms = DEFAULT_TERMS,
    share: float = 1.0,
    used_capacity: float | None = None,
    upfront_factor: float = 1.0,
) -> MarketPrice:
    """The market's quote for one per-occurrence layer ``limit xs retention`` (USD).

    The curve prices the per-occurrence layer times the ``share`` placed; aggregate terms
    enter through ``expected_loss`` (minimum multiple) and the technical premium.
    """
    if kind not in COVER_TYPES:
        raise ValueError(f"cover type {kind!r} is not one of {', '.join(COVER_TYPES)}")
    if not math.isfinite(limit):
        raise ValueError("a market price needs a layer with a finite 'limit'")
    curve = terms.cover(kind).curve
    raw = float(distorted_layer_premium(frequency, severity, retention, limit, [curve])[0])
    placed = share * limit
    used = placed if used_capacity is None else used_capacity
    out = market_premiums(
        share * raw, expected_loss, technical_premium, retention, placed, kind, terms, used,
        upfront_factor,
    )  # fmt: skip
    return MarketPrice(
        cover_type=kind,
        curve=curve,
        curve_premium=share * raw,
        expected_loss=expected_loss,
        technical_premium=technical_premium,
        premium=float(out["premium"]),
        basis=str(out["basis"]),
        scarcity_load=float(out["scarcity_load"]),
        capacity_share=float(out["capacity_share"]),
        capacity_available=float(terms.capacity.available(retention)),
        minimum_rate_on_line=float(out["minimum_rate_on_line"]),
        minimum_multiple=terms.minimum_multiple,
        minimum_retention=float(terms.minimum_retention(placed)),
        retention=retention,
        placed_limit=placed,
        upfront_factor=upfront_factor,
        reason=str(out["reason"]),
    )


def market_grid(
    frequency: Frequency,
    severity: LossDistribution,
    retentions: np.ndarray,
    limits: np.ndarray,
    expected_loss: np.ndarray,
    technical: np.ndarray,
    kinds: np.ndarray,
    terms: MarketTerms = DEFAULT_TERMS,
) -> dict[str, np.ndarray]:
    """:func:`market_premiums` of every layer ``limits[j] xs retentions[i]`` of a grid.

    ``expected_loss``, ``technical`` (shape ``(n_r, n_l)``) and ``kinds`` (one cover type per
    retention) come from the caller; every cover type's curve is integrated once.
    """
    d = np.asarray(retentions, dtype=float)[:, None]
    lim = np.asarray(limits, dtype=float)[None, :]
    kinds = np.broadcast_to(np.asarray(kinds)[:, None], (d.size, lim.size))
    used = sorted(str(k) for k in np.unique(kinds))
    curves = [terms.cover(k).curve for k in used]
    raw = distorted_layer_premium(frequency, severity, d, lim, curves)
    curve = np.zeros(np.broadcast_shapes(d.shape, lim.shape))
    for k, values in zip(used, raw, strict=True):
        curve = np.where(kinds == k, values, curve)
    return market_premiums(curve, expected_loss, technical, d, lim, kinds, terms) | {
        "curve_premium": curve
    }
