"""Parameter uncertainty carried into every price, cost and recommendation.

With a few dozen large thefts the fitted tail and the theft rate are uncertain, and a price
from the point estimates hides that (*Loss Models* §13.5 and domain practice: price from the
predictive distribution and show ranges). :func:`draw_models` draws the parameters once:

- severity: the estimated parameters ~ N(maximum-likelihood estimate, covariance of the fit),
  redrawn when a scale or shape falls outside the parameter space;
- frequency: ``log λ ~ N(log λ̂, s²)`` with ``s`` from the GLM's 90% interval,
  ``s = (log λ_hi − log λ_lo) / (2 × 1.645)``.

The same draws (common random numbers: one seed, one set of loss models) then price every
quote (:func:`quote_interval`) and every strategy of a comparison (:func:`compare_with_draws`):
each strategy's structure (retention, limit, reserve) is held fixed and its cost and
``p_full`` re-evaluated under each draw (intervals: the central 90% of the draws). For the
recommendation's share of draws, each draw also re-sizes the reserves of reserve only and the
hybrid to the target (insurance only keeps the regulatory floor) and picks the cheapest of the
three that meets the target: the share is how often that is the same kind of structure
(reserve only, insurance, hybrid) as the recommendation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np

from .aggregate import AggregateDistribution
from .calibration import Calibration
from .coverage import Layer, price_layer_grid, quote_layer
from .lossmodel import LOSS_MODEL_GRID, ExchangeLossModel, build_loss_model
from .market import MarketTerms, price_market
from .premium import LoadingAssumptions
from .sensitivity import Z90, _positive_draw, _with_rate_factor
from .strategy import Comparison, StrategyResult, evaluate_structures

__all__ = [
    "DEFAULT_DRAWS",
    "ParameterDraws",
    "compare_with_draws",
    "draw_models",
    "interval",
    "quote_interval",
]

#: Draws by default: enough for a 90% interval's order of magnitude within the speed budget.
DEFAULT_DRAWS = 20
LEVEL = 0.90


def interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """Central ``level`` interval of ``values`` (NaNs and infinities left out)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return (math.nan, math.nan)
    tail = (1.0 - level) / 2.0
    return float(np.quantile(v, tail)), float(np.quantile(v, 1.0 - tail))


@dataclass(frozen=True, eq=False)
class ParameterDraws:
    """Loss models with parameters drawn from their estimated sampling distribution."""

    base: ExchangeLossModel
    models: tuple[ExchangeLossModel, ...]
    seed: int

    @property
    def n(self) -> int:
        """Number of draws."""
        return len(self.models)

    @cached_property
    def totals(self) -> tuple[AggregateDistribution, ...]:
        """Each draw's yearly loss, computed on first use and kept (the draws are frozen, and
        every comparison over them needs the same totals, whatever its target or regime).

        The loss model's grid without its aliasing audit: the same probabilities, one FFT
        less."""
        return tuple(m.aggregate(grid=_draw_grid(m)) for m in self.models)


def draw_models(
    model: ExchangeLossModel, calibration: Calibration, n_draws: int = DEFAULT_DRAWS, seed: int = 1
) -> ParameterDraws:
    """``n_draws`` loss models for ``model``'s exchange (see the module docstring), seeded."""
    if isinstance(n_draws, bool) or not isinstance(n_draws, int) or not 1 <= n_draws <= 10_000:
        raise ValueError(f"draws: must be an integer in [1, 10000], got {n_draws!r}")
    rng = np.random.default_rng(seed)
    fit = model.severity_fit
    estimated = [k for k, s in enumerate(fit.se) if s > 0 and math.isfinite(s)]
    names = [fit.param_names[k] for k in estimated]
    mean = np.array([fit.params[k][1] for k in estimated])
    cov = np.array(fit.cov)[np.ix_(estimated, estimated)]
    ex = model.exchange_frequency
    s_log = (math.log(ex.ci[1]) - math.log(ex.ci[0])) / (2 * Z90)
    models = []
    for _ in range(n_draws):
        params = dict(fit.params) | dict(
            zip(names, _positive_draw(rng, mean, cov, names), strict=True)
        )
        moved = replace(fit, params=tuple((k, float(params[k])) for k in fit.param_names))
        drawn = build_loss_model(model.profile, calibration, model.assumptions, severity_fit=moved)
        factor = math.exp(rng.normal(0.0, s_log)) * model.rate / drawn.rate
        models.append(_with_rate_factor(drawn, factor))
    return ParameterDraws(model, tuple(models), seed)


def quote_interval(
    draws: ParameterDraws,
    layer: Layer,
    loadings: LoadingAssumptions | None = None,
    principle: str = "cost_of_capital",
    market: MarketTerms | None = None,
    cover: str = "cold",
    market_rate_on_line: float | None = None,
    level: float = LEVEL,
) -> tuple[float, float]:
    """90% interval (USD per year) of the headline premium of ``layer`` over the draws:
    the market quote with ``market`` terms, else the technical premium (an entered rate on
    line does not move).

    A plain per-occurrence layer (share 1, no aggregate terms) is priced per draw by the
    vectorised :func:`pricing.coverage.price_layer_grid`; other layers by
    :func:`pricing.coverage.quote_layer`.
    """
    if market_rate_on_line is not None:
        fixed = market_rate_on_line * layer.share * layer.limit
        return fixed, fixed
    plain = (
        layer.share == 1
        and layer.agg_retention == 0
        and math.isinf(layer.agg_limit)
        and layer.reinstatements is None
        and math.isfinite(layer.limit)
    )
    values = np.empty(draws.n)
    for i, m in enumerate(draws.models):
        if not plain:
            q = quote_layer(
                m.frequency, m.severity, layer, loadings, principle, market=market, cover=cover
            )
            values[i] = q.premium
            continue
        grid = price_layer_grid(m.frequency, m.severity, [layer.retention], [layer.limit], loadings)
        tech = float(grid.premiums[principle][0, 0])
        values[i] = tech
        if market is not None:
            el = float(grid.expected_loss[0, 0])
            values[i] = price_market(
                m.frequency, m.severity, layer.retention, layer.limit, el, tech, cover, market
            ).premium
    return interval(values, level)


def compare_with_draws(
    comparison: Comparison,
    draws: ParameterDraws,
    level: float = LEVEL,
) -> Comparison:
    """``comparison`` with every strategy's ``total_cost_interval`` and ``p_full_interval``
    and the recommendation's share of draws (see the module docstring)."""
    a = comparison.assumptions
    kind = comparison.get(comparison.recommended).kind
    # the strategies a draw may recommend: as the point comparison, never one the market would
    # not write or one that breaks a rule while another keeps to every rule
    placeable = [s for s in comparison.strategies if s.placeable] or list(comparison.strategies)
    eligible = {s.name for s in ([s for s in placeable if s.compliant] or placeable)}
    costs = np.empty((draws.n, len(comparison.strategies)))
    p_full = np.empty_like(costs)
    same = 0
    for i, (m, total) in enumerate(zip(draws.models, draws.totals, strict=True)):
        options = []
        results = evaluate_structures(
            m,
            comparison.rules or comparison.rule,
            [(s.retention, s.limit, s.reserve) for s in comparison.strategies],
            a,
            total,
        )
        for k, (s, r) in enumerate(zip(comparison.strategies, results, strict=True)):
            costs[i, k], p_full[i, k] = r.total_cost, r.p_full
            if s.name not in eligible:
                continue
            if s.name == "insurance_only":  # the reserve stays at the floor
                if r.p_full >= a.target - 1e-12:
                    options.append((r.total_cost, s.kind))
            else:
                options.append((r.sized_cost, _kind(s, r.sized_reserve)))
        finite = [o for o in options if np.isfinite(o[0])]
        same += bool(finite) and min(finite)[1] == kind
    strategies = tuple(
        replace(
            s,
            total_cost_interval=interval(costs[:, k], level),
            p_full_interval=interval(p_full[:, k], level),
        )
        for k, s in enumerate(comparison.strategies)
    )
    return replace(
        comparison, strategies=strategies, recommended_share=same / draws.n, n_draws=draws.n
    )


def _draw_grid(model: ExchangeLossModel) -> Any:
    """The loss model's grid (:data:`pricing.lossmodel.LOSS_MODEL_GRID`) without the aliasing
    estimate, which only audits the grid."""
    return replace(LOSS_MODEL_GRID, align_to=model.hot_cap or None, estimate_aliasing=False)


def _kind(strategy: StrategyResult, reserve: float) -> str:
    """Kind of ``strategy``'s structure with its reserve re-sized to ``reserve``."""
    return replace(strategy, reserve=reserve).kind
