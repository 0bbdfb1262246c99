"""Left-truncated log-likelihoods, start values and the maximiser of the severity fits.

Each family's log-likelihood ``log f(x)/S(t)`` per loss is written in *working* parameters
(logs of positive parameters) on data divided by their geometric median; start values come
from moments or quantiles; :func:`_maximise` runs statsmodels
:class:`~statsmodels.base.model.GenericLikelihoodModel` (Nelder–Mead, BFGS, then Newton if
needed) and returns the working covariance from the Hessian; :func:`_fit_parametric` maps the
result back to natural parameters in USD by the delta method.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special
from statsmodels.base.model import GenericLikelihoodModel

from ..exceptions import ConvergenceError
from .families import _NATURAL_NAMES

#: Newton decrement ``gᵀ(−H)⁻¹g`` (log-likelihood units) below which a fit counts as converged.
_DECREMENT_TOL = 1e-4
#: A working parameter (log of a positive parameter, meanlog, GPD shape) whose standard error
#: exceeds this is not identified: the likelihood is flat towards the edge of the space (e.g. a
#: truncated lognormal with meanlog → −∞, a truncated gamma with shape → 0).
_MAX_WORKING_SE = 10.0
#: Working parameters are confined to ``|θ| ≤ 30`` (a factor e³⁰ ≈ 10¹³ from the data scale):
#: beyond it the likelihood is numerically meaningless, and an optimum there is an edge one.
_WORKING_BOUND = 30.0
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


# --------------------------------------------------------------------------------------------
# Log-likelihoods in working parameters (data divided by a scale constant c)
# --------------------------------------------------------------------------------------------
# Each ``_ll_*`` returns log f(z)/S(tz) per observation for the data ``z = x/c`` and the
# threshold ``tz = t/c``; a value outside the parameter space gives -inf.


def _log_sf_lognormal(tz: float, mu: float, s: float) -> float:
    if tz <= 0:
        return 0.0
    return float(special.log_ndtr(-(math.log(tz) - mu) / s))


def _ll_lognormal(theta: np.ndarray, z: np.ndarray, tz: float) -> np.ndarray:
    mu, s = theta[0], math.exp(theta[1])
    lz = np.log(z)
    out = -lz - math.log(s) - _HALF_LOG_2PI - 0.5 * ((lz - mu) / s) ** 2
    return out - _log_sf_lognormal(tz, mu, s)


def _ll_gamma(theta: np.ndarray, z: np.ndarray, tz: float) -> np.ndarray:
    a, b = math.exp(theta[0]), math.exp(theta[1])
    out = (a - 1) * np.log(z) - z / b - special.gammaln(a) - a * math.log(b)
    if tz > 0:
        out = out - math.log(special.gammaincc(a, tz / b))
    return out


def _ll_weibull(theta: np.ndarray, z: np.ndarray, tz: float) -> np.ndarray:
    k, lam = math.exp(theta[0]), math.exp(theta[1])
    lzl = np.log(z) - math.log(lam)
    out = math.log(k) - math.log(lam) + (k - 1) * lzl - np.exp(k * lzl)
    return out + (tz / lam) ** k  # − log S(t) = (t/λ)^k


def _ll_lomax(theta: np.ndarray, z: np.ndarray, tz: float) -> np.ndarray:
    a, th = math.exp(theta[0]), math.exp(theta[1])
    return math.log(a) + a * math.log(th + tz) - (a + 1) * np.log(z + th)


def _ll_loglogistic(theta: np.ndarray, z: np.ndarray, tz: float) -> np.ndarray:
    g, th = math.exp(theta[0]), math.exp(theta[1])
    v = g * (np.log(z) - math.log(th))  # log (z/θ)^γ
    out = math.log(g) + v - np.log(z) - 2 * np.logaddexp(0.0, v)
    if tz > 0:
        out = out + np.logaddexp(0.0, g * (math.log(tz) - math.log(th)))
    return out


def _ll_gpd(theta: np.ndarray, z: np.ndarray, uz: float) -> np.ndarray:
    xi, s = theta[0], math.exp(theta[1])
    y = (z - uz) / s
    if abs(xi) < 1e-9:
        return -math.log(s) - y
    arg = xi * y
    if np.any(arg <= -1):
        return np.full_like(z, -np.inf)
    return -math.log(s) - (1 + 1 / xi) * np.log1p(arg)


def _log_interval_lognormal(lo: float, hi: float, mu: float, s: float) -> float:
    """``log(F(hi) − F(lo))`` for a lognormal, accurate in both tails."""
    a_hi = (math.log(hi) - mu) / s
    a_lo = (math.log(lo) - mu) / s if lo > 0 else -math.inf
    if a_lo > 0:  # both in the upper tail: use survival functions
        s_lo, s_hi = special.log_ndtr(-a_lo), special.log_ndtr(-a_hi)
        return float(s_lo + math.log1p(-math.exp(s_hi - s_lo)))
    f_hi, f_lo = special.log_ndtr(a_hi), special.log_ndtr(a_lo)
    return float(f_hi + math.log1p(-math.exp(f_lo - f_hi))) if f_lo > -math.inf else float(f_hi)


def _ll_body(uz: float) -> Callable[[np.ndarray, np.ndarray, float], np.ndarray]:
    """Lognormal doubly truncated to ``(tz, uz]``: the body of the spliced model."""

    def ll(theta: np.ndarray, z: np.ndarray, tz: float) -> np.ndarray:
        mu, s = theta[0], math.exp(theta[1])
        lz = np.log(z)
        out = -lz - math.log(s) - _HALF_LOG_2PI - 0.5 * ((lz - mu) / s) ** 2
        with np.errstate(divide="ignore"):
            return out - _log_interval_lognormal(tz, uz, mu, s)

    return ll


# --------------------------------------------------------------------------------------------
# Start values (working parameters, scaled data)
# --------------------------------------------------------------------------------------------
def _start_lognormal(z: np.ndarray, tz: float) -> np.ndarray:
    lz = np.log(z)
    return np.array([lz.mean(), math.log(max(lz.std(), 1e-3))])


def _start_gamma(z: np.ndarray, tz: float) -> np.ndarray:
    m = float(z.mean())
    s = max(math.log(m) - float(np.log(z).mean()), 1e-6)
    a = (3 - s + math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)  # Minka's approximation
    return np.array([math.log(a), math.log(m / a)])


def _start_weibull(z: np.ndarray, tz: float) -> np.ndarray:
    lz = np.log(z)
    k = math.pi / (max(lz.std(), 1e-3) * math.sqrt(6))
    return np.array([math.log(k), lz.mean() + np.euler_gamma / k])


def _start_lomax(z: np.ndarray, tz: float) -> np.ndarray:
    th = float(np.median(z))
    a = 1.0 / max(float(np.mean(np.log((z + th) / (tz + th)))), 1e-6)
    return np.array([math.log(a), math.log(th)])


def _start_loglogistic(z: np.ndarray, tz: float) -> np.ndarray:
    lz = np.log(z)
    g = math.pi / (math.sqrt(3) * max(lz.std(), 1e-3))
    return np.array([math.log(g), float(np.median(lz))])


def _start_gpd(z: np.ndarray, uz: float) -> np.ndarray:
    """Probability-weighted moments (Hosking & Wallis 1987, Technometrics 29, 339–349)."""
    y = np.sort(z - uz)
    n = len(y)
    a0 = float(y.mean())
    a1 = float(np.mean(y * (1 - (np.arange(1, n + 1) - 0.35) / n)))
    denom = a0 - 2 * a1
    xi, s = (2 - a0 / denom, 2 * a0 * a1 / denom) if denom > 0 else (0.1, a0)
    xi = min(max(xi, -0.4), 0.9)
    if not s > 0:
        s = a0
    if xi < 0 and xi * y.max() / s <= -0.95:
        xi = 0.1
    return np.array([xi, math.log(s)])


# --------------------------------------------------------------------------------------------
# Maximum likelihood through statsmodels
# --------------------------------------------------------------------------------------------
class _TruncatedLikelihood(GenericLikelihoodModel):
    """statsmodels model whose per-observation log-likelihood is a given function."""

    def __init__(
        self,
        z: np.ndarray,
        tz: float,
        loglikeobs: Callable[[np.ndarray, np.ndarray, float], np.ndarray],
        names: Sequence[str],
    ) -> None:
        self._ll = loglikeobs
        self._tz = tz
        super().__init__(z, extra_params_names=list(names))

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        if not np.all(np.abs(params) <= _WORKING_BOUND):
            return np.full(len(self.endog), -np.inf)
        try:
            with np.errstate(all="ignore"):
                out = np.asarray(self._ll(np.asarray(params, float), self.endog, self._tz), float)
        except (ArithmeticError, ValueError):  # math.log(0), math.exp overflow: out of range
            return np.full(len(self.endog), -np.inf)
        return np.where(np.isnan(out), -np.inf, out)


@dataclass(frozen=True)
class _MLE:
    theta: np.ndarray
    cov: np.ndarray  # working-parameter covariance (NaN if the Hessian is not invertible)
    loglik: float  # of the scaled data
    converged: bool
    message: str


def _maximise(
    loglikeobs: Callable[[np.ndarray, np.ndarray, float], np.ndarray],
    start: np.ndarray,
    z: np.ndarray,
    tz: float,
    names: Sequence[str],
) -> _MLE:
    """Nelder–Mead, then BFGS (then Newton if needed); Hessian-based covariance."""
    model = _TruncatedLikelihood(z, tz, loglikeobs, names)
    if not math.isfinite(model.loglike(start)):
        raise ConvergenceError("the start values give a non-finite log-likelihood")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = model.fit(start_params=start, method="nm", maxiter=2000, disp=0)
        theta = np.asarray(first.params, float)
        result = model.fit(start_params=theta, method="bfgs", maxiter=500, disp=0, gtol=1e-7)
        if result.llf >= first.llf:
            theta = np.asarray(result.params, float)
        ll = float(model.loglike(theta))
        if not (math.isfinite(ll) and np.all(np.isfinite(theta))):
            raise ConvergenceError("the optimiser ended at a non-finite log-likelihood")
        cov, decrement = _curvature(model, theta)
        if not decrement < _DECREMENT_TOL and np.all(np.isfinite(cov)):
            try:
                polish = model.fit(start_params=theta, method="newton", maxiter=50, disp=0)
            except (ArithmeticError, ValueError, np.linalg.LinAlgError):
                polish = None
            candidate = theta if polish is None else np.asarray(polish.params, float)
            ll_new = float(model.loglike(candidate))
            if math.isfinite(ll_new) and ll_new > ll and np.all(np.isfinite(candidate)):
                theta, ll = candidate, ll_new
                cov, decrement = _curvature(model, theta)
    edge = [name for name, v in zip(names, theta, strict=True) if abs(v) > 0.9 * _WORKING_BOUND]
    if edge:
        return _MLE(
            theta, cov, ll, False,
            f"{', '.join(edge)} drifted to the edge of the parameter space (the likelihood "
            "keeps rising towards a limiting law): the data do not identify it",
        )  # fmt: skip
    if not np.all(np.isfinite(cov)):
        return _MLE(
            theta, cov, ll, False,
            "the Hessian of the log-likelihood is not negative definite at the end point "
            "(flat likelihood: parameters not identified by these data)",
        )  # fmt: skip
    if not decrement < _DECREMENT_TOL:
        return _MLE(
            theta, cov, ll, False,
            f"the gradient is not zero at the end point (Newton decrement {decrement:.3g})",
        )  # fmt: skip
    wide = [name for name, v in zip(names, np.diag(cov), strict=True) if v > _MAX_WORKING_SE**2]
    if wide:
        return _MLE(
            theta, cov, ll, False,
            f"{', '.join(wide)} drifted to the edge of the parameter space (standard error of "
            f"more than {_MAX_WORKING_SE:g} on the log scale): the data do not identify it",
        )  # fmt: skip
    return _MLE(theta, cov, ll, True, "converged")


def _curvature(model: _TruncatedLikelihood, theta: np.ndarray) -> tuple[np.ndarray, float]:
    """Covariance ``(−H)⁻¹`` of the working parameters and Newton decrement ``gᵀ(−H)⁻¹g``."""
    k = len(theta)
    nan = np.full((k, k), np.nan)
    hess = np.asarray(model.hessian(theta), float)
    grad = np.asarray(model.score(theta), float)
    if not (np.all(np.isfinite(hess)) and np.all(np.isfinite(grad))):
        return nan, math.inf
    info = -0.5 * (hess + hess.T)
    eigval, eigvec = np.linalg.eigh(info)
    if eigval.min() <= 1e-12 * max(abs(eigval.max()), 1.0):
        return nan, math.inf
    cov = (eigvec / eigval) @ eigvec.T
    return cov, float(grad @ cov @ grad)


# --------------------------------------------------------------------------------------------
# Natural parameters of one two-parameter family
# --------------------------------------------------------------------------------------------
# Working parameter → natural parameter maps: ("shift", log c) adds log c (meanlog),
# ("exp",) exponentiates (shapes), ("scale",) multiplies exp(θ) by c (USD scales), ("free",)
# keeps θ (GPD shape).
_SIMPLE = {
    "lognormal": (_ll_lognormal, _start_lognormal, ("shift", "exp")),
    "gamma": (_ll_gamma, _start_gamma, ("exp", "scale")),
    "weibull": (_ll_weibull, _start_weibull, ("exp", "scale")),
    "lomax": (_ll_lomax, _start_lomax, ("exp", "scale")),
    "loglogistic": (_ll_loglogistic, _start_loglogistic, ("exp", "scale")),
    "gpd": (_ll_gpd, _start_gpd, ("free", "scale")),
}


def _natural(theta: np.ndarray, maps: Sequence[str], c: float) -> tuple[np.ndarray, np.ndarray]:
    """Natural parameters and the diagonal Jacobian ``∂nat/∂θ`` (delta method)."""
    values, jac = [], []
    for th, kind in zip(theta, maps, strict=True):
        if kind == "shift":
            values.append(th + math.log(c))
            jac.append(1.0)
        elif kind == "exp":
            values.append(math.exp(th))
            jac.append(math.exp(th))
        elif kind == "scale":
            values.append(c * math.exp(th))
            jac.append(c * math.exp(th))
        else:
            values.append(float(th))
            jac.append(1.0)
    return np.array(values), np.diag(jac)


def _scale_constant(x: np.ndarray) -> float:
    """Geometric median of the losses: data are divided by it while optimising."""
    return float(np.exp(np.median(np.log(x))))


def _fit_parametric(
    family: str, x: np.ndarray, t: float
) -> tuple[np.ndarray, np.ndarray, float, _MLE]:
    """MLE of one two-parameter family; natural parameters, covariance, loglik (USD)."""
    ll, start, maps = _SIMPLE[family]
    c = _scale_constant(x)
    z, tz = x / c, t / c
    mle = _maximise(ll, start(z, tz), z, tz, _NATURAL_NAMES[family][:2])
    nat, jac = _natural(mle.theta, maps, c)
    cov = jac @ mle.cov @ jac.T
    loglik = mle.loglik - len(x) * math.log(c)  # densities per USD
    return nat, cov, loglik, mle
