"""The app's language and display currency: one setting each, for every page.

Both are bound inputs of :mod:`app_pages.state` (``ui_lang``, ``ui_currency``), so they survive
page switches and are saved with nothing else: they are a way of showing, not an assumption.
Amounts stay in USD inside ``pricing``; only what is drawn is converted, with the shipped dated
FX rates (:data:`pricing.regulation.fx.DEFAULT_FX`). Texts are translated by the message
catalogue (:mod:`pricing.i18n`); a page writes ``t("Expected loss")`` wherever it shows words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app_pages import state
from pricing.i18n import LANGUAGES, fmt_amount, fmt_money, tr
from pricing.regulation.fx import CURRENCIES, DEFAULT_FX

LANG = "ui_lang"
CURRENCY = "ui_currency"
_LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}

state.STATIC.update({LANG: "en", CURRENCY: "USD"})
state.LABELS.update({LANG: "Language", CURRENCY: "Display currency"})


def lang() -> str:
    """The language of the page (``en`` or ``ja``)."""
    return str(state.value(LANG))


def currency() -> str:
    """The currency amounts are shown in (one of :data:`CURRENCIES`)."""
    return str(state.value(CURRENCY))


def t(text: str) -> str:
    """``text`` in the page's language (unchanged when the catalogue has no entry)."""
    return tr(text, lang())


def labels(names: Mapping[str, str] | Iterable[str]) -> dict[str, str]:
    """Option -> label in the page's language, fixed at this run (a widget's ``format_func``
    must not read the session state when it is called later, e.g. by AppTest)."""
    pairs = names.items() if isinstance(names, Mapping) else ((n, n) for n in names)
    return {key: t(text) for key, text in pairs}


def from_usd(amount_usd: float) -> float:
    """A USD amount in the display currency."""
    return DEFAULT_FX.from_usd(amount_usd, currency())


def to_usd(amount: float) -> float:
    """An amount typed in the display currency, in USD."""
    return DEFAULT_FX.to_usd(amount, currency())


def money(amount_usd: float, digits: int = 2) -> str:
    """A USD amount, compact, in the display currency and language (``¥1.20 bn``, ``3,000億円``)."""
    return fmt_amount(from_usd(amount_usd), currency(), lang(), digits)


def money_whole(amount_usd: float) -> str:
    """A USD amount to the unit in the display currency (``1,200,000,000円``)."""
    return fmt_money(from_usd(amount_usd), currency(), lang())


def unit() -> str:
    """The display currency's code, for axis titles and column headers."""
    return currency()


def settings(language_column: Any, currency_column: Any) -> None:
    """The language and currency selectors, compact, in the top row that ``app.py`` draws."""
    language_column.selectbox(
        "Language / 言語",
        LANGUAGES,
        format_func=_LANGUAGE_NAMES.get,
        label_visibility="collapsed",
        **state.bind(LANG),
    )
    shown = {
        code: code if code == "USD" else f"{code} · {DEFAULT_FX.rate(code):,.4g}/USD"
        for code in CURRENCIES
    }
    currency_column.selectbox(
        t("Display currency"),
        CURRENCIES,
        format_func=shown.get,
        label_visibility="collapsed",
        help=t(
            "Amounts are computed in USD and shown in this currency at the shipped, dated FX rates."
        ),
        **state.bind(CURRENCY),
    )
