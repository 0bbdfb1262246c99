"""Loss-size distributions and the transforms the pricing engine applies to them.

Every family follows the parameterisation of Klugman, Panjer & Willmot, *Loss Models: From
Data to Decisions* (Appendix A), which is also R's ``actuar``; the docstring of each class gives
the matching ``actuar`` call so results can be checked against other tools. Amounts are in USD.

Besides ``cdf``/``sf``/``ppf`` every distribution provides the *limited expected value*
``lev(u) = E[min(X, u)] = ∫_0^u S(x) dx`` (Loss Models §3.1), in closed form where one exists,
because it is what mean-preserving discretisation and layer pricing need.

Transforms return new frozen objects and never mutate:

- ``scaled(c)``     the distribution of ``c·X`` (an exchange ``c`` times the reference size);
- ``truncated(t)``  ``X | X > t``, the law of *reported* losses above a reporting threshold;
- ``capped(c)``     ``min(X, c)``, a loss cannot exceed what the exchange holds;
- ``layer(d, l)``   ``min((X − d)+, l)``, the part ceded to a per-occurrence layer;
- ``retained(d, l)`` ``X − layer(d, l)``, what stays with the exchange.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from scipy import integrate, special, stats

ArrayLike = float | np.ndarray

__all__ = [
    "GPD",
    "Capped",
    "Gamma",
    "Layered",
    "LogLogistic",
    "Lognormal",
    "Lomax",
    "LossDistribution",
    "Mixture",
    "Retained",
    "Spliced",
    "Truncated",
    "Weibull",
]


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
        """Random losses by inversion of the quantile function."""
        rng = np.random.default_rng() if rng is None else rng
        return _arr(self.ppf(rng.random(size)))

    # -- transforms -------------------------------------------------------------------------
    def truncated(self, lower: float) -> LossDistribution:
        """Law of ``X | X > lower`` (left truncation at a reporting threshold, USD)."""
        return self if lower <= 0 else Truncated(self, float(lower))

    def capped(self, cap: float) -> LossDistribution:
        """Law of ``min(X, cap)``: no single loss can exceed ``cap`` USD."""
        return Capped(self, float(cap))

    def layer(self, retention: float, limit: float = math.inf) -> LossDistribution:
        """Per-occurrence ceded loss ``min((X − retention)+, limit)``."""
        return Layered(self, float(retention), float(limit))

    def retained(self, retention: float, limit: float = math.inf) -> LossDistribution:
        """Per-occurrence retained loss ``X − min((X − retention)+, limit)``."""
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


class _ParametricFamily(LossDistribution):
    """A family backed by a frozen ``scipy.stats`` distribution for cdf, pdf and quantiles."""

    PARAM_NAMES: tuple[str, ...] = ()

    @cached_property
    def _dist(self) -> Any:
        raise NotImplementedError

    @property
    def params(self) -> dict[str, float]:
        """Parameters by their Loss Models / actuar names."""
        return {name: float(getattr(self, name)) for name in self.PARAM_NAMES}

    def _check_positive(self, *names: str) -> None:
        for name in names:
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{self.family}: parameter '{name}' must be > 0, got {value!r}")

    def pdf(self, x: ArrayLike) -> Any:
        """Density ``f(x)``."""
        return _out(x, self._dist.pdf(_arr(x)))

    def logpdf(self, x: ArrayLike) -> Any:
        """Log density, used by maximum likelihood."""
        return _out(x, self._dist.logpdf(_arr(x)))

    def cdf(self, x: ArrayLike) -> Any:
        return _out(x, self._dist.cdf(_arr(x)))

    def sf(self, x: ArrayLike) -> Any:
        return _out(x, self._dist.sf(_arr(x)))

    def logsf(self, x: ArrayLike) -> Any:
        """Log survival function, used by truncated maximum likelihood."""
        return _out(x, self._dist.logsf(_arr(x)))

    def ppf(self, q: ArrayLike) -> Any:
        return _out(q, self._dist.ppf(_arr(q)))

    def isf(self, p: ArrayLike) -> Any:
        return _out(p, self._dist.isf(_arr(p)))


@dataclass(frozen=True)
class Lognormal(_ParametricFamily):
    """Lognormal: ``ln X ~ N(meanlog, sdlog²)``; actuar/R ``plnorm(x, meanlog, sdlog)``.

    ``E[X∧u] = e^(μ+σ²/2) Φ((ln u − μ − σ²)/σ) + u [1 − Φ((ln u − μ)/σ)]`` (Loss Models A.4.1.7).
    """

    meanlog: float
    sdlog: float
    PARAM_NAMES = ("meanlog", "sdlog")

    def __post_init__(self) -> None:
        self._check_positive("sdlog")
        if not np.isfinite(self.meanlog):
            raise ValueError(f"lognormal: parameter 'meanlog' must be finite, got {self.meanlog}")

    @cached_property
    def _dist(self) -> Any:
        return stats.lognorm(s=self.sdlog, scale=math.exp(self.meanlog))

    def lev(self, u: ArrayLike) -> Any:
        x = _arr(u)
        mu, s = self.meanlog, self.sdlog
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (np.log(np.maximum(x, 0.0)) - mu) / s
            value = math.exp(mu + s * s / 2) * special.ndtr(z - s) + np.where(
                x > 0, x * special.ndtr(-z), 0.0
            )
        return _out(u, np.where(np.isposinf(x), self.moment(1), value))

    def moment(self, k: int = 1) -> float:
        return math.exp(k * self.meanlog + 0.5 * k * k * self.sdlog**2)

    def limited_moment(self, k: int, u: float) -> float:
        """``E[(X∧u)^k] = e^(kμ+k²σ²/2) Φ((ln u − μ − kσ²)/σ) + u^k [1 − Φ((ln u − μ)/σ)]``
        (Loss Models A.4.1.7; closed form instead of quadrature)."""
        u = float(u)
        if u <= 0:
            return 0.0
        if math.isinf(u):
            return self.moment(k)
        mu, s = self.meanlog, self.sdlog
        z = (math.log(u) - mu) / s
        return float(self.moment(k) * special.ndtr(z - k * s) + u**k * special.ndtr(-z))

    def scaled(self, factor: float) -> Lognormal:
        return Lognormal(self.meanlog + math.log(factor), self.sdlog)


@dataclass(frozen=True)
class Gamma(_ParametricFamily):
    """Gamma with ``shape`` α and ``scale`` θ; actuar/R ``pgamma(x, shape, scale = scale)``.

    ``E[X∧u] = αθ Γ(α+1; u/θ) + u [1 − Γ(α; u/θ)]`` with Γ(·;·) the regularised lower
    incomplete gamma function (Loss Models A.3.2.1).
    """

    shape: float
    scale: float
    PARAM_NAMES = ("shape", "scale")

    def __post_init__(self) -> None:
        self._check_positive("shape", "scale")

    @cached_property
    def _dist(self) -> Any:
        return stats.gamma(a=self.shape, scale=self.scale)

    def lev(self, u: ArrayLike) -> Any:
        x = np.maximum(_arr(u), 0.0)
        a, th = self.shape, self.scale
        with np.errstate(invalid="ignore"):
            value = a * th * special.gammainc(a + 1, x / th) + x * special.gammaincc(a, x / th)
        return _out(u, np.where(np.isposinf(x), a * th, value))

    def moment(self, k: int = 1) -> float:
        return math.exp(
            k * math.log(self.scale) + special.gammaln(self.shape + k) - special.gammaln(self.shape)
        )

    def scaled(self, factor: float) -> Gamma:
        return Gamma(self.shape, self.scale * factor)


@dataclass(frozen=True)
class Weibull(_ParametricFamily):
    """Weibull with ``shape`` τ and ``scale`` θ, ``F(x) = 1 − exp(−(x/θ)^τ)``.

    actuar/R ``pweibull(x, shape, scale)``. ``E[X∧u] = θ Γ(1+1/τ) Γ(1+1/τ; (u/θ)^τ) +
    u exp(−(u/θ)^τ)`` (Loss Models A.3.2.3).
    """

    shape: float
    scale: float
    PARAM_NAMES = ("shape", "scale")

    def __post_init__(self) -> None:
        self._check_positive("shape", "scale")

    @cached_property
    def _dist(self) -> Any:
        return stats.weibull_min(c=self.shape, scale=self.scale)

    def lev(self, u: ArrayLike) -> Any:
        x = np.maximum(_arr(u), 0.0)
        tau, th = self.shape, self.scale
        with np.errstate(over="ignore", invalid="ignore"):
            z = (x / th) ** tau
            value = th * special.gamma(1 + 1 / tau) * special.gammainc(1 + 1 / tau, z) + x * np.exp(
                -z
            )
        return _out(u, np.where(np.isposinf(x), self.moment(1), value))

    def moment(self, k: int = 1) -> float:
        return math.exp(k * math.log(self.scale) + special.gammaln(1 + k / self.shape))

    def scaled(self, factor: float) -> Weibull:
        return Weibull(self.shape, self.scale * factor)


@dataclass(frozen=True)
class Lomax(_ParametricFamily):
    """Lomax (Pareto type II) with ``shape`` α and ``scale`` θ, ``S(x) = (θ/(x+θ))^α``.

    This is Loss Models' "Pareto" and actuar/R ``ppareto(x, shape, scale)``. The mean is
    finite only for α > 1. ``E[X∧u] = θ/(α−1) [1 − (θ/(u+θ))^(α−1)]`` for α ≠ 1 and
    ``−θ ln(θ/(u+θ))`` for α = 1 (Loss Models A.2.3.1).
    """

    shape: float
    scale: float
    PARAM_NAMES = ("shape", "scale")

    def __post_init__(self) -> None:
        self._check_positive("shape", "scale")

    @cached_property
    def _dist(self) -> Any:
        return stats.lomax(c=self.shape, scale=self.scale)

    def lev(self, u: ArrayLike) -> Any:
        x = np.maximum(_arr(u), 0.0)
        a, th = self.shape, self.scale
        log_ratio = np.log(th) - np.log(x + th)  # ln(θ/(x+θ)) ≤ 0
        if abs(a - 1.0) < 1e-12:
            value = -th * log_ratio
        else:
            value = th / (a - 1.0) * -np.expm1((a - 1.0) * log_ratio)
        return _out(u, value)

    def moment(self, k: int = 1) -> float:
        if k >= self.shape:
            return math.inf
        return math.exp(
            k * math.log(self.scale)
            + special.gammaln(k + 1)
            + special.gammaln(self.shape - k)
            - special.gammaln(self.shape)
        )

    def scaled(self, factor: float) -> Lomax:
        return Lomax(self.shape, self.scale * factor)


@dataclass(frozen=True)
class LogLogistic(_ParametricFamily):
    """Log-logistic with ``shape`` γ and ``scale`` θ, ``F(x) = u/(1+u)``, ``u = (x/θ)^γ``.

    actuar/R ``pllogis(x, shape, scale = scale)``; scipy's ``fisk``. The k-th moment exists
    for k < γ: ``θ^k Γ(1+k/γ) Γ(1−k/γ)`` (Loss Models A.2.3.3). The limited expected value
    is ``u · ₂F₁(1, 1/γ; 1+1/γ; −(u/θ)^γ)``, valid for every γ > 0.
    """

    shape: float
    scale: float
    PARAM_NAMES = ("shape", "scale")

    def __post_init__(self) -> None:
        self._check_positive("shape", "scale")

    @cached_property
    def _dist(self) -> Any:
        return stats.fisk(c=self.shape, scale=self.scale)

    def lev(self, u: ArrayLike) -> Any:
        x = np.maximum(_arr(u), 0.0)
        g, th = self.shape, self.scale
        with np.errstate(over="ignore", invalid="ignore"):
            value = x * special.hyp2f1(1.0, 1.0 / g, 1.0 + 1.0 / g, -((x / th) ** g))
        value = np.where(x == 0, 0.0, value)
        return _out(u, np.where(np.isposinf(x), self.moment(1), value))

    def moment(self, k: int = 1) -> float:
        if k >= self.shape:
            return math.inf
        r = k / self.shape
        return self.scale**k * special.gamma(1 + r) * special.gamma(1 - r)

    def scaled(self, factor: float) -> LogLogistic:
        return LogLogistic(self.shape, self.scale * factor)


@dataclass(frozen=True)
class GPD(_ParametricFamily):
    """Generalised Pareto (Pickands/EVT form) above ``threshold`` u.

    ``S(x) = (1 + ξ (x − u)/σ)^(−1/ξ)`` for x ≥ u, with ``shape`` ξ, ``scale`` σ; scipy
    ``genpareto(c=ξ, loc=u, scale=σ)``, R ``evd::pgpd(x, loc = u, scale, shape)``. This is
    **not** actuar's ``pgenpareto`` (Loss Models' transformed-beta "generalized Pareto").
    The mean exists for ξ < 1: ``u + σ/(1 − ξ)``.
    """

    shape: float
    scale: float
    threshold: float = 0.0
    PARAM_NAMES = ("shape", "scale", "threshold")

    def __post_init__(self) -> None:
        self._check_positive("scale")
        if not (np.isfinite(self.shape) and np.isfinite(self.threshold) and self.threshold >= 0):
            raise ValueError("gpd: 'shape' must be finite and 'threshold' finite and >= 0")

    @cached_property
    def _dist(self) -> Any:
        return stats.genpareto(c=self.shape, loc=self.threshold, scale=self.scale)

    @property
    def upper(self) -> float:
        return self.threshold - self.scale / self.shape if self.shape < 0 else math.inf

    def lev(self, u: ArrayLike) -> Any:
        x = _arr(u)
        xi, s, t = self.shape, self.scale, self.threshold
        y = np.clip(x - t, 0.0, max(self.upper - t, 0.0) if self.shape < 0 else np.inf)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if abs(xi) < 1e-12:
                body = s * -np.expm1(-y / s)
            elif abs(xi - 1.0) < 1e-12:
                body = s * np.log1p(y / s)
            else:
                body = s / (1 - xi) * -np.expm1((1 - 1 / xi) * np.log1p(xi * y / s))
        value = np.where(x <= t, np.maximum(x, 0.0), t + body)
        return _out(u, value)

    def moment(self, k: int = 1) -> float:
        if self.shape * k >= 1:
            return math.inf
        if k == 1:
            return self.threshold + self.scale / (1 - self.shape)
        return float(self._dist.moment(k))

    def scaled(self, factor: float) -> GPD:
        return GPD(self.shape, self.scale * factor, self.threshold * factor)


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
class Capped(LossDistribution):
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

    def ppf(self, q: ArrayLike) -> Any:
        return _out(q, np.minimum(_arr(self.base.ppf(q)), self.cap))

    def isf(self, p: ArrayLike) -> Any:
        return _out(p, np.minimum(_arr(self.base.isf(p)), self.cap))

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
class Layered(LossDistribution):
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

    def ppf(self, q: ArrayLike) -> Any:
        y = _arr(self.base.ppf(q)) - self.retention
        return _out(q, np.clip(y, 0.0, self.limit))

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
class Retained(LossDistribution):
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

    def ppf(self, q: ArrayLike) -> Any:
        x = _arr(self.base.ppf(q))
        d, l = self.retention, self.limit
        r = np.where(x <= d, x, np.where(x <= d + l, d, x - l))
        return _out(q, r)

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
    the smallest and largest component quantiles, which bracket it.
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
        qa = np.clip(_arr(q), 0.0, 1.0)
        live = [c for c, w in zip(self.components, self.weights, strict=True) if w > 0]
        quantiles = np.array([_arr(c.ppf(qa)) for c in live])
        lo, hi = quantiles.min(axis=0), quantiles.max(axis=0)
        for _ in range(100):
            mid = 0.5 * (lo + hi)
            below = _arr(self.cdf(mid)) < qa
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
            if np.all(hi - lo <= 1e-12 * np.maximum(hi, 1.0)):
                break
        return _out(q, hi)

    def isf(self, p: ArrayLike) -> Any:
        return self.ppf(1.0 - _arr(p))

    def scaled(self, factor: float) -> LossDistribution:
        return Mixture(tuple(c.scaled(factor) for c in self.components), self.weights)
