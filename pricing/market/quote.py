"""Market premiums of layers: the curve integral, the floors, the capacity gate, the quote.

See :mod:`pricing.market` for the formula and its sources.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..aggregate import Frequency
from ..distributions import LossDistribution
from .terms import COVER_TYPES, DEFAULT_TERMS, MarketCurve, MarketTerms


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
    "price": "the market's floors put the premium above the limit (rate on line over 100%)",
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
    placeable (reason code ``"retention"``, ``"capacity"`` or ``"price"``: the premium would exceed
    the limit; ``""`` when placeable).
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
    loaded = base * (1.0 + load)
    reason = np.where((reason == "") & (loaded > lim * factor), "price", reason)
    premium = np.where(reason == "", loaded, np.inf)
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
        if self.reason == "price":
            return f"{REASONS['price']}: limit USD {self.placed_limit:,.0f}"
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
