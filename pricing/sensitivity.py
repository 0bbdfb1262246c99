"""How much the answer moves with the assumptions, and with parameter uncertainty.

:func:`tornado` re-runs the strategy comparison with one assumption at a time set to a low and
a high value and records the total cost of risk of the cheapest strategy that meets the
protection target (USD per year). The ranges are stated next to each factor; defaults are the
fitted models' 90% confidence bounds where the data give one, and a plausible range
otherwise (domain brief §5 item 20: tail index, frequency, cost of capital, claim denial,
payment lag).

:func:`premium_range` draws the severity parameters from their asymptotic normal law
(maximum-likelihood estimate and covariance) and the theft rate from a lognormal law
matching its 90% confidence interval, and prices one layer for each draw: the spread of the
technical premium that parameter uncertainty alone produces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .calibration import Calibration
from .counts import NegativeBinomial, Poisson
from .coverage import Layer, price_layer_grid
from .lossmodel import ExchangeLossModel, build_loss_model
from .premium import LoadingAssumptions
from .providers import PROVIDER_COLD_REACH_RANGE, PROVIDER_USER_SHARE_RANGE
from .severity import SeverityFit
from .strategy import StrategyAssumptions, compare

if TYPE_CHECKING:
    import pandas as pd

    from .aggregate import AggregateDistribution

__all__ = [
    "PremiumRange",
    "Tornado",
    "TornadoPlan",
    "cheapest",
    "premium_range",
    "tornado",
    "tornado_plan",
]

Z90 = 1.6448536269514722  # standard normal 95% quantile: two-sided 90% bounds


@dataclass(frozen=True, eq=False)
class Tornado:
    """Total cost of risk at each factor's low and high value (USD per year)."""

    base_cost: float
    base_strategy: str
    rows: pd.DataFrame  # factor, low_label, high_label, low_cost, high_cost, swing

    def table(self) -> pd.DataFrame:
        """Factors ordered by swing, largest first."""
        return self.rows.sort_values("swing", ascending=False, ignore_index=True)


def _with_rate_factor(model: ExchangeLossModel, factor: float) -> ExchangeLossModel:
    freq = model.frequency
    if isinstance(freq, NegativeBinomial):
        new = NegativeBinomial(mean=freq.mean * factor, size=freq.size)
    else:
        new = Poisson(freq.mean * factor)
    return replace(model, frequency=new)


def _tail_parameter(fit: SeverityFit) -> str:
    names = fit.param_names
    return "shape" if "shape" in names else "sdlog"


def _moved_fit(fit: SeverityFit, name: str, value: float) -> SeverityFit:
    return replace(fit, params=tuple((k, value if k == name else v) for k, v in fit.params))


#: One run of a tornado: the loss model and assumptions of one case, built when called.
Run = Callable[[], tuple[ExchangeLossModel, StrategyAssumptions]]


@dataclass(frozen=True, eq=False)
class TornadoPlan:
    """The comparisons behind a tornado, to run one at a time (in another thread, ahead of
    need, or kept per run): :attr:`runs` holds the base case, then each factor's low and high
    case; :meth:`tornado` assembles their costs (:func:`cheapest`, in :attr:`runs` order)."""

    factors: tuple[tuple[str, str, str], ...]  # (factor, low label, high label)
    runs: tuple[Run, ...]

    def tornado(self, costs: Sequence[tuple[float, str]]) -> Tornado:
        """The tornado of the runs' costs (total cost of risk, USD per year, and strategy)."""
        import pandas as pd

        if len(costs) != len(self.runs):
            raise ValueError(f"TornadoPlan: {len(self.runs)} runs, {len(costs)} costs given")
        (base_cost, base_strategy), rest = costs[0], costs[1:]
        rows = [
            {
                "factor": name,
                "low_label": low_label,
                "high_label": high_label,
                "low_cost": low[0],
                "high_cost": high[0],
                "swing": abs(high[0] - low[0]),
            }
            for (name, low_label, high_label), low, high in zip(
                self.factors, rest[0::2], rest[1::2], strict=True
            )
        ]
        return Tornado(base_cost, base_strategy, pd.DataFrame(rows))


def tornado(
    model: ExchangeLossModel,
    calibration: Calibration,
    regime: str,
    assumptions: StrategyAssumptions | None = None,
    progress: Callable[[float], None] | None = None,
) -> Tornado:
    """Cost of the cheapest strategy meeting the target, one assumption moved at a time.

    Every run is :func:`pricing.strategy.compare` with the caller's assumptions, grid
    included: the base cost is the one the comparison reports for the same inputs.
    ``progress`` gets the share of runs done after each one.
    """
    plan = tornado_plan(model, calibration, assumptions)
    costs = []
    for k, run in enumerate(plan.runs):
        costs.append(cheapest(*run(), regime))
        if progress is not None:
            progress((k + 1) / len(plan.runs))
    return plan.tornado(costs)


def tornado_plan(
    model: ExchangeLossModel,
    calibration: Calibration,
    assumptions: StrategyAssumptions | None = None,
) -> TornadoPlan:
    """The runs of :func:`tornado` (any regime): the factors, their ranges and their cases."""
    a = StrategyAssumptions() if assumptions is None else assumptions
    profile, fit, lm = model.profile, model.severity_fit, model.assumptions
    tail = _tail_parameter(fit)
    i_tail = fit.param_names.index(tail)
    tail_value, tail_se = fit.params[i_tail][1], fit.se[i_tail]
    ex = model.exchange_frequency
    fr = a.frictions

    def rebuild(**changes: object) -> ExchangeLossModel:
        return build_loss_model(
            changes.get("profile", profile),
            calibration,
            changes.get("assumptions", lm),
            severity_fit=changes.get("fit", fit),
        )

    factors: list[tuple[str, str, str, Callable[[], tuple], Callable[[], tuple]]] = [
        (
            "Theft frequency (90% CI of the GLM)",
            f"{ex.ci[0] / ex.rate:.2f}×",
            f"{ex.ci[1] / ex.rate:.2f}×",
            lambda: (_with_rate_factor(model, ex.ci[0] / ex.rate), a),
            lambda: (_with_rate_factor(model, ex.ci[1] / ex.rate), a),
        ),
        (
            f"Severity {tail} (± 1.645 SE)",
            f"{tail_value - Z90 * tail_se:.3g}",
            f"{tail_value + Z90 * tail_se:.3g}",
            lambda: (rebuild(fit=_moved_fit(fit, tail, max(tail_value - Z90 * tail_se, 0.05))), a),
            lambda: (rebuild(fit=_moved_fit(fit, tail, tail_value + Z90 * tail_se)), a),
        ),
        (
            "Loss size elasticity η",
            "0.25",
            "0.75",
            lambda: (rebuild(assumptions=replace(lm, severity_size_elasticity=0.25)), a),
            lambda: (rebuild(assumptions=replace(lm, severity_size_elasticity=0.75)), a),
        ),
        (
            "Cold storage within reach ρ",
            "0.25",
            "1",
            lambda: (rebuild(assumptions=replace(lm, cold_reach=0.25)), a),
            lambda: (rebuild(assumptions=replace(lm, cold_reach=1.0)), a),
        ),
        (
            "Share of exchanges using a provider s (assumption)",
            f"{PROVIDER_USER_SHARE_RANGE[0]:g}",
            f"{PROVIDER_USER_SHARE_RANGE[1]:g}",
            lambda: (
                rebuild(assumptions=replace(lm, provider_user_share=PROVIDER_USER_SHARE_RANGE[0])),
                a,
            ),
            lambda: (
                rebuild(assumptions=replace(lm, provider_user_share=PROVIDER_USER_SHARE_RANGE[1])),
                a,
            ),
        ),
        (
            "Provider reach of cold storage ρ_p (cases)",
            f"{PROVIDER_COLD_REACH_RANGE[0]:g}",
            f"{PROVIDER_COLD_REACH_RANGE[1]:g}",
            lambda: (
                rebuild(assumptions=replace(lm, provider_cold_reach=PROVIDER_COLD_REACH_RANGE[0])),
                a,
            ),
            lambda: (
                rebuild(assumptions=replace(lm, provider_cold_reach=PROVIDER_COLD_REACH_RANGE[1])),
                a,
            ),
        ),
        (
            "Exchange cost of capital",
            f"{max(profile.cost_of_capital - 0.03, 0):.0%}",
            f"{profile.cost_of_capital + 0.03:.0%}",
            lambda: (
                replace(
                    model,
                    profile=replace(
                        profile, cost_of_capital=max(profile.cost_of_capital - 0.03, 0.0)
                    ),
                ),
                a,
            ),
            lambda: (
                replace(
                    model, profile=replace(profile, cost_of_capital=profile.cost_of_capital + 0.03)
                ),
                a,
            ),
        ),
        (
            "Claim dispute probability",
            "5%",
            "30%",
            lambda: (model, replace(a, frictions=replace(fr, dispute_probability=0.05))),
            lambda: (model, replace(a, frictions=replace(fr, dispute_probability=0.30))),
        ),
        (
            "Insurer payment delay",
            "1 month",
            "12 months",
            lambda: (model, replace(a, frictions=replace(fr, payment_delay_months=1.0))),
            lambda: (model, replace(a, frictions=replace(fr, payment_delay_months=12.0))),
        ),
        (
            "Insurer cost of capital",
            "4%",
            "10%",
            lambda: (model, replace(a, loadings=replace(a.loadings, cost_of_capital=0.04))),
            lambda: (model, replace(a, loadings=replace(a.loadings, cost_of_capital=0.10))),
        ),
    ]
    return TornadoPlan(
        factors=tuple((name, low_label, high_label) for name, low_label, high_label, *_ in factors),
        runs=(lambda: (model, a), *(run for *_, low, high in factors for run in (low, high))),
    )


def cheapest(
    model: ExchangeLossModel,
    assumptions: StrategyAssumptions,
    regime: str,
    total: AggregateDistribution | None = None,
) -> tuple[float, str]:
    """Total cost of risk (USD per year) and name of the strategy :func:`compare` recommends;
    ``total`` is the model's yearly loss if already computed (else computed here)."""
    result = compare(model, regime, assumptions, total=total)
    best = result.get(result.recommended)
    return best.total_cost, best.name


@dataclass(frozen=True, eq=False)
class PremiumRange:
    """Technical premium of one layer under parameter uncertainty (USD per year)."""

    layer: Layer
    principle: str
    base: float
    draws: np.ndarray
    level: float

    @property
    def interval(self) -> tuple[float, float]:
        """Central ``level`` interval of the drawn premiums."""
        tail = (1 - self.level) / 2
        return float(np.quantile(self.draws, tail)), float(np.quantile(self.draws, 1 - tail))

    @property
    def median(self) -> float:
        """Median drawn premium."""
        return float(np.median(self.draws))


def premium_range(
    model: ExchangeLossModel,
    calibration: Calibration,
    layer: Layer,
    loadings: LoadingAssumptions | None = None,
    principle: str = "cost_of_capital",
    n_draws: int = 100,
    level: float = 0.90,
    seed: int = 1,
    progress: Callable[[float], None] | None = None,
) -> PremiumRange:
    """Premium of ``layer`` for ``n_draws`` parameter sets drawn from the fits' uncertainty.

    The layer is priced per occurrence (retention and limit; share 1, no aggregate terms) by
    :func:`pricing.coverage.price_layer_grid`.

    Severity: estimated parameters ~ N(MLE, covariance); draws outside the parameter space
    (a scale or shape ≤ 0) are redrawn. Frequency: log λ ~ N(log λ̂, s²) with ``s`` from the
    90% interval, ``s = (log λ_hi − log λ_lo) / (2 × 1.645)``.
    """
    if not (isinstance(n_draws, int) and 10 <= n_draws <= 10_000):
        raise ValueError(f"n_draws: must be an integer in [10, 10000], got {n_draws!r}")
    if not 0 < level < 1:
        raise ValueError(f"level: must be in (0, 1), got {level!r}")
    from .uncertainty import draw_models  # imports this module: import here

    loadings = LoadingAssumptions() if loadings is None else loadings

    def price(m: ExchangeLossModel) -> float:
        grid = price_layer_grid(m.frequency, m.severity, [layer.retention], [layer.limit], loadings)
        return float(grid.premiums[principle][0, 0])

    base = price(model)
    draws = np.empty(n_draws)
    for i, drawn in enumerate(draw_models(model, calibration, n_draws, seed).models):
        draws[i] = price(drawn)
        if progress is not None:
            progress((i + 1) / n_draws)
    return PremiumRange(layer, principle, base, draws, level)


def _positive_draw(
    rng: np.random.Generator, mean: np.ndarray, cov: np.ndarray, names: list[str]
) -> np.ndarray:
    """A normal draw whose scale-like parameters are > 0 (redrawn up to 100 times)."""
    if mean.size == 0:  # nothing estimated: the severity is fixed
        return mean
    positive = np.array([n != "meanlog" for n in names])
    for _ in range(100):
        x = rng.multivariate_normal(mean, cov)
        if np.all(x[positive] > 0):
            return x
    return mean
