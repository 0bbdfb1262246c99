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

from ..regulation.compliance import compliance, reserve_floor
from .engine import (
    RETAINED_GRID_LOG2,
    TAIL_LEVEL,
    _reach,
    clear_caches,
    layer_axes,
)
from .optimiser import (
    StructureCost,
    compare,
    compare_profiles,
    evaluate_structure,
    evaluate_structures,
    project_strategy,
    retained_severity,
)
from .results import (
    COST_COMPONENTS,
    DEFAULT_CAPACITY_USD,
    STRATEGIES,
    Comparison,
    GridPoint,
    StrategyAssumptions,
    StrategyResult,
)

__all__ = [
    "COST_COMPONENTS",
    "DEFAULT_CAPACITY_USD",
    "RETAINED_GRID_LOG2",
    "STRATEGIES",
    "TAIL_LEVEL",
    "Comparison",
    "GridPoint",
    "StrategyAssumptions",
    "StrategyResult",
    "StructureCost",
    "_reach",
    "clear_caches",
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
