"""Regulatory minimums: worked examples from the domain brief, boundaries, FX, validation.

Reference values are the brief's own illustrations (``/work/shared/domain.md``):

- §2.1 Hong Kong: 2% hot and 98% cold need cover of 0.02 + 0.5 × 0.98 = 51% of client crypto;
- §2.2 MiCA: a large exchange with €40m of fixed overheads needs €10m;
- §4.10 Korea: the ₩3bn / ₩0.5bn floors bind small exchanges;
- §1.1 Japan: hot ≤ 5% of the yen value of customer crypto;
- §4.10 Japan draft: a ¥2bn floor is 10% of ¥20bn of customer assets and 0.04% of ¥5tn.
"""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.profiles import PRESETS
from pricing.regulation import (
    DEFAULT_FX,
    INSURANCE_COUNTS,
    REFERENCES,
    REGIMES,
    FxRates,
    HotHolding,
    JpDraftScenario,
    RegimeInputs,
    RegulatoryMinimum,
    mica_fixed_overheads,
    minimum,
)

# Round rates so that worked examples are exact in local currency.
FX = FxRates(jpy=150.0, eur=0.8, krw=1000.0, aed=4.0, sgd=1.25)


def inputs(**kw) -> RegimeInputs:
    values = {"customer_assets_usd": 100e6, "hot_share": 0.02}
    values.update(kw)
    return RegimeInputs(**values)


def check(result: RegulatoryMinimum, startswith: str) -> bool:
    found = [passed for text, passed in result.checks if text.startswith(startswith)]
    assert len(found) == 1, f"no single check starting {startswith!r} in {result.checks}"
    return found[0]


# ---- Hong Kong (§2.1) --------------------------------------------------------------------------
def test_hk_two_percent_hot_needs_51_percent_of_client_crypto():
    """§2.1: 1.0 × 0.02 + 0.5 × 0.98 = 0.51 of client crypto [33][34]."""
    r = minimum("hk", inputs(customer_assets_usd=100e6, hot_share=0.02))
    assert r.amount_usd == pytest.approx(51e6)
    assert r.amount_local == r.amount_usd and r.currency == "USD"
    assert r.insurance_counts == "yes"
    assert check(r, "cold storage ≥ 98%")
    assert "1.0 × 2,000,000 + 0.5 × 98,000,000 = 51,000,000 USD" == r.formula_substituted
    assert {ref.ref for ref in r.source} >= {"[33]", "[34]"}


def test_hk_cold_share_boundary():
    assert check(minimum("hk", inputs(hot_share=0.02)), "cold storage ≥ 98%")
    assert not check(minimum("hk", inputs(hot_share=0.0201)), "cold storage ≥ 98%")


def test_hk_cover_check_sums_insurance_trust_and_guarantee():
    need = 51e6
    exact = minimum(
        "hk", inputs(insurance_limit_usd=30e6, trust_funds_usd=20e6, bank_guarantee_usd=1e6)
    )
    assert check(exact, "compensation cover")
    short = minimum(
        "hk",
        inputs(
            insurance_limit_usd=30e6, trust_funds_usd=20e6, bank_guarantee_usd=need - 50e6 - 1.0
        ),
    )
    assert not check(short, "compensation cover")
    # no cover entered: no cover check at all
    assert [t for t, _ in minimum("hk", inputs()).checks if "cover" in t] == []


# ---- EU MiCA (§2.2) ----------------------------------------------------------------------------
def test_mica_large_exchange_40m_overheads_needs_10m():
    """§2.2 illustration: max(€150k, 0.25 × €40m) = €10m [38]."""
    r = minimum("mica", inputs(fixed_overheads_usd=40e6 / FX.eur), fx=FX)
    assert r.currency == "EUR"
    assert r.amount_local == pytest.approx(10e6)
    assert r.amount_usd == pytest.approx(10e6 / FX.eur)
    assert r.insurance_counts == "yes"


@pytest.mark.parametrize(("cls", "floor"), [(1, 50e3), (2, 125e3), (3, 150e3)])
def test_mica_class_minimum_binds_with_small_overheads(cls, floor):
    r = minimum("mica", inputs(mica_class=cls, fixed_overheads_usd=0.0), fx=FX)
    assert r.amount_local == floor
    assert any("not entered" in n for n in r.notes)
    # at 4 × the class minimum both terms are equal
    r = minimum("mica", inputs(mica_class=cls, fixed_overheads_usd=4 * floor / FX.eur), fx=FX)
    assert r.amount_local == pytest.approx(floor)


def test_mica_own_funds_plus_insurance_check():
    kw = {"fixed_overheads_usd": 40e6 / FX.eur}
    assert check(
        minimum(
            "mica",
            inputs(own_funds_usd=6e6 / FX.eur, insurance_limit_usd=4e6 / FX.eur, **kw),
            fx=FX,
        ),
        "own funds and insurance",
    )
    assert not check(
        minimum(
            "mica",
            inputs(own_funds_usd=5e6 / FX.eur, insurance_limit_usd=4e6 / FX.eur, **kw),
            fx=FX,
        ),
        "own funds and insurance",
    )


def test_mica_fixed_overheads_deductions():
    assert (
        mica_fixed_overheads(
            100.0,
            profit_linked_bonuses=10.0,
            profit_shares=5.0,
            discretionary_appropriations=3.0,
            non_recurring_expenses=2.0,
        )
        == 80.0
    )
    with pytest.raises(ValueError, match="'profit_shares' must be ≥ 0"):
        mica_fixed_overheads(100.0, profit_shares=-1.0)
    with pytest.raises(ValueError, match="exceed 'total_expenses'"):
        mica_fixed_overheads(10.0, non_recurring_expenses=11.0)


# ---- South Korea (§2.3, §4.10) -----------------------------------------------------------------
def test_korea_floors_bind_small_exchanges():
    """§4.10: for a small exchange 5% of hot is below the floor [43][44]."""
    small = inputs(customer_assets_usd=130e6, hot_share=0.05)  # V_hot ₩6.5bn, 5% = ₩325m
    krw = minimum("kr", small, fx=FX)
    assert krw.currency == "KRW" and krw.amount_local == 3e9
    coin = minimum("kr", dataclasses.replace(small, krw_market=False), fx=FX)
    assert coin.amount_local == 0.5e9
    assert coin.amount_usd == pytest.approx(0.5e9 / FX.krw)


def test_korea_five_percent_binds_large_exchanges_and_the_crossover():
    big = minimum("kr", inputs(customer_assets_usd=20e9, hot_share=0.02), fx=FX)
    assert big.amount_local == pytest.approx(0.05 * 20e9 * 0.02 * FX.krw)  # ₩20bn
    # 0.05 × V_hot = ₩3bn exactly at V_hot = ₩60bn
    edge = minimum("kr", inputs(customer_assets_usd=60e9 / FX.krw, hot_share=1.0), fx=FX)
    assert edge.amount_local == pytest.approx(3e9)


def test_korea_cold_80_percent_boundary_and_cover():
    assert check(minimum("kr", inputs(hot_share=0.20)), "cold storage ≥ 80%")
    assert not check(minimum("kr", inputs(hot_share=0.2001)), "cold storage ≥ 80%")
    covered = minimum("kr", inputs(insurance_limit_usd=2e6, own_funds_usd=1e6), fx=FX)
    assert check(covered, "insurance or reserve")  # ₩2bn + ₩1bn = ₩3bn floor
    assert not check(minimum("kr", inputs(insurance_limit_usd=2e6), fx=FX), "insurance or reserve")


# ---- Japan, current PSA (§1.1) -----------------------------------------------------------------
def test_japan_five_percent_ceiling_boundary():
    assert check(minimum("jp", inputs(hot_share=0.05)), "hot-wallet ceiling")
    assert not check(minimum("jp", inputs(hot_share=0.0501)), "hot-wallet ceiling")


def test_japan_guarantee_equals_hot_float_in_yen_and_insurance_does_not_count():
    r = minimum("jp", inputs(customer_assets_usd=20e9 / 150.0, hot_share=0.05), fx=FX)
    assert r.currency == "JPY"
    assert r.amount_local == pytest.approx(1e9)  # 5% of ¥20bn
    assert r.insurance_counts == "no"
    assert any("per-asset check" in n for n in r.notes)


def test_japan_per_asset_in_kind_check():
    holdings = (HotHolding("BTC", 10.0, 10.0, 100_000.0), ("ETH", 200.0, 199.0, 2_500.0))
    r = minimum(
        "jp", inputs(customer_assets_usd=75e6, hot_share=0.02, hot_holdings=holdings), fx=FX
    )
    assert check(r, "in-kind guarantee BTC")
    assert not check(r, "in-kind guarantee ETH")
    assert r.amount_usd == pytest.approx(10 * 100_000 + 200 * 2_500)  # 1.5m = 2% of 75m
    assert not any("add up to" in n for n in r.notes)
    held = dict((label, a) for label, a, _ in r.components)["guarantee crypto held (yen value)"]
    assert held == pytest.approx((10 * 100_000 + 199 * 2_500) * FX.jpy)
    mismatch = minimum("jp", inputs(customer_assets_usd=1e9, hot_holdings=holdings), fx=FX)
    assert any("add up to" in n for n in mismatch.notes)


# ---- Japan, planned reserve (§1.3, §5 item 2, §4.10) -------------------------------------------
def test_jp_draft_floor_is_10_percent_of_small_and_0_04_percent_of_large():
    """§4.10: a ¥2bn floor is 10% of ¥20bn but 0.04% of ¥5tn (illustrative)."""
    sc = JpDraftScenario(style="history")
    for assets_jpy, ratio in [(20e9, 0.10), (5e12, 0.0004)]:
        r = minimum("jp-draft", inputs(customer_assets_usd=assets_jpy / FX.jpy), fx=FX, scenario=sc)
        assert r.amount_local == pytest.approx(2e9)
        assert r.amount_local / assets_jpy == pytest.approx(ratio)


def test_jp_draft_is_a_scenario_with_a_reference_band():
    r = minimum("jp-draft", inputs(), fx=FX)
    assert r.reference_band == (2e9, 40e9)
    assert r.reference_band_usd == pytest.approx((2e9 / FX.jpy, 40e9 / FX.jpy))
    assert r.insurance_counts == "partly"
    assert any("SCENARIO, NOT LAW" in n for n in r.notes)
    assert any("reference_band for context only" in n for n in r.notes)
    assert r.assumptions and all("default" in a for a in r.assumptions)
    assert any(a.startswith("insurance_share_max = 0.5 (default") for a in r.assumptions)
    edited = minimum("jp-draft", inputs(), fx=FX, scenario=JpDraftScenario(insurance_share_max=0.3))
    assert any(a.startswith("insurance_share_max = 0.3 (user-set") for a in edited.assumptions)


def test_jp_draft_exposure_style_by_hand():
    sc = JpDraftScenario(
        style="exposure",
        floor_jpy=0.0,
        alpha_cold=0.02,
        beta_hot_uncovered=1.0,
        hot_in_kind_share=0.25,
    )
    r = minimum("jp-draft", inputs(customer_assets_usd=1e9, hot_share=0.04), fx=FX, scenario=sc)
    cold, hot = 0.96e9 * FX.jpy, 0.04e9 * FX.jpy
    assert r.amount_local == pytest.approx(0.02 * cold + 1.0 * 0.75 * hot)


def test_jp_draft_securities_style_and_cap():
    vol = {"spot": 10e9, "derivatives": 5e9}  # USD per year
    sc = JpDraftScenario(
        style="securities", volume_rates={"spot": 1e-4, "derivatives": 2e-4}, accident_loading=0.5
    )
    r = minimum("jp-draft", inputs(trading_volume_usd=vol), fx=FX, scenario=sc)
    expected = 1.5 * (1e-4 * 10e9 + 2e-4 * 5e9) * FX.jpy  # ¥450m
    assert r.amount_local == pytest.approx(expected)
    assert any("user-entered" in a for a in r.assumptions)
    capped = minimum(
        "jp-draft",
        inputs(trading_volume_usd=vol),
        fx=FX,
        scenario=dataclasses.replace(sc, cap_jpy=1e8),
    )
    assert capped.amount_local == 1e8


def test_jp_draft_securities_style_needs_user_rates_and_volumes():
    sc = JpDraftScenario(style="securities", volume_rates={"spot": 1e-4})
    with pytest.raises(ValueError, match="'volume_rates' has no rate for derivatives"):
        minimum(
            "jp-draft", inputs(trading_volume_usd={"spot": 1e9, "derivatives": 1e9}), scenario=sc
        )
    with pytest.raises(ValueError, match="'trading_volume_usd'"):
        minimum("jp-draft", inputs(), scenario=sc)


@pytest.mark.parametrize("insurance_usd", [0.0, 1e6, 5e6, 1e9])
@pytest.mark.parametrize("s_max", [0.0, 0.25, 0.5, 1.0])
def test_jp_draft_insurance_credit_is_bounded_by_s_max(insurance_usd, s_max):
    sc = JpDraftScenario(style="history", multiple=2.0, insurance_share_max=s_max)
    r = minimum(
        "jp-draft",
        inputs(worst_loss_usd=50e6, insurance_limit_usd=insurance_usd),
        fx=FX,
        scenario=sc,
    )
    parts = {label: a for label, a, _ in r.components}
    reserve = r.amount_local
    assert reserve == pytest.approx(2.0 * 50e6 * FX.jpy)  # ¥15bn
    credit = parts["insurance credit min(I_eligible, s_max × R)"]
    cash = parts["R_cash (cash part)"]
    assert credit == pytest.approx(min(insurance_usd * FX.jpy, s_max * reserve))
    assert credit <= s_max * reserve + 1e-6
    assert cash == pytest.approx(reserve - credit)
    assert cash >= (1 - s_max) * reserve - 1e-6


def test_jp_draft_cash_reserve_check():
    sc = JpDraftScenario(style="history", insurance_share_max=0.5)
    r = minimum(
        "jp-draft", inputs(insurance_limit_usd=1e9, own_funds_usd=1e9 / FX.jpy), fx=FX, scenario=sc
    )  # R ¥2bn, credit ¥1bn, cash ¥1bn
    assert check(r, "scenario only: cash reserve")
    r = minimum(
        "jp-draft",
        inputs(insurance_limit_usd=1e9, own_funds_usd=0.9e9 / FX.jpy),
        fx=FX,
        scenario=sc,
    )
    assert not check(r, "scenario only: cash reserve")


# ---- Dubai VARA (§2.5) -------------------------------------------------------------------------
def test_vara_paid_up_capital_and_required_crime_cover():
    r = minimum("vara", inputs(fixed_overheads_usd=0.0), fx=FX)
    assert r.currency == "AED" and r.amount_local == 1.5e6
    assert r.insurance_counts == "required"
    assert minimum("vara", inputs(fixed_overheads_usd=10e6), fx=FX).amount_local == (
        pytest.approx(0.25 * 10e6 * FX.aed)
    )
    custodian = inputs(uses_licensed_custodian=True)
    assert minimum("vara", custodian, fx=FX).amount_local == 0.8e6
    assert minimum(
        "vara", dataclasses.replace(custodian, fixed_overheads_usd=10e6), fx=FX
    ).amount_local == pytest.approx(0.15 * 10e6 * FX.aed)
    parts = {label: a for label, a, _ in r.components}
    assert parts["required crime insurance limit (all hot-wallet VAs)"] == pytest.approx(
        2e6 * FX.aed
    )


def test_vara_crime_insurance_boundary():
    assert check(minimum("vara", inputs(insurance_limit_usd=2e6), fx=FX), "crime insurance")
    assert not check(minimum("vara", inputs(insurance_limit_usd=1.99e6), fx=FX), "crime insurance")


# ---- Singapore (§2.4) --------------------------------------------------------------------------
def test_singapore_security_deposit_by_monthly_volume():
    at_limit = minimum("sg", inputs(avg_monthly_volume_usd=6e6 / FX.sgd), fx=FX)
    assert at_limit.currency == "SGD" and at_limit.amount_local == 250e3 + 100e3
    above = minimum("sg", inputs(avg_monthly_volume_usd=6.01e6 / FX.sgd), fx=FX)
    assert above.amount_local == 250e3 + 200e3
    unknown = minimum("sg", inputs(), fx=FX)
    assert unknown.amount_local == 450e3
    assert any("not entered" in n for n in unknown.notes)
    assert at_limit.insurance_counts == "no"


def test_singapore_cold_90_percent_boundary():
    assert check(minimum("sg", inputs(hot_share=0.10)), "cold storage ≥ 90%")
    assert not check(minimum("sg", inputs(hot_share=0.1001)), "cold storage ≥ 90%")


# ---- FX ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("currency", ["USD", "JPY", "EUR", "KRW", "AED", "SGD", "jpy"])
def test_fx_round_trip(currency):
    for fx in (DEFAULT_FX, FX):
        assert fx.to_usd(fx.from_usd(123.456e6, currency), currency) == pytest.approx(123.456e6)


@pytest.mark.parametrize("code", list(REGIMES))
def test_every_result_converts_with_its_own_rate(code):
    r = minimum(code, inputs(fixed_overheads_usd=3e6, worst_loss_usd=1e7), fx=FX)
    assert r.amount_usd * FX.rate(r.currency) == pytest.approx(r.amount_local)
    for _, local, usd in r.components:
        assert usd * FX.rate(r.currency) == pytest.approx(local)


def test_default_fx_is_flagged_and_custom_fx_is_not():
    assert DEFAULT_FX.is_default and not FX.is_default
    assert any("default assumption" in n for n in minimum("kr", inputs()).notes)
    assert not any("default assumption" in n for n in minimum("kr", inputs(), fx=FX).notes)
    assert not any("default assumption" in n for n in minimum("hk", inputs()).notes)  # USD


def test_fx_validation_names_the_field():
    with pytest.raises(ValueError, match="'krw' must be > 0"):
        FxRates(krw=0.0)
    with pytest.raises(ValueError, match="'eur' must be a finite number"):
        FxRates(eur=float("inf"))
    with pytest.raises(ValueError, match="'currency' must be one of"):
        FX.rate("HKD")


# ---- validation, dispatch, serialisation -------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("customer_assets_usd", -1.0, "'customer_assets_usd' must be ≥ 0"),
        ("customer_assets_usd", float("nan"), "'customer_assets_usd' must be a finite number"),
        ("hot_share", 1.2, "'hot_share' must be between 0 and 1"),
        ("fixed_overheads_usd", -5.0, "'fixed_overheads_usd' must be ≥ 0"),
        ("mica_class", 4, "'mica_class' must be 1, 2 or 3"),
        ("krw_market", "yes", "'krw_market' must be true or false"),
        ("uses_licensed_custodian", 1, "'uses_licensed_custodian' must be true or false"),
        ("avg_monthly_volume_usd", -1.0, "'avg_monthly_volume_usd' must be ≥ 0"),
        ("insurance_limit_usd", "1e6", "'insurance_limit_usd' must be a finite number"),
        ("worst_loss_usd", -1.0, "'worst_loss_usd' must be ≥ 0"),
        ("trading_volume_usd", {"spot": -1.0}, r"'trading_volume_usd\[spot\]' must be"),
        ("hot_holdings", (("BTC", 1.0, 1.0, -5.0),), r"'hot_holdings\[0\].price_usd' must be"),
        ("hot_holdings", ("BTC",), r"'hot_holdings\[0\]' must be a HotHolding"),
    ],
)
def test_invalid_inputs_name_the_field(field, value, message):
    with pytest.raises(ValueError, match=message):
        inputs(**{field: value})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("style", "vibes", "'style' must be one of securities, exposure, history"),
        ("insurance_share_max", 1.5, "'insurance_share_max' must be between 0 and 1"),
        ("hot_in_kind_share", -0.1, "'hot_in_kind_share' must be between 0 and 1"),
        ("alpha_cold", -0.01, "'alpha_cold' must be ≥ 0"),
        ("floor_jpy", float("nan"), "'floor_jpy' must be a finite number"),
        ("history_years", 0, "'history_years' must be a whole number ≥ 1"),
        ("volume_rates", {"spot": "high"}, r"'volume_rates\[spot\]' must be"),
    ],
)
def test_invalid_scenario_names_the_field(field, value, message):
    with pytest.raises(ValueError, match=message):
        JpDraftScenario(**{field: value})


def test_unknown_regime_lists_valid_codes():
    with pytest.raises(ValueError, match="unknown regime 'us'") as info:
        minimum("us", inputs())
    for code in ("jp", "jp-draft", "hk", "mica", "kr", "vara", "sg"):
        assert code in str(info.value)


def test_wrong_argument_types_are_rejected():
    with pytest.raises(ValueError, match="'scenario' must be JpDraftScenario"):
        minimum("jp-draft", inputs(), scenario={"style": "history"})
    with pytest.raises(ValueError, match="'inputs' must be RegimeInputs"):
        minimum("hk", {"customer_assets_usd": 1.0})
    with pytest.raises(ValueError, match="'fx' must be FxRates"):
        minimum("hk", inputs(), fx={"jpy": 150})


def test_scenario_is_ignored_by_other_regimes():
    sc = JpDraftScenario(style="history")
    assert minimum("hk", inputs(), scenario=sc) == minimum("hk", inputs())


def test_from_profile_and_overrides():
    profile = PRESETS["small"]
    got = RegimeInputs.from_profile(profile, krw_market=False, fixed_overheads_usd=1e6)
    assert got.customer_assets_usd == profile.customer_assets_usd
    assert got.hot_share == profile.hot_share
    assert got.krw_market is False and got.fixed_overheads_usd == 1e6
    assert RegimeInputs.from_profile(profile, hot_share=0.01).hot_share == 0.01
    with pytest.raises(ValueError, match="unknown field 'colour'"):
        RegimeInputs.from_profile(profile, colour="blue")
    with pytest.raises(ValueError, match="'hot_share' must be between 0 and 1"):
        RegimeInputs.from_profile(profile, hot_share=2.0)


def test_inputs_are_frozen_hashable_and_normalised():
    a = inputs(trading_volume_usd={"spot": 1e9}, hot_holdings=[("BTC", 1, 1, 1e5)])
    b = inputs(trading_volume_usd=(("spot", 1e9),), hot_holdings=(HotHolding("BTC", 1, 1, 1e5),))
    assert a == b and hash(a) == hash(b)
    assert hash(JpDraftScenario(volume_rates={"spot": 1e-4}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.hot_share = 0.5  # type: ignore[misc]


@pytest.mark.parametrize("code", list(REGIMES))
def test_results_are_complete_serialisable_and_printable(code):
    r = minimum(
        code,
        RegimeInputs.from_profile(
            PRESETS["large"],
            fixed_overheads_usd=40e6,
            worst_loss_usd=300e6,
            insurance_limit_usd=1e8,
        ),
    )
    assert r.regime == code
    assert r.insurance_counts in INSURANCE_COUNTS
    assert r.formula and r.formula_substituted and r.inputs and r.source
    assert all(ref.ref in REFERENCES and ref.urls for ref in r.source)
    data = json.loads(json.dumps(r.to_dict()))
    assert data["regime"] == code and data["amount_local"] == pytest.approx(r.amount_local)
    assert data["as_of"] is None or len(data["as_of"]) == 10
    lines = r.summary()
    assert lines[0].startswith(r.name) and any(line.startswith("Formula:") for line in lines)
    assert (code == "jp-draft") == (r.reference_band is not None)


def test_regulatory_minimum_rejects_bad_insurance_counts():
    r = minimum("hk", inputs())
    with pytest.raises(ValueError, match="'insurance_counts' must be one of"):
        dataclasses.replace(r, insurance_counts="maybe")


# ---- properties --------------------------------------------------------------------------------
assets = st.floats(min_value=0.0, max_value=1e12, allow_nan=False)
shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
money = st.floats(min_value=0.0, max_value=1e10, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    a=assets,
    h=shares,
    foh=money,
    loss=money,
    ins=money,
    krw=st.booleans(),
    cust=st.booleans(),
    vol=st.none() | money,
    code=st.sampled_from(sorted(REGIMES)),
)
def test_every_minimum_is_non_negative_and_finite(a, h, foh, loss, ins, krw, cust, vol, code):
    r = minimum(
        code,
        RegimeInputs(
            customer_assets_usd=a,
            hot_share=h,
            fixed_overheads_usd=foh,
            worst_loss_usd=loss,
            insurance_limit_usd=ins,
            krw_market=krw,
            uses_licensed_custodian=cust,
            avg_monthly_volume_usd=vol,
        ),
    )
    assert r.amount_local >= 0 and r.amount_usd >= 0
    assert math.isfinite(r.amount_local) and math.isfinite(r.amount_usd)
    assert all(local >= 0 for _, local, _ in r.components)


@settings(max_examples=150, deadline=None)
@given(
    a=assets,
    b=assets,
    h=shares,
    krw=st.booleans(),
    code=st.sampled_from(["hk", "kr", "jp", "jp-draft"]),
)
def test_minimum_is_monotone_in_customer_assets(a, b, h, krw, code):
    low, high = sorted((a, b))
    r_low = minimum(code, RegimeInputs(customer_assets_usd=low, hot_share=h, krw_market=krw))
    r_high = minimum(code, RegimeInputs(customer_assets_usd=high, hot_share=h, krw_market=krw))
    assert r_low.amount_local <= r_high.amount_local * (1 + 1e-12)


@settings(max_examples=100, deadline=None)
@given(a=assets, h=shares, ins=money, s_max=shares, style=st.sampled_from(["exposure", "history"]))
def test_jp_draft_cash_part_never_below_one_minus_s_max(a, h, ins, s_max, style):
    sc = JpDraftScenario(style=style, insurance_share_max=s_max)
    r = minimum(
        "jp-draft",
        RegimeInputs(
            customer_assets_usd=a, hot_share=h, worst_loss_usd=a / 10, insurance_limit_usd=ins
        ),
        scenario=sc,
    )
    cash = dict((label, x) for label, x, _ in r.components)["R_cash (cash part)"]
    slack = 1e-9 * r.amount_local  # floating-point rounding of R − s_max·R
    assert (1 - s_max) * r.amount_local - slack <= cash <= r.amount_local + slack
