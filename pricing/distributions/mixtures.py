"""Laws made of several laws: a body/tail splice (:class:`Spliced`, Loss Models §5.2.6) and a
finite mixture (:class:`Mixture`, Loss Models §4.2.3)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .base import ArrayLike, LossDistribution, _arr, _out
from .parametric import GPD


@dataclass(frozen=True)
class Spliced(LossDistribution):
    """Body/tail splice at ``tail.threshold`` u (USD).

    ``F(x) = (1 − w) F_b(x)/F_b(u)`` for x < u and ``(1 − w) + w F_tail(x)`` for x ≥ u, with
    ``w = tail_weight`` the probability of a loss above u (Loss Models §5.2.6, "spliced
    distributions"). The body may itself be a ``Truncated`` law (reported losses).
    """

    body: LossDistribution
    tail: GPD
    tail_weight: float

    def __post_init__(self) -> None:
        if not 0 < self.tail_weight < 1:
            raise ValueError(f"spliced: 'tail_weight' must be in (0, 1), got {self.tail_weight}")

    @property
    def splice_at(self) -> float:
        """Splice point u (USD)."""
        return self.tail.threshold

    @cached_property
    def _fb_u(self) -> float:
        return float(self.body.cdf(self.splice_at))

    @property
    def upper(self) -> float:
        return self.tail.upper

    @property
    def family(self) -> str:
        return "spliced"

    def describe(self) -> str:
        return (
            f"spliced({self.body.describe()} below {self.splice_at:.6g}, "
            f"{self.tail.describe()} above, tail weight {self.tail_weight:.3g})"
        )

    def cdf(self, x: ArrayLike) -> Any:
        xa = _arr(x)
        w, u = self.tail_weight, self.splice_at
        body = (1 - w) * _arr(self.body.cdf(np.minimum(xa, u))) / self._fb_u
        tail = (1 - w) + w * _arr(self.tail.cdf(np.maximum(xa, u)))
        return _out(x, np.where(xa < u, body, tail))

    def sf(self, x: ArrayLike) -> Any:
        xa = _arr(x)
        w, u = self.tail_weight, self.splice_at
        body = 1.0 - (1 - w) * _arr(self.body.cdf(np.minimum(xa, u))) / self._fb_u
        return _out(x, np.where(xa < u, body, w * _arr(self.tail.sf(np.maximum(xa, u)))))

    def ppf(self, q: ArrayLike) -> Any:
        qa = np.clip(_arr(q), 0.0, 1.0)
        w = self.tail_weight
        qb = np.clip(qa / (1 - w), 0.0, 1.0) * self._fb_u
        qt = np.clip((qa - (1 - w)) / w, 0.0, 1.0)
        return _out(q, np.where(qa < 1 - w, _arr(self.body.ppf(qb)), _arr(self.tail.ppf(qt))))

    def isf(self, p: ArrayLike) -> Any:
        pa = np.clip(_arr(p), 0.0, 1.0)
        w = self.tail_weight
        in_tail = pa <= w
        tail = _arr(self.tail.isf(np.clip(pa / w, 0.0, 1.0)))
        body = _arr(self.body.ppf(np.clip((1 - pa) / (1 - w), 0.0, 1.0) * self._fb_u))
        return _out(p, np.where(in_tail, tail, body))

    def lev(self, u: ArrayLike) -> Any:
        x = np.maximum(_arr(u), 0.0)
        w, s = self.tail_weight, self.splice_at
        xb = np.minimum(x, s)
        below = xb - (1 - w) * (xb - _arr(self.body.lev(xb))) / self._fb_u
        above = w * (_arr(self.tail.lev(np.maximum(x, s))) - s)
        return _out(u, below + np.where(x > s, above, 0.0))

    def moment(self, k: int = 1) -> float:
        tail = self.tail.moment(k)
        if not math.isfinite(tail):
            return math.inf
        return self.limited_moment(k, self.splice_at) + self.tail_weight * (
            tail - self.splice_at**k
        )

    def scaled(self, factor: float) -> LossDistribution:
        return Spliced(self.body.scaled(factor), self.tail.scaled(factor), self.tail_weight)


@dataclass(frozen=True)
class Mixture(LossDistribution):
    """Finite mixture ``F(x) = Σ w_i F_i(x)`` (Loss Models §4.2.3), e.g. hot-wallet breaches
    capped by the hot float mixed with cold or vendor compromises capped by all assets.

    cdf, lev and moments are the weighted sums; the quantile is found by bisection between
    the smallest and largest component quantiles, which bracket it; draws are by composition.
    """

    components: tuple[LossDistribution, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.components) != len(self.weights) or not self.components:
            raise ValueError(
                "mixture: 'components' and 'weights' must be non-empty and of equal length"
            )
        if any(w < 0 for w in self.weights) or abs(sum(self.weights) - 1.0) > 1e-9:
            raise ValueError(f"mixture: 'weights' must be >= 0 and sum to 1, got {self.weights}")

    @property
    def upper(self) -> float:
        return max(c.upper for c, w in zip(self.components, self.weights, strict=True) if w > 0)

    @property
    def family(self) -> str:
        return "mixture"

    def describe(self) -> str:
        parts = [
            f"{w:.3g}×{c.describe()}" for c, w in zip(self.components, self.weights, strict=True)
        ]
        return "mixture(" + " + ".join(parts) + ")"

    def _sum(self, method: str, x: ArrayLike) -> np.ndarray:
        return sum(
            (
                w * _arr(getattr(c, method)(x))
                for c, w in zip(self.components, self.weights, strict=True)
                if w > 0
            ),
            start=np.zeros(np.shape(x)),
        )

    def cdf(self, x: ArrayLike) -> Any:
        return _out(x, self._sum("cdf", x))

    def sf(self, x: ArrayLike) -> Any:
        return _out(x, self._sum("sf", x))

    def lev(self, u: ArrayLike) -> Any:
        return _out(u, self._sum("lev", u))

    def moment(self, k: int = 1) -> float:
        return float(
            sum(
                w * c.moment(k) for c, w in zip(self.components, self.weights, strict=True) if w > 0
            )
        )

    def limited_moment(self, k: int, u: float) -> float:
        return float(
            sum(
                w * c.limited_moment(k, u)
                for c, w in zip(self.components, self.weights, strict=True)
                if w > 0
            )
        )

    def ppf(self, q: ArrayLike) -> Any:
        qa = np.atleast_1d(np.clip(_arr(q), 0.0, 1.0))
        live = [c for c, w in zip(self.components, self.weights, strict=True) if w > 0]
        quantiles = np.array([_arr(c.ppf(qa)) for c in live])
        lo, hi = quantiles.min(axis=0), quantiles.max(axis=0)
        # Bisection between the components' quantiles; a level stops once its bracket is
        # within 1e-12 (relative), so each level's answer is the one it would get alone, and
        # the mixture's cdf is evaluated only where the search is still open.
        for _ in range(100):
            open_ = hi - lo > 1e-12 * np.maximum(hi, 1.0)
            if not open_.any():
                break
            mid = 0.5 * (lo[open_] + hi[open_])
            below = _arr(self.cdf(mid)) < qa[open_]
            lo[open_], hi[open_] = np.where(below, mid, lo[open_]), np.where(below, hi[open_], mid)
        return _out(q, hi.reshape(np.shape(q)))

    def isf(self, p: ArrayLike) -> Any:
        return self.ppf(1.0 - _arr(p))

    def rvs(self, size: int | tuple[int, ...], rng: np.random.Generator | None = None) -> Any:
        """Random losses by composition (Loss Models §4.2.3): each draw picks component i with
        probability w_i, then draws from it (its own ``rvs``), so no quantile search is run.
        The draws depend only on ``rng``: the picks first, then each component's in turn."""
        rng = np.random.default_rng() if rng is None else rng
        shape = (size,) if np.ndim(size) == 0 else tuple(size)
        live = [(c, w) for c, w in zip(self.components, self.weights, strict=True) if w > 0]
        weights = np.array([w for _, w in live])
        pick = rng.choice(len(live), size=math.prod(shape), p=weights / weights.sum())
        out = np.empty(pick.shape)
        for i, (component, _) in enumerate(live):
            drawn = pick == i
            out[drawn] = _arr(component.rvs(int(drawn.sum()), rng))
        return out.reshape(shape)

    def scaled(self, factor: float) -> LossDistribution:
        return Mixture(tuple(c.scaled(factor) for c in self.components), self.weights)
