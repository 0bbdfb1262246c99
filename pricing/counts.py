"""Counts of losses per year: the (a, b, 0) class of Klugman, Panjer & Willmot.

*Loss Models: From Data to Decisions* (ch. 6), in its parameterisation (also R's ``actuar``):
:class:`Poisson`, :class:`NegativeBinomial` (size r, β = mean/r) and :class:`Binomial`. Each
gives its moments, Panjer ``(a, b)``, probability generating function, probabilities, the chance
that one of the year's losses has an event of a given per-loss probability, and random counts.

(Not to be confused with :mod:`pricing.frequency`, which *fits* theft counts to exchange data
with a GLM; the fitted rate becomes one of these count laws.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

__all__ = ["Binomial", "Frequency", "NegativeBinomial", "Poisson"]

ArrayLike = float | np.ndarray


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


def _pmf_on_integers(k: Any, log_pmf: Any, upper: float = math.inf) -> Any:
    """``exp(log_pmf(k))`` at the integers ``0 ≤ k ≤ upper``, 0 elsewhere (as scipy.stats)."""
    ka = _arr(k)
    ok = (ka >= 0) & (ka <= upper) & (ka == np.floor(ka)) & np.isfinite(ka)
    safe = np.where(ok, ka, 0.0)
    return _out(k, np.where(ok, np.exp(log_pmf(safe)), 0.0))


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
        lam = self.mean
        return _pmf_on_integers(k, lambda j: special.xlogy(j, lam) - lam - special.gammaln(j + 1.0))

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

        Principal branch; ``Re(1 − β(z − 1)) ≥ 1`` on ``|z| ≤ 1``. For complex ``z`` computed
        in real arithmetic, ``|w|^{−r} (cos(−r arg w) + i sin(−r arg w))`` with
        ``w = 1 − β(z − 1)``: the principal branch of the complex power (to 1e-15), about 2×
        faster on the long transforms of frequent losses.
        """
        w = 1.0 - self.beta * (np.asarray(z) - 1.0)
        if not np.iscomplexobj(w):
            return w ** (-self.size)
        re, im = w.real, w.imag
        magnitude = np.exp(-self.size * np.log(np.hypot(re, im)))  # no overflow of re²
        angle = -self.size * np.arctan2(im, re)
        out = np.empty(w.shape, dtype=complex)
        out.real = magnitude * np.cos(angle)
        out.imag = magnitude * np.sin(angle)
        return out

    def pmf(self, k: Any) -> Any:
        """``P(N = k)``."""
        r, beta = self.size, self.beta

        def log_pmf(j: np.ndarray) -> np.ndarray:
            comb = special.gammaln(j + r) - special.gammaln(r) - special.gammaln(j + 1.0)
            return comb - r * math.log1p(beta) + special.xlogy(j, beta / (1.0 + beta))

        return _pmf_on_integers(k, log_pmf)

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
        n, p = self.n, self.p

        def log_pmf(j: np.ndarray) -> np.ndarray:
            comb = (
                special.gammaln(n + 1.0) - special.gammaln(j + 1.0) - special.gammaln(n - j + 1.0)
            )
            return comb + special.xlogy(j, p) + special.xlog1py(n - j, -p)

        return _pmf_on_integers(k, log_pmf, upper=n)

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
