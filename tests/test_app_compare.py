"""AppTest of the Compare and Small vs large pages, each run on its own (not through app.py)."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pricing.profiles import PRESETS
from tests.app_charts import chart_spec, chart_specs, charts

PAGES = Path(__file__).resolve().parents[1] / "app_pages"
COMPARE = str(PAGES / "compare.py")
SMALL_VS_LARGE = str(PAGES / "small_vs_large.py")
TIMEOUT = 60


@pytest.fixture(autouse=True)
def _clear_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def run(page: str, **state: object) -> AppTest:
    at = AppTest.from_file(page, default_timeout=TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart_titles(at: AppTest) -> list[str]:
    return [spec["layout"]["title"]["text"] for spec in chart_specs(at)]


# --------------------------------------------------------------------------------------------
# Compare
# --------------------------------------------------------------------------------------------
def test_compare_renders_on_the_defaults():
    at = run(COMPARE, cmp_sources=True)  # the sources' expander open (drawn only when open)
    assert at.title[0].value == "Compare"
    assert at.selectbox(key="regime").value == "jp-2027"
    assert "a scenario, not law" in at.selectbox(key="regime").format_func("jp-2027")
    assert at.success[0].value.startswith("Recommended:")
    assert "Small domestic exchange" in at.info[0].value
    assert chart_titles(at) == [
        "Yearly cost of each strategy, by component",
        "Total cost of every retention and limit",
        "Loss exceedance and the insurance layer",
        "Cost against protection (the efficient frontier)",
    ]
    protection = at.dataframe[1].value
    assert list(protection["strategy"]) == ["Reserve only", "Insurance only", "Hybrid"]
    assert "1-in-200 uncompensated, USD m" in protection.columns
    shown = metrics(at)
    assert shown["Insurance counts towards it"] == "partly"
    assert shown["% of revenue"].endswith("%")
    assert "not law" in at.warning[0].value
    assert any("R_cash" in m.value for m in at.markdown), "the formula, symbolic and with numbers"
    requirements = next(d.value for d in at.dataframe if "Requirement" in d.value.columns)
    assert "Liability reserve (責任準備金, scenario)" in set(requirements["Requirement"])
    assert any(c.value.startswith("[jp-psa] ") for c in at.caption), "sources listed"
    assert [b.label for b in at.get("download_button")] == [
        "Download the client report (PDF)",
        "Download the strategy table (CSV)",
    ]
    assert not at.error


def test_compare_charts_download_as_png():
    at = run(COMPARE)
    drawn = charts(at)
    assert len(drawn) == 4
    for el in drawn:
        config = json.loads(el.proto.json)["config"]
        assert config["toImageButtonOptions"]["format"] == "png"
        assert config["toImageButtonOptions"]["filename"].startswith("vaultcover_")


def test_changing_the_regime_changes_the_recommendation_and_minimum():
    at = run(COMPARE)
    before, minimum_before = at.success[0].value, metrics(at)["Minimum"]
    at.selectbox(key="regime").set_value("hk").run()
    assert not at.exception
    assert at.success[0].value != before
    assert "Hong Kong" in at.success[0].value
    assert metrics(at)["Minimum"] != minimum_before
    assert metrics(at)["Insurance counts towards it"] == "yes"
    assert not at.warning, "only jp-2027 carries the scenario warning"


def test_a_new_regime_or_target_reuses_the_yearly_loss_chart(monkeypatch):
    """The yearly loss does not depend on the regime or the target: its exceedance curves
    (the inspector's chart without the layer) are built once, not at every full rerun (the
    yearly loss is kept as one object, not unpickled afresh, so its figure is found again)."""
    from pricing.plots import strategy

    built = []
    real = strategy.exceedance_chart
    monkeypatch.setattr(
        strategy, "exceedance_chart", lambda *a, **k: built.append(1) or real(*a, **k)
    )
    at = run(COMPARE)
    assert len(built) == 1
    at.selectbox(key="regime").set_value("hk").run()
    at.number_input(key="cmp_target").set_value(99.0).run()
    assert not at.exception
    assert len(built) == 1


def test_changing_the_assumptions_changes_the_costs():
    at = run(COMPARE)
    before = at.dataframe[0].value
    at.number_input(key="cmp_rol").set_value(5.0).run()
    assert not at.exception
    assert not at.dataframe[0].value.equals(before)


def test_the_inspector_starts_at_the_optimum_and_follows_the_retention():
    at = run(COMPARE)
    shown = metrics(at)
    assert shown["Total cost at the nearest grid point"] == shown["Cost of risk, recommended"]
    before = shown["Total cost at the nearest grid point"]
    # (the recommendation may be a reserve alone, where the retention changes nothing)
    at.number_input(key="cmp_limit").set_value(20.0)
    at.number_input(key="cmp_retention").set_value(50.0).run()
    assert not at.exception
    after = metrics(at)["Total cost at the nearest grid point"]
    assert after != before
    assert any("Nearest point of the optimiser's" in c.value for c in at.caption)
    at.button(key="cmp_reset").click().run()
    assert metrics(at)["Total cost at the nearest grid point"] == before


def test_a_retention_move_updates_the_inspector_charts_in_place():
    """The heatmap and exceedance chart keep their element (named by key, not by figure), so
    the browser updates the plots already drawn; their figures follow the retention."""
    at = run(COMPARE)

    def figures() -> dict[str, dict]:
        return {el.proto.id: chart_spec(el) for el in charts(at)}

    before = figures()
    at.number_input(key="cmp_limit").set_value(20.0)
    at.number_input(key="cmp_retention").set_value(50.0).run()
    after = figures()
    assert list(after) == list(before) and len(after) == 4
    changed = [i for i in after if after[i] != before[i]]
    assert len(changed) == 2, "the heatmap's marker and the exceedance chart's layer lines"


def _array(value: object) -> np.ndarray:
    """A plotly spec array (a list, or plotly's base64 typed array)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def test_the_heatmap_outlines_the_grid_points_the_market_would_not_write():
    """The red outline is the border of the cells without a market premium (infinite cost, as
    the library's comparison gives them), and typing such a structure says so."""
    from pricing.strategy import StrategyAssumptions

    at = run(COMPARE)
    heatmap = chart_specs(at)[1]
    marks = [tr for tr in heatmap["data"] if tr.get("name") == "not placeable"]
    assert len(marks) == 1 and marks[0]["marker"]["symbol"] == "square-open"
    rows, cols = _array(marks[0]["y"]).astype(int), _array(marks[0]["x"]).astype(int)
    cells = set(zip(rows, cols, strict=True))
    cost = _array(heatmap["data"][0]["z"]).reshape(-1, len(_array(heatmap["data"][0]["x"])))
    bad = ~np.isfinite(cost)
    assert bad.any() and (~bad).any(), "the default market writes some layers and not others"
    assert all(bad[i, j] for i, j in cells), "only unplaceable cells are marked"
    for i, j in zip(*np.nonzero(bad), strict=True):  # every unplaceable cell on the border
        neighbours = [(i + di, j + dj) for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1))]
        border = any(
            not (0 <= a < bad.shape[0] and 0 <= b < bad.shape[1]) or not bad[a, b]
            for a, b in neighbours
        )
        assert ((i, j) in cells) == border
    # A first-dollar layer (no retention) is never written: the inspector says so.
    assert StrategyAssumptions().market.minimum_retention_usd > 0
    at.number_input(key="cmp_limit").set_value(20.0)
    at.number_input(key="cmp_retention").set_value(0.0).run()
    assert any(w.value.endswith(": not placeable") for w in at.warning)


def test_invalid_assumptions_show_an_error_not_a_traceback():
    at = run(COMPARE)
    at.number_input(key="cmp_capacity").set_value(0.0).run()
    assert not at.exception
    assert "**Insurance capacity (USD m)**" in at.error[0].value


def test_compare_uses_the_profile_in_use():
    at = run(COMPARE, profile=PRESETS["large"])
    assert "Large global exchange" in at.info[0].value


# --------------------------------------------------------------------------------------------
# Small vs large
# --------------------------------------------------------------------------------------------
def test_small_vs_large_shows_both_exchanges():
    at = run(SMALL_VS_LARGE)
    assert at.title[0].value == "Small vs large"
    headers = [h.value for h in at.subheader]
    assert "Small domestic exchange" in headers and "Large global exchange" in headers
    assert chart_titles(at) == ["Small against large exchange under the jp-2027 rule"]
    table = at.dataframe[0].value
    assert set(table["exchange"]) == {"Small domestic exchange", "Large global exchange"}
    assert all(re.fullmatch(r"USD .+ – USD .+", r) for r in table["cost of risk, 90% range"])
    assert len(table) == 6
    text = at.markdown[-1].value
    assert "Small domestic exchange" in text and "Large global exchange" in text
    assert "times as much on Small domestic exchange" in text


def test_small_vs_large_follows_the_regime():
    at = run(SMALL_VS_LARGE)
    before = at.markdown[-1].value
    at.selectbox(key="regime").set_value("hk").run()
    assert not at.exception
    assert "Hong Kong" in at.markdown[-1].value
    assert at.markdown[-1].value != before


def test_small_vs_large_starts_from_the_compare_page_choices():
    at = run(COMPARE)
    at.selectbox(key="regime").set_value("mica").run()
    at.number_input(key="cmp_dispute").set_value(30.0).run()
    # Pages run on their own here: carry the session's inputs over, as st.navigation would.
    at2 = run(SMALL_VS_LARGE, _inputs=dict(at.session_state["_inputs"]))
    assert at2.selectbox(key="regime").value == "mica"
    assert "those set on the Compare page" in at2.caption[0].value
    assert "dispute probability 30%" in at2.caption[0].value


def test_small_vs_large_takes_an_uploaded_profile():
    """AppTest cannot drive a file uploader; the staged upload is what its callback fills."""
    mine = dataclasses.replace(PRESETS["small"], name="Mine", customer_assets_usd=50e6)
    at = run(SMALL_VS_LARGE, svl_upload_a={"bytes": mine.to_json().encode(), "name": "m.json"})
    assert "Using Mine from m.json" in at.success[0].value
    assert "Mine" in [h.value for h in at.subheader]


def test_small_vs_large_bad_upload_keeps_the_preset():
    at = run(SMALL_VS_LARGE, svl_upload_b={"bytes": b"{not json", "name": "bad.json"})
    assert "bad.json was not loaded" in at.error[0].value
    assert "Large global exchange" in [h.value for h in at.subheader]


def test_compare_projects_the_recommended_reserve_over_the_chosen_years():
    at = AppTest.from_file(str(PAGES / "compare.py"), default_timeout=120).run()
    assert not at.exception
    label = "P(the reserve runs dry within 5 years)"
    five = float(next(m.value for m in at.metric if m.label == label).rstrip("%"))
    at.slider(key="cmp_years").set_value(10).run()
    assert not at.exception
    ten = next(m.value for m in at.metric if m.label.startswith("P(the reserve runs dry"))
    assert float(ten.rstrip("%")) >= five
    table = next(d.value for d in at.dataframe if "P(ran dry by this year)" in d.value.columns)
    assert list(table["year"]) == list(range(1, 11))


# --------------------------------------------------------------------------------------------
# Regime parameters, ranges, currency
# --------------------------------------------------------------------------------------------
def test_regime_parameters_are_editable_and_set_the_minimum():
    """A custody-share reserve of 2% of cold crypto: the minimum shown is the library's."""
    from pricing.i18n import fmt_amount
    from pricing.regulation import Jp2027Params, RegimeInputs, minimum

    at = run(COMPARE)
    assert "Parameters of jp-2027" in " ".join(e.label for e in at.expander)
    closed = {w.key for w in at.selectbox}
    assert "rp_jp-2027_basis" not in closed, "the parameters are drawn once their expander opens"
    at.session_state["rpx_jp-2027"] = True  # open it
    at.run()
    at.selectbox(key="rp_jp-2027_basis").set_value("custody_share")
    at.number_input(key="rp_jp-2027_custody_share").set_value(0.02).run()
    assert not at.exception and not at.error
    params = Jp2027Params(basis="custody_share", custody_share=0.02)
    expected = minimum("jp-2027", RegimeInputs.from_profile(PRESETS["small"]), params=params)
    assert metrics(at)["Minimum"] == fmt_amount(expected.amount_usd, "USD")
    inputs = at.session_state["_inputs"]
    assert inputs["rp_jp-2027_custody_share"] == pytest.approx(0.02)
    assert "rp_jp-2027_floor_jpy" not in inputs, "only what the user changed is stored"


def test_a_bad_parameter_value_is_named_next_to_its_field():
    at = run(COMPARE, **{"rpx_jp-2027": True})  # the parameters' expander open
    at.number_input(key="rp_jp-2027_custody_share").set_value(2.0).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert "must be float in [0, 1], got 2" in errors[0], "under the field"
    assert r"jp-2027: custody\_share" in errors[-1] and "not valid" in errors[-1], (
        "and in the summary"
    )
    assert not at.success, "no recommendation from invalid parameters"


def test_compare_shows_ranges_confidence_and_both_premiums():
    at = run(COMPARE)
    labels = [m.label for m in at.metric]
    assert labels.count("Cost of risk, recommended") == 1, "the ranges replace the point view"
    assert sum("Recommended:" in s.value for s in at.success) == 1
    best = next(m for m in at.metric if m.label == "Cost of risk, recommended")
    assert "90% range over parameter draws: USD" in best.proto.help
    assert any("**Confidence:**" in c.value and "of 20 draws" in c.value for c in at.caption)
    protection = at.dataframe[1].value
    ranges = protection["P(all compensated), 90% range"]
    assert all(re.fullmatch(r"\d+\.\d\d% – \d+\.\d\d%", r) for r in ranges)
    costs = at.dataframe[0].value
    assert {"market premium (used)", "technical premium (insurer's floor)"} <= set(costs.index)


def test_compensation_in_kind_lowers_the_reserve_only_protection():
    """At the same (floor-bound) reserve, buying stolen coins back at a moved price leaves
    customers uncompensated more often (σ = 60%/yr over 14 days)."""

    def p_full() -> float:
        protection = at.dataframe[1].value.set_index("strategy")
        return float(protection.loc["Reserve only", "P(all compensated) %"])

    at = run(COMPARE)
    before = p_full()
    at.toggle(key="ik_on").set_value(True).run()
    assert not at.exception
    assert "Parameters of compensation in kind" in [e.label for e in at.expander]
    assert p_full() < before


def test_amounts_are_typed_in_the_display_currency():
    from pricing.regulation import DEFAULT_FX

    rate = DEFAULT_FX.rate("JPY")
    at = run(COMPARE, _inputs={"ui_currency": "JPY"})
    capacity = at.number_input(key="cmp_capacity__JPY_en")
    assert capacity.label == "Insurance capacity (JPY m)"
    assert capacity.value == pytest.approx(600 * rate)
    capacity.set_value(300 * rate).run()
    assert at.session_state["_inputs"]["cmp_capacity"] == pytest.approx(300.0)
    assert metrics(at)["Minimum"].startswith("¥")
    assert "JPY million" in chart_specs(at)[0]["layout"]["yaxis"]["title"]["text"]


def test_a_reserve_only_structure_has_a_dash_for_its_retention():
    at = run(COMPARE)
    costs = at.dataframe[0].value
    assert costs.loc["retention", "Reserve only"] == "—"
    assert costs.loc["limit", "Reserve only"] == "0.000"


def test_an_exchange_licensed_elsewhere_edits_each_regime_it_is_held_to():
    profile = dataclasses.replace(PRESETS["small"], jurisdictions=("hk",))
    at = run(COMPARE, profile=profile)
    labels = [e.label for e in at.expander]
    assert any(label.startswith("Parameters of jp-2027") for label in labels)
    assert any(label.startswith("Parameters of hk") for label in labels)
    at.session_state["rpx_hk"] = True  # open hk's parameters
    at.run()
    at.number_input(key="rp_hk_cold_cover_share").set_value(0.9).run()
    assert not at.exception
    assert at.session_state["_inputs"]["rp_hk_cold_cover_share"] == pytest.approx(0.9)
    assert "Hong Kong" in at.success[0].value and "Also licensed under" in at.success[0].value
