"""Self-funded liability reserves: size, carrying cost and a multi-year projection.

A reserve is cash or near-cash set aside to compensate customers at once after a theft. It
costs its owner the return the capital could have earned, less what the reserve assets yield
after tax (domain brief §4.9):

    carrying cost = (cost of capital − yield × (1 − tax rate)) × reserve     (USD per year)

Sizing rules: a confidence level of the yearly retained loss (``VaR_p``), a regulatory
minimum (:mod:`pricing.regulation`), or a fixed amount; the reserve is never below the
regulatory floor given to :func:`size_reserve`.

The multi-year view (:func:`project_reserve`) simulates yearly retained losses: each year the
reserve pays what it can, any excess is a customer shortfall, and contributions refill it up
to its target.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .aggregate import AggregateDistribution, Frequency, simulate
from .distributions import LossDistribution
from .profiles import ExchangeProfile

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SIZING_METHODS",
    "ReserveProjection",
    "ReserveSize",
    "ReserveSizing",
    "carrying_cost",
    "carrying_rate",
    "project_reserve",
    "size_reserve",
]

SIZING_METHODS = ("confidence", "regulatory", "fixed")


def carrying_rate(profile: ExchangeProfile) -> float:
    """``cost of capital − yield × (1 − tax)``: yearly cost per USD held in reserve."""
    return profile.cost_of_capital - profile.reserve_yield * (1.0 - profile.tax_rate)


def carrying_cost(reserve_usd: float, profile: ExchangeProfile) -> float:
    """Yearly carrying cost of a reserve (USD per year)."""
    if not (math.isfinite(reserve_usd) and reserve_usd >= 0):
        raise ValueError(f"reserve: must be a finite amount >= 0 USD, got {reserve_usd!r}")
    return carrying_rate(profile) * reserve_usd


@dataclass(frozen=True, slots=True)
class ReserveSizing:
    """How the reserve is sized.

    method : ``confidence`` (``VaR`` of the yearly retained loss at ``level``),
        ``regulatory`` (the regulatory floor) or ``fixed`` (``amount_usd``).
    level : confidence level for ``confidence`` (in (0.5, 1); default 0.995, 1 in 200 years).
    amount_usd : the fixed amount (USD) for ``fixed``.
    """

    method: str = "confidence"
    level: float = 0.995
    amount_usd: float | None = None

    def __post_init__(self) -> None:
        if self.method not in SIZING_METHODS:
            raise ValueError(
                f"reserve sizing: 'method' must be one of {', '.join(SIZING_METHODS)}, "
                f"got {self.method!r}"
            )
        if not (0.5 < self.level < 1):
            raise ValueError(f"reserve sizing: 'level' must be in (0.5, 1), got {self.level!r}")
        if self.method == "fixed" and not (
            self.amount_usd is not None and math.isfinite(self.amount_usd) and self.amount_usd >= 0
        ):
            raise ValueError(
                f"reserve sizing: 'amount_usd' must be a finite amount >= 0 USD for the fixed "
                f"method, got {self.amount_usd!r}"
            )


@dataclass(frozen=True, slots=True)
class ReserveSize:
    """A sized reserve (USD) and why it has that size."""

    amount_usd: float
    basis: str
    floor_usd: float
    floor_binds: bool


def size_reserve(
    sizing: ReserveSizing, retained: AggregateDistribution, floor_usd: float = 0.0
) -> ReserveSize:
    """Reserve for the yearly retained loss ``retained`` under ``sizing``, at least the floor."""
    if not (math.isfinite(floor_usd) and floor_usd >= 0):
        raise ValueError(f"floor_usd: must be a finite amount >= 0 USD, got {floor_usd!r}")
    if sizing.method == "confidence":
        raw = float(retained.value_at_risk(sizing.level))
        basis = f"VaR {sizing.level:g} of the yearly retained loss"
    elif sizing.method == "regulatory":
        raw, basis = 0.0, "regulatory minimum"
    else:
        raw, basis = float(sizing.amount_usd or 0.0), "fixed amount"
    amount = max(raw, floor_usd)
    return ReserveSize(amount, basis, float(floor_usd), floor_usd > raw)


@dataclass(frozen=True, eq=False)
class ReserveProjection:
    """Simulated path of a reserve over ``years`` (USD; probabilities per simulated path)."""

    years: int
    n_sims: int
    initial_usd: float
    target_usd: float
    contribution_usd: float
    p_exhausted: np.ndarray  # P(a shortfall happened by the end of year t), t = 1..years
    expected_shortfall: np.ndarray  # E[customer shortfall in year t]
    mean_balance: np.ndarray  # E[balance at the end of year t, after contributions]
    expected_contributions: np.ndarray  # E[contributions paid in year t]

    def table(self) -> pd.DataFrame:
        """One row per year."""
        import pandas as pd

        return pd.DataFrame(
            {
                "year": np.arange(1, self.years + 1),
                "p_exhausted_by_year": self.p_exhausted,
                "expected_shortfall": self.expected_shortfall,
                "mean_balance": self.mean_balance,
                "expected_contribution": self.expected_contributions,
            }
        )


def project_reserve(
    frequency: Frequency,
    retained_severity: LossDistribution,
    initial_usd: float,
    *,
    years: int = 5,
    target_usd: float | None = None,
    contribution_usd: float | None = None,
    n_sims: int = 20_000,
    seed: int = 1,
    progress: Callable[[float], None] | None = None,
) -> ReserveProjection:
    """Monte Carlo of a reserve over several years.

    Each year: losses ``S_t`` (simulated from ``frequency`` and the per-theft retained loss);
    the reserve pays ``min(S_t, B)``; the shortfall ``(S_t − B)+`` goes uncompensated; then
    contributions of at most ``contribution_usd`` per year (default: the whole gap) refill it
    up to ``target_usd`` (default: the initial amount).
    """
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 50:
        raise ValueError(f"years: must be an integer in [1, 50], got {years!r}")
    for name, value in (
        ("initial_usd", initial_usd),
        ("target_usd", target_usd),
        ("contribution_usd", contribution_usd),
    ):
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name}: must be a finite amount >= 0 USD, got {value!r}")
    if isinstance(n_sims, bool) or not isinstance(n_sims, int) or n_sims < 100:
        raise ValueError(f"n_sims: must be an integer >= 100, got {n_sims!r}")
    target = initial_usd if target_usd is None else float(target_usd)
    top_up = math.inf if contribution_usd is None else float(contribution_usd)
    losses = simulate(frequency, retained_severity, n_sims * years, seed=seed, progress=progress)
    losses = losses.reshape(n_sims, years)
    balance = np.full(n_sims, float(initial_usd))
    hit = np.zeros(n_sims, dtype=bool)
    p_exhausted, shortfall, mean_balance, contributions = (np.empty(years) for _ in range(4))
    for t in range(years):
        short = np.maximum(losses[:, t] - balance, 0.0)
        balance = np.maximum(balance - losses[:, t], 0.0)
        hit |= short > 0
        paid_in = np.minimum(np.maximum(target - balance, 0.0), top_up)
        balance += paid_in
        p_exhausted[t] = hit.mean()
        shortfall[t] = short.mean()
        mean_balance[t] = balance.mean()
        contributions[t] = paid_in.mean()
    return ReserveProjection(
        years,
        n_sims,
        float(initial_usd),
        target,
        top_up,
        p_exhausted,
        shortfall,
        mean_balance,
        contributions,
    )
