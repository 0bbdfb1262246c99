"""EU MiCA Art. 67: prudential safeguards of crypto-asset service providers.

K = max(Annex IV permanent minimum: €50k / €125k / €150k by class; ¼ of the previous year's
fixed overheads) [38]. Met by own funds (CET1), an insurance policy meeting Art. 67(5)-(6)
(a professional-indemnity-type policy: loss of documents, misrepresentation, breach of duties,
system failures, gross negligence in safeguarding...), or both [38][39]. A crime/theft layer
is not such a policy: it does not count. Fixed overheads come from the profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ._base import (
    base_rows,
    check_number,
    cover_check,
    entered,
    num,
    raise_problems,
    requirement,
    result,
)
from .fx import DEFAULT_FX, FxRates
from .inputs import RegimeInputs
from .params import RegimeParams, param
from .references import refs

__all__ = ["MicaParams", "mica", "mica_fixed_overheads"]

_CLASS_MINIMUM = {1: 50_000.0, 2: 125_000.0, 3: 150_000.0}


@dataclass(frozen=True, slots=True)
class MicaParams(RegimeParams):
    """Parameters of MiCA Art. 67 (the defaults are the rule)."""

    regime = "mica"

    overhead_share: float = param(
        0.25, low=0.0, high=1.0, help="share of the previous year's fixed overheads (¼)"
    )
    pi_policy_limit_eur: float = param(
        0.0,
        low=0.0,
        unit="EUR",
        help="limit of an Art. 67(5)-(6) policy in force (it replaces own funds; a crime "
        "layer does not)",
    )


def mica_fixed_overheads(
    total_expenses: float,
    *,
    profit_linked_bonuses: float = 0.0,
    profit_shares: float = 0.0,
    discretionary_appropriations: float = 0.0,
    non_recurring_expenses: float = 0.0,
) -> float:
    """MiCA Art. 67(3) fixed overheads of a year (same currency as the inputs) [38].

    Total expenses after distribution of profits minus profit-linked bonuses, profit shares,
    other discretionary appropriations and non-recurring expenses.
    """
    out: list[str] = []
    values = {
        "total_expenses": total_expenses,
        "profit_linked_bonuses": profit_linked_bonuses,
        "profit_shares": profit_shares,
        "discretionary_appropriations": discretionary_appropriations,
        "non_recurring_expenses": non_recurring_expenses,
    }
    for name, value in values.items():
        check_number(out, name, value, low=0.0)
    raise_problems("MiCA fixed overheads", out)
    value = total_expenses - sum(v for k, v in values.items() if k != "total_expenses")
    if value < 0:
        raise_problems("MiCA fixed overheads", ["'total_expenses' is smaller than the deductions"])
    return float(value)


def mica(inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, params: MicaParams | None = None):
    """K = max(class minimum, overhead_share × FOH_{t−1}) in EUR; an Art. 67(5)-(6) policy
    may replace part of the own funds, a crime layer may not."""
    p = params if params is not None else MicaParams()
    ccy = "EUR"
    k_class = _CLASS_MINIMUM[inputs.mica_class]
    foh = fx.from_usd(inputs.fixed_overheads_usd, ccy)
    k = max(k_class, p.overhead_share * foh)
    own = max(k - p.pi_policy_limit_eur, 0.0)
    sub = f"max({num(k_class)}, {p.overhead_share:g} × {num(foh)}) = {num(k)} EUR"
    if p.pi_policy_limit_eur:
        sub += f"; own funds = {num(k)} − PI policy {num(p.pi_policy_limit_eur)} = {num(own)} EUR"
    own_funds = requirement(
        fx,
        ccy,
        "prudential_safeguards",
        "Prudential safeguards (own funds or an Art. 67(5)-(6) policy)",
        own,
        formula="K = max(K_class, 0.25 × FOH_{t-1}); own funds = K − PI policy limit",
        formula_substituted=sub,
        source=refs("[38]", "[39]"),
        insurance_counts="yes",
        layer_counts=False,
    )
    notes = [
        "Sized to running costs, not custody exposure; MiCA sets no cold-storage percentage.",
        "Only a professional-indemnity-type policy meeting Art. 67(5)-(6) counts (disclosed "
        "on the website; initial term ≥ 1 year; 90 days' cancellation notice; authorised "
        "third-party insurer; covers loss of documents, misrepresentation, breach of duties, "
        "conflicts of interest, system failure, gross negligence in safeguarding, Art. 75(8) "
        "liability) [38][39]. The crime layer priced here does not reduce K.",
        "Fixed overheads as MiCA Art. 67(3) defines them [38]; mica_fixed_overheads() "
        "applies its deductions.",
    ]
    if inputs.fixed_overheads_usd == 0:
        notes.append(
            "fixed overheads not entered (0): only the class minimum is shown; enter "
            "fixed_overheads_usd in the profile."
        )
    checks = []
    cover = cover_check(
        "own funds and insurance",
        {"own funds": inputs.own_funds_usd, "insurance": inputs.insurance_limit_usd},
        k,
        ccy,
        fx,
    )
    if cover:
        checks.append(cover)
    return result(
        "mica",
        "EU - MiCA Art. 67 prudential safeguards",
        [own_funds],
        ccy,
        fx,
        formula="K = max(K_class, 0.25 × FOH_{t-1}); met by OwnFunds_CET1 + PI policy "
        "(Art. 67(5)-(6))",
        formula_substituted=sub,
        inputs=(
            *base_rows(inputs, fx, ccy)[2:],
            ("MiCA class", inputs.mica_class, ""),
            ("FOH_{t-1} (fixed overheads, previous year)", inputs.fixed_overheads_usd, "USD"),
            *entered(inputs, "own_funds_usd", "insurance_limit_usd"),
        ),
        components=[
            (f"class {inputs.mica_class} permanent minimum", k_class),
            (f"{p.overhead_share:g} × fixed overheads", p.overhead_share * foh),
            ("Art. 67(5)-(6) policy limit", p.pi_policy_limit_eur),
        ],
        source=refs("[38]", "[39]"),
        as_of=date(2024, 12, 30),
        checks=tuple(checks),
        notes=notes,
        status=(
            "Law: Regulation (EU) 2023/1114 (MiCA), CASP provisions apply from 30 Dec 2024 [38].",
        ),
        parameters=p.parameters(),
    )
