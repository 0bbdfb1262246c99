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
