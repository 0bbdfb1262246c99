"""Japan as it stands: the Payment Services Act (PSA) rules for crypto exchanges.

Three requirements apply together (they stack):

- 分別管理 / hot-wallet ceiling: customer crypto outside cold storage ≤ 5% of the yen value of
  all customer crypto (Cabinet Office Order on Crypto-Asset Exchange Service Providers,
  Art. 27 [16]; in force 1 May 2020);
- 履行保証暗号資産 (in-kind guarantee crypto, PSA Art. 63-11-2): the exchange's own crypto of
  the same kind and quantity as the customer crypto kept hot, segregated and kept cold [15];
- 信託保全 (trust of customer fiat, PSA Art. 63-11(1)): customer money in a trust with a
  trust company or bank [jp-psa]. It is customer money: listed, it costs the exchange nothing.

Insurance counts towards none of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from ._base import leq, money, num, requirement, result
from .fx import DEFAULT_FX, FxRates
from .inputs import RegimeInputs
from .params import RegimeParams, param
from .references import refs

__all__ = ["JP_STATUS", "JpParams", "guarantee_requirement", "japan_current"]

#: What is law, what is a report and what is a bill, each with its date and its sources
#: (fsa.go.jp, e-Gov and the Diet first; shared with the 2027 scenario).
JP_STATUS = (
    "Law: Payment Services Act Arts. 63-11 and 63-11-2 (e-Gov) and Cabinet Office Order on "
    "Crypto-Asset Exchange Service Providers Art. 27 (hot wallets ≤ 5%, in-kind guarantee "
    "crypto, trust of customer fiat), in force since 1 May 2020 [jp-psa][16].",
    "Report: the Financial System Council's Working Group on Crypto-Asset Systems discussed its "
    "draft report on 26 Nov 2025 (FSA minutes) and published the report on 10 Dec 2025: crypto "
    "to move from the PSA to the Financial Instruments and Exchange Act, and a liability reserve "
    "against unauthorised outflows that insurance may partly secure [jp-wg6][jp-pwc][jp-nri]"
    "[jp-coindesk].",
    "Council: approval of the report by the Financial System Council's general meeting in 2026 "
    "was reported by a news aggregator only; no fsa.go.jp record found, so it is unconfirmed "
    "and not cited.",
    "Bill: a cabinet decision on the FIEA amendment bill was reported for 10 Apr 2026 by a news "
    "aggregator only; no FSA (fsa.go.jp) or Diet (shugiin.go.jp, sangiin.go.jp) record found, "
    "Diet passage not confirmed. Application is expected around 2027 (as early as spring 2027), "
    "with Cabinet Office ordinances to follow; the reserve formula, insurance share and eligible "
    "insurers are unpublished [jp-innovationlaw][jp-nri].",
)


@dataclass(frozen=True, slots=True)
class JpParams(RegimeParams):
    """Parameters of the current Japanese rules (the defaults are the law)."""

    regime = "jp"

    hot_cap: float = param(
        0.05,
        low=0.0,
        high=1.0,
        unit="share of customer crypto",
        help="largest share of customer crypto outside cold storage (Order Art. 27: 5/100)",
    )
    guarantee_share: float = param(
        1.0,
        low=0.0,
        high=10.0,
        unit="× hot customer crypto",
        help="own guarantee crypto per unit of hot customer crypto (PSA Art. 63-11-2: same "
        "kind and quantity, 1.0)",
    )
    fiat_trust_share: float = param(
        1.0,
        low=0.0,
        high=1.0,
        unit="share of customer fiat",
        help="share of customer fiat placed in trust (PSA Art. 63-11(1): all of it)",
    )


def guarantee_requirement(
    inputs: RegimeInputs, fx: FxRates, share: float, notes: list[str], checks: list, rows: list
):
    """The in-kind guarantee crypto (履行保証暗号資産) and its per-asset checks, in JPY."""
    ccy = "JPY"
    v_hot = fx.from_usd(inputs.hot_assets_usd, ccy)
    if inputs.hot_holdings:
        required_usd = share * sum(h.customer_quantity * h.price_usd for h in inputs.hot_holdings)
        for h in inputs.hot_holdings:
            rows.append(
                (
                    f"{h.asset}: hot customer / own guarantee quantity",
                    f"{h.customer_quantity:g} / {h.guarantee_quantity:g}",
                    h.asset,
                )
            )
            rows.append((f"{h.asset}: price", h.price_usd, "USD"))
            checks.append(
                (
                    f"in-kind guarantee {h.asset}: own {h.guarantee_quantity:g} ≥ "
                    f"{share:g} × customer hot {h.customer_quantity:g}",
                    leq(share * h.customer_quantity, h.guarantee_quantity),
                )
            )
        if not math.isclose(required_usd, share * inputs.hot_assets_usd, rel_tol=0.01, abs_tol=1):
            notes.append(
                f"hot_holdings add up to {money(required_usd, 'USD')}, not hot_share × V_total "
                f"= {money(inputs.hot_assets_usd, 'USD')}; the amount uses the holdings."
            )
        required = fx.from_usd(required_usd, ccy)
        sub = (
            " + ".join(
                f"{share:g} × {h.customer_quantity:g} {h.asset} × "
                f"{num(fx.from_usd(h.price_usd, ccy))}"
                for h in inputs.hot_holdings
            )
            + f" = {num(required)} JPY"
        )
    else:
        required = share * v_hot
        notes.append(
            "No per-asset hot_holdings entered: the per-asset check own_k ≥ hot customer_k is "
            "not performed; the amount assumes the guarantee equals V_hot."
        )
        sub = f"{share:g} × {num(v_hot)} = {num(required)} JPY (V_hot = hot_share × V_total)"
    return requirement(
        fx,
        ccy,
        "guarantee_crypto",
        "In-kind guarantee crypto (履行保証暗号資産)",
        required,
        formula="G = guarantee_share × Σ_k hot_customer_k × price_k (own crypto, per asset)",
        formula_substituted=sub,
        source=refs("[jp-psa]", "[15]"),
        insurance_counts="no",
    )


def fiat_trust_requirement(inputs: RegimeInputs, fx: FxRates, share: float):
    """Customer fiat in trust (信託保全): customer money, not the exchange's."""
    fiat = fx.from_usd(inputs.customer_fiat_usd, "JPY")
    return requirement(
        fx,
        "JPY",
        "fiat_trust",
        "Trust of customer fiat (信託保全)",
        share * fiat,
        formula="T = fiat_trust_share × customer fiat (customer money, in trust)",
        formula_substituted=f"{share:g} × {num(fiat)} = {num(share * fiat)} JPY",
        source=refs("[jp-psa]", "[17]"),
        insurance_counts="no",
        funded_by="customer",
    )


def hot_ceiling_check(inputs: RegimeInputs, fx: FxRates, cap: float) -> tuple[str, bool]:
    """V_hot ≤ cap × V_total (yen value)."""
    v_total = fx.from_usd(inputs.customer_assets_usd, "JPY")
    return (
        f"hot-wallet ceiling: V_hot {money(v_total * inputs.hot_share, 'JPY')} ≤ {cap:g} × "
        f"V_total {money(cap * v_total, 'JPY')} (hot share {inputs.hot_share:.4%} ≤ {cap:.2%})",
        leq(inputs.hot_share, cap),
    )


def base_rows(inputs: RegimeInputs, fx: FxRates) -> list:
    """Input rows shared by the two Japanese regimes."""
    return [
        ("V_total (customer crypto)", inputs.customer_assets_usd, "USD"),
        ("hot_share (outside cold storage)", inputs.hot_share, "share"),
        ("customer fiat", inputs.customer_fiat_usd, "USD"),
        ("fx JPY per USD", fx.rate("JPY"), "JPY/USD"),
    ]


def japan_current(inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, params: JpParams | None = None):
    """Japan, PSA today: hot ≤ 5%, in-kind guarantee of the hot float, trust of fiat.

    The binding total is the yen value of the guarantee crypto the exchange must own (held
    in kind, so it moves one-for-one with crypto prices); customer fiat in trust is listed
    but is customer money. Insurance counts towards neither.
    """
    p = params if params is not None else JpParams()
    rows = base_rows(inputs, fx)
    notes = [
        "The cold-stored ≥ 95% has no pre-funded backstop under current law; the planned "
        "reserve targets that gap (see jp-2027).",
        "Customers have a statutory priority claim over segregated and guarantee crypto "
        "(PSA Art. 63-19-2); segregation is audited at least annually.",
    ]
    checks = [hot_ceiling_check(inputs, fx, p.hot_cap)]
    guarantee = guarantee_requirement(inputs, fx, p.guarantee_share, notes, checks, rows)
    trust = fiat_trust_requirement(inputs, fx, p.fiat_trust_share)
    if inputs.customer_fiat_usd == 0:
        notes.append("customer fiat not entered (0): the trust requirement shows 0.")
    return result(
        "jp",
        "Japan - Payment Services Act (current): hot ceiling, in-kind guarantee, fiat trust",
        [guarantee, trust],
        "JPY",
        fx,
        formula="G = Σ_k hot_customer_k × price_k (own crypto, in kind, per asset k); "
        f"checks V_hot ≤ {p.hot_cap:g} × V_total; customer fiat in trust",
        formula_substituted=guarantee.formula_substituted,
        inputs=tuple(rows),
        components=[
            ("required guarantee crypto (yen value)", guarantee.amount_local),
            ("change in its yen value per 1% move in crypto prices", 0.01 * guarantee.amount_local),
            ("customer fiat in trust (customer money)", trust.amount_local),
        ],
        source=refs("[jp-psa]", "[15]", "[16]", "[17]"),
        as_of=date(2020, 5, 1),
        checks=tuple(checks),
        notes=notes,
        status=JP_STATUS,
        parameters=p.parameters(),
    )
