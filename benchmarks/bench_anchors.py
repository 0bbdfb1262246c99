"""Aggregate losses against two other engines on the same specs: time to VaR / TVaR at 99.5%
within 0.1% of an independent fine-grid reference.

Run: ``python3 benchmarks/bench_anchors.py`` (needs the ``bench`` extra:
``pip install -e .[bench]``, i.e. ``gemact`` and ``aggregate``; an anchor that is not
installed is reported as such).

For each spec and engine the grid is searched (points 2^10 … 2^18; for the anchors also the
bucket, as a multiple of the reference VaR over the points) for the *cheapest* setting whose
answer is within 0.1% of the reference (tests/reference/fine_grid.py: rounding discretisation,
2^20 points, analytic mean behind TVaR); that setting is then timed (median of ``--repeat``
runs). Vaultcover is timed end to end (grid choice, FFT, quantile refinement). Ratios are
anchor time / Vaultcover time (> 1: Vaultcover is faster).
"""

from __future__ import annotations

import argparse
import logging
import math
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

from options import positive
from scipy import stats

from pricing.aggregate import GridSpec, NegativeBinomial, Poisson, aggregate
from pricing.distributions import Lognormal
from tests.reference import fine_grid

LEVEL = 0.995
TOL = 1e-3
#: (label, frequency, (meanlog, sdlog), reference counts, (gemact freq, params),
#:  (aggregate freq name, freq_a))
SPECS = [
    ("poisson(0.1) x lognormal(14.5,1.5)", Poisson(0.1), (14.5, 1.5)),
    ("poisson(2) x lognormal(15,2)", Poisson(2.0), (15.0, 2.0)),
    ("negbin(4,2) x lognormal(16,1.2)", NegativeBinomial(mean=4.0, size=2.0), (16.0, 1.2)),
]


def reference(freq: Any, meanlog: float, sdlog: float) -> tuple[float, float]:
    """VaR and TVaR at LEVEL from the independent fine grid (mean of S in closed form)."""
    counts = (
        fine_grid.poisson(freq.mean)
        if isinstance(freq, Poisson)
        else fine_grid.negbin(freq.mean, freq.size)
    )
    sev = stats.lognorm(sdlog, scale=math.exp(meanlog))
    guess = float(aggregate(freq, Lognormal(meanlog, sdlog)).value_at_risk(LEVEL))
    var = fine_grid.quantile(counts, sev.cdf, LEVEL, guess * 1.2)
    mean_s = freq.mean * math.exp(meanlog + sdlog**2 / 2)
    tvar = var + (mean_s - fine_grid.lev(counts, sev.cdf, var)) / (1 - LEVEL)
    return var, tvar


def timed(func: Callable[[], Any], repeat: int) -> float:
    """Median wall time (ms) of ``repeat`` calls after a warm-up."""
    func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def cheapest(
    settings: list[Any], run: Callable[[Any], tuple[float, float]], target: float, which: int
) -> Any:
    """The first setting (ordered by cost) whose answer ``which`` (0 VaR, 1 TVaR) is within TOL."""
    for setting in settings:
        try:
            value = run(setting)[which]
        except Exception:  # an anchor failing on a setting just skips it
            continue
        if abs(value / target - 1) <= TOL:
            return setting
    return None


def vaultcover(freq: Any, meanlog: float, sdlog: float) -> Callable[[int], tuple[float, float]]:
    sev = Lognormal(meanlog, sdlog)

    def run(log2: int) -> tuple[float, float]:
        agg = aggregate(freq, sev, grid=GridSpec(log2=log2, estimate_aliasing=False))
        return float(agg.value_at_risk(LEVEL)), agg.tvar(LEVEL)

    return run


def gemact_runner(freq: Any, meanlog: float, sdlog: float, var_ref: float) -> Callable | None:
    try:
        import gemact
    except ImportError:
        return None
    logging.disable(logging.INFO)  # gemact logs every FFT
    if isinstance(freq, Poisson):
        frequency = gemact.Frequency(dist="poisson", par={"mu": freq.mean})
    else:
        p = 1.0 / (1.0 + freq.mean / freq.size)
        frequency = gemact.Frequency(dist="nbinom", par={"n": freq.size, "p": p})
    severity = gemact.Severity(dist="lognormal", par={"shape": sdlog, "scale": math.exp(meanlog)})

    def run(setting: tuple[int, float]) -> tuple[float, float]:
        log2, reach = setting
        n = 1 << log2
        model = gemact.LossModel(
            severity=severity,
            frequency=frequency,
            aggr_loss_dist_method="fft",
            n_aggr_dist_nodes=n,
            sev_discr_method="localmoments",
            n_sev_discr_nodes=n,
            sev_discr_step=reach * var_ref / n,
        )
        return float(model.ppf(LEVEL)), math.nan

    return run


def aggregate_runner(freq: Any, meanlog: float, sdlog: float, var_ref: float) -> Callable | None:
    try:
        import aggregate as mildenhall
    except ImportError:
        return None
    if isinstance(freq, Poisson):
        kind = {"freq_name": "poisson"}
    else:  # gamma-mixed Poisson: CV of the mixing = 1/sqrt(size)
        kind = {"freq_name": "negbin", "freq_a": 1.0 / math.sqrt(freq.size)}

    def run(setting: tuple[int, float]) -> tuple[float, float]:
        log2, reach = setting
        model = mildenhall.Aggregate(
            "bench",
            exp_en=freq.mean,
            sev_name="lognorm",
            sev_a=sdlog,
            sev_scale=math.exp(meanlog),
            **kind,
        )
        model.update(log2=log2, bs=reach * var_ref / (1 << log2), normalize=False)
        return float(model.q(LEVEL)), float(model.tvar(LEVEL))

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=positive, default=3, help="timed runs per setting")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    anchor_settings = [(k, r) for k in range(10, 19) for r in (2.0, 8.0, 32.0, 128.0, 512.0)]
    print(f"time (ms) to {LEVEL:g} VaR / TVaR within {TOL:.1%} of the fine-grid reference")
    header = f"{'spec':<36} {'measure':<5} {'vaultcover':>11} {'gemact':>16} {'aggregate':>16}"
    print(header)
    print("-" * len(header))
    for label, freq, (meanlog, sdlog) in SPECS:
        refs = reference(freq, meanlog, sdlog)
        ours = vaultcover(freq, meanlog, sdlog)
        runners = {
            "gemact": gemact_runner(freq, meanlog, sdlog, refs[0]),
            "aggregate": aggregate_runner(freq, meanlog, sdlog, refs[0]),
        }
        for which, measure in enumerate(("VaR", "TVaR")):
            log2 = cheapest(list(range(10, 19)), ours, refs[which], which)
            ours_ms = timed(lambda k=log2, f=ours: f(k), args.repeat) if log2 else math.nan
            cells = [f"{ours_ms:9.1f}  "]
            for run in runners.values():
                if run is None:
                    cells.append(f"{'not installed':>16}")
                    continue
                setting = cheapest(anchor_settings, run, refs[which], which)
                if setting is None:
                    cells.append(f"{'never within':>16}")
                    continue
                ms = timed(lambda s=setting, r=run: r(s), args.repeat)
                cells.append(f"{ms:8.1f} ({ms / ours_ms:5.1f}×)")
            print(f"{label:<36} {measure:<5} " + " ".join(cells))


if __name__ == "__main__":
    main()
