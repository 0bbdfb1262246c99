"""The facts about one exchange that the regulatory minimums need (amounts in USD)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from ._base import check_bool, check_known_names, check_number, is_number, raise_problems

__all__ = ["VOLUME_CATEGORIES", "HotHolding", "RegimeInputs"]

#: Trading-volume categories of the securities-analogue reserve (Japan 2027 scenario).
VOLUME_CATEGORIES = ("spot", "derivatives")


@dataclass(frozen=True, slots=True)
class HotHolding:
    """One crypto asset of the hot float and the exchange's own in-kind guarantee of it.

    Japan's PSA Art. 63-11-2 requires own crypto of the same kind and quantity as the customer
    crypto kept outside cold storage (履行保証暗号資産).

    Attributes
    ----------
    asset : ticker, e.g. ``BTC``.
    customer_quantity : customer units of the asset held hot (coins, ≥ 0).
    guarantee_quantity : own units held as guarantee crypto (coins, ≥ 0).
    price_usd : price per unit (USD, ≥ 0).
    """

    asset: str
    customer_quantity: float
    guarantee_quantity: float
    price_usd: float

    def __post_init__(self) -> None:
        raise_problems(f"hot holding {self.asset!r}", self.problems("hot_holding"))

    def problems(self, prefix: str) -> list[str]:
        """Validation problems, each naming ``prefix.field``."""
        out: list[str] = []
        if not isinstance(self.asset, str) or not self.asset.strip():
            out.append(f"'{prefix}.asset' must be a non-empty text")
        for name in ("customer_quantity", "guarantee_quantity", "price_usd"):
            check_number(out, f"{prefix}.{name}", getattr(self, name), low=0.0)
        return out


def _volumes(out: list[str], value: Any) -> tuple[tuple[str, tuple[float, ...]], ...]:
    """``{category: volume or [oldest, ..., this year]}`` → sorted tuple; problems named."""
    items = value.items() if isinstance(value, Mapping) else value
    try:
        items = tuple(items)
    except TypeError:
        out.append(f"'trading_volume_usd' must map a category to yearly volumes, got {value!r}")
        return ()
    result = []
    for item in items:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            out.append(f"'trading_volume_usd' entries must be (category, volumes), got {item!r}")
            continue
        key, years = item
        if key not in VOLUME_CATEGORIES:
            out.append(
                f"'trading_volume_usd' category must be one of {', '.join(VOLUME_CATEGORIES)}, "
                f"got {key!r}"
            )
            continue
        seq = (years,) if is_number(years) else years
        if not isinstance(seq, (tuple, list)) or not 1 <= len(seq) <= 3:
            out.append(
                f"'trading_volume_usd[{key}]' must be 1 to 3 yearly volumes (oldest first), "
                f"got {years!r}"
            )
            continue
        bad = [v for v in seq if not is_number(v) or v < 0]
        if bad:
            out.append(
                f"'trading_volume_usd[{key}]' volumes must be finite and ≥ 0, got {bad[0]!r}"
            )
            continue
        result.append((key, tuple(float(v) for v in seq)))
    keys = [k for k, _ in result]
    if len(set(keys)) != len(keys):
        out.append("'trading_volume_usd' lists a category twice")
    return tuple(sorted(result))


def normalise_volumes(value: Any) -> tuple[tuple[tuple[str, tuple[float, ...]], ...], list[str]]:
    """Yearly volumes by category as a sorted tuple, and the problems found (named)."""
    out: list[str] = []
    return _volumes(out, value), out


@dataclass(frozen=True, slots=True)
class RegimeInputs:
    """The facts about one exchange that the regulatory minimums need (amounts in USD).

    Attributes
    ----------
    customer_assets_usd : customer crypto in custody, V_total (USD, ≥ 0).
    hot_share : share of customer crypto outside cold storage, in [0, 1].
    fixed_overheads_usd : fixed overheads of the previous year (USD per year, ≥ 0), for MiCA
        Art. 67 and VARA paid-up capital; 0 means "not entered" (floors only).
    customer_fiat_usd : customer money held (USD, ≥ 0), placed in trust in Japan (信託保全).
    annual_revenue_usd : yearly revenue (USD), for revenue-based fines (Korea proposal).
    trading_volume_usd : yearly trading volume by category (``spot``, ``derivatives``), each
        1 to 3 years oldest first (the last is this year), for the securities analogue.
    return_period_loss_usd : the exchange's own return-period loss (USD), for the incident-
        history basis; ``None``: not computed (the basis is then unavailable).
    mica_class : MiCA Annex IV class 1, 2 or 3 (an exchange operating a platform is 3).
    krw_market : Korea: whether the exchange runs a KRW market (₩3bn floor) or not (₩0.5bn).
    uses_licensed_custodian : Dubai: a VARA-licensed custodian holds client VAs.
    avg_monthly_volume_usd : Singapore: average monthly transactions of the largest payment
        service (USD per month); ``None`` = unknown (the higher deposit is used).
    insurance_limit_usd, trust_funds_usd, bank_guarantee_usd, own_funds_usd : cover in force
        (USD), ``None`` = not entered; they drive the cover checks.
    hot_holdings : Japan: per-asset hot float and in-kind guarantee (:class:`HotHolding`, or
        (asset, customer_quantity, guarantee_quantity, price_usd) tuples).
    """

    customer_assets_usd: float
    hot_share: float
    fixed_overheads_usd: float = 0.0
    customer_fiat_usd: float = 0.0
    annual_revenue_usd: float | None = None
    trading_volume_usd: tuple[tuple[str, tuple[float, ...]], ...] = ()
    return_period_loss_usd: float | None = None
    mica_class: int = 3
    krw_market: bool = True
    uses_licensed_custodian: bool = False
    avg_monthly_volume_usd: float | None = None
    insurance_limit_usd: float | None = None
    trust_funds_usd: float | None = None
    bank_guarantee_usd: float | None = None
    own_funds_usd: float | None = None
    hot_holdings: tuple[HotHolding, ...] = ()

    def __post_init__(self) -> None:
        out: list[str] = []
        check_number(out, "customer_assets_usd", self.customer_assets_usd, low=0.0, unit="USD")
        check_number(out, "hot_share", self.hot_share, low=0.0, high=1.0)
        for name in ("fixed_overheads_usd", "customer_fiat_usd"):
            check_number(out, name, getattr(self, name), low=0.0, unit="USD")
        for name in (
            "annual_revenue_usd",
            "return_period_loss_usd",
            "avg_monthly_volume_usd",
            "insurance_limit_usd",
            "trust_funds_usd",
            "bank_guarantee_usd",
            "own_funds_usd",
        ):
            check_number(out, name, getattr(self, name), low=0.0, unit="USD", optional=True)
        if isinstance(self.mica_class, bool) or self.mica_class not in (1, 2, 3):
            out.append(f"'mica_class' must be 1, 2 or 3, got {self.mica_class!r}")
        check_bool(out, "krw_market", self.krw_market)
        check_bool(out, "uses_licensed_custodian", self.uses_licensed_custodian)
        object.__setattr__(self, "trading_volume_usd", _volumes(out, self.trading_volume_usd))
        holdings: list[HotHolding] = []
        raw = self.hot_holdings
        for i, item in enumerate(raw if isinstance(raw, (tuple, list)) else [raw]):
            name = f"hot_holdings[{i}]"
            if isinstance(item, HotHolding):
                holdings.append(item)
            elif isinstance(item, (tuple, list)) and len(item) == 4:
                problems: list[str] = []
                try:
                    holdings.append(HotHolding(*item))
                except ValueError as err:
                    problems = [str(p).replace("'hot_holding.", f"'{name}.") for p in err.problems]
                out.extend(problems)
            else:
                out.append(
                    f"'{name}' must be a HotHolding or (asset, customer_quantity, "
                    f"guarantee_quantity, price_usd), got {item!r}"
                )
        assets = [h.asset for h in holdings]
        if len(set(assets)) != len(assets):
            out.append("'hot_holdings' lists an asset twice")
        object.__setattr__(self, "hot_holdings", tuple(holdings))
        raise_problems("regime inputs", out)

    @property
    def hot_assets_usd(self) -> float:
        """V_hot: customer crypto outside cold storage (USD)."""
        return self.customer_assets_usd * self.hot_share

    @property
    def cold_assets_usd(self) -> float:
        """V_cold: customer crypto in cold storage (USD)."""
        return self.customer_assets_usd * (1.0 - self.hot_share)

    @classmethod
    def from_profile(cls, profile: Any, **overrides: Any) -> RegimeInputs:
        """Inputs from an :class:`~pricing.profiles.ExchangeProfile`.

        Customer assets, hot share, and, where the profile has them, fixed overheads,
        customer fiat, revenue and trading volumes; any field can be overridden. An unknown
        override name is an :class:`~pricing.exceptions.InputError` naming it.
        """
        check_known_names(
            "regime inputs", overrides, {f.name for f in fields(cls)}, "a regime input"
        )
        values: dict[str, Any] = {
            "customer_assets_usd": profile.customer_assets_usd,
            "hot_share": profile.hot_share,
            "annual_revenue_usd": getattr(profile, "annual_revenue_usd", None),
        }
        for name in ("fixed_overheads_usd", "customer_fiat_usd", "trading_volume_usd"):
            if getattr(profile, name, None) is not None:
                values[name] = getattr(profile, name)
        values.update(overrides)
        return cls(**values)
