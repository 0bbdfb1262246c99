"""Aggregate yearly loss ``S = X_1 + … + X_N``: discretisation, FFT, Panjer, Monte Carlo.

Frequencies (:mod:`pricing.counts`, re-exported here) are the (a, b, 0) class of Klugman,
Panjer & Willmot, *Loss Models: From Data to Decisions* (ch. 6), in its parameterisation (also
R's ``actuar``): :class:`Poisson`, :class:`NegativeBinomial` (size r, β = mean/r) and
:class:`Binomial`. Severities are the
loss distributions of :mod:`pricing.distributions` (USD).

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

import math
import warnings

import numpy as np

from ..counts import Binomial, Frequency, NegativeBinomial, Poisson
from ..distributions import LossDistribution
from .grid import (
    GridSpec,
    _fft_full,
    _fft_on_grid,
    aligned_bucket,
    discretize,
    discretize_lev,
    fft_pmf,
)
from .moments import CompoundMoments, _grid_central_moments, compound_moments
from .montecarlo import ProgressCallback, simulate
from .panjer import panjer_pmf
from .result import AUDIT_TOLERANCE, METHODS, AggregateDistribution

__all__ = [
    "AUDIT_TOLERANCE",
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


class AggregateWarning(UserWarning):
    """The grid could not meet its coverage target, or aliasing is larger than expected."""


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
