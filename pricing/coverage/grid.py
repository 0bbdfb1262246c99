"""Every per-occurrence layer of a retention × limit grid at once (the optimiser's premiums)."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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
    loadings: LoadingAssumptions = field(repr=False)
    frequency: Frequency = field(repr=False)
    severity: LossDistribution = field(repr=False)

    @functools.cached_property
    def p_exhaust(self) -> np.ndarray:
        """``P(some loss of the year exhausts the layer) = 1 − P_N(1 − S_X(d + l))`` (computed
        when first asked for: the optimiser does not need it)."""
        exhaust = self.severity.sf(self.retentions[:, None] + self.limits[None, :])
        return np.asarray(self.frequency.prob_at_least_one(exhaust))

    def rate_on_line(self, principle: str = "cost_of_capital") -> np.ndarray:
        """Premium / limit."""
        return self.premiums[principle] / self.limits[None, :]

    def frame(self, principle: str = "cost_of_capital") -> pd.DataFrame:
        """Long table: one row per layer."""
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
    n_max = _count_quantile(frequency, 1e-12)
    lam = loadings.wang_lambda if wang else None
    p_attach = np.asarray(frequency.prob_at_least_one(severity.sf(d)), dtype=float)
    active = np.ones(d.size, dtype=bool)
    if not std and lam is None:
        active = p_attach > 1.0 - loadings.capital_level - 1e-9
    plan = _plan(frequency, severity, d, lim, int(points_per_limit), n_max, settings)
    # Retentions not active get no grid (see above): their figures in closed form.
    expected = frequency.mean * (plan.lev_top - plan.lev_d[:, None])
    sd_all = np.full(expected.shape, np.nan)
    var_capital = np.zeros(expected.shape)
    tvar_capital = expected / (1.0 - loadings.capital_level)
    distorted = np.full(expected.shape, np.nan)
    out = (expected, sd_all, var_capital, tvar_capital, distorted)
    rows = np.flatnonzero(active)
    if rows.size:
        columns = np.arange(lim.size)
        if settings.WORKERS > 1 and lim.size > 1:  # numpy frees the GIL
            parts = [columns[k :: settings.WORKERS] for k in range(settings.WORKERS)]
            with ThreadPoolExecutor(max_workers=settings.WORKERS) as pool:
                list(
                    pool.map(
                        lambda cols: _grid_columns(
                            frequency, severity, d, rows, cols, plan, n_max, loadings, lam, out
                        ),
                        parts,
                    )
                )
        else:
            _grid_columns(frequency, severity, d, rows, columns, plan, n_max, loadings, lam, out)

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
        p_attach=p_attach[:, None] * np.ones((1, lim.size)),
        loadings=loadings,
        frequency=frequency,
        severity=severity,
    )


@dataclass(frozen=True)
class _Plan:
    """The grid of each column (limit) of :func:`price_layer_grid`: ``m`` buckets ``h`` per
    layer, ``n`` points of the first FFT tried, and ``E[X∧d]``, ``E[X∧(d + m h)]``."""

    m: np.ndarray
    h: np.ndarray
    n: np.ndarray
    lev_d: np.ndarray
    lev_top: np.ndarray


def _plan(
    frequency: Frequency,
    severity: LossDistribution,
    d: np.ndarray,
    lim: np.ndarray,
    points_per_limit: int,
    n_max: int,
    settings: object,
) -> _Plan:
    """Buckets and grid sizes of every column. Each limit ``l`` gets ``m = max(points,
    ⌈l / finest⌉)`` buckets, ``finest = l_max / (8 · points)``.

    ``S_Y ≤ n_max·l`` but for 1e-12; with many losses a year it concentrates far below that,
    within ``E[S_Y] + 12 sd`` (bounded summands). A frequent loss thus spans many limits: the
    bucket is coarsened so that one column never needs more than ``COLUMN_POINTS`` points (the
    compound is smooth on the scale of ``l`` there). A tilted FFT needs no zero padding; the
    grid doubles until it holds all but 1e-10 of every layer, or reaches 4 × COLUMN_POINTS
    (:func:`_grid_columns`). The layer ends of every column come from one call of ``lev``."""
    finest = lim.max() / (8 * points_per_limit)
    m0 = [max(points_per_limit, math.ceil(float(l) / finest)) for l in lim]
    h0 = [float(l) / m for l, m in zip(lim, m0, strict=True)]
    layer = np.array([m * h for m, h in zip(m0, h0, strict=True)])
    lev_d = lev_on(severity, d)
    lev_top = lev_on(severity, d[:, None] + layer[None, :])
    mean_y = (lev_top - lev_d[:, None]).max(axis=0)
    points = settings.COLUMN_POINTS
    ms, hs, ns = [], [], []
    for j, (m, h) in enumerate(zip(m0, h0, strict=True)):
        limit, my = float(layer[j]), float(mean_y[j])
        sd = math.sqrt(frequency.mean * limit * my + frequency.variance * my**2)
        span = min((n_max + 1) * limit, frequency.mean * my + 12.0 * sd + 2.0 * limit)
        if span / h > points:
            m = max(4, int(m * points * h / span))
            h = limit / m
        ms.append(m)
        hs.append(h)
        ns.append(1 << math.ceil(math.log2(span / h + 1)))
    return _Plan(np.array(ms), np.array(hs), np.array(ns), lev_d, lev_top)


#: Most points (rows × FFT points) of one batch of columns of :func:`_grid_columns`.
_BATCH_POINTS = 1 << 17


def _grid_columns(
    frequency: Frequency,
    severity: LossDistribution,
    d: np.ndarray,
    rows: np.ndarray,
    columns: np.ndarray,
    plan: _Plan,
    n_max: int,
    loadings: LoadingAssumptions,
    wang_lambda: float | None,
    out: tuple[np.ndarray, ...],
) -> None:
    """Expected loss, SD, ``VaR`` and ``TVaR`` at the capital level and Wang premium (NaN if
    ``wang_lambda`` is None) of the layers ``m h xs d`` of the retentions ``d[rows]`` and the
    ``columns``, written into ``out`` (USD/year).

    Columns with the same FFT size go through one batched FFT (rows: every retention of
    every such column): the severity pmfs, padded with zeros to the longest, are the same
    numbers as column by column, and so are the compound probabilities. A column whose grid
    holds less than all but 1e-10 of a layer moves to the next size, its pmfs kept."""
    settings = _settings()
    r = rows.size
    # FFT size -> blocks (columns, their pmfs (columns, rows, width), expected losses)
    pending: dict[int, list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None]]] = {}
    for n in np.unique(plan.n[columns]):
        pending[int(n)] = [(columns[plan.n[columns] == n], None, None)]
    while pending:
        n = min(pending)
        blocks = [
            (cols, f, e) if f is not None else (cols, *_severity_block(
                frequency, severity, d[rows], plan.h[cols], plan.m[cols]
            ))
            for cols, f, e in pending.pop(n)
        ]  # fmt: skip
        cols = np.concatenate([b[0] for b in blocks])
        width = max(b[1].shape[-1] for b in blocks)
        f = np.zeros((cols.size, r, width))
        e = np.concatenate([b[2] for b in blocks])
        at = 0
        for _, fb, _ in blocks:
            f[at : at + fb.shape[0], :, : fb.shape[-1]] = fb
            at += fb.shape[0]
        # Columns whose grid surely holds less than all but 1e-10 go to the next size at once
        # (the FFT would only confirm it): the same sizes, and numbers, as trying each.
        full_all = (n >= plan.m[cols] * (n_max + 1)) | (n >= 4 * settings.COLUMN_POINTS)
        short = ~full_all & _surely_short(frequency, f, plan.m[cols], n)
        if short.any():
            pending.setdefault(2 * n, []).append((cols[short], f[short], e[short]))
            cols, f, e = cols[~short], f[~short], e[~short]
        step = max(1, _BATCH_POINTS // (r * n))
        for start in range(0, cols.size, step):
            part = slice(start, start + step)
            c = cols[part]
            g = tilted_compound(frequency, f[part].reshape(-1, width), n, tilt=8.0)
            np.clip(g, 0.0, None, out=g)
            held = g.sum(axis=-1).reshape(c.size, r).min(axis=1)
            full = (n >= plan.m[c] * (n_max + 1)) | (n >= 4 * settings.COLUMN_POINTS)
            done = full | (held >= 1.0 - 1e-10)
            if not done.all():
                pending.setdefault(2 * n, []).append((c[~done], f[part][~done], e[part][~done]))
            if done.any():
                g = g.reshape(c.size, r, n)[done].reshape(-1, n)
                values = _column_stats(
                    g, plan.h[c[done]], r, e[part][done].ravel(), loadings, wang_lambda,
                    2 * int(plan.m[c[done]].max()) + 2,
                )  # fmt: skip
                for whole, part_values in zip(out, values, strict=True):
                    whole[rows[None, :], c[done][:, None]] = part_values.reshape(-1, r)


def _surely_short(frequency: Frequency, f: np.ndarray, m: np.ndarray, n: int) -> np.ndarray:
    """Columns (pmfs ``f``: columns × rows × points, ``m`` buckets per layer) whose compound on
    ``n`` points holds less than all but 1e-10 of some row for certain: ``K = ⌈n/m⌉`` losses of
    the full limit (probability ``f_m`` each) reach beyond the grid, so ``P(S ≥ n h) ≥ P(N ≥ K)
    f_m^K``; of that mass the tilted FFT folds back at most ``e^{-8}``. Beyond 1.1e-10 (FFT
    rounding ~1e-13) the grid's total falls short of 1 − 1e-10."""
    k = -(-n // m)  # ceil(n / m)
    top = int(k.max())
    counts = np.asarray(frequency.pmf(np.arange(top + 200)), dtype=float)
    at_least = np.cumsum(counts[::-1])[::-1]  # P(K ≤ N < top + 200) ≤ P(N ≥ K)
    f_m = np.take_along_axis(f, np.broadcast_to(m[:, None, None], (m.size, f.shape[1], 1)), -1)
    tail = at_least[k] * f_m[..., 0].max(axis=1) ** k
    return tail * (1.0 - math.exp(-8.0)) > 1.1e-10


def _severity_block(
    frequency: Frequency,
    severity: LossDistribution,
    d: np.ndarray,
    h: np.ndarray,
    m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-occurrence layer pmfs ``(columns, rows, max m + 1)`` of the layers ``m_c h_c xs d``
    (zeros beyond each column's ``m_c + 1`` points) and their expected yearly losses ``(columns,
    rows)``; ``lev`` is evaluated once, on the points of every column."""
    width = int(m.max()) + 1
    j = np.arange(width, dtype=float)
    points = d[None, :, None] + (h[:, None] * j[None, :])[:, None, :]
    valid = np.broadcast_to((j[None, :] <= m[:, None])[:, None, :], points.shape)
    lev_x = np.empty(points.shape)
    lev_x[valid] = lev_on(severity, points[valid])
    last = np.take_along_axis(lev_x, np.broadcast_to(m[:, None, None], (m.size, d.size, 1)), -1)
    np.copyto(lev_x, last, where=~valid)  # Y's lev is flat beyond the limit: pmf 0 there
    f = discretize_lev(lev_x / h[:, None, None], 1.0)  # lev of Y at jh is lev_X(d + jh) − lev_X(d)
    expected = frequency.mean * (last[..., 0] - lev_x[..., 0])
    return f, expected


def _column_stats(
    g: np.ndarray,
    h: np.ndarray,
    r: int,
    expected: np.ndarray,
    loadings: LoadingAssumptions,
    wang_lambda: float | None,
    prefix: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """SD, ``VaR``, ``TVaR`` and Wang premium of the compound pmfs ``g`` (rows: ``r``
    retentions of each column, column ``c`` on the buckets ``h[c]``).

    ``VaR`` and ``TVaR`` need the cumulative sums only up to the ``VaR``: they are taken on the
    first ``prefix`` points (the same numbers as on the whole grid, as a cumulative sum's first
    terms do not depend on the later ones), on the whole grid where those fall short. Two
    limits hold the capital level of a layer unless losses are frequent."""
    n = g.shape[-1]
    j = np.arange(n, dtype=float)
    hr = np.repeat(h, r)
    # (no BLAS matrix products: see benchmarks)
    grid_mean = np.einsum("ij,j->i", g, j) * hr
    std = np.sqrt(np.maximum(np.einsum("ij,j->i", g, j * j) * (hr * hr) - grid_mean**2, 0.0))
    p = loadings.capital_level
    width = n if wang_lambda is not None else min(n, prefix)
    while True:
        cdf = np.cumsum(g[:, :width], axis=-1)
        if width == n or cdf[:, -1].min() >= p - 1e-12:
            break
        width = n
    k = np.minimum((cdf < p - 1e-12).sum(axis=-1), n - 1)
    x = hr[:, None] * j[None, :width]
    below = np.cumsum(g[:, :width] * x, axis=-1)
    rows = np.arange(g.shape[0])
    var = hr * j[k]
    # E[L∧VaR] = Σ_{x < VaR} x g + VaR P(L ≥ VaR); the tail beyond through the closed-form mean
    lev_var = np.where(k > 0, below[rows, k - 1], 0.0) + var * (
        1.0 - np.where(k > 0, cdf[rows, k - 1], 0.0)
    )
    tvar = var + np.maximum(expected - lev_var, 0.0) / (1.0 - p)
    if wang_lambda is None:
        return expected, std, var, tvar, np.full_like(expected, np.nan)
    wang = np.empty_like(expected)
    for c in range(h.size):
        block = slice(c * r, (c + 1) * r)
        sf = np.clip(1.0 - cdf[block], 0.0, 1.0)
        # beyond the last point any layer can reach (P(L > x) < 1e-13) the Wang integrand is 0
        reached = np.flatnonzero(sf.max(axis=0) > 1e-13)
        end = min(int(reached[-1]) + 2, n) if reached.size else 2
        sf, x_w = sf[:, :end], x[c * r, :end]
        sf[:, -1] = 0.0
        wang[block] = np.maximum(step_wang_premium(x_w, sf, wang_lambda), expected[block])
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
