"""Aggregate yearly loss ``S = X_1 + … + X_N``: frequency specs, discretisation, FFT, Panjer, MC.

Frequencies are the (a, b, 0) class of Klugman, Panjer & Willmot, *Loss Models: From Data to
Decisions* (ch. 6), in its parameterisation (also R's ``actuar``): :class:`Poisson`,
:class:`NegativeBinomial` (size r, β = mean/r) and :class:`Binomial`. Severities are the loss
distributions of :mod:`pricing.distributions` (USD).

How the aggregate is computed (domain brief §4.4):

1. The severity is put on a grid ``0, h, 2h, …`` by **local moment matching of order 1**
   (Loss Models §9.6.5; ``method = "unbiased"`` of ``actuar::discretize``), which keeps
   ``E[X∧jh]`` at every grid point and so the mean (:func:`discretize`).
2. The compound distribution of that discrete severity is computed by **FFT**
   (``g = IDFT(P_N(DFT(f)))`` with zero padding against wrap-around; Loss Models §9.7,
   Embrechts & Frei 2009, *Mitt. SAV* 2009/1), or by the **Panjer recursion** as an independent
   check (Panjer 1981, *ASTIN Bull.* 12; Loss Models Theorem 9.8), or estimated by **Monte
   Carlo** (:func:`simulate`).
3. Theft losses are heavy-tailed (domain brief §4.3); a fitted Pareto tail may have no finite
   mean. A finite grid cannot hold such a tail, so the moments of ``S`` come in **closed form**
   from the frequency and severity moments (:func:`compound_moments`), and TVaR adds the tail
   beyond VaR analytically:

       TVaR_p = VaR_p + E[(S − VaR_p)+] / (1 − p),   E[(S − v)+] = E[S] − E[S∧v],

   with ``E[S]`` from the closed form and ``E[S∧v]`` from the grid below ``v`` (which the grid
   gets right). This is the expected shortfall ``(1−p)⁻¹ ∫_p^1 VaR_u du`` and is correct for
   distributions with atoms (Acerbi & Tasche 2002, *J. Banking Finance* 26, 1487–1503). It is
   ``inf`` whenever ``E[S]`` is.

Every result is an :class:`AggregateDistribution` with an :meth:`~AggregateDistribution.audit`
table (closed-form against grid moments, as the Python ``aggregate`` package's ``describe``).

Examples
--------
>>> from pricing.distributions import Lognormal
>>> agg = aggregate(Poisson(2.0), Lognormal(16.0, 1.5).capped(5e8), grid=GridSpec(log2=12))
>>> bool(agg.audit()["valid"].all())
True
>>> agg.tvar(0.99) >= agg.value_at_risk(0.99) >= agg.mean()
True
"""

from __future__ import annotations

import functools
import hashlib
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from .distributions import LossDistribution

__all__ = [
    "METHODS",
    "AggregateDistribution",
    "AggregateWarning",
    "Binomial",
    "CompoundMoments",
    "Frequency",
    "GridSpec",
    "NegativeBinomial",
    "Poisson",
    "aggregate",
    "aligned_bucket",
    "compound_moments",
    "discretize",
    "discretize_lev",
    "fft_pmf",
    "panjer_pmf",
    "simulate",
]

#: Accepted values of ``method`` in :func:`aggregate`.
METHODS = ("fft", "panjer", "mc")
#: Relative tolerances of the audit (grid against closed form), as in ``aggregate``'s describe.
AUDIT_TOLERANCE = {"mean": 1e-4, "cv": 1e-3, "skewness": 1e-2}
#: Rough tolerances of the audit for Monte Carlo results: the mean within 4 standard errors;
#: sample CV and skewness of heavy-tailed losses converge slowly, so these are loose.
MC_AUDIT_TOLERANCE = {"cv": 0.02, "skewness": 0.1}
#: Absolute slack when reading a quantile off a cumulative sum of probabilities.
_CDF_TOL = 1e-12
#: Largest accepted grid (2^24 points, 128 MiB per array).
_MAX_LOG2 = 24
#: Most Monte Carlo severities drawn at once (memory bound of one chunk, 16 MiB).
_CHUNK_CLAIMS = 1 << 21

ArrayLike = float | np.ndarray
ProgressCallback = Callable[[float], None]


class AggregateWarning(UserWarning):
    """The grid could not meet its coverage target, or aliasing is larger than expected."""


def _arr(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _out(x: Any, value: np.ndarray) -> Any:
    """Return a float for scalar input, an array otherwise."""
    return float(value) if np.ndim(x) == 0 else value


def _check_positive(owner: str, name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not (math.isfinite(number) and number > 0):
        raise ValueError(f"{owner}: '{name}' must be a finite number > 0, got {value!r}")
    return number


# ============================================================================================
# Frequency: the (a, b, 0) class
# ============================================================================================
class _FrequencyBase:
    """Shared behaviour of the (a, b, 0) frequency specs (counts of losses per year)."""

    __slots__ = ()

    # provided by subclasses: mean, variance, third_central_moment, panjer_ab, pgf, pmf,
    # prob_at_least_one, per_event_probability, sample.

    @property
    def std(self) -> float:
        """Standard deviation of N (losses per year)."""
        return math.sqrt(self.variance)  # type: ignore[attr-defined]

    @property
    def skewness(self) -> float:
        """Skewness ``E[(N − EN)³] / Var(N)^{3/2}`` (dimensionless)."""
        return self.third_central_moment / self.variance**1.5  # type: ignore[attr-defined]

    @property
    def p0(self) -> float:
        """``P(N = 0)``, the chance of a year without a loss."""
        return float(self.pgf(0.0))  # type: ignore[attr-defined]

    def describe(self) -> str:
        """Human-readable spec, e.g. ``poisson(mean=2)``."""
        names = self.__dataclass_fields__  # type: ignore[attr-defined]
        params = ", ".join(f"{n}={getattr(self, n):.6g}" for n in names)
        return f"{type(self).__name__.lower()}({params})"


@dataclass(frozen=True, slots=True)
class Poisson(_FrequencyBase):
    """Poisson number of losses per year, ``P(N = k) = e^{−λ} λ^k / k!`` (Loss Models §6.2).

    Parameters
    ----------
    mean : float
        λ, the expected number of losses per year (> 0). ``Var N = E[(N − λ)³] = λ``.

    Notes
    -----
    Panjer class (a, b, 0) with ``a = 0``, ``b = λ``; pgf ``P(z) = exp(λ (z − 1))``.
    R: ``dpois(k, lambda)``.

    Examples
    --------
    >>> Poisson(2.0).panjer_ab
    (0.0, 2.0)
    >>> round(Poisson(2.0).pmf(0), 6) == round(math.exp(-2.0), 6)
    True
    """

    mean: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", _check_positive("poisson", "mean", self.mean))

    @property
    def variance(self) -> float:
        """``Var N = λ`` (losses² per year²)."""
        return self.mean

    @property
    def third_central_moment(self) -> float:
        """``E[(N − λ)³] = λ``."""
        return self.mean

    @property
    def panjer_ab(self) -> tuple[float, float]:
        """``(a, b)`` of the recursion ``p_k = (a + b/k) p_{k−1}``."""
        return 0.0, self.mean

    def pgf(self, z: Any) -> Any:
        """Probability generating function ``E[z^N] = exp(λ (z − 1))`` (complex z allowed)."""
        return np.exp(self.mean * (np.asarray(z) - 1.0))

    def pmf(self, k: Any) -> Any:
        """``P(N = k)``."""
        return _out(k, stats.poisson.pmf(k, self.mean))

    def prob_at_least_one(self, s: ArrayLike) -> Any:
        """``1 − P(1 − s) = 1 − e^{−λ s}``: chance that one of the year's losses has an event of
        per-loss probability ``s`` (computed without cancellation)."""
        return _out(s, -np.expm1(-self.mean * _arr(s)))

    def per_event_probability(self, e: ArrayLike) -> Any:
        """Inverse of :meth:`prob_at_least_one`: the ``s`` with ``1 − P(1 − s) = e``."""
        return _out(e, -np.log1p(-_arr(e)) / self.mean)

    def sample(self, size: int | tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Random yearly counts."""
        return rng.poisson(self.mean, size)


@dataclass(frozen=True, slots=True)
class NegativeBinomial(_FrequencyBase):
    """Negative binomial number of losses per year in the Loss Models parameterisation (§6.3).

    ``P(N = k) = C(k + r − 1, k) (1/(1+β))^r (β/(1+β))^k`` with size ``r`` and ``β = mean / r``.

    Parameters
    ----------
    mean : float
        ``rβ``, the expected number of losses per year (> 0).
    size : float
        ``r`` (> 0), the NB2 ``1/α``; ``Var N = mean (1 + mean/size) = rβ(1 + β)``.

    Notes
    -----
    Panjer class with ``a = β/(1+β)``, ``b = (r − 1) β/(1+β)``; pgf ``(1 − β (z − 1))^{−r}``;
    ``E[(N − EN)³] = rβ(1+β)(1+2β)``. ``size = 1`` is the geometric distribution.
    R: ``dnbinom(k, size = r, prob = 1/(1 + beta))`` (or ``mu = mean``).

    Examples
    --------
    >>> nb = NegativeBinomial(mean=3.0, size=1.5)
    >>> nb.beta, nb.variance
    (2.0, 9.0)
    """

    mean: float
    size: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", _check_positive("negative binomial", "mean", self.mean))
        object.__setattr__(self, "size", _check_positive("negative binomial", "size", self.size))

    @property
    def beta(self) -> float:
        """``β = mean / size``."""
        return self.mean / self.size

    @property
    def variance(self) -> float:
        """``Var N = rβ(1 + β)``."""
        return self.mean * (1.0 + self.beta)

    @property
    def third_central_moment(self) -> float:
        """``E[(N − EN)³] = rβ(1 + β)(1 + 2β)``."""
        return self.mean * (1.0 + self.beta) * (1.0 + 2.0 * self.beta)

    @property
    def panjer_ab(self) -> tuple[float, float]:
        """``(a, b) = (β/(1+β), (r − 1) β/(1+β))``."""
        q = self.beta / (1.0 + self.beta)
        return q, (self.size - 1.0) * q

    def pgf(self, z: Any) -> Any:
        """``E[z^N] = (1 − β (z − 1))^{−r}``.

        Principal branch; ``Re(1 − β(z − 1)) ≥ 1`` on ``|z| ≤ 1``.
        """
        return (1.0 - self.beta * (np.asarray(z) - 1.0)) ** (-self.size)

    def pmf(self, k: Any) -> Any:
        """``P(N = k)``."""
        return _out(k, stats.nbinom.pmf(k, self.size, 1.0 / (1.0 + self.beta)))

    def prob_at_least_one(self, s: ArrayLike) -> Any:
        """``1 − P(1 − s) = 1 − (1 + β s)^{−r}``."""
        return _out(s, -np.expm1(-self.size * np.log1p(self.beta * _arr(s))))

    def per_event_probability(self, e: ArrayLike) -> Any:
        """The ``s`` with ``1 − P(1 − s) = e``: ``((1 − e)^{−1/r} − 1) / β``."""
        return _out(e, np.expm1(-np.log1p(-_arr(e)) / self.size) / self.beta)

    def sample(self, size: int | tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Random yearly counts (numpy counts failures before ``r`` successes, p = 1/(1+β))."""
        return rng.negative_binomial(self.size, 1.0 / (1.0 + self.beta), size)


@dataclass(frozen=True, slots=True)
class Binomial(_FrequencyBase):
    """Binomial number of losses per year, at most ``n`` (Loss Models §6.4).

    Parameters
    ----------
    n : int
        Number of independent exposures (e.g. wallets or venues), a positive integer.
    p : float
        Yearly loss probability of each, in (0, 1).

    Notes
    -----
    Panjer class with ``a = −p/(1−p)``, ``b = (n + 1) p/(1−p)``; pgf ``(1 + p (z − 1))^n``;
    ``E[(N − np)³] = np(1−p)(1−2p)``. R: ``dbinom(k, size = n, prob = p)``.

    Examples
    --------
    >>> Binomial(10, 0.2).mean
    2.0
    """

    n: int
    p: float

    def __post_init__(self) -> None:
        if (
            isinstance(self.n, bool)
            or not (
                isinstance(self.n, int | np.integer)
                or (isinstance(self.n, float) and self.n.is_integer())
            )
            or self.n < 1
        ):
            raise ValueError(f"binomial: 'n' must be a positive integer, got {self.n!r}")
        object.__setattr__(self, "n", int(self.n))
        p = _check_positive("binomial", "p", self.p)
        if not p < 1:
            raise ValueError(f"binomial: 'p' must be in (0, 1), got {self.p!r}")
        object.__setattr__(self, "p", p)

    @property
    def mean(self) -> float:
        """``E[N] = np``."""
        return self.n * self.p

    @property
    def variance(self) -> float:
        """``Var N = np(1 − p)``."""
        return self.n * self.p * (1.0 - self.p)

    @property
    def third_central_moment(self) -> float:
        """``E[(N − np)³] = np(1 − p)(1 − 2p)``."""
        return self.n * self.p * (1.0 - self.p) * (1.0 - 2.0 * self.p)

    @property
    def panjer_ab(self) -> tuple[float, float]:
        """``(a, b) = (−p/(1−p), (n + 1) p/(1−p))``."""
        odds = self.p / (1.0 - self.p)
        return -odds, (self.n + 1) * odds

    def pgf(self, z: Any) -> Any:
        """``E[z^N] = (1 + p (z − 1))^n``."""
        return (1.0 + self.p * (np.asarray(z) - 1.0)) ** self.n

    def pmf(self, k: Any) -> Any:
        """``P(N = k)``."""
        return _out(k, stats.binom.pmf(k, self.n, self.p))

    def prob_at_least_one(self, s: ArrayLike) -> Any:
        """``1 − P(1 − s) = 1 − (1 − p s)^n``."""
        return _out(s, -np.expm1(self.n * np.log1p(-self.p * _arr(s))))

    def per_event_probability(self, e: ArrayLike) -> Any:
        """The ``s`` with ``1 − P(1 − s) = e``: ``(1 − (1 − e)^{1/n}) / p`` (> 1 if impossible)."""
        return _out(e, -np.expm1(np.log1p(-_arr(e)) / self.n) / self.p)

    def sample(self, size: int | tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Random yearly counts."""
        return rng.binomial(self.n, self.p, size)


#: Any frequency spec of this module.
Frequency = Poisson | NegativeBinomial | Binomial


# ============================================================================================
# Closed-form moments
# ============================================================================================
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
    mean = float(np.dot(x, p))
    dev = x - mean
    var = float(np.dot(dev * dev, p))
    third = float(np.dot(dev * dev * dev, p))
    return mean, var, third


# ============================================================================================
# Discretisation and the compound pmf on a grid
# ============================================================================================
def discretize(severity: LossDistribution, bucket: float, n: int) -> np.ndarray:
    """Severity probabilities on ``0, h, …, (n−1)h`` by local moment matching of order 1.

    ``f_0 = 1 − E[X∧h]/h``, ``f_j = (2E[X∧jh] − E[X∧(j−1)h] − E[X∧(j+1)h]) / h`` and the last
    point takes the remaining mass, ``f_{n−1} = (E[X∧(n−1)h] − E[X∧(n−2)h]) / h`` (which
    includes ``P(X > (n−1)h)``), so the probabilities sum to 1 and the discrete mean is
    ``E[X∧(n−1)h]``: exactly ``E[X]`` when the support ends within the grid. Loss Models
    §9.6.5; ``actuar::discretize(..., method = "unbiased")`` gives the same values except the
    last, from which actuar drops ``P(X > (n−1)h)``.

    Parameters
    ----------
    severity : LossDistribution
        Loss size (USD); only its vectorised ``lev`` is called, once on the whole grid.
    bucket : float
        Span ``h`` of the grid (USD).
    n : int
        Number of grid points (≥ 2).

    Returns
    -------
    numpy.ndarray
        ``n`` probabilities, ≥ 0, summing to 1.

    Notes
    -----
    Since ``E[X∧u]`` is concave, every ``f_j`` is ≥ 0 in exact arithmetic. Rounding in the
    differences of large ``E[X∧u]`` values (≈ 1e-16 of the mean) is removed by making the
    interval averages ``d_j = (E[X∧jh] − E[X∧(j−1)h])/h`` non-increasing, which keeps the total
    at exactly 1.

    Examples
    --------
    >>> from pricing.distributions import Gamma
    >>> f = discretize(Gamma(1.0, 1.0), 1.0, 4)          # exponential, mean 1
    >>> [round(float(v), 6) for v in f]                  # actuar: 0.367879 0.399576 0.146996 ...
    [0.367879, 0.399576, 0.146996, 0.085548]
    """
    h = _check_positive("discretize", "bucket", bucket)
    if int(n) < 2:
        raise ValueError(f"discretize: 'n' must be >= 2 grid points, got {n!r}")
    n = int(n)
    return discretize_lev(_arr(severity.lev(h * np.arange(n, dtype=float))), h)


def discretize_lev(lev: np.ndarray, bucket: float) -> np.ndarray:
    """:func:`discretize` from ``E[X∧jh]``, ``j = 0, …, n−1``, along the last axis.

    Takes many severities at once (one per row), e.g. every layer of a retention × limit grid.
    """
    lev = np.asarray(lev, dtype=float)
    lev = lev - lev[..., :1]  # E[X∧0] = 0 for X ≥ 0; guard against round-off
    d = np.empty_like(lev)
    d[..., 0] = 1.0
    d[..., 1:] = np.diff(lev, axis=-1) / bucket  # average survival probability per interval
    np.clip(d, 0.0, 1.0, out=d)
    np.minimum.accumulate(d, axis=-1, out=d)
    f = np.empty_like(d)
    f[..., :-1] = d[..., :-1] - d[..., 1:]
    f[..., -1] = d[..., -1]
    return f


def _severity_points(severity: LossDistribution, bucket: float, m: int) -> int:
    """Grid points the discretised severity needs: up to its upper end, at most ``m``."""
    upper = severity.upper
    if math.isfinite(upper) and upper / bucket < m - 2:
        return max(2, math.ceil(upper / bucket) + 2)
    return m


def fft_pmf(frequency: Frequency, severity_pmf: np.ndarray, m: int, padding: int = 1) -> np.ndarray:
    """Compound probabilities on the first ``m`` grid points by the FFT.

    ``g = IDFT(P_N(DFT(f)))`` on ``m·2^padding`` points (Loss Models §9.7). The circular
    convolution folds the mass of ``S`` at and above ``m·2^padding`` grid points onto the
    start of the grid ("aliasing"); the padding pushes that far into the tail.

    Parameters
    ----------
    frequency : Poisson, NegativeBinomial or Binomial
    severity_pmf : numpy.ndarray
        Severity probabilities on ``0, h, 2h, …`` (at most ``m`` of them).
    m : int
        Number of grid points kept.
    padding : int
        Zero padding: the transform has ``m·2^padding`` points.

    Returns
    -------
    numpy.ndarray
        ``m`` probabilities; round-off makes some far-tail values slightly negative (≈ 1e-17),
        which callers may clip.
    """
    return _fft_full(frequency, severity_pmf, m << int(padding))[:m]


def _fft_full(frequency: Frequency, severity_pmf: np.ndarray, n_fft: int) -> np.ndarray:
    f = np.asarray(severity_pmf, dtype=float)
    if f.size > n_fft:
        raise ValueError("fft: the severity grid is longer than the transform")
    phi = np.fft.rfft(f, n_fft)
    return np.fft.irfft(frequency.pgf(phi), n_fft)


def panjer_pmf(frequency: Frequency, severity_pmf: np.ndarray, m: int) -> np.ndarray:
    """Compound probabilities on ``m`` grid points by the Panjer recursion.

    ``g_0 = P_N(f_0)`` and ``g_k = Σ_{j=1}^{k} (a + b j/k) f_j g_{k−j} / (1 − a f_0)`` for the
    (a, b, 0) class (Panjer 1981; Loss Models Theorem 9.8). Exact up to rounding, with no
    aliasing, at ``O(m · len(f))`` cost: each step is two dot products, which is fine for
    ``m`` up to about 2^13–2^14.

    Parameters
    ----------
    frequency : Poisson, NegativeBinomial or Binomial
    severity_pmf : numpy.ndarray
        Severity probabilities on ``0, h, 2h, …``.
    m : int
        Number of grid points computed.

    Raises
    ------
    ValueError
        If ``P_N(f_0)`` underflows (an expected count of several hundred losses), or if the
        recursion is numerically unstable (the result is not a sub-probability vector): use
        the FFT. The binomial recursion (``a < 0``) amplifies rounding errors when
        ``p > 1/2`` and the severity sits on few grid points (Panjer & Wang 1993,
        *ASTIN Bull.* 23, 227–258); its sign-alternating error then shows as negative values.
    """
    f = np.asarray(severity_pmf, dtype=float)
    a, b = frequency.panjer_ab
    g = np.zeros(int(m))
    g[0] = float(np.real(frequency.pgf(f[0])))
    if not g[0] > 1e-300:
        raise ValueError(
            "panjer: P(S = 0) underflows (too many expected losses for the recursion); "
            "use method='fft'"
        )
    length = min(f.size, g.size)
    j = np.arange(1, length, dtype=float)
    af = a * f[1:length]
    bjf = b * j * f[1:length]
    scale = 1.0 / (1.0 - a * f[0])
    for k in range(1, g.size):
        top = min(k, length - 1)
        if top == 0:
            break
        past = g[k - top : k][::-1]  # g_{k−1}, …, g_{k−top}
        value = np.dot(bjf[:top], past) / k
        if a != 0.0:
            value += np.dot(af[:top], past)
        g[k] = value * scale
    if not (g.min() >= -1e-12 and g.sum() <= 1.0 + 1e-9):  # also catches NaN / inf
        raise ValueError(
            "panjer: the recursion is numerically unstable for this model (rounding errors "
            f"grow with a = {a:.3g} on this grid); use method='fft'"
        )
    return g


# ============================================================================================
# Grid choice
# ============================================================================================
@dataclass(frozen=True, slots=True)
class GridSpec:
    """How the FFT / Panjer grid is chosen.

    Parameters
    ----------
    log2 : int
        The grid has ``m = 2^log2`` points ``0, h, …, (m−1)h`` (default 2^14).
    bucket : float or None
        Span ``h`` in USD. ``None`` (default) chooses it so that the grid reaches the
        ``coverage`` quantile of ``S`` and, for a bounded severity, the largest single loss.
    coverage : float
        Target probability held by the grid, ``P(S < m h) ≥ coverage`` (default 1 − 1e-6).
        For severities with an infinite mean the ``1 − 1e-6`` quantile is astronomically large
        and the grid then resolves the body poorly; lower it (e.g. 1 − 1e-4) or raise
        ``log2`` there.
    padding : int
        FFT zero padding: the transform has ``m · 2^padding`` points (default 1, i.e. 2m).
    estimate_aliasing : bool
        Repeat the FFT with twice the padding and report the L1 difference on the grid as the
        aliasing error estimate (costs one more transform; default True).
    align_to : float or None
        An atom of the severity (USD), e.g. a wallet cap: an automatic bucket is shrunk so that
        it falls on a grid point (:func:`aligned_bucket`). An atom between two points would
        be split between them and blur the distribution function there.
    """

    log2: int = 14
    bucket: float | None = None
    coverage: float = 1.0 - 1e-6
    padding: int = 1
    estimate_aliasing: bool = True
    align_to: float | None = None

    def __post_init__(self) -> None:
        if (
            isinstance(self.log2, bool)
            or not isinstance(self.log2, int | np.integer)
            or not (3 <= self.log2 <= _MAX_LOG2)
        ):
            raise ValueError(
                f"grid: 'log2' must be an integer in [3, {_MAX_LOG2}], got {self.log2!r}"
            )
        if self.bucket is not None:
            object.__setattr__(self, "bucket", _check_positive("grid", "bucket", self.bucket))
        if self.align_to is not None:
            object.__setattr__(self, "align_to", _check_positive("grid", "align_to", self.align_to))
        if not (0.5 < float(self.coverage) < 1.0):
            raise ValueError(f"grid: 'coverage' must be in (0.5, 1), got {self.coverage!r}")
        if (
            isinstance(self.padding, bool)
            or not isinstance(self.padding, int | np.integer)
            or not (0 <= self.padding <= 4)
        ):
            raise ValueError(f"grid: 'padding' must be an integer in [0, 4], got {self.padding!r}")

    @property
    def m(self) -> int:
        """Number of grid points."""
        return 1 << int(self.log2)


def aligned_bucket(bucket: float, atom: float | None) -> float:
    """The largest bucket ≤ ``bucket`` that puts ``atom`` (USD) on the grid ``0, h, 2h, …``
    (``bucket`` itself when there is no atom or it lies below the first point)."""
    if atom is None or not (atom > 0 and math.isfinite(atom)) or atom < bucket:
        return bucket
    return atom / math.ceil(atom / bucket * (1 - 1e-12))


def _nice_ceil(h: float) -> float:
    """Round a bucket up to two significant digits (≤ 10% coarser), for readable grids."""
    exponent = math.floor(math.log10(h)) - 1
    unit = 10.0**exponent
    return math.ceil(h / unit * (1 - 1e-12)) * unit


def _initial_reach(
    frequency: Frequency, severity: LossDistribution, moments: CompoundMoments, eps: float
) -> tuple[float, float]:
    """A first guess of the ``1 − eps`` quantile of S and a floor for the grid's reach (USD).

    Floor: the largest single loss if the severity is bounded, else the single-big-jump
    quantile ``F_X^{-1}(1 − eps/E[N])`` (``P(S > x) ≈ E[N] S_X(x)`` for subexponential
    severities). Guess: the larger of the floor and a Cornish–Fisher quantile from the
    closed-form mean, standard deviation and skewness.
    """
    jump = float(severity.isf(min(eps / frequency.mean, 1e-3)))
    floor = severity.upper if math.isfinite(severity.upper) else jump
    guess = max(floor, jump if math.isfinite(jump) else 0.0)
    if math.isfinite(moments.variance):
        z = float(special.ndtri(1.0 - eps))
        skew = moments.skewness if math.isfinite(moments.skewness) else 0.0
        guess = max(guess, moments.mean + moments.std * (z + (z * z - 1.0) * max(skew, 0.0) / 6))
    if not (math.isfinite(guess) and guess > 0):
        raise ValueError(
            "grid: cannot place a grid for this severity (its quantiles are not finite); "
            "give GridSpec(bucket=...) explicitly"
        )
    return guess, floor


def _fft_on_grid(
    frequency: Frequency,
    severity: LossDistribution,
    spec: GridSpec,
    moments: CompoundMoments,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Choose the bucket (unless given) and return ``(h, severity pmf, padded FFT result)``.

    With an automatic bucket, the padded FFT result locates the ``coverage`` quantile and the
    bucket is rescaled until that quantile falls in the top half of the grid (or the floor
    binds); each round costs one discretisation and one FFT.
    """
    m = spec.m
    n_fft = m << int(spec.padding)
    if spec.bucket is not None:
        h = float(spec.bucket)
        f = discretize(severity, h, _severity_points(severity, h, m))
        return h, f, _fft_full(frequency, f, n_fft)

    eps = 1.0 - float(spec.coverage)
    guess, floor = _initial_reach(frequency, severity, moments, eps)
    h_min = floor / (m - 1) * (1 + 1e-9)
    h = aligned_bucket(_nice_ceil(max(guess / (m - 1), h_min)), spec.align_to)
    for _ in range(12):
        f = discretize(severity, h, _severity_points(severity, h, m))
        g = _fft_full(frequency, f, n_fft)
        k_star = int(np.searchsorted(np.cumsum(g), 1.0 - eps))  # first index with F ≥ 1 − eps
        if k_star >= n_fft:
            factor = 2.0 * (n_fft / m)
        else:
            used = (k_star + 1) / m
            if 0.5 <= used <= 1.0:
                break
            factor = used / 0.9
        new_h = aligned_bucket(_nice_ceil(max(h * factor, h_min)), spec.align_to)
        if abs(new_h / h - 1.0) < 0.02:
            break
        h = new_h
    return h, f, g


# ============================================================================================
# Monte Carlo
# ============================================================================================
def simulate(
    frequency: Frequency,
    severity: LossDistribution,
    n_years: int,
    *,
    seed: int | np.random.Generator | None = None,
    progress: ProgressCallback | None = None,
    chunk_claims: int = _CHUNK_CLAIMS,
) -> np.ndarray:
    """Simulated yearly aggregate losses (USD), in chunks.

    Each chunk draws the yearly counts, then all its losses by inversion of the severity's
    quantile function, and sums them per year. The result depends only on ``seed`` and
    ``chunk_claims`` (which sets the chunk length, about ``chunk_claims / E[N]`` years).

    Parameters
    ----------
    frequency, severity
        The model.
    n_years : int
        Number of simulated years.
    seed : int, numpy Generator or None
        Seed of ``numpy.random.default_rng`` (``None`` for fresh entropy).
    progress : callable or None
        Called with the finished fraction in (0, 1] after each chunk (e.g. a Streamlit
        progress bar's ``progress``).
    chunk_claims : int
        About how many losses to draw at once (memory: 8 bytes each, twice).

    Returns
    -------
    numpy.ndarray
        ``n_years`` yearly totals.
    """
    if isinstance(n_years, bool) or int(n_years) != n_years or n_years < 1:
        raise ValueError(f"simulate: 'n_years' must be a positive integer, got {n_years!r}")
    n_years = int(n_years)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    per_chunk = max(1, min(n_years, int(chunk_claims / max(frequency.mean, 1.0))))
    totals = np.empty(n_years)
    done = 0
    while done < n_years:
        k = min(per_chunk, n_years - done)
        counts = np.asarray(frequency.sample(k, rng), dtype=np.int64)
        n_losses = int(counts.sum())
        if n_losses:
            losses = _arr(severity.rvs(n_losses, rng))
            year = np.repeat(np.arange(k), counts)
            totals[done : done + k] = np.bincount(year, weights=losses, minlength=k)
        else:
            totals[done : done + k] = 0.0
        done += k
        if progress is not None:
            progress(done / n_years)
    return totals


# ============================================================================================
# The result
# ============================================================================================
@dataclass(frozen=True, slots=True, eq=False)
class AggregateDistribution:
    """Distribution of the yearly aggregate loss ``S`` on a grid (or an empirical sample).

    Attributes
    ----------
    method : ``"fft"``, ``"panjer"`` or ``"mc"``.
    x : numpy.ndarray
        Support points (USD), increasing: ``0, h, …, (m−1)h`` for the grid methods, the
        distinct simulated totals for Monte Carlo. Read-only.
    pmf : numpy.ndarray
        Probabilities on ``x`` (≥ 0). Read-only. With ``tail_mass`` they sum to 1.
    bucket : float
        Grid span ``h`` (USD); NaN for Monte Carlo.
    frequency, severity
        The model the result was computed from.
    moments : CompoundMoments
        Closed-form mean, variance and third central moment of ``S`` (``inf`` where a severity
        moment is infinite). :meth:`mean`, :meth:`variance`, :meth:`tvar` and the stop-loss
        functions use these, never a sum over the truncated grid.
    tail_mass : float
        ``P(S ≥ m h)``, the probability beyond the grid (0 for Monte Carlo).
    aliasing_error : float
        FFT only: estimated wrap-around error, the L1 distance on the grid between this result
        and one with twice the padding (0 otherwise).
    severity_grid : tuple or None
        Mean, variance and third central moment of the discretised severity (grid methods),
        for the audit.
    n_sims : int
        Number of simulated years (Monte Carlo), else 0.

    Notes
    -----
    *Equality and hashing are by content*: two results are equal when method, bucket, model,
    moments, diagnostics and the bytes of ``x`` and ``pmf`` agree; a BLAKE2 digest of the
    arrays is computed on first use. The arrays are read-only views so the content cannot
    change under a hash. (A result can thus be an ``st.cache_data`` argument or a dict key.)

    Outside the grid (``x ≥ m h`` with ``tail_mass > 0``) the distribution is not known:
    :meth:`cdf` and :meth:`sf` return NaN there and :meth:`value_at_risk` raises. The limited
    expected value there counts the tail mass at ``m h``, a lower bound off by at most
    ``(v − m h) · tail_mass``.
    """

    method: str
    x: np.ndarray = field(repr=False)
    pmf: np.ndarray = field(repr=False)
    bucket: float
    frequency: Frequency
    severity: LossDistribution
    moments: CompoundMoments
    tail_mass: float = 0.0
    aliasing_error: float = 0.0
    severity_grid: tuple[float, float, float] | None = None
    n_sims: int = 0
    _cdf: np.ndarray = field(init=False, repr=False)
    _above: np.ndarray = field(init=False, repr=False)
    _cum_xp: np.ndarray = field(init=False, repr=False)
    _digest: bytes | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        x = np.array(self.x, dtype=float)
        pmf = np.array(self.pmf, dtype=float)
        if x.ndim != 1 or x.shape != pmf.shape or x.size == 0:
            raise ValueError("aggregate: 'x' and 'pmf' must be non-empty 1-d arrays of one length")
        if np.any(np.diff(x) <= 0):
            raise ValueError("aggregate: 'x' must be strictly increasing")
        if np.any(pmf < 0):
            raise ValueError("aggregate: 'pmf' must be >= 0")
        if self.method not in METHODS:
            raise ValueError(f"aggregate: 'method' must be one of {METHODS}, got {self.method!r}")
        cdf = np.cumsum(pmf)
        above = np.zeros(pmf.size + 1)  # above[k] = Σ_{j ≥ k} pmf_j
        above[:-1] = np.cumsum(pmf[::-1])[::-1]
        cum_xp = np.zeros(pmf.size + 1)  # cum_xp[k] = Σ_{j < k} x_j pmf_j
        cum_xp[1:] = np.cumsum(x * pmf)
        for name, value in (
            ("x", x),
            ("pmf", pmf),
            ("_cdf", cdf),
            ("_above", above),
            ("_cum_xp", cum_xp),
        ):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    # -- identity -----------------------------------------------------------------------------
    def _key(self) -> tuple[Any, ...]:
        if self._digest is None:
            digest = hashlib.blake2b(self.x.tobytes(), digest_size=20)
            digest.update(self.pmf.tobytes())
            object.__setattr__(self, "_digest", digest.digest())
        bucket = None if math.isnan(self.bucket) else self.bucket
        return (
            self.method,
            bucket,
            self.frequency,
            self.severity,
            self.moments,
            self.tail_mass,
            self.aliasing_error,
            self.severity_grid,
            self.n_sims,
            self._digest,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AggregateDistribution):
            return NotImplemented
        return self is other or self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    # -- grid facts ---------------------------------------------------------------------------
    @property
    def grid_end(self) -> float:
        """First point beyond the grid, ``m h`` (USD); ``inf`` for Monte Carlo."""
        if self.method == "mc":
            return math.inf
        return float(self.x[-1] + self.bucket)

    @property
    def coverage(self) -> float:
        """Probability held on the grid, ``1 − tail_mass``."""
        return 1.0 - self.tail_mass

    # -- closed-form moments ------------------------------------------------------------------
    def mean(self) -> float:
        """``E[S] = E[N] E[X]`` (USD; ``inf`` if the severity mean is)."""
        return self.moments.mean

    def variance(self) -> float:
        """``Var S = E[N] Var X + Var N E[X]²`` (USD²)."""
        return self.moments.variance

    def std(self) -> float:
        """Standard deviation of S (USD)."""
        return self.moments.std

    def cv(self) -> float:
        """Coefficient of variation of S."""
        return self.moments.cv

    def skewness(self) -> float:
        """Skewness of S (closed form)."""
        return self.moments.skewness

    def grid_moments(self) -> CompoundMoments:
        """Mean, variance and third central moment of the probabilities held on ``x``.

        These miss the mass beyond the grid; compare them with :attr:`moments` (see
        :meth:`audit`), never use them in place of it.
        """
        return CompoundMoments(*_grid_central_moments(self.x, self.pmf))

    # -- distribution -------------------------------------------------------------------------
    def _unknown(self, xa: np.ndarray) -> np.ndarray:
        return (xa >= self.grid_end) & (self.tail_mass > 0)

    def cdf(self, x: ArrayLike) -> Any:
        """``P(S ≤ x)``; NaN beyond the grid when there is mass there."""
        xa = _arr(x)
        k = np.searchsorted(self.x, xa, side="right")  # points ≤ x
        value = np.where(k > 0, self._cdf[np.maximum(k - 1, 0)], 0.0)
        return _out(x, np.where(self._unknown(xa), np.nan, value))

    def sf(self, x: ArrayLike) -> Any:
        """``P(S > x)``, the aggregate exceedance probability (AEP); NaN beyond the grid.

        Summed from the top of the grid, so small probabilities keep their precision.
        """
        xa = _arr(x)
        k = np.searchsorted(self.x, xa, side="right")
        value = self._above[k] + self.tail_mass
        return _out(x, np.where(self._unknown(xa), np.nan, value))

    def aep(self, x: ArrayLike) -> Any:
        """Aggregate exceedance probability ``P(S > x)`` (same as :meth:`sf`)."""
        return self.sf(x)

    def oep(self, x: ArrayLike) -> Any:
        """Occurrence exceedance probability ``P(max_i X_i > x) = 1 − P_N(F_X(x))``.

        Closed form from the frequency pgf and the severity (not the grid), valid at any x.
        """
        return _out(x, _arr(self.frequency.prob_at_least_one(_arr(self.severity.sf(_arr(x))))))

    def occurrence_quantile(self, p: float) -> float:
        """Smallest x with ``P(max_i X_i ≤ x) ≥ p``: the largest single loss at level p (USD)."""
        _check_level(p)
        s = float(self.frequency.per_event_probability(1.0 - p))
        if s >= 1.0:
            return 0.0
        return float(self.severity.isf(s))

    def value_at_risk(self, p: ArrayLike) -> Any:
        """``VaR_p = inf{x : P(S ≤ x) ≥ p}`` (USD), read off the grid.

        Raises
        ------
        ValueError
            If ``p`` is outside [0, 1) or beyond the probability the grid holds.
        """
        pa = _arr(p)
        if np.any(~((pa >= 0) & (pa < 1))):
            raise ValueError(f"value_at_risk: 'p' must be in [0, 1), got {p!r}")
        k = np.searchsorted(self._cdf, pa - _CDF_TOL, side="left")
        if np.any(k >= self.x.size):
            raise ValueError(
                f"value_at_risk: p={p!r} is beyond the grid, which holds probability "
                f"{self.coverage:.12g}; raise GridSpec.coverage or log2"
            )
        return _out(p, self.x[k])

    def limited_expected_value(self, v: ArrayLike) -> Any:
        """``E[S∧v]`` (USD), from the probabilities below ``v``.

        Capped at the closed-form ``E[S]``; beyond the grid the tail mass counts at ``m h``.
        """
        va = _arr(v)
        k = np.searchsorted(self.x, va, side="left")  # points < v
        value = (
            self._cum_xp[k] + va * self._above[k] + np.minimum(va, self.grid_end) * self.tail_mass
        )
        if math.isfinite(self.mean()):
            value = np.minimum(value, self.mean())
        return _out(v, value)

    def lev(self, v: ArrayLike) -> Any:
        """Alias of :meth:`limited_expected_value`."""
        return self.limited_expected_value(v)

    def stop_loss(self, d: ArrayLike) -> Any:
        """``E[(S − d)+] = E[S] − E[S∧d]`` (USD), closed-form ``E[S]`` (``inf`` if it is)."""
        if not math.isfinite(self.mean()):
            return _out(d, np.full(np.shape(d), math.inf))
        return _out(d, np.maximum(self.mean() - _arr(self.limited_expected_value(d)), 0.0))

    def expected_ceded(self, retention: float, limit: float = math.inf) -> float:
        """Expected yearly payment of an aggregate layer: ``E[S∧(a+L)] − E[S∧a]`` (USD).

        ``a`` = annual aggregate retention, ``L`` = annual aggregate limit (``inf`` for none,
        then it is :meth:`stop_loss`).
        """
        if not (retention >= 0 and limit > 0):
            raise ValueError("expected_ceded: 'retention' must be >= 0 and 'limit' > 0 (USD)")
        if math.isinf(limit):
            return float(self.stop_loss(retention))
        top = float(self.limited_expected_value(retention + limit))
        return max(top - float(self.limited_expected_value(retention)), 0.0)

    def tvar(self, p: float) -> float:
        """Tail value at risk ``TVaR_p = VaR_p + (E[S] − E[S∧VaR_p]) / (1 − p)`` (USD).

        The expected shortfall (average of ``VaR_u`` over ``u ∈ [p, 1)``), right also when S
        has an atom at ``VaR_p``; the tail beyond ``VaR_p`` enters only through the
        closed-form mean, so a grid that ends early does not bias it. ``inf`` when ``E[S]`` is.
        """
        _check_level(p)
        if not math.isfinite(self.mean()):
            return math.inf
        v = float(self.value_at_risk(p))
        return v + float(self.stop_loss(v)) / (1.0 - p)

    # -- tables -------------------------------------------------------------------------------
    def risk_measures(self, levels: Sequence[float] = (0.95, 0.99, 0.995)) -> dict[str, Any]:
        """Mean, standard deviation, skewness, and VaR and TVaR by level (USD), keyed by
        the level as text (``"0.995"``), as the command line prints them."""
        return {
            "mean": self.mean(),
            "sd": self.std(),
            "skewness": self.skewness(),
            "var": {f"{p:g}": float(self.value_at_risk(p)) for p in levels},
            "tvar": {f"{p:g}": self.tvar(p) for p in levels},
        }

    def exceedance_curve(self, kind: str = "aep") -> pd.DataFrame:
        """Exceedance probabilities at the support points.

        Parameters
        ----------
        kind : ``"aep"`` for ``P(S > x)``, ``"oep"`` for ``P(max X_i > x)`` (closed form).

        Returns
        -------
        pandas.DataFrame
            Columns ``loss`` (USD) and ``probability``.
        """
        if kind == "aep":
            prob = self._above[1:] + self.tail_mass
        elif kind == "oep":
            prob = _arr(self.oep(self.x))
        else:
            raise ValueError(f"exceedance_curve: 'kind' must be 'aep' or 'oep', got {kind!r}")
        return pd.DataFrame({"loss": np.array(self.x), "probability": np.array(prob)})

    def return_period_table(
        self, periods: Sequence[float] = (10, 50, 100, 200, 500)
    ) -> pd.DataFrame:
        """Losses by return period T (years): level ``p = 1 − 1/T``.

        Columns: ``return_period``, ``probability`` (yearly exceedance ``1/T``), ``aep_loss``
        (``VaR_p`` of S), ``tvar`` (``TVaR_p``) and ``oep_loss`` (largest single loss at
        level p, closed form). A level beyond the grid gives NaN.
        """
        rows = []
        for period in periods:
            if not period > 1:
                raise ValueError(f"return_period_table: periods must be > 1 year, got {period!r}")
            p = 1.0 - 1.0 / period
            try:
                var = float(self.value_at_risk(p))
                tvar = self.tvar(p)
            except ValueError:
                var = tvar = math.nan
            rows.append((float(period), 1.0 / period, var, tvar, self.occurrence_quantile(p)))
        return pd.DataFrame(
            rows, columns=["return_period", "probability", "aep_loss", "tvar", "oep_loss"]
        )

    def audit(self) -> pd.DataFrame:
        """Closed-form against numerical mean, CV and skewness, with a validity flag.

        Rows ``(component, statistic)`` for the severity (discretised, grid methods only) and
        the aggregate; columns ``closed_form``, ``numerical``, ``rel_error``, ``tolerance``,
        ``valid``, ``note``. Grid tolerances are :data:`AUDIT_TOLERANCE`; Monte Carlo uses 4
        standard errors for the mean and :data:`MC_AUDIT_TOLERANCE`. An infinite closed-form
        moment is never valid: the grid cannot hold that tail, and the closed form is used.
        """
        rows: list[tuple[Any, ...]] = []
        index: list[tuple[str, str]] = []
        parts: list[tuple[str, CompoundMoments, CompoundMoments]] = []
        if self.severity_grid is not None:
            closed = CompoundMoments(*_severity_central_moments(self.severity))
            parts.append(("severity", closed, CompoundMoments(*self.severity_grid)))
        parts.append(("aggregate", self.moments, self.grid_moments()))
        for component, closed, numeric in parts:
            for stat in ("mean", "cv", "skewness"):
                exact = float(getattr(closed, stat))
                est = float(getattr(numeric, stat))
                tol = self._tolerance(stat, closed)
                if not math.isfinite(exact):
                    err, ok = math.inf, False
                    note = "closed form infinite: the grid cannot hold this tail"
                else:
                    err = abs(est / exact - 1.0) if exact != 0 else abs(est)
                    ok = bool(err <= tol)
                    note = "" if ok else "grid misses part of the distribution"
                index.append((component, stat))
                rows.append((exact, est, err, tol, ok, note))
        return pd.DataFrame(
            rows,
            index=pd.MultiIndex.from_tuples(index, names=["component", "statistic"]),
            columns=["closed_form", "numerical", "rel_error", "tolerance", "valid", "note"],
        )

    def _tolerance(self, stat: str, closed: CompoundMoments) -> float:
        if self.method != "mc":
            return AUDIT_TOLERANCE[stat]
        if stat == "mean":
            cv = closed.cv
            return 4.0 * cv / math.sqrt(self.n_sims) if math.isfinite(cv) else math.inf
        return MC_AUDIT_TOLERANCE[stat]

    @property
    def is_valid(self) -> bool:
        """All audit rows within tolerance."""
        return bool(self.audit()["valid"].all())


def _check_level(p: float) -> None:
    if not (0 <= p < 1):
        raise ValueError(f"'p' must be a probability level in [0, 1), got {p!r}")


# ============================================================================================
# Entry point
# ============================================================================================
def aggregate(
    frequency: Frequency,
    severity: LossDistribution,
    method: str = "fft",
    *,
    grid: GridSpec | None = None,
    n_sims: int = 100_000,
    seed: int | np.random.Generator | None = None,
    progress: ProgressCallback | None = None,
) -> AggregateDistribution:
    """Distribution of the yearly aggregate loss ``S = X_1 + … + X_N``.

    Parameters
    ----------
    frequency : Poisson, NegativeBinomial or Binomial
        Number of losses per year.
    severity : LossDistribution
        Size of one loss (USD), e.g. ``Lomax(0.8, 2e7).capped(1e9)`` or a per-occurrence
        ``retained``/``layer`` transform.
    method : ``"fft"`` (default), ``"panjer"`` or ``"mc"``
        FFT of the discretised severity; the Panjer recursion on the same grid (an independent
        check, O(m²)); or Monte Carlo (empirical distribution of ``n_sims`` years).
    grid : GridSpec, optional
        Grid for ``fft``/``panjer`` (default ``GridSpec()``: 2^14 points, automatic bucket).
    n_sims : int
        Simulated years for ``mc``.
    seed : int, Generator or None
        Monte Carlo seed.
    progress : callable or None
        Monte Carlo progress callback, called with the finished fraction.

    Returns
    -------
    AggregateDistribution
        Grid (or sample) probabilities with the closed-form moments.

    Warns
    -----
    AggregateWarning
        If an automatic grid holds less than ``grid.coverage``, or the aliasing estimate
        exceeds 1e-9.

    Examples
    --------
    >>> from pricing.distributions import Lomax
    >>> agg = aggregate(Poisson(2.0), Lomax(0.8, 2e7))   # infinite mean: TVaR is inf
    >>> agg.mean(), agg.tvar(0.99)
    (inf, inf)
    """
    if method not in METHODS:
        raise ValueError(f"aggregate: 'method' must be one of {METHODS}, got {method!r}")
    if not isinstance(frequency, Poisson | NegativeBinomial | Binomial):
        raise ValueError(
            "aggregate: 'frequency' must be Poisson, NegativeBinomial or Binomial, "
            f"got {type(frequency).__name__}"
        )
    if not isinstance(severity, LossDistribution):
        raise ValueError(
            f"aggregate: 'severity' must be a LossDistribution, got {type(severity).__name__}"
        )
    moments = compound_moments(frequency, severity)
    if method == "mc":
        sample = simulate(frequency, severity, n_sims, seed=seed, progress=progress)
        x, counts = np.unique(sample, return_counts=True)
        return AggregateDistribution(
            "mc",
            x,
            counts / sample.size,
            math.nan,
            frequency,
            severity,
            moments,
            n_sims=int(sample.size),
        )

    spec = GridSpec() if grid is None else grid
    m = spec.m
    h, f, g_full = _fft_on_grid(frequency, severity, spec, moments)
    aliasing = 0.0
    if method == "fft":
        g = np.clip(g_full[:m], 0.0, None)
        if spec.estimate_aliasing:
            g2 = _fft_full(frequency, f, 2 * g_full.size)[:m]
            aliasing = float(np.abs(g_full[:m] - g2).sum())
    else:
        g = np.clip(panjer_pmf(frequency, f, m), 0.0, None)
    tail = max(1.0 - float(g.sum()), 0.0)
    if spec.bucket is None and tail > 1.0 - spec.coverage:
        warnings.warn(
            f"aggregate: the grid holds {1 - tail:.10g} < coverage {spec.coverage:.10g}; "
            "quantiles above that are unavailable (raise log2)",
            AggregateWarning,
            stacklevel=2,
        )
    if aliasing > 1e-9:
        warnings.warn(
            f"aggregate: FFT aliasing error estimate {aliasing:.2g}; raise GridSpec.padding "
            "or the bucket",
            AggregateWarning,
            stacklevel=2,
        )
    x_sev = h * np.arange(f.size)
    return AggregateDistribution(
        method,
        h * np.arange(m),
        g,
        h,
        frequency,
        severity,
        moments,
        tail_mass=tail,
        aliasing_error=aliasing,
        severity_grid=_grid_central_moments(x_sev, f),
    )
