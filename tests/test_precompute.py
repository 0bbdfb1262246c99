"""The app's work-ahead store: jobs run on its thread, and the thread ends with its store."""

from __future__ import annotations

import gc
import threading

from app_pages import precompute


def _new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t not in before and t.name == "vaultcover-ahead"]


def test_a_job_runs_on_the_worker_thread_and_its_result_is_kept():
    store = precompute.Store()
    ran_on = []

    def job():
        ran_on.append(threading.current_thread().name)
        return 42

    assert store.worker.submit(0, "tag", job).result(timeout=10) == 42
    assert ran_on == ["vaultcover-ahead"]
    assert store.get("key", lambda: 7) == 7 and store.ready("key")
    assert store.get("key", lambda: 8) == 7  # computed once


def test_only_the_most_recently_used_results_are_kept():
    """A :class:`Kept` of size 2 holds the two results last used; the third one drops the
    least recently used (the parameter draws keep 4 exchanges' yearly losses this way)."""
    kept = precompute.Kept(2)
    made = []

    def make(key):
        return lambda: made.append(key) or key

    for key in ("a", "b", "a", "c", "a", "b"):
        assert kept.get(key, make(key)) == key
    assert made == ["a", "b", "c", "b"]  # "b" was dropped for "c", "a" stayed in use


def test_the_thread_ends_once_its_store_is_dropped():
    """Streamlit's cache of the store is cleared (a test, a new app version): the store's
    thread must end, not idle for the life of the process."""
    before = set(threading.enumerate())
    store = precompute.Store()
    (thread,) = _new_threads(before)
    store.worker.submit(0, "tag", lambda: None).result(timeout=10)
    assert thread.is_alive()
    del store
    gc.collect()
    thread.join(timeout=4 * precompute.IDLE)
    assert not thread.is_alive()


def test_work_ahead_puts_every_regimes_answer_and_projection_before_any_range():
    """A regime picked soon after a change finds its comparison and its reserve projection
    ready: the work ahead runs each regime's point comparison first, then the projections
    (about 10 ms each), then the ranges (20 comparisons each)."""
    ran: list[tuple[str, str]] = []

    class Recorded(precompute.Inputs):
        def point(self, regime):
            ran.append(("point", regime))

        def ranged(self, regime):
            ran.append(("ranged", regime))

        def projection(self, regime, years):
            ran.append(("projection", regime))

    worker = precompute.store().worker
    inputs = Recorded("model", None, None, None, "assumptions")
    worker.busy(60.0)  # held back while the jobs are queued
    inputs.ahead(["hk", "sg", "kr"], 5)
    worker.done()
    worker.submit(precompute.AHEAD, inputs.key, lambda: None).result(timeout=30)
    assert ran == [
        (step, regime)
        for step in ("point", "projection", "ranged")
        for regime in ("hk", "sg", "kr")
    ]


def test_a_new_target_is_ranged_under_the_draws_already_made(monkeypatch):
    """The parameter draws (and their yearly losses) are kept by what the loss model depends
    on, not by the strategy assumptions: the Compare page's inputs at a second target draw no
    models."""
    from app_pages import common
    from pricing.calibration import CalibrationSpec
    from pricing.profiles import PRESETS
    from pricing.strategy import StrategyAssumptions

    made = []
    draw = precompute.draw_models
    monkeypatch.setattr(precompute, "draw_models", lambda *args: made.append(args) or draw(*args))
    monkeypatch.setattr(precompute, "DEFAULT_DRAWS", 4)
    profile = PRESETS["small"]
    for target in (0.99, 0.995):
        a = StrategyAssumptions(target=target)
        inputs = common.compare_inputs(profile, CalibrationSpec(), a)
        assert inputs.ranged("hk").n_draws == 4
    assert len(made) == 1


def test_a_tornado_computed_ahead_is_the_tornado_and_is_not_run_again(monkeypatch):
    """Sensitivity's tornado is computed run by run, each run's cost kept: its numbers are
    :func:`pricing.sensitivity.tornado`'s, and once the work ahead has computed another
    regime's runs, that regime's tornado runs no comparison."""
    from app_pages import common
    from pricing.calibration import CalibrationSpec
    from pricing.profiles import PRESETS
    from pricing.sensitivity import tornado
    from pricing.strategy import StrategyAssumptions

    profile, a = PRESETS["small"], StrategyAssumptions(n_retentions=6, n_limits=5)
    inputs = common.compare_inputs(profile, CalibrationSpec(), a)
    direct = tornado(inputs.model, inputs.calibration, "mica", a)
    shown = inputs.tornado("mica")
    assert (shown.base_cost, shown.base_strategy) == (direct.base_cost, direct.base_strategy)
    assert shown.rows.equals(direct.rows)

    runs = []
    real = precompute.cheapest
    monkeypatch.setattr(precompute, "cheapest", lambda *args: runs.append(args[2]) or real(*args))
    assert not inputs.tornado_ready("sg")
    worker = precompute.store().worker
    inputs.tornado_ahead(["sg"])
    worker.done()
    worker.submit(precompute.AHEAD, (inputs.key, "tornado"), lambda: None).result(timeout=120)
    assert runs == ["sg"] * 21 and inputs.tornado_ready("sg")
    assert inputs.tornado("sg").rows.equals(tornado(inputs.model, inputs.calibration, "sg", a).rows)
    assert runs == ["sg"] * 21  # nothing run again
