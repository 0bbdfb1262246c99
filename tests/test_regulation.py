"""Regulatory minimums: worked examples against their sources, boundaries, FX, validation.

Reference values are the sources' own rules and illustrations:

- Hong Kong, SFC VATP Guidelines (Sidley [33]): 2% hot and 98% cold need cover of
  0.02 + 0.5 × 0.98 = 51% of client crypto;
- MiCA Art. 67 and Annex IV [38]: max(€50k/€125k/€150k, ¼ of fixed overheads), so €40m of
  overheads need €10m;
- Korea, decree draft [43][44]: max(5% of hot, ₩3bn / ₩0.5bn);
- Dubai, VARA Rulebook VI.B [52] and VI.D.1(c) [51]: max(AED 1.5m, 25% FOH) and crime cover
  of all hot-wallet VAs;
- Singapore, PS Regulations 12-13 [49]: S$250k + S$100k/S$200k.
"""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.exceptions import InputError
from pricing.profiles import PRESETS
from pricing.regulation import (
    ALIASES,
    CURRENCIES,
    DEFAULT_FX,
    FX_TABLE,
    INSURANCE_COUNTS,
    REFERENCES,
    REGIMES,
    FxRates,
    RegimeInputs,
    RegulatoryMinimum,
    mica_fixed_overheads,
    minimum,
    minimums,
    regime_params,
)

# Round rates so that worked examples are exact in local currency.
FX = FxRates(jpy=150.0, hkd=8.0, eur=0.8, krw=1000.0, aed=4.0, sgd=1.25)


def inputs(**kw) -> RegimeInputs:
    values = {"customer_assets_usd": 100e6, "hot_share": 0.02}
    values.update(kw)
    return RegimeInputs(**values)


def check(result: RegulatoryMinimum, startswith: str) -> bool:
    found = [passed for text, passed in result.checks if text.startswith(startswith)]
    assert len(found) == 1, f"no single check starting {startswith!r} in {result.checks}"
    return found[0]


# ---- Hong Kong ---------------------------------------------------------------------------------
def test_hk_two_percent_hot_needs_51_percent_of_client_crypto():
    """SFC: 1.0 × 0.02 + 0.5 × 0.98 = 0.51 of client crypto [33][34]."""
    r = minimum("hk", inputs(customer_assets_usd=100e6, hot_share=0.02))
    assert r.amount_usd == pytest.approx(51e6)
    assert r.amount_local == r.amount_usd and r.currency == "USD"
    assert r.insurance_counts == "yes"
    assert check(r, "cold storage ≥ 98%")
    assert r.formula_substituted == "1 × 2,000,000 + 0.5 × 98,000,000 = 51,000,000 USD"
    assert {ref.ref for ref in r.source} >= {"[33]", "[34]", "[hk-custody]"}
    assert any("15 Aug 2025" in n for n in r.notes)


def test_hk_cold_share_boundary_and_cover():
    assert check(minimum("hk", inputs(hot_share=0.02)), "cold storage ≥ 98%")
    assert not check(minimum("hk", inputs(hot_share=0.0201)), "cold storage ≥ 98%")
    ok = inputs(insurance_limit_usd=30e6, trust_funds_usd=20e6, bank_guarantee_usd=1e6)
    assert check(minimum("hk", ok), "compensation cover")
    short = dataclasses.replace(ok, bank_guarantee_usd=1e6 - 1.0)
    assert not check(minimum("hk", short), "compensation cover")
    assert [t for t, _ in minimum("hk", inputs()).checks if "cover" in t] == []


def test_hk_parameters_change_the_split():
    p = regime_params("hk", {"cold_cover_share": "0.6", "hot_cover_share": "1"})
    r = minimum("hk", inputs(), params=p)
    assert r.amount_usd == pytest.approx(2e6 + 0.6 * 98e6)
    assert ("cold_cover_share", 0.6, "user-set") in r.parameters


# ---- EU MiCA -----------------------------------------------------------------------------------
def test_mica_large_exchange_40m_overheads_needs_10m():
    """max(€150k, 0.25 × €40m) = €10m [38]."""
    r = minimum("mica", inputs(fixed_overheads_usd=40e6 / FX.eur), fx=FX)
    assert r.currency == "EUR"
    assert r.amount_local == pytest.approx(10e6)
    assert r.amount_usd == pytest.approx(10e6 / FX.eur)


@pytest.mark.parametrize(("cls", "floor"), [(1, 50e3), (2, 125e3), (3, 150e3)])
def test_mica_class_minimum_binds_with_small_overheads(cls, floor):
    r = minimum("mica", inputs(mica_class=cls, fixed_overheads_usd=0.0), fx=FX)
    assert r.amount_local == floor
    assert any("not entered" in n for n in r.notes)
    r = minimum("mica", inputs(mica_class=cls, fixed_overheads_usd=4 * floor / FX.eur), fx=FX)
    assert r.amount_local == pytest.approx(floor)


def test_mica_takes_fixed_overheads_from_the_profile():
    profile = dataclasses.replace(PRESETS["large"], fixed_overheads_usd=40e6 / DEFAULT_FX.eur)
    r = minimum("mica", RegimeInputs.from_profile(profile))
    assert r.amount_local == pytest.approx(10e6)


def test_mica_only_a_pi_policy_counts_not_a_crime_layer():
    """Art. 67(5)-(6): a PI-type policy replaces own funds; the crime layer does not."""
    r = minimum("mica", inputs(fixed_overheads_usd=40e6 / FX.eur), fx=FX)
    (req,) = r.requirements
    assert req.insurance_counts == "yes" and req.layer_counts is False
    pi = regime_params("mica", {"pi_policy_limit_eur": "4e6"})
    reduced = minimum("mica", inputs(fixed_overheads_usd=40e6 / FX.eur), fx=FX, params=pi)
    assert reduced.amount_local == pytest.approx(6e6)


def test_mica_cover_check_and_fixed_overheads_deductions():
    kw = {"fixed_overheads_usd": 40e6 / FX.eur}
    good = inputs(own_funds_usd=6e6 / FX.eur, insurance_limit_usd=4e6 / FX.eur, **kw)
    assert check(minimum("mica", good, fx=FX), "own funds and insurance")
    bad = dataclasses.replace(good, own_funds_usd=5e6 / FX.eur)
    assert not check(minimum("mica", bad, fx=FX), "own funds and insurance")
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
    with pytest.raises(InputError, match="profit_shares"):
        mica_fixed_overheads(100.0, profit_shares=-1.0)
    with pytest.raises(InputError, match="smaller than the deductions"):
        mica_fixed_overheads(10.0, non_recurring_expenses=11.0)


# ---- South Korea -------------------------------------------------------------------------------
def test_korea_floors_bind_small_exchanges():
    small = inputs(customer_assets_usd=130e6, hot_share=0.05)  # 5% of ₩6.5bn = ₩325m
    assert minimum("kr", small, fx=FX).amount_local == 3e9
    coin = minimum("kr", dataclasses.replace(small, krw_market=False), fx=FX)
    assert coin.amount_local == 0.5e9 and coin.amount_usd == pytest.approx(0.5e9 / FX.krw)


def test_korea_five_percent_binds_large_exchanges_and_the_crossover():
    big = minimum("kr", inputs(customer_assets_usd=20e9, hot_share=0.02), fx=FX)
    assert big.amount_local == pytest.approx(0.05 * 20e9 * 0.02 * FX.krw)
    edge = minimum("kr", inputs(customer_assets_usd=60e9 / FX.krw, hot_share=1.0), fx=FX)
    assert edge.amount_local == pytest.approx(3e9)


def test_korea_reference_notes_and_proposed_fine():
    r = minimum("kr", inputs(annual_revenue_usd=1e9), fx=FX)
    parts = {label: a for label, a, _ in r.components}
    assert parts["proposed largest fine (share of revenue; not law)"] == pytest.approx(0.03 * 1e12)
    text = " ".join(r.notes)
    assert "₩100bn" in text and "₩48.3bn" in text and "3% of annual revenue" in text
    assert any(s.startswith("Proposal:") for s in r.status)
    assert check(minimum("kr", inputs(hot_share=0.20)), "cold storage ≥ 80%")
    assert not check(minimum("kr", inputs(hot_share=0.2001)), "cold storage ≥ 80%")


# ---- Dubai VARA --------------------------------------------------------------------------------
def test_vara_paid_up_capital_and_required_crime_cover():
    r = minimum("vara", inputs(), fx=FX)
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
    (crime,) = r.required_insurance
    assert crime.funded_by == "insurance" and crime.amount_usd == pytest.approx(2e6)
    assert check(minimum("vara", inputs(insurance_limit_usd=2e6), fx=FX), "crime insurance")
    assert not check(minimum("vara", inputs(insurance_limit_usd=1.99e6), fx=FX), "crime")


# ---- Singapore ---------------------------------------------------------------------------------
def test_singapore_security_deposit_by_monthly_volume():
    at_limit = minimum("sg", inputs(avg_monthly_volume_usd=6e6 / FX.sgd), fx=FX)
    assert at_limit.currency == "SGD" and at_limit.amount_local == 250e3 + 100e3
    above = minimum("sg", inputs(avg_monthly_volume_usd=6.01e6 / FX.sgd), fx=FX)
    assert above.amount_local == 250e3 + 200e3
    unknown = minimum("sg", inputs(), fx=FX)
    assert unknown.amount_local == 450e3 and any("not entered" in n for n in unknown.notes)
    assert check(minimum("sg", inputs(hot_share=0.10)), "cold storage ≥ 90%")
    assert not check(minimum("sg", inputs(hot_share=0.1001)), "cold storage ≥ 90%")


# ---- several jurisdictions ---------------------------------------------------------------------
def test_an_exchange_licensed_in_several_places_gets_every_rule():
    rules = minimums("jp-2027", inputs(), ["jp", "hk", "eu", "other"], FX)
    assert [r.regime for r in rules] == ["jp-2027", "hk", "mica"]
    assert [r.regime for r in minimums("hk", inputs(), ["hk"], FX)] == ["hk"]


# ---- FX ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("currency", [*CURRENCIES, "jpy"])
def test_fx_round_trip_and_dates(currency):
    for fx in (DEFAULT_FX, FX):
        assert fx.to_usd(fx.from_usd(123.456e6, currency), currency) == pytest.approx(123.456e6)
    if currency.upper() != "USD":
        rate, as_of, kind = DEFAULT_FX.dated(currency)
        assert rate == FX_TABLE[currency.upper()]["per_usd"]
        assert len(as_of) == 10 and kind in ("peg", "implied", "assumption")
        assert FX.dated(currency)[2] == "user"


def test_fx_pegs_and_the_implied_yen_rate():
    """HKD and AED are pegged; the yen rate is the one implied by ¥2bn ≈ USD 12.7m [1]."""
    assert DEFAULT_FX.hkd == 7.80 and DEFAULT_FX.aed == 3.6725
    assert 2e9 / DEFAULT_FX.jpy == pytest.approx(12.7e6, rel=0.01)
    assert DEFAULT_FX.convert(7.8, "HKD", "USD") == pytest.approx(1.0)


@pytest.mark.parametrize("code", list(REGIMES))
def test_every_result_converts_with_its_own_rate(code):
    r = minimum(code, inputs(fixed_overheads_usd=3e6, return_period_loss_usd=1e7), fx=FX)
    for _, local, usd in r.components:
        assert usd * FX.rate(r.currency) == pytest.approx(local)
    assert r.amount_usd * FX.rate(r.currency) == pytest.approx(r.amount_local)


def test_assumed_fx_is_flagged_and_pegs_and_custom_rates_are_not():
    assert DEFAULT_FX.is_default and not FX.is_default
    assert any("override it" in n for n in minimum("kr", inputs()).notes)
    assert not any("override it" in n for n in minimum("kr", inputs(), fx=FX).notes)
    assert not any("override it" in n for n in minimum("vara", inputs()).notes)  # peg


def test_fx_validation_names_the_field():
    with pytest.raises(InputError, match="'krw': must be > 0"):
        FxRates(krw=0.0)
    with pytest.raises(InputError, match="'eur': must be a finite number"):
        FxRates(eur=float("inf"))
    with pytest.raises(InputError, match="'currency': must be one of USD, JPY, HKD"):
        FX.rate("XBT")


# ---- references --------------------------------------------------------------------------------
def test_every_reference_has_a_grade_a_url_and_a_well_formed_date():
    for ref in REFERENCES.values():
        assert ref.grade in ("P", "S", "W", "S/W", "P/W", "W/S")
        assert ref.urls and all(u.startswith("http") for u in ref.urls)
        assert ref.as_of == "" or len(ref.as_of) in (4, 7, 10)
    assert REFERENCES["[jp-psa]"].urls[0].startswith("https://elaws.e-gov.go.jp/")
    assert REFERENCES["[hk-custody]"].as_of == "2025-08-15"


# ---- validation, dispatch, serialisation -------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("customer_assets_usd", -1.0, "'customer_assets_usd': must be ≥ 0"),
        ("customer_assets_usd", float("nan"), "'customer_assets_usd': must be a finite"),
        ("hot_share", 1.2, "'hot_share': must be between 0 and 1"),
        ("fixed_overheads_usd", -5.0, "'fixed_overheads_usd': must be ≥ 0"),
        ("mica_class", 4, "'mica_class': must be 1, 2 or 3"),
        ("krw_market", "yes", "'krw_market': must be true or false"),
        ("insurance_limit_usd", "1e6", "'insurance_limit_usd': must be a finite number"),
        ("return_period_loss_usd", -1.0, "'return_period_loss_usd': must be ≥ 0"),
        ("trading_volume_usd", {"spot": -1.0}, r"'trading_volume_usd\[spot\]': volumes"),
        ("trading_volume_usd", {"bonds": 1.0}, "category must be one of spot, derivatives"),
        ("trading_volume_usd", {"spot": [1, 2, 3, 4]}, "1 to 3 yearly volumes"),
        ("hot_holdings", (("BTC", 1.0, 1.0, -5.0),), r"'hot_holdings\[0\].price_usd'"),
        ("hot_holdings", ("BTC",), r"'hot_holdings\[0\]': must be a HotHolding"),
    ],
)
def test_invalid_inputs_name_the_field(field, value, message):
    with pytest.raises(InputError, match=message):
        inputs(**{field: value})


def test_unknown_regime_lists_valid_codes_and_aliases_resolve():
    with pytest.raises(InputError, match="unknown regime 'us'") as info:
        minimum("us", inputs())
    for code in (*REGIMES, *ALIASES):
        assert code in str(info.value)
    assert minimum("jp-draft", inputs()).regime == "jp-2027"


def test_wrong_argument_types_are_rejected():
    with pytest.raises(InputError, match="'scenario'"):
        minimum("jp-2027", inputs(), scenario={"basis": "history"})
    with pytest.raises(InputError, match="'inputs'"):
        minimum("hk", {"customer_assets_usd": 1.0})
    with pytest.raises(InputError, match="'fx'"):
        minimum("hk", inputs(), fx={"jpy": 150})
    with pytest.raises(InputError, match="hk takes HkParams, got MicaParams"):
        minimum("hk", inputs(), params=regime_params("mica"))
    # a scenario of another regime is ignored, as before
    assert minimum("hk", inputs(), scenario=regime_params("jp-2027")) == minimum("hk", inputs())


def test_from_profile_and_overrides():
    profile = PRESETS["jp-small"]
    got = RegimeInputs.from_profile(profile, krw_market=False)
    assert got.customer_assets_usd == profile.customer_assets_usd
    assert got.customer_fiat_usd == profile.customer_fiat_usd
    assert got.trading_volume_usd == profile.trading_volume_usd
    assert got.krw_market is False
    with pytest.raises(InputError, match="'colour': is not a regime input"):
        RegimeInputs.from_profile(profile, colour="blue")


@pytest.mark.parametrize("code", list(REGIMES))
def test_results_are_complete_serialisable_and_printable(code):
    r = minimum(
        code,
        RegimeInputs.from_profile(
            PRESETS["large"],
            fixed_overheads_usd=40e6,
            return_period_loss_usd=300e6,
            insurance_limit_usd=1e8,
        ),
    )
    assert r.regime == code and r.insurance_counts in INSURANCE_COUNTS
    assert r.formula and r.formula_substituted and r.inputs and r.source and r.requirements
    assert r.status and r.parameters
    assert all(ref.ref in REFERENCES for ref in r.source)
    for req in r.requirements:
        assert all(ref.ref in REFERENCES for ref in req.source)
    own = sum(q.amount_local for q in r.requirements if q.in_floor)
    assert r.amount_local == pytest.approx(own)
    data = json.loads(json.dumps(r.to_dict()))
    assert data["regime"] == code and data["amount_local"] == pytest.approx(r.amount_local)
    assert data["as_of"] is None or len(data["as_of"]) == 10
    lines = r.summary()
    assert lines[0].startswith(r.name) and any(line.startswith("Formula:") for line in lines)
    assert (code == "jp-2027") == (r.reference_band is not None)


def test_regulatory_minimum_rejects_bad_insurance_counts():
    with pytest.raises(InputError, match="'insurance_counts'"):
        dataclasses.replace(minimum("hk", inputs()), insurance_counts="maybe")


# ---- properties --------------------------------------------------------------------------------
assets = st.floats(min_value=0.0, max_value=1e12, allow_nan=False)
shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
money = st.floats(min_value=0.0, max_value=1e10, allow_nan=False)


@settings(max_examples=120, deadline=None)
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
            return_period_loss_usd=loss,
            insurance_limit_usd=ins,
            krw_market=krw,
            uses_licensed_custodian=cust,
            avg_monthly_volume_usd=vol,
            trading_volume_usd={"spot": [a, 2 * a]},
        ),
    )
    assert r.amount_local >= 0 and math.isfinite(r.amount_local) and math.isfinite(r.amount_usd)
    assert all(local >= 0 for _, local, _ in r.components)
    assert all(q.amount_local >= 0 for q in r.requirements)


@settings(max_examples=120, deadline=None)
@given(
    a=assets,
    b=assets,
    h=shares,
    krw=st.booleans(),
    code=st.sampled_from(["hk", "kr", "jp", "jp-2027"]),
)
def test_minimum_is_monotone_in_customer_assets(a, b, h, krw, code):
    low, high = sorted((a, b))
    r_low = minimum(code, RegimeInputs(customer_assets_usd=low, hot_share=h, krw_market=krw))
    r_high = minimum(code, RegimeInputs(customer_assets_usd=high, hot_share=h, krw_market=krw))
    assert r_low.amount_local <= r_high.amount_local * (1 + 1e-12)
