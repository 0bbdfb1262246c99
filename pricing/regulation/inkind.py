"""Compensation in kind: the price move between a theft and the buy-back of the same coins.

Japanese exchanges return the coins that were stolen, not their yen value at the time: DMM
Bitcoin lost 4,502.9 BTC (≈ ¥48.2bn) on 31 May 2024 and its group raised ¥55bn to buy them
back (Asahi SMBIZ [jp-dmm]). A reserve held in yen therefore needs ``F`` times the loss valued
at the theft date, where ``F`` is the price of the stolen coins at compensation relative to the
theft. Over a delay of ``t`` years with annual volatility ``σ`` and drift ``μ`` we take the
lognormal price factor of geometric Brownian motion:

    log F ~ N((μ − σ²/2) t, σ² t),   E[F] = exp(μ t).

Applied to a loss ``S`` independent of ``F``: ``P(S·F ≤ K) = E[F_S(K / F)]`` (Gauss–Hermite
quadrature over ``log F``), which is how :mod:`pricing.strategy` sizes and scores a reserve
when in-kind compensation is switched on.

Examples
--------
>>> f = InKindCompensation(volatility=0.6, delay_days=30)
>>> round(f.sdlog, 4)  # 0.6 × sqrt(30/365)
0.172
>>> round(f.quantile(0.5), 4)  # the median is below 1 when μ = 0
0.9853
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from .params import RegimeParams, param

__all__ = ["InKindCompensation", "dmm_price_factor"]

DAYS_PER_YEAR = 365.0
#: Default annual volatility of the stolen coins and days to the buy-back (assumptions; see
#: :class:`InKindCompensation` for the reasons).
DEFAULT_VOLATILITY = 0.6
DEFAULT_DELAY_DAYS = 14.0


def dmm_price_factor() -> float:
    """Funding raised over the yen value stolen at DMM Bitcoin: ¥55bn / ¥48.2bn [jp-dmm].

    An upper bound on the realised price factor plus any buffer the group kept; the
    worked example of in-kind compensation.
    """
    return 55e9 / 48.2e9


@dataclass(frozen=True, slots=True)
class InKindCompensation(RegimeParams):
    """Price risk of returning stolen coins in kind (editable).

    Attributes
    ----------
    volatility : annual volatility σ of the stolen coins' price (≥ 0).
    delay_days : days from the theft to the buy-back (≥ 0).
    drift : annual drift μ of the price (default 0: no view on direction).
    nodes : Gauss–Hermite nodes of the quadrature over log F.
    """

    regime = "in-kind"

    volatility: float = param(
        DEFAULT_VOLATILITY,
        low=0.0,
        high=5.0,
        unit="per year",
        help="annual volatility of the stolen coins' price",
        assumption="assumption: the order of bitcoin's annualised volatility; use the realised "
        "volatility of the coins the exchange holds",
    )
    delay_days: float = param(
        DEFAULT_DELAY_DAYS,
        low=0.0,
        high=3650.0,
        unit="days",
        help="days from the theft to the buy-back",
        assumption="assumption: DMM Bitcoin secured ¥55bn within 10 days (3-10 June 2024) "
        "[jp-dmm]; buying 4,500 BTC takes some days more",
    )
    drift: float = param(0.0, low=-5.0, high=5.0, unit="per year", help="annual price drift")
    nodes: int = param(24, low=4, high=200, help="quadrature nodes over log F")

    @property
    def years(self) -> float:
        """The delay in years."""
        return self.delay_days / DAYS_PER_YEAR

    @property
    def meanlog(self) -> float:
        """Mean of log F."""
        return (self.drift - 0.5 * self.volatility**2) * self.years

    @property
    def sdlog(self) -> float:
        """Standard deviation of log F."""
        return self.volatility * math.sqrt(self.years)

    def mean(self) -> float:
        """E[F] = exp(μ t)."""
        return math.exp(self.drift * self.years)

    def quantile(self, p: float) -> float:
        """The p-quantile of F."""
        return float(math.exp(self.meanlog + self.sdlog * special.ndtri(p)))

    def factors(self) -> tuple[np.ndarray, np.ndarray]:
        """Quadrature nodes of F and their weights (summing to 1)."""
        if self.sdlog == 0:
            return np.array([math.exp(self.meanlog)]), np.array([1.0])
        z, w = np.polynomial.hermite_e.hermegauss(self.nodes)
        return np.exp(self.meanlog + self.sdlog * z), w / w.sum()

    def cdf_of_product(self, cdf: object, k: np.ndarray | float) -> np.ndarray:
        """``P(S·F ≤ k)`` for a loss with distribution function ``cdf`` (vectorised)."""
        f, w = self.factors()
        k = np.asarray(k, dtype=float)
        return np.tensordot(w, np.stack([np.asarray(cdf(k / fi)) for fi in f]), axes=1)

    def transform_grid_cdf(self, cdf: np.ndarray) -> np.ndarray:
        """Row-wise distribution function of ``S·F`` on the same uniform grid ``h·j``.

        ``cdf[..., j] = P(S ≤ h j)``; the result at ``j`` is ``Σ_i w_i P(S ≤ h j / f_i)``, by
        linear interpolation between grid points (the grid's own resolution).
        """
        f, w = self.factors()
        m = cdf.shape[-1]
        j = np.arange(m, dtype=float)
        out = np.zeros_like(cdf)
        for fi, wi in zip(f, w, strict=True):
            x = np.minimum(j / fi, m - 1)
            lo = np.floor(x).astype(int)
            hi = np.minimum(lo + 1, m - 1)
            frac = x - lo
            out += wi * (cdf[..., lo] * (1 - frac) + cdf[..., hi] * frac)
        return out
