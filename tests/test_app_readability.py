"""Every page, in English (USD) and 日本語 (JPY): no "None", no "nan", no raw float (8 or more
significant digits: 968389.4404) and no snake_case column name reaches the screen.

Walked with AppTest: each table and data editor (its cells, its headers as configured, the
placeholder shown in empty cells and the number format of its float columns) and every text
element (markdown, captions, metrics, alerts, labels). Streamlit draws an empty cell as "None"
unless the table has a ``placeholder``, and a float column without a ``format`` as the raw
float (151186.5572), so both are checked on the element, not on a screenshot.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 300
PAGES = [
    "app_pages/profile.py",
    "app_pages/history.py",
    "app_pages/model.py",
    "app_pages/compare.py",
    "app_pages/quote.py",
    "app_pages/small_vs_large.py",
    "app_pages/sensitivity.py",
    "app_pages/scenarios.py",
    "app_pages/portfolio.py",
    "app_pages/glossary.py",
]
SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
#: "None" or "nan" as a word, as pandas and Python print a missing value.
MISSING = re.compile(r"(?<![\w`])(None|nan|NaN)(?![\w`])")
#: A number printed with 10 or more significant digits (17-digit floats, 151186.55721234).
LONG_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*\.\d+")
#: Text elements whose words are the user's (a typed scenario name) or code.
#: A chart (a component, app_pages/chart.py) carries its figure's raw numbers and its code.
SKIP_TYPES = {"code", "json", "bidi_component", "dataframe", "table", "arrow_data_frame"}


@pytest.fixture(autouse=True)
def _clear_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("VAULTCOVER_DB", f"sqlite:///{tmp_path / 'scenarios.db'}")
    monkeypatch.setenv("VAULTCOVER_USER", "ana")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def digits(number: str) -> int:
    """Significant digits of a printed number."""
    return len(number.replace(",", "").replace(".", "").lstrip("0"))


def default(value: float) -> str:
    """A float as Streamlit shows it without a format: up to four decimals."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def table_problems(node) -> list[str]:
    """A table's empty cells drawn as "None", raw floats and snake_case headers."""
    found = []
    frame: pd.DataFrame = node.value
    proto = node.proto
    config = json.loads(proto.columns) if proto.columns else {}
    name = getattr(node, "key", None) or ""
    shown = [c for c in frame.columns if not config.get(str(c), {}).get("hidden")]
    for column in shown:
        settings = config.get(str(column), {})
        header = settings.get("label") or str(column)
        if SNAKE.match(header):
            found.append(f"table {name}: snake_case header {header!r}")
        values = frame[column]
        kind = settings.get("type_config", {})
        if values.isna().any() and not proto.HasField("placeholder"):
            found.append(f"table {name}: empty cells of {header!r} are shown as 'None'")
        styled = proto.arrow_data.HasField("styler")  # a pandas Styler formats its cells
        if pd.api.types.is_float_dtype(values) and not kind.get("format") and not styled:
            raw = [v for v in values.dropna() if math.isfinite(v) and digits(default(v)) >= 8]
            if raw:
                found.append(f"table {name}: {header!r} shows raw floats ({default(raw[0])})")
        if values.dtype == object:
            for v in values:
                if isinstance(v, float) and not math.isfinite(v):
                    found.append(f"table {name}: {header!r} has a NaN cell")
                    break
                if isinstance(v, str) and (MISSING.search(v) or long_numbers(v)):
                    found.append(f"table {name}: {header!r} shows {v!r}")
                    break
    if proto.HasField("placeholder") and MISSING.search(proto.placeholder):
        found.append(f"table {name}: placeholder {proto.placeholder!r}")
    return found


def long_numbers(text: str) -> list[str]:
    return [n for n in LONG_NUMBER.findall(text) if digits(n) >= 10]


def text_problems(node) -> list[str]:
    """ "None", "nan" or a 10-digit float in a text element (markdown, metric, label …)."""
    if node.type in SKIP_TYPES or getattr(node, "proto", None) is None:
        return []
    found = []
    message = MessageToDict(node.proto)

    def walk(value, key=""):
        if key in {"id", "formId", "key", "url", "icon", "type", "scriptRunId", "spec"}:
            return
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str):
            text = re.sub(r"`[^`]*`", " ", value)  # code spans are code
            if MISSING.search(text):
                found.append(f"{node.type}: {value[:120]!r} shows None/nan")
            for number in long_numbers(text):
                found.append(f"{node.type}: {value[:120]!r} shows the raw number {number}")

    walk(message)
    return found


def walk(at: AppTest) -> list[str]:
    found = []
    for node in at._tree:
        if node.type in ("dataframe", "arrow_data_frame") or (
            hasattr(node, "value") and (isinstance(getattr(node, "value", None), pd.DataFrame))
        ):
            found += table_problems(node)
        else:
            found += text_problems(node)
    return found


def open_app(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if lang == "ja":
        at.selectbox(key="ui_lang").set_value("ja").run()
        at.selectbox(key="ui_currency").set_value("JPY").run()
    return at


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("page", PAGES)
def test_nothing_raw_reaches_the_screen(page, lang):
    at = open_app(lang)
    at.switch_page(page).run()
    if page.endswith("portfolio.py"):  # a short run of the example book: its tables too
        at.number_input(key="pt_years").set_value(2_000)
        next(b for b in at.button if b.proto.is_form_submitter).click().run()
    assert not at.exception, [e.value for e in at.exception]
    found = walk(at)
    assert not found, "\n".join(dict.fromkeys(found))
