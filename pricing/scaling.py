"""Exchange scaling: from the average tracked exchange's theft rate to one exchange's.

The public incident list has no per-exchange exposure, so the frequency GLM
(:mod:`pricing.frequency`) gives the rate of the *average* tracked exchange.
:func:`exchange_rate` scales it to one exchange with power laws in customer assets and
hot-wallet share whose exponents are **assumptions** (:class:`SizeAssumptions`), not estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .frequency import FrequencyFit, _check_level, _finite

__all__ = ["ELASTICITY_RANGE", "ExchangeFrequency", "SizeAssumptions", "exchange_rate"]

# --------------------------------------------------------------------------------------------
# Exchange level
# --------------------------------------------------------------------------------------------
#: Allowed range of the two elasticities (an assumption outside it is almost surely a typo).
ELASTICITY_RANGE = (-1.0, 2.0)


@dataclass(frozen=True, slots=True)
class SizeAssumptions:
    """How one exchange's theft rate departs from the average tracked exchange (assumptions).

    ``λ_ex = rate(year) × (assets_usd / reference_assets_usd)^γ × (hot_share /
    reference_hot_share)^δ``, incidents per year.

    The data **cannot identify γ and δ**: the public incident list says which exchange was
    hit but there is no per-exchange exposure (customer assets, hot share) for the exchanges
    that were *not* hit, so the fitted GLM only gives the rate of the average tracked exchange.
    The defaults are editable assumptions to be shown next to every number that uses them.
    Size effects are well documented for cyber *losses* (Maillart & Sornette 2010, Eur. Phys.
    J. B, arXiv:0803.2256, domain brief [85], on loss sizes growing with organisation size);
    that motivates ``γ > 0`` but is not an estimate of it.

    Attributes
    ----------
    reference_assets_usd : customer assets of the "average" tracked exchange (USD, > 0;
        default USD 1e9, an assumption).
    size_elasticity : ``γ``, dimensionless, in [-1, 2]. Default 0.5: larger exchanges are
        attacked more often, but less than in proportion to their assets. ``γ = 1`` is
        proportional; ``γ < 0`` would say large exchanges are hit less (better defended).
    reference_hot_share : hot-wallet share of the average exchange (in (0, 1]; default 0.05,
        the Japanese 5% hot ceiling).
    hot_share_elasticity : ``δ``, dimensionless, in [-1, 2]; default 0.5.

    Examples
    --------
    >>> SizeAssumptions(size_elasticity=1.0).size_elasticity
    1.0
    """

    reference_assets_usd: float = 1e9
    size_elasticity: float = 0.5
    reference_hot_share: float = 0.05
    hot_share_elasticity: float = 0.5

    def __post_init__(self) -> None:
        lo, hi = ELASTICITY_RANGE
        checks = {
            "reference_assets_usd": (
                _finite(self.reference_assets_usd) and self.reference_assets_usd > 0,
                "a finite amount > 0 USD",
            ),
            "size_elasticity": (
                _finite(self.size_elasticity) and lo <= self.size_elasticity <= hi,
                f"in [{lo:g}, {hi:g}]",
            ),
            "reference_hot_share": (
                _finite(self.reference_hot_share) and 0 < self.reference_hot_share <= 1,
                "a share in (0, 1]",
            ),
            "hot_share_elasticity": (
                _finite(self.hot_share_elasticity) and lo <= self.hot_share_elasticity <= hi,
                f"in [{lo:g}, {hi:g}]",
            ),
        }
        bad = [
            f"{name}={getattr(self, name)!r} must be {rule}"
            for name, (ok, rule) in checks.items()
            if not ok
        ]
        if bad:
            raise ValueError("invalid size assumptions: " + "; ".join(bad))


@dataclass(frozen=True, slots=True)
class ExchangeFrequency:
    """Theft frequency of one exchange in one year (incidents per year for that exchange).

    Attributes
    ----------
    year : the target year.
    rate : ``λ_ex``, expected incidents per year for this exchange.
    ci : confidence interval of ``rate`` at ``level``: the average-exchange interval scaled by
        the same factor. It covers estimation error of the GLM only, **not** uncertainty about
        ``γ`` and ``δ``.
    level : confidence level of ``ci``.
    base_rate, base_ci : the average tracked exchange (per exchange-year) from the fit.
    size_factor : ``(assets_usd / reference_assets_usd)^γ``.
    hot_factor : ``(hot_share / reference_hot_share)^δ``.
    model : ``poisson`` or ``negbin`` (the fitted model).
    dispersion : NB ``α`` carried over from the yearly fit (0 for Poisson).
    assets_usd, hot_share : the exchange's inputs (USD; share in (0, 1]).
    assumptions : the :class:`SizeAssumptions` used.

    Notes
    -----
    For the NB model the exchange's count is taken as NB with the same ``α``: this treats the
    year-to-year extra variation as a market-wide shock ``G ~ Gamma(mean 1, var α)`` shared by
    all exchanges, so ``N_ex | G ~ Poisson(λ_ex G)`` is NB with size ``r = 1/α`` and Loss
    Models ``β = λ_ex/r`` (mean ``rβ``, variance ``rβ(1 + β)``; Loss Models ch. 6). Exchange-
    specific heterogeneity cannot be identified from the yearly totals.
    """

    year: int
    rate: float
    ci: tuple[float, float]
    level: float
    base_rate: float
    base_ci: tuple[float, float]
    size_factor: float
    hot_factor: float
    model: str
    dispersion: float
    assets_usd: float
    hot_share: float
    assumptions: SizeAssumptions

    @property
    def factor(self) -> float:
        """Total multiplier applied to the average-exchange rate."""
        return self.size_factor * self.hot_factor

    @property
    def size(self) -> float:
        """NB size ``r = 1/α`` (``inf`` for Poisson)."""
        return math.inf if self.dispersion <= 0 else 1.0 / self.dispersion

    @property
    def nb_beta(self) -> float:
        """Loss Models NB ``β = λ_ex / r = α λ_ex`` (0 for Poisson)."""
        return self.dispersion * self.rate

    @property
    def variance(self) -> float:
        """Variance of the yearly count, ``λ(1 + αλ)`` (incidents²)."""
        return self.rate * (1.0 + self.dispersion * self.rate)

    def distribution(self) -> Any:
        """Frozen ``scipy.stats`` law of the exchange's yearly count (Poisson or NB)."""
        from scipy import stats

        if self.dispersion <= 0:
            return stats.poisson(self.rate)
        return stats.nbinom(self.size, 1.0 / (1.0 + self.nb_beta))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (``size`` is ``None`` for Poisson)."""
        return {
            "year": self.year,
            "rate": self.rate,
            "ci": list(self.ci),
            "ci_level": self.level,
            "base_rate": self.base_rate,
            "size_factor": self.size_factor,
            "hot_factor": self.hot_factor,
            "model": self.model,
            "dispersion": self.dispersion,
            "size": None if self.dispersion <= 0 else self.size,
            "assets_usd": self.assets_usd,
            "hot_share": self.hot_share,
            "assumptions": {
                "reference_assets_usd": self.assumptions.reference_assets_usd,
                "size_elasticity": self.assumptions.size_elasticity,
                "reference_hot_share": self.assumptions.reference_hot_share,
                "hot_share_elasticity": self.assumptions.hot_share_elasticity,
            },
        }


def exchange_rate(
    fit: FrequencyFit,
    year: int,
    assets_usd: float,
    hot_share: float,
    assumptions: SizeAssumptions | None = None,
    level: float = 0.90,
) -> ExchangeFrequency:
    """Expected thefts per year for one exchange, scaled from the average tracked exchange.

    ``λ_ex = fit.rate(year) × (assets_usd / A_ref)^γ × (hot_share / h_ref)^δ``; the confidence
    interval is scaled by the same factor (``γ``, ``δ`` are fixed assumptions, see
    :class:`SizeAssumptions`; their uncertainty is not in the interval).

    Parameters
    ----------
    fit : FrequencyFit
    year : int
        Target year.
    assets_usd : float
        The exchange's customer assets (USD, > 0).
    hot_share : float
        Share of customer assets in hot wallets (in (0, 1]); a share of 0 is rejected because
        cold and infrastructure compromises still happen.
    assumptions : SizeAssumptions, optional
        Defaults to ``SizeAssumptions()``.
    level : float
        Confidence level of the interval (default 0.90).

    Returns
    -------
    ExchangeFrequency

    Examples
    --------
    >>> import pandas as pd
    >>> from pricing.frequency import fit_frequency
    >>> fit = fit_frequency(pd.DataFrame({"year": [2021, 2022, 2023], "n_incidents": [2, 3, 4],
    ...                                   "exposure": [50.0, 50.0, 50.0]}), trend=False)
    >>> ex = exchange_rate(fit, 2024, assets_usd=4e9, hot_share=0.05)
    >>> round(ex.rate / fit.rate(2024), 12)   # (4e9 / 1e9) ** 0.5
    2.0
    """
    if not isinstance(fit, FrequencyFit):
        raise ValueError(f"fit: expected a FrequencyFit, got {type(fit).__name__}")
    assumptions = SizeAssumptions() if assumptions is None else assumptions
    if not isinstance(assumptions, SizeAssumptions):
        raise ValueError(f"assumptions: expected SizeAssumptions, got {type(assumptions).__name__}")
    if not (_finite(assets_usd) and assets_usd > 0):
        raise ValueError(f"assets_usd: {assets_usd!r} must be a finite amount > 0 USD")
    if not (_finite(hot_share) and 0 < hot_share <= 1):
        raise ValueError(f"hot_share: {hot_share!r} must be a share in (0, 1]")
    _check_level(level)
    a = assumptions
    size_factor = (assets_usd / a.reference_assets_usd) ** a.size_elasticity
    hot_factor = (hot_share / a.reference_hot_share) ** a.hot_share_elasticity
    factor = size_factor * hot_factor
    base = float(fit.rate(year))
    low, high = fit.rate_ci(year, level)
    return ExchangeFrequency(
        year=int(year),
        rate=base * factor,
        ci=(low * factor, high * factor),
        level=float(level),
        base_rate=base,
        base_ci=(low, high),
        size_factor=float(size_factor),
        hot_factor=float(hot_factor),
        model=fit.model,
        dispersion=fit.dispersion,
        assets_usd=float(assets_usd),
        hot_share=float(hot_share),
        assumptions=a,
    )
