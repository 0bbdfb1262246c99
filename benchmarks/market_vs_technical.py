"""Technical vs market pricing of the comparison, for the presets under three regimes.

For each preset (small, large) and regime (jp-draft, hk, vara) the comparison is run twice on
the default grid: with technical premiums (``market=None``) and with the market's quotes
(the default), the latter with 20 parameter draws. Prints one row per case: the recommended
structure under each pricing, its premium (market and technical), the total cost with its
90% interval, the recommendation's share of draws, and whether the reserve-vs-insurance answer
changed.

    python3 benchmarks/market_vs_technical.py            # all six cases
    python3 benchmarks/market_vs_technical.py small hk   # one case
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from pricing.calibration import calibrate
from pricing.lossmodel import build_loss_model
from pricing.profiles import PRESETS
from pricing.strategy import StrategyAssumptions, compare
from pricing.uncertainty import compare_with_draws, draw_models


def _m(x: float) -> str:
    return f"{x / 1e6:,.2f}m"


def main(argv: list[str]) -> None:
    presets = [argv[0]] if argv else ["small", "large"]
    regimes = [argv[1]] if len(argv) > 1 else ["jp-draft", "hk", "vara"]
    cal = calibrate()
    rows = []
    for preset in presets:
        model = build_loss_model(PRESETS[preset], cal)
        total = model.aggregate()
        draws = draw_models(model, cal, 20, seed=1)
        for regime in regimes:
            start = time.perf_counter()
            tech = compare(model, regime, StrategyAssumptions(market=None), total=total)
            market = compare(model, regime, StrategyAssumptions(), total=total)
            market = compare_with_draws(market, draws)
            t, m = tech.get(tech.recommended), market.get(market.recommended)
            low, high = m.total_cost_interval
            layer = "none" if m.limit <= 0 else f"{_m(m.limit)} xs {_m(m.retention)}"
            tech_layer = "none" if t.limit <= 0 else f"{_m(t.limit)} xs {_m(t.retention)}"
            rows.append(
                {
                    "preset": preset,
                    "regime": regime,
                    "technical: recommended": f"{t.kind} ({tech_layer})",
                    "technical: premium": _m(t.components["premium"]),
                    "technical: total": _m(t.total_cost),
                    "market: recommended": f"{m.kind} ({layer})",
                    "market: premium (technical)": (
                        f"{_m(m.components['premium'])} ({_m(m.technical_premium)})"
                        if m.limit > 0
                        else "-"
                    ),
                    "market: reserve": _m(m.reserve),
                    "market: total [90%]": f"{_m(m.total_cost)} [{_m(low)}, {_m(high)}]",
                    "share of draws": f"{market.recommended_share:.0%}",
                    "answer changed": t.kind != m.kind,
                    "seconds": round(time.perf_counter() - start, 1),
                }
            )
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main(sys.argv[1:])
