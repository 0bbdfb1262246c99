"""Goodness of fit of a severity fit against the conditional (reported-loss) law:
plotting positions for QQ/PP data, Kolmogorov–Smirnov and Anderson–Darling statistics
(Loss Models 4th ed., ch. 16).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..distributions import LossDistribution


def _plotting_positions(n: int) -> np.ndarray:
    return (np.arange(1, n + 1) - 0.5) / n


def _ks(x: np.ndarray, dist: LossDistribution) -> tuple[float, float]:
    """``D = sup |F_n − F|`` for sorted ``x`` and its p-value from the exact null law.

    Loss Models 4th ed. §16.4.1, with F the conditional cdf; same as
    ``scipy.stats.kstest(x, cdf, method="exact")``.
    """
    n = len(x)
    f = _arr(dist.cdf(x))
    i = np.arange(1, n + 1)
    d = float(max(np.max(i / n - f), np.max(f - (i - 1) / n)))
    from scipy import stats  # only when a fit is tested

    return d, float(stats.kstwo.sf(d, n))


def _anderson_darling(x: np.ndarray, dist: LossDistribution) -> float:
    """``A² = −n − (1/n) Σ (2i − 1) [ln F(x₍ᵢ₎) + ln S(x₍ₙ₊₁₋ᵢ₎)]`` for sorted ``x``.

    Loss Models 4th ed. §16.4.2 with F the conditional cdf (left truncation at t, no
    censoring); ``S`` is taken from ``dist.sf`` so the far tail keeps its precision.
    """
    n = len(x)
    tiny = np.finfo(float).tiny
    log_f = np.log(np.maximum(_arr(dist.cdf(x)), tiny))
    log_s = np.log(np.maximum(_arr(dist.sf(x)), tiny))
    i = np.arange(1, n + 1)
    return float(-n - np.sum((2 * i - 1) * (log_f + log_s[::-1])) / n)


def _arr(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=float)
