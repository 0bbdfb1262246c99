"""Settings every test shares.

The command line keeps fitted calibrations in the user's cache folder
(:mod:`pricing.calibration_cache`). Tests must not read or write the real one (a developer's
stale entry must not decide a test, and CI starts from a fresh machine), so the whole session,
and every subprocess it starts, uses a fresh temporary folder through ``VAULTCOVER_CACHE_DIR``.
"""

from __future__ import annotations

import os
import shutil
import tempfile

_CACHE_DIR = tempfile.mkdtemp(prefix="vaultcover-test-cache-")
os.environ["VAULTCOVER_CACHE_DIR"] = _CACHE_DIR
os.environ.pop("VAULTCOVER_CACHE", None)


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    shutil.rmtree(_CACHE_DIR, ignore_errors=True)
