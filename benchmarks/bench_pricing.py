"""Timings and accuracy of the pricing engine, in one process.

Run: ``python3 benchmarks/bench_pricing.py`` (add ``--repeat N`` for more timing runs).

For each preset exchange it times

1. the loss model's aggregate distribution (FFT, 2^14 points) against a fine-grid
   reference (FFT, 2^18 points): VaR and TVaR at 99.5%;
2. the pricing of every layer of a 50 × 50 retention × limit grid in one batched pass
   (:func:`pricing.coverage.price_layer_grid`), against per-layer fine-grid quotes
   (:func:`pricing.coverage.quote_layer`, 2^14 points) on a sample of layers;
3. the full strategy comparison with its 50 × 50 optimiser (:func:`pricing.strategy.compare`),
   against the same comparison on a 4× finer retained-loss grid.

Times are medians of ``--repeat`` runs after one warm-up run, in milliseconds; each is also
given as a ratio to the time of one plain aggregate FFT in the same process (the baseline),
so figures from different machines can be compared.

It ends with the summary table of issue 8: one ``compare`` per preset (ms), the CLI
``vaultcover compare --profile small --regime jp-draft --json`` process (s), a batch of
profiles on 1 against 2 worker processes, and aggregate VaR/TVaR against the anchors of
``benchmarks/bench_anchors.py`` (``--no-anchors`` skips them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from pricing import strategy as strategy_module
from pricing.aggregate import GridSpec
from pricing.calibration import calibrate
from pricing.coverage import Layer, price_layer_grid, quote_layer
from pricing.lossmodel import build_loss_model
from pricing.profiles import PRESETS
from pricing.strategy import compare, compare_profiles, layer_axes

ROOT = Path(__file__).resolve().parent.parent


def timed(func: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time (ms) of ``repeat`` calls after a warm-up, and the last result."""
    result = func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), result


def rel(a: float, b: float) -> float:
    """Relative difference ``a / b − 1`` (0 when both are 0)."""
    return 0.0 if a == b == 0 else a / b - 1.0


def bench_profile(name: str, calibration: Any, repeat: int) -> float:
    model = build_loss_model(PRESETS[name], calibration)
    print(f"\n== {name}: {model.profile.name} (λ = {model.rate:.4f} thefts per year)")

    base_ms, agg = timed(lambda: model.aggregate(), repeat)
    fine = model.aggregate(grid=GridSpec(log2=18, coverage=1 - 1e-10))
    print(
        f"aggregate (FFT 2^14)        {base_ms:8.1f} ms  (baseline 1.0×)   "
        f"VaR99.5 err {rel(agg.value_at_risk(0.995), fine.value_at_risk(0.995)):+.2e}  "
        f"TVaR99.5 err {rel(agg.tvar(0.995), fine.tvar(0.995)):+.2e}  "
        f"audit valid: {agg.is_valid}"
    )

    retentions, limits = layer_axes(model, 50, 51)
    limits = limits[1:]
    grid_ms, grid = timed(
        lambda: price_layer_grid(model.frequency, model.severity, retentions, limits), repeat
    )
    errors = {"expected_loss": [], "std": [], "cost_of_capital": [], "wang": []}
    for i in (0, 10, 25, 40):
        for j in (5, 20, 35, 49):
            quote = quote_layer(
                model.frequency,
                model.severity,
                Layer(retentions[i], limits[j]),
                grid=GridSpec(log2=14, coverage=1 - 1e-10, estimate_aliasing=False),
            )
            errors["expected_loss"].append(rel(grid.expected_loss[i, j], quote.expected_loss))
            errors["std"].append(rel(grid.std[i, j], quote.loss.std))
            for principle in ("cost_of_capital", "wang"):
                errors[principle].append(
                    rel(grid.premiums[principle][i, j], quote.premiums[principle].gross_premium)
                )
    worst = "  ".join(f"{k} {max(abs(e) for e in v):.1e}" for k, v in errors.items())
    print(
        f"50 × 50 layer grid          {grid_ms:8.1f} ms  ({grid_ms / base_ms:5.1f}×)   "
        f"max |rel err| vs 2^14 quotes on 16 layers: {worst}"
    )

    compare_ms = {}
    for regime in ("jp-draft", "hk"):
        cmp_ms, result = timed(lambda r=regime: compare(model, r, total=agg), repeat)
        compare_ms[regime] = cmp_ms
        saved = strategy_module.RETAINED_GRID_LOG2
        strategy_module.RETAINED_GRID_LOG2 = saved + 2
        try:
            reference = compare(model, regime, total=agg)
        finally:
            strategy_module.RETAINED_GRID_LOG2 = saved
        err = max(
            abs(rel(s.total_cost, reference.get(s.name).total_cost)) for s in result.strategies
        )
        dp = max(abs(s.p_full - reference.get(s.name).p_full) for s in result.strategies)
        print(
            f"compare {regime:<8} (50 × 50)  {cmp_ms:8.1f} ms  ({cmp_ms / base_ms:5.1f}×)   "
            f"max |rel err| total cost {err:.1e}, max |Δ p_full| {dp:.1e} vs 4× finer grid"
        )
    return compare_ms["jp-draft"]


def cli_seconds(repeat: int) -> float:
    """Median wall time (s) of the CLI compare process, imports and calibration included."""
    command = [sys.executable, "-m", "pricing", "compare", "--profile", "small"]
    command += ["--regime", "jp-draft", "--json"]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def batch_ms(calibration: Any, workers: int) -> float:
    """Wall time (ms) of one batch of 8 profiles (4 of each preset) on ``workers`` processes."""
    models = [build_loss_model(PRESETS[name], calibration) for name in PRESETS] * 4
    start = time.perf_counter()
    compare_profiles(models, "jp-draft", workers=workers)
    return (time.perf_counter() - start) * 1e3


def anchor_rows(repeat: int) -> list[str]:
    """Aggregate against gemact (VaR) and aggregate (TVaR) on the anchor specs."""
    import bench_anchors as anchors

    rows = []
    grids = [(k, r) for k in range(10, 19) for r in (2.0, 8.0, 32.0, 128.0, 512.0)]
    for label, freq, (meanlog, sdlog) in anchors.SPECS:
        refs = anchors.reference(freq, meanlog, sdlog)
        ours = anchors.vaultcover(freq, meanlog, sdlog)
        for which, measure, name, factory in (
            (0, "VaR99.5", "gemact", anchors.gemact_runner),
            (1, "TVaR99.5", "aggregate", anchors.aggregate_runner),
        ):
            log2 = anchors.cheapest(list(range(10, 19)), ours, refs[which], which)
            ours_ms = anchors.timed(lambda k=log2, f=ours: f(k), repeat)
            run = factory(freq, meanlog, sdlog, refs[0])
            if run is None:
                rows.append(f"{label:<36} {measure:<8} {ours_ms:8.1f} ms  {name} not installed")
                continue
            setting = anchors.cheapest(grids, run, refs[which], which)
            if setting is None:
                rows.append(f"{label:<36} {measure:<8} {ours_ms:8.1f} ms  {name}: no grid within")
                continue
            ms = anchors.timed(lambda st=setting, r=run: r(st), repeat)
            rows.append(
                f"{label:<36} {measure:<8} {ours_ms:8.1f} ms  {name} {ms:8.1f} ms  "
                f"ratio {ms / ours_ms:5.1f}×"
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per item (default 5)")
    parser.add_argument("--no-anchors", action="store_true", help="skip gemact / aggregate")
    args = parser.parse_args()
    start = time.perf_counter()
    calibration = calibrate()
    print(
        f"calibration (fit all severity families and the GLM): "
        f"{(time.perf_counter() - start) * 1e3:.0f} ms"
    )
    print(f"numpy {np.__version__}; medians of {args.repeat} runs after a warm-up")
    per_preset = {name: bench_profile(name, calibration, args.repeat) for name in PRESETS}

    print("\n== Summary (issue 8 §3 targets in brackets)")
    for name, ms in per_preset.items():
        print(f"compare {name:<6} jp-draft 50 × 50        {ms:8.1f} ms   [<= 50 ms]")
    print(f"CLI compare process (small, jp-draft)  {cli_seconds(3):8.2f} s    [<= 0.8 s]")
    batch_ms(calibration, 2)  # warm-up: the first pool pays for the fork
    one, two = batch_ms(calibration, 1), batch_ms(calibration, 2)
    print(
        f"batch of 8 profiles: 1 process {one:7.0f} ms, 2 processes {two:7.0f} ms, "
        f"speed-up {one / two:.2f}×   [>= 1.8×]"
    )
    if not args.no_anchors:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        sys.path.insert(0, str(ROOT))
        print("aggregate vs anchors: time to within 0.1% of the fine-grid reference")
        for row in anchor_rows(min(args.repeat, 3)):
            print(row)


if __name__ == "__main__":
    main()
