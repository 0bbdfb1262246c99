"""Languages and currencies of the output: message catalogues (Babel/gettext) and a glossary.

Translations live in ``pricing/locale/<lang>/LC_MESSAGES/vaultcover.po``, read at run time with
Babel (no compiled ``.mo`` needed). A message id may hold ``{placeholders}``: such an entry
translates every English text of that shape, with the captured parts translated in turn (a
part without an entry of its own, joined by ``"; "``, item by item), so notes with numbers in
them are translated too. Text without a translation stays English.

The glossary (``pricing/locale/glossary.csv``) gives the terms Japanese practitioners use.

Examples
--------
>>> tr("Requirement", "ja")
'要件'
>>> tr("Requirement", "en")
'Requirement'
>>> fmt_money(2.5e9, "JPY", "ja")
'2,500,000,000円'
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources
from typing import Any

from .exceptions import InputError

__all__ = [
    "LANGUAGES",
    "fmt_amount",
    "fmt_money",
    "glossary",
    "render_minimum",
    "tr",
    "translator",
]

LANGUAGES = ("en", "ja")
_PLACEHOLDER = re.compile(r"\\\{(\w+)\\\}")
_SYMBOL = {
    "JPY": "¥",
    "USD": "USD ",
    "EUR": "€",
    "HKD": "HK$",
    "KRW": "₩",
    "SGD": "S$",
    "AED": "AED ",
}
#: Japanese large-number units (万 = 10^4, 億 = 10^8, 兆 = 10^12), largest first.
_JA_UNITS = ((1e12, "兆"), (1e8, "億"), (1e4, "万"))


def check_language(lang: str) -> str:
    """``lang`` if supported, else an :class:`InputError` naming ``--lang``."""
    if lang not in LANGUAGES:
        raise InputError.single("--lang", f"must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return lang


@cache
def _catalogue(lang: str) -> tuple[dict[str, str], tuple[tuple[re.Pattern[str], str], ...]]:
    """(exact messages, (pattern, template) pairs) of ``lang``'s catalogue."""
    if lang == "en":
        return {}, ()
    from babel.messages.pofile import read_po

    path = resources.files("pricing").joinpath(f"locale/{lang}/LC_MESSAGES/vaultcover.po")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    exact: dict[str, str] = {}
    patterns = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        exact[message.id] = message.string
        if "{" in message.id:
            regex = _PLACEHOLDER.sub(r"(?P<\1>.+?)", re.escape(message.id))
            patterns.append((re.compile(f"^{regex}$", re.DOTALL), message.string))
    # longest templates first, so the most specific shape wins
    patterns.sort(key=lambda p: -len(p[0].pattern))
    return exact, tuple(patterns)


def tr(text: str, lang: str = "en") -> str:
    """``text`` in ``lang`` (exact entry, else a template entry, else unchanged)."""
    if lang == "en" or not text:
        return text
    exact, patterns = _catalogue(lang)
    if text in exact:
        return exact[text]
    for pattern, template in patterns:
        found = pattern.match(text)
        if found:
            parts = {k: v if k == "name" else _part(v, lang) for k, v in found.groupdict().items()}
            return template.format(**parts)
    return text


def _part(text: str, lang: str) -> str:
    """A captured part: its own exact entry if it has one, else each ``; ``-separated item."""
    exact, _ = _catalogue(lang)
    if text in exact or "; " not in text:
        return tr(text, lang)
    return "; ".join(tr(item, lang) for item in text.split("; "))


def translator(lang: str):
    """A ``gettext``-style function for ``lang``."""
    check_language(lang)
    return lambda text: tr(text, lang)


def fmt_money(amount: float, currency: str, lang: str = "en") -> str:
    """An amount with its currency (``2,500,000,000円`` in Japanese for yen)."""
    if lang == "ja" and currency == "JPY":
        return f"{amount:,.0f}円"
    return f"{_SYMBOL.get(currency, currency + ' ')}{amount:,.0f}"


def fmt_amount(amount: float, currency: str, lang: str = "en", digits: int = 2) -> str:
    """A compact amount for tables and headlines: ``USD 12.35 m``, ``¥1.20 bn``, ``3,000億円``.

    English scales by thousand (m, bn); Japanese by 万, 億 and 兆 as Japanese practice writes
    money. Amounts below a million (below 万 in Japanese) are shown whole. ``n/a`` when not
    finite.

    >>> fmt_amount(1.2345e7, "USD")
    'USD 12.35 m'
    >>> fmt_amount(3e11, "JPY", "ja")
    '3,000億円'
    >>> fmt_amount(2.5e12, "JPY", "ja")
    '2.5兆円'
    """
    if amount != amount or amount in (float("inf"), float("-inf")):
        return "n/a"
    if lang == "ja":
        suffix = "円" if currency == "JPY" else f" {currency}"
        for size, unit in _JA_UNITS:
            if abs(amount) >= size:
                places = 0 if unit == "万" and abs(amount) >= 100 * size else digits
                scaled = f"{amount / size:,.{places}f}"
                scaled = scaled.rstrip("0").rstrip(".") if "." in scaled else scaled
                return f"{scaled}{unit}{suffix}"
        return f"{amount:,.0f}{suffix}"
    symbol = ("-" if amount < 0 else "") + _SYMBOL.get(currency, currency + " ")
    size = abs(amount)
    if size >= 1e9:
        return f"{symbol}{size / 1e9:,.{digits}f} bn"
    if size >= 1e6:
        return f"{symbol}{size / 1e6:,.{digits}f} m"
    return f"{symbol}{size:,.0f}"


@cache
def glossary() -> tuple[dict[str, str], ...]:
    """The glossary rows: ``en``, ``ja``, ``reading``, ``meaning_en``, ``meaning_ja`` and
    ``topic`` (``regulation``, ``insurance`` or ``risk``)."""
    text = resources.files("pricing").joinpath("locale/glossary.csv").read_text("utf-8")
    return tuple(csv.DictReader(text.splitlines()))


def _convert(amount_usd: float, currency: str, fx: Any) -> float:
    return fx.from_usd(amount_usd, currency)


def render_minimum(
    rule: Any, currency: str | None = None, fx: Any = None, lang: str = "en"
) -> list[str]:
    """Readable lines of a :class:`~pricing.regulation.RegulatoryMinimum`.

    Amounts are shown in ``currency`` (default: the rule's own) converted with ``fx`` (default:
    the shipped rates); labels and known texts in ``lang``.
    """
    from .regulation.fx import DEFAULT_FX

    check_language(lang)
    t = translator(lang)
    fx = DEFAULT_FX if fx is None else fx
    ccy = currency or rule.currency

    def amount(local: float, usd: float) -> str:
        value = local if ccy == rule.currency else _convert(usd, ccy, fx)
        return fmt_money(value, ccy, lang)

    lines = [f"{t(rule.name)} [{rule.regime}]"]
    if rule.status:
        lines.append(t("Status") + ":")
        lines += [f"  - {t(s)}" for s in rule.status]
    lines.append(
        f"{t('Binding total (own funds)')}: {amount(rule.amount_local, rule.amount_usd)}"
        + ("" if ccy == "USD" else f" ({fmt_money(rule.amount_usd, 'USD', lang)})")
    )
    lines.append(f"{t('Formula')}: {rule.formula}")
    lines.append(f"       = {rule.formula_substituted}")
    if rule.requirements:
        lines.append(t("Requirements (all apply at once)") + ":")
        for i, req in enumerate(rule.requirements, start=1):
            treatment = t(f"insurance: {req.insurance_counts}")
            if req.insurance_counts == "partly":
                treatment += f" (≤ {req.insurance_share_max:.0%})"
            if not req.layer_counts and req.insurance_counts in ("yes", "partly"):
                treatment += "; " + t("a crime layer does not count")
            lines.append(
                f"  {i}. {t(req.name)}: {amount(req.amount_local, req.amount_usd)} "
                f"[{t(f'funded by: {req.funded_by}')}; {treatment}; {t(req.status)}]"
            )
            lines.append(f"     {t('Formula')}: {req.formula}")
            lines.append(f"            = {req.formula_substituted}")
            lines.append(f"     {t('Source')}: {' '.join(r.ref for r in req.source)}")
    lines.append(f"{t('Insurance counts')}: {t(rule.insurance_counts)}")
    lines += [f"  {t(label)}: {amount(a, b)}" for label, a, b in rule.components]
    lines += [f"{t('Check')} [{t('pass') if p else t('FAIL')}] {t(d)}" for d, p in rule.checks]
    if rule.reference_band:
        lo, hi = rule.reference_band
        rate = fx.rate(rule.currency)
        lines.append(
            f"{t('Reference band (reported, not law)')}: "
            f"{amount(lo, lo / rate)} - {amount(hi, hi / rate)}"
        )
    lines.append(
        t("Inputs")
        + ": "
        + "; ".join(f"{t(n)} = {_value(v)} {u}".rstrip() for n, v, u in rule.inputs)
    )
    if rule.parameters:
        lines.append(
            t("Parameters (edit with --set name=value)")
            + ": "
            + "; ".join(f"{n} = {_value(v)}" for n, v, _ in rule.parameters)
        )
    lines += [f"{t('Assumption')}: {t(a)}" for a in rule.assumptions]
    lines += [f"{t('Note')}: {t(n)}" for n in rule.notes]
    dated = rule.as_of.isoformat() if rule.as_of else t("not dated in sources")
    lines.append(f"{t('As of')}: {dated}")
    if ccy != rule.currency or ccy != "USD":
        rate, as_of, kind = fx.dated(ccy) if ccy != "USD" else fx.dated(rule.currency)
        lines.append(
            f"{t('FX')}: {rate:g} {ccy if ccy != 'USD' else rule.currency}/USD "
            f"({t(kind)}, {as_of or t('not dated')})"
        )
    lines += [f"{t('Source')}: {r}" for r in rule.source]
    if lang == "ja":
        lines.append(t("Glossary") + ":")
        lines += [
            f"  {g['ja']}（{g['reading']}）: {g['en']} — {g['meaning_ja']}"
            for g in glossary()
            if g["topic"] == "regulation"
        ]
    return lines


def _value(v: Any) -> str:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return str(v)
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"
