"""One exchange's loss model, built from the shipped data calibration and the presets.

Each factor is recomputed here from the assumptions it is documented to follow (module
docstring of :mod:`pricing.lossmodel`), not read back from the model. Relative tolerance
1e-12 for products of the same floating-point factors.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from pricing.aggregate import NegativeBinomial, Poisson
from pricing.calibration import calibrate
from pricing.distributions import Capped, Mixture
from pricing.lossmodel import (
    DEFAULT_SECURITY_FACTORS,
    LossModelAssumptions,
    RouteShares,
    build_loss_model,
    route_shares,
)
from pricing.profiles import PRESETS
from pricing.scaling import SizeAssumptions


@pytest.fixture(scope="module")
def cal():
    """The shipped data calibration (about 1 s; computed once for the module)."""
    return calibrate()


@pytest.fixture(scope="module")
def models(cal):
    return {name: build_loss_model(profile, cal) for name, profile in PRESETS.items()}


@pytest.mark.parametrize("preset", list(PRESETS))
def test_rate_is_the_product_of_the_documented_factors(cal, models, preset):
    """λ = λ_avg(year) × (A/A_ref)^γ × (h/h_ref)^δ × c_security × c_provider, with
    c_provider = (1 − π) + π/s for a provider user and 1 − π for a non-user."""
    model, profile = models[preset], PRESETS[preset]
    size = SizeAssumptions()  # the default assumptions the model was built with
    year = cal.target_year
    base = float(cal.frequency.rate(year))
    size_factor = (profile.customer_assets_usd / size.reference_assets_usd) ** size.size_elasticity
    hot_factor = (profile.hot_share / size.reference_hot_share) ** size.hot_share_elasticity
    security = dict(DEFAULT_SECURITY_FACTORS)[profile.security_level]
    shares = route_shares(cal.selection.frame)
    s = LossModelAssumptions().provider_user_share
    pi = shares.provider
    provider = (1 - pi) + pi / s if profile.third_party_provider else 1.0 - pi
    expected = base * size_factor * hot_factor * security * provider
    assert model.rate == pytest.approx(expected, rel=1e-12)
    assert model.frequency.mean == pytest.approx(expected, rel=1e-12)
    assert model.exchange_frequency.base_rate == pytest.approx(base, rel=1e-12)
    assert model.security_factor == security and model.provider_factor == pytest.approx(provider)
    if cal.frequency.dispersion > 0:
        assert isinstance(model.frequency, NegativeBinomial)
        assert model.frequency.size == pytest.approx(1.0 / cal.frequency.dispersion, rel=1e-12)
    else:
        assert isinstance(model.frequency, Poisson)


def test_custom_security_factors_and_elasticities_enter_the_rate(cal, models):
    """Change γ, δ and the security factors: the rate moves by exactly the ratio of factors."""
    profile = PRESETS["small"]
    size = SizeAssumptions(size_elasticity=1.0, hot_share_elasticity=0.0)
    factors = (("basic", 2.0), ("standard", 1.3), ("strong", 0.5))
    custom = build_loss_model(
        profile, cal, LossModelAssumptions(frequency=size, security_factors=factors)
    )
    ratio = (profile.customer_assets_usd / 1e9) ** 1.0 / (profile.customer_assets_usd / 1e9) ** 0.5
    ratio *= 1.3 / 1.0  # standard controls; hot share at the reference, so δ does not matter
    assert custom.rate == pytest.approx(models["small"].rate * ratio, rel=1e-12)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_severity_is_capped_by_the_reach_of_the_attack(cal, models, preset):
    """upper = reach cap = hot + ρ cold; the hot route's component is capped at the hot
    wallets; no quantile or sample exceeds the caps."""
    model, profile = models[preset], PRESETS[preset]
    a = LossModelAssumptions()
    reach = profile.hot_assets_usd + a.cold_reach * profile.cold_assets_usd
    assert model.reach_cap == pytest.approx(reach, rel=1e-12)
    assert model.hot_cap == pytest.approx(profile.hot_assets_usd, rel=1e-12)
    caps = [profile.hot_assets_usd, reach]
    if profile.third_party_provider:  # the small preset: Ginco signs for hot and cold
        provider_cap = profile.hot_assets_usd + a.provider_cold_reach * profile.cold_assets_usd
        assert model.provider_cap == pytest.approx(provider_cap, rel=1e-12)
        caps.append(provider_cap)
    reach = max(caps)
    assert model.severity.upper == pytest.approx(reach, rel=1e-12)
    sev = model.severity
    assert isinstance(sev, Mixture)
    hot = sev.components[0]
    assert all(isinstance(c, Capped) for c in sev.components)
    assert [c.cap for c in sev.components] == pytest.approx(caps, rel=1e-12)
    weights = [w for w in model.route_weights if w > 0]
    assert sev.weights == pytest.approx(weights, rel=1e-12)
    assert float(hot.ppf(1.0)) <= profile.hot_assets_usd
    assert float(hot.sf(profile.hot_assets_usd)) == 0.0
    sample = np.asarray(hot.rvs(20_000, np.random.default_rng(7)))
    assert sample.max() <= profile.hot_assets_usd
    assert float(sev.sf(reach)) == 0.0 and float(sev.ppf(1.0)) <= reach * (1 + 1e-12)
    # the uncapped law is the fitted conditional law scaled by (A / A_ref)^η
    scale = (profile.customer_assets_usd / 1e9) ** LossModelAssumptions().severity_size_elasticity
    assert model.severity_scale == pytest.approx(scale, rel=1e-12)
    assert hot.base == model.severity_fit.conditional.scaled(scale)


def test_larger_customer_assets_raise_rate_and_mean_severity(cal):
    profile = PRESETS["small"]
    rates, means = [], []
    for assets in (1e8, 1e9, 1e10):
        model = build_loss_model(dataclasses.replace(profile, customer_assets_usd=assets), cal)
        rates.append(model.rate)
        means.append(float(model.severity.mean()))
    assert rates[0] < rates[1] < rates[2]
    assert means[0] < means[1] < means[2]


def test_turning_off_the_provider_removes_its_share(cal, models):
    """No third-party provider: λ × (1 − π) against (1 − π) + π/s for a user, and the provider
    route leaves the severity mixture (weights hot : other from the routes still open)."""
    with_provider = models["small"]
    assert PRESETS["small"].third_party_provider
    profile = dataclasses.replace(
        PRESETS["small"], third_party_provider=False, signing_providers=()
    )
    without = build_loss_model(profile, cal)
    r, s = without.routes, LossModelAssumptions().provider_user_share
    assert r.provider > 0
    user = (1 - r.provider) + r.provider / s
    assert without.provider_factor == pytest.approx(1 - r.provider, rel=1e-12)
    assert with_provider.provider_factor == pytest.approx(user, rel=1e-12)
    assert without.rate == pytest.approx(with_provider.rate * (1 - r.provider) / user, rel=1e-12)
    assert with_provider.route_weights == pytest.approx(
        (r.hot / user, r.other / user, r.provider / s / user), rel=1e-12
    )
    assert without.route_weights == pytest.approx(
        (r.hot / (r.hot + r.other), r.other / (r.hot + r.other), 0.0), rel=1e-12
    )
    assert with_provider.provider_rate == pytest.approx(
        with_provider.rate * r.provider / s / user, rel=1e-12
    )


def test_provider_loading_keeps_the_market_average(cal):
    """s users at (1 − π) + π/s and 1 − s non-users at 1 − π average to the unloaded rate."""
    s = LossModelAssumptions().provider_user_share
    user = build_loss_model(PRESETS["small"], cal)
    non = build_loss_model(
        dataclasses.replace(PRESETS["small"], third_party_provider=False, signing_providers=()),
        cal,
    )
    unloaded = user.rate / user.provider_factor
    assert s * user.rate + (1 - s) * non.rate == pytest.approx(unloaded, rel=1e-12)


def test_provider_that_signs_for_hot_only_reaches_the_hot_wallets(cal):
    profile = dataclasses.replace(PRESETS["small"], provider_controls="hot")
    model = build_loss_model(profile, cal)
    assert model.provider_cap == pytest.approx(profile.hot_assets_usd, rel=1e-12)
    both = build_loss_model(PRESETS["small"], cal)
    assert both.provider_cap > model.provider_cap
    assert float(both.severity.mean()) > float(model.severity.mean())
    full = build_loss_model(PRESETS["small"], cal, LossModelAssumptions(provider_cold_reach=1.0))
    assert full.provider_cap == pytest.approx(PRESETS["small"].customer_assets_usd, rel=1e-12)
    assert float(full.severity.mean()) > float(both.severity.mean())


def test_cold_reach_zero_caps_every_loss_at_the_hot_wallets(cal):
    profile = PRESETS["large"]
    model = build_loss_model(profile, cal, LossModelAssumptions(cold_reach=0.0))
    assert model.reach_cap == pytest.approx(profile.hot_assets_usd, rel=1e-12)
    assert model.severity.upper == pytest.approx(profile.hot_assets_usd, rel=1e-12)


def test_explicit_route_shares_are_used(cal):
    routes = RouteShares(hot=0.5, provider=0.2, other=0.3)
    model = build_loss_model(PRESETS["large"], cal, LossModelAssumptions(routes=routes))
    assert model.routes == routes
    assert model.provider_factor == pytest.approx(0.8, rel=1e-12)
    assert model.route_weights == pytest.approx((0.625, 0.375, 0.0), rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"severity_size_elasticity": -0.1}, "severity_size_elasticity"),
        ({"severity_size_elasticity": math.nan}, "severity_size_elasticity"),
        ({"cold_reach": 1.2}, "cold_reach"),
        ({"security_factors": (("basic", 1.5), ("standard", 1.0))}, "security_factors"),
        (
            {"security_factors": (("basic", 1.5), ("standard", 0.0), ("strong", 0.7))},
            "security_factors",
        ),
    ],
)
def test_invalid_assumptions_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        LossModelAssumptions(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [{"hot": 0.5, "provider": 0.2, "other": 0.2}, {"hot": -0.1, "provider": 0.6, "other": 0.5}],
)
def test_invalid_route_shares_are_rejected(kwargs):
    with pytest.raises(ValueError, match="route shares"):
        RouteShares(**kwargs)


def test_route_shares_sum_to_one_and_rest_on_the_selected_incidents(cal):
    """Recomputed by hand: provider share among all incidents; the rest split hot : other in
    the proportion of incidents whose wallet is known."""
    frame = cal.selection.frame
    shares = route_shares(frame)
    assert shares.n_incidents == len(frame) == cal.selection.n
    assert shares.hot + shares.provider + shares.other == pytest.approx(1.0, abs=1e-12)
    provider = (frame["attack_vector"] == "third_party_provider").to_numpy()
    wallets = frame.loc[~provider, "wallet"]
    known = wallets[~wallets.isin(["unknown", ""])]
    p_provider = provider.mean()
    assert shares.provider == pytest.approx(p_provider, rel=1e-12)
    assert shares.hot == pytest.approx((1 - p_provider) * (known == "hot").mean(), rel=1e-12)
    with pytest.raises(ValueError, match="no incidents"):
        route_shares(frame.iloc[:0])


@pytest.mark.parametrize("preset", list(PRESETS))
def test_assumption_table_and_json(models, preset):
    model = models[preset]
    table = model.assumption_table()
    assert list(table.columns) == ["assumption", "value", "unit", "basis"]
    names = set(table["assumption"])
    for expected in (
        "Average-exchange rate",
        "Size factor (A/A_ref)^γ",
        "Hot-share factor (h/h_ref)^δ",
        "Security factor",
        "Provider factor",
        "Exchange rate λ",
        "Severity family",
        "Severity parameters",
        "Severity scale (A/A_ref)^η",
        "Hot-route share",
        "Hot-route cap",
        "Other-route cap",
    ):
        assert expected in names
    values = dict(zip(table["assumption"], table["value"], strict=True))
    assert values["Exchange rate λ"] == pytest.approx(model.rate, rel=1e-12)
    assert values["Other-route cap"] == model.reach_cap
    doc = json.loads(json.dumps(model.to_dict()))
    assert doc["frequency"]["mean"] == pytest.approx(model.rate, rel=1e-12)
    assert doc["severity"]["reach_cap"] == model.reach_cap
    assert doc["profile"]["name"] == PRESETS[preset].name
    assert len(doc["assumptions"]) == len(table)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_aggregate_audit_is_valid(models, preset):
    """The default grid of the model's yearly loss passes its own audit (closed-form against
    grid mean 1e-4, CV 1e-3, skewness 1e-2), and the mean is λ E[X]."""
    model = models[preset]
    agg = model.aggregate()
    assert agg.is_valid, agg.audit()
    assert agg.mean() == pytest.approx(model.rate * float(model.severity.mean()), rel=1e-12)
    assert agg.grid_end >= model.reach_cap


def test_unknown_severity_family_is_named(cal):
    with pytest.raises((KeyError, ValueError), match="cauchy"):
        build_loss_model(PRESETS["small"], cal, family="cauchy")


def test_manual_base_rate_scales_the_exchange_rate_and_its_interval(cal, models):
    base = models["small"]
    fitted = base.exchange_frequency.base_rate
    moved = build_loss_model(PRESETS["small"], cal, LossModelAssumptions(base_rate=3 * fitted))
    assert moved.rate == pytest.approx(3 * base.rate, rel=1e-12)
    assert moved.exchange_frequency.ci[1] == pytest.approx(
        3 * base.exchange_frequency.ci[1], rel=1e-12
    )
    row = moved.assumption_table().set_index("assumption").loc["Average-exchange rate"]
    assert row["basis"] == "manual override"


def test_manual_severity_parameters_replace_the_fitted_ones(cal):
    """A Lomax with its shape set by hand: the exchange's severity is that Lomax, truncated
    at the threshold, scaled and capped, so its survival just above the (scaled) threshold
    matches the closed form ((t + θ)/(x + θ))^α of the truncated Lomax."""
    a = LossModelAssumptions(severity_family="lomax", severity_params=(("shape", 1.7),))
    model = build_loss_model(PRESETS["large"], cal, a)
    params = dict(model.severity_fit.params)
    assert params["shape"] == 1.7
    assert params["scale"] == dict(cal.severity.get("lomax").params)["scale"]
    s, t, theta = model.severity_scale, model.severity_fit.threshold, params["scale"]
    x = 2.0 * t  # unscaled loss, far below both caps
    expected = ((t + theta) / (x + theta)) ** 1.7
    assert float(model.severity.sf(s * x)) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [((("meanlog", 1.0),), "meanlog"), ((("shape", -1.0),), "shape")],
)
def test_invalid_manual_parameters_are_named(cal, overrides, message):
    a = LossModelAssumptions(severity_family="lomax", severity_params=overrides)
    with pytest.raises(ValueError, match=message):
        build_loss_model(PRESETS["small"], cal, a)
