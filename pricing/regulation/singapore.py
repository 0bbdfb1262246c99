"""Singapore MAS, digital payment token services: cold ≥ 90% [48]; base capital and a
security deposit (Payment Services Regulations 12-13 [49]). No insurance is mandated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ._base import base_rows, leq, num, requirement, result
from .fx import DEFAULT_FX, FxRates
from .inputs import RegimeInputs
from .params import RegimeParams, param
from .references import refs

__all__ = ["SgParams", "singapore"]


@dataclass(frozen=True, slots=True)
class SgParams(RegimeParams):
    """Parameters of the MAS rules (the defaults are the rule)."""

    regime = "sg"

    base_capital_sgd: float = param(250_000.0, low=0.0, unit="SGD", help="base capital")
    deposit_low_sgd: float = param(100_000.0, low=0.0, unit="SGD", help="security, low volume")
    deposit_high_sgd: float = param(200_000.0, low=0.0, unit="SGD", help="security, otherwise")
    deposit_threshold_sgd: float = param(
        6e6, low=0.0, unit="SGD per month", help="monthly transactions of the low deposit"
    )
    cold_min: float = param(0.90, low=0.0, high=1.0, help="least share held cold")


def singapore(inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, params: SgParams | None = None):
    """K = base capital + security deposit (SGD); cold ≥ 90%."""
    p = params if params is not None else SgParams()
    ccy = "SGD"
    rows = base_rows(inputs, fx, ccy)
    notes = [
        "Two separate requirements (base capital, security deposited with MAS) shown as one total.",
        "No insurance or compensation fund is mandated; providers must disclose how losses "
        "would be handled [48][50].",
    ]
    if inputs.avg_monthly_volume_usd is None:
        security = p.deposit_high_sgd
        sub_sec = f"avg monthly volume unknown → {num(security)}"
        notes.append("average monthly volume not entered: the higher deposit is used.")
    else:
        volume = fx.from_usd(inputs.avg_monthly_volume_usd, ccy)
        low = leq(volume, p.deposit_threshold_sgd)
        security = p.deposit_low_sgd if low else p.deposit_high_sgd
        sub_sec = (
            f"avg monthly volume {num(volume)} {'≤' if low else '>'} {num(p.deposit_threshold_sgd)}"
        )
        rows.append(
            ("average monthly transactions (largest service)", inputs.avg_monthly_volume_usd, "USD")
        )
    amount = p.base_capital_sgd + security
    sub = f"{num(p.base_capital_sgd)} + {num(security)} ({sub_sec}) = {num(amount)} SGD"
    capital = requirement(
        fx,
        ccy,
        "capital_and_security",
        "Base capital and security deposit",
        amount,
        formula="K = S$250,000 + security (S$100,000 if monthly transactions ≤ S$6m, else "
        "S$200,000)",
        formula_substituted=sub,
        source=refs("[49]"),
        insurance_counts="no",
    )
    return result(
        "sg",
        "Singapore - MAS DPT service provider: base capital and security deposit",
        [capital],
        ccy,
        fx,
        formula="K = S$250,000 base capital + security (S$100,000 if average monthly "
        "transactions per service ≤ S$6m, else S$200,000); V_cold ≥ 0.90 × V_total",
        formula_substituted=sub,
        inputs=tuple(rows),
        components=[("base capital", p.base_capital_sgd), ("security deposit", security)],
        source=refs("[48]", "[49]", "[50]"),
        as_of=date(2024, 10, 4),
        checks=(
            (
                f"cold storage ≥ {p.cold_min:.0%}: cold share {1 - inputs.hot_share:.4%}",
                leq(inputs.hot_share, 1 - p.cold_min),
            ),
        ),
        notes=notes,
        status=(
            "Law: Payment Services Regulations 2019 regs 12-13 [49]; MAS consumer-"
            "protection guidelines in force 4 Oct 2024 [48].",
        ),
        parameters=p.parameters(),
    )
