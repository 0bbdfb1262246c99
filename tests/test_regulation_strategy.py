"""Every regime enforces what it requires: compliance of strategies, several jurisdictions at
once, what binds, and compensation in kind in the reserve's adequacy and cost."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pricing.calibration import calibrate
from pricing.lossmodel import build_loss_model
from pricing.profiles import PRESETS
from pricing.regulation import InKindCompensation, RegimeInputs, minimum, minimums
from pricing.strategy import StrategyAssumptions, compare, compliance, reserve_floor

GRID = {"n_retentions": 14, "n_limits": 14}


@pytest.fixture(scope="module")
def cal():
    return calibrate()


@pytest.fixture(scope="module")
def small(cal):
    return build_loss_model(PRESETS["small"], cal)


@pytest.fixture(scope="module")
def small_total(small):
    return small.aggregate()


def test_vara_never_recommends_a_strategy_without_the_required_crime_cover(small, small_total):
    """VARA Rulebook VI.D.1(c): crime insurance for all hot-wallet VAs. Reserve only breaks
    it; the recommendation holds a policy with a limit of at least the hot-wallet value."""
    c = compare(small, "vara", StrategyAssumptions(**GRID), total=small_total)
    hot = PRESETS["small"].hot_assets_usd
    assert not c.get("reserve_only").compliant
    best = c.get(c.recommended)
    assert best.compliant and best.limit >= hot * (1 - 1e-9)
    assert c.get("insurance_only").limit >= hot * (1 - 1e-9)
    text = c.recommendation()
    assert "Required insurance" in text and "Non-compliant, never recommended: reserve only" in text
    assert c.to_dict()["required_policies"]


def test_compliance_mask_follows_the_limit_and_an_optional_retention_cap():
    rule = minimum("vara", RegimeInputs(customer_assets_usd=100e6, hot_share=0.05))
    ok, texts = compliance([rule], np.array([0.0, 1e6])[:, None], np.array([4e6, 5e6, 6e6]))
    assert ok.tolist() == [[False, True, True], [False, True, True]]
    assert texts and "USD 5,000,000" in texts[0]
    from pricing.regulation import regime_params

    capped = minimum(
        "vara",
        RegimeInputs(customer_assets_usd=100e6, hot_share=0.05),
        params=regime_params("vara", {"max_retention_aed": str(0.5e6 * 3.6725)}),
    )
    ok, _ = compliance([capped], np.array([0.0, 1e6])[:, None], np.array([6e6]))
    assert ok.ravel().tolist() == [True, False]


def test_vara_cover_must_attach_where_it_can_pay_for_a_hot_wallet_theft(cal, small, small_total):
    """With no deductible in the rulebook, the required crime cover attaches at most at the
    market's minimum retention for its limit, max(USD 1m, 5% of the limit): a layer above what
    the hot wallets hold (which could never pay for a hot-wallet theft) is non-compliant, the
    optimiser's grid holds the cheapest compliant layer, and under parameter draws the
    recommendation stays among the compliant strategies."""
    from pricing.market import DEFAULT_TERMS
    from pricing.uncertainty import compare_with_draws, draw_models

    inputs = RegimeInputs(customer_assets_usd=100e6, hot_share=0.05)
    (q,) = minimum("vara", inputs).required_insurance
    assert q.max_retention_usd == pytest.approx(max(1e6, 0.05 * q.amount_usd))
    assert q.max_retention_usd == pytest.approx(float(DEFAULT_TERMS.minimum_retention(5e6)))
    ok, _ = compliance([minimum("vara", inputs)], np.array([1e6, 6e6])[:, None], np.array([6e6]))
    assert ok.ravel().tolist() == [True, False]

    c = compare(small, "vara", StrategyAssumptions(**GRID), total=small_total)
    best = c.get(c.recommended)
    hot = PRESETS["small"].hot_assets_usd
    cap = float(DEFAULT_TERMS.minimum_retention(hot))
    assert best.retention <= cap * (1 + 1e-12) and best.limit >= hot * (1 - 1e-9)
    assert cap in c.retentions and hot in c.limits  # the grid holds the compliant point
    drawn = compare_with_draws(c, draw_models(small, cal, 5, 3))
    assert drawn.recommended_share > 0


def test_mica_floor_ignores_a_crime_layer_but_hong_kong_counts_it():
    inputs = RegimeInputs(customer_assets_usd=1e9, hot_share=0.02, fixed_overheads_usd=40e6)
    mica = minimum("mica", inputs)
    assert float(reserve_floor(mica, 0.0, 1e9)) == pytest.approx(mica.amount_usd)
    hk = minimum("hk", inputs)
    assert float(reserve_floor(hk, 0.0, 0.3 * hk.amount_usd)) == pytest.approx(0.7 * hk.amount_usd)


def test_several_jurisdictions_are_held_to_the_largest_floor(cal):
    profile = dataclasses.replace(PRESETS["small"], jurisdictions=("hk",))
    rules = minimums("jp", RegimeInputs.from_profile(profile), profile.jurisdictions)
    assert [r.regime for r in rules] == ["jp", "hk"]
    both = float(reserve_floor(rules, 0.0, 0.0))
    assert both == pytest.approx(max(r.amount_usd for r in rules))
    model = build_loss_model(profile, cal)
    c = compare(model, "jp", StrategyAssumptions(**GRID))
    assert [r.regime for r in c.rules] == ["jp", "hk"]
    assert c.get("reserve_only").reserve >= rules[1].amount_usd * (1 - 1e-9)
    text = c.recommendation()
    assert "Also licensed under Hong Kong" in text and "Largest floor: the regulatory floor" in text


def test_the_recommendation_says_what_binds(small, small_total):
    c = compare(small, "jp-2027", StrategyAssumptions(**GRID), total=small_total)
    text = c.recommendation()
    assert "binds" in text and "How insurance counts (jp-2027)" in text
    assert "up to 50% of it" in text
    for s in c.strategies:
        assert s.binding.startswith(("the regulatory floor", "the 99.5% protection target"))


def test_in_kind_compensation_scores_the_reserve_on_the_loss_times_the_price_factor(
    small, small_total
):
    """Reserve only with compensation in kind: P(full) is P(S·F ≤ K), checked against
    Gauss-Hermite over the total-loss distribution (grid tolerance 3e-3); the reserve needed
    for the same target is larger than without the price move."""
    kind = InKindCompensation(volatility=0.8, delay_days=30)
    plain = compare(small, "hk", StrategyAssumptions(**GRID), total=small_total)
    moved = compare(small, "hk", StrategyAssumptions(in_kind=kind, **GRID), total=small_total)
    k = moved.get("reserve_only").reserve
    cdf = lambda x: np.asarray(small_total.cdf(np.minimum(x, small_total.grid_end * (1 - 1e-12))))  # noqa: E731
    assert moved.get("reserve_only").p_full == pytest.approx(
        float(kind.cdf_of_product(cdf, k)), abs=3e-3
    )
    assert moved.get("reserve_only").meets_target
    assert k >= plain.get("reserve_only").reserve
    assert moved.get("reserve_only").total_cost >= plain.get("reserve_only").total_cost
