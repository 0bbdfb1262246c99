"""Charts of one result redrawn with a new overlay, without rebuilding the chart.

Building a plotly figure costs tens of milliseconds (every property is validated as it is
set), which a chart redrawn on each keystroke cannot afford. The heavy part of such a chart
depends only on an immutable result (a :class:`~pricing.strategy.Comparison`, an
:class:`~pricing.aggregate.AggregateDistribution`), so it is built once, kept as a figure
dict while its result is in use, and the light overlay (a marker, two lines) is added to a
copy as plain trace dicts.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import plotly.graph_objects as go

#: Figures kept. Each holds its result alive (an aggregate's grid is up to a few MB), and a
#: page redrawn with a new overlay needs only its own two or three: a dozen serves a few
#: sessions at once.
KEEP = 12

_lock = threading.Lock()
_kept: OrderedDict[tuple[int, Hashable], tuple[object, dict[str, Any]]] = OrderedDict()


def kept_figure(source: object, key: Hashable, build: Callable[[], go.Figure]) -> dict[str, Any]:
    """``build()``'s figure as a dict, built once per ``source`` object and ``key``.

    ``source`` must not change (a frozen result): it is recognised by identity and held while
    its figure is kept, so its identity cannot pass to another object meanwhile.
    """
    ident = (id(source), key)
    with _lock:
        hit = _kept.get(ident)
        if hit is not None and hit[0] is source:
            _kept.move_to_end(ident)
            return hit[1]
    built = build()
    # The figure's own property dicts, no longer shared once ``built`` is dropped: numpy arrays
    # stay arrays (``to_dict`` would encode them).
    figure = {"data": built._data, "layout": built._layout}
    with _lock:
        _kept[ident] = (source, figure)
        while len(_kept) > KEEP:
            _kept.popitem(last=False)
    return figure


def overlaid(base: dict[str, Any], traces: Sequence[dict[str, Any]], at: int) -> go.Figure:
    """A copy of ``base`` (a figure dict) with ``traces`` inserted before trace ``at``.

    The base was validated when it was built and the traces are written to plotly's schema
    (the tests validate the result), so the figure is assembled without validating again.
    """
    figure = copy.deepcopy(base)
    figure["data"][at:at] = [copy.deepcopy(trace) for trace in traces]
    return go.Figure(figure, _validate=False)
