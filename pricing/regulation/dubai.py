"""Dubai VARA: paid-up capital, and commercial crime insurance for all hot-wallet assets.

Company Rulebook VI.D.1(c): commercial crime (or similar) insurance for all virtual assets in
hot wallets, with a regulated insurer [51]; VI.B: Exchange Services paid-up capital ≥
max(AED 1.5m, 25% of fixed annual overheads), or max(AED 0.8m, 15%) with a VARA-licensed
custodian [52]. The policy is required in addition to the capital: a strategy without it is
non-compliant.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._base import base_rows, entered, leq, money, num, requirement, result
from .fx import DEFAULT_FX, FxRates
from .inputs import RegimeInputs
from .params import RegimeParams, param
from .references import refs

__all__ = ["VaraParams", "dubai"]


@dataclass(frozen=True, slots=True)
class VaraParams(RegimeParams):
    """Parameters of the VARA rules (the defaults are the rule)."""

    regime = "vara"

    capital_floor_aed: float = param(1.5e6, low=0.0, unit="AED", help="paid-up capital floor")
    overhead_share: float = param(0.25, low=0.0, high=1.0, help="share of fixed overheads")
    custodian_floor_aed: float = param(
        0.8e6, low=0.0, unit="AED", help="floor with a VARA-licensed custodian"
    )
    custodian_overhead_share: float = param(
        0.15, low=0.0, high=1.0, help="overhead share with a VARA-licensed custodian"
    )
    hot_insurance_share: float = param(
        1.0, low=0.0, high=1.0, help="share of hot-wallet VAs the crime policy must insure"
    )
    max_retention_aed: float = param(
        None,
        low=0.0,
        unit="AED",
        optional=True,
        help="largest retention the crime policy may carry (none: the market's smallest "
        "retention for a limit of the insured amount)",
        assumption="assumption: the rulebook states no deductible, but a policy that attaches "
        "above what the hot wallets hold can never pay for a hot-wallet theft; the cover must "
        "attach at the market's minimum retention, max(USD 1m, 5% of the limit)",
    )


def dubai(inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, params: VaraParams | None = None):
    """Capital K = max(floor, share × FOH) (AED); crime insurance limit ≥ V_hot (required)."""
    p = params if params is not None else VaraParams()
    ccy = "AED"
    if inputs.uses_licensed_custodian:
        floor, share = p.custodian_floor_aed, p.custodian_overhead_share
    else:
        floor, share = p.capital_floor_aed, p.overhead_share
    foh = fx.from_usd(inputs.fixed_overheads_usd, ccy)
    amount = max(floor, share * foh)
    v_hot = fx.from_usd(inputs.hot_assets_usd, ccy)
    need = p.hot_insurance_share * v_hot
    cap_sub = f"max({num(floor)}, {share:g} × {num(foh)}) = {num(amount)} AED"
    capital = requirement(
        fx,
        ccy,
        "paid_up_capital",
        "Paid-up capital",
        amount,
        formula=f"K = max(AED {num(floor)}, {share:g} × FOH)",
        formula_substituted=cap_sub,
        source=refs("[52]"),
        insurance_counts="no",
    )
    if p.max_retention_aed is None:  # the lowest attachment the market writes for this cover
        from ..market import DEFAULT_TERMS

        max_ret = float(DEFAULT_TERMS.minimum_retention(fx.to_usd(need, ccy)))
    else:
        max_ret = fx.to_usd(p.max_retention_aed, ccy)
    crime = requirement(
        fx,
        ccy,
        "crime_insurance",
        "Commercial crime insurance for all hot-wallet VAs (Rulebook VI.D.1(c))",
        need,
        formula="crime insurance limit ≥ V_hot, retention ≤ d_max",
        formula_substituted=f"limit ≥ {p.hot_insurance_share:g} × {num(v_hot)} = {num(need)} AED"
        f"; retention ≤ {num(fx.from_usd(max_ret, ccy))} AED",
        source=refs("[51]"),
        insurance_counts="required",
        funded_by="insurance",
        max_retention_usd=max_ret,
    )
    checks = []
    if inputs.insurance_limit_usd is not None:
        limit = fx.from_usd(inputs.insurance_limit_usd, ccy)
        checks.append(
            (
                f"crime insurance {money(limit, ccy)} ≥ hot-wallet VAs {money(need, ccy)}",
                leq(need, limit),
            )
        )
    if inputs.own_funds_usd is not None:
        own = fx.from_usd(inputs.own_funds_usd, ccy)
        checks.append(
            (f"paid-up capital {money(own, ccy)} ≥ {money(amount, ccy)}", leq(amount, own))
        )
    notes = [
        "Insurance is REQUIRED in addition to capital: crime (or similar) cover for all VAs in "
        "hot wallets, plus professional indemnity and D&O, with a regulated insurer; VARA may "
        "accept alternative protection if cover cannot be obtained [51]. It does not count "
        "towards paid-up capital.",
        "Not computed: net liquid assets ≥ 1.2 × monthly operating expenses (Rulebook "
        "VI.C) and reserve assets of 100% of client liabilities, one-to-one in the same "
        "virtual asset (VI.E) [53].",
    ]
    if inputs.fixed_overheads_usd == 0:
        notes.append("fixed overheads not entered (0): only the AED floor is shown.")
    return result(
        "vara",
        "Dubai - VARA paid-up capital and required crime insurance",
        [capital, crime],
        ccy,
        fx,
        formula=f"K = max(AED {num(floor)}, {share:g} × FOH); crime insurance limit ≥ V_hot",
        formula_substituted=f"{cap_sub}; insurance ≥ {num(need)} AED",
        inputs=(
            *base_rows(inputs, fx, ccy),
            ("uses_licensed_custodian", inputs.uses_licensed_custodian, ""),
            ("FOH (fixed annual overheads)", inputs.fixed_overheads_usd, "USD"),
            *entered(inputs, "insurance_limit_usd", "own_funds_usd"),
        ),
        components=[
            ("paid-up capital K", amount),
            ("required crime insurance limit (all hot-wallet VAs)", need),
        ],
        source=refs("[51]", "[52]", "[53]"),
        as_of=None,
        insurance_counts="required",
        checks=tuple(checks),
        assumptions=(p.assumption("max_retention_aed", str(p.max_retention_aed)),),
        notes=notes,
        status=(
            "Law: VARA Company Rulebook VI.B and VI.D; the version in force is not dated "
            "in the sources [51][52].",
        ),
        parameters=p.parameters(),
    )
