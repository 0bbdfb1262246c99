"""Worker processes for batches of comparisons, kept from one batch to the next.

Forking a pool of workers from a process that has numpy, scipy and pandas loaded costs tens of
milliseconds, as much as a comparison: :func:`pool` keeps the pool for the next batch (same
number of workers, same process, same CPUs), and :func:`shutdown` ends it. The workers are
forked once, with the objects then alive frozen out of the garbage collector's reach (shared
copy-on-write); each job carries the engine's settings of the moment (:data:`SETTINGS`), so a
worker computes exactly what the calling process would, and empties its caches when the caller
has emptied its own (:func:`pricing.strategy.clear_caches`) since the worker's last job.

Kept workers hold copies of the file descriptors open in the process when they were forked: a
process that later waits for a child to see the end of a pipe it shared (a browser driver, a
subprocess reading its standard input) should call :func:`shutdown` first.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import pickle
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # multiprocessing is imported by the first batch, not by every command
    from concurrent.futures import ProcessPoolExecutor

#: Module settings a job carries to the workers (module, names).
SETTINGS = (
    (
        "pricing.coverage",
        ("LAYER_GRID", "COLUMN_POINTS", "LAYER_RTOL", "LAYER_MIN_LOG2", "LAYER_MAX_LOG2"),
    ),
    (
        "pricing.strategy.engine",
        ("RETAINED_GRID_LOG2", "WINDOWS", "TAIL_LEVEL", "CACHE_GENERATION"),
    ),
)

_LOCK = threading.Lock()
#: Kept pools by (workers, process id, CPUs allowed).
_POOLS: dict[tuple[int, int, tuple[int, ...] | None], ProcessPoolExecutor] = {}
_STATE: dict[str, Any] = {}


def _affinity() -> tuple[int, ...] | None:
    if not hasattr(os, "sched_getaffinity"):
        return None
    return tuple(sorted(os.sched_getaffinity(0)))


def pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, started now or kept from the last batch (one per number
    of workers; a new one when this process may use other CPUs than when it was started, or
    when it broke)."""
    key = (workers, os.getpid(), _affinity())
    with _LOCK:
        current = _POOLS.get(key)
        if current is not None and not getattr(current, "_broken", False):
            return current
        for other in list(_POOLS):
            if other[1] != key[1]:  # a forked child does not own its parent's pools
                del _POOLS[other]
            elif other == key or other[2] != key[2]:
                _POOLS.pop(other).shutdown(wait=False)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        # Objects alive now are shared with the forked workers copy-on-write: moved out of the
        # garbage collector's reach, the workers' collections do not copy every page they sit on.
        gc.freeze()
        try:
            started = ProcessPoolExecutor(workers, mp_context=context, initializer=_one_thread)
            # a fork context starts every worker at the first job: now, while frozen
            for future in [started.submit(int) for _ in range(workers)]:
                future.result()
        finally:
            gc.unfreeze()
        _POOLS[key] = started
        return started


def shutdown() -> None:
    """End the kept worker processes (a new batch starts new ones); at exit, before the
    interpreter takes its modules apart."""
    with _LOCK:
        pools = [p for k, p in _POOLS.items() if k[1] == os.getpid()]
        _POOLS.clear()
    for kept in pools:
        kept.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def run(
    func: Callable[[Any], Any],
    jobs: list[Any],
    workers: int,
    done: Callable[[int, Any], None] | None = None,
) -> list[Any]:
    """``[func(job) for job in jobs]`` in ``workers`` processes (the kept pool; a new one if
    it broke, e.g. a worker was killed), in order; ``done(k, result)`` is called as the k-th
    result (from 1) and all before it are in."""
    from concurrent.futures.process import BrokenProcessPool

    settings = current_settings()
    for attempt in (1, 2):
        try:
            executor = pool(workers)
            futures = [executor.submit(_call, settings, func, job) for job in jobs]
            results = []
            try:
                for k, future in enumerate(futures, start=1):
                    results.append(future.result())
                    if done is not None:
                        done(k, results[-1])
            except BaseException:
                for future in futures:  # jobs not started yet would hold up the next batch
                    future.cancel()
                raise
            return results
        except BrokenProcessPool:
            shutdown()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def current_settings() -> dict[tuple[str, str], Any]:
    """The values of :data:`SETTINGS` in this process."""
    out = {}
    for module, names in SETTINGS:
        mod = importlib.import_module(module)
        out |= {(module, name): getattr(mod, name) for name in names}
    return out


def _call(settings: dict[tuple[str, str], Any], func: Callable[[Any], Any], job: Any) -> Any:
    from . import engine

    generation = settings[(engine.__name__, "CACHE_GENERATION")]
    if generation != _STATE.get("generation"):  # the caller emptied its caches since
        engine.clear_caches()
        _STATE["generation"] = generation
    for (module, name), value in settings.items():
        setattr(importlib.import_module(module), name, value)
    try:
        return func(job)
    except Exception as err:  # the caller must get the error, not a failure to unpickle it
        try:
            pickle.loads(pickle.dumps(err))
        except Exception:
            raise RuntimeError(f"{type(err).__name__}: {err}") from None
        raise


def _one_thread() -> None:
    """Worker processes use one thread each: the pool already fills the cores."""
    from .. import coverage

    coverage.WORKERS = 1
