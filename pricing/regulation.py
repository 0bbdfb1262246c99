"""Regulatory minimums for customer-asset protection at crypto exchanges, regime by regime.

Each calculator turns one :class:`RegimeInputs` (amounts in USD) into a
:class:`RegulatoryMinimum` that shows its inputs, its formula (symbolic and with the numbers
substituted), the amount in the regime's currency and in USD, its sources (reference numbers
``[n]`` and URLs of the project's domain brief, ``shared/domain.md``), the date of the rule, whether
insurance may count towards it, and pass/fail checks of the related storage rules.

Regimes (domain brief §2.9 and §5 items 1-7):

========== ============================================================== ==========
code       rule                                                           currency
========== ============================================================== ==========
jp         Japan PSA today: hot ≤ 5% of yen value; in-kind guarantee      JPY
jp-draft   Japan planned liability reserve: a *scenario*, not law         JPY
hk         Hong Kong SFC: 1.0 × hot/other + 0.5 × cold; cold ≥ 98%        USD
mica       EU MiCA Art. 67: max(class minimum, ¼ prior-year overheads)    EUR
kr         South Korea: max(5% × hot, ₩3bn / ₩0.5bn); cold ≥ 80%          KRW
vara       Dubai VARA: crime cover for hot VAs; paid-up capital           AED
sg         Singapore MAS: cold ≥ 90%; base capital and security deposit   SGD
========== ============================================================== ==========

Hong Kong's formula applies to asset values, so it is shown in USD (no HKD conversion).
Thailand and NYDFS (§5 items 8-9) are not implemented yet.

The formula of Japan's planned reserve has not been published (§1.3, §7 item 2). ``jp-draft``
therefore takes an editable :class:`JpDraftScenario`; every parameter it uses is listed in the
result's ``assumptions``, and the reported ¥2bn-¥40bn range [1] is returned as
``reference_band``, never as a rule.

Examples
--------
>>> from pricing.regulation import RegimeInputs, minimum
>>> hk = minimum("hk", RegimeInputs(customer_assets_usd=100e6, hot_share=0.02))
>>> round(hk.amount_usd)  # 1.0 × 2m + 0.5 × 98m: 51% of client crypto (§2.1)
51000000
>>> hk.insurance_counts
'yes'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from types import MappingProxyType
from typing import Any

from .profiles import ExchangeProfile

__all__ = [
    "DEFAULT_FX",
    "INSURANCE_COUNTS",
    "JP_DRAFT_STYLES",
    "REFERENCES",
    "REGIMES",
    "FxRates",
    "HotHolding",
    "JpDraftScenario",
    "Reference",
    "RegimeInputs",
    "RegulatoryMinimum",
    "dubai",
    "hong_kong",
    "japan_current",
    "japan_draft",
    "korea",
    "mica",
    "mica_fixed_overheads",
    "minimum",
    "singapore",
]

INSURANCE_COUNTS = ("yes", "no", "partly", "required")
JP_DRAFT_STYLES = ("securities", "exposure", "history")
_TOL = 1e-9  # relative tolerance of the boundary checks (a share of exactly 5% passes)


# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Reference:
    """One source of the domain brief: its number ``[n]``, title, URLs and quality grade.

    ``grade`` is the brief's mark: ``P`` primary text, ``S`` reputable secondary, ``W`` weak
    secondary (a placeholder to confirm before relying on it).
    """

    ref: str
    title: str
    urls: tuple[str, ...]
    grade: str

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary (JSON-serialisable)."""
        return {"ref": self.ref, "title": self.title, "urls": list(self.urls), "grade": self.grade}

    def __str__(self) -> str:
        return f"{self.ref} {self.title} ({self.grade}) {' ; '.join(self.urls)}"


def _r(ref: str, title: str, grade: str, *urls: str) -> tuple[str, Reference]:
    return ref, Reference(ref, title, tuple(urls), grade)


#: The sources cited by the calculators, copied from the domain brief's reference list.
REFERENCES: Mapping[str, Reference] = MappingProxyType(
    dict(
        [
            _r(
                "[1]",
                "CoinGeek, Japan to mandate liability reserves for crypto exchanges (Nov 2025)",
                "S",
                "https://coingeek.com/japan-to-mandate-liability-reserves-for-crypto-exchanges",
            ),
            _r(
                "[2]",
                "Cryptonite, Japan crypto exchange liability reserves 2026",
                "W",
                "https://www.cryptonite.ae/global/japan-crypto-exchange-liability-reserves-2026",
            ),
            _r(
                "[3]",
                "FXStreet/Coinpaprika, Japan FSA crypto liability reserves: 2026 rules",
                "W",
                "https://www.fxstreet.com/cryptocurrencies/news/"
                "japan-fsa-crypto-liability-reserves-2026-rules-202511250906",
            ),
            _r(
                "[5]",
                "novaist.jp, 金融庁 責任準備金 (AI-compiled summary of press)",
                "W",
                "https://novaist.jp/articles/japan-fsa-crypto-reserves",
            ),
            _r(
                "[6]",
                "ideco-ipo-nisa.com, 暗号資産交換業者に責任準備金義務化",
                "W",
                "https://ideco-ipo-nisa.com/106860",
            ),
            _r(
                "[15]",
                "Payment Services Act Art. 63-11-2, 履行保証暗号資産",
                "P",
                "https://iuris.jp/%E8%B3%87%E9%87%91%E6%B1%BA%E6%B8%88%E3%81%AB%E9%96%A2%E3%81%99%E3"
                "%82%8B%E6%B3%95%E5%BE%8B-%E7%AC%AC%E5%85%AD%E5%8D%81%E4%B8%89%E6%9D%A1%E3%81%AE%E5"
                "%8D%81%E4%B8%80%E3%81%AE%E4%BA%8C-%E5%B1%A5%E8%A1%8C%E4%BF%9D%E8%A8%BC%E6%9A%97%E5"
                "%8F%B7%E8%B3%87%E7%94%A3/jpn/a/79320",
            ),
            _r(
                "[16]",
                "Cabinet Office Order on Crypto-Asset Exchange Service Providers, Art. 27",
                "P",
                "https://iuris.jp/暗号資産交換業者に関する内閣府令-第二十七条-利用者の暗号資産の管理/jpn/a/35309",
            ),
            _r(
                "[17]",
                "Morrison & Foerster, Japanese Cryptocurrency Update (Apr 2020); TradingBTC",
                "S/W",
                "https://mofo.com/resources/insights/200423-japanese-cryptocurrency-update",
                "https://tradingbtc.com/?p=33831",
            ),
            _r(
                "[24]",
                "Commodity-futures association rule on the liability reserve (accident rate)",
                "W",
                "https://lawinsider.com/zh/contracts/29asRIeipPL",
            ),
            _r(
                "[58]",
                "Thai SEC news 21 Mar 2025 (custodians: cold 95%, NC 1%)",
                "P",
                "http://www.sec.or.th:80/EN/Pages/News_Detail.aspx?SECID=12044",
            ),
            _r(
                "[33]",
                "Sidley, HK VATP licensing regime (2): key infrastructure requirements",
                "S",
                "https://sidley.com/zh-hans/insights/newsupdates/2023/5/"
                "hk-vatp-licensing-regime-2-key-infrastructure-requirements-under-the-vatp-guidelines",
            ),
            _r(
                "[34]",
                "finreg.sg, SFC view on segregation (≤2% hot)",
                "S",
                "https://finreg.sg/answers/overview-of-crypto-trading-254/"
                "sfcs-view-on-segregation-of-customer-assets-856",
            ),
            _r(
                "[36]",
                "Standard Kepler, HK VASP licence guide (HK$5m / HK$3m)",
                "W",
                "https://standardkepler.com/"
                "a-simplified-guide-to-obtaining-a-virtual-asset-service-provider-vasp-license-in-hong-kong",
            ),
            _r(
                "[38]",
                "MiCA Art. 67 and Annex IV (mica.wtf)",
                "P",
                "https://www.mica.wtf/mica/"
                "title-v-authorisation-and-operating-conditions-for-crypto-asset-service-providers-art."
                "-59-85/chapter-2/article-67",
                "https://www.mica.wtf/mica/annex-iv",
            ),
            _r(
                "[39]",
                "AMF General Regulation Art. 721-5",
                "P",
                "https://www.amf-france.org/en/eli/fr/aai/amf/rg/article/721-5/20230730/notes",
            ),
            _r(
                "[40]",
                "The CASP Directory, MiCA Art. 67 insurance policy checklist",
                "W",
                "https://thecaspdirectory.com/mica-article-67-insurance-policy-checklist.html",
            ),
            _r(
                "[41]",
                "Crypto Law Index, CASP own funds under Art. 67",
                "W",
                "https://cryptolawindex.com/knowledge/casp-own-funds-mica-article-67-calculation",
            ),
            _r(
                "[43]",
                "News1 (18 Jul 2024), VASP insurance before the Act",
                "S",
                "https://news1.kr/amp/finance/money-management/5484043",
            ),
            _r(
                "[44]",
                "Seoul Economic Daily, decree draft (₩3bn / ₩0.5bn, 5%); [44b] Consumer News "
                "(70% → 80%)",
                "S",
                "https://m.sedaily.com/NewsView/29YGXAPJTL",
                "https://www.consumernews.co.kr/news/articleView.html?idxno=694721",
            ),
            _r(
                "[45]",
                "a-ha.io Q&A quoting the decree summary (80%, economic value, monthly)",
                "W",
                "https://www.a-ha.io/questions/4eae0e12143a292c8641798180b0c335",
            ),
            _r(
                "[48]",
                "Digital Policy Alert, MAS guidelines in force 4 Oct 2024 (90% cold)",
                "S",
                "https://digitalpolicyalert.org/event/24036-implemented-mas-guidelines-on-consumer-"
                "protection-measures-by-digital-payment-token-service-providers-including-"
                "safeguarding-of-customer-assets",
            ),
            _r(
                "[49]",
                "Payment Services Regulations 2019, regs 12-13 (Singapore Statutes Online)",
                "P",
                "https://sso.agc.gov.sg/SL/PSA2019-S810-2019?DocDate=20240402&ProvIds=P12-P22-",
            ),
            _r(
                "[50]",
                "OrionW, MAS crypto customer protection guidelines",
                "S",
                "https://orionw.com/news-insights/mas-issues-crypto-customer-protection-guidelines",
            ),
            _r(
                "[51]",
                "VARA Company Rulebook VI.D Insurance",
                "P",
                "https://rulebooks.vara.ae/rulebook/d-insurance",
            ),
            _r(
                "[52]",
                "VARA Company Rulebook VI (paid-up capital)",
                "P",
                "https://rulebooks.vara.ae/entiresection/107",
            ),
            _r(
                "[53]",
                "Cryptoverse Lawyers, VARA capital requirements",
                "W",
                "https://www.cryptoverselawyers.io/paid-up-capital-requirements-under-vara",
            ),
        ]
    )
)


def _refs(*keys: str) -> tuple[Reference, ...]:
    return tuple(REFERENCES[k] for k in keys)


# --------------------------------------------------------------------------------------------
# Validation helpers (every message names the field)
# --------------------------------------------------------------------------------------------
def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _check_number(
    out: list[str],
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    unit: str = "",
    optional: bool = False,
) -> None:
    if value is None and optional:
        return
    if not _is_number(value):
        out.append(f"'{name}' must be a finite number, got {value!r}")
        return
    if low is not None and high is not None and not low <= value <= high:
        out.append(f"'{name}' must be between {low:g} and {high:g}, got {value:g}")
    elif low is not None and value < low:
        out.append(f"'{name}' must be ≥ {low:g}{' ' + unit if unit else ''}, got {value:g}")


def _check_bool(out: list[str], name: str, value: Any) -> None:
    if not isinstance(value, bool):
        out.append(f"'{name}' must be true or false, got {value!r}")


def _pairs(out: list[str], name: str, value: Any) -> tuple[tuple[str, float], ...]:
    """Normalise a mapping or sequence of (category, number) pairs; bad entries are reported."""
    items = value.items() if isinstance(value, Mapping) else value
    try:
        items = tuple(items)
    except TypeError:
        out.append(f"'{name}' must be a mapping of category to number, got {value!r}")
        return ()
    pairs: list[tuple[str, float]] = []
    seen: set[str] = set()
    for item in items:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            out.append(f"'{name}' entries must be (category, number) pairs, got {item!r}")
            continue
        key, number = item
        if not isinstance(key, str) or not key.strip():
            out.append(f"'{name}' categories must be non-empty texts, got {key!r}")
        elif key in seen:
            out.append(f"'{name}' lists category '{key}' twice")
        elif not _is_number(number) or number < 0:
            out.append(f"'{name}[{key}]' must be a finite number ≥ 0, got {number!r}")
        else:
            seen.add(key)
            pairs.append((key, float(number)))
    return tuple(pairs)


def _raise(what: str, problems: list[str]) -> None:
    if problems:
        raise ValueError(f"invalid {what}: " + "; ".join(problems))


def _leq(a: float, b: float) -> bool:
    """``a ≤ b`` up to a relative tolerance, so values exactly on a legal limit pass."""
    return a <= b + _TOL * max(1.0, abs(b))


# --------------------------------------------------------------------------------------------
# Exchange rates
# --------------------------------------------------------------------------------------------
_FX_CURRENCIES = ("jpy", "eur", "krw", "aed", "sgd")


@dataclass(frozen=True, slots=True)
class FxRates:
    """Exchange rates in units of currency per 1 USD.

    The defaults are **assumptions**, to be overridden with the rates of the valuation date:

    - ``jpy`` 157: the rate implied by the brief's "¥2bn-¥40bn ≈ $12.7m-$255m" [1] (§0);
    - ``eur`` 0.86, ``krw`` 1,460, ``sgd`` 1.30: approximate market rates of late 2025,
      **not** taken from the domain brief;
    - ``aed`` 3.6725: the UAE dirham's USD peg (not from the domain brief).

    Attributes
    ----------
    jpy, eur, krw, aed, sgd : float
        Units of each currency per USD, > 0.
    """

    jpy: float = 157.0
    eur: float = 0.86
    krw: float = 1460.0
    aed: float = 3.6725
    sgd: float = 1.30

    def __post_init__(self) -> None:
        problems: list[str] = []
        for name in _FX_CURRENCIES:
            value = getattr(self, name)
            _check_number(problems, name, value)
            if _is_number(value) and value <= 0:
                problems.append(f"'{name}' must be > 0 units per USD, got {value:g}")
        _raise("FX rates", problems)

    def rate(self, currency: str) -> float:
        """Units of ``currency`` (``USD``, ``JPY``, ``EUR``, ``KRW``, ``AED``, ``SGD``) per USD."""
        code = currency.lower()
        if code == "usd":
            return 1.0
        if code not in _FX_CURRENCIES:
            raise ValueError(
                f"'currency' must be one of USD, "
                f"{', '.join(c.upper() for c in _FX_CURRENCIES)}, got {currency!r}"
            )
        return float(getattr(self, code))

    def from_usd(self, amount_usd: float, currency: str) -> float:
        """Convert ``amount_usd`` (USD) into ``currency``."""
        return amount_usd * self.rate(currency)

    def to_usd(self, amount: float, currency: str) -> float:
        """Convert ``amount`` in ``currency`` into USD."""
        return amount / self.rate(currency)

    @property
    def is_default(self) -> bool:
        """Whether every rate is the built-in assumption (then results say so)."""
        return self == FxRates()

    def to_dict(self) -> dict[str, float]:
        """Units per USD by lower-case currency code."""
        return {name: float(getattr(self, name)) for name in _FX_CURRENCIES}


DEFAULT_FX = FxRates()


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class HotHolding:
    """One crypto asset of the hot float and the exchange's own in-kind guarantee of it.

    Japan's PSA Art. 63-11-2 [15] requires own crypto of the same kind and quantity as the
    customer crypto kept outside cold storage (domain brief §1.1).

    Attributes
    ----------
    asset : ticker, e.g. ``BTC``.
    customer_quantity : customer units of the asset held hot (coins, ≥ 0).
    guarantee_quantity : own units held as performance-guarantee crypto (coins, ≥ 0).
    price_usd : price per unit (USD, ≥ 0).
    """

    asset: str
    customer_quantity: float
    guarantee_quantity: float
    price_usd: float

    def __post_init__(self) -> None:
        _raise(f"hot holding {self.asset!r}", self.problems("hot_holding"))

    def problems(self, prefix: str) -> list[str]:
        """Validation problems, each naming ``prefix.field``."""
        out: list[str] = []
        if not isinstance(self.asset, str) or not self.asset.strip():
            out.append(f"'{prefix}.asset' must be a non-empty text")
        for name in ("customer_quantity", "guarantee_quantity", "price_usd"):
            _check_number(out, f"{prefix}.{name}", getattr(self, name), low=0.0)
        return out


@dataclass(frozen=True, slots=True)
class RegimeInputs:
    """The facts about one exchange that the regulatory minimums need (amounts in USD).

    Attributes
    ----------
    customer_assets_usd : customer crypto in custody, V_total (USD, ≥ 0).
    hot_share : share of customer crypto *outside* cold storage (hot, warm and "other"
        storage), in [0, 1]; V_hot = hot_share × V_total, V_cold = the rest.
    fixed_overheads_usd : fixed overheads of the previous year (USD per year, ≥ 0), for MiCA
        Art. 67 [38] and VARA paid-up capital [52]; 0 means "not entered" (floors only).
    mica_class : MiCA Annex IV class 1, 2 or 3 [38]; an exchange operating a trading
        platform is class 3 (the default).
    krw_market : Korea: whether the exchange runs a KRW market (₩3bn floor) or not
        (coin-only market or wallet/custody provider: ₩0.5bn floor) [43][44].
    uses_licensed_custodian : Dubai: whether a VARA-licensed custodian holds client VAs
        (lower paid-up capital) [52].
    avg_monthly_volume_usd : Singapore: average monthly value of payment transactions of the
        largest payment service (USD per month), for the security deposit [49]; ``None`` =
        unknown (the higher deposit is used).
    trading_volume_usd : Japan draft, securities style: annual trading volume by category
        (USD per year), as ``{category: volume}`` or (category, volume) pairs.
    worst_loss_usd : Japan draft, history style: the largest theft loss over the look-back
        window of ``JpDraftScenario.history_years`` (USD, ≥ 0).
    insurance_limit_usd : eligible insurance limit in force (USD), ``None`` = not entered.
    trust_funds_usd : Hong Kong: own funds set aside on trust for compensation (USD) [33].
    bank_guarantee_usd : Hong Kong: bank guarantees for compensation (USD) [33].
    own_funds_usd : own funds / reserve / paid-up capital held against the requirement
        (USD); ``None`` = not entered. With the cover fields it drives the shortfall checks.
    hot_holdings : Japan: per-asset hot float and in-kind guarantee (:class:`HotHolding`, or
        (asset, customer_quantity, guarantee_quantity, price_usd) tuples).
    """

    customer_assets_usd: float
    hot_share: float
    fixed_overheads_usd: float = 0.0
    mica_class: int = 3
    krw_market: bool = True
    uses_licensed_custodian: bool = False
    avg_monthly_volume_usd: float | None = None
    trading_volume_usd: tuple[tuple[str, float], ...] = ()
    worst_loss_usd: float = 0.0
    insurance_limit_usd: float | None = None
    trust_funds_usd: float | None = None
    bank_guarantee_usd: float | None = None
    own_funds_usd: float | None = None
    hot_holdings: tuple[HotHolding, ...] = ()

    def __post_init__(self) -> None:
        out: list[str] = []
        _check_number(out, "customer_assets_usd", self.customer_assets_usd, low=0.0, unit="USD")
        _check_number(out, "hot_share", self.hot_share, low=0.0, high=1.0)
        _check_number(out, "fixed_overheads_usd", self.fixed_overheads_usd, low=0.0, unit="USD")
        _check_number(out, "worst_loss_usd", self.worst_loss_usd, low=0.0, unit="USD")
        for name in (
            "avg_monthly_volume_usd",
            "insurance_limit_usd",
            "trust_funds_usd",
            "bank_guarantee_usd",
            "own_funds_usd",
        ):
            _check_number(out, name, getattr(self, name), low=0.0, unit="USD", optional=True)
        if isinstance(self.mica_class, bool) or self.mica_class not in (1, 2, 3):
            out.append(f"'mica_class' must be 1, 2 or 3, got {self.mica_class!r}")
        _check_bool(out, "krw_market", self.krw_market)
        _check_bool(out, "uses_licensed_custodian", self.uses_licensed_custodian)
        object.__setattr__(
            self, "trading_volume_usd", _pairs(out, "trading_volume_usd", self.trading_volume_usd)
        )
        holdings: list[HotHolding] = []
        raw = self.hot_holdings
        for i, item in enumerate(raw if isinstance(raw, (tuple, list)) else [raw]):
            name = f"hot_holdings[{i}]"
            if isinstance(item, HotHolding):
                holdings.append(item)
            elif isinstance(item, (tuple, list)) and len(item) == 4:
                try:
                    holdings.append(HotHolding(*item))
                except ValueError as err:
                    out.append(str(err).replace("'hot_holding.", f"'{name}."))
            else:
                out.append(
                    f"'{name}' must be a HotHolding or (asset, customer_quantity, "
                    f"guarantee_quantity, price_usd), got {item!r}"
                )
        assets = [h.asset for h in holdings]
        if len(set(assets)) != len(assets):
            out.append("'hot_holdings' lists an asset twice")
        object.__setattr__(self, "hot_holdings", tuple(holdings))
        _raise("regime inputs", out)

    @property
    def hot_assets_usd(self) -> float:
        """V_hot: customer crypto outside cold storage (USD)."""
        return self.customer_assets_usd * self.hot_share

    @property
    def cold_assets_usd(self) -> float:
        """V_cold: customer crypto in cold storage (USD)."""
        return self.customer_assets_usd * (1.0 - self.hot_share)

    @classmethod
    def from_profile(cls, profile: ExchangeProfile, **overrides: Any) -> RegimeInputs:
        """Inputs with ``customer_assets_usd`` and ``hot_share`` from ``profile``.

        Every other field keeps its default unless given in ``overrides``; an unknown
        override name raises ``ValueError`` naming it.
        """
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise ValueError(
                "invalid regime inputs: " + "; ".join(f"unknown field '{k}'" for k in unknown)
            )
        values: dict[str, Any] = {
            "customer_assets_usd": profile.customer_assets_usd,
            "hot_share": profile.hot_share,
        }
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True, slots=True)
class JpDraftScenario:
    """An editable scenario for Japan's planned liability reserve (domain brief §1.3, §5 item 2).

    **Not law.** The base, rates, floor, cap and insurance share are unpublished (§7 items
    1-2); every default below is an assumption and is listed in the result's ``assumptions``.

    Notes
    -----
    Styles:

    ``securities``  R = min(cap, (1 + accident_loading) × Σ_c rate_c × Volume_c)
    ``exposure``    R = max(floor, α × V_cold + β × V_hot_uncovered)
    ``history``     R = max(floor, m × worst loss over N years)

    then the insurance credit ``R_cash = R − min(I_eligible, s_max × R)``.

    Attributes
    ----------
    style : one of ``securities``, ``exposure``, ``history`` (default ``exposure``, because
        the securities style has no default rates).
    volume_rates : rate_c per trading-volume category (share of annual volume, ≥ 0). No
        default: the securities-firm rate table (Cabinet Office Order Art. 175) was not
        retrievable (§1.4, §7 item 1), so the user must enter every rate.
    accident_loading : multiplicative loading on the securities-style sum standing in for an
        accident-rate term (≥ 0; default 0 = none). How such a term enters is unknown [24].
    cap_jpy : cap of the securities style (JPY); default ¥40bn, the top of the reported
        range [1].
    floor_jpy : floor of the exposure and history styles (JPY); default ¥2bn, the bottom of
        the reported range [1] (the §4.10 illustration).
    alpha_cold : α, reserve per yen of cold customer crypto; default 0.01, borrowed from
        Thailand's 1% net-capital charge on cold wallets of licensed custodians [58].
    beta_hot_uncovered : β, reserve per yen of hot customer crypto not already backed in kind;
        default 1.0, borrowed from Hong Kong's 100% cover of hot storage [33].
    hot_in_kind_share : share of the hot float already backed by performance-guarantee
        crypto; default 1.0, as PSA Art. 63-11-2 requires today [15].
    multiple : m, multiple of the worst historical loss; default 1.0 (one worst loss).
    history_years : N, look-back window in years; default 3, borrowed from the three prior
        years of the commodity-futures accident rate [24]. It labels ``worst_loss_usd``.
    insurance_share_max : s_max, the largest share of R that insurance may replace, in
        [0, 1]; default 0.5 — reports say only "part" [1][2][6].
    """

    style: str = "exposure"
    volume_rates: tuple[tuple[str, float], ...] = ()
    accident_loading: float = 0.0
    cap_jpy: float = 40e9
    floor_jpy: float = 2e9
    alpha_cold: float = 0.01
    beta_hot_uncovered: float = 1.0
    hot_in_kind_share: float = 1.0
    multiple: float = 1.0
    history_years: int = 3
    insurance_share_max: float = 0.5

    def __post_init__(self) -> None:
        out: list[str] = []
        if self.style not in JP_DRAFT_STYLES:
            out.append(f"'style' must be one of {', '.join(JP_DRAFT_STYLES)}, got {self.style!r}")
        object.__setattr__(self, "volume_rates", _pairs(out, "volume_rates", self.volume_rates))
        for name in (
            "accident_loading",
            "cap_jpy",
            "floor_jpy",
            "alpha_cold",
            "beta_hot_uncovered",
            "multiple",
        ):
            _check_number(out, name, getattr(self, name), low=0.0)
        for name in ("hot_in_kind_share", "insurance_share_max"):
            _check_number(out, name, getattr(self, name), low=0.0, high=1.0)
        if (
            isinstance(self.history_years, bool)
            or not isinstance(self.history_years, int)
            or self.history_years < 1
        ):
            out.append(f"'history_years' must be a whole number ≥ 1, got {self.history_years!r}")
        _raise("Japan draft scenario", out)

    def is_default(self, name: str) -> bool:
        """Whether parameter ``name`` still has its built-in (assumed) value."""
        default = next(f.default for f in fields(self) if f.name == name)
        return getattr(self, name) == default


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RegulatoryMinimum:
    """A regulatory minimum, with everything needed to check and cite it.

    Attributes
    ----------
    regime : regime code (a key of :data:`REGIMES`).
    name : regime and rule, for display.
    amount_local : the minimum in ``currency`` (≥ 0). For ``jp`` the yen value of the
        required in-kind guarantee crypto; for ``jp-draft`` the scenario reserve R before the
        insurance credit (the cash part is in ``components``); for ``vara`` the paid-up
        capital (the required crime cover is in ``components``); for ``sg`` base capital plus
        security deposit.
    currency : ISO code of ``amount_local``.
    amount_usd : the minimum in USD.
    formula : the symbolic formula.
    formula_substituted : the formula with the numbers of this calculation.
    inputs : (name, value, unit) of every input used, including FX rates.
    components : (label, amount_local, amount_usd) parts and related amounts.
    source : the domain-brief references.
    as_of : date the rule took effect or was reported; ``None`` if the sources give none.
    insurance_counts : ``yes`` (insurance may meet it), ``no``, ``partly`` (up to a share),
        or ``required`` (insurance is itself mandated).
    checks : (description, passed) of storage and cover rules; cover checks appear only when
        the cover amounts are entered.
    assumptions : defaults and scenario parameters that are assumptions, not rules.
    notes : caveats.
    reference_band : (low, high) in ``currency`` for context only (``jp-draft``: the reported
        ¥2bn-¥40bn range [1]); never a rule.
    """

    regime: str
    name: str
    amount_local: float
    currency: str
    amount_usd: float
    formula: str
    formula_substituted: str
    inputs: tuple[tuple[str, Any, str], ...]
    components: tuple[tuple[str, float, float], ...]
    source: tuple[Reference, ...]
    as_of: date | None
    insurance_counts: str
    checks: tuple[tuple[str, bool], ...] = ()
    assumptions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    reference_band: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        out: list[str] = []
        if self.insurance_counts not in INSURANCE_COUNTS:
            out.append(
                f"'insurance_counts' must be one of {', '.join(INSURANCE_COUNTS)}, "
                f"got {self.insurance_counts!r}"
            )
        for name in ("amount_local", "amount_usd"):
            _check_number(out, name, getattr(self, name), low=0.0)
        _raise("regulatory minimum", out)

    @property
    def all_checks_pass(self) -> bool:
        """Whether every check passed (``True`` when there are none)."""
        return all(passed for _, passed in self.checks)

    @property
    def reference_band_usd(self) -> tuple[float, float] | None:
        """``reference_band`` converted to USD with this result's own rate."""
        if self.reference_band is None:
            return None
        rate = {n: v for n, v, _ in self.inputs}.get(f"fx {self.currency} per USD", 1.0)
        return (self.reference_band[0] / rate, self.reference_band[1] / rate)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dictionary (dates as ISO text, tuples as lists)."""
        return {
            "regime": self.regime,
            "name": self.name,
            "amount_local": float(self.amount_local),
            "currency": self.currency,
            "amount_usd": float(self.amount_usd),
            "formula": self.formula,
            "formula_substituted": self.formula_substituted,
            "inputs": [{"name": n, "value": v, "unit": u} for n, v, u in self.inputs],
            "components": [
                {"label": label, "amount_local": float(a), "amount_usd": float(b)}
                for label, a, b in self.components
            ],
            "source": [r.to_dict() for r in self.source],
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "insurance_counts": self.insurance_counts,
            "checks": [{"description": d, "passed": bool(p)} for d, p in self.checks],
            "assumptions": list(self.assumptions),
            "notes": list(self.notes),
            "reference_band": list(self.reference_band) if self.reference_band else None,
        }

    def summary(self) -> list[str]:
        """Readable text lines: amount, formula, checks, inputs, assumptions, notes, sources."""
        lines = [
            f"{self.name} [{self.regime}]",
            f"Minimum: {_money(self.amount_local, self.currency)}"
            + ("" if self.currency == "USD" else f" ({_money(self.amount_usd, 'USD')})"),
            f"Formula: {self.formula}",
            f"       = {self.formula_substituted}",
            f"Insurance counts: {self.insurance_counts}",
        ]
        lines += [f"  {label}: {_money(a, self.currency)}" for label, a, _ in self.components]
        lines += [f"Check [{'pass' if p else 'FAIL'}] {d}" for d, p in self.checks]
        if self.reference_band:
            lo, hi = self.reference_band
            lines.append(
                f"Reference band (reported, not law): {_money(lo, self.currency)} - "
                f"{_money(hi, self.currency)}"
            )
        lines.append(
            "Inputs: " + "; ".join(f"{n} = {_value(v)} {u}".rstrip() for n, v, u in self.inputs)
        )
        lines += [f"Assumption: {a}" for a in self.assumptions]
        lines += [f"Note: {n}" for n in self.notes]
        lines.append(f"As of: {self.as_of.isoformat() if self.as_of else 'not dated in sources'}")
        lines += [f"Source: {r}" for r in self.source]
        return lines


def _money(x: float, currency: str) -> str:
    return f"{currency} {x:,.0f}"


def _value(v: Any) -> str:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return str(v)
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"


def _n(x: float) -> str:
    """A number for a substituted formula: grouped integers for amounts, ``g`` for rates."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}"


# --------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------
def _fx_note(fx: FxRates, currency: str) -> tuple[str, ...]:
    if currency == "USD" or not fx.is_default:
        return ()
    return (
        f"FX rate {fx.rate(currency):g} {currency} per USD is a default assumption "
        "(see FxRates); override it with the rate of the valuation date.",
    )


def _base_inputs(inputs: RegimeInputs, fx: FxRates, currency: str) -> list[tuple[str, Any, str]]:
    rows: list[tuple[str, Any, str]] = [
        ("V_total (customer crypto)", inputs.customer_assets_usd, "USD"),
        ("hot_share (outside cold storage)", inputs.hot_share, "share"),
    ]
    if currency != "USD":
        rows.append((f"fx {currency} per USD", fx.rate(currency), f"{currency}/USD"))
    return rows


def _entered(inputs: RegimeInputs, *names: str) -> list[tuple[str, Any, str]]:
    """Input rows of the optional cover amounts that were entered (USD)."""
    return [(n, getattr(inputs, n), "USD") for n in names if getattr(inputs, n) is not None]


def _cover_check(
    label: str, cover: dict[str, float | None], required: float, currency: str, fx: FxRates
) -> tuple[str, bool] | None:
    """``sum(entered cover) ≥ required``; ``None`` when no cover amount was entered."""
    entered = {k: v for k, v in cover.items() if v is not None}
    if not entered:
        return None
    total = fx.from_usd(sum(entered.values()), currency)
    parts = " + ".join(entered)
    return (
        f"{label}: {parts} = {_money(total, currency)} ≥ {_money(required, currency)}",
        _leq(required, total),
    )


def _result(
    regime: str, name: str, amount_local: float, currency: str, fx: FxRates, **kwargs: Any
) -> RegulatoryMinimum:
    components = tuple(
        (label, float(a), fx.to_usd(a, currency)) for label, a in kwargs.pop("components", ())
    )
    notes = tuple(kwargs.pop("notes", ())) + _fx_note(fx, currency)
    return RegulatoryMinimum(
        regime=regime,
        name=name,
        amount_local=float(amount_local),
        currency=currency,
        amount_usd=fx.to_usd(amount_local, currency),
        components=components,
        notes=notes,
        **kwargs,
    )


# --------------------------------------------------------------------------------------------
# Calculators
# --------------------------------------------------------------------------------------------
def japan_current(
    inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, scenario: JpDraftScenario | None = None
) -> RegulatoryMinimum:
    """Japan, PSA today: hot ≤ 5% of yen value [16]; in-kind guarantee of the hot float [15].

    The amount is the yen value of the performance-guarantee crypto the exchange must own:
    Σ_k hot customer quantity_k × price_k (from ``hot_holdings``, else V_hot). It is held in
    kind, so its yen value moves one-for-one with crypto prices. Insurance does not count.
    ``scenario`` is ignored.
    """
    ccy = "JPY"
    v_total = fx.from_usd(inputs.customer_assets_usd, ccy)
    v_hot = fx.from_usd(inputs.hot_assets_usd, ccy)
    rows = _base_inputs(inputs, fx, ccy)
    notes = [
        "The ≥95% in cold storage has no pre-funded backstop under current law; the "
        "planned reserve targets that gap (see jp-draft) (§1.1).",
        "Customers have a statutory priority claim over segregated and guarantee crypto "
        "(PSA Art. 63-19-2); segregation is audited at least annually (§1.1).",
    ]
    checks: list[tuple[str, bool]] = [
        (
            f"hot-wallet ceiling: V_hot {_money(v_hot, ccy)} ≤ 0.05 × V_total "
            f"{_money(0.05 * v_total, ccy)} (hot share {inputs.hot_share:.4%} ≤ 5%)",
            _leq(inputs.hot_share, 0.05),
        )
    ]
    if inputs.hot_holdings:
        required_usd = sum(h.customer_quantity * h.price_usd for h in inputs.hot_holdings)
        held_usd = sum(h.guarantee_quantity * h.price_usd for h in inputs.hot_holdings)
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
                    f"customer hot {h.customer_quantity:g}",
                    _leq(h.customer_quantity, h.guarantee_quantity),
                )
            )
        required = fx.from_usd(required_usd, ccy)
        held = fx.from_usd(held_usd, ccy)
        if not math.isclose(required_usd, inputs.hot_assets_usd, rel_tol=0.01, abs_tol=1.0):
            notes.append(
                f"hot_holdings add up to {_money(required_usd, 'USD')}, not hot_share "
                f"× V_total = {_money(inputs.hot_assets_usd, 'USD')}; the amount uses "
                "the holdings, the ceiling check uses hot_share."
            )
        formula_sub = (
            " + ".join(
                f"{h.customer_quantity:g} {h.asset} × {_n(fx.from_usd(h.price_usd, ccy))}"
                for h in inputs.hot_holdings
            )
            + f" = {_n(required)} JPY"
        )
        components = [
            ("required guarantee crypto (yen value)", required),
            ("guarantee crypto held (yen value)", held),
            ("change in its yen value per 1% move in crypto prices", 0.01 * held),
        ]
    else:
        required = v_hot
        notes.append(
            "No per-asset hot_holdings entered: the per-asset check "
            "own_k ≥ hot customer_k is not performed; the amount assumes the guarantee "
            "equals V_hot."
        )
        formula_sub = (
            f"{inputs.hot_share:g} × {_n(v_total)} = {_n(required)} JPY "
            f"(V_hot = hot_share × V_total)"
        )
        components = [
            ("required guarantee crypto (yen value)", required),
            ("change in its yen value per 1% move in crypto prices", 0.01 * required),
        ]
    return _result(
        "jp",
        "Japan - Payment Services Act (current): hot ceiling and in-kind guarantee",
        required,
        ccy,
        fx,
        formula="G = Σ_k hot_customer_k × price_k (own crypto, in kind, per asset k); "
        "checks V_hot ≤ 0.05 × V_total (yen value) and own_k ≥ hot_customer_k",
        formula_substituted=formula_sub,
        inputs=tuple(rows),
        components=components,
        source=_refs("[15]", "[16]", "[17]"),
        as_of=date(2020, 5, 1),
        insurance_counts="no",
        checks=tuple(checks),
        notes=notes,
    )


def japan_draft(
    inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, scenario: JpDraftScenario | None = None
) -> RegulatoryMinimum:
    """Japan, planned liability reserve: a scenario, not law (§1.3, §5 item 2) [1][5].

    R by the scenario's style (see :class:`JpDraftScenario`), then
    R_cash = R − min(I_eligible, s_max × R) with I_eligible = ``insurance_limit_usd``.
    The amount is R (JPY); R_cash and the credit are in ``components``. The reported
    ¥2bn-¥40bn range [1] is returned as ``reference_band``.
    """
    sc = scenario if scenario is not None else JpDraftScenario()
    ccy = "JPY"
    jpy = fx.rate(ccy)
    rows = _base_inputs(inputs, fx, ccy)
    assumptions: list[str] = []
    extra_notes: list[str] = []

    def assume(name: str, text: str) -> None:
        origin = "default" if sc.is_default(name) else "user-set"
        assumptions.append(f"{name} = {_value(getattr(sc, name))} ({origin}; {text})")

    if sc.style == "securities":
        if not inputs.trading_volume_usd:
            raise ValueError(
                "invalid regime inputs: 'trading_volume_usd' must list the annual "
                "trading volume by category for the securities style"
            )
        rates = dict(sc.volume_rates)
        missing = [c for c, _ in inputs.trading_volume_usd if c not in rates]
        if missing:
            raise ValueError(
                "invalid Japan draft scenario: 'volume_rates' has no rate for "
                f"{', '.join(missing)}; the securities-firm rate table is not "
                "published (§7 item 1), so enter an assumed rate per category"
            )
        terms = [(c, rates[c], v * jpy) for c, v in inputs.trading_volume_usd]
        base = sum(rate * vol for _, rate, vol in terms) * (1.0 + sc.accident_loading)
        reserve = min(sc.cap_jpy, base)
        formula = "R = min(cap, (1 + accident_loading) × Σ_c rate_c × Volume_c)"
        sub = (
            f"min({_n(sc.cap_jpy)}, {1 + sc.accident_loading:g} × ("
            + " + ".join(f"{r:g} × {_n(v)}" for _, r, v in terms)
            + f")) = {_n(reserve)} JPY"
        )
        rows += [(f"Volume[{c}] (annual)", v / jpy, "USD") for c, _, v in terms]
        for c, r, _ in terms:
            assumptions.append(
                f"rate[{c}] = {r:g} (user-entered; securities-firm rate table "
                "not published, §7 item 1)"
            )
        assume("accident_loading", "stand-in for an accident-rate term whose form is unknown [24]")
        assume("cap_jpy", "top of the reported ¥2bn-¥40bn range [1] used as cap")
    elif sc.style == "exposure":
        v_cold = inputs.cold_assets_usd * jpy
        v_unc = inputs.hot_assets_usd * (1.0 - sc.hot_in_kind_share) * jpy
        reserve = max(sc.floor_jpy, sc.alpha_cold * v_cold + sc.beta_hot_uncovered * v_unc)
        formula = "R = max(floor, α × V_cold + β × V_hot_uncovered)"
        sub = (
            f"max({_n(sc.floor_jpy)}, {sc.alpha_cold:g} × {_n(v_cold)} + "
            f"{sc.beta_hot_uncovered:g} × {_n(v_unc)}) = {_n(reserve)} JPY"
        )
        assume("floor_jpy", "bottom of the reported ¥2bn-¥40bn range [1] used as floor")
        assume(
            "alpha_cold",
            "borrowed from Thailand's 1% NC charge on cold wallets of "
            "custodians [58]; no Japanese rate published",
        )
        assume("beta_hot_uncovered", "borrowed from Hong Kong's 100% cover of hot storage [33]")
        assume(
            "hot_in_kind_share",
            "share of the hot float already backed in kind; PSA "
            "Art. 63-11-2 requires 100% today [15]",
        )
    else:  # history
        worst = inputs.worst_loss_usd * jpy
        reserve = max(sc.floor_jpy, sc.multiple * worst)
        formula = f"R = max(floor, m × worst loss over N = {sc.history_years} years)"
        sub = f"max({_n(sc.floor_jpy)}, {sc.multiple:g} × {_n(worst)}) = {_n(reserve)} JPY"
        rows.append((f"worst loss over {sc.history_years} years", inputs.worst_loss_usd, "USD"))
        if inputs.worst_loss_usd == 0:
            extra_notes.append("worst_loss_usd not entered (0): the floor binds.")
        assume("floor_jpy", "bottom of the reported ¥2bn-¥40bn range [1] used as floor")
        assume("multiple", "no multiple published; 1 = one worst loss")
        assume(
            "history_years",
            "borrowed from the 3-year window of the commodity-futures accident rate [24]",
        )

    insurance = (inputs.insurance_limit_usd or 0.0) * jpy
    credit = min(insurance, sc.insurance_share_max * reserve)
    cash = reserve - credit
    assume(
        "insurance_share_max",
        "reports say insurance may cover only 'part' [1][2][6]; no share published",
    )
    rows += [
        ("style", sc.style, ""),
        ("I_eligible (insurance limit)", inputs.insurance_limit_usd or 0.0, "USD"),
        ("s_max", sc.insurance_share_max, "share of R"),
    ]
    formula += "; R_cash = R − min(I_eligible, s_max × R)"
    sub += (
        f"; R_cash = {_n(reserve)} − min({_n(insurance)}, {sc.insurance_share_max:g} × "
        f"{_n(reserve)}) = {_n(cash)} JPY"
    )

    band = (2e9, 40e9)
    position = "below" if reserve < band[0] else "above" if reserve > band[1] else "within"
    notes = [
        "SCENARIO, NOT LAW: the base, rates, floor, cap and insurance share of Japan's planned "
        "reserve are unpublished (§1.3, §7 item 2); a bill is expected in the 2026 ordinary "
        "Diet session [1].",
        f"R is {position} the reported ¥2bn-¥40bn range of securities firms' reserves [1], "
        "returned as reference_band for context only.",
        "The planned reserve is reported to cover cold-wallet assets too and to be drawable for "
        "hacks without prior approval [5][6].",
        *extra_notes,
    ]
    checks: list[tuple[str, bool]] = []
    if inputs.own_funds_usd is not None:
        own = inputs.own_funds_usd * jpy
        checks.append(
            (
                f"scenario only: cash reserve {_money(own, ccy)} ≥ R_cash {_money(cash, ccy)}",
                _leq(cash, own),
            )
        )
    return _result(
        "jp-draft",
        f"Japan - planned liability reserve (scenario, {sc.style} style)",
        reserve,
        ccy,
        fx,
        formula=formula,
        formula_substituted=sub,
        inputs=(*rows, *_entered(inputs, "own_funds_usd")),
        components=[
            ("R (reserve before insurance credit)", reserve),
            ("insurance credit min(I_eligible, s_max × R)", credit),
            ("R_cash (cash part)", cash),
        ],
        source=_refs("[1]", "[2]", "[3]", "[5]", "[6]", "[15]", "[24]", "[33]", "[58]"),
        as_of=date(2025, 11, 24),
        insurance_counts="partly",
        checks=tuple(checks),
        assumptions=tuple(assumptions),
        notes=notes,
        reference_band=band,
    )


def hong_kong(
    inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, scenario: JpDraftScenario | None = None
) -> RegulatoryMinimum:
    """Hong Kong SFC (VATP): C = 1.0 × V_hot_and_other + 0.5 × V_cold, cold ≥ 98% [33][34].

    In USD (the rule is on asset values). May be met by insurance, funds on trust, bank
    guarantees or a mix [33]. ``scenario`` is ignored.
    """
    ccy = "USD"
    hot, cold = inputs.hot_assets_usd, inputs.cold_assets_usd
    amount = 1.0 * hot + 0.5 * cold
    checks = [
        (f"cold storage ≥ 98%: cold share {1 - inputs.hot_share:.4%}", _leq(inputs.hot_share, 0.02))
    ]
    cover = _cover_check(
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
    return _result(
        "hk",
        "Hong Kong - SFC VATP compensation arrangement",
        amount,
        ccy,
        fx,
        formula="C = 1.0 × V_hot_and_other + 0.5 × V_cold; V_hot ≤ 0.02 × V_total; "
        "I_insurance + F_trust + G_bank ≥ C",
        formula_substituted=f"1.0 × {_n(hot)} + 0.5 × {_n(cold)} = {_n(amount)} USD",
        inputs=(
            *_base_inputs(inputs, fx, ccy),
            *_entered(inputs, "insurance_limit_usd", "trust_funds_usd", "bank_guarantee_usd"),
        ),
        components=[("hot and other storage (100%)", hot), ("cold storage (50%)", 0.5 * cold)],
        source=_refs("[33]", "[34]", "[36]"),
        as_of=date(2023, 6, 1),
        insurance_counts="yes",
        checks=tuple(checks),
        notes=[
            "Cover must be in place at all times, monitored daily, with notice to the SFC "
            "when it falls short [33].",
            "50% of cold storage is a minimum ('at least') [33]; paragraph numbers and "
            "2024-2025 changes not verified (§7 item 4).",
            "Not included: paid-up capital HK$5m and liquid capital HK$3m [36] (weak source).",
            "Shown in USD: the formula applies to asset values, no HKD conversion.",
        ],
    )


_MICA_CLASS_MINIMUM = {1: 50_000.0, 2: 125_000.0, 3: 150_000.0}


def mica_fixed_overheads(
    total_expenses: float,
    *,
    profit_linked_bonuses: float = 0.0,
    profit_shares: float = 0.0,
    discretionary_appropriations: float = 0.0,
    non_recurring_expenses: float = 0.0,
) -> float:
    """MiCA Art. 67(3) fixed overheads of a year (same currency as the inputs) [38][41].

    Total expenses after distribution of profits minus profit-linked bonuses, profit shares,
    other discretionary appropriations and non-recurring expenses. Raises ``ValueError``
    naming the field when an input is negative or the result would be.
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
        _check_number(out, name, value, low=0.0)
    _raise("MiCA fixed overheads", out)
    result = total_expenses - sum(v for k, v in values.items() if k != "total_expenses")
    if result < 0:
        raise ValueError("invalid MiCA fixed overheads: the deductions exceed 'total_expenses'")
    return float(result)


def mica(
    inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, scenario: JpDraftScenario | None = None
) -> RegulatoryMinimum:
    """EU MiCA Art. 67: K = max(class minimum €50k/€125k/€150k, 0.25 × FOH_{t−1}) [38].

    In EUR. Met by own funds (CET1), an Art. 67(5)-(6) insurance policy, or both [38][39].
    ``scenario`` is ignored.
    """
    ccy = "EUR"
    k_class = _MICA_CLASS_MINIMUM[inputs.mica_class]
    foh = fx.from_usd(inputs.fixed_overheads_usd, ccy)
    amount = max(k_class, 0.25 * foh)
    rows = [
        *_base_inputs(inputs, fx, ccy)[2:],
        ("MiCA class", inputs.mica_class, ""),
        ("FOH_{t-1} (fixed overheads, previous year)", inputs.fixed_overheads_usd, "USD"),
    ]
    notes = [
        "Sized to running costs, not custody exposure; MiCA sets no cold-storage "
        "percentage (§2.2).",
        "An insurance policy counts only if: disclosed on the website; initial term ≥ 1 "
        "year; cancellation notice ≥ 90 days; issued by an authorised third-party insurer; "
        "covers loss of documents, misrepresentation, breach of duties, conflicts of "
        "interest, business disruption/system failure, gross negligence in safeguarding "
        "(where relevant) and Art. 75(8) liability [38][39][40].",
        "New firms use projected overheads; reviewed annually. FOH methodology: Delegated "
        "Regulation (EU) 2025/305 [41]. Use mica_fixed_overheads() for the Art. 67(3) "
        "deductions.",
        "as_of is the date MiCA's CASP provisions apply (Reg. (EU) 2023/1114, Art. 149); "
        "not stated in the domain brief.",
    ]
    if inputs.fixed_overheads_usd == 0:
        notes.append("fixed_overheads_usd not entered (0): only the class minimum is shown.")
    checks: list[tuple[str, bool]] = []
    cover = _cover_check(
        "own funds and insurance",
        {"own funds": inputs.own_funds_usd, "insurance": inputs.insurance_limit_usd},
        amount,
        ccy,
        fx,
    )
    if cover:
        checks.append(cover)
    return _result(
        "mica",
        "EU - MiCA Art. 67 prudential safeguards",
        amount,
        ccy,
        fx,
        formula="K = max(K_class, 0.25 × FOH_{t-1}); met by OwnFunds_CET1 + "
        "InsuranceLimit_eligible",
        formula_substituted=f"max({_n(k_class)}, 0.25 × {_n(foh)}) = {_n(amount)} EUR",
        inputs=(*rows, *_entered(inputs, "own_funds_usd", "insurance_limit_usd")),
        components=[
            (f"class {inputs.mica_class} permanent minimum", k_class),
            ("0.25 × fixed overheads", 0.25 * foh),
        ],
        source=_refs("[38]", "[39]", "[40]", "[41]"),
        as_of=date(2024, 12, 30),
        insurance_counts="yes",
        checks=tuple(checks),
        notes=notes,
    )


def korea(
    inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, scenario: JpDraftScenario | None = None
) -> RegulatoryMinimum:
    """South Korea: R = max(0.05 × V_hot, ₩3bn KRW market / ₩0.5bn other); cold ≥ 80% [43-45].

    In KRW. Met by insurance (or mutual aid) or a reserve of the same amount [43][44].
    ``scenario`` is ignored.
    """
    ccy = "KRW"
    floor = 3e9 if inputs.krw_market else 0.5e9
    v_hot = fx.from_usd(inputs.hot_assets_usd, ccy)
    amount = max(0.05 * v_hot, floor)
    rows = [*_base_inputs(inputs, fx, ccy), ("krw_market", inputs.krw_market, "")]
    checks = [
        (
            f"cold storage ≥ 80% of economic value: cold share {1 - inputs.hot_share:.4%}",
            _leq(inputs.hot_share, 0.20),
        )
    ]
    cover = _cover_check(
        "insurance or reserve",
        {"insurance": inputs.insurance_limit_usd, "reserve": inputs.own_funds_usd},
        amount,
        ccy,
        fx,
    )
    if cover:
        checks.append(cover)
    kind = "KRW-market exchange" if inputs.krw_market else "coin-only market / wallet / custody"
    return _result(
        "kr",
        "South Korea - Virtual Asset User Protection Act: insurance or reserve",
        amount,
        ccy,
        fx,
        formula="R = max(0.05 × V_hot, floor), floor = ₩3bn (KRW market) or ₩0.5bn (others); "
        "V_cold ≥ 0.80 × V_total",
        formula_substituted=f"max(0.05 × {_n(v_hot)}, {_n(floor)}) = {_n(amount)} KRW",
        inputs=(*rows, *_entered(inputs, "insurance_limit_usd", "own_funds_usd")),
        components=[("0.05 × V_hot", 0.05 * v_hot), (f"floor ({kind})", floor)],
        source=_refs("[43]", "[44]", "[45]"),
        as_of=date(2024, 7, 19),
        insurance_counts="yes",
        checks=tuple(checks),
        notes=[
            "The cold share is legally on economic value (quantity × 1-year average KRW "
            "price, per asset, computed monthly [45]; daily per other summaries); here the "
            "current USD value is used.",
            "Floors bind small exchanges; small coin-market exchanges bought insurance "
            "rather than reserving [43] (§4.10).",
        ],
    )


def dubai(
    inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, scenario: JpDraftScenario | None = None
) -> RegulatoryMinimum:
    """Dubai VARA: paid-up capital and required crime cover for all hot-wallet VAs [51][52].

    Capital K = max(AED 1.5m, 0.25 × FOH), or max(AED 0.8m, 0.15 × FOH) with a
    VARA-licensed custodian [52]; crime insurance limit ≥ V_hot [51]. In AED; the amount is K,
    the required insurance limit is in ``components``. ``scenario`` is ignored.
    """
    ccy = "AED"
    floor, share = (0.8e6, 0.15) if inputs.uses_licensed_custodian else (1.5e6, 0.25)
    foh = fx.from_usd(inputs.fixed_overheads_usd, ccy)
    amount = max(floor, share * foh)
    v_hot = fx.from_usd(inputs.hot_assets_usd, ccy)
    rows = [
        *_base_inputs(inputs, fx, ccy),
        ("uses_licensed_custodian", inputs.uses_licensed_custodian, ""),
        ("FOH (fixed annual overheads)", inputs.fixed_overheads_usd, "USD"),
    ]
    checks: list[tuple[str, bool]] = []
    if inputs.insurance_limit_usd is not None:
        limit = fx.from_usd(inputs.insurance_limit_usd, ccy)
        checks.append(
            (
                f"crime insurance {_money(limit, ccy)} ≥ hot-wallet VAs {_money(v_hot, ccy)}",
                _leq(v_hot, limit),
            )
        )
    if inputs.own_funds_usd is not None:
        own = fx.from_usd(inputs.own_funds_usd, ccy)
        checks.append(
            (f"paid-up capital {_money(own, ccy)} ≥ {_money(amount, ccy)}", _leq(amount, own))
        )
    notes = [
        "Insurance is REQUIRED in addition to capital: commercial crime (or similar) cover "
        "for all VAs in hot wallets, plus professional indemnity and D&O, with a regulated "
        "insurer; VARA may accept alternative protection if cover cannot be obtained "
        "[51]. It does not count towards paid-up capital.",
        "Not computed (weak source [53]): net liquid assets ≥ 1.2 × monthly operating "
        "expenses; reserve assets matching 100% of client liabilities in kind.",
        "Exchange Services figures; Custody Services is max(AED 0.6m, 25% FOH) [52].",
        "The sources do not date the rulebook version in force; check [51][52].",
    ]
    if inputs.fixed_overheads_usd == 0:
        notes.append("fixed_overheads_usd not entered (0): only the AED floor is shown.")
    return _result(
        "vara",
        "Dubai - VARA paid-up capital and required crime insurance",
        amount,
        ccy,
        fx,
        formula=f"K = max(AED {_n(floor)}, {share:g} × FOH); crime insurance limit ≥ V_hot",
        formula_substituted=(
            f"max({_n(floor)}, {share:g} × {_n(foh)}) = {_n(amount)} AED; "
            f"insurance ≥ {_n(v_hot)} AED"
        ),
        inputs=(*rows, *_entered(inputs, "insurance_limit_usd", "own_funds_usd")),
        components=[
            ("paid-up capital K", amount),
            ("required crime insurance limit (all hot-wallet VAs)", v_hot),
        ],
        source=_refs("[51]", "[52]", "[53]"),
        as_of=None,
        insurance_counts="required",
        checks=tuple(checks),
        notes=notes,
    )


def singapore(
    inputs: RegimeInputs, fx: FxRates = DEFAULT_FX, scenario: JpDraftScenario | None = None
) -> RegulatoryMinimum:
    """Singapore MAS: cold ≥ 90% [48]; base capital S$250k and security S$100k/200k [49].

    Security deposit S$100,000 if the average monthly transactions of each payment service are
    ≤ S$6m, otherwise S$200,000 (PS Regulations 12-13). The amount is base capital plus
    security deposit (SGD). No insurance is mandated. ``scenario`` is ignored.
    """
    ccy = "SGD"
    base = 250_000.0
    rows = _base_inputs(inputs, fx, ccy)
    notes = [
        "Two separate requirements (base capital, security deposited with MAS) shown as one total.",
        "No insurance or compensation fund is mandated; providers must disclose how "
        "losses would be handled [48][50].",
    ]
    if inputs.avg_monthly_volume_usd is None:
        security = 200_000.0
        sub_sec = "avg monthly volume unknown → 200,000"
        notes.append("avg_monthly_volume_usd not entered: the higher S$200,000 deposit is used.")
    else:
        volume = fx.from_usd(inputs.avg_monthly_volume_usd, ccy)
        security = 100_000.0 if _leq(volume, 6e6) else 200_000.0
        sub_sec = f"avg monthly volume {_n(volume)} {'≤' if security < 2e5 else '>'} 6,000,000"
        rows.append(
            ("average monthly transactions (largest service)", inputs.avg_monthly_volume_usd, "USD")
        )
    amount = base + security
    return _result(
        "sg",
        "Singapore - MAS DPT service provider: base capital and security deposit",
        amount,
        ccy,
        fx,
        formula="K = S$250,000 base capital + security (S$100,000 if average monthly "
        "transactions per service ≤ S$6m, else S$200,000); V_cold ≥ 0.90 × V_total",
        formula_substituted=f"{_n(base)} + {_n(security)} ({sub_sec}) = {_n(amount)} SGD",
        inputs=tuple(rows),
        components=[("base capital", base), ("security deposit", security)],
        source=_refs("[48]", "[49]", "[50]"),
        as_of=date(2024, 10, 4),
        insurance_counts="no",
        checks=(
            (
                f"cold storage ≥ 90%: cold share {1 - inputs.hot_share:.4%}",
                _leq(inputs.hot_share, 0.10),
            ),
        ),
        notes=notes,
    )


Calculator = Callable[..., RegulatoryMinimum]

#: Regime code → calculator ``(inputs, fx=DEFAULT_FX, scenario=None) -> RegulatoryMinimum``.
REGIMES: Mapping[str, Calculator] = MappingProxyType(
    {
        "jp": japan_current,
        "jp-draft": japan_draft,
        "hk": hong_kong,
        "mica": mica,
        "kr": korea,
        "vara": dubai,
        "sg": singapore,
    }
)


def minimum(
    regime: str,
    inputs: RegimeInputs,
    fx: FxRates = DEFAULT_FX,
    scenario: JpDraftScenario | None = None,
) -> RegulatoryMinimum:
    """The regulatory minimum of ``regime`` for ``inputs``.

    Parameters
    ----------
    regime : a key of :data:`REGIMES` (``jp``, ``jp-draft``, ``hk``, ``mica``, ``kr``,
        ``vara``, ``sg``).
    inputs : the exchange's facts (USD).
    fx : units of each currency per USD (defaults are assumptions).
    scenario : parameters of the ``jp-draft`` scenario (ignored by the other regimes);
        ``None`` uses the default, assumed scenario.

    Raises
    ------
    ValueError
        For an unknown regime (the message lists the valid codes) or wrongly typed arguments.
    """
    if regime not in REGIMES:
        raise ValueError(f"unknown regime {regime!r}; valid codes: {', '.join(REGIMES)}")
    if not isinstance(inputs, RegimeInputs):
        raise ValueError(f"'inputs' must be RegimeInputs, got {type(inputs).__name__}")
    if not isinstance(fx, FxRates):
        raise ValueError(f"'fx' must be FxRates, got {type(fx).__name__}")
    if scenario is not None and not isinstance(scenario, JpDraftScenario):
        raise ValueError(
            f"'scenario' must be JpDraftScenario or None, got {type(scenario).__name__}"
        )
    return REGIMES[regime](inputs, fx, scenario=scenario)
