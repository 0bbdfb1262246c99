"""The engine's fast paths against the plain computations they replace (issue 8 §3).

Each fast path is checked against the straightforward method on the same inputs: the
allocation-free compound against ``discretize_lev`` + ``tilted_compound`` (bit for bit), the
shared-wallet ``lev`` against :meth:`Mixture.lev` (bit for bit), closed-form truncated
lognormal moments against quadrature, the negative binomial pgf against the complex power,
the blockwise count quantile against one pass over 100,000 counts, and several structures in
one pass against one pass each.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from pricing.aggregate.grid import CompoundWorkspace, discretize_lev, tilted_compound
from pricing.calibration import calibrate
from pricing.counts import NegativeBinomial, Poisson
from pricing.coverage.grid import _count_quantile, lev_on
from pricing.distributions import Lognormal, LossDistribution, Truncated
from pricing.lossmodel import build_loss_model
from pricing.profiles import PRESETS
from pricing.strategy import (
    StrategyAssumptions,
    compare,
    evaluate_structure,
    evaluate_structures,
)


@pytest.fixture(scope="module")
def models():
    cal = calibrate()
    return {name: build_loss_model(PRESETS[name], cal) for name in ("small", "large")}


@pytest.mark.parametrize("frequency", [NegativeBinomial(0.05, 1.16), Poisson(30.0)])
def test_workspace_compound_is_bit_for_bit_the_plain_one(frequency):
    rng = np.random.default_rng(1)
    lev = np.cumsum(np.sort(rng.random((5, 2048)))[:, ::-1], axis=1) * 3.7
    plain = np.cumsum(
        np.clip(tilted_compound(frequency, discretize_lev(lev / 2.5, 1.0), 2048), 0.0, None),
        axis=-1,
    )
    ws = CompoundWorkspace(frequency, 8, 2048)
    ws.lev[:5] = lev
    assert np.array_equal(ws.compound_cdf(5, 2.5), plain)


@pytest.mark.parametrize("preset", ["small", "large"])
def test_shared_wallet_lev_is_bit_for_bit_the_mixture(models, preset):
    sev = models[preset].severity
    x = np.concatenate([np.geomspace(1.0, 1.5 * sev.upper, 20_000), [models[preset].hot_cap]])
    x = np.concatenate([x, [sev.upper, 0.0]])
    assert np.array_equal(lev_on(sev, x), np.asarray(sev.lev(x), dtype=float))


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("u", [5e5, 3e6, 1e8])
def test_truncated_lognormal_moments_in_closed_form_match_quadrature(k, u):
    base = Lognormal(14.5, 1.8)
    truncated = Truncated(base, 1e6)
    for dist in (base, truncated):
        quadrature = LossDistribution.limited_moment(dist, k, u)
        assert dist.limited_moment(k, u) == pytest.approx(quadrature, rel=1e-10)


@pytest.mark.parametrize("size", [1.16, 1e-3, 1e-300])
def test_negative_binomial_pgf_is_the_principal_complex_power(size):
    """Also for a huge β (size 1e-300: |w|² would overflow)."""
    nb = NegativeBinomial(14.0, size)
    rng = np.random.default_rng(2)
    z = np.exp(2j * np.pi * rng.random(2000)) * rng.random(2000)
    with np.errstate(all="ignore"):
        power = (1.0 - nb.beta * (z - 1.0)) ** (-nb.size)
    assert np.all(np.isfinite(nb.pgf(z)))
    assert np.max(np.abs(nb.pgf(z) - power)) < 1e-14
    assert float(nb.pgf(0.5)) == pytest.approx((1.0 + 0.5 * nb.beta) ** (-nb.size), rel=1e-15)


@pytest.mark.parametrize(
    "frequency", [Poisson(0.05), NegativeBinomial(0.05, 1.16), NegativeBinomial(14.0, 1.16)]
)
def test_count_quantile_in_blocks_equals_one_pass(frequency):
    k = np.arange(0, 100_000)
    cdf = np.cumsum(np.asarray(frequency.pmf(k), dtype=float))
    assert _count_quantile(frequency, 1e-12) == int(min(np.searchsorted(cdf, 1 - 1e-12), k[-1]))


def test_structures_in_one_pass_equal_one_pass_each(models):
    """As tests/test_uncertainty.py states for one structure: p_full within 1e-9, cost
    within 1e-4 relative (the technical premium's bucket follows the widest limit priced)."""
    model = models["small"]
    a = StrategyAssumptions(n_retentions=12, n_limits=12)
    base = compare(model, "jp-draft", a)
    structures = [(s.retention, s.limit, s.reserve) for s in base.strategies]
    together = evaluate_structures(model, base.rules, structures, a)
    for (d, lim, k), r in zip(structures, together, strict=True):
        alone = evaluate_structure(model, base.rules, d, lim, k, a)
        assert r.p_full == pytest.approx(alone.p_full, abs=1e-9)
        assert r.total_cost == pytest.approx(alone.total_cost, rel=1e-4)
        assert r.sized_reserve == pytest.approx(alone.sized_reserve, rel=1e-9)
        assert math.isfinite(r.sized_cost)


@pytest.mark.parametrize("preset", ["small", "large"])
def test_layer_grid_without_std_skips_only_layers_priced_in_closed_form(models, preset):
    """``std=False``: retentions hit with probability below 1 − the capital level get VaR 0
    and TVaR E/(1 − level) in closed form; every premium, VaR and TVaR equals the full grid's
    (relative 1e-12), and some retentions were indeed skipped (their SD is NaN)."""
    from pricing.coverage import price_layer_grid
    from pricing.strategy import layer_axes

    model = models[preset]
    retentions, limits = layer_axes(model, 20, 21)
    full = price_layer_grid(model.frequency, model.severity, retentions, limits[1:], wang=False)
    fast = price_layer_grid(
        model.frequency, model.severity, retentions, limits[1:], wang=False, std=False
    )
    skipped = np.isnan(fast.std)
    assert skipped.any() and not skipped.all()
    for name in ("expected_loss", "var_capital", "tvar_capital"):
        np.testing.assert_allclose(getattr(fast, name), getattr(full, name), rtol=1e-12, atol=0)
    for principle in ("cost_of_capital", "expected_value"):
        np.testing.assert_allclose(
            fast.premiums[principle], full.premiums[principle], rtol=1e-12, atol=0
        )
    np.testing.assert_array_equal(fast.std[~skipped], full.std[~skipped])
