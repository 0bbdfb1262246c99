"""Safe, formatted spreadsheet cells: formula escaping for CSV/XLSX and XLSX number formats.

User text (insured, subjectivities, exclusions, scenario names) can start with ``=`` and would
run as a formula in a spreadsheet (CSV injection, OWASP); :func:`escape_formula` neutralises
it. :func:`format_sheet` gives an openpyxl sheet a bold frozen header, number formats by
column (currency, percentage, probability, count) and widths from the text, so numbers stay
numbers with a format rather than text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = [
    "PCT_FORMAT",
    "PROB_FORMAT",
    "USD_FORMAT",
    "escape_formula",
    "format_sheet",
    "format_value",
    "money_format",
    "safe_frame",
]

#: Number formats of the XLSX columns (amounts, shares, probabilities).
USD_FORMAT = '"USD" #,##0'
PCT_FORMAT = "0.00%"
PROB_FORMAT = "0.0000"
_PCT_COLUMNS = {
    "share",
    "rate_on_line",
    "loss_ratio",
    "market_rate_on_line",
    "minimum_rate_on_line",
    "reinstatement_rate",
    "scarcity_load",
    "capacity_share",
    "theta",
    "cost_of_capital",
    "expense_ratio",
}
_PROB_COLUMNS = {"p_attach", "p_exhaust"}
_INT_COLUMNS = {"reinstatements", "version"}
_MONEY_NAMES = ("_usd", "premium", "expected_loss")

#: Characters XML 1.0 (and so XLSX) cannot hold: control characters other than tab/LF/CR.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def money_format(currency: str = "USD", lang: str = "en") -> str:
    """The XLSX number format of an amount in ``currency`` (``"USD" #,##0``, ``#,##0"円"``)."""
    if currency == "USD":
        return USD_FORMAT
    if lang == "ja" and currency == "JPY":
        return '#,##0"円"'
    return f'"{currency}" #,##0'


def escape_formula(value: Any) -> Any:
    """User text safe for a spreadsheet: a leading = + - @ tab or CR (which a spreadsheet
    would run as a formula) gets a leading apostrophe; characters XML rejects are removed.
    Non-text values pass through."""
    if not isinstance(value, str):
        return value
    text = _ILLEGAL.sub("", value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell passed through :func:`escape_formula`."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(escape_formula)
    return out


def format_value(value: Any) -> str:
    """A table value as text: numbers to 6 significant digits (large ones in full)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def _column_format(name: str, money: str) -> str | None:
    if name in _PCT_COLUMNS:
        return PCT_FORMAT
    if name in _PROB_COLUMNS:
        return PROB_FORMAT
    if name in _INT_COLUMNS:
        return "0"
    if any(k in name for k in _MONEY_NAMES) or name.endswith("_low") or name.endswith("_high"):
        return money
    return None


def format_sheet(
    sheet: Any,
    money: str = USD_FORMAT,
    headers: Mapping[str, str] | None = None,
    header_row: int = 1,
) -> None:
    """Bold frozen header, number formats by column name, widths from the text.

    The header cells hold the column keys when called; ``money`` is the format of amount
    columns; ``headers`` (key -> shown text) then replaces each key by its label.
    """
    from openpyxl.styles import Font

    header = [c.value for c in sheet[header_row]]
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    if header_row == 1:
        sheet.freeze_panes = "A2"
    for j, key in enumerate(header, start=1):
        name = str(key or "")
        fmt = _column_format(name, money)
        shown_name = (headers or {}).get(name, name)
        width = _width(shown_name)
        for row in sheet.iter_rows(min_row=header_row + 1, min_col=j, max_col=j):
            cell = row[0]
            if fmt and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = fmt
                shown = len(f"{cell.value:,.0f}") + 6 if fmt == money else 10
            else:
                shown = _width(str(cell.value)) if cell.value is not None else 0
            width = max(width, shown)
        if headers and name in headers:
            sheet.cell(header_row, j).value = headers[name]
        letter = sheet.cell(header_row, j).column_letter
        sheet.column_dimensions[letter].width = min(max(width + 2, 9), 70)


def _width(text: str) -> int:
    """Display width: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
