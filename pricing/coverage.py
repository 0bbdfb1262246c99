"""Insurance layers and towers: what an insurer pays, and what it should charge for it.

A **layer** pays, for each theft (occurrence) ``X_i``, ``Y_i = min((X_i − d)+, l)`` for the
per-occurrence retention ``d`` and limit ``l`` (USD; Loss Models §8.5). In a year the insurer
pays its share ``c`` (coinsurance, the placed share) of the layer's yearly total after the
annual aggregate retention ``a`` and within the annual aggregate limit ``A``:

    L = c · min((S_Y − a)+, A),      S_Y = Y_1 + … + Y_N.

With ``k`` reinstatements and no explicit aggregate limit, ``A = (k + 1) l``; each reinstated
amount costs a share ``r`` of the upfront premium ``P₀``, pro rata as to amount, so the
insurer's expected income is ``P₀ (1 + r E[min((S_Y − a)+, k l, A)] / l)`` (an explicit
aggregate limit below ``k l`` caps what can be paid, hence reinstated).

The distribution of ``S_Y`` comes from :func:`pricing.aggregate.aggregate`; the moments of
``L`` use the closed-form mean of ``S_Y`` and its grid below the aggregate limit, so nothing
depends on how far the grid reaches into the tail. Premium principles are in
:mod:`pricing.premium`.

How insurance differs from cash in hand (the exchange's view, :class:`InsuranceFrictions`):
a claim may be disputed or excluded (insider collusion, social engineering), the insurer pays
after a delay during which the exchange must still compensate customers quickly (bridging
cost), and the insurer may default.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .aggregate import (
    AggregateDistribution,
    GridSpec,
    aggregate,
    compound_moments,
    discretize_lev,
)
from .aggregate.grid import GridResolutionError, tilted_compound, window_pmf
from .counts import Frequency
from .distributions import LossDistribution
from .market import MarketPrice, MarketTerms, price_market
from .premium import (
    PRINCIPLES,
    LoadingAssumptions,
    LossMoments,
    TechnicalPremium,
    gross_premium,
    step_wang_premium,
    technical_premium,
)

__all__ = [
    "InsuranceFrictions",
    "Layer",
    "LayerGrid",
    "LayerLoss",
    "LayerQuote",
    "Recovery",
    "Tower",
    "TowerQuote",
    "expected_recovery",
    "layer_loss",
    "price_layer_grid",
    "quote_layer",
    "quote_tower",
]

#: Threads for column-wise work on layer grids (numpy's FFT and ufuncs release the GIL).
WORKERS = max(1, min(4, os.cpu_count() or 1))
#: Grid used for one layer's yearly loss: 2^12 points holding all but 1e-10 of it.
LAYER_GRID = GridSpec(log2=12, coverage=1.0 - 1e-10, estimate_aliasing=False)
#: Most grid points of one column of :func:`price_layer_grid` (the bucket is coarsened beyond).
COLUMN_POINTS = 2048
#: Relative change of a layer's expected loss at which window grids stop doubling.
LAYER_RTOL = 2e-5
#: Smallest and largest window grids for the aggregate terms of a layer (2^10 to 2^20 points).
LAYER_MIN_LOG2, LAYER_MAX_LOG2 = 10, 20


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Layer:
    """One insurance layer (amounts in USD).

    Attributes
    ----------
    retention : per-occurrence retention (attachment point) ``d`` ≥ 0.
    limit : per-occurrence limit ``l`` > 0 (``inf``: unlimited; then no rate on line).
    share : insurer's coinsurance share ``c`` in (0, 1] (the rest stays with the exchange).
    agg_retention : annual aggregate retention ``a`` ≥ 0 on the layer's yearly total.
    agg_limit : annual aggregate limit ``A`` > 0 (``inf``: none, or set by reinstatements).
    reinstatements : number ``k`` of reinstatements of the limit, or ``None`` for unlimited.
    reinstatement_rate : cost of one full reinstatement as a share of the upfront premium.
    name : label for tables.
    """

    retention: float
    limit: float
    share: float = 1.0
    agg_retention: float = 0.0
    agg_limit: float = math.inf
    reinstatements: int | None = None
    reinstatement_rate: float = 1.0
    name: str = ""

    def __post_init__(self) -> None:
        problems = []
        if not (_number(self.retention) and self.retention >= 0 and math.isfinite(self.retention)):
            problems.append(f"'retention' must be a finite amount >= 0 USD, got {self.retention!r}")
        if not (_number(self.limit) and self.limit > 0):
            problems.append(f"'limit' must be > 0 USD (inf for unlimited), got {self.limit!r}")
        if not (_number(self.share) and 0 < self.share <= 1):
            problems.append(f"'share' must be in (0, 1], got {self.share!r}")
        if not (_number(self.agg_retention) and 0 <= self.agg_retention < math.inf):
            problems.append(
                f"'agg_retention' must be a finite amount >= 0 USD, got {self.agg_retention!r}"
            )
        if not (_number(self.agg_limit) and self.agg_limit > 0):
            problems.append(f"'agg_limit' must be > 0 USD (inf for none), got {self.agg_limit!r}")
        k = self.reinstatements
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 0):
            problems.append(f"'reinstatements' must be an integer >= 0 or None, got {k!r}")
        if not (_number(self.reinstatement_rate) and 0 <= self.reinstatement_rate <= 2):
            problems.append(
                f"'reinstatement_rate' must be in [0, 2] (share of the upfront premium), "
                f"got {self.reinstatement_rate!r}"
            )
        if problems:
            label = f" '{self.name}'" if self.name else ""
            raise ValueError(f"invalid layer{label}: " + "; ".join(problems))

    @property
    def exhaustion_point(self) -> float:
        """Per-occurrence exhaustion point ``d + l`` (USD)."""
        return self.retention + self.limit

    @property
    def annual_limit(self) -> float:
        """Most the layer pays in a year before the share, ``min(A, (k + 1) l)`` (USD)."""
        if self.reinstatements is None:
            return self.agg_limit
        return min(self.agg_limit, (self.reinstatements + 1) * self.limit)

    @property
    def label(self) -> str:
        """Name, or ``USD l xs d`` in millions."""
        if self.name:
            return self.name
        top = f"{self.limit / 1e6:,.4g}m" if math.isfinite(self.limit) else "unlimited"
        return f"{top} xs {self.retention / 1e6:,.4g}m"

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Layer:
        """Build from a dictionary (e.g. a CSV row); unknown fields are named in the error."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"invalid layer: unknown field(s) {', '.join(unknown)}")
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Tower:
    """Layers stacked on top of each other (ordered by retention, not overlapping)."""

    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        if not self.layers:
            raise ValueError("invalid tower: it needs at least one layer")
        ordered = sorted(self.layers, key=lambda layer: layer.retention)
        for lower, upper in itertools.pairwise(ordered):
            if upper.retention < lower.exhaustion_point - 1e-6:
                raise ValueError(
                    f"invalid tower: layer {upper.label} starts at USD {upper.retention:,.0f}, "
                    f"inside layer {lower.label} (which ends at USD "
                    f"{lower.exhaustion_point:,.0f})"
                )
        object.__setattr__(self, "layers", tuple(ordered))


@dataclass(frozen=True, slots=True)
class InsuranceFrictions:
    """Why an insured loss is not cash in hand (domain brief §3.6–3.8, §4.8).

    Attributes
    ----------
    dispute_probability : chance a claim is disputed or excluded and never paid (in [0, 1]).
        Default 0.15 is an **assumption**: the brief documents the exclusions (insider
        collusion, social engineering, vendor systems; §3.6) and asks for an explicit
        parameter, but no published denial rate exists.
    payment_delay_months : months from the loss to the insurer's payment. Default 6: crime
        forms ask for proof of loss within 4–6 months of discovery (§3.7 [77]).
    insurer_default_probability : yearly chance the insurer cannot pay. Default 0.005 is an
        **assumption** (no source; set it from the insurer's rating).
    recovery_rate : share recovered from a defaulted insurer. Default 0.4 is an
        **assumption** (no source).
    """

    dispute_probability: float = 0.15
    payment_delay_months: float = 6.0
    insurer_default_probability: float = 0.005
    recovery_rate: float = 0.4

    def __post_init__(self) -> None:
        checks = {
            "dispute_probability": 0 <= self.dispute_probability <= 1,
            "payment_delay_months": 0 <= self.payment_delay_months <= 120,
            "insurer_default_probability": 0 <= self.insurer_default_probability <= 1,
            "recovery_rate": 0 <= self.recovery_rate <= 1,
        }
        bad = [f"{k}={getattr(self, k)!r}" for k, ok in checks.items() if not ok]
        if bad:
            raise ValueError(
                "invalid insurance frictions: "
                + ", ".join(bad)
                + " (probabilities and rates in [0, 1], delay 0-120 months)"
            )

    @property
    def payment_factor(self) -> float:
        """Expected share of a covered loss the insurer actually pays."""
        credit = 1.0 - self.insurer_default_probability * (1.0 - self.recovery_rate)
        return (1.0 - self.dispute_probability) * credit


@dataclass(frozen=True, slots=True)
class Recovery:
    """The exchange's view of an expected yearly insured loss (USD per year)."""

    covered: float
    disputed: float
    credit_loss: float
    recovered: float
    bridging_cost: float


def expected_recovery(
    covered: float, frictions: InsuranceFrictions, funding_rate: float
) -> Recovery:
    """Split an expected covered loss into what is disputed, lost to default and recovered.

    ``bridging_cost = recovered × funding_rate × delay / 12``: the exchange pays customers at
    once and waits for the insurer (simple interest at its funding rate, per year).
    """
    disputed = covered * frictions.dispute_probability
    after_dispute = covered - disputed
    credit = after_dispute * frictions.insurer_default_probability * (1 - frictions.recovery_rate)
    recovered = after_dispute - credit
    bridging = recovered * funding_rate * frictions.payment_delay_months / 12.0
    return Recovery(covered, disputed, credit, recovered, bridging)


# --------------------------------------------------------------------------------------------
# One layer
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LayerLoss:
    """The insurer's yearly loss ``L`` from one layer (USD), with its ingredients.

    ``layer_total`` is the distribution of ``S_Y`` (before aggregate terms and share).
    """

    layer: Layer
    layer_total: AggregateDistribution
    expected: float
    std: float
    p_attach: float
    p_exhaust_occurrence: float
    p_exhaust_aggregate: float
    expected_reinstated: float

    def value_at_risk(self, p: float) -> float:
        """``VaR_p(L) = c · clip(VaR_p(S_Y) − a, 0, A)`` (a monotone map of ``S_Y``)."""
        lay, agg = self.layer, self.layer_total
        top = lay.agg_retention + lay.annual_limit
        if math.isfinite(top) and p > 1.0 - _prob_at_least(agg, top):  # VaR_p(S_Y) ≥ top
            return lay.share * lay.annual_limit
        s = float(agg.value_at_risk(p))
        return lay.share * min(max(s - lay.agg_retention, 0.0), lay.annual_limit)

    def tail_value_at_risk(self, p: float) -> float:
        """``TVaR_p(L) = VaR_p(L) + E[(L − VaR_p(L))+] / (1 − p)`` (USD).

        ``L = c·min((S_Y − a)+, A)`` is a monotone map of ``S_Y``; with ``v = VaR_p(L) = c·w``,
        ``E[(L − v)+] = c (E[S_Y∧(a + A)] − E[S_Y∧(a + w)])`` (closed-form ``E[S_Y]`` when
        ``A`` is infinite).
        """
        lay, agg = self.layer, self.layer_total
        v = self.value_at_risk(p)
        w = v / lay.share
        top = lay.agg_retention + lay.annual_limit
        e_top = agg.mean() if math.isinf(top) else float(agg.lev(top))
        excess = lay.share * max(e_top - float(agg.lev(lay.agg_retention + w)), 0.0)
        return v + excess / (1.0 - p)

    def wang(self, lam: float) -> float:
        """Wang-transformed expected loss ``∫ g_λ(P(L > y)) dy`` on the grid of ``S_Y`` (USD)."""
        lay, agg = self.layer, self.layer_total
        a, top = lay.agg_retention, lay.agg_retention + lay.annual_limit
        inside = agg.x[(agg.x > a) & (agg.x < top)]
        end = top if math.isfinite(top) else agg.grid_end
        t = np.concatenate([[a], inside, [end]])
        sf = np.append(np.nan_to_num(np.asarray(agg.sf(t[:-1]), dtype=float), nan=0.0), 0.0)
        return float(step_wang_premium(lay.share * (t - a), sf, lam))

    def moments(self, capital_level: float) -> LossMoments:
        """What the premium principles need (:class:`pricing.premium.LossMoments`)."""
        return LossMoments(
            mean=self.expected,
            std=self.std,
            var_capital=self.value_at_risk(capital_level),
            distorted=self.wang,
            tvar_capital=self.tail_value_at_risk(capital_level),
        )


def layer_loss(
    frequency: Frequency,
    severity: LossDistribution,
    layer: Layer,
    grid: GridSpec | None = None,
) -> LayerLoss:
    """Distribution summary of the insurer's yearly loss from ``layer`` (see module docstring).

    ``E[L] = c (E[S_Y∧(a + A)] − E[S_Y∧a])`` with the closed-form ``E[S_Y]`` behind the
    stop-loss; ``E[L²]`` from ``E[(T − a)+²] = E[T²] − E[(S_Y∧a)²] − 2a(E[T] − E[S_Y∧a])``,
    ``T = S_Y∧(a + A)``.

    The aggregate terms need ``S_Y`` only below ``a`` and ``a + A``: each comes from a window
    grid ``[0, u]`` of its own (:func:`pricing.aggregate.grid.window_pmf`), refined by doubling
    until the expected loss moves by less than :data:`LAYER_RTOL`, so the bucket can never
    exceed the layer, however large the per-occurrence limit. ``grid`` sets the grid of the
    whole distribution used for ``VaR`` and the Wang premium of a layer without an aggregate
    limit (default :data:`LAYER_GRID`).

    Raises
    ------
    GridResolutionError
        If :data:`LAYER_MAX_LOG2` points cannot resolve the layer (never a silent answer).
    """
    ceded = severity.layer(layer.retention, layer.limit)
    a, big_a, c = layer.agg_retention, layer.annual_limit, layer.share
    top = a + big_a
    # lev of a layer is a difference of the severity's lev: keep windows wide enough that
    # its rounding (≈ 1e-16 of the retention) stays far below one bucket
    floor = 1e-4 * (layer.retention + float(severity.isf(0.5)))
    windows = _layer_windows(frequency, ceded, a, top, floor)
    below_a, below_top = windows.get(a), windows.get(top)
    if below_top is not None:
        agg = below_top
    else:
        agg = aggregate(frequency, ceded, grid=LAYER_GRID if grid is None else grid)
    e_top = agg.mean() if below_top is None else float(below_top.lev(top))
    e_a = 0.0 if below_a is None else float(below_a.lev(a))
    expected = c * max(e_top - e_a, 0.0)
    second = _limited_second_moment(agg, top)
    if below_a is not None:
        second -= _limited_second_moment(below_a, a) + 2.0 * a * (e_top - e_a)
    variance = max(c * c * second - expected**2, 0.0)

    occurrence = frequency.prob_at_least_one
    p_attach = float(occurrence(severity.sf(layer.retention)))
    if below_a is not None:
        p_attach = float(below_a.sf(a))
    p_exhaust_occ = float(occurrence(severity.sf(layer.exhaustion_point)))
    p_exhaust_agg = math.nan if below_top is None else _prob_at_least(below_top, top)
    k = layer.reinstatements
    reinstated = 0.0
    if k is not None and k > 0:
        # only paid amounts are reinstated: at most k l, and at most the annual limit
        u = a + min(k * layer.limit, big_a)
        base = below_top if below_top is not None else _window(frequency, ceded, u, 14)
        reinstated = float(base.lev(u)) - e_a
    return LayerLoss(
        layer=layer,
        layer_total=agg,
        expected=float(expected),
        std=math.sqrt(variance),
        p_attach=p_attach,
        p_exhaust_occurrence=p_exhaust_occ,
        p_exhaust_aggregate=p_exhaust_agg,
        expected_reinstated=reinstated,
    )


def _window(
    frequency: Frequency, ceded: LossDistribution, reach: float, log2: int
) -> AggregateDistribution:
    """``S_Y`` on the window ``[0, reach]`` (probability beyond it as the tail mass)."""
    upper = ceded.upper if math.isfinite(ceded.upper) else None
    h, g = window_pmf(frequency, ceded, reach, log2, align_to=upper)
    return AggregateDistribution(
        "fft",
        h * np.arange(g.size),
        g,
        h,
        frequency,
        ceded,
        compound_moments(frequency, ceded),
        tail_mass=max(1.0 - float(g.sum()), 0.0),
    )


def _layer_windows(
    frequency: Frequency, ceded: LossDistribution, a: float, top: float, floor: float
) -> dict[float, AggregateDistribution]:
    """Window grids below the aggregate retention ``a`` (if > 0) and ``top = a + A`` (if
    finite), each reaching at least ``floor`` (USD), doubled until ``E[S∧top] − E[S∧a]`` is
    stable to :data:`LAYER_RTOL`."""
    points = [u for u in (a, top) if 0 < u < math.inf]
    if not points:
        return {}

    def ceded_mean(w: dict[float, AggregateDistribution]) -> float:
        hi = float(w[top].lev(top)) if top in w else compound_moments(frequency, ceded).mean
        return hi - (float(w[a].lev(a)) if a in w else 0.0)

    previous = None
    for log2 in range(LAYER_MIN_LOG2, LAYER_MAX_LOG2 + 1):
        current = {u: _window(frequency, ceded, max(u, floor), log2) for u in points}
        value = ceded_mean(current)
        if previous is not None:
            scale = max(abs(value), 1e-12 * max(points))
            if abs(value - ceded_mean(previous)) <= LAYER_RTOL * scale:
                return current
        previous = current
    raise GridResolutionError(
        f"layer_loss: a grid of 2^{LAYER_MAX_LOG2} points cannot resolve the aggregate terms "
        f"(retention {a:,.0f}, retention + limit {top:,.0f} USD) to {LAYER_RTOL:g}"
    )


def _limited_second_moment(agg: AggregateDistribution, u: float) -> float:
    """``E[(S∧u)²]`` (USD²): closed form for ``u = inf``, else the grid below ``u`` plus
    ``u² P(S ≥ u)`` (mass beyond the grid counted at ``u``, an upper bound)."""
    if math.isinf(u):
        return agg.variance() + agg.mean() ** 2
    below = agg.x < u
    xb = agg.x[below]
    return float(np.sum(xb * xb * agg.pmf[below]) + u * u * _prob_at_least(agg, u))


def _prob_at_least(agg: AggregateDistribution, u: float) -> float:
    """``P(S ≥ u)`` from the grid and the mass beyond it."""
    return float(agg.pmf[agg.x >= u].sum() + agg.tail_mass)


@dataclass(frozen=True, eq=False)
class LayerQuote:
    """An insurer's view of one layer (USD per year unless stated).

    The headline :attr:`premium` is, in this order: a rate on line the user entered
    (``market_rate_on_line``), the market's quote (``market``, :mod:`pricing.market`; NaN when
    the layer cannot be placed), or the technical premium by ``principle``. Rate on line is
    always the **upfront** premium over the placed limit, for every principle and the market.
    ``premium_interval`` is the 90% range of the headline premium under parameter uncertainty
    (:mod:`pricing.uncertainty`), when computed.
    """

    loss: LayerLoss
    premiums: dict[str, TechnicalPremium]
    principle: str
    loadings: LoadingAssumptions
    market_rate_on_line: float | None = None
    market: MarketPrice | None = None
    premium_interval: tuple[float, float] | None = None

    @property
    def layer(self) -> Layer:
        """The layer quoted."""
        return self.loss.layer

    @property
    def expected_loss(self) -> float:
        """``E[L]``."""
        return self.loss.expected

    @property
    def technical_premium(self) -> float:
        """Technical premium by the chosen principle (the insurer's floor)."""
        return self.premiums[self.principle].gross_premium

    @property
    def placeable(self) -> bool:
        """Whether the market would write the layer (True without market terms)."""
        return self.market is None or self.market.placeable

    @property
    def basis(self) -> str:
        """What the headline premium is: ``entered rate on line``, ``market`` or ``technical``."""
        if self.market_rate_on_line is not None:
            return "entered rate on line"
        return "market" if self.market is not None else "technical"

    @property
    def premium(self) -> float:
        """Total expected premium (see the class docstring for which one)."""
        if self.market_rate_on_line is not None:
            return self.market_rate_on_line * self.placed_limit
        if self.market is not None:
            return self.market.premium if self.market.placeable else math.nan
        return self.technical_premium

    @property
    def upfront_factor(self) -> float:
        """``1 + r E[reinstated] / l``: total expected premium over upfront premium."""
        lay = self.layer
        return 1.0 + lay.reinstatement_rate * self.loss.expected_reinstated / lay.limit

    @property
    def placed_limit(self) -> float:
        """Insurer's per-occurrence limit, ``c · l``."""
        return self.layer.share * self.layer.limit

    @property
    def upfront_premium(self) -> float:
        """``P₀ = premium / (1 + r E[reinstated] / l)``: paid at inception."""
        return self.premium / self.upfront_factor

    @property
    def expected_reinstatement_premium(self) -> float:
        """``premium − P₀``: reinstatement premiums expected during the year."""
        return self.premium - self.upfront_premium

    @property
    def rate_on_line(self) -> float:
        """Upfront premium / placed limit (ROL; NaN for an unlimited layer)."""
        return _ratio(self.upfront_premium, self.placed_limit)

    @property
    def loss_ratio(self) -> float:
        """Expected loss / expected premium."""
        return self.expected_loss / self.premium if self.premium > 0 else math.nan

    def table(self) -> pd.DataFrame:
        """Premium by principle: risk premium, gross premium, ROL and loss ratio."""
        rows = [
            {
                "principle": name,
                "risk_premium": tp.risk_premium,
                "gross_premium": tp.gross_premium,
                "rate_on_line": _ratio(tp.gross_premium / self.upfront_factor, self.placed_limit),
                "loss_ratio": tp.loss_ratio,
                "minimum_applied": tp.minimum_applied,
            }
            for name, tp in self.premiums.items()
        ]
        if self.market is not None and self.market.placeable:
            m = self.market
            rows.append(
                {
                    "principle": "market",
                    "risk_premium": m.curve_premium,
                    "gross_premium": m.premium,
                    "rate_on_line": m.rate_on_line,
                    "loss_ratio": self.expected_loss / m.premium,
                    "minimum_applied": m.basis != "curve",
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready quote."""
        lay, loss = self.layer, self.loss
        return {
            "layer": {
                "name": lay.label,
                "retention": lay.retention,
                "limit": _json_number(lay.limit),
                "share": lay.share,
                "agg_retention": lay.agg_retention,
                "agg_limit": _json_number(lay.annual_limit),
                "reinstatements": lay.reinstatements,
                "reinstatement_rate": lay.reinstatement_rate,
            },
            "expected_loss": loss.expected,
            "std": loss.std,
            "var_capital": loss.value_at_risk(self.loadings.capital_level),
            "tvar_capital": loss.tail_value_at_risk(self.loadings.capital_level),
            "capital_level": self.loadings.capital_level,
            "capital_measure": self.loadings.capital_measure,
            "premiums": {
                name: {
                    "risk_premium": tp.risk_premium,
                    "technical_premium": tp.gross_premium,
                    "rate_on_line": _json_number(
                        _ratio(tp.gross_premium / self.upfront_factor, self.placed_limit)
                    ),
                    "loss_ratio": tp.loss_ratio,
                    "minimum_applied": tp.minimum_applied,
                }
                for name, tp in self.premiums.items()
            },
            "principle": self.principle,
            "market_rate_on_line": self.market_rate_on_line,
            "technical_premium": self.technical_premium,
            "market_premium": (
                self.market.premium if self.market is not None and self.placeable else None
            ),
            "placeable": self.placeable,
            "not_placeable_reason": (
                self.market.reason_text if self.market is not None and not self.placeable else None
            ),
            "market": self.market.to_dict() if self.market is not None else None,
            "premium_basis": self.basis,
            "premium": _json_number(self.premium),
            "premium_interval": (
                list(self.premium_interval) if self.premium_interval is not None else None
            ),
            "upfront_premium": _json_number(self.upfront_premium),
            "expected_reinstatement_premium": self.expected_reinstatement_premium,
            "rate_on_line": _json_number(self.rate_on_line),
            "loss_ratio": self.loss_ratio,
            "p_attach": loss.p_attach,
            "p_exhaust_occurrence": loss.p_exhaust_occurrence,
            "p_exhaust_aggregate": _json_number(loss.p_exhaust_aggregate),
        }


def quote_layer(
    frequency: Frequency,
    severity: LossDistribution,
    layer: Layer,
    loadings: LoadingAssumptions | None = None,
    principle: str = "cost_of_capital",
    market_rate_on_line: float | None = None,
    grid: GridSpec | None = None,
    market: MarketTerms | None = None,
    cover: str = "cold",
    used_capacity: float | None = None,
) -> LayerQuote:
    """Technical premium of ``layer`` by every principle, and the chosen one.

    ``market_rate_on_line`` (premium / placed limit, e.g. 0.05) switches to market-rate mode:
    the premium is the quoted rate times the placed limit, and the loss ratio shows how it
    compares with the expected loss. ``market`` adds the market's quote for cover type
    ``cover`` (:func:`pricing.market.price_market`; ``used_capacity``: the insured's total
    limit up to the layer's top, default the placed limit), which becomes the headline premium.
    """
    loadings = LoadingAssumptions() if loadings is None else loadings
    if principle not in PRINCIPLES:
        raise ValueError(f"principle '{principle}' is not one of {', '.join(PRINCIPLES)}")
    if market_rate_on_line is not None and not (
        _number(market_rate_on_line) and 0 < market_rate_on_line <= 1
    ):
        raise ValueError(f"market_rate_on_line must be in (0, 1], got {market_rate_on_line!r}")
    if market_rate_on_line is not None and not math.isfinite(layer.limit):
        raise ValueError("market_rate_on_line needs a layer with a finite 'limit'")
    loss = layer_loss(frequency, severity, layer, grid)
    moments = loss.moments(loadings.capital_level)
    limit = layer.share * layer.limit
    premiums = {p: technical_premium(moments, limit, loadings, p) for p in PRINCIPLES}
    quote = LayerQuote(loss, premiums, principle, loadings, market_rate_on_line)
    if market is None or not math.isfinite(layer.limit):
        return quote
    price = price_market(
        frequency,
        severity,
        layer.retention,
        layer.limit,
        loss.expected,
        quote.technical_premium,
        cover,
        market,
        share=layer.share,
        used_capacity=used_capacity,
        upfront_factor=quote.upfront_factor,
    )
    return replace(quote, market=price)


#: The premium-basis column of :meth:`TowerQuote.table` ("market": a rate on line entered).
_TABLE_BASIS = {"entered rate on line": "market", "market": "market curve"}


@dataclass(frozen=True, eq=False)
class TowerQuote:
    """Quotes for every layer of a tower."""

    quotes: tuple[LayerQuote, ...]

    def table(self) -> pd.DataFrame:
        """One row per layer: terms, expected loss, premium, ROL, loss ratio, probabilities."""
        rows = []
        for q in self.quotes:
            lay = q.layer
            rows.append(
                {
                    "layer": lay.label,
                    "retention": lay.retention,
                    "limit": lay.limit,
                    "share": lay.share,
                    "expected_loss": q.expected_loss,
                    "premium": q.premium,
                    "upfront_premium": q.upfront_premium,
                    "rate_on_line": q.rate_on_line,
                    "loss_ratio": q.loss_ratio,
                    "p_attach": q.loss.p_attach,
                    "p_exhaust": q.loss.p_exhaust_occurrence,
                    "principle": _TABLE_BASIS.get(q.basis, q.principle),
                    "technical_premium": q.technical_premium,
                    "placeable": q.placeable,
                }
            )
        return pd.DataFrame(rows)

    @property
    def total_premium(self) -> float:
        """Sum of the layers' premiums (USD per year)."""
        return float(sum(q.premium for q in self.quotes))

    @property
    def total_expected_loss(self) -> float:
        """Sum of the layers' expected losses (USD per year)."""
        return float(sum(q.expected_loss for q in self.quotes))


def quote_tower(
    frequency: Frequency,
    severity: LossDistribution,
    tower: Tower,
    loadings: LoadingAssumptions | None = None,
    principle: str = "cost_of_capital",
    market_rates_on_line: Sequence[float | None] | None = None,
    market: MarketTerms | None = None,
    covers: Sequence[str] | None = None,
) -> TowerQuote:
    """:func:`quote_layer` for each layer of the tower (market rates optional, per layer).

    With ``market`` terms each layer also gets the market's quote, for its cover type in
    ``covers`` (default ``cold``); the capacity a layer uses is the tower's placed limit up to
    its top, so the scarcity load grows up the tower.
    """
    n = len(tower.layers)
    rates = market_rates_on_line or [None] * n
    if len(rates) != n:
        raise ValueError("market_rates_on_line: give one rate (or None) per layer of the tower")
    kinds = list(covers) if covers is not None else ["cold"] * n
    if len(kinds) != n:
        raise ValueError("covers: give one cover type per layer of the tower")
    used = np.cumsum([lay.share * lay.limit for lay in tower.layers])
    return TowerQuote(
        tuple(
            quote_layer(
                frequency,
                severity,
                layer,
                loadings,
                principle,
                rate,
                market=market,
                cover=kind,
                used_capacity=float(u),
            )
            for layer, rate, kind, u in zip(tower.layers, rates, kinds, used, strict=True)
        )
    )


# --------------------------------------------------------------------------------------------
# Many layers at once
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LayerGrid:
    """Per-occurrence layers ``limit xs retention`` on a grid (rows: retentions, columns:
    limits; USD per year). Share 1, no aggregate terms, unlimited reinstatements."""

    retentions: np.ndarray
    limits: np.ndarray
    expected_loss: np.ndarray
    std: np.ndarray
    var_capital: np.ndarray
    tvar_capital: np.ndarray
    risk_premiums: dict[str, np.ndarray]
    premiums: dict[str, np.ndarray]
    p_attach: np.ndarray
    p_exhaust: np.ndarray
    loadings: LoadingAssumptions = field(repr=False)

    def rate_on_line(self, principle: str = "cost_of_capital") -> np.ndarray:
        """Premium / limit."""
        return self.premiums[principle] / self.limits[None, :]

    def frame(self, principle: str = "cost_of_capital") -> pd.DataFrame:
        """Long table: one row per layer."""
        r, l = np.meshgrid(self.retentions, self.limits, indexing="ij")
        return pd.DataFrame(
            {
                "retention": r.ravel(),
                "limit": l.ravel(),
                "expected_loss": self.expected_loss.ravel(),
                "std": self.std.ravel(),
                "premium": self.premiums[principle].ravel(),
                "rate_on_line": self.rate_on_line(principle).ravel(),
                "p_attach": self.p_attach.ravel(),
                "p_exhaust": self.p_exhaust.ravel(),
            }
        )


def price_layer_grid(
    frequency: Frequency,
    severity: LossDistribution,
    retentions: Sequence[float],
    limits: Sequence[float],
    loadings: LoadingAssumptions | None = None,
    points_per_limit: int = 64,
    wang: bool = True,
) -> LayerGrid:
    """Price every per-occurrence layer of a retention × limit grid, vectorised over retentions.

    ``wang=False`` leaves the Wang premiums NaN and skips the transform (about a fifth of the
    time) when another principle is used.

    For each limit ``l`` the per-occurrence loss ``Y = min((X − d)+, l)`` of every retention is
    discretised on buckets ``h = min(l / points_per_limit, l_max / (8 · points_per_limit))`` by
    local moment matching (one call of the severity's ``lev``), and the compound distributions
    of all retentions come from one batched FFT. Wide layers thus get as fine a bucket as the
    narrow ones need. Expected loss and the attachment and exhaustion probabilities are closed
    forms; the standard deviation, ``VaR`` and Wang premium come from the grids (accuracy
    against fine-grid quotes: ``benchmarks/bench_pricing.py``).
    """
    loadings = LoadingAssumptions() if loadings is None else loadings
    d = _positive_array("retentions", retentions, allow_zero=True)
    lim = _positive_array("limits", limits, allow_zero=False)
    if int(points_per_limit) < 4:
        raise ValueError(f"points_per_limit must be >= 4, got {points_per_limit!r}")
    finest = lim.max() / (8 * int(points_per_limit))
    n_max = _count_quantile(frequency, 1e-12)
    shape = (d.size, lim.size)
    expected, std, var_capital, tvar_capital, distorted = (np.empty(shape) for _ in range(5))
    lam = loadings.wang_lambda if wang else None

    def column(j: int) -> None:
        m = max(int(points_per_limit), math.ceil(lim[j] / finest))
        values = _price_column(frequency, severity, d, lim[j] / m, m, n_max, loadings, lam)
        expected[:, j], std[:, j], var_capital[:, j], tvar_capital[:, j], distorted[:, j] = values

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:  # numpy releases the GIL
        list(pool.map(column, range(lim.size)))

    capital = tvar_capital if loadings.capital_measure == "tvar" else var_capital
    risk = {
        "expected_value": (1.0 + loadings.theta) * expected,
        "std_dev": expected + loadings.kappa * std,
        "wang": distorted,
        "cost_of_capital": expected
        + loadings.cost_of_capital * np.maximum(capital - expected, 0.0),
    }
    return LayerGrid(
        retentions=d,
        limits=lim,
        expected_loss=expected,
        std=std,
        var_capital=var_capital,
        tvar_capital=tvar_capital,
        risk_premiums=risk,
        premiums={k: gross_premium(v, loadings) for k, v in risk.items()},
        p_attach=np.asarray(frequency.prob_at_least_one(severity.sf(d)))[:, None]
        * np.ones((1, lim.size)),
        p_exhaust=np.asarray(frequency.prob_at_least_one(severity.sf(d[:, None] + lim[None, :]))),
        loadings=loadings,
    )


def _price_column(
    frequency: Frequency,
    severity: LossDistribution,
    retentions: np.ndarray,
    h: float,
    m: int,
    n_max: int,
    loadings: LoadingAssumptions,
    wang_lambda: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Expected loss, SD, ``VaR`` and ``TVaR`` at the capital level and Wang premium (NaN if
    ``wang_lambda`` is None) of the layers ``m h xs d`` for every retention ``d`` (USD/year)."""
    # S_Y ≤ n_max·l but for 1e-12; with many losses a year it concentrates far below that,
    # within E[S_Y] + 12 sd (bounded summands). A frequent loss thus spans many limits: the
    # bucket is coarsened so that one column never needs more than COLUMN_POINTS points (the
    # compound is smooth on the scale of l there). A tilted FFT needs no zero padding; the
    # grid doubles until it holds all but 1e-10 of every layer, or reaches 4 × COLUMN_POINTS.
    limit = m * h
    edges = lev_on(severity, np.stack([retentions, retentions + limit]))
    mean_y = float((edges[1] - edges[0]).max())
    sd = math.sqrt(frequency.mean * limit * mean_y + frequency.variance * mean_y**2)
    span = min((n_max + 1) * limit, frequency.mean * mean_y + 12.0 * sd + 2.0 * limit)
    if span / h > COLUMN_POINTS:
        m = max(4, int(m * COLUMN_POINTS * h / span))
        h = limit / m
    points = retentions[:, None] + h * np.arange(m + 1, dtype=float)[None, :]
    lev_x = lev_on(severity, points)
    f = discretize_lev(lev_x / h, 1.0)  # lev of Y at jh is lev_X(d + jh) − lev_X(d)
    n = 1 << math.ceil(math.log2(span / h + 1))
    while True:
        # the grid holds all but 1e-10: a mild tilt suffices and keeps rounding at ~1e-13
        g = np.clip(tilted_compound(frequency, f, n, tilt=8.0), 0.0, None)
        full = n >= m * (n_max + 1) or n >= 4 * COLUMN_POINTS
        if full or g.sum(axis=-1).min() >= 1.0 - 1e-10:
            break
        n *= 2
    x = h * np.arange(n, dtype=float)
    expected = frequency.mean * (lev_x[:, -1] - lev_x[:, 0])
    below = np.cumsum(g * x[None, :], axis=-1)  # (no BLAS matrix products: see benchmarks)
    grid_mean = below[:, -1]
    std = np.sqrt(np.maximum((g * (x * x)[None, :]).sum(axis=-1) - grid_mean**2, 0.0))
    cdf = np.cumsum(g, axis=-1)
    p = loadings.capital_level
    k = np.minimum((cdf < p - 1e-12).sum(axis=-1), n - 1)
    var = x[k]
    # E[L∧VaR] = Σ_{x < VaR} x g + VaR P(L ≥ VaR); the tail beyond through the closed-form mean
    rows = np.arange(g.shape[0])
    lev_var = np.where(k > 0, below[rows, k - 1], 0.0) + var * (
        1.0 - np.where(k > 0, cdf[rows, k - 1], 0.0)
    )
    tvar = var + np.maximum(expected - lev_var, 0.0) / (1.0 - p)
    if wang_lambda is None:
        return expected, std, var, tvar, np.full_like(expected, np.nan)
    sf = np.clip(1.0 - cdf, 0.0, 1.0)
    # beyond the last point any layer can reach (P(L > x) < 1e-13) the Wang integrand is 0
    reached = np.flatnonzero(sf.max(axis=0) > 1e-13)
    end = min(int(reached[-1]) + 2, n) if reached.size else 2
    sf, x_w = sf[:, :end], x[:end]
    sf[:, -1] = 0.0
    wang = np.maximum(step_wang_premium(x_w, sf, wang_lambda), expected)
    return expected, std, var, tvar, wang


def lev_on(severity: LossDistribution, x: np.ndarray) -> np.ndarray:
    """``E[X∧x]`` elementwise (USD), evaluating the severity only below its upper end: beyond
    it ``E[X∧x] = E[X∧upper]`` (the largest possible loss), taken from one evaluation."""
    x = np.asarray(x, dtype=float)
    upper = float(severity.upper)
    if not math.isfinite(upper):
        return np.asarray(severity.lev(x), dtype=float)
    inside = x < upper
    n_inside = int(np.count_nonzero(inside))
    if n_inside == x.size:
        return np.asarray(severity.lev(x), dtype=float)
    out = np.empty(x.shape)
    out[~inside] = float(np.asarray(severity.lev(np.array([upper])), dtype=float)[0])
    if n_inside:
        out[inside] = np.asarray(severity.lev(x[inside]), dtype=float)
    return out


def _count_quantile(frequency: Frequency, eps: float) -> int:
    """Smallest ``k`` with ``P(N > k) < eps``."""
    # Counts in blocks of growing size: the cumulative sum of the first k probabilities does
    # not depend on how many more are computed, so this equals one pass over 0..99,999.
    top, size = 100_000, 64
    while True:
        k = np.arange(0, min(size, top))
        cdf = np.cumsum(np.asarray(frequency.pmf(k), dtype=float))
        i = int(np.searchsorted(cdf, 1.0 - eps))
        if i < k.size or k.size >= top:
            return int(min(i, top - 1))
        size *= 8


def _positive_array(name: str, values: Sequence[float], *, allow_zero: bool) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    bad = ~np.isfinite(arr) | (arr < 0 if allow_zero else arr <= 0)
    if arr.size == 0 or bad.any():
        rule = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name}: every value must be a finite amount {rule} USD")
    return arr


def _number(x: Any) -> bool:
    return (
        isinstance(x, int | float | np.floating | np.integer)
        and not isinstance(x, bool)
        and (not math.isnan(float(x)))
    )


def _ratio(premium: float, limit: float) -> float:
    return premium / limit if math.isfinite(limit) and limit > 0 else math.nan


def _json_number(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
