"""Insurance layers and towers: what an insurer pays, and what it should charge for it.

A **layer** pays, for each theft (occurrence) ``X_i``, ``Y_i = min((X_i − d)+, l)`` for the
per-occurrence retention ``d`` and limit ``l`` (USD; Loss Models §8.5). In a year the insurer
pays its share ``c`` (coinsurance, the placed share) of the layer's yearly total after the
annual aggregate retention ``a`` and within the annual aggregate limit ``A``:

    L = c · min((S_Y − a)+, A),      S_Y = Y_1 + … + Y_N.

With ``k`` reinstatements and no explicit aggregate limit, ``A = (k + 1) l``; each reinstated
amount costs a share ``r`` of the upfront premium ``P₀``, pro rata as to amount, so the
insurer's expected income is ``P₀ (1 + r E[min((S_Y − a)+, k l, A)] / l)`` (an explicit
aggregate limit below ``k l`` caps what can be paid, hence reinstated).

The distribution of ``S_Y`` comes from :func:`pricing.aggregate.aggregate`; the moments of
``L`` use the closed-form mean of ``S_Y`` and its grid below the aggregate limit, so nothing
depends on how far the grid reaches into the tail. Premium principles are in
:mod:`pricing.premium`.

How insurance differs from cash in hand (the exchange's view, :class:`InsuranceFrictions`):
a claim may be disputed or excluded (insider collusion, social engineering), the insurer pays
after a delay during which the exchange must still compensate customers quickly (bridging
cost), and the insurer may default.
"""

from __future__ import annotations

from ..aggregate import GridSpec

#: Threads for column-wise work on layer grids and row-wise work on the optimiser's grid
#: (numpy's FFT and ufuncs release the GIL). 1 by default: since the grids were cut to what
#: each structure needs, handing rows to threads costs more than it saves (compare on the
#: presets: 55-72 ms on one thread, 56-120 ms on two; benchmarks/bench_pricing.py), and a
#: batch uses every core through processes (pricing.strategy.compare_profiles).
WORKERS = 1
#: Grid used for one layer's yearly loss: 2^12 points holding all but 1e-10 of it.
LAYER_GRID = GridSpec(log2=12, coverage=1.0 - 1e-10, estimate_aliasing=False)
#: Most grid points of one column of :func:`price_layer_grid` (the bucket is coarsened beyond).
COLUMN_POINTS = 2048
#: Relative change of a layer's expected loss at which window grids stop doubling.
LAYER_RTOL = 2e-5
#: Smallest and largest window grids for the aggregate terms of a layer (2^10 to 2^20 points).
LAYER_MIN_LOG2, LAYER_MAX_LOG2 = 10, 20

from .grid import LayerGrid, lev_on, price_layer_grid  # noqa: E402 (the settings come first)
from .loss import LayerLoss, layer_loss  # noqa: E402
from .quote import LayerQuote, TowerQuote, quote_layer, quote_tower  # noqa: E402
from .terms import (  # noqa: E402
    InsuranceFrictions,
    Layer,
    Recovery,
    Tower,
    expected_recovery,
)

__all__ = [
    "COLUMN_POINTS",
    "LAYER_GRID",
    "LAYER_MAX_LOG2",
    "LAYER_MIN_LOG2",
    "LAYER_RTOL",
    "WORKERS",
    "InsuranceFrictions",
    "Layer",
    "LayerGrid",
    "LayerLoss",
    "LayerQuote",
    "Recovery",
    "Tower",
    "TowerQuote",
    "expected_recovery",
    "layer_loss",
    "lev_on",
    "price_layer_grid",
    "quote_layer",
    "quote_tower",
]
