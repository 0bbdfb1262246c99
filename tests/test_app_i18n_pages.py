"""Loss history, Loss model, Sensitivity and Scenarios in 日本語 and JPY: no English label and
no USD amount left on the page, amounts converted at the shipped rate, English unchanged.

Every element of a page is walked: its protobuf message (labels, help, placeholders, options,
values, column headers), the text cells of every table and each chart's title, axis titles,
legend names, annotations, hover templates and bar labels. What may stay in Latin letters is
listed in :data:`ALLOWED` (each a proper noun, a code, a file name or a statistical name) and
:data:`DATA_COLUMNS` (the incident file's own data: names, sources, notes).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from pricing.regulation.fx import CURRENCIES, DEFAULT_FX
from tests.app_charts import chart_spec, chart_specs, is_chart, is_chart_component

APP = str(Path(__file__).resolve().parents[1] / "app.py")
HISTORY = "app_pages/history.py"
MODEL = "app_pages/model.py"
SENSITIVITY = "app_pages/sensitivity.py"
SCENARIOS = "app_pages/scenarios.py"
TIMEOUT = 300
JPY = DEFAULT_FX.rate("JPY")

#: Latin-letter words allowed on the Japanese pages, each with its reason.
ALLOWED = {
    # currency, file-format and data-format codes
    *("JPY", "CSV", "PDF", "PNG", "JSON", "ETH", "UTC"),
    # proper nouns: the product, firms and providers named as examples, the book cited
    *("Vaultcover", "DMM", "Bitcoin", "Ginco", "Bybit", "Safe", "Wallet", "Fireblocks"),
    *("Loss", "Models", "Klugman", "Panjer", "Willmot", "actuar", "Cameron", "Trivedi"),
    # statistical names practitioners write in Latin letters (AIC, KS, AD, GLM, negbin, …)
    *("AIC", "BIC", "KS", "AD", "GLM", "negbin", "poisson", "Poisson", "LR", "MLE", "SE", "NB"),
    *("TVaR", "VaR", "QQ", "CI", "exp", "log", "sdlog", "meanlog", "mu", "alpha"),
    # the severity families' names (as R's actuar names them) and their parameters
    *("lognormal", "weibull", "loglogistic", "lomax", "gpd", "gamma", "spliced", "pareto"),
    *("shape", "scale", "rate", "threshold", "splice", "xi", "sigma", "theta", "tail"),
    *("body", "at", "beta"),
    # the shipped data files' names (data/incidents.csv, data/README.md) and the regime codes
    *("data", "incidents", "csv", "README", "md", "jp", "hk", "mica", "kr", "vara", "sg"),
    # the language selector's own names
    *("English", "Language"),
}
#: The incident table's data columns, shown as the file has them (names, countries, sources,
#: providers, coins and notes are data, not labels).
DATA_COLUMNS = {
    "exchange",
    "country",
    "loss_native",
    "signing_provider",
    "infrastructure_provider",
    "third_party_provider",
    "source",
    "second_source",
    "notes",
}
#: Nothing is exempt by key or by text: the top row's settings, the presentation toggle, the
#: banner of changed inputs and the incident-file uploader are walked like the page's own text.
DRAWN_ELSEWHERE: set[str] = set()
COMMON_TEXTS: set[str] = set()
IGNORED_KEYS = {
    *("id", "formId", "key", "url", "deferredFileId", "icon", "type", "format", "data"),
    *("spec", "fileName", "mimeType", "mime", "columns", "columnOrder", "selectionMode"),
    *("editingMode", "width", "height", "fragmentId", "body", "widthConfig", "heightConfig"),
    *("cssClass", "scriptRunId", "arrowData", "styler", "useContainerWidth"),
    "config",  # a chart's modebar settings: the PNG file name (tornado.png)
}
FX_CITATION = re.compile(r"^(1 USD = [\d,.]+ JPY \(.*\)|[A-Z]{3} · [\d,.]+/USD)$")
ENUM = re.compile(r"^[A-Z][A-Z_]+$")
WORD = re.compile(r"[A-Za-z][A-Za-z]{1,}")
#: Text that is not words: plotly placeholders, HTML tags, URLs, code spans.
#: An amount in USD: the code (any "USD" left is English anyway), a dollar sign, or a number
#: in 米ドル. The word 米ドル alone may stay: the incidents' amounts are USD at the time of each
#: theft, and the page says so next to the converted amount.
USD_AMOUNT = re.compile(r"\bUSD\b|US\$|\$\s?\d|\d\s?(十億|百万|万|億)?米?ドル")
NOT_WORDS = re.compile(
    r"%\{[^}]*\}|<[^>]+>|https?://\S+|`[^`]*`|:material/\w+:"
    r"|\b\w+_\w+\b"  # a symbol or parameter name: A_ref, ρ_p, ci_low
    r"|VC-\d{8}-[0-9A-F]{6}\b"  # a quote reference: its digest is hex (VC-20261203-63D8CB)
    r"|\[\?[^\]]*\]\([^)]*\)"  # a scenario's link: [?scenario=Base%20case](/?scenario=…)
)


@pytest.fixture(autouse=True)
def _clear_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("VAULTCOVER_DB", f"sqlite:///{tmp_path / 'scenarios.db'}")
    monkeypatch.setenv("VAULTCOVER_USER", "ana")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def chart_texts(spec: dict) -> list[str]:
    """Every word a chart shows: title, axis titles, legend, annotations, hover, bar labels."""
    layout = spec.get("layout", {})
    out = [layout.get("title", {}).get("text", "")]
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            out.append(axis.get("title", {}).get("text", ""))
    out += [a.get("text", "") for a in layout.get("annotations", [])]
    for trace in spec.get("data", []):
        out += [trace.get("name", "") or "", trace.get("hovertemplate", "") or ""]
        text = trace.get("text")
        out += [str(x) for x in (text if isinstance(text, list) else [text or ""])]
        if trace.get("orientation") == "h":
            out += [str(y) for y in trace.get("y", []) or []]
    return out


def texts(at: AppTest) -> list[str]:
    """Every text the user can read on the page."""
    out: list[str] = []

    def strings(value, key=""):
        if key in IGNORED_KEYS:
            return
        if isinstance(value, dict):
            for k, v in value.items():
                strings(v, k)
        elif isinstance(value, list):
            for v in value:
                strings(v, key)
        elif isinstance(value, str):
            out.append(value)

    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "key", None) in DRAWN_ELSEWHERE:
            continue
        if is_chart_component(node):  # a figure's words; the rest is the component's code
            if is_chart(node):
                out += chart_texts(chart_spec(node))
            continue
        message = MessageToDict(proto)
        strings(message)
        inner = next(iter(message.values()), {}) if len(message) == 1 else message
        if isinstance(inner, dict):
            if "body" in inner:
                out.append(inner["body"])
            if isinstance(inner.get("columns"), str):
                for config in json.loads(inner["columns"]).values():
                    out += [config.get(k, "") for k in ("label", "help")]
            if isinstance(inner.get("spec"), str):
                out += chart_texts(json.loads(inner["spec"]))
        if node.type in ("dataframe", "table"):
            frame = node.value
            config = json.loads(proto.columns) if getattr(proto, "columns", "") else {}
            # a column's header is its configured label, else its name
            out += [config.get(str(c), {}).get("label") or str(c) for c in frame.columns]
            if not isinstance(frame.index, pd.RangeIndex):
                out += [str(i) for i in frame.index]
            for column in frame.columns:
                if column in DATA_COLUMNS:
                    continue
                out += [v for v in frame[column] if isinstance(v, str)]
    return [s for s in out if s.strip() and s not in COMMON_TEXTS]


def english_left(at: AppTest, names: tuple[str, ...] = ()) -> list[str]:
    """Texts with a Latin-letter word not in :data:`ALLOWED`, or with an amount in USD."""
    bad = []
    for text in texts(at):
        if FX_CITATION.match(text) or text in CURRENCIES or ENUM.match(text):
            continue
        plain = NOT_WORDS.sub(" ", text)
        for name in names:  # the user's own names (exchange, scenario, user)
            plain = plain.replace(name, " ")
        words = set(WORD.findall(plain)) - ALLOWED
        if words or USD_AMOUNT.search(plain):
            bad.append(text)
    return sorted(set(bad))


def japanese(at: AppTest) -> AppTest:
    at.selectbox(key="ui_lang").set_value("ja").run()
    at.selectbox(key="ui_currency").set_value("JPY").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def numbers(values) -> list[float]:
    """A chart's data array (plotly sends numbers as base64 ``bdata`` with a dtype)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values) if isinstance(values, list) else [float(values)]


def yen(text: str) -> float:
    """A compact yen amount as shown (``1.57億円``, ``3,000万円``, ``9,999円``) in yen."""
    found = re.fullmatch(r"(-?[\d,.]+)(兆|億|万)?円", text)
    assert found, text
    return float(found[1].replace(",", "")) * {"兆": 1e12, "億": 1e8, "万": 1e4, None: 1}[found[2]]


def profile_name(at: AppTest) -> str:
    return at.session_state["profile"].name


# --------------------------------------------------------------------------------------------
# The walk can fail
# --------------------------------------------------------------------------------------------
def test_the_walk_finds_english_and_usd_on_the_english_history_page():
    at = open_page(HISTORY)
    left = english_left(at)
    assert "Loss history" in left  # the title
    assert "continued" in left and "press" in left  # a table's cells (outcome, source type)
    assert "Thefts from exchanges and custodians" in left  # a chart's title
    assert any("USD" in s for s in left)


# --------------------------------------------------------------------------------------------
# Loss history
# --------------------------------------------------------------------------------------------
def test_history_in_japanese_and_yen_has_no_english_and_no_usd():
    at = japanese(open_page(HISTORY))
    assert at.title[0].value == "損失履歴"
    assert not english_left(at), english_left(at)
    total = at.metric[1].value
    assert total.endswith("円"), total


def test_history_amounts_are_the_incidents_at_the_shipped_rate():
    """The table's loss column and the chart's points are the file's USD amounts times the
    rate; the minimum loss typed in 億円 filters the same incidents as its USD equivalent."""
    at = open_page(HISTORY)
    usd_table = at.dataframe[0].value
    at = japanese(at)
    table = at.dataframe[0].value
    assert table["loss_usd"].tolist() == pytest.approx(
        (usd_table["loss_usd"] * JPY).tolist(), rel=1e-12, nan_ok=True
    )
    spec = chart_specs(at)[0]
    shown = sorted(y for trace in spec["data"] for y in numbers(trace["y"]))
    # the chart in 億円 (10^8 yen), so its log axis reads 1, 10, 100 億円
    assert shown == pytest.approx(sorted(usd_table["loss_usd"].dropna() * JPY / 1e8), rel=1e-9)
    # ¥15.7bn typed as 157億円 is USD 100 m at the shipped rate: the same rows as 100 (USD m)
    at.number_input(key="hist_min_loss_in_JPY").set_value(100 * JPY / 100).run()
    assert not at.exception
    assert at.session_state["hist_min_loss"] == pytest.approx(100.0, rel=1e-6)
    in_yen = at.dataframe[0].value
    assert (in_yen["loss_usd"] >= 100e6 * JPY * (1 - 1e-9)).all()
    at.selectbox(key="ui_currency").set_value("USD").run()
    at.selectbox(key="ui_lang").set_value("en").run()
    assert at.number_input(key="hist_min_loss").value == pytest.approx(100.0, rel=1e-6)
    assert len(at.dataframe[0].value) == len(in_yen)


# --------------------------------------------------------------------------------------------
# Sensitivity
# --------------------------------------------------------------------------------------------
def test_sensitivity_in_japanese_and_yen_has_no_english_and_no_usd():
    at = open_page(SENSITIVITY)
    english = {m.label: m.value for m in at.metric}
    at = japanese(at)
    assert at.title[0].value == "感応度"
    assert not english_left(at, (profile_name(at),)), english_left(at, (profile_name(at),))
    base = next(m for m in at.metric if "コスト" in m.label)
    assert base.value.endswith("円")
    usd = float(english["Base total cost of risk (USD per year)"].replace(",", ""))
    assert yen(base.value) == pytest.approx(usd * JPY, rel=5e-3)  # shown to 3 figures
    spec = chart_specs(at)[0]
    bars = spec["data"][0]
    assert numbers(bars["base"])[0] == pytest.approx(usd * JPY, rel=1e-3)


# --------------------------------------------------------------------------------------------
# Loss model
# --------------------------------------------------------------------------------------------
def test_model_in_japanese_and_yen_has_no_english_and_no_usd():
    at = japanese(open_page(MODEL))
    assert at.title[0].value == "損失モデル"
    assert not english_left(at, (profile_name(at),)), english_left(at, (profile_name(at),))
    assert any(m.value.endswith("円") for m in at.metric)


def test_model_threshold_typed_in_oku_yen_fits_the_same_losses_as_in_usd():
    """A reporting threshold of 39.25億円 is USD 25 m at the shipped rate: the fit uses the same
    losses as the English page with 25 (USD million), and the model's charts are in yen."""
    at = open_page(MODEL)
    at.number_input(key="threshold_m").set_value(25.0)
    next(b for b in at.button if b.label == "Fit").click().run()
    english = at.info[-1].value
    n_usd = int(re.search(r"(\d+) losses above USD 25,000,000", english)[1])

    at = japanese(open_page(MODEL))
    at.number_input(key="threshold_m_in_JPY").set_value(25e6 * JPY / 1e8)
    next(b for b in at.button if b.label == "推定").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["threshold_m"] == pytest.approx(25.0, rel=1e-6)
    n_jpy = int(re.search(r"を超える損失(\d+)件", at.info[-1].value)[1])
    assert n_jpy == n_usd
    spec = next(s for s in chart_specs(at) if "QQ" in s["layout"]["title"]["text"])
    fitted = min(numbers(spec["data"][1]["x"]))
    assert fitted > 25e6 * JPY / 1e8 * 0.999, "the fitted quantiles are above it, in 億円"
    assert not english_left(at, (profile_name(at),)), english_left(at, (profile_name(at),))


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------
def saved_scenarios() -> tuple[str, ...]:
    """Two saved scenarios of user ``ana`` that differ in profile, regime and disputes."""
    import dataclasses
    import os

    from pricing.profiles import PRESETS
    from pricing.scenario import Scenario
    from pricing.store import ScenarioStore

    store = ScenarioStore(os.environ["VAULTCOVER_DB"])
    base = Scenario("Base case", PRESETS["small"])
    other = Scenario("Large HK", PRESETS["large"], regime="hk")
    frictions = dataclasses.replace(other.strategy.frictions, dispute_probability=0.4)
    other = dataclasses.replace(
        other, strategy=dataclasses.replace(other.strategy, frictions=frictions)
    )
    store.save(base, user="ana")
    store.save(other, user="ana")
    return ("Base case", "Large HK", PRESETS["small"].name, PRESETS["large"].name, "ana")


def test_scenarios_in_japanese_and_yen_has_no_english_and_no_usd():
    names = saved_scenarios()
    at = japanese(open_page(SCENARIOS))
    at.multiselect(key="sc_compare").set_value(["Base case", "Large HK"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "シナリオ"
    compared = next(d.value for d in at.dataframe if "measure" in d.value.columns)
    assert compared["measure"].str.contains("JPY").any()
    assert any("円" in v for v in compared["Base case"])
    assert not english_left(at, names), english_left(at, names)


def test_scenarios_compare_amounts_are_the_english_pages_at_the_shipped_rate():
    """Each amount of the comparison in yen is the English page's USD amount times the rate,
    to the shown precision, and the assumption that differs in USD is converted too."""
    from pricing.profiles import PRESETS

    saved_scenarios()
    at = open_page(SCENARIOS)
    at.multiselect(key="sc_compare").set_value(["Base case", "Large HK"]).run()
    diff_usd = next(d.value for d in at.dataframe if "assumption" in d.value.columns)
    assert "profile › customer assets usd" in diff_usd["assumption"].tolist()
    at = japanese(at)
    diff = next(d.value for d in at.dataframe if "assumption" in d.value.columns)
    row = diff[diff["assumption"] == "プロファイル › 顧客資産 (JPY)"]
    from pricing.i18n import fmt_amount

    assert row["Large HK"].item() == fmt_amount(
        PRESETS["large"].customer_assets_usd * JPY, "JPY", "ja"
    )


def test_sensitivity_layer_typed_in_oku_yen_prices_the_same_layer_as_in_usd():
    """A retention and limit typed in 億円 are the layer of their USD equivalents: the point
    estimate shown in yen is the English page's USD figure times the rate."""
    at = open_page(SENSITIVITY)
    at.number_input(key="sens_retention").set_value(2.0).run()
    at.number_input(key="sens_limit").set_value(10.0).run()
    usd = float(
        {m.label: m.value for m in at.metric}["Point estimate (USD per year)"].replace(",", "")
    )
    at = japanese(open_page(SENSITIVITY))
    at.number_input(key="sens_retention_in_JPY").set_value(2e6 * JPY / 1e8).run()
    at.number_input(key="sens_limit_in_JPY").set_value(10e6 * JPY / 1e8).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["sens_retention"] == pytest.approx(2.0, rel=1e-6)
    assert at.session_state["sens_limit"] == pytest.approx(10.0, rel=1e-6)
    point = next(m.value for m in at.metric if m.label.startswith("点推定値"))
    assert yen(point) == pytest.approx(usd * JPY, rel=5e-3)  # shown to 3 figures


def test_sensitivity_table_amounts_are_whole_yen():
    """The tornado table's costs are shown to the yen with thousands separators, as in USD
    (the columns' number format follows the translated column names), and stay numbers."""
    at = japanese(open_page(SENSITIVITY))
    table = at.dataframe[0]
    config = json.loads(table.proto.columns)
    costs = [c for c in table.value.columns if c.endswith("（JPY）")]
    assert len(costs) == 3, list(table.value.columns)
    for column in costs:
        assert config[column]["type_config"]["format"] == "%,.0f", config.get(column)
        assert table.value[column].dtype.kind == "f"
