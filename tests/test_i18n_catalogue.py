"""The Japanese message catalogue and the glossary are well formed."""

from __future__ import annotations

import csv
import re
from collections import Counter
from importlib import resources

from babel.messages.pofile import read_po

from pricing.i18n import fmt_amount, glossary

PO = resources.files("pricing").joinpath("locale/ja/LC_MESSAGES/vaultcover.po")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _ids() -> list[str]:
    """Every msgid as written (a duplicate would silently replace the first translation)."""
    text = PO.read_text("utf-8")
    ids, current = [], None
    for line in text.splitlines():
        if line.startswith("msgid "):
            current = [line[6:].strip().strip('"')]
        elif current is not None and line.startswith('"'):
            current.append(line.strip().strip('"'))
        elif current is not None:
            ids.append("".join(current))
            current = None
    if current is not None:
        ids.append("".join(current))
    return [i for i in ids if i]


def test_no_message_is_translated_twice():
    repeated = [i for i, n in Counter(_ids()).items() if n > 1]
    assert repeated == []


def test_every_template_keeps_its_placeholders():
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="ja")
    for message in catalog:
        if message.id and message.string:
            assert set(PLACEHOLDER.findall(message.id)) == set(
                PLACEHOLDER.findall(message.string)
            ), message.id


def test_glossary_rows_are_complete_and_unique():
    rows = glossary()
    text = resources.files("pricing").joinpath("locale/glossary.csv").read_text("utf-8")
    assert len(rows) == len(list(csv.DictReader(text.splitlines())))
    assert all(all(row[k].strip() for k in row) for row in rows)
    assert {row["topic"] for row in rows} == {"regulation", "insurance", "risk"}
    for column in ("en", "ja"):
        assert len({row[column] for row in rows}) == len(rows), column


def test_compact_amounts_in_japanese_units():
    # 万 = 1e4, 億 = 1e8, 兆 = 1e12
    assert fmt_amount(12_345, "JPY", "ja") == "1.23万円"
    assert fmt_amount(2e10, "JPY", "ja") == "200億円"
    assert fmt_amount(9_999, "JPY", "ja") == "9,999円"
    assert fmt_amount(1.5e6, "USD", "ja") == "150万 USD"
    assert fmt_amount(-3.2e9, "HKD") == "-HK$3.20 bn"
    assert fmt_amount(float("nan"), "USD") == "n/a"
    assert fmt_amount(999_999, "EUR") == "€999,999"


def _catalogue_ids() -> set[str]:
    with PO.open("rb") as handle:
        return {m.id for m in read_po(handle, locale="ja") if m.id and m.string}


def _app_texts() -> list[tuple[str, str]]:
    """Every literal passed to ``t(...)`` / ``locale.t(...)`` in the app (file, text)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    found = []
    for path in [root / "app.py", *sorted((root / "app_pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            first = node.args[0]
            if name == "t" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((path.name, first.value))
    return found


def test_every_text_the_app_translates_has_a_japanese_entry():
    from pricing.i18n import tr

    ids = _catalogue_ids()
    texts = _app_texts()
    assert len(texts) > 50  # the walk found the pages' texts
    missing = [(f, s) for f, s in texts if s not in ids and tr(s, "ja") == s]
    assert missing == []


def test_every_profile_field_has_a_japanese_label_and_help():
    from pricing.profiles import FIELDS, PROVIDER_FIELDS

    ids = _catalogue_ids()
    for f in FIELDS + PROVIDER_FIELDS:
        assert f.label in ids and f.help in ids, f.name
