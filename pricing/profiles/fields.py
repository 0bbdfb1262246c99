"""How profile fields are shown: :class:`FieldInfo` (label, display unit, scale, meaning), the
field lists :data:`FIELDS`, :data:`REGIME_FIELDS` and :data:`PROVIDER_FIELDS`, and
:func:`profile_table` (the profile as a table for screens and exports).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .profile import ExchangeProfile

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """How a profile field is shown: label, display unit, scale and what it means.

    ``scale`` converts the stored value to the display unit (``1e-6`` for USD million, ``100``
    for a percentage); ``None`` for text, choice and yes/no fields.
    """

    name: str
    label: str
    unit: str
    scale: float | None
    help: str

    def display(self, value: Any) -> Any:
        """The stored value in the display unit."""
        return value * self.scale if self.scale is not None else value


#: Every :class:`ExchangeProfile` field with its label, unit and explanation (screens, exports).
FIELDS: tuple[FieldInfo, ...] = (
    FieldInfo("name", "Name", "", None, "Label shown on the screens and in the quote sheet."),
    FieldInfo(
        "customer_assets_usd",
        "Customer assets",
        "USD million",
        1e-6,
        "Customer crypto held in custody, at market value. Drives the theft rate (larger "
        "exchanges are attacked more often), the size of a loss and what an attack can reach.",
    ),
    FieldInfo(
        "hot_share",
        "Hot-wallet share",
        "%",
        100.0,
        "Share of customer crypto kept in online (hot) wallets. A hot-wallet breach cannot "
        "take more than the hot wallets hold. Japan caps it at 5%, Hong Kong at 2%.",
    ),
    FieldInfo(
        "third_party_provider",
        "Third-party wallet provider",
        "yes/no",
        None,
        "Whether a third-party wallet or custody vendor sits in the signing path (the route "
        "of DMM Bitcoin 2024 via Ginco and Bybit 2025 via Safe). If not, incidents that came "
        "through a provider are taken out of the theft rate.",
    ),
    FieldInfo(
        "security_level",
        "Security controls",
        "level",
        None,
        "basic, standard or strong controls; multiplies the theft rate (assumption: 1.5, 1 "
        "and 0.7 by default).",
    ),
    FieldInfo(
        "annual_revenue_usd",
        "Annual revenue",
        "USD million",
        1e-6,
        "Revenue per year; used to express costs as a share of revenue.",
    ),
    FieldInfo(
        "cost_of_capital",
        "Cost of capital",
        "% per year",
        100.0,
        "Return the owners require on capital tied up in a reserve (between -5% and 100%).",
    ),
    FieldInfo(
        "reserve_yield",
        "Reserve yield",
        "% per year",
        100.0,
        "Pre-tax yield earned on reserve assets such as deposits and government bonds "
        "(between -5% and 100%).",
    ),
    FieldInfo(
        "tax_rate",
        "Tax rate",
        "%",
        100.0,
        "Corporate tax rate on the reserve yield (0% to 100%).",
    ),
    FieldInfo(
        "jurisdiction",
        "Jurisdiction",
        "code",
        None,
        "Where the exchange is licensed: jp, hk, eu, kr, ae, sg or other.",
    ),
)


#: The regulatory fields (further licences, overheads, customer fiat, trading volumes), shown
#: with the others by :func:`profile_table` and kept apart from :data:`FIELDS` like the
#: provider fields.
REGIME_FIELDS: tuple[FieldInfo, ...] = (
    FieldInfo(
        "jurisdictions",
        "Further licences",
        "codes",
        None,
        "Other jurisdictions where the exchange is licensed (e.g. hk, eu); it is held to the "
        "rules of all of them at once.",
    ),
    FieldInfo(
        "fixed_overheads_usd",
        "Fixed overheads",
        "USD million",
        1e-6,
        "Fixed overheads of the previous year; MiCA requires own funds of at least a quarter "
        "of them, VARA paid-up capital of 15-25%.",
    ),
    FieldInfo(
        "customer_fiat_usd",
        "Customer fiat",
        "USD million",
        1e-6,
        "Customer money held; in Japan it must be placed in trust (信託保全).",
    ),
    FieldInfo(
        "trading_volume_usd",
        "Trading volume",
        "USD per year",
        None,
        "Yearly trading volume by category (spot, derivatives), up to three years oldest "
        "first; sizes the securities-analogue reserve of the Japanese 2027 scenario.",
    ),
)


#: The provider fields, shown with the others by :func:`profile_table` (kept apart from
#: :data:`FIELDS`, which the profile page draws one widget each for).
PROVIDER_FIELDS: tuple[FieldInfo, ...] = (
    FieldInfo(
        "signing_providers",
        "Signing-path providers",
        "names",
        None,
        "Which vendors sit in the signing path (e.g. Ginco, Safe{Wallet}, Liminal, "
        "Fireblocks, BitGo, Copper), or in-house. Exchanges sharing a vendor can be hit by "
        "one compromise of it (Insurer portfolio).",
    ),
    FieldInfo(
        "provider_controls",
        "Provider signs for",
        "wallets",
        None,
        "hot: the provider signs for hot wallets only, so its compromise reaches the hot "
        "wallets; hot_and_cold: it also signs cold transfers, so a compromise can reach cold "
        "storage (Bybit 2025, DMM Bitcoin 2024).",
    ),
)


def profile_table(profile: ExchangeProfile) -> pd.DataFrame:
    """The profile as a table: field, label, value in its display unit, unit, stored value."""
    import pandas as pd

    rows = []
    for info in FIELDS + PROVIDER_FIELDS + REGIME_FIELDS:
        value = getattr(profile, info.name)
        shown = info.display(value)
        if isinstance(value, tuple) and info.name == "signing_providers":
            shown = "; ".join(value) or "not named"
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif info.name == "jurisdictions":
            shown = ", ".join(value) or "none"
        elif info.name == "trading_volume_usd":
            shown = (
                "; ".join(f"{c}: " + ", ".join(f"{v:,.0f}" for v in years) for c, years in value)
                or "not entered"
            )
        rows.append(
            {
                "field": info.name,
                "label": info.label,
                "value": shown if isinstance(shown, str) else f"{shown:,.6g}",
                "unit": info.unit,
                "stored_value": str(value),
            }
        )
    return pd.DataFrame(rows)
