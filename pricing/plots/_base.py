"""Shared look of every chart: palette, font, layout, and how amounts and words are shown.

:class:`Display` carries the display currency and language: amounts stay in USD inside
``pricing`` and are converted only when drawn (dated FX rates of :mod:`pricing.regulation.fx`),
words go through the message catalogue (:func:`pricing.i18n.tr`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ..i18n import fmt_amount, tr
from ..regulation.fx import DEFAULT_FX, FxRates

# One colour per attack vector and per model, used on every chart (colour-blind-safe palette).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#7F7F7F")
FONT = {"family": "Liberation Sans, Arial, sans-serif", "size": 15}


@dataclass(frozen=True, slots=True)
class Display:
    """How a chart shows amounts and words.

    Attributes
    ----------
    currency : display currency (amounts are converted from USD with ``fx``).
    lang : ``en`` or ``ja``.
    fx : units of each currency per USD.

    Axis amounts are in millions of the currency (``USD m``), or in 億円 (10^8 yen) for yen in
    Japanese, as Japanese practice writes money.

    Examples
    --------
    >>> Display().unit, Display("JPY", "ja").unit
    ('USD m', '億円')
    >>> round(Display("JPY", "ja").axis(1e6), 6) == round(DEFAULT_FX.rate("JPY") / 100, 6)
    True
    """

    currency: str = "USD"
    lang: str = "en"
    fx: FxRates = field(default=DEFAULT_FX)

    def t(self, text: str) -> str:
        """``text`` in the display language."""
        return tr(text, self.lang)

    @property
    def rate(self) -> float:
        """Units of the display currency per USD."""
        return 1.0 if self.currency == "USD" else float(self.fx.rate(self.currency))

    @property
    def size(self) -> float:
        """Size of one axis unit in the display currency (10^6, or 10^8 for 億円)."""
        return 1e8 if (self.lang == "ja" and self.currency == "JPY") else 1e6

    @property
    def unit(self) -> str:
        """Short name of the axis unit (``USD m``, ``億円``, ``百万HKD``)."""
        if self.lang == "ja":
            return "億円" if self.currency == "JPY" else f"百万{self.currency}"
        return f"{self.currency} m"

    @property
    def unit_long(self) -> str:
        """Long name of the axis unit (``USD million``, ``億円``)."""
        return self.unit if self.lang == "ja" else f"{self.currency} million"

    def axis(self, usd: Any) -> Any:
        """USD amounts in axis units (array or number)."""
        return (
            np.asarray(usd, dtype=float) * self.rate / self.size
            if np.ndim(usd)
            else (float(usd) * self.rate / self.size)
        )

    def money(self, usd: float, digits: int = 2) -> str:
        """A compact amount in the display currency (``USD 12.35 m``, ``3,000億円``)."""
        return fmt_amount(float(usd) * self.rate, self.currency, self.lang, digits)

    def hover(self, field_: str, fmt: str = ",.3f") -> str:
        """A plotly hover placeholder of an axis amount with its unit."""
        return f"%{{{field_}:{fmt}}} {self.unit}"


#: English, US dollars: what every chart shows unless told otherwise.
USD = Display()


def _layout(fig: go.Figure, title: str, **kwargs: Any) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        font=FONT,
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        **kwargs,
    )
    return fig


def colour_map(names: Sequence[str]) -> dict[str, str]:
    """Stable colour for each name (attack vector, model family, strategy)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def _legend_below(fig: go.Figure, bottom: int = 110, y: float = -0.18) -> go.Figure:
    """Legend under the plot area (long entries would collide with the title at the top)."""
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": y, "xanchor": "left", "x": 0.0},
        margin={"b": bottom},
    )
    return fig


def _usd_m(x: float) -> str:
    """USD amount in millions for labels (``USD 12.3 m``)."""
    return f"USD {x / 1e6:,.{1 if abs(x) >= 1e7 else 2}f} m"


def _wrap(text: str, width: int = 14) -> str:
    """Break a label into lines of about ``width`` characters (``<br>``) for axis ticks."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _nearest(grid: np.ndarray, value: float) -> int:
    """Index of the grid point nearest to ``value``."""
    return int(np.argmin(np.abs(np.asarray(grid, dtype=float) - value)))
