"""Random thefts as the reserve projection draws them, against the old way, in one process.

Run: ``PYTHONPATH=. python benchmarks/bench_draws.py [--repeat 5]``.

For each preset exchange, the per-theft loss the exchange keeps under the recommended
structure for jp-draft (:func:`pricing.strategy.retained_severity`: a mixture of the retained
part of a layer over the capped-loss mixture and, for a disputed claim, the whole loss) is
drawn 100,000 times

- by composition (``rvs`` today: a mixture picks a component by its weight, a cap or layer
  maps a draw of its base), and
- by inversion of the quantile function (the inherited ``LossDistribution.rvs``, which every
  draw took before: the mixture's quantile is a bisection on its cdf), the baseline;

then the whole five-year projection of Compare's reserve (:func:`pricing.strategy.
project_strategy`, 20,000 paths) is timed with each. Times are medians of ``--repeat`` runs
after a warm-up (ms). The two samples are of the same law: their two-sample Kolmogorov-Smirnov
statistic is printed beside its 1% critical value. Both are compared at 7 significant digits
(float32): the cap is an atom of the law, which the bisection finds to within 1e-12 only, and
a cap drawn as 6.5e6 in one sample and 6.5e6 + 1e-5 in the other would not be a tie.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from unittest import mock

import numpy as np
from options import positive
from scipy import stats

from pricing.calibration import calibrate
from pricing.distributions import LossDistribution, Mixture
from pricing.lossmodel import build_loss_model
from pricing.profiles import PRESETS
from pricing.strategy import compare, project_strategy, retained_severity

N_DRAWS = 100_000


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time (ms) of ``repeat`` calls after a warm-up, and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), result


def by_inversion() -> mock._patch:
    """Every mixture, and every law built on one, drawn by inversion as before."""
    return mock.patch.object(Mixture, "rvs", LossDistribution.rvs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=positive, default=5)
    args = parser.parse_args()
    calibration = calibrate()
    print(f"{N_DRAWS:,} draws of the retained per-theft loss; medians of {args.repeat} (ms)")
    print(
        f"{'preset':8}{'inversion':>11}{'composition':>13}{'ratio':>7}"
        f"{'KS':>8}{'KS 1%':>8}{'projection inv.':>17}{'comp.':>8}{'ratio':>7}"
    )
    for name, profile in PRESETS.items():
        model = build_loss_model(profile, calibration)
        comparison = compare(model, "jp-draft")
        best = comparison.get(comparison.recommended)
        frictions = comparison.assumptions.frictions
        law = retained_severity(model, best.retention, best.limit, frictions)

        def draws(law: LossDistribution = law) -> np.ndarray:
            return np.asarray(law.rvs(N_DRAWS, np.random.default_rng(1)))

        def projection(model=model, best=best, frictions=frictions) -> object:  # type: ignore[no-untyped-def]
            return project_strategy(model, best, frictions)

        new_ms, new = timed(draws, args.repeat)
        new_proj_ms, _ = timed(projection, args.repeat)
        with by_inversion():
            old_ms, old = timed(draws, args.repeat)
            old_proj_ms, _ = timed(projection, args.repeat)
        ks = stats.ks_2samp(new.astype(np.float32), old.astype(np.float32)).statistic
        critical = 1.628 * np.sqrt(2 / N_DRAWS)  # c(0.01) * sqrt((n + m) / (n m))
        print(
            f"{name:8}{old_ms:11.1f}{new_ms:13.1f}{old_ms / new_ms:7.1f}{ks:8.4f}"
            f"{critical:8.4f}{old_proj_ms:17.1f}{new_proj_ms:8.1f}{old_proj_ms / new_proj_ms:7.1f}"
        )


if __name__ == "__main__":
    main()
