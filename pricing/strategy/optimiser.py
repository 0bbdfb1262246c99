"""The choice: reserve only, insurance only and the cheapest hybrid from the grid, the
efficient frontier, single structures under other loss models, and batches of exchanges."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..aggregate import AggregateDistribution
from ..coverage import InsuranceFrictions
from ..distributions import LossDistribution, Mixture
from ..lossmodel import ExchangeLossModel
from ..regulation import (
    JpDraftScenario,
    RegimeInputs,
    RegimeParams,
    RegulatoryMinimum,
    minimums,
    resolve,
)
from ..regulation.compliance import compliance, counts_text, reserve_floor
from ..reserve import ReserveProjection, project_reserve
from . import workers as batch_workers
from .engine import _capacity, _evaluate, layer_axes
from .results import COST_COMPONENTS, Comparison, StrategyAssumptions, StrategyResult

if TYPE_CHECKING:
    import pandas as pd


def compare(
    model: ExchangeLossModel,
    regime: str = "jp-draft",
    assumptions: StrategyAssumptions | None = None,
    *,
    total: AggregateDistribution | None = None,
    regime_inputs: RegimeInputs | None = None,
    progress: Callable[[float], None] | None = None,
) -> Comparison:
    """Compare reserve only, insurance only and the optimal hybrid for ``model``.

    ``total`` is the exchange's yearly loss distribution (default ``model.aggregate()``);
    ``regime_inputs`` the facts for the regulatory minimum (default: from the profile).
    """
    a = StrategyAssumptions() if assumptions is None else assumptions
    code = resolve(regime)
    profile = model.profile
    total = model.aggregate() if total is None else total
    inputs = _with_history_loss(regime_inputs or RegimeInputs.from_profile(profile), code, a, total)
    given = {p.regime: p for p in a.regime_params if isinstance(p, RegimeParams)}
    if a.params_for(code) is not None:
        given[code] = a.params_for(code)
    rules = minimums(code, inputs, getattr(profile, "jurisdictions", ()), a.fx, given)
    rule = rules[0]
    retentions, limits = _with_required_points(
        *layer_axes(model, a.n_retentions, a.n_limits, _capacity(a)), rules
    )
    grid = _evaluate(model, retentions, limits, rules, a, total, progress)
    grid["compliant"], policies = compliance(rules, grid["retention"], grid["limit"])

    cost = sum(grid[c] for c in COST_COMPONENTS)
    strategies = _strategies(grid, cost, a, profile, rules)
    recommended = _recommend(strategies)
    return Comparison(
        model=model,
        regime=regime,
        rule=rule,
        assumptions=a,
        strategies=strategies,
        recommended=recommended,
        retentions=retentions,
        limits=limits,
        total_cost=cost,
        p_full=grid["p_full"],
        frontier_points=_frontier(grid, a),
        rules=rules,
        required_policies=policies,
    )


def _with_required_points(
    retentions: np.ndarray, limits: np.ndarray, rules: Sequence[RegulatoryMinimum]
) -> tuple[np.ndarray, np.ndarray]:
    """The axes with each required policy's largest retention and its limit on them, so that
    the cheapest compliant layer (attaching as high and as narrow as the rule allows) is a
    point of the grid rather than missed between two."""
    required = [q for rule in rules for q in rule.required_insurance]
    extra_r = [q.max_retention_usd for q in required if math.isfinite(q.max_retention_usd)]
    extra_l = [q.amount_usd for q in required if 0 < q.amount_usd <= limits[-1]]
    if not extra_r and not extra_l:
        return retentions, limits
    return np.unique(np.concatenate([retentions, extra_r])), np.unique(
        np.concatenate([limits, extra_l])
    )


def _with_history_loss(
    inputs: RegimeInputs, code: str, a: StrategyAssumptions, total: AggregateDistribution
) -> RegimeInputs:
    """``inputs`` with the return-period loss the regime's history basis asks for (from the
    exchange's own yearly loss distribution), unless one was given."""
    params = a.params_for(code)
    if params is None and code == "jp-2027":
        params = JpDraftScenario()
    level = getattr(params, "loss_level", None)
    if level is None or inputs.return_period_loss_usd is not None:
        return inputs
    try:
        loss = float(total.value_at_risk(level))
    except ValueError:  # the level lies beyond the grid: the largest loss it holds
        loss = float(total.grid_end)
    return dataclasses.replace(inputs, return_period_loss_usd=loss)


def _strategies(
    grid: dict[str, np.ndarray],
    cost: np.ndarray,
    a: StrategyAssumptions,
    profile: Any,
    rules: Sequence[RegulatoryMinimum] = (),
) -> tuple[StrategyResult, ...]:
    """Reserve only, insurance only and the cheapest hybrid (a layer is always bought); the
    hybrid keeps to layers that satisfy every required policy when any does."""
    reserve_only = _pick(grid, 0, 0, "reserve_only", a, profile, rules=rules)
    insurance_only = _insurance_only(grid, a, profile, rules)
    ok = grid["compliant"][:, 1:]
    with_layer = np.where(grid["meets"][:, 1:] & ok, cost[:, 1:], np.inf)
    if not np.isfinite(with_layer).any():  # nothing compliant meets the target
        with_layer = np.where(grid["meets"][:, 1:], cost[:, 1:], np.inf)
    if np.isfinite(with_layer).any():
        i, j = np.unravel_index(int(np.argmin(with_layer)), with_layer.shape)
    else:  # nothing placeable meets the target: the cheapest placeable layer
        placed = np.where(grid["placeable"][:, 1:], cost[:, 1:], np.inf)
        i, j = np.unravel_index(int(np.argmin(placed)), placed.shape)
    hybrid = _pick(grid, int(i), int(j) + 1, "hybrid", a, profile, rules=rules)
    return reserve_only, insurance_only, hybrid


def _recommend(strategies: Sequence[StrategyResult]) -> str:
    """The cheapest placeable, compliant strategy meeting the target (else the cheapest
    compliant, else the cheapest placeable): a strategy breaking a rule is never chosen
    while another keeps to every rule."""
    placeable = [s for s in strategies if s.placeable] or list(strategies)
    compliant = [s for s in placeable if s.compliant] or placeable
    meeting = [s for s in compliant if s.meets_target] or compliant
    return min(meeting, key=lambda s: s.total_cost).name


def _insurance_only(
    grid: dict[str, np.ndarray],
    a: StrategyAssumptions,
    profile: Any,
    rules: Sequence[RegulatoryMinimum] = (),
) -> StrategyResult:
    """Insurance with only the regulatory reserve: the cheapest placeable layer that meets the
    target with that reserve, else the most protective placeable one. Without market terms
    the layer is ground-up (retention 0), as the market's minimum retention does not apply."""
    rows = slice(None) if a.market is not None else slice(0, 1)
    p = grid["p_full_floor"][rows, 1:]
    placed = grid["placeable"][rows, 1:]
    if (placed & grid["compliant"][rows, 1:]).any():  # keep to required policies
        placed = placed & grid["compliant"][rows, 1:]
    ok = (p >= a.target - 1e-12) & placed
    c = grid["cost_floor"][rows, 1:]
    if ok.any():
        k = int(np.argmin(np.where(ok, c, np.inf)))
    elif placed.any():  # the most protective; among equally protective (1e-12), the cheapest
        best = np.where(placed, p, -np.inf).max()
        k = int(np.argmin(np.where(placed & (p >= best - 1e-12), c, np.inf)))
    else:
        k = 0
    i, j = np.unravel_index(k, p.shape)
    return _pick(grid, int(i), int(j) + 1, "insurance_only", a, profile, at_floor=True, rules=rules)


def _pick(
    grid: dict[str, np.ndarray],
    i: int,
    j: int,
    name: str,
    a: StrategyAssumptions,
    profile: Any,
    at_floor: bool = False,
    rules: Sequence[RegulatoryMinimum] = (),
) -> StrategyResult:
    suffix = "_floor" if at_floor else ""
    components = {c: float(grid[c + suffix][i, j]) for c in COST_COMPONENTS}
    p_full = float(grid["p_full" + suffix][i, j])
    compliant = bool(grid["compliant"][i, j]) if "compliant" in grid else True
    return StrategyResult(
        name=name,
        retention=float(grid["retention"][i, j]),
        limit=float(grid["limit"][i, j]),
        reserve=float(grid["reserve" + suffix][i, j]),
        components=components,
        p_full=p_full,
        p_full_prompt=float(grid["p_full_prompt" + suffix][i, j]),
        expected_shortfall=components["uncompensated"],
        var_uncompensated=float(grid["var_uncompensated" + suffix][i, j]),
        meets_target=bool(grid["placeable"][i, j]) and p_full >= a.target - 1e-12,
        customer_assets_usd=profile.customer_assets_usd,
        revenue_usd=profile.annual_revenue_usd,
        floor=float(grid["floor"][i, j]),
        technical_premium=float(grid["technical_premium"][i, j]),
        placeable=bool(grid["placeable"][i, j]),
        unplaceable_reason=str(grid["reason"][i, j]) if "reason" in grid else "",
        compliant=compliant,
        binding=_binding(grid, i, j, rules, a, at_floor),
    )


def _binding(
    grid: dict[str, np.ndarray],
    i: int,
    j: int,
    rules: Sequence[RegulatoryMinimum],
    a: StrategyAssumptions,
    at_floor: bool,
) -> str:
    """Which requirement sets the reserve of structure (i, j): a rule's floor or the target."""
    if not rules or "floor" not in grid:
        return ""
    d, l = float(grid["retention"][i, j]), float(grid["limit"][i, j])
    floors = [float(reserve_floor(r, d, l)) for r in rules]
    k = int(np.argmax(floors))
    floor, var = floors[k], float(grid["var_target"][i, j])
    if at_floor or floor >= var:
        return (
            f"the regulatory floor of {rules[k].regime} (USD {floor:,.0f} after any insurance "
            f"credit; insurance counts: {counts_text(rules[k])})"
        )
    return (
        f"the {100 * a.target:g}% protection target (retained-loss quantile USD {var:,.0f} "
        f"above the regulatory floor USD {floor:,.0f})"
    )


def _frontier(grid: dict[str, np.ndarray], a: StrategyAssumptions) -> dict[str, np.ndarray]:
    """Cheapest structure for each attainable protection level (the efficient frontier).

    Every grid structure is a point (P(R ≤ K), total cost) at the target-sized reserve and
    at the floor reserve; the frontier keeps the points no other point beats on both.
    """
    cost = np.concatenate(
        [sum(grid[c] for c in COST_COMPONENTS).ravel(), grid["cost_floor"].ravel()]
    )
    prot = np.concatenate([grid["p_full"].ravel(), grid["p_full_floor"].ravel()])
    ret = np.concatenate([grid["retention"].ravel()] * 2)
    lim = np.concatenate([grid["limit"].ravel()] * 2)
    res = np.concatenate([grid["reserve"].ravel(), grid["reserve_floor"].ravel()])
    order = np.lexsort((-prot, cost))
    order = order[np.isfinite(cost[order])]  # layers the market would not write are no option
    # A point is kept when it beats the best kept so far by 1e-12, which is at least the best
    # of all before it less 1e-12: only records (above every point before) can be kept.
    before = np.maximum.accumulate(np.concatenate([[-np.inf], prot[order][:-1]]))
    order = order[prot[order] > before]
    best = -np.inf
    keep = []
    for k in order:
        if prot[k] > best + 1e-12:
            keep.append(k)
            best = prot[k]
    keep = np.array(keep, dtype=int)
    return {
        "total_cost": cost[keep],
        "p_full": prot[keep],
        "retention": ret[keep],
        "limit": lim[keep],
        "reserve": res[keep],
    }


@dataclass(frozen=True, slots=True)
class StructureCost:
    """One structure under one loss model (USD per year): with its reserve held fixed, and
    with the reserve re-sized to the target, ``max(regulatory floor, VaR_target(R))``."""

    total_cost: float
    p_full: float
    sized_cost: float
    sized_reserve: float


def evaluate_structure(
    model: ExchangeLossModel,
    rule: RegulatoryMinimum | Sequence[RegulatoryMinimum],
    retention: float,
    limit: float,
    reserve: float,
    assumptions: StrategyAssumptions | None = None,
    total: AggregateDistribution | None = None,
) -> StructureCost:
    """Cost and ``p_full`` of one structure: the layer ``limit xs retention`` (``limit`` 0:
    none) and a reserve of ``reserve`` USD, for ``model`` (e.g. a parameter draw,
    :mod:`pricing.uncertainty`), and its cost with the reserve re-sized to the target. Same
    engine as :func:`compare`; ``inf`` costs when the market would not write the layer."""
    a = StrategyAssumptions() if assumptions is None else assumptions
    total = model.aggregate() if total is None else total
    limits = np.array([0.0, limit if limit > 0 else 1.0])
    out = _evaluate(
        model, np.array([retention]), limits, rule, a, total, None, fixed_reserve=reserve
    )
    j = 1 if limit > 0 else 0
    return StructureCost(
        total_cost=float(out["cost_floor"][0, j]),
        p_full=float(out["p_full_floor"][0, j]),
        sized_cost=float(sum(out[c][0, j] for c in COST_COMPONENTS)),
        sized_reserve=float(out["reserve"][0, j]),
    )


def evaluate_structures(
    model: ExchangeLossModel,
    rule: RegulatoryMinimum | Sequence[RegulatoryMinimum],
    structures: Sequence[tuple[float, float, float]],
    assumptions: StrategyAssumptions | None = None,
    total: AggregateDistribution | None = None,
) -> list[StructureCost]:
    """:func:`evaluate_structure` for several ``(retention, limit, reserve)`` structures at
    once, on one grid of their retentions × limits (one pass of the engine instead of one per
    structure; e.g. every strategy of a comparison under one parameter draw). The technical
    premium's bucket follows the widest limit priced, as on the optimiser's grid."""
    a = StrategyAssumptions() if assumptions is None else assumptions
    total = model.aggregate() if total is None else total
    retentions = np.array([float(d) for d, _, _ in structures])  # one row per structure
    positive = sorted({float(lim) for _, lim, _ in structures if lim > 0}) or [1.0]
    limits = np.array([0.0, *positive])
    cells = [
        (i, int(np.searchsorted(limits, float(lim))) if lim > 0 else 0)
        for i, (_, lim, _) in enumerate(structures)
    ]
    held = np.zeros((retentions.size, limits.size))
    for (i, j), (_, _, reserve) in zip(cells, structures, strict=True):
        held[i, j] = float(reserve)
    out = _evaluate(model, retentions, limits, rule, a, total, None, fixed_reserve=held)
    return [
        StructureCost(
            total_cost=float(out["cost_floor"][i, j]),
            p_full=float(out["p_full_floor"][i, j]),
            sized_cost=float(sum(out[c][i, j] for c in COST_COMPONENTS)),
            sized_reserve=float(out["reserve"][i, j]),
        )
        for i, j in cells
    ]


def retained_severity(
    model: ExchangeLossModel, retention: float, limit: float, frictions: InsuranceFrictions
) -> LossDistribution:
    """What one theft costs the exchange with the layer ``limit xs retention`` in force (USD).

    ``X − min((X − d)+, l)`` when the insurer pays, ``X`` when the claim is disputed or the
    insurer defaults (probability ``q = 1 − payment factor``): the mixture of the module
    docstring, as a distribution for simulation (:func:`pricing.reserve.project_reserve`).
    """
    if limit <= 0:
        return model.severity
    q = 1.0 - frictions.payment_factor
    kept = model.severity.retained(retention, limit)
    if q <= 0:
        return kept
    return Mixture((kept, model.severity), (1.0 - q, q))


def project_strategy(
    model: ExchangeLossModel,
    strategy: StrategyResult,
    frictions: InsuranceFrictions,
    years: int = 5,
    n_sims: int = 20_000,
    seed: int = 1,
) -> ReserveProjection:
    """The strategy's reserve over ``years``: refilled to its size after each loss, the
    chance it runs dry and the expected shortfall to customers (Monte Carlo)."""
    severity = retained_severity(model, strategy.retention, strategy.limit, frictions)
    return project_reserve(
        model.frequency, severity, strategy.reserve, years=years, n_sims=n_sims, seed=seed
    )


def compare_profiles(
    models: Sequence[ExchangeLossModel],
    regime: str,
    assumptions: StrategyAssumptions | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    workers: int | None = None,
    calibration: Any = None,
    draws: int = 0,
    seed: int = 1,
) -> pd.DataFrame:
    """One row per (profile, strategy): for consultants and insurers running many exchanges.

    The profiles are compared in ``workers`` processes (default: one per core; 1 runs them
    here), each comparison single-threaded; rows come out in the order of ``models``.
    ``progress(k, n, name)`` is called as the k-th of n profiles is done. With ``draws`` > 0
    (and the ``calibration`` the models came from), each profile is also compared under
    ``draws`` seeded parameter draws (:func:`pricing.uncertainty.draw_models`), adding the
    90% ranges of cost and p_full and the recommendation's share of draws to its rows.
    """
    import pandas as pd

    if draws and calibration is None:
        raise ValueError("compare_profiles: draws need the calibration the models came from")
    n = len(models)
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers: must be an integer >= 1, got {workers!r}")
    workers = min(workers, n)
    jobs = [(model, regime, assumptions, calibration, draws, seed) for model in models]

    def done(k: int, _: Any) -> None:
        if progress is not None:
            progress(k, n, models[k - 1].profile.name)

    if workers <= 1:
        rows = []
        for k, job in enumerate(jobs, start=1):
            rows.append(_labelled_comparison(job))
            done(k, rows[-1])
    else:  # worker processes kept for the next batch (pricing.strategy.workers)
        rows = batch_workers.run(_labelled_comparison, jobs, workers, done)
    return pd.concat(rows, ignore_index=True)


def _labelled_comparison(job: tuple[Any, ...]) -> pd.DataFrame:
    model, regime, assumptions, calibration, draws, seed = job
    result = compare(model, regime, assumptions)
    if draws:
        from ..uncertainty import compare_with_draws, draw_models

        result = compare_with_draws(result, draw_models(model, calibration, draws, seed))
    return result.labelled_table()
