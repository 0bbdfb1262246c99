"""Reserve only, insurance only, or a hybrid: what each costs the exchange and protects.

For a per-occurrence layer ``l xs d`` (share 1) and a reserve ``K``, a theft ``X`` leaves the
exchange with ``X − Y`` if the insurer pays and ``X`` if the claim is disputed or the insurer
defaults (probability ``q = 1 − payment factor``, per claim; :class:`InsuranceFrictions`):

    retained loss per theft  R_X = X − B·min((X − d)+, l),  B ~ Bernoulli(1 − q)
    E[R_X ∧ u] = q E[X∧u] + (1 − q)(E[X∧min(u, d)] + 1{u > d}(E[X∧(u + l)] − E[X∧(d + l)]))

(``X − Y`` is ``X`` below ``d``, ``d`` inside the layer and ``X − l`` above it, so its survival
function is ``S_X`` shifted by ``l`` above ``d``.) The yearly retained loss ``R`` is the
compound sum, computed for every layer of a retention × limit grid at once by discretising
``R_X`` (local moment matching) and one batched FFT, as :func:`pricing.coverage.price_layer_grid`.

The reserve is ``K = max(floor, VaR_target(R))`` where the floor is the regulatory minimum
after any insurance credit the regime allows. Per year (USD):

- ``premium``: the market's quote for the layer (:mod:`pricing.market`: curve by cover type,
  floors, minimum retention, capacity), or the technical premium (``market=None``), or a
  quoted rate on line × limit. Layers the market would not write are never chosen;
- ``retained_losses``: ``E[R∧K]``, paid out of the reserve;
- ``carrying_cost``: ``(cost of capital − yield × (1 − tax)) × K`` (:mod:`pricing.reserve`);
- ``uncompensated``: ``E[(R − K)+]``, losses left to customers (closed-form ``E[R]`` behind it);
- ``bridging_cost``: expected insurer payments × funding rate × delay / 12;
- ``tail_charge``: cost of capital × ``(VaR_0.995(R) − K)+``, the capital still needed for the
  1-in-200 retained loss beyond the reserve.

Protection: ``p_full = P(R ≤ K)`` (all customers eventually compensated), ``p_full_prompt``:
the reserve alone must pay at once, ``P(S ≤ K)``, unless the insurer pays within the prompt
window; ``expected_shortfall = E[(R − K)+]``; ``var_0.995_uncompensated = (VaR_0.995(R) − K)+``.
"""

from __future__ import annotations

import dataclasses
import math
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .aggregate import AggregateDistribution, aligned_bucket
from .aggregate.grid import CompoundWorkspace
from .coverage import WORKERS, InsuranceFrictions, lev_on, price_layer_grid
from .distributions import LossDistribution, Mixture
from .lossmodel import ExchangeLossModel
from .market import DEFAULT_TERMS, MarketTerms, cover_type, market_grid
from .premium import PRINCIPLES, LoadingAssumptions
from .regulation import (
    DEFAULT_FX,
    FxRates,
    InKindCompensation,
    JpDraftScenario,
    RegimeInputs,
    RegimeParams,
    RegulatoryMinimum,
    minimums,
    resolve,
)
from .regulation.compliance import compliance, counts_text, reserve_floor
from .reserve import ReserveProjection, carrying_rate, project_reserve

__all__ = [
    "COST_COMPONENTS",
    "STRATEGIES",
    "Comparison",
    "GridPoint",
    "StrategyAssumptions",
    "StrategyResult",
    "StructureCost",
    "compare",
    "compare_profiles",
    "compliance",
    "evaluate_structure",
    "evaluate_structures",
    "layer_axes",
    "project_strategy",
    "reserve_floor",
    "retained_severity",
]

STRATEGIES = ("reserve_only", "insurance_only", "hybrid")
COST_COMPONENTS = (
    "premium",
    "retained_losses",
    "carrying_cost",
    "uncompensated",
    "bridging_cost",
    "tail_charge",
)
TAIL_LEVEL = 0.995
#: Points of the retained-loss grid of every layer.
RETAINED_GRID_LOG2 = 11
#: Largest single-insured limit seen in the crypto crime/specie market, ≈ USD 600m (2021;
#: domain brief §3.3 [71]): the default capacity cap of a tower.
DEFAULT_CAPACITY_USD = 600e6


@dataclass(frozen=True, slots=True)
class StrategyAssumptions:
    """Choices behind a comparison (all editable).

    Attributes
    ----------
    target : protection target, ``P(R ≤ K)`` (in (0.5, 1); default 0.995, 1 in 200 years).
    frictions : disputes, payment delay and insurer default (:class:`InsuranceFrictions`).
    loadings : insurer's loadings and expenses (:class:`LoadingAssumptions`).
    principle : premium principle used for the premium.
    market : the market's terms (:class:`pricing.market.MarketTerms`; default
        :data:`pricing.market.DEFAULT_TERMS`): premiums are market quotes and layers the
        market would not write are excluded. ``None``: technical premiums, every layer.
    market_rate_on_line : if set, every layer costs this rate × limit (entered-rate mode).
    prompt_window_months : an insurer paying within this many months counts as prompt.
    n_retentions, n_limits : grid size of the optimiser (≥ 2 each; default 50 × 50).
    capacity_usd : most insurance the market will write for one exchange (USD; default
        USD 600m, the largest single-insured limit reported [71]).
    jp_draft : parameters of the Japanese 2027 scenario (``None``: the default scenario).
    fx : currency rates for the regulatory minimums.
    regime_params : parameters of any regime (one per regime; ``jp_draft`` also counts).
    in_kind : compensation in kind: the price move between theft and buy-back scales every
        retained loss by a lognormal factor (``None``: losses are paid at theft-date value).
    """

    target: float = 0.995
    frictions: InsuranceFrictions = field(default_factory=InsuranceFrictions)
    loadings: LoadingAssumptions = field(default_factory=LoadingAssumptions)
    principle: str = "cost_of_capital"
    market_rate_on_line: float | None = None
    market: MarketTerms | None = DEFAULT_TERMS
    prompt_window_months: float = 1.0
    n_retentions: int = 50
    n_limits: int = 50
    capacity_usd: float = DEFAULT_CAPACITY_USD
    jp_draft: JpDraftScenario | None = None
    fx: FxRates = DEFAULT_FX
    regime_params: tuple[RegimeParams, ...] = ()
    in_kind: InKindCompensation | None = None

    def __post_init__(self) -> None:
        problems = []
        if not (0.5 < self.target < 1):
            problems.append(f"'target' must be in (0.5, 1), got {self.target!r}")
        if self.principle not in PRINCIPLES:
            problems.append(f"'principle' must be one of {', '.join(PRINCIPLES)}")
        rol = self.market_rate_on_line
        if rol is not None and not (0 < rol <= 1):
            problems.append(f"'market_rate_on_line' must be in (0, 1], got {rol!r}")
        if not (math.isfinite(self.capacity_usd) and self.capacity_usd > 0):
            problems.append(
                f"'capacity_usd' must be a finite amount > 0 USD, got {self.capacity_usd!r}"
            )
        if not (0 <= self.prompt_window_months <= 24):
            problems.append("'prompt_window_months' must be in [0, 24]")
        for name in ("n_retentions", "n_limits"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 200:
                problems.append(f"'{name}' must be an integer in [2, 200], got {value!r}")
        if problems:
            raise ValueError("invalid strategy assumptions: " + "; ".join(problems))

    def params_for(self, regime: str) -> RegimeParams | None:
        """The parameters given for ``regime`` (``None``: its defaults)."""
        code = resolve(regime)
        for p in self.regime_params:
            if isinstance(p, RegimeParams) and resolve(p.regime) == code:
                return p
        if code == "jp-2027" and self.jp_draft is not None:
            return self.jp_draft.to_params()
        return None

    @property
    def insurance_is_prompt(self) -> bool:
        """Whether the insurer pays within the prompt window."""
        return self.frictions.payment_delay_months <= self.prompt_window_months


@dataclass(frozen=True, slots=True)
class StrategyResult:
    """One strategy: structure, yearly cost by component (USD) and protection."""

    name: str
    retention: float
    limit: float
    reserve: float
    components: dict[str, float]
    p_full: float
    p_full_prompt: float
    expected_shortfall: float
    var_uncompensated: float
    meets_target: bool
    customer_assets_usd: float
    revenue_usd: float
    compliant: bool = True
    binding: str = ""
    floor: float = 0.0
    technical_premium: float = 0.0
    placeable: bool = True
    total_cost_interval: tuple[float, float] | None = None
    p_full_interval: tuple[float, float] | None = None

    @property
    def kind(self) -> str:
        """What the structure is, whatever the optimiser called it: ``reserve only`` (no
        insurance), ``insurance`` (no reserve beyond the regulatory floor) or ``hybrid``."""
        if self.limit <= 0:
            return "reserve only"
        if self.reserve <= self.floor * (1 + 1e-9) + 1.0:
            return "insurance"
        return "hybrid"

    @property
    def total_cost(self) -> float:
        """Total cost of risk (USD per year)."""
        return float(sum(self.components.values()))

    @property
    def cost_pct_assets(self) -> float:
        """Total cost as % of customer assets."""
        return 100.0 * self.total_cost / self.customer_assets_usd

    @property
    def cost_pct_revenue(self) -> float:
        """Total cost as % of yearly revenue."""
        return 100.0 * self.total_cost / self.revenue_usd

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (names as the command line prints them)."""
        return {
            "name": self.name,
            "retention": self.retention if self.limit > 0 else None,  # no layer: no retention
            "limit": self.limit,
            "reserve": self.reserve,
            "total_cost": self.total_cost,
            "cost_pct_assets": self.cost_pct_assets,
            "cost_pct_revenue": self.cost_pct_revenue,
            "components": dict(self.components),
            "p_full": self.p_full,
            "p_full_prompt": self.p_full_prompt,
            "expected_shortfall": self.expected_shortfall,
            "var_0.995_uncompensated": self.var_uncompensated,
            "meets_target": self.meets_target,
            "compliant": self.compliant,
            "binding": self.binding,
            "kind": self.kind,
            "placeable": self.placeable,
            "reserve_floor": self.floor,
            "technical_premium": (
                self.technical_premium if math.isfinite(self.technical_premium) else None
            ),
            "market_premium": self.components["premium"],
            "total_cost_interval": _pair(self.total_cost_interval),
            "p_full_interval": _pair(self.p_full_interval),
        }


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _pair(interval: tuple[float, float] | None) -> list[float] | None:
    return None if interval is None else [float(interval[0]), float(interval[1])]


@dataclass(frozen=True, slots=True)
class GridPoint:
    """One structure of the optimiser's grid: layer (USD), yearly cost and protection."""

    retention: float
    limit: float
    total_cost: float
    cost_pct_assets: float
    cost_pct_revenue: float
    p_full: float


@dataclass(frozen=True, eq=False)
class Comparison:
    """Every strategy for one exchange and regime, with the optimiser's grid and frontier."""

    model: ExchangeLossModel
    regime: str
    rule: RegulatoryMinimum
    assumptions: StrategyAssumptions
    strategies: tuple[StrategyResult, ...]
    recommended: str
    retentions: np.ndarray
    limits: np.ndarray
    total_cost: np.ndarray  # (retentions, limits), USD per year
    p_full: np.ndarray
    frontier: pd.DataFrame
    rules: tuple[RegulatoryMinimum, ...] = ()
    required_policies: tuple[str, ...] = ()
    recommended_share: float | None = None
    n_draws: int = 0

    def get(self, name: str) -> StrategyResult:
        """A strategy by name."""
        for s in self.strategies:
            if s.name == name:
                return s
        raise KeyError(f"no strategy '{name}'; have {', '.join(s.name for s in self.strategies)}")

    def table(self) -> pd.DataFrame:
        """One row per strategy: structure, components, total and protection."""
        rows = []
        for s in self.strategies:
            row = {
                "strategy": s.name,
                "retention": s.retention if s.limit > 0 else math.nan,  # no layer, no retention
                "limit": s.limit,
                "reserve": s.reserve,
            }
            row |= s.components
            row |= {
                "total_cost": s.total_cost,
                "cost_pct_assets": s.cost_pct_assets,
                "cost_pct_revenue": s.cost_pct_revenue,
                "p_full": s.p_full,
                "p_full_prompt": s.p_full_prompt,
                "expected_shortfall": s.expected_shortfall,
                "var_0.995_uncompensated": s.var_uncompensated,
                "meets_target": s.meets_target,
                "compliant": s.compliant,
            }
            rows.append(row)
        return pd.DataFrame(rows)

    def labelled_table(self) -> pd.DataFrame:
        """:meth:`table` with the exchange, the regime and which strategy is recommended."""
        table = self.table()
        table.insert(0, "regime", self.regime)
        table.insert(0, "profile", self.model.profile.name)
        table["recommended"] = table["strategy"] == self.recommended
        return table

    @property
    def minimum_pct_assets(self) -> float:
        """The regulatory minimum as % of customer assets."""
        return 100.0 * self.rule.amount_usd / self.model.profile.customer_assets_usd

    def grid_point(self, retention: float, limit: float) -> GridPoint:
        """The optimiser's grid point nearest to ``limit xs retention`` (USD)."""
        i = int(np.argmin(np.abs(self.retentions - retention)))
        j = int(np.argmin(np.abs(self.limits - limit)))
        profile = self.model.profile
        cost = float(self.total_cost[i, j])
        return GridPoint(
            retention=float(self.retentions[i]),
            limit=float(self.limits[j]),
            total_cost=cost,
            cost_pct_assets=100.0 * cost / profile.customer_assets_usd,
            cost_pct_revenue=100.0 * cost / profile.annual_revenue_usd,
            p_full=float(self.p_full[i, j]),
        )

    def recommendation(self) -> str:
        """The recommendation in plain language: what the structure is, which requirement
        binds, what the regime credits to insurance, and how sure the choice is."""
        best = self.get(self.recommended)
        target = self.assumptions.target
        parts = [
            f"Recommended: {best.kind}, total cost of risk USD {best.total_cost:,.0f} per year "
            f"({best.cost_pct_assets:.3f}% of customer assets, {best.cost_pct_revenue:.1f}% of "
            "revenue)."
        ]
        if best.kind == "reserve only":
            parts.append(f"A reserve of USD {best.reserve:,.0f} and no insurance.")
        else:
            parts.append(
                f"Insurance of USD {best.limit:,.0f} per theft above a retention of USD "
                f"{best.retention:,.0f} (premium USD {best.components['premium']:,.0f}"
                + (
                    f"; technical USD {best.technical_premium:,.0f}"
                    if math.isfinite(best.technical_premium)
                    else ""
                )
                + f"), with a reserve of USD {best.reserve:,.0f}."
            )
        parts.append(self._binding_text(best))
        if self.recommended_share is not None:
            parts.append(
                f"Confidence: {best.kind} stays the cheapest of the three structures meeting the "
                f"target (reserves re-sized) in {100 * self.recommended_share:.0f}% of "
                f"{self.n_draws} draws of the fitted parameters."
                + (
                    f" Its cost lies between USD {best.total_cost_interval[0]:,.0f} and USD "
                    f"{best.total_cost_interval[1]:,.0f} (90%)."
                    if best.total_cost_interval is not None
                    else ""
                )
            )
        parts.append(
            f"All customers are compensated in full in {100 * best.p_full:.2f}% of years, "
            f"promptly from the reserve alone in {100 * best.p_full_prompt:.2f}%."
        )
        for other in (s for s in self.strategies if s.name != best.name):
            if not other.placeable:
                parts.append(f"{_title(other.name)}: the market would not write it.")
                continue
            verb = "meets" if other.meets_target else "misses"
            parts.append(
                f"{_title(other.name)} ({other.kind}) costs USD {other.total_cost:,.0f} and "
                f"{verb} the {100 * target:g}% target."
            )
        parts.append(f"How insurance counts ({self.rule.regime}): {counts_text(self.rule)}.")
        for rule in self.rules[1:]:
            parts.append(
                f"Also licensed under {rule.name}: minimum USD {rule.amount_usd:,.0f}; "
                f"insurance counts: {counts_text(rule)}."
            )
        if len(self.rules) > 1 and best.binding:
            parts.append(f"Largest floor: {best.binding}.")
        if self.required_policies:
            parts.append("Required insurance: " + "; ".join(self.required_policies) + ".")
        breaking = [s for s in self.strategies if not s.compliant]
        if breaking:
            names = ", ".join(s.name.replace("_", " ") for s in breaking)
            parts.append(f"Non-compliant, never recommended: {names}.")
        if not best.compliant:
            parts.append(
                "WARNING: no structure on the grid meets every requirement; the cheapest "
                "structure is shown but breaks a rule."
            )
        for rule in self.rules or (self.rule,):
            for text in rule.failed_checks:
                parts.append(f"The exchange itself breaks a rule of {rule.regime}: {text}.")
        return " ".join(parts)

    def _binding_text(self, best: StrategyResult) -> str:
        """Which requirement sets the reserve, and the insurance credit behind it."""
        rule = self.rule
        headline = rule.amount_usd
        credit = max(headline - best.floor, 0.0)
        if best.reserve > best.floor * (1 + 1e-9) + 1.0:
            text = (
                f"The protection target binds: the reserve is the "
                f"{100 * self.assumptions.target:g}% quantile of the retained loss, above the "
                f"regulatory floor of USD {best.floor:,.0f}."
            )
        else:
            text = (
                f"The regulatory minimum binds: the reserve sits at the floor of USD "
                f"{best.floor:,.0f}, which already meets the protection target."
            )
        if best.limit > 0 and credit > 0:
            text += (
                f" {rule.name} counts insurance towards its minimum ({rule.insurance_counts}): "
                f"this layer is credited with USD {credit:,.0f}, so the reserve floor is "
                f"USD {best.floor:,.0f}, below the headline minimum of USD {headline:,.0f}."
            )
        elif best.limit > 0:
            text += (
                f" {rule.name} gives insurance no credit ({rule.insurance_counts}): the reserve "
                f"must hold the whole minimum of USD {headline:,.0f}."
            )
        else:
            text += f" Regulatory minimum ({rule.name}): USD {headline:,.0f}."
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready comparison (the ``vaultcover compare --json`` document)."""
        return {
            "profile": self.model.profile.name,
            "regime": self.regime,
            "target": self.assumptions.target,
            "regulatory_minimum_usd": self.rule.amount_usd,
            "insurance_counts": self.rule.insurance_counts,
            "strategies": [s.to_dict() for s in self.strategies],
            "recommended": self.recommended,
            "recommended_kind": self.get(self.recommended).kind,
            "recommended_share_of_draws": self.recommended_share,
            "draws": self.n_draws,
            "recommendation": self.recommendation(),
            "rules": [r.to_dict() for r in self.rules],
            "required_policies": list(self.required_policies),
            "expected_thefts_per_year": self.model.rate,
        }


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------
def layer_axes(
    model: ExchangeLossModel, n_retentions: int, n_limits: int, capacity_usd: float = math.inf
) -> tuple[np.ndarray, np.ndarray]:
    """Retentions ``0, …`` and limits ``0, …`` (USD) spanning the exchange's possible thefts.

    Both run geometrically from 0.1% of the largest possible theft to that theft (limits to
    at most the market capacity); retention 0 (insurance from the first dollar) and limit 0
    (no insurance) are the extremes.
    """
    top = model.severity.upper
    lo = max(top * 1e-3, 1e4)
    retentions = np.concatenate([[0.0], np.geomspace(lo, top, n_retentions - 1)])
    top_limit = min(top, capacity_usd)
    limits = np.concatenate([[0.0], np.geomspace(min(lo, top_limit / 10), top_limit, n_limits - 1)])
    return retentions, limits


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
    retentions, limits = layer_axes(model, a.n_retentions, a.n_limits, _capacity(a))
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
        frontier=_frontier(grid, a),
        rules=rules,
        required_policies=policies,
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


def _capacity(a: StrategyAssumptions) -> float:
    """Largest limit on the optimiser's axis: the capacity setting and the market's."""
    if a.market is None:
        return a.capacity_usd
    return min(a.capacity_usd, a.market.capacity.per_insured_usd)


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
    elif placed.any():
        k = int(np.argmax(np.where(placed, p, -np.inf)))
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


def _evaluate(
    model: ExchangeLossModel,
    retentions: np.ndarray,
    limits: np.ndarray,
    rule: RegulatoryMinimum,
    a: StrategyAssumptions,
    total: AggregateDistribution,
    progress: Callable[[float], None] | None,
    fixed_reserve: float | np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Cost components and protection for every (retention, limit), twice: with the reserve
    sized to the target (``K = max(floor, VaR)``) and with the regulatory floor alone
    (``fixed_reserve``: that reserve instead of the floor in the second set, for
    :func:`evaluate_structure`)."""
    profile, freq, sev = model.profile, model.frequency, model.severity
    n_r, n_l = retentions.size, limits.size
    q = 1.0 - a.frictions.payment_factor
    coc = profile.cost_of_capital

    premium, technical = _premiums(model, retentions, limits, a)
    placeable = np.isfinite(premium)

    # Retained loss per theft on a common grid, and its compound distribution per layer.
    m = 1 << RETAINED_GRID_LOG2
    reach = _reach(total)
    h = aligned_bucket(reach / (m - 1), model.hot_cap)  # the hot-wallet atom on the grid
    u = h * np.arange(m)
    lev_u = lev_on(sev, u)
    lev_d = lev_on(sev, retentions)
    lev_dl = lev_on(sev, retentions[:, None] + limits[None, :])
    mean_x = float(sev.mean())
    ceded_mean = freq.mean * (lev_dl - lev_d[:, None])  # expected layer loss per year
    mean_r = freq.mean * mean_x - (1.0 - q) * ceded_mean
    if a.in_kind is not None:  # compensation in kind: E[R·F] = E[R] E[F]
        mean_r = mean_r * a.in_kind.mean()
    floor = reserve_floor(rule, retentions[:, None], limits[None, :])
    held = (
        floor
        if fixed_reserve is None
        else np.broadcast_to(np.asarray(fixed_reserve, dtype=float), floor.shape).copy()
    )

    var_tail = np.empty((n_r, n_l))
    var_target = np.empty((n_r, n_l))
    cdf_at = {"target": np.empty((n_r, n_l)), "floor": np.empty((n_r, n_l))}
    lev_at = {"target": np.empty((n_r, n_l)), "floor": np.empty((n_r, n_l))}

    # Below the retention d the retained loss per theft is the theft itself, so the yearly
    # retained loss R has the law of the total loss S below d (a compound's probabilities at
    # x depend on the severity's at ≤ x only). A structure whose quantiles and reserves all lie
    # below d − 2h reads them off S's grid: one FFT instead of one per structure (same grid,
    # same numbers but for the FFT's aliasing, < 1e-12). Limit 0 (no layer) is S everywhere.
    ws = _workspace(freq, 1, m)
    ws.lev[0] = lev_u
    total_s = tuple(np.array(v, copy=True) for v in _grid_stats(ws, 1, h, u, a))
    short = np.zeros((n_r, n_l), dtype=bool)
    short[:, 0] = True
    if a.in_kind is None:
        var_s = float(max(total_s[2][0], total_s[3][0]))
        reach_k = np.maximum(np.maximum(floor, var_s), held)
        short |= reach_k <= retentions[:, None] - 2.0 * h
    needed = np.flatnonzero(~short.all(axis=0))
    lev_ul = np.empty((n_l, m))
    lev_ul[needed] = lev_on(sev, u[None, :] + limits[needed, None])  # (n_l, m)
    q_lev_u = q * lev_u

    def fill(i: int, cols: np.ndarray, stats: tuple) -> None:
        cdf, cum_xg, vt, vg = stats
        var_tail[i, cols], var_target[i, cols] = vt, vg
        for key, k_res in (("target", np.maximum(floor[i, cols], vg)), ("floor", held[i, cols])):
            cdf_at[key][i, cols], lev_at[key][i, cols] = _cdf_lev(u, cdf, cum_xg, k_res)

    def row(i: int) -> None:
        cols = np.flatnonzero(short[i])
        if cols.size:
            cdf, cum_xg, vt, vg = total_s
            fill(i, cols, (cdf[np.zeros(cols.size, dtype=int)], cum_xg[[0] * cols.size], vt, vg))
        cols = np.flatnonzero(~short[i])
        if not cols.size:
            return
        # E[R_X∧u] = q E[X∧u] + (1 − q) E[Z∧u]: Z = X below d, E[X∧(u + l)] − E[X∧(d + l)] + E[X∧d]
        # from d on (written in place into the workspace)
        k, kd = cols.size, int(np.searchsorted(u, retentions[i], side="left"))
        work = _workspace(freq, n_l, m)
        buf = work.lev[:k]
        buf[:, :kd] = lev_u[:kd]
        np.take(lev_ul[:, kd:], cols, axis=0, out=buf[:, kd:], mode="clip")
        buf[:, kd:] -= lev_dl[i, cols][:, None]
        buf[:, kd:] += lev_d[i]
        buf *= 1.0 - q
        buf += q_lev_u
        fill(i, cols, _grid_stats(work, k, h, u, a))

    # numpy's FFT and ufuncs release the GIL: two threads use both cores of a small machine.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for done, _ in enumerate(pool.map(row, range(n_r)), start=1):
            if progress is not None:
                progress(done / n_r)

    out: dict[str, np.ndarray] = {
        "retention": retentions[:, None] * np.ones((1, n_l)),
        "limit": np.ones((n_r, 1)) * limits[None, :],
    }
    recovered = (1.0 - q) * ceded_mean
    bridging = recovered * coc * a.frictions.payment_delay_months / 12.0
    for suffix, reserve in (("", np.maximum(floor, var_target)), ("_floor", held)):
        key = "target" if suffix == "" else "floor"
        retained = np.minimum(lev_at[key], mean_r)
        uncompensated = np.maximum(mean_r - retained, 0.0)
        prompt_cdf = _prompt_cdf(total, reserve, a.in_kind)
        out |= {
            "premium" + suffix: premium,
            "retained_losses" + suffix: retained,
            "carrying_cost" + suffix: carrying_rate(profile) * reserve,
            "uncompensated" + suffix: uncompensated,
            "bridging_cost" + suffix: bridging,
            "tail_charge" + suffix: coc * np.maximum(var_tail - reserve, 0.0),
            "reserve" + suffix: reserve,
            "p_full" + suffix: cdf_at[key],
            "p_full_prompt" + suffix: cdf_at[key] if a.insurance_is_prompt else prompt_cdf,
            "var_uncompensated" + suffix: np.maximum(var_tail - reserve, 0.0),
        }
    out["cost_floor"] = sum(out[c + "_floor"] for c in COST_COMPONENTS)
    out["meets"] = (out["p_full"] >= a.target - 1e-12) & placeable
    out |= {"floor": floor, "technical_premium": technical, "placeable": placeable}
    out["var_target"] = var_target
    return out


_LOCAL = threading.local()


def _workspace(freq: Any, rows: int, m: int) -> CompoundWorkspace:
    """This thread's buffers for ``rows`` compound distributions on ``m`` points."""
    ws = getattr(_LOCAL, "workspace", None)
    if ws is None or ws.n != m or ws.lev.shape[0] < rows or ws.frequency != freq:
        ws = CompoundWorkspace(freq, rows, m)
        ws.cum = np.empty((rows, m))
        _LOCAL.workspace = ws
    return ws


#: Premium grids of recent comparisons (they do not depend on the regime or the target).
_PREMIUM_CACHE: OrderedDict[Any, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_PREMIUM_CACHE_SIZE = 16


def clear_caches() -> None:
    """Forget the cached premium grids (benchmarks time a comparison from scratch)."""
    _PREMIUM_CACHE.clear()


def _premiums(
    model: ExchangeLossModel, retentions: np.ndarray, limits: np.ndarray, a: StrategyAssumptions
) -> tuple[np.ndarray, np.ndarray]:
    """Premium and technical premium of every layer (limit 0 = no policy, no premium; ``inf``
    where the market would not write it). The layer grid does not depend on the regime, the
    target or the frictions: it is kept for the next comparison of the same exchange (e.g.
    another regime), keyed by everything it depends on. Read-only arrays."""
    profile = model.profile
    try:
        key = (
            model.frequency,
            model.severity,
            retentions.tobytes(),
            limits.tobytes(),
            a.loadings,
            a.principle,
            a.market,
            a.market_rate_on_line,
            model.hot_cap,
            profile.third_party_provider,
        )
        hash(key)
    except TypeError:  # an unhashable user-defined distribution: no cache
        key = None
    if key is not None and key in _PREMIUM_CACHE:
        _PREMIUM_CACHE.move_to_end(key)
        return _PREMIUM_CACHE[key]
    freq, sev = model.frequency, model.severity
    n_r, n_l = retentions.size, limits.size
    premium = np.zeros((n_r, n_l))
    technical = np.full((n_r, n_l), math.nan)
    technical[:, 0] = 0.0
    if a.market_rate_on_line is not None:
        premium[:, 1:] = a.market_rate_on_line * limits[None, 1:]
    else:
        priced = price_layer_grid(
            freq, sev, retentions, limits[1:], a.loadings, 32, wang=a.principle == "wang"
        )
        technical[:, 1:] = priced.premiums[a.principle]
        premium[:, 1:] = technical[:, 1:]
        if a.market is not None:
            kinds = cover_type(retentions, model.hot_cap, profile.third_party_provider)
            quoted = market_grid(
                freq, sev, retentions, limits[1:], priced.expected_loss, technical[:, 1:],
                kinds, a.market,
            )  # fmt: skip
            premium[:, 1:] = quoted["premium"]
    premium.setflags(write=False)
    technical.setflags(write=False)
    if key is not None:
        _PREMIUM_CACHE[key] = (premium, technical)
        while len(_PREMIUM_CACHE) > _PREMIUM_CACHE_SIZE:
            _PREMIUM_CACHE.popitem(last=False)
    return premium, technical


def _grid_stats(
    ws: CompoundWorkspace, k: int, h: float, u: np.ndarray, a: StrategyAssumptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative probabilities and cumulative ``Σ x g`` of the compound of the first ``k``
    retained severities of the workspace (``E[R_X∧u]`` per row) on the grid ``u``, and its
    ``VaR`` at the tail level and at the target (views into the workspace)."""
    cdf = ws.compound_cdf(k, h)
    g = ws.d[:k]
    if a.in_kind is not None:  # the distribution of R·F on the same grid
        cdf = a.in_kind.transform_grid_cdf(cdf)
        g = np.diff(cdf, axis=-1, prepend=0.0)
    g *= u
    cum_xg = np.cumsum(g, axis=-1, out=ws.cum[:k])
    return cdf, cum_xg, _quantile(u, cdf, TAIL_LEVEL), _quantile(u, cdf, a.target)


def _prompt_cdf(
    total: AggregateDistribution, reserve: np.ndarray, in_kind: InKindCompensation | None
) -> np.ndarray:
    """``P(S ≤ K)`` (``P(S·F ≤ K)`` with compensation in kind) of the total loss."""

    def cdf(k: Any) -> np.ndarray:
        return np.asarray(total.cdf(np.minimum(k, total.grid_end * (1 - 1e-12))))

    return cdf(reserve) if in_kind is None else in_kind.cdf_of_product(cdf, reserve)


def _reach(total: AggregateDistribution) -> float:
    """Upper end of the retained-loss grid: twice the 1 − 1e-5 quantile of the total loss
    (retained losses never exceed the total), at least the largest single theft."""
    try:
        q = float(total.grid_quantile(1.0 - 1e-5))
    except ValueError:
        q = total.grid_end
    return max(
        2.0 * q,
        float(total.severity.upper if math.isfinite(total.severity.upper) else 0),
        total.bucket * 16,
    )


def _quantile(u: np.ndarray, cdf: np.ndarray, p: float) -> np.ndarray:
    """Row-wise ``VaR_p`` on the grid ``u`` (the last point if the grid holds less than p)."""
    k = np.minimum((cdf < p - 1e-12).sum(axis=-1), u.size - 1)
    return u[k]


def _cdf_lev(
    u: np.ndarray, cdf: np.ndarray, cum_xg: np.ndarray, k: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise ``P(R ≤ K)`` and ``E[R∧K]`` for reserves ``K`` (one per row), from the
    cumulative probabilities and cumulative ``Σ x g`` of each row."""
    idx = np.searchsorted(u, k, side="right") - 1  # last grid point ≤ K
    idx = np.clip(idx, 0, u.size - 1)
    rows = np.arange(cdf.shape[0])
    p_le = cdf[rows, idx]
    lev = cum_xg[rows, idx] + k * (1.0 - p_le)
    return p_le, lev


def _frontier(grid: dict[str, np.ndarray], a: StrategyAssumptions) -> pd.DataFrame:
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
    best = -np.inf
    keep = []
    for k in order:
        if prot[k] > best + 1e-12:
            keep.append(k)
            best = prot[k]
    keep = np.array(keep, dtype=int)
    return pd.DataFrame(
        {
            "total_cost": cost[keep],
            "p_full": prot[keep],
            "retention": ret[keep],
            "limit": lim[keep],
            "reserve": res[keep],
        }
    )


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
) -> pd.DataFrame:
    """One row per (profile, strategy): for consultants and insurers running many exchanges.

    The profiles are compared in ``workers`` processes (default: one per core; 1 runs them
    here), each comparison single-threaded; rows come out in the order of ``models``.
    ``progress(k, n, name)`` is called as the k-th of n profiles is done.
    """
    n = len(models)
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers: must be an integer >= 1, got {workers!r}")
    workers = min(workers, n)
    jobs = [(model, regime, assumptions) for model in models]
    rows = []
    if workers <= 1:
        results = map(_labelled_comparison, jobs)
        rows = _collect(results, models, progress)
    else:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_one_thread) as pool:
            rows = _collect(pool.map(_labelled_comparison, jobs), models, progress)
    return pd.concat(rows, ignore_index=True)


def _collect(
    results: Any, models: Sequence[ExchangeLossModel], progress: Callable | None
) -> list[pd.DataFrame]:
    rows = []
    for k, (table, model) in enumerate(zip(results, models, strict=True), start=1):
        if progress is not None:
            progress(k, len(models), model.profile.name)
        rows.append(table)
    return rows


def _labelled_comparison(
    job: tuple[ExchangeLossModel, str, StrategyAssumptions | None],
) -> pd.DataFrame:
    model, regime, assumptions = job
    return compare(model, regime, assumptions).labelled_table()


def _one_thread() -> None:
    """Worker processes use one thread each: the pool already fills the cores."""
    import sys

    from . import coverage

    for module in (coverage, sys.modules[__name__]):
        module.WORKERS = 1
