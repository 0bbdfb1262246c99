"""Hong Kong SFC (licensed virtual asset trading platforms): the compensation arrangement.

Cover of 100% of client virtual assets in hot and other storage and at least 50% of those in
cold storage, at all times, by third-party insurance, own funds set aside on trust, bank
guarantees or a mix (VATP Guidelines, effective 1 June 2023 [33]); at least 98% cold [34].
The SFC's circular of 15 Aug 2025 sets minimum custody standards (cold-wallet infrastructure,
third-party wallet solutions, transaction verification) [hk-custody]: controls, not amounts.
Shown in USD (the rule is on asset values); ``--currency HKD`` converts the display.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ._base import base_rows, cover_check, entered, leq, num, requirement, result
from .fx import DEFAULT_FX, FxRates
from .inputs import RegimeInputs
from .params import RegimeParams, param
from .references import refs

__all__ = ["HkParams", "hong_kong"]


@dataclass(frozen=True, slots=True)
class HkParams(RegimeParams):
    """Parameters of the SFC compensation arrangement (the defaults are the rule)."""

    regime = "hk"

    hot_cover_share: float = param(
        1.0, low=0.0, high=1.0, help="cover of client VAs in hot and other storage (100%)"
    )
    cold_cover_share: float = param(
        0.5, low=0.0, high=1.0, help="cover of client VAs in cold storage (at least 50%)"
    )
    cold_min: float = param(0.98, low=0.0, high=1.0, help="least share of client VAs held cold")


def hong_kong(inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, params: HkParams | None = None):
    """C = hot_cover_share × V_hot_and_other + cold_cover_share × V_cold; cold ≥ 98%."""
    p = params if params is not None else HkParams()
    ccy = "USD"
    hot, cold = inputs.hot_assets_usd, inputs.cold_assets_usd
    amount = p.hot_cover_share * hot + p.cold_cover_share * cold
    checks = [
        (
            f"cold storage ≥ {p.cold_min:.0%}: cold share {1 - inputs.hot_share:.4%}",
            leq(inputs.hot_share, 1 - p.cold_min),
        )
    ]
    cover = cover_check(
        "compensation cover",
        {
            "insurance": inputs.insurance_limit_usd,
            "trust funds": inputs.trust_funds_usd,
            "bank guarantee": inputs.bank_guarantee_usd,
        },
        amount,
        ccy,
        fx,
    )
    if cover:
        checks.append(cover)
    sub = (
        f"{p.hot_cover_share:g} × {num(hot)} + {p.cold_cover_share:g} × {num(cold)} = "
        f"{num(amount)} USD"
    )
    arrangement = requirement(
        fx,
        ccy,
        "compensation_arrangement",
        "Compensation arrangement (insurance, funds on trust, bank guarantee)",
        amount,
        formula="C = 1.0 × V_hot_and_other + 0.5 × V_cold; I_insurance + F_trust + G_bank ≥ C",
        formula_substituted=sub,
        source=refs("[33]", "[34]"),
        insurance_counts="yes",
    )
    return result(
        "hk",
        "Hong Kong - SFC VATP compensation arrangement",
        [arrangement],
        ccy,
        fx,
        formula="C = 1.0 × V_hot_and_other + 0.5 × V_cold; V_hot ≤ 0.02 × V_total; "
        "I_insurance + F_trust + G_bank ≥ C",
        formula_substituted=sub,
        inputs=(
            *base_rows(inputs, fx, ccy),
            *entered(inputs, "insurance_limit_usd", "trust_funds_usd", "bank_guarantee_usd"),
        ),
        components=[
            (f"hot and other storage ({p.hot_cover_share:.0%})", p.hot_cover_share * hot),
            (f"cold storage ({p.cold_cover_share:.0%})", p.cold_cover_share * cold),
        ],
        source=refs("[33]", "[34]", "[hk-custody]"),
        as_of=date(2023, 6, 1),
        checks=tuple(checks),
        notes=[
            "Cover must be in place at all times, monitored daily, with notice to the SFC "
            "when it falls short [33]; a strategy whose insurance and reserve on trust add up "
            "to less than C is non-compliant.",
            "50% of cold storage is a minimum ('at least') [33].",
            "SFC circular of 15 Aug 2025 on custody [hk-custody]: minimum standards for "
            "senior management, cold-wallet infrastructure, third-party wallet solutions "
            "(after compromised vendors abroad) and real-time monitoring; a platform relying "
            "on a third-party wallet provider should expect insurers to ask for them.",
            "Not included: the platform's own capital requirements (paid-up and liquid "
            "capital); no primary source for their amounts was found.",
        ],
        status=(
            "Law: SFC Guidelines for VATP Operators, in force 1 Jun 2023 [33]; custody "
            "circular 15 Aug 2025, immediate effect [hk-custody].",
        ),
        parameters=p.parameters(),
    )
