"""Public entry points of the severity fits (:func:`fit_severity`, :func:`fit_all`,
:func:`threshold_sensitivity`) and the per-family fitters they dispatch to (:data:`_FITTERS`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ConvergenceError, InputError
from .families import _NATURAL_NAMES, DEFAULT_THRESHOLD, FAMILIES
from .inputs import _check_family, _check_losses, _check_threshold, _check_values
from .likelihood import _SIMPLE, _fit_parametric
from .result import SeverityComparison, SeverityFit, _pad, _result
from .spliced import _fit_spliced


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------
def fit_severity(
    losses: Iterable[float] | np.ndarray,
    family: str,
    threshold: float = DEFAULT_THRESHOLD,
    splice_at: float | None = None,
) -> SeverityFit:
    """Fit one loss-size family by maximum likelihood with left truncation at ``threshold``.

    Parameters
    ----------
    losses : reported losses in USD, every one finite and ``> threshold``. Losses at or below
        the threshold are rejected, not dropped: filter them before calling.
    family : one of :data:`FAMILIES`.
    threshold : reporting threshold t in USD (``≥ 0``; 0 means no truncation). The
        likelihood of each loss is ``f(x)/S(t)``. The ``gpd`` family is the GPD of the
        excesses over t; the ``spliced`` family has a lognormal body truncated to ``(t, u]``.
    splice_at : splice point u of the ``spliced`` family (USD, ``t < u``, at least
        :data:`MIN_SPLICE_LOSSES` losses on each side); default
        :func:`default_splice_point`. Only allowed for ``spliced``.

    Returns
    -------
    SeverityFit
        ``converged`` is False (and ``message`` says why) when the optimiser did not reach a
        regular maximum; :func:`fit_all` leaves such fits out of the ranking.

    Raises
    ------
    ValueError
        Bad inputs: unknown family, non-finite or non-positive losses, losses at or below
        the threshold, fewer than :data:`MIN_LOSSES` losses, a bad splice point.
    ConvergenceError
        The optimiser ended with a non-finite log-likelihood or parameters, or at a
        numerically degenerate law (e.g. ``meanlog → −∞``).


    Notes
    -----
    R equivalent: ``fitdistrplus::fitdist(x, "lnorm")`` for ``threshold = 0``; with a
    threshold, fit the density ``actuar::coverage(dlnorm, plnorm, deductible = t,
    franchise = TRUE)`` (likewise for the other families).

    The spliced likelihood (Loss Models §5.2.6 for the model) factorises into three parts
    maximised separately, with ``n_b`` losses in ``(t, u]`` and ``n_u`` above u:

    ``Π_{x ≤ u} (1 − w) f_b(x) / (F_b(u) − F_b(t))  ×  Π_{x > u} w g(x − u; ξ, σ)``

    with ``f_b`` lognormal and ``g`` the GPD density, so the weight's MLE is ``w = n_u/n``
    (SE ``√(w(1 − w)/n)``), the body is a lognormal fitted on ``(t, u]`` with double
    truncation and the tail is :func:`fit_severity` ``(x[x > u], "gpd", threshold=u)``. The
    blocks of the information matrix are orthogonal, so the covariance is block diagonal.
    ``k = 5`` for AIC/BIC (u is chosen, not estimated).
    """
    family = _check_family(family)
    t = _check_threshold(threshold)
    x = _check_losses(losses, t)
    if splice_at is not None and family != "spliced":
        raise ValueError(f"splice_at applies only to the spliced family, not '{family}'")
    return _FITTERS[family](x, t, splice_at)


def fit_all(
    losses: Iterable[float] | np.ndarray,
    threshold: float = DEFAULT_THRESHOLD,
    families: Sequence[str] = FAMILIES,
    splice_at: float | None = None,
) -> SeverityComparison:
    """Fit every candidate family and rank them by AIC (lowest first = ``best``).

    Input errors (bad losses or threshold, unknown family) raise ``ValueError`` at once. A
    family whose fit fails (an error or no convergence, e.g. too few losses on one side of
    the splice point) is recorded in ``failures`` with the reason and the others are ranked.

    Parameters
    ----------
    losses : reported losses in USD, all ``> threshold`` (see :func:`fit_severity`).
    threshold : reporting threshold in USD.
    families : candidate names from :data:`FAMILIES`.
    splice_at : splice point for the ``spliced`` candidate (default: data quantile).

    Raises
    ------
    ConvergenceError
        Every family failed (the message lists each reason).
    """
    names = [_check_family(f) for f in families]
    if not names:
        raise InputError("families", [f"families: none given; choose from {', '.join(FAMILIES)}"])
    if len(set(names)) != len(names):
        raise InputError("families", [f"families: duplicates in {names}"])
    t = _check_threshold(threshold)
    x = _check_losses(losses, t)
    fits: list[SeverityFit] = []
    failures: list[tuple[str, str]] = []
    for name in names:
        try:
            fit = _FITTERS[name](x, t, splice_at if name == "spliced" else None)
        except (ArithmeticError, ValueError, np.linalg.LinAlgError) as err:
            failures.append((name, str(err)))
            continue
        if fit.converged and math.isfinite(fit.aic):
            fits.append(fit)
        else:
            failures.append((name, f"did not converge: {fit.message}"))
    if not fits:
        details = "; ".join(f"{name}: {reason}" for name, reason in failures)
        raise ConvergenceError(f"no severity family could be fitted ({details})")
    order = sorted(range(len(fits)), key=lambda i: (fits[i].aic, i))
    return SeverityComparison(
        fits=tuple(fits[i] for i in order),
        failures=tuple(failures),
        threshold=t,
        n=len(x),
    )


def threshold_sensitivity(
    losses: Iterable[float] | np.ndarray,
    thresholds: Iterable[float],
    family: str = "gpd",
    p: float = 0.99,
) -> pd.DataFrame:
    """Refit ``family`` above each threshold to show how much the choice moves the tail.

    Unlike :func:`fit_severity` this function *selects* the losses above each threshold
    itself (that is its purpose; ``n`` says how many were used). For a GPD the shape should
    be roughly stable above a threshold where the tail is Pareto-like, and the scale should
    move as ``σ(t') = σ(t) + ξ (t' − t)`` (threshold stability: Coles 2001, *An Introduction
    to Statistical Modeling of Extreme Values*, §4.3.1; R ``ismev::gpd.fitrange``,
    ``evd::tcplot``).

    Parameters
    ----------
    losses : all available losses in USD (finite, positive).
    thresholds : reporting thresholds to try (USD, ``≥ 0``).
    family : one of :data:`FAMILIES` (default ``gpd``).
    p : probability of the reported-loss quantile shown (0.99: the 1-in-100 reported loss).

    Returns
    -------
    pandas.DataFrame
        One row per threshold: ``threshold``, ``n``, each parameter and its ``se_<name>``,
        ``loglik``, ``quantile`` (``conditional.ppf(p)``, USD), ``mean_excess``
        (``E[X − t | X > t]``, USD; ``inf`` when the mean is infinite), ``mean_finite``,
        ``ks``, ``converged`` and ``error`` (why a row has no fit, else empty).
    """
    family = _check_family(family)
    x = _check_values(losses)
    ts = [_check_threshold(t) for t in thresholds]
    if not ts:
        raise ValueError("thresholds: give at least one threshold (USD)")
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    names = _NATURAL_NAMES[family]
    rows = []
    for t in ts:
        above = x[x > t]
        row: dict[str, Any] = {"threshold": t, "n": len(above)}
        row.update({name: math.nan for name in names})
        row.update({f"se_{name}": math.nan for name in names})
        row.update(
            loglik=math.nan,
            quantile=math.nan,
            mean_excess=math.nan,
            mean_finite=False,
            ks=math.nan,
            converged=False,
            error="",
        )
        try:
            fit = _FITTERS[family](_check_losses(above, t), t, None)
        except (ArithmeticError, ValueError, np.linalg.LinAlgError) as err:
            row["error"] = str(err)
            rows.append(row)
            continue
        row.update(fit.param)
        row.update({f"se_{name}": se for name, se in zip(names, fit.se, strict=True)})
        tail = fit.tail_figures(p)
        row.update(
            loglik=fit.loglik,
            quantile=tail["quantile"],
            mean_excess=tail["mean_excess"],
            mean_finite=tail["mean_finite"],
            ks=fit.ks,
            converged=fit.converged,
            error="" if fit.converged else f"did not converge: {fit.message}",
        )
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Per-family fitters
# --------------------------------------------------------------------------------------------
def _fit_simple(family: str) -> Callable[[np.ndarray, float, float | None], SeverityFit]:
    def fit(x: np.ndarray, t: float, splice_at: float | None) -> SeverityFit:
        nat, cov, loglik, mle = _fit_parametric(family, x, t)
        names = _NATURAL_NAMES[family]
        values = list(nat)
        if family == "gpd":
            values.append(t)
            cov = _pad(cov, 1)
        return _result(family, names, values, cov, loglik, 2, x, t, mle.converged, mle.message)

    return fit


def _guarded(
    family: str, fitter: Callable[[np.ndarray, float, float | None], SeverityFit]
) -> Callable[[np.ndarray, float, float | None], SeverityFit]:
    """Turn numerical failures inside a fit into a ConvergenceError naming the family."""

    def fit(x: np.ndarray, t: float, splice_at: float | None) -> SeverityFit:
        try:
            return fitter(x, t, splice_at)
        except (ArithmeticError, np.linalg.LinAlgError) as err:
            raise ConvergenceError(f"{family}: numerical failure while fitting ({err})") from err

    return fit


_FITTERS: dict[str, Callable[[np.ndarray, float, float | None], SeverityFit]] = {
    **{name: _guarded(name, _fit_simple(name)) for name in _SIMPLE},
    "spliced": _guarded("spliced", _fit_spliced),
}
