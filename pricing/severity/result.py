"""Results of the severity fits: :class:`SeverityFit` (one family) and
:class:`SeverityComparison` (the candidates ranked by AIC), frozen dataclasses with tables,
QQ/PP data and JSON records; :func:`_result` assembles a :class:`SeverityFit` from estimates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..distributions import LossDistribution
from ..exceptions import ConvergenceError
from .families import _FIXED, _build
from .goodness import _anderson_darling, _arr, _ks, _plotting_positions

if TYPE_CHECKING:
    import pandas as pd


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SeverityFit:
    """One loss-size family fitted by left-truncated maximum likelihood (amounts in USD).

    Attributes
    ----------
    family : one of :data:`FAMILIES`.
    params : ``(name, value)`` pairs with Loss Models / actuar names (USD for scales,
        thresholds and splice points): lognormal ``meanlog, sdlog`` (log-USD); gamma, weibull,
        lomax, loglogistic ``shape, scale``; gpd ``shape`` ξ, ``scale`` σ, ``threshold``
        (= the reporting threshold); spliced ``meanlog, sdlog`` (lognormal body), ``shape,
        scale`` (GPD tail), ``tail_weight`` (share of *reported* losses above the splice
        point, ``P(X > u | X > t)``) and ``splice_at`` u.
    se : standard errors, same order; 0 for fixed parameters (``threshold``, ``splice_at``),
        NaN when the Hessian cannot be inverted.
    cov : covariance matrix of ``params`` (rows as tuples), zero rows/columns for fixed ones.
    loglik : maximised log-likelihood ``Σ log f(xᵢ)/S(t)`` with densities per USD.
    aic, bic : ``−2ℓ + 2k`` and ``−2ℓ + k ln n``, ``k`` = :attr:`n_params`.
    n : number of losses fitted (all above ``threshold``).
    threshold : reporting threshold t (USD) the likelihood conditions on.
    ks, ks_pvalue : Kolmogorov–Smirnov ``D`` against the conditional cdf and its p-value from
        the exact null law of ``D`` (``scipy.stats.kstwo``); parameters are estimated from the
        same data, so the p-value is too large (optimistic) and is a guide only.
    ad : Anderson–Darling ``A²`` against the conditional cdf.
    converged : the optimiser stopped at a maximum with an invertible Hessian and a Newton
        decrement ``gᵀ(−H)⁻¹g < 1e-4``.
    n_params : number of estimated parameters (spliced: 2 body + 2 tail + the weight).
    losses : the fitted losses, sorted ascending (USD), for the QQ/PP data.
    message : how the optimisation ended, in words.
    """

    family: str
    params: tuple[tuple[str, float], ...]
    se: tuple[float, ...]
    cov: tuple[tuple[float, ...], ...]
    loglik: float
    aic: float
    bic: float
    n: int
    threshold: float
    ks: float
    ks_pvalue: float
    ad: float
    converged: bool
    n_params: int
    losses: tuple[float, ...] = field(repr=False)
    message: str = ""

    # -- parameters --------------------------------------------------------------------------
    @property
    def param(self) -> dict[str, float]:
        """Parameters by name."""
        return dict(self.params)

    @property
    def param_names(self) -> tuple[str, ...]:
        """Parameter names in order."""
        return tuple(name for name, _ in self.params)

    @property
    def cov_matrix(self) -> np.ndarray:
        """Covariance of :attr:`params` as an array."""
        return np.array(self.cov, dtype=float)

    # -- distributions -----------------------------------------------------------------------
    @property
    def distribution(self) -> LossDistribution:
        """Fitted ground-up law (USD).

        Below the threshold it is an extrapolation of the fitted shape. For ``gpd`` it is the
        GPD above the threshold itself. For ``spliced`` it is
        ``Spliced(Lognormal(meanlog, sdlog), GPD(shape, scale, u), w₀)`` whose ground-up tail
        weight ``w₀ = w (1 − r)/(1 − w r)``, ``r = F_b(t)/F_b(u)``, makes
        ``P(X > u | X > t)`` equal the fitted ``tail_weight`` w.
        """
        p = self.param
        return _build(self.family, p, self.threshold)

    @property
    def conditional(self) -> LossDistribution:
        """Law of reported losses, ``distribution.truncated(threshold)``: what the data are."""
        return self.distribution.truncated(self.threshold)

    # -- tables ------------------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """Parameter table: ``param``, ``estimate``, ``se`` and ``estimated`` (False if fixed)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "param": self.param_names,
                "estimate": [v for _, v in self.params],
                "se": list(self.se),
                "estimated": [name not in _FIXED for name in self.param_names],
            }
        )

    def qq_data(self) -> pd.DataFrame:
        """Sorted losses against fitted conditional quantiles (USD), for a QQ plot.

        Columns ``p`` (plotting position ``(i − 0.5)/n``), ``empirical`` (the i-th smallest
        loss) and ``fitted`` (``conditional.ppf(p)``); points on the diagonal mean a good fit.
        """
        import pandas as pd

        x = np.asarray(self.losses, dtype=float)
        p = _plotting_positions(len(x))
        return pd.DataFrame({"p": p, "empirical": x, "fitted": _arr(self.conditional.ppf(p))})

    def pp_data(self) -> pd.DataFrame:
        """Empirical against fitted conditional probabilities, for a PP plot.

        Columns ``loss`` (sorted, USD), ``empirical`` (``(i − 0.5)/n``) and ``fitted``
        (``conditional.cdf(loss)``).
        """
        import pandas as pd

        x = np.asarray(self.losses, dtype=float)
        return pd.DataFrame(
            {
                "loss": x,
                "empirical": _plotting_positions(len(x)),
                "fitted": _arr(self.conditional.cdf(x)),
            }
        )

    def tail_figures(self, p: float = 0.99) -> dict[str, float | bool]:
        """Tail of the reported-loss law: the ``p`` quantile and the mean excess (USD).

        ``quantile`` is ``conditional.ppf(p)`` (``p = 0.99``: the 1-in-100 reported loss);
        ``mean_excess`` is ``E[X − t | X > t]`` (``inf`` when the mean does not exist, e.g.
        GPD ``shape ≥ 1``, Lomax ``shape ≤ 1``); ``mean_finite`` says which.
        """
        if not 0 < p < 1:
            raise ValueError(f"p must be in (0, 1), got {p!r}")
        cond = self.conditional
        quantile = float(cond.ppf(p))
        try:
            mean = float(cond.mean())
        except (ArithmeticError, ValueError):  # pragma: no cover - quadrature trouble
            mean = math.nan
        excess = mean - self.threshold if math.isfinite(mean) else mean
        return {"quantile": quantile, "mean_excess": excess, "mean_finite": math.isfinite(mean)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record for the CLI (non-finite numbers become ``None``).

        Keys ``dist``, ``params`` and ``se`` (name → value), ``cov``, ``loglik``, ``aic``,
        ``bic``, ``ks``, ``ks_pvalue``, ``ad``, ``n``, ``n_params``, ``threshold``,
        ``converged``, ``message`` and ``describe`` (the ground-up law in words).
        """
        return {
            "dist": self.family,
            "params": {name: _json_float(v) for name, v in self.params},
            "se": {name: _json_float(s) for (name, _), s in zip(self.params, self.se, strict=True)},
            "cov": [[_json_float(c) for c in row] for row in self.cov],
            "loglik": _json_float(self.loglik),
            "aic": _json_float(self.aic),
            "bic": _json_float(self.bic),
            "ks": _json_float(self.ks),
            "ks_pvalue": _json_float(self.ks_pvalue),
            "ad": _json_float(self.ad),
            "n": int(self.n),
            "n_params": int(self.n_params),
            "threshold": float(self.threshold),
            "converged": bool(self.converged),
            "message": self.message,
            "describe": self.distribution.describe(),
        }


@dataclass(frozen=True, slots=True)
class SeverityComparison:
    """Candidate families fitted to the same losses, ranked by AIC (best first).

    All candidates model the same reported losses above the same threshold with densities per
    USD, so their log-likelihoods and AICs are comparable (Loss Models 4th ed., ch. 16,
    score-based selection). Families that failed are listed with the reason and left out.

    Attributes
    ----------
    fits : converged fits, sorted by AIC ascending.
    failures : ``(family, reason)`` pairs for families that failed or did not converge.
    threshold : reporting threshold (USD).
    n : number of losses.
    """

    fits: tuple[SeverityFit, ...]
    failures: tuple[tuple[str, str], ...]
    threshold: float
    n: int

    @property
    def best(self) -> SeverityFit:
        """The fit with the lowest AIC (ties: the one listed first in ``families``)."""
        return self.fits[0]

    @property
    def families(self) -> tuple[str, ...]:
        """Families of the ranked fits, best first."""
        return tuple(f.family for f in self.fits)

    def get(self, family: str) -> SeverityFit:
        """The fit of ``family`` (``KeyError`` naming the failure reason if it failed)."""
        for fit in self.fits:
            if fit.family == family:
                return fit
        reasons = dict(self.failures)
        if family in reasons:
            raise KeyError(f"{family}: the fit failed ({reasons[family]})")
        raise KeyError(f"{family} was not fitted; fitted: {', '.join(self.families)}")

    def table(self) -> pd.DataFrame:
        """Ranking table, best (lowest AIC) first.

        Columns ``rank``, ``family``, ``n_params``, ``loglik``, ``aic``, ``delta_aic``
        (``AIC − min AIC``), ``akaike_weight`` (``exp(−Δ/2) / Σ exp(−Δ/2)``: the relative
        support for each candidate, Burnham & Anderson 2002 §2.9), ``bic``, ``ks``,
        ``ks_pvalue`` and ``ad``.
        """
        import pandas as pd

        aic = np.array([f.aic for f in self.fits], dtype=float)
        delta = aic - aic.min() if len(aic) else aic
        weight = np.exp(-0.5 * delta)
        weight = weight / weight.sum() if len(weight) else weight
        return pd.DataFrame(
            {
                "rank": np.arange(1, len(self.fits) + 1),
                "family": [f.family for f in self.fits],
                "n_params": [f.n_params for f in self.fits],
                "loglik": [f.loglik for f in self.fits],
                "aic": aic,
                "delta_aic": delta,
                "akaike_weight": weight,
                "bic": [f.bic for f in self.fits],
                "ks": [f.ks for f in self.fits],
                "ks_pvalue": [f.ks_pvalue for f in self.fits],
                "ad": [f.ad for f in self.fits],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record: ``threshold``, ``n``, ``best``, ``fits`` (ranked), ``failed``."""
        return {
            "threshold": float(self.threshold),
            "n": int(self.n),
            "best": self.best.family,
            "fits": [f.to_dict() for f in self.fits],
            "failed": dict(self.failures),
        }


# --------------------------------------------------------------------------------------------
# Assembling results
# --------------------------------------------------------------------------------------------
def _result(
    family: str,
    names: Sequence[str],
    values: Sequence[float],
    cov: np.ndarray,
    loglik: float,
    k: int,
    x: np.ndarray,
    t: float,
    converged: bool,
    message: str,
) -> SeverityFit:
    if not (math.isfinite(loglik) and all(math.isfinite(v) for v in values)):
        raise ConvergenceError(f"{family}: the fit ended at non-finite values")
    params = tuple((name, float(v)) for name, v in zip(names, values, strict=True))
    try:
        with np.errstate(all="ignore"):  # a non-converged fit may sit at a degenerate edge
            dist = _build(family, dict(params), t).truncated(t)
            ks, ks_p = _ks(x, dist)
            ad = _anderson_darling(x, dist)
    except (ArithmeticError, ValueError) as err:  # parameters at the edge of their space
        reason = message if not converged else f"fitted parameters are not valid ({err})"
        raise ConvergenceError(f"{family}: {reason}") from None
    if not (math.isfinite(ks) and math.isfinite(ad)):  # the law is numerically degenerate
        reason = message if not converged else "the fitted law is numerically degenerate"
        raise ConvergenceError(f"{family}: {reason}")
    diag = np.diag(cov)
    se = tuple(float(math.sqrt(v)) if v >= 0 else math.nan for v in diag)
    n = len(x)
    return SeverityFit(
        family=family,
        params=params,
        se=se,
        cov=tuple(tuple(float(c) for c in row) for row in cov),
        loglik=float(loglik),
        aic=float(-2 * loglik + 2 * k),
        bic=float(-2 * loglik + k * math.log(n)),
        n=n,
        threshold=float(t),
        ks=ks,
        ks_pvalue=ks_p,
        ad=ad,
        converged=bool(converged),
        n_params=k,
        losses=tuple(float(v) for v in x),
        message=message,
    )


def _pad(cov: np.ndarray, extra: int) -> np.ndarray:
    k = cov.shape[0]
    out = np.zeros((k + extra, k + extra))
    out[:k, :k] = cov
    return out


def _json_float(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None
