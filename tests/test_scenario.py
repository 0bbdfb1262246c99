"""The scenario record: JSON round trip, field-by-field errors, side-by-side comparison."""

from __future__ import annotations

import dataclasses
import math

import pytest

from pricing.coverage import Layer, Tower
from pricing.exceptions import InputError
from pricing.lossmodel import LossModelAssumptions
from pricing.profiles import PRESETS
from pricing.regulation import (
    HkParams,
    InKindCompensation,
    Jp2027Params,
    JpDraftScenario,
    RegimeInputs,
    VaraParams,
    minimum,
    regime_params,
)
from pricing.scenario import Scenario, assumption_differences, evaluate, scenario_table
from pricing.store import ScenarioStore
from pricing.strategy import StrategyAssumptions

FULL = Scenario(
    name="Full",
    profile=PRESETS["large"],
    model=LossModelAssumptions(base_rate=0.1, cold_reach=0.3),
    regime="jp-draft",
    strategy=StrategyAssumptions(target=0.99, jp_draft=JpDraftScenario(floor_jpy=1e9)),
    tower=Tower((Layer(1e6, 5e6), Layer(6e6, math.inf, share=0.5, reinstatements=1))),
    market_rates=(None, 0.02),
    client="クライアント",
)


def test_json_round_trip_keeps_every_field_including_infinite_limits():
    back = Scenario.from_json(FULL.to_json())
    assert back == FULL
    assert back.tower.layers[1].limit == math.inf
    assert back.strategy.jp_draft.floor_jpy == 1e9


def test_a_bad_record_names_every_bad_field():
    record = FULL.to_dict()
    record["strategy"]["target"] = "high"
    record["profile"]["hot_share"] = 1.5
    record["regime"] = "xx"
    record["extra"] = 1
    with pytest.raises(InputError) as err:
        Scenario.from_dict(record)
    fields = {p.field for p in err.value.problems}
    assert {"strategy.target", "extra"} <= fields
    assert any(
        p.field == "profile.hot_share" or (p.field == "profile" and "hot_share" in p.message)
        for p in err.value.problems
    )


def test_invalid_scenario_values_are_input_errors():
    with pytest.raises(InputError, match="'regime'"):
        dataclasses.replace(FULL, regime="nowhere")
    with pytest.raises(InputError, match="'market_rates'"):
        dataclasses.replace(FULL, market_rates=(None,))
    with pytest.raises(InputError, match="'name'"):
        FULL.renamed("  ")


def test_side_by_side_table_matches_each_evaluation_and_marks_differences():
    a = Scenario("A", PRESETS["small"])
    b = dataclasses.replace(a, name="B", regime="hk")
    ra, rb = evaluate(a), evaluate(b)
    table = scenario_table([ra, rb]).set_index("measure")
    best = ra.comparison.get(ra.comparison.recommended)
    assert table.loc["cost of risk (USD per year)", "A"] == best.total_cost
    assert table.loc["regulatory minimum (USD)", "B"] == rb.comparison.rule.amount_usd
    assert table.loc["regime", "differs"]
    assert not table.loc["exchange", "differs"]
    diff = assumption_differences([a, b])
    assert diff["assumption"].tolist() == ["regime"]
    with pytest.raises(InputError, match="2 to 4"):
        scenario_table([ra])


# --------------------------------------------------------------------------------------------
# Regime parameters and compensation in kind travel with the scenario
# --------------------------------------------------------------------------------------------
EDITED = Scenario(
    name="Edited regimes",
    profile=PRESETS["jp-small"],
    regime="jp-2027",
    strategy=StrategyAssumptions(
        regime_params=(
            regime_params("jp-2027", {"basis": "custody_share", "custody_share": "0.02"}),
            regime_params("hk", {"cold_cover_share": "0.6"}),
            regime_params("vara", {"max_retention_aed": "5e6"}),
        ),
        in_kind=InKindCompensation(volatility=0.8, delay_days=30.0),
    ),
)


def test_edited_regime_parameters_and_in_kind_survive_json():
    record = EDITED.to_dict()
    tags = [p["regime"] for p in record["strategy"]["regime_params"]]
    assert tags == ["jp-2027", "hk", "vara"]
    back = Scenario.from_json(EDITED.to_json())
    assert back == EDITED
    assert [type(p) for p in back.strategy.regime_params] == [Jp2027Params, HkParams, VaraParams]
    assert back.strategy.params_for("jp-2027").custody_share == 0.02
    assert back.strategy.params_for("jp-2027").cap_jpy is None  # optional: none kept as none
    assert back.strategy.in_kind.delay_days == 30.0


def test_edited_parameters_change_the_saved_scenarios_minimum():
    """A custody-share reserve of 2% of cold crypto is twice the 1% one (the basis' formula)."""
    inputs = RegimeInputs.from_profile(PRESETS["jp-small"])
    back = Scenario.from_json(EDITED.to_json())
    edited = minimum("jp-2027", inputs, params=back.strategy.params_for("jp-2027"))
    one = minimum("jp-2027", inputs, params=Jp2027Params(basis="custody_share"))
    reserve = {r.name: r.amount_usd for r in edited.requirements}
    base = {r.name: r.amount_usd for r in one.requirements}
    name = next(n for n in reserve if "Liability reserve" in n)
    assert reserve[name] == pytest.approx(2 * base[name], rel=1e-12)


def test_bad_regime_parameters_in_a_record_are_named():
    record = EDITED.to_dict()
    record["strategy"]["regime_params"][0]["custody_share"] = 2
    record["strategy"]["in_kind"]["bogus"] = 1
    with pytest.raises(InputError) as err:
        Scenario.from_dict(record)
    fields = {p.field for p in err.value.problems}
    assert fields == {"strategy.regime_params[0].custody_share", "strategy.in_kind.bogus"}
    record = EDITED.to_dict()
    record["strategy"]["regime_params"][1]["regime"] = "atlantis"
    with pytest.raises(InputError, match="unknown regime 'atlantis'"):
        Scenario.from_dict(record)


def test_a_record_without_regime_parameters_still_loads():
    record = Scenario("Old", PRESETS["small"]).to_dict()
    del record["strategy"]["regime_params"], record["strategy"]["in_kind"]
    back = Scenario.from_dict(record)
    assert back.strategy.regime_params == () and back.strategy.in_kind is None


def test_the_store_keeps_regime_parameters_and_in_kind():
    store = ScenarioStore("sqlite://")
    store.save(EDITED, user="ana")
    loaded = store.load("Edited regimes", user="ana")
    assert loaded == EDITED


def test_market_quotes_round_trip_and_price_the_report_with_the_fitted_curve():
    """A scenario keeps its market quotes and curve family through JSON, and its market terms
    are the curve fitted to them (the same fit as pricing.market_quotes on the model)."""
    from pricing.market import DEFAULT_TERMS
    from pricing.market_quotes import MarketQuote, fit_market_curve

    quotes = (MarketQuote(5e6, 10e6, 0.08), MarketQuote(20e6, 20e6, 0.04))
    s = Scenario("Quoted", PRESETS["small"], market_quotes=quotes, market_curve="wang")
    back = Scenario.from_json(s.to_json())
    assert back.market_quotes == quotes and back.market_curve == "wang"
    result = evaluate(back)
    m = result.model
    expected = fit_market_curve(m.frequency, m.severity, quotes, family="wang").terms(DEFAULT_TERMS)
    assert back.market_terms(m.frequency, m.severity) == expected
    assert (
        Scenario("Plain", PRESETS["small"]).market_terms(m.frequency, m.severity) == DEFAULT_TERMS
    )


def test_a_bad_market_curve_is_named():
    with pytest.raises(InputError) as err:
        Scenario("Bad", PRESETS["small"], market_curve="cubic")
    assert [p.column for p in err.value.problems] == ["market_curve"]
