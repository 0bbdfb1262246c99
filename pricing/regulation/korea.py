"""South Korea, Virtual Asset User Protection Act (in force 19 July 2024), and what followed.

Insurance (or mutual aid) with a limit of at least 5% of hot-wallet assets, or a reserve of the
same, with floors of ₩3bn for KRW-market exchanges and ₩0.5bn for others [43][44]; cold
storage ≥ 80% of economic value, computed monthly [45]. Reference notes: the reserves Korean
exchanges actually hold (Bithumb ₩100bn, Upbit ₩48.3bn, April 2025 [46]) and the proposals
after Upbit's ₩44.5bn hot-wallet theft of 27 Nov 2025 [kr-upbit]: no-fault liability and fines
up to 3% of annual revenue (FSC, Dec 2025 [kr-fsc]) — proposals, not law.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ._base import base_rows, cover_check, entered, leq, num, requirement, result
from .fx import DEFAULT_FX, FxRates
from .inputs import RegimeInputs
from .params import RegimeParams, param
from .references import refs

__all__ = ["KrParams", "korea"]


@dataclass(frozen=True, slots=True)
class KrParams(RegimeParams):
    """Parameters of the Korean rule (defaults are the law; the fine share is a proposal)."""

    regime = "kr"

    hot_rate: float = param(0.05, low=0.0, high=1.0, help="cover per won of hot-wallet assets")
    floor_krw_market_krw: float = param(3e9, low=0.0, unit="KRW", help="floor, KRW market")
    floor_other_krw: float = param(0.5e9, low=0.0, unit="KRW", help="floor, coin-only/custody")
    cold_min: float = param(0.80, low=0.0, high=1.0, help="least share held cold")
    fine_share_of_revenue: float = param(
        0.03,
        low=0.0,
        high=1.0,
        help="proposed largest fine after a hack, share of annual revenue (not law)",
        assumption="proposal reported after the Upbit theft (FSC, Dec 2025) [kr-fsc]",
    )


def korea(inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, params: KrParams | None = None):
    """R = max(hot_rate × V_hot, floor) in KRW, met by insurance or a reserve; cold ≥ 80%."""
    p = params if params is not None else KrParams()
    ccy = "KRW"
    floor = p.floor_krw_market_krw if inputs.krw_market else p.floor_other_krw
    v_hot = fx.from_usd(inputs.hot_assets_usd, ccy)
    amount = max(p.hot_rate * v_hot, floor)
    sub = f"max({p.hot_rate:g} × {num(v_hot)}, {num(floor)}) = {num(amount)} KRW"
    cover_req = requirement(
        fx,
        ccy,
        "insurance_or_reserve",
        "Insurance or reserve for hacking and system failure",
        amount,
        formula="R = max(0.05 × V_hot, floor), floor = ₩3bn (KRW market) or ₩0.5bn (others)",
        formula_substituted=sub,
        source=refs("[43]", "[44]"),
        insurance_counts="yes",
    )
    checks = [
        (
            f"cold storage ≥ {p.cold_min:.0%} of economic value: cold share "
            f"{1 - inputs.hot_share:.4%}",
            leq(inputs.hot_share, 1 - p.cold_min),
        )
    ]
    cover = cover_check(
        "insurance or reserve",
        {"insurance": inputs.insurance_limit_usd, "reserve": inputs.own_funds_usd},
        amount,
        ccy,
        fx,
    )
    if cover:
        checks.append(cover)
    kind = "KRW-market exchange" if inputs.krw_market else "coin-only market / wallet / custody"
    components = [(f"{p.hot_rate:g} × V_hot", p.hot_rate * v_hot), (f"floor ({kind})", floor)]
    if inputs.annual_revenue_usd:
        fine = p.fine_share_of_revenue * fx.from_usd(inputs.annual_revenue_usd, ccy)
        components.append(("proposed largest fine (share of revenue; not law)", fine))
    return result(
        "kr",
        "South Korea - Virtual Asset User Protection Act: insurance or reserve",
        [cover_req],
        ccy,
        fx,
        formula="R = max(0.05 × V_hot, floor), floor = ₩3bn (KRW market) or ₩0.5bn (others); "
        "V_cold ≥ 0.80 × V_total",
        formula_substituted=sub,
        inputs=(
            *base_rows(inputs, fx, ccy),
            ("krw_market", inputs.krw_market, ""),
            *entered(inputs, "insurance_limit_usd", "own_funds_usd"),
        ),
        components=components,
        source=refs("[43]", "[44]", "[45]", "[46]", "[kr-fsc]", "[kr-upbit]"),
        as_of=date(2024, 7, 19),
        checks=tuple(checks),
        assumptions=(p.assumption("fine_share_of_revenue"),),
        notes=[
            "The cold share is legally on economic value as the Enforcement Decree defines "
            "it, computed monthly [45]; here the current value is used.",
            "Floors bind small exchanges; small coin-market exchanges bought insurance rather "
            "than reserving [43].",
            "Reserves actually held far exceed the minimum: Bithumb ₩100bn and Upbit ₩48.3bn "
            "(April 2025) [46]. Upbit said it would cover its ₩44.5bn hot-wallet loss of "
            "27 Nov 2025 from its own assets [kr-upbit].",
            "Proposals after that theft (FSC, Dec 2025; not law): no-fault liability for "
            "hacking and system failures as for banks under the Electronic Financial "
            "Transactions Act, and fines up to 3% of annual revenue [kr-fsc].",
        ],
        status=(
            "Law: Virtual Asset User Protection Act and Enforcement Decree, in force "
            "19 Jul 2024 [43][44].",
            "Proposal: no-fault liability and revenue-based fines, FSC, Dec 2025 [kr-fsc].",
        ),
        parameters=p.parameters(),
    )
