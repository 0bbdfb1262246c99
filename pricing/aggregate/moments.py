"""Closed-form moments of the yearly aggregate loss (Loss Models §9.3), and of a grid."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ..counts import Frequency
from ..distributions import LossDistribution

__all__ = ["CompoundMoments", "compound_moments"]


@dataclass(frozen=True, slots=True)
class CompoundMoments:
    """Mean, variance and third central moment of a loss (USD, USD², USD³).

    ``inf`` marks a moment that does not exist (a severity moment is infinite). CV and skewness
    then are ``inf`` too: the limit of the capped model as the cap grows.
    """

    mean: float
    variance: float
    third_central: float

    @property
    def std(self) -> float:
        """Standard deviation (USD)."""
        return math.sqrt(self.variance) if self.variance >= 0 else math.nan

    @property
    def cv(self) -> float:
        """Coefficient of variation ``std / mean``."""
        if not (math.isfinite(self.mean) and math.isfinite(self.variance)):
            return math.inf
        return self.std / self.mean if self.mean > 0 else math.nan

    @property
    def skewness(self) -> float:
        """``E[(S − ES)³] / Var(S)^{3/2}``."""
        if not math.isfinite(self.third_central) or not math.isfinite(self.variance):
            return math.inf
        return self.third_central / self.variance**1.5 if self.variance > 0 else math.nan


def _compound(freq: Frequency, mean_x: float, var_x: float, k3_x: float) -> CompoundMoments:
    """Moments of ``S`` from the central moments of X and N (Loss Models §9.3).

    ``E[S] = E[N] E[X]``, ``Var S = E[N] Var X + Var N E[X]²`` and
    ``E[(S − ES)³] = E[N] E[(X − EX)³] + 3 Var N E[X] Var X + E[(N − EN)³] E[X]³`` (from the
    cumulant generating function ``K_S(t) = K_N(K_X(t))``).
    """
    en, vn, kn = freq.mean, freq.variance, freq.third_central_moment
    if not math.isfinite(mean_x):
        return CompoundMoments(math.inf, math.inf, math.inf)
    mean = en * mean_x
    if not math.isfinite(var_x):
        return CompoundMoments(mean, math.inf, math.inf)
    variance = en * var_x + vn * mean_x**2
    if not math.isfinite(k3_x):
        return CompoundMoments(mean, variance, math.inf)
    third = en * k3_x + 3.0 * vn * mean_x * var_x + kn * mean_x**3
    return CompoundMoments(mean, variance, third)


def _severity_central_moments(severity: LossDistribution) -> tuple[float, float, float]:
    """``(E[X], Var X, E[(X − EX)³])`` from the raw moments of the distribution.

    Cached per (hashable, frozen) distribution: for capped or truncated severities the second
    and third moments come from numerical integration in :mod:`pricing.distributions`, which
    costs about 10 ms each.
    """
    try:
        return _cached_central_moments(severity)
    except TypeError:  # an unhashable user-defined distribution
        return _central_moments(severity)


def _central_moments(severity: LossDistribution) -> tuple[float, float, float]:
    m1 = float(severity.moment(1))
    if not math.isfinite(m1):
        return math.inf, math.inf, math.inf
    m2 = float(severity.moment(2))
    if not math.isfinite(m2):
        return m1, math.inf, math.inf
    var = max(m2 - m1 * m1, 0.0)
    m3 = float(severity.moment(3))
    if not math.isfinite(m3):
        return m1, var, math.inf
    return m1, var, m3 - 3.0 * m1 * m2 + 2.0 * m1**3


_cached_central_moments = functools.lru_cache(maxsize=256)(_central_moments)


def compound_moments(frequency: Frequency, severity: LossDistribution) -> CompoundMoments:
    """Closed-form mean, variance and third central moment of the yearly aggregate loss.

    Parameters
    ----------
    frequency : Poisson, NegativeBinomial or Binomial
        Number of losses per year.
    severity : LossDistribution
        Size of one loss (USD); ``severity.moment(k)`` gives the raw moments (``inf`` when they
        do not exist, e.g. a Lomax with shape ≤ k).

    Returns
    -------
    CompoundMoments
        ``inf`` for every moment that needs an infinite severity moment.

    Examples
    --------
    >>> from pricing.distributions import Gamma
    >>> from pricing.counts import Poisson
    >>> cm = compound_moments(Poisson(3.0), Gamma(1.0, 10.0))   # exponential, mean 10
    >>> round(cm.mean, 9), round(cm.variance, 9)                # λθ, 2λθ²
    (30.0, 600.0)
    """
    return _compound(frequency, *_severity_central_moments(severity))


def _grid_central_moments(x: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    """Mean, variance and third central moment of the probabilities ``p`` on ``x``.

    The probabilities are used as they are (not renormalised): mass beyond the grid is left
    out, which is what the audit is meant to show.
    """
    # elementwise sums, not np.dot: a BLAS dot of long vectors wakes OpenBLAS threads that
    # busy-wait on a shared machine
    mean = float(np.sum(x * p))
    dev = x - mean
    dev2p = dev * dev * p
    var = float(np.sum(dev2p))
    third = float(np.sum(dev2p * dev))
    return mean, var, third
