"""The engine's batched passes against the same computations one piece at a time (issue 8 §3).

The layer grid prices the columns (limits) that share a transform size in one batched FFT,
and the optimiser compounds the retained losses of every structure of one transform size in
one batch, whatever their retention: batches of one column, one structure or any other size
must give the same numbers bit for bit. Batches of profiles run in worker processes kept
from one call to the next; a kept worker must compute exactly what the calling process
would, with the engine's settings of the moment.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from pricing.calibration import calibrate
from pricing.coverage import grid as layer_grid
from pricing.coverage import price_layer_grid
from pricing.lossmodel import build_loss_model
from pricing.profiles import PRESETS
from pricing.strategy import (
    StrategyAssumptions,
    clear_caches,
    compare,
    compare_profiles,
    layer_axes,
    retained,
    workers,
)
from pricing.strategy import engine as strategy_engine

FIELDS = ("expected_loss", "std", "var_capital", "tvar_capital", "p_attach", "p_exhaust")
GRID = {"n_retentions": 24, "n_limits": 25}


@pytest.fixture(scope="module")
def models():
    cal = calibrate()
    return {name: build_loss_model(PRESETS[name], cal) for name in ("small", "large", "jp-mid")}


def _grids_equal(a, b) -> None:
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for principle, values in a.premiums.items():
        np.testing.assert_array_equal(values, b.premiums[principle], err_msg=principle)


@pytest.mark.parametrize("preset", ["small", "large", "jp-mid"])
@pytest.mark.parametrize("options", [{}, {"wang": False, "std": False}])
def test_layer_grid_in_batches_of_one_column_is_the_same(models, monkeypatch, preset, options):
    """Every column priced in a batch of its own (the column-by-column method) gives the
    batched grid's numbers bit for bit, Wang premiums and skipped retentions included."""
    model = models[preset]
    retentions, limits = layer_axes(model, 30, 31)
    args = (model.frequency, model.severity, retentions, limits[1:])
    batched = price_layer_grid(*args, **options)
    monkeypatch.setattr(layer_grid, "_BATCH_POINTS", 1)
    one_by_one = price_layer_grid(*args, **options)
    _grids_equal(batched, one_by_one)


def test_layer_grid_column_does_not_depend_on_its_neighbours(models):
    """A column priced with only the widest limit beside it (which sets the finest bucket)
    equals that column of the whole grid, bit for bit: batching columns of one transform
    size together changes no number."""
    model = models["large"]
    retentions, limits = layer_axes(model, 20, 21)
    lim = limits[1:]
    whole = price_layer_grid(model.frequency, model.severity, retentions, lim, wang=False)
    for j in (0, 7, 13, 18):
        pair = price_layer_grid(
            model.frequency, model.severity, retentions, [lim[j], lim[-1]], wang=False
        )
        for name in ("expected_loss", "std", "var_capital", "tvar_capital"):
            np.testing.assert_array_equal(getattr(pair, name)[:, 0], getattr(whole, name)[:, j])


def test_layer_grid_p_exhaust_is_the_closed_form(models):
    """``p_exhaust`` (computed when asked for) is ``1 − P_N(1 − S_X(d + l))``."""
    model = models["small"]
    retentions, limits = layer_axes(model, 6, 7)
    grid = price_layer_grid(model.frequency, model.severity, retentions, limits[1:], wang=False)
    sf = np.asarray(model.severity.sf(retentions[:, None] + limits[None, 1:]))
    expected = np.asarray(model.frequency.prob_at_least_one(sf))
    np.testing.assert_array_equal(grid.p_exhaust, expected)
    assert grid.frame()["p_exhaust"].to_numpy() == pytest.approx(expected.ravel(), rel=0)


@pytest.mark.parametrize("preset", ["small", "large"])
@pytest.mark.parametrize("regime", ["jp-draft", "hk"])
def test_optimiser_in_batches_of_one_structure_is_the_same(models, monkeypatch, preset, regime):
    """The retained-loss compounds in batches of one structure (one FFT each) give the batched
    comparison's every grid point bit for bit."""
    model = models[preset]
    a = StrategyAssumptions(**GRID)
    total = model.aggregate()
    batched = compare(model, regime, a, total=total)
    monkeypatch.setattr(retained, "BATCH_POINTS", 1)
    alone = compare(model, regime, a, total=total)
    for name in ("total_cost", "p_full"):
        np.testing.assert_array_equal(getattr(batched, name), getattr(alone, name))
    assert [s.total_cost for s in batched.strategies] == [s.total_cost for s in alone.strategies]


def test_kept_workers_follow_the_callers_settings(models, monkeypatch):
    """A batch in kept worker processes equals the batch in this process, call after call, also
    after this process changed an engine setting (carried with each job) or emptied its
    caches; a broken pool is replaced."""
    a = StrategyAssumptions(**GRID)
    batch = [models["small"], models["large"], models["jp-mid"]]
    serial = compare_profiles(batch, "jp-draft", a, workers=1)
    first = compare_profiles(batch, "jp-draft", a, workers=2)
    pool = workers.pool(2)
    pd.testing.assert_frame_equal(serial, first)
    clear_caches()
    pd.testing.assert_frame_equal(serial, compare_profiles(batch, "jp-draft", a, workers=2))
    assert workers.pool(2) is pool  # kept
    monkeypatch.setattr(strategy_engine, "RETAINED_GRID_LOG2", 12)
    finer = compare_profiles(batch, "jp-draft", a, workers=1)
    assert not finer.equals(serial)
    pd.testing.assert_frame_equal(finer, compare_profiles(batch, "jp-draft", a, workers=2))
    for process in list(pool._processes.values()):
        process.kill()
        process.join()
    pd.testing.assert_frame_equal(finer, compare_profiles(batch, "jp-draft", a, workers=2))
    workers.shutdown()


def test_compare_reports_progress_up_to_one(models):
    """``progress`` hears shares of the retained-loss batches done: increasing, ending at 1."""
    seen = []
    model = models["small"]
    compare(model, "jp-draft", StrategyAssumptions(**GRID), progress=seen.append)
    assert seen and seen[-1] == 1.0
    assert all(0 < a < b for a, b in itertools.pairwise(seen))


def test_a_failing_batch_leaves_the_kept_workers_usable(models):
    """An error in a worker (an unknown regime: an InputError) reaches the caller as in one
    process, same type and message, and the kept workers then run the next batch as usual."""
    a = StrategyAssumptions(**GRID)
    batch = [models["small"], models["large"]]
    with pytest.raises(Exception) as in_process:
        compare_profiles(batch, "atlantis", a, workers=1)
    with pytest.raises(type(in_process.value)) as in_worker:
        compare_profiles(batch, "atlantis", a, workers=2)
    assert str(in_worker.value) == str(in_process.value)
    serial = compare_profiles(batch, "jp-draft", a, workers=1)
    pd.testing.assert_frame_equal(serial, compare_profiles(batch, "jp-draft", a, workers=2))
