"""The loss model in words quotes the model's own figures, in English and in Japanese."""

from __future__ import annotations

import math

import pytest

from pricing.calibration import CalibrationSpec, calibrate
from pricing.data import load_exposure, load_incidents
from pricing.i18n import fmt_amount
from pricing.lossmodel import build_loss_model
from pricing.narrative import LossModelSummary, loss_model_in_words
from pricing.profiles import PRESETS
from pricing.regulation.fx import DEFAULT_FX


@pytest.fixture(scope="module")
def calibration():
    return calibrate(CalibrationSpec(), load_incidents(), load_exposure())


@pytest.fixture(scope="module", params=["small", "large"])
def model_and_total(request, calibration):
    model = build_loss_model(PRESETS[request.param], calibration)
    return model, model.aggregate()


def test_the_summary_figures_mean_what_the_sentences_say(model_and_total):
    model, total = model_and_total
    s = LossModelSummary.of(model, total)
    assert s.years_between == pytest.approx(1 / model.rate, rel=1e-12)
    # "half take the median or less": the mixture's cdf at it is at least 1/2 (an atom at a
    # cap can make it more), and just below it less than 1/2
    assert float(model.severity.cdf(s.median_loss)) >= 0.5 - 1e-9
    assert float(model.severity.cdf(s.median_loss * (1 - 1e-6))) < 0.5
    # "one in ten takes p90 or more": P(X >= p90) >= 0.1 >= P(X > p90)
    assert float(model.severity.sf(s.loss_1_in_10 * (1 - 1e-6))) >= 0.1 - 1e-9
    assert float(model.severity.sf(s.loss_1_in_10)) <= 0.1 + 1e-9
    # no theft beyond the largest cap of a route that carries weight
    caps = [model.hot_cap, model.reach_cap, model.provider_cap]
    live = [c for c, w in zip(caps, model.route_weights, strict=True) if w > 0]
    assert s.largest_loss == pytest.approx(max(live), rel=1e-12)
    assert float(model.severity.sf(s.largest_loss)) == 0.0
    assert s.expected_yearly == pytest.approx(model.rate * model.severity.mean(), rel=1e-4)
    assert s.tvar_995 >= s.var_995 > 0


def test_the_sentences_quote_those_figures(model_and_total):
    model, total = model_and_total
    s = LossModelSummary.of(model, total)
    text = " ".join(loss_model_in_words(model, total))
    assert f"once every {s.years_between:,.0f} years" in text
    for usd in (s.median_loss, s.loss_1_in_10, s.largest_loss, s.expected_yearly, s.var_995):
        assert fmt_amount(usd, "USD") in text
    assert ("wallet provider" in text) == (model.route_weights[2] > 0)


def test_in_japanese_and_yen_no_english_and_no_dollar_is_left(model_and_total):
    model, total = model_and_total
    lines = loss_model_in_words(model, total, currency="JPY", lang="ja")
    text = " ".join(lines).replace(model.profile.name, "")
    assert "USD" not in text and "$" not in text
    assert not any(c.isascii() and c.isalpha() for c in text)
    s = LossModelSummary.of(model, total)
    yen = DEFAULT_FX.from_usd(s.largest_loss, "JPY")
    assert fmt_amount(yen, "JPY", "ja") in text
    assert math.isclose(yen / s.largest_loss, DEFAULT_FX.rate("JPY"))
