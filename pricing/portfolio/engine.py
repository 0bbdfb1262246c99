"""Running a book's simulation on Dask, and what each exchange would cost alone.

:func:`run_portfolio` cuts the years into chunks of ``chunk_years`` (the last one shorter),
submits one task per chunk to a ``dask.distributed`` cluster, and merges each chunk's summary
as it arrives, so memory stays bounded whatever the number of years and only a few chunks are
in flight at once. Without a scheduler address it starts a :class:`~distributed.LocalCluster`
of ``workers`` processes (one thread each) and closes it afterwards; with one it connects to
that scheduler (``tcp://host:8786``). ``workers=0`` runs the chunks in this process (the same
numbers, for small books in the app).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..aggregate import NegativeBinomial, Poisson
from ..coverage import layer_loss
from ..exceptions import InputError, Problem
from ..lossmodel import capped_mixture
from .model import ExchangeRisk, PortfolioModel
from .result import LEVELS, PortfolioResult, summarise
from .simulate import TailState, simulate_chunk, tail_size

__all__ = ["DEFAULT_CHUNK_YEARS", "MAX_YEARS", "run_portfolio", "standalone_tvar"]

#: Years per chunk unless told otherwise (results depend on it, never on the workers).
DEFAULT_CHUNK_YEARS = 10_000
#: Largest number of years accepted.
MAX_YEARS = 10**9


def run_portfolio(
    model: PortfolioModel,
    years: int,
    seed: int = 1,
    *,
    chunk_years: int = DEFAULT_CHUNK_YEARS,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
    levels: Sequence[float] = LEVELS,
    chunk_order: Sequence[int] | None = None,
) -> PortfolioResult:
    """Simulate ``years`` years of the book and summarise them (see the module docstring).

    Parameters
    ----------
    model : the book's :class:`PortfolioModel`.
    years : simulated years (at least ``1 / (1 − max level)``, so the 1-in-200 year exists).
    seed : seed of the whole run; chunk ``c`` uses ``SeedSequence(seed, spawn_key=(c,))``.
    chunk_years : years per chunk.
    scheduler : address of a running Dask scheduler; ``None`` starts a local cluster.
    workers : processes of the local cluster (default: the machine's cores); 0 runs in this
        process.
    progress : called with the share of chunks done, in [0, 1].
    chunk_order : order in which chunks are submitted (a permutation; for tests).
    """
    _check(years, seed, chunk_years, workers, levels)
    k = max(tail_size(years, min(min(levels), 0.99)), 1)
    starts = list(range(0, years, chunk_years))
    tasks = [(c, min(chunk_years, years - s), s) for c, s in enumerate(starts)]
    if chunk_order is not None:
        if sorted(chunk_order) != list(range(len(tasks))):
            raise InputError.single("chunk_order", "must be a permutation of the chunk indices")
        tasks = [tasks[c] for c in chunk_order]
    state = TailState(k, len(model.exchanges), len(model.groups))
    if workers == 0:
        for done, (c, n, first) in enumerate(tasks, start=1):
            state = state.merge(simulate_chunk(model, c, n, seed, k, first, _floor(state)))
            if progress is not None:
                progress(done / len(tasks))
    else:
        with _client(scheduler, workers) as client:
            state = _run_on(client, model, tasks, seed, k, progress)
    return summarise(model, state, seed, chunk_years, levels)


def _check(
    years: int, seed: int, chunk_years: int, workers: int | None, levels: Sequence[float]
) -> None:
    problems = []
    top = max(levels)
    need = math.ceil(1.0 / (1.0 - top))
    if isinstance(years, bool) or not isinstance(years, int) or not need <= years <= MAX_YEARS:
        problems.append(
            Problem(
                None,
                "--years",
                f"must be a whole number from {need} (so the 1-in-"
                f"{need} year exists) to {MAX_YEARS:,}, got {years!r}",
            )
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(Problem(None, "--seed", f"must be a whole number >= 0, got {seed!r}"))
    if isinstance(chunk_years, bool) or not isinstance(chunk_years, int) or chunk_years < 1:
        problems.append(
            Problem(None, "--chunk-years", f"must be a whole number >= 1, got {chunk_years!r}")
        )
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= 1024
    ):
        problems.append(Problem(None, "--workers", f"must be 0 to 1024, got {workers!r}"))
    if not all(0.5 <= p < 1 for p in levels):
        problems.append(Problem(None, "levels", f"must be in [0.5, 1), got {list(levels)}"))
    if problems:
        raise InputError("portfolio", problems)


@contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, TimeoutError, ValueError) as err:
            raise InputError.single(
                "--scheduler", f"cannot reach the Dask scheduler at {scheduler!r} ({err})"
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    n = workers or os.cpu_count() or 1
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _run_on(
    client: Any,
    model: PortfolioModel,
    tasks: list[tuple[int, int, int]],
    seed: int,
    k: int,
    progress: Callable[[float], None] | None,
) -> TailState:
    from distributed import as_completed

    n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
    [shared] = client.scatter([model], broadcast=True)
    in_flight = 2 * n_workers
    queue = list(tasks)
    futures = as_completed()
    state = TailState(k, len(model.exchanges), len(model.groups))

    def submit() -> None:
        c, n, first = queue.pop(0)
        floor = _floor(state)
        futures.add(client.submit(simulate_chunk, shared, c, n, seed, k, first, floor, pure=False))

    for _ in range(min(in_flight, len(queue))):
        submit()
    done = 0
    for future in futures:
        part = future.result()
        future.release()
        state = state.merge(part)
        done += 1
        if queue:
            submit()
        if progress is not None:
            progress(done / len(tasks))
    return state


def _floor(state: TailState) -> float:
    """The ``k``-th largest yearly total so far (0 until ``k`` years are kept)."""
    return float(state.top_total[state.k - 1]) if state.top_total.size >= state.k else 0.0


def exchange_distribution(risk: ExchangeRisk, model: PortfolioModel) -> tuple[Any, Any]:
    """The frequency and severity of one exchange alone, as its own loss model has them."""
    provider = sum(r for _, r in risk.provider_rates)
    rate = risk.own_rate + provider
    frequency = (
        NegativeBinomial(mean=rate, size=model.size) if math.isfinite(model.size) else Poisson(rate)
    )
    own = risk.own_rate
    weights = (own * risk.hot_weight, own * (1 - risk.hot_weight), provider)
    caps = (risk.hot_cap, risk.other_cap, risk.provider_cap)
    severity = capped_mixture(model.base.scaled(risk.scale), weights, caps)
    return frequency, severity


def standalone_tvar(risk: ExchangeRisk, model: PortfolioModel, level: float = 0.99) -> float:
    """``TVaR_level`` of the insurer's yearly loss on one exchange priced alone (USD).

    By FFT (:func:`pricing.coverage.layer_loss`), independent of the simulation (the tests
    check the simulated stand-alone figures against it): with
    ``L = c·clip(S − a, 0, A)`` and ``v = VaR_level(S)``,
    ``TVaR(L) = g(v) + c (E[S∧(a+A)] − E[S∧w]) / (1 − level)``, ``w = clip(v, a, a + A)``.
    """
    if risk.own_rate + sum(r for _, r in risk.provider_rates) <= 0:
        return 0.0
    frequency, severity = exchange_distribution(risk, model)
    lay = risk.layer
    agg = layer_loss(frequency, severity, lay).layer_total
    a, top, c = lay.agg_retention, lay.agg_retention + lay.annual_limit, lay.share
    v = float(agg.value_at_risk(level))
    w = min(max(v, a), top)
    e_top = agg.mean() if math.isinf(top) else float(agg.lev(top))
    tail = max(e_top - float(agg.lev(w)), 0.0)
    return c * (w - a) + c * tail / (1.0 - level)
