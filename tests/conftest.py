"""Settings every test shares.

The command line keeps fitted calibrations in the user's cache folder
(:mod:`pricing.calibration_cache`). Tests must not read or write the real one (a developer's
stale entry must not decide a test, and CI starts from a fresh machine), so the whole session,
and every subprocess it starts, uses a fresh temporary folder through ``VAULTCOVER_CACHE_DIR``.

A batch comparison keeps its worker processes for the next batch
(:mod:`pricing.strategy.workers`). Forked from the test process, they hold copies of its open
pipes, among them the one to the browser driver of the end-to-end tests, whose driver would
then wait for ever at the session's end: each test module ends the kept workers.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator

import pytest

_CACHE_DIR = tempfile.mkdtemp(prefix="vaultcover-test-cache-")
os.environ["VAULTCOVER_CACHE_DIR"] = _CACHE_DIR
os.environ.pop("VAULTCOVER_CACHE", None)


@pytest.fixture(autouse=True, scope="module")
def _end_kept_batch_workers() -> Iterator[None]:
    yield
    workers = sys.modules.get("pricing.strategy.workers")
    if workers is not None:
        workers.shutdown()


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    shutil.rmtree(_CACHE_DIR, ignore_errors=True)
