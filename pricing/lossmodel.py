"""One exchange's loss model: its theft frequency and loss size, built from a profile.

The fitted models describe the *average tracked exchange* (frequency per exchange-year) and
*market-wide* reported losses above the reporting threshold. An exchange differs from that
average in size, hot-wallet share, security controls and whether a third-party wallet
provider sits in its signing path. How it differs cannot be estimated from public incident
lists (there is no exposure for the exchanges that were not hit), so each step below is an
explicit, editable assumption, listed by :meth:`ExchangeLossModel.assumption_table`:

1. **Frequency** (incidents above the threshold per year):
   ``λ = λ_avg(year) × (A / A_ref)^γ × (h / h_ref)^δ × c_security × c_provider``, where
   ``λ_avg`` comes from the GLM (:func:`pricing.scaling.exchange_rate`), ``c_security`` is
   the factor of the exchange's controls level and ``c_provider`` the provider loading of
   :mod:`pricing.providers`: with ``π`` the share of incidents that came through a third-party
   provider and ``s`` the share of exchanges using one, ``c_provider = (1 − π) + π / s`` for a
   user and ``1 − π`` for a non-user (``π_u / s`` and ``(1 − π_u) / (1 − s)`` with
   ``π_u = π + (1 − π) s`` the share of incidents at users; the market average stays 1).
   Poisson, or negative binomial with the fitted dispersion (Loss Models ch. 6).
2. **Severity** (USD per incident): the fitted law of reported losses, ``X | X > t``, scaled
   by ``(A / A_ref)^η`` (a larger exchange loses more per breach), then **capped by what the
   attack can reach**: a hot-wallet breach cannot take more than the hot wallets hold
   (``h A``); a cold-wallet or insider compromise can reach the hot wallets plus a share ``ρ``
   of cold storage; a provider compromise reaches the hot wallets plus a share ``ρ_p`` of cold
   storage when the provider signs for cold wallets (``ρ_p`` from the cases: Bybit 2025 lost
   the ETH cold wallet through Safe{Wallet}, DMM Bitcoin 2024 more than its customers' BTC
   through Ginco) and the hot wallets only when it signs for hot wallets. The routes are mixed
   with their rates (Loss Models §4.2.3, finite mixture).

Capping makes every moment finite, so the aggregate moments and TVaR exist even when the
fitted tail has no finite mean (domain brief §4.3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from .aggregate import AggregateDistribution, GridSpec
from .aggregate import aggregate as compound
from .calibration import Calibration
from .counts import Frequency, NegativeBinomial, Poisson
from .distributions import LossDistribution, Mixture
from .exceptions import InputError
from .frequency import _finite
from .notes import Note
from .profiles import SECURITY_LEVELS, ExchangeProfile
from .providers import (
    PROVIDER_COLD_REACH,
    PROVIDER_USER_SHARE,
    ProviderFactors,
    provider_factors,
)
from .scaling import ExchangeFrequency, SizeAssumptions, exchange_rate
from .severity import SeverityFit

__all__ = [
    "DEFAULT_SECURITY_FACTORS",
    "ExchangeLossModel",
    "LossModelAssumptions",
    "RouteShares",
    "build_loss_model",
    "capped_mixture",
    "provider_reach",
    "route_shares",
]

#: Smallest hot share used in the frequency scaling (an all-cold exchange is still attacked).
MIN_HOT_SHARE = 0.001
#: Grid of :meth:`ExchangeLossModel.aggregate`: 2^14 points holding all but 1e-10 of ``S``.
LOSS_MODEL_GRID = GridSpec(log2=14, coverage=1.0 - 1e-10)
#: Frequency multipliers by controls level (assumptions; 1 = the average tracked exchange).
DEFAULT_SECURITY_FACTORS = (("basic", 1.5), ("standard", 1.0), ("strong", 0.7))


@dataclass(frozen=True, slots=True)
class RouteShares:
    """Shares of incidents by route of attack (sum to 1), and the incidents they rest on.

    ``hot``: the theft came out of hot wallets only. ``provider``: a third-party wallet or
    custody provider was the entry point. ``other``: cold wallets, both, insider and the rest.
    Incidents whose wallet is unknown are shared between ``hot`` and ``other`` in the
    proportion of the known ones.
    """

    hot: float
    provider: float
    other: float
    n_incidents: int = 0

    def __post_init__(self) -> None:
        values = {"hot": self.hot, "provider": self.provider, "other": self.other}
        bad = [k for k, v in values.items() if not (math.isfinite(v) and 0 <= v <= 1)]
        if bad or abs(sum(values.values()) - 1.0) > 1e-9:
            raise ValueError(
                f"route shares: {', '.join(f'{k}={v!r}' for k, v in values.items())} must "
                "each be in [0, 1] and sum to 1"
            )


def route_shares(frame: pd.DataFrame) -> RouteShares:
    """Estimate :class:`RouteShares` from incidents (columns ``attack_vector``, ``wallet``)."""
    if frame.empty:
        raise InputError("loss model", ["route shares: no incidents to estimate them from"])
    provider = frame["attack_vector"].eq("third_party_provider")
    rest = frame.loc[~provider, "wallet"]
    known = rest[rest.ne("unknown") & rest.ne("")]
    hot_among_known = known.eq("hot").mean() if len(known) else 0.5
    n = len(frame)
    p_provider = provider.sum() / n
    p_hot = (1.0 - p_provider) * float(hot_among_known)
    return RouteShares(
        hot=float(p_hot),
        provider=float(p_provider),
        other=float(1.0 - p_provider - p_hot),
        n_incidents=n,
    )


@dataclass(frozen=True, slots=True)
class LossModelAssumptions:
    """The assumptions that turn the market-wide fit into one exchange's model.

    Attributes
    ----------
    frequency : SizeAssumptions
        Reference size and hot share, and the elasticities ``γ``, ``δ`` of the frequency.
    severity_size_elasticity : float
        ``η``: losses scale with ``(A / A_ref)^η`` (dimensionless, in [0, 1.5]; default 0.5,
        i.e. a 100× larger exchange loses 10× more per breach). ``A_ref`` is
        ``frequency.reference_assets_usd``.
    cold_reach : float
        ``ρ``: share of cold storage a cold-wallet or insider compromise can reach (in
        [0, 1]; default 0.5: one cold wallet among several; an assumption).
    provider_cold_reach : float
        ``ρ_p``: share of cold storage a compromise of a provider that signs for cold wallets
        can reach (in [0, 1]; default the mean of the cases in
        :data:`pricing.providers.COLD_REACH_CASES`).
    provider_user_share : float
        ``s``: share of exchanges with a third-party provider in the signing path (in
        (0, 1); an assumption, :data:`pricing.providers.PROVIDER_USER_SHARE`).
    security_factors : tuple of (level, factor)
        Frequency multiplier per controls level (default basic 1.5, standard 1, strong 0.7).
    routes : RouteShares or None
        Route shares; ``None`` estimates them from the calibration's incidents.
    year : int or None
        Target year of the frequency; ``None`` takes the calibration's target year.
    severity_family : str or None
        Severity candidate to use (``None``: the best by AIC).
    severity_params : tuple of (name, value) or None
        Manual override of some or all of that family's parameters (Loss Models names).
    base_rate : float or None
        Manual override of the average-exchange rate (incidents per exchange-year, > 0);
        ``None`` takes the GLM's projection.
    """

    frequency: SizeAssumptions = field(default_factory=SizeAssumptions)
    severity_size_elasticity: float = 0.5
    cold_reach: float = 0.5
    provider_cold_reach: float = PROVIDER_COLD_REACH
    provider_user_share: float = PROVIDER_USER_SHARE
    security_factors: tuple[tuple[str, float], ...] = DEFAULT_SECURITY_FACTORS
    routes: RouteShares | None = None
    year: int | None = None
    severity_family: str | None = None
    severity_params: tuple[tuple[str, float], ...] | None = None
    base_rate: float | None = None

    def __post_init__(self) -> None:
        problems = []
        if not (
            _finite(self.severity_size_elasticity) and 0 <= self.severity_size_elasticity <= 1.5
        ):
            problems.append(
                f"severity_size_elasticity={self.severity_size_elasticity!r} must be in [0, 1.5]"
            )
        if not (_finite(self.cold_reach) and 0 <= self.cold_reach <= 1):
            problems.append(f"cold_reach={self.cold_reach!r} must be a share in [0, 1]")
        if not (_finite(self.provider_cold_reach) and 0 <= self.provider_cold_reach <= 1):
            problems.append(
                f"provider_cold_reach={self.provider_cold_reach!r} must be a share in [0, 1]"
            )
        if not (_finite(self.provider_user_share) and 0 < self.provider_user_share < 1):
            problems.append(
                f"provider_user_share={self.provider_user_share!r} must be a share in (0, 1)"
            )
        levels = dict(self.security_factors)
        if set(levels) != set(SECURITY_LEVELS):
            problems.append(f"security_factors must give a factor for each of {SECURITY_LEVELS}")
        problems += [
            f"security_factors[{k!r}]={v!r} must be a number > 0"
            for k, v in levels.items()
            if not (_finite(v) and v > 0)
        ]
        if self.base_rate is not None and not (_finite(self.base_rate) and self.base_rate > 0):
            problems.append(f"base_rate={self.base_rate!r} must be a rate > 0 per exchange-year")
        problems += [
            f"severity_params[{name!r}]={value!r} must be a finite number"
            for name, value in self.severity_params or ()
            if not _finite(value)
        ]
        if problems:
            raise InputError(
                "loss model", ["invalid loss-model assumptions: " + "; ".join(problems)]
            )

    def security_factor(self, level: str) -> float:
        """Frequency multiplier of a controls level."""
        return float(dict(self.security_factors)[level])


@dataclass(frozen=True, eq=False)
class ExchangeLossModel:
    """Frequency and severity of one exchange's thefts, with everything that produced them.

    ``frequency`` counts incidents per year; ``severity`` is the size of one incident (USD),
    a mixture of the hot-wallet route (capped at ``hot_cap``), the cold, insider and other
    routes (capped at ``reach_cap``) and, for a provider user, the provider route (capped at
    ``provider_cap``). ``route_weights`` are the ``(hot, other, provider)`` weights.
    """

    profile: ExchangeProfile
    frequency: Frequency
    severity: LossDistribution
    exchange_frequency: ExchangeFrequency
    severity_fit: SeverityFit
    routes: RouteShares
    route_weights: tuple[float, float, float]
    severity_scale: float
    hot_cap: float
    reach_cap: float
    security_factor: float
    provider_factor: float
    assumptions: LossModelAssumptions
    notes: tuple[str, ...] = ()
    provider_cap: float = 0.0
    provider_loading: ProviderFactors | None = None

    @property
    def base_severity(self) -> LossDistribution:
        """The uncapped loss size ``X`` of this exchange: the fitted law scaled by size."""
        return self.severity_fit.conditional.scaled(self.severity_scale)

    @property
    def provider_rate(self) -> float:
        """Expected thefts per year that come through the exchange's provider(s)."""
        return self.rate * self.route_weights[2]

    @property
    def rate(self) -> float:
        """Expected incidents per year for this exchange."""
        return float(self.frequency.mean)

    def cover_type(self, retention: Any) -> Any:
        """The market's cover type of layers attaching at ``retention`` (USD, array-like) on
        this exchange (:func:`pricing.market.cover_type`: hot below the hot-wallet cap, else
        provider or cold)."""
        from .market import cover_type

        return cover_type(retention, self.hot_cap, self.profile.third_party_provider)

    def aggregate(self, method: str = "fft", **kwargs: Any) -> AggregateDistribution:
        """Yearly aggregate loss (USD) by :func:`pricing.aggregate.aggregate`.

        The default grid holds all but ``1e-10`` of the yearly loss: an exchange's rate is
        small, so ``E[S]`` is small next to its far quantiles, and a grid ending at the
        ``1 − 1e-6`` quantile would leave out more than the audit's ``1e-4`` of the mean.
        The hot-wallet cap, an atom of the severity, is put on a grid point
        (``GridSpec.align_to``).
        """
        if method != "mc" and "grid" not in kwargs:
            kwargs["grid"] = replace(LOSS_MODEL_GRID, align_to=self.hot_cap or None)
        return compound(self.frequency, self.severity, method, **kwargs)

    def assumption_table(self) -> pd.DataFrame:
        """Every input of the model: name, value, unit and where it comes from."""
        ex, a, fit = self.exchange_frequency, self.assumptions, self.severity_fit
        rows = [
            ("Target year", ex.year, "year", "calibration"),
            (
                "Average-exchange rate",
                ex.base_rate,
                "incidents per exchange-year",
                "manual override"
                if a.base_rate is not None
                else f"{ex.model} GLM on incident counts / tracked exchanges",
            ),
            (
                "Size factor (A/A_ref)^γ",
                ex.size_factor,
                "×",
                Note(
                    "A_ref = {amount}, γ = {gamma} (assumption)",
                    amounts={"amount": a.frequency.reference_assets_usd},
                    words={"gamma": f"{a.frequency.size_elasticity:g}"},
                ),
            ),
            (
                "Hot-share factor (h/h_ref)^δ",
                ex.hot_factor,
                "×",
                f"h_ref = {a.frequency.reference_hot_share:g}, "
                f"δ = {a.frequency.hot_share_elasticity:g} (assumption)",
            ),
            (
                "Security factor",
                self.security_factor,
                "×",
                f"controls level '{self.profile.security_level}' (assumption)",
            ),
            (
                "Provider factor",
                self.provider_factor,
                "×",
                _provider_basis(self),
            ),
            ("Exchange rate λ", self.rate, "incidents per year", "product of the above"),
            (
                "Severity family",
                fit.family,
                "",
                Note("fitted to losses above {amount}", amounts={"amount": fit.threshold}),
            ),
            (
                "Severity parameters",
                ", ".join(f"{k}={v:.4g}" for k, v in fit.params),
                "",
                "manual override: " + ", ".join(k for k, _ in a.severity_params)
                if a.severity_params
                else "maximum likelihood, left-truncated at the threshold",
            ),
            (
                "Severity scale (A/A_ref)^η",
                self.severity_scale,
                "×",
                f"η = {a.severity_size_elasticity:g} (assumption)",
            ),
            (
                "Hot-route share",
                self.route_weights[0],
                "of incidents",
                f"data: {self.routes.n_incidents} incidents (hot {self.routes.hot:.2f}, "
                f"provider {self.routes.provider:.2f}, other {self.routes.other:.2f})",
            ),
            (
                "Provider-route share",
                self.route_weights[2],
                "of incidents",
                "provider route π/s of this exchange's factor"
                if self.profile.third_party_provider
                else "no third-party provider",
            ),
            ("Hot-route cap", self.hot_cap, "USD", "hot wallets = hot share × customer assets"),
            (
                "Other-route cap",
                self.reach_cap,
                "USD",
                f"hot wallets + ρ × cold storage, ρ = {a.cold_reach:g} (assumption)",
            ),
        ]
        if self.profile.third_party_provider:
            rows.append(
                (
                    "Provider-route cap",
                    self.provider_cap,
                    "USD",
                    f"hot wallets + ρ_p × cold storage, ρ_p = {a.provider_cold_reach:.3g} "
                    "(Bybit 2025, DMM Bitcoin 2024)"
                    if self.profile.provider_controls == "hot_and_cold"
                    else "hot wallets (the provider signs for hot wallets only)",
                )
            )
        table = pd.DataFrame(rows, columns=["assumption", "value", "unit", "basis"])
        # object, not str: a basis that is a Note keeps its template and USD amounts
        table["basis"] = pd.Series([row[3] for row in rows], dtype=object)
        return table

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description of the model and its assumptions."""
        freq = {
            "family": type(self.frequency).__name__.lower(),
            "mean": self.rate,
            "security_factor": self.security_factor,
            "provider_factor": self.provider_factor,
            "note": "mean = exchange_rate.rate × security_factor × provider_factor",
        }
        if isinstance(self.frequency, NegativeBinomial):
            freq["size"] = self.frequency.size
        return {
            "profile": self.profile.to_dict(),
            "frequency": freq | {"exchange_rate": self.exchange_frequency.to_dict()},
            "severity": {
                "family": self.severity_fit.family,
                "params": dict(self.severity_fit.params),
                "threshold": self.severity_fit.threshold,
                "scale": self.severity_scale,
                "hot_route_weight": self.route_weights[0],
                "provider_route_weight": self.route_weights[2],
                "hot_cap": self.hot_cap,
                "reach_cap": self.reach_cap,
                "provider_cap": self.provider_cap,
                "mean": float(self.severity.mean()),
                "description": self.severity.describe(),
            },
            "assumptions": [
                {
                    "assumption": r.assumption,
                    "value": _plain(r.value),
                    "unit": r.unit,
                    "basis": r.basis,
                }
                for r in self.assumption_table().itertuples()
            ],
            "notes": list(self.notes),
        }


def build_loss_model(
    profile: ExchangeProfile,
    calibration: Calibration,
    assumptions: LossModelAssumptions | None = None,
    family: str | None = None,
    severity_fit: SeverityFit | None = None,
) -> ExchangeLossModel:
    """The loss model of ``profile`` from a calibration (see the module docstring).

    ``family`` picks a severity candidate (default: the best by AIC); ``severity_fit``
    replaces it outright (e.g. with parameters moved for a sensitivity or a manual override).
    """
    a = LossModelAssumptions() if assumptions is None else assumptions
    family = family or a.severity_family
    if severity_fit is not None:
        fit = severity_fit
    else:
        fit = calibration.severity.best if family is None else calibration.severity.get(family)
    if a.severity_params:
        fit = _with_params(fit, a.severity_params)
    year = calibration.target_year if a.year is None else int(a.year)
    routes = a.routes if a.routes is not None else route_shares(calibration.selection.frame)

    ex = exchange_rate(
        calibration.frequency,
        year,
        profile.customer_assets_usd,
        max(profile.hot_share, MIN_HOT_SHARE),
        a.frequency,
    )
    security = a.security_factor(profile.security_level)
    loading = provider_factors(routes.provider, a.provider_user_share)
    provider = loading.factor(profile.third_party_provider)
    if a.base_rate is not None:  # manual override of the average-exchange rate
        ex = replace(
            ex,
            rate=ex.rate * a.base_rate / ex.base_rate,
            ci=(ex.ci[0] * a.base_rate / ex.base_rate, ex.ci[1] * a.base_rate / ex.base_rate),
            base_rate=a.base_rate,
        )
    rate = ex.rate * security * provider
    frequency: Frequency
    if ex.dispersion > 0:
        frequency = NegativeBinomial(mean=rate, size=ex.size)
    else:
        frequency = Poisson(rate)

    weights = _route_weights(routes, loading, profile.third_party_provider)
    scale = (profile.customer_assets_usd / a.frequency.reference_assets_usd) ** (
        a.severity_size_elasticity
    )
    hot_cap = profile.hot_assets_usd
    reach_cap = profile.hot_assets_usd + a.cold_reach * profile.cold_assets_usd
    provider_cap = provider_reach(profile, a.provider_cold_reach)
    base = fit.conditional.scaled(scale)
    severity = capped_mixture(base, weights, (hot_cap, reach_cap, provider_cap))
    notes = tuple(calibration.notes)
    if profile.hot_share < MIN_HOT_SHARE:
        notes += (
            f"Hot share below {MIN_HOT_SHARE:g}: the frequency uses {MIN_HOT_SHARE:g} (cold and "
            "provider compromises still happen).",
        )
    return ExchangeLossModel(
        profile=profile,
        frequency=frequency,
        severity=severity,
        exchange_frequency=ex,
        severity_fit=fit,
        routes=routes,
        route_weights=weights,
        severity_scale=float(scale),
        hot_cap=float(hot_cap),
        reach_cap=float(reach_cap),
        security_factor=security,
        provider_factor=float(provider),
        assumptions=a,
        notes=notes,
        provider_cap=float(provider_cap),
        provider_loading=loading,
    )


def provider_reach(profile: ExchangeProfile, provider_cold_reach: float) -> float:
    """Most a compromise of the exchange's provider can take (USD).

    The hot wallets, plus ``ρ_p`` of cold storage when the provider signs for cold wallets.
    """
    cold = provider_cold_reach if profile.provider_controls == "hot_and_cold" else 0.0
    return profile.hot_assets_usd + cold * profile.cold_assets_usd


def _provider_basis(model: ExchangeLossModel) -> str:
    f = model.provider_loading
    if f is None:
        return "provider loading"
    who = (
        f"user of {', '.join(model.profile.named_providers)}: (1 − π) + π/s"
        if model.profile.third_party_provider
        else "no third-party provider: 1 − π"
    )
    return f"{who}; π = {f.pi:.3g} (data), s = {f.s:.3g} (assumption)"


def _with_params(fit: SeverityFit, overrides: tuple[tuple[str, float], ...]) -> SeverityFit:
    """``fit`` with some parameters set by hand (names checked against the family)."""
    values = dict(fit.params)
    unknown = [name for name, _ in overrides if name not in values]
    if unknown:
        raise InputError(
            "loss model",
            [
                f"severity_params: {', '.join(unknown)} not a parameter of {fit.family} "
                f"({', '.join(values)})"
            ],
        )
    values.update({name: float(v) for name, v in overrides})
    moved = replace(fit, params=tuple((k, values[k]) for k in fit.param_names))
    try:
        moved.distribution  # noqa: B018  (validates the new parameters)
    except ValueError as err:
        raise InputError("loss model", [f"severity_params: {err}"]) from None
    return moved


def _route_weights(
    routes: RouteShares, loading: ProviderFactors, uses_provider: bool
) -> tuple[float, float, float]:
    """``(hot, other, provider)`` weights of the severity mixture: each route's rate over the
    exchange's total (the provider route at ``π / s`` for a user, closed for a non-user)."""
    provider = loading.provider_route if uses_provider else 0.0
    total = routes.hot + routes.other + provider
    if total <= 0:
        return 0.0, 1.0, 0.0
    return routes.hot / total, routes.other / total, provider / total


def capped_mixture(
    base: LossDistribution,
    weights: tuple[float, float, float],
    caps: tuple[float, float, float],
) -> LossDistribution:
    """The routes' capped laws mixed by weight (routes of zero weight or cap dropped; routes
    with the same cap merged, so a two-route exchange keeps its two-part mixture). Weights
    need not add up to 1."""
    merged: dict[float, float] = {}
    for w, cap in zip(weights, caps, strict=True):
        if w > 0 and cap > 0:
            merged[cap] = merged.get(cap, 0.0) + w
    if not merged:
        return base.capped(max(caps))
    if len(merged) == 1:
        return base.capped(next(iter(merged)))
    total = sum(merged.values())
    return Mixture(
        tuple(base.capped(cap) for cap in merged), tuple(w / total for w in merged.values())
    )


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
