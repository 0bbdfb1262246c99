"""The on-disk calibration cache of the command line (:mod:`pricing.calibration_cache`).

Checked: a calibration read back from the cache gives exactly the numbers of a fresh one (every
fitted parameter bit for bit, and the whole ``compare`` document); the key changes with the
data files' bytes, the spec and the package version; a damaged entry is ignored and rewritten,
never a traceback; the cache can be switched off and an unusable folder is skipped; and the
command line does not load statsmodels or scipy.stats when the calibration comes from the cache.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import pickle
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest

import pricing
from pricing import calibration_cache as cc
from pricing.calibration import CalibrationSpec, calibrate
from pricing.cli import main
from pricing.datafiles import shipped_path
from pricing.lossmodel import build_loss_model, route_shares
from pricing.profiles import PRESETS
from pricing.strategy import compare

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cc.CACHE_DIR_ENV, str(folder))
    monkeypatch.delenv(cc.CACHE_SWITCH_ENV, raising=False)
    return folder


@pytest.fixture(scope="module")
def fresh():
    return calibrate()


def _same(a: object, b: object) -> bool:
    """Equal dataclasses/tuples/floats, NaN equal to NaN (standard errors may be NaN)."""
    if hasattr(a, "__dataclass_fields__"):
        return type(a) is type(b) and all(
            _same(getattr(a, f.name), getattr(b, f.name)) for f in fields(a)
        )
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("calibration-*.json"))


def test_stored_calibration_equals_a_fresh_one(cache: Path, fresh) -> None:
    first = cc.cached_calibrate()
    assert not isinstance(first, cc.StoredCalibration)  # fitted, then written
    assert len(_entries(cache)) == 1
    stored = cc.cached_calibrate()
    assert isinstance(stored, cc.StoredCalibration)
    # Every fitted number bit for bit (JSON keeps a float's repr), tuples stay tuples.
    assert _same(stored.severity, fresh.severity)
    assert _same(stored.frequency, fresh.frequency)
    assert stored.notes == fresh.notes
    assert stored.target_year == fresh.target_year
    assert stored.routes == route_shares(fresh.selection.frame)
    assert stored.spec == fresh.spec
    # The selection and counts are recomputed from the same files: identical frames.
    assert stored.selection.frame.equals(fresh.selection.frame)
    assert stored.counts.equals(fresh.counts)


@pytest.mark.parametrize("preset", ["small", "large"])
def test_compare_numbers_identical_from_the_cache(cache: Path, fresh, preset: str) -> None:
    cc.cached_calibrate()
    stored = cc.cached_calibrate()
    assert isinstance(stored, cc.StoredCalibration)
    profile = PRESETS[preset]
    a = compare(build_loss_model(profile, fresh), "jp-draft").to_dict()
    b = compare(build_loss_model(profile, stored), "jp-draft").to_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _run(argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    return out.getvalue()


def test_cli_compare_same_document_cold_and_warm(cache: Path) -> None:
    argv = ["compare", "--profile", "small", "--regime", "jp-draft", "--json"]
    cold = _run(argv)
    assert len(_entries(cache)) == 1
    warm = _run(argv)
    assert warm == cold
    with pytest.MonkeyPatch.context() as m:  # and the same with the cache switched off
        m.setenv(cc.CACHE_SWITCH_ENV, "0")
        assert _run(argv) == cold


def test_stored_calibration_pickles_for_batch_workers(cache: Path, fresh) -> None:
    cc.cached_calibrate()
    stored = cc.cached_calibrate()
    again = pickle.loads(pickle.dumps(stored))
    assert isinstance(again, cc.StoredCalibration)
    assert _same(again.severity, fresh.severity)
    assert again.routes == stored.routes and again.target_year == stored.target_year


def test_key_changes_with_data_spec_and_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    incidents, exposure = tmp_path / "incidents.csv", tmp_path / "exposure.csv"
    incidents.write_bytes(shipped_path("incidents.csv").read_bytes())
    exposure.write_bytes(shipped_path("exposure.csv").read_bytes())
    spec = CalibrationSpec()
    key = cc.cache_key(spec, incidents, exposure)
    assert cc.cache_key(spec, incidents, exposure) == key  # deterministic
    assert cc.cache_key(spec) == key  # the same bytes as the shipped files
    keys = {key}
    # One byte more in either file.
    incidents.write_bytes(incidents.read_bytes() + b"\n")
    keys.add(cc.cache_key(spec, incidents, exposure))
    incidents.write_bytes(shipped_path("incidents.csv").read_bytes())
    exposure.write_bytes(exposure.read_bytes() + b"\n")
    keys.add(cc.cache_key(spec, incidents, exposure))
    exposure.write_bytes(shipped_path("exposure.csv").read_bytes())
    assert cc.cache_key(spec, incidents, exposure) == key
    # Any choice of the spec.
    keys.add(cc.cache_key(replace(spec, threshold=2e6), incidents, exposure))
    keys.add(cc.cache_key(replace(spec, trend=False), incidents, exposure))
    keys.add(cc.cache_key(replace(spec, families=("lognormal", "gpd")), incidents, exposure))
    keys.add(cc.cache_key(replace(spec, years=(2016, 2024)), incidents, exposure))
    # The package version, and a library that fits.
    monkeypatch.setattr(pricing, "__version__", "999.0")
    keys.add(cc.cache_key(spec, incidents, exposure))
    monkeypatch.setattr(np, "__version__", "0.0")
    keys.add(cc.cache_key(spec, incidents, exposure))
    assert len(keys) == 9


def test_entry_for_other_data_is_not_read(cache: Path, tmp_path: Path) -> None:
    cc.cached_calibrate()
    incidents = tmp_path / "incidents.csv"
    incidents.write_bytes(shipped_path("incidents.csv").read_bytes() + b"\n")
    assert cc.load_cached(CalibrationSpec(), incidents) is None
    assert cc.load_cached(CalibrationSpec(threshold=2e6)) is None
    assert cc.load_cached(CalibrationSpec()) is not None


DAMAGE = {
    "not json": b"{not json",
    "truncated": None,  # the first half of a good entry
    "binary": bytes(range(256)),
    "empty": b"",
    "other key": None,  # a good entry claiming another key
    "missing field": None,  # a good entry without one field of a fit
    "huge number": None,  # a good entry whose target year is 1e400 (inf, OverflowError)
    "bad value": None,  # a good entry whose route shares do not sum to 1
    "wrong type": b'{"format": 1, "key": "x", "severity": [1, 2]}',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_entry_is_ignored_and_rewritten(cache: Path, fresh, damage: str) -> None:
    cc.cached_calibrate()
    (entry,) = _entries(cache)
    good = entry.read_text(encoding="utf-8")
    document = json.loads(good)
    if damage == "truncated":
        raw = good[: len(good) // 2].encode()
    elif damage == "other key":
        raw = json.dumps(document | {"key": "0" * 64}).encode()
    elif damage == "missing field":
        del document["severity"]["fits"][0]["loglik"]
        raw = json.dumps(document).encode()
    elif damage == "huge number":
        raw = good.replace(f'"target_year": {document["target_year"]}', '"target_year": 1e400')
        assert raw != good
        raw = raw.encode()
    elif damage == "bad value":
        raw = json.dumps(document | {"routes": document["routes"] | {"hot": 2.0}}).encode()
    else:
        raw = DAMAGE[damage]
    entry.write_bytes(raw)
    assert cc.load_cached(CalibrationSpec()) is None
    calibration = cc.cached_calibrate()  # no traceback: fitted afresh
    assert not isinstance(calibration, cc.StoredCalibration)
    assert _same(calibration.severity, fresh.severity)
    assert json.loads(entry.read_text(encoding="utf-8")) == json.loads(good)  # rewritten
    assert isinstance(cc.cached_calibrate(), cc.StoredCalibration)


def test_cache_switched_off(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for off in ("0", "false", "OFF", "no"):
        monkeypatch.setenv(cc.CACHE_SWITCH_ENV, off)
        assert cc.cache_dir() is None
    calibration = cc.cached_calibrate()
    assert not isinstance(calibration, cc.StoredCalibration)
    assert not cache.exists()
    monkeypatch.setenv(cc.CACHE_SWITCH_ENV, "1")
    assert cc.cache_dir() == cache


def test_default_folder_is_the_users_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv(cc.CACHE_DIR_ENV, raising=False)
    monkeypatch.delenv(cc.CACHE_SWITCH_ENV, raising=False)
    assert cc.cache_dir() == Path(platformdirs.user_cache_dir("vaultcover"))


def test_unusable_folder_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cc.CACHE_DIR_ENV, str(blocker / "cache"))
    calibration = cc.cached_calibrate()
    assert _same(calibration.frequency, fresh.frequency)
    assert blocker.read_text() == "not a folder"


def test_missing_data_file_is_the_loaders_error(cache: Path, tmp_path: Path) -> None:
    """A file the cache cannot hash is left to the loader, which names the problem."""
    from pricing.exceptions import InputError

    with pytest.raises(InputError, match="file not found"):
        cc.cached_calibrate(CalibrationSpec(), tmp_path / "missing.csv")
    assert not cache.exists() or not _entries(cache)


HEAVY = "('pandas', 'statsmodels', 'scipy.stats')"


def _loaded(code: str, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_cli_imports_stay_light(tmp_path: Path) -> None:
    """``import pricing`` and ``import pricing.cli`` load none of pandas, statsmodels and
    scipy.stats, nor does a ``compare`` on a cached calibration (its frontier is a table only
    when asked for)."""
    env = os.environ | {"PYTHONPATH": str(ROOT), cc.CACHE_DIR_ENV: str(tmp_path / "cache")}
    env.pop(cc.CACHE_SWITCH_ENV, None)
    probe = "import json, sys; print(json.dumps(sorted(m for m in {} if m in sys.modules)))"
    for module in ("pricing", "pricing.cli"):
        assert _loaded(f"import {module}; " + probe.format(HEAVY), env) == []
    run = (
        "import contextlib, io, json, sys\n"
        "import pricing.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert pricing.cli.main(['compare', '--profile', 'small', '--regime', 'jp-draft',"
        " '--json']) == 0\n" + probe.format(HEAVY)
    )
    _loaded(run, env)  # fits and fills the cache
    assert len(_entries(tmp_path / "cache")) == 1
    assert _loaded(run, env) == []
