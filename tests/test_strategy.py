"""Reserve only, insurance only and the hybrid (:mod:`pricing.strategy`).

Models come from the shipped calibration (``calibrate()``) and the ``small`` and ``large``
presets. Most comparisons use a 20 × 20 optimiser grid for speed; one uses the default
50 × 50. Protection metrics are checked against a Monte Carlo written here with numpy
(per-claim disputes, the layer and the reserve applied by hand); the tolerances are stated in
each test.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.calibration import calibrate
from pricing.coverage import InsuranceFrictions
from pricing.lossmodel import build_loss_model
from pricing.profiles import PRESETS
from pricing.regulation import JpDraftScenario, RegimeInputs, minimum
from pricing.reserve import ReserveSizing, carrying_rate, size_reserve
from pricing.strategy import (
    COST_COMPONENTS,
    RETAINED_GRID_LOG2,
    STRATEGIES,
    StrategyAssumptions,
    _reach,
    compare,
    compare_profiles,
    reserve_floor,
)

PRESET_NAMES = ("small", "large")
REGIMES = ("jp", "jp-draft", "hk", "mica", "kr")
SMALL_GRID = {"n_retentions": 20, "n_limits": 20}
REL = 1e-12


@pytest.fixture(scope="module")
def models():
    cal = calibrate()
    return {name: build_loss_model(PRESETS[name], cal) for name in PRESET_NAMES}


@pytest.fixture(scope="module")
def totals(models):
    return {name: model.aggregate() for name, model in models.items()}


@pytest.fixture(scope="module")
def run(models, totals):
    """``run(preset, regime, **assumptions)``: a cached comparison (20 × 20 grid unless the
    grid size is given)."""
    cache = {}

    def _run(preset, regime, **kwargs):
        key = (preset, regime, tuple(sorted(kwargs.items(), key=lambda kv: kv[0])))
        if key not in cache:
            a = StrategyAssumptions(**(SMALL_GRID | kwargs))
            cache[key] = compare(models[preset], regime, a, total=totals[preset])
        return cache[key]

    return _run


def retained_bucket(total) -> float:
    """Span of the optimiser's retained-loss grid (USD): reach / (2^11 − 1)."""
    return _reach(total) / ((1 << RETAINED_GRID_LOG2) - 1)


def pure_cost_bound(c) -> float:
    """Cheapest pure strategy meeting the target (``inf`` if none does)."""
    pure = [c.get(n) for n in ("reserve_only", "insurance_only")]
    return min((s.total_cost for s in pure if s.meets_target), default=math.inf)


# --------------------------------------------------------------------------------------------
# The optimiser
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("regime", ["jp-draft", "hk", "mica"])
@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_reserve_cost_rises_with_the_confidence_level(run, preset, regime):
    """Targets 0.99 < 0.995 < 0.999: the reserve-only reserve and its carrying cost never
    fall, and every reserve-only structure meets its target."""
    results = [run(preset, regime, target=t).get("reserve_only") for t in (0.99, 0.995, 0.999)]
    reserves = [r.reserve for r in results]
    carrying = [r.components["carrying_cost"] for r in results]
    assert all(np.diff(reserves) >= 0), reserves
    assert all(np.diff(carrying) >= 0), carrying
    assert all(r.meets_target for r in results)


@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_hybrid_is_the_cheapest_placeable_layer_and_the_recommendation_the_cheapest(
    run, preset, regime
):
    """The hybrid always buys a layer the market writes: the grid's cheapest placeable
    structure with insurance that meets the target (relative 1e-12). The insurance-only
    structure lies in that search space, so the hybrid costs at most it when it meets the
    target. The recommendation is the cheapest placeable strategy that meets it, never dearer
    than the cheaper pure strategy."""
    c = run(preset, regime)
    hybrid = c.get("hybrid")
    assert hybrid.limit > 0 and hybrid.placeable and hybrid.meets_target
    ok = (c.p_full >= c.assumptions.target - 1e-12) & np.isfinite(c.total_cost)
    ok[:, 0] = False
    assert hybrid.total_cost == pytest.approx(c.total_cost[ok].min(), rel=REL)
    insurance_only = c.get("insurance_only")
    if insurance_only.meets_target:
        assert hybrid.total_cost <= insurance_only.total_cost * (1 + 1e-6)
    bound = pure_cost_bound(c)
    assert math.isfinite(bound)  # reserve only always meets the target
    assert c.get(c.recommended).total_cost <= bound * (1 + 1e-6)
    meeting = [s for s in c.strategies if s.meets_target]
    best = min(s.total_cost for s in meeting)
    assert c.get(c.recommended).meets_target
    assert c.get(c.recommended).total_cost == best


def test_hybrid_never_costs_more_on_the_default_grid(models, totals):
    """One run on the default 50 × 50 grid (small exchange, Japan draft)."""
    c = compare(models["small"], "jp-draft", total=totals["small"])
    assert c.total_cost.shape == (50, 50) and c.p_full.shape == (50, 50)
    assert c.get(c.recommended).total_cost <= pure_cost_bound(c) * (1 + 1e-6)
    # The hybrid is the grid's cheapest placeable structure with a layer that meets the target.
    ok = (c.p_full >= c.assumptions.target - 1e-12) & np.isfinite(c.total_cost)
    ok[:, 0] = False
    assert c.get("hybrid").total_cost == pytest.approx(c.total_cost[ok].min(), rel=REL)


@pytest.mark.parametrize("regime", ["jp-draft", "hk", "mica"])
@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_fast_paths_agree_with_the_whole_grid(models, totals, monkeypatch, preset, regime):
    """Structures read off the total loss below their retention and compounds on windows
    (``engine.WINDOWS``) give back the whole-grid FFT of every structure (the method without
    either): every grid point's total cost within 1e-10 relative and p_full within 1e-10, and
    the same three structures."""
    from pricing.strategy import engine

    a = StrategyAssumptions(**SMALL_GRID)
    fast = compare(models[preset], regime, a, total=totals[preset])
    monkeypatch.setattr(engine, "WINDOWS", False)
    full = compare(models[preset], regime, a, total=totals[preset])
    finite = np.isfinite(full.total_cost)
    assert np.array_equal(finite, np.isfinite(fast.total_cost))
    np.testing.assert_allclose(fast.total_cost[finite], full.total_cost[finite], rtol=1e-10)
    np.testing.assert_allclose(fast.p_full, full.p_full, rtol=0, atol=1e-10)
    for s in full.strategies:
        f = fast.get(s.name)
        assert (f.retention, f.limit) == (s.retention, s.limit)
        assert f.total_cost == pytest.approx(s.total_cost, rel=1e-10)
        assert f.p_full == pytest.approx(s.p_full, abs=1e-10)


@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_components_and_cost_arithmetic(run, models, preset, regime):
    """Components sum to the total; percentages of assets and revenue; every component ≥ 0;
    carrying cost = carrying rate × reserve; tail charge = cost of capital × uncompensated
    VaR; probabilities in [0, 1]; ``meets_target`` ⇔ ``p_full ≥ target``; the reserve is at
    least the regulatory floor of its layer. Relative 1e-12."""
    c = run(preset, regime)
    profile = models[preset].profile
    target = c.assumptions.target
    assert tuple(s.name for s in c.strategies) == STRATEGIES
    for s in c.strategies:
        assert tuple(s.components) == COST_COMPONENTS
        assert all(v >= 0 for v in s.components.values()), s.components
        assert s.total_cost == pytest.approx(sum(s.components.values()), rel=REL)
        assert s.cost_pct_assets == pytest.approx(
            100 * s.total_cost / profile.customer_assets_usd, rel=REL
        )
        assert s.cost_pct_revenue == pytest.approx(
            100 * s.total_cost / profile.annual_revenue_usd, rel=REL
        )
        assert s.components["carrying_cost"] == pytest.approx(
            carrying_rate(profile) * s.reserve, rel=REL
        )
        assert s.components["tail_charge"] == pytest.approx(
            profile.cost_of_capital * s.var_uncompensated, rel=REL, abs=1e-9
        )
        assert s.expected_shortfall == s.components["uncompensated"]
        assert 0 <= s.p_full <= 1 and 0 <= s.p_full_prompt <= 1
        assert s.meets_target == (s.placeable and s.p_full >= target - 1e-12)
        if s.meets_target:
            assert s.p_full >= target - 1e-12
        floor = float(reserve_floor(c.rule, s.retention, s.limit, c.assumptions.jp_draft))
        assert s.reserve >= floor * (1 - REL)
        d = s.to_dict()
        assert d["total_cost"] == s.total_cost and d["components"] == s.components
    reserve_only = c.get("reserve_only")
    assert reserve_only.retention == 0 and reserve_only.limit == 0
    assert reserve_only.components["premium"] == 0
    assert reserve_only.components["bridging_cost"] == 0
    insurance_only = c.get("insurance_only")
    assert insurance_only.limit > 0 and insurance_only.kind == "insurance"
    # no first-dollar cover: at or above the market's minimum retention
    market = c.assumptions.market
    assert insurance_only.retention >= float(market.minimum_retention(insurance_only.limit))
    assert insurance_only.reserve == pytest.approx(
        float(
            reserve_floor(
                c.rule, insurance_only.retention, insurance_only.limit, c.assumptions.jp_draft
            )
        ),
        rel=REL,
    )


@pytest.mark.parametrize("regime", ["jp", "jp-draft", "mica"])
@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_reserve_only_is_the_var_of_the_total_loss_or_the_floor(run, totals, preset, regime):
    """Reserve only holds ``max(regulatory minimum, VaR_target(S))``, as
    :func:`pricing.reserve.size_reserve` sizes it from the aggregate. The optimiser reads the
    VaR off its own coarser retained-loss grid, so they agree within one bucket of each grid
    (h_retained + h_aggregate)."""
    c = run(preset, regime)
    total = totals[preset]
    expected = size_reserve(
        ReserveSizing("confidence", c.assumptions.target), total, c.rule.amount_usd
    ).amount_usd
    tol = retained_bucket(total) + total.bucket
    assert abs(c.get("reserve_only").reserve - expected) <= tol


def test_prompt_protection_when_the_insurer_pays_within_the_window(run, totals):
    """An insurer paying within the prompt window (0.5 ≤ 1 month) counts as prompt:
    ``p_full_prompt = p_full``. A slow one (6 months, the default): the reserve alone must
    pay at once, ``p_full_prompt = P(S ≤ K)`` from the aggregate."""
    fast = run("small", "hk", frictions=InsuranceFrictions(payment_delay_months=0.5))
    assert fast.assumptions.insurance_is_prompt
    for s in fast.strategies:
        assert s.p_full_prompt == s.p_full
    slow = run("small", "hk")
    assert not slow.assumptions.insurance_is_prompt
    for s in slow.strategies:
        assert s.p_full_prompt == pytest.approx(float(totals["small"].cdf(s.reserve)), rel=REL)


# --------------------------------------------------------------------------------------------
# Protection against a Monte Carlo written here
# --------------------------------------------------------------------------------------------
def simulate_years(model, retention, limit, frictions, n, seed):
    """Yearly counts N, retained losses R and total losses S of ``n`` simulated years.

    Per claim: ``X`` from the severity, a dispute/default indicator with probability
    ``q = 1 − payment factor``, retained ``X − B·min((X − d)+, l)``.
    """
    rng = np.random.default_rng(seed)
    counts = np.asarray(model.frequency.sample(n, rng), dtype=np.int64)
    x = np.asarray(model.severity.rvs(int(counts.sum()), rng), dtype=float)
    q = 1.0 - frictions.payment_factor
    paid = rng.random(x.size) >= q
    retained = x - paid * np.minimum(np.maximum(x - retention, 0.0), limit)
    year = np.repeat(np.arange(n), counts)
    r = np.bincount(year, weights=retained, minlength=n)
    s = np.bincount(year, weights=x, minlength=n)
    return counts, r, s


def grid_allowance(counts, values, k, h):
    """Probability that a grid of span ``h`` may put a year on the other side of ``k``.

    Local moment matching moves each loss to one of the two grid points around it, so with
    one loss a year flips only when it lies strictly inside the bucket holding ``k``; with
    ``N ≥ 2`` losses the year total moves by less than ``N h``. Estimated from the sample.
    """
    j = math.floor(k / h + 1e-9)
    one = (counts == 1) & (values > j * h) & (values < (j + 1) * h)
    many = (counts >= 2) & (np.abs(values - k) < counts * h)
    return float(np.mean(one | many))


MC_CASES = [
    ("small", "hk", {}),
    ("small", "jp-draft", {}),
    ("large", "jp-draft", {"market_rate_on_line": 0.01}),
    ("large", "jp", {"market_rate_on_line": 0.005}),
]


@pytest.mark.parametrize(("preset", "regime", "extra"), MC_CASES)
def test_protection_metrics_match_a_monte_carlo(run, models, totals, preset, regime, extra):
    """For the hybrid (d, l, K): 1,000,000 simulated years, seed 20240601.

    - ``p_full = P(R ≤ K)``: within 4 binomial standard errors plus the grid allowance of
      :func:`grid_allowance` on the optimiser's retained-loss grid (h = reach / 2047).
    - ``expected_shortfall = E[(R − K)+]``: within 4 standard errors of the sample mean plus
      ``h · E[N · 1{R > K − N h}]`` (each loss moves by less than h and ``(· − K)+`` is
      1-Lipschitz and zero below K).
    - ``p_full_prompt = P(S ≤ K)`` (the insurer's 6 months exceed the 1-month window):
      within 4 binomial standard errors plus the same allowance on the aggregate's grid.

    Comparisons count a year as "≤ K" up to a relative 1e-9, because severity draws at a
    wallet cap come out of a bisection up to 1e-12 above the cap.
    """
    c = run(preset, regime, **extra)
    s = c.get("hybrid")
    model, total = models[preset], totals[preset]
    d, l, k = s.retention, s.limit, s.reserve
    n = 1_000_000
    counts, r, tot = simulate_years(model, d, l, c.assumptions.frictions, n, seed=20240601)
    k_eps = k * (1 + 1e-9)
    h = retained_bucket(total)

    p = float(np.mean(r <= k_eps))
    tol = 4 * math.sqrt(p * (1 - p) / n) + grid_allowance(counts, r, k, h)
    assert abs(s.p_full - p) <= tol, (s.p_full, p, tol)

    excess = np.maximum(r - k_eps, 0.0)
    allowance = h * float(np.mean(counts * (r > k - counts * h)))
    tol = 4 * excess.std() / math.sqrt(n) + allowance
    assert abs(s.expected_shortfall - excess.mean()) <= tol, (s.expected_shortfall, excess.mean())

    assert not c.assumptions.insurance_is_prompt
    p_s = float(np.mean(tot <= k_eps))
    tol = 4 * math.sqrt(p_s * (1 - p_s) / n) + grid_allowance(counts, tot, k, total.bucket)
    assert abs(s.p_full_prompt - p_s) <= tol, (s.p_full_prompt, p_s, tol)


def test_hybrid_flagged_as_meeting_the_target_meets_it_in_simulation(run, models):
    """Stricter than the test above (no grid allowance): a structure flagged as meeting the
    target must meet it in simulation, ``P̂(R ≤ K) ≥ target − 4 SE``."""
    c = run("large", "jp-draft", market_rate_on_line=0.01)
    s = c.get("hybrid")
    assert s.meets_target
    n = 1_000_000
    _, r, _ = simulate_years(models["large"], s.retention, s.limit, c.assumptions.frictions, n, 7)
    p = float(np.mean(r <= s.reserve * (1 + 1e-9)))
    assert p >= c.assumptions.target - 4 * math.sqrt(p * (1 - p) / n)


# --------------------------------------------------------------------------------------------
# Regulatory floor
# --------------------------------------------------------------------------------------------
def rule_for(preset, regime, scenario=None):
    return minimum(regime, RegimeInputs.from_profile(PRESETS[preset]), scenario=scenario)


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_floor_where_insurance_counts_in_full(preset):
    """Hong Kong ('yes'): ground-up insurance replaces the minimum dollar for dollar,
    ``floor = max(C − l, 0)``."""
    rule = rule_for(preset, "hk")
    assert rule.insurance_counts == "yes"
    amount = rule.amount_usd
    limits = np.array([0.0, 0.25, 0.5, 1.0, 2.0]) * amount
    np.testing.assert_allclose(
        reserve_floor(rule, 0.0, limits), np.maximum(amount - limits, 0.0), rtol=REL
    )


@pytest.mark.parametrize("s_max", [None, 0.3, 1.0, 0.0])
@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_floor_where_insurance_counts_in_part(preset, s_max):
    """Japan 2027 ('partly', stacked): the in-kind guarantee G takes no insurance and at most
    ``s_max`` of the reserve R may be insured, ``floor = G + R − min(l, s_max R)`` (default
    s_max 0.5)."""
    scenario = None if s_max is None else JpDraftScenario(insurance_share_max=s_max)
    rule = rule_for(preset, "jp-draft", scenario)
    assert rule.insurance_counts == "partly"
    share = 0.5 if s_max is None else s_max
    amount = rule.amount_usd
    (reserve,) = [q.amount_usd for q in rule.requirements if q.key == "liability_reserve"]
    limits = np.array([0.0, 0.25, 0.5, 1.0, 2.0]) * amount
    np.testing.assert_allclose(
        reserve_floor(rule, 0.0, limits, scenario),
        amount - np.minimum(limits, share * reserve),
        rtol=REL,
    )


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_floor_where_insurance_does_not_count(preset):
    """Japan today ('no') and a 'required' rule: the reserve holds all of it, whatever the
    layer (the shape follows the broadcast of retention and limit)."""
    rule = rule_for(preset, "jp")
    assert rule.insurance_counts == "no"
    required = dataclasses.replace(rule, insurance_counts="required")
    retentions = np.array([0.0, 1e6, 1e8])[:, None]
    limits = np.array([0.0, 1e6, 1e9, 1e12])[None, :]
    for r in (rule, required):
        out = reserve_floor(r, retentions, limits)
        assert out.shape == (3, 4)
        assert np.all(out == r.amount_usd)


def test_floor_credit_of_a_layer_above_a_retention():
    """A layer ``l xs d`` counts for ``clip(min(d + l, C) − d, 0, l)``: d = C/4, l = C/2 →
    C/2; a layer starting at or above C counts for nothing; l xs d with d + l > C counts for
    C − d."""
    rule = rule_for("small", "hk")
    c = rule.amount_usd
    assert float(reserve_floor(rule, c / 4, c / 2)) == pytest.approx(c / 2, rel=REL)
    assert float(reserve_floor(rule, c, c)) == pytest.approx(c, rel=REL)
    assert float(reserve_floor(rule, 2 * c, c)) == pytest.approx(c, rel=REL)
    assert float(reserve_floor(rule, 0.75 * c, c)) == pytest.approx(0.75 * c, rel=REL)
    draft = rule_for("small", "jp-draft")
    total = draft.amount_usd
    (r,) = [q.amount_usd for q in draft.requirements if q.key == "liability_reserve"]
    # On the reserve R: credit 0.4 R is under the 50% cap; credit 0.75 R is capped at 0.5 R.
    assert float(reserve_floor(draft, 0.6 * r, r)) == pytest.approx(total - 0.4 * r, rel=REL)
    assert float(reserve_floor(draft, 0.25 * r, r)) == pytest.approx(total - 0.5 * r, rel=REL)


@settings(max_examples=40, deadline=None)
@given(
    regime=st.sampled_from(["hk", "jp-draft", "jp", "kr"]),
    d=st.floats(0, 1e9, allow_nan=False),
    l1=st.floats(0, 1e9, allow_nan=False),
    l2=st.floats(0, 1e9, allow_nan=False),
)
def test_floor_is_within_the_minimum_and_falls_with_more_cover(regime, d, l1, l2):
    """``0 ≤ floor ≤ C``; more limit never raises it; under 'partly' it stays ≥ (1 − s_max) C."""
    rule = rule_for("small", regime)
    lo, hi = sorted((l1, l2))
    f_lo, f_hi = float(reserve_floor(rule, d, lo)), float(reserve_floor(rule, d, hi))
    c = rule.amount_usd
    assert 0 <= f_hi <= f_lo * (1 + REL) + 1e-9 <= c * (1 + REL) + 1e-9
    if rule.insurance_counts == "partly":
        assert f_hi >= 0.5 * c * (1 - REL)


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("regime", ["jp-draft", "hk"])
@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_comparison_to_dict_is_json_and_recommendation_names_the_choice(run, preset, regime):
    c = run(preset, regime)
    doc = json.loads(json.dumps(c.to_dict(), allow_nan=False))
    assert {"profile", "regime", "strategies", "recommended"} <= set(doc)
    assert doc["profile"] == PRESETS[preset].name
    assert doc["regime"] == regime
    assert doc["recommended"] == c.recommended in STRATEGIES
    assert [s["name"] for s in doc["strategies"]] == list(STRATEGIES)
    for s in doc["strategies"]:
        for key in (
            "name",
            "total_cost",
            "components",
            "p_full_prompt",
            "expected_shortfall",
            "var_0.995_uncompensated",
        ):
            assert key in s
        assert set(s["components"]) == set(COST_COMPONENTS)
        assert s["total_cost"] == pytest.approx(sum(s["components"].values()), rel=REL)
    text = c.recommendation()
    assert f"Recommended: {c.get(c.recommended).kind}," in text
    assert doc["recommendation"] == text
    table = c.table()
    assert table["strategy"].tolist() == list(STRATEGIES)
    np.testing.assert_allclose(table["total_cost"], [s.total_cost for s in c.strategies], rtol=REL)


@pytest.mark.parametrize("regime", ["jp", "jp-draft", "hk"])
@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_frontier_is_monotone_and_efficient(run, preset, regime):
    """Along the frontier cost and protection both rise strictly; no grid structure is at
    most as expensive as a frontier point and more protective (1e-12); the cheapest frontier
    point meeting the target costs no more than the hybrid."""
    c = run(preset, regime)
    f = c.frontier
    assert list(f.columns) == ["total_cost", "p_full", "retention", "limit", "reserve"]
    assert len(f) >= 1
    assert np.all(np.diff(f["total_cost"]) > 0)
    assert np.all(np.diff(f["p_full"]) > 0)
    cost, prot = c.total_cost.ravel(), c.p_full.ravel()
    for fc, fp in zip(f["total_cost"], f["p_full"], strict=True):
        assert not np.any((cost <= fc * (1 + 1e-12)) & (prot > fp + 1e-12))
    meeting = f[f["p_full"] >= c.assumptions.target - 1e-12]
    assert meeting["total_cost"].min() <= c.get("hybrid").total_cost * (1 + 1e-12)


def test_compare_profiles_gives_three_rows_per_profile(models):
    a = StrategyAssumptions(**SMALL_GRID)
    df = compare_profiles([models["small"], models["large"]], "jp-draft", a)
    assert len(df) == 6
    assert {"profile", "regime", "strategy", "total_cost", "recommended"} <= set(df.columns)
    assert (df["regime"] == "jp-draft").all()
    for name in PRESET_NAMES:
        rows = df[df["profile"] == PRESETS[name].name]
        assert rows["strategy"].tolist() == list(STRATEGIES)
        assert rows["recommended"].sum() == 1
        chosen = rows.loc[rows["recommended"], "strategy"].item()
        assert chosen == compare(models[name], "jp-draft", a).recommended


def test_compare_profiles_in_processes_matches_one_process_in_order(models):
    """Two worker processes give the same table, row for row, as one (and as compare)."""
    a = StrategyAssumptions(**SMALL_GRID)
    batch = [models["large"], models["small"], models["large"]]
    serial = compare_profiles(batch, "hk", a, workers=1)
    seen = []
    parallel = compare_profiles(
        batch, "hk", a, workers=2, progress=lambda k, n, name: seen.append((k, n, name))
    )
    pd.testing.assert_frame_equal(serial, parallel)
    assert [k for k, _, _ in seen] == [1, 2, 3]
    assert serial["profile"].tolist()[::3] == [m.profile.name for m in batch]
    with pytest.raises(ValueError, match="workers"):
        compare_profiles(batch, "hk", a, workers=0)


def test_compare_profiles_under_draws_carries_each_profiles_ranges(models):
    """With draws, every profile's rows carry the 90% ranges and the recommendation's share of
    draws that compare_with_draws gives for that profile alone (same seeds), in one process or
    two; without draws the columns are absent."""
    from pricing.uncertainty import compare_with_draws, draw_models

    a = StrategyAssumptions(**SMALL_GRID)
    cal = calibrate()
    batch = [models["small"], models["large"]]
    serial = compare_profiles(batch, "hk", a, workers=1, calibration=cal, draws=4, seed=7)
    parallel = compare_profiles(batch, "hk", a, workers=2, calibration=cal, draws=4, seed=7)
    pd.testing.assert_frame_equal(serial, parallel)
    for model in batch:
        alone = compare_with_draws(compare(model, "hk", a), draw_models(model, cal, 4, 7))
        rows = serial[serial["profile"] == model.profile.name].set_index("strategy")
        for s in alone.strategies:
            assert rows.loc[s.name, "total_cost_low"] == pytest.approx(s.total_cost_interval[0])
            assert rows.loc[s.name, "total_cost_high"] == pytest.approx(s.total_cost_interval[1])
            assert rows.loc[s.name, "p_full_low"] == pytest.approx(s.p_full_interval[0])
            assert rows.loc[s.name, "p_full_high"] == pytest.approx(s.p_full_interval[1])
        share = rows.loc[rows["recommended"], "recommended_share_of_draws"].item()
        assert share == pytest.approx(alone.recommended_share)
    plain = compare_profiles(batch, "hk", a, workers=1)
    assert "total_cost_low" not in plain.columns
    with pytest.raises(ValueError, match="calibration"):
        compare_profiles(batch, "hk", a, workers=1, draws=4)


@pytest.mark.parametrize("regime", ["hk", "jp-draft"])
@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_market_mode_premium_is_rate_on_line_times_limit(run, preset, regime):
    """``market_rate_on_line = 0.05``: every strategy's premium is 0.05 × its limit
    (relative 1e-12), and no insurance costs nothing."""
    c = run(preset, regime, market_rate_on_line=0.05)
    for s in c.strategies:
        assert s.components["premium"] == pytest.approx(0.05 * s.limit, rel=REL, abs=0.0)
    assert c.get("reserve_only").components["premium"] == 0


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"target": 0.5}, "target"),
        ({"target": 1.0}, "target"),
        ({"target": math.nan}, "target"),
        ({"principle": "magic"}, "principle"),
        ({"market_rate_on_line": 0.0}, "market_rate_on_line"),
        ({"market_rate_on_line": 1.5}, "market_rate_on_line"),
        ({"market_rate_on_line": math.nan}, "market_rate_on_line"),
        ({"n_retentions": 1}, "n_retentions"),
        ({"n_retentions": 201}, "n_retentions"),
        ({"n_retentions": 20.0}, "n_retentions"),
        ({"n_retentions": True}, "n_retentions"),
        ({"n_limits": 1}, "n_limits"),
        ({"capacity_usd": 0.0}, "capacity_usd"),
        ({"capacity_usd": -1e6}, "capacity_usd"),
        ({"capacity_usd": math.inf}, "capacity_usd"),
        ({"capacity_usd": math.nan}, "capacity_usd"),
        ({"prompt_window_months": -1.0}, "prompt_window_months"),
    ],
)
def test_invalid_assumptions_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=f"'{field}'"):
        StrategyAssumptions(**kwargs)


def test_several_problems_are_reported_together():
    with pytest.raises(ValueError) as err:
        StrategyAssumptions(target=2.0, n_limits=0, capacity_usd=-1.0)
    for field in ("'target'", "'n_limits'", "'capacity_usd'"):
        assert field in str(err.value)


def test_unknown_regime_is_rejected(models):
    with pytest.raises(ValueError, match=r"unknown regime 'atlantis'.*jp-draft"):
        compare(models["small"], "atlantis", StrategyAssumptions(**SMALL_GRID))


# --------------------------------------------------------------------------------------------
# Property
# --------------------------------------------------------------------------------------------
@settings(max_examples=12, deadline=None)
@given(
    preset=st.sampled_from(PRESET_NAMES),
    regime=st.sampled_from(REGIMES),
    target=st.floats(0.9, 0.999),
    dispute=st.floats(0.0, 1.0),
    delay=st.floats(0.0, 24.0),
    default=st.floats(0.0, 0.2),
    recovery=st.floats(0.0, 1.0),
    rol=st.one_of(st.none(), st.floats(0.001, 0.2)),
)
def test_any_valid_assumptions_give_a_sane_comparison(
    models, totals, preset, regime, target, dispute, delay, default, recovery, rol
):
    """For random valid targets, frictions and (optionally) an entered rate on line: the
    recommendation costs no more than reserve only (relative 1e-9) and is placeable, reserve
    only meets the target, every probability is in [0, 1] and every cost component is ≥ 0."""
    frictions = InsuranceFrictions(
        dispute_probability=dispute,
        payment_delay_months=delay,
        insurer_default_probability=default,
        recovery_rate=recovery,
    )
    a = StrategyAssumptions(
        target=target,
        frictions=frictions,
        market_rate_on_line=rol,
        n_retentions=10,
        n_limits=10,
    )
    c = compare(models[preset], regime, a, total=totals[preset])
    best, reserve_only = c.get(c.recommended), c.get("reserve_only")
    assert reserve_only.meets_target and best.meets_target and best.placeable
    assert best.total_cost <= reserve_only.total_cost * (1 + 1e-9)
    for s in c.strategies:
        assert 0 <= s.p_full <= 1 and 0 <= s.p_full_prompt <= 1
        assert all(v >= 0 for v in s.components.values()), (s.name, s.components)
        assert s.total_cost == pytest.approx(sum(s.components.values()), rel=REL)


def test_retained_severity_mean_is_the_closed_form(models):
    """E[R_X] = E[X] − (1 − q)(E[X∧(d+l)] − E[X∧d]) for the dispute mixture (rel 1e-9)."""
    from pricing.coverage import InsuranceFrictions
    from pricing.strategy import retained_severity

    model = models["small"]
    frictions = InsuranceFrictions(dispute_probability=0.2)
    d, l = 1e6, 5e6
    sev = model.severity
    q = 1 - frictions.payment_factor
    expected = sev.mean() - (1 - q) * (sev.lev(d + l) - sev.lev(d))
    assert retained_severity(model, d, l, frictions).mean() == pytest.approx(expected, rel=1e-9)
    assert retained_severity(model, d, 0.0, frictions) is sev


def test_first_year_of_the_projection_matches_the_one_year_protection(run, models):
    """The projection's first-year chance that the reserve runs dry is 1 − p_full of the
    comparison (Monte Carlo, 50,000 paths: 4 standard errors plus a grid allowance of 5e-4),
    and it can only grow over the years."""
    from pricing.strategy import project_strategy

    c = run("small", "jp-draft")
    s = c.get("hybrid")
    p = project_strategy(models["small"], s, c.assumptions.frictions, years=4, n_sims=50_000)
    miss = 1 - s.p_full
    se = math.sqrt(max(miss, 1e-4) * (1 - miss) / 50_000)
    assert p.p_exhausted[0] == pytest.approx(miss, abs=4 * se + 5e-4)
    assert np.all(np.diff(p.p_exhausted) >= 0)
