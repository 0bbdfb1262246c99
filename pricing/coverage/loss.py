"""The insurer's yearly loss from one layer: its distribution, moments and the aggregate terms
(window grids refined until the layer is resolved)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..aggregate import (
    AggregateDistribution,
    GridSpec,
    aggregate,
    compound_moments,
)
from ..aggregate.grid import GridResolutionError, window_pmf
from ..counts import Frequency
from ..distributions import LossDistribution
from ..premium import (
    LossMoments,
    step_wang_premium,
)
from .terms import Layer, _settings


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
    settings = _settings()
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
        agg = aggregate(frequency, ceded, grid=settings.LAYER_GRID if grid is None else grid)
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
    settings = _settings()
    points = [u for u in (a, top) if 0 < u < math.inf]
    if not points:
        return {}

    def ceded_mean(w: dict[float, AggregateDistribution]) -> float:
        hi = float(w[top].lev(top)) if top in w else compound_moments(frequency, ceded).mean
        return hi - (float(w[a].lev(a)) if a in w else 0.0)

    previous = None
    for log2 in range(settings.LAYER_MIN_LOG2, settings.LAYER_MAX_LOG2 + 1):
        current = {u: _window(frequency, ceded, max(u, floor), log2) for u in points}
        value = ceded_mean(current)
        if previous is not None:
            scale = max(abs(value), 1e-12 * max(points))
            if abs(value - ceded_mean(previous)) <= settings.LAYER_RTOL * scale:
                return current
        previous = current
    raise GridResolutionError(
        f"layer_loss: a grid of 2^{settings.LAYER_MAX_LOG2} points cannot resolve the aggregate "
        "terms "
        f"(retention {a:,.0f}, retention + limit {top:,.0f} USD) to {settings.LAYER_RTOL:g}"
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
