"""The spliced severity model: a lognormal body on ``(t, u]`` and a GPD tail above the splice
point u, fitted part by part; the default splice point and the splice points tried in turn.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable

import numpy as np

from ..exceptions import InputError
from .families import _NATURAL_NAMES, DEFAULT_SPLICE_QUANTILE, MIN_SPLICE_LOSSES
from .inputs import _check_values
from .likelihood import (
    _fit_parametric,
    _ll_body,
    _maximise,
    _natural,
    _scale_constant,
    _start_lognormal,
)
from .result import SeverityFit, _result


def default_splice_point(losses: Iterable[float] | np.ndarray) -> float:
    """Default splice point u of the spliced model (USD).

    About the top 20% of the losses (:data:`DEFAULT_SPLICE_QUANTILE`), and never fewer than
    :data:`MIN_SPLICE_LOSSES`, lie above u: with ``k = max(5, round(0.2 n))`` tail losses,
    u is the geometric midpoint of the ``(n − k)``-th and ``(n − k + 1)``-th smallest losses,
    so no loss sits on the splice point unless they are tied.
    """
    x = np.sort(_check_values(losses))
    n = len(x)
    k = max(MIN_SPLICE_LOSSES, round((1 - DEFAULT_SPLICE_QUANTILE) * n))
    if n - k < 1:
        raise InputError(
            "losses",
            [
                f"spliced: {n} losses are too few to choose a splice point "
                f"(need at least {2 * MIN_SPLICE_LOSSES})"
            ],
        )
    return float(math.sqrt(x[n - k - 1] * x[n - k]))


def _fit_spliced(x: np.ndarray, t: float, splice_at: float | None) -> SeverityFit:
    """The spliced fit at ``splice_at``, or, by default, at the splice point nearest the
    default (:func:`default_splice_point`) at which both parts converge."""
    if splice_at is not None:
        return _fit_spliced_at(x, t, float(splice_at))
    first: SeverityFit | None = None
    for u in splice_candidates(x):
        try:
            fit = _fit_spliced_at(x, t, u)
        except ValueError:  # e.g. ties leave one side constant: try the next point
            continue
        if fit.converged:
            if first is None:
                return fit
            return dataclasses.replace(
                fit,
                message=f"converged at splice point USD {u:,.0f}, the nearest to the default "
                f"USD {default_splice_point(x):,.0f} at which both parts converge",
            )
        first = first or fit
    return first if first is not None else _fit_spliced_at(x, t, default_splice_point(x))


def splice_candidates(losses: Iterable[float] | np.ndarray) -> list[float]:
    """Splice points tried in turn when none is given: the default first, then the midpoints
    between neighbouring losses ever further from it, alternately above and below, keeping
    :data:`MIN_SPLICE_LOSSES` losses on each side."""
    x = np.sort(_check_values(losses))
    n = len(x)
    k0 = max(MIN_SPLICE_LOSSES, round((1 - DEFAULT_SPLICE_QUANTILE) * n))
    ks = [k0]
    for step in range(1, n):
        ks += [k0 - step, k0 + step]
    return [
        float(math.sqrt(x[n - k - 1] * x[n - k]))
        for k in ks
        if MIN_SPLICE_LOSSES <= k <= n - MIN_SPLICE_LOSSES
    ]


def _fit_spliced_at(x: np.ndarray, t: float, u: float) -> SeverityFit:
    splice_at = u
    if not (math.isfinite(u) and u > t):
        raise ValueError(
            f"spliced: splice_at must be a finite amount above the threshold of "
            f"USD {t:,.0f}, got {splice_at!r}"
        )
    body, tail = x[x <= u], x[x > u]
    if len(body) < MIN_SPLICE_LOSSES or len(tail) < MIN_SPLICE_LOSSES:
        raise ValueError(
            f"spliced: need at least {MIN_SPLICE_LOSSES} losses on each side of the splice "
            f"point USD {u:,.0f}; got {len(body)} at or below and {len(tail)} above"
        )
    if np.ptp(body) <= 0 or np.ptp(tail) <= 0:
        raise ValueError(f"spliced: the losses on one side of USD {u:,.0f} are all equal")
    n, n_tail = len(x), len(tail)
    # Body: lognormal on (t, u].
    c = _scale_constant(body)
    zb = body / c
    body_mle = _maximise(
        _ll_body(u / c), _start_lognormal(zb, t / c), zb, t / c, ("meanlog", "sdlog")
    )
    body_nat, body_jac = _natural(body_mle.theta, ("shift", "exp"), c)
    body_cov = body_jac @ body_mle.cov @ body_jac.T
    body_ll = body_mle.loglik - len(body) * math.log(c)
    # Tail: GPD of the excesses over u.
    tail_nat, tail_cov, tail_ll, tail_mle = _fit_parametric("gpd", tail, u)
    # Weight: binomial share above u.
    w = n_tail / n
    w_ll = n_tail * math.log(w) + (n - n_tail) * math.log1p(-w)
    cov = np.zeros((6, 6))
    cov[:2, :2] = body_cov
    cov[2:4, 2:4] = tail_cov
    cov[4, 4] = w * (1 - w) / n
    values = [*body_nat, *tail_nat, w, u]
    converged = body_mle.converged and tail_mle.converged
    parts = (
        (f"lognormal body on (USD {t:,.0f}, {u:,.0f}]", body_mle),
        (f"GPD tail above USD {u:,.0f}", tail_mle),
    )
    message = (
        "converged"
        if converged
        else "; ".join(f"{part}: {m.message}" for part, m in parts if not m.converged)
        + "; another splice point may help"
    )
    return _result(
        "spliced",
        _NATURAL_NAMES["spliced"],
        values,
        cov,
        body_ll + tail_ll + w_ll,
        5,
        x,
        t,
        converged,
        message,
    )
