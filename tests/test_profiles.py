"""Exchange profiles: validation names the field, JSON round trips, presets are consistent."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pricing.exceptions import InputError
from pricing.profiles import PRESETS, ExchangeProfile, load_profile

SMALL = PRESETS["small"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("customer_assets_usd", -1.0, "'customer_assets_usd': must be > 0 and at most 1e\\+13 USD"),
        ("customer_assets_usd", float("nan"), "'customer_assets_usd': must be a finite number"),
        ("hot_share", 1.5, "'hot_share': must be between 0 and 1"),
        ("tax_rate", -0.1, "'tax_rate': must be between 0 and 1"),
        ("cost_of_capital", 3.0, "'cost_of_capital': must be between 0 and 1 per year"),
        ("security_level", "excellent", "'security_level': must be one of basic, standard"),
        ("jurisdiction", "us-ny", "'jurisdiction': must be one of"),
        ("third_party_provider", "yes", "'third_party_provider': must be true or false"),
        ("annual_revenue_usd", "1e6", "'annual_revenue_usd': must be a number"),
        ("name", " ", "'name': must be a non-empty text"),
    ],
)
def test_invalid_values_name_the_field(field, value, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(SMALL, **{field: value})


def test_all_problems_are_listed_together():
    with pytest.raises(ValueError) as info:
        dataclasses.replace(SMALL, hot_share=2.0, tax_rate=2.0)
    assert "'hot_share'" in str(info.value) and "'tax_rate'" in str(info.value)


def test_json_round_trip(tmp_path):
    for profile in PRESETS.values():
        path = tmp_path / "p.json"
        profile.save(path)
        assert load_profile(path) == profile
        assert ExchangeProfile.from_json(profile.to_json()) == profile


def test_json_errors_name_fields():
    values = SMALL.to_dict()
    values.pop("tax_rate")
    values["colour"] = "blue"
    with pytest.raises(InputError) as info:
        ExchangeProfile.from_dict(values)
    assert [(p.field, p.message) for p in info.value.problems] == [
        ("colour", "unknown field"),
        ("tax_rate", "missing field"),
    ]
    with pytest.raises(InputError, match="not valid JSON"):
        ExchangeProfile.from_json("{nope")
    with pytest.raises(InputError, match="neither a preset"):
        load_profile("medium")


def test_presets_and_derived_amounts():
    assert load_profile("small") is SMALL
    large = PRESETS["large"]
    assert large.customer_assets_usd > 100 * SMALL.customer_assets_usd
    assert SMALL.hot_assets_usd + SMALL.cold_assets_usd == pytest.approx(SMALL.customer_assets_usd)
    assert SMALL.hot_assets_usd == pytest.approx(0.05 * 130e6)


@given(assets=st.floats(1e6, 1e12), hot=st.floats(0, 1), tax=st.floats(0, 1))
def test_valid_profiles_round_trip(assets, hot, tax):
    profile = dataclasses.replace(SMALL, customer_assets_usd=assets, hot_share=hot, tax_rate=tax)
    assert ExchangeProfile.from_dict(json.loads(profile.to_json())) == profile


@pytest.mark.parametrize(
    ("coc", "yield_", "tax", "ok"),
    [
        (0.10, 0.01, 0.3, True),
        (0.05, 0.05, 0.0, True),
        (0.02, 0.05, 0.3, False),
        (0.0, 0.01, 0.0, False),
    ],
)
def test_after_tax_yield_above_cost_of_capital_is_refused(coc, yield_, tax, ok):
    """A negative carrying cost (yield after tax above the cost of capital) means nothing."""
    change = {"cost_of_capital": coc, "reserve_yield": yield_, "tax_rate": tax}
    if ok:
        dataclasses.replace(SMALL, **change)
        return
    with pytest.raises(InputError) as info:
        dataclasses.replace(SMALL, **change)
    assert info.value.problems[0].field == "reserve_yield"
    assert "negative carrying cost" in info.value.problems[0].message


def test_negative_cost_of_capital_is_refused():
    with pytest.raises(InputError, match="'cost_of_capital': must be between 0 and 1"):
        dataclasses.replace(SMALL, cost_of_capital=-0.01, reserve_yield=-0.02)
