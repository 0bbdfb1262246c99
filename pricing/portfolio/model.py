"""The portfolio's loss model: each exchange's own thefts plus common shocks per provider.

For exchange ``i`` with loss model rate ``λ_i`` (:mod:`pricing.lossmodel`), the thefts that do
not come through a provider (hot, cold, insider and other routes) arrive at rate
``λ_i (w_hot + w_other)``, independently of the other exchanges. Its provider-route rate
``r_i = λ_i w_provider`` is split evenly over its providers, ``r_ip``. Provider ``p`` is
compromised at rate ``μ_p`` a year, and each compromise reaches client ``i`` with probability
``q_ip = r_ip / μ_p``, so every client keeps its own rate (Poisson thinning) while the clients
hit by one compromise are hit **in the same event**. ``μ_p = max_i r_ip / q_p`` where ``q_p``,
the hit probability of the most exposed client, is editable; by default it is set so that one
compromise reaches ``k̄`` clients on average, ``k̄`` being the number of exchanges hit per
provider compromise in the incident data (:func:`pricing.providers.exchanges_per_compromise`).

When the fitted frequency is negative binomial (the yearly market-wide counts are
over-dispersed), every rate of a year is multiplied by one market-year factor
``G ~ Gamma(size, 1/size)``: each exchange's count is then negative binomial with the fitted
size, as in its own model, and bad years are bad for the whole book.

Severities are drawn per exchange from its own capped laws: the fitted loss size scaled by
``(A_i / A_ref)^η`` and capped by what the route reaches (hot wallets; hot + ``ρ`` cold; hot +
``ρ_p`` cold for a provider that signs for cold wallets).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..aggregate import NegativeBinomial
from ..calibration import Calibration
from ..coverage import Layer
from ..distributions import LossDistribution
from ..exceptions import InputError, Problem
from ..lossmodel import ExchangeLossModel, LossModelAssumptions, build_loss_model
from ..providers import IN_HOUSE, exchanges_per_compromise
from .book import Book

__all__ = ["ExchangeRisk", "PortfolioModel", "build_portfolio"]


@dataclass(frozen=True, slots=True)
class ExchangeRisk:
    """What the simulation needs of one insured exchange (amounts in USD, rates per year).

    ``own_rate`` counts thefts not through a provider; ``hot_weight`` is the hot route's share
    of them. ``scale`` multiplies the common loss size; ``hot_cap``, ``other_cap`` and
    ``provider_cap`` cap a loss by route. ``provider_rates`` maps each provider of the
    exchange to its provider-route rate ``r_ip``.
    """

    name: str
    own_rate: float
    hot_weight: float
    scale: float
    hot_cap: float
    other_cap: float
    provider_cap: float
    provider_rates: tuple[tuple[str, float], ...]
    layer: Layer
    groups: tuple[str, ...]

    @property
    def exposure(self) -> float:
        """Most the insurer pays on one occurrence: ``share × min(limit, annual limit)``."""
        return self.layer.share * min(self.layer.limit, self.layer.annual_limit)

    @classmethod
    def from_loss_model(
        cls, model: ExchangeLossModel, layer: Layer, providers: Sequence[str]
    ) -> ExchangeRisk:
        """The simulation inputs of one exchange's loss model and layer."""
        w_hot, w_other, w_provider = model.route_weights
        own = model.rate * (w_hot + w_other)
        shared = [p for p in providers if p != IN_HOUSE]
        per = model.rate * w_provider / len(shared) if shared and w_provider > 0 else 0.0
        return cls(
            name=model.profile.name,
            own_rate=float(own),
            hot_weight=float(w_hot / (w_hot + w_other)) if w_hot + w_other > 0 else 0.0,
            scale=float(model.severity_scale),
            hot_cap=float(model.hot_cap),
            other_cap=float(model.reach_cap),
            provider_cap=float(model.provider_cap),
            provider_rates=tuple((p, per) for p in shared) if per > 0 else (),
            layer=layer,
            groups=tuple(providers) or (IN_HOUSE,),
        )


@dataclass(frozen=True, eq=False)
class PortfolioModel:
    """Everything the yearly simulation of a book needs (picklable, shipped to workers).

    Attributes
    ----------
    exchanges : the insured exchanges, in book order.
    base : the common loss-size law ``Y`` (USD, before each exchange's scale).
    size : negative binomial size of the market-year factor (``inf``: Poisson, no factor).
    providers : the providers with clients in the book (common shocks).
    compromise_rates : ``μ_p``, compromises per year of each provider.
    hit_probabilities : ``q_p``, chance a compromise reaches the most exposed client.
    groups : accumulation groups (providers, and ``in-house``), in order of appearance.
    """

    exchanges: tuple[ExchangeRisk, ...]
    base: LossDistribution
    size: float
    providers: tuple[str, ...]
    compromise_rates: tuple[float, ...]
    hit_probabilities: tuple[float, ...]
    groups: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # index arrays used by every chunk
        n = len(self.exchanges)
        object.__setattr__(self, "_arrays", _arrays(self, n))

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """Vectorised exchange parameters and provider-client incidence (internal)."""
        return self._arrays  # type: ignore[attr-defined,no-any-return]

    @property
    def names(self) -> tuple[str, ...]:
        """Exchange names, in book order."""
        return tuple(e.name for e in self.exchanges)

    def client_hit_probabilities(self, provider: str) -> dict[str, float]:
        """``q_ip`` of each client of ``provider``: chance one compromise reaches it."""
        j = self.providers.index(provider)
        mu = self.compromise_rates[j]
        return {
            e.name: dict(e.provider_rates)[provider] / mu
            for e in self.exchanges
            if provider in dict(e.provider_rates)
        }

    def expected_loss_rate(self) -> float:
        """Expected thefts per year across the book (own and provider hits)."""
        own = sum(e.own_rate for e in self.exchanges)
        return own + sum(r for e in self.exchanges for _, r in e.provider_rates)


def _arrays(model: PortfolioModel, n: int) -> dict[str, np.ndarray]:
    ex = model.exchanges
    lay = [e.layer for e in ex]
    out = {
        "own_rate": np.array([e.own_rate for e in ex]),
        "hot_weight": np.array([e.hot_weight for e in ex]),
        "scale": np.array([e.scale for e in ex]),
        "hot_cap": np.array([e.hot_cap for e in ex]),
        "other_cap": np.array([e.other_cap for e in ex]),
        "provider_cap": np.array([e.provider_cap for e in ex]),
        "retention": np.array([a.retention for a in lay]),
        "limit": np.array([a.limit for a in lay]),
        "share": np.array([a.share for a in lay]),
        "agg_retention": np.array([a.agg_retention for a in lay]),
        "agg_limit": np.array([a.annual_limit for a in lay]),
    }
    most = out["share"] * out["agg_limit"]
    out["alone_top"] = np.where(np.isfinite(most), most, 16 * out["share"] * out["limit"])
    q = np.zeros((len(model.providers), n))
    for j, (p, mu) in enumerate(zip(model.providers, model.compromise_rates, strict=True)):
        for i, e in enumerate(ex):
            r = dict(e.provider_rates).get(p, 0.0)
            q[j, i] = r / mu if mu > 0 else 0.0
    out["hit"] = q
    member = np.zeros((len(model.groups), n), dtype=bool)
    for g, name in enumerate(model.groups):
        for i, e in enumerate(ex):
            member[g, i] = name in e.groups
    out["member"] = member
    return out


def build_portfolio(
    book: Book,
    calibration: Calibration,
    assumptions: LossModelAssumptions | None = None,
    hit_probability: float | Mapping[str, float] | None = None,
) -> PortfolioModel:
    """The portfolio model of a book (see the module docstring).

    ``hit_probability`` sets ``q_p`` for every provider (a number in (0, 1]) or by provider
    name; ``None`` takes the default from the data.
    """
    models = [build_loss_model(e.profile, calibration, assumptions) for e in book.entries]
    risks = [
        ExchangeRisk.from_loss_model(m, e.layer, e.providers)
        for m, e in zip(models, book.entries, strict=True)
    ]
    k_bar = exchanges_per_compromise(calibration.selection.frame)
    freq = models[0].frequency
    size = freq.size if isinstance(freq, NegativeBinomial) else math.inf
    base = models[0].severity_fit.conditional
    return portfolio_from_risks(
        risks,
        base,
        size=size,
        hit_probability=hit_probability,
        exchanges_per_compromise=k_bar,
        groups=book.providers,
    )


def portfolio_from_risks(
    risks: Sequence[ExchangeRisk],
    base: LossDistribution,
    size: float = math.inf,
    hit_probability: float | Mapping[str, float] | None = None,
    exchanges_per_compromise: float = 1.0,
    groups: Sequence[str] | None = None,
) -> PortfolioModel:
    """A portfolio from simulation inputs directly (tests, other front ends)."""
    providers = tuple(dict.fromkeys(p for e in risks for p, _ in e.provider_rates))
    given = _hit_map(hit_probability, providers)
    rates, qs, notes = [], [], []
    for p in providers:
        r = np.array([dict(e.provider_rates).get(p, 0.0) for e in risks])
        top = float(r.max())
        if p in given:
            q = given[p]
        else:
            q = min(1.0, exchanges_per_compromise * top / float(r.sum()))
        rates.append(top / q)
        qs.append(q)
    if hit_probability is None and providers:
        notes.append(
            f"Hit probability of a provider compromise set so that one compromise reaches "
            f"{exchanges_per_compromise:g} client(s) on average, as in the incident data."
        )
    return PortfolioModel(
        exchanges=tuple(risks),
        base=base,
        size=float(size),
        providers=providers,
        compromise_rates=tuple(rates),
        hit_probabilities=tuple(qs),
        groups=tuple(groups)
        if groups is not None
        else tuple(dict.fromkeys(g for e in risks for g in e.groups)),
        notes=tuple(notes),
    )


def _hit_map(
    value: float | Mapping[str, float] | None, providers: tuple[str, ...]
) -> dict[str, float]:
    if value is None:
        return {}
    pairs = value.items() if isinstance(value, Mapping) else ((p, value) for p in providers)
    out, problems = {}, []
    for p, q in pairs:
        if isinstance(q, bool) or not isinstance(q, int | float) or not 0 < q <= 1:
            problems.append(Problem(None, "hit_probability", f"{p}: must be in (0, 1], got {q!r}"))
        else:
            out[str(p)] = float(q)
    if problems:
        raise InputError("hit_probability", problems)
    return out
