"""Figures of a simulated book: VaR and TVaR, AEP and OEP, accumulation, allocation.

All quantiles are the exact order statistics of the simulated years (the summaries keep every
year that can matter, :mod:`pricing.portfolio.simulate`); the AEP and OEP curves are exact
exceedance frequencies at the histogram edges. ``VaR_α`` is the smallest simulated loss ``x``
with ``F_N(x) ≥ α``; ``TVaR_α`` the mean of the worst ``(1 − α) N`` years (a fraction of the
boundary year when ``(1 − α) N`` is not whole), so that the Euler contributions
``E[L_i | worst years]`` add up to it exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .model import PortfolioModel
from .simulate import EDGES, TailState

__all__ = ["LEVELS", "PortfolioResult", "summarise", "tail_weights"]

#: Levels of the headline VaR and TVaR (1 in 100 and 1 in 200 years).
LEVELS = (0.99, 0.995)


def tail_weights(years: int, level: float, available: int) -> np.ndarray:
    """Weights of the largest years in ``TVaR_level`` (1 each, a fraction for the last).

    ``available`` is how many largest years are kept; years beyond them are zero losses.
    """
    m = round((1.0 - level) * years, 9)
    whole = math.floor(m)
    w = np.zeros(available)
    w[: min(whole, available)] = 1.0
    if whole < available:
        w[whole] = m - whole
    return w / m


def order_statistic(top: np.ndarray, years: int, level: float) -> float:
    """``VaR_level`` from the largest years (descending); zero when the year is not kept."""
    j = years - math.ceil(round(level * years, 9))  # 0-based rank from the top
    return float(top[j]) if j < top.size else 0.0


def tail_mean(top: np.ndarray, years: int, level: float) -> float:
    """``TVaR_level`` from the largest years (descending)."""
    w = tail_weights(years, level, top.size)
    return float(np.dot(w, top))


def binned_tail_mean(count: np.ndarray, total: np.ndarray, years: int, level: float) -> float:
    """``TVaR_level`` from counts and exact sums of positive losses by bin (ascending bins).

    Whole bins enter with their exact sums; the boundary bin with its mean for the years
    taken from it (an error of at most one bin width); the rest of the tail is zeros.
    """
    m = round((1.0 - level) * years, 9)
    c = count[::-1].astype(float)
    s = total[::-1]
    before = np.concatenate([[0.0], np.cumsum(c)[:-1]])
    take = np.clip(m - before, 0.0, c)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(c > 0, s / c, 0.0)
    return float(np.dot(take, mean) / m)


@dataclass(frozen=True, eq=False)
class PortfolioResult:
    """What a simulated book shows (USD per year for amounts).

    Attributes
    ----------
    names : exchanges, in book order.
    years : simulated years.
    mean : mean yearly loss of the insurer (its share of every layer).
    var, tvar : by level (``LEVELS``).
    aep, oep : exceedance probability of the yearly loss and of the largest occurrence at
        the histogram edges (USD), columns ``loss_usd`` and ``probability``.
    by_provider : accumulation table, one row per provider group.
    allocation : each exchange's expected loss, Euler contribution to ``TVaR_0.99``, and
        stand-alone ``TVaR_0.99`` when computed.
    diversification_benefit : sum of stand-alone TVaRs minus the portfolio's (``nan`` when
        the stand-alone figures were not computed).
    """

    names: tuple[str, ...]
    years: int
    seed: int
    chunk_years: int
    mean: float
    var: dict[float, float]
    tvar: dict[float, float]
    aep: pd.DataFrame
    oep: pd.DataFrame
    occurrence_var: dict[float, float]
    by_provider: pd.DataFrame
    allocation: pd.DataFrame
    allocation_level: float
    diversification_benefit: float
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``vaultcover portfolio --json``."""
        return {
            "exchanges": len(self.names),
            "years": self.years,
            "mean": self.mean,
            "var": {f"{p:g}": v for p, v in self.var.items()},
            "tvar": {f"{p:g}": v for p, v in self.tvar.items()},
            "by_provider": [
                {
                    "provider": r.provider,
                    "clients": int(r.clients),
                    "exposure": float(r.exposure),
                    "pml_0.99": float(r.pml_99),
                    "pml_0.995": float(r.pml_995),
                }
                for r in self.by_provider.itertuples()
            ],
            "allocation": [
                {"exchange": r.exchange, "tvar_contribution": float(r.tvar_contribution)}
                for r in self.allocation.itertuples()
            ],
            "diversification_benefit": (
                None if math.isnan(self.diversification_benefit) else self.diversification_benefit
            ),
        }

    def summary(self) -> pd.DataFrame:
        """Mean, VaR and TVaR of the insurer's yearly loss."""
        rows = [("Mean yearly loss", self.mean)]
        for p in self.var:
            rows.append((f"VaR {p:g} (1 in {1 / (1 - p):,.0f} years)", self.var[p]))
            rows.append((f"TVaR {p:g}", self.tvar[p]))
        for p, v in self.occurrence_var.items():
            rows.append((f"Largest occurrence, 1 in {1 / (1 - p):,.0f} years", v))
        if not math.isnan(self.diversification_benefit):
            rows.append(
                (
                    f"Diversification benefit (TVaR {self.allocation_level:g})",
                    self.diversification_benefit,
                )
            )
        return pd.DataFrame(rows, columns=["measure", "usd"])


def summarise(
    model: PortfolioModel,
    state: TailState,
    seed: int,
    chunk_years: int,
    levels: Sequence[float] = LEVELS,
    allocation_level: float = 0.99,
) -> PortfolioResult:
    """The figures of a merged :class:`TailState`.

    Each exchange's stand-alone ``TVaR_allocation_level`` comes from its own yearly losses in
    the same simulation (the same years as the portfolio's, so the diversification benefit
    carries no noise from two separate runs), exact to one bin width (``U / 1024``, ``U``
    the most the layer pays in a year).
    """
    n = state.years
    sums = [state.chunk_sums[c] for c in sorted(state.chunk_sums)]
    mean = math.fsum(sums) / n
    per_exchange = np.zeros(len(model.exchanges))
    for c in sorted(state.exchange_sums):
        per_exchange += state.exchange_sums[c]
    var = {p: order_statistic(state.top_total, n, p) for p in levels}
    tvar = {p: tail_mean(state.top_total, n, p) for p in levels}
    occ_var = {p: order_statistic(state.occ_top, n, p) for p in levels}

    count, total = state.alone_bins()
    notes = list(model.notes)
    spill = [model.names[i] for i in range(count.shape[0]) if count[i, -1] > 0]
    if spill:
        notes.append(
            "Stand-alone TVaR of " + ", ".join(spill) + " uses the mean of the years above 16 "
            "full limits (no annual limit): exact only to that bin."
        )
    standalone = [
        binned_tail_mean(count[i], total[i], n, allocation_level) for i in range(count.shape[0])
    ]
    w = tail_weights(n, allocation_level, state.top_total.size)
    # parts summed in a fixed order (exchange, then year), whatever order the chunks merged in
    order = np.lexsort((state.top_year[state.part_year], state.part_exchange))
    contribution = np.bincount(
        state.part_exchange[order],
        weights=(w[state.part_year] * state.part_amount)[order],
        minlength=len(model.exchanges),
    )
    allocation = pd.DataFrame(
        {
            "exchange": list(model.names),
            "expected_loss": per_exchange / n,
            "tvar_contribution": contribution,
            "standalone_tvar": standalone,
        }
    )
    total_tvar = tail_mean(state.top_total, n, allocation_level)
    benefit = math.fsum(standalone) - total_tvar

    rows = []
    a = model.arrays
    exposure = np.array([e.exposure for e in model.exchanges])
    for g, name in enumerate(model.groups):
        top, _ = state.group_top[g]
        members = a["member"][g]
        rows.append(
            {
                "provider": name,
                "clients": int(members.sum()),
                "exposure": float(exposure[members].sum()),
                "expected_loss": float(per_exchange[members].sum() / n),
                "pml_99": order_statistic(top, n, 0.99),
                "pml_995": order_statistic(top, n, 0.995),
                "tvar_99": tail_mean(top, n, 0.99),
                "compromises_per_year": _compromise_rate(model, name),
                "hit_probability": _hit_probability(model, name),
            }
        )
    by_provider = pd.DataFrame(rows).sort_values(
        ["pml_995", "exposure"], ascending=False, ignore_index=True
    )
    return PortfolioResult(
        names=model.names,
        years=n,
        seed=seed,
        chunk_years=chunk_years,
        mean=mean,
        var=var,
        tvar=tvar,
        aep=_curve(state.hist_total, n),
        oep=_curve(state.hist_occurrence, n),
        occurrence_var=occ_var,
        by_provider=by_provider,
        allocation=allocation,
        allocation_level=allocation_level,
        diversification_benefit=benefit,
        notes=tuple(notes),
    )


def _compromise_rate(model: PortfolioModel, name: str) -> float:
    if name not in model.providers:
        return 0.0
    return float(model.compromise_rates[model.providers.index(name)])


def _hit_probability(model: PortfolioModel, name: str) -> float:
    if name not in model.providers:
        return math.nan
    return float(model.hit_probabilities[model.providers.index(name)])


def _curve(hist: np.ndarray | None, years: int) -> pd.DataFrame:
    """Exceedance probability ``P(L > edge)`` at each histogram edge (exact counts)."""
    assert hist is not None
    above = np.cumsum(hist[::-1])[::-1]  # above[j] = years in bins j, j+1, ...
    prob = above[1 : EDGES.size + 1] / years  # bins after edge j hold L > EDGES[j]
    return pd.DataFrame({"loss_usd": EDGES, "probability": prob})
