"""The parametric loss-size families (Klugman, Panjer & Willmot, *Loss Models*, Appendix A;
R ``actuar``): lognormal, gamma, Weibull, Lomax, log-logistic and the generalised Pareto."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from scipy import special

from .base import ArrayLike, LossDistribution, _arr, _out


class _ParametricFamily(LossDistribution):
    """A parametric family: cdf, survival function and quantiles in closed form (scipy.special),
    the same formulas as ``scipy.stats``; densities from a frozen ``scipy.stats`` law.

    Each family gives its standardised functions (``_std_cdf``, ``_std_sf``, ``_std_ppf``,
    ``_std_isf`` of ``z = (x − loc)/scale``), its ``_loc_scale`` and standardised
    ``_support``; the public methods apply scipy's ``rv_continuous`` rules around them (0 or
    1 outside the support, the support's ends at q = 0 and 1, NaN for q outside [0, 1]), so
    numbers equal those of ``scipy.stats`` without loading it (half a second at start-up).
    """

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

    # -- standardised law, given by each family ----------------------------------------------
    @property
    def _loc_scale(self) -> tuple[float, float]:
        return 0.0, float(self.scale)  # type: ignore[attr-defined]

    @property
    def _support(self) -> tuple[float, float]:
        return 0.0, math.inf

    def _std_cdf(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _std_sf(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _std_ppf(self, q: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _std_isf(self, q: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # -- scipy's rules around them -----------------------------------------------------------
    def _z(self, x: ArrayLike) -> tuple[np.ndarray, np.ndarray, float, float]:
        loc, scale = self._loc_scale
        z = (_arr(x) - loc) / scale
        a, b = self._support
        return z, (a < z) & (z < b), a, b

    def _from_z(self, x: ArrayLike, f: Any, below: float, above: float) -> Any:
        z, inside, a, b = self._z(x)
        with np.errstate(all="ignore"):
            value = np.asarray(f(np.where(inside, z, 0.5 * (a + min(b, a + 2.0)))), dtype=float)
        out = np.where(inside, value, np.where(z >= b, above, below))
        return _out(x, np.where(np.isnan(z), np.nan, out))

    def _from_q(self, q: ArrayLike, f: Any, at0: float, at1: float) -> Any:
        loc, scale = self._loc_scale
        qa = _arr(q)
        inside = (qa > 0) & (qa < 1)
        with np.errstate(all="ignore"):
            value = np.asarray(f(np.where(inside, qa, 0.5)), dtype=float) * scale + loc
        ends = np.where(qa == 0, at0 * scale + loc, np.where(qa == 1, at1 * scale + loc, np.nan))
        return _out(q, np.where(inside, value, ends))

    def pdf(self, x: ArrayLike) -> Any:
        """Density ``f(x)``."""
        return _out(x, self._dist.pdf(_arr(x)))

    def logpdf(self, x: ArrayLike) -> Any:
        """Log density, used by maximum likelihood."""
        return _out(x, self._dist.logpdf(_arr(x)))

    def cdf(self, x: ArrayLike) -> Any:
        return self._from_z(x, self._std_cdf, 0.0, 1.0)

    def sf(self, x: ArrayLike) -> Any:
        return self._from_z(x, self._std_sf, 1.0, 0.0)

    def logsf(self, x: ArrayLike) -> Any:
        """Log survival function, used by truncated maximum likelihood."""
        return _out(x, self._dist.logsf(_arr(x)))

    def ppf(self, q: ArrayLike) -> Any:
        a, b = self._support
        return self._from_q(q, self._std_ppf, a, b)

    def isf(self, p: ArrayLike) -> Any:
        a, b = self._support
        return self._from_q(p, self._std_isf, b, a)


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
        from scipy import stats

        return stats.lognorm(s=self.sdlog, scale=math.exp(self.meanlog))

    @property
    def _loc_scale(self) -> tuple[float, float]:
        return 0.0, math.exp(self.meanlog)

    def _std_cdf(self, z: np.ndarray) -> np.ndarray:
        return special.ndtr(np.log(z) / self.sdlog)

    def _std_sf(self, z: np.ndarray) -> np.ndarray:
        return special.ndtr(-(np.log(z) / self.sdlog))

    def _std_ppf(self, q: np.ndarray) -> np.ndarray:
        return np.exp(self.sdlog * special.ndtri(q))

    def _std_isf(self, q: np.ndarray) -> np.ndarray:
        return np.exp(self.sdlog * -special.ndtri(q))

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
        from scipy import stats

        return stats.gamma(a=self.shape, scale=self.scale)

    def _std_cdf(self, z: np.ndarray) -> np.ndarray:
        return special.gammainc(self.shape, z)

    def _std_sf(self, z: np.ndarray) -> np.ndarray:
        return special.gammaincc(self.shape, z)

    def _std_ppf(self, q: np.ndarray) -> np.ndarray:
        return special.gammaincinv(self.shape, q)

    def _std_isf(self, q: np.ndarray) -> np.ndarray:
        return special.gammainccinv(self.shape, q)

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
        from scipy import stats

        return stats.weibull_min(c=self.shape, scale=self.scale)

    def _std_cdf(self, z: np.ndarray) -> np.ndarray:
        return -special.expm1(-np.power(z, self.shape))

    def _std_sf(self, z: np.ndarray) -> np.ndarray:
        return np.exp(-np.power(z, self.shape))

    def _std_ppf(self, q: np.ndarray) -> np.ndarray:
        return np.power(-special.log1p(-q), 1.0 / self.shape)

    def _std_isf(self, q: np.ndarray) -> np.ndarray:
        return (-np.log(q)) ** (1 / self.shape)

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
        from scipy import stats

        return stats.lomax(c=self.shape, scale=self.scale)

    def _std_cdf(self, z: np.ndarray) -> np.ndarray:
        return -special.expm1(-self.shape * special.log1p(z))

    def _std_sf(self, z: np.ndarray) -> np.ndarray:
        return np.exp(-self.shape * special.log1p(z))

    def _std_ppf(self, q: np.ndarray) -> np.ndarray:
        return special.expm1(-special.log1p(-q) / self.shape)

    def _std_isf(self, q: np.ndarray) -> np.ndarray:
        return q ** (-1.0 / self.shape) - 1

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
        from scipy import stats

        return stats.fisk(c=self.shape, scale=self.scale)

    # scipy's fisk is burr with d = 1; the formulas are burr's.
    def _std_cdf(self, z: np.ndarray) -> np.ndarray:
        return (1 + z ** (-self.shape)) ** (-1.0)

    def _std_sf(self, z: np.ndarray) -> np.ndarray:
        return np.exp(np.log1p(-((1 + z ** (-self.shape)) ** (-1.0))))

    def _std_ppf(self, q: np.ndarray) -> np.ndarray:
        return (q ** (-1.0 / 1.0) - 1) ** (-1.0 / self.shape)

    def _std_isf(self, q: np.ndarray) -> np.ndarray:
        return special.expm1(special.xlog1py(-1.0 / 1.0, -q)) ** (-1.0 / self.shape)

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
        from scipy import stats

        return stats.genpareto(c=self.shape, loc=self.threshold, scale=self.scale)

    @property
    def upper(self) -> float:
        return self.threshold - self.scale / self.shape if self.shape < 0 else math.inf

    @property
    def _loc_scale(self) -> tuple[float, float]:
        return float(self.threshold), float(self.scale)

    @property
    def _support(self) -> tuple[float, float]:
        return 0.0, (-1.0 / self.shape if self.shape < 0 else math.inf)

    def _std_cdf(self, z: np.ndarray) -> np.ndarray:
        return -special.inv_boxcox1p(-z, -self.shape)

    def _std_sf(self, z: np.ndarray) -> np.ndarray:
        return special.inv_boxcox(-z, -self.shape)

    def _std_ppf(self, q: np.ndarray) -> np.ndarray:
        return -special.boxcox1p(-q, -self.shape)

    def _std_isf(self, q: np.ndarray) -> np.ndarray:
        return -special.boxcox(q, -self.shape)

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
