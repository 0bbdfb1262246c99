"""The grid: discretisation of the severity, the FFT of the compound, and the choice of bucket.

The severity is put on ``0, h, 2h, …`` by local moment matching of order 1 (Loss Models §9.6.5,
``actuar::discretize(method = "unbiased")``) and the compound probabilities come from
``g = IDFT(P_N(DFT(f)))`` with zero padding (Loss Models §9.7; Embrechts & Frei 2009).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special

from ..counts import Frequency, _check_positive
from ..distributions import Capped, LossDistribution, Mixture
from .moments import CompoundMoments

__all__ = [
    "GridSpec",
    "aligned_bucket",
    "discretize",
    "discretize_lev",
    "fft_pmf",
]

#: Largest accepted grid (2^24 points, 128 MiB per array).
_MAX_LOG2 = 24


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
    return discretize_lev(lev_on(severity, h * np.arange(n, dtype=float)), h)


def lev_on(severity: LossDistribution, x: np.ndarray) -> np.ndarray:
    """``E[X∧x]`` elementwise (USD), evaluating the severity only below its upper end: beyond
    it ``E[X∧x] = E[X∧upper]`` (the largest possible loss), taken from one evaluation."""
    x = np.asarray(x, dtype=float)
    upper = float(severity.upper)
    lev = _shared_base_lev(severity)
    if not math.isfinite(upper):
        return lev(x)
    inside = x < upper
    n_inside = int(np.count_nonzero(inside))
    if n_inside == x.size:
        return lev(x)
    out = np.empty(x.shape)
    out[~inside] = float(lev(np.array([upper]))[0])
    if n_inside:
        out[inside] = lev(x[inside])
    return out


def _shared_base_lev(severity: LossDistribution) -> Callable[[np.ndarray], np.ndarray]:
    try:
        return _shared_base_lev_cached(severity)
    except TypeError:  # an unhashable user-defined distribution
        return _make_shared_base_lev(severity)


def _make_shared_base_lev(severity: LossDistribution) -> Callable[[np.ndarray], np.ndarray]:
    """``E[X∧x]`` as a function of an array. A mixture of one distribution capped at several
    amounts (an exchange's wallets: ``Σ w_k E[Y∧min(x, c_k)]``) evaluates ``E[Y∧x]`` once and
    takes ``E[Y∧c_k]`` beyond each cap: the same sum as :meth:`Mixture.lev` with one
    evaluation of the shared distribution instead of one per wallet."""

    def plain(x: np.ndarray) -> np.ndarray:
        return np.asarray(severity.lev(x), dtype=float)

    if not isinstance(severity, Mixture):
        return plain
    parts = [(c, w) for c, w in zip(severity.components, severity.weights, strict=True) if w > 0]
    if len(parts) < 2 or not all(isinstance(c, Capped) for c, _ in parts):
        return plain
    base = parts[0][0].base
    if not all(c.base == base for c, _ in parts):
        return plain
    caps = [float(c.cap) for c, _ in parts]
    at_caps = np.asarray(base.lev(np.array(caps)), dtype=float)

    def shared(x: np.ndarray) -> np.ndarray:
        y = np.asarray(base.lev(np.minimum(x, max(caps))), dtype=float)
        total = np.zeros(np.shape(x))
        for (_, w), cap, top in zip(parts, caps, at_caps, strict=True):
            total = total + w * np.where(x >= cap, top, y)
        return total

    return shared


_shared_base_lev_cached = functools.lru_cache(maxsize=64)(_make_shared_base_lev)


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
    if math.isfinite(severity.upper):  # no quantile beyond the largest loss: no search
        guess = floor = float(severity.upper)
    else:
        jump = float(severity.isf(min(eps / frequency.mean, 1e-3)))
        floor = jump
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


#: Exponential tilt ``θ·n_fft`` of :func:`window_pmf`: damps wrap-around by ``e^{-20}`` ≈ 2e-9
#: and amplifies FFT rounding at the top of the window by at most ``e^{10}`` (≈ 1e-12 absolute).
_TILT = 20.0


def window_pmf(
    frequency: Frequency,
    severity: LossDistribution,
    reach: float,
    log2: int,
    align_to: float | None = None,
) -> tuple[float, np.ndarray]:
    """Exact compound probabilities of the discretised severity on ``[0, reach]``.

    The grid ``0, h, …, (n−1)h ≥ reach`` has at most ``2^log2`` points (``h ≈ reach / 2^log2``,
    shrunk so that ``align_to``, an atom such as a cap, is a grid point). Whether ``S ≤ x`` for
    ``x`` inside the window depends only on losses ``≤ x``, so the severity is cut at the
    window (a defective pmf): nothing beyond it is needed, however heavy the tail. What remains
    of the FFT's wrap-around (sums of many small losses) is damped by exponential tilting
    (Grübel & Hermesmeier 1999, *ASTIN Bull.* 29; Embrechts & Frei 2009, §3):
    ``f̃_j = f_j e^{−θj}``, ``g_k = g̃_k e^{θk}``.

    Returns
    -------
    (h, g)
        Bucket (USD) and the ``n`` probabilities; ``1 − Σ g = P(S > (n−1)h)`` up to the
        discretisation.
    """
    if not (math.isfinite(reach) and reach > 0):
        raise ValueError(f"window: 'reach' must be a finite amount > 0, got {reach!r}")
    if not 3 <= int(log2) <= _MAX_LOG2:
        raise ValueError(f"window: 'log2' must be in [3, {_MAX_LOG2}], got {log2!r}")
    m = 1 << int(log2)
    h = aligned_bucket(reach / (m - 2), align_to)
    n = min(m, math.ceil(reach / h * (1 - 1e-12)) + 1)
    f = discretize(severity, h, n + 1)[:n]  # the last point holds the mass beyond: dropped
    n_fft = 2 * m
    theta = _TILT / n_fft
    tilt = np.exp(-theta * np.arange(n))
    phi = np.fft.rfft(f * tilt, n_fft)
    g = np.fft.irfft(frequency.pgf(phi), n_fft)[:n] / tilt
    return h, np.clip(g, 0.0, None)


class GridResolutionError(ArithmeticError):
    """No grid within the size limit resolves the quantity asked for (an engine limit, not a
    user's mistake): raised instead of answering with a figure the grid cannot support."""


#: Most terms of the pgf's power series used in place of its closed form (Horner).
_SERIES_TERMS = 40
#: Count probability left out of the series: ``P(N > K) < _SERIES_EPS``.
_SERIES_EPS = 1e-14


@functools.lru_cache(maxsize=128)
def _pgf_series(frequency: Frequency) -> np.ndarray | None:
    """``P(N = 0), …, P(N = K)`` with ``P(N > K) < 1e-14``, or ``None`` if ``K`` > 40."""
    p = np.asarray(frequency.pmf(np.arange(_SERIES_TERMS + 1)), dtype=float)
    tail = 1.0 - np.cumsum(p)
    enough = np.flatnonzero(tail < _SERIES_EPS)
    return p[: enough[0] + 1].copy() if enough.size else None


def compound_transform(frequency: Frequency, phi: np.ndarray) -> np.ndarray:
    """``P_N(φ)`` for the transform ``φ`` of a severity (elementwise, complex).

    For the low theft frequencies of exchanges the pgf's power series, cut where
    ``P(N > K) < 1e-14``, is evaluated by Horner's rule: ``K`` complex multiply-adds instead
    of a complex power (5–10× faster for ``K ≤ 12``), up to ``K = 24``; else the closed form.
    """
    coeffs = _pgf_series(frequency)
    if coeffs is None or coeffs.size > 24:
        return frequency.pgf(phi)
    if coeffs.size == 1:
        return np.full(phi.shape, coeffs[0], dtype=complex)
    acc = phi * coeffs[-1]  # the first step of Horner's rule, without a constant array
    acc += coeffs[-2]
    for c in coeffs[-3::-1]:
        acc *= phi
        acc += c
    return acc


def tilted_compound(frequency: Frequency, f: np.ndarray, n: int, tilt: float = _TILT) -> np.ndarray:
    """Compound probabilities on ``n`` points (along the last axis of the severity pmfs ``f``)
    from one tilted FFT of ``n`` points, without zero padding: what would wrap around is
    damped by ``e^{-tilt}`` (Grübel & Hermesmeier 1999)."""
    theta = tilt / n
    down = np.exp(-theta * np.arange(f.shape[-1]))
    phi = np.fft.rfft(f * down, n, axis=-1)
    g = np.fft.irfft(compound_transform(frequency, phi), n, axis=-1)
    g *= np.exp(theta * np.arange(n))
    return g


class CompoundWorkspace:
    """Buffers for :meth:`compound_cdf` of ``rows`` severities on ``n`` points, reused from
    call to call: the same arithmetic as :func:`discretize_lev` and :func:`tilted_compound`
    (bit for bit), without the large temporaries whose page faults cost as much as the FFTs.
    One workspace per thread."""

    def __init__(self, frequency: Frequency, rows: int, n: int, tilt: float = _TILT) -> None:
        self.frequency, self.n = frequency, n
        theta = tilt / n
        self.down = np.exp(-theta * np.arange(n))
        self.up = np.exp(theta * np.arange(n))
        self.coeffs = _pgf_series(frequency)
        self.lev = np.empty((rows, n))
        self.d = np.empty((rows, n))
        self.phi = np.empty((rows, n // 2 + 1), dtype=complex)
        self.acc = np.empty((rows, n // 2 + 1), dtype=complex)

    def compound_cdf(self, k: int, bucket: float, width: int | None = None) -> np.ndarray:
        """Cumulative compound probabilities of the first ``k`` rows of :attr:`lev` (``E[X∧jh]``
        per row, overwritten), as ``np.cumsum(clip(tilted_compound(f, n), 0))`` with
        ``f = discretize_lev(lev / bucket, 1)``, on the first ``width`` points (default all:
        the same numbers as the first of all); the pmf is left in ``self.d[:k]``."""
        lev, d, n = self.lev[:k], self.d[:k], self.n
        lev /= bucket
        lev -= lev[:, :1].copy()
        d[:, 0] = 1.0
        np.subtract(lev[:, 1:], lev[:, :-1], out=d[:, 1:])
        np.clip(d, 0.0, 1.0, out=d)
        np.minimum.accumulate(d, axis=-1, out=d)
        f = lev  # the levels are no longer needed: the pmf goes in their place
        np.subtract(d[:, :-1], d[:, 1:], out=f[:, :-1])
        f[:, -1] = d[:, -1]
        f *= self.down
        phi, acc = self.phi[:k], self.acc[:k]
        np.fft.rfft(f, n, axis=-1, out=phi)
        coeffs = self.coeffs
        if coeffs is None or coeffs.size > 24:
            acc[...] = self.frequency.pgf(phi)
        else:
            acc.fill(coeffs[-1])
            for c in coeffs[-2::-1]:
                acc *= phi
                acc += c
        g = d
        np.fft.irfft(acc, n, axis=-1, out=g)
        g *= self.up
        np.clip(g, 0.0, None, out=g)
        width = n if width is None else width
        return np.cumsum(g[:, :width], axis=-1, out=lev[:, :width])
