"""The optimiser's grid: cost components and protection of every (retention, limit) at once.

The retained loss per theft is discretised on one common grid; the compound distribution of
the yearly retained loss of each structure comes from one tilted FFT (see
:mod:`pricing.strategy` for the formulas; the structures of one transform size in batches,
:mod:`pricing.strategy.retained`), and the layer premiums from
:func:`pricing.coverage.price_layer_grid` and the market curve."""

from __future__ import annotations

import functools
import math
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ..aggregate import AggregateDistribution, aligned_bucket
from ..coverage import lev_on, price_layer_grid
from ..lossmodel import ExchangeLossModel
from ..market import market_grid
from ..regulation import (
    InKindCompensation,
    RegulatoryMinimum,
)
from ..regulation.compliance import reserve_floor
from ..reserve import carrying_rate
from . import retained as batched
from .results import COST_COMPONENTS, StrategyAssumptions

TAIL_LEVEL = 0.995
#: Points of the retained-loss grid of every layer.
RETAINED_GRID_LOG2 = 11
#: Retained-loss compounds on windows up to each row's highest reserve or quantile (``False``:
#: the whole grid for every structure, the reference the windows are tested against).
WINDOWS = True


def layer_axes(
    model: ExchangeLossModel, n_retentions: int, n_limits: int, capacity_usd: float = math.inf
) -> tuple[np.ndarray, np.ndarray]:
    """Retentions ``0, …`` and limits ``0, …`` (USD) spanning the exchange's possible thefts.

    Both run geometrically from 0.1% of the largest possible theft to that theft (limits to
    at most the market capacity); retention 0 (insurance from the first dollar) and limit 0
    (no insurance) are the extremes.
    """
    top = model.severity.upper
    lo = max(top * 1e-3, 1e4)
    retentions = np.concatenate([[0.0], np.geomspace(lo, top, n_retentions - 1)])
    top_limit = min(top, capacity_usd)
    limits = np.concatenate([[0.0], np.geomspace(min(lo, top_limit / 10), top_limit, n_limits - 1)])
    return retentions, limits


def _capacity(a: StrategyAssumptions) -> float:
    """Largest limit on the optimiser's axis: the capacity setting and the market's."""
    if a.market is None:
        return a.capacity_usd
    return min(a.capacity_usd, a.market.capacity.per_insured_usd)


def _evaluate(
    model: ExchangeLossModel,
    retentions: np.ndarray,
    limits: np.ndarray,
    rule: RegulatoryMinimum,
    a: StrategyAssumptions,
    total: AggregateDistribution,
    progress: Callable[[float], None] | None,
    fixed_reserve: float | np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Cost components and protection for every (retention, limit), twice: with the reserve
    sized to the target (``K = max(floor, VaR)``) and with the regulatory floor alone
    (``fixed_reserve``: that reserve instead of the floor in the second set, for
    :func:`evaluate_structure`)."""
    profile, freq, sev = model.profile, model.frequency, model.severity
    n_r, n_l = retentions.size, limits.size
    q = 1.0 - a.frictions.payment_factor
    coc = profile.cost_of_capital

    premium, technical, reason = _premiums(model, retentions, limits, a)
    placeable = np.isfinite(premium)

    # Retained loss per theft on a common grid, and its compound distribution per layer.
    m = 1 << RETAINED_GRID_LOG2
    reach = _reach(total)
    h = aligned_bucket(reach / (m - 1), model.hot_cap)  # the hot-wallet atom on the grid
    u = h * np.arange(m)
    lev_u = lev_on(sev, u)
    lev_d = lev_on(sev, retentions)
    lev_dl = lev_on(sev, retentions[:, None] + limits[None, :])
    mean_x = _mean(sev)
    ceded_mean = freq.mean * (lev_dl - lev_d[:, None])  # expected layer loss per year
    mean_r = freq.mean * mean_x - (1.0 - q) * ceded_mean
    if a.in_kind is not None:  # compensation in kind: E[R·F] = E[R] E[F]
        mean_r = mean_r * a.in_kind.mean()
    floor = reserve_floor(rule, retentions[:, None], limits[None, :])
    held = (
        floor
        if fixed_reserve is None
        else np.broadcast_to(np.asarray(fixed_reserve, dtype=float), floor.shape).copy()
    )

    var_tail = np.empty((n_r, n_l))
    var_target = np.empty((n_r, n_l))
    cdf_at = {"target": np.empty((n_r, n_l)), "floor": np.empty((n_r, n_l))}
    lev_at = {"target": np.empty((n_r, n_l)), "floor": np.empty((n_r, n_l))}
    levels = (TAIL_LEVEL, a.target)

    # Below the retention d the retained loss per theft is the theft itself, so the yearly
    # retained loss R has the law of the total loss S below d (a compound's probabilities at
    # x depend on the severity's at ≤ x only). A structure whose quantiles and reserves all lie
    # below d − 2h reads them off S's grid: one FFT instead of one per structure (same grid,
    # same numbers but for the FFT's aliasing, < 1e-12). Limit 0 (no layer) is S everywhere.
    ws = batched.workspace(freq, 1, m)
    ws.lev[0] = lev_u
    total_cdf, total_cum = (v[0].copy() for v in batched.compound_cdf(ws, 1, h, u, m, a.in_kind))
    whole = np.array([m])
    var_s_tail, var_s_target = (
        float(batched.quantiles(u, total_cdf[None, :], whole, p)[0]) for p in levels
    )
    short = np.zeros((n_r, n_l), dtype=bool)
    short[:, 0] = True
    # Each structure needs R only up to the highest of its reserves and quantiles. R ≤ S, so
    # its quantiles are at most the total's: a window [0, top] suffices (plus 16 buckets). Its
    # compound comes from a tilted FFT twice as long, as in pricing.aggregate.grid.window_pmf:
    # on the same buckets, the same probabilities but for the damped wrap-around (< 1e-11).
    # With compensation in kind R·F reaches beyond any window: the whole grid.
    keep = np.full((n_r, n_l), m)  # grid points kept for each structure
    if a.in_kind is None and WINDOWS:
        var_s = max(var_s_tail, var_s_target)
        top = np.maximum(np.maximum(floor, var_s), held)
        short |= top <= retentions[:, None] - 2.0 * h
        points = np.ceil(top / h) + 16.0
        window = 2.0 ** np.ceil(np.log2(np.maximum(points, 32.0)))
        keep = np.where(window <= m / 2, window, m).astype(int)  # else the whole grid
    fft_points = np.where(keep < m, 2 * keep, m)
    needed = np.flatnonzero(~short.all(axis=0))
    width = int(np.where(short, 0, fft_points).max(initial=0))
    lev_ul = np.empty((n_l, width))
    lev_ul[needed] = lev_on(sev, u[None, :width] + limits[needed, None])  # (n_l, width)
    q_lev_u = q * lev_u

    si, sj = np.nonzero(short)  # read off the total's grid
    var_tail[si, sj], var_target[si, sj] = var_s_tail, var_s_target
    for key, k_res in (
        ("target", np.maximum(floor[si, sj], var_s_target)),
        ("floor", held[si, sj]),
    ):
        cdf_at[key][si, sj], lev_at[key][si, sj] = batched.cdf_lev(
            u, total_cdf, total_cum, whole, k_res
        )

    def stats(ii: np.ndarray, jj: np.ndarray, n: int, kept: np.ndarray) -> batched.RowStats:
        # E[R_X∧u] = q E[X∧u] + (1 − q) E[Z∧u]: Z = X below d, E[X∧(u + l)] − E[X∧(d + l)] +
        # E[X∧d] from d on (written in place into the workspace), for the structures (ii, jj)
        k = ii.size
        work = batched.workspace(freq, k, n)
        buf = work.lev[:k]
        if n <= lev_ul.shape[1]:
            np.take(lev_ul[:, :n], jj, axis=0, out=buf)
        else:
            buf[...] = lev_on(sev, u[None, :n] + limits[jj, None])
        buf -= lev_dl[ii, jj][:, None]
        buf += lev_d[ii][:, None]
        kd = np.minimum(np.searchsorted(u, retentions[ii], side="left"), n)
        np.copyto(buf, lev_u[:n], where=np.arange(n) < kd[:, None])
        buf *= 1.0 - q
        buf += q_lev_u[:n]
        cdf, cum_xg = batched.compound_cdf(work, k, h, u, int(kept.max()), a.in_kind)
        return batched.row_stats(cdf, cum_xg, u, kept, levels, floor[ii, jj], held[ii, jj])

    def write(ii: np.ndarray, jj: np.ndarray, st: batched.RowStats) -> None:
        var_tail[ii, jj], var_target[ii, jj] = st.var_tail, st.var_target
        for key, c, v in zip(("target", "floor"), st.cdf_at, st.lev_at, strict=True):
            cdf_at[key][ii, jj], lev_at[key][ii, jj] = c, v

    # Structures with the same transform size together, whatever their retention, in batches
    # of at most batched.BATCH_POINTS points; each retention's structures of one size keep
    # the largest window any of them needs.
    ci, cj = np.nonzero(~short)
    sizes = fft_points[ci, cj]
    parts = []
    for b, n in enumerate(np.unique(sizes)):
        ii, jj = ci[sizes == n], cj[sizes == n]
        kept_i = np.zeros(n_r, dtype=int)
        np.maximum.at(kept_i, ii, keep[ii, jj])
        kept = kept_i[ii]
        parts += [(ii[c], jj[c], int(n), kept[c], b) for c in batched.chunks(ii.size, int(n))]
    results = _run(parts, lambda p: stats(*p[:4]), progress)
    # A window that missed a quantile: that retention's structures of that size again, on
    # the whole grid.
    missed = np.zeros((n_r, len(parts) and parts[-1][4] + 1), dtype=bool)
    for (ii, _, _, kept, b), st in zip(parts, results, strict=True):
        missed[ii[(kept < m) & (st.window < max(levels))], b] = True
    again_i, again_j = [], []
    for (ii, jj, _, _, b), st in zip(parts, results, strict=True):
        bad = missed[ii, b]
        write(ii[~bad], jj[~bad], st.subset(~bad) if bad.any() else st)
        again_i.append(ii[bad])
        again_j.append(jj[bad])
    if parts and sum(x.size for x in again_i):
        ii, jj = np.concatenate(again_i), np.concatenate(again_j)
        whole_grid = np.full(ii.size, m)
        again = [(ii[c], jj[c], m, whole_grid[c]) for c in batched.chunks(ii.size, m)]
        for (ii, jj, _, _), st in zip(again, _run(again, lambda p: stats(*p), None), strict=True):
            write(ii, jj, st)

    out: dict[str, np.ndarray] = {
        "retention": retentions[:, None] * np.ones((1, n_l)),
        "limit": np.ones((n_r, 1)) * limits[None, :],
    }
    recovered = (1.0 - q) * ceded_mean
    bridging = recovered * coc * a.frictions.payment_delay_months / 12.0
    for suffix, reserve in (("", np.maximum(floor, var_target)), ("_floor", held)):
        key = "target" if suffix == "" else "floor"
        retained = np.minimum(lev_at[key], mean_r)
        uncompensated = np.maximum(mean_r - retained, 0.0)
        prompt_cdf = _prompt_cdf(total, reserve, a.in_kind)
        out |= {
            "premium" + suffix: premium,
            "retained_losses" + suffix: retained,
            "carrying_cost" + suffix: carrying_rate(profile) * reserve,
            "uncompensated" + suffix: uncompensated,
            "bridging_cost" + suffix: bridging,
            "tail_charge" + suffix: coc * np.maximum(var_tail - reserve, 0.0),
            "reserve" + suffix: reserve,
            "p_full" + suffix: cdf_at[key],
            "p_full_prompt" + suffix: cdf_at[key] if a.insurance_is_prompt else prompt_cdf,
            "var_uncompensated" + suffix: np.maximum(var_tail - reserve, 0.0),
        }
    out["cost_floor"] = sum(out[c + "_floor"] for c in COST_COMPONENTS)
    out["meets"] = (out["p_full"] >= a.target - 1e-12) & placeable
    out |= {"floor": floor, "technical_premium": technical, "placeable": placeable}
    out["reason"] = reason  # the market's reason code where a layer is not placeable, else ""
    out["var_target"] = var_target
    return out


def _run(parts: list, job: Callable[[Any], Any], progress: Callable[[float], None] | None) -> list:
    """``job`` of every part, in order; in ``pricing.coverage.WORKERS`` threads (numpy's FFT
    and ufuncs release the GIL), ``progress`` told the share of parts done."""
    workers = _settings_workers()
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 and len(parts) > 1 else None
    try:
        results = []
        for done, result in enumerate(pool.map(job, parts) if pool else map(job, parts), 1):
            results.append(result)
            if progress is not None:
                progress(done / len(parts))
        return results
    finally:
        if pool is not None:
            pool.shutdown()


def _mean(severity: Any) -> float:
    """``E[X]`` of the severity, kept for the next comparison of the same exchange (a mixture
    of truncated distributions computes it through scipy: about a millisecond)."""
    try:
        return _mean_cached(severity)
    except TypeError:  # an unhashable user-defined distribution
        return float(severity.mean())


@functools.lru_cache(maxsize=64)
def _mean_cached(severity: Any) -> float:
    return float(severity.mean())


def _settings_workers() -> int:
    """Threads for the rows: ``pricing.coverage.WORKERS`` (one setting for both grids)."""
    from .. import coverage

    return int(coverage.WORKERS)


#: Premium grids of recent comparisons (they do not depend on the regime or the target).
_PREMIUM_CACHE: OrderedDict[Any, tuple[np.ndarray, np.ndarray, np.ndarray]] = OrderedDict()
_PREMIUM_CACHE_SIZE = 16


#: Times :func:`clear_caches` was called: the batch workers (pricing.strategy.workers) clear
#: theirs when a job comes from a process that cleared its caches since their last job.
CACHE_GENERATION = 0


def clear_caches() -> None:
    """Forget the cached premium grids (benchmarks time a comparison from scratch), here and
    in the kept batch workers (before their next job)."""
    global CACHE_GENERATION
    _PREMIUM_CACHE.clear()
    CACHE_GENERATION += 1


def _premiums(
    model: ExchangeLossModel, retentions: np.ndarray, limits: np.ndarray, a: StrategyAssumptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Premium and technical premium of every layer (limit 0 = no policy, no premium; ``inf``
    where the market would not write it, with the market's reason code in the third array:
    ``retention``, ``capacity`` or ``price``, else ``""``). The layer grid does not depend on
    the regime, the target or the frictions: it is kept for the next comparison of the same
    exchange (e.g. another regime), keyed by everything it depends on. Read-only arrays."""
    profile = model.profile
    try:
        key = (
            model.frequency,
            model.severity,
            retentions.tobytes(),
            limits.tobytes(),
            a.loadings,
            a.principle,
            a.market,
            a.market_rate_on_line,
            model.hot_cap,
            profile.third_party_provider,
        )
        hash(key)
    except TypeError:  # an unhashable user-defined distribution: no cache
        key = None
    if key is not None and key in _PREMIUM_CACHE:
        _PREMIUM_CACHE.move_to_end(key)
        return _PREMIUM_CACHE[key]
    freq, sev = model.frequency, model.severity
    n_r, n_l = retentions.size, limits.size
    premium = np.zeros((n_r, n_l))
    technical = np.full((n_r, n_l), math.nan)
    technical[:, 0] = 0.0
    reason = np.full((n_r, n_l), "", dtype=object)
    if a.market_rate_on_line is not None:
        premium[:, 1:] = a.market_rate_on_line * limits[None, 1:]
    else:
        priced = price_layer_grid(
            freq,
            sev,
            retentions,
            limits[1:],
            a.loadings,
            32,
            wang=a.principle == "wang",
            std=a.principle == "std_dev",
        )
        technical[:, 1:] = priced.premiums[a.principle]
        premium[:, 1:] = technical[:, 1:]
        if a.market is not None:
            kinds = model.cover_type(retentions)
            quoted = market_grid(
                freq, sev, retentions, limits[1:], priced.expected_loss, technical[:, 1:],
                kinds, a.market,
            )  # fmt: skip
            premium[:, 1:] = quoted["premium"]
            reason[:, 1:] = quoted["reason"]
    premium.setflags(write=False)
    technical.setflags(write=False)
    reason.setflags(write=False)
    if key is not None:
        _PREMIUM_CACHE[key] = (premium, technical, reason)
        while len(_PREMIUM_CACHE) > _PREMIUM_CACHE_SIZE:
            _PREMIUM_CACHE.popitem(last=False)
    return premium, technical, reason


def _prompt_cdf(
    total: AggregateDistribution, reserve: np.ndarray, in_kind: InKindCompensation | None
) -> np.ndarray:
    """``P(S ≤ K)`` (``P(S·F ≤ K)`` with compensation in kind) of the total loss."""

    def cdf(k: Any) -> np.ndarray:
        return np.asarray(total.cdf(np.minimum(k, total.grid_end * (1 - 1e-12))))

    return cdf(reserve) if in_kind is None else in_kind.cdf_of_product(cdf, reserve)


def _reach(total: AggregateDistribution) -> float:
    """Upper end of the retained-loss grid: twice the 1 − 1e-5 quantile of the total loss
    (retained losses never exceed the total), at least the largest single theft."""
    try:
        q = float(total.grid_quantile(1.0 - 1e-5))
    except ValueError:
        q = total.grid_end
    return max(
        2.0 * q,
        float(total.severity.upper if math.isfinite(total.severity.upper) else 0),
        total.bucket * 16,
    )
