"""What a comparison says: the assumptions behind it, each strategy's cost and protection, and
the recommendation in plain language."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from ..coverage import InsuranceFrictions
from ..lossmodel import ExchangeLossModel
from ..market import DEFAULT_TERMS, MarketTerms
from ..premium import PRINCIPLES, LoadingAssumptions
from ..regulation import (
    DEFAULT_FX,
    FxRates,
    InKindCompensation,
    JpDraftScenario,
    RegimeParams,
    RegulatoryMinimum,
    resolve,
)
from ..regulation.compliance import counts_text

if TYPE_CHECKING:
    import pandas as pd

STRATEGIES = ("reserve_only", "insurance_only", "hybrid")
COST_COMPONENTS = (
    "premium",
    "retained_losses",
    "carrying_cost",
    "uncompensated",
    "bridging_cost",
    "tail_charge",
)
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
    #: Why the market would not write the layer (``retention``, ``capacity`` or ``price``, the
    #: keys of :data:`pricing.market.REASONS`); ``""`` when it is placeable.
    unplaceable_reason: str = ""
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
    #: The efficient frontier as columns of equal length (see :attr:`frontier`).
    frontier_points: dict[str, np.ndarray]
    rules: tuple[RegulatoryMinimum, ...] = ()
    required_policies: tuple[str, ...] = ()
    recommended_share: float | None = None
    n_draws: int = 0

    @cached_property
    def frontier(self) -> pd.DataFrame:
        """Cheapest structure for each attainable protection level: ``total_cost``,
        ``p_full``, ``retention``, ``limit`` and ``reserve`` (USD), one row a point."""
        import pandas as pd

        return pd.DataFrame(self.frontier_points)

    def get(self, name: str) -> StrategyResult:
        """A strategy by name."""
        for s in self.strategies:
            if s.name == name:
                return s
        raise KeyError(f"no strategy '{name}'; have {', '.join(s.name for s in self.strategies)}")

    def table(self) -> pd.DataFrame:
        """One row per strategy: structure, components, total and protection."""
        import pandas as pd

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
            if self.recommended_share is not None:  # compared under parameter draws
                low, high = s.total_cost_interval or (math.nan, math.nan)
                p_low, p_high = s.p_full_interval or (math.nan, math.nan)
                row |= {
                    "total_cost_low": low,
                    "total_cost_high": high,
                    "p_full_low": p_low,
                    "p_full_high": p_high,
                }
            rows.append(row)
        return pd.DataFrame(rows)

    def labelled_table(self) -> pd.DataFrame:
        """:meth:`table` with the exchange, the regime and which strategy is recommended."""
        table = self.table()
        table.insert(0, "regime", self.regime)
        table.insert(0, "profile", self.model.profile.name)
        table["recommended"] = table["strategy"] == self.recommended
        if self.recommended_share is not None:
            table["recommended_share_of_draws"] = np.where(
                table["recommended"], self.recommended_share, np.nan
            )
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
