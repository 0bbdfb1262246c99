"""Scale of the insurer-portfolio simulation on Dask: time, memory per worker, speed-up.

Run: ``python3 benchmarks/bench_portfolio.py`` (defaults: 1,000 exchanges, 100,000 years,
chunks of 10,000 years, 1 then 2 local workers). ``--years 1000000`` runs the full target size
if there is time for it.

1. A book of ``--exchanges`` fictional exchanges is made from ``data/example_book.csv`` (its 30
   rows repeated with customer assets moved by a seeded lognormal factor).
2. One chunk is simulated in this process: the per-chunk cost (the baseline).
3. The whole run goes through :func:`pricing.portfolio.run_portfolio` on a local Dask cluster
   of 1 worker, then of 2 workers; cluster start-up is timed apart from the run. Peak memory
   is each worker process's maximum resident set (``ru_maxrss``) after the run, and this
   process's (the client that merges the chunk summaries).
4. The results of both runs must be identical (chunk seeds do not depend on the workers).
5. Extrapolation from the measured per-chunk cost ``c`` (seconds) and merge cost ``g``:
   ``T(years, W) ≈ chunks × max(c / W, g)``, chunks = years / chunk size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

import numpy as np
import pandas as pd
from options import positive

from pricing.calibration import calibrate
from pricing.portfolio import build_portfolio, load_book, run_portfolio
from pricing.portfolio.book import book_from_frame
from pricing.portfolio.simulate import TailState, simulate_chunk, tail_size


def make_book(n: int, seed: int = 2026):
    """``n`` fictional exchanges from the example book's 30, sizes moved by exp(N(0, 0.5))."""
    base = load_book("data/example_book.csv").table()
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        row = base.iloc[i % len(base)].copy()
        row["exchange"] = f"Exchange {i:04d} (fictional)"
        row["customer_assets_usd"] *= float(np.exp(rng.normal(0.0, 0.5)))
        rows.append(row)
    return book_from_frame(pd.DataFrame(rows).astype(str).replace("inf", ""))


def peak_rss_mb() -> float:
    """Maximum resident set of this process (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_with_workers(model, years, chunk, workers, seed):
    """One Dask run with a fresh local cluster: start-up, run time, worker peak memory."""
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    started = time.perf_counter() - t0
    try:
        t0 = time.perf_counter()
        result = run_portfolio(
            model, years, seed, chunk_years=chunk, scheduler=cluster.scheduler_address
        )
        elapsed = time.perf_counter() - t0
        rss = client.run(peak_rss_mb)
    finally:
        client.close()
        cluster.close()
    return result, started, elapsed, sorted(rss.values())


def main() -> None:
    """Run the benchmark and print its figures (and a JSON line at the end)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--exchanges", type=positive, default=1000)
    parser.add_argument("--years", type=positive, default=100_000)
    parser.add_argument(
        "--chunk-years",
        type=positive,
        default=50_000,
        help="years per chunk (default 50,000: a chunk of ~1 s keeps the scheduler and the "
        "client merge small beside the work)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    t0 = time.perf_counter()
    book = make_book(args.exchanges)
    model = build_portfolio(book, calibrate())
    build = time.perf_counter() - t0
    print(
        f"Book: {len(book)} fictional exchanges, {len(model.providers)} providers; "
        f"{model.expected_loss_rate():.1f} thefts a year expected; built in {build:.1f} s"
    )
    print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")

    k = tail_size(args.years, 0.99)
    t0 = time.perf_counter()
    part = simulate_chunk(model, 0, args.chunk_years, args.seed, k, 0)
    chunk_cost = time.perf_counter() - t0
    other = simulate_chunk(model, 1, args.chunk_years, args.seed, k, args.chunk_years)
    t0 = time.perf_counter()
    TailState(k, len(model.exchanges), len(model.groups)).merge(part).merge(other)
    merge_cost = time.perf_counter() - t0
    print(
        f"One chunk of {args.chunk_years:,} years in this process: {chunk_cost:.2f} s; "
        f"merging a chunk summary on the client: {merge_cost:.3f} s"
    )

    r1, s1, t1, m1 = run_with_workers(model, args.years, args.chunk_years, 1, args.seed)
    r2, s2, t2, m2 = run_with_workers(model, args.years, args.chunk_years, 2, args.seed)
    same = r1.to_dict() == r2.to_dict()
    speedup = t1 / t2
    chunks = -(-args.years // args.chunk_years)
    per_chunk_1 = t1 / chunks  # measured cost of one chunk through Dask with 1 worker
    print(f"{args.years:,} years in {chunks} chunks:")
    print(f"  1 worker : start {s1:.1f} s, run {t1:.1f} s, worker peak memory {m1} MB")
    print(f"  2 workers: start {s2:.1f} s, run {t2:.1f} s, worker peak memory {m2} MB")
    print(f"  speed-up 1 -> 2 workers: {speedup:.2f}x; identical results: {same}")
    print(f"  client peak memory: {peak_rss_mb():.0f} MB")
    print(
        f"  VaR 0.995 USD {r2.var[0.995]:,.0f}; TVaR 0.995 USD {r2.tvar[0.995]:,.0f}; "
        f"mean USD {r2.mean:,.0f}"
    )

    def projected(years: float, workers: int) -> float:
        n = years / args.chunk_years
        return n * max(per_chunk_1 / workers, merge_cost)

    print(
        "Extrapolation from the measured cost per chunk through Dask "
        f"({per_chunk_1:.2f} s) and the client merge ({merge_cost:.3f} s):"
    )
    for years, workers in ((1e6, 1), (1e6, 2), (1e8, 64)):
        seconds = projected(years, workers)
        print(f"  {years:,.0f} years on {workers} workers: about {seconds / 60:,.1f} min")
    print(
        "  (at 1e8 years and 64 workers the client merge, one summary per chunk, is the "
        "limit if it exceeds c / W; larger chunks or a tree of merges on the workers lift it)"
    )
    print(
        json.dumps(
            {
                "exchanges": len(book),
                "years": args.years,
                "chunk_years": args.chunk_years,
                "chunk_seconds_inprocess": chunk_cost,
                "merge_seconds": merge_cost,
                "run_seconds": {"1": t1, "2": t2},
                "startup_seconds": {"1": s1, "2": s2},
                "speedup": speedup,
                "identical": same,
                "worker_peak_mb": {"1": m1, "2": m2},
                "client_peak_mb": peak_rss_mb(),
                "projected_minutes": {
                    "1e6_years_2_workers": projected(1e6, 2) / 60,
                    "1e8_years_64_workers": projected(1e8, 64) / 60,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
