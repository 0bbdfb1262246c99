"""The market's terms for theft cover: curves by cover type, floors, retention and capacity.

Sources and the reasoning behind each default are in :mod:`pricing.market`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy import special

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
