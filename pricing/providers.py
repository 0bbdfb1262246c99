"""Third-party wallet providers in the signing path: who they are, how often they fail, how far.

Three facts about providers enter an exchange's loss model (:mod:`pricing.lossmodel`) and the
insurer's book (:mod:`pricing.portfolio`):

1. **Frequency loading.** A share ``π`` of the incidents came in through a provider (from the
   data, :func:`pricing.lossmodel.route_shares`), while only a share ``s`` of exchanges use one
   (:data:`PROVIDER_USER_SHARE`, an assumption). Incidents by the other routes are spread
   evenly over all exchanges, so the share of all incidents that happen *at* provider users is
   ``π_u = π + (1 − π) s``; a user's rate is the average rate × ``π_u / s`` and a non-user's
   × ``(1 − π_u) / (1 − s)``. Route by route this is ``(1 − π) + π / s`` for a user and
   ``1 − π`` for a non-user, and the two average back to 1 over the market
   (:func:`provider_factors`).
2. **Reach.** A provider that signs for hot and cold wallets can move cold storage: the cases
   (:data:`COLD_REACH_CASES`) put the share of the coin's cold holdings taken at about 0.7
   (Bybit 2025) and at 1 or more (DMM Bitcoin 2024), so the default reach is their mean, with
   their range in the sensitivity. A provider that signs for hot wallets only reaches the hot
   wallets.
3. **History.** :func:`provider_history` lists each named provider's incidents from the data.

The incident file names the provider in one column today; the data is being split into a
signing-path provider and an infrastructure provider. :func:`signing_provider` is the one place
that reads the column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


__all__ = [
    "COLD_REACH_CASES",
    "IN_HOUSE",
    "KNOWN_PROVIDERS",
    "PROVIDER_COLD_REACH",
    "PROVIDER_COLD_REACH_RANGE",
    "PROVIDER_CONTROLS",
    "PROVIDER_USER_SHARE",
    "PROVIDER_USER_SHARE_RANGE",
    "ColdReachCase",
    "ProviderFactors",
    "provider_factors",
    "provider_history",
    "signing_provider",
]

#: Name meaning "no third party in the signing path".
IN_HOUSE = "in-house"
#: Wallet and custody vendors named in the brief and the data (free text is accepted too).
KNOWN_PROVIDERS = ("Ginco", "Safe{Wallet}", "Liminal", "Fireblocks", "BitGo", "Copper")
#: What a provider signs for: hot wallets only, or hot and cold.
PROVIDER_CONTROLS = ("hot", "hot_and_cold")

#: ``s``, share of exchanges with a third-party provider in the signing path. **Assumption**:
#: no public census of exchanges' signing stacks was found. Japan's small exchanges buy wallet
#: software (DMM used Ginco) and large global venues run their own; 0.35 is a middle value and
#: :data:`PROVIDER_USER_SHARE_RANGE` goes into the sensitivity.
PROVIDER_USER_SHARE = 0.35
#: Plausible range of ``s`` (assumption), used by the tornado.
PROVIDER_USER_SHARE_RANGE = (0.15, 0.60)


@dataclass(frozen=True, slots=True)
class ColdReachCase:
    """One provider compromise and the share of cold holdings it reached.

    ``reach`` is the stolen amount over the customer holdings of the coin taken (capped at 1
    for the model; ``lower_bound`` when the source only says the loss exceeded the holdings).
    """

    exchange: str
    provider: str
    year: int
    reach: float
    lower_bound: bool
    basis: str
    source: str


#: Cases behind the reach of a provider that signs for cold storage.
COLD_REACH_CASES: tuple[ColdReachCase, ...] = (
    ColdReachCase(
        exchange="Bybit",
        provider="Safe{Wallet}",
        year=2025,
        reach=0.70,
        lower_bound=False,
        basis="about 401,000 ETH taken from the exchange's one ETH cold wallet (CEO's "
        "statement: no other cold wallet affected), reported as about 70% of the ETH it held "
        "for clients; the 70% rests on secondary reports and needs a primary confirmation",
        source="https://www.thenationalnews.com/future/technology/2025/02/22/"
        "bybit-ceo-guarantees-client-funds-are-safe-following-15bn-crypto-hack/",
    ),
    ColdReachCase(
        exchange="DMM Bitcoin",
        provider="Ginco",
        year=2024,
        reach=1.0,
        lower_bound=True,
        basis="4,502.9 BTC (about JPY 48.2bn) taken, more than the JPY 40.4bn of customer "
        "assets DMM had disclosed for FY2022 (that figure from press reports; DMM's own "
        "disclosure to be checked): the compromise reached all of the coin's holdings",
        source="https://smbiz.asahi.com/article/15288839",
    ),
)
#: ``ρ_p``: share of cold storage a provider that signs for cold wallets can reach (mean of
#: the cases, each capped at 1).
PROVIDER_COLD_REACH = sum(min(c.reach, 1.0) for c in COLD_REACH_CASES) / len(COLD_REACH_CASES)
#: Range of ``ρ_p`` over the cases (for the sensitivity).
PROVIDER_COLD_REACH_RANGE = (
    min(min(c.reach, 1.0) for c in COLD_REACH_CASES),
    max(min(c.reach, 1.0) for c in COLD_REACH_CASES),
)


@dataclass(frozen=True, slots=True)
class ProviderFactors:
    """Frequency multipliers of provider users and non-users (1 = the average exchange).

    ``pi`` is the share of incidents through a provider, ``s`` the share of exchanges using
    one; ``pi_users`` the share of all incidents that happen at users.

    Examples
    --------
    >>> f = provider_factors(0.1, 0.35)
    >>> round(f.user, 4), round(f.non_user, 4)
    (1.1857, 0.9)
    >>> round(0.35 * f.user + 0.65 * f.non_user, 12)  # the market average is unchanged
    1.0
    """

    pi: float
    s: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.pi) and 0 <= self.pi <= 1):
            raise ValueError(f"provider incident share π={self.pi!r} must be in [0, 1]")
        if not (math.isfinite(self.s) and 0 < self.s < 1):
            raise ValueError(f"provider user share s={self.s!r} must be in (0, 1)")

    @property
    def pi_users(self) -> float:
        """``π_u = π + (1 − π) s``: share of incidents at exchanges that use a provider."""
        return self.pi + (1.0 - self.pi) * self.s

    @property
    def user(self) -> float:
        """``π_u / s = (1 − π) + π / s``."""
        return self.pi_users / self.s

    @property
    def non_user(self) -> float:
        """``(1 − π_u) / (1 − s) = 1 − π``."""
        return (1.0 - self.pi_users) / (1.0 - self.s)

    @property
    def provider_route(self) -> float:
        """Part of a user's factor that comes through the provider, ``π / s``."""
        return self.pi / self.s

    def factor(self, uses_provider: bool) -> float:
        """The multiplier of a user or a non-user."""
        return self.user if uses_provider else self.non_user


def provider_factors(pi: float, s: float = PROVIDER_USER_SHARE) -> ProviderFactors:
    """:class:`ProviderFactors` of a provider incident share ``π`` and user share ``s``."""
    return ProviderFactors(float(pi), float(s))


def signing_provider(frame: pd.DataFrame) -> pd.Series:
    """The signing-path provider of each incident (empty text when none is named).

    Reads ``signing_provider`` when the file has it, else the older ``third_party_provider``.
    """
    import pandas as pd

    column = "signing_provider" if "signing_provider" in frame.columns else "third_party_provider"
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].fillna("").astype(str).str.strip()


def provider_history(frame: pd.DataFrame, provider: str | None = None) -> pd.DataFrame:
    """Incidents by named provider: count, exchanges, years, total and largest loss (USD).

    ``frame`` is the incident table (:attr:`pricing.data.IncidentData.frame`); ``provider``
    restricts to one provider (case-insensitive). Losses with no public amount are counted but
    left out of the sums (``known_losses`` says how many amounts are known).
    """
    import pandas as pd

    names = signing_provider(frame)
    rows = frame.assign(_provider=names)[names.ne("")]
    if provider is not None:
        rows = rows[rows["_provider"].str.lower() == provider.strip().lower()]
    columns = [
        "provider",
        "incidents",
        "exchanges",
        "first_year",
        "last_year",
        "known_losses",
        "total_loss_usd",
        "largest_loss_usd",
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    years = pd.to_datetime(rows["date"]).dt.year if "year" not in rows else rows["year"]
    rows = rows.assign(_year=years)
    grouped = rows.groupby("_provider", sort=False)
    table = pd.DataFrame(
        {
            "provider": list(grouped.groups),
            "incidents": grouped.size().to_numpy(),
            "exchanges": grouped["exchange"].agg(lambda s: "; ".join(dict.fromkeys(s))).to_numpy(),
            "first_year": grouped["_year"].min().to_numpy(),
            "last_year": grouped["_year"].max().to_numpy(),
            "known_losses": grouped["loss_usd"].count().to_numpy(),
            "total_loss_usd": grouped["loss_usd"].sum(min_count=1).to_numpy(),
            "largest_loss_usd": grouped["loss_usd"].max().to_numpy(),
        }
    )
    return table.sort_values(
        ["total_loss_usd", "incidents"], ascending=False, na_position="last", ignore_index=True
    )


def exchanges_per_compromise(frame: pd.DataFrame, window_days: int = 30) -> float:
    """Mean number of exchanges hit by one provider compromise in the data.

    Incidents naming the same provider within ``window_days`` of each other count as one
    compromise. The default hit probability of the portfolio's common shocks rests on it.
    """
    import pandas as pd

    names = signing_provider(frame)
    rows = frame.assign(_provider=names)[names.ne("")]
    if rows.empty:
        return 1.0
    dates = pd.to_datetime(rows["date"])
    rows = rows.assign(_date=dates).sort_values(["_provider", "_date"])
    hits = []
    for _, group in rows.groupby("_provider"):
        start, exchanges = None, set()
        for when, exchange in zip(group["_date"], group["exchange"], strict=True):
            if start is None or (when - start).days > window_days:
                if exchanges:
                    hits.append(len(exchanges))
                start, exchanges = when, set()
            exchanges.add(exchange)
        hits.append(len(exchanges))
    return float(sum(hits) / len(hits))
