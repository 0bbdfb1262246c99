"""Fitting the market curve to a user's quotes, and reading the quotes file."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.aggregate import Poisson
from pricing.distributions import Lognormal, Mixture
from pricing.exceptions import DataValidationError, InputError
from pricing.market import MarketCurve, distorted_layer_premium
from pricing.market_quotes import MarketQuote, fit_market_curve, load_market_quotes

FREQ = Poisson(0.25)
SEV = Mixture((Lognormal(15.5, 2.0).capped(4e7), Lognormal(16.5, 2.3).capped(6e8)), (0.7, 0.3))
LAYERS = [(2e6, 8e6), (1e7, 3e7), (4e7, 1e8), (1.5e8, 2e8), (3.5e8, 2.5e8)]


def synthetic(curve, layers=LAYERS, noise=None):
    d = np.array([a for a, _ in layers])
    lim = np.array([b for _, b in layers])
    rol = distorted_layer_premium(FREQ, SEV, d, lim, [curve])[0] / lim
    if noise is not None:
        rol = rol * np.exp(noise)
    rows = enumerate(zip(d, lim, rol, strict=True))
    return [MarketQuote(a, b, float(r), line=k + 2) for k, (a, b, r) in rows]


@pytest.mark.parametrize("truth", [MarketCurve("ph", 0.55, 1.3), MarketCurve("wang", 0.8, 0.7)])
def test_recovers_parameter_and_scale_from_exact_quotes(truth):
    """Five quotes priced by a known curve: parameter and scale back to rel 1e-6, residuals
    below 1e-8."""
    fit = fit_market_curve(FREQ, SEV, synthetic(truth), family=truth.family)
    assert fit.fitted_scale and fit.success
    assert fit.curve.parameter == pytest.approx(truth.parameter, rel=1e-6)
    assert fit.curve.scale == pytest.approx(truth.scale, rel=1e-6)
    assert np.max(np.abs(fit.residuals)) < 1e-8


@settings(max_examples=10, deadline=None)
@given(p=st.floats(0.2, 1.0), k=st.integers(0, 4))
def test_one_quote_pins_the_exponent(p, k):
    """A single quote from g(s) = s^p (scale 1) gives back p to 1e-6 absolute."""
    fit = fit_market_curve(FREQ, SEV, synthetic(MarketCurve("ph", p), [LAYERS[k]]))
    assert not fit.fitted_scale
    assert fit.curve.parameter == pytest.approx(p, abs=1e-6)


def test_noisy_quotes_show_their_residuals():
    """Quotes off the curve by known log errors: residuals sum to ~0 around the fit (least
    squares with a free scale has a free intercept), and the RMSE is the residuals' RMS."""
    noise = np.array([0.1, -0.05, 0.2, -0.15, -0.1])
    fit = fit_market_curve(FREQ, SEV, synthetic(MarketCurve("ph", 0.6, 1.1), noise=noise))
    assert abs(fit.residuals.sum()) < 1e-6
    assert fit.rmse == pytest.approx(float(np.sqrt(np.mean(fit.residuals**2))))
    table = fit.table()
    assert list(table["line"]) == [2, 3, 4, 5, 6]
    assert fit.to_dict()["audit_valid"]


def test_fitted_terms_lower_the_floor_to_the_lowest_quote():
    quotes = [MarketQuote(5e7, 1e8, 0.002), MarketQuote(1e7, 2e7, 0.05)]
    fit = fit_market_curve(FREQ, SEV, quotes)
    terms = fit.terms()
    assert terms.cover("hot").minimum_rate_on_line == 0.002
    assert terms.cover("cold").minimum_rate_on_line == 0.002
    assert terms.cover("provider").curve == fit.curve


def test_quotes_file_with_premium_or_rate(tmp_path):
    path = tmp_path / "quotes.csv"
    path.write_text(
        "retention,limit,premium,rate_on_line,cover_type\n"
        "1e7,5e7,1500000,,hot\n"
        "6e7,1e8,,0.012,cold\n"
    )
    quotes = load_market_quotes(path)
    assert [q.rate_on_line for q in quotes] == [0.03, 0.012]
    assert [q.line for q in quotes] == [2, 3]
    assert quotes[0].cover_type == "hot"


def test_bad_quotes_file_names_every_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "retention,limit,premium,rate_on_line,cover_type\n"
        "abc,5e7,1500000,,hot\n"
        "1e7,5e7,,1.5,cold\n"
        "1e7,5e7,100,0.01,warm\n"
        "1e7,,100,,\n"
    )
    with pytest.raises(DataValidationError) as err:
        load_market_quotes(path)
    where = {(p.line, p.column) for p in err.value.problems}
    assert {(2, "retention"), (3, "rate_on_line"), (4, "premium"), (4, "cover_type"),
            (5, "limit")} <= where  # fmt: skip
    assert isinstance(err.value, InputError)


def test_quotes_file_needs_a_price_column_and_at_most_five_rows(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("retention,limit\n1e6,1e7\n")
    with pytest.raises(DataValidationError, match="premium"):
        load_market_quotes(path)
    path.write_text("retention,limit,rate_on_line\n" + "1e6,1e7,0.05\n" * 6)
    with pytest.raises(DataValidationError, match="at most 5"):
        load_market_quotes(path)
    with pytest.raises(InputError, match="1 to 5"):
        fit_market_curve(FREQ, SEV, [])
