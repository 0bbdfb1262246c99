"""The Compare and Sensitivity pages' comparisons, kept and computed ahead.

A comparison (:func:`pricing.strategy.compare`), its 90% ranges over parameter draws
(:func:`pricing.uncertainty.compare_with_draws`), the reserve projection and the runs of a
tornado (:func:`pricing.sensitivity.tornado`) are kept per set of inputs, shared by every
session (they are frozen results: never mutate them). While nobody's page is running, one
background thread computes those of the other regimes for the same inputs, so that picking
another regime finds them ready; the page's own work always goes first (work ahead runs one
comparison at a time, so it holds a page back by one comparison at most), and work ahead for
inputs that are no longer shown is dropped.

Every number is the library's: the same calls, with the same arguments, as
:func:`app_pages.common.comparison`, :func:`app_pages.common.comparison_ranges` and
:func:`app_pages.common.reserve_projection`, and :func:`pricing.sensitivity.tornado`.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import CancelledError, Future
from typing import Any

import streamlit as st

from pricing.aggregate import AggregateDistribution
from pricing.calibration import Calibration
from pricing.lossmodel import ExchangeLossModel
from pricing.reserve import ReserveProjection
from pricing.sensitivity import Tornado, TornadoPlan, cheapest, tornado_plan
from pricing.strategy import Comparison, StrategyAssumptions, compare, project_strategy
from pricing.uncertainty import DEFAULT_DRAWS, compare_with_draws, draw_models

#: Priority of the page's own work and of work ahead (lower runs first).
PAGE, AHEAD = 0, 1
#: Seconds without a page run before work ahead starts (it would slow the page down).
QUIET = 0.3
#: Results kept (about 150 kB each).
SIZE = 96
#: Sets of parameter draws kept with their yearly losses (:func:`kept_draws`).
DRAWS_KEPT = 4
#: Tornado runs kept with their loss model and yearly loss (about 0.7 MB each, pickled: two
#: tornadoes' worth), and their costs (two numbers each: every regime of a few tornadoes).
TORNADO_RUNS, TORNADO_COSTS = 48, 2048
#: Seconds an idle worker thread sleeps before it checks that its worker is still in use.
IDLE = 2.0


class Worker:
    """One daemon thread running submitted work by priority, work ahead only while no page
    is running (see :meth:`busy`)."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Future[Any], Hashable, Callable[[], Any]]] = []
        self._cv = threading.Condition()
        self._order = itertools.count()
        self._busy_until = 0.0
        # The thread holds its worker only while it takes a job: once the worker is dropped
        # (its store cleared from Streamlit's cache) the thread ends at its next idle check.
        threading.Thread(
            target=_serve, args=(weakref.ref(self),), name="vaultcover-ahead", daemon=True
        ).start()

    def busy(self, seconds: float = 2.0) -> None:
        """A page run starts: hold work ahead back (for at most ``seconds``)."""
        with self._cv:
            self._busy_until = max(self._busy_until, time.monotonic() + seconds)

    def done(self) -> None:
        """A page run ended: work ahead may start after :data:`QUIET` seconds."""
        with self._cv:
            self._busy_until = time.monotonic() + QUIET
            self._cv.notify()

    def submit(self, priority: int, tag: Hashable, fn: Callable[[], Any]) -> Future[Any]:
        """Run ``fn()`` in the thread; ``tag`` names the inputs it is for (see :meth:`drop`)."""
        future: Future[Any] = Future()
        with self._cv:
            heapq.heappush(self._heap, (priority, next(self._order), future, tag, fn))
            self._cv.notify()
        return future

    def drop_all(self) -> None:
        """Cancel all work ahead not yet started (the user left the page it was for)."""
        self.drop(object())

    def drop(self, keep: Hashable) -> None:
        """Cancel the work ahead not yet started whose tag is not ``keep``."""
        with self._cv:
            for priority, _, future, tag, _ in self._heap:
                if priority == AHEAD and tag != keep:
                    future.cancel()

    def _next(self, idle: float) -> tuple[Future[Any], Callable[[], Any]] | None:
        """The next job to run, or ``None`` after ``idle`` seconds with nothing to do."""
        deadline = time.monotonic() + idle
        with self._cv:
            while True:
                while self._heap and self._heap[0][2].cancelled():
                    heapq.heappop(self._heap)
                now = time.monotonic()
                if self._heap:
                    wait = self._busy_until - now if self._heap[0][0] else 0.0
                    if wait <= 0:
                        _, _, future, _, fn = heapq.heappop(self._heap)
                        return future, fn
                elif now >= deadline:
                    return None
                else:
                    wait = deadline - now
                self._cv.wait(wait)


def _serve(worker_ref: weakref.ReferenceType[Worker]) -> None:
    """A worker's thread: runs its jobs while the worker is in use, then ends."""
    while (worker := worker_ref()) is not None:
        job = worker._next(IDLE)
        del worker  # not held while a job runs or between checks
        if job is None:
            continue
        future, fn = job
        if not future.set_running_or_notify_cancel():
            continue
        try:
            future.set_result(fn())
        except BaseException as err:  # kept for whoever waits on it
            future.set_exception(err)


class Kept:
    """Results by key, each computed once by whichever thread needs it first; the ``size``
    most recently used are kept."""

    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, Future[Any]] = OrderedDict()

    def ready(self, key: Hashable) -> bool:
        """Whether the result of ``key`` is computed (or failed)."""
        with self._lock:
            future = self._items.get(key)
        return future is not None and future.done()

    def get(self, key: Hashable, fn: Callable[[], Any]) -> Any:
        """The result of ``key``: computed here by ``fn()`` unless another thread already
        started it (then waited for) or finished it."""
        while True:
            with self._lock:
                future = self._items.get(key)
                mine = future is None or future.cancelled()
                if mine:
                    future = Future()
                    future.set_running_or_notify_cancel()
                    self._items[key] = future
                    while len(self._items) > self._size:
                        self._items.popitem(last=False)
                else:
                    self._items.move_to_end(key)
            assert future is not None
            if mine:
                try:
                    future.set_result(fn())
                except BaseException as err:
                    future.set_exception(err)
                    raise
                return future.result()
            try:
                return future.result()
            except CancelledError:  # dropped by its owner before it ran: compute it here
                with self._lock:
                    if self._items.get(key) is future:
                        del self._items[key]


class Store(Kept):
    """Results by key (:class:`Kept`) and the thread that computes work ahead."""

    def __init__(self) -> None:
        super().__init__(SIZE)
        self.worker = Worker()


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """The process's store and its thread (one for every session)."""
    return Store()


@st.cache_resource(show_spinner=False)
def kept_draws() -> Kept:
    """The parameter draws of the last few loss models, with their yearly losses (about
    13 MB each: 20 grids of 2^14 points), shared by every session."""
    return Kept(DRAWS_KEPT)


@st.cache_resource(show_spinner=False)
def kept_tornado_runs() -> Kept:
    """Each tornado run's plan, loss model and yearly loss (:meth:`Inputs.tornado`)."""
    return Kept(TORNADO_RUNS)


@st.cache_resource(show_spinner=False)
def kept_tornado_costs() -> Kept:
    """Each tornado run's cost under each regime (:meth:`Inputs.tornado`)."""
    return Kept(TORNADO_COSTS)


def upload_key(upload: bytes | None) -> str | None:
    """A short stand-in for the uploaded file's bytes in keys."""
    return None if upload is None else hashlib.sha256(upload).hexdigest()


class Inputs:
    """Everything a comparison of one exchange depends on except the regime, with the loss
    model, yearly loss and calibration it is computed from (from the page's cached calls).

    ``model_key`` names what the loss model depends on, ``key`` adds the strategy assumptions:
    the parameter draws and their yearly losses are kept by ``model_key``, so a new target
    or friction re-evaluates the strategies under the same draws without drawing again."""

    def __init__(
        self,
        model_key: Hashable,
        model: ExchangeLossModel,
        total: AggregateDistribution,
        calibration: Calibration,
        assumptions: StrategyAssumptions,
    ) -> None:
        self.model_key = model_key
        self.key = (model_key, assumptions)
        self.model = model
        self.total = total
        self.calibration = calibration
        self.assumptions = assumptions

    def point(self, regime: str) -> Comparison:
        """:func:`pricing.strategy.compare` under ``regime``."""
        return store().get(
            (self.key, regime, "point"),
            lambda: compare(self.model, regime, self.assumptions, total=self.total),
        )

    def ranged(self, regime: str) -> Comparison:
        """:meth:`point` with its 90% ranges over the parameter draws (seed 1)."""
        draws = kept_draws().get(
            self.model_key,
            lambda: draw_models(self.model, self.calibration, DEFAULT_DRAWS, 1),
        )
        return store().get(
            (self.key, regime, "ranged"),
            lambda: compare_with_draws(self.point(regime), draws),
        )

    def projection(self, regime: str, years: int) -> ReserveProjection:
        """The recommended strategy's reserve over ``years`` years."""

        def run() -> ReserveProjection:
            result = self.point(regime)
            best = result.get(result.recommended)
            return project_strategy(self.model, best, self.assumptions.frictions, years=years)

        return store().get((self.key, regime, "years", years), run)

    def ranged_ready(self, regime: str) -> bool:
        """Whether :meth:`ranged` would return at once."""
        return store().ready((self.key, regime, "ranged"))

    def ranged_soon(self, regime: str) -> Future[Comparison]:
        """:meth:`ranged`, computed in the background thread at the page's priority."""
        return store().worker.submit(PAGE, self.key, lambda: self.ranged(regime))

    def projection_soon(self, regime: str, years: int) -> Future[ReserveProjection]:
        """:meth:`projection`, computed in the background thread at the page's priority."""
        return store().worker.submit(PAGE, self.key, lambda: self.projection(regime, years))

    def tornado(self, regime: str) -> Tornado:
        """:func:`pricing.sensitivity.tornado` under ``regime``, run by run: each run's cost
        is kept, so the runs computed ahead (:meth:`tornado_ahead`) are not run again."""
        plan = self._plan()
        return plan.tornado([self._run_cost(plan, i, regime) for i in range(len(plan.runs))])

    def tornado_ready(self, regime: str) -> bool:
        """Whether :meth:`tornado` would return at once."""
        costs = kept_tornado_costs()
        plan = self._plan()
        return all(costs.ready((self.key, regime, "tornado", i)) for i in range(len(plan.runs)))

    def tornado_ahead(self, regimes: list[str]) -> None:
        """Compute the tornadoes of ``regimes`` in the background while nobody's page runs,
        one comparison per job (other work ahead is dropped)."""
        worker = store().worker
        tag = (self.key, "tornado")
        worker.drop(tag)
        plan = self._plan()
        for regime in regimes:
            for i in range(len(plan.runs)):
                worker.submit(AHEAD, tag, lambda r=regime, i=i: self._run_cost(plan, i, r))

    def _plan(self) -> TornadoPlan:
        return kept_tornado_runs().get(
            (self.key, "plan"), lambda: tornado_plan(self.model, self.calibration, self.assumptions)
        )

    def _run_cost(self, plan: TornadoPlan, i: int, regime: str) -> tuple[float, str]:
        """Run ``i`` of the tornado under ``regime`` (its loss model and yearly loss built
        once for every regime; the base case is this exchange's own)."""

        def case() -> tuple[ExchangeLossModel, StrategyAssumptions, AggregateDistribution]:
            if i == 0:
                return self.model, self.assumptions, self.total
            model, assumptions = plan.runs[i]()
            return model, assumptions, model.aggregate()

        def cost() -> tuple[float, str]:
            model, assumptions, total = kept_tornado_runs().get((self.key, "run", i), case)
            return cheapest(model, assumptions, regime, total)

        return kept_tornado_costs().get((self.key, regime, "tornado", i), cost)  # type: ignore[no-any-return]

    def ahead(self, regimes: list[str], years: int) -> None:
        """Compute the comparisons of ``regimes`` in the background while nobody's page runs
        (work ahead for other inputs is dropped)."""
        worker = store().worker
        worker.drop(self.key)
        # every regime's comparison first (the page's headline, ~50 ms each), then their
        # reserve projections (~10 ms), then their ranges (20 comparisons each): a regime
        # picked soon after finds at least its answer and its projection ready
        for step in (
            *(lambda r=regime: self.point(r) for regime in regimes),
            *(lambda r=regime: self.projection(r, years) for regime in regimes),
            *(lambda r=regime: self.ranged(r) for regime in regimes),
        ):
            worker.submit(AHEAD, self.key, step)
