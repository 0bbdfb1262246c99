"""The scenario record: JSON round trip, field-by-field errors, side-by-side comparison."""

from __future__ import annotations

import dataclasses
import math

import pytest

from pricing.coverage import Layer, Tower
from pricing.exceptions import InputError
from pricing.lossmodel import LossModelAssumptions
from pricing.profiles import PRESETS
from pricing.regulation import JpDraftScenario
from pricing.scenario import Scenario, assumption_differences, evaluate, scenario_table
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
