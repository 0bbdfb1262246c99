"""The yearly retained loss of many structures at once: batched compound distributions.

Every structure ``(d, l)`` of the optimiser's grid (a row here) has its own retained severity
``E[R_X∧u]`` on the common grid ``u``; the rows that share a transform size go through one
batched tilted FFT (:class:`pricing.aggregate.grid.CompoundWorkspace`), in chunks of at most
``BATCH_POINTS`` grid points, so that a comparison costs a few large array operations instead of
a few small ones per retention. Each row keeps only the first ``kept`` points of its grid (its
window, :mod:`pricing.strategy.engine`); the numbers are those of one transform per retention
(the same arithmetic on the same values, row by row).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..aggregate.grid import CompoundWorkspace

#: Most grid points (rows × transform points) of one batch.
BATCH_POINTS = 1 << 17


@dataclass(frozen=True)
class RowStats:
    """Per row: ``VaR`` at the tail level and at the target, ``P(R ≤ K)`` and ``E[R∧K]`` for
    the two reserves ``K`` asked for, and ``P(R ≤ u_{kept−1})`` (what the window holds)."""

    var_tail: np.ndarray
    var_target: np.ndarray
    cdf_at: tuple[np.ndarray, np.ndarray]
    lev_at: tuple[np.ndarray, np.ndarray]
    window: np.ndarray

    def subset(self, rows: np.ndarray) -> RowStats:
        """The statistics of the ``rows`` (a mask or indices) only."""
        return RowStats(
            self.var_tail[rows],
            self.var_target[rows],
            (self.cdf_at[0][rows], self.cdf_at[1][rows]),
            (self.lev_at[0][rows], self.lev_at[1][rows]),
            self.window[rows],
        )


_LOCAL = threading.local()


def workspace(freq: Any, rows: int, n: int) -> CompoundWorkspace:
    """This thread's buffers for ``rows`` compound distributions on ``n`` points (one set per
    transform size, kept from call to call)."""
    spaces = getattr(_LOCAL, "spaces", None)
    if spaces is None:
        spaces = _LOCAL.spaces = {}
    ws = spaces.get(n)
    if ws is None or ws.lev.shape[0] < rows or ws.frequency != freq:
        ws = CompoundWorkspace(freq, rows, n)
        ws.cum = np.empty((rows, n))
        spaces[n] = ws
    return ws


def chunks(rows: int, n: int) -> list[slice]:
    """Slices of ``rows`` rows, each batch at most :data:`BATCH_POINTS` points of ``n``."""
    step = max(1, BATCH_POINTS // n)
    return [slice(k, min(k + step, rows)) for k in range(0, rows, step)]


def compound_cdf(
    ws: CompoundWorkspace, rows: int, h: float, u: np.ndarray, width: int, in_kind: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative probabilities and cumulative ``Σ x g`` on the first ``width`` points of the
    compound of the first ``rows`` retained severities of the workspace (``E[R_X∧u]`` per row
    in ``ws.lev``, overwritten) on the grid ``u`` (views into the workspace). With
    compensation in kind, those of ``R·F`` on the same grid."""
    if in_kind is not None:  # the distribution of R·F on the same grid (all of it needed)
        cdf = in_kind.transform_grid_cdf(ws.compound_cdf(rows, h))
        g = np.diff(cdf, axis=-1, prepend=0.0)
    else:
        cdf, g = ws.compound_cdf(rows, h, width), ws.d[:rows]
    cdf, g = cdf[:, :width], g[:, :width]
    g *= u[:width]
    return cdf, np.cumsum(g, axis=-1, out=ws.cum[:rows, :width])


def quantiles(u: np.ndarray, cdf: np.ndarray, kept: np.ndarray, p: float) -> np.ndarray:
    """Row-wise ``VaR_p`` on the first ``kept`` points of ``u`` (the last of them if they hold
    less than ``p``)."""
    inside = np.arange(cdf.shape[-1]) < kept[:, None]
    return u[np.minimum(((cdf < p - 1e-12) & inside).sum(axis=-1), kept - 1)]


def cdf_lev(
    u: np.ndarray, cdf: np.ndarray, cum_xg: np.ndarray, kept: np.ndarray, k: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise ``P(R ≤ K)`` and ``E[R∧K]`` for reserves ``K`` (one per row), from the
    cumulative probabilities and cumulative ``Σ x g`` of each row on its first ``kept``
    points of ``u`` (a 1-d ``cdf`` and ``cum_xg``: the same distribution for every row)."""
    idx = np.searchsorted(u[: cdf.shape[-1]], k, side="right") - 1  # last grid point ≤ K
    idx = np.minimum(np.maximum(idx, 0), kept - 1)
    if cdf.ndim == 1:
        p_le = cdf[idx]
        return p_le, cum_xg[idx] + k * (1.0 - p_le)
    rows = np.arange(cdf.shape[0])
    p_le = cdf[rows, idx]
    return p_le, cum_xg[rows, idx] + k * (1.0 - p_le)


def row_stats(
    cdf: np.ndarray,
    cum_xg: np.ndarray,
    u: np.ndarray,
    kept: np.ndarray,
    levels: tuple[float, float],
    floor: np.ndarray,
    held: np.ndarray,
) -> RowStats:
    """:class:`RowStats` of rows on their first ``kept`` points: ``VaR`` at the tail level and
    the target (``levels``), and ``P(R ≤ K)``, ``E[R∧K]`` for the reserve sized to the target,
    ``K = max(floor, VaR_target)``, and for the reserve ``held``."""
    var_tail, var_target = (quantiles(u, cdf, kept, p) for p in levels)
    target = cdf_lev(u, cdf, cum_xg, kept, np.maximum(floor, var_target))
    fixed = cdf_lev(u, cdf, cum_xg, kept, held)
    window = cdf[np.arange(cdf.shape[0]), kept - 1]
    return RowStats(var_tail, var_target, (target[0], fixed[0]), (target[1], fixed[1]), window)
