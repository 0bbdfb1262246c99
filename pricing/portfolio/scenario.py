"""What if this provider is compromised: the insurer's loss from one compromise.

One compromise of the provider reaches each client with its hit probability ``q_ip`` (or every
client, ``all_clients=True``: the worst case), each client hit loses a draw of its provider
route's capped loss, and the insurer pays its share of the layer, annual terms applied to that
loss alone (no other loss the same year).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exceptions import InputError
from .model import PortfolioModel

__all__ = ["ProviderScenario", "provider_scenario"]


@dataclass(frozen=True, eq=False)
class ProviderScenario:
    """Insurer's loss from one compromise of ``provider`` (USD), over ``draws`` draws."""

    provider: str
    clients: int
    exposure: float
    all_clients: bool
    mean: float
    p_loss: float
    quantiles: dict[float, float]
    mean_clients_hit: float
    draws: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {
            "provider": self.provider,
            "clients": self.clients,
            "exposure": self.exposure,
            "all_clients": self.all_clients,
            "mean": self.mean,
            "p_loss": self.p_loss,
            "quantiles": {f"{p:g}": v for p, v in self.quantiles.items()},
            "mean_clients_hit": self.mean_clients_hit,
            "draws": self.draws,
        }


def provider_scenario(
    model: PortfolioModel,
    provider: str,
    *,
    all_clients: bool = False,
    draws: int = 100_000,
    seed: int = 1,
) -> ProviderScenario:
    """Distribution of the insurer's loss from one compromise of ``provider``."""
    if provider not in model.providers:
        known = ", ".join(model.providers) or "none"
        raise InputError.single(
            "provider", f"'{provider}' has no client in the book (providers: {known})"
        )
    if not 1 <= draws <= 10_000_000:
        raise InputError.single("draws", f"must be 1 to 10,000,000, got {draws}")
    a = model.arrays
    j = model.providers.index(provider)
    clients = np.flatnonzero(a["hit"][j] > 0)
    q = np.ones(clients.size) if all_clients else a["hit"][j, clients]
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(j,)))
    hit = rng.random((draws, clients.size)) < q
    y = np.asarray(model.base.ppf(rng.random((draws, clients.size))))
    loss = np.minimum(y * a["scale"][clients], a["provider_cap"][clients])
    ceded = np.clip(loss - a["retention"][clients], 0.0, a["limit"][clients])
    paid = a["share"][clients] * np.clip(
        ceded - a["agg_retention"][clients], 0.0, a["agg_limit"][clients]
    )
    total = (paid * hit).sum(axis=1)
    exposure = float(sum(model.exchanges[i].exposure for i in clients))
    levels = (0.5, 0.9, 0.99)
    return ProviderScenario(
        provider=provider,
        clients=int(clients.size),
        exposure=exposure,
        all_clients=all_clients,
        mean=float(total.mean()),
        p_loss=float((total > 0).mean()),
        quantiles={p: float(np.quantile(total, p, method="inverted_cdf")) for p in levels},
        mean_clients_hit=float(hit.sum(axis=1).mean()),
        draws=draws,
    )
