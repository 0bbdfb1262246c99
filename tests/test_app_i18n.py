"""AppTest: in 日本語 and JPY, no English label and no USD amount is left on a page.

Every element of the page is walked (titles, headers, markdown, captions, alerts, metrics with
their help, tables' column names, index and text cells, widgets' labels, options and help,
buttons, expanders, and each chart's title, axis titles, legend names, annotations and hover
text). What may stay in Latin letters is listed explicitly below, each with its reason; any
other English word fails the test and is named in the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app_charts import chart_specs

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 180

# --------------------------------------------------------------------------------------------
# What may stay in Latin letters, and why
# --------------------------------------------------------------------------------------------
#: Proper nouns: names of laws, regulators, firms, ratings agencies' scale, file formats and
#: the actuarial abbreviations Japanese practitioners also write in Latin letters.
PROPER_NOUNS = {
    "MiCA", "VARA", "SFC", "MAS", "VAUPA", "DMM", "Bitcoin", "BTC", "FSA", "JVCEA", "FIEA",
    "PSA", "VATP", "DPT", "Upbit", "Nikkei", "CoinGeek", "PwC", "Asahi", "SMBIZ", "mytoken",
    "PNG", "PDF", "CSV", "XLSX", "AEP", "OEP", "TVaR", "VaR", "Rulebook", "Art", "EU", "e-Gov",
}  # fmt: skip
#: Currency codes (the sidebar's currency choices, and amounts in other currencies).
CURRENCY_CODES = {"JPY", "HKD", "EUR", "KRW", "SGD", "AED"}
#: Insurer ratings (an S&P-style scale: codes, not words).
RATINGS = {"AAA", "AA", "BBB"}
#: Regime codes as the CLI and the selector name them, and the CLI command a library note
#: names (``compare`` computes the history basis).
REGIME_CODES = {"jp", "jp-2027", "hk", "mica", "kr", "vara", "sg", "in-kind", "compare"}
#: Whole texts that may stay: the language selector (its own name in both languages) and the
#: exchange's name, which is the user's data (the preset's name as the profile gives it).
WHOLE_TEXTS = {"Language / 言語", "English", "日本語"}
#: A text of these shapes is a citation (a source's own title, not translated), a formula,
#: code-like (parameter names in backticks, ``name = value``) or a URL.
ALLOWED_PATTERNS = (
    re.compile(r"`[^`]*`"),  # parameter names and formulas set as code
    re.compile(r"https?://\S+"),  # URLs of sources
    re.compile(r"\b[a-z][\w-]*(\.[a-z][\w-]*)+\b"),  # a source's domain: fsa.go.jp
    re.compile(r"^\\?\[[\w.-]+\\?\] .*$", re.S),  # a source line: [ref] its own title …
    re.compile(r"\\?\[[\w.-]+\\?\]"),  # a citation key: [jp-psa], [1]
    re.compile(r"\b\w+_\w+ = (True|False)\b"),  # a parameter's value as the CLI writes it
    re.compile(r"^(- )?\w+ = "),  # an assumption line starts with its parameter's name
    re.compile(r"\b\w+_\w+\b"),  # a parameter or variable name (custody_share, V_total)
    re.compile(r"\b(min|max)\("),  # functions of a formula
    re.compile(r"%\{[^}]*\}"),  # plotly hover placeholders
    re.compile(r"<[^>]+>"),  # HTML line breaks and tags in chart text
    re.compile(r"\b[A-Z]{1,3}[+-]"),  # ratings like A-, AA+
    re.compile(r"\bs_max\b|\bI_eligible\b|\bR_cash\b"),  # formula symbols
)
#: The places "USD" may appear: the sidebar's statement of the FX rate ("1 USD = …"), and the
#: display-currency selector (USD is one of its choices; its help says amounts are computed in
#: USD and converted).
FX_LINE = re.compile(r"^1 USD = [\d,.]+ [A-Z]{3}")
USD_PLACES = {"selectbox option ui_currency", "selectbox help ui_currency"}


def _words(text: str, profile_names: set[str]) -> list[str]:
    """English words left in ``text`` after the allowances."""
    text = re.sub(r"\\([_*$\[\]])", r"\1", text)  # markdown escapes are not shown
    if text in WHOLE_TEXTS or FX_LINE.match(text):
        return []
    text = text.replace("<br>", " ")  # chart labels wrap long names
    for name in profile_names:
        text = text.replace(name, " ")
    for pattern in ALLOWED_PATTERNS:
        text = pattern.sub(" ", text)
    allowed = PROPER_NOUNS | CURRENCY_CODES | RATINGS | REGIME_CODES
    found = re.findall(r"[A-Za-z][A-Za-z'-]*[A-Za-z]", text)
    return [w for w in found if w not in allowed and w.strip("-") not in allowed]


def _usd(text: str) -> bool:
    """Whether ``text`` shows an amount in USD (or says 米ドル / $)."""
    if FX_LINE.match(text):
        return False
    return bool(re.search(r"\bUSD\b|US\$|\$\s?\d|米ドル|ドル", text))


def _frame_texts(frame: pd.DataFrame, skip_columns: set[str]) -> Iterator[str]:
    yield from (str(c) for c in frame.columns)
    if not isinstance(frame.index, pd.RangeIndex):
        yield from (str(i) for i in frame.index)
    for column in frame.columns:
        if str(column) in skip_columns:
            continue
        for value in frame[column]:
            if isinstance(value, str):
                yield value


def _chart_texts(spec: dict[str, Any]) -> Iterator[str]:
    layout = spec.get("layout", {})
    title = layout.get("title", {})
    yield title.get("text", "") if isinstance(title, dict) else str(title)
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            at = axis.get("title", {})
            yield at.get("text", "") if isinstance(at, dict) else str(at)
            yield from (str(x) for x in axis.get("ticktext", []) or [])
    for note in layout.get("annotations", []) or []:
        yield note.get("text", "")
    for trace in spec.get("data", []):
        yield trace.get("name", "") or ""
        yield trace.get("hovertemplate", "") or ""
        bar = (trace.get("colorbar") or {}).get("title") or {}
        yield bar.get("text", "") if isinstance(bar, dict) else str(bar)
        if trace.get("type") == "bar":
            yield from (str(x) for x in trace.get("x", []) or [])


def page_texts(at: AppTest, formula_column: str) -> Iterator[tuple[str, str]]:
    """(where, text) of everything the page shows (code blocks are formulas: left out)."""
    for kind in ("title", "header", "subheader", "markdown", "caption"):
        for el in getattr(at, kind):
            yield kind, el.value
    for kind in ("info", "success", "warning", "error"):
        for el in getattr(at, kind):
            yield kind, el.value
    for el in at.metric:
        yield "metric", el.label
        yield "metric", el.value
        yield "metric help", el.proto.help
    for el in at.dataframe:
        for text in _frame_texts(el.value, {formula_column}):
            yield "table", text
    for kind in ("selectbox", "number_input", "slider", "toggle", "checkbox", "button"):
        for el in getattr(at, kind):
            yield kind, el.label
            yield f"{kind} help {el.key}", getattr(el.proto, "help", "")
            if kind == "selectbox":
                yield from ((f"{kind} option {el.key}", str(o)) for o in el.options)
            if kind == "number_input":
                yield f"{kind} placeholder", el.proto.placeholder
    for el in at.expander:
        yield "expander", el.label
    for el in at.get("download_button"):
        yield "download", el.proto.label
        yield "download help", el.proto.help
    for spec in chart_specs(at):
        for text in _chart_texts(spec):
            yield "chart", text


def leftovers(at: AppTest, profile_names: set[str], formula_column: str) -> dict[str, list]:
    """English words and USD amounts left on the page, by where they were found."""
    english, usd = [], []
    for where, text in page_texts(at, formula_column):
        if not text:
            continue
        words = _words(text, profile_names)
        if where in USD_PLACES:
            words = [w for w in words if w != "USD"]
        if words:
            english.append((where, words, text[:120]))
        if _usd(text) and where not in USD_PLACES:
            usd.append((where, text[:120]))
    return {"english": english, "usd": usd}


@pytest.fixture(autouse=True)
def _clear_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def japanese(page: str) -> AppTest:
    """``page`` run once with 日本語 and JPY chosen (as the sidebar's selectors store them).

    The page runs on its own, not through ``app.py``: AppTest re-evaluates every drawn widget's
    ``format_func`` outside the script on the next run, where the session's language cannot be
    read, so a second run of a translated selector fails in AppTest (not in the app).
    """
    at = AppTest.from_file(str(Path(APP).parent / page), default_timeout=TIMEOUT)
    at.session_state["_inputs"] = {"ui_lang": "ja", "ui_currency": "JPY"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_walker_finds_english_and_usd():
    """The check can fail: English words and USD amounts are found, allowances are not."""
    assert _words("Cost of risk", set()) == ["Cost", "of", "risk"]
    assert _words("保険料 `custody_share` [jp-psa] MiCA JPY A-", set()) == []
    assert _words("[jp-psa] Payment Services Act (資金決済法)", set()) == []
    assert _usd("USD 12.3 m") and _usd("1.2 百万米ドル") and not _usd("1 USD = 157 JPY (推計値)")
    assert not _usd("3,000億円")


# --------------------------------------------------------------------------------------------
# Compare
# --------------------------------------------------------------------------------------------
def test_compare_in_japanese_and_yen_has_no_english_and_no_usd():
    from pricing.i18n import tr
    from pricing.profiles import PRESETS

    at = japanese("app_pages/compare.py")
    assert at.title[0].value == "比較"
    assert any("億円" in m.value or "万円" in m.value for m in at.metric)
    names = {p.name for p in PRESETS.values()}
    found = leftovers(at, names, tr("Formula", "ja"))
    assert not found["english"], found["english"]
    assert not found["usd"], found["usd"]


# --------------------------------------------------------------------------------------------
# Small vs large
# --------------------------------------------------------------------------------------------
def test_small_vs_large_in_japanese_and_yen_has_no_english_and_no_usd():
    from pricing.profiles import PRESETS

    at = japanese("app_pages/small_vs_large.py")
    assert at.title[0].value == "小規模と大規模"
    assert any("億円" in m.value for m in at.metric)
    found = leftovers(at, {p.name for p in PRESETS.values()}, "")
    assert not found["english"], found["english"]
    assert not found["usd"], found["usd"]


def test_a_template_part_with_semicolons_keeps_its_own_translation():
    """An assumption's reason holds "; " and has its own entry: it is translated whole (items
    are translated one by one only when the whole has no entry)."""
    from pricing.i18n import tr
    from pricing.regulation import Jp2027Params

    line = Jp2027Params().assumption("keep_guarantee_crypto")
    assert "; " in line
    assert _words(tr(line, "ja"), set()) == [], tr(line, "ja")
    assert tr("a; b", "ja") == "a; b"
