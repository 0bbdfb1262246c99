"""The interface every loss-size distribution shares (:class:`LossDistribution`): cdf,
quantile and limited expected value from each family, generic moments, variance, random draws
and the transforms (truncated, capped, layer, retained), whose classes live in
:mod:`pricing.distributions.transforms`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

ArrayLike = float | np.ndarray


def _arr(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _out(x: ArrayLike, value: np.ndarray) -> Any:
    """Return a float for scalar input, an array otherwise."""
    return float(value) if np.ndim(x) == 0 else value


class LossDistribution:
    """Common interface of every loss-size distribution (amounts in USD).

    Subclasses implement ``cdf``, ``ppf`` and ``lev``; everything else has a generic
    implementation that subclasses may replace with a closed form.
    """

    # -- to be provided by subclasses -------------------------------------------------------
    def cdf(self, x: ArrayLike) -> Any:
        """Distribution function ``F(x) = P(X ≤ x)``."""
        raise NotImplementedError

    def ppf(self, q: ArrayLike) -> Any:
        """Quantile function, the smallest ``x`` with ``F(x) ≥ q``."""
        raise NotImplementedError

    def lev(self, u: ArrayLike) -> Any:
        """Limited expected value ``E[min(X, u)] = ∫_0^u S(x) dx`` (USD)."""
        raise NotImplementedError

    def scaled(self, factor: float) -> LossDistribution:
        """Distribution of ``factor · X``."""
        raise NotImplementedError

    @property
    def upper(self) -> float:
        """Upper end of the support (``inf`` when unbounded)."""
        return math.inf

    # -- generic implementations ------------------------------------------------------------
    def sf(self, x: ArrayLike) -> Any:
        """Survival function ``S(x) = 1 − F(x)``."""
        return _out(x, 1.0 - _arr(self.cdf(x)))

    def isf(self, p: ArrayLike) -> Any:
        """Inverse survival function: the loss exceeded with probability ``p``."""
        return self.ppf(1.0 - _arr(p))

    def moment(self, k: int = 1) -> float:
        """Raw moment ``E[X^k]`` (``inf`` when it does not exist).

        Computed as ``∫_0^∞ k x^(k−1) S(x) dx`` over the (finite) support; subclasses with an
        unbounded support override this with the closed form.
        """
        if not math.isfinite(self.upper):
            raise NotImplementedError("moment of an unbounded distribution needs a closed form")
        return self.limited_moment(k, self.upper)

    def limited_moment(self, k: int, u: float) -> float:
        """``E[min(X, u)^k] = ∫_0^u k x^(k−1) S(x) dx`` by quadrature on a log scale."""
        if k == 1:
            return float(self.lev(u))
        u = min(float(u), self.upper)
        lo = float(self.ppf(1e-12))
        lo = max(lo, u * 1e-12, 1e-300)
        if lo >= u:
            return u**k
        # Below ``lo`` the survival function is 1 to within 1e-12.
        head = lo**k

        def integrand(s: float) -> float:
            x = math.exp(s)
            return k * x**k * float(self.sf(x))

        breaks = np.linspace(math.log(lo), math.log(u), 9)[1:-1]
        from scipy import integrate  # only when a moment needs quadrature

        body, _ = integrate.quad(integrand, math.log(lo), math.log(u), points=breaks, limit=400)
        return head + body

    def mean(self) -> float:
        """Expected loss ``E[X]`` (USD; ``inf`` when the mean does not exist)."""
        return self.moment(1)

    def var(self) -> float:
        """Variance (USD²; ``inf`` when the second moment does not exist)."""
        m1 = self.moment(1)
        m2 = self.moment(2)
        if not math.isfinite(m2):
            return math.inf
        return max(m2 - m1 * m1, 0.0)

    def rvs(self, size: int | tuple[int, ...], rng: np.random.Generator | None = None) -> Any:
        """Random losses by inversion of the quantile function (a mixture draws by composition,
        a cap, layer or retained part maps a draw of its base)."""
        rng = np.random.default_rng() if rng is None else rng
        return _arr(self.ppf(rng.random(size)))

    # -- transforms -------------------------------------------------------------------------
    def truncated(self, lower: float) -> LossDistribution:
        """Law of ``X | X > lower`` (left truncation at a reporting threshold, USD)."""
        from .transforms import Truncated

        return self if lower <= 0 else Truncated(self, float(lower))

    def capped(self, cap: float) -> LossDistribution:
        """Law of ``min(X, cap)``: no single loss can exceed ``cap`` USD."""
        from .transforms import Capped

        return Capped(self, float(cap))

    def layer(self, retention: float, limit: float = math.inf) -> LossDistribution:
        """Per-occurrence ceded loss ``min((X − retention)+, limit)``."""
        from .transforms import Layered

        return Layered(self, float(retention), float(limit))

    def retained(self, retention: float, limit: float = math.inf) -> LossDistribution:
        """Per-occurrence retained loss ``X − min((X − retention)+, limit)``."""
        from .transforms import Retained

        return Retained(self, float(retention), float(limit))

    # -- description --------------------------------------------------------------------------
    @property
    def family(self) -> str:
        """Short family name used in tables and on the command line."""
        return type(self).__name__.lower()

    def describe(self) -> str:
        """Human-readable family and parameters, e.g. ``lognormal(meanlog=17, sdlog=1.8)``."""
        return f"{self.family}({self._param_text()})"

    def _param_text(self) -> str:
        fields = getattr(self, "__dataclass_fields__", {})
        return ", ".join(f"{name}={getattr(self, name):.6g}" for name in fields)
