"""Every per-occurrence layer of a retention × limit grid at once (the optimiser's premiums)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..aggregate import (
    discretize_lev,
)
from ..aggregate.grid import lev_on, tilted_compound
from ..counts import Frequency
from ..distributions import LossDistribution
from ..premium import (
    LoadingAssumptions,
    gross_premium,
    step_wang_premium,
)
from .terms import _positive_array, _settings

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, eq=False)
class LayerGrid:
    """Per-occurrence layers ``limit xs retention`` on a grid (rows: retentions, columns:
    limits; USD per year). Share 1, no aggregate terms, unlimited reinstatements."""

    retentions: np.ndarray
    limits: np.ndarray
    expected_loss: np.ndarray
    std: np.ndarray
    var_capital: np.ndarray
    tvar_capital: np.ndarray
    risk_premiums: dict[str, np.ndarray]
    premiums: dict[str, np.ndarray]
    p_attach: np.ndarray
    p_exhaust: np.ndarray
    loadings: LoadingAssumptions = field(repr=False)

    def rate_on_line(self, principle: str = "cost_of_capital") -> np.ndarray:
        """Premium / limit."""
        return self.premiums[principle] / self.limits[None, :]

    def frame(self, principle: str = "cost_of_capital") -> pd.DataFrame:
        """Long table: one row per layer."""
        import pandas as pd

        r, l = np.meshgrid(self.retentions, self.limits, indexing="ij")
        return pd.DataFrame(
            {
                "retention": r.ravel(),
                "limit": l.ravel(),
                "expected_loss": self.expected_loss.ravel(),
                "std": self.std.ravel(),
                "premium": self.premiums[principle].ravel(),
                "rate_on_line": self.rate_on_line(principle).ravel(),
                "p_attach": self.p_attach.ravel(),
                "p_exhaust": self.p_exhaust.ravel(),
            }
        )


def price_layer_grid(
    frequency: Frequency,
    severity: LossDistribution,
    retentions: Sequence[float],
    limits: Sequence[float],
    loadings: LoadingAssumptions | None = None,
    points_per_limit: int = 64,
    wang: bool = True,
    std: bool = True,
) -> LayerGrid:
    """Price every per-occurrence layer of a retention × limit grid, vectorised over retentions.

    ``wang=False`` leaves the Wang premiums NaN and skips the transform (about a fifth of the
    time) when another principle is used. ``std=False`` (with ``wang=False``) also skips the
    grid of every retention whose layers are hit with probability at most ``1 −`` the capital
    level, ``P(S_Y > 0) = 1 − P_N(F(d))`` in closed form (below ``1 − level − 1e-9``): there
    ``VaR = 0`` and ``TVaR = E[S_Y] / (1 − level)``, as the grid would give (its probability of
    0 is at least the exact one), and the standard deviation is left NaN.

    For each limit ``l`` the per-occurrence loss ``Y = min((X − d)+, l)`` of every retention is
    discretised on buckets ``h = min(l / points_per_limit, l_max / (8 · points_per_limit))`` by
    local moment matching (one call of the severity's ``lev``), and the compound distributions
    of all retentions come from one batched FFT. Wide layers thus get as fine a bucket as the
    narrow ones need. Expected loss and the attachment and exhaustion probabilities are closed
    forms; the standard deviation, ``VaR`` and Wang premium come from the grids (accuracy
    against fine-grid quotes: ``benchmarks/bench_pricing.py``).
    """
    settings = _settings()
    loadings = LoadingAssumptions() if loadings is None else loadings
    d = _positive_array("retentions", retentions, allow_zero=True)
    lim = _positive_array("limits", limits, allow_zero=False)
    if int(points_per_limit) < 4:
        raise ValueError(f"points_per_limit must be >= 4, got {points_per_limit!r}")
    finest = lim.max() / (8 * int(points_per_limit))
    n_max = _count_quantile(frequency, 1e-12)
    shape = (d.size, lim.size)
    expected, sd_all, var_capital, tvar_capital, distorted = (np.empty(shape) for _ in range(5))
    lam = loadings.wang_lambda if wang else None
    active = np.ones(d.size, dtype=bool)
    if not std and lam is None:
        hit = np.asarray(frequency.prob_at_least_one(severity.sf(d)), dtype=float)
        active = hit > 1.0 - loadings.capital_level - 1e-9
    sd_grid = sd_all

    def column(j: int) -> None:
        m = max(int(points_per_limit), math.ceil(lim[j] / finest))
        values = _price_column(frequency, severity, d, lim[j] / m, m, n_max, loadings, lam, active)
        expected[:, j], sd_grid[:, j], var_capital[:, j], tvar_capital[:, j] = values[:4]
        distorted[:, j] = values[4]

    if settings.WORKERS > 1:
        with ThreadPoolExecutor(max_workers=settings.WORKERS) as pool:  # numpy frees the GIL
            list(pool.map(column, range(lim.size)))
    else:
        for j in range(lim.size):
            column(j)

    capital = tvar_capital if loadings.capital_measure == "tvar" else var_capital
    risk = {
        "expected_value": (1.0 + loadings.theta) * expected,
        "std_dev": expected + loadings.kappa * sd_all,
        "wang": distorted,
        "cost_of_capital": expected
        + loadings.cost_of_capital * np.maximum(capital - expected, 0.0),
    }
    return LayerGrid(
        retentions=d,
        limits=lim,
        expected_loss=expected,
        std=sd_all,
        var_capital=var_capital,
        tvar_capital=tvar_capital,
        risk_premiums=risk,
        premiums={k: gross_premium(v, loadings) for k, v in risk.items()},
        p_attach=np.asarray(frequency.prob_at_least_one(severity.sf(d)))[:, None]
        * np.ones((1, lim.size)),
        p_exhaust=np.asarray(frequency.prob_at_least_one(severity.sf(d[:, None] + lim[None, :]))),
        loadings=loadings,
    )


def _price_column(
    frequency: Frequency,
    severity: LossDistribution,
    retentions: np.ndarray,
    h: float,
    m: int,
    n_max: int,
    loadings: LoadingAssumptions,
    wang_lambda: float | None,
    active: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Expected loss, SD, ``VaR`` and ``TVaR`` at the capital level and Wang premium (NaN if
    ``wang_lambda`` is None) of the layers ``m h xs d`` for every retention ``d`` (USD/year).
    Retentions not ``active`` get no grid: VaR 0, TVaR ``E / (1 − level)``, SD NaN (see
    :func:`price_layer_grid`); the grid's size is set by every retention all the same."""
    settings = _settings()
    # S_Y ≤ n_max·l but for 1e-12; with many losses a year it concentrates far below that,
    # within E[S_Y] + 12 sd (bounded summands). A frequent loss thus spans many limits: the
    # bucket is coarsened so that one column never needs more than COLUMN_POINTS points (the
    # compound is smooth on the scale of l there). A tilted FFT needs no zero padding; the
    # grid doubles until it holds all but 1e-10 of every layer, or reaches 4 × COLUMN_POINTS.
    limit = m * h
    edges = lev_on(severity, np.stack([retentions, retentions + limit]))
    mean_y = float((edges[1] - edges[0]).max())
    sd = math.sqrt(frequency.mean * limit * mean_y + frequency.variance * mean_y**2)
    span = min((n_max + 1) * limit, frequency.mean * mean_y + 12.0 * sd + 2.0 * limit)
    if span / h > settings.COLUMN_POINTS:
        m = max(4, int(m * settings.COLUMN_POINTS * h / span))
        h = limit / m
    n = 1 << math.ceil(math.log2(span / h + 1))
    if active is None or active.all():
        return _column_grid(frequency, severity, retentions, h, m, n, n_max, loadings, wang_lambda)
    expected = frequency.mean * (edges[1] - edges[0])
    out = (
        expected,
        np.full_like(expected, np.nan),
        np.zeros_like(expected),
        expected / (1.0 - loadings.capital_level),
        np.full_like(expected, np.nan),
    )
    if active.any():
        values = _column_grid(
            frequency, severity, retentions[active], h, m, n, n_max, loadings, wang_lambda
        )
        for whole, part in zip(out, values, strict=True):
            whole[active] = part
    return out


def _column_grid(
    frequency: Frequency,
    severity: LossDistribution,
    retentions: np.ndarray,
    h: float,
    m: int,
    n: int,
    n_max: int,
    loadings: LoadingAssumptions,
    wang_lambda: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_price_column` on its grid: ``m`` buckets ``h`` per layer, ``n`` FFT points."""
    settings = _settings()
    points = retentions[:, None] + h * np.arange(m + 1, dtype=float)[None, :]
    lev_x = lev_on(severity, points)
    f = discretize_lev(lev_x / h, 1.0)  # lev of Y at jh is lev_X(d + jh) − lev_X(d)
    while True:
        # the grid holds all but 1e-10: a mild tilt suffices and keeps rounding at ~1e-13
        g = np.clip(tilted_compound(frequency, f, n, tilt=8.0), 0.0, None)
        full = n >= m * (n_max + 1) or n >= 4 * settings.COLUMN_POINTS
        if full or g.sum(axis=-1).min() >= 1.0 - 1e-10:
            break
        n *= 2
    x = h * np.arange(n, dtype=float)
    expected = frequency.mean * (lev_x[:, -1] - lev_x[:, 0])
    below = np.cumsum(g * x[None, :], axis=-1)  # (no BLAS matrix products: see benchmarks)
    grid_mean = below[:, -1]
    std = np.sqrt(np.maximum((g * (x * x)[None, :]).sum(axis=-1) - grid_mean**2, 0.0))
    cdf = np.cumsum(g, axis=-1)
    p = loadings.capital_level
    k = np.minimum((cdf < p - 1e-12).sum(axis=-1), n - 1)
    var = x[k]
    # E[L∧VaR] = Σ_{x < VaR} x g + VaR P(L ≥ VaR); the tail beyond through the closed-form mean
    rows = np.arange(g.shape[0])
    lev_var = np.where(k > 0, below[rows, k - 1], 0.0) + var * (
        1.0 - np.where(k > 0, cdf[rows, k - 1], 0.0)
    )
    tvar = var + np.maximum(expected - lev_var, 0.0) / (1.0 - p)
    if wang_lambda is None:
        return expected, std, var, tvar, np.full_like(expected, np.nan)
    sf = np.clip(1.0 - cdf, 0.0, 1.0)
    # beyond the last point any layer can reach (P(L > x) < 1e-13) the Wang integrand is 0
    reached = np.flatnonzero(sf.max(axis=0) > 1e-13)
    end = min(int(reached[-1]) + 2, n) if reached.size else 2
    sf, x_w = sf[:, :end], x[:end]
    sf[:, -1] = 0.0
    wang = np.maximum(step_wang_premium(x_w, sf, wang_lambda), expected)
    return expected, std, var, tvar, wang


def _count_quantile(frequency: Frequency, eps: float) -> int:
    """Smallest ``k`` with ``P(N > k) < eps``."""
    # Counts in blocks of growing size: the cumulative sum of the first k probabilities does
    # not depend on how many more are computed, so this equals one pass over 0..99,999.
    top, size = 100_000, 64
    while True:
        k = np.arange(0, min(size, top))
        cdf = np.cumsum(np.asarray(frequency.pmf(k), dtype=float))
        i = int(np.searchsorted(cdf, 1.0 - eps))
        if i < k.size or k.size >= top:
            return int(min(i, top - 1))
        size *= 8
