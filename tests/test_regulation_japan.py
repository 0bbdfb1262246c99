"""Japan: the PSA rules as they stand, the 2027 scenario stacked on them, compensation in kind,
and the Japanese output.

Sources of the worked examples:

- PSA Art. 63-11-2 and Cabinet Office Order Art. 27: hot ≤ 5% of the yen value, own guarantee
  crypto of the same kind and quantity as the hot customer crypto;
- Cabinet Office Ordinance on Financial Instruments Business Art. 175 (as summarised for the
  securities reserve): yearly addition = min(Σ V × r, Σ max V(3 years) × 4 × r − held), rates
  per ¥10,000: equity trading 0.2 (cap 0.8), equity index futures 0.006 (cap 0.024);
- DMM Bitcoin 2024: 4,502.9 BTC ≈ ¥48.2bn stolen, ¥55bn raised to buy them back (Asahi).
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from pricing.exceptions import InputError
from pricing.i18n import fmt_money, glossary, render_minimum, tr
from pricing.profiles import PRESETS
from pricing.regulation import (
    FxRates,
    HotHolding,
    InKindCompensation,
    Jp2027Params,
    JpDraftScenario,
    RegimeInputs,
    dmm_price_factor,
    minimum,
    regime_params,
)

FX = FxRates(jpy=150.0)


def inputs(**kw) -> RegimeInputs:
    values = {"customer_assets_usd": 20e9 / 150.0, "hot_share": 0.05}
    values.update(kw)
    return RegimeInputs(**values)


def req(rule, key):
    (found,) = [q for q in rule.requirements if q.key == key]
    return found


def check(result, startswith):
    found = [passed for text, passed in result.checks if text.startswith(startswith)]
    assert len(found) == 1, result.checks
    return found[0]


# ---- jp: the PSA today -------------------------------------------------------------------------
def test_jp_stacks_ceiling_guarantee_and_fiat_trust():
    r = minimum("jp", inputs(customer_fiat_usd=2e9 / 150.0), fx=FX)
    assert r.currency == "JPY"
    g, t = req(r, "guarantee_crypto"), req(r, "fiat_trust")
    assert g.amount_local == pytest.approx(1e9)  # 5% of ¥20bn, held in kind
    assert g.insurance_counts == "no" and g.in_floor
    assert t.amount_local == pytest.approx(2e9) and t.funded_by == "customer"
    assert r.amount_local == pytest.approx(1e9)  # customer money costs the exchange nothing
    assert check(r, "hot-wallet ceiling")
    assert r.status and r.status[0].startswith("Law:")


def test_jp_ceiling_boundary_and_editable_cap():
    assert check(minimum("jp", inputs(hot_share=0.05)), "hot-wallet ceiling")
    assert not check(minimum("jp", inputs(hot_share=0.0501)), "hot-wallet ceiling")
    loose = regime_params("jp", {"hot_cap": "0.06"})
    assert check(minimum("jp", inputs(hot_share=0.0501), params=loose), "hot-wallet ceiling")


def test_jp_per_asset_in_kind_check():
    holdings = (HotHolding("BTC", 10.0, 10.0, 100_000.0), ("ETH", 200.0, 199.0, 2_500.0))
    r = minimum(
        "jp", inputs(customer_assets_usd=75e6, hot_share=0.02, hot_holdings=holdings), fx=FX
    )
    assert check(r, "in-kind guarantee BTC") and not check(r, "in-kind guarantee ETH")
    assert r.amount_usd == pytest.approx(10 * 100_000 + 200 * 2_500)


# ---- jp-2027: the reform scenario, stacked -----------------------------------------------------
def test_jp_2027_stacks_the_reserve_on_the_rules_that_stay():
    r = minimum("jp-2027", inputs(), fx=FX)
    keys = [q.key for q in r.requirements]
    assert keys == ["guarantee_crypto", "fiat_trust", "liability_reserve"]
    reserve = req(r, "liability_reserve")
    assert reserve.status == "scenario" and reserve.insurance_counts == "partly"
    assert r.amount_local == pytest.approx(
        req(r, "guarantee_crypto").amount_local + reserve.amount_local
    )
    # without volumes or a loss model only the custody share can be computed: 1% of the
    # ¥19bn held cold (the ¥1bn hot float is backed in kind)
    assert reserve.amount_local == pytest.approx(0.01 * 0.95 * 20e9)
    assert any("Not computed: securities, history" in n for n in r.notes)
    assert r.reference_band == (2e9, 40e9)
    status = " ".join(r.status)
    assert "10 Dec 2025" in status and "news aggregator only" in status and "2027" in status


def test_jp_2027_securities_analogue_follows_ordinance_article_175():
    """Spot ¥100bn this year (max ¥150bn over three years) at 0.2 per ¥10,000: the addition is
    ¥2m and the cap 150bn × 4 × 0.2 / 10,000 = ¥12m; with ¥11m held this year's balance is
    min(11m + 2m, 12m) = ¥12m; with ¥5m held it is ¥7m."""
    vol = {"spot": [150e9 / 150, 120e9 / 150, 100e9 / 150]}
    base = Jp2027Params(basis="securities")
    steady = minimum("jp-2027", inputs(trading_volume_usd=vol), fx=FX, params=base)
    parts = {label: a for label, a, _ in steady.components}
    assert parts["securities basis: this year's addition Σ V_c × r_c"] == pytest.approx(2e6)
    assert req(steady, "liability_reserve").amount_local == pytest.approx(12e6)
    for held, expected in [(11e6, 12e6), (5e6, 7e6)]:
        p = dataclasses.replace(base, securities_balance="this_year", reserve_held_jpy=held)
        r = minimum("jp-2027", inputs(trading_volume_usd=vol), fx=FX, params=p)
        assert req(r, "liability_reserve").amount_local == pytest.approx(expected)
    # derivatives at the equity-index-futures rate 0.006 (cap 0.024 = 4 × 0.006)
    deriv = minimum(
        "jp-2027", inputs(trading_volume_usd={"derivatives": 1e12 / 150}), fx=FX, params=base
    )
    assert req(deriv, "liability_reserve").amount_local == pytest.approx(1e12 * 0.024 / 1e4)


def test_jp_2027_bases_and_the_largest_binds():
    vol = {"spot": [12 * 20e9 / 150] * 3}
    r = minimum("jp-2027", inputs(trading_volume_usd=vol, return_period_loss_usd=5e9 / 150), fx=FX)
    assert req(r, "liability_reserve").amount_local == pytest.approx(5e9)  # history binds
    assert "history basis" in r.name or "history" in r.name
    share = minimum(
        "jp-2027",
        inputs(return_period_loss_usd=5e9 / 150),
        fx=FX,
        params=Jp2027Params(basis="custody_share", custody_share=0.02, custody_base="cold"),
    )
    assert req(share, "liability_reserve").amount_local == pytest.approx(0.02 * 0.95 * 20e9)
    with pytest.raises(InputError, match="'basis': securities needs trading volumes"):
        minimum("jp-2027", inputs(), params=Jp2027Params(basis="securities"))


@pytest.mark.parametrize("insurance_jpy", [0.0, 1e8, 5e8, 1e11])
@pytest.mark.parametrize("s_max", [0.0, 0.25, 0.5, 1.0])
def test_jp_2027_insurance_secures_at_most_its_share(insurance_jpy, s_max):
    p = Jp2027Params(basis="custody_share", insurance_share_max=s_max)
    r = minimum("jp-2027", inputs(insurance_limit_usd=insurance_jpy / 150), fx=FX, params=p)
    parts = {label: a for label, a, _ in r.components}
    reserve = parts["R (reserve before insurance credit)"]
    credit = parts["insurance credit min(I_eligible, s_max × R)"]
    assert credit == pytest.approx(min(insurance_jpy, s_max * reserve))
    assert parts["R_cash (cash part)"] == pytest.approx(reserve - credit)
    assert req(r, "liability_reserve").insurance_share_max == s_max


def test_jp_2027_ineligible_insurer_counts_for_nothing():
    for edits in ({"insurer_licensed_in_japan": "false"}, {"insurer_rating": "BBB"}):
        p = regime_params("jp-2027", edits)
        assert not p.insurer_eligible
        reserve = req(minimum("jp-2027", inputs(), params=p), "liability_reserve")
        assert reserve.insurance_share_max == 0.0 and not reserve.layer_counts
    assert regime_params("jp-2027", {"insurer_rating": "A-"}).insurer_eligible


def test_jp_2027_every_default_is_labelled_and_edits_are_marked():
    r = minimum("jp-2027", inputs(trading_volume_usd={"spot": 1e9}), fx=FX)
    assert r.assumptions and all("(default;" in a for a in r.assumptions)
    assert all("assumption" in a for a in r.assumptions)
    edited = minimum("jp-2027", inputs(), params=JpDraftScenario(insurance_share_max=0.3))
    assert any(a.startswith("insurance_share_max = 0.3 (user-set") for a in edited.assumptions)
    for info in Jp2027Params.describe():
        assert info.help and info.allowed


def test_set_changes_the_result():
    base = minimum("jp-2027", inputs())
    more = minimum("jp-2027", inputs(), params=regime_params("jp-2027", {"custody_share": "0.05"}))
    assert more.amount_local > base.amount_local
    assert req(more, "liability_reserve").amount_local == pytest.approx(
        0.05 * 0.95 * inputs().customer_assets_usd * 157.0
    )


# ---- compensation in kind ----------------------------------------------------------------------
def test_dmm_worked_example():
    """¥55bn raised for ¥48.2bn stolen: a factor of 1.141 (Asahi [jp-dmm])."""
    assert dmm_price_factor() == pytest.approx(1.1411, abs=1e-4)
    # a 14% buffer covers a 10-day move at 60% volatility (μ = 0) with probability
    # Φ((ln 1.1411 + 0.18 × 10/365) / (0.6 √(10/365))) = Φ(1.3786) = 0.9160 (by hand)
    f = InKindCompensation(volatility=0.6, delay_days=10)
    p = float(f.cdf_of_product(lambda k: (np.asarray(k) >= 1.0).astype(float), dmm_price_factor()))
    assert p == pytest.approx(0.9160, abs=0.02)  # Gauss-Hermite on a step: coarse
    exact = stats.norm.cdf((math.log(dmm_price_factor()) - f.meanlog) / f.sdlog)
    assert exact == pytest.approx(0.9160, abs=1e-4)


def test_price_factor_is_the_lognormal_of_geometric_brownian_motion():
    f = InKindCompensation(volatility=0.8, delay_days=73, drift=0.1)
    t = 73 / 365
    ref = stats.lognorm(s=0.8 * math.sqrt(t), scale=math.exp((0.1 - 0.32) * t))
    for p in (0.01, 0.5, 0.995):
        assert f.quantile(p) == pytest.approx(ref.ppf(p), rel=1e-12)
    assert f.mean() == pytest.approx(ref.mean(), rel=1e-12)
    x, w = f.factors()
    assert np.dot(w, x) == pytest.approx(ref.mean(), rel=1e-10)
    assert np.dot(w, x**2) == pytest.approx(ref.moment(2), rel=1e-8)


def test_cdf_of_a_loss_times_the_price_factor_against_numerical_integration():
    """P(S·F ≤ k) for an exponential S: Gauss-Hermite against adaptive quadrature (1e-6)."""
    f = InKindCompensation(volatility=0.6, delay_days=30)
    s = stats.expon(scale=1e6)
    logf = stats.norm(f.meanlog, f.sdlog)
    for k in (2e5, 1e6, 5e6):
        ref, _ = integrate.quad(
            lambda z, k=k: s.cdf(k / math.exp(z)) * logf.pdf(z), -12 * f.sdlog, 12 * f.sdlog
        )
        assert float(f.cdf_of_product(s.cdf, k)) == pytest.approx(ref, abs=1e-6)


def test_grid_transform_matches_the_continuous_product():
    f = InKindCompensation(volatility=0.6, delay_days=30)
    h = 1e4
    grid = h * np.arange(4096)
    cdf = stats.expon(scale=1e6).cdf(grid)
    out = f.transform_grid_cdf(cdf[None, :])[0]
    direct = f.cdf_of_product(stats.expon(scale=1e6).cdf, grid)
    assert np.max(np.abs(out - direct)) < 2e-3  # linear interpolation on a 1% grid
    assert np.all(np.diff(out) >= -1e-12)


@settings(max_examples=40, deadline=None)
@given(vol=st.floats(0.0, 2.0), days=st.floats(0.0, 365.0), mu=st.floats(-1.0, 1.0))
def test_price_factor_keeps_its_mean_whatever_the_volatility(vol, days, mu):
    """A martingale price (μ = 0) buys back the coins at the theft value on average; the
    quadrature keeps E[F] = exp(μ t) and the quantiles increase with the level."""
    f = InKindCompensation(volatility=vol, delay_days=days, drift=mu)
    x, w = f.factors()
    assert np.dot(w, x) == pytest.approx(math.exp(mu * days / 365), rel=1e-9)
    qs = [f.quantile(p) for p in (0.1, 0.5, 0.9, 0.995)]
    assert all(b >= a for a, b in itertools.pairwise(qs))


def test_in_kind_parameters_are_validated():
    with pytest.raises(InputError, match="'volatility': must be float in"):
        InKindCompensation(volatility=-0.1)
    with pytest.raises(InputError, match="'delay_days'"):
        InKindCompensation(delay_days=float("nan"))


# ---- yen and Japanese --------------------------------------------------------------------------
def test_japanese_rendering_uses_practitioners_terms_and_yen():
    r = minimum("jp-2027", RegimeInputs.from_profile(PRESETS["jp-small"]))
    text = "\n".join(render_minimum(r, "JPY", lang="ja"))
    for term in (
        "責任準備金",
        "履行保証暗号資産",
        "分別管理",
        "信託保全",
        "日本暗号資産等取引業協会",
        "第一種金融商品取引業",
    ):
        assert term in text
    assert "円" in text and "要件（すべて同時に適用）" in text and "算式" in text and "出典" in text
    for label in ("Requirements (all apply at once)", "Binding total", "Formula:", "Source:"):
        assert label not in text


def test_rendering_converts_to_the_chosen_currency():
    r = minimum("hk", RegimeInputs(customer_assets_usd=100e6, hot_share=0.02))
    text = "\n".join(render_minimum(r, "HKD"))
    assert "HK$397,800,000" in text  # 51m × 7.80
    assert "FX: 7.8 HKD/USD (peg, 1983-10-17)" in text


def test_translation_templates_keep_numbers():
    en = "history basis: 1-in-250-year loss"
    assert tr(en, "ja") == "事故履歴基準：250年に一度の損失"
    assert tr("something not in the catalogue", "ja") == "something not in the catalogue"
    assert fmt_money(1234.4, "EUR") == "€1,234"
    assert {g["ja"] for g in glossary()} >= {"責任準備金", "信託保全", "分別管理"}
