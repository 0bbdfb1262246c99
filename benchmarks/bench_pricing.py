"""Timings and accuracy of the pricing engine, in one process.

Run: ``python3 benchmarks/bench_pricing.py`` (add ``--repeat N`` for more timing runs).

For each preset exchange it times

1. the loss model's aggregate distribution (FFT, 2^14 points) against a fine-grid
   reference (FFT, 2^18 points): VaR and TVaR at 99.5%;
2. the pricing of every layer of a 50 × 50 retention × limit grid in one batched pass
   (:func:`pricing.coverage.price_layer_grid`), against per-layer fine-grid quotes
   (:func:`pricing.coverage.quote_layer`, 2^14 points) on a sample of layers;
3. the full strategy comparison with its 50 × 50 optimiser (:func:`pricing.strategy.compare`:
   market pricing of the 2,500 layers and the retained-loss distribution of every structure,
   the exchange's yearly loss distribution given), against the same comparison on a 4× finer
   retained-loss grid. "cold": every cache emptied before each run (the headline figure);
   "warm": the premium grid of the same exchange kept from a previous comparison (as when the
   app or a script compares the same exchange under another regime or target);
4. the comparison with its 20 parameter draws (``vaultcover compare``'s default: the point
   comparison plus :func:`pricing.uncertainty.compare_with_draws`, draws built beforehand).

Times are medians of ``--repeat`` runs after one warm-up run, in milliseconds; each is also
given as a ratio to the time of one plain aggregate FFT in the same process (the baseline),
so figures from different machines can be compared.

It ends with the summary table of issue 8: one cold ``compare`` per preset (ms), with its 20
parameter draws, the busiest exchange within the documented limits, the CLI
``vaultcover compare --profile small --regime jp-draft --json`` process (s), a batch of 8
different profiles on 1 process pinned to 1 core against 2 worker processes on 2 cores
(``--repeat`` rounds of both, the best and the median), and
aggregate VaR/TVaR against the anchors of ``benchmarks/bench_anchors.py`` (``--no-anchors``
skips them). Timings need an idle machine: other work on the cores shows up in every figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from options import positive

from pricing import strategy as strategy_module
from pricing.aggregate import GridSpec
from pricing.calibration import calibrate
from pricing.coverage import Layer, price_layer_grid, quote_layer
from pricing.lossmodel import build_loss_model
from pricing.profiles import PRESETS
from pricing.strategy import compare, compare_profiles, layer_axes
from pricing.strategy import engine as strategy_engine
from pricing.uncertainty import DEFAULT_DRAWS, compare_with_draws, draw_models

ROOT = Path(__file__).resolve().parent.parent


def timed(
    func: Callable[[], Any], repeat: int, setup: Callable[[], Any] | None = None
) -> tuple[float, Any]:
    """Median wall time (ms) of ``repeat`` calls after a warm-up, and the last result;
    ``setup`` runs before each call, untimed (e.g. emptying caches)."""
    result = func()
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), result


def rel(a: float, b: float) -> float:
    """Relative difference ``a / b − 1`` (0 when both are 0)."""
    return 0.0 if a == b == 0 else a / b - 1.0


def bench_profile(name: str, calibration: Any, repeat: int) -> dict[str, float]:
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
        cmp_ms, result = timed(
            lambda r=regime: compare(model, r, total=agg), repeat, strategy_module.clear_caches
        )
        warm_ms, _ = timed(lambda r=regime: compare(model, r, total=agg), repeat)
        compare_ms[regime] = cmp_ms
        saved = strategy_engine.RETAINED_GRID_LOG2
        strategy_engine.RETAINED_GRID_LOG2 = saved + 2
        try:
            reference = compare(model, regime, total=agg)
        finally:
            strategy_engine.RETAINED_GRID_LOG2 = saved
        err = max(
            abs(rel(s.total_cost, reference.get(s.name).total_cost)) for s in result.strategies
        )
        dp = max(abs(s.p_full - reference.get(s.name).p_full) for s in result.strategies)
        print(
            f"compare {regime:<8} (50 × 50)  {cmp_ms:8.1f} ms  ({cmp_ms / base_ms:5.1f}×)   "
            f"warm {warm_ms:6.1f} ms   "
            f"max |rel err| total cost {err:.1e}, max |Δ p_full| {dp:.1e} vs 4× finer grid"
        )
    draws = draw_models(model, calibration, DEFAULT_DRAWS, seed=1)
    draws_ms, _ = timed(
        # the same models, their yearly losses not yet computed (a copy keeps none), as in
        # one `vaultcover compare`
        lambda: compare_with_draws(
            compare(model, "jp-draft", total=agg), dataclasses.replace(draws)
        ),
        max(1, repeat // 2),
        strategy_module.clear_caches,
    )
    compare_ms["draws"] = draws_ms
    print(
        f"compare + {DEFAULT_DRAWS} draws (jp-draft)  {draws_ms:8.1f} ms  "
        f"({draws_ms / base_ms:5.1f}×)   point comparison and every strategy under each draw"
    )
    return compare_ms


def high_frequency_ms(calibration: Any) -> float:
    """Wall time (ms) of one cold comparison of the busiest exchange within the documented
    limits (customer assets 1e13 USD, all of it in hot wallets), its yearly loss included."""
    profile = dataclasses.replace(PRESETS["small"], customer_assets_usd=1e13, hot_share=1.0)
    model = build_loss_model(profile, calibration)
    strategy_module.clear_caches()
    start = time.perf_counter()
    compare(model, "jp-draft")
    return (time.perf_counter() - start) * 1e3


def cli_seconds(repeat: int) -> float:
    """Median wall time (s) of the CLI compare process, imports and calibration included.

    The package's bytecode is compiled first, as ``pip install`` does: a source checkout
    under ``PYTHONDONTWRITEBYTECODE=1`` would otherwise recompile every module on each run.
    """
    import compileall

    compileall.compile_dir(ROOT / "pricing", quiet=1)
    command = [sys.executable, "-m", "pricing", "compare", "--profile", "small"]
    command += ["--regime", "jp-draft", "--json"]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def batch_ms(calibration: Any, workers: int, cores: int | None = None) -> float:
    """Wall time (ms) of one batch of 8 different profiles (the presets in turn, customer
    assets 1% apart, so that no comparison reuses another's premium grid) on ``workers``
    processes, the process (and the workers it forks) pinned to its first ``cores`` CPUs
    (``None``: all)."""
    names = list(PRESETS)
    profiles = [
        dataclasses.replace(
            PRESETS[names[k % len(names)]],
            customer_assets_usd=PRESETS[names[k % len(names)]].customer_assets_usd * (1 + k / 100),
        )
        for k in range(8)
    ]
    models = [build_loss_model(profile, calibration) for profile in profiles]
    allowed = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if cores is not None and allowed is not None:
        os.sched_setaffinity(0, sorted(allowed)[:cores])
    try:
        strategy_module.clear_caches()
        start = time.perf_counter()
        compare_profiles(models, "jp-draft", workers=workers)
        return (time.perf_counter() - start) * 1e3
    finally:
        if allowed is not None:
            os.sched_setaffinity(0, allowed)


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
    parser.add_argument(
        "--repeat", type=positive, default=5, help="timed runs per item (default 5)"
    )
    parser.add_argument("--no-anchors", action="store_true", help="skip gemact / aggregate")
    parser.add_argument(
        "--only",
        choices=("presets", "cli", "batch"),
        help="print one part of the summary only: the per-preset comparisons (with the "
        "high-frequency profile), the CLI process, or the batch speed-up",
    )
    args = parser.parse_args()
    if args.only == "cli":
        seconds = cli_seconds(args.repeat)
        print(f"CLI compare process (small, jp-draft)  {seconds:8.2f} s    [<= 0.8 s]")
        return
    start = time.perf_counter()
    calibration = calibrate()
    print(
        f"calibration (fit all severity families and the GLM): "
        f"{(time.perf_counter() - start) * 1e3:.0f} ms"
    )
    print(f"numpy {np.__version__}; medians of {args.repeat} runs after a warm-up")
    if args.only == "batch":
        print_batch(calibration, args.repeat)
        return
    per_preset = {name: bench_profile(name, calibration, args.repeat) for name in PRESETS}

    print("\n== Summary (issue 8 §3 targets in brackets)")
    for name, ms in per_preset.items():
        print(f"compare {name:<6} jp-draft 50 × 50 (cold)  {ms['jp-draft']:8.1f} ms   [<= 50 ms]")
    for name, ms in per_preset.items():
        print(f"compare {name:<6} + {DEFAULT_DRAWS} draws          {ms['draws']:8.1f} ms")
    hf_ms = high_frequency_ms(calibration)
    print(f"high-frequency compare (1e13, hot 100%) {hf_ms:7.0f} ms   [<= 2 s]")
    if args.only == "presets":
        return
    print(f"CLI compare process (small, jp-draft)  {cli_seconds(3):8.2f} s    [<= 0.8 s]")
    print_batch(calibration, args.repeat)
    if not args.no_anchors:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        sys.path.insert(0, str(ROOT))
        print("aggregate vs anchors: time to within 0.1% of the fine-grid reference")
        for row in anchor_rows(min(args.repeat, 3)):
            print(row)


def print_batch(calibration: Any, repeat: int = 5) -> None:
    """The batch of 8 profiles on one core, then on two processes, and the speed-up: ``repeat``
    rounds of the three runs back to back (other work on the cores slows some rounds down),
    the best and the median of each."""
    batch_ms(calibration, 2)  # warm-up: the first batch pays for forking the workers
    rounds = [
        (batch_ms(calibration, 1, cores=1), batch_ms(calibration, 1), batch_ms(calibration, 2))
        for _ in range(max(1, repeat))
    ]
    one_core, threads, two = (sorted(column) for column in zip(*rounds, strict=True))
    mid = len(rounds) // 2
    print(
        f"batch of 8 profiles (best of {len(rounds)}): 1 process on 1 core {one_core[0]:7.0f} ms, "
        f"2 processes on 2 cores {two[0]:7.0f} ms, speed-up {one_core[0] / two[0]:.2f}×   [>= 1.8×]"
    )
    print(
        f"  (medians: {one_core[mid]:7.0f} ms and {two[mid]:7.0f} ms, speed-up "
        f"{one_core[mid] / two[mid]:.2f}×; 1 process, not pinned: best {threads[0]:7.0f} ms, "
        f"2 processes are {threads[0] / two[0]:.2f}× faster than that)"
    )
    print(
        f"  (the machine now: 2 busy-loop processes do twice the work of one "
        f"{machine_speedup():.2f}× faster, the most a batch could gain while others use the cores)"
    )


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_speedup(n: int = 2_000_000, rounds: int = 3) -> float:
    """How much faster 2 processes do twice the work of one pure-Python loop than one process
    does it once, best of ``rounds``: 2 on an idle 2-core machine, less when others are busy."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    best = 0.0
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        list(pool.map(abs, [1, 2]))  # workers started
        for _ in range(rounds):
            start = time.perf_counter()
            _spin(n)
            one = time.perf_counter() - start
            start = time.perf_counter()
            list(pool.map(_spin, [n, n]))
            best = max(best, 2.0 * one / (time.perf_counter() - start))
    return best


if __name__ == "__main__":
    main()
