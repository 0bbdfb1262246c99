"""Monte Carlo yearly aggregate losses, drawn in memory-bounded chunks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..counts import Frequency, _arr
from ..distributions import LossDistribution

__all__ = ["simulate"]

#: Most Monte Carlo severities drawn at once (memory bound of one chunk, 16 MiB).
_CHUNK_CLAIMS = 1 << 21

ProgressCallback = Callable[[float], None]


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

    Each chunk draws the yearly counts, then all its losses (the severity's ``rvs``: by
    inversion of its quantile function, by composition for a mixture), and sums them per
    year. The result depends only on ``seed`` and ``chunk_claims`` (which sets the chunk
    length, about ``chunk_claims / E[N]`` years).

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
