"""A layer's and a tower's terms, and how insurance differs from cash in hand (frictions)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class Layer:
    """One insurance layer (amounts in USD).

    Attributes
    ----------
    retention : per-occurrence retention (attachment point) ``d`` ≥ 0.
    limit : per-occurrence limit ``l`` > 0 (``inf``: unlimited; then no rate on line).
    share : insurer's coinsurance share ``c`` in (0, 1] (the rest stays with the exchange).
    agg_retention : annual aggregate retention ``a`` ≥ 0 on the layer's yearly total.
    agg_limit : annual aggregate limit ``A`` > 0 (``inf``: none, or set by reinstatements).
    reinstatements : number ``k`` of reinstatements of the limit, or ``None`` for unlimited.
    reinstatement_rate : cost of one full reinstatement as a share of the upfront premium.
    name : label for tables.
    """

    retention: float
    limit: float
    share: float = 1.0
    agg_retention: float = 0.0
    agg_limit: float = math.inf
    reinstatements: int | None = None
    reinstatement_rate: float = 1.0
    name: str = ""

    def __post_init__(self) -> None:
        problems = []
        if not (_number(self.retention) and self.retention >= 0 and math.isfinite(self.retention)):
            problems.append(f"'retention' must be a finite amount >= 0 USD, got {self.retention!r}")
        if not (_number(self.limit) and self.limit > 0):
            problems.append(f"'limit' must be > 0 USD (inf for unlimited), got {self.limit!r}")
        if not (_number(self.share) and 0 < self.share <= 1):
            problems.append(f"'share' must be in (0, 1], got {self.share!r}")
        if not (_number(self.agg_retention) and 0 <= self.agg_retention < math.inf):
            problems.append(
                f"'agg_retention' must be a finite amount >= 0 USD, got {self.agg_retention!r}"
            )
        if not (_number(self.agg_limit) and self.agg_limit > 0):
            problems.append(f"'agg_limit' must be > 0 USD (inf for none), got {self.agg_limit!r}")
        k = self.reinstatements
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 0):
            problems.append(f"'reinstatements' must be an integer >= 0 or None, got {k!r}")
        if not (_number(self.reinstatement_rate) and 0 <= self.reinstatement_rate <= 2):
            problems.append(
                f"'reinstatement_rate' must be in [0, 2] (share of the upfront premium), "
                f"got {self.reinstatement_rate!r}"
            )
        if problems:
            label = f" '{self.name}'" if self.name else ""
            raise ValueError(f"invalid layer{label}: " + "; ".join(problems))

    @property
    def exhaustion_point(self) -> float:
        """Per-occurrence exhaustion point ``d + l`` (USD)."""
        return self.retention + self.limit

    @property
    def annual_limit(self) -> float:
        """Most the layer pays in a year before the share, ``min(A, (k + 1) l)`` (USD)."""
        if self.reinstatements is None:
            return self.agg_limit
        return min(self.agg_limit, (self.reinstatements + 1) * self.limit)

    @property
    def label(self) -> str:
        """Name, or ``USD l xs d`` in millions."""
        if self.name:
            return self.name
        top = f"{self.limit / 1e6:,.4g}m" if math.isfinite(self.limit) else "unlimited"
        return f"{top} xs {self.retention / 1e6:,.4g}m"

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Layer:
        """Build from a dictionary (e.g. a CSV row); unknown fields are named in the error."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"invalid layer: unknown field(s) {', '.join(unknown)}")
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Tower:
    """Layers stacked on top of each other (ordered by retention, not overlapping)."""

    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        if not self.layers:
            raise ValueError("invalid tower: it needs at least one layer")
        ordered = sorted(self.layers, key=lambda layer: layer.retention)
        for lower, upper in itertools.pairwise(ordered):
            if upper.retention < lower.exhaustion_point - 1e-6:
                raise ValueError(
                    f"invalid tower: layer {upper.label} starts at USD {upper.retention:,.0f}, "
                    f"inside layer {lower.label} (which ends at USD "
                    f"{lower.exhaustion_point:,.0f})"
                )
        object.__setattr__(self, "layers", tuple(ordered))


@dataclass(frozen=True, slots=True)
class InsuranceFrictions:
    """Why an insured loss is not cash in hand (domain brief §3.6–3.8, §4.8).

    Attributes
    ----------
    dispute_probability : chance a claim is disputed or excluded and never paid (in [0, 1]).
        Default 0.15 is an **assumption**: the brief documents the exclusions (insider
        collusion, social engineering, vendor systems; §3.6) and asks for an explicit
        parameter, but no published denial rate exists.
    payment_delay_months : months from the loss to the insurer's payment. Default 6: crime
        forms ask for proof of loss within 4–6 months of discovery (§3.7 [77]).
    insurer_default_probability : yearly chance the insurer cannot pay. Default 0.005 is an
        **assumption** (no source; set it from the insurer's rating).
    recovery_rate : share recovered from a defaulted insurer. Default 0.4 is an
        **assumption** (no source).
    """

    dispute_probability: float = 0.15
    payment_delay_months: float = 6.0
    insurer_default_probability: float = 0.005
    recovery_rate: float = 0.4

    def __post_init__(self) -> None:
        checks = {
            "dispute_probability": 0 <= self.dispute_probability <= 1,
            "payment_delay_months": 0 <= self.payment_delay_months <= 120,
            "insurer_default_probability": 0 <= self.insurer_default_probability <= 1,
            "recovery_rate": 0 <= self.recovery_rate <= 1,
        }
        bad = [f"{k}={getattr(self, k)!r}" for k, ok in checks.items() if not ok]
        if bad:
            raise ValueError(
                "invalid insurance frictions: "
                + ", ".join(bad)
                + " (probabilities and rates in [0, 1], delay 0-120 months)"
            )

    @property
    def payment_factor(self) -> float:
        """Expected share of a covered loss the insurer actually pays."""
        credit = 1.0 - self.insurer_default_probability * (1.0 - self.recovery_rate)
        return (1.0 - self.dispute_probability) * credit


@dataclass(frozen=True, slots=True)
class Recovery:
    """The exchange's view of an expected yearly insured loss (USD per year)."""

    covered: float
    disputed: float
    credit_loss: float
    recovered: float
    bridging_cost: float


def expected_recovery(
    covered: float, frictions: InsuranceFrictions, funding_rate: float
) -> Recovery:
    """Split an expected covered loss into what is disputed, lost to default and recovered.

    ``bridging_cost = recovered × funding_rate × delay / 12``: the exchange pays customers at
    once and waits for the insurer (simple interest at its funding rate, per year).
    """
    disputed = covered * frictions.dispute_probability
    after_dispute = covered - disputed
    credit = after_dispute * frictions.insurer_default_probability * (1 - frictions.recovery_rate)
    recovered = after_dispute - credit
    bridging = recovered * funding_rate * frictions.payment_delay_months / 12.0
    return Recovery(covered, disputed, credit, recovered, bridging)


def _positive_array(name: str, values: Sequence[float], *, allow_zero: bool) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    bad = ~np.isfinite(arr) | (arr < 0 if allow_zero else arr <= 0)
    if arr.size == 0 or bad.any():
        rule = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name}: every value must be a finite amount {rule} USD")
    return arr


def _number(x: Any) -> bool:
    return (
        isinstance(x, int | float | np.floating | np.integer)
        and not isinstance(x, bool)
        and (not math.isnan(float(x)))
    )


def _ratio(premium: float, limit: float) -> float:
    return premium / limit if math.isfinite(limit) and limit > 0 else math.nan


def _json_number(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _settings() -> Any:
    """The package :mod:`pricing.coverage`, whose settings (``WORKERS``, ``COLUMN_POINTS``,
    ``LAYER_GRID``, ``LAYER_RTOL``, ``LAYER_MIN_LOG2``, ``LAYER_MAX_LOG2``) are read when used,
    so that they can be changed at run time."""
    from .. import coverage

    return coverage
