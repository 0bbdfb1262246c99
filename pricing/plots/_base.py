"""Shared look of every chart: palette, font, layout, and how amounts and words are shown.

:class:`Display` carries the display currency and language: amounts stay in USD inside
``pricing`` and are converted only when drawn (dated FX rates of :mod:`pricing.regulation.fx`),
words go through the message catalogue (:func:`pricing.i18n.tr`).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.validator_cache import ValidatorCache

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
    """``fig`` in the house look (:func:`_figure`), with ``kwargs`` merged into its layout:
    a new figure, for a chart drawn through plotly's figure API (subplots, annotations)."""
    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)
    return _figure(fig.data, title, **_merge(layout, kwargs))


def _figure(traces: Sequence[Any], title: str, **settings: Any) -> go.Figure:
    """A figure of ``traces`` (plotly traces or trace dicts) in the house look: title top
    left, legend below the plot, margins that grow to fit.

    The title pushes the top margin (``automargin``) so it never sits on the plot or an axis
    title; the legend goes under everything, in container coordinates, so plotly grows the
    bottom margin by its height instead of drawing it at a fixed fraction of the plot (where
    it met the axis title when the plot was short or the tick labels wrapped); long titles
    are wrapped (:func:`fit_titles`), so nothing overlaps on a 1280×720 screen in English or
    Japanese. ``settings`` are the chart's own layout (an axis as a dict, merged into the
    house look's).

    Built in one step: the layout is validated once, as one
    :class:`plotly.graph_objects.Layout`, and trace dicts as their trace class; the figure is
    then assembled from them without validating again. plotly's ``update_layout`` and
    ``update_xaxes`` run its figure-update machinery, about 4 ms a call, and a new figure
    deep-copies the default template: together most of the 25–50 ms a chart took, redrawn at
    every change of an input. ``plotly_white`` is attached as plotly attaches its default
    template (without revalidation); the figure validates later edits as usual.
    """
    layout = {
        "title": {
            "text": title,
            "x": 0.0,
            "xanchor": "left",
            "xref": "container",
            "yref": "container",
            "y": 1.0,
            "yanchor": "top",
            "automargin": True,
            "pad": {"t": 8, "l": 4},
        },
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 20},
        "legend": {
            "orientation": "h",
            "xref": "container",
            "yref": "container",
            "x": 0.0,
            "xanchor": "left",
            "y": 0.0,
            "yanchor": "bottom",
        },
    }
    _merge(layout, settings)
    for name in {"xaxis", "yaxis", *(k for k in layout if k.startswith(("xaxis", "yaxis")))}:
        layout.setdefault(name, {})["automargin"] = True
    checked = go.Layout(_wrap_titles(layout)).to_plotly_json()
    checked["template"] = pio.templates["plotly_white"]
    data = [
        _TRACES.get_trace_class(t["type"])(**{k: v for k, v in t.items() if k != "type"})
        if isinstance(t, dict)
        else t
        for t in traces
    ]
    fig = go.Figure(data=data, layout=checked, _validate=False)
    fig._validate = fig.layout._validate = True  # later edits are validated
    for trace in fig.data:
        trace._validate = True
    return fig


#: plotly's validator of a figure's ``data`` (it knows each trace type's class).
_TRACES = ValidatorCache.get_validator("", "data")


def _merge(into: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` written into the layout dict ``into``, dicts merged key by key (as
    ``update_layout`` merges them)."""
    for key, value in settings.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)
    return into


#: Em widths (of the font size) a title may take before it is wrapped: an axis title along a
#: short side of a half-width chart, an x-axis title, the chart's title (1.4 × the font,
#: a safety net: titles are written to fit a half-width chart).
_Y_TITLE_EM, _X_TITLE_EM, _TITLE_EM = 16.0, 40.0, 40.0


def _em(text: str) -> float:
    """Approximate width of ``text`` in ems: CJK characters are square, Latin about half."""
    return sum(1.0 if ord(c) >= 0x2E80 else 0.55 for c in text)


def _wrap_em(text: str, limit: float) -> str:
    """``text`` broken into lines (``<br>``) of at most about ``limit`` ems: after a comma or
    before a bracket if the phrases fit, else at spaces; for Japanese (no spaces) after
    punctuation or before a bracket, else at any character. Already wrapped text is kept.

    Examples
    --------
    >>> _wrap_em("cost of risk, JPY million per year", 16)
    'cost of risk,<br>JPY million per year'
    >>> _wrap_em("1年間にこれを超える確率（対数目盛）", 16)
    '1年間にこれを超える確率<br>（対数目盛）'
    """
    if not text or "<br>" in text or _em(text) <= limit:
        return text
    phrases = [p.strip() for p in re.split(r"(?<=,) |(?= \()", text)]
    if " " in text and len(phrases) > 1 and max(map(_em, phrases)) <= limit:
        parts, joiner = phrases, " "  # whole phrases: "cost of risk," / "USD million per year"
    elif " " in text:
        parts, joiner = text.split(" "), " "
    else:  # Japanese: break before an opening bracket or after a comma or colon
        parts, joiner = [], ""
        for chunk in re.split(r"(?<=[、：:,])|(?=[（(])", text):
            parts += [chunk] if _em(chunk) <= limit else list(chunk)
    # Balanced lines: as few as the limit allows, each about the same width.
    count = math.ceil(_em(text) / limit)
    target = _em(text) / count
    while True:
        lines: list[str] = []
        for part in parts:
            if lines and _em(lines[-1] + joiner + part) <= target:
                lines[-1] += joiner + part
            else:
                lines.append(part)
        if len(lines) <= count or target >= limit:
            break
        target = min(limit, target + 0.5)
    return "<br>".join(lines)


def fit_titles(fig: go.Figure) -> go.Figure:
    """Wrap the chart's title and axis titles that would not fit their side of the plot.

    Call again after renaming titles (the pages translate them): an axis title longer than
    the plot's side runs into the chart's title or out of the figure.
    """
    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)
    wrapped = _wrap_titles(copy.deepcopy(layout))
    changed = {k: v for k, v in wrapped.items() if v != layout.get(k)}
    if changed:
        fig.update_layout(changed)
    return fig


def _wrap_titles(layout: dict[str, Any]) -> dict[str, Any]:
    """:func:`fit_titles` on a layout dict (changed in place, and returned)."""
    height = float(layout.get("height") or 450)
    y_limit = max(_Y_TITLE_EM, (height - 200) / FONT["size"])
    for name, part in layout.items():
        if name == "title":
            title, limit = part, _TITLE_EM
        elif name.startswith(("xaxis", "yaxis")):
            if isinstance(part.get("title"), str):
                part["title"] = {"text": part["title"]}  # plotly's shorthand
            title = part.get("title")
            limit = y_limit if name.startswith("yaxis") else _X_TITLE_EM
        else:
            continue
        if isinstance(title, dict) and title.get("text"):
            title["text"] = _wrap_em(title["text"], limit)
    return layout


#: English compact units of a tick label, largest first.
_EN_UNITS = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k"))


def money_tick(amount: float, currency: str = "USD", lang: str = "en") -> str:
    """A round amount as a tick label: ``USD 10m``, ``JPY 1bn``; in Japanese with 万, 億 and
    兆 as :func:`~pricing.i18n.fmt_amount` writes them (``1億円``, ``1,000万円``).

    Examples
    --------
    >>> money_tick(1e7), money_tick(1e9, "JPY"), money_tick(5e5, "HKD")
    ('USD 10m', 'JPY 1bn', 'HKD 500k')
    >>> money_tick(1e8, "JPY", "ja"), money_tick(1e11, "JPY", "ja")
    ('1億円', '1,000億円')
    """
    if lang == "ja":
        return fmt_amount(amount, currency, "ja", 2)
    for size, unit in _EN_UNITS:
        if abs(amount) >= size:
            return f"{currency} {amount / size:,.4g}{unit}"
    return f"{currency} {amount:,.4g}"


def money_ticks(
    lo: float,
    hi: float,
    currency: str = "USD",
    lang: str = "en",
    per_unit: float = 1.0,
    most: int = 7,
) -> dict[str, Any]:
    """Tick values and labels of a logarithmic money axis drawn from ``lo`` to ``hi`` (amounts
    in ``currency``): every power of ten (1, 10, 100 … of the unit), every second or third one
    when there would be more than ``most``, and 2 and 5 (or only 5) times them when fewer than
    three powers fall in the range (1 to 9 times them in a narrow range; nothing, i.e. plotly's
    own ticks, when not even two such amounts fit). ``per_unit`` is the amount of one axis
    unit (the axis draws ``amount / per_unit``; 10^8 for an axis in 億円). Plotly's
    ``tickvals``/``ticktext`` (and ``tickmode``), to pass to ``update_xaxes``.

    Examples
    --------
    >>> ticks = money_ticks(2e6, 3e9)
    >>> ticks["ticktext"]
    ['USD 10m', 'USD 100m', 'USD 1bn']
    >>> ticks = money_ticks(2e8, 3e10, "JPY", "ja", per_unit=1e8)
    >>> ticks["tickvals"], ticks["ticktext"]
    ([5.0, 10.0, 50.0, 100.0], ['5億円', '10億円', '50億円', '100億円'])
    """
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 < lo <= hi):
        return {}
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    powers = [10.0**k for k in range(first, last + 1)]
    inside = [v for v in powers if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)]
    if len(inside) < 3:
        for steps in ((1.0, 2.0, 5.0), (1.0, 5.0), tuple(map(float, range(1, 10)))):
            values = [m * v for v in powers for m in steps]
            values = [v for v in values if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)]
            if len(values) <= min(most, 5) and (len(values) >= 2 or len(steps) > 3):
                break
        if len(values) < 2:
            return {}  # too narrow for two round amounts: plotly's own ticks
    else:
        step = math.ceil(len(inside) / most)
        start = first + (-first) % step  # multiples of the step: 1, 100, 10^4 … of a currency
        values = [10.0**k for k in range(start, last + 1, step)]
        values = [v for v in values if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)]
    return {
        "tickmode": "array",
        "tickvals": [v / per_unit for v in values],
        "ticktext": [money_tick(v, currency, lang) for v in values],
    }


def money_axis(
    fig: go.Figure,
    axis: str = "x",
    currency: str = "USD",
    lang: str = "en",
    per_unit: float = 1.0,
) -> go.Figure:
    """Label the logarithmic money axis ``axis`` (``x`` or ``y``) of ``fig`` with
    :func:`money_ticks` over the range of its traces' positive values (in axis units)."""
    ticks = traces_money_ticks(fig.data, axis, currency, lang, per_unit)
    if ticks:
        getattr(fig, f"update_{axis}axes")(**ticks)
    return fig


def traces_money_ticks(
    traces: Sequence[Any],
    axis: str = "x",
    currency: str = "USD",
    lang: str = "en",
    per_unit: float = 1.0,
) -> dict[str, Any]:
    """:func:`money_ticks` over the positive values (in axis units) that ``traces`` (plotly
    traces drawn on the first ``axis``) take on ``axis``: the settings :func:`money_axis`
    writes, for a chart built by :func:`_figure`."""

    def field(trace: Any, name: str) -> Any:
        return trace.get(name) if isinstance(trace, dict) else getattr(trace, name)

    values = [
        np.asarray(field(trace, axis), dtype=float)
        for trace in traces
        if field(trace, axis) is not None and (field(trace, f"{axis}axis") or axis) == axis
    ]
    shown = np.concatenate(values) if values else np.array([])
    shown = shown[np.isfinite(shown) & (shown > 0)]
    if not shown.size:
        return {}
    return money_ticks(
        float(shown.min()) * per_unit, float(shown.max()) * per_unit, currency, lang, per_unit
    )


def colour_map(names: Sequence[str]) -> dict[str, str]:
    """Stable colour for each name (attack vector, model family, strategy)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


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
