"""Premium principles: from the distribution of a layer's loss to a technical premium.

A principle turns the loss ``L`` an insurer takes on (USD per year) into a risk premium; the
technical premium then adds expenses, ``P = (risk premium + fixed expense) / (1 − variable
expense ratio)``, and is floored at a minimum premium. Principles (Loss Models §11 and
Wang 1996, "Premium calculation by transforming the layer premium density", ASTIN Bull. 26):

- expected value:      ``(1 + θ) E[L]``
- standard deviation:  ``E[L] + κ σ[L]``
- Wang transform:      ``∫ g(S_L(x)) dx`` with ``g(u) = Φ(Φ⁻¹(u) + λ)``
- cost of capital:     ``E[L] + CoC × (C(L) − E[L])`` with capital ``C`` the tail value at risk
  ``TVaR_99.5%(L)`` by default (or ``VaR_99.5%``, the Solvency II measure). Solvency II uses
  CoC = 6% (Commission Delegated Regulation (EU) 2015/35, Art. 39); a later amendment is
  reported at 4.75%.

Why TVaR by default: a layer that attaches with probability below 0.5% has ``VaR_99.5% = 0``, so
the VaR capital and its risk load vanish there and the premium drops to the expected loss in a
step at ``P(attach) = 0.5%``. ``TVaR_p = VaR_p + E[(L − VaR_p)+] / (1 − p)`` is continuous in
the layer and positive for every layer with a loss, so remote layers carry a risk load too
(``TVaR = E[L] / (1 − p)`` once ``P(L > 0) ≤ 1 − p``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

__all__ = [
    "CAPITAL_MEASURES",
    "PRINCIPLES",
    "LoadingAssumptions",
    "LossMoments",
    "TechnicalPremium",
    "gross_premium",
    "risk_premiums",
    "step_wang_premium",
    "technical_premium",
    "wang_premium",
]

PRINCIPLES = ("expected_value", "std_dev", "wang", "cost_of_capital")
CAPITAL_MEASURES = ("tvar", "var")
SurvivalFunction = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True, slots=True)
class LoadingAssumptions:
    """Risk and expense loadings (all editable assumptions, shown next to every quote).

    theta: expected-value loading; kappa: standard-deviation multiple; wang_lambda: Wang
    transform shift; cost_of_capital: yearly rate on capital held (6%, Solvency II);
    capital_measure: ``tvar`` (default) or ``var``; capital_level: level of that measure;
    expense_fixed_usd: fixed expense per policy-year;
    expense_ratio: variable expenses and commission as a share of premium; minimum_premium_usd.
    """

    theta: float = 0.5
    kappa: float = 0.25
    wang_lambda: float = 0.3
    cost_of_capital: float = 0.06
    capital_level: float = 0.995
    capital_measure: str = "tvar"
    expense_fixed_usd: float = 25_000.0
    expense_ratio: float = 0.20
    minimum_premium_usd: float = 50_000.0

    def __post_init__(self) -> None:
        checks = {
            "theta": self.theta >= 0,
            "kappa": self.kappa >= 0,
            "wang_lambda": self.wang_lambda >= 0,
            "cost_of_capital": 0 <= self.cost_of_capital < 1,
            "capital_level": 0.5 < self.capital_level < 1,
            "expense_fixed_usd": self.expense_fixed_usd >= 0,
            "expense_ratio": 0 <= self.expense_ratio < 1,
            "minimum_premium_usd": self.minimum_premium_usd >= 0,
            "capital_measure": self.capital_measure in CAPITAL_MEASURES,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            values = ", ".join(f"{name}={getattr(self, name)!r}" for name in bad)
            raise ValueError(
                f"invalid loading assumptions: {values} (loadings and expenses "
                "must be >= 0, ratios below 1, capital level in (0.5, 1))"
            )


@dataclass(frozen=True, slots=True)
class LossMoments:
    """What the principles need to know about a layer's yearly loss ``L`` (USD).

    ``mean`` and ``std`` should come from closed forms or tail-corrected numerics (see
    :mod:`pricing.aggregate`); ``var_capital`` and ``tvar_capital`` are ``VaR`` and ``TVaR`` at
    the capital level (``tvar_capital`` NaN: not known, the VaR capital is used). For the Wang
    transform give either ``sf``, the survival function of ``L`` on ``[0, upper]``, or
    ``distorted``, a function ``λ ↦ ∫ g_λ(S_L(x)) dx`` (e.g. :func:`step_wang_premium` on a
    grid).
    """

    mean: float
    std: float
    var_capital: float
    sf: SurvivalFunction | None = None
    upper: float = math.inf
    distorted: Callable[[float], float] | None = None
    tvar_capital: float = math.nan

    def capital(self, measure: str) -> float:
        """Capital by ``measure`` (``tvar`` or ``var``)."""
        if measure == "tvar" and not math.isnan(self.tvar_capital):
            return self.tvar_capital
        return self.var_capital

    def wang(self, lam: float) -> float:
        """Wang-transformed expected loss at shift ``λ`` (USD)."""
        if self.distorted is not None:
            return self.distorted(lam)
        if self.sf is None:
            raise ValueError("loss moments: the Wang transform needs 'sf' or 'distorted'")
        return wang_premium(self.sf, self.upper, lam)


def wang_premium(sf: SurvivalFunction, upper: float, lam: float, *, points: int = 4001) -> float:
    """``∫_0^upper Φ(Φ⁻¹(S(x)) + λ) dx`` for a loss bounded by ``upper`` (USD).

    Integrated by the trapezoid rule on a grid that is dense near 0, where most of the layer's
    survival probability changes. With ``λ = 0`` this is ``E[L]``.
    """
    if not math.isfinite(upper):
        raise ValueError("wang_premium needs a bounded loss (a finite layer limit)")
    if upper <= 0:
        return 0.0
    x = np.unique(
        np.concatenate([np.linspace(0.0, upper, points), upper * np.geomspace(1e-9, 1.0, points)])
    )
    # S jumps to 0 at a layer's limit (an atom of the loss there): use its left limit.
    s = np.clip(np.asarray(sf(np.minimum(x, upper * (1 - 1e-12))), dtype=float), 0.0, 1.0)
    g = special.ndtr(special.ndtri(s) + lam)
    return float(np.trapezoid(g, x))


def step_wang_premium(x: np.ndarray, sf_at_x: np.ndarray, lam: float) -> Any:
    """``∫ g(S(y)) dy`` for a discrete loss on the increasing points ``x`` (USD).

    ``S`` is constant, equal to ``sf_at_x[k] = P(L > x_k)``, on ``[x_k, x_{k+1})``, so the
    integral is the sum ``Σ g(S_k)(x_{k+1} − x_k)`` (exact for the discrete law; the last
    point must carry ``S = 0``). Works along the last axis, for many layers at once.
    """
    g = special.ndtr(special.ndtri(np.clip(sf_at_x[..., :-1], 0.0, 1.0)) + lam)
    return np.sum(g * np.diff(x, axis=-1), axis=-1)


def risk_premiums(moments: LossMoments, loadings: LoadingAssumptions) -> dict[str, float]:
    """Risk premium (USD per year) by each principle, before expenses."""
    m = moments.mean
    return {
        "expected_value": (1.0 + loadings.theta) * m,
        "std_dev": m + loadings.kappa * moments.std,
        "wang": max(moments.wang(loadings.wang_lambda), m),
        "cost_of_capital": m
        + loadings.cost_of_capital * max(moments.capital(loadings.capital_measure) - m, 0.0),
    }


@dataclass(frozen=True, slots=True)
class TechnicalPremium:
    """A premium with its build-up (USD per year) and the ratios insurers quote."""

    principle: str
    expected_loss: float
    risk_premium: float
    gross_premium: float
    minimum_applied: bool
    limit: float

    @property
    def rate_on_line(self) -> float:
        """Premium / limit (ROL)."""
        return self.gross_premium / self.limit if self.limit > 0 else math.nan

    @property
    def loss_ratio(self) -> float:
        """Expected loss / premium."""
        return self.expected_loss / self.gross_premium if self.gross_premium > 0 else math.nan


def _loaded(risk: Any, loadings: LoadingAssumptions) -> Any:
    return (risk + loadings.expense_fixed_usd) / (1.0 - loadings.expense_ratio)


def gross_premium(risk: Any, loadings: LoadingAssumptions) -> Any:
    """``max(minimum, (risk premium + fixed expense) / (1 − expense ratio))`` (USD; arrays too)."""
    return np.maximum(_loaded(risk, loadings), loadings.minimum_premium_usd)


def technical_premium(
    moments: LossMoments,
    limit: float,
    loadings: LoadingAssumptions,
    principle: str = "cost_of_capital",
) -> TechnicalPremium:
    """Gross premium ``max(minimum, (risk premium + fixed expense) / (1 − expense ratio))``."""
    if principle not in PRINCIPLES:
        raise ValueError(f"principle '{principle}' is not one of {', '.join(PRINCIPLES)}")
    risk = risk_premiums(moments, loadings)[principle]
    gross = _loaded(risk, loadings)
    floored = float(gross_premium(risk, loadings))
    return TechnicalPremium(
        principle=principle,
        expected_loss=moments.mean,
        risk_premium=risk,
        gross_premium=floored,
        minimum_applied=floored > gross,
        limit=limit,
    )
