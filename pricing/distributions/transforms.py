"""Transforms of a loss-size law (Loss Models §8): reported losses above a threshold
(:class:`Truncated`), losses capped by what the exchange holds (:class:`Capped`), and the
ceded (:class:`Layered`) and retained (:class:`Retained`) parts of a per-occurrence layer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .base import ArrayLike, LossDistribution, _arr, _out


class _NonDecreasing:
    """The law of ``g(X)`` for a non-decreasing ``g`` (a cap, a layer, the retained part of a
    layer): its quantiles are g of X's, and a draw is g of a draw of X, so a transform of a
    mixture draws by composition, without the mixture's quantile search."""

    base: LossDistribution

    def _g(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def ppf(self, q: ArrayLike) -> Any:
        return _out(q, self._g(_arr(self.base.ppf(q))))

    def rvs(self, size: int | tuple[int, ...], rng: np.random.Generator | None = None) -> Any:
        return self._g(_arr(self.base.rvs(size, rng)))


@dataclass(frozen=True)
class Truncated(LossDistribution):
    """``X | X > lower``: the law of losses reported above a threshold (USD).

    ``F_t(x) = (F(x) − F(t)) / S(t)`` and ``E[min(X, u) | X > t] = t + (E[X∧u] − E[X∧t]) / S(t)``
    for u > t (Loss Models §8.2).
    """

    base: LossDistribution
    lower: float

    @cached_property
    def _s_lower(self) -> float:
        s = float(self.base.sf(self.lower))
        if s <= 0:
            raise ValueError(f"truncation point {self.lower:.6g} is beyond the support")
        return s

    @property
    def upper(self) -> float:
        return self.base.upper

    @property
    def family(self) -> str:
        return self.base.family

    def describe(self) -> str:
        return f"{self.base.describe()} | X > {self.lower:.6g}"

    def cdf(self, x: ArrayLike) -> Any:
        xa = _arr(x)
        return _out(
            x, np.where(xa <= self.lower, 0.0, 1.0 - _arr(self.base.sf(xa)) / self._s_lower)
        )

    def sf(self, x: ArrayLike) -> Any:
        xa = _arr(x)
        return _out(x, np.where(xa <= self.lower, 1.0, _arr(self.base.sf(xa)) / self._s_lower))

    def ppf(self, q: ArrayLike) -> Any:
        qa = np.clip(_arr(q), 0.0, 1.0)
        return _out(q, np.maximum(_arr(self.base.isf((1.0 - qa) * self._s_lower)), self.lower))

    def isf(self, p: ArrayLike) -> Any:
        pa = np.clip(_arr(p), 0.0, 1.0)
        return _out(p, np.maximum(_arr(self.base.isf(pa * self._s_lower)), self.lower))

    def lev(self, u: ArrayLike) -> Any:
        x = _arr(u)
        t = self.lower
        above = (
            t + (_arr(self.base.lev(np.maximum(x, t))) - float(self.base.lev(t))) / self._s_lower
        )
        return _out(u, np.where(x <= t, np.maximum(x, 0.0), above))

    def moment(self, k: int = 1) -> float:
        full = self.base.moment(k)
        if not math.isfinite(full):
            return math.inf
        return (
            full
            - self.base.limited_moment(k, self.lower)
            + self.lower**k * float(self.base.sf(self.lower))
        ) / self._s_lower

    def limited_moment(self, k: int, u: float) -> float:
        """``E[(X∧u)^k | X > t] = (E[(X∧u)^k] − E[(X∧t)^k] + t^k S(t)) / S(t)`` for u > t,
        in closed form when the base distribution has one (else by quadrature)."""
        if type(self.base).limited_moment is LossDistribution.limited_moment:
            return super().limited_moment(k, u)
        t, u = self.lower, min(float(u), self.upper)
        if u <= t:
            return max(u, 0.0) ** k
        base = self.base
        return (
            base.limited_moment(k, u) - base.limited_moment(k, t) + t**k * float(base.sf(t))
        ) / self._s_lower

    def scaled(self, factor: float) -> LossDistribution:
        return Truncated(self.base.scaled(factor), self.lower * factor)


@dataclass(frozen=True)
class Capped(_NonDecreasing, LossDistribution):
    """``min(X, cap)``: losses limited by the assets within reach (USD).

    ``E[min(X, cap)^k]`` is always finite, so moments and TVaR exist even when the uncapped
    tail has an infinite mean.
    """

    base: LossDistribution
    cap: float

    def __post_init__(self) -> None:
        if not self.cap > 0:
            raise ValueError(f"cap must be > 0 USD, got {self.cap!r}")

    @property
    def upper(self) -> float:
        return min(self.cap, self.base.upper)

    @property
    def family(self) -> str:
        return self.base.family

    def describe(self) -> str:
        return f"min({self.base.describe()}, {self.cap:.6g})"

    def cdf(self, x: ArrayLike) -> Any:
        xa = _arr(x)
        return _out(x, np.where(xa >= self.cap, 1.0, _arr(self.base.cdf(xa))))

    def sf(self, x: ArrayLike) -> Any:
        xa = _arr(x)
        return _out(x, np.where(xa >= self.cap, 0.0, _arr(self.base.sf(xa))))

    def _g(self, x: np.ndarray) -> np.ndarray:
        return np.minimum(x, self.cap)

    def isf(self, p: ArrayLike) -> Any:
        return _out(p, self._g(_arr(self.base.isf(p))))

    def lev(self, u: ArrayLike) -> Any:
        return (
            self.base.lev(np.minimum(_arr(u), self.cap))
            if np.ndim(u)
            else float(self.base.lev(min(float(u), self.cap)))
        )

    def moment(self, k: int = 1) -> float:
        return self.base.limited_moment(k, self.cap)

    def limited_moment(self, k: int, u: float) -> float:
        return self.base.limited_moment(k, min(u, self.cap))

    def scaled(self, factor: float) -> LossDistribution:
        return Capped(self.base.scaled(factor), self.cap * factor)


@dataclass(frozen=True)
class Layered(_NonDecreasing, LossDistribution):
    """Per-occurrence ceded loss ``Y = min((X − d)+, l)`` for retention d and limit l (USD).

    ``F_Y(y) = F(d + y)`` for ``0 ≤ y < l`` and ``E[min(Y, y)] = E[X∧(d + min(y, l))] − E[X∧d]``
    (Loss Models §8.5).
    """

    base: LossDistribution
    retention: float
    limit: float = math.inf

    def __post_init__(self) -> None:
        if not (self.retention >= 0 and self.limit > 0):
            raise ValueError("layer: 'retention' must be >= 0 and 'limit' > 0 (USD)")

    @property
    def upper(self) -> float:
        return min(self.limit, max(self.base.upper - self.retention, 0.0))

    @property
    def family(self) -> str:
        return self.base.family

    def describe(self) -> str:
        return f"{self.limit:.6g} xs {self.retention:.6g} of {self.base.describe()}"

    def cdf(self, x: ArrayLike) -> Any:
        xa = _arr(x)
        inner = _arr(self.base.cdf(self.retention + np.maximum(xa, 0.0)))
        return _out(x, np.where(xa < 0, 0.0, np.where(xa >= self.limit, 1.0, inner)))

    def _g(self, x: np.ndarray) -> np.ndarray:
        return np.clip(x - self.retention, 0.0, self.limit)

    def lev(self, u: ArrayLike) -> Any:
        y = np.clip(_arr(u), 0.0, self.limit)
        return _out(
            u, _arr(self.base.lev(self.retention + y)) - float(self.base.lev(self.retention))
        )

    def moment(self, k: int = 1) -> float:
        if k == 1:
            return float(self.lev(math.inf))
        return super().moment(k) if math.isfinite(self.upper) else self._unbounded_moment(k)

    def _unbounded_moment(self, k: int) -> float:
        if not math.isfinite(self.base.moment(k)):
            return math.inf
        return LossDistribution.limited_moment(self, k, float(self.ppf(1 - 1e-15)))

    def scaled(self, factor: float) -> LossDistribution:
        return Layered(self.base.scaled(factor), self.retention * factor, self.limit * factor)


@dataclass(frozen=True)
class Retained(_NonDecreasing, LossDistribution):
    """Per-occurrence retained loss ``R = X − min((X − d)+, l) = min(X, d) + (X − d − l)+`` (USD).

    ``R`` is flat at ``d`` while the layer pays, so ``F_R(r) = F(r)`` for r < d and
    ``F(r + l)`` for r ≥ d; ``E[min(R, r)] = E[X∧r]`` for r ≤ d and
    ``E[X∧d] + E[X∧(r + l)] − E[X∧(d + l)]`` above.
    """

    base: LossDistribution
    retention: float
    limit: float = math.inf

    def __post_init__(self) -> None:
        if not (self.retention >= 0 and self.limit > 0):
            raise ValueError("retained: 'retention' must be >= 0 and 'limit' > 0 (USD)")

    @property
    def upper(self) -> float:
        if self.base.upper <= self.retention:
            return self.base.upper
        return self.retention + max(self.base.upper - self.retention - self.limit, 0.0)

    @property
    def family(self) -> str:
        return self.base.family

    def describe(self) -> str:
        return f"retained under {self.limit:.6g} xs {self.retention:.6g} of {self.base.describe()}"

    def cdf(self, x: ArrayLike) -> Any:
        xa = _arr(x)
        shifted = xa + np.where(xa >= self.retention, min(self.limit, 1e308), 0.0)
        return _out(x, np.where(xa < 0, 0.0, _arr(self.base.cdf(shifted))))

    def _g(self, x: np.ndarray) -> np.ndarray:
        d, l = self.retention, self.limit
        return np.where(x <= d, x, np.where(x <= d + l, d, x - l))

    def lev(self, u: ArrayLike) -> Any:
        r = np.maximum(_arr(u), 0.0)
        d, l = self.retention, self.limit
        below = _arr(self.base.lev(np.minimum(r, d)))
        if math.isinf(l):
            return _out(u, below)
        above = float(self.base.lev(d)) + _arr(self.base.lev(r + l)) - float(self.base.lev(d + l))
        return _out(u, np.where(r <= d, below, above))

    def moment(self, k: int = 1) -> float:
        if k == 1:
            return float(self.lev(math.inf))
        if math.isfinite(self.upper):
            return super().moment(k)
        if not math.isfinite(self.base.moment(k)):
            return math.inf
        return self.limited_moment(k, float(self.ppf(1 - 1e-15)))

    def scaled(self, factor: float) -> LossDistribution:
        return Retained(self.base.scaled(factor), self.retention * factor, self.limit * factor)
