"""Streamlit AppTest: every page renders on the defaults, widgets change what they should."""

from __future__ import annotations

import ast
import dataclasses
import tomllib
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pricing.profiles import PRESETS
from tests.app_charts import chart_specs

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 60


# An incident file in the layout before the provider split (12 columns, one
# ``third_party_provider``): it must still load, so these tests keep it.
LEGACY_HEADER = (
    "date,exchange,country,loss_usd,loss_native,attack_vector,third_party_provider,wallet,"
    "customers_reimbursed,outcome,source,notes"
)


@pytest.fixture(autouse=True)
def _clear_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


HISTORY = "app_pages/history.py"
MODEL = "app_pages/model.py"
PROFILE = "app_pages/profile.py"
QUOTE = "app_pages/quote.py"
COMPARE = "app_pages/compare.py"
SMALL_VS_LARGE = "app_pages/small_vs_large.py"
SENSITIVITY = "app_pages/sensitivity.py"


def open_page(page: str | None = None) -> AppTest:
    """The app on ``page`` (the default page, Exchange profile, when None)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_exchange_profile_is_the_default_page():
    at = open_page()
    assert at.title[0].value == "Exchange profile"


@pytest.mark.parametrize(
    "page", [PROFILE, HISTORY, MODEL, COMPARE, QUOTE, SMALL_VS_LARGE, SENSITIVITY]
)
def test_every_page_renders_without_exception(page):
    at = open_page(page)
    assert at.title[0].value


def test_no_page_relies_on_magic_which_the_app_turns_off():
    """With ``runner.magicEnabled = false`` a bare expression meant to be shown would show
    nothing: every expression statement of the app is a call (or a docstring)."""
    root = Path(APP).parent
    config = tomllib.loads((root / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False
    bare = []
    for path in [root / "app.py", *sorted((root / "app_pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Expr) or isinstance(node.value, ast.Call | ast.Await):
                continue
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                continue  # a docstring
            bare.append(f"{path.name}:{node.lineno}")
    assert not bare


def test_history_page_renders_the_shipped_data():
    at = open_page(HISTORY)
    assert at.title[0].value == "Loss history"
    shown = int(at.metric[0].value)
    assert shown >= 90
    assert chart_specs(at), "the timeline chart is drawn"


def test_history_filters_change_the_table():
    at = open_page(HISTORY)
    before = int(at.metric[0].value)
    at.multiselect(key="hist_vectors").set_value(["third_party_provider"]).run()
    after = int(at.metric[0].value)
    assert 0 < after < before
    assert len(at.dataframe[0].value) == after


def test_history_platform_filter_defaults_to_exchanges_and_custodians():
    import csv

    from pricing.data import shipped_path

    with open(shipped_path("incidents.csv"), encoding="utf-8") as f:
        kinds = [row["platform_type"] for row in csv.DictReader(f)]
    core = sum(k in ("exchange", "custodian_lender") for k in kinds)
    at = open_page(HISTORY)
    assert at.radio(key="hist_platforms").value == "exchanges_custodians"
    assert int(at.metric[0].value) == core < len(kinds)
    assert len(at.dataframe[0].value) == core
    assert set(at.dataframe[0].value["platform_type"]) == {"exchange", "custodian_lender"}
    at.radio(key="hist_platforms").set_value("all").run()
    assert not at.exception
    assert int(at.metric[0].value) == len(kinds)
    # The choice is a bound input: kept in the session's inputs, it survives a page switch.
    assert at.session_state["_inputs"]["hist_platforms"] == "all"
    at.switch_page(MODEL).run()
    at.switch_page(HISTORY).run()
    assert at.radio(key="hist_platforms").value == "all"
    assert int(at.metric[0].value) == len(kinds)


def test_history_platform_filter_ignored_for_a_file_without_platform_types():
    rows = [
        "2019-05-07,Binance,MT,40000000,7000 BTC,hot_wallet_key_compromise,,hot,full,continued,"
        "https://example.org/a,",
        "2014-12-11,BitPay,US,1800000,,social_engineering,,unknown,full,continued,"
        "https://example.org/b,",
    ]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["incident_upload"] = {
        "bytes": "\n".join([LEGACY_HEADER, *rows]).encode(),
        "name": "untyped.csv",
    }
    at.run().switch_page(HISTORY).run()
    assert not at.exception
    assert int(at.metric[0].value) == 2
    assert any("no platform types" in c.value for c in at.caption)


def test_model_page_shows_fits_and_rate():
    at = open_page(MODEL)
    assert at.title[0].value == "Loss model"
    table = at.dataframe[0].value
    assert {"family", "aic"} <= set(table.columns)
    rate = float(at.metric[0].value)
    assert rate > 0
    titles = [spec["layout"]["title"]["text"] for spec in chart_specs(at)]
    assert any(t.startswith("QQ plot") for t in titles)


def test_model_threshold_changes_the_number_of_losses():
    at = open_page(MODEL)
    before = at.info[-1].value
    at.number_input(key="threshold_m").set_value(50.0)
    at.button[0].click().run()
    assert not at.exception
    assert at.info[-1].value != before
    assert "USD 50,000,000" in at.info[-1].value


def test_bad_upload_shows_every_problem_and_no_traceback():
    """AppTest cannot drive a file uploader; the stored upload is what the widget fills."""
    bad = (
        LEGACY_HEADER + "\n"
        "2019-05-07,Binance,MT,-3,,hot_wallet_key_compromise,,hot,full,continued,src,\n"
        "2019-13-07,Binance,MT,5,,phish,,hot,full,continued,src,\n"
    ).encode()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["incident_upload"] = {"bytes": bad, "name": "bad.csv"}
    at.run().switch_page(HISTORY).run()
    assert not at.exception
    assert "bad.csv was not loaded: 3 problem(s)" in at.error[0].value
    problems = at.dataframe[0].value  # the problems table comes before the incident table
    assert problems[["line", "column"]].values.tolist() == [
        [2, "loss_usd"],
        [3, "date"],
        [3, "attack_vector"],
    ]
    assert int(at.metric[0].value) >= 90, "the shipped data stays in use"


def test_good_upload_replaces_the_shipped_data():
    rows = [
        "2019-05-07,Binance,MT,40000000,7000 BTC,hot_wallet_key_compromise,,hot,full,continued,"
        "https://example.org/a,",
        "2020-09-25,KuCoin,SC,281000000,,hot_wallet_key_compromise,,hot,full,continued,"
        "https://example.org/b,",
    ]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["incident_upload"] = {
        "bytes": "\n".join([LEGACY_HEADER, *rows]).encode(),
        "name": "mine.csv",
    }
    at.run().switch_page(HISTORY).run()
    assert not at.exception
    assert int(at.metric[0].value) == 2


# --------------------------------------------------------------------------------------------
# Exchange profile
# --------------------------------------------------------------------------------------------
PROFILE_METRICS = (
    "Expected thefts per year",
    "Mean loss per theft",
    "Expected yearly loss",
    "1-in-200 yearly loss",
    "TVaR 99.5%",
)


def test_profile_page_shows_the_small_preset_and_its_loss_model():
    at = open_page()
    assert at.radio(key="pf_preset").value == "small"
    assert at.number_input(key="pf_customer_assets_usd").value == pytest.approx(130.0)
    assert at.number_input(key="pf_hot_share").value == pytest.approx(5.0)
    shown = metrics(at)
    assert set(PROFILE_METRICS) <= set(shown)
    assert float(shown["Expected thefts per year"]) > 0
    assumptions = at.dataframe[0].value
    assert {"assumption", "value", "unit", "basis"} <= set(assumptions.columns)
    assert "Exchange rate λ" in set(assumptions["assumption"])
    (spec,) = chart_specs(at)
    assert spec["layout"]["xaxis"]["type"] == "log"
    names = [trace["name"] for trace in spec["data"]]
    assert "all thefts in a year (AEP)" in names and "largest single theft (OEP)" in names
    assert [b.label for b in at.get("download_button")] == ["Save this profile (JSON)"]
    assert not at.error


def test_choosing_the_large_preset_changes_fields_and_metrics():
    at = open_page()
    before = metrics(at)
    at.radio(key="pf_preset").set_value("large").run()
    assert not at.exception
    assert at.number_input(key="pf_customer_assets_usd").value == pytest.approx(20_000.0)
    assert at.text_input(key="pf_name").value == "Large global exchange"
    after = metrics(at)
    for label in PROFILE_METRICS:
        assert after[label] != before[label], label
    assert at.session_state["profile"].name == "Large global exchange"


def test_editing_a_field_switches_to_custom_and_changes_the_model():
    at = open_page()
    before = metrics(at)["Expected thefts per year"]
    at.number_input(key="pf_customer_assets_usd").set_value(1000.0).run()
    assert at.radio(key="pf_preset").value == "custom"
    assert metrics(at)["Expected thefts per year"] != before
    assert at.session_state["profile"].customer_assets_usd == pytest.approx(1e9)


def test_an_invalid_field_shows_an_error_naming_it_and_no_traceback():
    at = open_page()
    at.number_input(key="pf_customer_assets_usd").set_value(0.0).run()
    assert not at.exception
    (error,) = at.error
    assert "Customer assets (USD million)" in error.value
    assert "**Customer assets (USD million)**: must be > 0" in error.value
    assert not at.metric, "no loss model is shown for an invalid profile"
    assert at.session_state["profile"].name == "Small domestic exchange", "last valid kept"


def test_an_empty_name_is_named_in_the_error():
    at = open_page()
    at.text_input(key="pf_name").set_value("  ").run()
    assert not at.exception
    assert "**Name**: must be a non-empty text" in at.error[0].value


def test_a_profile_file_fills_the_fields():
    """AppTest cannot drive a file uploader; the staged upload is what its callback fills."""
    custom = dataclasses.replace(PRESETS["small"], name="Mine", hot_share=0.1)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["profile_upload"] = {"bytes": custom.to_json().encode(), "name": "a.json"}
    at.run()
    assert not at.exception
    assert "Loaded Mine from a.json" in at.success[0].value
    assert at.text_input(key="pf_name").value == "Mine"
    assert at.number_input(key="pf_hot_share").value == pytest.approx(10.0)
    assert at.radio(key="pf_preset").value == "custom"
    assert at.session_state["profile"] == custom


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"name": "x"}', "'customer_assets_usd': missing field"),
        (b"\x80\x81{}", "not UTF-8 text"),
    ],
)
def test_a_bad_profile_file_shows_the_reason(payload, message):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["profile_upload"] = {"bytes": payload, "name": "bad.json"}
    at.run()
    assert not at.exception
    assert "bad.json was not loaded" in at.error[0].value
    assert message in at.error[0].value
    assert at.text_input(key="pf_name").value == "Small domestic exchange"


# --------------------------------------------------------------------------------------------
# Insurer quote
# --------------------------------------------------------------------------------------------
def set_tower(at: AppTest, **changes: object) -> AppTest:
    """Change the stored tower rows (AppTest cannot type into a data editor)."""
    frame = at.session_state["tower_frame"].copy()
    for column_row, value in changes.items():
        column, row = column_row.rsplit("_", 1)
        frame.loc[int(row), column] = value
    at.session_state["tower_frame"] = frame
    return at.run()


def test_quote_page_prices_the_default_tower():
    at = open_page(QUOTE)
    assert at.title[0].value == "Insurer quote"
    table = at.dataframe[1].value  # [0] is the tower editor
    assert list(table["layer"]) == ["Layer 1", "Layer 2"]
    assert (table["expected_loss"] > 0).all()
    assert (table["premium"] >= table["expected_loss"]).all()
    assert {"rate_on_line", "loss_ratio"} <= set(table.columns)
    principles = at.dataframe[2].value
    assert len(principles) == 4
    shown = metrics(at)
    assert shown["Layers"] == "2"
    assert not at.error


def test_quote_page_has_the_three_downloads():
    at = open_page(QUOTE)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download Excel (XLSX)", "Download PDF quote sheet"]


def test_changing_a_retention_changes_the_expected_loss():
    at = open_page(QUOTE)
    before = at.dataframe[1].value["expected_loss"].iloc[0]
    set_tower(at, retention_0=3.0, limit_0=3.0)
    assert not at.exception
    table = at.dataframe[1].value
    assert table["retention"].iloc[0] == pytest.approx(3e6)
    assert table["expected_loss"].iloc[0] < before


def test_quote_follows_the_profile_chosen_on_the_profile_page():
    at = open_page()
    at.radio(key="pf_preset").set_value("large").run()
    at.switch_page(QUOTE).run()
    assert not at.exception
    assert "Large global exchange" in at.info[-1].value
    table = at.dataframe[1].value
    assert table["retention"].iloc[0] == pytest.approx(200e6), "tower sized to the exchange"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"limit_1": -5.0}, ["Row 2", "limit (USD m)", "'limit' must be > 0"]),
        ({"share_0": 150.0}, ["Row 1", "share (%)", "'share' must be in (0, 1]"]),
        ({"retention_1": 3.0}, ["overlap", "Layer 2", "inside Layer 1"]),
        ({"reinstatements_0": 1.5}, ["Row 1", "reinstatements", "whole number"]),
        ({"market_rol_0": 150.0}, ["Row 1", "market rate on line"]),
    ],
)
def test_an_invalid_layer_shows_an_error_naming_row_and_field(changes, expected):
    at = open_page(QUOTE)
    set_tower(at, **changes)
    assert not at.exception
    (error,) = at.error
    for text in expected:
        assert text in error.value
    assert not at.get("download_button"), "nothing to download for an invalid tower"


def test_invalid_loadings_show_an_error():
    at = open_page(QUOTE)
    at.number_input(key="q_expense").set_value(120.0).run()
    assert not at.exception
    assert "expense_ratio=1.2" in at.error[0].value


def test_a_market_rate_on_line_prices_the_layer_at_that_rate():
    at = open_page(QUOTE)
    set_tower(at, market_rol_1=2.0)
    table = at.dataframe[1].value
    assert table["principle"].iloc[1] == "entered rate on line"
    assert table["premium"].iloc[1] == pytest.approx(0.02 * 0.5 * 20e6)


def test_editor_edits_fold_into_the_stored_rows():
    from app_pages.common import apply_edits, default_tower

    base = default_tower(PRESETS["small"])
    edits = {
        "edited_rows": {0: {"retention": 2.0}, 1: {"market_rol": None}},
        "added_rows": [{"retention": 30.0, "limit": 10.0}],
        "deleted_rows": [1],
    }
    out = apply_edits(base, edits)
    assert out["retention"].tolist() == [2.0, 30.0]
    assert out["limit"].tolist() == [5.0, 10.0]
    assert out["share"].isna().tolist() == [False, True]


def test_rows_become_a_sorted_tower_with_rates_in_layer_order():
    import pandas as pd

    from app_pages.common import tower_from_rows

    rows = pd.DataFrame(
        {
            "retention": [6.0, 1.0],
            "limit": [20.0, 5.0],
            "share": [50.0, float("nan")],
            "reinstatements": [float("nan"), 2.0],
            "market_rol": [1.5, float("nan")],
        }
    )
    tower, rates = tower_from_rows(rows)
    assert [layer.name for layer in tower.layers] == ["Layer 2", "Layer 1"]
    assert rates == (None, 0.015)
    assert tower.layers[0].share == 1.0 and tower.layers[0].reinstatements == 2
    assert tower.layers[1].reinstatements is None
    with pytest.raises(ValueError, match=r"Row 2: \*\*limit \(USD m\)\*\* is empty"):
        tower_from_rows(rows.assign(limit=[20.0, float("nan")]))
    with pytest.raises(ValueError, match="at least one layer"):
        tower_from_rows(rows.iloc[:0])


def test_sensitivity_page_shows_the_tornado_and_a_price_range_that_follows_the_layer():
    at = open_page(SENSITIVITY)
    shown = metrics(at)
    assert float(shown["Base total cost of risk (USD per year)"].replace(",", "")) > 0
    assert len(at.dataframe[0].value) == 10  # one row per assumption moved
    before = shown["Point estimate (USD per year)"]
    at.number_input(key="sens_retention").set_value(0.05).run()
    assert not at.exception
    after = metrics(at)["Point estimate (USD per year)"]
    assert float(after.replace(",", "")) > float(before.replace(",", ""))  # lower retention


def submit(at: AppTest, label: str) -> AppTest:
    """Click the (form submit) button with this label."""
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_manual_overrides_on_the_model_page_reach_every_page():
    """Doubling the average-exchange rate doubles the exchange's theft rate, on the Loss model
    page and on the Exchange profile page, and the table marks it as a manual override."""
    at = open_page(MODEL)
    label = "Thefts per year, Small domestic exchange"
    before = float(metrics(at)[label])
    rate = at.number_input(key="lm_base_rate")
    rate.set_value(2 * rate.value)
    submit(at, "Apply to every page")
    assert float(metrics(at)[label]) == pytest.approx(2 * before, rel=2e-3)
    table = at.dataframe[-1].value.set_index("assumption")
    assert table.loc["Average-exchange rate", "basis"] == "manual override"
    at.switch_page(PROFILE).run()
    assert float(metrics(at)["Expected thefts per year"]) == pytest.approx(2 * before, rel=2e-3)


def test_an_invalid_override_is_named_and_the_previous_model_stays():
    at = open_page(MODEL)
    family = at.selectbox(key="lm_family").value
    field = next(  # a parameter that must be > 0 (every family has one)
        n
        for n in at.number_input
        if n.key.startswith(f"lm_param_{family}_") and not n.key.endswith("meanlog")
    )
    name = field.key.removeprefix(f"lm_param_{family}_")
    field.set_value(-1.0)
    submit(at, "Apply to every page")
    assert any(name in e.value for e in at.error)


def test_model_page_shows_how_the_threshold_moves_the_tail():
    at = open_page(MODEL)
    table = next(d.value for d in at.dataframe if "mean_excess" in d.value.columns)
    assert list(table["threshold"]) == sorted(table["threshold"])
    assert table["n"].is_monotonic_decreasing and table["n"].iloc[0] > table["n"].iloc[-1]
