"""Japan's 2027 reform as a scenario: the new liability reserve (責任準備金) STACKED on the rules
that already apply (hot ceiling, in-kind guarantee crypto, trust of customer fiat).

**Not law.** The Working Group report (10 Dec 2025) proposes a reserve against unauthorised
outflows, drawable after a hack without prior approval, with insurance allowed to secure part
[jp-wg6][jp-pwc][jp-nri]; the formula, the insurance share and the eligible insurers are unpublished
(status in :data:`pricing.regulation.japan.JP_STATUS`). The user picks a sizing basis:

``securities``     the securities-firm analogue (FIEA Art. 46-5; Cabinet Office Ordinance on
                   Financial Instruments Business Art. 175): each year add Σ_c V_c × r_c,
                   up to a cap of Σ_c max(V_c over this and the two prior years) × 4 × r_c.
                   Rates per ¥10,000 of volume: equity trading 0.2 (cap 0.8), equity index
                   futures 0.006 (0.024) [jp-cofib]; which rate crypto would get is unknown.
``history``        a return-period loss of the exchange's own loss model (its own incident
                   history as fitted by :mod:`pricing.lossmodel`).
``custody_share``  a share of customer crypto (reports: even cold holdings [jp-coindesk]).
``max``            the largest basis that can be computed (default).

Then insurance may secure up to ``insurance_share_max`` of the reserve, from an eligible
insurer only (licensed in Japan, rated at least ``insurer_rating_floor``: assumptions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ._base import leq, money, num, requirement, result
from .fx import DEFAULT_FX, FxRates
from .inkind import DEFAULT_DELAY_DAYS, DEFAULT_VOLATILITY, InKindCompensation
from .inputs import RegimeInputs
from .japan import (
    JP_STATUS,
    base_rows,
    fiat_trust_requirement,
    guarantee_requirement,
    hot_ceiling_check,
)
from .params import RegimeParams, param
from .references import refs

__all__ = ["BASES", "RATINGS", "Jp2027Params", "JpDraftScenario", "japan_2027", "japan_draft"]

BASES = ("max", "securities", "history", "custody_share")
#: Insurer financial-strength ratings, weakest first (S&P-style scale).
RATINGS = ("none", "BBB-", "BBB", "BBB+", "A-", "A", "A+", "AA-", "AA", "AA+", "AAA")
#: Reported range of large securities firms' reserves (JPY) [1]: context, not a rule.
REFERENCE_BAND = (2e9, 40e9)


@dataclass(frozen=True, slots=True)
class Jp2027Params(RegimeParams):
    """An editable scenario for Japan's planned liability reserve (every default labelled)."""

    regime = "jp-2027"

    basis: str = param(
        "max",
        choices=BASES,
        help="how the reserve is sized",
        assumption="assumption: reports name large securities firms' reserves (sized by "
        "trading volume) and the size of past leaks as the references [1][jp-coindesk]; until "
        "the ordinance is published the largest computable basis is used",
    )
    spot_rate_per_10k: float = param(
        0.2,
        low=0.0,
        high=10_000.0,
        unit="JPY per ¥10,000 of spot volume",
        help="securities basis: yearly rate on spot crypto volume",
        assumption="assumption: the equity-trading rate of Ordinance Art. 175 [jp-cofib], "
        "treating spot crypto like equity trading",
    )
    derivatives_rate_per_10k: float = param(
        0.006,
        low=0.0,
        high=10_000.0,
        unit="JPY per ¥10,000 of derivatives volume",
        help="securities basis: yearly rate on crypto derivatives volume",
        assumption="assumption: the equity-index-futures rate of Ordinance Art. 175 [jp-cofib]",
    )
    cap_multiple: float = param(
        4.0,
        low=0.0,
        high=100.0,
        unit="× yearly rate",
        help="securities basis: the cap is the largest yearly volume of the last three "
        "years × cap_multiple × rate (Ordinance Art. 175: 4)",
    )
    securities_balance: str = param(
        "steady_state",
        choices=("steady_state", "this_year"),
        help="securities basis: the built-up balance (the cap) or this year's balance "
        "(reserve_held_jpy + this year's addition, up to the cap)",
        assumption="assumption: a running regime is compared; a new reserve reaches the cap "
        "after about cap_multiple years at constant volume",
    )
    reserve_held_jpy: float = param(
        0.0, low=0.0, unit="JPY", help="securities basis: reserve held before this year"
    )
    return_period_years: float = param(
        100.0,
        low=1.0,
        high=100_000.0,
        unit="years",
        help="history basis: the reserve covers the yearly loss of this return period",
        assumption="assumption: no period published; 1 in 100 years for a severe incident "
        "such as DMM Bitcoin 2024 (¥48.2bn) [jp-dmm]",
    )
    custody_share: float = param(
        0.01,
        low=0.0,
        high=1.0,
        unit="share of customer crypto",
        help="custody-share basis: reserve per yen of customer crypto",
        assumption="assumption: borrowed from Thailand's 1% net-capital charge on "
        "custodians' cold wallets [58]; no Japanese rate published",
    )
    custody_base: str = param(
        "cold",
        choices=("all", "cold"),
        help="custody-share basis: all customer crypto or only cold",
        assumption="assumption: reports say the reserve covers cold holdings too [jp-coindesk]; "
        "the hot float is already backed in kind (PSA Art. 63-11-2)",
    )
    cap_jpy: float = param(
        None,
        low=0.0,
        unit="JPY",
        optional=True,
        help="cap of the reserve (none: no cap)",
        assumption="assumption: none published",
    )
    floor_jpy: float = param(
        0.0,
        low=0.0,
        unit="JPY",
        help="floor of the reserve",
        assumption="assumption: none published; ¥2bn-¥40bn is what large securities firms "
        "hold [1], not a minimum (¥2bn would be 10% of a ¥20bn exchange's assets)",
    )
    insurance_share_max: float = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="share of the reserve",
        help="largest share of the reserve insurance may secure",
        assumption="assumption: reports say insurance may secure only 'part' [1][jp-coindesk]"
        "[jp-coinpost-1124]; no share published",
    )
    insurer_licensed_in_japan: bool = param(
        True,
        help="whether the insurer is a non-life insurer licensed in Japan",
        assumption="assumption: eligibility is expected to require a Japanese licence; not "
        "published",
    )
    insurer_rating: str = param(
        "A",
        choices=RATINGS,
        help="financial-strength rating of the insurer quoting the layer",
        assumption="assumption: a typical rating of the Japanese non-life majors; enter the "
        "quoting insurer's",
    )
    insurer_rating_floor: str = param(
        "A-",
        choices=RATINGS,
        help="lowest insurer rating whose cover counts",
        assumption="assumption: no rating floor published",
    )
    keep_guarantee_crypto: bool = param(
        True,
        help="whether the in-kind guarantee crypto of PSA Art. 63-11-2 carries over",
        assumption="assumption: the report adds a reserve; nothing says the guarantee ends",
    )
    hot_cap: float = param(
        0.05,
        low=0.0,
        high=1.0,
        unit="share of customer crypto",
        help="hot-wallet ceiling (today 5%, Order Art. 27)",
    )
    fiat_trust_share: float = param(
        1.0, low=0.0, high=1.0, unit="share", help="share of customer fiat placed in trust"
    )
    in_kind_volatility: float = param(
        DEFAULT_VOLATILITY,
        low=0.0,
        high=5.0,
        unit="per year",
        help="in-kind compensation: annual volatility of the stolen coins",
        assumption="assumption: the order of bitcoin's annualised volatility",
    )
    in_kind_delay_days: float = param(
        DEFAULT_DELAY_DAYS,
        low=0.0,
        high=3650.0,
        unit="days",
        help="in-kind compensation: days from theft to buy-back",
        assumption="assumption: DMM Bitcoin secured its ¥55bn within 10 days [jp-dmm]",
    )
    in_kind_confidence: float = param(
        0.995,
        low=0.5,
        high=0.99999,
        help="in-kind compensation: confidence of the price-move buffer shown",
    )

    @property
    def insurer_eligible(self) -> bool:
        """Whether the quoting insurer's cover counts towards the reserve."""
        return self.insurer_licensed_in_japan and RATINGS.index(
            self.insurer_rating
        ) >= RATINGS.index(self.insurer_rating_floor)

    @property
    def loss_level(self) -> float | None:
        """Probability level of the history basis' return-period loss (``None`` if unused)."""
        return 1.0 - 1.0 / self.return_period_years if self.basis in ("history", "max") else None

    def in_kind(self) -> InKindCompensation:
        """The price model of compensation in kind."""
        return InKindCompensation(
            volatility=self.in_kind_volatility, delay_days=self.in_kind_delay_days
        )


#: A reserve cap this large means no cap (no cap has been published).
NO_CAP_JPY = 1e14


@dataclass(frozen=True, slots=True)
class JpDraftScenario:
    """The former ``jp-draft`` scenario's parameters, kept for existing callers (the app's
    editor): ``style`` is the sizing basis, ``alpha_cold`` the custody share of cold crypto,
    ``floor_jpy`` and ``cap_jpy`` bound the reserve, ``insurance_share_max`` as before.
    ``beta_hot_uncovered`` has no effect in the stacked scenario: the hot float is backed in
    kind by the guarantee crypto. :meth:`to_params` gives the :class:`Jp2027Params`."""

    style: str = "max"
    floor_jpy: float = 0.0
    cap_jpy: float = NO_CAP_JPY
    alpha_cold: float = 0.01
    beta_hot_uncovered: float = 1.0
    insurance_share_max: float = 0.5

    def __post_init__(self) -> None:
        self.to_params()  # every problem named, as Jp2027Params names them

    def to_params(self) -> Jp2027Params:
        """The equivalent parameters of the 2027 scenario."""
        return Jp2027Params(
            basis=self.style,
            floor_jpy=self.floor_jpy,
            cap_jpy=None if self.cap_jpy >= NO_CAP_JPY else self.cap_jpy,
            custody_share=self.alpha_cold,
            custody_base="cold",
            insurance_share_max=self.insurance_share_max,
        )


def _securities(inputs: RegimeInputs, p: Jp2027Params, jpy: float) -> tuple[float, str, list]:
    rates = {"spot": p.spot_rate_per_10k / 1e4, "derivatives": p.derivatives_rate_per_10k / 1e4}
    addition = sum(years[-1] * jpy * rates[c] for c, years in inputs.trading_volume_usd)
    cap = sum(
        max(years) * jpy * p.cap_multiple * rates[c] for c, years in inputs.trading_volume_usd
    )
    this_year = min(p.reserve_held_jpy + addition, cap)
    amount = cap if p.securities_balance == "steady_state" else this_year
    terms = " + ".join(
        f"{num(years[-1] * jpy)} × {rates[c]:g}" for c, years in inputs.trading_volume_usd
    )
    cap_terms = " + ".join(
        f"{num(max(years) * jpy)} × {p.cap_multiple:g} × {rates[c]:g}"
        for c, years in inputs.trading_volume_usd
    )
    sub = f"addition = {terms} = {num(addition)}; cap = {cap_terms} = {num(cap)}; " + (
        f"steady state R = cap = {num(cap)} JPY"
        if p.securities_balance == "steady_state"
        else f"R = min({num(p.reserve_held_jpy)} + {num(addition)}, {num(cap)}) = "
        f"{num(this_year)} JPY"
    )
    parts = [
        ("securities basis: this year's addition Σ V_c × r_c", addition),
        ("securities basis: cap Σ max V_c × 4 × r_c (built-up balance)", cap),
    ]
    return amount, sub, parts


def japan_2027(inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, params: Jp2027Params | None = None):
    """Japan after the reform (scenario): every requirement that applies at once, stacked.

    The binding total is own-funded: guarantee crypto (if kept) + the liability reserve R.
    Insurance from an eligible insurer may secure up to ``insurance_share_max`` × R.
    """
    p = params if params is not None else Jp2027Params()
    ccy = "JPY"
    jpy = fx.rate(ccy)
    rows = base_rows(inputs, fx)
    notes: list[str] = []
    checks = [hot_ceiling_check(inputs, fx, p.hot_cap)]
    assumptions: list[str] = [p.assumption("basis")]
    reqs = []
    if p.keep_guarantee_crypto:
        reqs.append(guarantee_requirement(inputs, fx, 1.0, notes, checks, rows))
    assumptions.append(p.assumption("keep_guarantee_crypto"))
    reqs.append(fiat_trust_requirement(inputs, fx, p.fiat_trust_share))

    # Sizing bases (each that can be computed).
    bases: dict[str, tuple[float, str]] = {}
    parts: list[tuple[str, float]] = []
    if inputs.trading_volume_usd:
        amount, sub, extra = _securities(inputs, p, jpy)
        bases["securities"] = (amount, sub)
        parts += extra
        rows += [
            (f"volume {c} (oldest first)", ", ".join(f"{v:,.0f}" for v in years), "USD/year")
            for c, years in inputs.trading_volume_usd
        ]
        for name in ("spot_rate_per_10k", "derivatives_rate_per_10k", "securities_balance"):
            assumptions.append(p.assumption(name))
    if inputs.return_period_loss_usd is not None:
        loss = inputs.return_period_loss_usd * jpy
        bases["history"] = (
            loss,
            f"1-in-{p.return_period_years:g}-year loss of the exchange's own model = "
            f"{num(loss)} JPY",
        )
        parts.append((f"history basis: 1-in-{p.return_period_years:g}-year loss", loss))
        rows.append(
            (f"1-in-{p.return_period_years:g}-year loss", inputs.return_period_loss_usd, "USD")
        )
        assumptions.append(p.assumption("return_period_years"))
    base = inputs.customer_assets_usd * (1 - inputs.hot_share if p.custody_base == "cold" else 1)
    share_amount = p.custody_share * base * jpy
    bases["custody_share"] = (
        share_amount,
        f"{p.custody_share:g} × {num(base * jpy)} = {num(share_amount)} JPY",
    )
    parts.append(
        (f"custody-share basis: {p.custody_share:g} × {p.custody_base} crypto", share_amount)
    )
    assumptions += [p.assumption("custody_share"), p.assumption("custody_base")]

    if p.basis == "max":
        chosen = max(bases, key=lambda k: bases[k][0])
    elif p.basis not in bases:
        need = {
            "securities": "trading volumes (profile field trading_volume_usd)",
            "history": "the exchange's loss model (run compare, or give return_period_loss_usd)",
        }[p.basis]
        from ._base import raise_problems

        raise_problems("jp-2027 parameters", [f"'basis' {p.basis} needs {need}"])
        raise AssertionError  # pragma: no cover
    else:
        chosen = p.basis
    sized, sized_sub = bases[chosen]
    reserve = max(p.floor_jpy, sized)
    if p.cap_jpy is not None:
        reserve = min(reserve, p.cap_jpy)
        assumptions.append(p.assumption("cap_jpy"))
    assumptions.append(p.assumption("floor_jpy"))
    if p.basis == "max":
        notes.append(
            "Bases computed: "
            + "; ".join(f"{k} {money(v, ccy)}" for k, (v, _) in bases.items())
            + f". The largest, {chosen}, binds."
        )
    missing = [b for b in ("securities", "history") if b not in bases]
    if missing:
        notes.append(
            "Not computed: "
            + ", ".join(missing)
            + " (enter trading volumes in the profile; the history basis needs the loss model, "
            "as `compare` provides)."
        )

    s_max = p.insurance_share_max if p.insurer_eligible else 0.0
    for name in (
        "insurance_share_max",
        "insurer_licensed_in_japan",
        "insurer_rating",
        "insurer_rating_floor",
    ):
        assumptions.append(p.assumption(name))
    eligibility = (
        f"eligible insurers: licensed in Japan ({p.insurer_licensed_in_japan}), rated ≥ "
        f"{p.insurer_rating_floor} (quoting insurer {p.insurer_rating}) → "
        + ("cover counts" if p.insurer_eligible else "cover does NOT count")
    )
    reserve_req = requirement(
        fx,
        ccy,
        "liability_reserve",
        "Liability reserve (責任準備金, scenario)",
        reserve,
        formula=f"R = max(floor, basis {chosen}); insurance secures ≤ s_max × R",
        formula_substituted=f"R = max({num(p.floor_jpy)}, {sized_sub}) = {num(reserve)} JPY; "
        f"insurance ≤ {s_max:g} × R = {num(s_max * reserve)} JPY ({eligibility})",
        source=refs("[jp-fiea]", "[jp-cofib]", "[jp-wg6]", "[jp-pwc]", "[jp-coindesk]", "[1]"),
        insurance_counts="partly",
        insurance_share_max=s_max,
        layer_counts=p.insurer_eligible,
        status="scenario",
    )
    reqs.append(reserve_req)

    insurance = (inputs.insurance_limit_usd or 0.0) * jpy
    credit = min(insurance, s_max * reserve)
    cash = reserve - credit
    if inputs.own_funds_usd is not None:
        own = inputs.own_funds_usd * jpy
        checks.append(
            (
                f"scenario only: cash reserve {money(own, ccy)} ≥ R − insurance credit "
                f"{money(cash, ccy)}",
                leq(cash, own),
            )
        )
    kind = p.in_kind()
    q = kind.quantile(p.in_kind_confidence)
    buffer = reserve * max(q - 1.0, 0.0)
    assumptions += [p.assumption("in_kind_volatility"), p.assumption("in_kind_delay_days")]
    notes = [
        f"Compensation in kind: the coins are bought back {p.in_kind_delay_days:g} days after "
        f"the theft; at {p.in_kind_volatility:.0%} volatility the {p.in_kind_confidence:.1%} "
        f"price factor is {q:.3f}, so R buys back the coins of a theft of R only if prices "
        f"have not risen; {money(buffer, ccy)} more covers that price move. DMM Bitcoin "
        "raised ¥55bn for a ¥48.2bn theft [jp-dmm].",
        "SCENARIO, NOT LAW: the reserve's formula, insurance share and eligible insurers are "
        "unpublished; see the status lines.",
        f"R is {_position(reserve)} the reported ¥2bn-¥40bn held by large securities firms "
        "[1] (context only, not a floor).",
        "Drawing the reserve after a hack without prior approval is reported only by weak "
        "sources (unconfirmed); a securities firm may use its reserve only as FIEA Art. 46-5 "
        "and Ordinance Art. 175 allow [jp-fiea][jp-cofib]; the reserve's issues were tabled "
        "at the Working Group's meeting of 22 Oct 2025 [jp-wg4][jp-coinpost-1124].",
        *notes,
    ]
    guarantee = reqs[0].amount_local if p.keep_guarantee_crypto else 0.0
    return result(
        "jp-2027",
        f"Japan - 2027 reform scenario: stacked requirements ({chosen} basis)",
        reqs,
        ccy,
        fx,
        formula="own funds = G (in-kind guarantee) + R (liability reserve); "
        "R_cash = R − min(I_eligible, s_max × R)",
        formula_substituted=f"{num(guarantee)} + {num(reserve)} = {num(guarantee + reserve)} "
        f"JPY; R_cash = {num(reserve)} − min({num(insurance)}, {s_max:g} × {num(reserve)}) = "
        f"{num(cash)} JPY",
        inputs=(*rows, ("I_eligible (insurance limit)", inputs.insurance_limit_usd or 0.0, "USD")),
        components=[
            *parts,
            ("R (reserve before insurance credit)", reserve),
            ("insurance credit min(I_eligible, s_max × R)", credit),
            ("R_cash (cash part)", cash),
            ("most insurance may secure (s_max × R)", s_max * reserve),
            (f"in-kind price-move buffer at {p.in_kind_confidence:.1%}", buffer),
        ],
        source=refs(
            "[jp-psa]",
            "[15]",
            "[16]",
            "[jp-fiea]",
            "[jp-cofib]",
            "[jp-wg4]",
            "[jp-wg6]",
            "[jp-pwc]",
            "[jp-nri]",
            "[jp-innovationlaw]",
            "[jp-coindesk]",
            "[jp-coinpost-1124]",
            "[jp-dmm]",
            "[1]",
            "[58]",
        ),
        as_of=date(2025, 12, 10),
        insurance_counts="partly",
        checks=tuple(checks),
        assumptions=tuple(assumptions),
        notes=notes,
        reference_band=REFERENCE_BAND,
        status=JP_STATUS,
        parameters=p.parameters(),
    )


def _position(reserve: float) -> str:
    lo, hi = REFERENCE_BAND
    return "below" if reserve < lo else "above" if reserve > hi else "within"


#: Former name (``jp-draft``).
japan_draft = japan_2027
